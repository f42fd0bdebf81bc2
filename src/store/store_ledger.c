/* store_ledger.c — dispatch of store_ledger.h to the backend. */
#include "store/store_ledger.h"
#include "store/store_backend.h"
#include "store/store_ledger_backend.h"

ips_status store_ledger_record_insert(struct store *s, const struct store_ledger_record *r)
{
    STORE__REQUIRE(s && r);
    if (r->leaf_len > STORE_LEDGER_LEAF_MAX)
        return IPS_ERR_TOO_LARGE;
    return s->ops->ledger->record_insert(s, r);
}

ips_status store_ledger_record_get(struct store *s, int64_t leaf_index,
                                   struct store_ledger_record *out)
{
    STORE__REQUIRE(s && out);
    return s->ops->ledger->record_get(s, leaf_index, out);
}

ips_status store_ledger_record_list(struct store *s, const char *only_org, int64_t after,
                                    int limit, store_ledger_record_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->ledger->record_list(s, only_org, after, limit, cb, arg);
}

ips_status store_ledger_pdq_list(struct store *s, int64_t after, int limit, store_ledger_pdq_cb cb,
                                 void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->ledger->pdq_list(s, after, limit, cb, arg);
}

ips_status store_ledger_size(struct store *s, int64_t *out)
{
    STORE__REQUIRE(s && out);
    return s->ops->ledger->size(s, out);
}

ips_status store_ledger_node_put(struct store *s, int level, int64_t idx,
                                 const uint8_t hash[STORE_HASH_LEN])
{
    STORE__REQUIRE(s && hash && level >= 0 && level < 64 && idx >= 0);
    return s->ops->ledger->node_put(s, level, idx, hash);
}

ips_status store_ledger_node_get(struct store *s, int level, int64_t idx,
                                 uint8_t out[STORE_HASH_LEN])
{
    STORE__REQUIRE(s && out);
    return s->ops->ledger->node_get(s, level, idx, out);
}

ips_status store_ledger_nodes_get(struct store *s, size_t n, const int *levels, const int64_t *idx,
                                  uint8_t (*out)[STORE_HASH_LEN])
{
    STORE__REQUIRE(s && (n == 0 || (levels && idx && out)));
    if (n > STORE_LEDGER_NODES_MAX)
        return IPS_ERR_TOO_LARGE;
    if (n == 0)
        return IPS_OK;
    return s->ops->ledger->nodes_get(s, n, levels, idx, out);
}

ips_status store_ledger_checkpoint_insert(struct store *s, const struct store_ledger_checkpoint *c)
{
    STORE__REQUIRE(s && c);
    return s->ops->ledger->checkpoint_insert(s, c);
}

ips_status store_ledger_checkpoint_latest(struct store *s, struct store_ledger_checkpoint *out)
{
    STORE__REQUIRE(s && out);
    return s->ops->ledger->checkpoint_latest(s, out);
}

ips_status store_ledger_checkpoint_get(struct store *s, int64_t tree_size,
                                       struct store_ledger_checkpoint *out)
{
    STORE__REQUIRE(s && out);
    return s->ops->ledger->checkpoint_get(s, tree_size, out);
}

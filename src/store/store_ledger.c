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

ips_status store_ledger_tile_put(struct store *s, int level, int64_t idx, const uint8_t *hashes,
                                 size_t len)
{
    STORE__REQUIRE(s && hashes && level >= 0 && level < 8 && idx >= 0);
    if (len == 0 || len > STORE_LEDGER_TILE_BYTES || len % STORE_HASH_LEN)
        return IPS_ERR_INVALID;
    return s->ops->ledger->tile_put(s, level, idx, hashes, len);
}

ips_status store_ledger_tiles_get(struct store *s, size_t n, const int *levels, const int64_t *idx,
                                  store_ledger_tile_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb && (n == 0 || (levels && idx)));
    if (n > STORE_LEDGER_TILES_MAX)
        return IPS_ERR_TOO_LARGE;
    if (n == 0)
        return IPS_OK;
    return s->ops->ledger->tiles_get(s, n, levels, idx, cb, arg);
}

ips_status store_ledger_legacy_present(struct store *s, bool *present, int64_t *nodes)
{
    STORE__REQUIRE(s && present && nodes);
    return s->ops->ledger->legacy_present(s, present, nodes);
}

ips_status store_ledger_legacy_drop(struct store *s)
{
    STORE__REQUIRE(s);
    return s->ops->ledger->legacy_drop(s);
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

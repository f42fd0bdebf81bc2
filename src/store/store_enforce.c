/* store_enforce.c — dispatch of store_enforce.h to the backend. */
#include "store/store_backend.h"
#include "store/store_enforce_backend.h"

ips_status store_enforce_strike_insert(struct store *s, const struct store_enforce_strike *sk)
{
    STORE__REQUIRE(s && sk);
    return s->ops->enforce->strike_insert(s, sk);
}

ips_status store_enforce_strike_list(struct store *s, const char *seller_org_id, const char *after,
                                     int limit, store_enforce_strike_cb cb, void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return s->ops->enforce->strike_list(s, seller_org_id, after, limit, cb, arg);
}

ips_status store_enforce_strike_active(struct store *s, const char *seller_org_id, int64_t now_ms,
                                       int limit, store_enforce_strike_cb cb, void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return s->ops->enforce->strike_active(s, seller_org_id, now_ms, limit, cb, arg);
}

ips_status store_enforce_strike_count(struct store *s, const char *seller_org_id, int64_t now_ms,
                                      int64_t *n)
{
    STORE__REQUIRE(s && seller_org_id && n);
    return s->ops->enforce->strike_count(s, seller_org_id, now_ms, n);
}

ips_status store_enforce_penalty_insert(struct store *s, const struct store_penalty *p)
{
    STORE__REQUIRE(s && p);
    return s->ops->enforce->penalty_insert(s, p);
}

ips_status store_enforce_penalty_get(struct store *s, const char *id, struct store_penalty *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->enforce->penalty_get(s, id, out);
}

ips_status store_enforce_penalty_end(struct store *s, const char *id, int64_t ended_ms,
                                     const char *reason)
{
    STORE__REQUIRE(s && id);
    return s->ops->enforce->penalty_end(s, id, ended_ms, reason);
}

ips_status store_enforce_penalty_list(struct store *s, const char *seller_org_id,
                                      const char *before, int limit, store_penalty_cb cb, void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return s->ops->enforce->penalty_list(s, seller_org_id, before, limit, cb, arg);
}

ips_status store_enforce_penalty_open(struct store *s, const char *seller_org_id,
                                      store_penalty_cb cb, void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return s->ops->enforce->penalty_open(s, seller_org_id, cb, arg);
}

ips_status store_enforce_penalty_due(struct store *s, int64_t now_ms, int limit,
                                     store_penalty_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->enforce->penalty_due(s, now_ms, limit, cb, arg);
}

ips_status store_enforce_network_insert(struct store *s, const struct store_network *n)
{
    STORE__REQUIRE(s && n);
    return s->ops->enforce->network_insert(s, n);
}

ips_status store_enforce_network_get(struct store *s, const char *id, struct store_network *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->enforce->network_get(s, id, out);
}

ips_status store_enforce_network_update(struct store *s, const struct store_network *n)
{
    STORE__REQUIRE(s && n);
    return s->ops->enforce->network_update(s, n);
}

ips_status store_enforce_member_get(struct store *s, const char *seller_org_id,
                                    char network_id[ID_SIZE])
{
    STORE__REQUIRE(s && seller_org_id && network_id);
    return s->ops->enforce->member_get(s, seller_org_id, network_id);
}

ips_status store_enforce_member_put(struct store *s, const char *seller_org_id,
                                    const char *network_id, int64_t now_ms)
{
    STORE__REQUIRE(s && seller_org_id && network_id);
    return s->ops->enforce->member_put(s, seller_org_id, network_id, now_ms);
}

ips_status store_enforce_member_move(struct store *s, const char *from, const char *to,
                                     int64_t *moved)
{
    STORE__REQUIRE(s && from && to);
    return s->ops->enforce->member_move(s, from, to, moved);
}

ips_status store_enforce_member_list(struct store *s, const char *network_id, const char *after,
                                     int limit, store_enforce_org_cb cb, void *arg)
{
    STORE__REQUIRE(s && network_id && cb);
    return s->ops->enforce->member_list(s, network_id, after, limit, cb, arg);
}

ips_status store_enforce_neighbours(struct store *s, const char *seller_org_id,
                                    const char *only_network, store_enforce_neighbour_cb cb,
                                    void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return s->ops->enforce->neighbours(s, seller_org_id, only_network, cb, arg);
}

ips_status store_enforce_shared_list(struct store *s, const char *network_id,
                                     store_enforce_shared_cb cb, void *arg)
{
    STORE__REQUIRE(s && network_id && cb);
    return s->ops->enforce->shared_list(s, network_id, cb, arg);
}

ips_status store_enforce_shared_holders(struct store *s, const char *network_id, const char *kind,
                                        const uint8_t hash[STORE_HASH_LEN], store_enforce_org_cb cb,
                                        void *arg)
{
    STORE__REQUIRE(s && network_id && kind && hash && cb);
    return s->ops->enforce->shared_holders(s, network_id, kind, hash, cb, arg);
}

ips_status store_enforce_unlabelled_exists(struct store *s, bool *found)
{
    STORE__REQUIRE(s && found);
    return s->ops->enforce->unlabelled_exists(s, found);
}

ips_status store_enforce_ident_scan(struct store *s, store_enforce_ident_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->enforce->ident_scan(s, cb, arg);
}

ips_status store_enforce_seller_sales(struct store *s, const char *seller_org_id, int64_t *listings,
                                      int64_t *units_sold)
{
    STORE__REQUIRE(s && seller_org_id && listings && units_sold);
    return s->ops->enforce->seller_sales(s, seller_org_id, listings, units_sold);
}

ips_status store_enforce_flag_insert(struct store *s, const struct store_evasion_flag *f)
{
    STORE__REQUIRE(s && f);
    return s->ops->enforce->flag_insert(s, f);
}

ips_status store_enforce_flag_exists(struct store *s, const char *seller_org_id,
                                     const char *network_id, bool *found)
{
    STORE__REQUIRE(s && seller_org_id && network_id && found);
    return s->ops->enforce->flag_exists(s, seller_org_id, network_id, found);
}

ips_status store_enforce_flag_list(struct store *s, const char *only_seller, const char *after,
                                   int limit, store_evasion_flag_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->enforce->flag_list(s, only_seller, after, limit, cb, arg);
}

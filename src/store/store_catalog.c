/* store_catalog.c — dispatch of store_catalog.h to the backend's catalog
 * table, with the argument checks of store_backend.h (STORE__REQUIRE). */
#include "store/store_catalog.h"
#include "store/store_backend.h"
#include "store/store_catalog_backend.h"

ips_status store_catalog_seller_insert(struct store *s, const struct store_seller *sp)
{
    STORE__REQUIRE(s && sp);
    return s->ops->catalog->seller_insert(s, sp);
}

ips_status store_catalog_seller_update(struct store *s, const struct store_seller *sp)
{
    STORE__REQUIRE(s && sp);
    return s->ops->catalog->seller_update(s, sp);
}

ips_status store_catalog_seller_get(struct store *s, const char *org_id, struct store_seller *out)
{
    STORE__REQUIRE(s && org_id && out);
    return s->ops->catalog->seller_get(s, org_id, out);
}

ips_status store_catalog_seller_get_by_external(struct store *s, const char *external_id,
                                                struct store_seller *out)
{
    STORE__REQUIRE(s && external_id && out);
    return s->ops->catalog->seller_get_by_external(s, external_id, out);
}

ips_status store_catalog_identifier_add(struct store *s, const char *seller_org_id,
                                        const char *kind, const uint8_t hash[STORE_HASH_LEN],
                                        int64_t now_ms, bool *added)
{
    STORE__REQUIRE(s && seller_org_id && kind && hash);
    return s->ops->catalog->identifier_add(s, seller_org_id, kind, hash, now_ms, added);
}

ips_status store_catalog_identifier_sellers(struct store *s, const char *kind,
                                            const uint8_t hash[STORE_HASH_LEN], const char *after,
                                            int limit, store_seller_id_cb cb, void *arg)
{
    STORE__REQUIRE(s && kind && hash && cb);
    return s->ops->catalog->identifier_sellers(s, kind, hash, after, limit, cb, arg);
}

ips_status store_catalog_identifier_count(struct store *s, const char *seller_org_id,
                                          int64_t *count)
{
    STORE__REQUIRE(s && seller_org_id && count);
    return s->ops->catalog->identifier_count(s, seller_org_id, count);
}

ips_status store_catalog_listing_insert(struct store *s, const struct store_listing *l,
                                        const struct store_listing_version *v)
{
    STORE__REQUIRE(s && l && v);
    return s->ops->catalog->listing_insert(s, l, v);
}

ips_status store_catalog_listing_add_version(struct store *s, const struct store_listing_version *v)
{
    STORE__REQUIRE(s && v);
    return s->ops->catalog->listing_add_version(s, v);
}

ips_status store_catalog_listing_set_state(struct store *s, const char *id, const char *state,
                                           int64_t now_ms)
{
    STORE__REQUIRE(s && id && state);
    return s->ops->catalog->listing_set_state(s, id, state, now_ms);
}

ips_status store_catalog_listing_get(struct store *s, const char *id, struct store_listing *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->catalog->listing_get(s, id, out);
}

ips_status store_catalog_version_get(struct store *s, const char *id, int64_t version,
                                     struct store_listing_version *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->catalog->version_get(s, id, version, out);
}

ips_status store_catalog_listing_list(struct store *s, const char *only_seller, const char *after,
                                      int limit, store_listing_cb cb, void *arg)
{
    return store_catalog_listing_list_at(s, only_seller, after, limit, NULL, cb, arg);
}

ips_status store_catalog_listing_search(struct store *s, const char *fts_query,
                                        const char *only_seller, int64_t offset, int limit,
                                        store_listing_cb cb, void *arg)
{
    return store_catalog_listing_search_at(s, fts_query, only_seller, offset, limit, NULL, cb,
                                           arg);
}

ips_status store_catalog_listing_list_at(struct store *s, const char *only_seller,
                                         const char *after, int limit,
                                         const struct store_listing_view *view,
                                         store_listing_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->catalog->listing_list(s, only_seller, after, limit, view, cb, arg);
}

ips_status store_catalog_listing_search_at(struct store *s, const char *fts_query,
                                           const char *only_seller, int64_t offset, int limit,
                                           const struct store_listing_view *view,
                                           store_listing_cb cb, void *arg)
{
    STORE__REQUIRE(s && fts_query && cb && offset >= 0);
    return s->ops->catalog->listing_search(s, fts_query, only_seller, offset, limit, view, cb,
                                           arg);
}

ips_status store_catalog_seller_hidden(struct store *s, const char *seller_org_id, int64_t now_ms,
                                       char out[STORE_HIDDEN_MAX + 1])
{
    STORE__REQUIRE(s && seller_org_id && out);
    return s->ops->catalog->seller_hidden(s, seller_org_id, now_ms, out);
}

ips_status store_catalog_version_list(struct store *s, const char *id, int64_t before, int limit,
                                      store_version_cb cb, void *arg)
{
    STORE__REQUIRE(s && id && cb);
    return s->ops->catalog->version_list(s, id, before, limit, cb, arg);
}

ips_status store_catalog_bulk_begin(struct store *s)
{
    STORE__REQUIRE(s);
    return s->ops->catalog->bulk_begin(s);
}

ips_status store_catalog_bulk_defer(struct store *s)
{
    STORE__REQUIRE(s);
    return s->ops->catalog->bulk_defer ? s->ops->catalog->bulk_defer(s) : IPS_OK;
}

ips_status store_catalog_bulk_index(struct store *s, bool index)
{
    STORE__REQUIRE(s);
    return s->ops->catalog->bulk_index ? s->ops->catalog->bulk_index(s, index) : IPS_OK;
}

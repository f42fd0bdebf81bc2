/* store_catalog_backend.h — the catalog's table of backend operations
 * (private to src/store/; contracts in store_catalog.h). */
#ifndef IPS_STORE_STORE_CATALOG_BACKEND_H
#define IPS_STORE_STORE_CATALOG_BACKEND_H

#include "store/store_catalog.h"

struct store_catalog_ops {
    ips_status (*seller_insert)(struct store *s, const struct store_seller *sp);
    ips_status (*seller_update)(struct store *s, const struct store_seller *sp);
    ips_status (*seller_get)(struct store *s, const char *org_id, struct store_seller *out);
    ips_status (*seller_get_by_external)(struct store *s, const char *external_id,
                                         struct store_seller *out);
    ips_status (*identifier_add)(struct store *s, const char *seller_org_id, const char *kind,
                                 const uint8_t hash[STORE_HASH_LEN], int64_t now_ms, bool *added);
    ips_status (*identifier_sellers)(struct store *s, const char *kind,
                                     const uint8_t hash[STORE_HASH_LEN], const char *after,
                                     int limit, store_seller_id_cb cb, void *arg);
    ips_status (*identifier_count)(struct store *s, const char *seller_org_id, int64_t *count);
    ips_status (*listing_insert)(struct store *s, const struct store_listing *l,
                                 const struct store_listing_version *v);
    ips_status (*listing_add_version)(struct store *s, const struct store_listing_version *v);
    ips_status (*listing_set_state)(struct store *s, const char *id, const char *state,
                                    int64_t now_ms);
    ips_status (*listing_get)(struct store *s, const char *id, struct store_listing *out);
    ips_status (*version_get)(struct store *s, const char *id, int64_t version,
                              struct store_listing_version *out);
    ips_status (*listing_list)(struct store *s, const char *only_seller, const char *after,
                               int limit, const struct store_listing_view *view,
                               store_listing_cb cb, void *arg);
    ips_status (*listing_search)(struct store *s, const char *fts_query, const char *only_seller,
                                 int64_t offset, int limit, const struct store_listing_view *view,
                                 store_listing_cb cb, void *arg);
    ips_status (*seller_hidden)(struct store *s, const char *seller_org_id, int64_t now_ms,
                                char out[STORE_HIDDEN_MAX + 1]);
    ips_status (*version_list)(struct store *s, const char *id, int64_t before, int limit,
                               store_version_cb cb, void *arg);
    ips_status (*bulk_begin)(struct store *s);
    /* optional (NULL: the backend indexes each row as it is written) */
    ips_status (*bulk_defer)(struct store *s);
    ips_status (*bulk_index)(struct store *s, bool index);
};

#endif

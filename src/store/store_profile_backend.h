/*
 * store_profile_backend.h — the backend operations of store_profile.h, one
 * pointer per public function with the same contract (see there). Private to
 * src/store/.
 */
#ifndef IPS_STORE_STORE_PROFILE_BACKEND_H
#define IPS_STORE_STORE_PROFILE_BACKEND_H

#include "store/store_profile.h"

struct store_profile_ops {
    ips_status (*touch)(struct store *s, const char *org_id, int64_t now_ms);
    ips_status (*updated)(struct store *s, const char *org_id, int64_t *updated_ms);
    ips_status (*terms_clear)(struct store *s, const char *org_id);
    ips_status (*term_insert)(struct store *s, const struct store_profile_term *t);
    ips_status (*term_list)(struct store *s, const char *only_org, store_profile_term_cb cb,
                            void *arg);
    ips_status (*image_insert)(struct store *s, const struct store_profile_image *im);
    ips_status (*image_delete)(struct store *s, const char *org_id, const char *sha256);
    ips_status (*image_list)(struct store *s, const char *org_id, store_profile_image_cb cb,
                             void *arg);
    ips_status (*image_count)(struct store *s, const char *org_id, int *count);
    ips_status (*prices_clear)(struct store *s, const char *org_id);
    ips_status (*price_insert)(struct store *s, const struct store_profile_price *p, int pos);
    ips_status (*price_list)(struct store *s, const char *org_id, store_profile_price_cb cb,
                             void *arg);
    ips_status (*price_get)(struct store *s, const char *org_id, const char *category,
                            const char *currency, int64_t *min_minor);
    ips_status (*sellers_clear)(struct store *s, const char *org_id);
    ips_status (*seller_insert)(struct store *s, const char *org_id, const char *seller_org_id,
                                int pos);
    ips_status (*seller_list)(struct store *s, const char *org_id, store_profile_seller_cb cb,
                              void *arg);
    ips_status (*seller_listed)(struct store *s, const char *org_id, const char *seller_org_id,
                                bool *out);
};

#endif

/* store_enforce_backend.h — the enforce domain's backend table (contracts:
 * store_enforce.h). */
#ifndef IPS_STORE_STORE_ENFORCE_BACKEND_H
#define IPS_STORE_STORE_ENFORCE_BACKEND_H

#include "store/store_enforce.h"

struct store_enforce_ops {
    ips_status (*strike_insert)(struct store *s, const struct store_enforce_strike *sk);
    ips_status (*strike_list)(struct store *s, const char *seller_org_id, const char *after,
                              int limit, store_enforce_strike_cb cb, void *arg);
    ips_status (*strike_active)(struct store *s, const char *seller_org_id, int64_t now_ms,
                                int limit, store_enforce_strike_cb cb, void *arg);
    ips_status (*strike_count)(struct store *s, const char *seller_org_id, int64_t now_ms,
                               int64_t *n);
    ips_status (*penalty_insert)(struct store *s, const struct store_penalty *p);
    ips_status (*penalty_get)(struct store *s, const char *id, struct store_penalty *out);
    ips_status (*penalty_end)(struct store *s, const char *id, int64_t ended_ms,
                              const char *reason);
    ips_status (*penalty_list)(struct store *s, const char *seller_org_id, const char *before,
                               int limit, store_penalty_cb cb, void *arg);
    ips_status (*penalty_open)(struct store *s, const char *seller_org_id, store_penalty_cb cb,
                               void *arg);
    ips_status (*penalty_due)(struct store *s, int64_t now_ms, int limit, store_penalty_cb cb,
                              void *arg);
    ips_status (*network_insert)(struct store *s, const struct store_network *n);
    ips_status (*network_get)(struct store *s, const char *id, struct store_network *out);
    ips_status (*network_update)(struct store *s, const struct store_network *n);
    ips_status (*member_get)(struct store *s, const char *seller_org_id, char network_id[ID_SIZE]);
    ips_status (*member_put)(struct store *s, const char *seller_org_id, const char *network_id,
                             int64_t now_ms);
    ips_status (*member_move)(struct store *s, const char *from, const char *to, int64_t *moved);
    ips_status (*member_list)(struct store *s, const char *network_id, const char *after, int limit,
                              store_enforce_org_cb cb, void *arg);
    ips_status (*neighbours)(struct store *s, const char *seller_org_id, const char *only_network,
                             store_enforce_neighbour_cb cb, void *arg);
    ips_status (*shared_list)(struct store *s, const char *network_id, store_enforce_shared_cb cb,
                              void *arg);
    ips_status (*shared_holders)(struct store *s, const char *network_id, const char *kind,
                                 const uint8_t hash[STORE_HASH_LEN], store_enforce_org_cb cb,
                                 void *arg);
    ips_status (*unlabelled_exists)(struct store *s, bool *found);
    ips_status (*ident_scan)(struct store *s, store_enforce_ident_cb cb, void *arg);
    ips_status (*seller_sales)(struct store *s, const char *seller_org_id, int64_t *listings,
                               int64_t *units_sold);
    ips_status (*flag_insert)(struct store *s, const struct store_evasion_flag *f);
    ips_status (*flag_exists)(struct store *s, const char *seller_org_id, const char *network_id,
                              bool *found);
    ips_status (*flag_list)(struct store *s, const char *only_seller, const char *after, int limit,
                            store_evasion_flag_cb cb, void *arg);
};

#endif

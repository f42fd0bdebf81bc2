/*
 * store_alliance_backend.h — the backend operations of store_alliance.h, one
 * pointer per public function with the same contract (see there). Private to
 * src/store/.
 */
#ifndef IPS_STORE_STORE_ALLIANCE_BACKEND_H
#define IPS_STORE_STORE_ALLIANCE_BACKEND_H

#include "store/store_alliance.h"

struct store_alliance_ops {
    ips_status (*member_get)(struct store *s, const char *org_id,
                             struct store_alliance_member *out);
    ips_status (*member_put)(struct store *s, const struct store_alliance_member *m);
    ips_status (*member_list)(struct store *s, const char *after, int limit,
                              store_alliance_member_cb cb, void *arg);
    ips_status (*report_insert)(struct store *s, const struct store_alliance_report *r);
    ips_status (*report_list)(struct store *s, const char *only_seller, const char *after,
                              int limit, store_alliance_report_cb cb, void *arg);
    ips_status (*seller_list)(struct store *s, const char *after, int limit,
                              store_alliance_seller_cb cb, void *arg);
};

#endif

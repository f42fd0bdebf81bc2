/*
 * store_rights_backend.h — the rights domain's table of backend operations
 * (contracts: store_rights.h). Included only under src/store/.
 */
#ifndef IPS_STORE_STORE_RIGHTS_BACKEND_H
#define IPS_STORE_STORE_RIGHTS_BACKEND_H

#include "store/store_rights.h"

struct store_rights_ops {
    ips_status (*application_insert)(struct store *s, const struct store_rh_application *a);
    ips_status (*application_get)(struct store *s, const char *org_id,
                                  struct store_rh_application *out);
    ips_status (*application_update)(struct store *s, const struct store_rh_application *a);
    ips_status (*application_list)(struct store *s, const char *only_status, const char *only_org,
                                   const char *after, int limit, store_rh_application_cb cb,
                                   void *arg);

    ips_status (*auth_insert)(struct store *s, const struct store_agent_auth *a);
    ips_status (*auth_get)(struct store *s, const char *id, struct store_agent_auth *out);
    ips_status (*auth_update)(struct store *s, const struct store_agent_auth *a);
    ips_status (*auth_active)(struct store *s, const char *principal_org, const char *agent_org,
                              const char *today, bool *found);
    ips_status (*auth_list)(struct store *s, const char *involving_org, const char *only_status,
                            const char *after, int limit, store_agent_auth_cb cb, void *arg);

    ips_status (*right_insert)(struct store *s, const struct store_right *r);
    ips_status (*right_get)(struct store *s, const char *id, struct store_right *out);
    ips_status (*right_update)(struct store *s, const struct store_right *r);
    ips_status (*right_list)(struct store *s, const struct store_right_filter *f,
                             const char *after, int limit, store_right_cb cb, void *arg);

    ips_status (*file_insert)(struct store *s, const struct store_right_file *f);
    ips_status (*file_list)(struct store *s, const char *right_id, store_right_file_cb cb,
                            void *arg);
};

#endif

/*
 * store_litigation_backend.h — the litigation domain's table of backend
 * operations (see store_backend.h). Contracts: store_litigation.h.
 */
#ifndef IPS_STORE_STORE_LITIGATION_BACKEND_H
#define IPS_STORE_STORE_LITIGATION_BACKEND_H

#include "store/store_litigation.h"

struct store_litigation_ops {
    ips_status (*file_insert)(struct store *s, const struct store_litigation *f);
    ips_status (*file_update)(struct store *s, const struct store_litigation *f);
    ips_status (*file_set_status)(struct store *s, const struct store_litigation *f);
    ips_status (*file_get)(struct store *s, const char *id, struct store_litigation *out);
    ips_status (*file_list)(struct store *s, const char *only_org, const char *after, int limit,
                            store_litigation_cb cb, void *arg);
    ips_status (*damage_insert)(struct store *s, const struct store_litigation_damage *d);
    ips_status (*damage_list)(struct store *s, const char *file_id, store_litigation_damage_cb cb,
                              void *arg);
    ips_status (*infringing)(struct store *s, const char *holder_org_id, const char *seller_org_id,
                             store_litigation_basis_cb cb, void *arg);
};

#endif

/*
 * store_scanq_backend.h — the scanq domain's table of backend operations
 * (contracts: store_scanq.h). Included only under src/store/.
 */
#ifndef IPS_STORE_STORE_SCANQ_BACKEND_H
#define IPS_STORE_STORE_SCANQ_BACKEND_H

#include "store/store_scanq.h"

struct store_scanq_ops {
    ips_status (*enqueue)(struct store *s, const char *listing_id, int64_t version,
                          int64_t now_ms);
    ips_status (*pending)(struct store *s, int64_t after, int limit, store_scanq_event_cb cb,
                          void *arg);
    ips_status (*published)(struct store *s, int64_t upto);
    ips_status (*has_verdict)(struct store *s, const char *listing_id, int64_t version,
                              bool *has);
    ips_status (*status)(struct store *s, struct store_scanq_status *out);
    /* NULL: the backend's writers run alone (nothing to lock); n >= 1 */
    ips_status (*lock_listings)(struct store *s, const char *const *listing_ids, int n);
};

#endif

/*
 * store_reports_backend.h — the backend operations of store_reports.h, one
 * pointer per public function with the same contract (see there). Private
 * to src/store/.
 */
#ifndef IPS_STORE_STORE_REPORTS_BACKEND_H
#define IPS_STORE_STORE_REPORTS_BACKEND_H

#include "store/store_reports.h"

struct store_reports_ops {
    ips_status (*query)(struct store *s, enum store_reports_query q,
                        const struct store_reports_filter *f, store_reports_cb cb, void *arg);
};

#endif

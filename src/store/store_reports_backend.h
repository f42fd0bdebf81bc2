/*
 * store_reports_backend.h — the backend operations of store_reports.h, one
 * pointer per public function with the same contract (see there). Private
 * to src/store/.
 */
#ifndef IPS_STORE_STORE_REPORTS_BACKEND_H
#define IPS_STORE_STORE_REPORTS_BACKEND_H

#include "store/store_reports.h"

/* query: as store_reports_query, except TIMES, which hands cb one row per
 * item (v0 its time to action, in any order) for store_reports.c to rank. */
struct store_reports_ops {
    ips_status (*query)(struct store *s, enum store_reports_query q,
                        const struct store_reports_filter *f, store_reports_cb cb, void *arg);
};

/* The SQL text a backend runs for query q under f, from its four tables
 * indexed by query (NULL: no such text): rh[q] for a right-holder scope;
 * seller[q] for a seller scope (texts driven by the seller's own items and
 * listings); all[q] for every org with no scope, brand or jurisdiction
 * (texts that leave the restrictions, and the joins only they need, out);
 * else sql[q]. */
const char *store_reports__text(enum store_reports_query q, const struct store_reports_filter *f,
                                const char *const *sql, const char *const *rh,
                                const char *const *seller, const char *const *all);

#endif

/*
 * store_scanq.h — persistence of queued scanning (table scan_outbox of
 * migration 0016_scan_queue.sql; the design is in src/scanq/scanq.h).
 * Rules as in store.h: records owned by the caller, OUT parameters written
 * only on IPS_OK.
 */
#ifndef IPS_STORE_STORE_SCANQ_H
#define IPS_STORE_STORE_SCANQ_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_catalog.h"

/* One listing version waiting to be published to the work queue. */
struct store_scanq_event {
    int64_t seq;
    char listing_id[STORE_LISTING_ID_MAX + 1];
    int64_t version;
    int64_t created_ms;
};

/* Counts for `iprshield scan-worker --status` and the tests. */
struct store_scanq_status {
    int64_t outbox;     /* events not yet published */
    int64_t versions;   /* listing versions stored */
    int64_t missing;    /* listing versions without any verdict */
    int64_t duplicates; /* (listing, version, rules version) with more than one verdict */
};

typedef ips_status (*store_scanq_event_cb)(const struct store_scanq_event *e, void *arg);

/* Add listing version (listing_id, version) to the outbox. */
ips_status store_scanq_enqueue(struct store *s, const char *listing_id, int64_t version,
                               int64_t now_ms);
/* The oldest events with seq > after, at most limit (1..1000), in seq
 * order. IPS_ERR_INVALID for a limit out of range. */
ips_status store_scanq_pending(struct store *s, int64_t after, int limit,
                               store_scanq_event_cb cb, void *arg);
/* Delete the events with seq <= upto (published). */
ips_status store_scanq_published(struct store *s, int64_t upto);
/* OUT *has: listing version (listing_id, version) has a verdict. */
ips_status store_scanq_has_verdict(struct store *s, const char *listing_id, int64_t version,
                                   bool *has);
/* Inside a write transaction: wait for, and hold to its end, the lock of
 * listing listing_id, so that the concurrent transactions of scan workers
 * (store_tx_run_concurrent) judge one listing one at a time: a version's
 * has_verdict check, its verdict and the listing's current verdict and state
 * are then read and written as if alone. Taken before anything of the
 * listing is read. Nothing to do where writers run alone (SQLite, or a
 * store_tx_run transaction). IPS_ERR_INTERNAL outside a transaction. */
ips_status store_scanq_lock_listing(struct store *s, const char *listing_id);
/* store_scanq_lock_listing for n listings (ids may repeat) in one round trip,
 * taken in one fixed order (that of the lock keys) whatever the order of
 * listing_ids, so that batches locking overlapping sets cannot deadlock.
 * IPS_ERR_INVALID for n < 1 or n > STORE_SCANQ_LOCK_MAX. */
#define STORE_SCANQ_LOCK_MAX 1024
ips_status store_scanq_lock_listings(struct store *s, const char *const *listing_ids, int n);
/* OUT *out: the counts (a read over every listing version: operators and
 * tests, not a hot path). */
ips_status store_scanq_status(struct store *s, struct store_scanq_status *out);

#endif

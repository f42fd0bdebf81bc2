/*
 * scanq.h — distributed scanning on NATS JetStream (issue 9): the whole
 * interface of src/scanq/. Design note: docs/internals/scanq.md.
 *
 * When cfg->nats_url is set, a listing version is not scanned inside the
 * write that stores it: detections_listing_written adds it to the outbox
 * (table scan_outbox) in the same transaction. The server's PUBLISHER
 * thread moves the outbox to the JetStream stream SCANQ_STREAM (work-queue
 * retention, subject SCANQ_SUBJECT), one message per listing version with
 * the message id "<listing id>:<version>" (JetStream drops a copy published
 * again within its duplicate window), and deletes the rows JetStream
 * acknowledged. Any number of WORKERS (`iprshield scan-worker`) pull from
 * the one durable consumer SCANQ_CONSUMER, judge a batch of versions in one
 * transaction (scanq_judge: a version that has a verdict is skipped, so a
 * redelivered event never yields a second verdict) and acknowledge the
 * batch after the commit. On PostgreSQL the workers' transactions run at
 * the same time (store_tx_run_concurrent): each listing is judged under its
 * own lock, and the batch's audit events are appended at its end. A worker killed before it
 * acknowledged leaves its batch to be redelivered after the ack wait.
 *
 * Rules. The publisher announces every new rules version on
 * SCANQ_RULES_SUBJECT ({"version", "stamp"}); a worker compiles the set
 * (detections_rules_warm) and acknowledges on SCANQ_RULES_ACK_SUBJECT
 * ({"worker", "version"}). Every scan uses the newest version the database
 * names, which is at least the newest the worker acknowledged; the verdict
 * records the version it used.
 *
 * Threads: scanq_publisher_start/stop from the server's main thread; the
 * worker runs on the calling thread until *stop is set (a signal handler).
 */
#ifndef IPS_SCANQ_SCANQ_H
#define IPS_SCANQ_SCANQ_H

#include <signal.h>
#include <stdint.h>

#include "core/config.h"
#include "core/status.h"
#include "store/store.h"
#include "store/store_catalog.h"

#define SCANQ_STREAM "IPS_LISTINGS"
#define SCANQ_SUBJECT "iprshield.listings.changed"
#define SCANQ_CONSUMER "scan-workers"
#define SCANQ_RULES_SUBJECT "iprshield.rules"
#define SCANQ_RULES_ACK_SUBJECT "iprshield.rules.ack"
#define SCANQ_PUBLISH_BATCH 500 /* outbox rows per publish round */
#define SCANQ_BATCH_MAX 1000    /* events per worker transaction at most */

/* Start the publisher thread on its own connection to cfg->db (cfg
 * borrowed; must outlive scanq_publisher_stop). Nothing when cfg->nats_url
 * is empty. It connects (and reconnects) to NATS in the background: a NATS
 * outage delays scanning, never a write. IPS_ERR_IO when the thread cannot
 * start. */
ips_status scanq_publisher_start(const struct config *cfg);
/* Stop the thread after its current round. Safe when not started. */
void scanq_publisher_stop(void);

struct scanq_worker_opts {
    const char *name;  /* for logs and rules acknowledgements */
    int batch;         /* events fetched and judged per transaction, 1..SCANQ_BATCH_MAX */
    int ack_wait_s;    /* seconds before an unacknowledged event is redelivered */
};

/* One event of the work queue: a listing version to judge. */
struct scanq_event {
    char listing_id[STORE_LISTING_ID_MAX + 1];
    int64_t version;
};

/*
 * Judge the n events ev[] (1..SCANQ_BATCH_MAX) in one concurrent write
 * transaction (store_tx_run_concurrent) on s: in listing order (ev[] is
 * sorted in place, so that batches take their listing locks in one order),
 * each listing under store_scanq_lock_listing, through
 * detections_queued_scan; a version judged already (a redelivery) or gone
 * is skipped. The batch's audit events are deferred to its end
 * (audit_defer). Rules that changed are compiled before the transaction
 * begins (detections_rules_warm), so that it never idles through a compile
 * holding its locks. OUT *judged (may be NULL): the verdicts written or
 * confirmed. Failure: IPS_ERR_INVALID for n out of range; the store's (the
 * whole batch rolled back: nothing judged).
 */
ips_status scanq_judge(struct store *s, const struct config *cfg, struct scanq_event *ev, int n,
                       int *judged);

/* Consume and judge events until *stop becomes non-zero; until NATS
 * answers (and its stream can be had) it retries every second. Returns
 * IPS_OK after a stop; IPS_ERR_INVALID for options out of range; store
 * statuses (the database cannot be opened). */
ips_status scanq_worker_run(const struct config *cfg, const struct scanq_worker_opts *o,
                            volatile sig_atomic_t *stop);

#endif

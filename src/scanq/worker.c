/*
 * worker.c — `iprshield scan-worker` (scanq.h): pull listing-version events
 * from the shared durable consumer (pull.c, not libnats' fetch), judge each
 * batch in one concurrent transaction (scanq_judge), acknowledge after the
 * commit.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/log.h"
#include "detections/detections.h"
#include "scanq/scanq_internal.h"
#include "store/store.h"
#include "store/store_catalog.h"
#include "store/store_scanq.h"

#define WORKER__FETCH_WAIT_MS 100 /* longest wait for a batch to fill */
#define WORKER__RETRY_MS 500
#define WORKER__OPEN_RETRY_MS 1000
#define WORKER__MAX_ACK_PENDING 20000 /* events in flight, all workers together */

/* The argument of judge__tx. */
struct judge__batch {
    const struct config *cfg;
    const struct scanq_event *ev;
    int n;
    int judged; /* OUT of the transaction (reset per attempt) */
};

/* The rules announcements: the newest version heard (set by the NATS
 * thread's callback, read by the worker's loop). */
static _Atomic int64_t worker__announced;

static void worker__on_rules(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc;
    (void)sub;
    (void)closure;
    json_t *o = json_loadb(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), 0, NULL);
    json_t *v = o ? json_object_get(o, "version") : NULL;
    if (json_is_integer(v) && json_integer_value(v) > atomic_load(&worker__announced))
        atomic_store(&worker__announced, (int64_t)json_integer_value(v));
    json_decref(o);
    natsMsg_Destroy(msg);
}

/* Parse one event: {"listing_id": "...", "version": N}. */
static bool worker__parse(natsMsg *m, struct scanq_event *e)
{
    json_t *o = json_loadb(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), 0, NULL);
    const char *lid = o ? json_string_value(json_object_get(o, "listing_id")) : NULL;
    json_t *v = o ? json_object_get(o, "version") : NULL;
    bool ok = lid && lid[0] && strlen(lid) <= STORE_LISTING_ID_MAX && json_is_integer(v) &&
              json_integer_value(v) >= 1;
    if (ok) {
        snprintf(e->listing_id, sizeof e->listing_id, "%s", lid);
        e->version = (int64_t)json_integer_value(v);
    }
    json_decref(o);
    return ok;
}

static int event__cmp(const void *a, const void *b)
{
    const struct scanq_event *x = a, *y = b;
    int c = strcmp(x->listing_id, y->listing_id);
    return c ? c : (x->version > y->version) - (x->version < y->version);
}

static ips_status judge__tx(struct store *s, void *arg)
{
    struct judge__batch *b = arg;
    b->judged = 0;
    audit_defer(s);
    /* every listing's lock before the first read of any (has_verdict), in
     * one round trip instead of one per listing */
    const char *ids[SCANQ_BATCH_MAX];
    for (int i = 0; i < b->n; i++)
        ids[i] = b->ev[i].listing_id;
    ips_status st = store_scanq_lock_listings(s, ids, b->n);
    for (int i = 0; i < b->n && st == IPS_OK; i++) {
        const struct scanq_event *e = &b->ev[i];
        int64_t used = 0;
        st = detections_queued_scan(s, b->cfg, e->listing_id, e->version, &used);
        if (st == IPS_OK)
            b->judged++;
        else if (st == IPS_ERR_CONFLICT || st == IPS_ERR_NOT_FOUND)
            st = IPS_OK; /* judged already (redelivery), or gone */
    }
    return audit_flush(s, st);
}

ips_status scanq_judge(struct store *s, const struct config *cfg, struct scanq_event *ev, int n,
                       int *judged)
{
    if (n < 1 || n > SCANQ_BATCH_MAX)
        return IPS_ERR_INVALID;
    qsort(ev, (size_t)n, sizeof *ev, event__cmp);
    /* compile rules that changed since the last announcement now, not
     * inside the transaction: a compile (profiles, official images) takes
     * seconds, and the transaction would sit idle holding its locks */
    int64_t version = 0;
    ips_status st = detections_rules_warm(s, cfg, &version);
    if (st)
        return st;
    struct judge__batch b = {.cfg = cfg, .ev = ev, .n = n};
    st = store_tx_run_concurrent(s, judge__tx, &b);
    if (st == IPS_OK && judged)
        *judged = b.judged;
    return st;
}

static void worker__sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Compile the announced rules and acknowledge them. */
static void worker__rules(struct scanq__conn *c, struct store *s, const struct config *cfg,
                          const char *name, int64_t *acked)
{
    int64_t want = atomic_load(&worker__announced);
    if (want <= *acked)
        return;
    int64_t have = 0;
    if (detections_rules_warm(s, cfg, &have) != IPS_OK)
        return;
    *acked = have >= want ? have : want;
    char v[24];
    json_t *o = json_pack("{s:s, s:I}", "worker", name, "version", (json_int_t)have);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (body)
        natsConnection_PublishString(c->nc, SCANQ_RULES_ACK_SUBJECT, body);
    free(body);
    json_decref(o);
    snprintf(v, sizeof v, "%" PRId64, have);
    log_info("scan-worker: rules acknowledged", "worker", name, "version", v);
}

/* Connect, make sure of the stream, and subscribe: the shared durable pull
 * consumer (read with requests of our own, pull.c) and the rules
 * announcements. On failure everything is closed. */
static ips_status worker__open(const struct config *cfg, const struct scanq_worker_opts *o,
                               struct scanq__conn *c, struct scanq__puller *pull,
                               natsSubscription **rules)
{
    ips_status st = scanq__connect(cfg->nats_url, o->name, NULL, c);
    if (st || (st = scanq__stream_ensure(c, (int)cfg->nats_replicas)) ||
        (st = scanq__puller_open(c, SCANQ_STREAM, SCANQ_CONSUMER, SCANQ_SUBJECT, o->ack_wait_s,
                                 WORKER__MAX_ACK_PENDING, pull))) {
        scanq__close(c);
        return st;
    }
    natsStatus ns =
        natsConnection_Subscribe(rules, c->nc, SCANQ_RULES_SUBJECT, worker__on_rules, NULL);
    if (ns != NATS_OK) {
        scanq__log_nats("scan-worker: cannot subscribe; retrying", ns);
        scanq__puller_close(pull);
        scanq__close(c);
        return IPS_ERR_IO;
    }
    return IPS_OK;
}

ips_status scanq_worker_run(const struct config *cfg, const struct scanq_worker_opts *o,
                            volatile sig_atomic_t *stop)
{
    if (o->batch < 1 || o->batch > SCANQ_BATCH_MAX || o->ack_wait_s < 1 || !o->name)
        return IPS_ERR_INVALID;
    struct store *s = NULL;
    struct scanq__conn c = {0};
    struct scanq__puller pull = {0};
    natsSubscription *rules = NULL;
    natsMsg **msgs = NULL;
    struct scanq_event *ev = NULL;
    ips_status st = store_open(cfg->db, &s);
    if (st) {
        log_error("scan-worker: cannot open the database", "db", cfg->db);
        return st;
    }
    /* NATS may not be up yet, or its JetStream cluster may still elect its
     * leader: keep trying until it answers or a signal stops the worker */
    while (!*stop && worker__open(cfg, o, &c, &pull, &rules) != IPS_OK)
        worker__sleep_ms(WORKER__OPEN_RETRY_MS);
    if (*stop)
        goto out;
    int64_t acked = 0;
    atomic_store(&worker__announced, 1); /* compile the current set before the first event */
    log_info("scan-worker: consuming", "worker", o->name, "stream", SCANQ_STREAM);
    ev = calloc((size_t)o->batch, sizeof *ev);
    msgs = calloc((size_t)o->batch, sizeof *msgs);
    if (!ev || !msgs) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    while (!*stop) {
        worker__rules(&c, s, cfg, o->name, &acked);
        /* the server holds the request until the batch is full or the wait
         * is over: while the publisher trickles events in, batches fill up
         * instead of one transaction per handful of events */
        int got = 0;
        natsStatus ns = scanq__pull(&pull, msgs, o->batch, WORKER__FETCH_WAIT_MS, &got);
        if (ns != NATS_OK) {
            /* a node went away (the client reconnects), or the consumer
             * has no leader for a moment: try again shortly */
            scanq__log_nats("scan-worker: pull failed", ns);
            worker__sleep_ms(WORKER__RETRY_MS);
            continue;
        }
        int n = 0, malformed = 0;
        for (int i = 0; i < got; i++) {
            if (worker__parse(msgs[i], &ev[n]))
                n++;
            else
                malformed++;
        }
        st = n > 0 ? scanq_judge(s, cfg, ev, n, NULL) : IPS_OK;
        for (int i = 0; i < got; i++) {
            if (st == IPS_OK)
                scanq__ack(&pull, msgs[i]);
            else
                scanq__nak(&pull, msgs[i], 1000);
            natsMsg_Destroy(msgs[i]);
        }
        if (st) {
            char e[32];
            snprintf(e, sizeof e, "%d", (int)st);
            log_warn("scan-worker: batch failed; redelivery asked", "status", e);
            st = IPS_OK;
            worker__sleep_ms(WORKER__RETRY_MS);
        } else if (malformed) {
            log_warn("scan-worker: malformed events acknowledged and dropped", "worker", o->name);
        }
    }
out:
    free(msgs);
    free(ev);
    natsSubscription_Destroy(rules);
    scanq__puller_close(&pull);
    scanq__close(&c);
    store_close(s);
    return st;
}

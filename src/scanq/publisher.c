/*
 * publisher.c — the server's outbox publisher (scanq.h): moves scan_outbox
 * rows to the JetStream work queue in seq order and announces new rules
 * versions.
 */
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "scanq/scanq_internal.h"
#include "store/store.h"
#include "store/store_catalog.h"
#include "store/store_detections.h"
#include "store/store_scanq.h"

#define PUB__IDLE_MS 50       /* pause when the outbox is empty */
#define PUB__RETRY_MS 1000    /* pause after a failed round */
#define PUB__ACK_WAIT_MS 10000 /* wait for JetStream's acknowledgements of one round */
#define PUB__TRIM_MS 1000      /* delete published rows at most this often while busy */

static pthread_t pub__thread;
static pthread_mutex_t pub__mu = PTHREAD_MUTEX_INITIALIZER;
static bool pub__running, pub__stopping;
static const struct config *pub__cfg;

struct pub__round {
    struct store_scanq_event ev[SCANQ_PUBLISH_BATCH];
    int n;
    int failed; /* publishes JetStream refused (ErrHandler) */
};

static bool pub__stop_requested(void)
{
    pthread_mutex_lock(&pub__mu);
    bool stop = pub__stopping;
    pthread_mutex_unlock(&pub__mu);
    return stop;
}

static void pub__sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static ips_status pub__collect(const struct store_scanq_event *e, void *arg)
{
    struct pub__round *r = arg;
    r->ev[r->n++] = *e;
    return IPS_OK;
}

static void pub__err(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    (void)js;
    struct pub__round *r = closure;
    r->failed++;
    log_warn("scanq: a publish was refused", "error", pae->ErrText ? pae->ErrText : "");
}

static ips_status pub__delete(struct store *s, void *arg)
{
    return store_scanq_published(s, *(const int64_t *)arg);
}

/* Announce the rules version when it changed since the last announcement. */
static void pub__rules(struct scanq__conn *c, struct store *s, int64_t *announced)
{
    struct store_detection_rules row;
    if (store_detections_rules_current(s, &row) != IPS_OK || row.version == *announced)
        return;
    char msg[160];
    int n = snprintf(msg, sizeof msg, "{\"version\":%" PRId64 ",\"stamp\":\"%s\"}", row.version,
                     row.stamp);
    if (natsConnection_Publish(c->nc, SCANQ_RULES_SUBJECT, msg, n) == NATS_OK) {
        *announced = row.version;
        char v[24];
        snprintf(v, sizeof v, "%" PRId64, row.version);
        log_info("scanq: rules announced", "version", v);
    }
}

/* One round: publish up to SCANQ_PUBLISH_BATCH rows after *cursor, wait
 * for every acknowledgement, then advance *cursor past them. The rows are
 * deleted later (pub__trim): a delete competes with the workers for the
 * database's write lock, so it is done once a second, not per round. OUT
 * *published: rows moved. */
static ips_status pub__round(struct scanq__conn *c, struct store *s, struct pub__round *r,
                             int64_t *cursor, int *published)
{
    *published = 0;
    r->n = 0;
    r->failed = 0;
    ips_status st = store_scanq_pending(s, *cursor, SCANQ_PUBLISH_BATCH, pub__collect, r);
    if (st || r->n == 0)
        return st;
    jsPubOptions po;
    natsStatus ns = NATS_OK;
    for (int i = 0; i < r->n && ns == NATS_OK; i++) {
        char id[STORE_LISTING_ID_MAX + 32];
        snprintf(id, sizeof id, "%s:%" PRId64, r->ev[i].listing_id, r->ev[i].version);
        json_t *o = json_pack("{s:s, s:I}", "listing_id", r->ev[i].listing_id, "version",
                              (json_int_t)r->ev[i].version);
        char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (!body)
            return IPS_ERR_NOMEM;
        jsPubOptions_Init(&po);
        po.MsgId = id;
        ns = js_PublishAsync(c->js, SCANQ_SUBJECT, body, (int)strlen(body), &po);
        free(body);
    }
    jsPubOptions_Init(&po);
    po.MaxWait = PUB__ACK_WAIT_MS;
    if (ns == NATS_OK)
        ns = js_PublishAsyncComplete(c->js, &po);
    if (ns != NATS_OK || r->failed) {
        /* the whole round is published again; the message ids drop copies */
        natsMsgList pending = {0};
        if (js_PublishAsyncGetPendingList(&pending, c->js) == NATS_OK)
            natsMsgList_Destroy(&pending);
        scanq__log_nats("scanq: publish round failed; retrying", ns);
        return IPS_ERR_IO;
    }
    *cursor = r->ev[r->n - 1].seq;
    *published = r->n;
    return IPS_OK;
}

/* Delete the rows up to cursor when PUB__TRIM_MS passed since the last
 * delete, or when the outbox is drained. A failure (the lock is busy) is
 * harmless: the rows stay until the next try, and a restart publishes them
 * again (the message ids make JetStream drop the copies; workers judge a
 * version once). */
static void pub__trim(struct store *s, int64_t cursor, int64_t *trimmed, int64_t *last_ms,
                      bool idle)
{
    int64_t now = time_now_ms();
    if (cursor <= *trimmed || (!idle && now - *last_ms < PUB__TRIM_MS))
        return;
    if (store_tx_run(s, pub__delete, &cursor) == IPS_OK)
        *trimmed = cursor;
    *last_ms = now;
}

static void *pub__main(void *unused)
{
    (void)unused;
    struct store *s = NULL;
    struct scanq__conn c = {0};
    static struct pub__round round; /* one thread: large buffer out of the stack */
    int64_t announced = 0;
    int64_t cursor = 0, trimmed = 0, trim_ms = 0; /* published up to; deleted up to */
    if (store_open(pub__cfg->db, &s) != IPS_OK) {
        log_error("scanq: cannot open the database; listings will not be scanned", "db",
                  pub__cfg->db);
        return NULL;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.ErrHandler = pub__err;
    jo.PublishAsync.ErrHandlerClosure = &round;
    jo.PublishAsync.MaxPending = SCANQ_PUBLISH_BATCH * 2;
    while (!pub__stop_requested()) {
        if (!c.nc) {
            if (scanq__connect(pub__cfg->nats_url, "iprshield-publisher", &jo, &c) != IPS_OK ||
                scanq__stream_ensure(&c, (int)pub__cfg->nats_replicas) != IPS_OK) {
                scanq__close(&c);
                pub__sleep_ms(PUB__RETRY_MS);
                continue;
            }
            log_info("scanq: publisher connected", "stream", SCANQ_STREAM);
            announced = 0; /* announce again after a reconnect */
        }
        pub__rules(&c, s, &announced);
        int published = 0;
        ips_status st = pub__round(&c, s, &round, &cursor, &published);
        pub__trim(s, cursor, &trimmed, &trim_ms, st == IPS_OK && published == 0);
        if (st)
            pub__sleep_ms(PUB__RETRY_MS);
        else if (published == 0)
            pub__sleep_ms(PUB__IDLE_MS);
    }
    scanq__close(&c);
    store_close(s);
    return NULL;
}

ips_status scanq_publisher_start(const struct config *cfg)
{
    if (!cfg->nats_url || !cfg->nats_url[0] || pub__running)
        return IPS_OK;
    pub__cfg = cfg;
    pub__stopping = false;
    if (pthread_create(&pub__thread, NULL, pub__main, NULL) != 0)
        return IPS_ERR_IO;
    pub__running = true;
    log_info("scanq: publisher started", "nats", cfg->nats_url);
    return IPS_OK;
}

void scanq_publisher_stop(void)
{
    if (!pub__running)
        return;
    pthread_mutex_lock(&pub__mu);
    pub__stopping = true;
    pthread_mutex_unlock(&pub__mu);
    pthread_join(pub__thread, NULL);
    pub__running = false;
}

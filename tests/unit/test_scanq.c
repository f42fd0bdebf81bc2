/*
 * test_scanq.c — queued scanning without a NATS server (src/scanq,
 * detections_queued_scan, table scan_outbox): a write in queued mode stores
 * no verdict but an outbox event; a worker's judgement of an event is done
 * once however often it is delivered; a version superseded before it was
 * judged gets a verdict that does not become current; workers judging the
 * same events at the same time, each on its own connection (scanq_judge in
 * concurrent write transactions), write one verdict per version and keep
 * the audit chain intact, and on PostgreSQL do run side by side. The NATS
 * transport itself is tested end to end by tests/e2e/scanq_cluster.test.mjs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "detections/detections.h"
#include "profile/profile.h"
#include "scanq/scanq.h"
#include "store/store_scanq.h"
#include "testdb.h"

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct access_principal aurora, seller;
    struct store_org brand, shop;
    struct store_listing l;
    struct store_listing_version *v;
    struct store_detection *d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    f->v = calloc(1, sizeof *f->v);
    f->d = calloc(1, sizeof *f->d);
    testdb_open(&f->db, "scanq");
    testdb_org_add(&f->db, "Aurora Fashion", "rightholder", &f->brand);
    testdb_org_add(&f->db, "Shop", "seller", &f->shop);
    f->aurora = testdb_principal_make(ROLE_RIGHTHOLDER, "01HZZZZZZZZZZZZZZZZZZZZZA1", f->brand.id);
    f->seller = testdb_principal_make(ROLE_SELLER, "01HZZZZZZZZZZZZZZZZZZZZZS1", f->shop.id);
    json_t *t = json_pack("[{s:s}]", "term", "Aurora");
    assert_int_equal(profile_terms_set(testdb_act_as(&f->db, &f->aurora), f->brand.id, t), IPS_OK);
    json_decref(t);
    assert_int_equal(detections_rules_rebuild(testdb_act_as(&f->db, &f->db.sys), "test", NULL),
                     IPS_OK);
    bool done = false;
    assert_int_equal(detections_rescan_step(testdb_act_as(&f->db, &f->db.sys), 0, &done), IPS_OK);
    /* queued mode: the transport is never contacted by these functions */
    f->db.cfg.nats_url = "nats://127.0.0.1:1";
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    f->db.cfg.nats_url = NULL; /* not owned by the configuration */
    free(f->v);
    free(f->d);
    detections_shutdown();
    return testdb_teardown(state);
}

static void create(struct fixture *f, const char *id, const char *title)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "title", title, "price", "20.00",
                          "currency", "EUR", "category", "bags");
    assert_int_equal(catalog_listing_create(testdb_act_as(&f->db, &f->seller), b, &f->l, f->v),
                     IPS_OK);
    json_decref(b);
}

static void update(struct fixture *f, const char *id, const char *title)
{
    json_t *u = json_pack("{s:s, s:s, s:s, s:s}", "title", title, "price", "21.00", "currency",
                          "EUR", "category", "bags");
    bool changed = false;
    assert_int_equal(
        catalog_listing_update(testdb_act_as(&f->db, &f->seller), id, u, &f->l, f->v, &changed),
        IPS_OK);
    assert_true(changed);
    json_decref(u);
}

struct judge {
    const struct config *cfg;
    const char *id;
    int64_t version, used;
};

static ips_status judge_tx(struct store *s, void *arg)
{
    struct judge *j = arg;
    return detections_queued_scan(s, j->cfg, j->id, j->version, &j->used);
}

/* A worker's judgement of one event, in its own transaction. */
static ips_status judge(struct fixture *f, const char *id, int64_t version, int64_t *used)
{
    struct judge j = {&f->db.cfg, id, version, 0};
    ips_status st = store_tx_run(f->db.s, judge_tx, &j);
    if (used)
        *used = j.used;
    return st;
}

static struct store_scanq_status status(struct fixture *f)
{
    struct store_scanq_status q;
    assert_int_equal(store_scanq_status(f->db.s, &q), IPS_OK);
    return q;
}

struct collected {
    struct store_scanq_event ev[8];
    int n;
};

static ips_status collect(const struct store_scanq_event *e, void *arg)
{
    struct collected *c = arg;
    if (c->n < 8)
        c->ev[c->n] = *e;
    c->n++;
    return IPS_OK;
}

static ips_status published_tx(struct store *s, void *arg)
{
    return store_scanq_published(s, *(const int64_t *)arg);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void a_queued_write_stores_an_event_and_no_verdict(void **state)
{
    struct fixture *f = *state;
    create(f, "L1", "AUR0RA bag replica");
    create(f, "L2", "plain canvas bag");
    assert_int_equal(store_detections_verdict_current(f->db.s, "L1", f->d), IPS_ERR_NOT_FOUND);
    struct store_scanq_status q = status(f);
    assert_int_equal(q.outbox, 2);
    assert_int_equal(q.versions, 2);
    assert_int_equal(q.missing, 2);
    assert_int_equal(q.duplicates, 0);

    struct collected c = {.n = 0};
    assert_int_equal(store_scanq_pending(f->db.s, 0, 10, collect, &c), IPS_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ev[0].listing_id, "L1"); /* in write order */
    assert_int_equal(c.ev[0].version, 1);
    assert_string_equal(c.ev[1].listing_id, "L2");
    assert_true(c.ev[1].seq > c.ev[0].seq);
    /* keyset: after the first seq only the second remains */
    int64_t upto = c.ev[0].seq;
    c.n = 0;
    assert_int_equal(store_scanq_pending(f->db.s, upto, 10, collect, &c), IPS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ev[0].listing_id, "L2");

    assert_int_equal(store_tx_run(f->db.s, published_tx, &upto), IPS_OK);
    assert_int_equal(status(f).outbox, 1);
    assert_int_equal(store_scanq_pending(f->db.s, 0, 0, collect, &c), IPS_ERR_INVALID);
    assert_int_equal(store_scanq_pending(f->db.s, 0, 1001, collect, &c), IPS_ERR_INVALID);
}

static void an_event_is_judged_once_however_often_it_is_delivered(void **state)
{
    struct fixture *f = *state;
    create(f, "L1", "AUR0RA bag replica");
    int64_t used = 0;
    assert_int_equal(judge(f, "L1", 1, &used), IPS_OK);
    assert_int_equal(used, 2); /* the rules version of setup's rebuild */
    assert_int_equal(store_detections_verdict_current(f->db.s, "L1", f->d), IPS_OK);
    assert_int_equal(f->d->listing_version, 1);
    assert_int_equal(f->d->rules_version, 2);
    assert_string_equal(f->d->action, "review"); /* brand term + cue word */
    char first[ID_SIZE];
    memcpy(first, f->d->id, ID_SIZE);
    /* redelivered twice: nothing more */
    assert_int_equal(judge(f, "L1", 1, &used), IPS_ERR_CONFLICT);
    assert_int_equal(judge(f, "L1", 1, &used), IPS_ERR_CONFLICT);
    assert_int_equal(used, 0);
    assert_int_equal(store_detections_verdict_current(f->db.s, "L1", f->d), IPS_OK);
    assert_string_equal(f->d->id, first);
    struct store_scanq_status q = status(f);
    assert_int_equal(q.missing, 0);
    assert_int_equal(q.duplicates, 0);
    /* unknown listing or version */
    assert_int_equal(judge(f, "L404", 1, NULL), IPS_ERR_NOT_FOUND);
    assert_int_equal(judge(f, "L1", 7, NULL), IPS_ERR_NOT_FOUND);
}

static void a_superseded_version_is_judged_for_the_record_only(void **state)
{
    struct fixture *f = *state;
    create(f, "L3", "AUR0RA bag replica");
    update(f, "L3", "plain canvas bag");
    assert_int_equal(status(f).missing, 2);
    /* the newer version is judged first (work queues do not keep order) */
    assert_int_equal(judge(f, "L3", 2, NULL), IPS_OK);
    assert_int_equal(store_detections_verdict_current(f->db.s, "L3", f->d), IPS_OK);
    assert_int_equal(f->d->listing_version, 2);
    assert_string_equal(f->d->action, "allow");
    char current[ID_SIZE];
    memcpy(current, f->d->id, ID_SIZE);
    /* then the older one: judged, recorded, not current */
    assert_int_equal(judge(f, "L3", 1, NULL), IPS_OK);
    assert_int_equal(store_detections_verdict_current(f->db.s, "L3", f->d), IPS_OK);
    assert_string_equal(f->d->id, current);
    struct store_scanq_status q = status(f);
    assert_int_equal(q.missing, 0);
    assert_int_equal(q.duplicates, 0);
    bool has = false;
    assert_int_equal(store_scanq_has_verdict(f->db.s, "L3", 1, &has), IPS_OK);
    assert_true(has);
    assert_int_equal(judge(f, "L3", 1, NULL), IPS_ERR_CONFLICT);
}

static void warming_compiles_the_current_rules(void **state)
{
    struct fixture *f = *state;
    int64_t version = 0;
    assert_int_equal(detections_rules_warm(f->db.s, &f->db.cfg, &version), IPS_OK);
    assert_int_equal(version, 2);
}

/* ---- concurrent workers ------------------------------------------------------------------ */

#define RACE_LISTINGS 24
#define RACE_ROUNDS 3

/* One worker: its own connection, the same events every round. */
struct racer {
    const char *url;
    const struct config *cfg;
    int judged;        /* OUT: verdicts it wrote */
    ips_status failed; /* OUT: the first failure */
};

static void *racer_run(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;
    if ((r->failed = store_open(r->url, &s)))
        return NULL;
    for (int round = 0; round < RACE_ROUNDS && !r->failed; round++) {
        struct scanq_event ev[RACE_LISTINGS];
        for (int i = 0; i < RACE_LISTINGS; i++) {
            /* the same versions, each worker in another order (judged sorted) */
            int k = (round + i * 7) % RACE_LISTINGS;
            snprintf(ev[i].listing_id, sizeof ev[i].listing_id, "R%02d", k);
            ev[i].version = 1;
        }
        int judged = 0;
        r->failed = scanq_judge(s, r->cfg, ev, RACE_LISTINGS, &judged);
        r->judged += judged;
    }
    store_close(s);
    return NULL;
}

static void racing_workers_write_one_verdict_per_version_and_an_intact_chain(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < RACE_LISTINGS; i++) {
        char id[8];
        snprintf(id, sizeof id, "R%02d", i);
        create(f, id, i % 2 ? "AUR0RA bag replica" : "plain canvas bag");
    }
    struct audit_verify_result before;
    assert_int_equal(audit_verify(f->db.s, &before), IPS_OK);
    struct racer r[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        r[i] = (struct racer){f->db.url, &f->db.cfg, 0, IPS_OK};
        assert_int_equal(pthread_create(&th[i], NULL, racer_run, &r[i]), 0);
    }
    int judged = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(r[i].failed, IPS_OK);
        judged += r[i].judged;
    }
    /* every version judged exactly once, whichever worker came first */
    assert_int_equal(judged, RACE_LISTINGS);
    struct store_scanq_status q = status(f);
    assert_int_equal(q.missing, 0);
    assert_int_equal(q.duplicates, 0);
    assert_int_equal(testdb_query_int64(&f->db, "SELECT count(*) FROM detection_verdicts"),
                     RACE_LISTINGS);
    assert_int_equal(testdb_query_int64(&f->db, "SELECT count(*) FROM detection_verdicts"
                                                " WHERE rules_version = 2 AND is_current = 1"),
                     RACE_LISTINGS);
    /* the review verdicts (brand term + cue) are audited once each, chained */
    assert_int_equal(testdb_query_int64(&f->db, "SELECT count(*) FROM audit_events"
                                                " WHERE action = 'detection.verdict'"),
                     RACE_LISTINGS / 2);
    struct audit_verify_result after;
    assert_int_equal(audit_verify(f->db.s, &after), IPS_OK);
    assert_int_equal(after.events, before.events + RACE_LISTINGS / 2);
    assert_int_equal(after.first_broken_seq, 0);
}

/* Holds a concurrent transaction open, with a listing locked, until told. */
struct holder {
    const char *url;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool holding, release;
    ips_status failed;
    const char *const *ids; /* the listings locked in one call, else "H1" alone */
    int n;
};

static ips_status holder_tx(struct store *s, void *arg)
{
    struct holder *h = arg;
    ips_status st =
        h->n ? store_scanq_lock_listings(s, h->ids, h->n) : store_scanq_lock_listing(s, "H1");
    pthread_mutex_lock(&h->mu);
    h->holding = true;
    pthread_cond_broadcast(&h->cv);
    while (!h->release)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    return st;
}

static void *holder_run(void *arg)
{
    struct holder *h = arg;
    struct store *s = NULL;
    if ((h->failed = store_open(h->url, &s)) == IPS_OK)
        h->failed = store_tx_run_concurrent(s, holder_tx, h);
    if (h->failed) { /* never leave the main thread waiting */
        pthread_mutex_lock(&h->mu);
        h->holding = true;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
    }
    store_close(s);
    return NULL;
}

/* Start h's thread and wait until its transaction holds its locks. */
static void holder_start(struct holder *h, pthread_t *th)
{
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    assert_int_equal(pthread_create(th, NULL, holder_run, h), 0);
    pthread_mutex_lock(&h->mu);
    while (!h->holding)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

/* Let h's transaction commit and join its thread. */
static void holder_finish(struct holder *h, pthread_t th)
{
    pthread_mutex_lock(&h->mu);
    h->release = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
}

static ips_status enqueue_tx(struct store *s, void *arg)
{
    (void)arg;
    return store_scanq_enqueue(s, "H2", 1, 1);
}

static void concurrent_transactions_run_side_by_side_on_postgres(void **state)
{
    struct fixture *f = *state;
    if (strcmp(store_backend_name(f->db.s), "postgres") != 0)
        skip(); /* SQLite's writers run alone: store_tx_run_concurrent is store_tx_run */
    create(f, "H1", "AUR0RA bag replica");
    create(f, "H2", "AUR0RA bag replica");
    struct holder h = {.url = f->db.url, .holding = false, .release = false, .failed = IPS_OK};
    pthread_t th;
    holder_start(&h, &th);
    /* while the other transaction is open, this one judges and commits
     * (with an exclusive write lock it would wait for it: a hang) */
    struct scanq_event ev = {"H2", 1};
    int judged = 0;
    ips_status st = scanq_judge(f->db.s, &f->db.cfg, &ev, 1, &judged);
    /* a concurrent transaction may not write the outbox (its order) */
    ips_status enq = store_tx_run_concurrent(f->db.s, enqueue_tx, NULL);
    holder_finish(&h, th);
    assert_int_equal(h.failed, IPS_OK);
    assert_int_equal(st, IPS_OK);
    assert_int_equal(judged, 1);
    assert_int_equal(enq, IPS_ERR_INTERNAL);
    struct audit_verify_result res;
    assert_int_equal(audit_verify(f->db.s, &res), IPS_OK);
    /* outside a transaction the lock is a caller bug */
    assert_int_equal(store_scanq_lock_listing(f->db.s, "H1"), IPS_ERR_INTERNAL);
    assert_int_equal(scanq_judge(f->db.s, &f->db.cfg, &ev, 0, NULL), IPS_ERR_INVALID);
}

static ips_status lock_none_tx(struct store *s, void *arg)
{
    const char *ids[] = {"H1"};
    (void)arg;
    return store_scanq_lock_listings(s, ids, 0);
}

/* 1 if another session may take listing id's lock now (taken and released
 * at once: outside a transaction block it lasts one statement) */
static int64_t listing_free(struct fixture *f, const char *id)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT pg_try_advisory_xact_lock(1768976236,"
             " hashtext(current_schema() || '/' || '%s'))::int",
             id);
    return testdb_query_int64(&f->db, sql);
}

static void a_batch_locks_each_of_its_listings_in_one_call(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_tx_run_concurrent(f->db.s, lock_none_tx, NULL), IPS_ERR_INVALID);
    if (strcmp(store_backend_name(f->db.s), "postgres") != 0)
        skip(); /* SQLite's writers run alone: nothing is locked */
    /* out of order and repeated, as a batch's events may be */
    const char *const ids[] = {"H3", "H1", "H3", "H1"};
    struct holder h = {.url = f->db.url, .ids = ids, .n = 4};
    pthread_t th;
    holder_start(&h, &th);
    int64_t h1 = listing_free(f, "H1"), h2 = listing_free(f, "H2"), h3 = listing_free(f, "H3");
    holder_finish(&h, th);
    assert_int_equal(h.failed, IPS_OK);
    assert_int_equal(h1, 0);
    assert_int_equal(h3, 0);
    assert_int_equal(h2, 1);
    /* released with the holder's commit */
    assert_int_equal(listing_free(f, "H1"), 1);
    assert_int_equal(listing_free(f, "H3"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_queued_write_stores_an_event_and_no_verdict, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_event_is_judged_once_however_often_it_is_delivered,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_superseded_version_is_judged_for_the_record_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(warming_compiles_the_current_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(
            racing_workers_write_one_verdict_per_version_and_an_intact_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(a_batch_locks_each_of_its_listings_in_one_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(concurrent_transactions_run_side_by_side_on_postgres, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

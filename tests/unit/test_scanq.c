/*
 * test_scanq.c — queued scanning without a NATS server (src/scanq,
 * detections_queued_scan, table scan_outbox): a write in queued mode stores
 * no verdict but an outbox event; a worker's judgement of an event is done
 * once however often it is delivered; a version superseded before it was
 * judged gets a verdict that does not become current. The NATS transport
 * itself is tested end to end by tests/e2e/scanq_cluster.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog.h"
#include "detections/detections.h"
#include "profile/profile.h"
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

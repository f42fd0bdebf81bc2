/*
 * test_store_group.c — unit tests of store_tx_run_grouped (store.h), the
 * group transaction: concurrent callers whose functions one leader runs in
 * one transaction, each under its own savepoint; and of
 * store_tx_run_unsynced / store_tx_synced, a commit whose sync the caller
 * waits for later (the catalog import's writer), and store_tx_run_bulk,
 * the import's batch, whose references SQLite leaves unchecked.
 *
 * The contract tests run on both backends (PostgreSQL runs each call as a
 * plain store_tx_run, which must keep the same contract); the tests that a
 * group really forms, on the SQLite backend's white-box hook
 * sqlite__durable_queued, and the failed-sync test run on SQLite only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/id.h"
#include "core/log.h"
#include "store/sqlite_internal.h"
#include "store/store.h"
#include "store/store_catalog.h"
#include "store/store_detections.h"
#include "testdb.h"

/* Threads and transactions of the concurrency test; every FAIL_EVERY-th
 * transaction of a thread fails after its write. */
#define GT_THREADS 8
#define GT_TXS 30
#define GT_FAIL_EVERY 4

static struct store_org org_value(const char *name)
{
    struct store_org o = {0};
    id_new(o.id);
    snprintf(o.name, sizeof o.name, "%s", name);
    snprintf(o.kind, sizeof o.kind, "seller");
    o.created_ms = 1764435600000;
    return o;
}

/* One grouped transaction: insert org, a second org "<name>-b", then fail
 * with IPS_ERR_CONFLICT when fail is set (after both writes, so the rollback
 * to the savepoint must undo them). Records the connection it ran on and
 * whether that connection was inside a transaction. */
struct gt_tx {
    struct store_org o, b;
    bool fail;
    struct store *ran_on;
    bool in_tx;
    int runs;
};

static ips_status gt_insert(struct store *s, void *arg)
{
    struct gt_tx *t = arg;
    t->ran_on = s;
    t->in_tx = store_in_tx(s);
    t->runs++;
    ips_status st = store_org_insert(s, &t->o);
    if (st == IPS_OK)
        st = store_org_insert(s, &t->b);
    return st == IPS_OK && t->fail ? IPS_ERR_CONFLICT : st;
}

static void gt_tx_init(struct gt_tx *t, const char *name, bool fail)
{
    memset(t, 0, sizeof *t);
    t->o = org_value(name);
    char b[STORE_NAME_MAX + 1];
    snprintf(b, sizeof b, "%.*s-b", (int)(sizeof b - sizeof "-b"), name);
    t->b = org_value(b);
    t->fail = fail;
}

/* Both orgs of t are there (want) or neither is. */
static void assert_tx_rows(struct store *s, const struct gt_tx *t, bool want)
{
    struct store_org got;
    ips_status expect = want ? IPS_OK : IPS_ERR_NOT_FOUND;
    if (store_org_get(s, t->o.id, &got) != expect || store_org_get(s, t->b.id, &got) != expect)
        fail_msg("%s: rows %s", t->o.name, want ? "missing" : "present after a failure");
}

/* ---- both backends -------------------------------------------------------------- */

struct gt_worker {
    const char *url;
    int index;
    struct gt_tx tx[GT_TXS];
    ips_status got[GT_TXS];
    ips_status open_status;
};

static void *gt_worker_run(void *arg)
{
    struct gt_worker *w = arg;
    struct store *s = NULL;
    w->open_status = store_open(w->url, &s);
    for (int i = 0; w->open_status == IPS_OK && i < GT_TXS; i++) {
        char name[STORE_NAME_MAX + 1];
        snprintf(name, sizeof name, "gt-%d-%d", w->index, i);
        gt_tx_init(&w->tx[i], name, i % GT_FAIL_EVERY == GT_FAIL_EVERY - 1);
        w->got[i] = store_tx_run_grouped(s, gt_insert, &w->tx[i]);
    }
    store_close(s);
    return NULL;
}

static void concurrent_grouped_transactions_commit_all_but_the_failing_ones(void **state)
{
    struct testdb *f = *state;
    static struct gt_worker w[GT_THREADS];
    pthread_t th[GT_THREADS];
    for (int i = 0; i < GT_THREADS; i++) {
        w[i] = (struct gt_worker){.url = f->url, .index = i};
        assert_int_equal(pthread_create(&th[i], NULL, gt_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < GT_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < GT_THREADS; i++) {
        assert_int_equal(w[i].open_status, IPS_OK);
        for (int k = 0; k < GT_TXS; k++) {
            const struct gt_tx *t = &w[i].tx[k];
            assert_int_equal(w[i].got[k], t->fail ? IPS_ERR_CONFLICT : IPS_OK);
            assert_true(t->in_tx);
            assert_int_equal(t->runs, 1);
            assert_tx_rows(f->s, t, !t->fail);
        }
    }
}

static void grouped_transaction_alone_commits_or_rolls_back_like_tx_run(void **state)
{
    struct testdb *f = *state;
    struct gt_tx ok, bad;
    gt_tx_init(&ok, "alone-ok", false);
    gt_tx_init(&bad, "alone-bad", true);
    assert_int_equal(store_tx_run_grouped(f->s, gt_insert, &ok), IPS_OK);
    assert_int_equal(store_tx_run_grouped(f->s, gt_insert, &bad), IPS_ERR_CONFLICT);
    assert_false(store_in_tx(f->s));
    assert_tx_rows(f->s, &ok, true);
    assert_tx_rows(f->s, &bad, false);
    /* a unique-key clash inside the function is its own failure too */
    struct gt_tx again = ok;
    id_new(again.o.id); /* new id, same name */
    assert_int_equal(store_tx_run_grouped(f->s, gt_insert, &again), IPS_ERR_CONFLICT);
}

static ips_status gt_nested(struct store *s, void *arg)
{
    struct gt_tx *t = arg;
    return store_tx_run_grouped(s, gt_insert, t) == IPS_ERR_INTERNAL ? IPS_OK : IPS_ERR_DB;
}

static void grouped_transactions_do_not_nest(void **state)
{
    struct testdb *f = *state;
    struct gt_tx t;
    gt_tx_init(&t, "nested", false);
    assert_int_equal(store_tx_run(f->s, gt_nested, &t), IPS_OK);
    assert_int_equal(store_tx_run_grouped(f->s, gt_nested, &t), IPS_OK);
    assert_int_equal(t.runs, 0);
    assert_tx_rows(f->s, &t, false);
}

/* ---- SQLite: a group really forms --------------------------------------------------- */

/* The first caller's function holds the lead until every other caller is
 * queued behind it (it starts them itself, so it surely leads); those are
 * then run as ONE group by the next leader. */
#define GF_FOLLOWERS 6

struct gf_follower {
    const char *url;
    struct gt_tx tx;
    ips_status got;
    struct store *own;
};

struct gf_lead {
    struct gt_tx tx;
    struct gf_follower *fl;
    pthread_t th[GF_FOLLOWERS];
    int started;
};

static void *gf_follower_run(void *arg)
{
    struct gf_follower *fl = arg;
    fl->got = store_open(fl->url, &fl->own);
    if (fl->got == IPS_OK)
        fl->got = store_tx_run_grouped(fl->own, gt_insert, &fl->tx);
    return NULL;
}

static ips_status gf_lead(struct store *s, void *arg)
{
    struct gf_lead *l = arg;
    for (; l->started < GF_FOLLOWERS; l->started++) {
        if (pthread_create(&l->th[l->started], NULL, gf_follower_run, &l->fl[l->started]) != 0)
            return IPS_ERR_INTERNAL;
    }
    while (sqlite__durable_queued(sqlite__from(s)) < GF_FOLLOWERS)
        sched_yield();
    return gt_insert(s, &l->tx);
}

static void waiting_callers_run_as_one_group_and_a_failure_undoes_only_itself(void **state)
{
    struct testdb *f = *state;
    static struct gf_follower fl[GF_FOLLOWERS];
    struct gf_lead lead = {.fl = fl};
    struct store_group_stats g0;
    store_group_stats(&g0);
    gt_tx_init(&lead.tx, "first", false);
    for (int i = 0; i < GF_FOLLOWERS; i++) {
        char name[STORE_NAME_MAX + 1];
        snprintf(name, sizeof name, "follower-%d", i);
        fl[i] = (struct gf_follower){.url = f->url};
        gt_tx_init(&fl[i].tx, name, i == 2); /* the third fails */
    }
    ips_status got = store_tx_run_grouped(f->s, gf_lead, &lead);
    for (int i = 0; i < lead.started; i++)
        assert_int_equal(pthread_join(lead.th[i], NULL), 0);
    assert_int_equal(got, IPS_OK);
    assert_int_equal(lead.started, GF_FOLLOWERS);
    assert_tx_rows(f->s, &lead.tx, true);

    /* every group runs on the database's group connection: none of the
     * callers' own */
    struct store *group = lead.tx.ran_on;
    assert_ptr_not_equal(group, f->s);
    for (int i = 0; i < GF_FOLLOWERS; i++) {
        assert_int_equal(fl[i].got, i == 2 ? IPS_ERR_CONFLICT : IPS_OK);
        assert_ptr_equal(fl[i].tx.ran_on, group);
        assert_ptr_not_equal(fl[i].tx.ran_on, fl[i].own);
        assert_true(fl[i].tx.in_tx);
        assert_int_equal(fl[i].tx.runs, 1);
        assert_tx_rows(f->s, &fl[i].tx, i != 2);
    }
    assert_int_equal(sqlite__durable_queued(sqlite__from(f->s)), 0);
    /* the followers ran as one group (the lead's was a group of its own) */
    struct store_group_stats g;
    store_group_stats(&g);
    assert_true(g.largest >= GF_FOLLOWERS - 1);
    /* every committed group wrote its rows' pages to the WAL, and the
     * counter saw them: at least one page per group (the table's leaf) */
    assert_true(g.groups > g0.groups);
    assert_true(g.pages - g0.pages >= g.groups - g0.groups);
    for (int i = 0; i < GF_FOLLOWERS; i++)
        store_close(fl[i].own);
}

/* After a first commit (the WAL exists, and the connections the test needs
 * are open), unlink the database and its WAL under them: every later sync
 * of the file fails. */
static void make_syncs_fail(struct testdb *f)
{
    char wal[sizeof f->path + 4];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    assert_int_equal(unlink(wal), 0);
    assert_int_equal(unlink(f->path), 0);
}

static void a_failed_sync_fails_a_grouped_transaction(void **state)
{
    struct testdb *f = *state;
    struct gt_tx before, after;
    gt_tx_init(&before, "before", false);
    gt_tx_init(&after, "after", false);
    assert_int_equal(store_tx_run_grouped(f->s, gt_insert, &before), IPS_OK);
    make_syncs_fail(f);
    assert_int_equal(store_tx_run_grouped(f->s, gt_insert, &after), IPS_ERR_IO);
    assert_false(store_in_tx(f->s));
    assert_int_equal(after.runs, 1); /* not retried */
}

static void memory_databases_run_grouped_transactions_alone(void **state)
{
    (void)state;
    struct store *m = NULL;
    assert_int_equal(store_open(":memory:", &m), IPS_OK);
    assert_int_equal(store_migrate(m, NULL), IPS_OK);
    struct gt_tx t;
    gt_tx_init(&t, "memory", false);
    assert_int_equal(store_tx_run_grouped(m, gt_insert, &t), IPS_OK);
    assert_ptr_equal(t.ran_on, m);
    assert_tx_rows(m, &t, true);
    store_close(m);
}

/* Commits that grow the WAL past the checkpoint threshold leave the
 * checkpoint to the file's checkpointer thread; closing the last connection
 * still checkpoints and removes the WAL (the checkpointer's connection,
 * closed last, does it). */
static void the_checkpointer_checkpoints_and_the_last_close_removes_the_wal(void **state)
{
    struct testdb *f = *state;
    struct sqlite_store *ss = sqlite__from(f->s);
    uint64_t before = sqlite__durable_checkpoints(ss);
    char name[64];
    /* ~3 pages per commit (the orgs table and its indexes): 600 commits
     * pass 1,000 pages of WAL at least once */
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof name, "checkpointed org %04d", i);
        struct store_org o = org_value(name);
        assert_int_equal(store_org_insert(f->s, &o), IPS_OK);
    }
    /* the checkpointer runs beside us: wait for it (bounded) */
    for (int i = 0; i < 1000 && sqlite__durable_checkpoints(ss) == before; i++)
        usleep(10 * 1000);
    assert_true(sqlite__durable_checkpoints(ss) > before);
    char wal[sizeof f->path + 4];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(access(wal, F_OK), -1);
    struct store *again = NULL;
    assert_int_equal(store_open(f->path, &again), IPS_OK);
    struct store_org got;
    assert_int_equal(store_org_get_by_name(again, name, &got), IPS_OK); /* the last one */
    store_close(again);
}

/* A reader that reads until told to stop, on a connection of its own. */
struct steady_reader {
    const char *url;
    volatile int stop;
    int reads;
};

static void *steady_reader_run(void *arg)
{
    struct steady_reader *r = arg;
    struct store *own = NULL;
    if (store_open(r->url, &own) != IPS_OK)
        return NULL;
    struct store_org o;
    while (!r->stop) {
        (void)store_org_get_by_name(own, "steady 0", &o);
        r->reads++;
    }
    store_close(own);
    return NULL;
}

/* A writer of the steady stream: SW_TXS grouped transactions on its own
 * connection. */
#define SW_WRITERS 4
#define SW_TXS 800

struct steady_writer {
    const char *url;
    int n;
    ips_status st;
};

static void *steady_writer_run(void *arg)
{
    struct steady_writer *w = arg;
    struct store *own = NULL;
    if ((w->st = store_open(w->url, &own)) != IPS_OK)
        return NULL;
    char name[64];
    for (int i = 0; i < SW_TXS && w->st == IPS_OK; i++) {
        struct gt_tx t;
        snprintf(name, sizeof name, "steady %d-%d", w->n, i);
        gt_tx_init(&t, name, false);
        w->st = store_tx_run_grouped(own, gt_insert, &t);
    }
    store_close(own);
    return NULL;
}

/* Under a steady stream of commits from several writers, with readers
 * always busy, the WAL is restarted from its beginning (the checkpointer's
 * RESTART step) instead of growing without end: its file, which a restart
 * reuses and never shrinks, stays within a few thresholds of 1,000 pages. */
static void the_wal_restarts_under_a_steady_stream_of_commits(void **state)
{
    struct testdb *f = *state;
    struct steady_reader r = {.url = f->url};
    struct steady_writer w[SW_WRITERS];
    pthread_t rt[2], wt[SW_WRITERS];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&rt[i], NULL, steady_reader_run, &r), 0);
    for (int i = 0; i < SW_WRITERS; i++) {
        w[i] = (struct steady_writer){.url = f->url, .n = i};
        assert_int_equal(pthread_create(&wt[i], NULL, steady_writer_run, &w[i]), 0);
    }
    for (int i = 0; i < SW_WRITERS; i++) {
        pthread_join(wt[i], NULL);
        assert_int_equal(w[i].st, IPS_OK);
    }
    r.stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(rt[i], NULL);
    assert_true(r.reads > 0);
    char wal[sizeof f->path + 4];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    struct stat st;
    assert_int_equal(stat(wal, &st), 0);
    /* 3,200 transactions wrote well over 8,000 frames of 4,120 bytes */
    assert_true(st.st_size < (off_t)3000 * 4120);
}

/* ---- commits synced later ---------------------------------------------------- */

/* Both backends: store_tx_run_unsynced commits, rolls back and refuses to
 * nest as store_tx_run does; its ticket is waited for without error. */
static void an_unsynced_transaction_commits_or_rolls_back_like_tx_run(void **state)
{
    struct testdb *f = *state;
    struct gt_tx ok, bad;
    gt_tx_init(&ok, "unsynced", false);
    gt_tx_init(&bad, "unsynced-failing", true);
    uint64_t ticket = 99;
    assert_int_equal(store_tx_run_unsynced(f->s, gt_insert, &ok, &ticket), IPS_OK);
    assert_false(store_in_tx(f->s));
    assert_tx_rows(f->s, &ok, true);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK); /* again: already synced */
    ticket = 99;
    assert_int_equal(store_tx_run_unsynced(f->s, gt_insert, &bad, &ticket), IPS_ERR_CONFLICT);
    assert_int_equal(ticket, 0); /* nothing committed, nothing to wait for */
    assert_tx_rows(f->s, &bad, false);
    assert_int_equal(store_tx_synced(f->s, 0), IPS_OK);
}

/* An unsynced or bulk run (run) tried inside a transaction: its status. */
struct nested_run {
    ips_status (*run)(struct store *s, store_tx_fn fn, void *arg, uint64_t *ticket);
    ips_status inner;
};

static ips_status run_nested(struct store *s, void *arg)
{
    struct nested_run *n = arg;
    struct gt_tx t;
    gt_tx_init(&t, "nested", false);
    uint64_t ticket;
    n->inner = n->run(s, gt_insert, &t, &ticket);
    return IPS_OK;
}

static void unsynced_and_bulk_transactions_do_not_nest(void **state)
{
    struct testdb *f = *state;
    struct nested_run runs[] = {{store_tx_run_unsynced, IPS_OK}, {store_tx_run_bulk, IPS_OK}};
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        assert_int_equal(store_tx_run(f->s, run_nested, &runs[i]), IPS_OK);
        assert_int_equal(runs[i].inner, IPS_ERR_INTERNAL);
    }
}

/* SQLite: the commit returns without an fdatasync; the sync runs when its
 * ticket is waited for, once, on the waiting thread. */
static void an_unsynced_commit_is_synced_when_its_ticket_is_waited_for(void **state)
{
    struct testdb *f = *state;
    struct gt_tx t;
    gt_tx_init(&t, "synced-later", false);
    struct store_group_stats g0, g1, g2, g3;
    uint64_t ticket = 0;
    store_group_stats(&g0);
    assert_int_equal(store_tx_run_unsynced(f->s, gt_insert, &t, &ticket), IPS_OK);
    store_group_stats(&g1);
    assert_true(ticket > 0);
    assert_int_equal(g1.syncs, g0.syncs); /* committed, not synced */
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK);
    store_group_stats(&g2);
    assert_int_equal(g2.syncs, g1.syncs + 1);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK);
    store_group_stats(&g3);
    assert_int_equal(g3.syncs, g2.syncs); /* covered already: no second sync */
    assert_tx_rows(f->s, &t, true);
}

/* SQLite: a sync that fails is reported to whoever waits for the ticket;
 * the commit is done but must not be acknowledged. */
static void a_failed_sync_is_reported_to_the_tickets_waiter(void **state)
{
    struct testdb *f = *state;
    struct gt_tx before, after;
    gt_tx_init(&before, "before-unsynced", false);
    gt_tx_init(&after, "after-unsynced", false);
    assert_int_equal(store_tx_run(f->s, gt_insert, &before), IPS_OK);
    make_syncs_fail(f);
    uint64_t ticket = 0;
    assert_int_equal(store_tx_run_unsynced(f->s, gt_insert, &after, &ticket), IPS_OK);
    assert_true(ticket > 0);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_ERR_IO);
}

/* ---- bulk transactions ------------------------------------------------------- */

/* A listing of a seller org that does not exist (a reference no check
 * would let through); fail: roll back after the write. */
struct orphan_tx {
    const char *id;
    bool fail;
};

static ips_status orphan_insert(struct store *s, void *arg)
{
    const struct orphan_tx *t = arg;
    struct store_listing l = {.current_version = 1, .created_ms = 1, .updated_ms = 1};
    struct store_listing_version v = {.version = 1, .price_minor = 100, .created_ms = 1};
    snprintf(l.id, sizeof l.id, "%s", t->id);
    id_new(l.seller_org_id); /* no such org */
    snprintf(l.state, sizeof l.state, "live");
    snprintf(v.listing_id, sizeof v.listing_id, "%s", t->id);
    snprintf(v.title, sizeof v.title, "orphan");
    snprintf(v.currency, sizeof v.currency, "EUR");
    snprintf(v.category, sizeof v.category, "bags");
    snprintf(v.images, sizeof v.images, "[]");
    ips_status st = store_catalog_listing_insert(s, &l, &v);
    return st == IPS_OK && t->fail ? IPS_ERR_CONFLICT : st;
}

/* Both backends: a bulk transaction commits, rolls back and refuses to nest
 * as store_tx_run_unsynced does. Its references are unchecked on SQLite
 * only (PostgreSQL refuses the orphan), and every transaction after it,
 * committed or rolled back, is checked again on both. */
static void a_bulk_transaction_leaves_only_its_own_references_unchecked(void **state)
{
    struct testdb *f = *state;
    const bool pg = getenv("IPRSHIELD_TEST_PG") != NULL;
    struct gt_tx ok;
    gt_tx_init(&ok, "bulk", false);
    uint64_t ticket = 99;
    assert_int_equal(store_tx_run_bulk(f->s, gt_insert, &ok, &ticket), IPS_OK);
    assert_false(store_in_tx(f->s));
    assert_tx_rows(f->s, &ok, true);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK);

    struct orphan_tx orphan = {"BULK-ORPHAN", false}, failing = {"BULK-FAILING", true};
    assert_int_equal(store_tx_run_bulk(f->s, orphan_insert, &orphan, &ticket),
                     pg ? IPS_ERR_NOT_FOUND : IPS_OK);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK);
    struct orphan_tx after_commit = {"CHECKED-1", false};
    assert_int_equal(store_tx_run(f->s, orphan_insert, &after_commit), IPS_ERR_NOT_FOUND);

    assert_int_equal(store_tx_run_bulk(f->s, orphan_insert, &failing, &ticket),
                     pg ? IPS_ERR_NOT_FOUND : IPS_ERR_CONFLICT);
    assert_int_equal(ticket, 0);
    struct store_listing got;
    assert_int_equal(store_catalog_listing_get(f->s, "BULK-FAILING", &got), IPS_ERR_NOT_FOUND);
    struct orphan_tx after_rollback = {"CHECKED-2", false};
    assert_int_equal(store_tx_run(f->s, orphan_insert, &after_rollback), IPS_ERR_NOT_FOUND);
    uint64_t t2 = 0;
    assert_int_equal(store_tx_run_unsynced(f->s, orphan_insert, &after_rollback, &t2),
                     IPS_ERR_NOT_FOUND);
}

/* ---- verdicts of a bulk transaction ---------------------------------------------- */

#define BV_LISTINGS 70 /* two full groups of SQLITE__VBUF_ROWS and a remainder */

struct bulk_verdicts {
    char seller[ID_SIZE];
    char listing[BV_LISTINGS][16];
    char verdict[BV_LISTINGS][ID_SIZE];
    int review_at; /* this one is a review verdict (written at once), -1: none */
    int read_at;   /* read the verdict of listing 0 back after this many, -1: never */
    bool fail;     /* roll back after the writes */
    bool read_ok;
};

static ips_status bv_listings(struct store *s, void *arg)
{
    struct bulk_verdicts *b = arg;
    struct store_org o = org_value("verdict seller");
    memcpy(b->seller, o.id, ID_SIZE);
    ips_status st = store_org_insert(s, &o);
    for (int i = 0; i < BV_LISTINGS && st == IPS_OK; i++) {
        struct store_listing l = {.current_version = 1, .created_ms = 1, .updated_ms = 1};
        struct store_listing_version v = {.version = 1, .price_minor = 100, .created_ms = 1};
        snprintf(b->listing[i], sizeof b->listing[i], "BV-%d", i);
        snprintf(l.id, sizeof l.id, "%s", b->listing[i]);
        memcpy(l.seller_org_id, o.id, ID_SIZE);
        snprintf(l.state, sizeof l.state, "live");
        snprintf(v.listing_id, sizeof v.listing_id, "%s", b->listing[i]);
        snprintf(v.title, sizeof v.title, "listing %d", i);
        snprintf(v.currency, sizeof v.currency, "EUR");
        snprintf(v.images, sizeof v.images, "[]");
        st = store_catalog_listing_insert(s, &l, &v);
    }
    return st;
}

static ips_status bv_verdicts(struct store *s, void *arg)
{
    struct bulk_verdicts *b = arg;
    struct store_detection *d = calloc(2, sizeof *d), *got = d + 1;
    if (!d)
        return IPS_ERR_NOMEM;
    ips_status st = IPS_OK;
    for (int i = 0; i < BV_LISTINGS && st == IPS_OK; i++) {
        memset(d, 0, sizeof *d);
        id_new(d->id);
        memcpy(b->verdict[i], d->id, ID_SIZE);
        snprintf(d->listing_id, sizeof d->listing_id, "%s", b->listing[i]);
        d->listing_version = d->rules_version = d->checked_version = 1;
        bool review = i == b->review_at;
        snprintf(d->action, sizeof d->action, review ? "review" : "allow");
        snprintf(d->applied, sizeof d->applied, "none");
        snprintf(d->status, sizeof d->status, "open");
        snprintf(d->signals, sizeof d->signals, review ? "[{\"type\":\"brand_term\"}]" : "[]");
        snprintf(d->outcome_key, sizeof d->outcome_key, "%s", review ? "review|brand_term/-" : "allow");
        d->is_current = true;
        d->created_ms = 1000 + i;
        st = store_detections_verdict_insert(s, d, false);
        if (st == IPS_OK && i + 1 == b->read_at) /* read back inside the transaction */
            b->read_ok = store_detections_verdict_current(s, b->listing[0], got) == IPS_OK &&
                         strcmp(got->id, b->verdict[0]) == 0;
    }
    free(d);
    return st == IPS_OK && b->fail ? IPS_ERR_CONFLICT : st;
}

/* Both backends (SQLite holds plain allow verdicts of a bulk transaction
 * back and writes them 32 to a statement): every verdict written is there
 * after the commit, in order with a verdict written at once between them;
 * one written earlier in the transaction is read back inside it; none is
 * there after a rollback. */
static void a_bulk_transactions_verdicts_are_all_written_and_read_back(void **state)
{
    struct testdb *f = *state;
    struct bulk_verdicts *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(store_tx_run(f->s, bv_listings, b), IPS_OK);
    b->review_at = 40;
    b->read_at = 5;
    uint64_t ticket = 0;
    assert_int_equal(store_tx_run_bulk(f->s, bv_verdicts, b, &ticket), IPS_OK);
    assert_int_equal(store_tx_synced(f->s, ticket), IPS_OK);
    assert_true(b->read_ok);
    struct store_detection *got = malloc(sizeof *got);
    assert_non_null(got);
    for (int i = 0; i < BV_LISTINGS; i++) {
        assert_int_equal(store_detections_verdict_get(f->s, b->verdict[i], got), IPS_OK);
        assert_string_equal(got->listing_id, b->listing[i]);
        assert_string_equal(got->action, i == b->review_at ? "review" : "allow");
        assert_int_equal(got->created_ms, 1000 + i);
        assert_true(got->is_current);
    }
    /* a failed bulk transaction leaves none of its verdicts */
    struct bulk_verdicts *again = calloc(1, sizeof *again);
    assert_non_null(again);
    memcpy(again->listing, b->listing, sizeof b->listing);
    again->review_at = again->read_at = -1;
    again->fail = true;
    assert_int_equal(store_tx_run_bulk(f->s, bv_verdicts, again, &ticket), IPS_ERR_CONFLICT);
    for (int i = 0; i < BV_LISTINGS; i++)
        assert_int_equal(store_detections_verdict_get(f->s, again->verdict[i], got),
                         IPS_ERR_NOT_FOUND);
    free(got);
    free(again);
    free(b);
}

#define T(name) cmocka_unit_test_setup_teardown(name, testdb_setup, testdb_teardown)

int main(void)
{
    log_level_set(LOG_OFF); /* expected failures would otherwise log */
    const struct CMUnitTest tests[] = {
        T(concurrent_grouped_transactions_commit_all_but_the_failing_ones),
        T(grouped_transaction_alone_commits_or_rolls_back_like_tx_run),
        T(grouped_transactions_do_not_nest),
        T(an_unsynced_transaction_commits_or_rolls_back_like_tx_run),
        T(unsynced_and_bulk_transactions_do_not_nest),
        T(a_bulk_transaction_leaves_only_its_own_references_unchecked),
        T(a_bulk_transactions_verdicts_are_all_written_and_read_back),
    };
    const struct CMUnitTest sqlite_tests[] = {
        T(waiting_callers_run_as_one_group_and_a_failure_undoes_only_itself),
        T(a_failed_sync_fails_a_grouped_transaction),
        cmocka_unit_test(memory_databases_run_grouped_transactions_alone),
        T(the_checkpointer_checkpoints_and_the_last_close_removes_the_wal),
        T(the_wal_restarts_under_a_steady_stream_of_commits),
        T(an_unsynced_commit_is_synced_when_its_ticket_is_waited_for),
        T(a_failed_sync_is_reported_to_the_tickets_waiter),
    };
    int failed = cmocka_run_group_tests_name("store_tx_run_grouped", tests, NULL, NULL);
    if (!getenv("IPRSHIELD_TEST_PG"))
        failed +=
            cmocka_run_group_tests_name("store_tx_run_grouped (SQLite)", sqlite_tests, NULL, NULL);
    return failed;
}

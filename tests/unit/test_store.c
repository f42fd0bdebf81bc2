/*
 * test_store.c — unit tests of src/store against a real SQLite file.
 *
 * Every test gets a fresh database in its own mkdtemp() directory under /tmp
 * (removed afterwards, WAL and shared-memory files included). Some tests
 * open a second, raw sqlite3 connection to the same file to check what the
 * schema itself enforces, independently of the store code.
 *
 * The last group is white-box: it includes the SQLite backend's private
 * header, sqlite_internal.h, to test the statement cache and the binding
 * helpers that the per-domain files (src/store/sqlite_<domain>.c) rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/embed.h"
#include "core/id.h"
#include "core/log.h"
#include "store/sqlite_internal.h"
#include "store/store.h"
#include "testdb.h"

/* ---- fixtures and helpers ------------------------------------------------- */

/* The fixture is a struct testdb (tests/unit/support/testdb.h): T() tests get
 * a migrated store, T_EMPTY() tests an unmigrated one. */
static struct store *S(void **state) { return ((struct testdb *)*state)->s; }

static void fill_hash(uint8_t h[STORE_HASH_LEN], uint8_t v)
{
    for (int i = 0; i < STORE_HASH_LEN; i++)
        h[i] = (uint8_t)(v + i);
}

static struct store_org org_value(const char *name, const char *kind)
{
    struct store_org o = {0};
    id_new(o.id);
    snprintf(o.name, sizeof o.name, "%s", name);
    snprintf(o.kind, sizeof o.kind, "%s", kind);
    o.created_ms = 1764435600000;
    return o;
}

static struct store_org make_org(struct store *s, const char *name, const char *kind)
{
    struct store_org o = org_value(name, kind);
    assert_int_equal(store_org_insert(s, &o), IPS_OK);
    return o;
}

static struct store_user user_value(const char *org_id, const char *email, const char *role)
{
    struct store_user u = {0};
    id_new(u.id);
    snprintf(u.org_id, sizeof u.org_id, "%s", org_id);
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.pw_hash, sizeof u.pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
    u.created_ms = 1764435600001;
    return u;
}

static struct store_user make_user(struct store *s, const char *org_id, const char *email,
                                   const char *role)
{
    struct store_user u = user_value(org_id, email, role);
    assert_int_equal(store_user_insert(s, &u), IPS_OK);
    return u;
}

static struct store_audit_event audit_value(int64_t seq, const char *detail)
{
    struct store_audit_event ev = {0};
    ev.seq = seq;
    ev.ts_ms = 1764435600000 + seq;
    snprintf(ev.actor, sizeof ev.actor, "system");
    snprintf(ev.action, sizeof ev.action, "test.event");
    snprintf(ev.object, sizeof ev.object, "test:%lld", (long long)seq);
    snprintf(ev.outcome, sizeof ev.outcome, "ok");
    snprintf(ev.detail, sizeof ev.detail, "%s", detail);
    fill_hash(ev.prev_hash, (uint8_t)(seq - 1));
    fill_hash(ev.hash, (uint8_t)seq);
    return ev;
}

/* Collects listed ids, in order. */
struct id_list {
    char ids[16][ID_SIZE];
    int n;
};

static ips_status collect_org(const struct store_org *o, void *arg)
{
    struct id_list *l = arg;
    assert_true(l->n < 16);
    memcpy(l->ids[l->n++], o->id, ID_SIZE);
    return IPS_OK;
}

static ips_status collect_user(const struct store_user *u, void *arg)
{
    struct id_list *l = arg;
    assert_true(l->n < 16);
    memcpy(l->ids[l->n++], u->id, ID_SIZE);
    return IPS_OK;
}

static ips_status collect_token(const struct store_token *t, void *arg)
{
    struct id_list *l = arg;
    assert_true(l->n < 16);
    memcpy(l->ids[l->n++], t->id, ID_SIZE);
    return IPS_OK;
}

struct seq_list {
    int64_t seqs[16];
    int n;
};

static ips_status collect_audit(const struct store_audit_event *ev, void *arg)
{
    struct seq_list *l = arg;
    assert_true(l->n < 16);
    l->seqs[l->n++] = ev->seq;
    return IPS_OK;
}

/* Open a raw connection to the fixture's file (as an attacker with file
 * access, or a careless admin with the sqlite3 shell, would). */
static sqlite3 *raw_open(void **state)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(((struct testdb *)*state)->path, &db,
                                     SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* ---- lifecycle and migrations ---------------------------------------------- */

/* Migration 0022: the verdict tables' word CHECKs are plain comparisons
 * (no OpenEphemeral per inserted row, the import's largest cost before),
 * still refuse other words, and the rebuilt table kept its indexes. */
static int explain_has(sqlite3 *db, const char *sql, const char *opcode)
{
    char explain[512];
    sqlite3_stmt *st = NULL;
    int found = 0;
    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        found += strcmp((const char *)sqlite3_column_text(st, 1), opcode) == 0;
    sqlite3_finalize(st);
    return found;
}

static void verdict_checks_need_no_temporary_table(void **state)
{
    assert_int_equal(store_migrate(S(state), NULL), IPS_OK);
    sqlite3 *db = raw_open(state);
    static const char ins[] =
        "INSERT INTO detection_verdicts (id, listing_id, listing_version, rules_version,"
        " checked_version, score_milli, action, applied, status, signals, outcome_key,"
        " is_current, created_ms) VALUES ('V1', 'L1', 1, 1, 1, 0, 'review', 'none', 'open',"
        " '[]', 'review', 1, 0)";
    static const char ins_org[] =
        "INSERT INTO detection_verdict_orgs (verdict_id, org_id, decision)"
        " VALUES ('V1', 'O1', 'open')";
    assert_int_equal(explain_has(db, ins, "OpenEphemeral"), 0);
    assert_int_equal(explain_has(db, ins_org, "OpenEphemeral"), 0);
    /* the constraints still hold (no listing L1: foreign keys are off here) */
    assert_int_equal(sqlite3_exec(db, ins, NULL, NULL, NULL), SQLITE_OK);
    static const char *const bad[] = {
        "UPDATE detection_verdicts SET action = 'blocked' WHERE id = 'V1'",
        "UPDATE detection_verdicts SET applied = 'allow' WHERE id = 'V1'",
        "UPDATE detection_verdicts SET status = 'closed' WHERE id = 'V1'",
        "UPDATE detection_verdicts SET is_current = 2 WHERE id = 'V1'",
        ("INSERT INTO detection_verdict_orgs (verdict_id, org_id, decision)"
         " VALUES ('V1', 'O1', 'maybe')"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sqlite3_exec(db, bad[i], NULL, NULL, NULL), SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, ins_org, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(name, ',') FROM (SELECT name FROM"
                                        " sqlite_master WHERE type = 'index' AND tbl_name LIKE"
                                        " 'detection_verdict%' AND sql IS NOT NULL ORDER BY name)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0),
                        "detection_verdict_orgs_notice,detection_verdict_orgs_org,"
                        "detection_verdicts_created,detection_verdicts_flagged,"
                        "detection_verdicts_queue,detection_verdicts_version");
    sqlite3_finalize(st);
    sqlite3_close(db);
}


extern const struct embed_file embed_migrations[];

/* The text of the SQLite migration whose file name starts with prefix. */
static const char *migration_text(const char *prefix)
{
    const struct embed_file *f = embed_migrations;
    while (f->name && strncmp(f->name, prefix, strlen(prefix)) != 0)
        f++;
    assert_non_null(f->name);
    return (const char *)f->data;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Run the SQLite migration whose name starts with prefix again on db, in one
 * transaction as store_migrate runs it: it must commit and leave no foreign
 * key violation. */
static void migration_rerun(sqlite3 *db, const char *prefix)
{
    char *sql = NULL;
    assert_int_equal(asprintf(&sql, "BEGIN IMMEDIATE; %s COMMIT;", migration_text(prefix)) > 0,
                     true);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* Migration 0030: listings.state is checked by comparisons (no
 * OpenEphemeral per inserted listing, 2-3 us of the import writer's CPU per
 * row), the constraint still refuses other words, and the rebuild keeps the
 * rows, their index and every child's reference: run again on a filled
 * database in one transaction with foreign keys on, as store_migrate runs
 * it, it commits, and the children still refer to the (new) table. */
static void listing_state_check_needs_no_temporary_table(void **state)
{
    assert_int_equal(store_migrate(S(state), NULL), IPS_OK);
    sqlite3 *db = raw_open(state);
    static const char ins[] =
        "INSERT INTO listings (id, seller_org_id, state, current_version, current_hash,"
        " current_vrow, created_ms, updated_ms) VALUES ('L3', 'O1', 'live', 1, zeroblob(32), 3,"
        " 0, 0)";
    assert_int_equal(explain_has(db, ins, "OpenEphemeral"), 0);

    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON;"
                     "INSERT INTO orgs (id, name, kind, created_ms) VALUES ('O1', 'Shop', 'seller', 0);"
                     "BEGIN;"
                     "INSERT INTO listing_versions (vrow, listing_id, version, title, description,"
                     " price_minor, currency, category, content_hash, created_ms) VALUES"
                     " (1, 'L1', 1, 'a', 'b', 1, 'EUR', 'c', zeroblob(32), 0),"
                     " (2, 'L2', 1, 'a', 'b', 1, 'EUR', 'c', zeroblob(32), 0);"
                     "INSERT INTO listings (id, seller_org_id, state, current_version, current_hash,"
                     " current_vrow, created_ms, updated_ms) VALUES"
                     " ('L1', 'O1', 'live', 1, zeroblob(32), 1, 5, 6),"
                     " ('L2', 'O1', 'blocked', 1, zeroblob(32), 2, 7, 8);"
                     "INSERT INTO detection_verdicts (id, listing_id, listing_version, rules_version,"
                     " checked_version, score_milli, action, applied, status, signals, outcome_key,"
                     " is_current, created_ms) VALUES ('V1', 'L2', 1, 1, 1, 900, 'block', 'blocked',"
                     " 'open', '[]', 'block', 1, 0);"
                     "COMMIT;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    migration_rerun(db, "0030_");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM listings"), 2);
    assert_int_equal(raw_int(db, "SELECT created_ms + updated_ms FROM listings WHERE id = 'L2'"
                                 " AND state = 'blocked' AND current_vrow = 2"),
                     15);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'listings_seller'"
                                 " AND tbl_name = 'listings'"),
                     1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'm0030%'"), 0);
    assert_int_equal(raw_int(db, "SELECT defer_foreign_keys FROM pragma_defer_foreign_keys"), 0);
    /* the constraint and the children's keys hold as before */
    assert_int_equal(sqlite3_exec(db, "UPDATE listings SET state = 'gone' WHERE id = 'L1'", NULL,
                                  NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM listings WHERE id = 'L2'", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO detection_verdicts (id, listing_id, listing_version, rules_version,"
                     " checked_version, score_milli, action, applied, status, signals, outcome_key,"
                     " is_current, created_ms) VALUES ('V2', 'L9', 1, 1, 1, 0, 'allow', 'none',"
                     " 'open', '[]', 'allow', 1, 0)",
                     NULL, NULL, NULL),
        SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, ins, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM listings"), 3);
    sqlite3_close(db);
}

/* Migration 0029: notices_queue is partial on review_deadline_ms > 0, so a
 * notice outside the review queue (a fast-track one: decided at once,
 * deadline 0) writes no entry of it, and one leaves it when its deadline
 * goes back to 0. Entries counted with dbstat (cells of the index's leaf
 * pages). The queue statements still use the index: e2e/queryplan. */
static int64_t index_entries(sqlite3 *db, const char *index)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT coalesce(sum(ncell), 0) FROM dbstat"
                                        " WHERE name = ?1 AND pagetype = 'leaf'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void notices_queue_holds_only_queued_notices(void **state)
{
    assert_int_equal(store_migrate(S(state), NULL), IPS_OK);
    sqlite3 *db = raw_open(state); /* foreign keys off: no orgs or rights needed */
    static const char ins[] =
        "INSERT INTO notices (id, notifier_org_id, submitted_by, right_id, right_org_id, kind,"
        " explanation, notifier_name, notifier_email, on_behalf_of, signature, good_faith,"
        " accuracy, evidence, fast_track, state, outcome, risk, items_total, review_deadline_ms,"
        " sla_breached, decided_by, decision_reason, created_ms, decided_ms, updated_ms)"
        " VALUES (?1, 'O1', 'U1', 'R1', 'O1', 'counterfeit', 'x', 'N', 'n@x.example', '', 'N',"
        " 1, 1, '[]', ?2, ?3, ?4, 1, 1, ?5, 0, '', '', 1, 0, 1)";
    static const struct {
        const char *id, *state, *outcome;
        int fast;
        int64_t deadline;
    } rows[] = {
        {"N1", "decided", "upheld", 1, 0},    /* fast track */
        {"N2", "under_review", "", 0, 5000},  /* in the queue */
        {"N3", "decided", "upheld", 1, 0},    /* fast track */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, ins, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, rows[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, rows[i].fast);
        sqlite3_bind_text(st, 3, rows[i].state, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rows[i].outcome, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, rows[i].deadline);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    assert_int_equal(index_entries(db, "notices"), 3);
    assert_int_equal(index_entries(db, "notices_queue"), 1);
    /* decided: out of the queue and out of the index */
    assert_int_equal(sqlite3_exec(db, "UPDATE notices SET review_deadline_ms = 0 WHERE id = 'N2'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(index_entries(db, "notices_queue"), 0);
    /* an appeal puts it back */
    assert_int_equal(sqlite3_exec(db, "UPDATE notices SET review_deadline_ms = 9 WHERE id = 'N3'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(index_entries(db, "notices_queue"), 1);
    sqlite3_close(db);
}

/* Migration 0032: notices and notice_items are checked by comparisons (no
 * OpenEphemeral per inserted notice or item: three and two before, about a
 * seventh of the notice insert in the fast track's writer), the constraints
 * still refuse other words, and the rebuild keeps the rows, the indexes,
 * the triggers and every reference: run again on a filled database in one
 * transaction with foreign keys on, as store_migrate runs it, it commits,
 * notifier_days (kept by the triggers, 0024) is as it was, and the
 * triggers still count. */
static void notice_checks_need_no_temporary_table(void **state)
{
    assert_int_equal(store_migrate(S(state), NULL), IPS_OK);
    sqlite3 *db = raw_open(state);
    static const char notice[] =
        "INSERT INTO notices (id, notifier_org_id, submitted_by, right_id, right_org_id, kind,"
        " explanation, notifier_name, notifier_email, on_behalf_of, signature, good_faith,"
        " accuracy, evidence, fast_track, state, outcome, risk, items_total, review_deadline_ms,"
        " sla_breached, decided_by, decision_reason, created_ms, decided_ms, updated_ms)"
        " VALUES ('%s', 'O1', 'U1', 'R1', 'O1', 'counterfeit', 'x', 'N', 'n@x.example', '', 'N',"
        " 1, 1, '[]', 1, '%s', 'upheld', 1, 1, 0, 0, 'fast-track', '', 1, 86400000, 1)";
    static const char item[] =
        "INSERT INTO notice_items (notice_id, listing_id, seller_org_id, notifier_org_id, state,"
        " content_version, taken_down_ms, counter_deadline_ms, counter_explanation,"
        " counter_evidence, counter_by, counter_ms, decided_by, decision_reason, decided_ms,"
        " appeal_state, appeal_by_org, appeal_explanation, appeal_decided_by, appeal_ms,"
        " updated_ms) VALUES ('%s', 'L1', 'O1', 'O1', '%s', 1, 86400000, 5, '', '[]', '', 0,"
        " 'fast-track', '', 86400000, '', '', '', '', 0, 1)";
    char sql[1024];
    snprintf(sql, sizeof sql, notice, "N0", "decided");
    assert_int_equal(explain_has(db, sql, "OpenEphemeral"), 0);
    snprintf(sql, sizeof sql, item, "N0", "taken_down");
    assert_int_equal(explain_has(db, sql, "OpenEphemeral"), 0);

    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON;"
                     "INSERT INTO orgs (id, name, kind, created_ms) VALUES ('O1', 'Shop', 'seller', 0);"
                     "INSERT INTO rights (id, org_id, filed_by, filed_by_org, kind, status, created_ms)"
                     " VALUES ('R1', 'O1', 'U1', 'O1', 'trademark', 'verified', 0);"
                     "BEGIN;"
                     "INSERT INTO listing_versions (vrow, listing_id, version, title, description,"
                     " price_minor, currency, category, content_hash, created_ms) VALUES"
                     " (1, 'L1', 1, 'a', 'b', 1, 'EUR', 'c', zeroblob(32), 0);"
                     "INSERT INTO listings (id, seller_org_id, state, current_version, current_hash,"
                     " current_vrow, created_ms, updated_ms) VALUES"
                     " ('L1', 'O1', 'taken_down', 1, zeroblob(32), 1, 5, 6);"
                     "COMMIT;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    snprintf(sql, sizeof sql, notice, "N1", "decided");
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, item, "N1", "taken_down");
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    static const char days[] = "SELECT decided * 1000 + upheld * 100 + takedowns * 10 + reversed"
                               " FROM notifier_days WHERE org_id = 'O1' AND day = 1";
    assert_int_equal(raw_int(db, days), 1110);
    static const char objects[] = "SELECT count(*) FROM sqlite_master WHERE tbl_name IN"
                                  " ('notices', 'notice_items') AND type IN ('index', 'trigger')";
    int64_t before = raw_int(db, objects);

    migration_rerun(db, "0032_");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM notices WHERE id = 'N1' AND"
                                 " state = 'decided' AND decided_ms = 86400000"),
                     1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM notice_items WHERE notice_id = 'N1' AND"
                                 " state = 'taken_down' AND counter_deadline_ms = 5"),
                     1);
    assert_int_equal(raw_int(db, objects), before);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'm0032%'"), 0);
    assert_int_equal(raw_int(db, days), 1110); /* the copy fired no trigger */
    /* the constraints, the references and the triggers hold as before */
    assert_int_equal(
        sqlite3_exec(db, "UPDATE notices SET state = 'gone' WHERE id = 'N1'", NULL, NULL, NULL),
        SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, "UPDATE notice_items SET appeal_state = 'gone'", NULL, NULL,
                                  NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM notices WHERE id = 'N1'", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE notice_items SET state = 'reinstated'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(raw_int(db, days), 1111);
    sqlite3_close(db);
}

/* Migration 0033: webhook_deliveries is checked by comparisons (no
 * OpenEphemeral per delivery inserted, in the takedown's transaction, or
 * per attempt's state update), the constraint still refuses other words,
 * and the rebuild keeps the rows, the indexes and the attempts' references:
 * run again on a filled database in one transaction with foreign keys on,
 * it commits. */
static void webhook_delivery_check_needs_no_temporary_table(void **state)
{
    assert_int_equal(store_migrate(S(state), NULL), IPS_OK);
    sqlite3 *db = raw_open(state);
    static const char ins[] =
        "INSERT INTO webhook_deliveries (id, org_id, event, body, state, attempts,"
        " next_attempt_ms, last_status, last_error, created_ms, updated_ms)"
        " VALUES ('D2', 'O1', 'notice.takedown', '{}', 'pending', 0, 5, 0, '', 1, 1)";
    assert_int_equal(explain_has(db, ins, "OpenEphemeral"), 0);
    assert_int_equal(
        explain_has(db, "UPDATE webhook_deliveries SET state = 'failed' WHERE id = 'D1'",
                    "OpenEphemeral"),
        0);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON;"
                     "INSERT INTO orgs (id, name, kind, created_ms) VALUES ('O1', 'Shop', 'seller', 0);"
                     "INSERT INTO webhook_deliveries (id, org_id, event, body, state, attempts,"
                     " next_attempt_ms, last_status, last_error, created_ms, updated_ms) VALUES"
                     " ('D1', 'O1', 'notice.takedown', '{}', 'delivered', 1, 0, 200, '', 1, 2);"
                     "INSERT INTO webhook_attempts (delivery_id, n, at_ms, http_status, error,"
                     " duration_ms) VALUES ('D1', 1, 2, 200, '', 3);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    static const char objects[] = "SELECT count(*) FROM sqlite_master WHERE tbl_name ="
                                  " 'webhook_deliveries' AND type = 'index'";
    int64_t before = raw_int(db, objects);
    migration_rerun(db, "0033_");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM webhook_deliveries WHERE id = 'D1' AND"
                                 " state = 'delivered' AND last_status = 200"),
                     1);
    assert_int_equal(raw_int(db, objects), before);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'm0033%'"), 0);
    assert_int_equal(sqlite3_exec(db, "UPDATE webhook_deliveries SET state = 'gone'", NULL, NULL,
                                  NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(
        sqlite3_exec(db, "DELETE FROM webhook_deliveries WHERE id = 'D1'", NULL, NULL, NULL),
        SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, ins, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void empty_database_has_schema_version_zero(void **state)
{
    int v = -1;
    assert_int_equal(store_schema_version(S(state), &v), IPS_OK);
    assert_int_equal(v, 0);
    assert_true(store_schema_latest() >= 1);
}

static void migrate_applies_every_embedded_migration(void **state)
{
    int applied = -1, v = -1;
    assert_int_equal(store_migrate(S(state), &applied), IPS_OK);
    assert_int_equal(applied, store_schema_latest()); /* versions are 1, 2, ... */
    assert_int_equal(store_schema_version(S(state), &v), IPS_OK);
    assert_int_equal(v, store_schema_latest());
}

static void second_migrate_applies_nothing(void **state)
{
    int applied = -1, v = -1;
    assert_int_equal(store_migrate(S(state), &applied), IPS_OK);
    assert_true(applied > 0);
    assert_int_equal(store_migrate(S(state), &applied), IPS_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(S(state), &v), IPS_OK);
    assert_int_equal(v, store_schema_latest());
}

static void migrate_records_each_version_with_name_and_time(void **state)
{
    assert_int_equal(store_migrate(S(state), NULL), IPS_OK);
    sqlite3 *db = raw_open(state);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT version, name, applied_at FROM schema_migrations"
                                        " ORDER BY version LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "0001_init.sql");
    assert_int_equal(sqlite3_column_bytes(st, 2), 24); /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void open_sets_wal_and_foreign_keys(void **state)
{
    sqlite3 *db = raw_open(state);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal"); /* persistent */
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* foreign_keys is per connection: the store's own connection must
     * refuse a user of a missing org (see user_with_unknown_org_is_not_found) */
}

static void backend_name_is_sqlite(void **state)
{
    assert_string_equal(store_backend_name(S(state)), "sqlite");
}

/* Both URL prefixes reach the PostgreSQL backend (whole: a build lacking a
 * domain would answer IPS_ERR_INVALID), which reports a server nobody
 * listens for as IPS_ERR_IO. */
static void postgres_urls_open_the_postgres_backend(void **state)
{
    (void)state;
    struct store *s = (struct store *)&s; /* must be overwritten */
    assert_int_equal(store_open("postgres://user@127.0.0.1:1/ips?connect_timeout=5", &s),
                     IPS_ERR_IO);
    assert_null(s);
    assert_int_equal(store_open("postgresql://127.0.0.1:1/ips?connect_timeout=5", &s),
                     IPS_ERR_IO);
    assert_int_equal(store_open("", &s), IPS_ERR_INVALID);
    assert_int_equal(store_open("sqlite:", &s), IPS_ERR_INVALID);
}

static void sqlite_prefix_and_memory_urls_open_sqlite(void **state)
{
    struct testdb *f = *state;
    struct store *s = NULL;
    char url[160];
    snprintf(url, sizeof url, "sqlite:%s", f->path);
    assert_int_equal(store_open(url, &s), IPS_OK);
    store_close(s);

    s = NULL;
    int applied = 0;
    assert_int_equal(store_open(":memory:", &s), IPS_OK);
    assert_string_equal(store_backend_name(s), "sqlite");
    assert_int_equal(store_migrate(s, &applied), IPS_OK);
    assert_int_equal(applied, store_schema_latest());
    make_org(s, "In Memory", "platform");
    store_close(s);
}

static void open_in_a_missing_directory_fails_with_io(void **state)
{
    (void)state;
    struct store *s = NULL;
    assert_int_equal(store_open("/tmp/ips-no-such-dir-4711/sub/x.db", &s), IPS_ERR_IO);
    assert_null(s);
}

/* ---- meta ---------------------------------------------------------------------- */

static void meta_set_then_get_round_trips_and_overwrites(void **state)
{
    char v[32];
    assert_int_equal(store_meta_set(S(state), "server_key", "one"), IPS_OK);
    assert_int_equal(store_meta_get(S(state), "server_key", v, sizeof v), IPS_OK);
    assert_string_equal(v, "one");
    assert_int_equal(store_meta_set(S(state), "server_key", "two"), IPS_OK);
    assert_int_equal(store_meta_get(S(state), "server_key", v, sizeof v), IPS_OK);
    assert_string_equal(v, "two");
}

static void meta_get_of_a_missing_key_is_not_found(void **state)
{
    char v[8] = "keep";
    assert_int_equal(store_meta_get(S(state), "absent", v, sizeof v), IPS_ERR_NOT_FOUND);
    assert_string_equal(v, "keep");
}

static void meta_get_refuses_a_buffer_too_small_instead_of_truncating(void **state)
{
    char v[4] = "abc";
    assert_int_equal(store_meta_set(S(state), "k", "four"), IPS_OK);
    assert_int_equal(store_meta_get(S(state), "k", v, sizeof v), IPS_ERR_TOO_LARGE);
    assert_string_equal(v, "abc");
    char w[5];
    assert_int_equal(store_meta_get(S(state), "k", w, sizeof w), IPS_OK);
    assert_string_equal(w, "four");
}

/* ---- organisations ----------------------------------------------------------------- */

static void org_insert_then_get_returns_the_same_org(void **state)
{
    struct store_org o = make_org(S(state), "Acme Marketplace", "platform"), got;
    assert_int_equal(store_org_get(S(state), o.id, &got), IPS_OK);
    assert_string_equal(got.id, o.id);
    assert_string_equal(got.name, "Acme Marketplace");
    assert_string_equal(got.kind, "platform");
    assert_int_equal(got.created_ms, o.created_ms);
    memset(&got, 0, sizeof got);
    assert_int_equal(store_org_get_by_name(S(state), "Acme Marketplace", &got), IPS_OK);
    assert_string_equal(got.id, o.id);
}

static void org_get_of_a_missing_org_is_not_found_and_leaves_out_alone(void **state)
{
    struct store_org got;
    memset(&got, 0x5a, sizeof got);
    char id[ID_SIZE];
    id_new(id);
    assert_int_equal(store_org_get(S(state), id, &got), IPS_ERR_NOT_FOUND);
    assert_int_equal(store_org_get_by_name(S(state), "nobody", &got), IPS_ERR_NOT_FOUND);
    for (size_t i = 0; i < sizeof got; i++)
        assert_int_equal(((unsigned char *)&got)[i], 0x5a);
}

static void org_with_a_taken_name_or_id_conflicts(void **state)
{
    struct store_org o = make_org(S(state), "Brand Owner Ltd", "rightholder");
    struct store_org dup = o;
    id_new(dup.id);
    assert_int_equal(store_org_insert(S(state), &dup), IPS_ERR_CONFLICT);
    dup = o;
    snprintf(dup.name, sizeof dup.name, "Another Name");
    assert_int_equal(store_org_insert(S(state), &dup), IPS_ERR_CONFLICT);
}

static void org_with_an_unknown_kind_is_refused(void **state)
{
    struct store_org o = {0};
    id_new(o.id);
    snprintf(o.name, sizeof o.name, "Odd");
    snprintf(o.kind, sizeof o.kind, "pirate");
    assert_int_equal(store_org_insert(S(state), &o), IPS_ERR_DB);
}

static void org_with_an_unterminated_field_is_too_large(void **state)
{
    struct store_org o = {0};
    id_new(o.id);
    memset(o.name, 'x', sizeof o.name); /* no NUL anywhere in the field */
    snprintf(o.kind, sizeof o.kind, "seller");
    assert_int_equal(store_org_insert(S(state), &o), IPS_ERR_TOO_LARGE);
}

static void org_text_too_long_for_the_record_is_too_large_on_read(void **state)
{
    char id[ID_SIZE], name[STORE_NAME_MAX + 2];
    id_new(id);
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0'; /* STORE_NAME_MAX + 1 characters */
    sqlite3 *db = raw_open(state);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO orgs (id, name, kind, created_ms)"
                                        " VALUES (?1, ?2, 'seller', 0)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    struct store_org got;
    assert_int_equal(store_org_get(S(state), id, &got), IPS_ERR_TOO_LARGE);
}

static void org_list_pages_through_all_orgs_with_the_id_cursor(void **state)
{
    char ids[7][ID_SIZE];
    for (int i = 0; i < 7; i++) {
        char name[32];
        snprintf(name, sizeof name, "Org %d", i);
        struct store_org o = make_org(S(state), name, "seller");
        memcpy(ids[i], o.id, ID_SIZE); /* ids increase, so this is id order */
    }
    struct id_list page = {0};
    char after[ID_SIZE] = "";
    int seen = 0, pages = 0;
    do {
        page.n = 0;
        assert_int_equal(store_org_list(S(state), NULL, after, 3, collect_org, &page), IPS_OK);
        for (int i = 0; i < page.n; i++)
            assert_string_equal(page.ids[i], ids[seen + i]);
        seen += page.n;
        pages++;
        if (page.n)
            memcpy(after, page.ids[page.n - 1], ID_SIZE);
    } while (page.n == 3);
    assert_int_equal(seen, 7);
    assert_int_equal(pages, 3); /* 3 + 3 + 1 */

    page.n = 0; /* NULL cursor and limit <= 0 (default page size) */
    assert_int_equal(store_org_list(S(state), NULL, NULL, 0, collect_org, &page), IPS_OK);
    assert_int_equal(page.n, 7);

    page.n = 0;
    assert_int_equal(store_org_list(S(state), ids[4], NULL, 10, collect_org, &page), IPS_OK);
    assert_int_equal(page.n, 1);
    assert_string_equal(page.ids[0], ids[4]);
}

static ips_status stop_after_two(const struct store_org *o, void *arg)
{
    int *n = arg;
    (void)o;
    return ++*n == 2 ? IPS_ERR_FORBIDDEN : IPS_OK;
}

static void org_list_stops_with_the_callbacks_status(void **state)
{
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "O%d", i);
        make_org(S(state), name, "agency");
    }
    int n = 0;
    assert_int_equal(store_org_list(S(state), NULL, NULL, 10, stop_after_two, &n),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(n, 2);
}

struct nested {
    struct store *s;
    int outer, inner;
};

static ips_status count_inner(const struct store_org *o, void *arg)
{
    (void)o;
    ((struct nested *)arg)->inner++;
    return IPS_OK;
}

static ips_status list_again(const struct store_org *o, void *arg)
{
    struct nested *n = arg;
    n->outer++;
    struct store_org got;
    assert_int_equal(store_org_get(n->s, o->id, &got), IPS_OK);
    return store_org_list(n->s, NULL, NULL, 10, count_inner, n);
}

static void a_listing_callback_may_use_the_store_again(void **state)
{
    make_org(S(state), "First", "seller");
    make_org(S(state), "Second", "seller");
    struct nested n = {.s = S(state)};
    assert_int_equal(store_org_list(S(state), NULL, NULL, 10, list_again, &n), IPS_OK);
    assert_int_equal(n.outer, 2);
    assert_int_equal(n.inner, 4);
}

/* ---- users ------------------------------------------------------------------------- */

static void user_with_unknown_org_is_not_found(void **state)
{
    char org[ID_SIZE];
    id_new(org);
    struct store_user u = user_value(org, "a@example.com", "admin");
    assert_int_equal(store_user_insert(S(state), &u), IPS_ERR_NOT_FOUND);
}

static void user_with_a_taken_email_conflicts(void **state)
{
    struct store_org o = make_org(S(state), "Platform", "platform");
    make_user(S(state), o.id, "admin@example.com", "admin");
    struct store_user dup = user_value(o.id, "admin@example.com", "reviewer");
    assert_int_equal(store_user_insert(S(state), &dup), IPS_ERR_CONFLICT);
}

static void user_is_found_by_id_and_by_email(void **state)
{
    struct store_org o = make_org(S(state), "Platform", "platform");
    struct store_user u = make_user(S(state), o.id, "rev@example.com", "reviewer"), got;
    assert_int_equal(store_user_get(S(state), u.id, &got), IPS_OK);
    assert_string_equal(got.email, "rev@example.com");
    assert_string_equal(got.org_id, o.id);
    assert_string_equal(got.role, "reviewer");
    assert_string_equal(got.pw_hash, u.pw_hash);
    assert_int_equal(got.created_ms, u.created_ms);
    assert_false(got.disabled);
    memset(&got, 0, sizeof got);
    assert_int_equal(store_user_get_by_email(S(state), "rev@example.com", &got), IPS_OK);
    assert_string_equal(got.id, u.id);
    /* emails are compared as given; the domain layer lower-cases them */
    assert_int_equal(store_user_get_by_email(S(state), "REV@example.com", &got),
                     IPS_ERR_NOT_FOUND);
}

static void user_password_change_is_stored(void **state)
{
    struct store_org o = make_org(S(state), "Platform", "platform");
    struct store_user u = make_user(S(state), o.id, "pw@example.com", "admin"), got;
    assert_int_equal(store_user_set_password(S(state), u.id, "$argon2id$new"), IPS_OK);
    assert_int_equal(store_user_get(S(state), u.id, &got), IPS_OK);
    assert_string_equal(got.pw_hash, "$argon2id$new");

    char id[ID_SIZE];
    id_new(id);
    assert_int_equal(store_user_set_password(S(state), id, "$argon2id$x"), IPS_ERR_NOT_FOUND);
    char longhash[STORE_PWHASH_MAX + 2];
    memset(longhash, 'h', sizeof longhash - 1);
    longhash[sizeof longhash - 1] = '\0';
    assert_int_equal(store_user_set_password(S(state), u.id, longhash), IPS_ERR_TOO_LARGE);
}

static void user_disable_sets_and_clears_the_flag(void **state)
{
    struct store_org o = make_org(S(state), "Platform", "platform");
    struct store_user u = make_user(S(state), o.id, "off@example.com", "seller"), got;
    assert_int_equal(store_user_set_disabled(S(state), u.id, true), IPS_OK);
    assert_int_equal(store_user_get(S(state), u.id, &got), IPS_OK);
    assert_true(got.disabled);
    assert_int_equal(store_user_set_disabled(S(state), u.id, true), IPS_OK); /* idempotent */
    assert_int_equal(store_user_set_disabled(S(state), u.id, false), IPS_OK);
    assert_int_equal(store_user_get(S(state), u.id, &got), IPS_OK);
    assert_false(got.disabled);
    assert_string_equal(got.pw_hash, u.pw_hash); /* nothing else changed */
}

static void disabling_an_unknown_user_is_not_found(void **state)
{
    char id[ID_SIZE];
    id_new(id);
    assert_int_equal(store_user_set_disabled(S(state), id, true), IPS_ERR_NOT_FOUND);
}

static void user_list_filters_by_org_and_pages(void **state)
{
    struct store_org a = make_org(S(state), "A", "seller");
    struct store_org b = make_org(S(state), "B", "seller");
    struct store_user u1 = make_user(S(state), a.id, "1@a.example", "seller");
    make_user(S(state), b.id, "2@b.example", "seller");
    struct store_user u3 = make_user(S(state), a.id, "3@a.example", "seller");

    struct id_list l = {0};
    assert_int_equal(store_user_list(S(state), NULL, NULL, 0, collect_user, &l), IPS_OK);
    assert_int_equal(l.n, 3);
    l.n = 0;
    assert_int_equal(store_user_list(S(state), a.id, NULL, 1, collect_user, &l), IPS_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.ids[0], u1.id);
    l.n = 0;
    assert_int_equal(store_user_list(S(state), a.id, u1.id, 10, collect_user, &l), IPS_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.ids[0], u3.id);
}

/* ---- sessions ------------------------------------------------------------------------ */

static void session_is_found_by_hash_then_deleted(void **state)
{
    struct store_org o = make_org(S(state), "P", "platform");
    struct store_user u = make_user(S(state), o.id, "s@example.com", "admin");
    struct store_session se = {0}, got;
    id_new(se.id);
    memcpy(se.user_id, u.id, ID_SIZE);
    fill_hash(se.token_hash, 7);
    se.created_ms = 1000;
    se.expires_ms = 2000;
    assert_int_equal(store_session_insert(S(state), &se), IPS_OK);
    assert_int_equal(store_session_insert(S(state), &se), IPS_ERR_CONFLICT);

    assert_int_equal(store_session_get_by_hash(S(state), se.token_hash, &got), IPS_OK);
    assert_string_equal(got.id, se.id);
    assert_string_equal(got.user_id, u.id);
    assert_memory_equal(got.token_hash, se.token_hash, STORE_HASH_LEN);
    assert_int_equal(got.created_ms, 1000);
    assert_int_equal(got.expires_ms, 2000);

    uint8_t other[STORE_HASH_LEN];
    fill_hash(other, 8);
    assert_int_equal(store_session_get_by_hash(S(state), other, &got), IPS_ERR_NOT_FOUND);

    assert_int_equal(store_session_delete(S(state), se.id), IPS_OK);
    assert_int_equal(store_session_get_by_hash(S(state), se.token_hash, &got),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(store_session_delete(S(state), se.id), IPS_ERR_NOT_FOUND);
}

static void session_of_an_unknown_user_is_not_found(void **state)
{
    struct store_session se = {0};
    id_new(se.id);
    id_new(se.user_id);
    fill_hash(se.token_hash, 1);
    assert_int_equal(store_session_insert(S(state), &se), IPS_ERR_NOT_FOUND);
}

static void session_purge_deletes_only_expired_sessions(void **state)
{
    struct store_org o = make_org(S(state), "P", "platform");
    struct store_user u = make_user(S(state), o.id, "s@example.com", "admin");
    for (int i = 0; i < 5; i++) {
        struct store_session se = {0};
        id_new(se.id);
        memcpy(se.user_id, u.id, ID_SIZE);
        fill_hash(se.token_hash, (uint8_t)(10 * i));
        se.created_ms = 0;
        se.expires_ms = 100 * (i + 1); /* 100 .. 500 */
        assert_int_equal(store_session_insert(S(state), &se), IPS_OK);
    }
    int deleted = -1;
    assert_int_equal(store_session_purge(S(state), 300, &deleted), IPS_OK);
    assert_int_equal(deleted, 3); /* expires_ms <= now */
    assert_int_equal(store_session_purge(S(state), 300, NULL), IPS_OK);
    assert_int_equal(store_session_purge(S(state), 1000, &deleted), IPS_OK);
    assert_int_equal(deleted, 2);
}

static struct store_session session_value(const char *user_id, uint8_t h)
{
    struct store_session se = {0};
    id_new(se.id);
    memcpy(se.user_id, user_id, ID_SIZE);
    fill_hash(se.token_hash, h);
    se.created_ms = 0;
    se.expires_ms = 1000;
    return se;
}

static void deleting_a_users_sessions_leaves_other_users_sessions(void **state)
{
    struct store_org o = make_org(S(state), "P", "platform");
    struct store_user a = make_user(S(state), o.id, "a@example.com", "admin");
    struct store_user b = make_user(S(state), o.id, "b@example.com", "admin");
    struct store_session a1 = session_value(a.id, 10), a2 = session_value(a.id, 20);
    struct store_session b1 = session_value(b.id, 30), got;
    assert_int_equal(store_session_insert(S(state), &a1), IPS_OK);
    assert_int_equal(store_session_insert(S(state), &a2), IPS_OK);
    assert_int_equal(store_session_insert(S(state), &b1), IPS_OK);

    int deleted = -1;
    assert_int_equal(store_session_delete_for_user(S(state), a.id, &deleted), IPS_OK);
    assert_int_equal(deleted, 2);
    assert_int_equal(store_session_get_by_hash(S(state), a1.token_hash, &got), IPS_ERR_NOT_FOUND);
    assert_int_equal(store_session_get_by_hash(S(state), a2.token_hash, &got), IPS_ERR_NOT_FOUND);
    assert_int_equal(store_session_get_by_hash(S(state), b1.token_hash, &got), IPS_OK);
    assert_string_equal(got.id, b1.id);

    /* nothing left, or an unknown user: zero deleted, not an error */
    assert_int_equal(store_session_delete_for_user(S(state), a.id, &deleted), IPS_OK);
    assert_int_equal(deleted, 0);
    char id[ID_SIZE];
    id_new(id);
    assert_int_equal(store_session_delete_for_user(S(state), id, NULL), IPS_OK);
}

/* ---- API tokens ---------------------------------------------------------------------------- */

static struct store_token token_value(const char *user_id, const char *name, uint8_t h)
{
    struct store_token t = {0};
    id_new(t.id);
    memcpy(t.user_id, user_id, ID_SIZE);
    snprintf(t.name, sizeof t.name, "%s", name);
    fill_hash(t.token_hash, h);
    t.created_ms = 5000;
    return t;
}

static void token_is_found_by_id_and_hash(void **state)
{
    struct store_org o = make_org(S(state), "P", "platform");
    struct store_user u = make_user(S(state), o.id, "t@example.com", "admin");
    struct store_token t = token_value(u.id, "ci script", 3), got;
    t.expires_ms = 9000;
    assert_int_equal(store_token_insert(S(state), &t), IPS_OK);
    assert_int_equal(store_token_get(S(state), t.id, &got), IPS_OK);
    assert_string_equal(got.name, "ci script");
    assert_string_equal(got.user_id, u.id);
    assert_int_equal(got.expires_ms, 9000);
    assert_int_equal(got.revoked_ms, 0);
    memset(&got, 0, sizeof got);
    assert_int_equal(store_token_get_by_hash(S(state), t.token_hash, &got), IPS_OK);
    assert_string_equal(got.id, t.id);
    assert_memory_equal(got.token_hash, t.token_hash, STORE_HASH_LEN);

    struct store_token same_hash = token_value(u.id, "copy", 3);
    assert_int_equal(store_token_insert(S(state), &same_hash), IPS_ERR_CONFLICT);
}

static void token_revoke_keeps_the_first_revocation_time(void **state)
{
    struct store_org o = make_org(S(state), "P", "platform");
    struct store_user u = make_user(S(state), o.id, "t@example.com", "admin");
    struct store_token t = token_value(u.id, "deploy", 4), got;
    assert_int_equal(store_token_insert(S(state), &t), IPS_OK);
    assert_int_equal(store_token_revoke(S(state), t.id, 7000), IPS_OK);
    assert_int_equal(store_token_revoke(S(state), t.id, 8000), IPS_OK);
    assert_int_equal(store_token_get(S(state), t.id, &got), IPS_OK);
    assert_int_equal(got.revoked_ms, 7000);

    char id[ID_SIZE];
    id_new(id);
    assert_int_equal(store_token_revoke(S(state), id, 7000), IPS_ERR_NOT_FOUND);
}

static void token_list_shows_one_users_tokens_in_id_order(void **state)
{
    struct store_org o = make_org(S(state), "P", "platform");
    struct store_user a = make_user(S(state), o.id, "a@example.com", "admin");
    struct store_user b = make_user(S(state), o.id, "b@example.com", "auditor");
    struct store_token t1 = token_value(a.id, "one", 1);
    struct store_token t2 = token_value(b.id, "two", 2);
    struct store_token t3 = token_value(a.id, "three", 3);
    assert_int_equal(store_token_insert(S(state), &t1), IPS_OK);
    assert_int_equal(store_token_insert(S(state), &t2), IPS_OK);
    assert_int_equal(store_token_insert(S(state), &t3), IPS_OK);

    struct id_list l = {0};
    assert_int_equal(store_token_list(S(state), a.id, NULL, 10, collect_token, &l), IPS_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.ids[0], t1.id);
    assert_string_equal(l.ids[1], t3.id);
    l.n = 0;
    assert_int_equal(store_token_list(S(state), a.id, t1.id, 10, collect_token, &l), IPS_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.ids[0], t3.id);
    l.n = 0;
    assert_int_equal(store_token_list(S(state), NULL, "", -1, collect_token, &l), IPS_OK);
    assert_int_equal(l.n, 3);
}

/* ---- login attempts ------------------------------------------------------------------------------ */

static void login_failures_are_counted_by_email_and_by_address_since_a_time(void **state)
{
    struct store *s = S(state);
    assert_int_equal(store_login_attempt_add(s, "v@example.com", "10.0.0.1", false, 100), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "v@example.com", "10.0.0.1", false, 200), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "v@example.com", "10.0.0.2", false, 300), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "w@example.com", "10.0.0.1", false, 300), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "v@example.com", "10.0.0.1", true, 300), IPS_OK);

    int by_email = -1, by_addr = -1;
    assert_int_equal(store_login_failures(s, "v@example.com", "10.0.0.1", 0, &by_email, &by_addr),
                     IPS_OK);
    assert_int_equal(by_email, 3); /* successes do not count */
    assert_int_equal(by_addr, 3);
    assert_int_equal(
        store_login_failures(s, "v@example.com", "10.0.0.1", 200, &by_email, &by_addr), IPS_OK);
    assert_int_equal(by_email, 2); /* at_ms >= since_ms */
    assert_int_equal(by_addr, 2);
    assert_int_equal(store_login_failures(s, "x@example.com", "10.9.9.9", 0, &by_email, &by_addr),
                     IPS_OK);
    assert_int_equal(by_email, 0);
    assert_int_equal(by_addr, 0);
}

static void clearing_failures_forgets_only_that_emails_failures(void **state)
{
    struct store *s = S(state);
    assert_int_equal(store_login_attempt_add(s, "v@example.com", "10.0.0.1", false, 100), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "w@example.com", "10.0.0.1", false, 100), IPS_OK);
    assert_int_equal(store_login_failures_clear(s, "v@example.com"), IPS_OK);
    int by_email = -1, by_addr = -1;
    assert_int_equal(store_login_failures(s, "v@example.com", "10.0.0.1", 0, &by_email, &by_addr),
                     IPS_OK);
    assert_int_equal(by_email, 0);
    assert_int_equal(by_addr, 1);
    assert_int_equal(store_login_failures(s, "w@example.com", "10.0.0.1", 0, &by_email, NULL),
                     IPS_OK);
    assert_int_equal(by_email, 1);
}

static void login_attempt_with_an_overlong_email_is_too_large(void **state)
{
    char email[STORE_EMAIL_MAX + 2];
    memset(email, 'e', sizeof email - 1);
    email[sizeof email - 1] = '\0';
    assert_int_equal(store_login_attempt_add(S(state), email, "10.0.0.1", false, 1),
                     IPS_ERR_TOO_LARGE);
}

static int login_failures_of(struct store *s, const char *email)
{
    int by_email = -1;
    assert_int_equal(store_login_failures(s, email, "10.0.0.1", 0, &by_email, NULL), IPS_OK);
    return by_email;
}

static void login_attempts_purge_deletes_only_attempts_before_the_time(void **state)
{
    struct store *s = S(state);
    assert_int_equal(store_login_attempt_add(s, "p@example.com", "10.0.0.1", false, 100), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "p@example.com", "10.0.0.1", true, 150), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "p@example.com", "10.0.0.1", false, 200), IPS_OK);
    assert_int_equal(store_login_attempt_add(s, "p@example.com", "10.0.0.1", false, 300), IPS_OK);

    int deleted = -1;
    assert_int_equal(store_login_attempts_purge(s, 200, &deleted), IPS_OK);
    assert_int_equal(deleted, 2); /* at_ms < before_ms, failed or not */
    assert_int_equal(login_failures_of(s, "p@example.com"), 2);
    assert_int_equal(store_login_attempts_purge(s, 200, &deleted), IPS_OK);
    assert_int_equal(deleted, 0);
    assert_int_equal(store_login_attempts_purge(s, 301, NULL), IPS_OK);
    assert_int_equal(login_failures_of(s, "p@example.com"), 0);
}

/* ---- audit log -------------------------------------------------------------------------------------- */

static void empty_audit_log_has_head_zero_and_a_zero_hash(void **state)
{
    int64_t seq = -1;
    uint8_t h[STORE_HASH_LEN], zero[STORE_HASH_LEN] = {0};
    memset(h, 0xff, sizeof h);
    assert_int_equal(store_audit_head(S(state), &seq, h), IPS_OK);
    assert_int_equal(seq, 0);
    assert_memory_equal(h, zero, STORE_HASH_LEN);
}

static void audit_insert_advances_the_head(void **state)
{
    for (int64_t i = 1; i <= 3; i++) {
        struct store_audit_event ev = audit_value(i, "d");
        assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
    }
    int64_t seq = 0;
    uint8_t h[STORE_HASH_LEN], want[STORE_HASH_LEN];
    assert_int_equal(store_audit_head(S(state), &seq, h), IPS_OK);
    assert_int_equal(seq, 3);
    fill_hash(want, 3);
    assert_memory_equal(h, want, STORE_HASH_LEN);
}

static void audit_insert_refuses_any_seq_but_head_plus_one(void **state)
{
    struct store_audit_event ev = audit_value(1, "first");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
    ev = audit_value(1, "again");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_ERR_CONFLICT);
    ev = audit_value(3, "gap");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_ERR_CONFLICT);
    ev = audit_value(0, "zero");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_ERR_CONFLICT);
    ev = audit_value(2, "second");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
}

static void audit_list_reads_both_directions_with_cursor_and_limit(void **state)
{
    for (int64_t i = 1; i <= 5; i++) {
        struct store_audit_event ev = audit_value(i, "x");
        assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
    }
    struct seq_list l = {0};
    assert_int_equal(store_audit_list(S(state), false, 0, 0, collect_audit, &l), IPS_OK);
    assert_int_equal(l.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.seqs[i], i + 1);

    l.n = 0;
    assert_int_equal(store_audit_list(S(state), false, 2, 2, collect_audit, &l), IPS_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seqs[0], 3);
    assert_int_equal(l.seqs[1], 4);

    l.n = 0;
    assert_int_equal(store_audit_list(S(state), true, 0, -1, collect_audit, &l), IPS_OK);
    assert_int_equal(l.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.seqs[i], 5 - i);

    l.n = 0;
    assert_int_equal(store_audit_list(S(state), true, 4, 2, collect_audit, &l), IPS_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seqs[0], 3);
    assert_int_equal(l.seqs[1], 2);
}

static ips_status check_event_two(const struct store_audit_event *ev, void *arg)
{
    struct store_audit_event *want = arg;
    assert_int_equal(ev->seq, want->seq);
    assert_int_equal(ev->ts_ms, want->ts_ms);
    assert_string_equal(ev->actor, want->actor);
    assert_string_equal(ev->action, want->action);
    assert_string_equal(ev->object, want->object);
    assert_string_equal(ev->outcome, want->outcome);
    assert_string_equal(ev->detail, want->detail);
    assert_memory_equal(ev->prev_hash, want->prev_hash, STORE_HASH_LEN);
    assert_memory_equal(ev->hash, want->hash, STORE_HASH_LEN);
    return IPS_OK;
}

static void audit_list_returns_every_field_as_inserted(void **state)
{
    struct store_audit_event a = audit_value(1, "one"), b = audit_value(2, "two \"quoted\"");
    assert_int_equal(store_audit_insert(S(state), &a), IPS_OK);
    assert_int_equal(store_audit_insert(S(state), &b), IPS_OK);
    assert_int_equal(store_audit_list(S(state), false, 1, 1, check_event_two, &b), IPS_OK);
}

/* Run sql on the raw connection; expect the append-only trigger to abort it. */
static void assert_blocked_by_trigger(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
    assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
}

static void audit_rows_cannot_be_updated_or_deleted_even_with_raw_sql(void **state)
{
    struct store_audit_event ev = audit_value(1, "original");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
    sqlite3 *db = raw_open(state);
    assert_blocked_by_trigger(db, "UPDATE audit_events SET detail = 'forged' WHERE seq = 1");
    assert_blocked_by_trigger(db, "DELETE FROM audit_events WHERE seq = 1");
    assert_blocked_by_trigger(db, "DELETE FROM audit_events");
    sqlite3_close(db);
    struct seq_list l = {0};
    assert_int_equal(store_audit_list(S(state), false, 0, 0, collect_audit, &l), IPS_OK);
    assert_int_equal(l.n, 1);
}

static ips_status check_detail(const struct store_audit_event *ev, void *arg)
{
    assert_string_equal(ev->detail, (const char *)arg);
    return IPS_OK;
}

static void audit_tamper_rewrites_detail_and_leaves_the_trigger_in_place(void **state)
{
    struct store_audit_event ev = audit_value(1, "original");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
    assert_int_equal(store_audit_tamper(S(state), 1, "forged"), IPS_OK);
    char forged[] = "forged";
    assert_int_equal(store_audit_list(S(state), false, 0, 0, check_detail, forged), IPS_OK);
    assert_int_equal(store_audit_tamper(S(state), 2, "nothing there"), IPS_ERR_NOT_FOUND);

    sqlite3 *db = raw_open(state);
    assert_blocked_by_trigger(db, "UPDATE audit_events SET detail = 'again' WHERE seq = 1");
    sqlite3_close(db);
    assert_int_equal(store_audit_list(S(state), false, 0, 0, check_detail, forged), IPS_OK);
}

static ips_status tamper_in_tx(struct store *s, void *arg)
{
    (void)arg;
    return store_audit_tamper(s, 1, "forged inside a transaction");
}

static void audit_tamper_also_works_inside_a_transaction(void **state)
{
    struct store_audit_event ev = audit_value(1, "original");
    assert_int_equal(store_audit_insert(S(state), &ev), IPS_OK);
    char want[] = "forged inside a transaction";
    assert_int_equal(store_tx_run(S(state), tamper_in_tx, NULL), IPS_OK);
    assert_int_equal(store_audit_list(S(state), false, 0, 0, check_detail, want), IPS_OK);
}

/* ---- transactions ------------------------------------------------------------------------------------- */

struct tx_arg {
    struct store_org org;
    ips_status ret;
    bool saw_in_tx;
};

static ips_status insert_org_then_return(struct store *s, void *arg)
{
    struct tx_arg *a = arg;
    a->saw_in_tx = store_in_tx(s);
    ips_status st = store_org_insert(s, &a->org);
    return st ? st : a->ret;
}

static struct tx_arg tx_arg_value(const char *name, ips_status ret)
{
    struct tx_arg a = {.ret = ret};
    id_new(a.org.id);
    snprintf(a.org.name, sizeof a.org.name, "%s", name);
    snprintf(a.org.kind, sizeof a.org.kind, "seller");
    return a;
}

static void tx_run_rolls_back_when_the_function_fails(void **state)
{
    struct tx_arg a = tx_arg_value("Rolled Back", IPS_ERR_INVALID);
    assert_int_equal(store_tx_run(S(state), insert_org_then_return, &a), IPS_ERR_INVALID);
    assert_true(a.saw_in_tx);
    assert_false(store_in_tx(S(state)));
    struct store_org got;
    assert_int_equal(store_org_get(S(state), a.org.id, &got), IPS_ERR_NOT_FOUND);
}

static void tx_run_commits_when_the_function_succeeds(void **state)
{
    struct tx_arg a = tx_arg_value("Committed", IPS_OK);
    assert_int_equal(store_tx_run(S(state), insert_org_then_return, &a), IPS_OK);
    assert_false(store_in_tx(S(state)));
    struct store_org got;
    assert_int_equal(store_org_get(S(state), a.org.id, &got), IPS_OK);
}

static ips_status nest(struct store *s, void *arg)
{
    struct tx_arg *inner = arg;
    return store_tx_run(s, insert_org_then_return, inner);
}

static void nested_tx_run_is_refused_as_internal_error(void **state)
{
    struct tx_arg inner = tx_arg_value("Inner", IPS_OK);
    assert_int_equal(store_tx_run(S(state), nest, &inner), IPS_ERR_INTERNAL);
    assert_false(inner.saw_in_tx); /* the inner function never ran */
    assert_false(store_in_tx(S(state)));
}

static ips_status insert_two_orgs_second_conflicting(struct store *s, void *arg)
{
    (void)arg;
    struct store_org o = {0};
    id_new(o.id);
    snprintf(o.name, sizeof o.name, "Twice");
    snprintf(o.kind, sizeof o.kind, "agency");
    ips_status st = store_org_insert(s, &o);
    if (st)
        return st;
    id_new(o.id);
    return store_org_insert(s, &o); /* same name: CONFLICT */
}

static void a_conflict_inside_a_transaction_undoes_the_whole_transaction(void **state)
{
    assert_int_equal(store_tx_run(S(state), insert_two_orgs_second_conflicting, NULL),
                     IPS_ERR_CONFLICT);
    struct store_org got;
    assert_int_equal(store_org_get_by_name(S(state), "Twice", &got), IPS_ERR_NOT_FOUND);
}

struct busy_arg {
    struct store_org org;
    int calls, busy_calls;
};

/* Insert the same org on every call; report IPS_ERR_BUSY for the first
 * busy_calls calls, as a lock timeout inside the transaction would. */
static ips_status insert_org_busy_at_first(struct store *s, void *arg)
{
    struct busy_arg *a = arg;
    a->calls++;
    ips_status st = store_org_insert(s, &a->org);
    if (st)
        return st;
    return a->calls <= a->busy_calls ? IPS_ERR_BUSY : IPS_OK;
}

static void tx_run_retries_a_busy_transaction_from_the_start(void **state)
{
    struct busy_arg a = {.busy_calls = 2};
    id_new(a.org.id);
    snprintf(a.org.name, sizeof a.org.name, "Retried");
    snprintf(a.org.kind, sizeof a.org.kind, "seller");
    /* each busy attempt was rolled back, so the re-insert does not conflict */
    assert_int_equal(store_tx_run(S(state), insert_org_busy_at_first, &a), IPS_OK);
    assert_int_equal(a.calls, 3);
    struct store_org got;
    assert_int_equal(store_org_get(S(state), a.org.id, &got), IPS_OK);
}

static void tx_run_gives_up_after_five_retries(void **state)
{
    struct busy_arg a = {.busy_calls = 1000};
    id_new(a.org.id);
    snprintf(a.org.name, sizeof a.org.name, "Never");
    snprintf(a.org.kind, sizeof a.org.kind, "seller");
    assert_int_equal(store_tx_run(S(state), insert_org_busy_at_first, &a), IPS_ERR_BUSY);
    assert_int_equal(a.calls, 6); /* the first attempt and five retries */
    assert_false(store_in_tx(S(state)));
    struct store_org got;
    assert_int_equal(store_org_get(S(state), a.org.id, &got), IPS_ERR_NOT_FOUND);
}

/* ---- durability -------------------------------------------------------------------------------------- */

static void data_written_by_one_connection_is_visible_to_another(void **state)
{
    struct testdb *f = *state;
    struct store_org o = make_org(f->s, "Durable", "rightholder"), got;
    struct store *second = NULL;
    assert_int_equal(store_open(f->path, &second), IPS_OK);
    assert_int_equal(store_org_get(second, o.id, &got), IPS_OK);
    assert_string_equal(got.name, "Durable");
    /* and the other way round */
    struct store_org p = make_org(second, "Written Second", "agency");
    assert_int_equal(store_org_get(f->s, p.id, &got), IPS_OK);
    store_close(second);
}

static void data_survives_closing_and_reopening_the_file(void **state)
{
    struct testdb *f = *state;
    struct store_org o = make_org(f->s, "Persistent", "platform"), got;
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->path, &f->s), IPS_OK);
    int applied = -1;
    assert_int_equal(store_migrate(f->s, &applied), IPS_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(store_org_get(f->s, o.id, &got), IPS_OK);
    assert_string_equal(got.name, "Persistent");
}

/* ---- group commit (src/store/sqlite_durable.c) -------------------------------------------------- */

/* Threads and commits of the concurrency test: enough that commits overlap
 * the shared fdatasync, few enough for a slow disk. */
#define GC_THREADS 8
#define GC_COMMITS 25

struct gc_worker {
    const char *path;
    int index;
    char ids[GC_COMMITS][ID_SIZE]; /* acknowledged commits */
    int acked;
    ips_status failure; /* first failure, IPS_OK when none */
};

static ips_status insert_org(struct store *s, void *arg)
{
    return store_org_insert(s, arg);
}

/* One thread with its own connection (the store contract: a connection
 * belongs to one thread), committing GC_COMMITS one-row transactions. */
static void *gc_worker_run(void *arg)
{
    struct gc_worker *w = arg;
    struct store *s = NULL;
    w->failure = store_open(w->path, &s);
    for (int i = 0; w->failure == IPS_OK && i < GC_COMMITS; i++) {
        char name[STORE_NAME_MAX + 1];
        snprintf(name, sizeof name, "gc-%d-%d", w->index, i);
        struct store_org o = org_value(name, "seller");
        w->failure = store_tx_run(s, insert_org, &o);
        if (w->failure == IPS_OK)
            memcpy(w->ids[w->acked++], o.id, ID_SIZE);
    }
    store_close(s);
    return NULL;
}

static void concurrent_commits_are_all_acknowledged_and_all_there_after_reopen(void **state)
{
    struct testdb *f = *state;
    static struct gc_worker w[GC_THREADS];
    pthread_t th[GC_THREADS];
    for (int i = 0; i < GC_THREADS; i++) {
        w[i] = (struct gc_worker){.path = f->path, .index = i};
        assert_int_equal(pthread_create(&th[i], NULL, gc_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < GC_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->path, &f->s), IPS_OK);
    struct store_org got;
    for (int i = 0; i < GC_THREADS; i++) {
        assert_int_equal(w[i].failure, IPS_OK);
        assert_int_equal(w[i].acked, GC_COMMITS);
        for (int k = 0; k < w[i].acked; k++)
            assert_int_equal(store_org_get(f->s, w[i].ids[k], &got), IPS_OK);
    }
}

/* Crash rounds, and acknowledged commits after which the child is killed at
 * the earliest (the kill lands at a random moment after that). */
#define CRASH_ROUNDS 5
#define CRASH_MAX_ACKS 1000

/* The child of the crash test: commit org "crash-<first + n>" for n = 0, 1,
 * ... and write n to fd after each acknowledged commit, until killed. */
static _Noreturn void crash_child(const char *path, int first, int fd)
{
    struct store *s = NULL;
    if (store_open(path, &s) != IPS_OK)
        _exit(2);
    for (int n = first;; n++) {
        char name[STORE_NAME_MAX + 1];
        snprintf(name, sizeof name, "crash-%d", n);
        struct store_org o = org_value(name, "seller");
        if (store_tx_run(s, insert_org, &o) != IPS_OK)
            _exit(3);
        if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
            _exit(4);
    }
}

static void acknowledged_commits_survive_kill_9_at_random_moments(void **state)
{
    struct testdb *f = *state;
    store_close(f->s); /* the child is the only writer */
    f->s = NULL;
    srand((unsigned)getpid());
    int first = 0;
    for (int round = 0; round < CRASH_ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(f->path, first, fds[1]);
        }
        close(fds[1]);
        /* Let a random number of commits through, kill, then collect every
         * acknowledgement written before the kill. */
        int stop_after = 1 + rand() % CRASH_MAX_ACKS, acked = 0, last = first - 1, n;
        while (acked < stop_after && read(fds[0], &n, sizeof n) == (ssize_t)sizeof n) {
            last = n;
            acked++;
        }
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status)); /* not an early exit of the child */
        while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n)
            last = n;
        close(fds[0]);

        assert_int_equal(store_open(f->path, &f->s), IPS_OK);
        struct store_org got;
        char name[STORE_NAME_MAX + 1];
        for (int k = first; k <= last; k++) {
            snprintf(name, sizeof name, "crash-%d", k);
            if (store_org_get_by_name(f->s, name, &got) != IPS_OK)
                fail_msg("round %d: acknowledged commit %s is missing", round, name);
        }
        store_close(f->s);
        f->s = NULL;
        first = last + 2; /* past a commit that may have landed unacknowledged */
    }
    assert_int_equal(store_open(f->path, &f->s), IPS_OK);
}

static void file_connections_use_the_barrier_and_memory_ones_sync_fully(void **state)
{
    struct testdb *f = *state;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(sqlite__from(f->s)->db, "PRAGMA synchronous", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1); /* NORMAL: the barrier syncs */
    sqlite3_finalize(st);
    assert_non_null(sqlite__from(f->s)->durable);

    struct store *m = NULL;
    assert_int_equal(store_open(":memory:", &m), IPS_OK);
    assert_null(sqlite__from(m)->durable); /* nothing to sync */
    store_close(m);
}

static void a_failed_sync_fails_the_commit_and_every_later_one(void **state)
{
    struct testdb *f = *state;
    make_org(f->s, "Before", "seller"); /* the WAL exists */
    /* With both files unlinked the connection still writes through its open
     * descriptors, but the barrier cannot open either file to sync it. */
    char wal[sizeof f->path + 4];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    assert_int_equal(unlink(wal), 0);
    assert_int_equal(unlink(f->path), 0);
    struct store_org o = org_value("After", "seller");
    assert_int_equal(store_tx_run(f->s, insert_org, &o), IPS_ERR_IO); /* not retried */
    assert_false(store_in_tx(f->s));
    struct store_org p = org_value("Later", "seller");
    assert_int_equal(store_org_insert(f->s, &p), IPS_ERR_IO); /* autocommit: same barrier */
}

/* ---- SQLite backend internals (white-box) ---------------------------------------------- */

static struct sqlite_store *SS(void **state) { return sqlite__from(S(state)); }

static const char q_count_orgs[] = "SELECT count(*) FROM orgs";

/* Run q_count_orgs through sqlite__stmt_sql. OUT *n. */
static ips_status count_orgs(struct sqlite_store *ss, int *n)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_sql(ss, q_count_orgs, &q);
    if (result == IPS_OK && (result = sqlite__step(&q, &row)) == IPS_OK && row)
        *n = sqlite3_column_int(q.st, 0);
    sqlite__stmt_put(&q);
    return result;
}

static void stmt_sql_caches_one_statement_per_sql_address(void **state)
{
    struct sqlite__stmt a, b;
    assert_int_equal(sqlite__stmt_sql(SS(state), q_count_orgs, &a), IPS_OK);
    assert_false(a.owned);
    sqlite3_stmt *first = a.st;
    sqlite__stmt_put(&a);
    sqlite__stmt_put(&a); /* a second put is harmless */
    assert_int_equal(sqlite__stmt_sql(SS(state), q_count_orgs, &b), IPS_OK);
    assert_ptr_equal(b.st, first);
    sqlite__stmt_put(&b);
    make_org(S(state), "Counted", "seller");
    int n = -1;
    assert_int_equal(count_orgs(SS(state), &n), IPS_OK);
    assert_int_equal(n, 1);
}

static const char q_org_names[] = "SELECT name FROM orgs ORDER BY name";

static void stmt_sql_gives_a_running_statement_a_private_copy(void **state)
{
    make_org(S(state), "A", "seller");
    make_org(S(state), "B", "seller");
    struct sqlite__stmt outer, inner;
    bool row = false;
    int rows = 0;
    assert_int_equal(sqlite__stmt_sql(SS(state), q_org_names, &outer), IPS_OK);
    while (sqlite__step(&outer, &row) == IPS_OK && row) {
        rows++;
        /* the same query again while the outer one is mid-scan */
        assert_int_equal(sqlite__stmt_sql(SS(state), q_org_names, &inner), IPS_OK);
        assert_true(inner.owned);
        assert_ptr_not_equal(inner.st, outer.st);
        int inner_rows = 0;
        while (sqlite__step(&inner, &row) == IPS_OK && row)
            inner_rows++;
        assert_int_equal(inner_rows, 2);
        sqlite__stmt_put(&inner);
    }
    assert_int_equal(rows, 2);
    sqlite__stmt_put(&outer);
}

/* 600 distinct static SQL texts: more than the cache's 512 slots. */
static char many_sql[600][24];

static void stmt_sql_falls_back_to_per_use_statements_when_the_cache_is_full(void **state)
{
    for (int i = 0; i < 600; i++) {
        snprintf(many_sql[i], sizeof many_sql[i], "SELECT %d", i);
        struct sqlite__stmt q;
        bool row = false;
        assert_int_equal(sqlite__stmt_sql(SS(state), many_sql[i], &q), IPS_OK);
        assert_int_equal(q.owned, i >= (int)SQLITE__SQL_CACHE_SLOTS);
        assert_int_equal(sqlite__step(&q, &row), IPS_OK);
        assert_true(row);
        assert_int_equal(sqlite3_column_int(q.st, 0), i);
        sqlite__stmt_put(&q);
    }
    int n = -1; /* a cached statement is still found when every slot is taken */
    for (int i = 0; i < 3; i++) {
        struct sqlite__stmt q;
        assert_int_equal(sqlite__stmt_sql(SS(state), many_sql[i], &q), IPS_OK);
        assert_false(q.owned);
        sqlite__stmt_put(&q);
    }
    assert_int_equal(count_orgs(SS(state), &n), IPS_OK); /* uncached now, still right */
    assert_int_equal(n, 0);
}

static char reused_sql[32];

static void stmt_sql_refuses_an_address_whose_text_changed(void **state)
{
    struct sqlite__stmt q;
    snprintf(reused_sql, sizeof reused_sql, "SELECT 1");
    assert_int_equal(sqlite__stmt_sql(SS(state), reused_sql, &q), IPS_OK);
    sqlite__stmt_put(&q);
    snprintf(reused_sql, sizeof reused_sql, "SELECT 2");
    assert_int_equal(sqlite__stmt_sql(SS(state), reused_sql, &q), IPS_ERR_INTERNAL);
    assert_null(q.st);
    sqlite__stmt_put(&q); /* zeroed: safe */
}

static const char q_two_statements[] = "SELECT 1; SELECT 2";
static const char q_only_a_comment[] = "  -- nothing here\n";
static const char q_trailing_blanks[] = "SELECT 3;  \n";
static const char q_bad_table[] = "SELECT * FROM no_such_table";

static void stmt_sql_refuses_text_without_exactly_one_statement(void **state)
{
    struct sqlite__stmt q;
    assert_int_equal(sqlite__stmt_sql(SS(state), q_two_statements, &q), IPS_ERR_INTERNAL);
    assert_int_equal(sqlite__stmt_sql(SS(state), q_only_a_comment, &q), IPS_ERR_INTERNAL);
    assert_int_equal(sqlite__stmt_sql(SS(state), q_bad_table, &q), IPS_ERR_DB);
    assert_int_equal(sqlite__stmt_sql(SS(state), q_trailing_blanks, &q), IPS_OK);
    sqlite__stmt_put(&q);
    assert_int_equal(sqlite__stmt_sql(SS(state), q_trailing_blanks, &q), IPS_OK); /* cached */
    assert_false(q.owned);
    sqlite__stmt_put(&q);
}

static const char q_blob_insert[] = "INSERT INTO temp.blobs (k, b) VALUES (?1, ?2)";
static const char q_blob_get[] = "SELECT b, b IS NULL FROM temp.blobs WHERE k = ?1";

/* Read blob k into buf[max]. OUT *len, *is_null. */
static ips_status blob_get(struct sqlite_store *ss, int64_t k, uint8_t *buf, size_t max,
                           size_t *len, bool *is_null)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_sql(ss, q_blob_get, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, k)) || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row) {
        result = IPS_ERR_NOT_FOUND;
        goto out_stmt;
    }
    *is_null = sqlite3_column_int(q.st, 1) != 0;
    result = sqlite__col_blob(q.st, 0, buf, max, len);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static void blob_and_null_binds_round_trip_through_col_blob(void **state)
{
    struct sqlite_store *ss = SS(state);
    assert_int_equal(sqlite__exec(ss, "CREATE TEMP TABLE blobs (k INTEGER PRIMARY KEY, b BLOB)",
                                  "create temp table"),
                     IPS_OK);
    const uint8_t data[5] = {0, 1, 2, 0xfe, 0xff};
    struct sqlite__stmt q;
    for (int64_t k = 1; k <= 4; k++) {
        assert_int_equal(sqlite__stmt_sql(ss, q_blob_insert, &q), IPS_OK);
        assert_int_equal(sqlite__bind_int64(&q, 1, k), IPS_OK);
        ips_status st = k == 1   ? sqlite__bind_blob(&q, 2, data, sizeof data)
                        : k == 2 ? sqlite__bind_blob(&q, 2, data, 0)   /* empty blob */
                        : k == 3 ? sqlite__bind_blob(&q, 2, NULL, 0)   /* NULL */
                                 : sqlite__bind_null(&q, 2);
        assert_int_equal(st, IPS_OK);
        assert_int_equal(sqlite__run(&q, NULL), IPS_OK);
        sqlite__stmt_put(&q);
    }

    uint8_t buf[8];
    size_t len = 99;
    bool is_null = true;
    assert_int_equal(blob_get(ss, 1, buf, sizeof buf, &len, &is_null), IPS_OK);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(buf, data, sizeof data);
    assert_false(is_null);
    assert_int_equal(blob_get(ss, 2, buf, sizeof buf, &len, &is_null), IPS_OK);
    assert_int_equal(len, 0);
    assert_false(is_null);
    assert_int_equal(blob_get(ss, 3, buf, sizeof buf, &len, &is_null), IPS_OK);
    assert_int_equal(len, 0);
    assert_true(is_null);
    assert_int_equal(blob_get(ss, 4, buf, sizeof buf, &len, &is_null), IPS_OK);
    assert_true(is_null);

    uint8_t small[4] = {9, 9, 9, 9};
    len = 42;
    assert_int_equal(blob_get(ss, 1, small, sizeof small, &len, &is_null), IPS_ERR_TOO_LARGE);
    assert_int_equal(len, 42); /* untouched */
    assert_int_equal(small[0], 9);
}

static void page_limit_defaults_to_fifty(void **state)
{
    (void)state;
    assert_int_equal(sqlite__page_limit(0), STORE_LIST_DEFAULT_LIMIT);
    assert_int_equal(sqlite__page_limit(-3), 50);
    assert_int_equal(sqlite__page_limit(7), 7);
}

#define T(name) cmocka_unit_test_setup_teardown(name, testdb_setup, testdb_teardown)
#define T_EMPTY(name) cmocka_unit_test_setup_teardown(name, testdb_setup_unmigrated, testdb_teardown)

int main(void)
{
    log_level_set(LOG_OFF); /* expected failures would otherwise log */
    /* The store contract through the public interface: runs on SQLite
     * (unit/test_store) and on PostgreSQL (pg/unit/test_store,
     * tests/unit/postgres.list). */
    const struct CMUnitTest tests[] = {
        T_EMPTY(empty_database_has_schema_version_zero),
        T_EMPTY(migrate_applies_every_embedded_migration),
        T_EMPTY(second_migrate_applies_nothing),
        T(meta_set_then_get_round_trips_and_overwrites),
        T(meta_get_of_a_missing_key_is_not_found),
        T(meta_get_refuses_a_buffer_too_small_instead_of_truncating),
        T(org_insert_then_get_returns_the_same_org),
        T(org_get_of_a_missing_org_is_not_found_and_leaves_out_alone),
        T(org_with_a_taken_name_or_id_conflicts),
        T(org_with_an_unknown_kind_is_refused),
        T(org_with_an_unterminated_field_is_too_large),
        T(org_list_pages_through_all_orgs_with_the_id_cursor),
        T(org_list_stops_with_the_callbacks_status),
        T(a_listing_callback_may_use_the_store_again),
        T(user_with_unknown_org_is_not_found),
        T(user_with_a_taken_email_conflicts),
        T(user_is_found_by_id_and_by_email),
        T(user_password_change_is_stored),
        T(user_list_filters_by_org_and_pages),
        T(user_disable_sets_and_clears_the_flag),
        T(disabling_an_unknown_user_is_not_found),
        T(session_is_found_by_hash_then_deleted),
        T(session_of_an_unknown_user_is_not_found),
        T(session_purge_deletes_only_expired_sessions),
        T(deleting_a_users_sessions_leaves_other_users_sessions),
        T(token_is_found_by_id_and_hash),
        T(token_revoke_keeps_the_first_revocation_time),
        T(token_list_shows_one_users_tokens_in_id_order),
        T(login_failures_are_counted_by_email_and_by_address_since_a_time),
        T(clearing_failures_forgets_only_that_emails_failures),
        T(login_attempt_with_an_overlong_email_is_too_large),
        T(login_attempts_purge_deletes_only_attempts_before_the_time),
        T(empty_audit_log_has_head_zero_and_a_zero_hash),
        T(audit_insert_advances_the_head),
        T(audit_insert_refuses_any_seq_but_head_plus_one),
        T(audit_list_reads_both_directions_with_cursor_and_limit),
        T(audit_list_returns_every_field_as_inserted),
        T(tx_run_rolls_back_when_the_function_fails),
        T(tx_run_commits_when_the_function_succeeds),
        T(nested_tx_run_is_refused_as_internal_error),
        T(a_conflict_inside_a_transaction_undoes_the_whole_transaction),
        T(tx_run_retries_a_busy_transaction_from_the_start),
        T(tx_run_gives_up_after_five_retries),
    };
    /* White-box SQLite, not run on PostgreSQL: the raw sqlite3 connection to
     * the file (triggers against raw SQL, audit_tamper's SQLite statements,
     * field lengths written behind the store's back), SQLite's URL forms and
     * pragmas, the statement cache and bind helpers of sqlite_internal.h,
     * migration bookkeeping read with SQLite's API, and the durability of a
     * file (WAL group commit, kill -9, failed fsync). PostgreSQL's own
     * session and transaction behaviour is tested in test_store_pg. */
    const struct CMUnitTest sqlite_tests[] = {
        T_EMPTY(migrate_records_each_version_with_name_and_time),
        T_EMPTY(verdict_checks_need_no_temporary_table),
        T_EMPTY(listing_state_check_needs_no_temporary_table),
        T_EMPTY(notice_checks_need_no_temporary_table),
        T_EMPTY(webhook_delivery_check_needs_no_temporary_table),
        T_EMPTY(notices_queue_holds_only_queued_notices),
        T_EMPTY(open_sets_wal_and_foreign_keys),
        T_EMPTY(backend_name_is_sqlite),
        T_EMPTY(postgres_urls_open_the_postgres_backend),
        T_EMPTY(sqlite_prefix_and_memory_urls_open_sqlite),
        T_EMPTY(open_in_a_missing_directory_fails_with_io),
        T(org_text_too_long_for_the_record_is_too_large_on_read),
        T(audit_rows_cannot_be_updated_or_deleted_even_with_raw_sql),
        T(audit_tamper_rewrites_detail_and_leaves_the_trigger_in_place),
        T(audit_tamper_also_works_inside_a_transaction),
        T(data_written_by_one_connection_is_visible_to_another),
        T(data_survives_closing_and_reopening_the_file),
        T(concurrent_commits_are_all_acknowledged_and_all_there_after_reopen),
        T(acknowledged_commits_survive_kill_9_at_random_moments),
        T(file_connections_use_the_barrier_and_memory_ones_sync_fully),
        T(a_failed_sync_fails_the_commit_and_every_later_one),
        T(stmt_sql_caches_one_statement_per_sql_address),
        T(stmt_sql_gives_a_running_statement_a_private_copy),
        T(stmt_sql_falls_back_to_per_use_statements_when_the_cache_is_full),
        T(stmt_sql_refuses_an_address_whose_text_changed),
        T(stmt_sql_refuses_text_without_exactly_one_statement),
        T(blob_and_null_binds_round_trip_through_col_blob),
        T(page_limit_defaults_to_fifty),
    };
    int failed = cmocka_run_group_tests_name("store", tests, NULL, NULL);
    if (!getenv("IPRSHIELD_TEST_PG"))
        failed += cmocka_run_group_tests_name("store (SQLite)", sqlite_tests, NULL, NULL);
    return failed;
}

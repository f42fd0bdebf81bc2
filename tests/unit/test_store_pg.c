/*
 * test_store_pg.c — behaviour both store backends must share, run on SQLite
 * (unit/test_store_pg) and on PostgreSQL (pg/unit/test_store_pg, see
 * tests/unit/postgres.list): the two migration lists carry the same
 * versions, text orders bytewise, a failed transaction leaves nothing, the
 * audit chain accepts only head + 1, and an unlimited audit listing is whole.
 * On PostgreSQL also: each session gets time limits unless it set its own,
 * and the write lock is one per schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "store/pg_internal.h"
#include "store/store.h"
#include "testdb.h"

extern const struct embed_file embed_migrations[];
extern const struct embed_file embed_pg_migrations[];

/* Every SQLite migration has a PostgreSQL twin of the same version, and no
 * PostgreSQL migration lacks its SQLite original. */
static void both_backends_have_the_same_migration_versions(void **state)
{
    (void)state;
    const struct embed_file *a = embed_migrations, *b = embed_pg_migrations;
    int n = 0;
    for (; a->name && b->name; a++, b++, n++) {
        if (strncmp(a->name, b->name, 5) != 0)
            fail_msg("migration %s has no PostgreSQL twin (found %s)", a->name, b->name);
    }
    if (a->name)
        fail_msg("migration %s has no PostgreSQL twin", a->name);
    if (b->name)
        fail_msg("PostgreSQL migration %s has no SQLite original", b->name);
    assert_true(n >= 18);
}

static void the_backend_is_the_one_asked_for(void **state)
{
    struct testdb *t = *state;
    assert_string_equal(store_backend_name(t->s), getenv("IPRSHIELD_TEST_PG") ? "postgres" : "sqlite");
    int version = 0;
    assert_int_equal(store_schema_version(t->s, &version), IPS_OK);
    assert_int_equal(version, store_schema_latest());
}

static void org(struct testdb *t, const char *id, const char *name)
{
    struct store_org o = {.created_ms = 1};
    snprintf(o.id, sizeof o.id, "%s", id);
    snprintf(o.name, sizeof o.name, "%s", name);
    snprintf(o.kind, sizeof o.kind, "seller");
    assert_int_equal(store_org_insert(t->s, &o), IPS_OK);
}

struct ids {
    char got[8][32];
    int n;
};

static ips_status collect_org(const struct store_org *o, void *arg)
{
    struct ids *ids = arg;
    if (ids->n < 8)
        snprintf(ids->got[ids->n++], sizeof ids->got[0], "%s", o->id);
    return IPS_OK;
}

/* Cursor pagination relies on "id > after ORDER BY id" meaning bytewise
 * order on both backends: upper case before '_' before lower case. */
static void text_orders_bytewise_and_pages_by_cursor(void **state)
{
    struct testdb *t = *state;
    org(t, "a1", "shop a1");
    org(t, "Z1", "shop Z1");
    org(t, "_x", "shop _x");
    org(t, "B2", "shop B2");
    struct ids ids = {0};
    assert_int_equal(store_org_list(t->s, NULL, NULL, 2, collect_org, &ids), IPS_OK);
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.got[0], "B2");
    assert_string_equal(ids.got[1], "Z1");
    struct ids rest = {0};
    assert_int_equal(store_org_list(t->s, NULL, "Z1", 10, collect_org, &rest), IPS_OK);
    assert_int_equal(rest.n, 2);
    assert_string_equal(rest.got[0], "_x");
    assert_string_equal(rest.got[1], "a1");
    struct ids one = {0};
    assert_int_equal(store_org_list(t->s, "_x", NULL, 10, collect_org, &one), IPS_OK);
    assert_int_equal(one.n, 1);
}

static ips_status insert_two_with_the_same_name(struct store *s, void *arg)
{
    (void)arg;
    struct store_org a = {.id = "o1", .name = "same", .kind = "seller", .created_ms = 1};
    struct store_org b = {.id = "o2", .name = "same", .kind = "seller", .created_ms = 1};
    ips_status st = store_org_insert(s, &a);
    return st ? st : store_org_insert(s, &b);
}

static void a_failed_transaction_leaves_nothing_and_the_connection_works(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(store_tx_run(t->s, insert_two_with_the_same_name, NULL), IPS_ERR_CONFLICT);
    struct store_org o;
    assert_int_equal(store_org_get(t->s, "o1", &o), IPS_ERR_NOT_FOUND);
    org(t, "o3", "after the failure");
    assert_int_equal(store_org_get(t->s, "o3", &o), IPS_OK);
    assert_string_equal(o.name, "after the failure");
    /* a user of a missing organisation: the foreign key answers NOT_FOUND */
    struct store_user u = {.id = "u1", .org_id = "nope", .email = "u@x.test", .role = "seller",
                           .pw_hash = "h", .created_ms = 1};
    assert_int_equal(store_user_insert(t->s, &u), IPS_ERR_NOT_FOUND);
}

static ips_status count_event(const struct store_audit_event *ev, void *arg)
{
    (void)ev;
    (*(int *)arg)++;
    return IPS_OK;
}

static void the_audit_chain_takes_only_head_plus_one(void **state)
{
    struct testdb *t = *state;
    int64_t head = 0;
    uint8_t hash[STORE_HASH_LEN];
    assert_int_equal(store_audit_head(t->s, &head, hash), IPS_OK);
    for (int i = 1; i <= 3; i++) {
        struct store_audit_event ev = {.seq = head + i, .ts_ms = 5, .actor = "sys",
                                       .action = "test", .object = "x", .outcome = "ok"};
        memset(ev.prev_hash, i, sizeof ev.prev_hash);
        memset(ev.hash, i + 1, sizeof ev.hash);
        assert_int_equal(store_audit_insert(t->s, &ev), IPS_OK);
    }
    struct store_audit_event gap = {.seq = head + 5, .actor = "sys", .action = "test",
                                    .object = "x", .outcome = "ok"};
    assert_int_equal(store_audit_insert(t->s, &gap), IPS_ERR_CONFLICT);
    int64_t now = 0;
    assert_int_equal(store_audit_head(t->s, &now, hash), IPS_OK);
    assert_int_equal(now, head + 3);
    uint8_t want[STORE_HASH_LEN];
    memset(want, 4, sizeof want);
    assert_memory_equal(hash, want, sizeof want);
    int n = 0;
    assert_int_equal(store_audit_list(t->s, false, 0, 0, count_event, &n), IPS_OK);
    assert_int_equal(n, (int)(head + 3));
    n = 0;
    assert_int_equal(store_audit_list(t->s, true, 0, 2, count_event, &n), IPS_OK);
    assert_int_equal(n, 2);
}


/* ---- PostgreSQL sessions ---------------------------------------------------------- */

/* A setting of store s's session, in milliseconds (s is a PostgreSQL store). */
static int64_t setting_ms(struct store *s, const char *name)
{
    const char *params[1] = {name};
    PGresult *res = PQexecParams(pg__from(s)->conn,
                                 "SELECT (extract(epoch FROM current_setting($1)::interval)"
                                 " * 1000)::bigint",
                                 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    int64_t ms = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return ms;
}

/* Open a store on schema (created if missing) of the test database, its
 * session's lock_timeout set by the URL to 100 ms. */
static struct store *open_schema(const char *schema)
{
    const char *pg = getenv("IPRSHIELD_TEST_PG");
    char url[512];
    snprintf(url, sizeof url, "%s%soptions=-csearch_path%%3D%s%%20-clock_timeout%%3D100ms", pg,
             strchr(pg, '?') ? "&" : "?", schema);
    struct store *s = NULL;
    assert_int_equal(store_open(url, &s), IPS_OK);
    return s;
}

static ips_status write_nothing(struct store *s, void *arg)
{
    (void)s;
    (void)arg;
    return IPS_OK;
}

struct others {
    struct store *same, *other;
    ips_status same_got, other_got;
};

/* Inside a write transaction of the test's schema: a writer of another
 * schema goes ahead, one of the same schema waits and, past its
 * lock_timeout, gives up (IPS_ERR_BUSY, after store_tx_run's retries). */
static ips_status write_beside(struct store *s, void *arg)
{
    (void)s;
    struct others *o = arg;
    o->other_got = store_tx_run(o->other, write_nothing, NULL);
    o->same_got = store_tx_run(o->same, write_nothing, NULL);
    return IPS_OK;
}

static void sessions_have_time_limits_and_each_schema_its_own_write_lock(void **state)
{
    struct testdb *t = *state;
    if (!testdb_on_postgres(t))
        skip();
    /* the defaults of store_postgres.c */
    assert_int_equal(setting_ms(t->s, "lock_timeout"), 30000);
    assert_int_equal(setting_ms(t->s, "idle_in_transaction_session_timeout"), 60000);
    /* a value the URL sets is kept */
    char schema[128], other[160];
    PGresult *res = PQexec(pg__from(t->s)->conn, "SELECT current_schema()");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    snprintf(schema, sizeof schema, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    snprintf(other, sizeof other, "%s_other", schema);
    struct others o = {.same = open_schema(schema), .other = open_schema(other)};
    assert_int_equal(setting_ms(o.same, "lock_timeout"), 100);
    assert_int_equal(setting_ms(o.same, "idle_in_transaction_session_timeout"), 60000);
    assert_int_equal(store_tx_run(t->s, write_beside, &o), IPS_OK);
    assert_int_equal(o.other_got, IPS_OK);
    assert_int_equal(o.same_got, IPS_ERR_BUSY);
    /* the lock went with the transaction */
    assert_int_equal(store_tx_run(o.same, write_nothing, NULL), IPS_OK);
    char drop[200];
    snprintf(drop, sizeof drop, "DROP SCHEMA %s", other);
    assert_int_equal(testdb_exec_sql(t, drop), IPS_OK);
    store_close(o.same);
    store_close(o.other);
}

/* pg__fts_strings hands over each string of a search query, undoubled;
 * pg__fts_tsquery writes them as tsquery operands, escaped, ANDed. */
static void search_strings_become_escaped_tsquery_operands(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(pg__fts_tsquery("\"red bag\" \"it's\"* \"a\"\"b\\c\" word", out,
                                     sizeof out),
                     IPS_OK);
    assert_string_equal(out, "'red bag' & 'it\\'s':* & 'a\"b\\\\c' & 'word'");
    /* other syntax, an empty string, no string: refused */
    assert_int_equal(pg__fts_tsquery("\"open", out, sizeof out), IPS_ERR_INVALID);
    assert_int_equal(pg__fts_tsquery("\"a\"b", out, sizeof out), IPS_ERR_INVALID);
    assert_int_equal(pg__fts_tsquery("\"\"", out, sizeof out), IPS_ERR_INVALID);
    assert_int_equal(pg__fts_tsquery("   ", out, sizeof out), IPS_ERR_INVALID);
    /* exactly the room needed, and one byte less */
    assert_int_equal(pg__fts_tsquery("\"abc\"*", out, 8), IPS_OK);
    assert_string_equal(out, "'abc':*");
    assert_int_equal(pg__fts_tsquery("\"abc\"*", out, 7), IPS_ERR_TOO_LARGE);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, testdb_setup, testdb_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_backends_have_the_same_migration_versions),
        cmocka_unit_test(search_strings_become_escaped_tsquery_operands),
        T(the_backend_is_the_one_asked_for),
        T(text_orders_bytewise_and_pages_by_cursor),
        T(a_failed_transaction_leaves_nothing_and_the_connection_works),
        T(the_audit_chain_takes_only_head_plus_one),
        T(sessions_have_time_limits_and_each_schema_its_own_write_lock),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

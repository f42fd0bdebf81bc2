/*
 * testdb.c — the shared unit-test fixture (see testdb.h for the contract).
 * Failures inside setup fail the running cmocka test, as the per-file
 * setups it replaces did; nothing here calls exit().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

#include "catalog/catalog.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/pg_internal.h"
#include "store/sqlite_internal.h"

/* nftw callback: remove one entry, children before their directory. */
static int testdb__remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

/*
 * The database the fixture opens: the SQLite file t->path, or, when
 * IPRSHIELD_TEST_PG holds a PostgreSQL URI (scripts/pg-test-cluster.sh run),
 * a schema of that database of its own (created by the store on open), named
 * after the tag, the process and a counter, so that every test starts empty.
 * OUT url[cap].
 */
static void testdb__url(const struct testdb *t, const char *tag, char *url, size_t cap)
{
    static unsigned counter;
    const char *pg = getenv("IPRSHIELD_TEST_PG");
    if (!pg || !*pg) {
        snprintf(url, cap, "%s", t->path);
        return;
    }
    char schema[64];
    int n = snprintf(schema, sizeof schema, "t_%s_%ld_%u", tag, (long)getpid(), counter++);
    for (int i = 0; i < n && (size_t)i < sizeof schema; i++)
        if (!((schema[i] >= 'a' && schema[i] <= 'z') || (schema[i] >= '0' && schema[i] <= '9')))
            schema[i] = '_';
    n = snprintf(url, cap, "%s%soptions=-csearch_path%%3D%s", pg, strchr(pg, '?') ? "&" : "?",
                 schema);
    if (n < 0 || (size_t)n >= cap)
        fail_msg("testdb_open: IPRSHIELD_TEST_PG too long");
}

/* Open t; migrate when asked. Every failure path ends in testdb_close and
 * fail_msg, so a failed setup leaves nothing behind in /tmp. */
static void testdb__open(struct testdb *t, const char *tag, bool migrate)
{
    char err[256];
    const char *what = NULL;
    ips_status st = IPS_OK;
    memset(t, 0, sizeof *t);
    int n = snprintf(t->dir, sizeof t->dir, "/tmp/ips-%s-XXXXXX", tag);
    if (n < 0 || (size_t)n >= sizeof t->dir) {
        t->dir[0] = '\0';
        fail_msg("testdb_open: tag \"%s\" too long", tag);
    }
    if (!mkdtemp(t->dir)) {
        t->dir[0] = '\0';
        fail_msg("testdb_open: mkdtemp: %s", strerror(errno));
    }
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    err[0] = '\0';
    if ((st = config_load(&t->cfg, err, sizeof err)) != IPS_OK) {
        what = "config_load";
        goto fail;
    }
    testdb__url(t, tag, t->url, sizeof t->url);
    if ((st = store_open(t->url, &t->s)) != IPS_OK) {
        what = "store_open";
        goto fail;
    }
    /* a run meant for PostgreSQL must not pass on SQLite by mistake */
    if (getenv("IPRSHIELD_TEST_PG") && strcmp(store_backend_name(t->s), "postgres") != 0) {
        what = "IPRSHIELD_TEST_PG is set but the store is not PostgreSQL";
        st = IPS_ERR_INTERNAL;
        goto fail;
    }
    if (migrate && (st = store_migrate(t->s, NULL)) != IPS_OK) {
        what = "store_migrate";
        goto fail;
    }
    t->ctx.errors = json_array();
    if (!t->ctx.errors) {
        what = "json_array";
        st = IPS_ERR_NOMEM;
        goto fail;
    }
    access_principal_system(&t->sys);
    t->ctx.store = t->s;
    t->ctx.actor = &t->sys;
    t->ctx.cfg = &t->cfg;
    t->ctx.addr = "cli";
    return;
fail:
    testdb_close(t);
    fail_msg("testdb_open: %s: %s %s", what, ips_status_name(st), err);
}

void testdb_open(struct testdb *t, const char *tag)
{
    testdb__open(t, tag, true);
}

void testdb_open_unmigrated(struct testdb *t, const char *tag)
{
    testdb__open(t, tag, false);
}

int testdb_close(struct testdb *t)
{
    int rc = 0;
    if (t->s) {
        store_close(t->s);
        t->s = NULL;
    }
    t->ctx.store = NULL;
    json_decref(t->ctx.errors);
    t->ctx.errors = NULL;
    config_release(&t->cfg);
    if (t->dir[0]) {
        /* depth first, not following links: the tree is ours, what it
         * points to is not */
        if (nftw(t->dir, testdb__remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
            rc = -1;
        t->dir[0] = '\0';
    }
    return rc;
}

static int testdb__setup(void **state, bool migrate)
{
    struct testdb *t = calloc(1, sizeof *t);
    assert_non_null(t);
    *state = t;
    testdb__open(t, "unit", migrate);
    return 0;
}

int testdb_setup(void **state)
{
    return testdb__setup(state, true);
}

int testdb_setup_unmigrated(void **state)
{
    return testdb__setup(state, false);
}

int testdb_teardown(void **state)
{
    struct testdb *t = *state;
    int rc = testdb_close(t);
    free(t);
    assert_int_equal(rc, 0);
    return 0;
}

struct ips_ctx *testdb_act_as(struct testdb *t, const struct access_principal *p)
{
    t->ctx.actor = p;
    json_array_clear(t->ctx.errors);
    t->ctx.detail[0] = '\0';
    return &t->ctx;
}

struct access_principal testdb_principal_of(const struct store_user *u)
{
    struct access_principal p;
    memset(&p, 0, sizeof p);
    p.via = VIA_TOKEN;
    access_role_parse(u->role, &p.role);
    memcpy(p.user_id, u->id, sizeof p.user_id);
    memcpy(p.org_id, u->org_id, sizeof p.org_id);
    return p;
}

struct access_principal testdb_principal_make(enum access_role role, const char *user_id,
                                              const char *org_id)
{
    struct access_principal p;
    memset(&p, 0, sizeof p);
    p.via = VIA_TOKEN;
    p.role = role;
    snprintf(p.user_id, sizeof p.user_id, "%s", user_id);
    snprintf(p.org_id, sizeof p.org_id, "%s", org_id);
    return p;
}

void testdb_org_add(struct testdb *t, const char *name, const char *kind, struct store_org *out)
{
    assert_int_equal(access_org_create(&t->ctx, name, kind, out), IPS_OK);
}

ips_status testdb_user_create(struct testdb *t, const char *email, const char *role,
                              const char *org_id, struct store_user *out)
{
    return access_user_create(&t->ctx, email, TESTDB_PASSWORD, role, org_id, out);
}

void testdb_user_add(struct testdb *t, const char *email, const char *role,
                     const struct store_org *org, struct store_user *user,
                     struct access_principal *as)
{
    struct store_user u;
    assert_int_equal(testdb_user_create(t, email, role, org->id, &u), IPS_OK);
    if (user)
        *user = u;
    if (as)
        *as = testdb_principal_of(&u);
}

void testdb_seller_put(struct testdb *t, const char *ext, const char *idents, const char *attach,
                       char org_id[ID_SIZE])
{
    char text[512];
    snprintf(text, sizeof text, "{\"id\": \"%s\", \"name\": \"%s\", \"identifiers\": %s}", ext, ext,
             idents);
    json_t *obj = json_loads(text, 0, NULL);
    assert_non_null(obj);
    struct store_seller sp;
    struct ips_ctx *ctx = testdb_act_as(t, &t->sys);
    ips_status st = catalog_seller_put(ctx, obj, attach, &sp, NULL);
    if (st)
        fail_msg("seller_put %s: %s (%s)", ext, ips_status_slug(st), ctx->detail);
    json_decref(obj);
    memcpy(org_id, sp.org_id, ID_SIZE);
}

/* ---- SQL behind the domain's back ------------------------------------------------- */

bool testdb_on_postgres(const struct testdb *t)
{
    return t->s && strcmp(store_backend_name(t->s), "postgres") == 0;
}

ips_status testdb_exec_sql(struct testdb *t, const char *sql)
{
    assert_non_null(t->s);
    if (testdb_on_postgres(t)) {
        PGresult *res = PQexec(pg__from(t->s)->conn, sql);
        ExecStatusType rs = PQresultStatus(res);
        ips_status st = IPS_OK;
        if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
            fprintf(stderr, "testdb_exec_sql: %s", PQresultErrorMessage(res));
            st = pg__status(pg__from(t->s), res, "testdb_exec_sql");
        }
        PQclear(res);
        return st;
    }
    char *err = NULL;
    int rc = sqlite3_exec(sqlite__from(t->s)->db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "testdb_exec_sql: %s\n", err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return rc == SQLITE_OK ? IPS_OK : sqlite__status(sqlite__from(t->s), rc, "testdb_exec_sql");
}

int64_t testdb_query_int64(struct testdb *t, const char *sql)
{
    assert_non_null(t->s);
    int64_t n = 0;
    if (testdb_on_postgres(t)) {
        PGresult *res = PQexec(pg__from(t->s)->conn, sql);
        bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 &&
                  PQnfields(res) > 0 && !PQgetisnull(res, 0, 0);
        if (ok)
            n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        else
            fprintf(stderr, "testdb_query_int64: %s: %s\n", sql, PQresultErrorMessage(res));
        PQclear(res);
        assert_true(ok);
        return n;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(sqlite__from(t->s)->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "testdb_query_int64: %s: %s\n", sql, sqlite3_errmsg(sqlite__from(t->s)->db));
    sqlite3_finalize(st);
    assert_int_equal(rc, SQLITE_ROW);
    return n;
}

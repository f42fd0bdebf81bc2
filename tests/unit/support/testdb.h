/*
 * testdb.h — the fixture most unit tests share: a fresh, migrated SQLite
 * store in its own mkdtemp() directory under /tmp, the default
 * configuration, the system principal, and a context acting as it.
 *
 * Invariants, between testdb_open() and testdb_close():
 *   - dir is a directory this fixture created and owns; path is the database
 *     file inside it. Everything below dir is removed by testdb_close(),
 *     whoever wrote it (the store's -wal/-shm/-journal files, key files a
 *     test asked the code under test to write, files the test wrote itself).
 *   - s is open; cfg is loaded (config_load: defaults, then the environment).
 *   - ctx.store == s, ctx.cfg == &cfg, ctx.errors is a JSON array owned by
 *     the fixture; ctx.actor is &sys until a test changes it; ctx.addr is
 *     "cli" until a test changes it (a string the test keeps alive).
 *
 * Failure: the functions that cannot usefully report a status fail the
 * running cmocka test (cmocka's fail_msg / assert_*), as the hand-written
 * setups did; testdb_open() removes what it made before it fails.
 *
 * The struct is movable only before testdb_open(): ctx points into it.
 * Embed it in a test's own fixture (`struct fixture { struct testdb db; ...}`)
 * or use it alone through testdb_setup() / testdb_teardown().
 */
#ifndef IPS_TESTS_UNIT_SUPPORT_TESTDB_H
#define IPS_TESTS_UNIT_SUPPORT_TESTDB_H

#include "access/access.h"
#include "core/config.h"
#include "store/store.h"

/* The password of every user the helpers create (>= ACCESS_PASSWORD_MIN). */
#define TESTDB_PASSWORD "correct horse battery"

struct testdb {
    char dir[64];   /* "/tmp/ips-<tag>-XXXXXX", made by mkdtemp */
    char path[128]; /* dir + "/t.db" */
    char url[512];  /* what store_open was given: a test's second connection opens it too */
    struct store *s;
    struct config cfg;
    struct access_principal sys;
    struct ips_ctx ctx;
};

/* ---- lifecycle ------------------------------------------------------------------ */

/* Make the directory (tag names it, for finding leftovers: "access" gives
 * /tmp/ips-access-XXXXXX), load the configuration, open and migrate the
 * store, and set up sys and ctx as described above. *t is overwritten.
 * On any failure: removes what it made and fails the running test. */
void testdb_open(struct testdb *t, const char *tag);

/* The same without store_migrate: an empty schema, for the store's own
 * migration tests. */
void testdb_open_unmigrated(struct testdb *t, const char *tag);

/* Close the store (if open), free ctx.errors and the configuration, and
 * remove dir and everything below it. Safe on a zeroed or partly opened
 * struct and when called twice. Result: 0 when the directory is gone (or was
 * never made), -1 when something could not be removed (errno of the first
 * failure is left set). */
int testdb_close(struct testdb *t);

/* cmocka setup/teardown for a test whose whole fixture is a struct testdb:
 * *state becomes a heap struct testdb opened with tag "unit" (migrated, or
 * not for testdb_setup_unmigrated). testdb_teardown closes *state, frees it,
 * and fails the test unless the directory was removed; it also serves any
 * heap fixture whose FIRST member is a struct testdb (a pointer to a struct
 * points to its first member, C17 6.7.2.1p15) and that owns nothing else. */
int testdb_setup(void **state);
int testdb_setup_unmigrated(void **state);
int testdb_teardown(void **state);

/* ---- acting ---------------------------------------------------------------------- */

/* Make p the actor of t->ctx and empty ctx.errors and ctx.detail, so that
 * the next call's refusals are its own. p must outlive its use as actor.
 * Result: &t->ctx. */
struct ips_ctx *testdb_act_as(struct testdb *t, const struct access_principal *p);

/* A principal for user u as if it had presented an API token: via
 * VIA_TOKEN, u's role, user id and org id; everything else zero. */
struct access_principal testdb_principal_of(const struct store_user *u);

/* A principal that no user row stands behind: VIA_TOKEN with the given role,
 * user_id and org_id (each copied, truncated to the field). For tests of
 * domain functions that check only the role and the organisation. */
struct access_principal testdb_principal_make(enum access_role role, const char *user_id,
                                              const char *org_id);

/* ---- organisations and users, through the real domain functions ---------------- */

/* access_org_create through t->ctx as its current actor; fails the running
 * test unless it returns IPS_OK. OUT *out: the org. */
void testdb_org_add(struct testdb *t, const char *name, const char *kind, struct store_org *out);

/* access_user_create(&t->ctx, email, TESTDB_PASSWORD, role, org_id, out) as
 * the context's current actor. Result: its status (validation errors are
 * appended to t->ctx.errors, as for any call). */
ips_status testdb_user_create(struct testdb *t, const char *email, const char *role,
                              const char *org_id, struct store_user *out);

/* testdb_user_create in org, failing the running test unless IPS_OK.
 * OUT *user (may be NULL): the user; OUT *as (may be NULL):
 * testdb_principal_of the user. */
/* A seller profile with identifiers (idents: JSON object text) through
 * catalog_seller_put as the system, attached to org attach (NULL: a new
 * org); ext is its external id and name. Fails the running test unless
 * IPS_OK. OUT org_id. */
void testdb_seller_put(struct testdb *t, const char *ext, const char *idents, const char *attach,
                       char org_id[ID_SIZE]);

void testdb_user_add(struct testdb *t, const char *email, const char *role,
                     const struct store_org *org, struct store_user *user,
                     struct access_principal *as);

/* ---- SQL behind the domain's back, on either backend ------------------------------ */

/* Whether t's store is the PostgreSQL backend (an IPRSHIELD_TEST_PG run). */
bool testdb_on_postgres(const struct testdb *t);

/* The text for t's backend: sqlite_sql on SQLite, pg_sql on PostgreSQL, for
 * the tests that must write a statement in each dialect (triggers, blobs,
 * catalogs differ). */
#define TESTDB_SQL(t, sqlite_sql, pg_sql) (testdb_on_postgres(t) ? (pg_sql) : (sqlite_sql))

/* Run sql (one or more statements, no parameters, no result wanted) on t's
 * own connection, outside any transaction, as the test's tampering with the
 * database: sqlite3_exec on SQLite, PQexec on PostgreSQL. Result: IPS_OK or
 * the backend's status for the failure (so a test can expect a trigger to
 * refuse); the server's or SQLite's message is written to stderr. */
ips_status testdb_exec_sql(struct testdb *t, const char *sql);

/* The first column of the first row of a query that yields an integer (a
 * count), on t's own connection. Fails the running test when the query
 * fails or yields no row. */
int64_t testdb_query_int64(struct testdb *t, const char *sql);

#endif

/*
 * test_search_index.c — the listing search index of migration 0018
 * (listings_fts rebuilt with row sizes, from the current versions only) on
 * a database that already holds listings, and the bound on a catalog-wide
 * search's ranking (the newest 10,000 matches; sqlite_catalog.c,
 * pg_catalog.c). The migration test is SQLite's alone (see there); the
 * bound runs on both backends (tests/unit/postgres.list).
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
#include "store/store_catalog.h"
#include "testdb.h"

#define HASH_HEX "0000000000000000000000000000000000000000000000000000000000000000"
#define HASH "x'" HASH_HEX "'"
#define HASH_PG "'\\x" HASH_HEX "'::bytea"

static void sql(struct testdb *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(struct testdb *t, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof text);
    assert_int_equal(testdb_exec_sql(t, text), IPS_OK);
}

/* One listing version (vrow) of listing id; current: the listing's row too. */
static void version(struct testdb *t, const char *seller, const char *id, int vrow, int ver,
                    const char *title, const char *description, int current)
{
    sql(t,
        "INSERT INTO listing_versions (vrow, listing_id, version, title, description,"
        " price_minor, currency, category, content_hash, created_ms)"
        " VALUES (%d, '%s', %d, '%s', '%s', 100, 'USD', 'watches', " HASH ", %d)",
        vrow, id, ver, title, description, vrow);
    if (current)
        sql(t,
            "INSERT INTO listings (id, seller_org_id, current_version, current_hash,"
            " current_vrow, created_ms, updated_ms) VALUES ('%s', '%s', %d, " HASH ", %d, 1, %d)",
            id, seller, ver, vrow, vrow);
}

struct hits {
    int n;
    char id[16][STORE_LISTING_ID_MAX + 1];
};

static ips_status take(const struct store_listing *l, const struct store_listing_version *v,
                       void *arg)
{
    (void)v;
    struct hits *h = arg;
    if (h->n < 16)
        snprintf(h->id[h->n], sizeof h->id[h->n], "%s", l->id);
    h->n++;
    return IPS_OK;
}

static struct hits search(struct testdb *t, const char *fts, int64_t offset, int limit)
{
    struct hits h;
    memset(&h, 0, sizeof h);
    assert_int_equal(store_catalog_listing_search(t->s, fts, NULL, offset, limit, take, &h),
                     IPS_OK);
    return h;
}

static int64_t count(struct testdb *t, const char *q)
{
    return testdb_query_int64(t, q);
}

extern const struct embed_file embed_migrations[];

/* Run the text of the SQLite migration whose file name starts with prefix. */
static void apply_migration(struct testdb *t, const char *prefix)
{
    const struct embed_file *f = embed_migrations;
    while (f->name && strncmp(f->name, prefix, strlen(prefix)) != 0)
        f++;
    assert_non_null(f->name);
    assert_int_equal(testdb_exec_sql(t, (const char *)f->data), IPS_OK);
}

static ips_status add_version_tx(struct store *s, void *arg)
{
    return store_catalog_listing_add_version(s, arg);
}

static void the_migration_indexes_the_current_versions_of_an_existing_database(void **state)
{
    struct testdb *t = *state;
    /* SQLite only: PostgreSQL's 0018 rebuilds nothing (its listings_fts is
     * a tsvector per row, whose length ts_rank reads from the row itself),
     * and a database "as 0003 left it" is an FTS5 table without sizes. */
    if (testdb_on_postgres(t))
        skip();
    struct store_org seller;
    testdb_org_add(t, "Shop", "seller", &seller);
    /* a database as 0003 left it: listing A has an old version (alpha);
     * one transaction (a version refers to its listing, deferred) */
    sql(t, "BEGIN");
    version(t, seller.id, "A", 1, 1, "alpha watch", "steel", 0);
    version(t, seller.id, "A", 2, 2, "bravo watch", "steel", 1);
    version(t, seller.id, "B", 3, 1, "charlie watch", "gold", 1);
    version(t, seller.id, "C", 4, 1, "delta strap", "fits a watch", 1);
    sql(t, "COMMIT");
    /* (and without 0019's view over the versions) */
    sql(t, "DROP TABLE listings_fts; DROP INDEX notices_right; DROP VIEW IF EXISTS listings_fts_rows;"
           " CREATE VIRTUAL TABLE listings_fts USING fts5 (title, description,"
           " content = 'listing_versions', content_rowid = 'vrow', columnsize = 0,"
           " tokenize = 'unicode61 remove_diacritics 2');"
           " INSERT INTO listings_fts (rowid, title, description) SELECT v.vrow, v.title,"
           " v.description FROM listings l JOIN listing_versions v ON v.vrow = l.current_vrow;");
    assert_int_equal(count(t, "SELECT count(*) FROM sqlite_master WHERE name = 'listings_fts_docsize'"), 0);

    /* 0018's own text (store_migrate would re-run every later migration
     * too, which this partial reset does not undo), then 0019's, which
     * makes the index of today from it */
    apply_migration(t, "0018_");
    /* one size row per listing: its current version, not the old one */
    assert_int_equal(count(t, "SELECT count(*) FROM listings_fts_docsize"), 3);
    assert_int_equal(count(t, "SELECT min(id) FROM listings_fts_docsize"), 2);
    apply_migration(t, "0019_");
    struct hits h = search(t, "\"watch\"", 0, 10);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.id[2], "C"); /* a description match ranks last */
    assert_int_equal(search(t, "\"alpha\"", 0, 10).n, 0);
    h = search(t, "\"bravo\"", 0, 10);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], "A");

    /* the store keeps it in step after the rebuild: B's new version replaces it */
    struct store_listing_version v;
    memset(&v, 0, sizeof v);
    snprintf(v.listing_id, sizeof v.listing_id, "B");
    v.version = 2;
    snprintf(v.title, sizeof v.title, "echo strap");
    snprintf(v.description, sizeof v.description, "rubber");
    v.price_minor = 100;
    snprintf(v.currency, sizeof v.currency, "USD");
    snprintf(v.category, sizeof v.category, "watches");
    snprintf(v.images, sizeof v.images, "[]");
    v.created_ms = 10;
    assert_int_equal(store_tx_run(t->s, add_version_tx, &v), IPS_OK);
    assert_int_equal(search(t, "\"charlie\"", 0, 10).n, 0);
    h = search(t, "\"echo\"", 0, 10);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], "B");
    assert_int_equal(search(t, "\"watch\"", 0, 10).n, 2);
    assert_int_equal(search(t, "\"strap\"", 0, 10).n, 2);
    assert_int_equal(count(t, "SELECT count(*) FROM listings_fts_docsize"), 3);
    /* and the index of notices by right holder exists again */
    assert_int_equal(count(t, "SELECT count(*) FROM sqlite_master WHERE name = 'notices_right'"), 1);
}

static void a_broad_search_ranks_the_newest_ten_thousand_matches(void **state)
{
    struct testdb *t = *state;
    struct store_org seller;
    testdb_org_add(t, "Shop", "seller", &seller);
    /* 10,050 listings with "watch" in the title; the oldest (vrow 1) is the
     * best match of all, and the only "rare" one; vrow 9000 the best of
     * the newest 10,000 */
    sql(t, "BEGIN");
    if (testdb_on_postgres(t)) {
        /* the same rows in PostgreSQL's dialect; the document is what
         * pg_catalog.c's fts_document makes of plain ASCII words: the
         * title's tokens weight A, the description's weight D */
        sql(t,
            "INSERT INTO listing_versions (vrow, listing_id, version, title, description,"
            " price_minor, currency, category, content_hash, created_ms) OVERRIDING SYSTEM VALUE"
            " SELECT i, 'L' || i, 1, CASE i WHEN 1 THEN 'watch watch rare' WHEN 9000 THEN"
            " 'watch watch' ELSE 'watch with a long title of many more words' END, 'steel', 100,"
            " 'USD', 'watches', " HASH_PG ", i FROM generate_series(1, 10050) AS k (i)");
        sql(t,
            "INSERT INTO listings (id, seller_org_id, current_version, current_hash, current_vrow,"
            " created_ms, updated_ms) SELECT listing_id, '%s', 1, " HASH_PG ", vrow, vrow, vrow"
            " FROM listing_versions;"
            " INSERT INTO listings_fts (vrow, doc, seller_org_id)"
            " SELECT vrow, setweight(to_tsvector('simple', title), 'A') ||"
            " to_tsvector('simple', description), '%s' FROM listing_versions; COMMIT",
            seller.id, seller.id);
    } else {
        sql(t,
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 10050)"
            " INSERT INTO listing_versions (vrow, listing_id, version, title, description,"
            " price_minor, currency, category, content_hash, created_ms)"
            " SELECT i, 'L' || i, 1, CASE i WHEN 1 THEN 'watch watch rare' WHEN 9000 THEN"
            " 'watch watch' ELSE 'watch with a long title of many more words' END, 'steel', 100,"
            " 'USD', 'watches', " HASH ", i FROM k");
        sql(t,
            "INSERT INTO listings (id, seller_org_id, current_version, current_hash, current_vrow,"
            " created_ms, updated_ms) SELECT listing_id, '%s', 1, " HASH ", vrow, vrow, vrow"
            " FROM listing_versions;"
            " INSERT INTO listings_fts (rowid, title, description)"
            " SELECT vrow, title, description FROM listing_versions; COMMIT",
            seller.id);
    }
    struct hits h = search(t, "\"watch\"", 0, 3);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.id[0], "L9000"); /* not L1: older than the newest 10,000 */
    assert_int_equal(search(t, "\"watch\"", 9998, 5).n, 2);
    assert_int_equal(search(t, "\"watch\"", 10000, 5).n, 0);
    /* the bound counts a query's own matches: a narrow one still finds L1 */
    h = search(t, "\"watch\" \"rare\"", 0, 5);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], "L1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            the_migration_indexes_the_current_versions_of_an_existing_database, testdb_setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(a_broad_search_ranks_the_newest_ten_thousand_matches,
                                        testdb_setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_seller_search.c — a seller's search of its own listings (migration
 * 0019: the seller's org id indexed with each listing; sqlite_catalog.c,
 * pg_catalog.c): the seller's matches only, ranked and paged exactly as
 * the catalog-wide search ranks them, kept in step when a listing gets a
 * new version, and no search ever matching an org id. Runs on both
 * backends (tests/unit/postgres.list).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_catalog.h"
#include "testdb.h"

#define MAX_HITS 16

struct hits {
    int n;
    char id[MAX_HITS][STORE_LISTING_ID_MAX + 1];
    char seller[MAX_HITS][ID_SIZE];
};

static ips_status take(const struct store_listing *l, const struct store_listing_version *v,
                       void *arg)
{
    (void)v;
    struct hits *h = arg;
    assert_true(h->n < MAX_HITS);
    snprintf(h->id[h->n], sizeof h->id[h->n], "%s", l->id);
    snprintf(h->seller[h->n], sizeof h->seller[h->n], "%s", l->seller_org_id);
    h->n++;
    return IPS_OK;
}

/* The hits of fts for seller (NULL: catalog-wide); the status must be want. */
static struct hits search(struct testdb *t, const char *fts, const char *seller, int64_t offset,
                          int limit, ips_status want)
{
    struct hits h;
    memset(&h, 0, sizeof h);
    assert_int_equal(store_catalog_listing_search(t->s, fts, seller, offset, limit, take, &h),
                     want);
    return h;
}

/* The listing a test writes: id, seller, title, description (version 1). */
struct listing_args {
    const char *id, *seller, *title, *description;
    int64_t version;
};

static void fill_version(const struct listing_args *a, struct store_listing_version *v)
{
    memset(v, 0, sizeof *v);
    snprintf(v->listing_id, sizeof v->listing_id, "%s", a->id);
    v->version = a->version;
    snprintf(v->title, sizeof v->title, "%s", a->title);
    snprintf(v->description, sizeof v->description, "%s", a->description);
    v->price_minor = 100;
    snprintf(v->currency, sizeof v->currency, "EUR");
    snprintf(v->category, sizeof v->category, "watches");
    snprintf(v->images, sizeof v->images, "[]");
    v->content_hash[0] = (uint8_t)a->version;
    v->created_ms = 1000 + a->version;
}

static ips_status insert_tx(struct store *s, void *arg)
{
    const struct listing_args *a = arg;
    struct store_listing l;
    struct store_listing_version v;
    memset(&l, 0, sizeof l);
    fill_version(a, &v);
    snprintf(l.id, sizeof l.id, "%s", a->id);
    snprintf(l.seller_org_id, sizeof l.seller_org_id, "%s", a->seller);
    snprintf(l.state, sizeof l.state, "live");
    l.current_version = 1;
    memcpy(l.current_hash, v.content_hash, sizeof l.current_hash);
    l.created_ms = l.updated_ms = v.created_ms;
    return store_catalog_listing_insert(s, &l, &v);
}

static ips_status add_version_tx(struct store *s, void *arg)
{
    struct store_listing_version v;
    fill_version(arg, &v);
    return store_catalog_listing_add_version(s, &v);
}

static void add(struct testdb *t, const char *id, const char *seller, const char *title,
                const char *description)
{
    struct listing_args a = {id, seller, title, description, 1};
    assert_int_equal(store_tx_run(t->s, insert_tx, &a), IPS_OK);
}

/* The catalog-wide hits of fts that belong to seller, in their order. */
static struct hits wide_of(struct testdb *t, const char *fts, const char *seller)
{
    struct hits all = search(t, fts, NULL, 0, MAX_HITS, IPS_OK), own;
    memset(&own, 0, sizeof own);
    for (int i = 0; i < all.n; i++)
        if (strcmp(all.seller[i], seller) == 0) {
            memcpy(own.id[own.n], all.id[i], sizeof own.id[own.n]);
            memcpy(own.seller[own.n], all.seller[i], sizeof own.seller[own.n]);
            own.n++;
        }
    return own;
}

static void assert_same(const struct hits *a, const struct hits *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++)
        assert_string_equal(a->id[i], b->id[i]);
}

struct shops {
    struct store_org a, b;
};

/* Two shops: A with four listings, B with three, one of whose titles is A's
 * org id. */
static void two_shops(struct testdb *t, struct shops *s)
{
    testdb_org_add(t, "Shop A", "seller", &s->a);
    testdb_org_add(t, "Shop B", "seller", &s->b);
    add(t, "A1", s->a.id, "steel watch", "a steel case");
    add(t, "A2", s->a.id, "gold band", "fits any watch, a gold watch band");
    add(t, "A3", s->a.id, "leather strap", "brown");
    add(t, "A4", s->a.id, "watch watch", "watchmaker's pick");
    add(t, "B1", s->b.id, "watch", "plain");
    add(t, "B2", s->b.id, s->a.id, "named after a shop");
    add(t, "B3", s->b.id, "steel watch", "a steel case");
}

static void a_sellers_search_finds_its_own_listings_ranked_as_the_catalog_ranks_them(void **state)
{
    struct testdb *t = *state;
    struct shops s;
    two_shops(t, &s);

    struct hits h = search(t, "\"watch\"", s.a.id, 0, 10, IPS_OK);
    assert_int_equal(h.n, 3);
    for (int i = 0; i < h.n; i++)
        assert_string_equal(h.seller[i], s.a.id);
    assert_string_equal(h.id[2], "A2"); /* a description match ranks last */
    h = search(t, "\"watch\"", s.b.id, 0, 10, IPS_OK);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.seller[0], s.b.id);
    assert_string_equal(h.seller[1], s.b.id);

    /* the same order as the catalog-wide search's, for words, prefixes,
     * several words and (FTS5's own syntax, SQLite only) operators */
    const char *queries[] = {"\"watch\"",
                             "\"wat\"*",
                             "\"steel\" \"watch\"",
                             "\"steel\"",
                             "\"watch\" OR \"strap\"",
                             "\"watch\" NOT \"gold\""};
    size_t n_queries = sizeof queries / sizeof *queries - (testdb_on_postgres(t) ? 2 : 0);
    for (size_t i = 0; i < n_queries; i++) {
        struct hits own = search(t, queries[i], s.a.id, 0, 10, IPS_OK);
        struct hits wide = wide_of(t, queries[i], s.a.id);
        assert_true(own.n > 0);
        assert_same(&own, &wide);
        own = search(t, queries[i], s.b.id, 0, 10, IPS_OK);
        wide = wide_of(t, queries[i], s.b.id);
        assert_same(&own, &wide);
    }

    /* paging: the page after the first two is the third hit */
    struct hits all = search(t, "\"watch\"", s.a.id, 0, 10, IPS_OK);
    h = search(t, "\"watch\"", s.a.id, 2, 1, IPS_OK);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], all.id[2]);
    assert_int_equal(search(t, "\"watch\"", s.a.id, 3, 10, IPS_OK).n, 0);
    h = search(t, "\"watch\"", s.a.id, 1, 1, IPS_OK);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], all.id[1]);

    /* a seller with no listings, and one with none matching */
    struct store_org c;
    testdb_org_add(t, "Shop C", "seller", &c);
    assert_int_equal(search(t, "\"watch\"", c.id, 0, 10, IPS_OK).n, 0);
    assert_int_equal(search(t, "\"strap\"", s.b.id, 0, 10, IPS_OK).n, 0);
}

static void no_search_matches_an_org_id(void **state)
{
    struct testdb *t = *state;
    struct shops s;
    two_shops(t, &s);
    char quoted[ID_SIZE + 2];
    snprintf(quoted, sizeof quoted, "\"%s\"", s.a.id);
    /* catalog-wide: only B2, whose title is that text, not A's listings */
    struct hits h = search(t, quoted, NULL, 0, 10, IPS_OK);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], "B2");
    /* A's own search: A's titles and descriptions do not hold it */
    assert_int_equal(search(t, quoted, s.a.id, 0, 10, IPS_OK).n, 0);
    h = search(t, quoted, s.b.id, 0, 10, IPS_OK);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], "B2");
    /* the caller's text cannot reach past its own parentheses (SQLite: the
     * store wraps it in a column filter; PostgreSQL parses it itself) */
    if (!testdb_on_postgres(t)) {
        char escape[2 * ID_SIZE + 32];
        snprintf(escape, sizeof escape, "\"strap\") OR (\"%s\"", s.a.id);
        search(t, escape, s.b.id, 0, 10, IPS_ERR_INVALID);
        search(t, escape, NULL, 0, 10, IPS_ERR_INVALID);
        search(t, "\"strap\")", NULL, 0, 10, IPS_ERR_INVALID);
        search(t, "(\"strap\"", s.a.id, 0, 10, IPS_ERR_INVALID);
        /* parentheses inside a quoted word are text, and pairs are fine */
        assert_int_equal(search(t, "\"strap)\"", s.a.id, 0, 10, IPS_OK).n, 1);
        assert_int_equal(search(t, "(\"strap\" OR \"band\")", s.a.id, 0, 10, IPS_OK).n, 2);
    }
}

static void a_new_version_moves_the_listing_in_its_sellers_search(void **state)
{
    struct testdb *t = *state;
    struct shops s;
    two_shops(t, &s);
    struct listing_args v2 = {"A1", NULL, "steel clock", "a steel case", 2};
    assert_int_equal(store_tx_run(t->s, add_version_tx, &v2), IPS_OK);
    struct hits h = search(t, "\"clock\"", s.a.id, 0, 10, IPS_OK);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0], "A1");
    assert_int_equal(search(t, "\"clock\"", s.b.id, 0, 10, IPS_OK).n, 0);
    h = search(t, "\"watch\"", s.a.id, 0, 10, IPS_OK);
    assert_int_equal(h.n, 2); /* A2 and A4, no longer A1 */
    for (int i = 0; i < h.n; i++)
        assert_string_not_equal(h.id[i], "A1");
    assert_int_equal(search(t, "\"steel\"", s.a.id, 0, 10, IPS_OK).n, 1);
    assert_int_equal(search(t, "\"steel\"", NULL, 0, 10, IPS_OK).n, 2);
    /* SQLite: FTS5 finds its index consistent with its content (the
     * current version of each listing, with its seller) */
    if (!testdb_on_postgres(t))
        assert_int_equal(testdb_exec_sql(t, "INSERT INTO listings_fts (listings_fts)"
                                            " VALUES ('integrity-check')"),
                         IPS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_sellers_search_finds_its_own_listings_ranked_as_the_catalog_ranks_them, testdb_setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(no_search_matches_an_org_id, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_new_version_moves_the_listing_in_its_sellers_search,
                                        testdb_setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_catalog.c — the marketplace catalog (src/catalog): identifier
 * normalisation and keyed hashing, listing versions, state transitions,
 * search query escaping, and the JSON Lines import, on a fresh SQLite
 * database per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "catalog/catalog.h"
#include "core/config.h"
#include "core/timeutil.h"
#include "store/store_enforce.h"
#include "testdb.h"

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct access_principal seller, other_seller, reviewer, officer, rightholder;
    struct store_org platform, shop_a, shop_b, agency, brand;
};

/* A principal of role in o; no user row, a made-up user id per role. */
static struct access_principal principal(enum access_role role, const struct store_org *o)
{
    char user_id[ID_SIZE];
    snprintf(user_id, sizeof user_id, "01USER%020d", (int)role);
    return testdb_principal_make(role, user_id, o->id);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "catalog");
    testdb_org_add(&f->db, "Platform", "platform", &f->platform);
    testdb_org_add(&f->db, "Shop A", "seller", &f->shop_a);
    testdb_org_add(&f->db, "Shop B", "seller", &f->shop_b);
    testdb_org_add(&f->db, "Agency", "agency", &f->agency);
    testdb_org_add(&f->db, "Brand", "rightholder", &f->brand);
    f->seller = principal(ROLE_SELLER, &f->shop_a);
    f->other_seller = principal(ROLE_SELLER, &f->shop_b);
    f->reviewer = principal(ROLE_REVIEWER, &f->platform);
    f->officer = principal(ROLE_OFFICER, &f->agency);
    f->rightholder = principal(ROLE_RIGHTHOLDER, &f->brand);
    return 0;
}

static json_t *listing_json(const char *id, const char *title, const char *price)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", title, "description",
                          "Genuine leather, fast shipping", "price", price, "currency", "usd",
                          "category", "bags", "ship_from", "cn-gd");
    if (id)
        json_object_set_new(o, "id", json_string(id));
    return o;
}

/* True when the bytes of needle occur in the file at path (missing file: false). */
static bool file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    size_t n = strlen(needle), cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    bool found = false;
    size_t got;
    while (!found && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        found = memmem(buf, len, needle, n) != NULL;
        if (len > n) { /* keep a tail that may start a match */
            memmove(buf, buf + len - n, n);
            len = n;
        }
    }
    free(buf);
    fclose(fp);
    return found;
}

/* ---- identifiers ---------------------------------------------------------------- */

static void identifiers_are_normalised_per_kind(void **state)
{
    (void)state;
    char out[CATALOG_IDENT_MAX + 1];
    assert_true(catalog_identifier_normalize("phone", " +86 138-0013 (8000) ", out, sizeof out));
    assert_string_equal(out, "+8613800138000");
    assert_true(catalog_identifier_normalize("phone", "0086 13800138000", out, sizeof out));
    assert_string_equal(out, "+8613800138000");
    assert_false(catalog_identifier_normalize("phone", "call me", out, sizeof out));
    assert_false(catalog_identifier_normalize("phone", "+12", out, sizeof out));
    assert_true(catalog_identifier_normalize("email", "  Shop@Example.COM\t", out, sizeof out));
    assert_string_equal(out, "shop@example.com");
    assert_false(catalog_identifier_normalize("email", "no-at-sign", out, sizeof out));
    assert_false(catalog_identifier_normalize("email", "a@b@c", out, sizeof out));
    assert_true(catalog_identifier_normalize("address", " 12  Market\tStreet\n Shenzhen ", out,
                                             sizeof out));
    assert_string_equal(out, "12 market street shenzhen");
    /* NFKC + case folding: fullwidth digits and letters, ideographic and
     * no-break spaces, a ligature and a capital sharp s all fold alike */
    assert_true(catalog_identifier_normalize(
        "address", "\xef\xbc\x91\xef\xbc\x92\xe3\x80\x80\xef\xbc\xad\xef\xbd\x81rket\xc2\xa0Street  Shenzhen",
        out, sizeof out));
    assert_string_equal(out, "12 market street shenzhen");
    assert_true(catalog_identifier_normalize("address", "\xef\xac\x81ve STRASSE", out, sizeof out));
    char other[CATALOG_IDENT_MAX + 1];
    assert_true(catalog_identifier_normalize("address", "Five Stra\xc3\x9f" "e", other, sizeof other));
    assert_string_equal(out, "five strasse");
    assert_string_equal(other, "five strasse");
    assert_true(catalog_identifier_normalize("address", "\xe5\xb9\xbf\xe4\xb8\x9c\xe7\x9c\x81 \xe6\xb7\xb1\xe5\x9c\xb3\xe5\xb8\x82", out,
                                             sizeof out));
    assert_string_equal(out, "\xe5\xb9\xbf\xe4\xb8\x9c\xe7\x9c\x81 \xe6\xb7\xb1\xe5\x9c\xb3\xe5\xb8\x82");
    assert_false(catalog_identifier_normalize("address", "bad \xff utf-8", out, sizeof out));
    assert_false(catalog_identifier_normalize("address", "a\x01b", out, sizeof out));
    assert_false(catalog_identifier_normalize("address", "\xe3\x80\x80 ", out, sizeof out));
    assert_true(catalog_identifier_normalize("payment_account", "  ACCT-001 ", out, sizeof out));
    assert_string_equal(out, "ACCT-001");
    assert_true(catalog_identifier_normalize("device_id", "dev:ABC", out, sizeof out));
    assert_string_equal(out, "dev:ABC");
    assert_false(catalog_identifier_normalize("shoe_size", "42", out, sizeof out));
    assert_false(catalog_identifier_normalize("email", "   ", out, sizeof out));
    assert_false(catalog_identifier_normalize("email", "shop@example.com", out, 4));
}

static void identifier_hashes_are_keyed_stable_and_kind_specific(void **state)
{
    struct fixture *f = *state;
    uint8_t k1[32], k2[32], other[32];
    assert_int_equal(catalog_identifier_key(f->db.s, k1), IPS_OK);
    assert_int_equal(catalog_identifier_key(f->db.s, k2), IPS_OK);
    assert_memory_equal(k1, k2, 32); /* created once, then read back */
    uint8_t a[32], b[32], c[32], d[32];
    catalog_identifier_hash(k1, "email", "shop@example.com", a);
    catalog_identifier_hash(k1, "email", "shop@example.com", b);
    catalog_identifier_hash(k1, "device_id", "shop@example.com", c);
    memset(other, 7, sizeof other);
    catalog_identifier_hash(other, "email", "shop@example.com", d);
    assert_memory_equal(a, b, 32);
    assert_memory_not_equal(a, c, 32);
    assert_memory_not_equal(a, d, 32);
}

struct found {
    int n;
    char id[ID_SIZE];
};

static ips_status collect_seller(const char *org_id, void *arg)
{
    struct found *fd = arg;
    fd->n++;
    snprintf(fd->id, sizeof fd->id, "%s", org_id);
    return IPS_OK;
}

static void seller_identifiers_are_stored_only_as_hashes(void **state)
{
    struct fixture *f = *state;
    json_t *seller = json_pack("{s:s, s:s, s:s, s:{s:s, s:[s, s], s:s}}", "id", "S-100", "name",
                               "Happy Shop", "ship_from", "CN-ZJ", "identifiers", "email",
                               "Owner.Unique@Example.COM", "phone", "+86 139 1234 5678",
                               "0086-139-1234-5678", "payment_account", "ALIPAY-998877");
    struct store_seller sp;
    bool changed = false;
    assert_int_equal(catalog_seller_put(&f->db.ctx, seller, NULL, &sp, &changed), IPS_OK);
    assert_true(changed);
    assert_string_equal(sp.external_id, "S-100");
    assert_string_equal(sp.ship_from, "CN-ZJ");
    int64_t n = 0;
    assert_int_equal(store_catalog_identifier_count(f->db.s, sp.org_id, &n), IPS_OK);
    assert_int_equal(n, 3); /* the two spellings of one phone number are one identifier */
    /* the same seller again changes nothing */
    assert_int_equal(catalog_seller_put(&f->db.ctx, seller, NULL, &sp, &changed), IPS_OK);
    assert_false(changed);
    /* a network lookup by the hash of the normalised email finds the seller */
    uint8_t key[32], h[32];
    assert_int_equal(catalog_identifier_key(f->db.s, key), IPS_OK);
    catalog_identifier_hash(key, "email", "owner.unique@example.com", h);
    struct found found = {0, ""};
    assert_int_equal(store_catalog_identifier_sellers(f->db.s, "email", h, NULL, 10, collect_seller,
                                                      &found),
                     IPS_OK);
    assert_int_equal(found.n, 1);
    assert_string_equal(found.id, sp.org_id);
    /* What the bytes on disk hold is a question about SQLite's file and its
     * WAL: a PostgreSQL cluster's files are the server's, not this test's
     * (and the identifiers are hashed before either backend sees them). */
    if (testdb_on_postgres(&f->db)) {
        json_decref(seller);
        return;
    }
    store_close(f->db.s);
    f->db.s = NULL;
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", f->db.path);
    assert_false(file_contains(f->db.path, "owner.unique@example.com"));
    assert_false(file_contains(f->db.path, "Owner.Unique@Example.COM"));
    assert_false(file_contains(wal, "owner.unique@example.com"));
    assert_false(file_contains(f->db.path, "ALIPAY-998877"));
    assert_false(file_contains(wal, "ALIPAY-998877"));
    assert_false(file_contains(f->db.path, "8613912345678"));
    assert_true(file_contains(f->db.path, "Happy Shop") || file_contains(wal, "Happy Shop"));
    assert_int_equal(store_open(f->db.path, &f->db.s), IPS_OK);
    f->db.ctx.store = f->db.s;
    json_decref(seller);
}

/* ---- listings and versions ------------------------------------------------------------ */

static struct store_listing_version version_buf;

static void a_seller_creates_a_listing_at_version_one(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->seller);
    json_t *body = listing_json("L-1", "Leather bag", "19.99");
    struct store_listing l;
    assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_OK);
    assert_string_equal(l.id, "L-1");
    assert_string_equal(l.seller_org_id, f->shop_a.id);
    assert_string_equal(l.state, "live");
    assert_int_equal(l.current_version, 1);
    assert_int_equal(version_buf.price_minor, 1999);
    assert_string_equal(version_buf.currency, "USD");
    assert_string_equal(version_buf.ship_from, "CN-GD");
    assert_string_equal(version_buf.images, "[]");
    /* the same id again is a conflict and changes nothing */
    assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_ERR_CONFLICT);
    json_decref(body);
    /* without an id, one is generated */
    body = listing_json(NULL, "Wallet", "5");
    assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_OK);
    assert_true(catalog_id_valid(l.id));
    json_decref(body);
}

static int count_versions;
static ips_status count_version(const struct store_listing_version *v, void *arg)
{
    (void)v;
    (void)arg;
    count_versions++;
    return IPS_OK;
}

static void an_update_makes_a_version_only_when_the_content_changes(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->seller);
    json_t *body = listing_json("L-2", "Leather bag", "19.99");
    struct store_listing l;
    bool changed = true;
    assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_OK);
    json_object_del(body, "id");
    assert_int_equal(catalog_listing_update(&f->db.ctx, "L-2", body, &l, &version_buf, &changed),
                     IPS_OK);
    assert_false(changed);
    assert_int_equal(l.current_version, 1);
    json_object_set_new(body, "price", json_string("17.50"));
    assert_int_equal(catalog_listing_update(&f->db.ctx, "L-2", body, &l, &version_buf, &changed),
                     IPS_OK);
    assert_true(changed);
    assert_int_equal(l.current_version, 2);
    assert_int_equal(version_buf.price_minor, 1750);
    /* the number 17.5 is the same price as the string "17.50": no version */
    json_object_set_new(body, "price", json_real(17.5));
    assert_int_equal(catalog_listing_update(&f->db.ctx, "L-2", body, &l, &version_buf, &changed),
                     IPS_OK);
    assert_false(changed);
    testdb_act_as(&f->db, &f->reviewer);
    count_versions = 0;
    assert_int_equal(catalog_listing_get(&f->db.ctx, "L-2", &l, &version_buf, 10, count_version, NULL),
                     IPS_OK);
    assert_int_equal(count_versions, 2);
    assert_int_equal(version_buf.version, 2);
    json_decref(body);
}

static void another_seller_can_neither_read_nor_change_a_listing(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->seller);
    json_t *body = listing_json("L-3", "Leather bag", "19.99");
    struct store_listing l;
    assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_OK);
    json_object_del(body, "id");
    json_object_set_new(body, "title", json_string("Hijacked"));
    testdb_act_as(&f->db, &f->other_seller);
    assert_int_equal(catalog_listing_update(&f->db.ctx, "L-3", body, &l, &version_buf, NULL),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(catalog_listing_get(&f->db.ctx, "L-3", &l, &version_buf, 0, NULL, NULL),
                     IPS_ERR_NOT_FOUND);
    /* officers may not read listings for now; reviewers and right holders may */
    testdb_act_as(&f->db, &f->officer);
    assert_int_equal(catalog_listing_get(&f->db.ctx, "L-3", &l, &version_buf, 0, NULL, NULL),
                     IPS_ERR_FORBIDDEN);
    testdb_act_as(&f->db, &f->rightholder);
    assert_int_equal(catalog_listing_get(&f->db.ctx, "L-3", &l, &version_buf, 0, NULL, NULL), IPS_OK);
    assert_string_equal(version_buf.title, "Leather bag"); /* unchanged */
    assert_int_equal(l.current_version, 1);
    /* a reviewer cannot write sellers' listings */
    testdb_act_as(&f->db, &f->reviewer);
    assert_int_equal(catalog_listing_update(&f->db.ctx, "L-3", body, &l, &version_buf, NULL),
                     IPS_ERR_FORBIDDEN);
    json_decref(body);
}

static void bad_listing_input_is_refused_with_field_errors(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->seller);
    struct store_listing l;
    static const struct {
        const char *field, *json;
    } cases[] = {
        {"title", "{\"title\": \"\", \"price\": 1, \"currency\": \"USD\"}"},
        {"title", "{\"title\": 5, \"price\": 1, \"currency\": \"USD\"}"},
        {"price", "{\"title\": \"x\", \"price\": -1, \"currency\": \"USD\"}"},
        {"price", "{\"title\": \"x\", \"price\": \"1.234\", \"currency\": \"USD\"}"},
        {"price", "{\"title\": \"x\", \"price\": \"1e3\", \"currency\": \"USD\"}"},
        {"price", "{\"title\": \"x\", \"price\": 1.5, \"currency\": \"JPY\"}"},
        {"currency", "{\"title\": \"x\", \"price\": 1, \"currency\": \"US\"}"},
        {"ship_from", "{\"title\": \"x\", \"price\": 1, \"currency\": \"USD\", \"ship_from\": \"CN-XX\"}"},
        {"images", "{\"title\": \"x\", \"price\": 1, \"currency\": \"USD\", \"images\": [\"ftp://a\"]}"},
        {"images", "{\"title\": \"x\", \"price\": 1, \"currency\": \"USD\", \"images\": \"https://a.b/c\"}"},
        {"id", "{\"id\": \"bad id!\", \"title\": \"x\", \"price\": 1, \"currency\": \"USD\"}"},
        {"units_sold", "{\"title\": \"x\", \"price\": 1, \"currency\": \"USD\", \"units_sold\": -3}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = json_loads(cases[i].json, 0, NULL);
        assert_non_null(body);
        testdb_act_as(&f->db, &f->seller);
        assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_ERR_INVALID);
        json_t *e = json_array_get(f->db.ctx.errors, 0);
        assert_non_null(e);
        assert_string_equal(json_string_value(json_object_get(e, "field")), cases[i].field);
        json_decref(body);
    }
    testdb_act_as(&f->db, &f->reviewer);
    assert_int_equal(catalog_listing_get(&f->db.ctx, "bad id!", &l, &version_buf, 0, NULL, NULL),
                     IPS_ERR_NOT_FOUND);
}

static void prices_follow_the_currency_minor_unit(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(catalog_currency_exponent("USD"), 2);
    assert_int_equal(catalog_currency_exponent("JPY"), 0);
    assert_int_equal(catalog_currency_exponent("KWD"), 3);
    catalog_price_format(1999, "USD", out, sizeof out);
    assert_string_equal(out, "19.99");
    catalog_price_format(5, "EUR", out, sizeof out);
    assert_string_equal(out, "0.05");
    catalog_price_format(1000, "JPY", out, sizeof out);
    assert_string_equal(out, "1000");
    catalog_price_format(12345, "KWD", out, sizeof out);
    assert_string_equal(out, "12.345");
}

/* ---- states ----------------------------------------------------------------------------- */

static void only_the_listed_state_transitions_are_allowed(void **state)
{
    (void)state;
    static const char *const s[] = {"live", "blocked", "taken_down", "reinstated"};
    /* allowed[from][to] */
    static const bool allowed[4][4] = {
        {false, true, true, false},  /* live -> blocked, taken_down */
        {true, false, false, false}, /* blocked -> live */
        {false, false, false, true}, /* taken_down -> reinstated */
        {false, false, true, false}, /* reinstated -> taken_down */
    };
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            assert_int_equal(catalog_state_transition_allowed(s[a], s[b]), allowed[a][b]);
    assert_false(catalog_state_transition_allowed("live", "deleted"));
    assert_false(catalog_state_valid("deleted"));
}

static void reviewers_move_listings_through_their_states_and_sellers_cannot(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->seller);
    json_t *body = listing_json("L-4", "Leather bag", "19.99");
    struct store_listing l;
    assert_int_equal(catalog_listing_create(&f->db.ctx, body, &l, &version_buf), IPS_OK);
    json_decref(body);
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", "taken_down", "self"),
                     IPS_ERR_FORBIDDEN);
    testdb_act_as(&f->db, &f->rightholder);
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", "taken_down", "mine"),
                     IPS_ERR_FORBIDDEN);
    testdb_act_as(&f->db, &f->reviewer);
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", "reinstated", "why"),
                     IPS_ERR_CONFLICT);
    assert_non_null(strstr(f->db.ctx.detail, "live"));
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", "gone", "why"), IPS_ERR_INVALID);
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", "blocked", ""), IPS_ERR_INVALID);
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "nope", "blocked", "why"),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(store_catalog_listing_get(f->db.s, "L-4", &l), IPS_OK);
    assert_string_equal(l.state, "live"); /* refusals changed nothing */
    const char *path[] = {"blocked", "live", "taken_down", "reinstated", "taken_down"};
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", path[i], "notice N-1"), IPS_OK);
        assert_int_equal(store_catalog_listing_get(f->db.s, "L-4", &l), IPS_OK);
        assert_string_equal(l.state, path[i]);
    }
    /* the system (notice and detection flows) may too */
    testdb_act_as(&f->db, &f->db.sys);
    assert_int_equal(catalog_listing_set_state(&f->db.ctx, "L-4", "reinstated", "counter-notice"),
                     IPS_OK);
}

/* ---- search ---------------------------------------------------------------------------- */

static void search_text_becomes_quoted_fts_terms(void **state)
{
    (void)state;
    char out[CATALOG_FTS_MAX];
    assert_int_equal(catalog_fts_query("nike  air", out, sizeof out), IPS_OK);
    assert_string_equal(out, "\"nike\" \"air\"");
    assert_int_equal(catalog_fts_query("a\"b", out, sizeof out), IPS_OK);
    assert_string_equal(out, "\"a\"\"b\"");
    assert_int_equal(catalog_fts_query("rol*", out, sizeof out), IPS_OK);
    assert_string_equal(out, "\"rol\"*");
    assert_int_equal(catalog_fts_query("NOT OR ( ^ title:x NEAR(a", out, sizeof out), IPS_OK);
    assert_string_equal(out, "\"NOT\" \"OR\" \"(\" \"^\" \"title:x\" \"NEAR(a\"");
    assert_int_equal(catalog_fts_query("   ", out, sizeof out), IPS_ERR_INVALID);
    assert_int_equal(catalog_fts_query("a b c d e f g h i j k l m n o p q", out, sizeof out),
                     IPS_ERR_INVALID);
    assert_int_equal(catalog_fts_query("bad\x01", out, sizeof out), IPS_ERR_INVALID);
    assert_int_equal(catalog_fts_query("nike", out, 4), IPS_ERR_TOO_LARGE);
}

struct hits {
    int n;
    char first[STORE_LISTING_ID_MAX + 1];
};

static ips_status collect_hit(const struct store_listing *l, const struct store_listing_version *v,
                              void *arg)
{
    (void)v;
    struct hits *h = arg;
    if (h->n++ == 0)
        snprintf(h->first, sizeof h->first, "%s", l->id);
    return IPS_OK;
}

static void search_finds_current_versions_ranked_and_survives_fts_syntax(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->seller);
    struct store_listing l;
    json_t *a = listing_json("S-1", "Rolex Submariner watch", "100");
    json_t *b = listing_json("S-2", "Leather strap", "10");
    json_object_set_new(b, "description", json_string("fits a watch"));
    assert_int_equal(catalog_listing_create(&f->db.ctx, a, &l, &version_buf), IPS_OK);
    assert_int_equal(catalog_listing_create(&f->db.ctx, b, &l, &version_buf), IPS_OK);
    testdb_act_as(&f->db, &f->reviewer);
    struct hits h = {0, ""};
    assert_int_equal(catalog_listing_search(&f->db.ctx, "watch", 0, 10, collect_hit, &h), IPS_OK);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.first, "S-1"); /* title matches rank first */
    memset(&h, 0, sizeof h);
    assert_int_equal(catalog_listing_search(&f->db.ctx, "rol*", 0, 10, collect_hit, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    /* FTS5 operators in user text are plain words, never syntax errors */
    static const char *const nasty[] = {"\"", "NEAR(", "a OR", "*", "title:", "^x", "(((", "-"};
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        memset(&h, 0, sizeof h);
        ips_status st = catalog_listing_search(&f->db.ctx, nasty[i], 0, 10, collect_hit, &h);
        assert_true(st == IPS_OK || st == IPS_ERR_INVALID);
    }
    /* an update re-indexes: the old title is no longer found */
    testdb_act_as(&f->db, &f->seller);
    json_object_del(a, "id");
    json_object_set_new(a, "title", json_string("Diver timepiece"));
    assert_int_equal(catalog_listing_update(&f->db.ctx, "S-1", a, &l, &version_buf, NULL), IPS_OK);
    testdb_act_as(&f->db, &f->reviewer);
    memset(&h, 0, sizeof h);
    assert_int_equal(catalog_listing_search(&f->db.ctx, "submariner", 0, 10, collect_hit, &h), IPS_OK);
    assert_int_equal(h.n, 0);
    memset(&h, 0, sizeof h);
    assert_int_equal(catalog_listing_search(&f->db.ctx, "timepiece", 0, 10, collect_hit, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    /* sellers search their own listings only */
    testdb_act_as(&f->db, &f->other_seller);
    memset(&h, 0, sizeof h);
    assert_int_equal(catalog_listing_search(&f->db.ctx, "timepiece", 0, 10, collect_hit, &h), IPS_OK);
    assert_int_equal(h.n, 0);
    json_decref(a);
    json_decref(b);
}

/* ---- hidden listings (suspended / terminated sellers) ------------------------------------ */

/* What a list or search returned: ids in order, and each one's marker. */
struct seen {
    int n;
    char id[8][STORE_LISTING_ID_MAX + 1];
    char hidden[8][STORE_HIDDEN_MAX + 1];
};

static ips_status collect_seen(const struct store_listing *l, const struct store_listing_version *v,
                               void *arg)
{
    (void)v;
    struct seen *s = arg;
    assert_true(s->n < 8);
    snprintf(s->id[s->n], sizeof s->id[0], "%s", l->id);
    snprintf(s->hidden[s->n], sizeof s->hidden[0], "%s", l->hidden);
    s->n++;
    return IPS_OK;
}

/* The marker of listing id in *s, or NULL when s does not hold it. */
static const char *seen_hidden(const struct seen *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->id[i], id) == 0)
            return s->hidden[i];
    return NULL;
}

static struct seen list_as(struct fixture *f, const struct access_principal *p)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(catalog_listing_list(testdb_act_as(&f->db, p), NULL, 8, collect_seen, &s),
                     IPS_OK);
    return s;
}

static struct seen search_as(struct fixture *f, const struct access_principal *p, int64_t offset,
                             int limit)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(catalog_listing_search(testdb_act_as(&f->db, p), "watch", offset, limit,
                                            collect_seen, &s),
                     IPS_OK);
    return s;
}

/* A penalty of rank (4 suspension, 5 termination) on seller from..until. */
static void penalty_put(struct fixture *f, const char *seller, int rank, int64_t from_ms,
                        int64_t until_ms)
{
    struct store_penalty p;
    memset(&p, 0, sizeof p);
    id_new(p.id);
    snprintf(p.seller_org_id, sizeof p.seller_org_id, "%s", seller);
    snprintf(p.level, sizeof p.level, "%s", rank == 5 ? "termination" : "suspension");
    p.rank = rank;
    snprintf(p.source, sizeof p.source, "strikes");
    snprintf(p.reason, sizeof p.reason, "test");
    snprintf(p.strike_ids, sizeof p.strike_ids, "[]");
    p.from_ms = from_ms;
    p.until_ms = until_ms;
    assert_int_equal(store_enforce_penalty_insert(f->db.s, &p), IPS_OK);
}

static void a_suspended_sellers_listings_are_hidden_until_the_suspension_lapses(void **state)
{
    struct fixture *f = *state;
    struct store_listing l;
    /* shop A: three watches; shop B: two */
    static const char *const a_ids[] = {"A-1", "A-2", "A-3"}, *const b_ids[] = {"B-1", "B-2"};
    testdb_act_as(&f->db, &f->seller);
    for (int i = 0; i < 3; i++) {
        json_t *o = listing_json(a_ids[i], "Diver watch", "100");
        assert_int_equal(catalog_listing_create(&f->db.ctx, o, &l, &version_buf), IPS_OK);
        json_decref(o);
    }
    testdb_act_as(&f->db, &f->other_seller);
    for (int i = 0; i < 2; i++) {
        json_t *o = listing_json(b_ids[i], i == 0 ? "Watch watch" : "Pilot watch", "90");
        assert_int_equal(catalog_listing_create(&f->db.ctx, o, &l, &version_buf), IPS_OK);
        json_decref(o);
    }
    struct seen s = list_as(f, &f->rightholder);
    assert_int_equal(s.n, 5);
    assert_string_equal(seen_hidden(&s, "A-1"), "");

    /* shop A suspended from an hour ago for a day */
    int64_t now = time_now_ms(), hour = 3600 * 1000LL;
    penalty_put(f, f->shop_a.id, 4, now - hour, now + 24 * hour);

    /* right holders: neither listed nor found */
    s = list_as(f, &f->rightholder);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.id[0], "B-1");
    assert_string_equal(s.id[1], "B-2");
    s = search_as(f, &f->rightholder, 0, 10);
    assert_int_equal(s.n, 2);
    assert_null(seen_hidden(&s, "A-1"));
    /* the offset counts the results returned, not the hidden hits skipped */
    s = search_as(f, &f->rightholder, 1, 1);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.id[0], search_as(f, &f->rightholder, 0, 2).id[1]);
    assert_int_equal(search_as(f, &f->rightholder, 2, 5).n, 0);
    /* read by id, it is there, marked (notices can still cite it) */
    testdb_act_as(&f->db, &f->rightholder);
    assert_int_equal(catalog_listing_get(&f->db.ctx, "A-2", &l, &version_buf, 0, NULL, NULL),
                     IPS_OK);
    assert_string_equal(l.hidden, "seller_suspended");
    assert_int_equal(catalog_listing_get(&f->db.ctx, "B-2", &l, &version_buf, 0, NULL, NULL),
                     IPS_OK);
    assert_string_equal(l.hidden, "");

    /* the seller sees its own, marked; reviewers see all, marked */
    s = list_as(f, &f->seller);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(s.hidden[i], "seller_suspended");
    s = search_as(f, &f->seller, 0, 10);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.hidden[2], "seller_suspended");
    s = list_as(f, &f->reviewer);
    assert_int_equal(s.n, 5);
    assert_string_equal(seen_hidden(&s, "A-3"), "seller_suspended");
    assert_string_equal(seen_hidden(&s, "B-1"), "");
    s = search_as(f, &f->reviewer, 0, 10);
    assert_int_equal(s.n, 5);
    assert_string_equal(seen_hidden(&s, "A-1"), "seller_suspended");
    /* the reviewer's pages still skip by offset without hiding anything */
    assert_string_equal(search_as(f, &f->reviewer, 4, 10).id[0], s.id[4]);

    /* at a later time (the store judges at the time it is given): once the
     * suspension's until has passed the listings are back, with no write */
    struct store_listing_view later = {now + 25 * hour, true};
    memset(&s, 0, sizeof s);
    assert_int_equal(store_catalog_listing_list_at(f->db.s, NULL, NULL, 8, &later, collect_seen, &s),
                     IPS_OK);
    assert_int_equal(s.n, 5);
    assert_string_equal(seen_hidden(&s, "A-1"), "");
    memset(&s, 0, sizeof s);
    assert_int_equal(store_catalog_listing_search_at(f->db.s, "\"watch\"", NULL, 0, 8, &later,
                                                     collect_seen, &s),
                     IPS_OK);
    assert_int_equal(s.n, 5);
    /* and before it started */
    struct store_listing_view before = {now - 2 * hour, true};
    memset(&s, 0, sizeof s);
    assert_int_equal(store_catalog_listing_list_at(f->db.s, NULL, NULL, 8, &before, collect_seen,
                                                   &s),
                     IPS_OK);
    assert_int_equal(s.n, 5);
    char why[STORE_HIDDEN_MAX + 1];
    assert_int_equal(store_catalog_seller_hidden(f->db.s, f->shop_a.id, now + 25 * hour, why),
                     IPS_OK);
    assert_string_equal(why, "");
    assert_int_equal(store_catalog_seller_hidden(f->db.s, f->shop_a.id, now, why), IPS_OK);
    assert_string_equal(why, "seller_suspended");
}

static void a_lapsed_or_lower_penalty_hides_nothing_and_termination_hides(void **state)
{
    struct fixture *f = *state;
    struct store_listing l;
    testdb_act_as(&f->db, &f->seller);
    json_t *o = listing_json("T-1", "Gold watch", "100");
    assert_int_equal(catalog_listing_create(&f->db.ctx, o, &l, &version_buf), IPS_OK);
    json_decref(o);
    int64_t now = time_now_ms(), hour = 3600 * 1000LL;
    /* a suspension whose until passed an hour ago, not yet ended by the
     * jobs tick: the listing is visible again already */
    penalty_put(f, f->shop_a.id, 4, now - 3 * hour, now - hour);
    /* a posting restriction (rank 3) in force hides nothing */
    penalty_put(f, f->shop_a.id, 3, now - hour, 0);
    struct seen s = list_as(f, &f->rightholder);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.hidden[0], "");
    assert_int_equal(search_as(f, &f->rightholder, 0, 10).n, 1);
    /* termination (for good, until 0) hides, marked as such */
    penalty_put(f, f->shop_a.id, 5, now - 1, 0);
    assert_int_equal(list_as(f, &f->rightholder).n, 0);
    assert_int_equal(search_as(f, &f->rightholder, 0, 10).n, 0);
    s = list_as(f, &f->reviewer);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.hidden[0], "seller_terminated");
    /* without a time (internal reads: evidence, enforcement) nothing is left out */
    memset(&s, 0, sizeof s);
    assert_int_equal(store_catalog_listing_list(f->db.s, NULL, NULL, 8, collect_seen, &s), IPS_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.hidden[0], "");
}

/* ---- import ---------------------------------------------------------------------------- */

struct rejects {
    int n;
    int64_t lines[8];
};

static void note_reject(int64_t line_no, const char *reason, void *arg)
{
    struct rejects *r = arg;
    assert_non_null(reason);
    if (r->n < 8)
        r->lines[r->n] = line_no;
    r->n++;
}

/* SQLite: no row of the database refers to a missing one. An import's
 * batches run with the foreign keys unchecked (store_tx_run_bulk), so this
 * is what shows that the import itself wrote every parent it refers to.
 * (PostgreSQL checks every reference as it is written.) */
static void assert_references_hold(struct fixture *f)
{
    if (getenv("IPRSHIELD_TEST_PG"))
        return;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->db.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_foreign_key_check", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void import_lines(struct fixture *f, const char *const *lines, size_t n, int batch,
                         struct catalog_import_stats *st, struct rejects *rej)
{
    struct catalog_import *imp = NULL;
    memset(rej, 0, sizeof *rej);
    assert_int_equal(catalog_import_begin(&f->db.ctx, CATALOG_IMPORT_LISTINGS, "t.jsonl", batch,
                                          note_reject, rej, &imp),
                     IPS_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(catalog_import_line(imp, (int64_t)i + 1, lines[i], strlen(lines[i])),
                         IPS_OK);
    assert_int_equal(catalog_import_finish(imp, st), IPS_OK);
    assert_references_hold(f);
}

static void import_skips_bad_lines_and_is_idempotent(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->db.sys);
    const char *lines[] = {
        "{\"id\":\"I-1\",\"seller_id\":\"M-1\",\"title\":\"Bag\",\"price\":\"9.90\",\"currency\":\"EUR\"}",
        "{\"id\":\"I-2\",\"seller_id\":\"M-1\",\"title\":\"Belt\",\"price\":4,\"currency\":\"EUR\"",
        "",
        "{\"id\":\"I-3\",\"seller_id\":\"M-2\",\"title\":\"Cap\",\"price\":3,\"currency\":\"EUR\",\"images\":[\"https://x.test/a.png\"]}",
        "{\"id\":\"I-4\",\"seller_id\":\"M-2\",\"title\":\"\",\"price\":3,\"currency\":\"EUR\"}",
        "[1, 2]",
    };
    struct catalog_import_stats st;
    struct rejects rej;
    import_lines(f, lines, 6, 1, &st, &rej); /* batch of 1: rejects inside several batches */
    assert_int_equal(st.lines, 5);
    assert_int_equal(st.created, 2);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(st.sellers_created, 2);
    assert_int_equal(rej.n, 3);
    assert_int_equal(rej.lines[0], 2);
    assert_int_equal(rej.lines[1], 5);
    assert_int_equal(rej.lines[2], 6);
    /* the unknown seller M-1 became a seller org named after its id */
    struct store_seller sp;
    struct store_org o;
    assert_int_equal(store_catalog_seller_get_by_external(f->db.s, "M-1", &sp), IPS_OK);
    assert_int_equal(store_org_get(f->db.s, sp.org_id, &o), IPS_OK);
    assert_string_equal(o.kind, "seller");
    assert_string_equal(o.name, "M-1");
    /* again: nothing changes */
    import_lines(f, lines, 6, 0, &st, &rej);
    assert_int_equal(st.created, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 2);
    assert_int_equal(st.sellers_created, 0);
    /* new content for I-1: a new version */
    const char *changed[] = {
        "{\"id\":\"I-1\",\"seller_id\":\"M-1\",\"title\":\"Bag\",\"price\":\"8.90\",\"currency\":\"EUR\"}",
        "{\"id\":\"I-3\",\"seller_id\":\"M-1\",\"title\":\"Cap\",\"price\":3,\"currency\":\"EUR\"}",
    };
    import_lines(f, changed, 2, 0, &st, &rej);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.rejected, 1); /* I-3 belongs to M-2, not M-1 */
    assert_int_equal(rej.lines[0], 2);
    struct store_listing l;
    assert_int_equal(store_catalog_listing_get(f->db.s, "I-1", &l), IPS_OK);
    assert_int_equal(l.current_version, 2);
    assert_int_equal(store_catalog_listing_get(f->db.s, "I-3", &l), IPS_OK);
    assert_int_equal(l.current_version, 1);
}

/* One batch, its sellers interleaved (not in runs): each seller is resolved
 * and checked once per batch and remembered, so the remembered answer must
 * be the whole one — a suspended seller's every line refused with its
 * reason, an unknown seller created once and counted once. */
static void interleaved_sellers_in_a_batch_are_resolved_and_checked_once_each(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->db.sys);
    const char *seed[] = {
        "{\"id\":\"K-0\",\"seller_id\":\"N-2\",\"title\":\"Seed\",\"price\":1,\"currency\":\"EUR\"}",
    };
    struct catalog_import_stats st;
    struct rejects rej;
    import_lines(f, seed, 1, 0, &st, &rej);
    struct store_seller sp;
    assert_int_equal(store_catalog_seller_get_by_external(f->db.s, "N-2", &sp), IPS_OK);
    int64_t now = time_now_ms(), hour = 3600 * 1000LL;
    penalty_put(f, sp.org_id, 4, now - hour, now + 24 * hour);
    /* K-1..K-7 of sellers N-1 (new), N-2 (suspended), N-3 (new), interleaved */
    static const char *const seller_of[] = {"N-1", "N-2", "N-1", "N-3", "N-2", "N-1", "N-3"};
    char text[7][128];
    const char *lines[7];
    for (int i = 0; i < 7; i++) {
        snprintf(text[i], sizeof text[i],
                 "{\"id\":\"K-%d\",\"seller_id\":\"%s\",\"title\":\"Item %d\",\"price\":1,"
                 "\"currency\":\"EUR\"}",
                 i + 1, seller_of[i], i + 1);
        lines[i] = text[i];
    }
    import_lines(f, lines, 7, 0, &st, &rej);
    /* N-2's two lines refused (with its reason: note_reject checks one is given) */
    assert_int_equal(rej.n, 2);
    assert_true(rej.lines[0] == 2 && rej.lines[1] == 5);
    assert_true(st.batches == 1 && st.created == 5 && st.rejected == 2);
    assert_int_equal(st.sellers_created, 2); /* N-1 and N-3, once each */
    struct store_listing l;
    assert_int_equal(store_catalog_listing_get(f->db.s, "K-5", &l), IPS_ERR_NOT_FOUND);
    struct store_seller n1, n3;
    assert_int_equal(store_catalog_seller_get_by_external(f->db.s, "N-1", &n1), IPS_OK);
    assert_int_equal(store_catalog_seller_get_by_external(f->db.s, "N-3", &n3), IPS_OK);
    assert_int_equal(store_catalog_listing_get(f->db.s, "K-6", &l), IPS_OK);
    assert_string_equal(l.seller_org_id, n1.org_id);
    assert_int_equal(store_catalog_listing_get(f->db.s, "K-7", &l), IPS_OK);
    assert_string_equal(l.seller_org_id, n3.org_id);
}

/* Batches of 2 over 9 lines: parsing runs one batch ahead of the writer, so
 * bad lines found while parsing (3, 6, 9) and while writing (5: another
 * seller's listing) must still be reported in line order, and every good
 * line counted once. */
static void pipelined_batches_report_bad_lines_in_order(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->db.sys);
    const char *seed[] = {
        "{\"id\":\"P-5\",\"seller_id\":\"Q-2\",\"title\":\"Kept\",\"price\":1,\"currency\":\"EUR\"}",
    };
    struct catalog_import_stats st;
    struct rejects rej;
    import_lines(f, seed, 1, 0, &st, &rej);
    const char *lines[] = {
        "{\"id\":\"P-1\",\"seller_id\":\"Q-1\",\"title\":\"One\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"P-2\",\"seller_id\":\"Q-1\",\"title\":\"Two\",\"price\":1,\"currency\":\"EUR\"}",
        "{not json",
        "{\"id\":\"P-4\",\"seller_id\":\"Q-1\",\"title\":\"Four\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"P-5\",\"seller_id\":\"Q-1\",\"title\":\"Taken\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"P-6\",\"seller_id\":\"Q-1\",\"title\":\"\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"P-7\",\"seller_id\":\"Q-1\",\"title\":\"Seven\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"P-8\",\"seller_id\":\"Q-1\",\"title\":\"Eight\",\"price\":1,\"currency\":\"EUR\"}",
        "[]",
    };
    import_lines(f, lines, 9, 2, &st, &rej);
    assert_int_equal(st.lines, 9);
    assert_int_equal(st.created, 5);
    assert_int_equal(st.rejected, 4);
    assert_int_equal(rej.n, 4);
    assert_int_equal(rej.lines[0], 3);
    assert_int_equal(rej.lines[1], 5);
    assert_int_equal(rej.lines[2], 6);
    assert_int_equal(rej.lines[3], 9);
    /* the rows are there, with their seller's name beside its id */
    struct store_listing l;
    struct store_listing_version v;
    assert_int_equal(catalog_listing_get(&f->db.ctx, "P-8", &l, &v, 0, NULL, NULL), IPS_OK);
    assert_string_equal(l.seller_name, "Q-1");
    assert_int_equal(catalog_listing_get(&f->db.ctx, "P-5", &l, &v, 0, NULL, NULL), IPS_OK);
    assert_string_equal(v.title, "Kept");
    assert_string_equal(l.seller_name, "Q-2");
}

/* Hits of a catalog-wide search for word (as a reviewer); first: the first id. */
static struct hits search_word(struct fixture *f, const char *word)
{
    struct hits h = {0, ""};
    assert_int_equal(catalog_listing_search(testdb_act_as(&f->db, &f->reviewer), word, 0, 10,
                                            collect_hit, &h),
                     IPS_OK);
    testdb_act_as(&f->db, &f->db.sys);
    return h;
}

/* The import fills the full-text index once per batch (store_catalog_bulk_index):
 * a listing created and changed inside one batch is indexed once, with its
 * current version; a version that replaces one indexed by an earlier batch
 * takes its place; writes after the import index each row again; and FTS5
 * finds its index consistent with the rows throughout. */
static void imported_listings_are_searchable_with_their_current_version(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->db.sys);
    const char *first[] = {
        "{\"id\":\"F-1\",\"seller_id\":\"G-1\",\"title\":\"Alpha bag\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"F-2\",\"seller_id\":\"G-2\",\"title\":\"Bravo belt\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"F-1\",\"seller_id\":\"G-1\",\"title\":\"Charlie bag\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"F-3\",\"seller_id\":\"G-1\",\"title\":\"Echo cap\",\"price\":1,\"currency\":\"EUR\"}",
    };
    struct catalog_import_stats st;
    struct rejects rej;
    import_lines(f, first, 4, 0, &st, &rej); /* one batch */
    assert_int_equal(st.created, 3);
    assert_int_equal(st.updated, 1);
    assert_int_equal(search_word(f, "alpha").n, 0); /* F-1's first version, replaced in the batch */
    struct hits h = search_word(f, "charlie");
    assert_int_equal(h.n, 1);
    assert_string_equal(h.first, "F-1");
    assert_int_equal(search_word(f, "bag").n, 1);
    assert_int_equal(search_word(f, "bravo").n, 1);
    if (!testdb_on_postgres(&f->db))
        assert_int_equal(testdb_exec_sql(&f->db, "INSERT INTO listings_fts (listings_fts)"
                                                 " VALUES ('integrity-check')"),
                         IPS_OK);
    /* a later import replaces F-2's indexed version and adds F-4, batches of 1 */
    const char *second[] = {
        "{\"id\":\"F-2\",\"seller_id\":\"G-2\",\"title\":\"Delta belt\",\"price\":1,\"currency\":\"EUR\"}",
        "{\"id\":\"F-4\",\"seller_id\":\"G-2\",\"title\":\"Foxtrot scarf\",\"price\":1,\"currency\":\"EUR\"}",
    };
    import_lines(f, second, 2, 1, &st, &rej);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.created, 1);
    assert_int_equal(search_word(f, "bravo").n, 0);
    h = search_word(f, "delta");
    assert_int_equal(h.n, 1);
    assert_string_equal(h.first, "F-2");
    assert_int_equal(search_word(f, "foxtrot").n, 1);
    assert_int_equal(search_word(f, "belt").n, 1);
    /* after the import, a listing written through the API is indexed at once */
    testdb_act_as(&f->db, &f->seller);
    json_t *a = listing_json("F-5", "Golf umbrella", "10");
    struct store_listing l;
    assert_int_equal(catalog_listing_create(&f->db.ctx, a, &l, &version_buf), IPS_OK);
    json_decref(a);
    assert_int_equal(search_word(f, "umbrella").n, 1);
    if (!testdb_on_postgres(&f->db))
        assert_int_equal(testdb_exec_sql(&f->db, "INSERT INTO listings_fts (listings_fts)"
                                                 " VALUES ('integrity-check')"),
                         IPS_OK);
}

/* One batch of more new listings than the SQLite store holds verdicts
 * back (32 to an INSERT inside a bulk transaction), with a listing written
 * a few rows before updated (its verdict replaced) and another repeated
 * unchanged: every row is there, at its version, searchable, the index is
 * sound and no reference dangles. */
static void a_large_batch_writes_every_listing_once(void **state)
{
    struct fixture *f = *state;
    testdb_act_as(&f->db, &f->db.sys);
    enum { NEW = 75 };
    static const char *const words[] = {"kilo", "lima", "mike", "november", "oscar"};
    char buf[NEW + 2][200];
    const char *lines[NEW + 2];
    size_t n = 0;
    for (int i = 0; i < NEW; i++) {
        /* listings written a few rows before (their verdicts still held back) */
        if (i == 40) /* H-35 again, new content: a second version */
            snprintf(buf[n], sizeof buf[n],
                     "{\"id\":\"H-35\",\"seller_id\":\"J-%d\",\"title\":\"papa bag\","
                     "\"price\":2,\"currency\":\"EUR\"}",
                     35 % 4);
        else if (i == 70) /* H-66 again, the same content */
            snprintf(buf[n], sizeof buf[n],
                     "{\"id\":\"H-66\",\"seller_id\":\"J-%d\",\"title\":\"%s item 66\","
                     "\"price\":1,\"currency\":\"EUR\"}",
                     66 % 4, words[66 % 5]);
        if (i == 40 || i == 70) {
            lines[n] = buf[n];
            n++;
        }
        snprintf(buf[n], sizeof buf[n],
                 "{\"id\":\"H-%d\",\"seller_id\":\"J-%d\",\"title\":\"%s item %d\","
                 "\"price\":1,\"currency\":\"EUR\"}",
                 i, i % 4, words[i % 5], i);
        lines[n] = buf[n];
        n++;
    }
    struct catalog_import_stats st;
    struct rejects rej;
    import_lines(f, lines, n, 0, &st, &rej); /* one batch */
    assert_int_equal(st.created, NEW);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.unchanged, 1);
    assert_int_equal(st.rejected, 0);
    for (int i = 0; i < NEW; i++) {
        char id[16];
        snprintf(id, sizeof id, "H-%d", i);
        struct store_listing l;
        assert_int_equal(store_catalog_listing_get(f->db.s, id, &l), IPS_OK);
        assert_int_equal(l.current_version, i == 35 ? 2 : 1);
    }
    assert_int_equal(search_word(f, "papa").n, 1);
    assert_int_equal(search_word(f, "35").n, 0); /* H-35's first version left the index */
    static const char *const one[] = {"0", "31", "32", "33", "63", "64", "66", "74"};
    for (size_t i = 0; i < sizeof one / sizeof *one; i++)
        assert_int_equal(search_word(f, one[i]).n, 1);
    if (!testdb_on_postgres(&f->db))
        assert_int_equal(testdb_exec_sql(&f->db, "INSERT INTO listings_fts (listings_fts)"
                                                 " VALUES ('integrity-check')"),
                         IPS_OK);
}

static void only_admins_and_the_system_may_import(void **state)
{
    struct fixture *f = *state;
    struct catalog_import *imp = NULL;
    testdb_act_as(&f->db, &f->seller);
    assert_int_equal(catalog_import_begin(&f->db.ctx, CATALOG_IMPORT_LISTINGS, "x", 0, NULL, NULL,
                                          &imp),
                     IPS_ERR_FORBIDDEN);
    assert_null(imp);
    testdb_act_as(&f->db, &f->reviewer);
    json_t *seller = json_pack("{s:s, s:s}", "id", "S-9", "name", "N");
    assert_int_equal(catalog_seller_put(&f->db.ctx, seller, NULL, NULL, NULL), IPS_ERR_FORBIDDEN);
    json_decref(seller);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identifiers_are_normalised_per_kind),
        cmocka_unit_test_setup_teardown(identifier_hashes_are_keyed_stable_and_kind_specific, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(seller_identifiers_are_stored_only_as_hashes, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_seller_creates_a_listing_at_version_one, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(an_update_makes_a_version_only_when_the_content_changes, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(another_seller_can_neither_read_nor_change_a_listing, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(bad_listing_input_is_refused_with_field_errors, setup, testdb_teardown),
        cmocka_unit_test(prices_follow_the_currency_minor_unit),
        cmocka_unit_test(only_the_listed_state_transitions_are_allowed),
        cmocka_unit_test_setup_teardown(reviewers_move_listings_through_their_states_and_sellers_cannot, setup, testdb_teardown),
        cmocka_unit_test(search_text_becomes_quoted_fts_terms),
        cmocka_unit_test_setup_teardown(search_finds_current_versions_ranked_and_survives_fts_syntax, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_suspended_sellers_listings_are_hidden_until_the_suspension_lapses, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_lapsed_or_lower_penalty_hides_nothing_and_termination_hides, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(import_skips_bad_lines_and_is_idempotent, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_large_batch_writes_every_listing_once, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(imported_listings_are_searchable_with_their_current_version, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(pipelined_batches_report_bad_lines_in_order, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(interleaved_sellers_in_a_batch_are_resolved_and_checked_once_each, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(only_admins_and_the_system_may_import, setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

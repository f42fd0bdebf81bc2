/* test_litigation.c — civil litigation files: known-answer damages (units
 * sold x price over the period, price changes, currency changes, sales
 * corrections, overflow), their totals and CSV form, and over a database:
 * a right holder opens a file against a seller, the damages come from the
 * listings it established as infringing, the signed bundle verifies with
 * the evidence verifier and holds only what the holder may see, and other
 * organisations get nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/config.h"
#include "core/id.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"
#include "litigation/litigation.h"
#include "referrals/referrals.h"
#include "store/store_detections.h"
#include "testdb.h"

/* ---- damages (pure, known answers) ------------------------------------------------------ */

static int64_t day(const char *date)
{
    char t[32];
    int64_t ms = 0;
    snprintf(t, sizeof t, "%sT12:00:00Z", date);
    assert_int_equal(time_parse_rfc3339(t, &ms), IPS_OK);
    return ms;
}

static int64_t day_start(const char *date)
{
    return day(date) - 12 * 3600 * 1000;
}

static int64_t day_end(const char *date)
{
    return day_start(date) + 86400000 - 1;
}

static void one_snapshot_counts_its_units_at_its_price(void **state)
{
    (void)state;
    struct litigation_snapshot s[] = {{day("2025-03-05"), 40, 1999, "USD"}};
    struct litigation_line lines[4];
    size_t n = 9;
    assert_int_equal(litigation_damages_compute(s, 1, day_start("2025-03-01"),
                                                day_end("2025-03-31"), lines, 4, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(lines[0].currency, "USD");
    assert_int_equal(lines[0].price_minor, 1999);
    assert_int_equal(lines[0].units, 40);
    assert_int_equal(lines[0].amount_minor, 79960);
    /* Outside the period: nothing. The period's last day counts whole. */
    assert_int_equal(litigation_damages_compute(s, 1, day_start("2025-04-01"),
                                                day_end("2025-04-30"), lines, 4, &n),
                     IPS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(litigation_damages_compute(s, 1, day_start("2025-01-01"),
                                                day_end("2025-03-05"), lines, 4, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
}

static void sales_between_snapshots_are_valued_at_the_earlier_price(void **state)
{
    (void)state;
    struct litigation_snapshot s[] = {
        {day("2025-01-10"), 10, 1000, "EUR"},
        {day("2025-02-10"), 25, 1200, "EUR"}, /* 15 sold at 10.00 */
        {day("2025-03-10"), 30, 1200, "EUR"}, /* 5 sold at 12.00 */
        {day("2025-03-20"), 30, 900, "EUR"},  /* a price change alone: nothing sold */
        {day("2025-04-10"), 32, 900, "EUR"},  /* 2 sold at 9.00, after the period */
    };
    struct litigation_line lines[4];
    size_t n = 0;
    assert_int_equal(litigation_damages_compute(s, 5, day_start("2025-02-01"),
                                                day_end("2025-03-31"), lines, 4, &n),
                     IPS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(lines[0].price_minor, 1000);
    assert_int_equal(lines[0].units, 15);
    assert_int_equal(lines[0].amount_minor, 15000);
    assert_int_equal(lines[1].price_minor, 1200);
    assert_int_equal(lines[1].units, 5);
    assert_int_equal(lines[1].amount_minor, 6000);
    /* The whole history: 10 + 15 at 10.00 merge into one line. */
    assert_int_equal(litigation_damages_compute(s, 5, 0, INT64_MAX, lines, 4, &n), IPS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(lines[0].units, 25);
    assert_int_equal(lines[0].amount_minor, 25000);
    assert_int_equal(lines[2].price_minor, 900);
    assert_int_equal(lines[2].amount_minor, 1800);
}

static void a_currency_change_and_a_correction_are_handled(void **state)
{
    (void)state;
    struct litigation_snapshot s[] = {
        {day("2025-05-01"), 4, 500, "USD"},
        {day("2025-05-02"), 10, 450, "EUR"}, /* 6 sold while priced 5.00 USD */
        {day("2025-05-03"), 8, 450, "EUR"},  /* a correction: nothing */
        {day("2025-05-04"), 12, 450, "EUR"}, /* 4 more, counted from 8 */
        {day("2025-05-05"), 12, 0, "JPY"},   /* nothing sold: no line */
    };
    struct litigation_line lines[4];
    size_t n = 0;
    assert_int_equal(litigation_damages_compute(s, 5, 0, INT64_MAX, lines, 4, &n), IPS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(lines[0].currency, "USD");
    assert_int_equal(lines[0].units, 10);
    assert_int_equal(lines[0].amount_minor, 5000);
    assert_string_equal(lines[1].currency, "EUR");
    assert_int_equal(lines[1].units, 4);
    assert_int_equal(lines[1].amount_minor, 1800);
}

static void overflowing_amounts_and_too_many_lines_are_refused(void **state)
{
    (void)state;
    struct litigation_snapshot big[] = {{1, INT64_C(1000000000000), INT64_C(100000000000), "USD"}};
    struct litigation_line lines[2];
    size_t n = 0;
    assert_int_equal(litigation_damages_compute(big, 1, 0, INT64_MAX, lines, 2, &n),
                     IPS_ERR_TOO_LARGE);
    struct litigation_snapshot many[] = {
        {1, 1, 100, "USD"}, {2, 2, 200, "USD"}, {3, 3, 300, "USD"}, {4, 4, 300, "USD"}};
    assert_int_equal(litigation_damages_compute(many, 4, 0, INT64_MAX, lines, 2, &n),
                     IPS_ERR_TOO_LARGE);
    struct litigation_snapshot neg[] = {{1, -1, 100, "USD"}};
    assert_int_equal(litigation_damages_compute(neg, 1, 0, INT64_MAX, lines, 2, &n),
                     IPS_ERR_INVALID);
}

static void the_view_totals_per_currency_and_the_csv_quotes_and_defuses(void **state)
{
    (void)state;
    json_t *rows = json_pack(
        "[{s:s, s:s, s:s, s:s, s:i, s:i, s:i}, {s:s, s:s, s:s, s:s, s:i, s:i, s:i},"
        " {s:s, s:s, s:s, s:s, s:i, s:i, s:i}]",
        "listing_id", "L-1", "title", "Bag, \"Aurora\" style", "basis", "notice N1", "currency",
        "USD", "price_minor", 1999, "units", 40, "amount_minor", 79960, "listing_id", "L-2",
        "title", "=HYPERLINK(\"x\")", "basis", "detection D1", "currency", "JPY", "price_minor",
        1500, "units", 3, "amount_minor", 4500, "listing_id", "L-3", "title", "Belt", "basis",
        "notice N2", "currency", "USD", "price_minor", 500, "units", 2, "amount_minor", 1000);
    json_t *view = litigation_damages_view(rows);
    assert_non_null(view);
    json_t *totals = json_object_get(view, "totals");
    assert_int_equal(json_array_size(totals), 2);
    json_t *usd = json_array_get(totals, 0);
    assert_string_equal(json_string_value(json_object_get(usd, "currency")), "USD");
    assert_int_equal(json_integer_value(json_object_get(usd, "units")), 42);
    assert_string_equal(json_string_value(json_object_get(usd, "amount")), "809.60");
    json_t *jpy = json_array_get(totals, 1);
    assert_string_equal(json_string_value(json_object_get(jpy, "amount")), "4500");
    json_t *l0 = json_array_get(json_object_get(view, "lines"), 0);
    assert_string_equal(json_string_value(json_object_get(l0, "unit_price")), "19.99");
    assert_string_equal(json_string_value(json_object_get(l0, "amount")), "799.60");

    struct buf csv;
    buf_init(&csv, 1 << 20);
    assert_int_equal(litigation_damages_csv(view, &csv), IPS_OK);
    assert_string_equal(csv.data,
                        "listing_id,title,basis,currency,unit_price,units,amount\r\n"
                        "L-1,\"Bag, \"\"Aurora\"\" style\",notice N1,USD,19.99,40,799.60\r\n"
                        "L-2,\"'=HYPERLINK(\"\"x\"\")\",detection D1,JPY,1500,3,4500\r\n"
                        "L-3,Belt,notice N2,USD,5.00,2,10.00\r\n");
    buf_release(&csv);
    /* A maximum too small for the text: refused, not cut. */
    buf_init(&csv, 64);
    assert_int_equal(litigation_damages_csv(view, &csv), IPS_ERR_TOO_LARGE);
    buf_release(&csv);
    json_decref(view);
    json_decref(rows);
}

/* ---- files over a database ---------------------------------------------------------------- */

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org platform, brand, other, shop, other_shop;
    struct access_principal reviewer, rh, rh_other, seller, other_seller;
    char mine[ID_SIZE], theirs[ID_SIZE]; /* detection verdicts */
};

static void listing(struct fixture *f, const struct access_principal *as, const char *json)
{
    json_t *lj = json_loads(json, 0, NULL);
    assert_non_null(lj);
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    assert_int_equal(catalog_listing_create(testdb_act_as(&f->db, as), lj, &l, v), IPS_OK);
    free(v);
    json_decref(lj);
}

static void relist(struct fixture *f, const char *id, const char *json)
{
    json_t *lj = json_loads(json, 0, NULL);
    assert_non_null(lj);
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    bool changed = false;
    assert_int_equal(
        catalog_listing_update(testdb_act_as(&f->db, &f->seller), id, lj, &l, v, &changed), IPS_OK);
    assert_true(changed);
    free(v);
    json_decref(lj);
}

/* A verdict on listing_id concerning org, with its decision. */
static void verdict(struct fixture *f, const char *listing_id, const struct store_org *org,
                    const char *decision, char id_out[ID_SIZE])
{
    struct store_detection *d = calloc(1, sizeof *d);
    assert_non_null(d);
    id_new(d->id);
    snprintf(d->listing_id, sizeof d->listing_id, "%s", listing_id);
    d->listing_version = 1;
    d->rules_version = d->checked_version = 1;
    d->score_milli = 910;
    snprintf(d->action, sizeof d->action, "review");
    snprintf(d->applied, sizeof d->applied, "none");
    snprintf(d->status, sizeof d->status, "%s", decision);
    snprintf(d->signals, sizeof d->signals,
             "[{\"type\":\"brand_term\",\"org_id\":\"%s\",\"explanation\":\"secret term of %s\"}]",
             org->id, org->name);
    snprintf(d->outcome_key, sizeof d->outcome_key, "review");
    d->is_current = true;
    d->created_ms = time_now_ms();
    assert_int_equal(store_detections_verdict_insert(f->db.s, d, true), IPS_OK);
    struct store_detection_org o = {0};
    memcpy(o.verdict_id, d->id, sizeof o.verdict_id);
    memcpy(o.org_id, org->id, sizeof o.org_id);
    snprintf(o.decision, sizeof o.decision, "%s", decision);
    snprintf(o.decided_by, sizeof o.decided_by, "system");
    assert_int_equal(store_detections_org_insert(f->db.s, &o), IPS_OK);
    memcpy(id_out, d->id, ID_SIZE);
    free(d);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    struct testdb *t = &f->db;
    testdb_open(t, "litigation");
    char key[128], err[128];
    snprintf(key, sizeof key, "%s/ledger.key", t->dir); /* the platform's signing key */
    assert_int_equal(config_set(&t->cfg, "ledger_key", key, err, sizeof err), IPS_OK);
    testdb_org_add(t, "Platform", "platform", &f->platform);
    testdb_org_add(t, "Aurora", "rightholder", &f->brand);
    testdb_org_add(t, "Borealis", "rightholder", &f->other);
    testdb_org_add(t, "Lucky Shop", "seller", &f->shop);
    testdb_org_add(t, "Other Shop", "seller", &f->other_shop);
    testdb_user_add(t, "rev@p.test", "reviewer", &f->platform, NULL, &f->reviewer);
    testdb_user_add(t, "a@aurora.test", "rightholder", &f->brand, NULL, &f->rh);
    testdb_user_add(t, "b@borealis.test", "rightholder", &f->other, NULL, &f->rh_other);
    testdb_user_add(t, "s@shop.test", "seller", &f->shop, NULL, &f->seller);
    testdb_user_add(t, "s@other.test", "seller", &f->other_shop, NULL, &f->other_seller);
    const char *sellers[][2] = {{"lucky", f->shop.id}, {"other", f->other_shop.id}};
    for (int i = 0; i < 2; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"id\":\"%s\",\"name\":\"%s\",\"ship_from\":\"CN-GD\","
                 "\"identifiers\":{\"phone\":\"+861380000000%d\"}}",
                 sellers[i][0], sellers[i][0], i);
        json_t *sj = json_loads(text, 0, NULL);
        assert_int_equal(
            catalog_seller_put(testdb_act_as(t, &t->sys), sj, sellers[i][1], NULL, NULL), IPS_OK);
        json_decref(sj);
    }
    /* L-1: 40 sold at 19.99, then 100 in all at 24.99 (60 more sold at 19.99). */
    listing(f, &f->seller,
            "{\"id\":\"L-1\",\"title\":\"Aurora bag replica\",\"price\":\"19.99\","
            "\"currency\":\"USD\",\"units_sold\":40}");
    relist(f, "L-1",
           "{\"title\":\"Aurora bag replica\",\"price\":\"24.99\",\"currency\":\"USD\","
           "\"units_sold\":100}");
    /* L-2: 7 sold at 1500 JPY; L-3: Borealis's, not Aurora's. L-4: not flagged. */
    listing(f, &f->seller,
            "{\"id\":\"L-2\",\"title\":\"Aurora wallet\",\"price\":\"1500\",\"currency\":\"JPY\","
            "\"units_sold\":7}");
    listing(f, &f->seller,
            "{\"id\":\"L-3\",\"title\":\"Borealis belt\",\"price\":\"5\",\"currency\":\"EUR\","
            "\"units_sold\":9}");
    listing(f, &f->seller,
            "{\"id\":\"L-4\",\"title\":\"Plain scarf\",\"price\":\"3\",\"currency\":\"EUR\","
            "\"units_sold\":11}");
    listing(f, &f->other_seller,
            "{\"id\":\"O-1\",\"title\":\"Aurora hat\",\"price\":\"8\",\"currency\":\"EUR\","
            "\"units_sold\":5}");
    verdict(f, "L-1", &f->brand, "confirmed", f->mine);
    char unused[ID_SIZE];
    verdict(f, "L-2", &f->brand, "confirmed", unused);
    verdict(f, "L-3", &f->other, "confirmed", f->theirs);
    verdict(f, "L-4", &f->brand, "dismissed", unused);
    verdict(f, "O-1", &f->brand, "confirmed", unused); /* another seller's */
    return 0;
}

static ips_status open_file(struct fixture *f, const struct access_principal *as, const char *extra,
                            const char *from, const char *to, struct store_litigation *out)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"seller_org_id\":\"%s\",\"title\":\"Aurora v. Lucky Shop\","
             "\"period_from\":\"%s\",\"period_to\":\"%s\"%s}",
             f->shop.id, from, to, extra);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    ips_status st = litigation_open(testdb_act_as(&f->db, as), body, out);
    json_decref(body);
    return st;
}

static json_t *total_of(json_t *view, const char *currency)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(view, "totals"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "currency")), currency) == 0)
            return t;
    }
    return NULL;
}

static void a_right_holder_opens_a_file_with_the_damages_of_its_infringing_listings(void **state)
{
    struct fixture *f = *state;
    struct store_litigation file;
    char today[TIME_RFC3339_LEN];
    time_now_rfc3339(today, sizeof today); /* YYYY-MM-DD… cut to the date */
    today[10] = '\0';
    assert_int_equal(
        open_file(f, &f->rh, ",\"court\":\"Hangzhou Internet Court\"", "2020-01-01", today, &file),
        IPS_OK);
    assert_string_equal(file.rightholder_org_id, f->brand.id);
    assert_string_equal(file.opened_by_org, f->brand.id);
    assert_int_equal(file.listings, 2); /* L-1 and L-2: confirmed, Aurora's, this seller's */
    json_t *view = NULL;
    assert_int_equal(litigation_damages(testdb_act_as(&f->db, &f->rh), file.id, &view), IPS_OK);
    json_t *lines = json_object_get(view, "lines");
    assert_int_equal(json_array_size(lines), 2);
    json_t *l1 = json_array_get(lines, 0);
    assert_string_equal(json_string_value(json_object_get(l1, "listing_id")), "L-1");
    assert_int_equal(json_integer_value(json_object_get(l1, "units")), 100);
    assert_string_equal(json_string_value(json_object_get(l1, "unit_price")), "19.99");
    assert_string_equal(json_string_value(json_object_get(l1, "amount")), "1999.00");
    assert_non_null(strstr(json_string_value(json_object_get(l1, "basis")), f->mine));
    assert_string_equal(json_string_value(json_object_get(total_of(view, "USD"), "amount")),
                        "1999.00");
    assert_string_equal(json_string_value(json_object_get(total_of(view, "JPY"), "amount")),
                        "10500");
    assert_null(total_of(view, "EUR")); /* Borealis's, dismissed, and unflagged listings */
    json_decref(view);

    /* A period before any sale: the same listings, no damages. */
    struct store_litigation old;
    assert_int_equal(open_file(f, &f->rh, "", "2020-01-01", "2020-12-31", &old), IPS_OK);
    assert_int_equal(old.listings, 2);
    assert_int_equal(litigation_damages(testdb_act_as(&f->db, &f->rh), old.id, &view), IPS_OK);
    assert_int_equal(json_array_size(json_object_get(view, "lines")), 0);
    assert_int_equal(json_array_size(json_object_get(view, "totals")), 0);
    json_decref(view);
}

/* Read an archive into {path: text}. */
static json_t *members(const void *data, size_t len)
{
    json_t *out = json_object();
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_memory(a, data, len), ARCHIVE_OK);
    struct archive_entry *en;
    while (archive_read_next_header(a, &en) == ARCHIVE_OK) {
        struct buf b;
        buf_init(&b, 1 << 24);
        char chunk[8192];
        la_ssize_t r;
        while ((r = archive_read_data(a, chunk, sizeof chunk)) > 0)
            assert_int_equal(buf_append(&b, chunk, (size_t)r), IPS_OK);
        json_object_set_new(out, archive_entry_pathname(en),
                            json_stringn(b.data ? b.data : "", b.len));
        buf_release(&b);
    }
    archive_read_free(a);
    return out;
}

static void the_bundle_verifies_and_holds_only_what_the_holder_may_see(void **state)
{
    struct fixture *f = *state;
    struct store_litigation file;
    assert_int_equal(open_file(f, &f->rh, "", "2020-01-01", "2099-12-31", &file), IPS_OK);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(
        litigation_bundle_read(testdb_act_as(&f->db, &f->rh), file.id, &data, &len, &info), IPS_OK);
    assert_string_equal(info.sha256, file.evidence_sha256);
    char vkey[NOTE_VKEY_MAX];
    assert_int_equal(ledger_verifier_key(testdb_act_as(&f->db, &f->db.sys), vkey), IPS_OK);
    struct evidence_report rep;
    assert_int_equal(evidence_verify_memory(data, len, vkey, &rep), IPS_OK);
    assert_string_equal(rep.referral_id, file.id);
    assert_string_equal(rep.case_kind, "litigation");
    evidence_report_clear(&rep);

    json_t *m = members(data, len);
    free(data);
    assert_non_null(json_object_get(m, "litigation.json"));
    assert_non_null(json_object_get(m, "damages.json"));
    const char *csv = json_string_value(json_object_get(m, "damages.csv"));
    assert_non_null(csv);
    assert_non_null(strstr(csv, "L-1,Aurora bag replica,"));
    assert_non_null(strstr(csv, ",USD,19.99,100,1999.00\r\n"));
    char path[128];
    snprintf(path, sizeof path, "detections/%s.json", f->mine);
    assert_non_null(json_object_get(m, path));
    snprintf(path, sizeof path, "detections/%s.json", f->theirs);
    assert_null(json_object_get(m, path)); /* Borealis's verdict is not Aurora's to see */
    snprintf(path, sizeof path, "sellers/%s.json", f->shop.id);
    const char *seller = json_string_value(json_object_get(m, path));
    assert_non_null(seller);
    assert_null(strstr(seller, "linked_sellers")); /* the network registry is the platform's */
    const char *key;
    json_t *v;
    json_object_foreach(m, key, v)
        assert_null(strstr(json_string_value(v), "secret term of Borealis"));
    json_decref(m);
}

static ips_status count_file(const struct store_litigation *file, void *arg)
{
    (void)file;
    (*(int *)arg)++;
    return IPS_OK;
}

static void other_organisations_get_nothing_and_bad_input_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct store_litigation file, got;
    assert_int_equal(open_file(f, &f->rh, "", "2025-01-01", "2025-12-31", &file), IPS_OK);
    /* The platform reads it; another right holder and the seller do not. */
    assert_int_equal(litigation_get(testdb_act_as(&f->db, &f->reviewer), file.id, &got), IPS_OK);
    assert_int_equal(litigation_get(testdb_act_as(&f->db, &f->rh_other), file.id, &got),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(litigation_get(testdb_act_as(&f->db, &f->seller), file.id, &got),
                     IPS_ERR_NOT_FOUND);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(
        litigation_bundle_read(testdb_act_as(&f->db, &f->rh_other), file.id, &data, &len, &info),
        IPS_ERR_NOT_FOUND);
    /* A file for another holder: refused as if it did not exist. */
    char extra[128];
    snprintf(extra, sizeof extra, ",\"rightholder_org_id\":\"%s\"", f->brand.id);
    assert_int_equal(open_file(f, &f->rh_other, extra, "2025-01-01", "2025-12-31", &got),
                     IPS_ERR_NOT_FOUND);
    /* Sellers and reviewers do not open files. */
    assert_int_equal(open_file(f, &f->seller, "", "2025-01-01", "2025-12-31", &got),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(open_file(f, &f->reviewer, "", "2025-01-01", "2025-12-31", &got),
                     IPS_ERR_FORBIDDEN);
    /* Bad periods and a non-seller. */
    assert_int_equal(open_file(f, &f->rh, "", "2025-12-31", "2025-01-01", &got), IPS_ERR_INVALID);
    assert_int_equal(open_file(f, &f->rh, "", "2025-02-30", "2025-03-01", &got), IPS_ERR_INVALID);
    assert_int_equal(open_file(f, &f->rh, "", "yesterday", "2025-03-01", &got), IPS_ERR_INVALID);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "seller_org_id", f->other.id, "title", "x",
                             "period_from", "2025-01-01", "period_to", "2025-01-02");
    assert_int_equal(litigation_open(testdb_act_as(&f->db, &f->rh), body, &got), IPS_ERR_INVALID);
    json_decref(body);
    /* Only the first file exists; each party lists what it may read. */
    int n = 0;
    assert_int_equal(litigation_list(testdb_act_as(&f->db, &f->rh), NULL, 50, count_file, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(litigation_list(testdb_act_as(&f->db, &f->reviewer), NULL, 50, count_file, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(litigation_list(testdb_act_as(&f->db, &f->rh_other), NULL, 50, count_file, &n),
                     IPS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(litigation_list(testdb_act_as(&f->db, &f->seller), NULL, 50, count_file, &n),
                     IPS_ERR_FORBIDDEN);
}

static ips_status set_status(struct fixture *f, const struct access_principal *as, const char *id,
                             const char *json, struct store_litigation *out)
{
    json_t *body = json_loads(json, 0, NULL);
    assert_non_null(body);
    ips_status st = litigation_status_set(testdb_act_as(&f->db, as), id, body, out);
    json_decref(body);
    return st;
}

static void the_holder_records_status_and_outcome_along_the_allowed_moves(void **state)
{
    struct fixture *f = *state;
    struct store_litigation file, got;
    assert_int_equal(open_file(f, &f->rh, "", "2025-01-01", "2025-12-31", &file), IPS_OK);
    assert_string_equal(file.status, "open");
    assert_int_equal(litigation_get(testdb_act_as(&f->db, &f->rh), file.id, &got), IPS_OK);
    assert_string_equal(got.status, "open");
    assert_int_equal(got.status_ms, 0);
    /* the moves, pure */
    assert_true(litigation_status_allowed("open", "filed"));
    assert_true(litigation_status_allowed("filed", "judgment"));
    assert_true(litigation_status_allowed("settled", "closed"));
    assert_false(litigation_status_allowed("open", "judgment"));
    assert_false(litigation_status_allowed("closed", "open"));
    assert_false(litigation_status_allowed("filed", "open"));
    assert_false(litigation_status_valid("won"));

    /* who: the platform reads but may not change it; others do not see it */
    assert_int_equal(set_status(f, &f->reviewer, file.id, "{\"status\":\"filed\"}", &got),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(set_status(f, &f->rh_other, file.id, "{\"status\":\"filed\"}", &got),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(set_status(f, &f->seller, file.id, "{\"status\":\"filed\"}", &got),
                     IPS_ERR_NOT_FOUND);
    /* bad input changes nothing */
    static const char *const bad[] = {
        "{}",
        "{\"status\":\"won\"}",
        "{\"status\":\"filed\",\"outcome\":\"early\"}",
        "{\"status\":\"settled\"}",
        "{\"status\":\"settled\",\"outcome\":\"paid\",\"amount\":\"10.00\"}",
        "{\"status\":\"settled\",\"outcome\":\"paid\",\"amount\":\"10.001\",\"currency\":\"USD\"}",
        "{\"status\":\"settled\",\"outcome\":\"paid\",\"amount\":\"-1\",\"currency\":\"USD\"}",
        "{\"status\":\"settled\",\"outcome\":\"paid\",\"amount\":\"1\",\"currency\":\"US\"}",
        "{\"status\":\"settled\",\"outcome\":\"\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(set_status(f, &f->rh, file.id, bad[i], &got), IPS_ERR_INVALID);
    /* a move not allowed: 409 */
    assert_int_equal(set_status(f, &f->rh, file.id,
                                "{\"status\":\"judgment\",\"outcome\":\"won\"}", &got),
                     IPS_ERR_CONFLICT);
    assert_int_equal(litigation_get(testdb_act_as(&f->db, &f->rh), file.id, &got), IPS_OK);
    assert_string_equal(got.status, "open");

    assert_int_equal(set_status(f, &f->rh, file.id, "{\"status\":\"filed\"}", &got), IPS_OK);
    assert_string_equal(got.status, "filed");
    assert_true(got.status_ms > 0);
    assert_int_equal(set_status(f, &f->rh, file.id, "{\"status\":\"filed\"}", &got),
                     IPS_ERR_CONFLICT);
    assert_int_equal(set_status(f, &f->rh, file.id,
                                "{\"status\":\"judgment\",\"outcome\":\"Damages awarded\","
                                "\"amount\":\"1250.5\",\"currency\":\"usd\"}",
                                &got),
                     IPS_OK);
    assert_string_equal(got.status, "judgment");
    assert_string_equal(got.outcome, "Damages awarded");
    assert_string_equal(got.outcome_currency, "USD");
    assert_int_equal(got.outcome_amount_minor, 125050);
    /* closing keeps the outcome; a closed file moves no more */
    assert_int_equal(set_status(f, &f->rh, file.id, "{\"status\":\"closed\"}", &got), IPS_OK);
    assert_int_equal(litigation_get(testdb_act_as(&f->db, &f->rh), file.id, &got), IPS_OK);
    assert_string_equal(got.status, "closed");
    assert_string_equal(got.outcome, "Damages awarded");
    assert_int_equal(got.outcome_amount_minor, 125050);
    assert_int_equal(set_status(f, &f->rh, file.id, "{\"status\":\"filed\"}", &got),
                     IPS_ERR_CONFLICT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_snapshot_counts_its_units_at_its_price),
        cmocka_unit_test(sales_between_snapshots_are_valued_at_the_earlier_price),
        cmocka_unit_test(a_currency_change_and_a_correction_are_handled),
        cmocka_unit_test(overflowing_amounts_and_too_many_lines_are_refused),
        cmocka_unit_test(the_view_totals_per_currency_and_the_csv_quotes_and_defuses),
        cmocka_unit_test_setup_teardown(
            a_right_holder_opens_a_file_with_the_damages_of_its_infringing_listings, setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(the_bundle_verifies_and_holds_only_what_the_holder_may_see,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(
            other_organisations_get_nothing_and_bad_input_changes_nothing, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(
            the_holder_records_status_and_outcome_along_the_allowed_moves, setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

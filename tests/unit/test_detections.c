/* test_detections.c — server-side detection (src/detections/) on a real
 * database: scan on write with a verdict per listing version, block before
 * publication and the configured policy, recompilation and rescan after a
 * profile change (through the job), the seller and category-median signals,
 * remembered dismissals with the precision they feed, and right holders
 * kept to their own brands. The confirm -> takedown path (notices,
 * statement of reasons, counter-notice) runs end to end in
 * tests/e2e/detections.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alliance/alliance.h"
#include "catalog/catalog.h"
#include "detections/detections.h"
#include "enforce/enforce.h"
#include "profile/profile.h"
#include "testdb.h"

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct access_principal aurora, zephyr, seller, reviewer;
    struct store_org brand, brand2, shop, platform;
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
    testdb_open(&f->db, "detections");
    testdb_org_add(&f->db, "Aurora Fashion", "rightholder", &f->brand);
    testdb_org_add(&f->db, "Zephyr Sports", "rightholder", &f->brand2);
    testdb_org_add(&f->db, "Shop", "seller", &f->shop);
    testdb_org_add(&f->db, "Platform", "platform", &f->platform);
    /* principals without stored users: no password hashing, a faster test */
    f->aurora = testdb_principal_make(ROLE_RIGHTHOLDER, "01HZZZZZZZZZZZZZZZZZZZZZA1", f->brand.id);
    f->zephyr = testdb_principal_make(ROLE_RIGHTHOLDER, "01HZZZZZZZZZZZZZZZZZZZZZZ1", f->brand2.id);
    f->seller = testdb_principal_make(ROLE_SELLER, "01HZZZZZZZZZZZZZZZZZZZZZS1", f->shop.id);
    f->reviewer = testdb_principal_make(ROLE_REVIEWER, "01HZZZZZZZZZZZZZZZZZZZZZR1", f->platform.id);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    free(f->v);
    free(f->d);
    detections_shutdown();
    return testdb_teardown(state);
}

/* ---- helpers ------------------------------------------------------------------------ */

static void terms(struct fixture *f, const struct access_principal *who, const char *org,
                  const char *term)
{
    json_t *t = json_pack("[{s:s}]", "term", term);
    assert_int_equal(profile_terms_set(testdb_act_as(&f->db, who), org, t), IPS_OK);
    json_decref(t);
}

/* The job until the rescan is finished. */
static void run_job(struct fixture *f)
{
    struct ips_ctx *ctx = testdb_act_as(&f->db, &f->db.sys);
    assert_int_equal(detections_tick(ctx, 0), IPS_OK);
    bool done = false;
    for (int i = 0; i < 100 && !done; i++)
        assert_int_equal(detections_rescan_step(ctx, 0, &done), IPS_OK);
    assert_true(done);
}

static void rebuild(struct fixture *f)
{
    assert_int_equal(detections_rules_rebuild(testdb_act_as(&f->db, &f->db.sys), "test", NULL),
                     IPS_OK);
    bool done = false;
    assert_int_equal(detections_rescan_step(testdb_act_as(&f->db, &f->db.sys), 0, &done), IPS_OK);
    assert_true(done);
}

static void create(struct fixture *f, const char *id, const char *title, const char *price,
                   const char *category)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "title", title, "price", price,
                          "currency", "EUR", "category", category);
    assert_int_equal(catalog_listing_create(testdb_act_as(&f->db, &f->seller), b, &f->l, f->v),
                     IPS_OK);
    json_decref(b);
}

/* The listing's current verdict, read as the system through the store. */
static void current(struct fixture *f, const char *listing)
{
    assert_int_equal(store_detections_verdict_current(f->db.s, listing, f->d), IPS_OK);
}

/* The signal of type in the current verdict (or NULL); new reference. */
static json_t *signal_of(struct fixture *f, const char *type)
{
    json_t *sigs = json_loads(f->d->signals, 0, NULL), *found = NULL;
    size_t i;
    json_t *s;
    json_array_foreach(sigs, i, s)
    {
        if (!found && strcmp(json_string_value(json_object_get(s, "type")), type) == 0)
            found = json_incref(s);
    }
    json_decref(sigs);
    return found;
}

/* Aurora joins the alliance and shares a report about the shop. */
static void report_shop(struct fixture *f)
{
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->aurora), f->brand.id, NULL),
                     IPS_OK);
    json_t *rep = json_pack("{s:s, s:s}", "seller_org_id", f->shop.id, "reason",
                            "sold counterfeits in a test buy");
    assert_int_equal(alliance_report_share(testdb_act_as(&f->db, &f->aurora), rep, NULL), IPS_OK);
    json_decref(rep);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void a_new_listing_is_scanned_as_it_is_written_with_a_verdict_per_version(void **state)
{
    struct fixture *f = *state;
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    create(f, "L1", "AUR0RA bag replica", "20.00", "bags");
    current(f, "L1");
    assert_int_equal(f->d->listing_version, 1);
    assert_string_equal(f->d->action, "review"); /* brand 0.25 + cue 0.45 */
    assert_int_equal(f->d->rules_version, 2);
    json_t *b = signal_of(f, "brand_term");
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "field")), "title");
    assert_int_equal(json_integer_value(json_object_get(b, "start")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "end")), 6);
    assert_string_equal(json_string_value(json_object_get(b, "match")), "AUR0RA");
    assert_string_equal(json_string_value(json_object_get(b, "org_id")), f->brand.id);
    assert_non_null(json_object_get(b, "explanation"));
    json_decref(b);
    char first[ID_SIZE];
    memcpy(first, f->d->id, ID_SIZE);

    /* a new version gets its own verdict; the first one stays, not current */
    json_t *u = json_pack("{s:s, s:s, s:s, s:s}", "title", "plain canvas bag", "price", "20.00",
                          "currency", "EUR", "category", "bags");
    bool changed = false;
    assert_int_equal(
        catalog_listing_update(testdb_act_as(&f->db, &f->seller), "L1", u, &f->l, f->v, &changed),
        IPS_OK);
    json_decref(u);
    assert_true(changed);
    current(f, "L1");
    assert_int_equal(f->d->listing_version, 2);
    assert_string_equal(f->d->action, "allow");
    assert_string_not_equal(f->d->id, first);
    assert_int_equal(store_detections_verdict_get(f->db.s, first, f->d), IPS_OK);
    assert_false(f->d->is_current);
    assert_int_equal(f->d->listing_version, 1);
}

static void a_block_verdict_holds_the_listing_back_before_publication(void **state)
{
    struct fixture *f = *state;
    terms(f, &f->aurora, f->brand.id, "Aurora");
    json_t *p = json_pack("[{s:s, s:s, s:i}]", "category", "bags", "currency", "EUR",
                          "min_minor", 30000);
    assert_int_equal(profile_prices_set(testdb_act_as(&f->db, &f->aurora), f->brand.id, p),
                     IPS_OK);
    json_decref(p);
    struct store_org other;
    testdb_act_as(&f->db, &f->db.sys);
    testdb_org_add(&f->db, "Official Store", "seller", &other);
    json_t *s = json_pack("[s]", other.id);
    assert_int_equal(profile_sellers_set(testdb_act_as(&f->db, &f->aurora), f->brand.id, s),
                     IPS_OK);
    json_decref(s);
    rebuild(f);
    create(f, "L2", "Aurora handbag 1:1 replica", "9.00", "bags");
    assert_string_equal(f->l.state, "blocked");
    current(f, "L2");
    assert_string_equal(f->d->action, "block");
    assert_string_equal(f->d->applied, "blocked");
    json_t *pr = signal_of(f, "price_below_reference");
    assert_non_null(pr);
    assert_int_equal(json_integer_value(json_object_get(pr, "reference_min_minor")), 30000);
    json_decref(pr);
    json_t *un = signal_of(f, "unauthorised_seller");
    assert_non_null(un);
    json_decref(un);

    /* with the block action switched off the verdict says block, the listing stays live */
    f->db.cfg.detect_block = false;
    rebuild(f);
    create(f, "L3", "Aurora handbag 1:1 replica", "9.00", "bags");
    assert_string_equal(f->l.state, "live");
    current(f, "L3");
    assert_string_equal(f->d->action, "block");
    assert_string_equal(f->d->applied, "none");
}

static void the_configured_policy_decides_the_action(void **state)
{
    struct fixture *f = *state;
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    create(f, "P1", "Aurora scarf", "50.00", "scarves");
    current(f, "P1");
    assert_string_equal(f->d->action, "allow"); /* a brand alone */
    create(f, "P2", "mirror quality scarf", "50.00", "scarves");
    current(f, "P2");
    assert_string_equal(f->d->action, "monitor"); /* a cue alone */

    char path[200];
    snprintf(path, sizeof path, "%s/policy.json", f->db.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"review\": 0.2, \"monitor\": 0.1}", fp);
    fclose(fp);
    const char *orig = f->db.cfg.detect_policy; /* owned by the config */
    f->db.cfg.detect_policy = path;
    rebuild(f);
    create(f, "P3", "Aurora scarf", "50.00", "scarves");
    current(f, "P3");
    assert_string_equal(f->d->action, "review");
    /* a policy file that is not valid refuses to scan, changing nothing */
    fp = fopen(path, "w");
    fputs("{\"review\": 2}", fp);
    fclose(fp);
    assert_int_not_equal(detections_rules_rebuild(testdb_act_as(&f->db, &f->db.sys), "bad", NULL),
                         IPS_OK);
    f->db.cfg.detect_policy = orig;
}

static void a_profile_change_recompiles_the_rules_and_rescans_in_the_job(void **state)
{
    struct fixture *f = *state;
    create(f, "R1", "ZEPHYR running shoes", "80.00", "shoes");
    create(f, "R2", "plain wool socks", "8.00", "socks");
    current(f, "R1");
    assert_string_equal(f->d->action, "allow");
    json_t *none = signal_of(f, "brand_term");
    assert_null(none);
    int64_t before = f->d->rules_version;

    terms(f, &f->zephyr, f->brand2.id, "Zephyr");
    run_job(f);
    struct store_detection_rules r;
    assert_int_equal(detections_rules_get(testdb_act_as(&f->db, &f->reviewer), &r), IPS_OK);
    assert_true(r.version > before);
    assert_true(r.rescan_done);
    assert_int_equal(r.rescanned, 2);
    current(f, "R1");
    assert_int_equal(f->d->rules_version, r.version);
    json_t *b = signal_of(f, "brand_term");
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "org_id")), f->brand2.id);
    json_decref(b);
    /* an unaffected listing keeps its verdict, checked by the new version */
    current(f, "R2");
    assert_int_equal(f->d->rules_version, before);
    assert_int_equal(f->d->checked_version, r.version);
    /* nothing changed since: the job does not rebuild again */
    run_job(f);
    struct store_detection_rules r2;
    assert_int_equal(detections_rules_get(testdb_act_as(&f->db, &f->reviewer), &r2), IPS_OK);
    assert_int_equal(r2.version, r.version);
}

static void a_seller_on_an_alliance_list_is_a_signal(void **state)
{
    struct fixture *f = *state;
    create(f, "S1", "leather wallet", "30.00", "wallets");
    current(f, "S1");
    json_t *none = signal_of(f, "seller_flagged");
    assert_null(none);
    report_shop(f);
    create(f, "S2", "leather wallet", "30.00", "wallets");
    current(f, "S2");
    json_t *s = signal_of(f, "seller_flagged");
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "alliance_reports")), 1);
    assert_int_equal(json_integer_value(json_object_get(s, "reporting_members")), 1);
    json_decref(s);
    assert_string_equal(f->d->action, "monitor"); /* 0.45 alone */
}

static void a_price_far_below_the_category_median_is_a_signal(void **state)
{
    struct fixture *f = *state;
    char id[16];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "M%d", i);
        create(f, id, "leather belt", i % 2 ? "100.00" : "110.00", "belts");
    }
    rebuild(f); /* medians are computed with the rules */
    create(f, "M9", "leather belt", "20.00", "belts");
    current(f, "M9");
    json_t *m = signal_of(f, "price_below_median");
    assert_non_null(m);
    assert_int_equal(json_integer_value(json_object_get(m, "median_minor")), 11000);
    assert_int_equal(json_integer_value(json_object_get(m, "samples")), 5);
    json_decref(m);
    assert_string_equal(f->d->action, "monitor");
    /* at 40% of the median (threshold 30%) there is no signal */
    create(f, "M8", "leather belt", "45.00", "belts");
    current(f, "M8");
    json_t *none = signal_of(f, "price_below_median");
    assert_null(none);
}

static ips_status take_precision(const struct store_detection_precision *p, void *arg)
{
    *(struct store_detection_precision *)arg = *p;
    return IPS_OK;
}

static void a_dismissal_is_remembered_and_feeds_the_precision(void **state)
{
    struct fixture *f = *state;
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    create(f, "D1", "Aurora bag replica", "20.00", "bags");
    current(f, "D1");
    char id[ID_SIZE];
    memcpy(id, f->d->id, ID_SIZE);
    assert_int_equal(detections_dismiss(testdb_act_as(&f->db, &f->aurora), id, "resold", NULL),
                     IPS_ERR_INVALID);
    assert_int_equal(
        detections_dismiss(testdb_act_as(&f->db, &f->aurora), id, "authorised_reseller", "ok"),
        IPS_OK);
    assert_int_equal(
        detections_dismiss(testdb_act_as(&f->db, &f->aurora), id, "authorised_reseller", NULL),
        IPS_ERR_CONFLICT);
    /* the listing's verdict no longer carries the brand, and a rescan keeps it so */
    current(f, "D1");
    json_t *b = signal_of(f, "brand_term");
    assert_null(b);
    rebuild(f);
    current(f, "D1");
    b = signal_of(f, "brand_term");
    assert_null(b);
    assert_int_equal(store_detections_verdict_get(f->db.s, id, f->d), IPS_OK);
    assert_string_equal(f->d->status, "dismissed");
    struct store_detection_precision p;
    memset(&p, 0, sizeof p);
    assert_int_equal(
        detections_precision(testdb_act_as(&f->db, &f->aurora), NULL, take_precision, &p), IPS_OK);
    assert_string_equal(p.org_id, f->brand.id);
    assert_int_equal(p.dismissed, 1);
    assert_int_equal(p.confirmed, 0);
    /* a new version of the listing is judged afresh */
    json_t *u = json_pack("{s:s, s:s, s:s, s:s}", "title", "Aurora bag replica!", "price",
                          "20.00", "currency", "EUR", "category", "bags");
    assert_int_equal(
        catalog_listing_update(testdb_act_as(&f->db, &f->seller), "D1", u, &f->l, f->v, NULL),
        IPS_OK);
    json_decref(u);
    current(f, "D1");
    b = signal_of(f, "brand_term");
    assert_non_null(b);
    json_decref(b);
}

static ips_status count(const struct store_detection *d, void *arg)
{
    (void)d;
    (*(int *)arg)++;
    return IPS_OK;
}

static void a_right_holder_sees_and_decides_only_its_own_brands(void **state)
{
    struct fixture *f = *state;
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    create(f, "A1", "Aurora bag replica", "20.00", "bags");
    current(f, "A1");
    char id[ID_SIZE];
    memcpy(id, f->d->id, ID_SIZE);
    json_t *orgs = NULL;
    /* the owner and the platform read it */
    assert_int_equal(detections_get(testdb_act_as(&f->db, &f->aurora), id, f->d, &orgs), IPS_OK);
    json_decref(orgs);
    assert_int_equal(detections_get(testdb_act_as(&f->db, &f->reviewer), id, f->d, &orgs), IPS_OK);
    json_decref(orgs);
    /* another right holder: as if it did not exist */
    assert_int_equal(detections_get(testdb_act_as(&f->db, &f->zephyr), id, f->d, &orgs),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(
        detections_dismiss(testdb_act_as(&f->db, &f->zephyr), id, "not_infringing", NULL),
        IPS_ERR_NOT_FOUND);
    char notice[ID_SIZE];
    assert_int_equal(detections_confirm(testdb_act_as(&f->db, &f->zephyr), id, NULL, notice),
                     IPS_ERR_NOT_FOUND);
    struct store_detection_filter all = {NULL, NULL, NULL, NULL};
    struct store_detection_filter theirs = {NULL, NULL, f->brand.id, NULL};
    int n = 0;
    assert_int_equal(detections_list(testdb_act_as(&f->db, &f->zephyr), &all, NULL, 50, count, &n),
                     IPS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        detections_list(testdb_act_as(&f->db, &f->zephyr), &theirs, NULL, 50, count, &n),
        IPS_ERR_NOT_FOUND);
    n = 0;
    assert_int_equal(detections_list(testdb_act_as(&f->db, &f->aurora), &all, NULL, 50, count, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(
        detections_list(testdb_act_as(&f->db, &f->reviewer), &all, NULL, 50, count, &n), IPS_OK);
    assert_int_equal(n, 1);
    /* sellers do not read detections; only admins rescan */
    assert_int_equal(detections_list(testdb_act_as(&f->db, &f->seller), &all, NULL, 50, count, &n),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(
        detections_rules_rebuild(testdb_act_as(&f->db, &f->reviewer), "no", NULL),
        IPS_ERR_FORBIDDEN);
    struct store_detection_filter bad = {"maybe", NULL, NULL, NULL};
    assert_int_equal(
        detections_list(testdb_act_as(&f->db, &f->reviewer), &bad, NULL, 50, count, &n),
        IPS_ERR_INVALID);
}

/* The seller signal names sellers that share an identifier with the
 * listing's seller and have strikes in force; sharing one with a seller
 * without strikes is no signal. */
static void a_seller_linked_to_a_struck_seller_is_flagged(void **state)
{
    struct fixture *f = *state;
    char shop[ID_SIZE], clean[ID_SIZE], struck[ID_SIZE], strike[ID_SIZE];
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    testdb_seller_put(&f->db, "shop-ext", "{\"phone\": \"+44 20 7946 0101\", \"email\": \"a@shop.test\"}",
               f->shop.id, shop);
    assert_string_equal(shop, f->shop.id);
    /* shares the phone, no strikes */
    testdb_seller_put(&f->db, "clean-ext", "{\"phone\": \"+44 20 7946 0101\"}", NULL, clean);
    create(f, "LK1", "Aurora tote bag", "80.00", "bags");
    current(f, "LK1");
    json_t *sig = signal_of(f, "seller_flagged");
    assert_null(sig);
    /* shares the e-mail address (written differently) and has a strike */
    testdb_seller_put(&f->db, "struck-ext", "{\"email\": \"A@Shop.test\"}", NULL, struck);
    assert_int_equal(enforce_strike_add(testdb_act_as(&f->db, &f->db.sys), struck, NULL,
                                        "counterfeit confirmed", "detection", "det-9", strike),
                     IPS_OK);
    create(f, "LK2", "Aurora tote bag", "80.00", "bags");
    current(f, "LK2");
    sig = signal_of(f, "seller_flagged");
    assert_non_null(sig);
    assert_int_equal(json_integer_value(json_object_get(sig, "strikes")), 0); /* its own */
    json_t *links = json_object_get(sig, "linked_infringers");
    assert_int_equal(json_array_size(links), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "seller_org_id")),
                        struck);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(links, 0), "strikes")), 1);
    json_decref(sig);
}

/* The import scans its batch with detections_batch_* (rules once per batch,
 * each seller's signal once per batch): the verdicts must be those of the
 * per-listing scan of the same listings — flagged and unflagged sellers
 * interleaved, and more sellers than the batch's first memo holds. */
static void a_batch_scan_gives_the_verdicts_of_the_per_listing_scan(void **state)
{
    struct fixture *f = *state;
    char shop[ID_SIZE], clean[ID_SIZE];
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    testdb_seller_put(&f->db, "shop-ext", "{\"phone\": \"+44 20 7946 0101\"}", f->shop.id, shop);
    testdb_seller_put(&f->db, "clean-ext", "{\"phone\": \"+44 20 7946 0199\"}", NULL, clean);
    report_shop(f);
    struct access_principal cleaner =
        testdb_principal_make(ROLE_SELLER, "01HZZZZZZZZZZZZZZZZZZZZZC1", clean);
    static const struct {
        const char *ext, *title, *price;
    } rows[] = {
        {"shop-ext", "Aurora tote bag", "80.00"},
        {"clean-ext", "Aurora tote bag", "80.00"},
        {"shop-ext", "replica Aurora wallet 1:1", "15.00"},
        {"clean-ext", "plain leather wallet", "30.00"},
        {"shop-ext", "plain leather wallet", "30.00"},
        {"clean-ext", "replica Aurora wallet 1:1", "15.00"},
    };
    enum { NROWS = sizeof rows / sizeof rows[0], NOTHERS = 70 };
    char id[32], line[400];
    /* one at a time, as the portal writes them */
    for (int i = 0; i < NROWS; i++) {
        snprintf(id, sizeof id, "P-%d", i);
        json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "title", rows[i].title,
                              "price", rows[i].price, "currency", "EUR", "category", "bags");
        const struct access_principal *who = rows[i].ext[0] == 's' ? &f->seller : &cleaner;
        assert_int_equal(catalog_listing_create(testdb_act_as(&f->db, who), b, &f->l, f->v),
                         IPS_OK);
        json_decref(b);
    }
    /* the same listings imported in one batch, with NOTHERS new sellers in
     * the middle (the memo grows past its first size) */
    struct catalog_import *imp = NULL;
    assert_int_equal(catalog_import_begin(testdb_act_as(&f->db, &f->db.sys),
                                          CATALOG_IMPORT_LISTINGS, "t.jsonl", 0, NULL, NULL, &imp),
                     IPS_OK);
    int64_t no = 0;
    for (int i = 0; i < NROWS; i++) {
        if (i == NROWS / 2)
            for (int k = 0; k < NOTHERS; k++) {
                int n = snprintf(line, sizeof line,
                                 "{\"id\":\"O-%d\",\"seller_id\":\"other-%d\",\"title\":\"Aurora"
                                 " cap\",\"price\":\"12.00\",\"currency\":\"EUR\"}",
                                 k, k);
                assert_int_equal(catalog_import_line(imp, ++no, line, (size_t)n), IPS_OK);
            }
        int n = snprintf(line, sizeof line,
                         "{\"id\":\"I-%d\",\"seller_id\":\"%s\",\"title\":\"%s\",\"price\":\"%s\","
                         "\"currency\":\"EUR\",\"category\":\"bags\"}",
                         i, rows[i].ext, rows[i].title, rows[i].price);
        assert_int_equal(catalog_import_line(imp, ++no, line, (size_t)n), IPS_OK);
    }
    struct catalog_import_stats stats;
    assert_int_equal(catalog_import_finish(imp, &stats), IPS_OK);
    assert_int_equal(stats.created, NROWS + NOTHERS);
    assert_int_equal(stats.batches, 1);
    int flagged = 0, brands = 0;
    struct store_detection *one = malloc(sizeof *one);
    assert_non_null(one);
    for (int i = 0; i < NROWS; i++) {
        struct store_listing lp, li;
        snprintf(id, sizeof id, "P-%d", i);
        current(f, id);
        assert_int_equal(store_catalog_listing_get(f->db.s, id, &lp), IPS_OK);
        memcpy(one, f->d, sizeof *one);
        snprintf(id, sizeof id, "I-%d", i);
        current(f, id);
        assert_int_equal(store_catalog_listing_get(f->db.s, id, &li), IPS_OK);
        assert_string_equal(f->d->action, one->action);
        assert_int_equal(f->d->score_milli, one->score_milli);
        assert_string_equal(f->d->applied, one->applied);
        assert_string_equal(f->d->outcome_key, one->outcome_key);
        assert_string_equal(f->d->signals, one->signals);
        assert_int_equal(f->d->rules_version, one->rules_version);
        assert_string_equal(li.state, lp.state);
        json_t *s = signal_of(f, "seller_flagged");
        flagged += s != NULL;
        json_decref(s);
        brands += strstr(f->d->outcome_key, "brand_term/") != NULL;
    }
    free(one);
    assert_int_equal(flagged, NROWS / 2); /* the shop's, not the clean seller's */
    assert_int_equal(brands, 4);
    for (int k = 0; k < NOTHERS; k += 23) {
        snprintf(id, sizeof id, "O-%d", k);
        current(f, id);
        json_t *s = signal_of(f, "seller_flagged");
        assert_null(s);
        assert_non_null(strstr(f->d->outcome_key, "brand_term/"));
    }
}

/* One version written in a batch transaction with a text scan done before
 * it (detections_prescan: the import's parsing thread). */
struct prescan_write {
    struct store_listing *l;
    struct store_listing_version *v;
    const struct detections_prescan *pre;
};

static ips_status prescan_write_tx(struct store *s, void *arg)
{
    struct prescan_write *a = arg;
    struct detections_batch *b = NULL;
    ips_status st = store_catalog_listing_add_version(s, a->v);
    if (st == IPS_OK)
        st = detections_batch_begin(s, NULL, a->v->created_ms, &b);
    if (st == IPS_OK)
        st = detections_batch_written(b, a->l, a->v, a->pre);
    detections_batch_end(b);
    return st;
}

/* The writer replays a text scan done before its transaction only when it
 * is of the batch's rules and of the version's texts: a scan of older rules
 * (a brand term added meanwhile) or of another text is not used, and the
 * writer scans the version itself. */
static void a_text_scan_done_before_counts_only_under_the_same_rules_and_texts(void **state)
{
    struct fixture *f = *state;
    create(f, "PS-1", "plain leather wallet", "30.00", "bags");
    struct detections_rules *old = NULL, *now = NULL;
    struct detections_prescan *stale = NULL, *other = NULL;
    assert_int_equal(detections_prescan_rules(f->db.s, NULL, &old), IPS_OK);
    assert_non_null(old);
    assert_int_equal(detections_prescan(old, "Aurora tote bag", "", &stale), IPS_OK);
    terms(f, &f->aurora, f->brand.id, "Aurora");
    rebuild(f);
    assert_int_equal(detections_prescan_rules(f->db.s, NULL, &now), IPS_OK);
    assert_true(now != old);
    assert_int_equal(detections_prescan(now, "plain canvas tote", "", &other), IPS_OK);
    const struct detections_prescan *pres[] = {stale, other};
    for (int i = 0; i < 2; i++) {
        snprintf(f->v->title, sizeof f->v->title, "Aurora tote bag");
        f->v->description[0] = '\0';
        f->v->version = f->l.current_version + 1;
        f->l.current_version = f->v->version;
        struct prescan_write a = {&f->l, f->v, pres[i]};
        assert_int_equal(store_tx_run(f->db.s, prescan_write_tx, &a), IPS_OK);
        current(f, "PS-1");
        assert_int_equal(f->d->listing_version, f->v->version);
        assert_non_null(strstr(f->d->outcome_key, "brand_term/"));
    }
    detections_prescan_free(stale);
    detections_prescan_free(other);
    detections_prescan_rules_free(old);
    detections_prescan_rules_free(now);
}

/* The image fetcher's address guard: only public unicast addresses. */
static void only_public_addresses_are_fetched_from(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "127.0.0.1", "10.1.2.3",  "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0",  "224.0.0.1",  "255.255.255.255", "::1",        "::",
        "fe80::1",    "fd00::1",  "ff02::1",    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not an ip",
        "192.0.0.8",  ""};
    static const char *const allowed[] = {"93.184.216.34", "172.32.0.1", "100.128.0.1",
                                          "2606:4700::1111", "::ffff:8.8.8.8", "1.1.1.1"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        if (detections_fetch_address_public(refused[i]))
            fail_msg("%s should be refused", refused[i]);
    }
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
        if (!detections_fetch_address_public(allowed[i]))
            fail_msg("%s should be allowed", allowed[i]);
    }
}

/* ---- the lists ------------------------------------------------------------------------ */

#define PAGED_MAX 32
struct paged {
    char id[PAGED_MAX][ID_SIZE];
    int n;
    const char *action; /* the filter's: each verdict's; NULL: each flagged */
};

static ips_status paged_take(const struct store_detection *d, void *arg)
{
    struct paged *p = arg;
    assert_true(d->is_current);
    if (p->action)
        assert_string_equal(d->action, p->action);
    else
        assert_string_not_equal(d->action, "allow");
    assert_true(p->n < PAGED_MAX);
    memcpy(p->id[p->n++], d->id, ID_SIZE);
    return IPS_OK;
}

/* The list as who sees it through filter flt, in pages of two put together
 * (each page after the first from the last id of the one before). */
static void list_paged(struct fixture *f, const struct access_principal *who,
                       const struct store_detection_filter *flt, struct paged *all)
{
    all->n = 0;
    for (;;) {
        struct paged page = {.n = 0, .action = flt->action};
        const char *before = all->n ? all->id[all->n - 1] : NULL;
        assert_int_equal(detections_list(testdb_act_as(&f->db, who), flt, before, 2, paged_take,
                                         &page),
                         IPS_OK);
        for (int i = 0; i < page.n; i++) {
            assert_true(all->n < PAGED_MAX);
            memcpy(all->id[all->n++], page.id[i], ID_SIZE);
        }
        if (page.n < 2)
            return;
    }
}

/* Each of the list's statements (no filter: every flagged verdict, through
 * the partial index of 0026; an org's; a flagged action's; the allow
 * action's; a listing's) gives, page by page, the whole list in one page:
 * newest first, current verdicts only (flagged ones unless allow is asked
 * for), exactly the expected ones. */
static void every_list_pages_through_exactly_its_current_flagged_verdicts(void **state)
{
    struct fixture *f = *state;
    terms(f, &f->aurora, f->brand.id, "Aurora");
    terms(f, &f->zephyr, f->brand2.id, "Zephyr");
    rebuild(f);
    const char *listings[][2] = {
        {"P1", "Aurora bag replica"}, {"P2", "plain leather bag"},   {"P3", "Zephyr shoes replica"},
        {"P4", "Aurora belt replica"}, {"P5", "Aurora and Zephyr replica set"},
        {"P6", "plain canvas tote"},  {"P7", "Zephyr cap replica"}, {"P8", "Aurora scarf replica"},
    };
    for (size_t i = 0; i < sizeof listings / sizeof *listings; i++)
        create(f, listings[i][0], listings[i][1], "20.00", "bags");
    /* P8 is changed to a plain text: its flagged verdict is no longer current */
    json_t *u = json_pack("{s:s, s:s, s:s, s:s}", "title", "plain wool scarf", "price", "20.00",
                          "currency", "EUR", "category", "bags");
    assert_int_equal(
        catalog_listing_update(testdb_act_as(&f->db, &f->seller), "P8", u, &f->l, f->v, NULL),
        IPS_OK);
    json_decref(u);
    current(f, "P1");
    char action[sizeof f->d->action];
    snprintf(action, sizeof action, "%s", f->d->action);

    struct {
        const struct access_principal *who;
        struct store_detection_filter flt;
        int expect;
    } cases[] = {
        {&f->reviewer, {NULL, NULL, NULL, NULL}, 5},       /* P1 P3 P4 P5 P7 */
        {&f->reviewer, {NULL, NULL, f->brand.id, NULL}, 3},  /* P1 P4 P5 */
        {&f->aurora, {NULL, NULL, NULL, NULL}, 3},
        {&f->reviewer, {NULL, NULL, f->brand2.id, NULL}, 3}, /* P3 P5 P7 */
        {&f->reviewer, {action, NULL, NULL, NULL}, -1},      /* those with P1's action */
        {&f->reviewer, {NULL, NULL, NULL, "P5"}, 1},
        {&f->reviewer, {NULL, NULL, NULL, "P8"}, 0},
        {&f->reviewer, {"allow", NULL, NULL, "P2"}, -2}, /* allow asked for: listed */
        /* every current allow verdict (0034: through the primary key) */
        {&f->reviewer, {"allow", NULL, NULL, NULL}, 3}, /* P2 P6, P8's new version */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        struct paged paged, one = {.n = 0, .action = cases[c].flt.action};
        if (cases[c].expect == -2) {
            /* an allow verdict is listed when asked for by its action */
            int n = 0;
            assert_int_equal(detections_list(testdb_act_as(&f->db, cases[c].who), &cases[c].flt,
                                             NULL, 50, count, &n),
                             IPS_OK);
            assert_int_equal(n, 1);
            continue;
        }
        list_paged(f, cases[c].who, &cases[c].flt, &paged);
        assert_int_equal(detections_list(testdb_act_as(&f->db, cases[c].who), &cases[c].flt,
                                         NULL, PAGED_MAX, paged_take, &one),
                         IPS_OK);
        if (cases[c].expect >= 0)
            assert_int_equal(paged.n, cases[c].expect);
        else
            assert_true(paged.n >= 1 && paged.n <= 5);
        assert_int_equal(paged.n, one.n);
        for (int i = 0; i < one.n; i++) {
            assert_memory_equal(paged.id[i], one.id[i], ID_SIZE);
            if (i)
                assert_true(strcmp(one.id[i - 1], one.id[i]) > 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_public_addresses_are_fetched_from),
        cmocka_unit_test_setup_teardown(a_batch_scan_gives_the_verdicts_of_the_per_listing_scan,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_text_scan_done_before_counts_only_under_the_same_rules_and_texts, setup, teardown),
        cmocka_unit_test_setup_teardown(a_seller_linked_to_a_struck_seller_is_flagged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_new_listing_is_scanned_as_it_is_written_with_a_verdict_per_version, setup, teardown),
        cmocka_unit_test_setup_teardown(a_block_verdict_holds_the_listing_back_before_publication,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_configured_policy_decides_the_action, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_profile_change_recompiles_the_rules_and_rescans_in_the_job, setup, teardown),
        cmocka_unit_test_setup_teardown(a_seller_on_an_alliance_list_is_a_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(a_price_far_below_the_category_median_is_a_signal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_dismissal_is_remembered_and_feeds_the_precision, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_right_holder_sees_and_decides_only_its_own_brands, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            every_list_pages_through_exactly_its_current_flagged_verdicts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_reports.c — the reporting layer against a seeded data set whose
 * answers are known: every metric of every section checked against its
 * hand-computed value (the arithmetic is in the comments), the period, brand
 * and jurisdiction filters, the scope of each role (a right holder sees only
 * its own numbers, a seller its own enforcement, an officer its agency's
 * referrals), the public transparency report and its CSV, and the DSA
 * Transparency Database export checked field by field.
 *
 * The data set is written with SQL (white-box, like test_store.c) because
 * every event needs a fixed timestamp; the domain functions stamp "now".
 * The SQL is common to both store backends (on PostgreSQL, with
 * IPRSHIELD_TEST_PG set, seed() first defines the zeroblob() it uses).
 * The HTTP surface runs end to end in tests/e2e/reports.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "detections/detections.h"
#include "profile/profile.h"
#include "reports/reports.h"
#include "store/store_detections.h"
#include "store/store_notices.h"
#include "store/store_reports.h"
#include "store/pg_internal.h"
#include "store/sqlite_internal.h"
#include "testdb.h"

/* The period: January 2026. */
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define T1 1769904000000LL /* 2026-02-01T00:00:00Z */
#define H 3600000LL
#define D 86400000LL

static void sql(struct testdb *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(struct testdb *t, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof text);
    if (strcmp(store_backend_name(t->s), "postgres") == 0)
        assert_int_equal(pg__exec(pg__from(t->s), text, "seed"), IPS_OK);
    else
        assert_int_equal(sqlite__exec(sqlite__from(t->s), text, "seed"), IPS_OK);
}

static void org(struct testdb *t, const char *id, const char *name, const char *kind)
{
    sql(t, "INSERT INTO orgs (id, name, kind, created_ms) VALUES ('%s', '%s', '%s', 0)", id, name,
        kind);
}

static void seller(struct testdb *t, const char *id, const char *ship_from)
{
    org(t, id, id, "seller");
    sql(t,
        "INSERT INTO seller_profiles (org_id, external_id, display_name, ship_from, created_ms,"
        " updated_ms) VALUES ('%s', 'ext-%s', '%s', '%s', 0, 0)",
        id, id, id, ship_from);
}

static void listing(struct testdb *t, const char *id, const char *seller_id, int units_sold)
{
    sql(t,
        "INSERT INTO listings (id, seller_org_id, current_version, current_hash, current_vrow,"
        " created_ms, updated_ms) VALUES ('%s', '%s', 1, zeroblob(32), 0, %lld, 0);"
        "INSERT INTO listing_versions (listing_id, version, title, description, price_minor,"
        " currency, category, units_sold, content_hash, created_ms) VALUES ('%s', 1, 'title',"
        " 'desc', 100, 'EUR', 'bags', %d, zeroblob(32), %lld)",
        id, seller_id, T0 - 31 * D, id, units_sold, T0 - 31 * D);
}

static void notice(struct testdb *t, const char *id, const char *rh, const char *kind, int fast,
                   const char *outcome, long long created, long long decided)
{
    sql(t,
        "INSERT INTO notices (id, notifier_org_id, submitted_by, right_id, right_org_id, kind,"
        " explanation, notifier_name, notifier_email, on_behalf_of, signature, good_faith,"
        " accuracy, evidence, fast_track, state, outcome, risk, items_total, review_deadline_ms,"
        " sla_breached, decided_by, decision_reason, created_ms, decided_ms, updated_ms)"
        " VALUES ('%s', '%s', 'u', 'R-%s', '%s', '%s', 'explanation of %s', 'N', 'n@x.test', '',"
        " 'sig', 1, 1, '[]', %d, '%s', '%s', 0, 1, 0, 0, '', '', %lld, %lld, 0)",
        id, rh, rh, rh, kind, id, fast, outcome[0] ? "decided" : "under_review", outcome, created,
        decided);
}

/* Items go through the notices store (store_notices_item_insert/update), as
 * src/notices writes them, so the facts it stores with an item (its notice's
 * receipt time, the taken-down version's units sold: migration 0025) are the
 * store's own: the TIMES and REMOVALS values below check them. An item taken
 * down on a listing whose id ends in an even digit is first written pending
 * and then taken down by an update (the reviewed path); the others are
 * written as they are (the fast track's path). */
static void item(struct testdb *t, const char *notice_id, const char *listing_id,
                 const char *seller_id, const char *rh, const char *state, long long taken_down,
                 long long counter, long long decided, const char *decided_by, const char *appeal,
                 long long appeal_ms)
{
    struct store_notice_item *it = calloc(1, sizeof *it);
    assert_non_null(it);
    snprintf(it->notice_id, sizeof it->notice_id, "%s", notice_id);
    snprintf(it->listing_id, sizeof it->listing_id, "%s", listing_id);
    snprintf(it->seller_org_id, sizeof it->seller_org_id, "%s", seller_id);
    snprintf(it->notifier_org_id, sizeof it->notifier_org_id, "%s", rh);
    snprintf(it->counter_evidence, sizeof it->counter_evidence, "[]");
    it->content_version = 1;
    size_t n = strlen(listing_id);
    bool two_steps = taken_down && n && (listing_id[n - 1] - '0') % 2 == 0;
    if (two_steps) {
        snprintf(it->state, sizeof it->state, "pending");
        assert_int_equal(store_notices_item_insert(t->s, it), IPS_OK);
    }
    snprintf(it->state, sizeof it->state, "%s", state);
    it->taken_down_ms = taken_down;
    it->counter_deadline_ms = taken_down ? taken_down + 14 * D : 0;
    it->counter_ms = counter;
    snprintf(it->decided_by, sizeof it->decided_by, "%s", decided_by);
    it->decided_ms = decided;
    snprintf(it->appeal_state, sizeof it->appeal_state, "%s", appeal);
    it->appeal_ms = appeal_ms;
    assert_int_equal(two_steps ? store_notices_item_update(t->s, it)
                               : store_notices_item_insert(t->s, it),
                     IPS_OK);
    free(it);
}

/* Verdicts go through the detections store (store_detections_verdict_insert),
 * which also stores their signal types (migration 0025): the SIGNALS values
 * below check them. */
static void verdict(struct testdb *t, const char *id, const char *listing_id, const char *action,
                    const char *applied, const char *status, const char *signals, long long at,
                    const char *org_id, const char *notice_id)
{
    struct store_detection *d = calloc(1, sizeof *d);
    assert_non_null(d);
    snprintf(d->id, sizeof d->id, "%s", id);
    snprintf(d->listing_id, sizeof d->listing_id, "%s", listing_id);
    d->listing_version = d->rules_version = d->checked_version = 1;
    d->score_milli = 900;
    snprintf(d->action, sizeof d->action, "%s", action);
    snprintf(d->applied, sizeof d->applied, "%s", applied);
    snprintf(d->status, sizeof d->status, "%s", status);
    snprintf(d->signals, sizeof d->signals, "%s", signals);
    snprintf(d->outcome_key, sizeof d->outcome_key, "k");
    d->is_current = true;
    d->created_ms = at;
    assert_int_equal(store_detections_verdict_insert(t->s, d, false), IPS_OK);
    free(d);
    if (org_id)
        sql(t,
            "INSERT INTO detection_verdict_orgs (verdict_id, org_id, decision, notice_id)"
            " VALUES ('%s', '%s', '%s', '%s')",
            id, org_id, status, notice_id ? notice_id : "");
}

static void strike(struct testdb *t, const char *id, const char *seller_id, const char *notice_id,
                   const char *source, long long at, long long revoked)
{
    char n[64];
    snprintf(n, sizeof n, notice_id ? "'%s'" : "NULL", notice_id);
    sql(t,
        "INSERT INTO strikes (id, seller_org_id, notice_id, listing_id, reason, created_ms,"
        " expires_ms, revoked_ms, source_kind, source_id) VALUES ('%s', '%s', %s, NULL, 'r',"
        " %lld, %lld, %lld, '%s', '')",
        id, seller_id, n, at, at + 365 * D, revoked, source);
}

static void penalty(struct testdb *t, const char *id, const char *seller_id, const char *level,
                    int rank, long long from)
{
    sql(t,
        "INSERT INTO penalties (id, seller_org_id, level, rank, source, reason, from_ms,"
        " until_ms, ended_ms) VALUES ('%s', '%s', '%s', %d, 'strikes', 'r', %lld, 0, 0)",
        id, seller_id, level, rank, from);
}

static void referral(struct testdb *t, const char *id, const char *seller_id, const char *tlp,
                     const char *ship_from, const char *status, const char *result, int arrests,
                     int units, int value, const char *currency, long long at)
{
    sql(t,
        "INSERT INTO referrals (id, seller_org_id, network_id, created_by, summary, tlp,"
        " ship_from, route_note, buyer_countries, status, result, raid_date, arrests,"
        " units_seized, value_seized_minor, value_currency, units_sold, evidence_sha256,"
        " manifest_sha256, feedback_ms, created_ms, updated_ms) VALUES ('%s', '%s', '', 'u',"
        " 's', '%s', '%s', '', '[]', '%s', '%s', '', %d, %d, %d, '%s', 0, '', '', 0, %lld, 0)",
        id, seller_id, tlp, ship_from, status, result, arrests, units, value, currency, at);
}

static void recipient(struct testdb *t, const char *ref, const char *agency, const char *kind,
                      int needs_approval)
{
    sql(t,
        "INSERT INTO referral_recipients (referral_id, agency_org_id, kind, needs_approval,"
        " approved_by, approved_ms) VALUES ('%s', '%s', '%s', %d, '', 0)",
        ref, agency, kind, needs_approval);
}

/*
 * The data set. Right holders RHA ("Acme", brand term "acme") and RHB;
 * sellers S1 (ships from CN-GD) and S2 (US-CA); agencies AG1 and AG2.
 * In the period: notices N1 (RHA, counterfeit, fast track), N2 (RHA,
 * trademark_misuse), N3 (RHB, copyright, rejected), N4 (RHB, counterfeit,
 * filed from detection V3); N0 before it and N5 after it.
 */
static void seed(struct testdb *t)
{
    if (strcmp(store_backend_name(t->s), "postgres") == 0)
        sql(t, "CREATE FUNCTION zeroblob(n integer) RETURNS bytea LANGUAGE sql IMMUTABLE"
               " AS $$ SELECT decode(repeat('00', n), 'hex') $$");
    org(t, "RHA", "Acme", "rightholder");
    org(t, "RHB", "Brando", "rightholder");
    org(t, "AG1", "Guangdong PSB", "agency");
    org(t, "AG2", "Interpol", "agency");
    seller(t, "S1", "CN-GD");
    seller(t, "S2", "US-CA");
    sql(t, "INSERT INTO profiles (org_id, updated_ms) VALUES ('RHA', 0), ('RHB', 0);"
           "INSERT INTO profile_terms (org_id, pos, term) VALUES ('RHA', 0, 'acme'),"
           " ('RHB', 0, 'brando')");
    sql(t, "INSERT INTO rights (id, org_id, filed_by, filed_by_org, kind, status, created_ms)"
           " VALUES ('R-RHA', 'RHA', 'u', 'RHA', 'trademark', 'verified', 0),"
           " ('R-RHB', 'RHB', 'u', 'RHB', 'copyright', 'verified', 0)");
    listing(t, "L1", "S1", 0);
    listing(t, "L2", "S1", 5);
    listing(t, "L3", "S2", 0);
    listing(t, "L4", "S2", 3);
    listing(t, "L5", "S1", 0);
    listing(t, "L6", "S2", 2);
    listing(t, "L7", "S1", 0);

    notice(t, "N0", "RHA", "counterfeit", 0, "upheld", T0 - 5 * D, T0 - 2 * D);
    item(t, "N0", "L1", "S1", "RHA", "upheld", T0 - 5 * D + H, 0, T0 - 2 * D, "rv", "", 0);
    notice(t, "N1", "RHA", "counterfeit", 1, "", T0 + D, 0);
    item(t, "N1", "L1", "S1", "RHA", "taken_down", T0 + D + 2 * H, 0, T0 + D + 2 * H,
         "fast-track", "", 0);
    item(t, "N1", "L2", "S1", "RHA", "reinstated", T0 + D + 4 * H, T0 + 3 * D, T0 + 5 * D, "rv",
         "open", T0 + 6 * D);
    notice(t, "N2", "RHA", "trademark_misuse", 0, "upheld", T0 + 2 * D, T0 + 6 * D);
    item(t, "N2", "L3", "S2", "RHA", "upheld", T0 + 2 * D + 10 * H, T0 + 4 * D, T0 + 6 * D, "rv",
         "upheld", T0 + 7 * D);
    notice(t, "N3", "RHB", "copyright", 0, "rejected", T0 + 3 * D, T0 + 4 * D);
    item(t, "N3", "L4", "S2", "RHB", "rejected", 0, 0, T0 + 3 * D + 20 * H, "rv", "", 0);
    notice(t, "N4", "RHB", "counterfeit", 0, "", T0 + 10 * D, 0);
    item(t, "N4", "L7", "S1", "RHB", "taken_down", T0 + 10 * D + H, 0, T0 + 10 * D + H, "rv", "",
         0);
    notice(t, "N5", "RHA", "design", 0, "", T1 + D, 0);
    item(t, "N5", "L2", "S1", "RHA", "taken_down", T1 + D + H, 0, T1 + D + H, "rv", "", 0);

    verdict(t, "V0", "L1", "block", "blocked", "open", "[{\"type\":\"brand_term\"}]", T0 - 10 * D,
            "RHA", NULL);
    /* V1 names the brand twice (title and description): two signals of one type */
    verdict(t, "V1", "L5", "block", "blocked", "open",
            "[{\"type\":\"brand_term\"},{\"type\":\"price_below_reference\"},"
            "{\"type\":\"brand_term\"}]",
            T0 + 8 * D, "RHA", NULL);
    verdict(t, "V2", "L6", "block", "blocked", "confirmed", "[{\"type\":\"brand_term\"}]",
            T0 + 9 * D, "RHB", NULL);
    verdict(t, "V3", "L7", "review", "none", "confirmed", "[{\"type\":\"image_match\"}]",
            T0 + 9 * D + 12 * H, "RHB", "N4");
    verdict(t, "V4", "L4", "allow", "none", "open", "[]", T0 + 9 * D, NULL, NULL);

    strike(t, "K0", "S1", "N0", "notice", T0 - 4 * D, 0);
    strike(t, "K1", "S1", "N1", "notice", T0 + 2 * D, 0);
    strike(t, "K2", "S2", "N2", "notice", T0 + 6 * D, 0);
    strike(t, "K3", "S1", NULL, "detection", T0 + 8 * D, 0);
    strike(t, "K4", "S1", "N1", "notice", T0 + 2 * D, T0 + 5 * D);
    penalty(t, "P0", "S2", "warning", 1, T0 - 3 * D);
    penalty(t, "P1", "S1", "warning", 1, T0 + 2 * D);
    penalty(t, "P2", "S1", "suspension", 4, T0 + 8 * D);
    penalty(t, "P3", "S2", "termination", 5, T0 + 20 * D);

    sql(t, "INSERT INTO agencies (org_id, country, cross_border, mou_ref, mou_from, mou_until,"
           " created_ms, updated_ms) VALUES ('AG1', 'CN', 0, '', '', '', 0, 0),"
           " ('AG2', '', 1, '', '', '', 0, 0)");
    referral(t, "R0", "S1", "GREEN", "CN-GD", "closed", "confirmed", 9, 9, 9, "CNY", T0 - 20 * D);
    recipient(t, "R0", "AG1", "primary", 0);
    referral(t, "R1", "S1", "AMBER", "CN-GD", "closed", "confirmed", 3, 1000, 500000, "CNY",
             T0 + 12 * D);
    recipient(t, "R1", "AG1", "primary", 0);
    recipient(t, "R1", "AG2", "cross_border", 1); /* not approved: not shared with AG2 */
    referral(t, "R2", "S2", "RED", "US-CA", "investigating", "", 0, 0, 0, "USD", T0 + 15 * D);
    recipient(t, "R2", "AG2", "primary", 0);
    referral(t, "R3", "S1", "GREEN", "CN-GD", "raid", "", 1, 50, 2000, "CNY", T0 + 20 * D);
    recipient(t, "R3", "AG1", "primary", 0);
    sql(t, "INSERT INTO referral_rightholders (referral_id, org_id) VALUES ('R0', 'RHA'),"
           " ('R1', 'RHA'), ('R2', 'RHB'), ('R3', 'RHA'), ('R3', 'RHB')");

    sql(t, "INSERT INTO alliance_members (org_id, status, joined_ms, status_ms) VALUES"
           " ('RHA', 'active', %lld, 0), ('RHB', 'active', %lld, 0)",
        T0 - 100 * D, T0 + 5 * D);
    sql(t, "INSERT INTO alliance_reports (id, member_org_id, seller_org_id, reporter_id, reason,"
           " created_ms) VALUES ('AR0', 'RHA', 'S1', 'u', 'r', %lld), ('AR1', 'RHA', 'S1', 'u',"
           " 'r', %lld), ('AR2', 'RHA', 'S2', 'u', 'r', %lld), ('AR3', 'RHB', 'S1', 'u', 'r', %lld)",
        T0 - D, T0 + 3 * D, T0 + 4 * D, T0 + 6 * D);
    /* a misuse suspension in the period and one before it (hash chain not
     * kept: this log is never verified) */
    for (int i = 0; i < 2; i++)
        sql(t,
            "INSERT INTO audit_events (seq, ts_ms, actor, action, object, outcome, detail,"
            " prev_hash, hash) SELECT coalesce(max(seq), 0) + 1, %lld, 'system',"
            " 'notifier.suspended', 'org:RHB', 'ok', '', zeroblob(32), zeroblob(32)"
            " FROM audit_events",
            i ? T0 - 40 * D : T0 + 4 * D + H);
}

static int setup(void **state)
{
    int rc = testdb_setup(state);
    if (rc == 0)
        seed(*state);
    return rc;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static struct reports_filter period(int64_t from, int64_t to)
{
    struct reports_filter f;
    memset(&f, 0, sizeof f);
    f.from_ms = from;
    f.to_ms = to;
    return f;
}

/* The integer at a path of object keys ("notices", "by_kind", "design", NULL). */
static int64_t num(json_t *doc, ...)
{
    va_list ap;
    va_start(ap, doc);
    json_t *v = doc;
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        v = json_object_get(v, k);
        if (!v)
            fail_msg("missing member %s", k);
    }
    va_end(ap);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static json_t *metrics_as(struct testdb *t, const struct access_principal *p,
                          const struct reports_filter *f)
{
    json_t *doc = NULL;
    assert_int_equal(reports_metrics(testdb_act_as(t, p), f, &doc), IPS_OK);
    return doc;
}

/* The by_agency entry of agency id. */
static json_t *agency_of(json_t *doc, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(json_object_get(doc, "referrals"), "by_agency"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "agency_org_id")), id) == 0)
            return e;
    }
    fail_msg("no agency %s", id);
    return NULL;
}

/* ---- every metric, unscoped ------------------------------------------------------------------ */

static void every_metric_of_the_period_matches_the_hand_computed_value(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    json_t *m = metrics_as(t, &t->sys, &f);

    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "scope"), "kind")),
                        "all");
    /* notices N1..N4 (N0 before, N5 after): N1 fast track */
    assert_int_equal(num(m, "notices", "received", NULL), 4);
    assert_int_equal(num(m, "notices", "fast_track", NULL), 1);
    assert_int_equal(num(m, "notices", "standard", NULL), 3);
    assert_int_equal(num(m, "notices", "by_kind", "counterfeit", NULL), 2);
    assert_int_equal(num(m, "notices", "by_kind", "trademark_misuse", NULL), 1);
    assert_int_equal(num(m, "notices", "by_kind", "copyright", NULL), 1);
    assert_int_equal(num(m, "notices", "by_kind", "design", NULL), 0);
    /* actions after receipt: 2h (N1/L1), 4h (N1/L2), 10h (N2/L3), 20h (N3/L4
     * rejected, no takedown), 1h (N4/L7). Sorted 1,2,4,10,20: median (rank
     * ceil(2.5) = 3) 4h, p90 (rank ceil(4.5) = 5) 20h. */
    assert_int_equal(num(m, "notices", "time_to_action", "items", NULL), 5);
    assert_int_equal(num(m, "notices", "time_to_action", "median_ms", NULL), 4 * H);
    assert_int_equal(num(m, "notices", "time_to_action", "p90_ms", NULL), 20 * H);

    /* takedowns L1, L2, L3, L7; counter-notices on L2 and L3; L2 reinstated;
     * L4 rejected; L3 upheld after its counter-notice; appeals on L2 (open)
     * and L3 (upheld) */
    assert_int_equal(num(m, "actions", "takedowns", NULL), 4);
    assert_int_equal(num(m, "actions", "counter_notices", NULL), 2);
    assert_int_equal(num(m, "actions", "reinstatements", NULL), 1);
    assert_int_equal(num(m, "actions", "rejected_items", NULL), 1);
    assert_int_equal(num(m, "actions", "upheld_after_counter_notice", NULL), 1);
    assert_int_equal(num(m, "actions", "appeals", "filed", NULL), 2);
    assert_int_equal(num(m, "actions", "appeals", "open", NULL), 1);
    assert_int_equal(num(m, "actions", "appeals", "upheld", NULL), 1);
    assert_int_equal(num(m, "actions", "appeals", "rejected", NULL), 0);

    /* notice-driven: L1 (0 sold), L2 (5 sold), L3 (0 sold); proactive: L7
     * (N4 was filed from detection V3, 0 sold), L5 blocked by V1 (0 sold),
     * L6 blocked by V2 (2 sold). Before any sale: L1, L3, L7, L5 = 4 of 6. */
    assert_int_equal(num(m, "removals", "notice_driven", NULL), 3);
    assert_int_equal(num(m, "removals", "proactive", NULL), 3);
    assert_int_equal(num(m, "removals", "total", NULL), 6);
    assert_int_equal(num(m, "removals", "before_any_sale", NULL), 4);
    json_t *removals = json_object_get(m, "removals");
    assert_true(json_real_value(json_object_get(removals, "proactive_share")) == 0.5);
    assert_true(json_real_value(json_object_get(removals, "before_any_sale_share")) == 0.6667);

    /* N3 rejected; RHB suspended once in the period */
    assert_int_equal(num(m, "misuse", "rejected_notices", NULL), 1);
    assert_int_equal(num(m, "misuse", "notifier_suspensions", NULL), 1);

    /* verdicts V1 (block, open), V2 (block, confirmed), V3 (review,
     * confirmed); V0 before the period, V4 an allow */
    assert_int_equal(num(m, "detections", "verdicts", NULL), 3);
    assert_int_equal(num(m, "detections", "by_action", "block", NULL), 2);
    assert_int_equal(num(m, "detections", "by_action", "review", NULL), 1);
    assert_int_equal(num(m, "detections", "by_action", "monitor", NULL), 0);
    assert_int_equal(num(m, "detections", "by_status", "open", NULL), 1);
    assert_int_equal(num(m, "detections", "by_status", "confirmed", NULL), 2);
    /* signals, not verdicts: V1's two and V2's one */
    assert_int_equal(num(m, "detections", "by_signal", "brand_term", NULL), 3);
    assert_int_equal(num(m, "detections", "by_signal", "price_below_reference", NULL), 1);
    assert_int_equal(num(m, "detections", "by_signal", "image_match", NULL), 1);

    /* strikes K1..K4 (K4 revoked), K3 from a detection; penalties P1..P3 */
    assert_int_equal(num(m, "enforcement", "strikes", NULL), 4);
    assert_int_equal(num(m, "enforcement", "strikes_revoked", NULL), 1);
    assert_int_equal(num(m, "enforcement", "strikes_by_source", "notice", NULL), 3);
    assert_int_equal(num(m, "enforcement", "strikes_by_source", "detection", NULL), 1);
    assert_int_equal(num(m, "enforcement", "penalties", NULL), 3);
    assert_int_equal(num(m, "enforcement", "penalties_by_level", "warning", NULL), 1);
    assert_int_equal(num(m, "enforcement", "penalties_by_level", "posting_restriction", NULL), 0);
    assert_int_equal(num(m, "enforcement", "suspensions", NULL), 1);
    assert_int_equal(num(m, "enforcement", "terminations", NULL), 1);

    /* referrals R1 (AG1, confirmed, 3 arrests, 1000 units, 5000.00 CNY), R2
     * (AG2, investigating), R3 (AG1, raid, 1 arrest, 50 units, 20.00 CNY) */
    assert_int_equal(num(m, "referrals", "referrals", NULL), 3);
    assert_int_equal(num(m, "referrals", "arrests", NULL), 4);
    assert_int_equal(num(m, "referrals", "units_seized", NULL), 1050);
    assert_int_equal(num(m, "referrals", "by_outcome", "confirmed", NULL), 1);
    assert_int_equal(num(m, "referrals", "by_outcome", "investigating", NULL), 1);
    assert_int_equal(num(m, "referrals", "by_outcome", "raid", NULL), 1);
    json_t *value = json_object_get(json_object_get(m, "referrals"), "value_seized");
    assert_int_equal(json_array_size(value), 1); /* USD 0 is left out */
    assert_string_equal(json_string_value(json_object_get(json_array_get(value, 0), "currency")),
                        "CNY");
    assert_int_equal(num(json_array_get(value, 0), "minor", NULL), 502000);
    json_t *ag1 = agency_of(m, "AG1"), *ag2 = agency_of(m, "AG2");
    assert_string_equal(json_string_value(json_object_get(ag1, "agency")), "Guangdong PSB");
    assert_int_equal(num(ag1, "referrals", NULL), 2);
    assert_int_equal(num(ag1, "arrests", NULL), 4);
    assert_int_equal(num(ag1, "by_outcome", "raid", NULL), 1);
    assert_int_equal(num(ag2, "referrals", NULL), 1);
    assert_int_equal(num(ag2, "arrests", NULL), 0);

    /* members RHA and RHB (RHB joined in the period); reports AR1..AR3 */
    assert_int_equal(num(m, "alliance", "members", NULL), 2);
    assert_int_equal(num(m, "alliance", "joined", NULL), 1);
    assert_int_equal(num(m, "alliance", "reports_shared", NULL), 3);
    assert_int_equal(num(m, "alliance", "sellers_reported", NULL), 2);
    assert_int_equal(json_array_size(json_object_get(json_object_get(m, "alliance"), "by_member")),
                     2);
    json_decref(m);
}

/* ---- filters --------------------------------------------------------------------------------- */

static void the_period_filter_counts_only_events_inside_it(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0 - 30 * D, T0); /* December 2025 */
    json_t *m = metrics_as(t, &t->sys, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 1); /* N0 */
    assert_int_equal(num(m, "actions", "takedowns", NULL), 1);
    assert_int_equal(num(m, "notices", "time_to_action", "median_ms", NULL), H);
    assert_int_equal(num(m, "enforcement", "strikes", NULL), 1);   /* K0 */
    assert_int_equal(num(m, "enforcement", "penalties", NULL), 1); /* P0 */
    assert_int_equal(num(m, "referrals", "referrals", NULL), 1);   /* R0 */
    assert_int_equal(num(m, "removals", "proactive", NULL), 1);    /* V0 */
    assert_int_equal(num(m, "misuse", "notifier_suspensions", NULL), 0);
    assert_int_equal(num(m, "alliance", "reports_shared", NULL), 1); /* AR0 */
    json_decref(m);
}

static void a_brand_term_or_org_id_narrows_to_that_right_holder(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    snprintf(f.brand, sizeof f.brand, "ACME"); /* RHA's brand term, any case */
    json_t *m = metrics_as(t, &t->sys, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 2); /* N1, N2 */
    assert_int_equal(num(m, "actions", "takedowns", NULL), 3);
    assert_int_equal(num(m, "referrals", "referrals", NULL), 2); /* R1, R3 */
    assert_int_equal(num(m, "alliance", "members", NULL), 1);
    assert_int_equal(num(m, "detections", "verdicts", NULL), 1); /* V1 */
    json_decref(m);

    snprintf(f.brand, sizeof f.brand, "RHB");
    m = metrics_as(t, &t->sys, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 2); /* N3, N4 */
    assert_int_equal(num(m, "misuse", "rejected_notices", NULL), 1);
    assert_int_equal(num(m, "misuse", "notifier_suspensions", NULL), 1);
    assert_int_equal(num(m, "removals", "proactive", NULL), 2); /* L7 via N4, L6 via V2 */
    assert_int_equal(num(m, "removals", "notice_driven", NULL), 0);
    assert_int_equal(num(m, "referrals", "referrals", NULL), 2); /* R2, R3: no TLP limit for admins */
    json_decref(m);

    snprintf(f.brand, sizeof f.brand, "no such brand");
    m = metrics_as(t, &t->sys, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 0);
    assert_int_equal(num(m, "enforcement", "strikes", NULL), 0);
    json_decref(m);
}

static void a_jurisdiction_matches_the_country_and_its_subdivisions(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f;
    assert_int_equal(reports_filter_parse(&t->ctx, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z",
                                          NULL, "cn", &f),
                     IPS_OK);
    assert_string_equal(f.jurisdiction, "CN");
    json_t *m = metrics_as(t, &t->sys, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 2);  /* N1, N4 (sellers in CN-GD) */
    assert_int_equal(num(m, "enforcement", "strikes", NULL), 3); /* K1, K3, K4 */
    assert_int_equal(num(m, "referrals", "referrals", NULL), 2); /* R1, R3 */
    assert_int_equal(num(m, "removals", "proactive", NULL), 2);  /* L7, L5 */
    json_decref(m);

    snprintf(f.jurisdiction, sizeof f.jurisdiction, "US-CA");
    m = metrics_as(t, &t->sys, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 2); /* N2, N3 */
    assert_int_equal(num(m, "enforcement", "penalties", NULL), 1); /* P3 */
    json_decref(m);
}

static void bad_filters_are_refused_with_one_error_each(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f;
    memset(&f, 0x5a, sizeof f);
    struct reports_filter before = f;
    assert_int_equal(reports_filter_parse(&t->ctx, "yesterday", "2026-02-01T00:00:00Z", NULL,
                                          "XX-NOPE", &f),
                     IPS_ERR_INVALID);
    assert_int_equal(json_array_size(t->ctx.errors), 2);
    assert_memory_equal(&f, &before, sizeof f); /* untouched */
    testdb_act_as(t, &t->sys);
    assert_int_equal(reports_filter_parse(&t->ctx, "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z",
                                          NULL, NULL, &f),
                     IPS_ERR_INVALID);
    testdb_act_as(t, &t->sys);
    assert_int_equal(reports_filter_parse(&t->ctx, "2000-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                                          NULL, NULL, &f),
                     IPS_ERR_INVALID);
    /* defaults: the last 30 days up to now */
    testdb_act_as(t, &t->sys);
    assert_int_equal(reports_filter_parse(&t->ctx, NULL, NULL, "", "", &f), IPS_OK);
    assert_int_equal(f.to_ms - f.from_ms, 30 * D);
    assert_string_equal(f.brand, "");
}

/* ---- scope ----------------------------------------------------------------------------------- */

static void a_right_holder_sees_only_its_own_numbers(void **state)
{
    struct testdb *t = *state;
    struct access_principal rha = testdb_principal_make(ROLE_RIGHTHOLDER, "U-RHA", "RHA");
    struct reports_filter f = period(T0, T1);
    json_t *m = metrics_as(t, &rha, &f);
    json_t *scope = json_object_get(m, "scope");
    assert_string_equal(json_string_value(json_object_get(scope, "kind")), "rightholder");
    assert_string_equal(json_string_value(json_object_get(scope, "org_id")), "RHA");
    assert_int_equal(num(m, "notices", "received", NULL), 2);
    assert_int_equal(num(m, "notices", "by_kind", "copyright", NULL), 0); /* N3 is RHB's */
    /* 2h, 4h, 10h: median rank 2 = 4h, p90 rank 3 = 10h */
    assert_int_equal(num(m, "notices", "time_to_action", "median_ms", NULL), 4 * H);
    assert_int_equal(num(m, "notices", "time_to_action", "p90_ms", NULL), 10 * H);
    assert_int_equal(num(m, "removals", "notice_driven", NULL), 3);
    assert_int_equal(num(m, "removals", "proactive", NULL), 1); /* V1 only */
    assert_int_equal(num(m, "removals", "before_any_sale", NULL), 3);
    assert_int_equal(num(m, "misuse", "rejected_notices", NULL), 0);
    assert_int_equal(num(m, "misuse", "notifier_suspensions", NULL), 0);
    assert_int_equal(num(m, "detections", "verdicts", NULL), 1);
    assert_int_equal(num(m, "enforcement", "strikes", NULL), 3); /* K1, K2, K4; not K3 */
    /* the holder-driven statements (reports_sql.h *_rh) and the penalties
     * of the sellers struck on its notices: same values as every org's
     * statements filtered to RHA */
    assert_int_equal(num(m, "actions", "takedowns", NULL), 3);
    assert_int_equal(num(m, "actions", "counter_notices", NULL), 2);
    assert_int_equal(num(m, "actions", "reinstatements", NULL), 1);
    assert_int_equal(num(m, "actions", "upheld_after_counter_notice", NULL), 1);
    assert_int_equal(num(m, "actions", "appeals", "filed", NULL), 2);
    assert_int_equal(num(m, "actions", "appeals", "upheld", NULL), 1);
    assert_int_equal(num(m, "detections", "by_signal", "brand_term", NULL), 2); /* V1's two */
    assert_int_equal(num(m, "detections", "by_action", "block", NULL), 1);
    assert_int_equal(num(m, "enforcement", "penalties", NULL), 3);
    assert_int_equal(num(m, "enforcement", "suspensions", NULL), 1);
    /* referrals concerning RHA up to AMBER: R1, R3 */
    assert_int_equal(num(m, "referrals", "referrals", NULL), 2);
    assert_int_equal(num(m, "alliance", "members", NULL), 1);
    assert_int_equal(num(m, "alliance", "reports_shared", NULL), 2);
    json_t *members = json_object_get(json_object_get(m, "alliance"), "by_member");
    assert_int_equal(json_array_size(members), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(members, 0), "org_id")),
                        "RHA");
    json_decref(m);

    /* RHB: R2 is RED (not for clients), R3 GREEN */
    struct access_principal rhb = testdb_principal_make(ROLE_RIGHTHOLDER, "U-RHB", "RHB");
    m = metrics_as(t, &rhb, &f);
    assert_int_equal(num(m, "referrals", "referrals", NULL), 1);
    assert_int_equal(num(m, "notices", "received", NULL), 2);
    json_decref(m);

    /* a brand filter naming another holder narrows to nothing, never widens */
    snprintf(f.brand, sizeof f.brand, "brando");
    m = metrics_as(t, &rha, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 0);
    assert_int_equal(num(m, "alliance", "members", NULL), 0);
    /* R3 concerns both holders: RHA may count it, and it concerns brando */
    assert_int_equal(num(m, "referrals", "referrals", NULL), 1);
    json_decref(m);
}

static void a_seller_sees_its_own_enforcement_numbers(void **state)
{
    struct testdb *t = *state;
    struct access_principal s2 = testdb_principal_make(ROLE_SELLER, "U-S2", "S2");
    struct reports_filter f = period(T0, T1);
    json_t *m = metrics_as(t, &s2, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 2); /* N2, N3 */
    assert_int_equal(num(m, "notices", "time_to_action", "median_ms", NULL), 10 * H);
    assert_int_equal(num(m, "notices", "time_to_action", "p90_ms", NULL), 20 * H);
    assert_int_equal(num(m, "actions", "takedowns", NULL), 1);
    assert_int_equal(num(m, "actions", "rejected_items", NULL), 1);
    assert_int_equal(num(m, "removals", "proactive", NULL), 1); /* V2 on L6 */
    assert_int_equal(num(m, "removals", "before_any_sale", NULL), 1);
    assert_int_equal(num(m, "enforcement", "strikes", NULL), 1);   /* K2 */
    assert_int_equal(num(m, "enforcement", "terminations", NULL), 1); /* P3 */
    assert_null(json_object_get(m, "referrals"));
    assert_null(json_object_get(m, "detections"));
    assert_null(json_object_get(m, "alliance"));
    assert_null(json_object_get(m, "misuse"));
    json_decref(m);
}

static void an_officer_sees_the_referrals_shared_with_its_agency(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    struct access_principal ag1 = testdb_principal_make(ROLE_OFFICER, "U-AG1", "AG1");
    json_t *m = metrics_as(t, &ag1, &f);
    assert_int_equal(num(m, "referrals", "referrals", NULL), 2); /* R1, R3 */
    assert_int_equal(num(m, "referrals", "arrests", NULL), 4);
    assert_null(json_object_get(m, "notices"));
    assert_null(json_object_get(m, "enforcement"));
    json_decref(m);
    /* AG2: R2; R1's cross-border share awaits approval */
    struct access_principal ag2 = testdb_principal_make(ROLE_OFFICER, "U-AG2", "AG2");
    m = metrics_as(t, &ag2, &f);
    assert_int_equal(num(m, "referrals", "referrals", NULL), 1);
    assert_int_equal(num(m, "referrals", "by_outcome", "investigating", NULL), 1);
    json_decref(m);
}

static void the_platform_roles_see_every_org_and_nobody_signed_out_does(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    struct access_principal aud = testdb_principal_make(ROLE_AUDITOR, "U-AUD", "PLAT");
    json_t *m = metrics_as(t, &aud, &f);
    assert_int_equal(num(m, "notices", "received", NULL), 4);
    assert_int_equal(num(m, "referrals", "referrals", NULL), 3);
    json_decref(m);
    struct access_principal nobody;
    memset(&nobody, 0, sizeof nobody);
    json_t *doc = NULL;
    assert_int_equal(reports_metrics(testdb_act_as(t, &nobody), &f, &doc),
                     IPS_ERR_UNAUTHENTICATED);
    assert_null(doc);
}

/* ---- the transparency report ------------------------------------------------------------------ */

static void the_transparency_report_is_platform_wide_and_names_nobody(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    snprintf(f.brand, sizeof f.brand, "acme"); /* ignored: platform-wide only */
    struct access_principal nobody;
    memset(&nobody, 0, sizeof nobody);
    json_t *r = NULL;
    assert_int_equal(reports_transparency(testdb_act_as(t, &nobody), &f, &r), IPS_OK);
    assert_int_equal(num(r, "notices", "received", NULL), 4);
    assert_int_equal(num(r, "referrals", "arrests", NULL), 4);
    assert_int_equal(num(r, "alliance", "members", NULL), 2);
    assert_null(json_object_get(json_object_get(r, "referrals"), "by_agency"));
    assert_null(json_object_get(json_object_get(r, "alliance"), "by_member"));
    assert_null(json_object_get(r, "scope"));
    char *text = json_dumps(r, 0);
    assert_null(strstr(text, "Acme"));
    assert_null(strstr(text, "Guangdong"));
    free(text);

    char *csv = NULL;
    size_t len = 0;
    assert_int_equal(reports_transparency_csv(r, &csv, &len), IPS_OK);
    assert_int_equal(strlen(csv), len);
    assert_true(strncmp(csv, "section,metric,key,value\r\n", 26) == 0);
    assert_non_null(strstr(csv, "\r\nperiod,from,,2026-01-01T00:00:00"));
    assert_non_null(strstr(csv, "\r\nnotices,received,,4\r\n"));
    assert_non_null(strstr(csv, "\r\nnotices,by_kind,counterfeit,2\r\n"));
    assert_non_null(strstr(csv, "\r\nnotices,time_to_action,median_ms,14400000\r\n"));
    assert_non_null(strstr(csv, "\r\nremovals,proactive_share,,0.5000\r\n"));
    assert_non_null(strstr(csv, "\r\nreferrals,value_seized,CNY,502000\r\n"));
    assert_non_null(strstr(csv, "\r\nenforcement,penalties_by_level,termination,1\r\n"));
    free(csv);
    json_decref(r);
    json_t *bad = json_object();
    assert_int_equal(reports_transparency_csv(bad, &csv, &len), IPS_ERR_INVALID);
    json_decref(bad);
}

/* ---- the DSA export --------------------------------------------------------------------------- */

static json_t *line_of(const char *text, size_t n)
{
    const char *p = text;
    for (size_t i = 0; i < n; i++)
        p = strchr(p, '\n') + 1;
    json_error_t err;
    json_t *v = json_loadb(p, (size_t)(strchr(p, '\n') - p), 0, &err);
    assert_non_null(v);
    return v;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("%s is not a string", key);
    return json_string_value(v);
}

static void the_dsa_export_has_one_statement_per_takedown_field_by_field(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    char *text = NULL;
    size_t len = 0, count = 0;
    assert_int_equal(reports_statements(testdb_act_as(t, &t->sys), &f, &text, &len, &count),
                     IPS_OK);
    /* takedowns in the period, oldest first: N1/L1, N1/L2, N2/L3, N4/L7 */
    assert_int_equal(count, 4);
    assert_int_equal(strlen(text), len);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);

    json_t *s = line_of(text, 0);
    assert_string_equal(str(s, "puid"), "N1:L1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(s, "decision_visibility"), 0)),
                        "DECISION_VISIBILITY_CONTENT_REMOVED");
    assert_int_equal(json_array_size(json_object_get(s, "decision_visibility")), 1);
    assert_string_equal(str(s, "decision_ground"), "DECISION_GROUND_ILLEGAL_CONTENT");
    assert_non_null(strstr(str(s, "illegal_content_legal_ground"), "Regulation (EU) 2017/1001"));
    assert_string_equal(str(s, "illegal_content_explanation"), "explanation of N1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(s, "content_type"), 0)),
                        "CONTENT_TYPE_PRODUCT");
    assert_string_equal(str(s, "category"), "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(s, "category_specification"), 0)),
        "KEYWORD_TRADEMARK_INFRINGEMENT");
    assert_string_equal(str(s, "content_date"), "2025-12-01"); /* listing created T0 - 31 days */
    assert_string_equal(str(s, "application_date"), "2026-01-02");
    assert_non_null(strstr(str(s, "decision_facts"), "Listing L1"));
    assert_string_equal(str(s, "source_type"), "SOURCE_TRUSTED_FLAGGER"); /* fast track */
    assert_string_equal(str(s, "automated_detection"), "No");
    assert_string_equal(str(s, "automated_decision"), "AUTOMATED_DECISION_FULLY");
    json_t *scope = json_object_get(s, "territorial_scope");
    assert_int_equal(json_array_size(scope), 30); /* the EEA */
    /* only the database's own fields: no redress block, no internal ids, no nulls */
    assert_null(json_object_get(s, "redress"));
    assert_null(json_object_get(s, "notice_id"));
    assert_null(json_object_get(s, "listing_id"));
    assert_null(json_object_get(s, "end_date_visibility_restriction"));
    assert_int_equal(json_object_size(s), 15);
    json_decref(s);

    s = line_of(text, 2); /* N2/L3: a reviewer's decision */
    assert_string_equal(str(s, "puid"), "N2:L3");
    assert_string_equal(str(s, "source_type"), "SOURCE_ARTICLE_16");
    assert_string_equal(str(s, "automated_decision"), "AUTOMATED_DECISION_NOT_AUTOMATED");
    assert_string_equal(str(s, "application_date"), "2026-01-03");
    json_decref(s);
    s = line_of(text, 3);
    assert_string_equal(str(s, "puid"), "N4:L7");
    json_decref(s);
    free(text);

    /* a brand filter applies; an empty period is an empty export */
    snprintf(f.brand, sizeof f.brand, "RHB");
    assert_int_equal(reports_statements(&t->ctx, &f, &text, &len, &count), IPS_OK);
    assert_int_equal(count, 1);
    free(text);
    f = period(T1 + 10 * D, T1 + 20 * D);
    assert_int_equal(reports_statements(&t->ctx, &f, &text, &len, &count), IPS_OK);
    assert_int_equal(count, 0);
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    free(text);
}

static void only_the_platform_may_export_statements(void **state)
{
    struct testdb *t = *state;
    struct reports_filter f = period(T0, T1);
    char *text = NULL;
    size_t len = 0, count = 0;
    struct access_principal rha = testdb_principal_make(ROLE_RIGHTHOLDER, "U-RHA", "RHA");
    struct access_principal s1 = testdb_principal_make(ROLE_SELLER, "U-S1", "S1");
    struct access_principal aud = testdb_principal_make(ROLE_AUDITOR, "U-AUD", "PLAT");
    assert_int_equal(reports_statements(testdb_act_as(t, &rha), &f, &text, &len, &count),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(reports_statements(testdb_act_as(t, &s1), &f, &text, &len, &count),
                     IPS_ERR_FORBIDDEN);
    assert_null(text);
    assert_int_equal(reports_statements(testdb_act_as(t, &aud), &f, &text, &len, &count), IPS_OK);
    assert_int_equal(count, 4);
    free(text);
}

/* Add each row of q under f to sums: key "k0/k1/v<i>" -> the sum of v[i]
 * (TIMES: v0 only, its percentiles do not add up); zeros left out. */
static ips_status sum_row(const struct store_reports_row *r, void *arg)
{
    json_t *sums = ((json_t **)arg)[0];
    const json_t *qname = ((json_t **)arg)[1];
    int values = strcmp(json_string_value(qname), "TIMES") == 0 ? 1 : STORE_REPORTS_VALUES;
    for (int i = 0; i < values; i++) {
        char key[2 * STORE_NAME_MAX + 16];
        if (!r->v[i])
            continue;
        snprintf(key, sizeof key, "%s/%s/v%d", r->k[0], r->k[1], i);
        json_t *v = json_object_get(sums, key);
        json_object_set_new(sums, key, json_integer((v ? json_integer_value(v) : 0) + r->v[i]));
    }
    return IPS_OK;
}

/* Every org's unfiltered numbers come from their own SQL texts (no join a
 * restriction needs; reports_sql.h, reports__sql_all); a seller scope
 * takes the general texts. Each counted item or verdict belongs to exactly
 * one seller, so for every period — one with no events at all, one starting
 * exactly at an event — the unfiltered numbers are the sums of the sellers'. */
static void every_orgs_numbers_are_the_sum_of_each_sellers(void **state)
{
    struct testdb *t = *state;
    static const enum store_reports_query qs[] = {STORE_REPORTS_TIMES,   STORE_REPORTS_ITEMS,
                                                  STORE_REPORTS_APPEALS, STORE_REPORTS_REMOVALS,
                                                  STORE_REPORTS_SIGNALS, STORE_REPORTS_VERDICTS};
    static const char *const names[] = {"TIMES",    "ITEMS",   "APPEALS",
                                        "REMOVALS", "SIGNALS", "VERDICTS"};
    static const char *const sellers[] = {"S1", "S2"};
    const int64_t periods[][2] = {
        {T0, T1}, {T0 - 30 * D, T0}, {T0 - 5 * D + H, T1 + 30 * D}, {T1 + 400 * D, T1 + 500 * D}};
    int nonzero = 0;
    for (size_t p = 0; p < sizeof periods / sizeof periods[0]; p++) {
        for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++) {
            json_t *all = json_object(), *parts = json_object(), *name = json_string(names[q]);
            struct store_reports_filter f = {periods[p][0], periods[p][1], NULL, NULL, NULL,
                                             NULL, NULL, 0};
            json_t *arg[2] = {all, name};
            assert_int_equal(store_reports_query(t->s, qs[q], &f, sum_row, arg), IPS_OK);
            for (size_t s = 0; s < sizeof sellers / sizeof sellers[0]; s++) {
                f.seller = sellers[s];
                arg[0] = parts;
                assert_int_equal(store_reports_query(t->s, qs[q], &f, sum_row, arg), IPS_OK);
            }
            if (!json_equal(all, parts)) {
                char *a = json_dumps(all, JSON_SORT_KEYS), *b = json_dumps(parts, JSON_SORT_KEYS);
                fail_msg("%s period %zu: every org %s, sellers' sum %s", names[q], p, a, b);
            }
            nonzero += json_object_size(all) > 0;
            if (p == 3)
                assert_int_equal(json_object_size(all), 0); /* nothing happened then */
            json_decref(all);
            json_decref(parts);
            json_decref(name);
        }
    }
    assert_true(nonzero >= 15); /* the comparison is not between empty sets */
}

/* ---- the facts stored with the rows (migration 0025) -------------------------------------- */

/* Rows of (created_ms, verdict id, signal type, signals of that type) of the
 * verdicts other than allow, from their signals JSON (as SIGNALS read them
 * before 0025) and as stored in detection_verdict_signals. */
#define SIGNALS_FROM_JSON_SQLITE                                                             \
    "SELECT d.created_ms, d.id, coalesce(json_extract(s.value, '$.type'), ''), count(*)"    \
    " FROM detection_verdicts d, json_each(d.signals) s WHERE d.action <> 'allow'"           \
    " GROUP BY 1, 2, 3"
#define SIGNALS_FROM_JSON_PG                                                                 \
    "SELECT d.created_ms, d.id, coalesce(s.value ->> 'type', ''), count(*)"                   \
    " FROM detection_verdicts d, jsonb_array_elements(d.signals::jsonb) s"                   \
    " WHERE d.action <> 'allow' GROUP BY 1, 2, 3"
#define SIGNALS_STORED "SELECT created_ms, verdict_id, type, signals FROM detection_verdict_signals"
#define SYMMETRIC_DIFFERENCE(A, B)                                                           \
    "SELECT (SELECT count(*) FROM (" A " EXCEPT " B ") x)"                                   \
    " + (SELECT count(*) FROM (" B " EXCEPT " A ") y)"

/* Rows that differ between the stored signal types and the verdicts' JSON. */
static int64_t signal_rows_differing(struct testdb *t)
{
    return testdb_query_int64(
        t, testdb_on_postgres(t) ? SYMMETRIC_DIFFERENCE(SIGNALS_FROM_JSON_PG, SIGNALS_STORED)
                                 : SYMMETRIC_DIFFERENCE(SIGNALS_FROM_JSON_SQLITE, SIGNALS_STORED));
}

/* Items whose stored receipt time or units sold differ from what the joins
 * to their notice and taken-down version give (units sold: NULL unless taken
 * down). */
static int64_t item_facts_differing(struct testdb *t)
{
    return testdb_query_int64(
        t, "SELECT count(*) FROM notice_items i JOIN notices n ON n.id = i.notice_id"
           " LEFT JOIN listing_versions v ON v.listing_id = i.listing_id"
           " AND v.version = i.content_version WHERE i.received_ms <> n.created_ms"
           " OR (i.taken_down_ms > 0 AND i.version_sold IS DISTINCT FROM v.units_sold)"
           " OR (i.taken_down_ms = 0 AND i.version_sold IS NOT NULL)");
}

static void update_item(struct testdb *t, const char *notice_id, const char *listing_id,
                        int64_t version, int64_t taken_down_ms)
{
    struct store_notice_item *it = calloc(1, sizeof *it);
    assert_non_null(it);
    assert_int_equal(store_notices_item_get(t->s, notice_id, listing_id, it), IPS_OK);
    it->content_version = version;
    it->taken_down_ms = taken_down_ms;
    assert_int_equal(store_notices_item_update(t->s, it), IPS_OK);
    free(it);
}

/* The fixture's items (written by the notices store, in one step or taken
 * down by an update) and verdicts (by the detections store)
 * carry the facts the joins give; so do later updates of an item: a counter-
 * notice (same takedown), a takedown of another version, a reinstatement
 * to "not taken down". */
static void the_stored_facts_of_items_and_verdicts_match_their_sources(void **state)
{
    struct testdb *t = *state;
    assert_int_equal(signal_rows_differing(t), 0);
    /* a row per verdict and type: V0, V1 (brand_term, price_below_reference),
     * V2, V3 (image_match, a type detection does not make today); V4 an allow */
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM detection_verdict_signals"), 5);
    assert_int_equal(testdb_query_int64(t, "SELECT signals FROM detection_verdict_signals"
                                           " WHERE verdict_id = 'V1' AND type = 'brand_term'"),
                     2);
    assert_int_equal(item_facts_differing(t), 0);
    /* taken down: L1 x2, L3, L7 unsold, L2 x2 sold; N3/L4 never taken down */
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM notice_items"
                                           " WHERE version_sold = 0"),
                     4);
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM notice_items"
                                           " WHERE version_sold IS NULL"),
                     1);
    sql(t, "INSERT INTO listing_versions (listing_id, version, title, description, price_minor,"
           " currency, category, units_sold, content_hash, created_ms) VALUES ('L7', 2, 't',"
           " 'd', 100, 'EUR', 'bags', 9, zeroblob(32), %lld)",
        T0 + 11 * D);
    update_item(t, "N4", "L7", 1, T0 + 10 * D + H); /* the same takedown, written again */
    assert_int_equal(item_facts_differing(t), 0);
    update_item(t, "N4", "L7", 2, T0 + 12 * D); /* a takedown of version 2 */
    assert_int_equal(testdb_query_int64(t, "SELECT version_sold FROM notice_items"
                                           " WHERE notice_id = 'N4' AND listing_id = 'L7'"),
                     9);
    update_item(t, "N4", "L7", 3, T0 + 13 * D); /* a version that does not exist */
    assert_int_equal(item_facts_differing(t), 0);
    update_item(t, "N4", "L7", 2, 0);
    assert_int_equal(item_facts_differing(t), 0);
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM notice_items"
                                           " WHERE version_sold IS NULL"),
                     2);
}

/* Verdicts the detection pipeline writes — one listing at a time, by the
 * catalog import's batch, by the rescan after a profile change — have their
 * signal types stored (0025, by the detections store), the same as their
 * signals JSON says. */
static void the_signal_types_of_every_verdict_path_are_stored(void **state)
{
    struct testdb *t = *state;
    struct store_org brand, brand2, shop;
    testdb_org_add(t, "Aurora Fashion", "rightholder", &brand);
    testdb_org_add(t, "Zephyr Sports", "rightholder", &brand2);
    testdb_org_add(t, "Shop", "seller", &shop);
    struct access_principal aurora = testdb_principal_make(
                                ROLE_RIGHTHOLDER, "01HZZZZZZZZZZZZZZZZZZZZZA1", brand.id),
                            zephyr = testdb_principal_make(
                                ROLE_RIGHTHOLDER, "01HZZZZZZZZZZZZZZZZZZZZZZ1", brand2.id),
                            seller = testdb_principal_make(ROLE_SELLER,
                                                           "01HZZZZZZZZZZZZZZZZZZZZZS1", shop.id);
    json_t *terms = json_pack("[{s:s}]", "term", "Aurora");
    assert_int_equal(profile_terms_set(testdb_act_as(t, &aurora), brand.id, terms), IPS_OK);
    json_decref(terms);
    assert_int_equal(detections_rules_rebuild(testdb_act_as(t, &t->sys), "test", NULL), IPS_OK);
    bool done = false;
    assert_int_equal(detections_rescan_step(testdb_act_as(t, &t->sys), 0, &done), IPS_OK);
    assert_true(done);

    /* one at a time, as the portal writes them */
    struct store_listing *l = calloc(1, sizeof *l);
    struct store_listing_version *v = calloc(1, sizeof *v);
    assert_non_null(l);
    assert_non_null(v);
    static const char *const titles[] = {"replica Aurora wallet 1:1, Aurora logo",
                                         "replica Zephyr shoes 1:1", "plain wool socks"};
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "P-%d", i);
        json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "title", titles[i], "price",
                              "15.00", "currency", "EUR", "category", "bags");
        assert_int_equal(catalog_listing_create(testdb_act_as(t, &seller), b, l, v), IPS_OK);
        json_decref(b);
    }
    free(l);
    free(v);
    /* the import's batch */
    struct catalog_import *imp = NULL;
    assert_int_equal(catalog_import_begin(testdb_act_as(t, &t->sys), CATALOG_IMPORT_LISTINGS,
                                          "t.jsonl", 0, NULL, NULL, &imp),
                     IPS_OK);
    for (int i = 0; i < 3; i++) {
        char line[300];
        int n = snprintf(line, sizeof line,
                         "{\"id\":\"I-%d\",\"seller_id\":\"ext-%d\",\"title\":\"%s\","
                         "\"price\":\"15.00\",\"currency\":\"EUR\",\"category\":\"bags\"}",
                         i, i % 2, titles[i]);
        assert_int_equal(catalog_import_line(imp, i + 1, line, (size_t)n), IPS_OK);
    }
    struct catalog_import_stats stats;
    assert_int_equal(catalog_import_finish(imp, &stats), IPS_OK);
    assert_int_equal(stats.batches, 1);
    int64_t before_rescan = testdb_query_int64(t, "SELECT count(*) FROM detection_verdicts");

    /* the rescan: Zephyr's brand term makes new verdicts of P-1 and I-1 */
    terms = json_pack("[{s:s}]", "term", "Zephyr");
    assert_int_equal(profile_terms_set(testdb_act_as(t, &zephyr), brand2.id, terms), IPS_OK);
    json_decref(terms);
    struct ips_ctx *ctx = testdb_act_as(t, &t->sys);
    assert_int_equal(detections_tick(ctx, 0), IPS_OK);
    done = false;
    for (int i = 0; i < 100 && !done; i++)
        assert_int_equal(detections_rescan_step(ctx, 0, &done), IPS_OK);
    assert_true(done);
    assert_true(testdb_query_int64(t, "SELECT count(*) FROM detection_verdicts") > before_rescan);

    assert_int_equal(signal_rows_differing(t), 0);
    /* each path wrote rows: the per-listing scan, the batch, the rescan
     * (Zephyr's brand term exists only in verdicts written after it) */
    assert_true(testdb_query_int64(t, "SELECT count(*) FROM detection_verdict_signals g"
                                      " JOIN detection_verdicts d ON d.id = g.verdict_id"
                                      " WHERE d.listing_id = 'P-0' AND g.type = 'brand_term'"
                                      " AND g.signals = 2") == 1);
    assert_true(testdb_query_int64(t, "SELECT count(*) FROM detection_verdict_signals g"
                                      " JOIN detection_verdicts d ON d.id = g.verdict_id"
                                      " WHERE d.listing_id = 'I-0' AND g.type = 'brand_term'"
                                      " AND g.signals = 2") == 1);
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM detection_verdict_signals g"
                                           " JOIN detection_verdicts d ON d.id = g.verdict_id"
                                           " WHERE d.listing_id IN ('P-1', 'I-1')"
                                           " AND g.type = 'brand_term'"),
                     2);
    /* allow verdicts (the socks) write none */
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM detection_verdict_signals g"
                                           " JOIN detection_verdicts d ON d.id = g.verdict_id"
                                           " WHERE d.action = 'allow'"),
                     0);
    detections_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_metric_of_the_period_matches_the_hand_computed_value,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(the_period_filter_counts_only_events_inside_it, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(a_brand_term_or_org_id_narrows_to_that_right_holder,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_jurisdiction_matches_the_country_and_its_subdivisions,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(bad_filters_are_refused_with_one_error_each, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(a_right_holder_sees_only_its_own_numbers, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(a_seller_sees_its_own_enforcement_numbers, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(an_officer_sees_the_referrals_shared_with_its_agency,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(the_platform_roles_see_every_org_and_nobody_signed_out_does,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(the_transparency_report_is_platform_wide_and_names_nobody,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(
            the_dsa_export_has_one_statement_per_takedown_field_by_field, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(only_the_platform_may_export_statements, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(every_orgs_numbers_are_the_sum_of_each_sellers, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_stored_facts_of_items_and_verdicts_match_their_sources,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(the_signal_types_of_every_verdict_path_are_stored,
                                        testdb_setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

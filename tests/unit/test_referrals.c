/* test_referrals.c — law-enforcement referrals: routing (province, country,
 * cross-border, no agreement, an expired one), who sees a referral for
 * every role and TLP label, the signed evidence archive and its offline
 * verification (a changed, a missing and an added file, a bad signature),
 * and the officers' case work with its feedback; on a fresh SQLite
 * database per test. */
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

#include "access/access.h"
#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/config.h"
#include "ledger/ledger.h"
#include "referrals/referrals.h"
#include "store/store_alliance.h"
#include "store/store_catalog.h"
#include "store/store_detections.h"
#include "testdb.h"

/* ---- routing (pure) ------------------------------------------------------------------ */

static const char *const gd_codes[] = {"CN-GD"};
static const char *const cn_codes[] = {"CN"};
static const char *const us_codes[] = {"US-CA", "US-NY"};

static void route(const char *ship, const char *rh, const char *buyer,
                  const struct referral_route_agency *ag, size_t n, struct referral_route *out)
{
    const char *rhs[] = {rh}, *buyers[] = {buyer};
    struct referral_route_in in = {ship, rhs, rh ? 1 : 0, buyers, buyer ? 1 : 0, "2025-06-01"};
    referral_route_decide(&in, ag, n, out);
}

static void routes_to_the_province_agency_first(void **state)
{
    (void)state;
    struct referral_route_agency ag[] = {
        {"national", "CN", false, "2020-01-01", "", cn_codes, 1},
        {"guangdong", "CN", false, "2024-01-01", "2026-12-31", gd_codes, 1},
    };
    struct referral_route r;
    route("CN-GD", "CN", NULL, ag, 2, &r);
    assert_int_equal(r.primary, 1);
    assert_string_equal(r.primary_by, "subdivision");
    assert_false(r.primary_needs_approval);
    assert_false(r.cross_border_case);
    assert_int_equal(r.cross, -1);
    assert_non_null(strstr(r.note, "guangdong"));
}

static void routes_to_the_country_agency_when_no_province_agency_covers(void **state)
{
    (void)state;
    struct referral_route_agency ag[] = {
        {"guangdong", "CN", false, "2024-01-01", "", gd_codes, 1},
        {"national", "CN", false, "2020-01-01", "", cn_codes, 1},
    };
    struct referral_route r;
    route("CN-ZJ", NULL, NULL, ag, 2, &r);
    assert_int_equal(r.primary, 1);
    assert_string_equal(r.primary_by, "country");
    route("CN", NULL, NULL, ag, 2, &r); /* a country-level ship-from */
    assert_int_equal(r.primary, 1);
}

static void cross_border_cases_also_go_to_the_cross_border_body(void **state)
{
    (void)state;
    struct referral_route_agency ag[] = {
        {"interpol", "", true, "2019-01-01", "", NULL, 0},
        {"guangdong", "CN", false, "2024-01-01", "", gd_codes, 1},
    };
    struct referral_route r;
    route("CN-GD", "US", NULL, ag, 2, &r); /* right holder abroad */
    assert_int_equal(r.primary, 1);
    assert_true(r.cross_border_case);
    assert_int_equal(r.cross, 0);
    assert_non_null(strstr(r.note, "cross-border"));
    route("CN-GD", "CN", "DE", ag, 2, &r); /* buyers abroad */
    assert_true(r.cross_border_case);
    assert_int_equal(r.cross, 0);
    route("CN-GD", "CN", "CN", ag, 2, &r); /* all at home */
    assert_false(r.cross_border_case);
    assert_int_equal(r.cross, -1);
    /* A cross-border body never takes the primary role. */
    route("US-TX", "CN", NULL, ag, 2, &r);
    assert_int_equal(r.primary, -1);
    assert_int_equal(r.cross, 0);
}

static void without_an_agreement_the_referral_is_unrouted_and_says_why(void **state)
{
    (void)state;
    struct referral_route_agency ag[] = {
        {"california", "US", false, "2024-01-01", "", us_codes, 2},
        {"guangdong", "CN", false, "", "", gd_codes, 1}, /* no MOU at all */
    };
    struct referral_route r;
    route("CN-GD", NULL, NULL, ag, 2, &r);
    assert_int_equal(r.primary, -1);
    assert_non_null(strstr(r.note, "unrouted"));
    assert_non_null(strstr(r.note, "guangdong covers CN-GD"));
    route("FR-75", NULL, NULL, ag, 2, &r);
    assert_int_equal(r.primary, -1);
    assert_non_null(strstr(r.note, "no agency"));
    route("", NULL, NULL, ag, 2, &r);
    assert_int_equal(r.primary, -1);
    assert_non_null(strstr(r.note, "unknown"));
}

static void an_expired_agreement_does_not_route(void **state)
{
    (void)state;
    struct referral_route_agency ag[] = {
        {"guangdong", "CN", false, "2019-01-01", "2024-12-31", gd_codes, 1},
        {"national", "CN", false, "2020-01-01", "", cn_codes, 1},
    };
    struct referral_route r;
    route("CN-GD", NULL, NULL, ag, 2, &r);
    assert_int_equal(r.primary, 1); /* falls back to the country */
    assert_string_equal(r.primary_by, "country");
    route("CN-GD", NULL, NULL, ag, 1, &r); /* and with no national body: unrouted */
    assert_int_equal(r.primary, -1);
    assert_non_null(strstr(r.note, "no cooperation agreement in force"));
    assert_true(referral_mou_in_force("2020-01-01", "", "2025-06-01"));
    assert_true(referral_mou_in_force("2025-06-01", "2025-06-01", "2025-06-01"));
    assert_false(referral_mou_in_force("2025-06-02", "", "2025-06-01"));
    assert_false(referral_mou_in_force("", "", "2025-06-01"));
}

static void an_agency_outside_the_sellers_country_needs_approval(void **state)
{
    (void)state;
    static const char *const hk_gd[] = {"CN-GD"};
    struct referral_route_agency ag[] = {{"liaison", "HK", false, "2020-01-01", "", hk_gd, 1}};
    struct referral_route r;
    route("CN-GD", NULL, NULL, ag, 1, &r);
    assert_int_equal(r.primary, 0);
    assert_true(r.primary_needs_approval);
}

/* ---- the policy table for TLP ------------------------------------------------------------ */

static void every_label_admits_exactly_the_shares_it_names(void **state)
{
    (void)state;
    struct access_principal officer = testdb_principal_make(ROLE_OFFICER, "u", "o");
    struct access_principal reviewer = testdb_principal_make(ROLE_REVIEWER, "u", "o");
    for (int label = TLP_CLEAR; label <= TLP_RED; label++) {
        for (int share = SHARE_NONE; share <= SHARE_RECIPIENT; share++) {
            ips_status want = share >= label ? IPS_OK : IPS_ERR_NOT_FOUND;
            assert_int_equal(access_authorize_tlp(&officer, ACT_REFERRAL_READ, label, share), want);
            assert_int_equal(access_authorize_tlp(&reviewer, ACT_REFERRAL_READ, label, share),
                             IPS_OK);
        }
        assert_int_equal(access_authorize_tlp(&officer, ACT_REFERRAL_READ, label, SHARE_NONE),
                         IPS_ERR_NOT_FOUND);
    }
    assert_int_equal(access_authorize_tlp(&officer, ACT_REFERRAL_READ, TLP_NONE, SHARE_RECIPIENT),
                     IPS_ERR_NOT_FOUND);
    struct access_principal seller = testdb_principal_make(ROLE_SELLER, "u", "o");
    assert_int_equal(access_authorize(&seller, ACT_REFERRAL_LIST, NULL), IPS_ERR_FORBIDDEN);
}

/* ---- the domain over a database -------------------------------------------------------- */

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org platform, gd, hb, interpol, brand, brand_other, ally, shop, shop2;
    struct access_principal reviewer, admin, auditor, off_gd, off_hb, off_int, rh, rh_other,
        rh_ally, seller, seller2;
    char blob_sha[65];
    struct store_referral ref;
};

static void agency(struct fixture *f, const struct store_org *o, const char *json)
{
    json_error_t e;
    json_t *body = json_loads(json, 0, &e);
    assert_non_null(body);
    struct store_agency a;
    assert_int_equal(referral_agency_put(testdb_act_as(&f->db, &f->admin), o->id, body, &a),
                     IPS_OK);
    json_decref(body);
}

static void seller_with_listing(struct fixture *f, const struct store_org *o, const char *ext,
                                const char *phone, const struct access_principal *as,
                                const char *listing)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"id\":\"%s\",\"name\":\"%s\",\"ship_from\":\"CN-GD\","
             "\"identifiers\":{\"phone\":\"%s\"}}",
             ext, ext, phone);
    json_t *sj = json_loads(text, 0, NULL);
    assert_int_equal(catalog_seller_put(testdb_act_as(&f->db, &f->db.sys), sj, o->id, NULL, NULL),
                     IPS_OK);
    json_decref(sj);
    snprintf(text, sizeof text,
             "{\"id\":\"%s\",\"title\":\"Aurora bag replica\",\"price\":\"19.99\","
             "\"currency\":\"USD\",\"units_sold\":40,\"ship_from\":\"CN-GD\","
             "\"images\":[\"%s\",\"https://img.example/1.jpg\"]}",
             listing, f->blob_sha);
    json_t *lj = json_loads(text, 0, NULL);
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    assert_int_equal(catalog_listing_create(testdb_act_as(&f->db, as), lj, &l, v), IPS_OK);
    free(v);
    json_decref(lj);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    struct testdb *t = &f->db;
    testdb_open(t, "referrals");
    char key[128], err[128];
    snprintf(key, sizeof key, "%s/ledger.key", t->dir); /* the platform's signing key */
    assert_int_equal(config_set(&t->cfg, "ledger_key", key, err, sizeof err), IPS_OK);
    testdb_org_add(t, "Platform", "platform", &f->platform);
    testdb_org_add(t, "Guangdong AMR", "agency", &f->gd);
    testdb_org_add(t, "Hubei AMR", "agency", &f->hb);
    testdb_org_add(t, "Interpol", "agency", &f->interpol);
    testdb_org_add(t, "Aurora", "rightholder", &f->brand);
    testdb_org_add(t, "Other Brand", "rightholder", &f->brand_other);
    testdb_org_add(t, "Ally Brand", "rightholder", &f->ally);
    testdb_org_add(t, "Lucky Shop", "seller", &f->shop);
    testdb_org_add(t, "Lucky Shop 2", "seller", &f->shop2);
    testdb_user_add(t, "rev@p.test", "reviewer", &f->platform, NULL, &f->reviewer);
    testdb_user_add(t, "adm@p.test", "admin", &f->platform, NULL, &f->admin);
    testdb_user_add(t, "aud@p.test", "auditor", &f->platform, NULL, &f->auditor);
    testdb_user_add(t, "o@gd.test", "officer", &f->gd, NULL, &f->off_gd);
    testdb_user_add(t, "o@hb.test", "officer", &f->hb, NULL, &f->off_hb);
    testdb_user_add(t, "o@int.test", "officer", &f->interpol, NULL, &f->off_int);
    testdb_user_add(t, "a@aurora.test", "rightholder", &f->brand, NULL, &f->rh);
    testdb_user_add(t, "a@other.test", "rightholder", &f->brand_other, NULL, &f->rh_other);
    testdb_user_add(t, "a@ally.test", "rightholder", &f->ally, NULL, &f->rh_ally);
    testdb_user_add(t, "s@shop.test", "seller", &f->shop, NULL, &f->seller);
    testdb_user_add(t, "s@shop2.test", "seller", &f->shop2, NULL, &f->seller2);
    agency(f, &f->gd,
           "{\"country\":\"CN\",\"jurisdictions\":[\"cn-gd\"],"
           "\"mou\":{\"ref\":\"MOU-GD-2024\",\"from\":\"2024-01-01\"}}");
    agency(f, &f->hb,
           "{\"country\":\"CN\",\"jurisdictions\":[\"CN-HB\"],"
           "\"mou\":{\"ref\":\"MOU-HB\",\"from\":\"2024-01-01\"}}");
    agency(f, &f->interpol,
           "{\"cross_border\":true,\"jurisdictions\":[],"
           "\"mou\":{\"ref\":\"IP-2019\",\"from\":\"2019-01-01\"}}");
    struct blob_info bi;
    static const char bytes[] = "not really an image, but evidence bytes all the same";
    assert_int_equal(blob_put(testdb_act_as(t, &t->sys), bytes, sizeof bytes, BLOB_TYPES_ANY, &bi),
                     IPS_OK);
    memcpy(f->blob_sha, bi.sha256, sizeof f->blob_sha);
    seller_with_listing(f, &f->shop, "lucky-1", "+8613800000001", &f->seller, "L-1");
    seller_with_listing(f, &f->shop2, "lucky-2", "+8613800000001", &f->seller2, "L-2");
    struct store_alliance_member m = {0};
    memcpy(m.org_id, f->ally.id, sizeof m.org_id);
    snprintf(m.status, sizeof m.status, "active");
    assert_int_equal(store_alliance_member_put(t->s, &m), IPS_OK);
    /* The reviewer refers the shop; Aurora is the right holder concerned. */
    char body[512];
    snprintf(body, sizeof body,
             "{\"seller_org_id\":\"%s\",\"summary\":\"replica bags\",\"tlp\":\"AMBER\","
             "\"rightholder_org_ids\":[\"%s\"],\"buyer_countries\":[\"us\"]}",
             f->shop.id, f->brand.id);
    json_t *b = json_loads(body, 0, NULL);
    ips_status st = referral_create(testdb_act_as(t, &f->reviewer), b, &f->ref);
    if (st)
        fail_msg("referral_create: %s (%s)", ips_status_slug(st), t->ctx.detail);
    json_decref(b);
    return 0;
}

struct rcpt {
    int n;
    bool interpol_pending;
};

static ips_status take_rcpt(const struct store_referral_recipient *x, void *arg)
{
    struct rcpt *r = arg;
    r->n++;
    if (strcmp(x->kind, "cross_border") == 0)
        r->interpol_pending = x->needs_approval && x->approved_ms == 0;
    return IPS_OK;
}

static void a_referral_routes_to_the_province_and_waits_for_cross_border_approval(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(f->ref.status, "received");
    assert_string_equal(f->ref.ship_from, "CN-GD");
    assert_int_equal(f->ref.units_sold, 40);
    assert_non_null(strstr(f->ref.route_note, f->gd.id));
    struct rcpt r = {0};
    assert_int_equal(
        referral_recipients(testdb_act_as(&f->db, &f->reviewer), f->ref.id, take_rcpt, &r), IPS_OK);
    assert_int_equal(r.n, 2);
    assert_true(r.interpol_pending);
    /* Interpol sees nothing until a reviewer approves, then sees it. */
    struct store_referral got;
    assert_int_equal(referral_get(testdb_act_as(&f->db, &f->off_int), f->ref.id, &got, NULL),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(referral_share_approve(testdb_act_as(&f->db, &f->off_gd), f->ref.id,
                                            f->interpol.id, "case spans borders", NULL),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(referral_share_approve(testdb_act_as(&f->db, &f->reviewer), f->ref.id,
                                            f->interpol.id, "buyers in the US", &got),
                     IPS_OK);
    assert_int_equal(referral_share_approve(testdb_act_as(&f->db, &f->reviewer), f->ref.id,
                                            f->interpol.id, "again", &got),
                     IPS_ERR_CONFLICT);
    assert_int_equal(referral_get(testdb_act_as(&f->db, &f->off_int), f->ref.id, &got, NULL),
                     IPS_OK);
}

/* Who sees the referral under each label, after Interpol's sharing was
 * approved. Columns: CLEAR GREEN AMBER AMBER+STRICT RED. */
static void every_role_sees_exactly_what_the_label_allows(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(referral_share_approve(testdb_act_as(&f->db, &f->reviewer), f->ref.id,
                                            f->interpol.id, "buyers in the US", NULL),
                     IPS_OK);
    static const char *const labels[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    const struct {
        const char *who;
        const struct access_principal *p;
        bool sees[5];
    } rows[] = {
        {"reviewer", &f->reviewer, {1, 1, 1, 1, 1}},
        {"admin", &f->admin, {1, 1, 1, 1, 1}},
        {"auditor", &f->auditor, {1, 0, 0, 0, 0}},
        {"officer of the routed agency", &f->off_gd, {1, 1, 1, 1, 1}},
        {"officer of the approved cross-border body", &f->off_int, {1, 1, 1, 1, 0}},
        {"officer of another agency", &f->off_hb, {1, 0, 0, 0, 0}},
        {"right holder concerned", &f->rh, {1, 1, 1, 0, 0}},
        {"alliance member", &f->rh_ally, {1, 1, 0, 0, 0}},
        {"other right holder", &f->rh_other, {1, 0, 0, 0, 0}},
        {"the seller referred", &f->seller, {0, 0, 0, 0, 0}},
        {"another seller", &f->seller2, {0, 0, 0, 0, 0}},
    };
    for (size_t l = 0; l < 5; l++) {
        assert_int_equal(referral_tlp_set(testdb_act_as(&f->db, &f->reviewer), f->ref.id, labels[l],
                                          "relabel", NULL),
                         IPS_OK);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            struct store_referral got;
            ips_status st = referral_get(testdb_act_as(&f->db, rows[i].p), f->ref.id, &got, NULL);
            if ((st == IPS_OK) != rows[i].sees[l])
                fail_msg("%s under %s: got %s", rows[i].who, labels[l], ips_status_slug(st));
            if (st != IPS_OK)
                assert_int_equal(st, IPS_ERR_NOT_FOUND);
        }
    }
    /* The evidence is AMBER+STRICT at least: a right holder never gets it. */
    assert_int_equal(
        referral_tlp_set(testdb_act_as(&f->db, &f->reviewer), f->ref.id, "CLEAR", "publish", NULL),
        IPS_OK);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(
        referral_evidence_read(testdb_act_as(&f->db, &f->rh), f->ref.id, &data, &len, &info),
        IPS_ERR_NOT_FOUND);
    assert_int_equal(
        referral_evidence_read(testdb_act_as(&f->db, &f->off_gd), f->ref.id, &data, &len, &info),
        IPS_OK);
    free(data);
    assert_int_equal(referral_list(testdb_act_as(&f->db, &f->seller), NULL, 10, NULL, NULL),
                     IPS_ERR_FORBIDDEN);
}

/* ---- the evidence archive ------------------------------------------------------------------ */

struct member {
    char path[256];
    struct buf data;
};

/* Unpack a tar.gz into members (at most 64). */
static int unpack(const void *data, size_t len, struct member *m)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_memory(a, data, len), ARCHIVE_OK);
    struct archive_entry *en;
    int n = 0;
    while (archive_read_next_header(a, &en) == ARCHIVE_OK) {
        assert_true(n < 64);
        snprintf(m[n].path, sizeof m[n].path, "%s", archive_entry_pathname(en));
        buf_init(&m[n].data, 1 << 24);
        char chunk[4096];
        la_ssize_t r;
        while ((r = archive_read_data(a, chunk, sizeof chunk)) > 0)
            assert_int_equal(buf_append(&m[n].data, chunk, (size_t)r), IPS_OK);
        n++;
    }
    archive_read_free(a);
    return n;
}

static la_ssize_t pack_write(struct archive *a, void *client, const void *p, size_t n)
{
    (void)a;
    return buf_append(client, p, n) == IPS_OK ? (la_ssize_t)n : -1;
}

/* Pack members (skipping those with an empty path) into out. */
static void pack(struct member *m, int n, struct buf *out)
{
    buf_init(out, 1 << 26);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    assert_int_equal(archive_write_open(a, out, NULL, pack_write, NULL), ARCHIVE_OK);
    for (int i = 0; i < n; i++) {
        if (!m[i].path[0])
            continue;
        struct archive_entry *en = archive_entry_new();
        archive_entry_set_pathname(en, m[i].path);
        archive_entry_set_size(en, (la_int64_t)m[i].data.len);
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_perm(en, 0644);
        archive_write_header(a, en);
        archive_write_data(a, m[i].data.data ? m[i].data.data : "", m[i].data.len);
        archive_entry_free(en);
    }
    archive_write_close(a);
    archive_write_free(a);
}

static void release(struct member *m, int n)
{
    for (int i = 0; i < n; i++)
        buf_release(&m[i].data);
}

static int find(struct member *m, int n, const char *prefix)
{
    for (int i = 0; i < n; i++)
        if (strncmp(m[i].path, prefix, strlen(prefix)) == 0)
            return i;
    fail_msg("no member %s", prefix);
    return -1;
}

/* Verify members; OUT the report (caller clears). */
static ips_status verify_members(struct member *m, int n, const char *vkey,
                                 struct evidence_report *rep)
{
    struct buf tar;
    pack(m, n, &tar);
    ips_status st = evidence_verify_memory(tar.data, tar.len, vkey, rep);
    buf_release(&tar);
    return st;
}

static bool has_problem(const struct evidence_report *rep, const char *path, const char *what)
{
    size_t i;
    json_t *p;
    json_array_foreach(rep->problems, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "path")), path) == 0 &&
            strcmp(json_string_value(json_object_get(p, "problem")), what) == 0)
            return true;
    }
    return false;
}

static void the_evidence_archive_verifies_and_names_every_change(void **state)
{
    struct fixture *f = *state;
    char vkey[NOTE_VKEY_MAX];
    assert_int_equal(ledger_verifier_key(testdb_act_as(&f->db, &f->db.sys), vkey), IPS_OK);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(
        referral_evidence_read(testdb_act_as(&f->db, &f->reviewer), f->ref.id, &data, &len, &info),
        IPS_OK);
    assert_string_equal(info.sha256, f->ref.evidence_sha256);
    struct evidence_report rep;
    assert_int_equal(evidence_verify_memory(data, len, vkey, &rep), IPS_OK);
    assert_string_equal(rep.referral_id, f->ref.id);
    assert_int_equal(json_array_size(rep.problems), 0);
    evidence_report_clear(&rep);

    struct member *m = calloc(64, sizeof *m);
    int n = unpack(data, len, m);
    free(data);
    /* What the package holds: the case, both linked sellers' evidence, the image. */
    find(m, n, "referral.json");
    find(m, n, "listings/L-1.json");
    find(m, n, "images.json");
    char img[128];
    snprintf(img, sizeof img, "images/%s", f->blob_sha);
    find(m, n, img);
    int seller = find(m, n, "sellers/");
    assert_non_null(strstr(m[seller].data.data, f->shop2.id)); /* linked by the phone */
    assert_non_null(strstr(m[seller].data.data, "\"units_sold\": 40"));

    /* Repacked unchanged: still good. */
    assert_int_equal(verify_members(m, n, vkey, &rep), IPS_OK);
    evidence_report_clear(&rep);

    /* A changed file. */
    int l1 = find(m, n, "listings/L-1.json");
    m[l1].data.data[10] ^= 1;
    assert_int_equal(verify_members(m, n, vkey, &rep), IPS_ERR_INTEGRITY);
    assert_true(has_problem(&rep, "listings/L-1.json", "changed"));
    assert_int_equal(json_array_size(rep.problems), 1);
    assert_int_equal(rep.signature, NOTE_CHECK_OK);
    evidence_report_clear(&rep);
    m[l1].data.data[10] ^= 1;

    /* A missing file. */
    char saved[256];
    memcpy(saved, m[l1].path, sizeof saved);
    m[l1].path[0] = '\0';
    assert_int_equal(verify_members(m, n, vkey, &rep), IPS_ERR_INTEGRITY);
    assert_true(has_problem(&rep, "listings/L-1.json", "missing"));
    assert_int_equal(json_array_size(rep.problems), 1);
    evidence_report_clear(&rep);
    memcpy(m[l1].path, saved, sizeof saved);

    /* An added file. */
    snprintf(m[n].path, sizeof m[n].path, "listings/forged.json");
    buf_init(&m[n].data, 1024);
    buf_append(&m[n].data, "{}\n", 3);
    assert_int_equal(verify_members(m, n + 1, vkey, &rep), IPS_ERR_INTEGRITY);
    assert_true(has_problem(&rep, "listings/forged.json", "added"));
    assert_int_equal(json_array_size(rep.problems), 1);
    evidence_report_clear(&rep);
    buf_release(&m[n].data);

    /* A manifest rewritten to match a change no longer matches its signature. */
    int man = find(m, n, EVIDENCE_MANIFEST);
    char *hex = strstr(m[man].data.data, "\"sha256\": \"");
    assert_non_null(hex);
    hex += 11;
    char was = *hex;
    *hex = was == '0' ? '1' : '0';
    assert_int_equal(verify_members(m, n, vkey, &rep), IPS_ERR_INTEGRITY);
    assert_int_equal(rep.signature, NOTE_CHECK_OK);
    assert_false(rep.manifest_bound);
    evidence_report_clear(&rep);
    *hex = was;

    /* A bad signature: a corrupted one, and another key. */
    int sig = find(m, n, EVIDENCE_SIGNATURE);
    char *dash = strstr(m[sig].data.data, "\xe2\x80\x94 ");
    assert_non_null(dash);
    char *b64 = strrchr(dash, ' ') + 1;
    b64[8] = b64[8] == 'A' ? 'B' : 'A';
    assert_int_equal(verify_members(m, n, vkey, &rep), IPS_ERR_INTEGRITY);
    assert_int_equal(rep.signature, NOTE_CHECK_BAD_SIGNATURE);
    evidence_report_clear(&rep);
    b64[8] = b64[8] == 'A' ? 'B' : 'A';
    struct note_signer other;
    char other_vkey[NOTE_VKEY_MAX];
    assert_int_equal(note_signer_generate("someone-else", &other), IPS_OK);
    assert_int_equal(note_verifier_format(&other.v, other_vkey, sizeof other_vkey), IPS_OK);
    assert_int_equal(verify_members(m, n, other_vkey, &rep), IPS_ERR_INTEGRITY);
    assert_int_equal(rep.signature, NOTE_CHECK_UNKNOWN_KEY);
    evidence_report_clear(&rep);
    assert_int_equal(verify_members(m, n, "not a key", &rep), IPS_ERR_INVALID);
    evidence_report_clear(&rep);
    assert_int_equal(evidence_verify_memory("garbage", 7, vkey, &rep), IPS_ERR_MALFORMED);
    evidence_report_clear(&rep);
    release(m, n);
    free(m);
}

/* ---- case work ------------------------------------------------------------------------------- */

static ips_status case_update(struct fixture *f, const struct access_principal *p, const char *json,
                              struct store_referral *out)
{
    json_t *b = json_loads(json, 0, NULL);
    assert_non_null(b);
    ips_status st = referral_case_update(testdb_act_as(&f->db, p), f->ref.id, b, out);
    json_decref(b);
    return st;
}

static void officers_work_their_own_cases_and_a_confirmed_outcome_bans_the_network(void **state)
{
    struct fixture *f = *state;
    struct store_referral r;
    assert_int_equal(case_update(f, &f->off_hb, "{\"status\":\"investigating\"}", &r),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(case_update(f, &f->reviewer, "{\"status\":\"investigating\"}", &r),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(
        case_update(f, &f->off_gd, "{\"status\":\"investigating\",\"note\":\"ok\"}", &r), IPS_OK);
    assert_int_equal(case_update(f, &f->off_gd, "{\"status\":\"received\"}", &r),
                     IPS_ERR_INVALID); /* never back */
    assert_int_equal(
        case_update(f, &f->off_gd, "{\"status\":\"investigating\",\"result\":\"confirmed\"}", &r),
        IPS_ERR_INVALID); /* a result needs a raid at least */
    assert_int_equal(case_update(f, &f->off_gd,
                                 "{\"status\":\"raid\",\"raid_date\":\"2025-05-01\","
                                 "\"arrests\":3,\"units_seized\":1200,\"value_seized\":\"5000.50\","
                                 "\"currency\":\"cny\",\"result\":\"confirmed\"}",
                                 &r),
                     IPS_OK);
    assert_string_equal(r.status, "raid");
    assert_int_equal(r.arrests, 3);
    assert_int_equal(r.value_seized_minor, 500050);
    assert_string_equal(r.value_currency, "CNY");
    assert_true(r.feedback_ms > 0);
    /* The feedback took the sellers' listings down (their network is banned). */
    struct store_listing l;
    assert_int_equal(store_catalog_listing_get(f->db.s, "L-1", &l), IPS_OK);
    assert_string_not_equal(l.state, "live");
    /* The right holder concerned sees the outcome (AMBER). */
    struct store_referral seen;
    assert_int_equal(referral_get(testdb_act_as(&f->db, &f->rh), f->ref.id, &seen, NULL), IPS_OK);
    assert_string_equal(seen.result, "confirmed");
    assert_int_equal(case_update(f, &f->off_gd, "{\"status\":\"closed\"}", &r), IPS_OK);
    assert_int_equal(case_update(f, &f->off_gd, "{\"status\":\"closed\"}", &r), IPS_ERR_CONFLICT);
}

static ips_status count_code(const char *code, void *arg)
{
    (void)code;
    (*(int *)arg)++;
    return IPS_OK;
}

static void a_network_referral_takes_every_member_seller(void **state)
{
    struct fixture *f = *state;
    char body[256];
    snprintf(body, sizeof body,
             "{\"seller_org_id\":\"%s\",\"summary\":\"the network\",\"network\":true}", f->shop.id);
    json_t *b = json_loads(body, 0, NULL);
    struct store_referral r;
    assert_int_equal(referral_create(testdb_act_as(&f->db, &f->reviewer), b, &r), IPS_OK);
    json_decref(b);
    assert_true(r.network_id[0] != '\0');
    assert_string_equal(r.tlp, "AMBER"); /* the default label */
    int n = 0;
    assert_int_equal(referral_sellers(testdb_act_as(&f->db, &f->reviewer), r.id, count_code, &n),
                     IPS_OK);
    assert_int_equal(n, 2); /* shop and shop2 share a phone */
    assert_int_equal(r.units_sold, 80);
    assert_int_equal(referral_sellers(testdb_act_as(&f->db, &f->seller2), r.id, count_code, &n),
                     IPS_ERR_NOT_FOUND);
}

/* Make a verdict with action the current one of listing L-1 (it concerns Aurora). */
static void current_verdict(struct fixture *f, const char *action, char id_out[ID_SIZE])
{
    struct store_detection *d = calloc(1, sizeof *d);
    assert_non_null(d);
    id_new(d->id);
    snprintf(d->listing_id, sizeof d->listing_id, "L-1");
    d->listing_version = d->rules_version = d->checked_version = 1;
    d->score_milli = 880;
    snprintf(d->action, sizeof d->action, "%s", action);
    snprintf(d->applied, sizeof d->applied, "none");
    snprintf(d->status, sizeof d->status, "confirmed");
    snprintf(d->signals, sizeof d->signals, "[{\"type\":\"brand_term\",\"org_id\":\"%s\"}]",
             f->brand.id);
    snprintf(d->outcome_key, sizeof d->outcome_key, "%s", action);
    d->is_current = true;
    d->created_ms = 1000;
    assert_int_equal(store_detections_verdict_insert(f->db.s, d, true), IPS_OK);
    memcpy(id_out, d->id, ID_SIZE);
    free(d);
}

static void the_evidence_package_holds_the_detection_verdicts(void **state)
{
    struct fixture *f = *state;
    char ids[2][ID_SIZE];
    current_verdict(f, "allow", ids[1]);  /* superseded by the next */
    current_verdict(f, "review", ids[0]); /* the current verdict: evidence */
    char body[256];
    snprintf(body, sizeof body, "{\"seller_org_id\":\"%s\",\"summary\":\"with detections\"}",
             f->shop.id);
    json_t *b = json_loads(body, 0, NULL);
    struct store_referral r;
    assert_int_equal(referral_create(testdb_act_as(&f->db, &f->reviewer), b, &r), IPS_OK);
    json_decref(b);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(
        referral_evidence_read(testdb_act_as(&f->db, &f->reviewer), r.id, &data, &len, &info),
        IPS_OK);
    struct member m[64];
    int n = unpack(data, len, m);
    free(data);
    char path[128];
    snprintf(path, sizeof path, "detections/%s.json", ids[0]);
    int i = find(m, n, path);
    assert_non_null(strstr(m[i].data.data, "\"action\": \"review\""));
    assert_non_null(strstr(m[i].data.data, "\"listing_id\": \"L-1\""));
    for (int k = 0; k < n; k++) /* the superseded allow verdict is not evidence */
        assert_null(strstr(m[k].path, ids[1]));
    release(m, n);
}

static ips_status count_file(const struct store_referral_file *file, void *arg)
{
    (void)file;
    (*(int *)arg)++;
    return IPS_OK;
}

static void officers_attach_case_files_that_later_evidence_holds(void **state)
{
    struct fixture *f = *state;
    static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n"
                              "<< /Root 1 0 R >>\n%%EOF\n";
    struct store_referral r;
    const char *before = f->ref.evidence_sha256;
    /* Only the routed agency's officers. */
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_hb), f->ref.id,
                                            "raid.pdf", pdf, sizeof pdf - 1, NULL, &r),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->reviewer), f->ref.id,
                                            "raid.pdf", pdf, sizeof pdf - 1, NULL, &r),
                     IPS_ERR_NOT_FOUND);
    /* Not a document, no name, empty: refused. */
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_gd), f->ref.id, "x.txt",
                                            "plain words", 11, NULL, &r),
                     IPS_ERR_MEDIA_TYPE);
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_gd), f->ref.id, "", pdf,
                                            sizeof pdf - 1, NULL, &r),
                     IPS_ERR_INVALID);
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_gd), f->ref.id, "e.pdf",
                                            pdf, 0, NULL, &r),
                     IPS_ERR_INVALID);
    int n = 0;
    assert_int_equal(referral_files(testdb_act_as(&f->db, &f->reviewer), f->ref.id, count_file, &n),
                     IPS_OK);
    assert_int_equal(n, 0);
    /* The officer attaches the raid report: listed, in the history, in a new archive. */
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_gd), f->ref.id,
                                            "raid report.pdf", pdf, sizeof pdf - 1,
                                            "signed by the team lead", &r),
                     IPS_OK);
    assert_string_not_equal(r.evidence_sha256, before);
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_gd), f->ref.id,
                                            "again.pdf", pdf, sizeof pdf - 1, NULL, &r),
                     IPS_ERR_CONFLICT);
    n = 0;
    assert_int_equal(referral_files(testdb_act_as(&f->db, &f->off_gd), f->ref.id, count_file, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
    n = 0; /* the right holder concerned sees the AMBER case, not its evidence */
    assert_int_equal(referral_files(testdb_act_as(&f->db, &f->rh), f->ref.id, count_file, &n),
                     IPS_OK);
    assert_int_equal(n, 0);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(
        referral_evidence_read(testdb_act_as(&f->db, &f->off_gd), f->ref.id, &data, &len, &info),
        IPS_OK);
    char vkey[NOTE_VKEY_MAX];
    assert_int_equal(ledger_verifier_key(testdb_act_as(&f->db, &f->db.sys), vkey), IPS_OK);
    struct evidence_report rep;
    assert_int_equal(evidence_verify_memory(data, len, vkey, &rep), IPS_OK);
    evidence_report_clear(&rep);
    struct member m[64];
    int k = unpack(data, len, m);
    free(data);
    int i = find(m, k, "files/");
    assert_int_equal(m[i].data.len, sizeof pdf - 1);
    assert_memory_equal(m[i].data.data, pdf, sizeof pdf - 1);
    i = find(m, k, "files.json");
    assert_non_null(strstr(m[i].data.data, "raid report.pdf"));
    assert_non_null(strstr(m[i].data.data, "signed by the team lead"));
    release(m, k);
    /* A closed case takes no more files. */
    assert_int_equal(case_update(f, &f->off_gd, "{\"status\":\"closed\"}", &r), IPS_OK);
    assert_int_equal(referral_case_file_add(testdb_act_as(&f->db, &f->off_gd), f->ref.id,
                                            "late.png", pdf, sizeof pdf - 1, NULL, &r),
                     IPS_ERR_CONFLICT);
}

static ips_status count_referral(const struct store_referral *r, void *arg)
{
    (void)r;
    (*(int *)arg)++;
    return IPS_OK;
}

static void bad_input_is_refused_and_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct store_agency a;
    json_t *b = json_loads("{\"country\":\"XX\",\"jurisdictions\":[\"CN-ZZ\"],"
                           "\"mou\":{\"ref\":\"r\",\"from\":\"2024-02-30\"}}",
                           0, NULL);
    assert_int_equal(referral_agency_put(testdb_act_as(&f->db, &f->admin), f->hb.id, b, &a),
                     IPS_ERR_INVALID);
    assert_true(json_array_size(f->db.ctx.errors) >= 3);
    assert_int_equal(referral_agency_put(testdb_act_as(&f->db, &f->reviewer), f->hb.id, b, &a),
                     IPS_ERR_FORBIDDEN);
    json_decref(b);
    assert_int_equal(referral_agency_get(testdb_act_as(&f->db, &f->admin), f->hb.id, &a), IPS_OK);
    assert_string_equal(a.country, "CN");
    b = json_loads("{\"country\":\"CN\",\"jurisdictions\":[\"CN-HB\"]}", 0, NULL);
    assert_int_equal(referral_agency_put(testdb_act_as(&f->db, &f->admin), f->shop.id, b, &a),
                     IPS_ERR_INVALID); /* not an agency org */
    json_decref(b);
    struct store_referral r;
    b = json_loads("{\"seller_org_id\":\"nope\",\"summary\":\"\",\"tlp\":\"PURPLE\"}", 0, NULL);
    assert_int_equal(referral_create(testdb_act_as(&f->db, &f->reviewer), b, &r), IPS_ERR_INVALID);
    assert_int_equal(referral_create(testdb_act_as(&f->db, &f->rh), b, &r), IPS_ERR_FORBIDDEN);
    json_decref(b);
    int n = 0;
    assert_int_equal(store_referrals_referral_list(f->db.s, NULL, NULL, 0, count_referral, &n),
                     IPS_OK);
    assert_int_equal(n, 1); /* only the one of the fixture */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_to_the_province_agency_first),
        cmocka_unit_test(routes_to_the_country_agency_when_no_province_agency_covers),
        cmocka_unit_test(cross_border_cases_also_go_to_the_cross_border_body),
        cmocka_unit_test(without_an_agreement_the_referral_is_unrouted_and_says_why),
        cmocka_unit_test(an_expired_agreement_does_not_route),
        cmocka_unit_test(an_agency_outside_the_sellers_country_needs_approval),
        cmocka_unit_test(every_label_admits_exactly_the_shares_it_names),
        cmocka_unit_test_setup_teardown(
            a_referral_routes_to_the_province_and_waits_for_cross_border_approval, setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(every_role_sees_exactly_what_the_label_allows, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_evidence_archive_verifies_and_names_every_change, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(
            officers_work_their_own_cases_and_a_confirmed_outcome_bans_the_network, setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(a_network_referral_takes_every_member_seller, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_evidence_package_holds_the_detection_verdicts, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(officers_attach_case_files_that_later_evidence_holds, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused_and_changes_nothing, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_rights.c — the rights registry: onboarding, agents and their
 * authorisations, rights and every state transition, typing of uploads by
 * content, expiry, and who may see and cite what. A fresh SQLite database
 * per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/config.h"
#include "rights/rights.h"
#include "testdb.h"

static const unsigned char png_1x1[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
static const char pdf_tiny[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                               "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
static const char text_file[] = "a plain text file pretending to be a certificate\n";

#define PASSWORD TESTDB_PASSWORD

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct access_principal p_rev, p_a, p_b, p_law, p_seller, anon;
    struct store_org platform, org_a, org_b, law, shop;
    struct store_user reviewer, a, b, lawyer, seller;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    struct testdb *t = &f->db;
    testdb_open(t, "rights");
    testdb_org_add(t, "Platform", "platform", &f->platform);
    testdb_org_add(t, "Brand A", "rightholder", &f->org_a);
    testdb_org_add(t, "Brand B", "rightholder", &f->org_b);
    testdb_org_add(t, "Law Firm", "rightholder", &f->law);
    testdb_org_add(t, "Shop", "seller", &f->shop);
    testdb_user_add(t, "rev@p.test", "reviewer", &f->platform, &f->reviewer, &f->p_rev);
    testdb_user_add(t, "a@a.test", "rightholder", &f->org_a, &f->a, &f->p_a);
    testdb_user_add(t, "b@b.test", "rightholder", &f->org_b, &f->b, &f->p_b);
    testdb_user_add(t, "l@law.test", "rightholder", &f->law, &f->lawyer, &f->p_law);
    testdb_user_add(t, "s@shop.test", "seller", &f->shop, &f->seller, &f->p_seller);
    memset(&f->anon, 0, sizeof f->anon);
    return 0;
}

/* Trademark metadata valid from 2020 to valid_to, for for_org (NULL: own). */
static json_t *trademark(const char *valid_to, const char *for_org)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:[i,i], s:s, s:s}", "kind", "trademark",
                          "mark_text", "ACME", "registration_number", "TM-123", "office", "CN",
                          "nice_classes", 25, 9, "valid_from", "2020-01-01", "valid_to",
                          valid_to);
    if (for_org)
        json_object_set_new(m, "for_org_id", json_string(for_org));
    return m;
}

static const struct rights_upload cert_pdf[] = {{"certificate", pdf_tiny, sizeof pdf_tiny - 1}};

/* Register a trademark as the ctx's actor; returns the status. */
static ips_status register_tm(struct ips_ctx *c, const char *valid_to, const char *for_org,
                              struct rights_right *out)
{
    json_t *m = trademark(valid_to, for_org);
    ips_status st = rights_right_register(c, m, cert_pdf, 1, out);
    json_decref(m);
    return st;
}

static ips_status count_right(const struct rights_right *r, void *arg)
{
    (void)r;
    (*(int *)arg)++;
    return IPS_OK;
}

static int rights_visible(struct fixture *f, const struct access_principal *p, const char *status)
{
    int n = 0;
    struct store_right_filter filter = {status, NULL, NULL, NULL, NULL};
    assert_int_equal(rights_right_list(testdb_act_as(&f->db, p), &filter, NULL, 0, count_right, &n), IPS_OK);
    return n;
}

static bool has_error(struct fixture *f, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(f->db.ctx.errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return true;
    }
    return false;
}

static ips_status count_app(const struct store_rh_application *a, void *arg)
{
    (void)a;
    (*(int *)arg)++;
    return IPS_OK;
}

/* ---- onboarding ------------------------------------------------------------------ */

static void an_applicant_cannot_register_rights_until_a_reviewer_approves(void **state)
{
    struct fixture *f = *state;
    struct rights_apply_req req = {"Brand New Ltd", "Owner@BrandNew.test", PASSWORD,
                                   "https://brandnew.test", "CN"};
    struct store_org org;
    struct store_user user;
    struct store_rh_application app;
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &req, &org, &user, &app), IPS_OK);
    assert_string_equal(org.kind, "rightholder");
    assert_string_equal(user.role, "rightholder");
    assert_string_equal(user.email, "owner@brandnew.test");
    assert_string_equal(app.status, "pending");

    struct access_principal p = testdb_principal_of(&user);
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &p), "2099-12-31", NULL, &r), IPS_ERR_FORBIDDEN);
    assert_non_null(strstr(f->db.ctx.detail, "approved"));

    /* a right holder may not decide, a reviewer may, with a reason */
    assert_int_equal(rights_holder_decide(testdb_act_as(&f->db, &p), org.id, true, "self", NULL),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(rights_holder_decide(testdb_act_as(&f->db, &f->p_rev), org.id, true, "", NULL),
                     IPS_ERR_INVALID);
    assert_int_equal(rights_holder_decide(testdb_act_as(&f->db, &f->p_rev), org.id, true, "documents checked",
                                          &app),
                     IPS_OK);
    assert_string_equal(app.status, "approved");
    assert_int_equal(rights_holder_decide(testdb_act_as(&f->db, &f->p_rev), org.id, false, "again", NULL),
                     IPS_ERR_CONFLICT);
    assert_int_equal(register_tm(testdb_act_as(&f->db, &p), "2099-12-31", NULL, &r), IPS_OK);
    assert_string_equal(r.rec.org_id, org.id);
}

static void a_rejected_applicant_stays_unable_to_register(void **state)
{
    struct fixture *f = *state;
    struct rights_apply_req req = {"Dubious Co", "x@dubious.test", PASSWORD, NULL, "US"};
    struct store_org org;
    struct store_user user;
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &req, &org, &user, NULL), IPS_OK);
    struct store_rh_application app;
    assert_int_equal(rights_holder_decide(testdb_act_as(&f->db, &f->p_rev), org.id, false, "no proof", &app),
                     IPS_OK);
    assert_string_equal(app.status, "rejected");
    struct access_principal p = testdb_principal_of(&user);
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &p), "2099-12-31", NULL, &r), IPS_ERR_FORBIDDEN);
    /* the applicant reads and lists its own application, not another's */
    assert_int_equal(rights_holder_get(testdb_act_as(&f->db, &p), org.id, &app), IPS_OK);
    assert_string_equal(app.reason, "no proof");
    assert_int_equal(rights_holder_get(testdb_act_as(&f->db, &f->p_a), org.id, &app), IPS_ERR_NOT_FOUND);
    int n = 0;
    assert_int_equal(rights_holder_list(testdb_act_as(&f->db, &p), NULL, NULL, 0, count_app, &n), IPS_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(rights_holder_list(testdb_act_as(&f->db, &f->p_a), NULL, NULL, 0, count_app, &n), IPS_OK);
    assert_int_equal(n, 0); /* made by an admin: no application, approved by construction */
    n = 0;
    assert_int_equal(rights_holder_list(testdb_act_as(&f->db, &f->p_rev), "rejected", NULL, 0, count_app, &n),
                     IPS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rights_holder_list(testdb_act_as(&f->db, &f->p_rev), "maybe", NULL, 0, count_app, &n),
                     IPS_ERR_INVALID);
    assert_int_equal(rights_holder_list(testdb_act_as(&f->db, &f->p_seller), NULL, NULL, 0, count_app, &n),
                     IPS_ERR_FORBIDDEN);
}

static void applications_are_validated_and_duplicates_refused(void **state)
{
    struct fixture *f = *state;
    struct rights_apply_req bad = {"", "not-an-email", "short", "ftp://x", "XX"};
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &bad, NULL, NULL, NULL),
                     IPS_ERR_INVALID);
    assert_true(has_error(f, "org_name") && has_error(f, "email") && has_error(f, "password") &&
                has_error(f, "website") && has_error(f, "country"));
    struct rights_apply_req sub = {"Sub Co", "sub@co.test", PASSWORD, NULL, "CN-GD"};
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &sub, NULL, NULL, NULL),
                     IPS_ERR_INVALID);
    struct rights_apply_req lower = {"Sub Co", "sub@co.test", PASSWORD, NULL, "cn"};
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &lower, NULL, NULL, NULL),
                     IPS_ERR_INVALID);
    struct rights_apply_req dup_name = {"Brand A", "new@a.test", PASSWORD, NULL, "DE"};
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &dup_name, NULL, NULL, NULL),
                     IPS_ERR_CONFLICT);
    struct rights_apply_req dup_mail = {"Another Brand", "A@A.test", PASSWORD, NULL, "DE"};
    assert_int_equal(rights_holder_apply(testdb_act_as(&f->db, &f->anon), &dup_mail, NULL, NULL, NULL),
                     IPS_ERR_CONFLICT);
    struct store_org o;
    assert_int_equal(store_org_get_by_name(f->db.s, "Another Brand", &o), IPS_ERR_NOT_FOUND);
}

/* ---- rights: states ---------------------------------------------------------------- */

static void a_trademark_is_pending_then_verified_with_a_reason(void **state)
{
    struct fixture *f = *state;
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_a), "2099-12-31", NULL, &r), IPS_OK);
    assert_string_equal(r.rec.status, "pending");
    assert_string_equal(r.status_effective, "pending");
    assert_string_equal(r.rec.nice_classes, "9,25");
    assert_int_equal(r.n_files, 1);
    assert_string_equal(r.files[0].blob.mime, "application/pdf");
    assert_string_equal(r.files[0].role, "certificate");

    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_a), r.rec.id, true, "mine", NULL),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, true, NULL, NULL),
                     IPS_ERR_INVALID);
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, true,
                                         "certificate matches the CNIPA register", &r),
                     IPS_OK);
    assert_string_equal(r.rec.status, "verified");
    assert_string_equal(r.rec.decided_by, f->reviewer.id);
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, false, "changed my mind", NULL),
                     IPS_ERR_CONFLICT);
    struct rights_right cited;
    assert_int_equal(rights_citable(testdb_act_as(&f->db, &f->p_a), r.rec.id, &cited), IPS_OK);
    assert_string_equal(cited.rec.id, r.rec.id);
}

static void a_rejected_right_keeps_its_reason_and_cannot_be_cited(void **state)
{
    struct fixture *f = *state;
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_a), "2099-12-31", NULL, &r), IPS_OK);
    assert_int_equal(rights_citable(testdb_act_as(&f->db, &f->p_a), r.rec.id, NULL), IPS_ERR_INVALID);
    assert_non_null(strstr(f->db.ctx.detail, "not verified"));
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->db.sys), r.rec.id, false, "forged certificate", &r),
                     IPS_OK);
    assert_string_equal(r.rec.status, "rejected");
    assert_string_equal(r.rec.reason, "forged certificate");
    assert_int_equal(rights_citable(testdb_act_as(&f->db, &f->p_a), r.rec.id, NULL), IPS_ERR_INVALID);
    assert_non_null(strstr(f->db.ctx.detail, "rejected"));
}

static void an_expired_right_is_not_citable_automatically(void **state)
{
    struct fixture *f = *state;
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_a), "2021-06-30", NULL, &r), IPS_OK);
    assert_string_equal(r.status_effective, "expired");
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, true, "was valid", &r), IPS_OK);
    assert_string_equal(r.rec.status, "verified");
    assert_string_equal(r.status_effective, "expired");
    assert_int_equal(rights_citable(testdb_act_as(&f->db, &f->p_a), r.rec.id, NULL), IPS_ERR_INVALID);
    assert_non_null(strstr(f->db.ctx.detail, "expired"));
    assert_int_equal(rights_visible(f, &f->p_rev, "expired"), 1);
    assert_int_equal(rights_visible(f, &f->p_rev, "verified"), 0);
}

/* ---- rights: bad input ---------------------------------------------------------------- */

static void metadata_errors_are_all_listed_and_change_nothing(void **state)
{
    struct fixture *f = *state;
    json_t *m = json_pack("{s:s, s:i, s:s, s:[i,i], s:s, s:s, s:b}", "kind", "trademark",
                          "mark_text", 7, "office", "Mars", "nice_classes", 0, 46,
                          "valid_from", "2024-02-30", "valid_to", "2020-01-01", "colour", 1);
    struct rights_right r;
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, cert_pdf, 1, &r), IPS_ERR_INVALID);
    json_decref(m);
    const char *fields[] = {"mark_text", "registration_number", "office", "nice_classes",
                            "valid_from", "colour"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_true(has_error(f, fields[i]));
    m = json_pack("{s:s}", "kind", "patent");
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, NULL, 0, &r), IPS_ERR_INVALID);
    assert_true(has_error(f, "kind"));
    json_decref(m);
    m = json_pack("{s:s, s:s, s:s, s:s}", "kind", "copyright", "title", "Poem", "work_kind",
                  "literary", "created_on", "2019-05-01");
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, NULL, 0, &r), IPS_ERR_INVALID);
    assert_true(has_error(f, "registration_number"));
    json_decref(m);
    assert_int_equal(rights_visible(f, &f->p_rev, NULL), 0);
}

static void a_copyright_needs_no_certificate_and_never_expires(void **state)
{
    struct fixture *f = *state;
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "copyright", "title", "Poem",
                          "work_kind", "literary", "evidence_description",
                          "manuscript deposited with a notary", "created_on", "2019-05-01");
    struct rights_right r;
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, NULL, 0, &r), IPS_OK);
    json_decref(m);
    assert_string_equal(r.rec.valid_to, "");
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, true, "ok", &r), IPS_OK);
    assert_string_equal(r.status_effective, "verified");
}

static void a_png_is_typed_by_content_and_a_pdf_logo_is_refused(void **state)
{
    struct fixture *f = *state;
    /* a PNG given as the certificate (whatever the client called it) is an image */
    struct rights_upload files[] = {{"certificate", png_1x1, sizeof png_1x1},
                                    {"logo", png_1x1, sizeof png_1x1}};
    json_t *m = trademark("2099-12-31", NULL);
    struct rights_right r;
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, files, 2, &r), IPS_OK);
    assert_int_equal(r.n_files, 2);
    assert_string_equal(r.files[0].blob.mime, "image/png");
    assert_string_equal(r.files[0].blob.sha256, r.files[1].blob.sha256); /* stored once */

    /* a PDF as a logo is refused, and nothing of that registration remains */
    struct rights_upload bad[] = {{"certificate", pdf_tiny, sizeof pdf_tiny - 1},
                                  {"logo", pdf_tiny, sizeof pdf_tiny - 1}};
    int before = rights_visible(f, &f->p_rev, NULL);
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, bad, 2, &r), IPS_ERR_MEDIA_TYPE);
    assert_non_null(strstr(f->db.ctx.detail, "logo"));
    assert_non_null(strstr(f->db.ctx.detail, "application/pdf"));
    assert_int_equal(rights_visible(f, &f->p_rev, NULL), before);
    struct rights_upload text[] = {{"certificate", text_file, sizeof text_file - 1}};
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, text, 1, &r), IPS_ERR_MEDIA_TYPE);
    assert_non_null(strstr(f->db.ctx.detail, "text/plain"));
    assert_int_equal(rights_visible(f, &f->p_rev, NULL), before);
    /* the PDF certificate of the refused registration was rolled back with it */
    uint8_t d[32];
    char hex[65];
    crypto_hash_sha256(d, (const unsigned char *)pdf_tiny, sizeof pdf_tiny - 1);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    struct blob_info b;
    assert_int_equal(blob_info_get(&f->db.ctx, hex, &b), IPS_ERR_NOT_FOUND);
    json_decref(m);
}

static void file_counts_follow_the_kind(void **state)
{
    struct fixture *f = *state;
    json_t *m = trademark("2099-12-31", NULL);
    struct rights_right r;
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, NULL, 0, &r), IPS_ERR_INVALID);
    assert_true(has_error(f, "certificate"));
    struct rights_upload five[6];
    five[0] = cert_pdf[0];
    for (int i = 1; i < 6; i++)
        five[i] = (struct rights_upload){"logo", png_1x1, sizeof png_1x1};
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, five, 6, &r), IPS_ERR_INVALID);
    assert_true(has_error(f, "logo"));
    json_decref(m);
    m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "design_patent", "patent_number",
                  "ZL2020301234567", "office", "CN", "title", "Bottle", "valid_from",
                  "2020-01-01", "valid_to", "2035-01-01");
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, cert_pdf, 1, &r), IPS_ERR_INVALID);
    assert_true(has_error(f, "image"));
    struct rights_upload design[] = {{"certificate", pdf_tiny, sizeof pdf_tiny - 1},
                                     {"image", png_1x1, sizeof png_1x1}};
    assert_int_equal(rights_right_register(testdb_act_as(&f->db, &f->p_a), m, design, 2, &r), IPS_OK);
    assert_string_equal(r.rec.patent_number, "ZL2020301234567");
    json_decref(m);
}

/* ---- who sees what ---------------------------------------------------------------- */

static void another_organisations_right_is_not_found(void **state)
{
    struct fixture *f = *state;
    struct rights_right r, got;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_a), "2099-12-31", NULL, &r), IPS_OK);
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, true, "ok", NULL), IPS_OK);
    assert_int_equal(rights_right_get(testdb_act_as(&f->db, &f->p_b), r.rec.id, &got), IPS_ERR_NOT_FOUND);
    assert_int_equal(rights_citable(testdb_act_as(&f->db, &f->p_b), r.rec.id, NULL), IPS_ERR_NOT_FOUND);
    assert_int_equal(rights_citable(testdb_act_as(&f->db, &f->p_seller), r.rec.id, NULL), IPS_ERR_NOT_FOUND);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    assert_int_equal(rights_file_read(testdb_act_as(&f->db, &f->p_b), r.rec.id, r.files[0].blob.sha256, &data,
                                      &len, &info),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(rights_file_read(testdb_act_as(&f->db, &f->p_a), r.rec.id, r.files[0].blob.sha256, &data,
                                      &len, &info),
                     IPS_OK);
    assert_string_equal(info.mime, "application/pdf");
    assert_int_equal(len, sizeof pdf_tiny - 1);
    free(data);
    assert_int_equal(rights_visible(f, &f->p_b, NULL), 0);
    assert_int_equal(rights_visible(f, &f->p_a, NULL), 1);
    struct store_right_filter none = {NULL, NULL, NULL, NULL, NULL};
    int n = 0;
    assert_int_equal(rights_right_list(testdb_act_as(&f->db, &f->p_seller), &none, NULL, 0, count_right, &n),
                     IPS_ERR_FORBIDDEN);
    /* another org cannot file for A either */
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_b), "2099-12-31", f->org_a.id, &r),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_seller), "2099-12-31", NULL, &r),
                     IPS_ERR_FORBIDDEN);
}

/* ---- agents ---------------------------------------------------------------------- */

static ips_status file_auth(struct fixture *f, const struct access_principal *p,
                            const char *agent, const char *from, const char *to,
                            const void *doc, size_t len, struct store_agent_auth *out)
{
    json_t *m = json_pack("{s:s, s:s, s:s}", "agent_org_id", agent, "valid_from", from,
                          "valid_to", to);
    ips_status st = rights_auth_file(testdb_act_as(&f->db, p), m, doc, len, out);
    json_decref(m);
    return st;
}

static ips_status count_auth(const struct store_agent_auth *a, void *arg)
{
    (void)a;
    (*(int *)arg)++;
    return IPS_OK;
}

static void an_agent_acts_only_with_a_verified_current_authorisation(void **state)
{
    struct fixture *f = *state;
    struct rights_right r;
    bool ok = true;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_law), "2099-12-31", f->org_a.id, &r),
                     IPS_ERR_NOT_FOUND);

    struct store_agent_auth auth;
    assert_int_equal(file_auth(f, &f->p_a, f->law.id, "2020-01-01", "2099-12-31", pdf_tiny,
                               sizeof pdf_tiny - 1, &auth),
                     IPS_OK);
    assert_string_equal(auth.status, "pending");
    struct store_agent_auth seen;
    assert_int_equal(rights_auth_get(testdb_act_as(&f->db, &f->p_law), auth.id, &seen), IPS_OK);
    assert_int_equal(rights_auth_get(testdb_act_as(&f->db, &f->p_b), auth.id, &seen), IPS_ERR_NOT_FOUND);
    void *doc = NULL;
    size_t doc_len = 0;
    struct blob_info doc_info;
    assert_int_equal(rights_auth_document_read(testdb_act_as(&f->db, &f->p_rev), auth.id, &doc, &doc_len, &doc_info),
                     IPS_OK);
    assert_string_equal(doc_info.mime, "application/pdf");
    assert_int_equal(doc_len, sizeof pdf_tiny - 1);
    free(doc);
    assert_int_equal(rights_agent_authorised(testdb_act_as(&f->db, &f->p_law), f->org_a.id, &ok), IPS_OK);
    assert_false(ok);
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_law), "2099-12-31", f->org_a.id, &r),
                     IPS_ERR_NOT_FOUND);

    assert_int_equal(rights_auth_decide(testdb_act_as(&f->db, &f->p_a), auth.id, true, "self", NULL),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(rights_auth_decide(testdb_act_as(&f->db, &f->p_rev), auth.id, true, "signed by the CEO",
                                        &auth),
                     IPS_OK);
    assert_int_equal(rights_agent_authorised(testdb_act_as(&f->db, &f->p_law), f->org_a.id, &ok), IPS_OK);
    assert_true(ok);
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_law), "2099-12-31", f->org_a.id, &r), IPS_OK);
    assert_string_equal(r.rec.org_id, f->org_a.id);
    assert_string_equal(r.rec.filed_by_org, f->law.id);
    assert_string_equal(r.rec.filed_by, f->lawyer.id);
    assert_int_equal(rights_visible(f, &f->p_law, NULL), 1);
    assert_int_equal(rights_visible(f, &f->p_a, NULL), 1);
    /* the agent is not authorised for B */
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_law), "2099-12-31", f->org_b.id, &r),
                     IPS_ERR_NOT_FOUND);

    /* the agent may not revoke; the principal may; then the agent is out */
    assert_int_equal(rights_auth_revoke(testdb_act_as(&f->db, &f->p_law), auth.id, NULL, NULL),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(rights_auth_revoke(testdb_act_as(&f->db, &f->p_a), auth.id, "contract ended", &auth), IPS_OK);
    assert_string_equal(auth.status, "revoked");
    assert_int_equal(rights_auth_revoke(testdb_act_as(&f->db, &f->p_a), auth.id, NULL, NULL), IPS_ERR_CONFLICT);
    struct rights_right got;
    assert_int_equal(rights_right_get(testdb_act_as(&f->db, &f->p_law), r.rec.id, &got), IPS_ERR_NOT_FOUND);
    assert_int_equal(rights_visible(f, &f->p_law, NULL), 0);
    assert_int_equal(rights_right_get(testdb_act_as(&f->db, &f->p_a), r.rec.id, &got), IPS_OK);
}

static void an_expired_or_rejected_authorisation_does_not_count(void **state)
{
    struct fixture *f = *state;
    struct store_agent_auth old, rej;
    assert_int_equal(file_auth(f, &f->p_a, f->law.id, "2010-01-01", "2011-01-01", png_1x1,
                               sizeof png_1x1, &old),
                     IPS_OK);
    assert_int_equal(rights_auth_decide(testdb_act_as(&f->db, &f->p_rev), old.id, true, "was signed", NULL), IPS_OK);
    assert_int_equal(file_auth(f, &f->p_b, f->law.id, "2020-01-01", "2099-01-01", pdf_tiny,
                               sizeof pdf_tiny - 1, &rej),
                     IPS_OK);
    assert_int_equal(rights_auth_decide(testdb_act_as(&f->db, &f->p_rev), rej.id, false, "unsigned", NULL), IPS_OK);
    bool ok = true;
    assert_int_equal(rights_agent_authorised(testdb_act_as(&f->db, &f->p_law), f->org_a.id, &ok), IPS_OK);
    assert_false(ok);
    assert_int_equal(rights_agent_authorised(testdb_act_as(&f->db, &f->p_law), f->org_b.id, &ok), IPS_OK);
    assert_false(ok);
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_law), "2099-12-31", f->org_a.id, &r),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_law), "2099-12-31", f->org_b.id, &r),
                     IPS_ERR_NOT_FOUND);
}

static void an_authorisation_needs_a_pdf_or_image_and_a_real_agent(void **state)
{
    struct fixture *f = *state;
    struct store_agent_auth a;
    assert_int_equal(file_auth(f, &f->p_a, f->law.id, "2020-01-01", "2099-12-31", text_file,
                               sizeof text_file - 1, &a),
                     IPS_ERR_MEDIA_TYPE);
    assert_int_equal(file_auth(f, &f->p_a, f->shop.id, "2020-01-01", "2099-12-31", pdf_tiny,
                               sizeof pdf_tiny - 1, &a),
                     IPS_ERR_INVALID);
    assert_true(has_error(f, "agent_org_id"));
    assert_int_equal(file_auth(f, &f->p_a, f->org_a.id, "2020-01-01", "2099-12-31", pdf_tiny,
                               sizeof pdf_tiny - 1, &a),
                     IPS_ERR_INVALID);
    assert_int_equal(file_auth(f, &f->p_a, f->law.id, "2030-01-01", "2020-12-31", pdf_tiny,
                               sizeof pdf_tiny - 1, &a),
                     IPS_ERR_INVALID);
    assert_true(has_error(f, "valid_to"));
    assert_int_equal(file_auth(f, &f->p_seller, f->law.id, "2020-01-01", "2099-12-31", pdf_tiny,
                               sizeof pdf_tiny - 1, &a),
                     IPS_ERR_FORBIDDEN);
    int n = 0;
    assert_int_equal(rights_auth_list(testdb_act_as(&f->db, &f->p_rev), NULL, NULL, 0, count_auth, &n), IPS_OK);
    assert_int_equal(n, 0); /* nothing of the refused filings remains */
}

static void every_change_lands_in_an_intact_audit_chain(void **state)
{
    struct fixture *f = *state;
    struct rights_right r;
    assert_int_equal(register_tm(testdb_act_as(&f->db, &f->p_a), "2099-12-31", NULL, &r), IPS_OK);
    assert_int_equal(rights_right_decide(testdb_act_as(&f->db, &f->p_rev), r.rec.id, true, "ok", NULL), IPS_OK);
    assert_int_equal(rights_right_get(testdb_act_as(&f->db, &f->p_b), r.rec.id, &r), IPS_ERR_NOT_FOUND);
    struct audit_verify_result res;
    assert_int_equal(audit_verify(f->db.s, &res), IPS_OK);
    assert_true(res.events >= 3);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, testdb_teardown)
    const struct CMUnitTest tests[] = {
        T(an_applicant_cannot_register_rights_until_a_reviewer_approves),
        T(a_rejected_applicant_stays_unable_to_register),
        T(applications_are_validated_and_duplicates_refused),
        T(a_trademark_is_pending_then_verified_with_a_reason),
        T(a_rejected_right_keeps_its_reason_and_cannot_be_cited),
        T(an_expired_right_is_not_citable_automatically),
        T(metadata_errors_are_all_listed_and_change_nothing),
        T(a_copyright_needs_no_certificate_and_never_expires),
        T(a_png_is_typed_by_content_and_a_pdf_logo_is_refused),
        T(file_counts_follow_the_kind),
        T(another_organisations_right_is_not_found),
        T(an_agent_acts_only_with_a_verified_current_authorisation),
        T(an_expired_or_rejected_authorisation_does_not_count),
        T(an_authorisation_needs_a_pdf_or_image_and_a_real_agent),
        T(every_change_lands_in_an_intact_audit_chain),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

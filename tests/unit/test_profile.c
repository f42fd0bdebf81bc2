/* test_profile.c — protection profiles: reads and writes by the holder, an
 * authorised agent, platform roles and foreign orgs; validation of terms,
 * prices, sellers and images; the system reads; on a fresh SQLite database
 * per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "audit/audit.h"
#include "core/config.h"
#include "profile/profile.h"
#include "rights/rights.h"
#include "testdb.h"

/* A 1x1 PNG (libmagic: image/png) and the start of a PDF. */
static const unsigned char png1x1[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
    0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org platform, holder, other_holder, agent_org, seller_a, seller_b;
    struct store_user reviewer, admin, auditor, holder_user, other_user, agent_user, seller_user;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    struct testdb *t = &f->db;
    testdb_open(t, "profile");
    testdb_org_add(t, "Platform", "platform", &f->platform);
    testdb_org_add(t, "Nike", "rightholder", &f->holder);
    testdb_org_add(t, "Other Brand", "rightholder", &f->other_holder);
    testdb_org_add(t, "Law Firm", "rightholder", &f->agent_org);
    testdb_org_add(t, "Shop A", "seller", &f->seller_a);
    testdb_org_add(t, "Shop B", "seller", &f->seller_b);
    testdb_user_add(t, "rev@p.test", "reviewer", &f->platform, &f->reviewer, NULL);
    testdb_user_add(t, "adm@p.test", "admin", &f->platform, &f->admin, NULL);
    testdb_user_add(t, "aud@p.test", "auditor", &f->platform, &f->auditor, NULL);
    testdb_user_add(t, "h@nike.test", "rightholder", &f->holder, &f->holder_user, NULL);
    testdb_user_add(t, "o@other.test", "rightholder", &f->other_holder, &f->other_user, NULL);
    testdb_user_add(t, "a@law.test", "rightholder", &f->agent_org, &f->agent_user, NULL);
    testdb_user_add(t, "s@shop.test", "seller", &f->seller_a, &f->seller_user, NULL);
    return 0;
}

static json_t *parse(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    return v;
}

/* Collected profile, as the API renders it (compact JSON text per part). */
struct seen {
    json_t *terms, *images, *prices, *sellers;
};

static ips_status seen_term(const struct store_profile_term *t, void *arg)
{
    json_t *vs = json_array();
    for (int i = 0; i < t->n_variants; i++)
        json_array_append_new(vs, json_string(t->variants[i]));
    json_array_append_new(((struct seen *)arg)->terms,
                          json_pack("{s:s, s:o}", "term", t->term, "variants", vs));
    return IPS_OK;
}

static ips_status seen_image(const struct store_profile_image *im, void *arg)
{
    json_array_append_new(((struct seen *)arg)->images,
                          json_pack("{s:s, s:s, s:s}", "sha256", im->sha256, "kind", im->kind,
                                    "mime", im->mime));
    return IPS_OK;
}

static ips_status seen_price(const struct store_profile_price *p, void *arg)
{
    json_array_append_new(((struct seen *)arg)->prices,
                          json_pack("{s:s, s:s, s:I}", "category", p->category, "currency",
                                    p->currency, "min_minor", (json_int_t)p->min_minor));
    return IPS_OK;
}

static ips_status seen_seller(const struct store_profile_seller *se, void *arg)
{
    json_array_append_new(((struct seen *)arg)->sellers, json_string(se->seller_org_id));
    return IPS_OK;
}

/* Read org's profile as the system; OUT: the parts (caller decrefs). */
static struct seen read_profile(struct fixture *f, const char *org_id)
{
    static const struct profile_visitor v = {seen_term, seen_image, seen_price, seen_seller};
    struct seen s = {json_array(), json_array(), json_array(), json_array()};
    const struct access_principal *was = f->db.ctx.actor;
    f->db.ctx.actor = &f->db.sys;
    assert_int_equal(profile_read(&f->db.ctx, org_id, &v, &s, NULL), IPS_OK);
    f->db.ctx.actor = was;
    return s;
}

static void seen_release(struct seen *s)
{
    json_decref(s->terms);
    json_decref(s->images);
    json_decref(s->prices);
    json_decref(s->sellers);
}

/* Whether errors holds an entry for field. */
static bool has_error(json_t *errors, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return true;
    }
    return false;
}

struct audit_count {
    const char *action, *outcome;
    int n;
};

static ips_status count_audit(const struct store_audit_event *ev, void *arg)
{
    struct audit_count *c = arg;
    if (strcmp(ev->action, c->action) == 0 && strcmp(ev->outcome, c->outcome) == 0)
        c->n++;
    return IPS_OK;
}

static int audited(struct fixture *f, const char *action, const char *outcome)
{
    struct audit_count c = {action, outcome, 0};
    assert_int_equal(store_audit_list(f->db.s, false, 0, 0, count_audit, &c), IPS_OK);
    return c.n;
}

/* ---- terms ------------------------------------------------------------------------ */

static void holder_replaces_terms_with_non_latin_variants_and_reads_them_back(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user);
    testdb_act_as(&f->db, &h);
    json_t *terms = parse("[{\"term\": \"  Nike \", \"variants\": [\"耐克\", \"NIKE\"]},"
                          " {\"term\": \"Air Jordan\"}]");
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_OK);
    json_decref(terms);
    struct seen s = read_profile(f, f->holder.id);
    json_t *want = parse("[{\"term\": \"Nike\", \"variants\": [\"耐克\", \"NIKE\"]},"
                         " {\"term\": \"Air Jordan\", \"variants\": []}]");
    assert_true(json_equal(s.terms, want));
    json_decref(want);
    seen_release(&s);
    assert_int_equal(audited(f, "profile.terms_set", AUDIT_OK), 1);

    /* a second PUT replaces the whole list */
    terms = parse("[{\"term\": \"Swoosh\"}]");
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_OK);
    json_decref(terms);
    s = read_profile(f, f->holder.id);
    assert_int_equal(json_array_size(s.terms), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(s.terms, 0), "term")),
                        "Swoosh");
    seen_release(&s);
}

static void bad_terms_are_refused_with_field_errors_and_change_nothing(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user);
    testdb_act_as(&f->db, &h);
    json_t *good = parse("[{\"term\": \"Nike\"}]");
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, good), IPS_OK);
    json_decref(good);

    /* invalid UTF-8 (a lone continuation byte), built by hand: jansson
     * refuses to make such a string, so use json_stringn_nocheck */
    json_t *bad = json_pack("[{s:o}]", "term", json_stringn_nocheck("Ni\x80ke", 5));
    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, bad), IPS_ERR_INVALID);
    assert_true(has_error(f->db.ctx.errors, "terms[0].term"));
    json_decref(bad);

    const char *cases[][2] = {
        {"[{\"term\": \"Ni\\u0007ke\"}]", "terms[0].term"},          /* control character */
        {"[{\"term\": \"Nike\\u0085\"}]", "terms[0].term"},          /* C1 control */
        {"[{\"term\": \"   \"}]", "terms[0].term"},                   /* empty after trim */
        {"[{\"term\": 42}]", "terms[0].term"},                        /* wrong type */
        {"[{\"term\": \"A\"}, {\"term\": \"A\"}]", "terms[1].term"}, /* repeated */
        {"[{\"term\": \"A\", \"variants\": [\"A\"]}]", "terms[0].variants[0]"},
        {"[{\"term\": \"A\", \"variants\": \"B\"}]", "terms[0].variants"},
        {"[{\"term\": \"A\", \"colour\": \"red\"}]", "terms[0].colour"},
        {"[\"Nike\"]", "terms[0]"},
        {"{\"term\": \"Nike\"}", "terms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        testdb_act_as(&f->db, &h);
        json_t *v = parse(cases[i][0]);
        assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, v), IPS_ERR_INVALID);
        if (!has_error(f->db.ctx.errors, cases[i][1]))
            fail_msg("case %zu: no error for %s", i, cases[i][1]);
        json_decref(v);
    }
    /* too long: 129 bytes */
    char longterm[160];
    memset(longterm, 'x', 129);
    longterm[129] = '\0';
    json_t *v = json_pack("[{s:s}]", "term", longterm);
    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, v), IPS_ERR_INVALID);
    json_decref(v);

    struct seen s = read_profile(f, f->holder.id);
    assert_int_equal(json_array_size(s.terms), 1);
    seen_release(&s);
    assert_int_equal(audited(f, "profile.terms_set", AUDIT_OK), 1);
}

static void text_clean_accepts_utf8_and_refuses_ill_formed_sequences(void **state)
{
    (void)state;
    char out[32];
    assert_null(profile_text_clean(" 耐克 ", strlen(" 耐克 "), 16, out, sizeof out));
    assert_string_equal(out, "耐克");
    assert_null(profile_text_clean("\xF0\x9F\x91\x9F", 4, 16, out, sizeof out)); /* U+1F45F */
    assert_non_null(profile_text_clean("\xC0\xAF", 2, 16, out, sizeof out));     /* overlong */
    assert_non_null(profile_text_clean("\xED\xA0\x80", 3, 16, out, sizeof out)); /* surrogate */
    assert_non_null(profile_text_clean("\xF4\x90\x80\x80", 4, 16, out, sizeof out)); /* > 10FFFF */
    assert_non_null(profile_text_clean("\xE8\x80", 2, 16, out, sizeof out));     /* truncated */
    assert_non_null(profile_text_clean("a\x7f", 2, 16, out, sizeof out));        /* DEL */
    assert_non_null(profile_text_clean("abcdef", 6, 5, out, sizeof out));        /* too long */
    assert_true(profile_currency_valid("EUR"));
    assert_true(profile_currency_valid("CNY"));
    assert_false(profile_currency_valid("eur"));
    assert_false(profile_currency_valid("EURO"));
}

/* ---- prices and sellers ---------------------------------------------------------------- */

static void prices_are_replaced_and_read_by_the_system_function(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user);
    testdb_act_as(&f->db, &h);
    json_t *prices = parse("[{\"category\": \"shoes\", \"currency\": \"EUR\", \"min_minor\": 8000},"
                           " {\"category\": \"鞋\", \"currency\": \"CNY\", \"min_minor\": 45000}]");
    assert_int_equal(profile_prices_set(&f->db.ctx, f->holder.id, prices), IPS_OK);
    json_decref(prices);
    int64_t min = 0;
    assert_int_equal(profile_min_price(f->db.s, f->holder.id, "鞋", "CNY", &min), IPS_OK);
    assert_int_equal(min, 45000);
    assert_int_equal(profile_min_price(f->db.s, f->holder.id, "shoes", "USD", &min),
                     IPS_ERR_NOT_FOUND);

    const char *bad[] = {
        "[{\"category\": \"shoes\", \"currency\": \"XYZ\", \"min_minor\": 1}]",
        "[{\"category\": \"shoes\", \"currency\": \"EUR\", \"min_minor\": 0}]",
        "[{\"category\": \"shoes\", \"currency\": \"EUR\", \"min_minor\": \"80\"}]",
        "[{\"category\": \"shoes\", \"currency\": \"EUR\", \"min_minor\": 1.5}]",
        /* the same category and currency twice */
        "[{\"category\": \"a\", \"currency\": \"EUR\", \"min_minor\": 1}, {\"category\": \"a\", \"currency\": \"EUR\", \"min_minor\": 2}]",
        "[{\"currency\": \"EUR\", \"min_minor\": 1}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        testdb_act_as(&f->db, &h);
        json_t *v = parse(bad[i]);
        if (profile_prices_set(&f->db.ctx, f->holder.id, v) != IPS_ERR_INVALID)
            fail_msg("price case %zu was accepted", i);
        json_decref(v);
    }
    assert_int_equal(profile_min_price(f->db.s, f->holder.id, "shoes", "EUR", &min), IPS_OK);
    assert_int_equal(min, 8000);
}

static void authorised_sellers_must_be_existing_seller_orgs(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user);
    testdb_act_as(&f->db, &h);
    json_t *ids = json_pack("[s]", f->seller_a.id);
    assert_int_equal(profile_sellers_set(&f->db.ctx, f->holder.id, ids), IPS_OK);
    json_decref(ids);
    bool ok = false;
    assert_int_equal(profile_seller_authorised(f->db.s, f->holder.id, f->seller_a.id, &ok), IPS_OK);
    assert_true(ok);
    assert_int_equal(profile_seller_authorised(f->db.s, f->holder.id, f->seller_b.id, &ok), IPS_OK);
    assert_false(ok);

    /* unknown id, a right holder instead of a seller, a repeat, a wrong type */
    json_t *bad = json_pack("[s, s, s, s, i]", "01ARZ3NDEKTSV4RRFFQ69G5FAV", f->other_holder.id,
                            f->seller_b.id, f->seller_b.id, 7);
    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_sellers_set(&f->db.ctx, f->holder.id, bad), IPS_ERR_INVALID);
    json_decref(bad);
    assert_true(has_error(f->db.ctx.errors, "seller_org_ids[0]"));
    assert_true(has_error(f->db.ctx.errors, "seller_org_ids[1]"));
    assert_false(has_error(f->db.ctx.errors, "seller_org_ids[2]"));
    assert_true(has_error(f->db.ctx.errors, "seller_org_ids[3]"));
    assert_true(has_error(f->db.ctx.errors, "seller_org_ids[4]"));
    assert_int_equal(profile_seller_authorised(f->db.s, f->holder.id, f->seller_b.id, &ok), IPS_OK);
    assert_false(ok);
    assert_int_equal(profile_seller_authorised(f->db.s, f->holder.id, f->seller_a.id, &ok), IPS_OK);
    assert_true(ok);
}

/* ---- images ---------------------------------------------------------------------------- */

static void png_is_stored_pdf_is_refused_and_images_are_deleted(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user);
    testdb_act_as(&f->db, &h);
    json_t *meta = parse("{\"kind\": \"logo\", \"label\": \"Swoosh logo\"}");
    struct store_profile_image im;
    assert_int_equal(profile_image_add(&f->db.ctx, f->holder.id, png1x1, sizeof png1x1, meta, &im),
                     IPS_OK);
    assert_string_equal(im.mime, "image/png");
    assert_string_equal(im.kind, "logo");
    assert_int_equal(strlen(im.sha256), 64);

    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_image_add(&f->db.ctx, f->holder.id, png1x1, sizeof png1x1, meta, NULL),
                     IPS_ERR_CONFLICT);
    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_image_add(&f->db.ctx, f->holder.id, pdf, sizeof pdf - 1, meta, NULL),
                     IPS_ERR_MEDIA_TYPE);
    assert_non_null(strstr(f->db.ctx.detail, "application/pdf"));
    json_decref(meta);

    const char *bad_meta[] = {"{\"kind\": \"banner\", \"label\": \"x\"}",
                              "{\"kind\": \"logo\"}", "{\"kind\": \"logo\", \"label\": 3}",
                              "{\"kind\": \"logo\", \"label\": \"x\", \"size\": 1}", "[1]"};
    for (size_t i = 0; i < sizeof bad_meta / sizeof bad_meta[0]; i++) {
        testdb_act_as(&f->db, &h);
        json_t *m = parse(bad_meta[i]);
        if (profile_image_add(&f->db.ctx, f->holder.id, png1x1, sizeof png1x1, m, NULL) !=
            IPS_ERR_INVALID)
            fail_msg("meta case %zu was accepted", i);
        json_decref(m);
    }
    struct seen s = read_profile(f, f->holder.id);
    assert_int_equal(json_array_size(s.images), 1);
    seen_release(&s);

    /* the bytes: for the profile's readers, by sha256 of one of its images */
    void *data = NULL;
    size_t len = 0;
    struct store_profile_image got;
    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_image_read(&f->db.ctx, f->holder.id, im.sha256, &data, &len, &got),
                     IPS_OK);
    assert_int_equal(len, sizeof png1x1);
    assert_memory_equal(data, png1x1, len);
    assert_string_equal(got.mime, "image/png");
    free(data);
    struct access_principal reviewer = testdb_principal_of(&f->reviewer);
    testdb_act_as(&f->db, &reviewer);
    data = NULL;
    assert_int_equal(profile_image_read(&f->db.ctx, f->holder.id, im.sha256, &data, &len, NULL),
                     IPS_OK);
    free(data);
    struct access_principal other = testdb_principal_of(&f->other_user);
    struct access_principal seller = testdb_principal_of(&f->seller_user);
    data = NULL;
    assert_int_equal(profile_image_read(testdb_act_as(&f->db, &other), f->holder.id, im.sha256,
                                        &data, &len, NULL),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(profile_image_read(testdb_act_as(&f->db, &seller), f->holder.id, im.sha256,
                                        &data, &len, NULL),
                     IPS_ERR_NOT_FOUND);
    /* another profile's image, or no such image: not found */
    assert_int_equal(profile_image_read(testdb_act_as(&f->db, &h), f->other_holder.id, im.sha256,
                                        &data, &len, NULL),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(profile_image_read(testdb_act_as(&f->db, &h), f->holder.id,
                                        "0000000000000000000000000000000000000000000000000000000000000000",
                                        &data, &len, NULL),
                     IPS_ERR_NOT_FOUND);
    assert_null(data);

    testdb_act_as(&f->db, &h);
    assert_int_equal(profile_image_delete(&f->db.ctx, f->holder.id, im.sha256), IPS_OK);
    assert_int_equal(profile_image_delete(&f->db.ctx, f->holder.id, im.sha256), IPS_ERR_NOT_FOUND);
    assert_int_equal(profile_image_delete(&f->db.ctx, f->holder.id, "NOT-A-HASH"), IPS_ERR_NOT_FOUND);
    s = read_profile(f, f->holder.id);
    assert_int_equal(json_array_size(s.images), 0);
    seen_release(&s);
    assert_int_equal(audited(f, "profile.image_add", AUDIT_OK), 1);
    assert_int_equal(audited(f, "profile.image_delete", AUDIT_OK), 1);
}

/* ---- access ---------------------------------------------------------------------------- */

static ips_status count_term(const struct store_profile_term *t, void *arg)
{
    (void)t;
    (*(int *)arg)++;
    return IPS_OK;
}

static void foreign_orgs_get_not_found_and_reviewers_read_but_do_not_write(void **state)
{
    struct fixture *f = *state;
    static const struct profile_visitor v = {count_term, NULL, NULL, NULL};
    struct access_principal h = testdb_principal_of(&f->holder_user), o = testdb_principal_of(&f->other_user),
                            r = testdb_principal_of(&f->reviewer), a = testdb_principal_of(&f->admin),
                            au = testdb_principal_of(&f->auditor), se = testdb_principal_of(&f->seller_user);
    testdb_act_as(&f->db, &h);
    json_t *terms = parse("[{\"term\": \"Nike\"}]");
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_OK);
    int n = 0;
    assert_int_equal(profile_read(&f->db.ctx, f->holder.id, &v, &n, NULL), IPS_OK);
    assert_int_equal(n, 1);

    const struct access_principal *outsiders[] = {&o, &au, &se};
    for (size_t i = 0; i < 3; i++) {
        testdb_act_as(&f->db, outsiders[i]);
        n = 0;
        assert_int_equal(profile_read(&f->db.ctx, f->holder.id, &v, &n, NULL), IPS_ERR_NOT_FOUND);
        assert_int_equal(n, 0);
        assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_ERR_NOT_FOUND);
    }
    testdb_act_as(&f->db, &r);
    assert_int_equal(profile_read(&f->db.ctx, f->holder.id, &v, &n, NULL), IPS_OK);
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_ERR_FORBIDDEN);
    testdb_act_as(&f->db, &a);
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_OK);
    /* a seller org or a missing org has no profile, even for the platform */
    assert_int_equal(profile_read(&f->db.ctx, f->seller_a.id, &v, &n, NULL), IPS_ERR_NOT_FOUND);
    assert_int_equal(profile_read(&f->db.ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV", &v, &n, NULL),
                     IPS_ERR_NOT_FOUND);
    json_decref(terms);
    assert_true(audited(f, "profile.write", AUDIT_DENIED) >= 4);
    assert_true(audited(f, "profile.read", AUDIT_DENIED) >= 3);
}

static void an_authorised_agent_manages_its_principals_profile(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user), ag = testdb_principal_of(&f->agent_user);
    json_t *terms = parse("[{\"term\": \"Nike\"}]");
    testdb_act_as(&f->db, &ag);
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_ERR_NOT_FOUND);

    /* the holder authorises the law firm; the platform verifies it */
    testdb_act_as(&f->db, &h);
    json_t *meta = json_pack("{s:s, s:s, s:s}", "agent_org_id", f->agent_org.id, "valid_from",
                             "2000-01-01", "valid_to", "2999-12-31");
    struct store_agent_auth auth;
    assert_int_equal(rights_auth_file(&f->db.ctx, meta, pdf, sizeof pdf - 1, &auth), IPS_OK);
    json_decref(meta);
    testdb_act_as(&f->db, &f->db.sys);
    assert_int_equal(rights_auth_decide(&f->db.ctx, auth.id, true, "signed", &auth), IPS_OK);

    testdb_act_as(&f->db, &ag);
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, terms), IPS_OK);
    struct seen s = read_profile(f, f->holder.id);
    assert_int_equal(json_array_size(s.terms), 1);
    seen_release(&s);
    /* ... but not another holder's profile */
    assert_int_equal(profile_terms_set(&f->db.ctx, f->other_holder.id, terms), IPS_ERR_NOT_FOUND);
    json_decref(terms);
}

static void terms_foreach_walks_every_profile_in_order(void **state)
{
    struct fixture *f = *state;
    struct access_principal h = testdb_principal_of(&f->holder_user), o = testdb_principal_of(&f->other_user);
    testdb_act_as(&f->db, &h);
    json_t *t1 = parse("[{\"term\": \"Nike\", \"variants\": [\"耐克\"]}, {\"term\": \"Jordan\"}]");
    assert_int_equal(profile_terms_set(&f->db.ctx, f->holder.id, t1), IPS_OK);
    testdb_act_as(&f->db, &o);
    json_t *t2 = parse("[{\"term\": \"Adidas\", \"variants\": [\"阿迪达斯\", \"adidas\"]}]");
    assert_int_equal(profile_terms_set(&f->db.ctx, f->other_holder.id, t2), IPS_OK);
    int n = 0;
    assert_int_equal(profile_terms_foreach(f->db.s, count_term, &n), IPS_OK);
    assert_int_equal(n, 3);
    json_decref(t1);
    json_decref(t2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            holder_replaces_terms_with_non_latin_variants_and_reads_them_back, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(bad_terms_are_refused_with_field_errors_and_change_nothing,
                                        setup, testdb_teardown),
        cmocka_unit_test(text_clean_accepts_utf8_and_refuses_ill_formed_sequences),
        cmocka_unit_test_setup_teardown(prices_are_replaced_and_read_by_the_system_function,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(authorised_sellers_must_be_existing_seller_orgs, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(png_is_stored_pdf_is_refused_and_images_are_deleted,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(
            foreign_orgs_get_not_found_and_reviewers_read_but_do_not_write, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(an_authorised_agent_manages_its_principals_profile,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(terms_foreach_walks_every_profile_in_order, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_notices.c — the item state table, the statement of reasons (DSA
 * Transparency Database names and values), refusals of incomplete notices
 * and of roles that may not notify (nothing stored), and the deadline job
 * on an empty database. The full loop runs end to end in
 * tests/e2e/notices.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/config.h"
#include "jobs/jobs.h"
#include "notices/notices.h"
#include "store/store_catalog.h"
#include "store/store_rights.h"
#include "testdb.h"

static void item_state_table_allows_only_its_edges(void **state)
{
    (void)state;
    assert_true(notices_item_transition_allowed("pending", "taken_down"));
    assert_true(notices_item_transition_allowed("taken_down", "counter_noticed"));
    assert_true(notices_item_transition_allowed("counter_noticed", "reinstated"));
    assert_true(notices_item_transition_allowed("taken_down", "upheld"));
    assert_false(notices_item_transition_allowed("pending", "reinstated"));
    assert_false(notices_item_transition_allowed("rejected", "taken_down"));
    assert_false(notices_item_transition_allowed("upheld", "counter_noticed"));
    assert_false(notices_item_transition_allowed(NULL, "upheld"));
}

static void statement_of_reasons_uses_transparency_database_values(void **state)
{
    (void)state;
    struct store_notice *n = calloc(1, sizeof *n);
    struct store_notice_item *it = calloc(1, sizeof *it);
    snprintf(n->id, sizeof n->id, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    snprintf(n->kind, sizeof n->kind, "design");
    snprintf(n->explanation, sizeof n->explanation, "copies the registered design");
    n->fast_track = true;
    snprintf(it->listing_id, sizeof it->listing_id, "L-1");
    snprintf(it->decided_by, sizeof it->decided_by, "fast-track");
    snprintf(it->state, sizeof it->state, "taken_down");
    it->taken_down_ms = 1700000000000;
    json_t *s = notices_statement_of(n, it, 1600000000000);
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "category")),
                        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(s, "category_specification"), 0)),
        "KEYWORD_DESIGN_INFRINGEMENT");
    assert_string_equal(json_string_value(json_array_get(json_object_get(s, "content_type"), 0)),
                        "CONTENT_TYPE_PRODUCT");
    assert_string_equal(json_string_value(json_object_get(s, "source_type")),
                        "SOURCE_TRUSTED_FLAGGER");
    assert_string_equal(json_string_value(json_object_get(s, "automated_decision")),
                        "AUTOMATED_DECISION_FULLY");
    assert_string_equal(json_string_value(json_object_get(s, "decision_ground")),
                        "DECISION_GROUND_ILLEGAL_CONTENT");
    assert_string_equal(json_string_value(json_object_get(s, "content_date")), "2020-09-13");
    assert_string_equal(json_string_value(json_object_get(s, "application_date")), "2023-11-14");
    assert_string_equal(json_string_value(json_object_get(s, "puid")),
                        "01ARZ3NDEKTSV4RRFFQ69G5FAV:L-1");
    assert_true(json_array_size(json_object_get(s, "territorial_scope")) == 30);
    json_decref(s);
    /* a reviewed notice is an Article 16 notice decided by a person */
    n->fast_track = false;
    snprintf(it->decided_by, sizeof it->decided_by, "01ARZ3NDEKTSV4RRFFQ69G5FAW");
    s = notices_statement_of(n, it, 0);
    assert_string_equal(json_string_value(json_object_get(s, "source_type")), "SOURCE_ARTICLE_16");
    assert_string_equal(json_string_value(json_object_get(s, "automated_decision")),
                        "AUTOMATED_DECISION_NOT_AUTOMATED");
    json_decref(s);
    free(it);
    free(n);
}

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct access_principal holder, seller;
    struct store_org brand, shop;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "notices");
    testdb_org_add(&f->db, "Brand", "rightholder", &f->brand);
    testdb_org_add(&f->db, "Shop", "seller", &f->shop);
    testdb_user_add(&f->db, "b@brand.test", "rightholder", &f->brand, NULL, &f->holder);
    testdb_user_add(&f->db, "s@shop.test", "seller", &f->shop, NULL, &f->seller);
    return 0;
}

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

static ips_status count_notice(const struct store_notice *n, void *arg)
{
    (void)n;
    (*(int *)arg)++;
    return IPS_OK;
}

static void incomplete_notice_lists_every_missing_element_and_stores_nothing(void **state)
{
    struct fixture *f = *state;
    struct notices_submit_result *r = calloc(1, sizeof *r);
    json_t *meta = json_pack("{s:b}", "good_faith", 0);
    struct notices_submit_req req = {meta, NULL, 0, NULL, 0};
    f->db.ctx.actor = &f->holder;
    assert_int_equal(notices_submit(&f->db.ctx, &req, r), IPS_ERR_INVALID);
    const char *need[] = {"right_id",       "kind",      "explanation", "notifier_name",
                          "notifier_email", "signature", "good_faith",  "accuracy",
                          "listings",       "evidence"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        assert_true(has_error(f->db.ctx.errors, need[i]));
    int n = 0;
    f->db.ctx.actor = &f->db.sys;
    assert_int_equal(notices_list(&f->db.ctx, NULL, NULL, NULL, 10, count_notice, &n), IPS_OK);
    assert_int_equal(n, 0);
    json_decref(meta);
    free(r);
}

static void a_seller_may_not_notify(void **state)
{
    struct fixture *f = *state;
    struct notices_submit_result *r = calloc(1, sizeof *r);
    json_t *meta = json_object();
    struct notices_submit_req req = {meta, NULL, 0, NULL, 0};
    f->db.ctx.actor = &f->seller;
    assert_int_equal(notices_submit(&f->db.ctx, &req, r), IPS_ERR_FORBIDDEN);
    json_decref(meta);
    free(r);
}

static void a_csv_of_more_than_ten_thousand_listings_is_refused(void **state)
{
    struct fixture *f = *state;
    struct notices_submit_result *r = calloc(1, sizeof *r);
    size_t cap = 10002 * 12;
    char *csv = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < 10002; i++)
        len += (size_t)snprintf(csv + len, cap - len, "L%05d\n", i);
    json_t *meta = json_object();
    struct notices_submit_req req = {meta, csv, len, NULL, 0};
    f->db.ctx.actor = &f->holder;
    assert_int_equal(notices_submit(&f->db.ctx, &req, r), IPS_ERR_INVALID);
    assert_true(has_error(f->db.ctx.errors, "listings"));
    json_decref(meta);
    free(csv);
    free(r);
}

static void the_deadline_job_runs_on_an_empty_database(void **state)
{
    struct fixture *f = *state;
    f->db.ctx.actor = &f->db.sys;
    jobs_register_defaults();
    assert_int_equal(jobs_run_once(&f->db.ctx, 1), IPS_OK);
    assert_int_equal(notices_tick(&f->db.ctx, 4102444800000), IPS_OK);
}

/* ---- the store, through its interface (both backends) ------------------------------ */

/* A notice of the fixture's right holder with the given text and state. */
static void store_notice_add(struct fixture *f, const char *right_id, const char *id,
                             const char *kind, const char *explanation, const char *on_behalf_of,
                             const char *state, const char *outcome, int64_t deadline, int64_t risk)
{
    struct store_notice *n = calloc(1, sizeof *n);
    assert_non_null(n);
    snprintf(n->id, sizeof n->id, "%s", id);
    snprintf(n->notifier_org_id, sizeof n->notifier_org_id, "%s", f->brand.id);
    snprintf(n->submitted_by, sizeof n->submitted_by, "%s", f->holder.user_id);
    snprintf(n->right_id, sizeof n->right_id, "%s", right_id);
    snprintf(n->right_org_id, sizeof n->right_org_id, "%s", f->brand.id);
    snprintf(n->kind, sizeof n->kind, "%s", kind);
    snprintf(n->explanation, sizeof n->explanation, "%s", explanation);
    snprintf(n->notifier_name, sizeof n->notifier_name, "Ada Quillfeather");
    snprintf(n->notifier_email, sizeof n->notifier_email, "ada@brand.test");
    snprintf(n->on_behalf_of, sizeof n->on_behalf_of, "%s", on_behalf_of);
    snprintf(n->signature, sizeof n->signature, "Ada Quillfeather");
    n->good_faith = n->accuracy = true;
    snprintf(n->evidence, sizeof n->evidence, "[]");
    snprintf(n->state, sizeof n->state, "%s", state);
    snprintf(n->outcome, sizeof n->outcome, "%s", outcome);
    n->review_deadline_ms = deadline;
    n->risk = risk;
    n->items_total = 1;
    n->created_ms = n->updated_ms = 1000;
    n->decided_ms = outcome[0] ? 5000 : 0;
    assert_int_equal(store_notices_notice_insert(f->db.s, n), IPS_OK);
    assert_int_equal(store_notices_search_put(f->db.s, id), IPS_OK); /* searchable, no items */
    free(n);
}

/* The keys of the rows a listing emits, space-separated, in order. */
struct ids {
    char text[256];
};

static ips_status ids_add(void *arg, const char *key)
{
    struct ids *ids = arg;
    size_t len = strlen(ids->text);
    snprintf(ids->text + len, sizeof ids->text - len, "%s%s", len ? " " : "", key);
    return IPS_OK;
}

static ips_status collect_id(const struct store_notice *n, void *arg)
{
    return ids_add(arg, n->id);
}

/* The ids of the notices store_notices_notice_list emits. */
static const char *list_ids(struct store *s, const struct store_notice_filter *flt,
                            const char *after, int limit, struct ids *ids)
{
    ids->text[0] = '\0';
    assert_int_equal(store_notices_notice_list(s, flt, after, limit, collect_id, ids), IPS_OK);
    return ids->text;
}

/* The ids of the notices whose text matches the search words q (built as
 * the domain builds it), with an optional state filter and cursor. */
static const char *search_ids(struct fixture *f, const char *q, const char *state,
                              const char *after, int limit, struct ids *ids)
{
    char fts[CATALOG_FTS_MAX];
    assert_int_equal(catalog_fts_query(q, fts, sizeof fts), IPS_OK);
    struct store_notice_filter flt = {NULL, NULL, state, fts};
    return list_ids(f->db.s, &flt, after, limit, ids);
}

static ips_status collect_msg(const struct store_inbox_msg *m, void *arg)
{
    return ids_add(arg, m->id);
}

static ips_status collect_notifier(const struct store_notifier *n, void *arg)
{
    return ids_add(arg, n->org_id);
}

/* A verified trademark R1 of the fixture's right holder. */
static void store_right_add(struct fixture *f)
{
    struct store_right *r = calloc(1, sizeof *r);
    assert_non_null(r);
    snprintf(r->id, sizeof r->id, "R1");
    snprintf(r->org_id, sizeof r->org_id, "%s", f->brand.id);
    snprintf(r->filed_by, sizeof r->filed_by, "%s", f->holder.user_id);
    snprintf(r->filed_by_org, sizeof r->filed_by_org, "%s", f->brand.id);
    snprintf(r->kind, sizeof r->kind, "trademark");
    snprintf(r->status, sizeof r->status, "verified");
    snprintf(r->mark_text, sizeof r->mark_text, "NIMBARO");
    assert_int_equal(store_rights_right_insert(f->db.s, r), IPS_OK);
    free(r);
}

static void the_store_searches_lists_and_counts_notices(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->db.s;
    store_right_add(f);
    store_notice_add(f, "R1", "N1", "counterfeit", "Stitching and hardware differ.", "",
                     "under_review", "", 300, 5);
    /* "HERM\u00c8S \u00dcMLAUT": letters beyond ASCII, upper case, diacritics */
    store_notice_add(f, "R1", "N2", "design", "The shape of HERM\xc3\x88S \xc3\x9cMLAUT.",
                     "Wexmoor Holdings", "under_review", "", 300, 9);
    store_notice_add(f, "R1", "N3", "trademark_misuse", "O'Brien sells a back\\slash \"mark\".", "",
                     "decided", "rejected", 0, 1);
    store_notice_add(f, "R1", "N4", "counterfeit", "Fake stitching again.", "", "decided", "upheld",
                     0, 1);

    /* search: each field the index holds, prefixes, phrases, all words */
    struct ids ids;
    assert_string_equal(search_ids(f, "stitching", NULL, NULL, 10, &ids), "N1 N4");
    assert_string_equal(search_ids(f, "STITCH*", NULL, NULL, 10, &ids), "N1 N4");
    assert_string_equal(search_ids(f, "misuse", NULL, NULL, 10, &ids), "N3");
    assert_string_equal(search_ids(f, "wexmoor", NULL, NULL, 10, &ids), "N2");
    assert_string_equal(search_ids(f, "quillfeather", NULL, NULL, 10, &ids), "N1 N2 N3 N4");
    assert_string_equal(search_ids(f, "Brand", NULL, NULL, 10, &ids), "N1 N2 N3 N4");
    assert_string_equal(search_ids(f, "stitching wexmoor", NULL, NULL, 10, &ids), "");
    assert_string_equal(search_ids(f, "hardware stitching", NULL, NULL, 10, &ids), "N1");
    assert_string_equal(search_ids(f, "(stitching)", NULL, NULL, 10, &ids), "N1 N4");
    assert_string_equal(search_ids(f, "NEAR(stitching", NULL, NULL, 10, &ids), "");
    assert_string_equal(search_ids(f, "O'Brien", NULL, NULL, 10, &ids), "N3");
    assert_string_equal(search_ids(f, "back\\slash", NULL, NULL, 10, &ids), "N3");
    assert_string_equal(search_ids(f, "\"mark\"", NULL, NULL, 10, &ids), "N3");
    assert_string_equal(search_ids(f, "stitching OR shape", NULL, NULL, 10, &ids), "");
    /* case and diacritics are folded, as unicode61 "remove_diacritics 2" does */
    assert_string_equal(search_ids(f, "hermes", NULL, NULL, 10, &ids), "N2");
    assert_string_equal(search_ids(f, "herm\xc3\xa8s", NULL, NULL, 10, &ids), "N2");
    assert_string_equal(search_ids(f, "\xc3\xbcmlaut", NULL, NULL, 10, &ids), "N2");
    assert_string_equal(search_ids(f, "umla*", NULL, NULL, 10, &ids), "N2");
    assert_string_equal(search_ids(f, "nothingmatchesthis", NULL, NULL, 10, &ids), "");
    const char *odd[] = {"\"", "*", "**", "a*b", "'", "\\", ":*", "&", "!x", "x:y", "<->"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        (void)search_ids(f, odd[i], NULL, NULL, 10, &ids); /* IPS_OK, whatever matches */
    /* combined with the state filter, and paged by the cursor */
    assert_string_equal(search_ids(f, "stitching", "decided", NULL, 10, &ids), "N4");
    assert_string_equal(search_ids(f, "quillfeather", NULL, NULL, 2, &ids), "N1 N2");
    assert_string_equal(search_ids(f, "quillfeather", NULL, "N2", 2, &ids), "N3 N4");

    /* plain listings: every notice, a notifier's, by state, paged */
    struct store_notice_filter by_org = {f->brand.id, NULL, NULL, NULL};
    struct store_notice_filter by_state = {NULL, NULL, "under_review", NULL};
    struct store_notice_filter other = {f->shop.id, NULL, NULL, NULL};
    assert_string_equal(list_ids(s, NULL, "N1", 2, &ids), "N2 N3");
    assert_string_equal(list_ids(s, &by_org, NULL, 10, &ids), "N1 N2 N3 N4");
    assert_string_equal(list_ids(s, &by_state, NULL, 10, &ids), "N1 N2");
    assert_string_equal(list_ids(s, &other, NULL, 10, &ids), "");

    /* the review queue: deadline, then risk (highest first), then id */
    ids.text[0] = '\0';
    assert_int_equal(store_notices_queue_list(s, 0, 0, NULL, 10, collect_id, &ids), IPS_OK);
    assert_string_equal(ids.text, "N2 N1");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_queue_list(s, 300, 9, "N2", 10, collect_id, &ids), IPS_OK);
    assert_string_equal(ids.text, "N1");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_sla_due(s, 299, 10, collect_id, &ids), IPS_OK);
    assert_string_equal(ids.text, "");
    assert_int_equal(store_notices_sla_due(s, 300, 10, collect_id, &ids), IPS_OK);
    assert_true(strcmp(ids.text, "N1 N2") == 0 || strcmp(ids.text, "N2 N1") == 0);

    /* an update is read back; the text searched stays the filed one */
    struct store_notice *n = calloc(1, sizeof *n);
    assert_non_null(n);
    assert_int_equal(store_notices_notice_get(s, "N1", n), IPS_OK);
    assert_string_equal(n->explanation, "Stitching and hardware differ.");
    assert_true(n->good_faith && n->accuracy && !n->fast_track);
    snprintf(n->state, sizeof n->state, "decided");
    snprintf(n->outcome, sizeof n->outcome, "partially");
    n->review_deadline_ms = 0;
    n->decided_ms = 6000;
    assert_int_equal(store_notices_notice_update(s, n), IPS_OK);
    memset(n, 0, sizeof *n);
    assert_int_equal(store_notices_notice_get(s, "N1", n), IPS_OK);
    assert_string_equal(n->outcome, "partially");
    assert_int_equal(n->decided_ms, 6000);
    snprintf(n->id, sizeof n->id, "N9");
    assert_int_equal(store_notices_notice_update(s, n), IPS_ERR_NOT_FOUND);
    assert_int_equal(store_notices_notice_get(s, "N9", n), IPS_ERR_NOT_FOUND);
    free(n);
    assert_string_equal(search_ids(f, "hardware", "decided", NULL, 10, &ids), "N1");

    /* the notifier's record: decided notices since a moment, by outcome */
    struct store_notice_counts c;
    assert_int_equal(store_notices_counts(s, f->brand.id, 0, &c), IPS_OK);
    assert_int_equal(c.decided, 3);
    assert_int_equal(c.upheld, 1);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.partially, 1);
    assert_int_equal(c.takedowns, 0);
    assert_int_equal(store_notices_counts(s, f->brand.id, 5500, &c), IPS_OK);
    assert_int_equal(c.decided, 1);
    assert_int_equal(c.partially, 1);

    /* the notifier status is replaced whole; suspensions come due */
    struct store_notifier st = {.fast_track = true, .admitted_ms = 10, .updated_ms = 10};
    snprintf(st.org_id, sizeof st.org_id, "%s", f->brand.id);
    assert_int_equal(store_notices_notifier_put(s, &st), IPS_OK);
    st.fast_track = false;
    st.suspension_open = true;
    st.suspended_until_ms = 700;
    assert_int_equal(store_notices_notifier_put(s, &st), IPS_OK);
    struct store_notifier got;
    assert_int_equal(store_notices_notifier_get(s, f->brand.id, &got), IPS_OK);
    assert_false(got.fast_track);
    assert_true(got.suspension_open);
    assert_int_equal(got.admitted_ms, 10);
    assert_int_equal(store_notices_notifier_get(s, f->shop.id, &got), IPS_ERR_NOT_FOUND);
    ids.text[0] = '\0';
    assert_int_equal(store_notices_notifier_suspension_due(s, 699, 10, collect_notifier, &ids),
                     IPS_OK);
    assert_string_equal(ids.text, "");
    assert_int_equal(store_notices_notifier_suspension_due(s, 700, 10, collect_notifier, &ids),
                     IPS_OK);
    assert_string_equal(ids.text, f->brand.id);

    /* the inbox, newest first, before a cursor */
    struct store_inbox_msg *m = calloc(1, sizeof *m);
    assert_non_null(m);
    const char *msgs[] = {"M1", "M2", "M3"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(m->id, sizeof m->id, "%s", msgs[i]);
        snprintf(m->org_id, sizeof m->org_id, "%s", f->brand.id);
        snprintf(m->kind, sizeof m->kind, "notice.decided");
        snprintf(m->notice_id, sizeof m->notice_id, "N1");
        snprintf(m->subject, sizeof m->subject, "decided");
        snprintf(m->body, sizeof m->body, "{}");
        m->created_ms = 1;
        assert_int_equal(store_notices_inbox_insert(s, m), IPS_OK);
    }
    free(m);
    ids.text[0] = '\0';
    assert_int_equal(store_notices_inbox_list(s, f->brand.id, NULL, 10, collect_msg, &ids), IPS_OK);
    assert_string_equal(ids.text, "M3 M2 M1");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_inbox_list(s, f->brand.id, "", 10, collect_msg, &ids), IPS_OK);
    assert_string_equal(ids.text, "M3 M2 M1");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_inbox_list(s, f->brand.id, "M3", 1, collect_msg, &ids), IPS_OK);
    assert_string_equal(ids.text, "M2");
}

struct listing_new {
    const struct store_listing *l;
    const struct store_listing_version *v;
};

static ips_status listing_insert_tx(struct store *s, void *arg)
{
    const struct listing_new *n = arg;
    return store_catalog_listing_insert(s, n->l, n->v);
}

/* A listing of the fixture's seller with the given title. */
static void store_listing_add(struct fixture *f, const char *id, const char *title)
{
    struct store_listing l = {.current_version = 1, .created_ms = 1, .updated_ms = 1};
    struct store_listing_version *v = calloc(1, sizeof *v);
    assert_non_null(v);
    snprintf(l.id, sizeof l.id, "%s", id);
    snprintf(l.seller_org_id, sizeof l.seller_org_id, "%s", f->shop.id);
    snprintf(l.state, sizeof l.state, "live");
    snprintf(v->listing_id, sizeof v->listing_id, "%s", id);
    v->version = 1;
    snprintf(v->title, sizeof v->title, "%s", title);
    snprintf(v->currency, sizeof v->currency, "EUR");
    snprintf(v->category, sizeof v->category, "bags");
    snprintf(v->images, sizeof v->images, "[]");
    snprintf(v->ship_from, sizeof v->ship_from, "CN");
    v->created_ms = 1;
    assert_int_equal(store_tx_run(f->db.s, listing_insert_tx, &(struct listing_new){&l, v}),
                     IPS_OK);
    free(v);
}

/* An item of notice N1 on listing_id, of the fixture's seller. */
static void store_item_set(struct store_notice_item *it, struct fixture *f, const char *listing_id,
                           const char *state)
{
    memset(it, 0, sizeof *it);
    snprintf(it->notice_id, sizeof it->notice_id, "N1");
    snprintf(it->listing_id, sizeof it->listing_id, "%s", listing_id);
    snprintf(it->seller_org_id, sizeof it->seller_org_id, "%s", f->shop.id);
    snprintf(it->notifier_org_id, sizeof it->notifier_org_id, "%s", f->brand.id);
    snprintf(it->state, sizeof it->state, "%s", state);
    snprintf(it->counter_evidence, sizeof it->counter_evidence, "[]");
    it->content_version = 1;
}

static ips_status collect_item(const struct store_notice_item *it, void *arg)
{
    return ids_add(arg, it->listing_id);
}

/* A strike as "id:revoked_ms". */
static ips_status collect_strike(const struct store_strike *st, void *arg)
{
    char key[ID_SIZE + 24];
    snprintf(key, sizeof key, "%s:%lld", st->id, (long long)st->revoked_ms);
    return ids_add(arg, key);
}

static void the_store_keeps_items_and_strikes_of_a_notice(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->db.s;
    struct ids ids;
    store_right_add(f);
    store_listing_add(f, "L-1", "Zorblax handbag");
    store_listing_add(f, "L-2", "Quintessa wristwatch");
    store_notice_add(f, "R1", "N1", "counterfeit", "Copies.", "", "under_review", "", 300, 1);
    struct store_notice_item *it = calloc(1, sizeof *it);
    assert_non_null(it);
    store_item_set(it, f, "L-1", "pending");
    assert_int_equal(store_notices_item_insert(s, it), IPS_OK);
    assert_int_equal(store_notices_item_insert(s, it), IPS_ERR_CONFLICT);
    store_item_set(it, f, "L-2", "pending");
    assert_int_equal(store_notices_item_insert(s, it), IPS_OK);
    /* the items reach the search text when the notice is put again (0031:
     * once per notice, not once per item) */
    assert_string_equal(search_ids(f, "zorblax", NULL, NULL, 10, &ids), "");
    assert_int_equal(store_notices_search_put(s, "N1"), IPS_OK);
    assert_int_equal(store_notices_search_put(s, "N-unknown"), IPS_ERR_NOT_FOUND);

    /* the notice is found by its listings' ids and titles, and by seller */
    assert_string_equal(search_ids(f, "zorblax", NULL, NULL, 10, &ids), "N1");
    assert_string_equal(search_ids(f, "quintessa wrist*", NULL, NULL, 10, &ids), "N1");
    assert_string_equal(search_ids(f, "L-2", NULL, NULL, 10, &ids), "N1");
    struct store_notice_filter by_seller = {NULL, f->shop.id, NULL, NULL};
    struct store_notice_filter by_other = {NULL, f->brand.id, NULL, NULL};
    assert_string_equal(list_ids(s, &by_seller, NULL, 10, &ids), "N1");
    assert_string_equal(list_ids(s, &by_other, NULL, 10, &ids), "");

    /* items: listed by listing id, per seller, after a cursor */
    ids.text[0] = '\0';
    assert_int_equal(store_notices_item_list(s, "N1", NULL, NULL, 10, collect_item, &ids), IPS_OK);
    assert_string_equal(ids.text, "L-1 L-2");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_item_list(s, "N1", f->shop.id, "L-1", 10, collect_item, &ids),
                     IPS_OK);
    assert_string_equal(ids.text, "L-2");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_item_list(s, "N1", f->brand.id, NULL, 10, collect_item, &ids),
                     IPS_OK);
    assert_string_equal(ids.text, "");

    /* an open notice per listing and notifier, until its item is decided */
    char notice_id[ID_SIZE];
    assert_int_equal(store_notices_open_for_listing(s, f->brand.id, "L-1", notice_id), IPS_OK);
    assert_string_equal(notice_id, "N1");
    assert_int_equal(store_notices_open_for_listing(s, f->shop.id, "L-1", notice_id),
                     IPS_ERR_NOT_FOUND);

    /* take L-1 down: the counter-notice deadline comes due */
    store_item_set(it, f, "L-1", "taken_down");
    it->taken_down_ms = 100;
    it->counter_deadline_ms = 200;
    assert_int_equal(store_notices_item_update(s, it), IPS_OK);
    ids.text[0] = '\0';
    assert_int_equal(store_notices_item_due(s, 199, 10, collect_item, &ids), IPS_OK);
    assert_string_equal(ids.text, "");
    assert_int_equal(store_notices_item_due(s, 200, 10, collect_item, &ids), IPS_OK);
    assert_string_equal(ids.text, "L-1");
    /* L-2 taken down and reinstated: one takedown reversed of two */
    store_item_set(it, f, "L-2", "reinstated");
    it->taken_down_ms = 150;
    snprintf(it->decision_reason, sizeof it->decision_reason, "counter-notice accepted");
    assert_int_equal(store_notices_item_update(s, it), IPS_OK);
    memset(it, 0, sizeof *it);
    assert_int_equal(store_notices_item_get(s, "N1", "L-2", it), IPS_OK);
    assert_string_equal(it->state, "reinstated");
    assert_string_equal(it->decision_reason, "counter-notice accepted");
    assert_int_equal(it->taken_down_ms, 150);
    assert_int_equal(store_notices_item_get(s, "N1", "L-3", it), IPS_ERR_NOT_FOUND);
    store_item_set(it, f, "L-3", "upheld");
    assert_int_equal(store_notices_item_update(s, it), IPS_ERR_NOT_FOUND);
    struct store_notice_counts c;
    assert_int_equal(store_notices_counts(s, f->brand.id, 0, &c), IPS_OK);
    assert_int_equal(c.takedowns, 2);
    assert_int_equal(c.reversed, 1);
    assert_int_equal(store_notices_counts(s, f->brand.id, 120, &c), IPS_OK);
    assert_int_equal(c.takedowns, 1);
    assert_int_equal(c.reversed, 1);
    free(it);

    /* strikes: listed per seller, revoked once */
    struct store_strike st = {.created_ms = 100, .expires_ms = 1000};
    snprintf(st.id, sizeof st.id, "S1");
    snprintf(st.seller_org_id, sizeof st.seller_org_id, "%s", f->shop.id);
    snprintf(st.notice_id, sizeof st.notice_id, "N1");
    snprintf(st.listing_id, sizeof st.listing_id, "L-1");
    snprintf(st.reason, sizeof st.reason, "counterfeit");
    assert_int_equal(store_notices_strike_insert(s, &st), IPS_OK);
    assert_int_equal(store_notices_strike_revoke(s, "N1", "L-1", 500), IPS_OK);
    assert_int_equal(store_notices_strike_revoke(s, "N1", "L-1", 600), IPS_OK);
    ids.text[0] = '\0';
    assert_int_equal(store_notices_strike_list(s, f->shop.id, NULL, 10, collect_strike, &ids),
                     IPS_OK);
    assert_string_equal(ids.text, "S1:500");
    ids.text[0] = '\0';
    assert_int_equal(store_notices_strike_list(s, NULL, "S1", 10, collect_strike, &ids), IPS_OK);
    assert_string_equal(ids.text, "");
}

/* ---- the notifier's record from the kept per-day counters (migration 0024) ----------- */

#define DAY_MS INT64_C(86400000)
#define T0 (INT64_C(20000) * DAY_MS) /* the first ms of a UTC day */

/* One number of org's record since since_ms, counted from the base rows as
 * the store counted it before the counters (what = the condition). */
static int64_t record_from_rows(struct fixture *f, const char *table, const char *org,
                                const char *what, const char *ms_col, int64_t since_ms)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM %s WHERE notifier_org_id = '%s' AND %s AND %s >= %lld", table,
             org, what, ms_col, (long long)since_ms);
    return testdb_query_int64(&f->db, sql);
}

/* store_notices_counts of org equals the count over the base rows, from
 * before, on and after each day boundary and row time of the test. */
static void record_matches_rows(struct fixture *f, const char *org)
{
    const int64_t since[] = {-5,
                             0,
                             5000,
                             5001,
                             T0 - 2 * DAY_MS,
                             T0 - 2 * DAY_MS + 10,
                             T0 - 2 * DAY_MS + 11,
                             T0 - DAY_MS,
                             T0 - DAY_MS + 1,
                             T0 - DAY_MS + 2,
                             T0 - 1,
                             T0,
                             T0 + 1,
                             T0 + 100,
                             T0 + 101,
                             T0 + 3600000,
                             T0 + 3600001,
                             T0 + DAY_MS - 1,
                             T0 + DAY_MS,
                             T0 + DAY_MS + 5,
                             T0 + DAY_MS + 6,
                             T0 + 2 * DAY_MS,
                             T0 + 2 * DAY_MS + 7,
                             T0 + 2 * DAY_MS + 8,
                             T0 + 3 * DAY_MS,
                             T0 + 3 * DAY_MS + 1,
                             T0 + 10 * DAY_MS};
    for (size_t k = 0; k < sizeof since / sizeof since[0]; k++) {
        struct store_notice_counts c;
        int64_t t = since[k];
        assert_int_equal(store_notices_counts(f->db.s, org, t, &c), IPS_OK);
        assert_int_equal(c.decided,
                         record_from_rows(f, "notices", org, "state = 'decided'", "decided_ms", t));
        assert_int_equal(c.upheld, record_from_rows(f, "notices", org,
                                                    "state = 'decided' AND outcome = 'upheld'",
                                                    "decided_ms", t));
        assert_int_equal(c.rejected, record_from_rows(f, "notices", org,
                                                      "state = 'decided' AND outcome = 'rejected'",
                                                      "decided_ms", t));
        assert_int_equal(c.partially,
                         record_from_rows(f, "notices", org,
                                          "state = 'decided' AND outcome = 'partially'",
                                          "decided_ms", t));
        assert_int_equal(c.takedowns, record_from_rows(f, "notice_items", org, "taken_down_ms > 0",
                                                       "taken_down_ms", t));
        assert_int_equal(c.reversed, record_from_rows(f, "notice_items", org,
                                                      "taken_down_ms > 0 AND state = 'reinstated'",
                                                      "taken_down_ms", t));
    }
}

/* Notice id decided (or back under review when outcome is "") at ms. */
static void notice_decide(struct fixture *f, const char *id, const char *outcome, int64_t ms)
{
    struct store_notice *n = calloc(1, sizeof *n);
    assert_non_null(n);
    assert_int_equal(store_notices_notice_get(f->db.s, id, n), IPS_OK);
    snprintf(n->state, sizeof n->state, "%s", outcome[0] ? "decided" : "under_review");
    snprintf(n->outcome, sizeof n->outcome, "%s", outcome);
    n->decided_ms = ms;
    n->updated_ms = ms;
    assert_int_equal(store_notices_notice_update(f->db.s, n), IPS_OK);
    free(n);
}

/* Item (notice_id, listing_id) of the fixture's seller in state, taken down
 * at taken_down_ms (0: never), inserted or updated. */
static void item_put(struct fixture *f, bool insert, const char *notice_id, const char *listing_id,
                     const char *state, int64_t taken_down_ms)
{
    struct store_notice_item it;
    store_item_set(&it, f, listing_id, state);
    snprintf(it.notice_id, sizeof it.notice_id, "%s", notice_id);
    it.taken_down_ms = taken_down_ms;
    assert_int_equal(insert ? store_notices_item_insert(f->db.s, &it)
                            : store_notices_item_update(f->db.s, &it),
                     IPS_OK);
}

static int64_t counter_rows(struct fixture *f)
{
    return testdb_query_int64(&f->db, "SELECT count(*) FROM notifier_days");
}

static void the_notifier_record_is_kept_per_day_by_triggers(void **state)
{
    struct fixture *f = *state;
    char sql[256];
    store_right_add(f);
    store_listing_add(f, "L-1", "Zorblax handbag");
    store_listing_add(f, "L-2", "Quintessa wristwatch");
    store_listing_add(f, "L-3", "Morvane scarf");
    /* N0 is inserted decided (decided_ms 5000, day 0); the others are filed */
    store_notice_add(f, "R1", "N0", "counterfeit", "Copies.", "", "decided", "upheld", 0, 1);
    const char *filed[] = {"N1", "N2", "N3", "N4", "N5", "N6", "N7"};
    for (size_t i = 0; i < sizeof filed / sizeof filed[0]; i++)
        store_notice_add(f, "R1", filed[i], "counterfeit", "Copies.", "", "under_review", "", 300,
                         1);
    /* items not taken down: nothing counts, no counter is written */
    item_put(f, true, "N1", "L-2", "pending", 0);
    item_put(f, true, "N2", "L-1", "pending", 0);
    assert_int_equal(counter_rows(f), 1);
    record_matches_rows(f, f->brand.id);

    /* decisions over several days, the window start's day T0 among them */
    notice_decide(f, "N1", "upheld", T0 - 2 * DAY_MS + 10);
    notice_decide(f, "N2", "rejected", T0);
    notice_decide(f, "N3", "partially", T0 + 3600000);
    notice_decide(f, "N4", "upheld", T0 + DAY_MS + 5);
    notice_decide(f, "N5", "rejected", T0 + 2 * DAY_MS + 7);
    notice_decide(f, "N6", "upheld", T0 + DAY_MS - 1);
    notice_decide(f, "N7", "partially", T0 + 2 * DAY_MS);
    /* takedowns: inserted taken down, and a pending item taken down */
    item_put(f, true, "N1", "L-1", "taken_down", T0 - DAY_MS + 1);
    item_put(f, true, "N1", "L-3", "taken_down", T0 + DAY_MS);
    item_put(f, false, "N1", "L-2", "taken_down", T0 + 100);
    item_put(f, false, "N2", "L-1", "taken_down", T0 + 2 * DAY_MS);
    record_matches_rows(f, f->brand.id);
    assert_true(counter_rows(f) > 1);

    /* outcomes change: the same day, another day, back under review (an
     * appeal reopens it), and a deleted notice */
    notice_decide(f, "N5", "upheld", T0 + 2 * DAY_MS + 8);
    record_matches_rows(f, f->brand.id);
    notice_decide(f, "N5", "upheld", T0 + 3 * DAY_MS);
    notice_decide(f, "N6", "", 0);
    assert_int_equal(testdb_exec_sql(&f->db, "DELETE FROM notices WHERE id = 'N7'"), IPS_OK);
    record_matches_rows(f, f->brand.id);
    /* a notice moved to another notifier leaves one record for the other */
    snprintf(sql, sizeof sql, "UPDATE notices SET notifier_org_id = '%s' WHERE id = 'N4'",
             f->shop.id);
    assert_int_equal(testdb_exec_sql(&f->db, sql), IPS_OK);
    record_matches_rows(f, f->brand.id);
    record_matches_rows(f, f->shop.id);

    /* items: reinstated (reversed), reinstated then upheld again, moved to
     * another day, no longer taken down, and deleted */
    item_put(f, false, "N1", "L-2", "reinstated", T0 + 100);
    item_put(f, false, "N1", "L-3", "reinstated", T0 + DAY_MS);
    record_matches_rows(f, f->brand.id);
    item_put(f, false, "N1", "L-3", "upheld", T0 + DAY_MS);
    item_put(f, false, "N2", "L-1", "taken_down", T0 + DAY_MS - 1);
    item_put(f, false, "N1", "L-1", "pending", 0);
    record_matches_rows(f, f->brand.id);
    assert_int_equal(
        testdb_exec_sql(&f->db, "DELETE FROM notice_items WHERE notice_id = 'N1' AND listing_id = "
                                "'L-2'"),
        IPS_OK);
    record_matches_rows(f, f->brand.id);
    snprintf(sql, sizeof sql,
             "UPDATE notice_items SET notifier_org_id = '%s' WHERE notice_id = 'N2'", f->shop.id);
    assert_int_equal(testdb_exec_sql(&f->db, sql), IPS_OK);
    record_matches_rows(f, f->brand.id);
    record_matches_rows(f, f->shop.id);

    /* what is left: the counters hold exactly the rows' contributions */
    struct store_notice_counts c;
    assert_int_equal(store_notices_counts(f->db.s, f->brand.id, 0, &c), IPS_OK);
    assert_int_equal(c.decided, 5); /* N0 N1 N2 N3 N5 */
    assert_int_equal(c.upheld, 3);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.partially, 1);
    assert_int_equal(c.takedowns, 1); /* L-3 of N1 */
    assert_int_equal(c.reversed, 0);
    assert_int_equal(testdb_query_int64(&f->db, "SELECT coalesce(sum(decided), 0) + "
                                                "coalesce(sum(takedowns), 0) FROM notifier_days"),
                     5 + 1 + 1 + 1); /* brand's, N4 and N2's L-1 of the shop */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(item_state_table_allows_only_its_edges),
        cmocka_unit_test(statement_of_reasons_uses_transparency_database_values),
        cmocka_unit_test_setup_teardown(
            incomplete_notice_lists_every_missing_element_and_stores_nothing, setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(a_seller_may_not_notify, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_csv_of_more_than_ten_thousand_listings_is_refused, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_deadline_job_runs_on_an_empty_database, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_store_searches_lists_and_counts_notices, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_store_keeps_items_and_strikes_of_a_notice, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_notifier_record_is_kept_per_day_by_triggers, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

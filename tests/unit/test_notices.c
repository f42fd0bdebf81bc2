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

#include "core/config.h"
#include "jobs/jobs.h"
#include "notices/notices.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(item_state_table_allows_only_its_edges),
        cmocka_unit_test(statement_of_reasons_uses_transparency_database_values),
        cmocka_unit_test_setup_teardown(
            incomplete_notice_lists_every_missing_element_and_stores_nothing, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_seller_may_not_notify, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_csv_of_more_than_ten_thousand_listings_is_refused, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_deadline_job_runs_on_an_empty_database, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

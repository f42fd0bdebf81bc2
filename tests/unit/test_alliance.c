/* test_alliance.c — the anti-counterfeiting alliance: every membership
 * transition, who may share and read reports, report validation, and the
 * watch list counts; on a fresh SQLite database per test. */
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
#include "alliance/alliance.h"
#include "audit/audit.h"
#include "core/config.h"
#include "testdb.h"

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org platform, brand_a, brand_b, shop_x, shop_y;
    struct access_principal reviewer, admin, auditor, a, b, seller;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "alliance");
    testdb_org_add(&f->db, "Platform", "platform", &f->platform);
    testdb_org_add(&f->db, "Brand A", "rightholder", &f->brand_a);
    testdb_org_add(&f->db, "Brand B", "rightholder", &f->brand_b);
    testdb_org_add(&f->db, "Shop X", "seller", &f->shop_x);
    testdb_org_add(&f->db, "Shop Y", "seller", &f->shop_y);
    testdb_user_add(&f->db, "rev@p.test", "reviewer", &f->platform, NULL, &f->reviewer);
    testdb_user_add(&f->db, "adm@p.test", "admin", &f->platform, NULL, &f->admin);
    testdb_user_add(&f->db, "aud@p.test", "auditor", &f->platform, NULL, &f->auditor);
    testdb_user_add(&f->db, "a@brand-a.test", "rightholder", &f->brand_a, NULL, &f->a);
    testdb_user_add(&f->db, "b@brand-b.test", "rightholder", &f->brand_b, NULL, &f->b);
    testdb_user_add(&f->db, "x@shop-x.test", "seller", &f->shop_x, NULL, &f->seller);
    return 0;
}

static ips_status count_report(const struct store_alliance_report *r, void *arg)
{
    (void)r;
    (*(int *)arg)++;
    return IPS_OK;
}

static int reports_seen(struct fixture *f, const struct access_principal *p, const char *seller,
                        ips_status want)
{
    int n = 0;
    assert_int_equal(alliance_report_list(testdb_act_as(&f->db, p), seller, NULL, 0,
                                          count_report, &n),
                     want);
    return n;
}

static ips_status share(struct fixture *f, const struct access_principal *p, const char *body)
{
    json_t *req = json_loads(body, 0, NULL);
    assert_non_null(req);
    ips_status st = alliance_report_share(testdb_act_as(&f->db, p), req, NULL);
    json_decref(req);
    return st;
}

/* A report body about seller with reason. */
static void report_body(char *out, size_t cap, const char *seller, const char *extra)
{
    snprintf(out, cap, "{\"seller_org_id\": \"%s\", \"reason\": \"fake sneakers\"%s}", seller,
             extra);
}

struct audit_count {
    const char *action;
    int n;
};

static ips_status count_audit(const struct store_audit_event *ev, void *arg)
{
    struct audit_count *c = arg;
    if (strcmp(ev->action, c->action) == 0 && strcmp(ev->outcome, AUDIT_OK) == 0)
        c->n++;
    return IPS_OK;
}

static int audited_ok(struct fixture *f, const char *action)
{
    struct audit_count c = {action, 0};
    assert_int_equal(store_audit_list(f->db.s, false, 0, 0, count_audit, &c), IPS_OK);
    return c.n;
}

/* ---- memberships ------------------------------------------------------------------------ */

static void a_right_holder_joins_leaves_and_joins_again(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_string_equal(m.status, "active");
    assert_string_equal(m.org_name, "Brand A");
    assert_true(m.joined_ms > 0);
    int64_t first_join = m.joined_ms;
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);
    assert_non_null(strstr(f->db.ctx.detail, "active"));

    assert_int_equal(alliance_member_leave(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_string_equal(m.status, "left");
    assert_int_equal(alliance_member_leave(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);
    usleep(2000); /* a later join date, not a timing assertion */
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_string_equal(m.status, "active");
    assert_true(m.joined_ms > first_join);
    assert_int_equal(audited_ok(f, "alliance.join"), 2);
    assert_int_equal(audited_ok(f, "alliance.leave"), 1);
}

static void the_own_membership_answers_also_before_joining(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    bool joined = true;
    assert_int_equal(alliance_member_mine(testdb_act_as(&f->db, &f->a), &m, &joined), IPS_OK);
    assert_false(joined);
    assert_string_equal(m.org_id, f->brand_a.id);
    assert_string_equal(m.org_name, "Brand A");
    assert_string_equal(m.status, "none");
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, NULL), IPS_OK);
    assert_int_equal(alliance_member_mine(testdb_act_as(&f->db, &f->a), &m, &joined), IPS_OK);
    assert_true(joined);
    assert_string_equal(m.status, "active");
    /* brand B sees its own (none), not A's; a seller too */
    assert_int_equal(alliance_member_mine(testdb_act_as(&f->db, &f->b), &m, &joined), IPS_OK);
    assert_false(joined);
    assert_string_equal(m.org_id, f->brand_b.id);
    assert_int_equal(alliance_member_mine(testdb_act_as(&f->db, &f->seller), &m, &joined), IPS_OK);
    assert_false(joined);
    assert_string_equal(m.org_id, f->shop_x.id);
}

static void only_right_holders_join_and_only_for_their_own_org(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->seller), f->shop_x.id, &m),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->b), f->brand_a.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), "not-an-id", &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_leave(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_get(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_ERR_NOT_FOUND);
    /* an admin may enrol a right holder */
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->admin), f->brand_b.id, &m), IPS_OK);
    assert_int_equal(alliance_member_leave(testdb_act_as(&f->db, &f->a), f->brand_b.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_get(testdb_act_as(&f->db, &f->a), f->brand_b.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_get(testdb_act_as(&f->db, &f->b), f->brand_b.id, &m), IPS_OK);
    assert_int_equal(alliance_member_get(testdb_act_as(&f->db, &f->auditor), f->brand_b.id, &m), IPS_OK);
    assert_int_equal(audited_ok(f, "alliance.join"), 1);
}

static void reviewers_suspend_and_reinstate_with_a_reason(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->a), f->brand_a.id, "x", &m),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->auditor), f->brand_a.id, "x", &m),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "  ", &m),
                     IPS_ERR_INVALID);
    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "a\x01", &m),
                     IPS_ERR_INVALID);
    assert_int_equal(alliance_member_reinstate(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "ok", &m),
                     IPS_ERR_CONFLICT);
    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->reviewer), f->brand_b.id, "x", &m),
                     IPS_ERR_NOT_FOUND);

    assert_int_equal(
        alliance_member_suspend(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "misuse of reports", &m),
        IPS_OK);
    assert_string_equal(m.status, "suspended");
    assert_string_equal(m.status_reason, "misuse of reports");
    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "again", &m),
                     IPS_ERR_CONFLICT);
    /* a suspended member can neither leave nor re-join on its own */
    assert_int_equal(alliance_member_leave(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);

    assert_int_equal(alliance_member_reinstate(testdb_act_as(&f->db, &f->admin), f->brand_a.id, "resolved", &m),
                     IPS_OK);
    assert_string_equal(m.status, "active");
    assert_string_equal(m.status_reason, "resolved");
    assert_int_equal(audited_ok(f, "alliance.suspend"), 1);
    assert_int_equal(audited_ok(f, "alliance.reinstate"), 1);
}

/* ---- reports ------------------------------------------------------------------------------ */

static void active_members_share_and_everyone_else_is_refused(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    char body[512];
    report_body(body, sizeof body, f->shop_x.id,
                ", \"evidence_urls\": [\"https://shop.example/item/1\"],"
                " \"listing_ids\": [\"L-1\", \"ext:991\"]");
    assert_int_equal(share(f, &f->a, body), IPS_ERR_FORBIDDEN); /* not a member */
    assert_int_equal(share(f, &f->seller, body), IPS_ERR_FORBIDDEN);
    assert_int_equal(share(f, &f->reviewer, body), IPS_ERR_FORBIDDEN);
    assert_int_equal(share(f, &f->db.sys, body), IPS_ERR_FORBIDDEN);

    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(share(f, &f->a, body), IPS_OK);
    assert_int_equal(audited_ok(f, "alliance.report"), 1);

    assert_int_equal(alliance_member_suspend(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "x", &m),
                     IPS_OK);
    assert_int_equal(share(f, &f->a, body), IPS_ERR_FORBIDDEN);
    assert_int_equal(reports_seen(f, &f->a, NULL, IPS_ERR_FORBIDDEN), 0);
    assert_int_equal(reports_seen(f, &f->reviewer, NULL, IPS_OK), 1);

    assert_int_equal(alliance_member_reinstate(testdb_act_as(&f->db, &f->reviewer), f->brand_a.id, "y", &m),
                     IPS_OK);
    assert_int_equal(alliance_member_leave(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(share(f, &f->a, body), IPS_ERR_FORBIDDEN);
    assert_int_equal(reports_seen(f, &f->a, NULL, IPS_ERR_FORBIDDEN), 0);
    /* what it shared stays on record */
    assert_int_equal(reports_seen(f, &f->auditor, NULL, IPS_OK), 1);
    assert_int_equal(audited_ok(f, "alliance.report"), 1);
}

static void bad_reports_are_refused_and_change_nothing(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    char body[600];
    const char *extras[] = {
        ", \"evidence_urls\": [\"ftp://x.example/a\"]",
        ", \"evidence_urls\": [\"https://\"]",
        ", \"evidence_urls\": [\"https://x.example/a b\"]",
        ", \"evidence_urls\": \"https://x.example\"",
        ", \"evidence_urls\": [1]",
        ", \"listing_ids\": [\"has space\"]",
        ", \"listing_ids\": [\"\"]",
        ", \"colour\": \"red\"",
    };
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
        report_body(body, sizeof body, f->shop_x.id, extras[i]);
        if (share(f, &f->a, body) != IPS_ERR_INVALID)
            fail_msg("report case %zu was accepted", i);
    }
    report_body(body, sizeof body, f->brand_b.id, ""); /* not a seller */
    assert_int_equal(share(f, &f->a, body), IPS_ERR_INVALID);
    report_body(body, sizeof body, "01ARZ3NDEKTSV4RRFFQ69G5FAV", ""); /* unknown */
    assert_int_equal(share(f, &f->a, body), IPS_ERR_INVALID);
    assert_int_equal(share(f, &f->a, "{\"seller_org_id\": 5, \"reason\": []}"), IPS_ERR_INVALID);
    assert_int_equal(share(f, &f->a, "[]"), IPS_ERR_INVALID);
    snprintf(body, sizeof body, "{\"seller_org_id\": \"%s\", \"reason\": \"a\\u0001b\"}",
             f->shop_x.id);
    assert_int_equal(share(f, &f->a, body), IPS_ERR_INVALID);
    assert_int_equal(reports_seen(f, &f->reviewer, NULL, IPS_OK), 0);
    assert_int_equal(audited_ok(f, "alliance.report"), 0);
}

struct watch {
    int n;
    int64_t reports_x, members_x;
};

static ips_status watch_cb(const struct store_alliance_seller *se, void *arg)
{
    struct watch *w = arg;
    w->n++;
    if (strcmp(se->seller_name, "Shop X") == 0) {
        w->reports_x = se->reports;
        w->members_x = se->members;
    }
    return IPS_OK;
}

static ips_status member_reports_cb(const struct store_alliance_member *m, void *arg)
{
    if (strcmp(m->org_name, "Brand A") == 0)
        *(int64_t *)arg = m->reports;
    return IPS_OK;
}

static void the_watch_list_counts_reports_and_distinct_members(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(alliance_member_join(testdb_act_as(&f->db, &f->b), f->brand_b.id, &m), IPS_OK);
    char bx[300], by[300];
    report_body(bx, sizeof bx, f->shop_x.id, "");
    report_body(by, sizeof by, f->shop_y.id, "");
    assert_int_equal(share(f, &f->a, bx), IPS_OK);
    assert_int_equal(share(f, &f->a, bx), IPS_OK);
    assert_int_equal(share(f, &f->b, bx), IPS_OK);
    assert_int_equal(share(f, &f->b, by), IPS_OK);

    struct watch w = {0};
    assert_int_equal(alliance_seller_list(testdb_act_as(&f->db, &f->b), NULL, 0, watch_cb, &w), IPS_OK);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.reports_x, 3);
    assert_int_equal(w.members_x, 2);
    assert_int_equal(alliance_seller_list(testdb_act_as(&f->db, &f->seller), NULL, 0, watch_cb, &w),
                     IPS_ERR_FORBIDDEN);

    assert_int_equal(reports_seen(f, &f->b, f->shop_x.id, IPS_OK), 3);
    assert_int_equal(reports_seen(f, &f->b, f->shop_y.id, IPS_OK), 1);
    assert_int_equal(reports_seen(f, &f->seller, NULL, IPS_ERR_FORBIDDEN), 0);
    /* pages of one: four reports, id cursor */
    int n = 0;
    assert_int_equal(alliance_report_list(testdb_act_as(&f->db, &f->a), NULL, NULL, 2,
                                          count_report, &n),
                     IPS_OK);
    assert_int_equal(n, 2);

    int64_t a_reports = -1;
    assert_int_equal(alliance_member_list(testdb_act_as(&f->db, &f->admin), NULL, 0, member_reports_cb, &a_reports),
                     IPS_OK);
    assert_int_equal(a_reports, 2);
    assert_int_equal(alliance_member_list(testdb_act_as(&f->db, &f->seller), NULL, 0, member_reports_cb, &a_reports),
                     IPS_ERR_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_right_holder_joins_leaves_and_joins_again, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(only_right_holders_join_and_only_for_their_own_org, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(reviewers_suspend_and_reinstate_with_a_reason, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_own_membership_answers_also_before_joining, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(active_members_share_and_everyone_else_is_refused, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(bad_reports_are_refused_and_change_nothing, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(the_watch_list_counts_reports_and_distinct_members, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

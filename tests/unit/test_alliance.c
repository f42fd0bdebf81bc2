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

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct config cfg;
    struct access_principal sys;
    struct ips_ctx ctx;
    struct store_org platform, brand_a, brand_b, shop_x, shop_y;
    struct access_principal reviewer, admin, auditor, a, b, seller;
};

static void principal_for(struct fixture *f, const char *email, const char *role,
                          const struct store_org *org, struct access_principal *p)
{
    struct store_user u;
    assert_int_equal(access_user_create(&f->ctx, email, "correct horse battery", role, org->id, &u),
                     IPS_OK);
    memset(p, 0, sizeof *p);
    p->via = VIA_TOKEN;
    access_role_parse(role, &p->role);
    memcpy(p->user_id, u.id, sizeof p->user_id);
    memcpy(p->org_id, u.org_id, sizeof p->org_id);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ips-alliance-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    char err[256];
    assert_int_equal(config_load(&f->cfg, err, sizeof err), IPS_OK);
    assert_int_equal(store_open(f->path, &f->s), IPS_OK);
    assert_int_equal(store_migrate(f->s, NULL), IPS_OK);
    access_principal_system(&f->sys);
    f->ctx = (struct ips_ctx){.store = f->s, .actor = &f->sys, .cfg = &f->cfg, .addr = "cli",
                              .errors = json_array()};
    assert_int_equal(access_org_create(&f->ctx, "Platform", "platform", &f->platform), IPS_OK);
    assert_int_equal(access_org_create(&f->ctx, "Brand A", "rightholder", &f->brand_a), IPS_OK);
    assert_int_equal(access_org_create(&f->ctx, "Brand B", "rightholder", &f->brand_b), IPS_OK);
    assert_int_equal(access_org_create(&f->ctx, "Shop X", "seller", &f->shop_x), IPS_OK);
    assert_int_equal(access_org_create(&f->ctx, "Shop Y", "seller", &f->shop_y), IPS_OK);
    principal_for(f, "rev@p.test", "reviewer", &f->platform, &f->reviewer);
    principal_for(f, "adm@p.test", "admin", &f->platform, &f->admin);
    principal_for(f, "aud@p.test", "auditor", &f->platform, &f->auditor);
    principal_for(f, "a@brand-a.test", "rightholder", &f->brand_a, &f->a);
    principal_for(f, "b@brand-b.test", "rightholder", &f->brand_b, &f->b);
    principal_for(f, "x@shop-x.test", "seller", &f->shop_x, &f->seller);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    char p[160];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    json_decref(f->ctx.errors);
    config_release(&f->cfg);
    free(f);
    return 0;
}

/* Act as p with fresh errors and detail. */
static struct ips_ctx *as(struct fixture *f, const struct access_principal *p)
{
    json_decref(f->ctx.errors);
    f->ctx.errors = json_array();
    f->ctx.detail[0] = '\0';
    f->ctx.actor = p;
    return &f->ctx;
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
    assert_int_equal(alliance_report_list(as(f, p), seller, NULL, 0,
                                          count_report, &n),
                     want);
    return n;
}

static ips_status share(struct fixture *f, const struct access_principal *p, const char *body)
{
    json_t *req = json_loads(body, 0, NULL);
    assert_non_null(req);
    ips_status st = alliance_report_share(as(f, p), req, NULL);
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
    assert_int_equal(store_audit_list(f->s, false, 0, 0, count_audit, &c), IPS_OK);
    return c.n;
}

/* ---- memberships ------------------------------------------------------------------------ */

static void a_right_holder_joins_leaves_and_joins_again(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_string_equal(m.status, "active");
    assert_string_equal(m.org_name, "Brand A");
    assert_true(m.joined_ms > 0);
    int64_t first_join = m.joined_ms;
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);
    assert_non_null(strstr(f->ctx.detail, "active"));

    assert_int_equal(alliance_member_leave(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_string_equal(m.status, "left");
    assert_int_equal(alliance_member_leave(as(f, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);
    usleep(2000); /* a later join date, not a timing assertion */
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_string_equal(m.status, "active");
    assert_true(m.joined_ms > first_join);
    assert_int_equal(audited_ok(f, "alliance.join"), 2);
    assert_int_equal(audited_ok(f, "alliance.leave"), 1);
}

static void only_right_holders_join_and_only_for_their_own_org(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(as(f, &f->seller), f->shop_x.id, &m),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(alliance_member_join(as(f, &f->b), f->brand_a.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_join(as(f, &f->a), "not-an-id", &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_leave(as(f, &f->a), f->brand_a.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_get(as(f, &f->a), f->brand_a.id, &m), IPS_ERR_NOT_FOUND);
    /* an admin may enrol a right holder */
    assert_int_equal(alliance_member_join(as(f, &f->admin), f->brand_b.id, &m), IPS_OK);
    assert_int_equal(alliance_member_leave(as(f, &f->a), f->brand_b.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_get(as(f, &f->a), f->brand_b.id, &m), IPS_ERR_NOT_FOUND);
    assert_int_equal(alliance_member_get(as(f, &f->b), f->brand_b.id, &m), IPS_OK);
    assert_int_equal(alliance_member_get(as(f, &f->auditor), f->brand_b.id, &m), IPS_OK);
    assert_int_equal(audited_ok(f, "alliance.join"), 1);
}

static void reviewers_suspend_and_reinstate_with_a_reason(void **state)
{
    struct fixture *f = *state;
    struct store_alliance_member m;
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(alliance_member_suspend(as(f, &f->a), f->brand_a.id, "x", &m),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(alliance_member_suspend(as(f, &f->auditor), f->brand_a.id, "x", &m),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(alliance_member_suspend(as(f, &f->reviewer), f->brand_a.id, "  ", &m),
                     IPS_ERR_INVALID);
    assert_int_equal(alliance_member_suspend(as(f, &f->reviewer), f->brand_a.id, "a\x01", &m),
                     IPS_ERR_INVALID);
    assert_int_equal(alliance_member_reinstate(as(f, &f->reviewer), f->brand_a.id, "ok", &m),
                     IPS_ERR_CONFLICT);
    assert_int_equal(alliance_member_suspend(as(f, &f->reviewer), f->brand_b.id, "x", &m),
                     IPS_ERR_NOT_FOUND);

    assert_int_equal(
        alliance_member_suspend(as(f, &f->reviewer), f->brand_a.id, "misuse of reports", &m),
        IPS_OK);
    assert_string_equal(m.status, "suspended");
    assert_string_equal(m.status_reason, "misuse of reports");
    assert_int_equal(alliance_member_suspend(as(f, &f->reviewer), f->brand_a.id, "again", &m),
                     IPS_ERR_CONFLICT);
    /* a suspended member can neither leave nor re-join on its own */
    assert_int_equal(alliance_member_leave(as(f, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_ERR_CONFLICT);

    assert_int_equal(alliance_member_reinstate(as(f, &f->admin), f->brand_a.id, "resolved", &m),
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
    assert_int_equal(share(f, &f->sys, body), IPS_ERR_FORBIDDEN);

    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(share(f, &f->a, body), IPS_OK);
    assert_int_equal(audited_ok(f, "alliance.report"), 1);

    assert_int_equal(alliance_member_suspend(as(f, &f->reviewer), f->brand_a.id, "x", &m),
                     IPS_OK);
    assert_int_equal(share(f, &f->a, body), IPS_ERR_FORBIDDEN);
    assert_int_equal(reports_seen(f, &f->a, NULL, IPS_ERR_FORBIDDEN), 0);
    assert_int_equal(reports_seen(f, &f->reviewer, NULL, IPS_OK), 1);

    assert_int_equal(alliance_member_reinstate(as(f, &f->reviewer), f->brand_a.id, "y", &m),
                     IPS_OK);
    assert_int_equal(alliance_member_leave(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
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
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
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
    assert_int_equal(alliance_member_join(as(f, &f->a), f->brand_a.id, &m), IPS_OK);
    assert_int_equal(alliance_member_join(as(f, &f->b), f->brand_b.id, &m), IPS_OK);
    char bx[300], by[300];
    report_body(bx, sizeof bx, f->shop_x.id, "");
    report_body(by, sizeof by, f->shop_y.id, "");
    assert_int_equal(share(f, &f->a, bx), IPS_OK);
    assert_int_equal(share(f, &f->a, bx), IPS_OK);
    assert_int_equal(share(f, &f->b, bx), IPS_OK);
    assert_int_equal(share(f, &f->b, by), IPS_OK);

    struct watch w = {0};
    assert_int_equal(alliance_seller_list(as(f, &f->b), NULL, 0, watch_cb, &w), IPS_OK);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.reports_x, 3);
    assert_int_equal(w.members_x, 2);
    assert_int_equal(alliance_seller_list(as(f, &f->seller), NULL, 0, watch_cb, &w),
                     IPS_ERR_FORBIDDEN);

    assert_int_equal(reports_seen(f, &f->b, f->shop_x.id, IPS_OK), 3);
    assert_int_equal(reports_seen(f, &f->b, f->shop_y.id, IPS_OK), 1);
    assert_int_equal(reports_seen(f, &f->seller, NULL, IPS_ERR_FORBIDDEN), 0);
    /* pages of one: four reports, id cursor */
    int n = 0;
    assert_int_equal(alliance_report_list(as(f, &f->a), NULL, NULL, 2,
                                          count_report, &n),
                     IPS_OK);
    assert_int_equal(n, 2);

    int64_t a_reports = -1;
    assert_int_equal(alliance_member_list(as(f, &f->admin), NULL, 0, member_reports_cb, &a_reports),
                     IPS_OK);
    assert_int_equal(a_reports, 2);
    assert_int_equal(alliance_member_list(as(f, &f->seller), NULL, 0, member_reports_cb, &a_reports),
                     IPS_ERR_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_right_holder_joins_leaves_and_joins_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(only_right_holders_join_and_only_for_their_own_org, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reviewers_suspend_and_reinstate_with_a_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(active_members_share_and_everyone_else_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_reports_are_refused_and_change_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_watch_list_counts_reports_and_distinct_members, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * h_alliance.c — /api/v1/alliance: memberships of the anti-counterfeiting
 * alliance, the reports members share, and the watch list of reported
 * sellers (src/alliance/alliance.h). Handlers parse, call one alliance_*
 * function and render; access and validation are the domain's.
 */
#include "http/http_internal.h"

#include <stdlib.h>
#include <string.h>

#include "alliance/alliance.h"
#include "core/json.h"

/* ---- views ------------------------------------------------------------------------- */

static json_t *h__view_member(const struct store_alliance_member *m)
{
    json_t *v = json_pack("{s:s, s:s, s:s}", "org_id", m->org_id, "name", m->org_name,
                          "status", m->status);
    if (!v)
        return NULL;
    json_object_set_new(v, "joined_at", http_view_time(m->joined_ms));
    json_object_set_new(v, "status_changed_at", http_view_time(m->status_ms));
    json_object_set_new(v, "status_reason",
                        m->status_reason[0] ? json_string(m->status_reason) : json_null());
    json_object_set_new(v, "reports", json_integer((json_int_t)m->reports));
    return v;
}

/* The stored JSON array text, or [] if it does not parse (never expected). */
static json_t *h__json_array(const char *text)
{
    json_t *a = json_loads(text, 0, NULL);
    if (!json_is_array(a)) {
        json_decref(a);
        a = json_array();
    }
    return a;
}

/* The reporting user's id stays out of the view: other members see which
 * organisation shared a report, the audit log keeps who. */
static json_t *h__view_report(const struct store_alliance_report *r)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", r->id, "member_org_id",
                          r->member_org_id, "member_name", r->member_name, "seller_org_id",
                          r->seller_org_id, "seller_name", r->seller_name, "reason", r->reason);
    if (!v)
        return NULL;
    json_object_set_new(v, "evidence_urls", h__json_array(r->evidence_urls));
    json_object_set_new(v, "listing_ids", h__json_array(r->listing_ids));
    json_object_set_new(v, "created_at", http_view_time(r->created_ms));
    return v;
}

static json_t *h__view_seller(const struct store_alliance_seller *se)
{
    json_t *v = json_pack("{s:s, s:s, s:I, s:I}", "seller_org_id", se->seller_org_id, "name",
                          se->seller_name, "reports", (json_int_t)se->reports, "members",
                          (json_int_t)se->members);
    if (!v)
        return NULL;
    json_object_set_new(v, "first_reported_at", http_view_time(se->first_ms));
    json_object_set_new(v, "last_reported_at", http_view_time(se->last_ms));
    return v;
}

/* ---- lists ------------------------------------------------------------------------- */

static ips_status h__take_member(const struct store_alliance_member *m, void *arg)
{
    http_page_take(arg, h__view_member(m), m->org_id);
    return IPS_OK;
}

static ips_status h__take_report(const struct store_alliance_report *r, void *arg)
{
    http_page_take(arg, h__view_report(r), r->id);
    return IPS_OK;
}

static ips_status h__take_seller(const struct store_alliance_seller *se, void *arg)
{
    http_page_take(arg, h__view_seller(se), se->seller_org_id);
    return IPS_OK;
}

void h_alliance_members_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = alliance_member_list(&rq->ctx, cursor, acc.limit + 1, h__take_member, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_alliance_reports_list(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    struct http_page_acc acc;
    if (!http_page_by_id(rq, rs, &limit, &cursor))
        return;
    const char *seller = http_query(rq, "seller_org_id");
    if (seller && !id_is_valid(seller)) {
        json_t *errors = json_array();
        json_error_add(errors, "seller_org_id", "is not an organisation id");
        http_problem(rs, IPS_ERR_INVALID, "bad filter", errors);
        return;
    }
    http_page_begin(&acc, limit);
    ips_status st =
        alliance_report_list(&rq->ctx, seller, cursor, limit + 1, h__take_report, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_alliance_sellers_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = alliance_seller_list(&rq->ctx, cursor, acc.limit + 1, h__take_seller, &acc);
    http_page_respond(rq, rs, &acc, st);
}

/* ---- memberships ------------------------------------------------------------------- */

/* Answer a membership or the failure st with status code ok_status. */
static void h__member_answer(struct http_req *rq, struct http_resp *rs, ips_status st,
                             const struct store_alliance_member *m, int ok_status)
{
    if (st)
        http_fail(rq, rs, st);
    else
        http_json(rs, ok_status, h__view_member(m));
}

void h_alliance_join(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"org_id", NULL};
    json_t *body = NULL;
    const char *org_id = rq->principal.org_id;
    if (rq->body_len > 0) { /* {} or {"org_id": ...} for an agent or an admin */
        if (!http_body_object(rq, rs, allowed, &body))
            return;
        const char *given = NULL;
        if (!json_field_string(body, "org_id", false, ID_LEN, &given, rq->ctx.errors)) {
            http_fail(rq, rs, IPS_ERR_INVALID);
            json_decref(body);
            return;
        }
        if (given)
            org_id = given;
    }
    struct store_alliance_member m;
    ips_status st = alliance_member_join(&rq->ctx, org_id, &m);
    h__member_answer(rq, rs, st, &m, 201);
    json_decref(body);
}

void h_alliance_member_get(struct http_req *rq, struct http_resp *rs)
{
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    struct store_alliance_member m;
    h__member_answer(rq, rs, alliance_member_get(&rq->ctx, org_id, &m), &m, 200);
}

/* GET /alliance/me: the caller's own organisation. Never joined is 200 with
 * "member": false and status "none" (the portal asks on every visit; it is
 * an answer, not a missing object). "member" is true only while active. */
void h_alliance_me(struct http_req *rq, struct http_resp *rs)
{
    struct store_alliance_member m;
    bool joined = false;
    ips_status st = alliance_member_mine(&rq->ctx, &m, &joined);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    json_t *v = joined ? h__view_member(&m)
                       : json_pack("{s:s, s:s, s:s, s:n, s:n, s:n, s:i}", "org_id", m.org_id,
                                   "name", m.org_name, "status", m.status, "joined_at",
                                   "status_changed_at", "status_reason", "reports", 0);
    if (v)
        json_object_set_new(v, "member", json_boolean(joined && strcmp(m.status, "active") == 0));
    http_reply(rq, rs, v ? IPS_OK : IPS_ERR_NOMEM, 200, v);
}

void h_alliance_leave(struct http_req *rq, struct http_resp *rs)
{
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    struct store_alliance_member m;
    h__member_answer(rq, rs, alliance_member_leave(&rq->ctx, org_id, &m), &m, 200);
}

/* POST .../suspend and .../reinstate with {"reason": text}. */
static void h__moderate(struct http_req *rq, struct http_resp *rs, bool suspend)
{
    static const char *const allowed[] = {"reason", NULL};
    const char *org_id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!org_id || !http_body_object(rq, rs, allowed, &body))
        return;
    const char *reason = NULL;
    ips_status st = IPS_ERR_INVALID;
    struct store_alliance_member m;
    if (json_field_string(body, "reason", true, STORE_ALLIANCE_REASON_MAX, &reason,
                          rq->ctx.errors))
        st = suspend ? alliance_member_suspend(&rq->ctx, org_id, reason, &m)
                     : alliance_member_reinstate(&rq->ctx, org_id, reason, &m);
    h__member_answer(rq, rs, st, &m, 200);
    json_decref(body);
}

void h_alliance_suspend(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_ALLIANCE_MODERATE))
        return;
    h__moderate(rq, rs, true);
}

void h_alliance_reinstate(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_ALLIANCE_MODERATE))
        return;
    h__moderate(rq, rs, false);
}

/* ---- reports ----------------------------------------------------------------------- */

void h_alliance_report_create(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"seller_org_id", "reason", "evidence_urls",
                                          "listing_ids", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    struct store_alliance_report *r = calloc(1, sizeof *r); /* about 16 KiB */
    ips_status st = r ? alliance_report_share(&rq->ctx, body, r) : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 201, st ? NULL : h__view_report(r));
    free(r);
    json_decref(body);
}

/*
 * h_referrals.c — /api/v1/agencies and /api/v1/referrals: law-enforcement
 * agencies, case referrals with their signed evidence archive, sharing
 * approvals and labels, and the officers' case updates
 * (src/referrals/referrals.h). Handlers parse, call one referral_* function
 * per action and render; access and validation are the domain's.
 */
#include "http/http_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "referrals/referrals.h"

/* ---- views ------------------------------------------------------------------------- */

static ips_status h__take_text(const char *code, void *arg)
{
    return json_array_append_new(arg, json_string(code)) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static json_t *h__view_agency(const struct store_agency *a, json_t *codes)
{
    json_t *v = json_pack("{s:s, s:s, s:b}", "org_id", a->org_id, "name", a->name, "cross_border",
                          a->cross_border);
    if (!v) {
        json_decref(codes);
        return NULL;
    }
    json_object_set_new(v, "country", a->country[0] ? json_string(a->country) : json_null());
    json_object_set_new(v, "mou",
                        a->mou_from[0]
                            ? json_pack("{s:s, s:s, s:o}", "ref", a->mou_ref, "from", a->mou_from,
                                        "until",
                                        a->mou_until[0] ? json_string(a->mou_until) : json_null())
                            : json_null());
    if (codes)
        json_object_set_new(v, "jurisdictions", codes);
    json_object_set_new(v, "updated_at", http_view_time(a->updated_ms));
    return v;
}

static json_t *h__view_referral(const struct store_referral *r)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", r->id, "seller_org_id",
                          r->seller_org_id, "summary", r->summary, "tlp", r->tlp, "status",
                          r->status, "route_note", r->route_note);
    if (!v)
        return NULL;
    json_t *buyers = json_loads(r->buyer_countries, 0, NULL);
    json_object_set_new(v, "ship_from", r->ship_from[0] ? json_string(r->ship_from) : json_null());
    json_object_set_new(v, "buyer_countries", buyers ? buyers : json_array());
    json_object_set_new(v, "units_sold", json_integer((json_int_t)r->units_sold));
    json_t *outcome = json_pack(
        "{s:o, s:o, s:I, s:I}", "result", r->result[0] ? json_string(r->result) : json_null(),
        "raid_date", r->raid_date[0] ? json_string(r->raid_date) : json_null(), "arrests",
        (json_int_t)r->arrests, "units_seized", (json_int_t)r->units_seized);
    if (outcome && r->value_currency[0]) {
        char amount[40];
        catalog_price_format(r->value_seized_minor, r->value_currency, amount, sizeof amount);
        json_object_set_new(
            outcome, "value_seized",
            json_pack("{s:s, s:s}", "amount", amount, "currency", r->value_currency));
    }
    json_object_set_new(v, "outcome", outcome);
    json_object_set_new(v, "fed_back_at", http_view_time(r->feedback_ms));
    json_object_set_new(v, "evidence",
                        json_pack("{s:s, s:s}", "sha256", r->evidence_sha256, "manifest_sha256",
                                  r->manifest_sha256));
    json_object_set_new(v, "created_at", http_view_time(r->created_ms));
    json_object_set_new(v, "updated_at", http_view_time(r->updated_ms));
    return v;
}

static ips_status h__take_recipient(const struct store_referral_recipient *x, void *arg)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "agency_org_id", x->agency_org_id, "name",
                          x->agency_name, "kind", x->kind, "needs_approval", x->needs_approval,
                          "shared", !x->needs_approval || x->approved_ms > 0);
    if (o)
        json_object_set_new(o, "approved_at", http_view_time(x->approved_ms));
    return json_array_append_new(arg, o) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static ips_status h__take_update(const struct store_referral_update *u, void *arg)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "id", u->id, "status", u->status, "note", u->note);
    if (o)
        json_object_set_new(o, "at", http_view_time(u->created_ms));
    return json_array_append_new(arg, o) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static ips_status h__take_file(const struct store_referral_file *f, void *arg)
{
    return json_array_append_new(arg, referral_file_json(f)) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

/* The full view: the referral with its recipients, sellers and history. */
static void h__referral_answer(struct http_req *rq, struct http_resp *rs, ips_status st,
                               const struct store_referral *r, int ok_status)
{
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    json_t *v = h__view_referral(r);
    json_t *recipients = json_array(), *sellers = json_array(), *history = json_array();
    json_t *files = json_array();
    if (!v || !recipients || !sellers || !history || !files)
        st = IPS_ERR_NOMEM;
    if (!st)
        st = referral_recipients(&rq->ctx, r->id, h__take_recipient, recipients);
    if (!st)
        st = referral_sellers(&rq->ctx, r->id, h__take_text, sellers);
    if (!st)
        st = referral_history(&rq->ctx, r->id, h__take_update, history);
    if (!st)
        st = referral_files(&rq->ctx, r->id, h__take_file, files);
    if (st) {
        json_decref(v);
        json_decref(recipients);
        json_decref(sellers);
        json_decref(history);
        json_decref(files);
        http_fail(rq, rs, st);
        return;
    }
    json_object_set_new(v, "recipients", recipients);
    json_object_set_new(v, "sellers", sellers);
    json_object_set_new(v, "history", history);
    json_object_set_new(v, "files", files);
    http_json(rs, ok_status, v);
}

/* ---- agencies ------------------------------------------------------------------------ */

static ips_status h__take_agency(const struct store_agency *a, void *arg)
{
    http_page_take(arg, h__view_agency(a, NULL), a->org_id);
    return IPS_OK;
}

void h_agencies_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = referral_agency_list(&rq->ctx, cursor, acc.limit + 1, h__take_agency, &acc);
    http_page_respond(rq, rs, &acc, st);
}

static void h__agency_answer(struct http_req *rq, struct http_resp *rs, ips_status st,
                             const struct store_agency *a, const char *org_id)
{
    json_t *codes = st ? NULL : json_array();
    if (!st && !codes)
        st = IPS_ERR_NOMEM;
    if (!st)
        st = referral_agency_codes(&rq->ctx, org_id, h__take_text, codes);
    if (st)
        json_decref(codes);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_agency(a, codes));
}

void h_agencies_get(struct http_req *rq, struct http_resp *rs)
{
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    struct store_agency a;
    h__agency_answer(rq, rs, referral_agency_get(&rq->ctx, org_id, &a), &a, org_id);
}

void h_agencies_put(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"country", "cross_border", "jurisdictions", "mou", NULL};
    const char *org_id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!org_id || !http_body_object(rq, rs, allowed, &body))
        return;
    struct store_agency a;
    h__agency_answer(rq, rs, referral_agency_put(&rq->ctx, org_id, body, &a), &a, org_id);
    json_decref(body);
}

/* ---- referrals ----------------------------------------------------------------------- */

static ips_status h__take_referral(const struct store_referral *r, void *arg)
{
    http_page_take(arg, h__view_referral(r), r->id);
    return IPS_OK;
}

void h_referrals_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = referral_list(&rq->ctx, cursor, acc.limit + 1, h__take_referral, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_referrals_create(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {
        "seller_org_id",       "summary", "tlp", "buyer_countries",
        "rightholder_org_ids", "network", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    struct store_referral *r = malloc(sizeof *r);
    ips_status st = r ? referral_create(&rq->ctx, body, r) : IPS_ERR_NOMEM;
    h__referral_answer(rq, rs, st, r, 201);
    free(r);
    json_decref(body);
}

void h_referrals_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_referral *r = malloc(sizeof *r);
    ips_status st = r ? referral_get(&rq->ctx, id, r, NULL) : IPS_ERR_NOMEM;
    h__referral_answer(rq, rs, st, r, 200);
    free(r);
}

void h_evidence_send(struct http_req *rq, struct http_resp *rs, evidence_read_fn read,
                     const char *prefix)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    ips_status st = read(&rq->ctx, id, &data, &len, &info);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    char name[80];
    snprintf(name, sizeof name, "%s-%s.tar.gz", prefix, id);
    http_send_file(rq, rs, data, len, "application/gzip", name);
}

void h_referrals_evidence(struct http_req *rq, struct http_resp *rs)
{
    h_evidence_send(rq, rs, referral_evidence_read, "evidence");
}

/* POST .../approvals {agency_org_id, reason}; PUT .../tlp {tlp, reason}. */
static void h__review(struct http_req *rq, struct http_resp *rs, const char *field)
{
    const char *const allowed[] = {field, "reason", NULL};
    if (!http_precheck(rq, rs, ACT_REFERRAL_SHARE))
        return;
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!id || !http_body_object(rq, rs, allowed, &body))
        return;
    const char *value = NULL, *reason = NULL;
    ips_status st = IPS_ERR_INVALID;
    struct store_referral *r = malloc(sizeof *r);
    bool ok =
        json_field_string(body, field, true, STORE_REF_TLP_MAX + ID_LEN, &value, rq->ctx.errors);
    ok &= json_field_string(body, "reason", true, 500, &reason, rq->ctx.errors);
    if (!r)
        st = IPS_ERR_NOMEM;
    else if (ok && strcmp(field, "tlp") == 0)
        st = referral_tlp_set(&rq->ctx, id, value, reason, r);
    else if (ok)
        st = referral_share_approve(&rq->ctx, id, value, reason, r);
    h__referral_answer(rq, rs, st, r, 200);
    free(r);
    json_decref(body);
}

void h_referrals_approve(struct http_req *rq, struct http_resp *rs)
{
    h__review(rq, rs, "agency_org_id");
}

void h_referrals_tlp(struct http_req *rq, struct http_resp *rs)
{
    h__review(rq, rs, "tlp");
}

void h_referrals_route(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_referral *r = malloc(sizeof *r);
    ips_status st = r ? referral_reroute(&rq->ctx, id, r) : IPS_ERR_NOMEM;
    h__referral_answer(rq, rs, st, r, 200);
    free(r);
}

void h_referrals_update(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"status",   "result",       "raid_date",
                                          "arrests",  "units_seized", "value_seized",
                                          "currency", "note",         NULL};
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!id || !http_body_object(rq, rs, allowed, &body))
        return;
    struct store_referral *r = malloc(sizeof *r);
    ips_status st = r ? referral_case_update(&rq->ctx, id, body, r) : IPS_ERR_NOMEM;
    h__referral_answer(rq, rs, st, r, 200);
    free(r);
    json_decref(body);
}

/* multipart/form-data: "file" (one file, with its file name), "note" (text,
 * optional). */
void h_referrals_file(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    ips_status st = referral_case_check(&rq->ctx, id); /* before the upload is looked at */
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    for (int i = 0; i < rq->n_parts; i++) {
        const struct http_part *p = &rq->parts[i];
        if (!p->name || (strcmp(p->name, "file") != 0 && strcmp(p->name, "note") != 0))
            json_error_add(rq->ctx.errors, p->name ? p->name : "(unnamed)", "unknown part");
    }
    const struct http_part *file = http_part_get(rq, "file");
    const struct http_part *note = http_part_get(rq, "note");
    if (!file || !file->filename)
        json_error_add(rq->ctx.errors, "file", "is required: one file part with a file name");
    if (json_array_size(rq->ctx.errors)) {
        http_problem(rs, IPS_ERR_INVALID, "the upload is not a case file",
                     json_incref(rq->ctx.errors));
        return;
    }
    struct store_referral *r = malloc(sizeof *r);
    st = r ? referral_case_file_add(&rq->ctx, id, file->filename, file->data.data, file->data.len,
                                    note ? note->data.data : NULL, r)
           : IPS_ERR_NOMEM;
    h__referral_answer(rq, rs, st, r, 201);
    free(r);
}

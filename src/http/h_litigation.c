/*
 * h_litigation.c — /api/v1/litigation: right holders' civil litigation
 * files with their signed evidence bundle and damages table
 * (src/litigation/litigation.h). Handlers parse, call one litigation_*
 * function per action and render; access and validation are the domain's.
 */
#include "http/http_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "catalog/catalog.h"
#include "litigation/litigation.h"

static json_t *h__view_litigation(const struct store_litigation *f)
{
    json_t *v =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:I, s:{s:s, s:s}, s:s}", "id", f->id,
                  "rightholder_org_id", f->rightholder_org_id, "seller_org_id", f->seller_org_id,
                  "title", f->title, "period", "from", f->period_from, "to", f->period_to,
                  "listings", (json_int_t)f->listings, "evidence", "sha256", f->evidence_sha256,
                  "manifest_sha256", f->manifest_sha256, "opened_by", f->opened_by);
    if (!v)
        return NULL;
    json_object_set_new(v, "court", f->court[0] ? json_string(f->court) : json_null());
    json_object_set_new(v, "opened_by_org",
                        f->opened_by_org[0] ? json_string(f->opened_by_org) : json_null());
    json_object_set_new(v, "created_at", http_view_time(f->created_ms));
    json_object_set_new(v, "status", json_string(f->status));
    json_object_set_new(v, "status_at", f->status_ms ? http_view_time(f->status_ms) : json_null());
    json_t *outcome = json_null();
    if (f->outcome[0]) {
        char amount[48];
        catalog_price_format(f->outcome_amount_minor, f->outcome_currency, amount, sizeof amount);
        outcome = json_pack("{s:s, s:o, s:o, s:o}", "text", f->outcome, "amount",
                            f->outcome_currency[0] ? json_string(amount) : json_null(),
                            "amount_minor",
                            f->outcome_currency[0] ? json_integer(f->outcome_amount_minor)
                                                   : json_null(),
                            "currency",
                            f->outcome_currency[0] ? json_string(f->outcome_currency) : json_null());
    }
    json_object_set_new(v, "outcome", outcome ? outcome : json_null());
    return v;
}

/* The file with its damages view. */
static void h__litigation_answer(struct http_req *rq, struct http_resp *rs, ips_status st,
                                 const struct store_litigation *f, int ok_status)
{
    json_t *damages = NULL;
    if (!st)
        st = litigation_damages(&rq->ctx, f->id, &damages);
    json_t *v = st ? NULL : h__view_litigation(f);
    if (v)
        json_object_set_new(v, "damages", damages);
    else
        json_decref(damages);
    http_reply(rq, rs, st ? st : v ? IPS_OK : IPS_ERR_NOMEM, ok_status, v);
}

static ips_status h__take_litigation(const struct store_litigation *f, void *arg)
{
    http_page_take(arg, h__view_litigation(f), f->id);
    return IPS_OK;
}

void h_litigation_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = litigation_list(&rq->ctx, cursor, acc.limit + 1, h__take_litigation, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_litigation_open(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"rightholder_org_id", "seller_org_id", "title", "court",
                                          "period_from",        "period_to",     NULL};
    if (!http_precheck(rq, rs, ACT_LITIGATION_OPEN))
        return;
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    struct store_litigation f;
    h__litigation_answer(rq, rs, litigation_open(&rq->ctx, body, &f), &f, 201);
    json_decref(body);
}

void h_litigation_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_litigation f;
    h__litigation_answer(rq, rs, litigation_get(&rq->ctx, id, &f), &f, 200);
}

void h_litigation_bundle(struct http_req *rq, struct http_resp *rs)
{
    h_evidence_send(rq, rs, litigation_bundle_read, "litigation");
}

/* JSON by default; ?format=csv for the lines as CSV. */
void h_litigation_damages(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    const char *format = http_query(rq, "format");
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        json_error_add(rq->ctx.errors, "format", "must be json or csv");
        http_fail(rq, rs, IPS_ERR_INVALID);
        return;
    }
    json_t *view = NULL;
    ips_status st = litigation_damages(&rq->ctx, id, &view);
    if (st || !format || strcmp(format, "json") == 0) {
        http_reply(rq, rs, st, 200, view);
        return;
    }
    struct buf csv;
    buf_init(&csv, LITIGATION_CSV_MAX);
    st = litigation_damages_csv(view, &csv);
    json_decref(view);
    if (st) {
        buf_release(&csv);
        http_fail(rq, rs, st);
        return;
    }
    size_t len = 0;
    char *data = buf_detach(&csv, &len);
    char name[80];
    snprintf(name, sizeof name, "damages-%s.csv", id);
    http_send_file(rq, rs, data, len, "text/csv; charset=utf-8", name);
}

void h_litigation_status(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"status", "outcome", "amount", "currency", NULL};
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    struct store_litigation f;
    h__litigation_answer(rq, rs, litigation_status_set(&rq->ctx, id, body, &f), &f, 200);
    json_decref(body);
}

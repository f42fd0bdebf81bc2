/*
 * h_notices.c — /api/v1/notices (submit as JSON or multipart, list, the
 * review queue, one notice, its items and statements of reasons, the
 * reviewer's decisions, counter-notices, appeals, the accuracy dashboard),
 * /api/v1/inbox and /api/v1/strikes. Each handler parses, calls one
 * notices_* function and renders JSON; access and validation are the
 * domain's (src/notices/notices.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "http/http_internal.h"
#include "notices/notices.h"

/* ---- views -------------------------------------------------------------------------- */

static json_t *h_notices_evidence(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    return v ? v : json_array();
}

/* A notice; seller_view hides the notifier's contact details and signature
 * (the seller learns who notified and why, DSA Art. 17(3)(b)). */
static json_t *h_notices_view(const struct store_notice *n, bool seller_view)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(n->id));
    json_object_set_new(o, "notifier_org_id", json_string(n->notifier_org_id));
    json_object_set_new(o, "right_id", json_string(n->right_id));
    json_object_set_new(o, "right_org_id", json_string(n->right_org_id));
    json_object_set_new(o, "kind", json_string(n->kind));
    json_object_set_new(o, "explanation", json_string(n->explanation));
    json_object_set_new(o, "notifier_name", json_string(n->notifier_name));
    if (!seller_view) {
        json_object_set_new(o, "notifier_email", json_string(n->notifier_email));
        json_object_set_new(o, "signature", json_string(n->signature));
        json_object_set_new(o, "submitted_by", json_string(n->submitted_by));
    }
    json_object_set_new(o, "on_behalf_of",
                        n->on_behalf_of[0] ? json_string(n->on_behalf_of) : json_null());
    json_object_set_new(o, "good_faith", json_boolean(n->good_faith));
    json_object_set_new(o, "accuracy", json_boolean(n->accuracy));
    json_object_set_new(o, "evidence", h_notices_evidence(n->evidence));
    json_object_set_new(o, "fast_track", json_boolean(n->fast_track));
    json_object_set_new(o, "state", json_string(n->state));
    json_object_set_new(o, "outcome", n->outcome[0] ? json_string(n->outcome) : json_null());
    json_object_set_new(o, "risk", json_integer(n->risk));
    json_object_set_new(o, "items_total", json_integer(n->items_total));
    json_object_set_new(o, "review_deadline",
                        n->review_deadline_ms ? http_view_time(n->review_deadline_ms)
                                              : json_null());
    json_object_set_new(o, "sla_breached", json_boolean(n->sla_breached));
    json_object_set_new(o, "decided_by",
                        n->decided_by[0] ? json_string(n->decided_by) : json_null());
    json_object_set_new(o, "decision_reason",
                        n->decision_reason[0] ? json_string(n->decision_reason) : json_null());
    json_object_set_new(o, "created", http_view_time(n->created_ms));
    json_object_set_new(o, "decided", http_view_time(n->decided_ms));
    json_object_set_new(o, "updated", http_view_time(n->updated_ms));
    return o;
}

static json_t *h_notices_item_view(const struct store_notice_item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "notice_id", json_string(it->notice_id));
    json_object_set_new(o, "listing_id", json_string(it->listing_id));
    json_object_set_new(o, "seller_org_id", json_string(it->seller_org_id));
    json_object_set_new(o, "state", json_string(it->state));
    json_object_set_new(o, "content_version", json_integer(it->content_version));
    json_object_set_new(o, "taken_down", http_view_time(it->taken_down_ms));
    json_object_set_new(o, "counter_notice_deadline", http_view_time(it->counter_deadline_ms));
    json_t *counter = json_null();
    if (it->counter_ms) {
        counter = json_pack("{s:s, s:o, s:o}", "explanation", it->counter_explanation, "evidence",
                            h_notices_evidence(it->counter_evidence), "filed",
                            http_view_time(it->counter_ms));
    }
    json_object_set_new(o, "counter_notice", counter ? counter : json_null());
    json_object_set_new(o, "decided_by",
                        it->decided_by[0] ? json_string(it->decided_by) : json_null());
    json_object_set_new(o, "decision_reason",
                        it->decision_reason[0] ? json_string(it->decision_reason) : json_null());
    json_object_set_new(o, "decided", http_view_time(it->decided_ms));
    json_t *appeal = json_null();
    if (it->appeal_state[0]) {
        appeal =
            json_pack("{s:s, s:s, s:s, s:o, s:o}", "state", it->appeal_state, "by_org_id",
                      it->appeal_by_org, "explanation", it->appeal_explanation, "decided_by",
                      it->appeal_decided_by[0] ? json_string(it->appeal_decided_by) : json_null(),
                      "filed", http_view_time(it->appeal_ms));
    }
    json_object_set_new(o, "appeal", appeal ? appeal : json_null());
    json_object_set_new(o, "updated", http_view_time(it->updated_ms));
    return o;
}

/* ---- submit -------------------------------------------------------------------------- */

static void h_notices_submitted(struct http_req *rq, struct http_resp *rs, ips_status st,
                                struct notices_submit_result *r)
{
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    json_t *v = h_notices_view(&r->notice, false);
    json_object_set(v, "merged", r->merged ? r->merged : json_array());
    json_object_set_new(v, "merged_all", json_boolean(r->merged_all));
    json_object_set_new(v, "taken_down", json_integer(r->taken_down));
    http_json(rs, r->merged_all ? 200 : 201, v);
}

static const char *const h_notices_fields[] = {
    "right_id",   "kind",     "explanation", "notifier_name", "notifier_email", "on_behalf_of",
    "good_faith", "accuracy", "signature",   "listings",      "evidence_urls",  "notifier_org_id",
    NULL};

void h_notices_create(struct http_req *rq, struct http_resp *rs)
{
    json_t *body = NULL;
    if (!http_body_object(rq, rs, h_notices_fields, &body))
        return;
    struct notices_submit_req req = {body, NULL, 0, NULL, 0};
    struct notices_submit_result *r = calloc(1, sizeof *r);
    if (!r) {
        json_decref(body);
        http_fail(rq, rs, IPS_ERR_NOMEM);
        return;
    }
    ips_status st = notices_submit(&rq->ctx, &req, r);
    h_notices_submitted(rq, rs, st, r);
    notices_submit_result_release(r);
    free(r);
    json_decref(body);
}

/* multipart/form-data: "notice" (the JSON object), "evidence" (files,
 * repeated), "listings_csv" (a CSV file of listing ids). */
void h_notices_upload(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_NOTICE_SUBMIT))
        return;
    struct notices_upload files[HTTP_MAX_PARTS];
    int n_files = 0;
    const struct http_part *meta_part = http_part_get(rq, "notice");
    const struct http_part *csv = http_part_get(rq, "listings_csv");
    for (int i = 0; i < rq->n_parts; i++) {
        const struct http_part *p = &rq->parts[i];
        if (!p->name || (strcmp(p->name, "notice") != 0 && strcmp(p->name, "evidence") != 0 &&
                         strcmp(p->name, "listings_csv") != 0)) {
            json_error_add(rq->ctx.errors, p->name ? p->name : "(unnamed)", "unknown part");
            continue;
        }
        if (strcmp(p->name, "evidence") == 0) {
            files[n_files].name = p->filename;
            files[n_files].data = p->data.data;
            files[n_files].len = p->data.len;
            n_files++;
        }
    }
    if (!meta_part)
        json_error_add(rq->ctx.errors, "notice", "is required: the notice as a JSON part");
    if (json_array_size(rq->ctx.errors)) {
        http_problem(rs, IPS_ERR_INVALID, "the upload is not a notice",
                     json_incref(rq->ctx.errors));
        return;
    }
    json_t *meta = NULL;
    char err[160];
    if (json_parse_object(meta_part->data.data, meta_part->data.len, &meta, err, sizeof err)) {
        http_problem(rs, IPS_ERR_MALFORMED, err, NULL);
        return;
    }
    struct notices_submit_req req = {meta, csv ? csv->data.data : NULL, csv ? csv->data.len : 0,
                                     files, n_files};
    struct notices_submit_result *r = calloc(1, sizeof *r);
    ips_status st = r ? notices_submit(&rq->ctx, &req, r) : IPS_ERR_NOMEM;
    if (r)
        h_notices_submitted(rq, rs, st, r);
    else
        http_fail(rq, rs, st);
    notices_submit_result_release(r);
    free(r);
    json_decref(meta);
}

/* ---- read --------------------------------------------------------------------------- */

struct h_notices_page {
    struct http_page_acc acc;
    bool seller_view;
};

static ips_status h_notices_take(const struct store_notice *n, void *arg)
{
    struct h_notices_page *p = arg;
    http_page_take(&p->acc, h_notices_view(n, p->seller_view), n->id);
    return IPS_OK;
}

void h_notices_list(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    if (!http_page_by_id(rq, rs, &limit, &cursor))
        return;
    const char *state = http_query(rq, "state");
    if (state && strcmp(state, "under_review") != 0 && strcmp(state, "decided") != 0 &&
        strcmp(state, "submitted") != 0) {
        http_problem(rs, IPS_ERR_INVALID, "state must be submitted, under_review or decided", NULL);
        return;
    }
    struct h_notices_page p;
    http_page_begin(&p.acc, limit);
    p.seller_view = rq->principal.via != VIA_SYSTEM && rq->principal.role == ROLE_SELLER;
    ips_status st =
        notices_list(&rq->ctx, state, http_query(rq, "q"), cursor, limit + 1, h_notices_take, &p);
    http_page_respond(rq, rs, &p.acc, st);
}

/* Queue cursor "<deadline>.<risk>.<id>". */
static ips_status h_notices_queue_take(const struct store_notice *n, void *arg)
{
    struct http_page_acc *acc = arg;
    char cursor[ID_SIZE + 48];
    snprintf(cursor, sizeof cursor, "%" PRId64 ".%" PRId64 ".%s", n->review_deadline_ms, n->risk,
             n->id);
    http_page_take(acc, h_notices_view(n, false), cursor);
    return IPS_OK;
}

void h_notices_queue(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    if (!http_page(rq, rs, &limit, &cursor))
        return;
    int64_t deadline = 0, risk = 0;
    char id[ID_SIZE] = "";
    if (cursor) {
        char tail[ID_SIZE + 1] = "";
        long long d = 0, r = 0;
        if (strlen(cursor) > ID_SIZE + 44 || sscanf(cursor, "%lld.%lld.%27s", &d, &r, tail) != 3 ||
            !id_is_valid(tail)) {
            http_bad_cursor(rs);
            return;
        }
        deadline = d;
        risk = r;
        memcpy(id, tail, ID_SIZE);
    }
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    ips_status st = notices_queue(&rq->ctx, deadline, risk, cursor ? id : NULL, limit + 1,
                                  h_notices_queue_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_notices_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_notice *n = malloc(sizeof *n);
    bool sv = false;
    ips_status st = n ? notices_get(&rq->ctx, id, n, &sv) : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 200, st ? NULL : h_notices_view(n, sv));
    free(n);
}

static ips_status h_notices_item_take(const struct store_notice_item *it, void *arg)
{
    http_page_take(arg, h_notices_item_view(it), it->listing_id);
    return IPS_OK;
}

void h_notices_items(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    int limit;
    const char *cursor;
    if (!id || !http_page(rq, rs, &limit, &cursor))
        return;
    if (cursor && !catalog_id_valid(cursor)) {
        http_bad_cursor(rs);
        return;
    }
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    ips_status st = notices_items_list(&rq->ctx, id, cursor, limit + 1, h_notices_item_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_notices_statements(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    json_t *list = NULL;
    ips_status st = notices_statements(&rq->ctx, id, &list);
    http_reply(rq, rs, st, 200, st ? NULL : json_pack("{s:o}", "items", list));
}

void h_notices_accuracy(struct http_req *rq, struct http_resp *rs)
{
    const char *org = http_query(rq, "org_id");
    if (org && !id_is_valid(org)) {
        http_problem(rs, IPS_ERR_NOT_FOUND, "no such organisation", NULL);
        return;
    }
    json_t *v = NULL;
    ips_status st = notices_accuracy(&rq->ctx, org, &v);
    http_reply(rq, rs, st, 200, v);
}

/* ---- decisions, counter-notices, appeals ------------------------------------------------ */

void h_notices_decide(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"decision", "reason", "reject_listings", NULL};
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!id || !http_body_object(rq, rs, allowed, &body))
        return;
    const char *decision = json_string_value(json_object_get(body, "decision"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    struct store_notice *n = malloc(sizeof *n);
    ips_status st = n ? notices_decide(&rq->ctx, id, decision,
                                       json_object_get(body, "reject_listings"), reason, n)
                      : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 200, st ? NULL : h_notices_view(n, false));
    free(n);
    json_decref(body);
}

/* The two path parameters of an item route; a malformed one is a 404. */
static bool h_notices_item_params(struct http_req *rq, struct http_resp *rs, const char **id,
                                  const char **listing)
{
    *id = http_param_id(rq, rs, 0);
    if (!*id)
        return false;
    if (rq->n_params < 2 || !catalog_id_valid(rq->params[1])) {
        http_problem(rs, IPS_ERR_NOT_FOUND, "no such object", NULL);
        return false;
    }
    *listing = rq->params[1];
    return true;
}

/* The start of an item action: the two path parameters and a JSON body
 * with only `allowed` members. OUT *body: new reference. On failure the
 * problem is written and false returned. */
static bool h_notices_item_begin(struct http_req *rq, struct http_resp *rs,
                                 const char *const *allowed, const char **id, const char **listing,
                                 json_t **body)
{
    return h_notices_item_params(rq, rs, id, listing) && http_body_object(rq, rs, allowed, body);
}

/* The end of an item action: answer with the item or st's problem, then
 * release the item (malloc'd, may be NULL) and the body. */
static void h_notices_item_answer(struct http_req *rq, struct http_resp *rs, ips_status st,
                                  struct store_notice_item *it, json_t *body)
{
    http_reply(rq, rs, st, 200, st ? NULL : h_notices_item_view(it));
    free(it);
    json_decref(body);
}

void h_notices_counter(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"explanation", "evidence_urls", NULL};
    const char *id, *listing;
    json_t *body = NULL;
    if (!h_notices_item_begin(rq, rs, allowed, &id, &listing, &body))
        return;
    struct store_notice_item *it = malloc(sizeof *it);
    json_t *expl = json_object_get(body, "explanation");
    if (expl && !json_is_string(expl))
        json_error_add(rq->ctx.errors, "explanation", "must be a string");
    ips_status st = !it ? IPS_ERR_NOMEM
                    : json_array_size(rq->ctx.errors)
                        ? IPS_ERR_INVALID
                        : notices_counter(&rq->ctx, id, listing, json_string_value(expl),
                                          json_object_get(body, "evidence_urls"), it);
    h_notices_item_answer(rq, rs, st, it, body);
}

/* decision + reason bodies: counter-decision and appeal-decision. */
static void h_notices_item_decide(struct http_req *rq, struct http_resp *rs, bool appeal)
{
    static const char *const allowed[] = {"decision", "reason", NULL};
    const char *id, *listing;
    json_t *body = NULL;
    if (!h_notices_item_begin(rq, rs, allowed, &id, &listing, &body))
        return;
    const char *decision = json_string_value(json_object_get(body, "decision"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    struct store_notice_item *it = malloc(sizeof *it);
    ips_status st = !it      ? IPS_ERR_NOMEM
                    : appeal ? notices_appeal_decide(&rq->ctx, id, listing, decision, reason, it)
                             : notices_counter_decide(&rq->ctx, id, listing, decision, reason, it);
    h_notices_item_answer(rq, rs, st, it, body);
}

void h_notices_counter_decide(struct http_req *rq, struct http_resp *rs)
{
    h_notices_item_decide(rq, rs, false);
}

void h_notices_appeal_decide(struct http_req *rq, struct http_resp *rs)
{
    h_notices_item_decide(rq, rs, true);
}

void h_notices_appeal(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"explanation", NULL};
    const char *id, *listing;
    json_t *body = NULL;
    if (!h_notices_item_begin(rq, rs, allowed, &id, &listing, &body))
        return;
    struct store_notice_item *it = malloc(sizeof *it);
    ips_status st = it ? notices_appeal(&rq->ctx, id, listing,
                                        json_string_value(json_object_get(body, "explanation")), it)
                       : IPS_ERR_NOMEM;
    h_notices_item_answer(rq, rs, st, it, body);
}

/* ---- inbox and strikes ------------------------------------------------------------------- */

static ips_status h_inbox_take(const struct store_inbox_msg *m, void *arg)
{
    json_t *body = json_loads(m->body, 0, NULL);
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "id", m->id, "kind", m->kind, "notice_id",
                  m->notice_id[0] ? json_string(m->notice_id) : json_null(), "subject", m->subject,
                  "body", body ? body : json_object(), "created", http_view_time(m->created_ms));
    http_page_take(arg, o, m->id);
    return IPS_OK;
}

void h_inbox_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = notices_inbox_list(&rq->ctx, cursor, acc.limit + 1, h_inbox_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

static ips_status h_strike_take(const struct store_strike *sk, void *arg)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", sk->id, "seller_org_id",
                  sk->seller_org_id, "notice_id", sk->notice_id, "listing_id", sk->listing_id,
                  "reason", sk->reason, "created", http_view_time(sk->created_ms), "expires",
                  http_view_time(sk->expires_ms), "revoked", http_view_time(sk->revoked_ms));
    http_page_take(arg, o, sk->id);
    return IPS_OK;
}

void h_strikes_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = notices_strikes_list(&rq->ctx, cursor, acc.limit + 1, h_strike_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

/*
 * h_detections.c — /api/v1/detections: the reviewer queue and a right
 * holder's detections, one verdict with its listing version and images,
 * confirm / dismiss, measured precision, the rules version and the admin
 * rescan (src/detections/detections.h). Handlers parse, call one
 * detections_* function and render; access and validation are the domain's.
 */
#include "http/http_internal.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "detections/detections.h"

/* ---- views ------------------------------------------------------------------------- */

static json_t *h__view_detection(const struct store_detection *d)
{
    json_t *sigs = json_loads(d->signals, 0, NULL);
    json_t *v = json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:s, s:s, s:s, s:b}", "id", d->id,
                          "listing_id", d->listing_id, "listing_version",
                          (json_int_t)d->listing_version, "rules_version",
                          (json_int_t)d->rules_version, "checked_rules_version",
                          (json_int_t)d->checked_version, "score", d->score_milli / 1000.0,
                          "action", d->action, "applied", d->applied, "status", d->status,
                          "current", d->is_current);
    if (!v) {
        json_decref(sigs);
        return NULL;
    }
    json_object_set_new(v, "signals", json_is_array(sigs) ? sigs : json_array());
    if (!json_is_array(sigs))
        json_decref(sigs);
    json_object_set_new(v, "created_at", http_view_time(d->created_ms));
    return v;
}

static json_t *h__view_rules(const struct store_detection_rules *r)
{
    json_t *v = json_pack("{s:I, s:s, s:b, s:I, s:I}", "version", (json_int_t)r->version,
                          "reason", r->reason, "rescan_finished", r->rescan_done, "rescanned",
                          (json_int_t)r->rescanned, "changed", (json_int_t)r->changed);
    if (v)
        json_object_set_new(v, "created_at", http_view_time(r->created_ms));
    return v;
}

/* ---- lists --------------------------------------------------------------------------- */

static ips_status h__take_detection(const struct store_detection *d, void *arg)
{
    http_page_take(arg, h__view_detection(d), d->id);
    return IPS_OK;
}

void h_detections_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    struct store_detection_filter f = {http_query(rq, "action"), http_query(rq, "status"),
                                       http_query(rq, "org_id"), http_query(rq, "listing_id")};
    ips_status st = detections_list(&rq->ctx, &f, cursor, acc.limit + 1, h__take_detection, &acc);
    http_page_respond(rq, rs, &acc, st);
}

static ips_status h__take_precision(const struct store_detection_precision *p, void *arg)
{
    int64_t decided = p->confirmed + p->dismissed;
    json_t *v = json_pack("{s:s, s:s, s:I, s:I, s:I}", "org_id", p->org_id, "name", p->org_name,
                          "confirmed", (json_int_t)p->confirmed, "dismissed",
                          (json_int_t)p->dismissed, "open", (json_int_t)p->open);
    if (!v)
        return IPS_ERR_NOMEM;
    json_object_set_new(v, "precision",
                        decided ? json_real((double)p->confirmed / (double)decided) : json_null());
    return json_array_append_new(arg, v) ? IPS_ERR_NOMEM : IPS_OK;
}

void h_detections_precision(struct http_req *rq, struct http_resp *rs)
{
    json_t *items = json_array();
    ips_status st = items ? detections_precision(&rq->ctx, http_query(rq, "org_id"),
                                                 h__take_precision, items)
                          : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 200, st ? NULL : json_pack("{s:O}", "items", items));
    json_decref(items);
}

void h_detections_rules(struct http_req *rq, struct http_resp *rs)
{
    struct store_detection_rules r;
    ips_status st = detections_rules_get(&rq->ctx, &r);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_rules(&r));
}

void h_detections_rescan(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"reason", NULL};
    json_t *body = NULL;
    const char *reason = "rescan requested by an administrator";
    if (rq->body_len > 0) {
        if (!http_body_object(rq, rs, allowed, &body))
            return;
        json_field_string(body, "reason", false, STORE_DETECTION_REASON_MAX, &reason,
                          rq->ctx.errors);
        if (json_array_size(rq->ctx.errors) > 0) {
            http_problem(rs, IPS_ERR_INVALID, "the rescan request is not valid",
                         json_incref(rq->ctx.errors));
            json_decref(body);
            return;
        }
    }
    struct store_detection_rules r;
    ips_status st = detections_rules_rebuild(&rq->ctx, reason, &r);
    http_reply(rq, rs, st, 202, st ? NULL : h__view_rules(&r));
    json_decref(body);
}

/* ---- one detection ----------------------------------------------------------------------- */

struct h__version {
    int64_t want;
    json_t *out;
};

static ips_status h__take_version(const struct store_listing_version *v, void *arg)
{
    struct h__version *a = arg;
    if (v->version != a->want || a->out)
        return IPS_OK;
    char price[40];
    catalog_price_format(v->price_minor, v->currency, price, sizeof price);
    json_t *images = json_loads(v->images, 0, NULL);
    a->out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "version", (json_int_t)v->version,
                       "title", v->title, "description", v->description, "price", price,
                       "currency", v->currency, "category", v->category, "images",
                       json_is_array(images) ? images : json_array());
    if (!json_is_array(images))
        json_decref(images);
    return IPS_OK;
}

void h_detections_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_detection *d = malloc(sizeof *d);
    json_t *orgs = NULL;
    ips_status st = d ? detections_get(&rq->ctx, id, d, &orgs) : IPS_ERR_NOMEM;
    if (st) {
        free(d);
        http_fail(rq, rs, st);
        return;
    }
    json_t *v = h__view_detection(d);
    json_object_set_new(v, "rightholders", orgs);
    /* the judged listing version, when the actor may read listings */
    struct store_listing l;
    struct store_listing_version *cur = malloc(sizeof *cur);
    struct h__version hv = {d->listing_version, NULL};
    if (cur && catalog_listing_get(&rq->ctx, d->listing_id, &l, cur, 100, h__take_version, &hv) ==
                   IPS_OK) {
        json_object_set_new(hv.out, "state", json_string(l.state));
        json_object_set_new(hv.out, "seller_org_id", json_string(l.seller_org_id));
        json_object_set_new(hv.out, "current_version", json_integer(l.current_version));
    }
    json_array_clear(rq->ctx.errors);
    json_object_set_new(v, "listing", hv.out ? hv.out : json_null());
    free(cur);
    free(d);
    http_json(rs, 200, v);
}

void h_detections_image(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    void *data = NULL;
    size_t len = 0;
    char mime[65];
    ips_status st = detections_image_read(&rq->ctx, id, rq->params[1], &data, &len, mime);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    buf_release(&rs->body);
    st = buf_append(&rs->body, len ? data : "", len);
    free(data);
    if (st) {
        http_problem(rs, IPS_ERR_NOMEM, NULL, NULL);
        return;
    }
    rs->status = 200;
    rs->content_type = arena_strdup(&rq->arena, mime);
    if (!rs->content_type)
        rs->content_type = "application/octet-stream";
    http_header_add(rs, "Content-Disposition", "inline");
}

void h_detections_confirm(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    static const char *const allowed[] = {"org_id", "right_id", "note", "notifier_name",
                                          "signature", NULL};
    json_t *body = NULL;
    if (rq->body_len > 0 && !http_body_object(rq, rs, allowed, &body))
        return;
    char notice_id[ID_SIZE];
    ips_status st = detections_confirm(&rq->ctx, id, body, notice_id);
    json_decref(body);
    http_reply(rq, rs, st, 200,
               st ? NULL
                  : json_pack("{s:s, s:s, s:s}", "id", id, "decision", "confirmed", "notice_id",
                              notice_id));
}

void h_detections_dismiss(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    static const char *const allowed[] = {"reason", "note", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    /* The domain decides access before it looks at the fields, so a caller
     * who may not decide learns nothing from a bad body: fields that do not
     * parse reach it as a missing reason, and their own messages replace
     * the domain's only once it has said the body is what is wrong. */
    const char *reason = NULL, *note = NULL;
    json_t *field_errors = json_array();
    json_field_string(body, "reason", true, 64, &reason, field_errors);
    json_field_string(body, "note", false, DETECTIONS_NOTE_MAX, &note, field_errors);
    bool fields_bad = json_array_size(field_errors) > 0;
    ips_status st = detections_dismiss(&rq->ctx, id, fields_bad ? NULL : reason, note);
    if (st == IPS_ERR_INVALID && fields_bad) {
        json_array_clear(rq->ctx.errors);
        json_array_extend(rq->ctx.errors, field_errors);
    }
    json_decref(field_errors);
    if (st == IPS_ERR_INVALID && !rq->ctx.detail[0])
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "the dismissal is not valid");
    http_reply(rq, rs, st, 200,
               st ? NULL : json_pack("{s:s, s:s, s:s}", "id", id, "decision", "dismissed",
                                     "reason", reason));
    json_decref(body);
}

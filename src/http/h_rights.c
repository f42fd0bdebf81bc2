/*
 * h_rights.c — /api/v1/rightholders (onboarding), /api/v1/agents/
 * authorisations and /api/v1/rights. Each handler parses, calls ONE
 * function of src/rights/rights.h and renders JSON; files come and go as
 * multipart/form-data parts and raw bytes with the media type libmagic
 * found when they were stored.
 */
#include "http/http_internal.h"

#include "core/json.h"
#include "rights/rights.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- views ------------------------------------------------------------------------ */

/* JSON string of a text field, or null when it is empty. */
static json_t *h__text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *h__view_application(const struct store_rh_application *a)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "org_id", a->org_id, "org_name",
                          a->org_name, "status", a->status, "email", a->email, "country",
                          a->country);
    if (!v)
        return NULL;
    json_object_set_new(v, "website", h__text_or_null(a->website));
    json_object_set_new(v, "reason", h__text_or_null(a->reason));
    json_object_set_new(v, "decided_by", h__text_or_null(a->decided_by));
    json_object_set_new(v, "decided_at", http_view_time(a->decided_ms));
    json_object_set_new(v, "created_at", http_view_time(a->created_ms));
    return v;
}

static json_t *h__view_auth(const struct store_agent_auth *a)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", a->id, "principal_org_id",
                          a->principal_org_id, "agent_org_id", a->agent_org_id, "valid_from",
                          a->valid_from, "valid_to", a->valid_to, "document_sha256",
                          a->document_sha256, "status", a->status);
    if (!v)
        return NULL;
    json_object_set_new(v, "principal_name", json_string(a->principal_name));
    json_object_set_new(v, "agent_name", json_string(a->agent_name));
    json_object_set_new(v, "reason", h__text_or_null(a->reason));
    json_object_set_new(v, "filed_by", h__text_or_null(a->filed_by));
    json_object_set_new(v, "decided_by", h__text_or_null(a->decided_by));
    json_object_set_new(v, "decided_at", http_view_time(a->decided_ms));
    json_object_set_new(v, "created_at", http_view_time(a->created_ms));
    return v;
}

/* nice_classes "9,25" as [9, 25]. */
static json_t *h__view_classes(const char *s)
{
    json_t *a = json_array();
    while (a && s && *s) {
        char *end = NULL;
        long n = strtol(s, &end, 10);
        if (end == s)
            break;
        json_array_append_new(a, json_integer(n));
        s = *end == ',' ? end + 1 : end;
    }
    return a;
}

static json_t *h__view_right(const struct rights_right *r, bool with_files)
{
    const struct store_right *x = &r->rec;
    json_t *v =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", x->id, "kind", x->kind, "org_id",
                  x->org_id, "status", x->status, "status_effective", r->status_effective,
                  "filed_by", x->filed_by, "filed_by_org", x->filed_by_org);
    if (!v)
        return NULL;
    if (strcmp(x->kind, "trademark") == 0) {
        json_object_set_new(v, "mark_text", json_string(x->mark_text));
        json_object_set_new(v, "registration_number", json_string(x->registration_number));
        json_object_set_new(v, "office", json_string(x->office));
        json_object_set_new(v, "nice_classes", h__view_classes(x->nice_classes));
    } else if (strcmp(x->kind, "copyright") == 0) {
        json_object_set_new(v, "title", json_string(x->title));
        json_object_set_new(v, "work_kind", json_string(x->work_kind));
        json_object_set_new(v, "registration_number", h__text_or_null(x->registration_number));
        json_object_set_new(v, "evidence_description", h__text_or_null(x->evidence_description));
        json_object_set_new(v, "created_on", h__text_or_null(x->created_on));
    } else {
        json_object_set_new(v, "patent_number", json_string(x->patent_number));
        json_object_set_new(v, "office", json_string(x->office));
        json_object_set_new(v, "title", json_string(x->title));
    }
    json_object_set_new(v, "valid_from", h__text_or_null(x->valid_from));
    json_object_set_new(v, "valid_to", h__text_or_null(x->valid_to));
    json_object_set_new(v, "reason", h__text_or_null(x->reason));
    json_object_set_new(v, "decided_by", h__text_or_null(x->decided_by));
    json_object_set_new(v, "decided_at", http_view_time(x->decided_ms));
    json_object_set_new(v, "created_at", http_view_time(x->created_ms));
    if (with_files) {
        json_t *files = json_array();
        for (int i = 0; files && i < r->n_files; i++) {
            const struct rights_file *f = &r->files[i];
            json_array_append_new(files,
                                  json_pack("{s:s, s:s, s:I, s:s, s:i}", "sha256", f->blob.sha256,
                                            "mime", f->blob.mime, "size", (json_int_t)f->blob.size,
                                            "role", f->role, "position", f->position));
        }
        json_object_set_new(v, "files", files ? files : json_null());
    }
    return v;
}

/* ---- shared parsing ------------------------------------------------------------------ */

/* The JSON object in multipart field `name`. 400 for malformed JSON (with
 * line and column), 422 when missing or not an object. On failure the
 * problem is written and NULL returned; else a new reference. */
static json_t *h__part_json(struct http_req *rq, struct http_resp *rs, const char *name)
{
    if (rq->n_parts == 0) {
        /* libmicrohttpd's parser accepts a body with no boundary line at all
         * as "no fields": for us that is a malformed body, not a missing one */
        http_problem(rs, IPS_ERR_MALFORMED,
                     "the multipart/form-data body holds no parts (check the boundary)", NULL);
        return NULL;
    }
    const struct http_part *p = http_part_get(rq, name);
    if (!p) {
        json_error_add(rq->ctx.errors, name, "is required: a JSON object");
        http_fail(rq, rs, IPS_ERR_INVALID);
        return NULL;
    }
    json_t *v = NULL;
    char err[160];
    ips_status st =
        json_parse_object(p->data.data ? p->data.data : "", p->data.len, &v, err, sizeof err);
    if (st) {
        char detail[224];
        snprintf(detail, sizeof detail, "field %s: %s", name, err);
        json_t *errors = NULL;
        if (st == IPS_ERR_INVALID) { /* parsed, but not an object */
            errors = json_array();
            json_error_add(errors, name, "must be a JSON object");
        }
        http_problem(rs, st, detail, errors);
        return NULL;
    }
    return v;
}

/* Answer with raw bytes as an attachment named by their SHA-256. Takes
 * ownership of data. */
static void h__send_file(struct http_req *rq, struct http_resp *rs, void *data, size_t len,
                         const struct blob_info *info)
{
    http_send_file(rq, rs, data, len, info->mime, info->sha256);
}

/* ---- onboarding ---------------------------------------------------------------------- */

void h_rightholders_apply(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"org_name", "email",   "password",
                                          "website",  "country", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    struct rights_apply_req req = {0};
    json_t *e = rq->ctx.errors;
    /* types here; presence, lengths and values in rights_holder_apply, which
     * lists every problem at once */
    bool ok = json_field_string(body, "org_name", false, SIZE_MAX, &req.org_name, e);
    ok = json_field_string(body, "email", false, SIZE_MAX, &req.email, e) && ok;
    ok = json_field_string(body, "password", false, SIZE_MAX, &req.password, e) && ok;
    ok = json_field_string(body, "website", false, SIZE_MAX, &req.website, e) && ok;
    ok = json_field_string(body, "country", false, SIZE_MAX, &req.country, e) && ok;
    struct store_org org;
    struct store_user user;
    struct store_rh_application app;
    ips_status st = ok ? rights_holder_apply(&rq->ctx, &req, &org, &user, &app) : IPS_ERR_INVALID;
    http_reply(rq, rs, st, 201,
               st ? NULL
                  : json_pack("{s:o, s:o, s:o}", "org", http_view_org(&org), "user",
                              http_view_user(&user), "application", h__view_application(&app)));
    json_decref(body);
}

static ips_status h__application_take(const struct store_rh_application *a, void *arg)
{
    http_page_take(arg, h__view_application(a), a->org_id);
    return IPS_OK;
}

void h_rightholders_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = rights_holder_list(&rq->ctx, http_query(rq, "status"), cursor, acc.limit + 1,
                                       h__application_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_rightholders_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_rh_application a;
    ips_status st = rights_holder_get(&rq->ctx, id, &a);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_application(&a));
}

void h_rightholders_decide(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_RH_DECIDE))
        return;
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    const char *reason = NULL;
    bool approve = false;
    if (!id || !http_body_decision(rq, rs, "approved", "rejected", &approve, &body, &reason))
        return;
    struct store_rh_application a;
    ips_status st = rights_holder_decide(&rq->ctx, id, approve, reason, &a);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_application(&a));
    json_decref(body);
}

/* ---- agents ---------------------------------------------------------------------------- */

void h_agent_auths_file(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_AGENT_AUTH_FILE))
        return;
    json_t *meta = h__part_json(rq, rs, "meta");
    if (!meta)
        return;
    for (int i = 0; i < rq->n_parts; i++) {
        if (strcmp(rq->parts[i].name, "meta") != 0 && strcmp(rq->parts[i].name, "document") != 0)
            json_error_add(rq->ctx.errors, rq->parts[i].name, "is not a known field");
    }
    const struct http_part *doc = http_part_get(rq, "document");
    struct store_agent_auth a;
    ips_status st = json_array_size(rq->ctx.errors) > 0
                        ? IPS_ERR_INVALID
                        : rights_auth_file(&rq->ctx, meta, doc ? doc->data.data : NULL,
                                           doc ? doc->data.len : 0, &a);
    http_reply(rq, rs, st, 201, st ? NULL : h__view_auth(&a));
    json_decref(meta);
}

static ips_status h__auth_take(const struct store_agent_auth *a, void *arg)
{
    http_page_take(arg, h__view_auth(a), a->id);
    return IPS_OK;
}

void h_agent_auths_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = rights_auth_list(&rq->ctx, http_query(rq, "status"), cursor, acc.limit + 1,
                                     h__auth_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_agent_auths_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_agent_auth a;
    ips_status st = rights_auth_get(&rq->ctx, id, &a);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_auth(&a));
}

void h_agent_auths_document(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    ips_status st = rights_auth_document_read(&rq->ctx, id, &data, &len, &info);
    if (st)
        http_fail(rq, rs, st);
    else
        h__send_file(rq, rs, data, len, &info);
}

void h_agent_auths_decide(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_AGENT_AUTH_DECIDE))
        return;
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    const char *reason = NULL;
    bool verify = false;
    if (!id || !http_body_decision(rq, rs, "verified", "rejected", &verify, &body, &reason))
        return;
    struct store_agent_auth a;
    ips_status st = rights_auth_decide(&rq->ctx, id, verify, reason, &a);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_auth(&a));
    json_decref(body);
}

void h_agent_auths_revoke(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    static const char *const allowed[] = {"reason", NULL};
    json_t *body = NULL;
    const char *reason = NULL;
    if (rq->body_len > 0) {
        if (!http_body_object(rq, rs, allowed, &body))
            return;
        if (!json_field_string(body, "reason", false, STORE_RH_REASON_MAX, &reason,
                               rq->ctx.errors)) {
            http_fail(rq, rs, IPS_ERR_INVALID);
            json_decref(body);
            return;
        }
    }
    struct store_agent_auth a;
    ips_status st = rights_auth_revoke(&rq->ctx, id, reason, &a);
    http_reply(rq, rs, st, 200, st ? NULL : h__view_auth(&a));
    json_decref(body);
}

/* ---- rights ---------------------------------------------------------------------------- */

void h_rights_register(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_RIGHT_REGISTER))
        return;
    json_t *meta = h__part_json(rq, rs, "right");
    if (!meta)
        return;
    struct rights_upload files[HTTP_MAX_PARTS];
    int n = 0;
    for (int i = 0; i < rq->n_parts; i++) {
        const struct http_part *p = &rq->parts[i];
        if (strcmp(p->name, "right") == 0)
            continue;
        files[n].role = p->name;
        files[n].data = p->data.data ? p->data.data : "";
        files[n].len = p->data.len;
        n++;
    }
    struct rights_right *r = malloc(sizeof *r);
    ips_status st = r ? rights_right_register(&rq->ctx, meta, files, n, r) : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 201, st ? NULL : h__view_right(r, true));
    free(r);
    json_decref(meta);
}

static ips_status h__right_take(const struct rights_right *r, void *arg)
{
    http_page_take(arg, h__view_right(r, false), r->rec.id);
    return IPS_OK;
}

void h_rights_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    struct store_right_filter f = {http_query(rq, "status"), http_query(rq, "kind"),
                                   http_query(rq, "org_id"), NULL, NULL};
    ips_status st = rights_right_list(&rq->ctx, &f, cursor, acc.limit + 1, h__right_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_rights_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct rights_right *r = malloc(sizeof *r);
    ips_status st = r ? rights_right_get(&rq->ctx, id, r) : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 200, st ? NULL : h__view_right(r, true));
    free(r);
}

void h_rights_decide(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_RIGHT_DECIDE))
        return;
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    const char *reason = NULL;
    bool verify = false;
    if (!id || !http_body_decision(rq, rs, "verified", "rejected", &verify, &body, &reason))
        return;
    struct rights_right *r = malloc(sizeof *r);
    ips_status st = r ? rights_right_decide(&rq->ctx, id, verify, reason, r) : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 200, st ? NULL : h__view_right(r, true));
    free(r);
    json_decref(body);
}

void h_rights_file(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    ips_status st = rights_file_read(&rq->ctx, id, rq->params[1], &data, &len, &info);
    if (st)
        http_fail(rq, rs, st);
    else
        h__send_file(rq, rs, data, len, &info);
}

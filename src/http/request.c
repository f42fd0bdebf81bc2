/* request.c — reading requests: query, headers, multipart and JSON bodies, pages. */
#include "http/http_internal.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "store/store_rights.h"

const char *http_query(struct http_req *rq, const char *key)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(struct http_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* libmicrohttpd's multipart parser calls this for every chunk of every
 * field; a chunk at offset 0 starts a new part. */
static enum MHD_Result request__part_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *filename, const char *content_type,
                                        const char *transfer_encoding, const char *data,
                                        uint64_t off, size_t size)
{
    (void)kind;
    (void)transfer_encoding;
    struct http_req *rq = cls;
    if (off == 0 || rq->n_parts == 0) {
        if (rq->n_parts >= HTTP_MAX_PARTS)
            return MHD_NO;
        struct http_part *p = &rq->parts[rq->n_parts++];
        p->name = arena_strdup(&rq->arena, key ? key : "");
        p->filename = arena_strdup(&rq->arena, filename);
        p->content_type = arena_strdup(&rq->arena, content_type);
        buf_init(&p->data, (size_t)rq->ctx.cfg->upload_max);
        if (!p->name)
            return MHD_NO;
    }
    struct http_part *p = &rq->parts[rq->n_parts - 1];
    return buf_append(&p->data, size ? data : "", size) == IPS_OK ? MHD_YES : MHD_NO;
}

ips_status http_multipart_parse(struct http_req *rq)
{
    struct MHD_PostProcessor *pp =
        MHD_create_post_processor(rq->conn, 64 * 1024, request__part_cb, rq);
    if (!pp)
        return IPS_ERR_MALFORMED;
    enum MHD_Result ok = MHD_post_process(pp, rq->body, rq->body_len);
    enum MHD_Result done = MHD_destroy_post_processor(pp);
    /* libmicrohttpd reads a body without one boundary line as zero fields:
     * a multipart body with no field at all is malformed for every route. */
    if (ok != MHD_YES || done != MHD_YES || rq->n_parts == 0)
        return IPS_ERR_MALFORMED;
    return IPS_OK;
}

bool http_body_object(struct http_req *rq, struct http_resp *rs, const char *const *allowed,
                      json_t **out)
{
    char err[200];
    json_t *v = NULL;
    ips_status st = json_parse_object(rq->body, rq->body_len, &v, err, sizeof err);
    if (st) {
        http_problem(rs, st, err, NULL);
        return false;
    }
    json_t *errors = json_array();
    json_reject_unknown(v, allowed, errors);
    if (json_array_size(errors) > 0) {
        json_decref(v);
        http_problem(rs, IPS_ERR_INVALID, "the request has fields this route does not take",
                     errors);
        return false;
    }
    json_decref(errors);
    *out = v;
    return true;
}

bool http_page(struct http_req *rq, struct http_resp *rs, int *limit_out,
               const char **cursor_out)
{
    const char *l = http_query(rq, "limit");
    const char *c = http_query(rq, "cursor");
    *limit_out = HTTP_PAGE_DEFAULT;
    *cursor_out = NULL;
    if (l) {
        int v = 0;
        size_t n = strlen(l);
        bool ok = n > 0 && n <= 4;
        for (size_t i = 0; ok && i < n; i++) {
            if (l[i] < '0' || l[i] > '9')
                ok = false;
            else
                v = v * 10 + (l[i] - '0');
        }
        if (!ok || v < 1 || v > HTTP_PAGE_MAX) {
            json_t *errors = json_array();
            json_error_add(errors, "limit", "must be an integer from 1 to 200");
            http_problem(rs, IPS_ERR_INVALID, "bad page size", errors);
            return false;
        }
        *limit_out = v;
    }
    if (c) {
        if (!*c || strlen(c) > 64) {
            http_bad_cursor(rs);
            return false;
        }
        *cursor_out = c;
    }
    return true;
}

void http_bad_cursor(struct http_resp *rs)
{
    json_t *errors = json_array();
    json_error_add(errors, "cursor", "is not a cursor this API gave out");
    http_problem(rs, IPS_ERR_INVALID, "bad cursor", errors);
}

bool http_page_by_id(struct http_req *rq, struct http_resp *rs, int *limit_out,
                     const char **cursor_out)
{
    if (!http_page(rq, rs, limit_out, cursor_out))
        return false;
    if (*cursor_out && !id_is_valid(*cursor_out)) {
        http_bad_cursor(rs);
        return false;
    }
    return true;
}

bool http_precheck(struct http_req *rq, struct http_resp *rs, enum access_action act)
{
    ips_status st = access_precheck(&rq->ctx, act, rq->path);
    if (st)
        http_fail(rq, rs, st);
    return st == IPS_OK;
}

const char *http_param_id(struct http_req *rq, struct http_resp *rs, int i)
{
    if (i >= rq->n_params || !id_is_valid(rq->params[i])) {
        http_problem(rs, IPS_ERR_NOT_FOUND, "no such object", NULL);
        return NULL;
    }
    return rq->params[i];
}

bool http_body_decision(struct http_req *rq, struct http_resp *rs, const char *yes, const char *no,
                        bool *out_yes, json_t **body, const char **reason)
{
    static const char *const allowed[] = {"decision", "reason", NULL};
    *body = NULL;
    if (!http_body_object(rq, rs, allowed, body))
        return false;
    const char *d = NULL;
    json_t *e = rq->ctx.errors;
    bool ok = json_field_string(*body, "decision", true, STORE_KIND_MAX, &d, e);
    ok = json_field_string(*body, "reason", true, STORE_RH_REASON_MAX, reason, e) && ok;
    if (d && strcmp(d, yes) != 0 && strcmp(d, no) != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be %s or %s", yes, no);
        json_error_add(e, "decision", msg);
        ok = false;
    }
    if (!ok) {
        json_decref(*body);
        *body = NULL;
        http_fail(rq, rs, IPS_ERR_INVALID);
        return false;
    }
    *out_yes = strcmp(d, yes) == 0;
    return true;
}

const struct http_part *http_part_get(const struct http_req *rq, const char *name)
{
    for (int i = 0; i < rq->n_parts; i++)
        if (rq->parts[i].name && strcmp(rq->parts[i].name, name) == 0)
            return &rq->parts[i];
    return NULL;
}

const char *http_part_text(const struct http_req *rq, const char *name)
{
    const struct http_part *p = http_part_get(rq, name);
    if (!p)
        return NULL;
    return p->data.data ? p->data.data : "";
}

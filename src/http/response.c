/* response.c — JSON and problem+json answers; see http_internal.h. */
#include "http/http_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

void http_header_add(struct http_resp *rs, const char *name, const char *value)
{
    if (rs->n_headers >= HTTP_MAX_HEADERS)
        return;
    char *v = strdup(value);
    if (!v)
        return;
    rs->headers[rs->n_headers].name = name;
    rs->headers[rs->n_headers].value = v;
    rs->n_headers++;
}

void http_json(struct http_resp *rs, int status, json_t *v)
{
    rs->status = status;
    rs->content_type = "application/json";
    buf_release(&rs->body);
    char *text = v ? json_dump_compact(v) : NULL;
    json_decref(v);
    if (!text) {
        rs->status = 503;
        rs->content_type = "application/problem+json";
        static const char oom[] =
            "{\"type\":\"/problems/out-of-memory\",\"title\":\"out of memory\",\"status\":503}";
        buf_append(&rs->body, oom, sizeof oom - 1);
        return;
    }
    if (buf_append(&rs->body, text, strlen(text)) != IPS_OK)
        rs->status = 503;
    free(text);
}

void http_problem(struct http_resp *rs, ips_status st, const char *detail, json_t *errors)
{
    char type[64];
    snprintf(type, sizeof type, "/problems/%s", ips_status_slug(st));
    int status = ips_status_http(st);
    json_t *p = json_pack("{s:s, s:s, s:i}", "type", type, "title", ips_status_message(st),
                          "status", status);
    if (p && detail && *detail)
        json_object_set_new(p, "detail", json_string(detail));
    if (p && errors && json_array_size(errors) > 0)
        json_object_set(p, "errors", errors);
    json_decref(errors);
    http_json(rs, status, p);
    rs->content_type = "application/problem+json";
}

void http_fail(struct http_req *rq, struct http_resp *rs, ips_status st)
{
    const char *detail = rq->ctx.detail[0] ? rq->ctx.detail : NULL;
    if (!detail && st == IPS_ERR_NOT_FOUND)
        detail = "no such object";
    if (!detail && st == IPS_ERR_INVALID)
        detail = "the request is not valid: see errors";
    json_t *errors = rq->ctx.errors;
    rq->ctx.errors = NULL;
    http_problem(rs, st, detail, errors);
}

void http_reply(struct http_req *rq, struct http_resp *rs, ips_status st, int status, json_t *v)
{
    if (st) {
        json_decref(v);
        http_fail(rq, rs, st);
        return;
    }
    http_json(rs, status, v);
}

bool http_send_body(struct http_req *rq, struct http_resp *rs, void *data, size_t len,
                    const char *mime)
{
    buf_release(&rs->body);
    if (buf_append(&rs->body, len ? data : "", len) != IPS_OK) {
        free(data);
        http_problem(rs, IPS_ERR_NOMEM, NULL, NULL);
        return false;
    }
    free(data);
    rs->status = 200;
    rs->content_type = arena_strdup(&rq->arena, mime);
    if (!rs->content_type)
        rs->content_type = "application/octet-stream";
    return true;
}

void http_send_file(struct http_req *rq, struct http_resp *rs, void *data, size_t len,
                    const char *mime, const char *filename)
{
    if (!http_send_body(rq, rs, data, len, mime))
        return;
    char disp[160];
    snprintf(disp, sizeof disp, "attachment; filename=\"%.100s\"", filename);
    http_header_add(rs, "Content-Disposition", disp);
}

void http_resp_release(struct http_resp *rs)
{
    buf_release(&rs->body);
    for (int i = 0; i < rs->n_headers; i++)
        free(rs->headers[i].value);
    rs->n_headers = 0;
}

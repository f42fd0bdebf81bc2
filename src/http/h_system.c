/* h_system.c — /healthz, /metrics, the OpenAPI document and portal files. */
#include "http/http_internal.h"

#include <string.h>

#include "core/embed.h"
#include "store/store.h"

extern const struct embed_file embed_web[];

void h_healthz(struct http_req *rq, struct http_resp *rs)
{
    int version = 0;
    ips_status st = store_schema_version(rq->ctx.store, &version);
    if (st) {
        http_problem(rs, IPS_ERR_BUSY, "the database does not answer", NULL);
        return;
    }
    http_json(rs, 200, json_pack("{s:s, s:i}", "status", "ok", "schema_version", version));
}

void h_metrics(struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    rs->status = 200;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    http_metrics_render(&rs->body);
}

static const char *h__mime(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    if (!strcmp(dot, ".html"))
        return "text/html; charset=utf-8";
    if (!strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    if (!strcmp(dot, ".js") || !strcmp(dot, ".mjs"))
        return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".json"))
        return "application/json";
    if (!strcmp(dot, ".svg"))
        return "image/svg+xml";
    return "application/octet-stream";
}

static void h__file(const struct embed_file *f, struct http_resp *rs)
{
    rs->status = 200;
    rs->content_type = h__mime(f->name);
    buf_release(&rs->body);
    if (buf_append(&rs->body, f->data, f->len) != IPS_OK)
        http_problem(rs, IPS_ERR_NOMEM, NULL, NULL);
}

void h_openapi(struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    const struct embed_file *f = embed_find(embed_web, "openapi.json");
    if (!f) {
        http_problem(rs, IPS_ERR_NOT_FOUND, "no OpenAPI document was built in", NULL);
        return;
    }
    h__file(f, rs);
}

bool h_static(const char *path, struct http_resp *rs)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    if (path[0] != '/' || strchr(path + 1, '/') || strcmp(path, "/openapi.json") == 0)
        return false;
    const struct embed_file *f = embed_find(embed_web, path + 1);
    if (!f)
        return false;
    h__file(f, rs);
    rs->cacheable = strcmp(path, "/index.html") != 0;
    return true;
}

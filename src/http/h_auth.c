/* h_auth.c — login, logout and /me. */
#include "http/http_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"

#define COOKIE_NAME "iprs_session"

static json_t *h__me_view(struct http_req *rq, const struct access_principal *p)
{
    struct store_user u;
    struct store_org o;
    struct ips_ctx ctx = rq->ctx;
    ctx.actor = p;
    if (access_user_get(&ctx, p->user_id, &u) != IPS_OK ||
        access_org_get(&ctx, p->org_id, &o) != IPS_OK)
        return NULL;
    json_t *v = json_object();
    json_object_set_new(v, "user", http_view_user(&u));
    json_object_set_new(v, "org", http_view_org(&o));
    json_object_set_new(v, "csrf_token", p->via == VIA_SESSION ? json_string(p->csrf)
                                                                : json_null());
    return v;
}

void h_login(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"email", "password", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    const char *email, *password;
    json_t *errors = json_array();
    bool ok = json_field_string(body, "email", true, 1024, &email, errors);
    ok = json_field_string(body, "password", true, 1024, &password, errors) && ok;
    if (!ok) {
        http_problem(rs, IPS_ERR_INVALID, "email and password are required", errors);
        goto out_body;
    }
    json_decref(errors);
    char secret[64];
    struct access_principal p;
    int retry_after = 0;
    ips_status st = access_login(&rq->ctx, email, password, secret, &p, &retry_after);
    if (st) {
        http_fail(rq, rs, st);
        if (st == IPS_ERR_RATE_LIMITED) {
            char ra[24];
            snprintf(ra, sizeof ra, "%d", retry_after);
            http_header_add(rs, "Retry-After", ra);
        }
        goto out_body;
    }
    json_t *view = h__me_view(rq, &p);
    if (!view) {
        http_problem(rs, IPS_ERR_DB, NULL, NULL);
        goto out_body;
    }
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
             secret, (long long)rq->ctx.cfg->session_ttl,
             rq->ctx.cfg->secure_cookies ? "; Secure" : "");
    http_header_add(rs, "Set-Cookie", cookie);
    http_json(rs, 200, view);
out_body:
    json_decref(body);
}

void h_logout(struct http_req *rq, struct http_resp *rs)
{
    ips_status st = access_logout(&rq->ctx);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    http_header_add(rs, "Set-Cookie", COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    rs->status = 204;
}

void h_me(struct http_req *rq, struct http_resp *rs)
{
    ips_status st = access_authorize(&rq->principal, ACT_ME_READ, NULL);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    json_t *v = h__me_view(rq, &rq->principal);
    if (!v) {
        http_problem(rs, IPS_ERR_UNAUTHENTICATED, NULL, NULL);
        return;
    }
    http_json(rs, 200, v);
}

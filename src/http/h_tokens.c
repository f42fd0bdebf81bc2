/* h_tokens.c — /api/v1/tokens: the acting user's API tokens. */
#include "http/http_internal.h"

#include <sodium.h>

#include "core/json.h"

static ips_status h__token_take(const struct store_token *t, void *arg)
{
    http_page_take(arg, http_view_token(t), t->id);
    return IPS_OK;
}

void h_tokens_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = access_token_list(&rq->ctx, cursor, acc.limit + 1, h__token_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_tokens_create(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"name", "expires_in_days", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    const char *name;
    int64_t days = 0;
    json_t *e = rq->ctx.errors;
    bool ok = json_field_string(body, "name", true, STORE_NAME_MAX, &name, e);
    ok = json_field_int(body, "expires_in_days", false, 1, 3650, &days, NULL, e) && ok;
    ips_status st = IPS_ERR_INVALID;
    struct store_token t;
    char secret[64];
    if (ok)
        st = access_token_create(&rq->ctx, NULL, name, days, &t, secret);
    if (st) {
        http_fail(rq, rs, st);
    } else {
        json_t *v = http_view_token(&t);
        json_object_set_new(v, "token", json_string(secret));
        sodium_memzero(secret, sizeof secret);
        http_json(rs, 201, v);
    }
    json_decref(body);
}

void h_tokens_revoke(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    ips_status st = access_token_revoke(&rq->ctx, id);
    if (st)
        http_fail(rq, rs, st);
    else
        rs->status = 204;
}

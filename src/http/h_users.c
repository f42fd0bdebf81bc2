/* h_users.c — /api/v1/users. */
#include "http/http_internal.h"

#include "core/json.h"

static ips_status h__user_take(const struct store_user *u, void *arg)
{
    http_page_take(arg, http_view_user(u), u->id);
    return IPS_OK;
}

void h_users_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = access_user_list(&rq->ctx, cursor, acc.limit + 1, h__user_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_users_create(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_USER_CREATE))
        return;
    static const char *const allowed[] = {"email", "password", "role", "org_id", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    const char *email, *password, *role, *org_id;
    json_t *e = rq->ctx.errors;
    bool ok = json_field_string(body, "email", true, STORE_EMAIL_MAX, &email, e);
    ok = json_field_string(body, "password", true, ACCESS_PASSWORD_MAX, &password, e) && ok;
    ok = json_field_string(body, "role", true, STORE_KIND_MAX, &role, e) && ok;
    ok = json_field_string(body, "org_id", true, ID_LEN, &org_id, e) && ok;
    ips_status st = IPS_ERR_INVALID;
    struct store_user u;
    if (ok)
        st = access_user_create(&rq->ctx, email, password, role, org_id, &u);
    http_reply(rq, rs, st, 201, st ? NULL : http_view_user(&u));
    json_decref(body);
}

void h_users_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_user u;
    ips_status st = access_user_get(&rq->ctx, id, &u);
    http_reply(rq, rs, st, 200, st ? NULL : http_view_user(&u));
}

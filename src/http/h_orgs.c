/* h_orgs.c — /api/v1/orgs. */
#include "http/http_internal.h"

#include "core/json.h"

static ips_status h__org_take(const struct store_org *o, void *arg)
{
    http_page_take(arg, http_view_org(o), o->id);
    return IPS_OK;
}

void h_orgs_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = access_org_list(&rq->ctx, cursor, acc.limit + 1, h__org_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_orgs_create(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_ORG_CREATE))
        return;
    static const char *const allowed[] = {"name", "kind", NULL};
    json_t *body = NULL;
    if (!http_body_object(rq, rs, allowed, &body))
        return;
    const char *name, *kind;
    bool ok = json_field_string(body, "name", true, STORE_NAME_MAX, &name, rq->ctx.errors);
    ok = json_field_string(body, "kind", true, STORE_KIND_MAX, &kind, rq->ctx.errors) && ok;
    ips_status st = IPS_ERR_INVALID;
    struct store_org o;
    if (ok)
        st = access_org_create(&rq->ctx, name, kind, &o);
    http_reply(rq, rs, st, 201, st ? NULL : http_view_org(&o));
    json_decref(body);
}

void h_orgs_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_org o;
    ips_status st = access_org_get(&rq->ctx, id, &o);
    http_reply(rq, rs, st, 200, st ? NULL : http_view_org(&o));
}

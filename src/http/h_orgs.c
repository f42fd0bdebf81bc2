/* h_orgs.c — /api/v1/orgs. */
#include "http/http_internal.h"

#include "core/json.h"

static ips_status h__org_take(const struct store_org *o, void *arg)
{
    http_page_take(arg, http_view_org(o), o->id);
    return IPS_OK;
}

/* Shared by the list handlers whose cursor is an id. */
static bool h__id_cursor_ok(struct http_resp *rs, const char *cursor)
{
    if (cursor && !id_is_valid(cursor)) {
        json_t *errors = json_array();
        json_error_add(errors, "cursor", "is not a cursor this API gave out");
        http_problem(rs, IPS_ERR_INVALID, "bad cursor", errors);
        return false;
    }
    return true;
}

void h_orgs_list(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    if (!http_page(rq, rs, &limit, &cursor) || !h__id_cursor_ok(rs, cursor))
        return;
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    ips_status st = access_org_list(&rq->ctx, cursor, limit + 1, h__org_take, &acc);
    if (st) {
        json_decref(acc.items);
        http_fail(rq, rs, st);
        return;
    }
    http_json(rs, 200, http_page_finish(&acc));
}

void h_orgs_create(struct http_req *rq, struct http_resp *rs)
{
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
    if (st)
        http_fail(rq, rs, st);
    else
        http_json(rs, 201, http_view_org(&o));
    json_decref(body);
}

void h_orgs_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = http_param_id(rq, rs, 0);
    if (!id)
        return;
    struct store_org o;
    ips_status st = access_org_get(&rq->ctx, id, &o);
    if (st)
        http_fail(rq, rs, st);
    else
        http_json(rs, 200, http_view_org(&o));
}

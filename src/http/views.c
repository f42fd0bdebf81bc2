/* views.c — the JSON shapes of domain records in API answers. Secrets
 * (password hashes, token hashes) never appear in a view. */
#include "http/http_internal.h"

#include "core/timeutil.h"

#include <stdio.h>

json_t *http_view_time(int64_t ms)
{
    char t[TIME_RFC3339_LEN];
    if (ms <= 0 || time_format_rfc3339(ms, t, sizeof t) != IPS_OK)
        return json_null();
    return json_string(t);
}

json_t *http_view_org(const struct store_org *o)
{
    json_t *v = json_pack("{s:s, s:s, s:s}", "id", o->id, "name", o->name, "kind", o->kind);
    if (v)
        json_object_set_new(v, "created_at", http_view_time(o->created_ms));
    return v;
}

json_t *http_view_user(const struct store_user *u)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s}", "id", u->id, "email", u->email, "role",
                          u->role, "org_id", u->org_id);
    if (v)
        json_object_set_new(v, "created_at", http_view_time(u->created_ms));
    return v;
}

json_t *http_view_token(const struct store_token *t)
{
    json_t *v = json_pack("{s:s, s:s}", "id", t->id, "name", t->name);
    if (v) {
        json_object_set_new(v, "created_at", http_view_time(t->created_ms));
        json_object_set_new(v, "expires_at", http_view_time(t->expires_ms));
        json_object_set_new(v, "revoked_at", http_view_time(t->revoked_ms));
    }
    return v;
}

void http_page_begin(struct http_page_acc *acc, int limit)
{
    acc->items = json_array();
    acc->last[0] = '\0';
    acc->count = 0;
    acc->limit = limit;
    acc->more = false;
}

bool http_page_take(struct http_page_acc *acc, json_t *item, const char *cursor)
{
    if (acc->count >= acc->limit) {
        acc->more = true;
        json_decref(item);
        return false;
    }
    json_array_append_new(acc->items, item);
    snprintf(acc->last, sizeof acc->last, "%s", cursor);
    acc->count++;
    return true;
}

json_t *http_page_finish(struct http_page_acc *acc)
{
    json_t *next = acc->more ? json_string(acc->last) : json_null();
    return json_pack("{s:o, s:o}", "items", acc->items, "next_cursor", next);
}

void http_page_respond(struct http_req *rq, struct http_resp *rs, struct http_page_acc *acc,
                       ips_status st)
{
    if (st) {
        json_decref(acc->items);
        acc->items = NULL;
        http_fail(rq, rs, st);
        return;
    }
    http_json(rs, 200, http_page_finish(acc));
}

bool http_page_open(struct http_req *rq, struct http_resp *rs, struct http_page_acc *acc,
                    const char **cursor_out)
{
    int limit;
    if (!http_page_by_id(rq, rs, &limit, cursor_out))
        return false;
    http_page_begin(acc, limit);
    return true;
}

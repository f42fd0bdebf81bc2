/*
 * h_catalog.c — /api/v1/listings: list, search (?q=), create, read with
 * versions, update. Each handler parses, calls one catalog_* function and
 * renders JSON; access and validation are the domain's.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "http/http_internal.h"

/* Versions embedded in GET /api/v1/listings/{id}, newest first. */
#define H_CATALOG_VERSIONS_MAX 100

/* Fields of a listing body (POST takes id too; PUT does not). */
static const char *const h_catalog_fields[] = {"id",       "title",    "description", "price",
                                               "currency", "category", "images",      "ship_from",
                                               "units_sold", NULL};

/* The content of a version as JSON (without the listing's own fields). */
static void h_catalog_version_into(json_t *o, const struct store_listing_version *v)
{
    char price[48], hex[2 * STORE_HASH_LEN + 1];
    catalog_price_format(v->price_minor, v->currency, price, sizeof price);
    sodium_bin2hex(hex, sizeof hex, v->content_hash, STORE_HASH_LEN);
    json_t *images = json_loads(v->images, 0, NULL);
    json_object_set_new(o, "version", json_integer(v->version));
    json_object_set_new(o, "title", json_string(v->title));
    json_object_set_new(o, "description", json_string(v->description));
    json_object_set_new(o, "price", json_string(price));
    json_object_set_new(o, "price_minor", json_integer(v->price_minor));
    json_object_set_new(o, "currency", json_string(v->currency));
    json_object_set_new(o, "category", json_string(v->category));
    json_object_set_new(o, "images", images ? images : json_array());
    json_object_set_new(o, "ship_from", v->ship_from[0] ? json_string(v->ship_from) : json_null());
    json_object_set_new(o, "units_sold", json_integer(v->units_sold));
    json_object_set_new(o, "content_hash", json_string(hex));
}

/* A listing with its current version. */
static json_t *h_catalog_view(const struct store_listing *l, const struct store_listing_version *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(l->id));
    json_object_set_new(o, "seller_org_id", json_string(l->seller_org_id));
    json_object_set_new(o, "seller_name", json_string(l->seller_name));
    json_object_set_new(o, "state", json_string(l->state));
    /* why the listing is off the marketplace now (seller suspended or
     * terminated), null when it is not */
    json_object_set_new(o, "hidden", l->hidden[0] ? json_string(l->hidden) : json_null());
    h_catalog_version_into(o, v);
    json_object_set_new(o, "created", http_view_time(l->created_ms));
    json_object_set_new(o, "updated", http_view_time(l->updated_ms));
    return o;
}

static ips_status h_catalog_take(const struct store_listing *l,
                                 const struct store_listing_version *v, void *arg)
{
    http_page_take(arg, h_catalog_view(l, v), l->id);
    return IPS_OK;
}

/* Search results: the cursor is "o" and the offset of the next result. */
struct h_catalog_search {
    struct http_page_acc acc;
    int64_t offset;
};

static ips_status h_catalog_search_take(const struct store_listing *l,
                                        const struct store_listing_version *v, void *arg)
{
    struct h_catalog_search *s = arg;
    char cursor[32];
    s->offset++;
    snprintf(cursor, sizeof cursor, "o%" PRId64, s->offset);
    http_page_take(&s->acc, h_catalog_view(l, v), cursor);
    return IPS_OK;
}

/* Parse a search cursor "o<offset>". */
static bool h_catalog_offset(const char *cursor, int64_t *out)
{
    *out = 0;
    if (!cursor)
        return true;
    if (cursor[0] != 'o' || !cursor[1] || strlen(cursor) > 10)
        return false;
    int64_t v = 0;
    for (const char *p = cursor + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return true;
}

void h_listings_list(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    if (!http_page(rq, rs, &limit, &cursor))
        return;
    const char *q = http_query(rq, "q");
    ips_status st;
    if (q) {
        struct h_catalog_search s;
        if (!h_catalog_offset(cursor, &s.offset)) {
            http_bad_cursor(rs);
            return;
        }
        http_page_begin(&s.acc, limit);
        st = catalog_listing_search(&rq->ctx, q, s.offset, limit + 1, h_catalog_search_take, &s);
        if (st) {
            json_decref(s.acc.items);
            http_fail(rq, rs, st);
            return;
        }
        http_json(rs, 200, http_page_finish(&s.acc));
        return;
    }
    if (cursor && !catalog_id_valid(cursor)) {
        http_bad_cursor(rs);
        return;
    }
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    st = catalog_listing_list(&rq->ctx, cursor, limit + 1, h_catalog_take, &acc);
    if (st) {
        json_decref(acc.items);
        http_fail(rq, rs, st);
        return;
    }
    http_json(rs, 200, http_page_finish(&acc));
}

void h_listings_create(struct http_req *rq, struct http_resp *rs)
{
    json_t *body = NULL;
    if (!http_body_object(rq, rs, h_catalog_fields, &body))
        return;
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    ips_status st = v ? catalog_listing_create(&rq->ctx, body, &l, v) : IPS_ERR_NOMEM;
    http_reply(rq, rs, st, 201, st ? NULL : h_catalog_view(&l, v));
    free(v);
    json_decref(body);
}

static ips_status h_catalog_version_take(const struct store_listing_version *v, void *arg)
{
    json_t *o = json_object();
    h_catalog_version_into(o, v);
    json_object_set_new(o, "created", http_view_time(v->created_ms));
    json_array_append_new(arg, o);
    return IPS_OK;
}

void h_listings_get(struct http_req *rq, struct http_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    json_t *versions = json_array();
    ips_status st = v && versions ? catalog_listing_get(&rq->ctx, id, &l, v, H_CATALOG_VERSIONS_MAX,
                                                        h_catalog_version_take, versions)
                                  : IPS_ERR_NOMEM;
    if (st) {
        json_decref(versions);
        http_fail(rq, rs, st);
    } else {
        json_t *o = h_catalog_view(&l, v);
        json_object_set_new(o, "version_count", json_integer(l.current_version));
        json_object_set_new(o, "versions", versions);
        http_json(rs, 200, o);
    }
    free(v);
}

void h_listings_update(struct http_req *rq, struct http_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    json_t *body = NULL;
    if (!http_body_object(rq, rs, h_catalog_fields + 1, &body))
        return;
    struct store_listing l;
    bool changed = false;
    struct store_listing_version *v = malloc(sizeof *v);
    ips_status st = v ? catalog_listing_update(&rq->ctx, id, body, &l, v, &changed) : IPS_ERR_NOMEM;
    if (st) {
        http_fail(rq, rs, st);
    } else {
        json_t *o = h_catalog_view(&l, v);
        json_object_set_new(o, "changed", json_boolean(changed));
        http_json(rs, 200, o);
    }
    free(v);
    json_decref(body);
}

/*
 * h_profiles.c — /api/v1/profiles/{org_id}: a right holder's protection
 * profile (src/profile/profile.h). Handlers parse, call one profile_*
 * function and render; access and validation are the domain's.
 */
#include "http/http_internal.h"

#include <string.h>

#include "core/json.h"
#include "profile/profile.h"

/* ---- views ------------------------------------------------------------------------- */

static json_t *h__view_image(const struct store_profile_image *im)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:I}", "sha256", im->sha256, "kind", im->kind,
                          "label", im->label, "mime", im->mime, "size", (json_int_t)im->size);
    if (v)
        json_object_set_new(v, "created_at", http_view_time(im->created_ms));
    return v;
}

/* Collects the parts of GET /profiles/{org_id} into one object. */
static ips_status h__take_term(const struct store_profile_term *t, void *arg)
{
    json_t *variants = json_array();
    for (int i = 0; i < t->n_variants; i++)
        json_array_append_new(variants, json_string(t->variants[i]));
    json_array_append_new(json_object_get(arg, "terms"),
                          json_pack("{s:s, s:o}", "term", t->term, "variants", variants));
    return IPS_OK;
}

static ips_status h__take_image(const struct store_profile_image *im, void *arg)
{
    json_array_append_new(json_object_get(arg, "images"), h__view_image(im));
    return IPS_OK;
}

static ips_status h__take_price(const struct store_profile_price *p, void *arg)
{
    json_array_append_new(json_object_get(arg, "prices"),
                          json_pack("{s:s, s:s, s:I}", "category", p->category, "currency",
                                    p->currency, "min_minor", (json_int_t)p->min_minor));
    return IPS_OK;
}

static ips_status h__take_seller(const struct store_profile_seller *se, void *arg)
{
    json_array_append_new(json_object_get(arg, "authorised_sellers"),
                          json_pack("{s:s, s:s}", "org_id", se->seller_org_id, "name",
                                    se->seller_name));
    return IPS_OK;
}

/* GET /profiles/{org_id}/images/{sha256}: the image bytes, typed as stored. */
void h_profiles_image_get(struct http_req *rq, struct http_resp *rs)
{
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    void *data = NULL;
    size_t len = 0;
    struct store_profile_image im;
    ips_status st = profile_image_read(&rq->ctx, org_id, rq->params[1], &data, &len, &im);
    if (st)
        http_fail(rq, rs, st);
    else
        http_send_file(rq, rs, data, len, im.mime, im.sha256);
}

void h_profiles_get(struct http_req *rq, struct http_resp *rs)
{
    static const struct profile_visitor visit = {h__take_term, h__take_image, h__take_price,
                                                 h__take_seller};
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    json_t *v = json_pack("{s:s, s:[], s:[], s:[], s:[]}", "org_id", org_id, "terms", "images",
                          "prices", "authorised_sellers");
    if (!v) {
        http_fail(rq, rs, IPS_ERR_NOMEM);
        return;
    }
    int64_t updated = 0;
    ips_status st = profile_read(&rq->ctx, org_id, &visit, v, &updated);
    if (st) {
        json_decref(v);
        http_fail(rq, rs, st);
        return;
    }
    json_object_set_new(v, "updated_at", http_view_time(updated));
    http_json(rs, 200, v);
}

/* ---- replacing lists ------------------------------------------------------------------ */

typedef ips_status (*h__list_set_fn)(struct ips_ctx *ctx, const char *org_id, json_t *list);

/* PUT with a body {member: [...]}: parse, call set, answer 204. */
static void h__list_put(struct http_req *rq, struct http_resp *rs, const char *member,
                        h__list_set_fn set)
{
    const char *const allowed[] = {member, NULL};
    const char *org_id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!org_id || !http_body_object(rq, rs, allowed, &body))
        return;
    /* a missing member is the domain's to report, after its access check */
    ips_status st = set(&rq->ctx, org_id, json_object_get(body, member));
    if (st)
        http_fail(rq, rs, st);
    else
        rs->status = 204;
    json_decref(body);
}

void h_profiles_terms_put(struct http_req *rq, struct http_resp *rs)
{
    h__list_put(rq, rs, "terms", profile_terms_set);
}

void h_profiles_prices_put(struct http_req *rq, struct http_resp *rs)
{
    h__list_put(rq, rs, "prices", profile_prices_set);
}

void h_profiles_sellers_put(struct http_req *rq, struct http_resp *rs)
{
    h__list_put(rq, rs, "seller_org_ids", profile_sellers_set);
}

/* ---- images ------------------------------------------------------------------------------ */

void h_profiles_image_add(struct http_req *rq, struct http_resp *rs)
{
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    const struct http_part *image = http_part_get(rq, "image");
    const struct http_part *meta_part = http_part_get(rq, "meta");
    json_t *meta = NULL;
    if (meta_part) {
        char err[200];
        ips_status pst = json_parse_bytes(meta_part->data.data, meta_part->data.len, &meta, err,
                                          sizeof err);
        if (pst) {
            char detail[240];
            snprintf(detail, sizeof detail, "meta: %s", err);
            http_problem(rs, pst, detail, NULL);
            return;
        }
    }
    /* missing parts are the domain's to report, after its access check */
    struct store_profile_image im;
    ips_status st = profile_image_add(&rq->ctx, org_id, image ? image->data.data : NULL,
                                      image ? image->data.len : 0, meta, &im);
    json_decref(meta);
    http_reply(rq, rs, st, 201, st ? NULL : h__view_image(&im));
}

void h_profiles_image_delete(struct http_req *rq, struct http_resp *rs)
{
    const char *org_id = http_param_id(rq, rs, 0);
    if (!org_id)
        return;
    ips_status st = profile_image_delete(&rq->ctx, org_id, rq->n_params > 1 ? rq->params[1] : "");
    if (st)
        http_fail(rq, rs, st);
    else
        rs->status = 204;
}

/*
 * h_enforce.c — enforcement over HTTP (src/enforce/enforce.h): a seller's
 * strikes and penalty level, strikes added by reviewers, lifting a
 * ban-evasion suspension, the network view, banning a network, and the list
 * of ban-evasion flags. Handlers parse, call one enforce_* function and
 * render; access and validation are the domain's.
 */
#include "http/http_internal.h"

#include <string.h>

#include "core/json.h"
#include "enforce/enforce.h"

/* Read {reason[, listing_id]} from the body. OUT *body (new reference),
 * *reason and *listing_id (point into it; listing_id may be NULL). On failure
 * the problem is written and false returned. */
static bool h__reason_body(struct http_req *rq, struct http_resp *rs, bool with_listing,
                           json_t **body, const char **reason, const char **listing_id)
{
    static const char *const with[] = {"reason", "listing_id", NULL};
    static const char *const without[] = {"reason", NULL};
    if (!http_body_object(rq, rs, with_listing ? with : without, body))
        return false;
    *reason = NULL;
    if (listing_id)
        *listing_id = NULL;
    bool ok =
        json_field_string(*body, "reason", true, STORE_ENFORCE_REASON_MAX, reason, rq->ctx.errors);
    if (with_listing)
        ok = json_field_string(*body, "listing_id", false, STORE_ENFORCE_LISTING_MAX, listing_id,
                               rq->ctx.errors) &&
             ok;
    if (!ok) {
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "the request body is not valid");
        http_fail(rq, rs, IPS_ERR_INVALID);
        json_decref(*body);
        *body = NULL;
    }
    return ok;
}

void h_enforce_seller_get(struct http_req *rq, struct http_resp *rs)
{
    const char *org = http_param_id(rq, rs, 0);
    if (!org)
        return;
    json_t *out = NULL;
    ips_status st = enforce_seller_get(&rq->ctx, org, &out);
    http_reply(rq, rs, st, 200, out);
}

void h_enforce_strike_add(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_ENFORCE_STRIKE_ADD))
        return;
    const char *org = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    const char *reason, *listing_id;
    if (!org || !h__reason_body(rq, rs, true, &body, &reason, &listing_id))
        return;
    char id[ID_SIZE];
    ips_status st = enforce_strike_add(&rq->ctx, org, listing_id, reason, "reviewer",
                                       access_principal_actor(rq->ctx.actor), id);
    json_t *out = NULL;
    if (st == IPS_OK)
        st = enforce_seller_get(&rq->ctx, org, &out);
    if (out)
        json_object_set_new(out, "strike_id", json_string(id));
    http_reply(rq, rs, st, 201, out);
    json_decref(body);
}

void h_enforce_penalty_lift(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_ENFORCE_LIFT))
        return;
    const char *id = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    const char *reason;
    if (!id || !h__reason_body(rq, rs, false, &body, &reason, NULL))
        return;
    ips_status st = enforce_penalty_lift(&rq->ctx, id, reason);
    http_reply(rq, rs, st, 200, st ? NULL : json_pack("{s:s, s:b}", "id", id, "lifted", 1));
    json_decref(body);
}

void h_enforce_network_get(struct http_req *rq, struct http_resp *rs)
{
    const char *org = http_param_id(rq, rs, 0);
    if (!org)
        return;
    json_t *out = NULL;
    ips_status st = enforce_network_get(&rq->ctx, org, &out);
    http_reply(rq, rs, st, 200, out);
}

void h_enforce_network_ban(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_NETWORK_BAN))
        return;
    const char *org = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    const char *reason;
    if (!org || !h__reason_body(rq, rs, false, &body, &reason, NULL))
        return;
    char nid[ID_SIZE];
    ips_status st = enforce_network_ban(&rq->ctx, org, reason, "reviewer",
                                        access_principal_actor(rq->ctx.actor), nid);
    json_t *out = NULL;
    if (st == IPS_OK)
        st = enforce_network_get(&rq->ctx, org, &out);
    http_reply(rq, rs, st, 200, out);
    json_decref(body);
}

static ips_status h__flag_take(const struct store_evasion_flag *f, void *arg)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", f->id, "seller_org_id",
                          f->seller_org_id, "network_id", f->network_id, "kinds", f->kinds,
                          "reason", f->reason, "created", http_view_time(f->created_ms));
    http_page_take(arg, o, f->id);
    return IPS_OK;
}

void h_enforce_flags_list(struct http_req *rq, struct http_resp *rs)
{
    struct http_page_acc acc;
    const char *cursor;
    const char *seller = http_query(rq, "seller");
    if (seller && !id_is_valid(seller)) {
        json_error_add(rq->ctx.errors, "seller", "must be a seller organisation id");
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "the query is not valid");
        http_fail(rq, rs, IPS_ERR_INVALID);
        return;
    }
    if (!http_page_open(rq, rs, &acc, &cursor))
        return;
    ips_status st = enforce_flag_list(&rq->ctx, seller, cursor ? cursor : "", acc.limit + 1,
                                      h__flag_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

/*
 * h_webhooks.c — PUT /api/v1/orgs/{id}/webhook (an admin sets an
 * organisation's endpoint; the secret is shown once, in this answer) and
 * GET /api/v1/webhooks/deliveries (the delivery log with every attempt).
 */
#include <sodium.h>
#include <string.h>

#include "core/json.h"
#include "http/http_internal.h"
#include "webhook/webhook.h"

void h_webhook_put(struct http_req *rq, struct http_resp *rs)
{
    if (!http_precheck(rq, rs, ACT_WEBHOOK_SET))
        return;
    static const char *const allowed[] = {"url", "secret", "overlap_seconds", NULL};
    const char *org = http_param_id(rq, rs, 0);
    json_t *body = NULL;
    if (!org || !http_body_object(rq, rs, allowed, &body))
        return;
    json_t *e = rq->ctx.errors;
    const char *url = NULL, *secret = NULL;
    bool ok = json_field_string(body, "url", true, STORE_WEBHOOK_URL_MAX, &url, e);
    ok = json_field_string(body, "secret", false, STORE_WEBHOOK_SECRET_MAX, &secret, e) && ok;
    int64_t overlap = -1; /* absent: the setting */
    ok = json_field_int(body, "overlap_seconds", false, 0, WEBHOOK_OVERLAP_MAX_S, &overlap, NULL,
                        e) &&
         ok;
    char secret_out[STORE_WEBHOOK_SECRET_MAX + 1];
    struct store_webhook_endpoint ep;
    ips_status st =
        ok ? webhook_endpoint_set(&rq->ctx, org, url, secret, overlap, secret_out, &ep) : IPS_ERR_INVALID;
    if (st) {
        http_fail(rq, rs, st);
    } else {
        http_json(rs, 200,
                  json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "org_id", ep.org_id, "url", ep.url,
                            "secret", secret_out, "signature_header", WEBHOOK_SIGNATURE_HEADER,
                            "updated", http_view_time(ep.updated_ms),
                            "previous_secret_valid_until",
                            ep.previous_secret[0] ? http_view_time(ep.previous_until_ms)
                                                  : json_null()));
        sodium_memzero(&ep, sizeof ep);
        sodium_memzero(secret_out, sizeof secret_out);
    }
    json_decref(body);
}

static ips_status h_webhook_take(const struct store_webhook_delivery *d, json_t *attempts,
                                 void *arg)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:o, s:I, s:s, s:o, s:O}", "id", d->id, "org_id", d->org_id,
        "event", d->event, "state", d->state, "attempts", (json_int_t)d->attempts, "next_attempt",
        strcmp(d->state, "pending") == 0 ? http_view_time(d->next_attempt_ms) : json_null(),
        "last_status", (json_int_t)d->last_status, "last_error", d->last_error, "created",
        http_view_time(d->created_ms), "log", attempts);
    http_page_take(arg, o, d->id);
    return IPS_OK;
}

void h_webhook_deliveries(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    if (!http_page_by_id(rq, rs, &limit, &cursor))
        return;
    const char *org = http_query(rq, "org_id");
    if (org && !id_is_valid(org)) {
        http_problem(rs, IPS_ERR_INVALID, "org_id is not an id", NULL);
        return;
    }
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    ips_status st = webhook_deliveries_list(&rq->ctx, org, cursor, limit + 1, h_webhook_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

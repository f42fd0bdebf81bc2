/*
 * tick.c — the deadlines of notice and action, acted on by the job thread
 * (src/jobs) about once a second, as the system. Every deadline is a column
 * (items.counter_deadline_ms, notices.review_deadline_ms,
 * notifier_status.suspended_until_ms), so one that passed while the server
 * was down is acted on at the first tick after the restart.
 *
 *   counter-notice window closed, no counter-notice: item taken_down ->
 *       upheld, a strike for the seller, the seller told;
 *   review SLA passed: the notice is marked sla_breached (it keeps its place
 *       at the head of the queue), audited, the notifier told;
 *   suspension over: recorded, audited, the notifier told.
 * Each action runs in its own transaction and re-checks its condition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "enforce/enforce.h"
#include "notices/notices_internal.h"

#define NOTICES__TICK_BATCH 100

struct notices__due_keys {
    char notice_id[NOTICES__TICK_BATCH][ID_SIZE];
    char listing_id[NOTICES__TICK_BATCH][STORE_NOTICE_LISTING_MAX + 1];
    int n;
};

static ips_status notices__due_item(const struct store_notice_item *it, void *arg)
{
    struct notices__due_keys *k = arg;
    if (k->n < NOTICES__TICK_BATCH) {
        memcpy(k->notice_id[k->n], it->notice_id, ID_SIZE);
        memcpy(k->listing_id[k->n], it->listing_id, sizeof k->listing_id[0]);
        k->n++;
    }
    return IPS_OK;
}

static ips_status notices__due_notice(const struct store_notice *n, void *arg)
{
    struct notices__due_keys *k = arg;
    if (k->n < NOTICES__TICK_BATCH)
        memcpy(k->notice_id[k->n++], n->id, ID_SIZE);
    return IPS_OK;
}

static ips_status notices__due_notifier(const struct store_notifier *n, void *arg)
{
    struct notices__due_keys *k = arg;
    if (k->n < NOTICES__TICK_BATCH)
        memcpy(k->notice_id[k->n++], n->org_id, ID_SIZE);
    return IPS_OK;
}

struct notices__tick_tx {
    const struct ips_ctx *ctx;
    const char *a, *b;
    int64_t now;
    struct store_notice n;
    struct store_notice_item it;
};

static ips_status notices__window_tx(struct store *s, void *arg)
{
    struct notices__tick_tx *t = arg;
    const struct config *cfg = t->ctx->cfg;
    ips_status st = store_notices_item_get(s, t->a, t->b, &t->it);
    if (st || (st = store_notices_notice_get(s, t->a, &t->n)))
        return st;
    if (strcmp(t->it.state, "taken_down") != 0 || t->it.counter_deadline_ms > t->now)
        return IPS_OK; /* someone acted first */
    if (!notices_item_transition_allowed(t->it.state, "upheld"))
        return IPS_ERR_INTERNAL;
    snprintf(t->it.state, sizeof t->it.state, "upheld");
    t->it.updated_ms = t->now;
    struct store_strike sk;
    memset(&sk, 0, sizeof sk);
    id_new(sk.id);
    memcpy(sk.seller_org_id, t->it.seller_org_id, ID_SIZE);
    memcpy(sk.notice_id, t->it.notice_id, ID_SIZE);
    memcpy(sk.listing_id, t->it.listing_id, sizeof sk.listing_id);
    snprintf(sk.reason, sizeof sk.reason, "no counter-notice within the window: takedown stands");
    sk.created_ms = t->now;
    sk.expires_ms =
        t->now + notices__span_ms(t->ctx, cfg ? cfg->strike_days : 365, NOTICES__DAY_MS);
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "notice:%s/%.64s", t->it.notice_id, t->it.listing_id);
    json_t *body = json_pack("{s:s, s:s, s:s}", "notice_id", t->it.notice_id, "listing_id",
                             t->it.listing_id, "state", "upheld");
    if (!body)
        return IPS_ERR_NOMEM;
    if ((st = store_notices_item_update(s, &t->it)) || (st = store_notices_strike_insert(s, &sk)) ||
        (st = enforce_strikes_changed(s, cfg, sk.seller_org_id, sk.reason, t->now)) ||
        (st = notices__notice_refresh(s, &t->n, t->now)) ||
        (st = notices__tell(s, t->it.seller_org_id, "notice.window_closed", t->it.notice_id,
                            "The counter-notice window closed: the takedown stands", body, t->now)))
        goto out_body;
    st = audit_append(s, "system", "notice_item.window_closed", object, AUDIT_OK,
                      "taken_down -> upheld (no counter-notice; strike)");
out_body:
    json_decref(body);
    return st;
}

static ips_status notices__sla_tx(struct store *s, void *arg)
{
    struct notices__tick_tx *t = arg;
    ips_status st = store_notices_notice_get(s, t->a, &t->n);
    if (st)
        return st;
    if (t->n.review_deadline_ms == 0 || t->n.review_deadline_ms > t->now || t->n.sla_breached)
        return IPS_OK;
    t->n.sla_breached = true;
    t->n.updated_ms = t->now;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "notice:%s", t->n.id);
    json_t *body = json_pack("{s:s}", "notice_id", t->n.id);
    if (!body)
        return IPS_ERR_NOMEM;
    if ((st = store_notices_notice_update(s, &t->n)) ||
        (st =
             notices__tell(s, t->n.notifier_org_id, "notice.sla_breached", t->n.id,
                           "Your notice is waiting longer than the review deadline", body, t->now)))
        goto out_body;
    st = audit_append(s, "system", "notice.sla_breached", object, AUDIT_OK,
                      "review deadline passed");
out_body:
    json_decref(body);
    return st;
}

static ips_status notices__suspension_tx(struct store *s, void *arg)
{
    struct notices__tick_tx *t = arg;
    struct store_notifier ns;
    ips_status st = store_notices_notifier_get(s, t->a, &ns);
    if (st)
        return st;
    if (!ns.suspension_open || ns.suspended_until_ms > t->now)
        return IPS_OK;
    ns.suspension_open = false;
    ns.updated_ms = t->now;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", ns.org_id);
    json_t *body = json_pack("{s:s}", "event", "notifier.suspension_lifted");
    if (!body)
        return IPS_ERR_NOMEM;
    if ((st = store_notices_notifier_put(s, &ns)) ||
        (st = notices__tell(s, ns.org_id, "notifier.suspension_lifted", NULL,
                            "Your suspension from notifying has ended", body, t->now)))
        goto out_body;
    st = audit_append(s, "system", "notifier.suspension_lifted", object, AUDIT_OK, "");
out_body:
    json_decref(body);
    return st;
}

ips_status notices_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    struct notices__due_keys *k = calloc(1, sizeof *k);
    struct notices__tick_tx *t = calloc(1, sizeof *t);
    ips_status st = IPS_OK;
    if (!k || !t) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    t->ctx = ctx;
    t->now = now_ms;
    if ((st =
             store_notices_item_due(ctx->store, now_ms, NOTICES__TICK_BATCH, notices__due_item, k)))
        goto out_free;
    for (int i = 0; i < k->n && st == IPS_OK; i++) {
        t->a = k->notice_id[i];
        t->b = k->listing_id[i];
        st = store_tx_run(ctx->store, notices__window_tx, t);
    }
    k->n = 0;
    if (st || (st = store_notices_sla_due(ctx->store, now_ms, NOTICES__TICK_BATCH,
                                          notices__due_notice, k)))
        goto out_free;
    for (int i = 0; i < k->n && st == IPS_OK; i++) {
        t->a = k->notice_id[i];
        st = store_tx_run(ctx->store, notices__sla_tx, t);
    }
    k->n = 0;
    if (st || (st = store_notices_notifier_suspension_due(ctx->store, now_ms, NOTICES__TICK_BATCH,
                                                          notices__due_notifier, k)))
        goto out_free;
    for (int i = 0; i < k->n && st == IPS_OK; i++) {
        t->a = k->notice_id[i];
        st = store_tx_run(ctx->store, notices__suspension_tx, t);
    }
out_free:
    if (st)
        log_warn("notices: a deadline action failed", "status", ips_status_slug(st));
    free(t);
    free(k);
    return st;
}

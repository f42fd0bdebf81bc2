/*
 * decide.c — what happens after submission: the reviewer's decision on a
 * queued notice, the seller's counter-notice and the reviewer's decision on
 * it, and the one appeal per item (DSA Art. 20) decided by another reviewer.
 *
 * Each action is one transaction: the item and notice changes (checked
 * against the state table, notices_item_transition_allowed), the listing
 * state change (catalog_listing_set_state with a system copy of the ctx:
 * the reviewer's decision is the authority, and the reviewer is named in the
 * notice's own audit event), strikes, messages to both parties, the
 * re-evaluation of the notifier, and the audit event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/config.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "enforce/enforce.h"
#include "notices/notices_internal.h"
#include "store/store_catalog.h"
#include "webhook/webhook.h"

/* Everything one decision transaction needs; heap-allocated (records are
 * large). */
struct notices__act {
    struct ips_ctx *ctx;
    struct ips_ctx sys;
    struct access_principal sys_p;
    const char *notice_id, *listing_id, *decision, *reason, *explanation;
    json_t *list; /* reject_listings / evidence_urls (borrowed) */
    int64_t now, window_ms, sla_ms, strike_ms;
    struct store_notice n;
    struct store_notice_item it;
};

static struct notices__act *notices__act_new(struct ips_ctx *ctx)
{
    struct notices__act *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    const struct config *cfg = ctx->cfg;
    a->ctx = ctx;
    a->sys = *ctx;
    access_principal_system(&a->sys_p);
    a->sys.actor = &a->sys_p;
    a->now = time_now_ms();
    a->window_ms = notices__span_ms(ctx, cfg ? cfg->counter_notice_days : 3, NOTICES__DAY_MS);
    a->sla_ms = notices__span_ms(ctx, cfg ? cfg->review_sla_hours : 24, NOTICES__HOUR_MS);
    a->strike_ms = notices__span_ms(ctx, cfg ? cfg->strike_days : 365, NOTICES__DAY_MS);
    return a;
}

/* Set ctx->detail (printf-style) and answer IPS_ERR_CONFLICT. */
static ips_status notices__conflict(struct ips_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static ips_status notices__conflict(struct ips_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->detail, sizeof ctx->detail, fmt, ap);
    va_end(ap);
    return IPS_ERR_CONFLICT;
}

/* Move the item to `to` if the state table allows it. */
static ips_status notices__item_move(struct notices__act *a, const char *to)
{
    if (!notices_item_transition_allowed(a->it.state, to)) {
        snprintf(a->ctx->detail, sizeof a->ctx->detail,
                 "the listing's item cannot go from %s to %s", a->it.state, to);
        return IPS_ERR_CONFLICT;
    }
    snprintf(a->it.state, sizeof a->it.state, "%s", to);
    a->it.updated_ms = a->now;
    return IPS_OK;
}

/* Take the listing down (live | reinstated -> taken_down) or reinstate it
 * (taken_down -> reinstated); a listing already in the wanted condition
 * (blocked or down by another notice) is left alone. */
static ips_status notices__listing(struct notices__act *a, const char *listing_id, bool down,
                                   const char *why)
{
    struct store_listing l;
    ips_status st = store_catalog_listing_get(a->ctx->store, listing_id, &l);
    if (st)
        return st;
    char reason[160];
    snprintf(reason, sizeof reason, "notice %s: %s", a->n.id, why);
    if (down && (strcmp(l.state, "live") == 0 || strcmp(l.state, "reinstated") == 0))
        return catalog_listing_set_state(&a->sys, listing_id, "taken_down", reason);
    if (!down && strcmp(l.state, "taken_down") == 0)
        return catalog_listing_set_state(&a->sys, listing_id, "reinstated", reason);
    return IPS_OK;
}

static ips_status notices__strike(struct notices__act *a, const char *why)
{
    struct store_strike sk;
    memset(&sk, 0, sizeof sk);
    id_new(sk.id);
    memcpy(sk.seller_org_id, a->it.seller_org_id, ID_SIZE);
    memcpy(sk.notice_id, a->n.id, ID_SIZE);
    memcpy(sk.listing_id, a->it.listing_id, sizeof sk.listing_id);
    snprintf(sk.reason, sizeof sk.reason, "%s", why);
    sk.created_ms = a->now;
    sk.expires_ms = a->now + a->strike_ms;
    ips_status st = store_notices_strike_insert(a->ctx->store, &sk);
    /* escalation (src/enforce) in the same transaction */
    return st ? st : enforce_strikes_changed(a->ctx->store, a->ctx->cfg, sk.seller_org_id, why,
                                             a->now);
}

static ips_status notices__audit(struct notices__act *a, const char *action, const char *detail)
{
    char object[STORE_OBJECT_MAX + 1];
    if (a->listing_id)
        snprintf(object, sizeof object, "notice:%s/%.64s", a->n.id, a->listing_id);
    else
        snprintf(object, sizeof object, "notice:%s", a->n.id);
    return audit_append(a->ctx->store, access_principal_actor(a->ctx->actor), action, object,
                        AUDIT_OK, detail);
}

/* Tell both parties of one item's news. */
static ips_status notices__tell_item(struct notices__act *a, const char *kind, const char *subject)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "notice_id", a->n.id, "listing_id", a->it.listing_id,
                  "state", a->it.state, "appeal_state", a->it.appeal_state, "reason",
                  a->reason ? a->reason : a->it.decision_reason);
    if (!body)
        return IPS_ERR_NOMEM;
    ips_status st =
        notices__tell(a->ctx->store, a->it.seller_org_id, kind, a->n.id, subject, body, a->now);
    if (st == IPS_OK)
        st = notices__tell(a->ctx->store, a->n.notifier_org_id, kind, a->n.id, subject, body,
                           a->now);
    json_decref(body);
    return st;
}

/* Put a->n back into the reviewer queue (something awaits a decision). */
static void notices__queue(struct notices__act *a)
{
    int64_t due = a->now + a->sla_ms;
    if (a->n.review_deadline_ms == 0 || a->n.review_deadline_ms > due) {
        a->n.review_deadline_ms = due > 0 ? due : 1;
        a->n.sla_breached = false;
    }
}

static bool notices__reason_ok(struct ips_ctx *ctx, const char *reason)
{
    size_t n = reason ? strlen(reason) : 0;
    if (n == 0 || n > STORE_NOTICE_REASON_MAX) {
        json_error_add(ctx->errors, "reason", n ? "must be at most 1000 bytes" : "is required");
        return false;
    }
    return true;
}

/* Run fn in a transaction; audit a refusal or failure outside it. */
static ips_status notices__run(struct notices__act *a, store_tx_fn fn, const char *action)
{
    ips_status st = store_tx_run(a->ctx->store, fn, a);
    if (st && st != IPS_ERR_INVALID) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "notice:%.30s/%.64s", a->notice_id ? a->notice_id : "",
                 a->listing_id ? a->listing_id : "");
        audit_record(a->ctx->store, access_principal_actor(a->ctx->actor), action, object,
                     st == IPS_ERR_NOT_FOUND || st == IPS_ERR_FORBIDDEN ? AUDIT_DENIED
                                                                        : AUDIT_FAILED,
                     ips_status_slug(st));
    }
    return st;
}

/* ---- the reviewer decides a queued notice -------------------------------------------- */

static bool notices__in_list(json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
            return true;
    }
    return false;
}

static ips_status notices__decide_tx(struct store *s, void *arg)
{
    struct notices__act *a = arg;
    struct notices__key *keys = NULL;
    size_t n_keys = 0, n_rejected = 0;
    json_t *by_seller = NULL;
    ips_status st = store_notices_notice_get(s, a->notice_id, &a->n);
    if (st)
        return st;
    if (strcmp(a->n.state, "under_review") != 0)
        return notices__conflict(a->ctx, "the notice is not under review (it is %s)", a->n.state);
    if ((st = notices__items_scan(s, a->n.id, &keys, &n_keys)))
        return st;
    bool partial = strcmp(a->decision, "partial") == 0;
    if (partial) {
        size_t i;
        json_t *v;
        json_array_foreach(a->list, i, v)
        {
            bool found = false;
            for (size_t k = 0; json_is_string(v) && k < n_keys; k++)
                found = found || strcmp(keys[k].listing_id, json_string_value(v)) == 0;
            if (!found) {
                char where[48];
                snprintf(where, sizeof where, "reject_listings[%zu]", i);
                json_error_add(a->ctx->errors, where, "is not a listing of this notice");
                st = IPS_ERR_INVALID;
            }
        }
        if (st == IPS_OK && (json_array_size(a->list) == 0 || json_array_size(a->list) >= n_keys)) {
            json_error_add(a->ctx->errors, "reject_listings",
                           "a partial decision rejects some listings but not all");
            st = IPS_ERR_INVALID;
        }
        if (st)
            goto out_keys;
    }
    by_seller = json_object();
    for (size_t k = 0; k < n_keys && st == IPS_OK; k++) {
        if (strcmp(keys[k].state, "pending") != 0)
            continue;
        if ((st = store_notices_item_get(s, a->n.id, keys[k].listing_id, &a->it)))
            break;
        bool reject = strcmp(a->decision, "reject") == 0 ||
                      (partial && notices__in_list(a->list, keys[k].listing_id));
        if (reject) {
            n_rejected++;
            st = notices__item_move(a, "rejected");
        } else {
            st = notices__item_move(a, "taken_down");
            if (st == IPS_OK)
                st = notices__listing(a, a->it.listing_id, true, "notice upheld by a reviewer");
            a->it.taken_down_ms = a->now;
            a->it.counter_deadline_ms = a->now + a->window_ms;
            json_t *list = json_object_get(by_seller, a->it.seller_org_id);
            if (!list) {
                list = json_array();
                json_object_set_new(by_seller, a->it.seller_org_id, list);
            }
            json_array_append_new(list, json_string(a->it.listing_id));
        }
        snprintf(a->it.decided_by, sizeof a->it.decided_by, "%s",
                 access_principal_actor(a->ctx->actor));
        snprintf(a->it.decision_reason, sizeof a->it.decision_reason, "%s", a->reason);
        a->it.decided_ms = a->now;
        if (st == IPS_OK)
            st = store_notices_item_update(s, &a->it);
    }
    if (st)
        goto out_keys;
    snprintf(a->n.state, sizeof a->n.state, "decided");
    snprintf(a->n.decided_by, sizeof a->n.decided_by, "%s", access_principal_actor(a->ctx->actor));
    snprintf(a->n.decision_reason, sizeof a->n.decision_reason, "%s", a->reason);
    a->n.decided_ms = a->now;
    a->n.review_deadline_ms = 0;
    if ((st = notices__notice_refresh(s, &a->n, a->now)))
        goto out_keys;
    /* the sellers: what came down and why (statements of reasons) */
    const char *seller;
    json_t *list;
    json_object_foreach(by_seller, seller, list)
    {
        json_t *sors = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
            struct store_notice_item it;
            struct store_listing l;
            if (i < 20 && store_notices_item_get(s, a->n.id, json_string_value(v), &it) == IPS_OK &&
                store_catalog_listing_get(s, it.listing_id, &l) == IPS_OK)
                json_array_append_new(sors, notices_statement_of(&a->n, &it, l.created_ms));
        }
        json_t *body = json_pack("{s:s, s:O, s:o, s:s}", "notice_id", a->n.id, "listings", list,
                                 "statements_of_reasons", sors, "reason", a->reason);
        st = body ? notices__tell(s, seller, "notice.takedown", a->n.id,
                                  "Listings taken down after a reviewed notice", body, a->now)
                  : IPS_ERR_NOMEM;
        json_decref(body);
        if (st)
            goto out_keys;
    }
    json_t *body = json_pack("{s:s, s:s, s:s, s:I}", "notice_id", a->n.id, "outcome", a->n.outcome,
                             "reason", a->reason, "rejected", (json_int_t)n_rejected);
    st = body ? notices__tell(s, a->n.notifier_org_id, "notice.decided", a->n.id,
                              "Your notice was decided", body, a->now)
              : IPS_ERR_NOMEM;
    json_decref(body);
    char detail[STORE_DETAIL_MAX + 1];
    snprintf(detail, sizeof detail, "under_review -> decided (%s): %s", a->n.outcome, a->reason);
    if (st == IPS_OK)
        st = notices__audit(a, "notice.decide", detail);
    if (st == IPS_OK)
        st = notices__notifier_evaluate(s, a->ctx, a->n.notifier_org_id, a->now);
out_keys:
    json_decref(by_seller);
    free(keys);
    return st;
}

ips_status notices_decide(struct ips_ctx *ctx, const char *id, const char *decision,
                          json_t *reject_listings, const char *reason, struct store_notice *out)
{
    ips_status st = access_authorize(ctx->actor, ACT_NOTICE_DECIDE, NULL);
    if (st) {
        audit_record(ctx->store, access_principal_actor(ctx->actor), "notice.decide", id ? id : "",
                     AUDIT_DENIED, ips_status_slug(st));
        return st;
    }
    bool ok = notices__reason_ok(ctx, reason);
    bool partial = decision && strcmp(decision, "partial") == 0;
    if (!decision ||
        (strcmp(decision, "uphold") != 0 && strcmp(decision, "reject") != 0 && !partial)) {
        json_error_add(ctx->errors, "decision", "must be uphold, reject or partial");
        ok = false;
    }
    if (partial && !json_is_array(reject_listings)) {
        json_error_add(ctx->errors, "reject_listings", "is required for a partial decision");
        ok = false;
    } else if (!partial && reject_listings) {
        json_error_add(ctx->errors, "reject_listings", "is only for a partial decision");
        ok = false;
    }
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "the decision is not valid");
        return IPS_ERR_INVALID;
    }
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    struct notices__act *a = notices__act_new(ctx);
    if (!a)
        return IPS_ERR_NOMEM;
    a->notice_id = id;
    a->decision = decision;
    a->reason = reason;
    a->list = reject_listings;
    st = notices__run(a, notices__decide_tx, "notice.decide");
    if (st == IPS_OK && out)
        *out = a->n;
    free(a);
    return st;
}

/* ---- item actions: read, check the party, act ------------------------------------------ */

/* Load notice and item outside a transaction for the access decision:
 * NOT_FOUND for an unknown one. */
static ips_status notices__load(struct notices__act *a)
{
    if (!a->notice_id || !id_is_valid(a->notice_id) || !a->listing_id ||
        !catalog_id_valid(a->listing_id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_notices_notice_get(a->ctx->store, a->notice_id, &a->n);
    if (st == IPS_OK)
        st = store_notices_item_get(a->ctx->store, a->notice_id, a->listing_id, &a->it);
    return st;
}

/* Re-read the notice and the item inside the transaction, so that the
 * decision sees what another request may have changed since notices__load. */
static ips_status notices__reload(struct store *s, struct notices__act *a)
{
    ips_status st = store_notices_notice_get(s, a->notice_id, &a->n);
    if (st == IPS_OK)
        st = store_notices_item_get(s, a->notice_id, a->listing_id, &a->it);
    return st;
}

/* The end of a decision on an item: store the item, refresh the notice,
 * tell the parties (kind, subject), audit `action` with `detail`, and let
 * the notifier's accuracy be evaluated again. */
static ips_status notices__item_decided(struct store *s, struct notices__act *a, const char *kind,
                                        const char *subject, const char *action,
                                        const char *detail)
{
    ips_status st;
    if ((st = store_notices_item_update(s, &a->it)) ||
        (st = notices__notice_refresh(s, &a->n, a->now)) ||
        (st = notices__tell_item(a, kind, subject)) || (st = notices__audit(a, action, detail)))
        return st;
    return notices__notifier_evaluate(s, a->ctx, a->n.notifier_org_id, a->now);
}

static ips_status notices__counter_tx(struct store *s, void *arg)
{
    struct notices__act *a = arg;
    ips_status st = notices__reload(s, a);
    if (st)
        return st;
    if (strcmp(a->it.state, "taken_down") != 0)
        return notices__conflict(a->ctx,
                                 "a counter-notice is possible only for a listing taken "
                                 "down (this one is %s)",
                                 a->it.state);
    if (a->now > a->it.counter_deadline_ms) {
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(a->it.counter_deadline_ms, when, sizeof when);
        return notices__conflict(a->ctx, "the counter-notice window closed at %s", when);
    }
    if ((st = notices__item_move(a, "counter_noticed")))
        return st;
    char *ev = a->list ? json_dumps(a->list, JSON_COMPACT) : NULL;
    if (a->list && !ev)
        return IPS_ERR_NOMEM;
    snprintf(a->it.counter_evidence, sizeof a->it.counter_evidence, "%s", ev ? ev : "[]");
    free(ev);
    snprintf(a->it.counter_explanation, sizeof a->it.counter_explanation, "%s", a->explanation);
    snprintf(a->it.counter_by, sizeof a->it.counter_by, "%s",
             access_principal_actor(a->ctx->actor));
    a->it.counter_ms = a->now;
    if ((st = store_notices_item_update(s, &a->it)))
        return st;
    notices__queue(a);
    a->n.updated_ms = a->now;
    if ((st = store_notices_notice_update(s, &a->n)))
        return st;
    /* DMCA §512(g)(2)(B): the notifier gets the counter-notice */
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s}", "notice_id", a->n.id, "listing_id", a->it.listing_id,
                  "explanation", a->explanation, "evidence", a->it.counter_evidence);
    st = body ? notices__tell(s, a->n.notifier_org_id, "notice.counter_notice", a->n.id,
                              "A seller answered your notice with a counter-notice", body, a->now)
              : IPS_ERR_NOMEM;
    json_decref(body);
    if (st == IPS_OK)
        st = notices__audit(a, "notice_item.counter_notice", "taken_down -> counter_noticed");
    return st;
}

ips_status notices_counter(struct ips_ctx *ctx, const char *notice_id, const char *listing_id,
                           const char *explanation, json_t *evidence_urls,
                           struct store_notice_item *out)
{
    struct notices__act *a = notices__act_new(ctx);
    ips_status st;
    if (!a)
        return IPS_ERR_NOMEM;
    a->notice_id = notice_id;
    a->listing_id = listing_id;
    a->explanation = explanation;
    a->list = evidence_urls;
    if ((st = notices__load(a)))
        goto out_act;
    struct access_object obj = {a->it.seller_org_id, NULL, false};
    if ((st = access_authorize(ctx->actor, ACT_NOTICE_SELLER, &obj))) {
        audit_record(ctx->store, access_principal_actor(ctx->actor), "notice_item.counter_notice",
                     notice_id, AUDIT_DENIED, ips_status_slug(st));
        goto out_act;
    }
    size_t n = explanation ? strlen(explanation) : 0;
    if (n == 0 || n > STORE_NOTICE_TEXT_MAX)
        json_error_add(ctx->errors, "explanation",
                       n ? "must be at most 4000 bytes" : "is required");
    if (evidence_urls &&
        (!json_is_array(evidence_urls) || json_array_size(evidence_urls) > NOTICES_URLS_MAX)) {
        json_error_add(ctx->errors, "evidence_urls", "must be an array of at most 20 http(s) URLs");
    } else if (evidence_urls) {
        size_t i;
        json_t *v;
        json_array_foreach(evidence_urls, i, v)
        {
            if (!json_is_string(v) || !webhook_url_valid(json_string_value(v)))
                json_error_add(ctx->errors, "evidence_urls", "must be an array of http(s) URLs");
        }
    }
    if (json_array_size(ctx->errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the counter-notice is incomplete or invalid");
        st = IPS_ERR_INVALID;
        goto out_act;
    }
    st = notices__run(a, notices__counter_tx, "notice_item.counter_notice");
    if (st == IPS_OK && out)
        *out = a->it;
out_act:
    free(a);
    return st;
}

/* What counter-decisions and appeal-decisions share: a reviewer's right to
 * decide (a refusal audited as `action`), a reason, a decision that is `yes`
 * or `no` (field errors in ctx->errors otherwise), then the item loaded and
 * tx run in one transaction. OUT *out (may be NULL): the item after tx. */
static ips_status notices__item_decide(struct ips_ctx *ctx, const char *notice_id,
                                       const char *listing_id, const char *decision,
                                       const char *reason, struct store_notice_item *out,
                                       const char *action, const char *yes, const char *no,
                                       store_tx_fn tx)
{
    ips_status st = access_authorize(ctx->actor, ACT_NOTICE_DECIDE, NULL);
    if (st) {
        audit_record(ctx->store, access_principal_actor(ctx->actor), action,
                     notice_id ? notice_id : "", AUDIT_DENIED, ips_status_slug(st));
        return st;
    }
    bool ok = notices__reason_ok(ctx, reason);
    if (!decision || (strcmp(decision, yes) != 0 && strcmp(decision, no) != 0)) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be %s or %s", yes, no);
        json_error_add(ctx->errors, "decision", msg);
        ok = false;
    }
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "the decision is not valid");
        return IPS_ERR_INVALID;
    }
    struct notices__act *a = notices__act_new(ctx);
    if (!a)
        return IPS_ERR_NOMEM;
    a->notice_id = notice_id;
    a->listing_id = listing_id;
    a->decision = decision;
    a->reason = reason;
    if ((st = notices__load(a)) == IPS_OK)
        st = notices__run(a, tx, action);
    if (st == IPS_OK && out)
        *out = a->it;
    free(a);
    return st;
}

static ips_status notices__counter_decide_tx(struct store *s, void *arg)
{
    struct notices__act *a = arg;
    bool reinstate = strcmp(a->decision, "reinstate") == 0;
    ips_status st = notices__reload(s, a);
    if (st)
        return st;
    if (strcmp(a->it.state, "counter_noticed") != 0)
        return notices__conflict(a->ctx, "there is no counter-notice to decide (the item is %s)",
                                 a->it.state);
    if ((st = notices__item_move(a, reinstate ? "reinstated" : "upheld")))
        return st;
    if (reinstate)
        st = notices__listing(a, a->it.listing_id, false, "counter-notice upheld");
    else
        st = notices__strike(a, "notice upheld after a counter-notice");
    if (st)
        return st;
    snprintf(a->it.decided_by, sizeof a->it.decided_by, "%s",
             access_principal_actor(a->ctx->actor));
    snprintf(a->it.decision_reason, sizeof a->it.decision_reason, "%s", a->reason);
    a->it.decided_ms = a->now;
    return notices__item_decided(s, a, reinstate ? "notice.reinstated" : "notice.upheld",
                                 reinstate ? "Counter-notice upheld: the listing is reinstated"
                                           : "Counter-notice rejected: the listing stays down",
                                 "notice_item.counter_decide",
                                 reinstate ? "counter_noticed -> reinstated"
                                           : "counter_noticed -> upheld (strike)");
}

ips_status notices_counter_decide(struct ips_ctx *ctx, const char *notice_id,
                                  const char *listing_id, const char *decision, const char *reason,
                                  struct store_notice_item *out)
{
    return notices__item_decide(ctx, notice_id, listing_id, decision, reason, out,
                                "notice_item.counter_decide", "reinstate", "keep_down",
                                notices__counter_decide_tx);
}

/* ---- appeals (DSA Art. 20) ----------------------------------------------------------- */

static ips_status notices__appeal_tx(struct store *s, void *arg)
{
    struct notices__act *a = arg;
    const char *org = a->ctx->actor->org_id;
    ips_status st = notices__reload(s, a);
    if (st)
        return st;
    if (a->it.appeal_state[0])
        return notices__conflict(a->ctx,
                                 "this decision was appealed already (appeal %s); one "
                                 "appeal per decision",
                                 a->it.appeal_state);
    bool seller = strcmp(org, a->it.seller_org_id) == 0;
    bool seller_may = seller && strcmp(a->it.state, "upheld") == 0;
    bool notifier_may =
        !seller && (strcmp(a->it.state, "rejected") == 0 || strcmp(a->it.state, "reinstated") == 0);
    if (!seller_may && !notifier_may)
        return notices__conflict(a->ctx,
                                 "there is no final decision you can appeal (the item is "
                                 "%s)",
                                 a->it.state);
    snprintf(a->it.appeal_state, sizeof a->it.appeal_state, "open");
    memcpy(a->it.appeal_by_org, org, ID_SIZE);
    snprintf(a->it.appeal_explanation, sizeof a->it.appeal_explanation, "%s", a->explanation);
    a->it.appeal_ms = a->now;
    a->it.updated_ms = a->now;
    if ((st = store_notices_item_update(s, &a->it)))
        return st;
    notices__queue(a);
    a->n.updated_ms = a->now;
    if ((st = store_notices_notice_update(s, &a->n)) ||
        (st = notices__tell_item(a, "notice.appeal", "A decision was appealed")))
        return st;
    return notices__audit(a, "notice_item.appeal",
                          seller ? "appeal by the seller" : "appeal by the notifier");
}

ips_status notices_appeal(struct ips_ctx *ctx, const char *notice_id, const char *listing_id,
                          const char *explanation, struct store_notice_item *out)
{
    struct notices__act *a = notices__act_new(ctx);
    ips_status st;
    if (!a)
        return IPS_ERR_NOMEM;
    a->notice_id = notice_id;
    a->listing_id = listing_id;
    a->explanation = explanation;
    if ((st = notices__load(a)))
        goto out_act;
    struct access_object as_seller = {a->it.seller_org_id, NULL, false};
    struct access_object as_notifier = {a->n.notifier_org_id, NULL, false};
    if (ctx->actor->via == VIA_SYSTEM ||
        (access_authorize(ctx->actor, ACT_NOTICE_APPEAL, &as_seller) != IPS_OK &&
         access_authorize(ctx->actor, ACT_NOTICE_APPEAL, &as_notifier) != IPS_OK)) {
        st = IPS_ERR_NOT_FOUND;
        audit_record(ctx->store, access_principal_actor(ctx->actor), "notice_item.appeal",
                     notice_id, AUDIT_DENIED, ips_status_slug(st));
        goto out_act;
    }
    size_t n = explanation ? strlen(explanation) : 0;
    if (n == 0 || n > STORE_NOTICE_TEXT_MAX) {
        json_error_add(ctx->errors, "explanation",
                       n ? "must be at most 4000 bytes" : "is required");
        snprintf(ctx->detail, sizeof ctx->detail, "the appeal is incomplete");
        st = IPS_ERR_INVALID;
        goto out_act;
    }
    st = notices__run(a, notices__appeal_tx, "notice_item.appeal");
    if (st == IPS_OK && out)
        *out = a->it;
out_act:
    free(a);
    return st;
}

static ips_status notices__appeal_decide_tx(struct store *s, void *arg)
{
    struct notices__act *a = arg;
    bool overturn = strcmp(a->decision, "overturn") == 0;
    ips_status st = notices__reload(s, a);
    if (st)
        return st;
    if (strcmp(a->it.appeal_state, "open") != 0)
        return notices__conflict(a->ctx, "there is no open appeal (appeal state '%s')",
                                 a->it.appeal_state);
    const char *me = access_principal_actor(a->ctx->actor);
    if (strcmp(me, a->it.decided_by) == 0 || strcmp(me, a->n.decided_by) == 0) {
        snprintf(a->ctx->detail, sizeof a->ctx->detail,
                 "an appeal must be decided by a reviewer other than the one who decided");
        return IPS_ERR_FORBIDDEN;
    }
    if (overturn) {
        bool was_upheld = strcmp(a->it.state, "upheld") == 0;
        if ((st = notices__item_move(a, was_upheld ? "reinstated" : "upheld")))
            return st;
        if (was_upheld) {
            st = notices__listing(a, a->it.listing_id, false, "appeal upheld");
            if (st == IPS_OK)
                st = store_notices_strike_revoke(s, a->n.id, a->it.listing_id, a->now);
            if (st == IPS_OK)
                st = enforce_strikes_changed(s, a->ctx->cfg, a->it.seller_org_id,
                                             "strike revoked on appeal", a->now);
        } else {
            st = notices__listing(a, a->it.listing_id, true, "appeal upheld");
            if (a->it.taken_down_ms == 0)
                a->it.taken_down_ms = a->now;
            if (st == IPS_OK)
                st = notices__strike(a, "notice upheld on appeal");
        }
        if (st)
            return st;
    }
    snprintf(a->it.appeal_state, sizeof a->it.appeal_state, "%s", overturn ? "upheld" : "rejected");
    snprintf(a->it.appeal_decided_by, sizeof a->it.appeal_decided_by, "%s", me);
    snprintf(a->it.decision_reason, sizeof a->it.decision_reason, "%s", a->reason);
    a->it.updated_ms = a->now;
    return notices__item_decided(s, a, "notice.appeal_decided",
                                 overturn ? "Appeal upheld: the decision is overturned"
                                          : "Appeal rejected: the decision stands",
                                 "notice_item.appeal_decide",
                                 overturn ? "appeal upheld, decision overturned"
                                          : "appeal rejected, decision confirmed");
}

ips_status notices_appeal_decide(struct ips_ctx *ctx, const char *notice_id, const char *listing_id,
                                 const char *decision, const char *reason,
                                 struct store_notice_item *out)
{
    return notices__item_decide(ctx, notice_id, listing_id, decision, reason, out,
                                "notice_item.appeal_decide", "overturn", "confirm",
                                notices__appeal_decide_tx);
}

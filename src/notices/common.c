/*
 * common.c — the item state table and the helpers every file of
 * src/notices/ shares (notices_internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "notices/notices_internal.h"
#include "store/store_notices.h"
#include "webhook/webhook.h"

/*
 * The item state machine: every allowed (from, to) and what makes it.
 * docs/internals/notices.md draws it. Appeals reuse the same edges: an
 * overturned decision moves along one of them (upheld -> reinstated,
 * rejected -> taken_down...).
 */
static const struct {
    const char *from, *to, *by;
} NOTICES_ITEM_TRANSITIONS[] = {
    {"pending", "taken_down", "fast track at submission, or a reviewer upholding the notice"},
    {"pending", "rejected", "a reviewer rejecting the notice for this listing"},
    {"taken_down", "counter_noticed", "the seller, within the counter-notice window"},
    {"taken_down", "upheld", "the counter-notice window closing (job), or an appeal confirming"},
    {"counter_noticed", "reinstated", "a reviewer upholding the counter-notice"},
    {"counter_noticed", "upheld", "a reviewer rejecting the counter-notice"},
    {"upheld", "reinstated", "an appeal by the seller that overturns the decision"},
    {"rejected", "upheld", "an appeal by the notifier that overturns the rejection"},
    {"reinstated", "upheld", "an appeal by the notifier that overturns the reinstatement"},
};

bool notices_item_transition_allowed(const char *from, const char *to)
{
    if (!from || !to)
        return false;
    for (size_t i = 0; i < sizeof NOTICES_ITEM_TRANSITIONS / sizeof NOTICES_ITEM_TRANSITIONS[0];
         i++) {
        if (strcmp(NOTICES_ITEM_TRANSITIONS[i].from, from) == 0 &&
            strcmp(NOTICES_ITEM_TRANSITIONS[i].to, to) == 0)
            return true;
    }
    return false;
}

int64_t notices__span_ms(const struct ips_ctx *ctx, int64_t value, int64_t unit_ms)
{
    if (value < 0)
        value = 0;
    if (ctx->cfg && ctx->cfg->test_deadline_seconds)
        return value * 1000;
    return value * unit_ms;
}

ips_status notices__tell(struct store *s, const char *org_id, const char *kind,
                         const char *notice_id, const char *subject, json_t *body, int64_t now_ms)
{
    struct store_inbox_msg *m = calloc(1, sizeof *m);
    ips_status st;
    char *text = NULL;
    if (!m)
        return IPS_ERR_NOMEM;
    text = json_dumps(body, JSON_COMPACT);
    if (!text) {
        st = IPS_ERR_NOMEM;
        goto out_msg;
    }
    id_new(m->id);
    memcpy(m->org_id, org_id, ID_SIZE);
    snprintf(m->kind, sizeof m->kind, "%s", kind);
    snprintf(m->notice_id, sizeof m->notice_id, "%s", notice_id ? notice_id : "");
    snprintf(m->subject, sizeof m->subject, "%s", subject);
    if (strlen(text) > STORE_INBOX_BODY_MAX) {
        /* a message listing thousands of listings: the inbox keeps a pointer */
        json_t *small = json_pack("{s:s, s:b}", "notice_id", m->notice_id, "truncated", 1);
        free(text);
        text = small ? json_dumps(small, JSON_COMPACT) : NULL;
        json_decref(small);
        if (!text) {
            st = IPS_ERR_NOMEM;
            goto out_msg;
        }
    }
    memcpy(m->body, text, strlen(text) + 1);
    m->created_ms = now_ms;
    st = store_notices_inbox_insert(s, m);
    if (st == IPS_OK) {
        json_t *data = json_pack("{s:s, s:s, s:s, s:O}", "message_id", m->id, "subject", m->subject,
                                 "notice_id", m->notice_id, "body", body);
        st = data ? webhook_enqueue(s, org_id, kind, data, now_ms) : IPS_ERR_NOMEM;
        json_decref(data);
    }
    free(text);
out_msg:
    free(m);
    return st;
}

struct notices__scan {
    struct notices__key *keys;
    size_t n, cap;
};

static ips_status notices__scan_one(const struct store_notice_item *it, void *arg)
{
    struct notices__scan *sc = arg;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        if (cap > NOTICES_LISTINGS_MAX * 2)
            return IPS_ERR_TOO_LARGE;
        struct notices__key *k = realloc(sc->keys, cap * sizeof *k);
        if (!k)
            return IPS_ERR_NOMEM;
        sc->keys = k;
        sc->cap = cap;
    }
    struct notices__key *k = &sc->keys[sc->n++];
    memcpy(k->listing_id, it->listing_id, sizeof k->listing_id);
    memcpy(k->seller_org_id, it->seller_org_id, sizeof k->seller_org_id);
    memcpy(k->state, it->state, sizeof k->state);
    memcpy(k->appeal_state, it->appeal_state, sizeof k->appeal_state);
    return IPS_OK;
}

ips_status notices__items_scan(struct store *s, const char *notice_id, struct notices__key **keys,
                               size_t *n)
{
    struct notices__scan sc = {NULL, 0, 0};
    ips_status st = store_notices_item_list(s, notice_id, NULL, NULL, NOTICES_LISTINGS_MAX + 1,
                                            notices__scan_one, &sc);
    if (st) {
        free(sc.keys);
        return st;
    }
    *keys = sc.keys;
    *n = sc.n;
    return IPS_OK;
}

ips_status notices__notice_refresh(struct store *s, struct store_notice *n, int64_t now_ms)
{
    struct notices__key *keys = NULL;
    size_t count = 0, good = 0, bad = 0, waiting = 0, pending = 0;
    ips_status st = notices__items_scan(s, n->id, &keys, &count);
    if (st)
        return st;
    for (size_t i = 0; i < count; i++) {
        const char *state = keys[i].state;
        if (strcmp(state, "pending") == 0)
            pending++;
        else if (strcmp(state, "rejected") == 0 || strcmp(state, "reinstated") == 0)
            bad++;
        else
            good++;
        if (strcmp(state, "counter_noticed") == 0 || strcmp(keys[i].appeal_state, "open") == 0)
            waiting++;
    }
    free(keys);
    if (strcmp(n->state, "decided") == 0 && pending == 0) {
        const char *outcome = bad == 0 ? "upheld" : good == 0 ? "rejected" : "partially";
        snprintf(n->outcome, sizeof n->outcome, "%s", outcome);
        if (waiting == 0) {
            n->review_deadline_ms = 0;
            n->sla_breached = false;
        }
    }
    n->updated_ms = now_ms;
    return store_notices_notice_update(s, n);
}

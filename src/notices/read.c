/*
 * read.c — reading notices (who sees what), the review queue, the
 * statements of reasons, the inbox and strikes.
 *
 * Visibility: platform readers (admin, reviewer, auditor) see every notice;
 * the notifier's org (and an agent authorised by the right holder the
 * notice was filed for) sees its notices; a seller sees the notices with
 * its listings and, in them, only its own items. Anyone else gets
 * IPS_ERR_NOT_FOUND, exactly as for a missing notice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/timeutil.h"
#include "notices/notices_internal.h"
#include "rights/rights.h"
#include "store/store_catalog.h"

static bool notices__is_platform(const struct access_principal *p)
{
    return p->via == VIA_SYSTEM ||
           (p->role == ROLE_ADMIN || p->role == ROLE_REVIEWER || p->role == ROLE_AUDITOR);
}

/* Decide whether the actor may read notice n. OUT *seller_view. */
static ips_status notices__may_read(struct ips_ctx *ctx, const struct store_notice *n,
                                    bool *seller_view)
{
    const struct access_principal *p = ctx->actor;
    bool agent = false;
    *seller_view = false;
    if (p && p->via != VIA_NONE && p->via != VIA_SYSTEM &&
        strcmp(p->org_id, n->right_org_id) != 0 && strcmp(p->org_id, n->notifier_org_id) != 0)
        rights_agent_authorised(ctx, n->right_org_id, &agent);
    struct access_object obj = {n->notifier_org_id, NULL, false};
    ips_status st = access_authorize(p, ACT_NOTICE_READ, &obj);
    if (st == IPS_ERR_NOT_FOUND && agent) {
        struct access_object as_agent = {n->right_org_id, NULL, true};
        st = access_authorize(p, ACT_NOTICE_READ, &as_agent);
    }
    if (st == IPS_ERR_NOT_FOUND && p->role == ROLE_SELLER) {
        /* a seller with an item in the notice */
        bool has = false;
        struct notices__key *keys = NULL;
        size_t nk = 0;
        if (notices__items_scan(ctx->store, n->id, &keys, &nk) == IPS_OK) {
            for (size_t i = 0; i < nk && !has; i++)
                has = strcmp(keys[i].seller_org_id, p->org_id) == 0;
            free(keys);
        }
        if (has) {
            *seller_view = true;
            st = IPS_OK;
        }
    }
    return st;
}

ips_status notices_get(struct ips_ctx *ctx, const char *id, struct store_notice *out,
                       bool *seller_view)
{
    bool sv = false;
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    /* roles that never read notices (officer) are FORBIDDEN; the rest are
     * decided per notice below */
    ips_status st = access_authorize(ctx->actor, ACT_NOTICE_LIST, NULL);
    if (st)
        return st;
    struct store_notice *n = malloc(sizeof *n);
    if (!n)
        return IPS_ERR_NOMEM;
    st = store_notices_notice_get(ctx->store, id, n);
    if (st == IPS_OK)
        st = notices__may_read(ctx, n, &sv);
    if (st == IPS_ERR_NOT_FOUND || st == IPS_ERR_FORBIDDEN)
        audit_record(ctx->store, access_principal_actor(ctx->actor), "notice.read", id,
                     AUDIT_DENIED, ips_status_slug(st));
    if (st == IPS_OK) {
        *out = *n;
        if (seller_view)
            *seller_view = sv;
    }
    free(n);
    return st;
}

ips_status notices_list(struct ips_ctx *ctx, const char *state, const char *query,
                        const char *after, int limit, store_notice_cb cb, void *arg)
{
    const struct access_principal *p = ctx->actor;
    ips_status st = access_authorize(p, ACT_NOTICE_LIST, NULL);
    if (st)
        return st;
    char fts[CATALOG_FTS_MAX];
    if (query && (st = catalog_search_query(ctx, query, fts)))
        return st;
    struct store_notice_filter f = {NULL, NULL, state, query ? fts : NULL};
    if (!notices__is_platform(p)) {
        if (p->role == ROLE_SELLER)
            f.seller_org_id = p->org_id;
        else
            f.notifier_org_id = p->org_id;
    }
    return store_notices_notice_list(ctx->store, &f, after, limit, cb, arg);
}

ips_status notices_items_list(struct ips_ctx *ctx, const char *notice_id, const char *after,
                              int limit, store_notice_item_cb cb, void *arg)
{
    struct store_notice *n = malloc(sizeof *n);
    bool sv = false;
    if (!n)
        return IPS_ERR_NOMEM;
    ips_status st = notices_get(ctx, notice_id, n, &sv);
    if (st == IPS_OK)
        st = store_notices_item_list(ctx->store, notice_id, sv ? ctx->actor->org_id : NULL, after,
                                     limit, cb, arg);
    free(n);
    return st;
}

ips_status notices_queue(struct ips_ctx *ctx, int64_t after_deadline, int64_t after_risk,
                         const char *after_id, int limit, store_notice_cb cb, void *arg)
{
    ips_status st = access_authorize(ctx->actor, ACT_NOTICE_DECIDE, NULL);
    if (st)
        return st;
    return store_notices_queue_list(ctx->store, after_deadline, after_risk, after_id, limit, cb,
                                    arg);
}

/* ---- statements of reasons ------------------------------------------------------------ */

/* EEA member states (ISO 3166-1 alpha-2), the DSA Transparency Database's
 * territorial_scope values for an EEA-wide decision. */
static const char *const notices__eea[] = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};

static void notices__date(int64_t ms, char out[11])
{
    char t[TIME_RFC3339_LEN];
    time_format_rfc3339(ms, t, sizeof t);
    snprintf(out, 11, "%.10s", t);
}

json_t *notices_statement_of(const struct store_notice *n, const struct store_notice_item *it,
                             int64_t content_ms)
{
    const char *keyword = strcmp(n->kind, "copyright") == 0 ? "KEYWORD_COPYRIGHT_INFRINGEMENT"
                          : strcmp(n->kind, "design") == 0  ? "KEYWORD_DESIGN_INFRINGEMENT"
                                                            : "KEYWORD_TRADEMARK_INFRINGEMENT";
    const char *ground =
        strcmp(n->kind, "copyright") == 0
            ? "Copyright infringement: Directive 2001/29/EC Art. 2-4; 17 U.S.C. §106 and §512"
        : strcmp(n->kind, "design") == 0
            ? "Design infringement: Regulation (EC) No 6/2002 Art. 19; Directive 98/71/EC Art. 12"
            : "Trade mark infringement: Regulation (EU) 2017/1001 Art. 9; Directive (EU) "
              "2015/2436 Art. 10";
    bool fast = n->fast_track && strcmp(it->decided_by, "fast-track") == 0;
    char puid[ID_SIZE + STORE_NOTICE_LISTING_MAX + 2], content_date[11], application_date[11];
    char facts[900], deadline[TIME_RFC3339_LEN];
    snprintf(puid, sizeof puid, "%s:%s", n->id, it->listing_id);
    notices__date(content_ms, content_date);
    notices__date(it->taken_down_ms, application_date);
    time_format_rfc3339(it->counter_deadline_ms, deadline, sizeof deadline);
    snprintf(facts, sizeof facts,
             "Listing %s (version %lld) was reported in a %s notice (%s) citing a verified right "
             "(%s). %s",
             it->listing_id, (long long)it->content_version, n->kind, n->id, n->right_id,
             fast ? "The notifier qualifies for the fast track by its accuracy record, so the "
                    "listing was taken down at once, without review."
                  : "A reviewer assessed the notice and the evidence and upheld it.");
    json_t *scope = json_array();
    for (size_t i = 0; i < sizeof notices__eea / sizeof notices__eea[0]; i++)
        json_array_append_new(scope, json_string(notices__eea[i]));
    return json_pack(
        "{s:s, s:[s], s:s, s:s, s:s, s:[s], s:s, s:[s], s:s, s:s, s:s, s:s, s:s, s:s, s:o, "
        "s:n, s:{s:{s:b, s:s, s:s}, s:{s:s, s:s}, s:s, s:s}, s:s, s:s}",
        "puid", puid, "decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVED",
        "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT", "illegal_content_legal_ground",
        ground, "illegal_content_explanation", n->explanation, "content_type",
        "CONTENT_TYPE_PRODUCT", "category",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", "category_specification", keyword,
        "content_date", content_date, "application_date", application_date, "decision_facts", facts,
        "source_type", fast ? "SOURCE_TRUSTED_FLAGGER" : "SOURCE_ARTICLE_16", "automated_detection",
        "No", "automated_decision",
        fast ? "AUTOMATED_DECISION_FULLY" : "AUTOMATED_DECISION_NOT_AUTOMATED", "territorial_scope",
        scope, "end_date_visibility_restriction", "redress", "counter_notice", "open",
        strcmp(it->state, "taken_down") == 0, "deadline", deadline, "how",
        "POST /api/v1/notices/{id}/items/{listing_id}/counter-notice", "internal_complaint",
        "basis", "DSA Art. 20 (once, decided by another reviewer)", "how",
        "POST /api/v1/notices/{id}/items/{listing_id}/appeal", "out_of_court_settlement",
        "DSA Art. 21: a certified out-of-court dispute settlement body", "judicial_redress",
        "the courts of the competent Member State, or a US court under 17 U.S.C. §512(g)",
        "notice_id", n->id, "listing_id", it->listing_id);
}

struct notices__sor {
    struct store *s;
    const struct store_notice *n;
    json_t *out;
};

static ips_status notices__sor_one(const struct store_notice_item *it, void *arg)
{
    struct notices__sor *a = arg;
    struct store_listing l;
    if (it->taken_down_ms == 0)
        return IPS_OK; /* never restricted: no statement */
    int64_t created =
        store_catalog_listing_get(a->s, it->listing_id, &l) == IPS_OK ? l.created_ms : 0;
    json_t *sor = notices_statement_of(a->n, it, created);
    json_object_set_new(sor, "item_state", json_string(it->state));
    json_array_append_new(a->out, sor);
    return IPS_OK;
}

ips_status notices_statements(struct ips_ctx *ctx, const char *notice_id, json_t **out)
{
    struct store_notice *n = malloc(sizeof *n);
    bool sv = false;
    if (!n)
        return IPS_ERR_NOMEM;
    ips_status st = notices_get(ctx, notice_id, n, &sv);
    struct notices__sor a = {ctx->store, n, json_array()};
    if (st == IPS_OK)
        st = store_notices_item_list(ctx->store, notice_id, sv ? ctx->actor->org_id : NULL, NULL,
                                     NOTICES_LISTINGS_MAX + 1, notices__sor_one, &a);
    if (st == IPS_OK)
        *out = a.out;
    else
        json_decref(a.out);
    free(n);
    return st;
}

/* ---- inbox and strikes -------------------------------------------------------------------- */

ips_status notices_inbox_list(struct ips_ctx *ctx, const char *before, int limit, store_inbox_cb cb,
                              void *arg)
{
    const struct access_principal *p = ctx->actor;
    ips_status st = access_authorize(p, ACT_INBOX_READ, NULL);
    if (st)
        return st;
    if (p->via == VIA_SYSTEM)
        return IPS_ERR_INVALID; /* the system has no org and so no inbox */
    return store_notices_inbox_list(ctx->store, p->org_id, before, limit, cb, arg);
}

ips_status notices_strikes_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_strike_cb cb, void *arg)
{
    const struct access_principal *p = ctx->actor;
    ips_status st = access_authorize(p, ACT_NOTICE_LIST, NULL);
    if (st)
        return st;
    if (!notices__is_platform(p) && p->role != ROLE_SELLER)
        return IPS_ERR_FORBIDDEN;
    return store_notices_strike_list(ctx->store, notices__is_platform(p) ? NULL : p->org_id, after,
                                     limit, cb, arg);
}

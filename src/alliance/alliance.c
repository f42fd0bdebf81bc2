/*
 * alliance.c — memberships and shared reports of the anti-counterfeiting
 * alliance. Contracts, states and who may do what: alliance.h.
 *
 * A transition is decided inside its transaction (the membership row is
 * read there), so two concurrent requests cannot both pass the same state
 * check; the transaction function only reads its argument apart from the
 * OUT record it rewrites whole, so a BUSY retry repeats it safely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alliance/alliance.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "profile/profile.h"
#include "rights/rights.h"

/* ---- access ---------------------------------------------------------------------- */

/* Audit a refusal of act on object. */
static void alliance__denied(struct ips_ctx *ctx, enum access_action act, const char *object,
                             ips_status st)
{
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object, AUDIT_DENIED, ips_status_slug(st));
}

/*
 * Decide act (JOIN, LEAVE or MEMBER_READ) on org_id's membership. OUT *org:
 * the org. IPS_ERR_NOT_FOUND for a malformed, missing or foreign org;
 * IPS_ERR_FORBIDDEN for a join or leave of an org that is not a right
 * holder. Refusals are audited.
 */
static ips_status alliance__authorize_org(struct ips_ctx *ctx, enum access_action act,
                                          const char *org_id, struct store_org *org)
{
    char object[STORE_OBJECT_MAX + 1];
    if (!org_id || !id_is_valid(org_id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_org_get(ctx->store, org_id, org);
    if (st)
        return st;
    snprintf(object, sizeof object, "alliance_member:%s", org_id);
    bool agent = false;
    const struct access_principal *p = ctx->actor;
    if (p && (p->via == VIA_SESSION || p->via == VIA_TOKEN) && strcmp(p->org_id, org_id) != 0 &&
        strcmp(org->kind, "rightholder") == 0 &&
        (st = rights_agent_authorised(ctx, org_id, &agent)))
        return st;
    struct access_object obj = {org_id, NULL, agent};
    st = access_authorize(p, act, &obj);
    if (st == IPS_OK && act != ACT_ALLIANCE_MEMBER_READ && strcmp(org->kind, "rightholder") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "only right-holder organisations are members of the alliance");
        st = IPS_ERR_FORBIDDEN;
    }
    alliance__denied(ctx, act, object, st);
    return st;
}

/*
 * Decide a read or a share (act ALLIANCE_READ or ALLIANCE_SHARE): the policy
 * table first, then, for right holders, an active membership of their org.
 * IPS_ERR_FORBIDDEN (audited) otherwise.
 */
static ips_status alliance__authorize_member(struct ips_ctx *ctx, enum access_action act,
                                             const char *object)
{
    const struct access_principal *p = ctx->actor;
    ips_status st = access_authorize(p, act, NULL);
    bool needs_membership =
        st == IPS_OK && (act == ACT_ALLIANCE_SHARE ||
                         (p->via != VIA_SYSTEM && p->role == ROLE_RIGHTHOLDER));
    if (needs_membership) {
        struct store_alliance_member m;
        st = p->via == VIA_SYSTEM ? IPS_ERR_NOT_FOUND /* the system is no member */
                                  : store_alliance_member_get(ctx->store, p->org_id, &m);
        if (st == IPS_OK && strcmp(m.status, "active") != 0)
            st = IPS_ERR_NOT_FOUND;
        if (st == IPS_ERR_NOT_FOUND) {
            snprintf(ctx->detail, sizeof ctx->detail, "only active members of the alliance %s",
                     act == ACT_ALLIANCE_SHARE ? "share reports" : "see what it shares");
            st = IPS_ERR_FORBIDDEN;
        }
    }
    alliance__denied(ctx, act, object, st);
    return st;
}

/* ---- memberships ----------------------------------------------------------------------- */

enum alliance__move { MOVE_JOIN, MOVE_LEAVE, MOVE_SUSPEND, MOVE_REINSTATE };

static const char *const alliance__move_action[] = {"alliance.join", "alliance.leave",
                                                    "alliance.suspend", "alliance.reinstate"};

struct alliance__move_tx {
    struct ips_ctx *ctx;
    enum alliance__move move;
    const char *org_id;
    const char *reason; /* "" for join and leave */
    struct store_alliance_member m; /* OUT: the membership after the move */
};

/* Read the membership, check the transition, write it and its audit event. */
static ips_status alliance__move_tx(struct store *s, void *arg)
{
    struct alliance__move_tx *a = arg;
    struct ips_ctx *ctx = a->ctx;
    struct store_alliance_member *m = &a->m;
    int64_t now = time_now_ms();
    ips_status st = store_alliance_member_get(s, a->org_id, m);
    bool exists = st == IPS_OK;
    if (st && st != IPS_ERR_NOT_FOUND)
        return st;
    if (!exists && a->move != MOVE_JOIN)
        return IPS_ERR_NOT_FOUND;
    const char *status = exists ? m->status : "none";
    const char *to = NULL;
    switch (a->move) {
    case MOVE_JOIN:
        if (!exists || strcmp(status, "left") == 0)
            to = "active";
        break;
    case MOVE_LEAVE:
    case MOVE_SUSPEND:
        if (strcmp(status, "active") == 0)
            to = a->move == MOVE_LEAVE ? "left" : "suspended";
        break;
    case MOVE_REINSTATE:
        if (strcmp(status, "suspended") == 0)
            to = "active";
        break;
    }
    if (!to) {
        snprintf(ctx->detail, sizeof ctx->detail, "cannot %s: the membership is %s",
                 alliance__move_action[a->move] + strlen("alliance."), status);
        return IPS_ERR_CONFLICT;
    }
    if (!exists) {
        memset(m, 0, sizeof *m);
        memcpy(m->org_id, a->org_id, sizeof m->org_id);
    }
    if (a->move == MOVE_JOIN)
        m->joined_ms = now;
    snprintf(m->status, sizeof m->status, "%s", to);
    m->status_ms = now;
    snprintf(m->status_reason, sizeof m->status_reason, "%s", a->reason);
    if ((st = store_alliance_member_put(s, m)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "alliance_member:%s", a->org_id);
    snprintf(detail, sizeof detail, "%s -> %s%s%.400s", status, to, *a->reason ? ": " : "",
             a->reason);
    if ((st = audit_append(s, access_principal_actor(ctx->actor), alliance__move_action[a->move],
                           object, AUDIT_OK, detail)))
        return st;
    return store_alliance_member_get(s, a->org_id, m); /* with name and counts */
}

/* Run one transition after access and reason checks. */
static ips_status alliance__move(struct ips_ctx *ctx, enum alliance__move move,
                                 const char *org_id, const char *reason_in,
                                 struct store_alliance_member *out)
{
    char reason[STORE_ALLIANCE_REASON_MAX + 1] = "";
    struct store_org org;
    ips_status st;
    if (move == MOVE_SUSPEND || move == MOVE_REINSTATE) {
        st = access_authorize(ctx->actor, ACT_ALLIANCE_MODERATE, NULL);
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "alliance_member:%s", org_id ? org_id : "");
        alliance__denied(ctx, ACT_ALLIANCE_MODERATE, object, st);
        if (st)
            return st;
        if (!org_id || !id_is_valid(org_id))
            return IPS_ERR_NOT_FOUND;
        const char *why = profile_text_clean(reason_in, reason_in ? strlen(reason_in) : 0,
                                             STORE_ALLIANCE_REASON_MAX, reason, sizeof reason);
        if (why) {
            json_error_add(ctx->errors, "reason", why);
            snprintf(ctx->detail, sizeof ctx->detail, "a reason is required: see errors");
            return IPS_ERR_INVALID;
        }
    } else {
        st = alliance__authorize_org(
            ctx, move == MOVE_JOIN ? ACT_ALLIANCE_JOIN : ACT_ALLIANCE_LEAVE, org_id, &org);
        if (st)
            return st;
    }
    struct alliance__move_tx *a = calloc(1, sizeof *a); /* the record is about 1.5 KiB */
    if (!a)
        return IPS_ERR_NOMEM;
    *a = (struct alliance__move_tx){.ctx = ctx, .move = move, .org_id = org_id, .reason = reason};
    st = store_tx_run(ctx->store, alliance__move_tx, a);
    if (st == IPS_OK && out)
        *out = a->m;
    free(a);
    return st;
}

ips_status alliance_member_join(struct ips_ctx *ctx, const char *org_id,
                                struct store_alliance_member *out)
{
    return alliance__move(ctx, MOVE_JOIN, org_id, NULL, out);
}

ips_status alliance_member_leave(struct ips_ctx *ctx, const char *org_id,
                                 struct store_alliance_member *out)
{
    return alliance__move(ctx, MOVE_LEAVE, org_id, NULL, out);
}

ips_status alliance_member_suspend(struct ips_ctx *ctx, const char *org_id, const char *reason,
                                   struct store_alliance_member *out)
{
    return alliance__move(ctx, MOVE_SUSPEND, org_id, reason, out);
}

ips_status alliance_member_reinstate(struct ips_ctx *ctx, const char *org_id,
                                     const char *reason, struct store_alliance_member *out)
{
    return alliance__move(ctx, MOVE_REINSTATE, org_id, reason, out);
}

ips_status alliance_member_get(struct ips_ctx *ctx, const char *org_id,
                               struct store_alliance_member *out)
{
    struct store_org org;
    ips_status st = alliance__authorize_org(ctx, ACT_ALLIANCE_MEMBER_READ, org_id, &org);
    return st ? st : store_alliance_member_get(ctx->store, org_id, out);
}

ips_status alliance_member_mine(struct ips_ctx *ctx, struct store_alliance_member *out,
                                bool *joined)
{
    struct store_org org;
    const char *org_id = ctx->actor ? ctx->actor->org_id : NULL;
    *joined = false;
    ips_status st = alliance__authorize_org(ctx, ACT_ALLIANCE_MEMBER_READ, org_id, &org);
    if (st)
        return st;
    st = store_alliance_member_get(ctx->store, org_id, out);
    if (st == IPS_OK) {
        *joined = true;
    } else if (st == IPS_ERR_NOT_FOUND) {
        memset(out, 0, sizeof *out);
        memcpy(out->org_id, org.id, sizeof out->org_id);
        snprintf(out->org_name, sizeof out->org_name, "%s", org.name);
        snprintf(out->status, sizeof out->status, "none");
        st = IPS_OK;
    }
    return st;
}

ips_status alliance_member_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_alliance_member_cb cb, void *arg)
{
    ips_status st = alliance__authorize_member(ctx, ACT_ALLIANCE_READ, "alliance");
    return st ? st : store_alliance_member_list(ctx->store, after, limit, cb, arg);
}

/* ---- reports ------------------------------------------------------------------------ */

/* Whether url is an absolute http(s) URL with a host, made of printable
 * ASCII that needs no escaping in JSON or HTML attributes. */
static bool alliance__url_ok(const char *url, size_t len)
{
    size_t scheme = strncasecmp(url, "https://", 8) == 0  ? 8
                    : strncasecmp(url, "http://", 7) == 0 ? 7
                                                          : 0;
    if (!scheme || len <= scheme || url[scheme] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"\\<>{}|^`", c))
            return false;
    }
    return true;
}

/* Whether id is 1..ALLIANCE_LISTING_ID_MAX bytes of [A-Za-z0-9._:-]. */
static bool alliance__listing_id_ok(const char *id, size_t len)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    return len >= 1 && len <= ALLIANCE_LISTING_ID_MAX && strspn(id, ok) == len;
}

/*
 * Validate an optional array of strings member `key` of req with check;
 * OUT out[cap]: its compact JSON text ("[]" when absent). Adds field errors
 * and returns false when it is not acceptable.
 */
static bool alliance__string_array(struct ips_ctx *ctx, json_t *req, const char *key, size_t max,
                                   bool (*check)(const char *, size_t), const char *what,
                                   char *out, size_t cap)
{
    json_t *arr = json_object_get(req, key);
    char field[64], msg[96];
    snprintf(out, cap, "[]");
    if (!arr || json_is_null(arr))
        return true;
    if (!json_is_array(arr)) {
        json_error_add(ctx->errors, key, "must be an array of strings");
        return false;
    }
    if (json_array_size(arr) > max) {
        snprintf(msg, sizeof msg, "must have at most %zu items", max);
        json_error_add(ctx->errors, key, msg);
        return false;
    }
    bool ok = true;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        if (!json_is_string(v)) {
            json_error_add(ctx->errors, field, "must be a string");
            ok = false;
        } else if (strlen(json_string_value(v)) != json_string_length(v) ||
                   !check(json_string_value(v), json_string_length(v))) {
            json_error_add(ctx->errors, field, what);
            ok = false;
        }
    }
    if (!ok)
        return false;
    char *text = json_dumps(arr, JSON_COMPACT);
    if (!text || strlen(text) >= cap) {
        json_error_add(ctx->errors, key, "is too long");
        free(text);
        return false;
    }
    snprintf(out, cap, "%s", text);
    free(text);
    return true;
}

struct alliance__report_tx {
    const struct access_principal *actor;
    const struct store_alliance_report *r;
};

/* Insert the report and its audit event, after checking again, under the
 * write lock, that the member is still active (a suspension may have landed
 * since alliance__authorize_member). */
static ips_status alliance__report_tx(struct store *s, void *arg)
{
    struct alliance__report_tx *a = arg;
    struct store_alliance_member m;
    ips_status st = store_alliance_member_get(s, a->r->member_org_id, &m);
    if (st == IPS_ERR_NOT_FOUND || (st == IPS_OK && strcmp(m.status, "active") != 0))
        return IPS_ERR_FORBIDDEN;
    if (st || (st = store_alliance_report_insert(s, a->r)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "alliance_report:%s", a->r->id);
    snprintf(detail, sizeof detail, "seller %s", a->r->seller_org_id);
    return audit_append(s, access_principal_actor(a->actor), "alliance.report", object, AUDIT_OK,
                        detail);
}

ips_status alliance_report_share(struct ips_ctx *ctx, json_t *req,
                                 struct store_alliance_report *out)
{
    static const char *const allowed[] = {"seller_org_id", "reason", "evidence_urls",
                                          "listing_ids", NULL};
    ips_status st = alliance__authorize_member(ctx, ACT_ALLIANCE_SHARE, "alliance_report:new");
    if (st)
        return st;
    struct store_alliance_report *r = calloc(1, sizeof *r); /* about 16 KiB */
    if (!r)
        return IPS_ERR_NOMEM;
    bool ok = json_is_object(req);
    if (!ok) {
        json_error_add(ctx->errors, "body", "must be a JSON object");
        goto out_invalid;
    }
    size_t before = json_array_size(ctx->errors);
    json_reject_unknown(req, allowed, ctx->errors);
    ok = json_array_size(ctx->errors) == before;

    json_t *sid = json_object_get(req, "seller_org_id");
    struct store_org seller;
    if (!json_is_string(sid)) {
        json_error_add(ctx->errors, "seller_org_id", sid ? "must be a string" : "is required");
        ok = false;
    } else if (!id_is_valid(json_string_value(sid))) {
        json_error_add(ctx->errors, "seller_org_id", "is not an organisation id");
        ok = false;
    } else if ((st = store_org_get(ctx->store, json_string_value(sid), &seller)) ==
               IPS_ERR_NOT_FOUND) {
        json_error_add(ctx->errors, "seller_org_id", "no such organisation");
        ok = false;
    } else if (st) {
        goto out_report;
    } else if (strcmp(seller.kind, "seller") != 0) {
        json_error_add(ctx->errors, "seller_org_id", "is not a seller organisation");
        ok = false;
    } else {
        memcpy(r->seller_org_id, seller.id, sizeof r->seller_org_id);
    }
    json_t *reason = json_object_get(req, "reason");
    const char *why = !json_is_string(reason) ? (reason ? "must be a string" : "is required")
                      : profile_text_clean(json_string_value(reason), json_string_length(reason),
                                           STORE_ALLIANCE_REASON_MAX, r->reason,
                                           sizeof r->reason);
    if (why) {
        json_error_add(ctx->errors, "reason", why);
        ok = false;
    }
    ok = alliance__string_array(ctx, req, "evidence_urls", ALLIANCE_URLS_MAX, alliance__url_ok,
                                "must be an http or https URL of at most 1000 bytes",
                                r->evidence_urls, sizeof r->evidence_urls) && ok;
    ok = alliance__string_array(ctx, req, "listing_ids", ALLIANCE_LISTINGS_MAX,
                                alliance__listing_id_ok,
                                "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'",
                                r->listing_ids, sizeof r->listing_ids) && ok;
    if (!ok)
        goto out_invalid;
    id_new(r->id);
    memcpy(r->member_org_id, ctx->actor->org_id, sizeof r->member_org_id);
    memcpy(r->reporter_id, ctx->actor->user_id, sizeof r->reporter_id);
    r->created_ms = time_now_ms();
    struct alliance__report_tx a = {ctx->actor, r};
    st = store_tx_run(ctx->store, alliance__report_tx, &a);
    if (st == IPS_OK && out) {
        *out = *r;
        snprintf(out->seller_name, sizeof out->seller_name, "%s", seller.name);
        struct store_org member;
        if (store_org_get(ctx->store, r->member_org_id, &member) == IPS_OK)
            snprintf(out->member_name, sizeof out->member_name, "%s", member.name);
    }
    goto out_report;
out_invalid:
    snprintf(ctx->detail, sizeof ctx->detail, "the report is not valid: see errors");
    st = IPS_ERR_INVALID;
out_report:
    free(r);
    return st;
}

ips_status alliance_report_list(struct ips_ctx *ctx, const char *only_seller, const char *after,
                                int limit, store_alliance_report_cb cb, void *arg)
{
    ips_status st = alliance__authorize_member(ctx, ACT_ALLIANCE_READ, "alliance_reports");
    return st ? st : store_alliance_report_list(ctx->store, only_seller, after, limit, cb, arg);
}

ips_status alliance_seller_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_alliance_seller_cb cb, void *arg)
{
    ips_status st = alliance__authorize_member(ctx, ACT_ALLIANCE_READ, "alliance_sellers");
    return st ? st : store_alliance_seller_list(ctx->store, after, limit, cb, arg);
}

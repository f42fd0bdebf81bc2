/*
 * enforce.c — strikes, penalties and their escalation (enforce.h): adding a
 * strike, re-evaluating a seller's level when its strikes change or expire,
 * acting on a level (listing removal, termination), refusing listing writes
 * of restricted sellers, and the seller's own view of all this.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "enforce/enforce_internal.h"

#define ENFORCE__DAY_MS (24LL * 3600 * 1000)
#define ENFORCE__ACTIVE_MAX 128 /* active strikes read for ids and expiries */
#define ENFORCE__PAGE 100
#define ENFORCE__STRIKES_SHOWN 500 /* strikes in a seller's view */

static const char *const enforce__names[] = {
    "none", "warning", "listing_removal", "posting_restriction", "suspension", "termination"};

const char *enforce_level_name(int rank)
{
    if (rank < ENFORCE_NONE || rank > ENFORCE_TERMINATION)
        return "none";
    return enforce__names[rank];
}

int64_t enforce_level_threshold(const struct config *cfg, int rank)
{
    if (!cfg)
        return rank >= ENFORCE_WARNING && rank <= ENFORCE_TERMINATION ? rank : 0;
    switch (rank) {
    case ENFORCE_WARNING:
        return cfg->enforce_warning_strikes;
    case ENFORCE_LISTING_REMOVAL:
        return cfg->enforce_removal_strikes;
    case ENFORCE_POSTING_RESTRICTION:
        return cfg->enforce_restriction_strikes;
    case ENFORCE_SUSPENSION:
        return cfg->enforce_suspension_strikes;
    case ENFORCE_TERMINATION:
        return cfg->enforce_termination_strikes;
    default:
        return 0;
    }
}

int enforce_level_for(const struct config *cfg, int64_t active)
{
    for (int r = ENFORCE_TERMINATION; r >= ENFORCE_WARNING; r--) {
        int64_t t = enforce_level_threshold(cfg, r);
        if (t > 0 && active >= t)
            return r;
    }
    return ENFORCE_NONE;
}

void enforce__sys_init(struct enforce__sys *sys, struct store *s, const struct config *cfg)
{
    memset(sys, 0, sizeof *sys);
    access_principal_system(&sys->p);
    sys->ctx.store = s;
    sys->ctx.actor = &sys->p;
    sys->ctx.cfg = cfg;
    sys->ctx.addr = "system";
}

json_t *enforce__time(int64_t ms)
{
    char t[40];
    if (ms <= 0 || time_format_rfc3339(ms, t, sizeof t) != IPS_OK)
        return json_null();
    return json_string(t);
}

ips_status enforce__seller_exists(struct store *s, const char *org_id)
{
    struct store_org o;
    if (!org_id || !id_is_valid(org_id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_org_get(s, org_id, &o);
    if (st)
        return st;
    return strcmp(o.kind, "seller") == 0 ? IPS_OK : IPS_ERR_NOT_FOUND;
}

/* ---- the level ------------------------------------------------------------------------ */

struct enforce__open {
    int rank;
    bool have_top, have_strikes;
    struct store_penalty top;     /* highest in force */
    struct store_penalty strikes; /* the strike-driven one in force */
};

static ips_status enforce__open_take(const struct store_penalty *p, void *arg)
{
    struct enforce__open *o = arg;
    if (!o->have_top) {
        o->top = *p;
        o->have_top = true;
        o->rank = p->rank;
    }
    if (!o->have_strikes && strcmp(p->source, "strikes") == 0) {
        o->strikes = *p;
        o->have_strikes = true;
    }
    return IPS_OK;
}

static ips_status enforce__open_read(struct store *s, const char *seller, struct enforce__open *o)
{
    memset(o, 0, sizeof *o);
    return store_enforce_penalty_open(s, seller, enforce__open_take, o);
}

ips_status enforce__level(struct store *s, const char *seller_org_id, int *rank,
                          struct store_penalty *top)
{
    struct enforce__open o;
    ips_status st = enforce__open_read(s, seller_org_id, &o);
    if (st)
        return st;
    *rank = o.rank;
    if (top && o.have_top)
        *top = o.top;
    return IPS_OK;
}

ips_status enforce_posting_check(struct store *s, const char *seller_org_id, char *why, size_t cap)
{
    struct store_penalty top;
    int rank = 0;
    ips_status st = enforce__level(s, seller_org_id, &rank, &top);
    if (st || rank < ENFORCE_POSTING_RESTRICTION)
        return st;
    char since[40] = "";
    time_format_rfc3339(top.from_ms, since, sizeof since);
    snprintf(why, cap, "the seller may not create or change listings: %s since %s (%.150s)",
             top.level, since, top.reason);
    return IPS_ERR_FORBIDDEN;
}

/* ---- penalties and their actions -------------------------------------------------------- */

ips_status enforce__penalty_add_tx(struct store *s, const char *seller_org_id, int rank,
                                   const char *source, const char *reason, const char *strike_ids,
                                   const char *network_id, int64_t now_ms, int64_t until_ms)
{
    struct store_penalty p;
    memset(&p, 0, sizeof p);
    id_new(p.id);
    snprintf(p.seller_org_id, sizeof p.seller_org_id, "%s", seller_org_id);
    snprintf(p.level, sizeof p.level, "%s", enforce_level_name(rank));
    p.rank = rank;
    snprintf(p.source, sizeof p.source, "%s", source);
    snprintf(p.reason, sizeof p.reason, "%s", reason);
    snprintf(p.strike_ids, sizeof p.strike_ids, "%s", strike_ids ? strike_ids : "[]");
    snprintf(p.network_id, sizeof p.network_id, "%s", network_id ? network_id : "");
    p.from_ms = now_ms;
    p.until_ms = until_ms;
    ips_status st = store_enforce_penalty_insert(s, &p);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "org:%s", seller_org_id);
    snprintf(detail, sizeof detail, "%s (%s): %.300s", p.level, source, reason);
    return audit_append(s, "system", "enforce.penalty", object, AUDIT_OK, detail);
}

/* Listing ids collected one page at a time (callbacks must not change what
 * they scan). */
struct enforce__ids {
    const char *only_listing; /* NULL: every listing */
    int n;
    char last[STORE_LISTING_ID_MAX + 1];
    char ids[ENFORCE__PAGE][STORE_LISTING_ID_MAX + 1];
};

static ips_status enforce__ids_take(const struct store_listing *l,
                                    const struct store_listing_version *v, void *arg)
{
    (void)v;
    struct enforce__ids *c = arg;
    snprintf(c->last, sizeof c->last, "%s", l->id);
    if (strcmp(l->state, "live") == 0 || strcmp(l->state, "reinstated") == 0)
        snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", l->id);
    return IPS_OK;
}

/* Take every live or reinstated listing of the seller down. */
static ips_status enforce__all_down_tx(struct enforce__sys *sys, const char *seller,
                                       const char *reason)
{
    struct enforce__ids *c = calloc(1, sizeof *c);
    if (!c)
        return IPS_ERR_NOMEM;
    ips_status st = IPS_OK;
    for (;;) {
        char after[STORE_LISTING_ID_MAX + 1];
        snprintf(after, sizeof after, "%s", c->last);
        c->n = 0;
        c->last[0] = '\0';
        st = store_catalog_listing_list(sys->ctx.store, seller, after, ENFORCE__PAGE,
                                        enforce__ids_take, c);
        for (int i = 0; st == IPS_OK && i < c->n; i++)
            st = catalog_listing_set_state(&sys->ctx, c->ids[i], "taken_down", reason);
        if (st || c->last[0] == '\0')
            break;
    }
    free(c);
    return st;
}

/* Take one listing down when it is live or reinstated. */
static ips_status enforce__one_down_tx(struct enforce__sys *sys, const char *listing_id,
                                       const char *reason)
{
    struct store_listing l;
    ips_status st = store_catalog_listing_get(sys->ctx.store, listing_id, &l);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_OK;
    if (st)
        return st;
    if (strcmp(l.state, "live") != 0 && strcmp(l.state, "reinstated") != 0)
        return IPS_OK;
    return catalog_listing_set_state(&sys->ctx, listing_id, "taken_down", reason);
}

ips_status enforce__terminate_tx(struct enforce__sys *sys, const char *seller_org_id,
                                 const char *source, const char *reason, const char *strike_ids,
                                 int64_t now_ms)
{
    struct store *s = sys->ctx.store;
    int rank = 0;
    ips_status st = enforce__level(s, seller_org_id, &rank, NULL);
    if (st || rank == ENFORCE_TERMINATION)
        return st;
    char nid[ID_SIZE];
    if ((st = enforce__network_ensure_tx(s, seller_org_id, now_ms, nid)) ||
        (st = enforce__penalty_add_tx(s, seller_org_id, ENFORCE_TERMINATION, source, reason,
                                      strike_ids, nid, now_ms, 0)) ||
        (st = enforce__all_down_tx(sys, seller_org_id, "seller terminated")))
        return st;
    char why[STORE_ENFORCE_REASON_MAX + 1];
    snprintf(why, sizeof why, "member %s terminated", seller_org_id);
    return enforce__network_mark_tx(s, nid, "member_terminated", why, "seller", seller_org_id,
                                    now_ms);
}

/* ---- escalation ------------------------------------------------------------------------- */

struct enforce__active {
    int n;
    int64_t expires[ENFORCE__ACTIVE_MAX];
    char listing[ENFORCE__ACTIVE_MAX][STORE_ENFORCE_LISTING_MAX + 1];
    char ids[STORE_ENFORCE_STRIKE_IDS_MAX + 1]; /* JSON array */
    size_t ids_len;
};

static ips_status enforce__active_take(const struct store_enforce_strike *sk, void *arg)
{
    struct enforce__active *a = arg;
    if (a->n >= ENFORCE__ACTIVE_MAX)
        return IPS_OK;
    a->expires[a->n] = sk->expires_ms;
    snprintf(a->listing[a->n], sizeof a->listing[0], "%s", sk->listing_id);
    a->n++;
    if (a->ids_len + ID_SIZE + 4 < sizeof a->ids)
        a->ids_len += (size_t)snprintf(a->ids + a->ids_len, sizeof a->ids - a->ids_len, "%s\"%s\"",
                                       a->ids_len > 1 ? "," : "", sk->id);
    return IPS_OK;
}

ips_status enforce_strikes_changed(struct store *s, const struct config *cfg,
                                   const char *seller_org_id, const char *why, int64_t now_ms)
{
    if (!store_in_tx(s))
        return IPS_ERR_INTERNAL;
    struct enforce__open o;
    int64_t count = 0;
    ips_status st = enforce__open_read(s, seller_org_id, &o);
    if (st || o.rank == ENFORCE_TERMINATION) /* termination is final */
        return st;
    if ((st = store_enforce_strike_count(s, seller_org_id, now_ms, &count)))
        return st;
    struct enforce__active *a = calloc(1, sizeof *a);
    if (!a)
        return IPS_ERR_NOMEM;
    snprintf(a->ids, sizeof a->ids, "[");
    a->ids_len = 1;
    if ((st = store_enforce_strike_active(s, seller_org_id, now_ms, ENFORCE__ACTIVE_MAX,
                                          enforce__active_take, a)))
        goto out;
    snprintf(a->ids + a->ids_len, sizeof a->ids - a->ids_len, "]");
    int level = enforce_level_for(cfg, count);
    int cur = o.have_strikes ? o.strikes.rank : ENFORCE_NONE;
    bool due = o.have_strikes && o.strikes.until_ms && o.strikes.until_ms <= now_ms;
    if (level == cur && !due) /* a due one with the same level gets a fresh until */
        goto out;
    char reason[STORE_ENFORCE_REASON_MAX + 1];
    snprintf(reason, sizeof reason, "%lld active strike%s (level %s from %lld)%s%.150s",
             (long long)count, count == 1 ? "" : "s", enforce_level_name(level),
             (long long)enforce_level_threshold(cfg, level), why && why[0] ? ": " : "",
             why ? why : "");
    if (o.have_strikes) {
        char ended[STORE_ENFORCE_REASON_MAX + 1];
        snprintf(ended, sizeof ended, "%s to %s: %lld active strikes",
                 level > cur ? "escalated" : "lowered", enforce_level_name(level),
                 (long long)count);
        if ((st = store_enforce_penalty_end(s, o.strikes.id, now_ms, ended)))
            goto out;
    }
    if (level == ENFORCE_NONE) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "org:%s", seller_org_id);
        st = audit_append(s, "system", "enforce.penalty", object, AUDIT_OK,
                          "level none: no active strikes above a threshold");
        goto out;
    }
    struct enforce__sys sys;
    enforce__sys_init(&sys, s, cfg);
    if (level == ENFORCE_TERMINATION) {
        st = enforce__terminate_tx(&sys, seller_org_id, "strikes", reason, a->ids, now_ms);
        goto out;
    }
    /* the level holds while at least threshold strikes are active: until
     * the (count - threshold + 1)-th soonest expiry */
    int64_t idx = count - enforce_level_threshold(cfg, level);
    int64_t until = a->n > 0 ? a->expires[idx < a->n ? idx : a->n - 1] : 0;
    if ((st = enforce__penalty_add_tx(s, seller_org_id, level, "strikes", reason, a->ids, NULL,
                                      now_ms, until)))
        goto out;
    /* levels are cumulative: a higher one also removes, unless removal is off */
    if (level >= ENFORCE_LISTING_REMOVAL && level > cur &&
        enforce_level_threshold(cfg, ENFORCE_LISTING_REMOVAL) > 0) {
        for (int i = 0; st == IPS_OK && i < a->n; i++)
            if (a->listing[i][0])
                st = enforce__one_down_tx(&sys, a->listing[i], "listing removal (strikes)");
    }
out:
    free(a);
    return st;
}

/* ---- adding a strike ------------------------------------------------------------------ */

static bool enforce__source_kind_valid(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n == 0 || n > STORE_ENFORCE_SOURCE_KIND_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_'))
            return false;
    return true;
}

/* 1-300 bytes. */
static bool enforce__reason_valid(const char *r)
{
    size_t n = r ? strlen(r) : 0;
    return n > 0 && n <= STORE_ENFORCE_REASON_MAX;
}

struct enforce__strike_tx {
    const struct config *cfg;
    const char *actor;
    struct store_enforce_strike sk;
};

static ips_status enforce__strike_tx(struct store *s, void *arg)
{
    struct enforce__strike_tx *t = arg;
    ips_status st = store_enforce_strike_insert(s, &t->sk);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "org:%s", t->sk.seller_org_id);
    snprintf(detail, sizeof detail, "strike %s from %s %s: %.300s", t->sk.id, t->sk.source_kind,
             t->sk.source_id, t->sk.reason);
    if ((st = audit_append(s, t->actor, "enforce.strike_add", object, AUDIT_OK, detail)))
        return st;
    return enforce_strikes_changed(s, t->cfg, t->sk.seller_org_id, t->sk.reason, t->sk.created_ms);
}

ips_status enforce_strike_add(struct ips_ctx *ctx, const char *seller_org_id,
                              const char *listing_id, const char *reason, const char *source_kind,
                              const char *source_id, char strike_id[ID_SIZE])
{
    ips_status st = access_authorize(ctx->actor, ACT_ENFORCE_STRIKE_ADD, NULL);
    if (st)
        return st;
    bool bad = false;
    if (!enforce__reason_valid(reason)) {
        json_error_add(ctx->errors, "reason", "must be 1 to 300 bytes");
        bad = true;
    }
    if (!enforce__source_kind_valid(source_kind)) {
        json_error_add(ctx->errors, "source_kind", "must be 1 to 32 of a-z and _");
        bad = true;
    }
    if (source_id && strlen(source_id) > STORE_ENFORCE_SOURCE_ID_MAX) {
        json_error_add(ctx->errors, "source_id", "must be at most 64 bytes");
        bad = true;
    }
    if (listing_id && listing_id[0] && !catalog_id_valid(listing_id)) {
        json_error_add(ctx->errors, "listing_id", "must be a listing id");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the strike is not valid");
        return IPS_ERR_INVALID;
    }
    if ((st = enforce__seller_exists(ctx->store, seller_org_id)))
        return st;
    if (listing_id && listing_id[0]) {
        struct store_listing l;
        st = store_catalog_listing_get(ctx->store, listing_id, &l);
        if (st == IPS_OK && strcmp(l.seller_org_id, seller_org_id) != 0)
            st = IPS_ERR_NOT_FOUND;
        if (st == IPS_ERR_NOT_FOUND) {
            json_error_add(ctx->errors, "listing_id", "is not a listing of this seller");
            snprintf(ctx->detail, sizeof ctx->detail, "the strike is not valid");
            return IPS_ERR_INVALID;
        }
        if (st)
            return st;
    }
    struct enforce__strike_tx t;
    memset(&t, 0, sizeof t);
    t.cfg = ctx->cfg;
    t.actor = access_principal_actor(ctx->actor);
    id_new(t.sk.id);
    snprintf(t.sk.seller_org_id, sizeof t.sk.seller_org_id, "%s", seller_org_id);
    snprintf(t.sk.listing_id, sizeof t.sk.listing_id, "%s", listing_id ? listing_id : "");
    snprintf(t.sk.reason, sizeof t.sk.reason, "%s", reason);
    snprintf(t.sk.source_kind, sizeof t.sk.source_kind, "%s", source_kind);
    snprintf(t.sk.source_id, sizeof t.sk.source_id, "%s", source_id ? source_id : "");
    int64_t days = ctx->cfg ? ctx->cfg->strike_days : 365;
    bool secs = ctx->cfg && ctx->cfg->test_deadline_seconds;
    t.sk.created_ms = time_now_ms();
    t.sk.expires_ms = t.sk.created_ms + (days < 0 ? 0 : days) * (secs ? 1000 : ENFORCE__DAY_MS);
    st = store_in_tx(ctx->store) ? enforce__strike_tx(ctx->store, &t)
                                 : store_tx_run(ctx->store, enforce__strike_tx, &t);
    if (st == IPS_OK && strike_id)
        memcpy(strike_id, t.sk.id, ID_SIZE);
    return st;
}

/* ---- lifting --------------------------------------------------------------------------- */

struct enforce__lift_tx {
    const char *id, *reason, *actor;
    char detail[128];
};

static ips_status enforce__lift_tx(struct store *s, void *arg)
{
    struct enforce__lift_tx *t = arg;
    struct store_penalty p;
    t->detail[0] = '\0';
    ips_status st = store_enforce_penalty_get(s, t->id, &p);
    if (st)
        return st;
    if (p.ended_ms) {
        snprintf(t->detail, sizeof t->detail, "the penalty has ended already");
        return IPS_ERR_CONFLICT;
    }
    if (strcmp(p.source, "evasion") != 0 || p.rank == ENFORCE_TERMINATION) {
        snprintf(t->detail, sizeof t->detail,
                 "only a ban-evasion suspension can be lifted: strike penalties follow the "
                 "strikes, and termination is final");
        return IPS_ERR_CONFLICT;
    }
    if ((st = store_enforce_penalty_end(s, t->id, time_now_ms(), t->reason)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "org:%s", p.seller_org_id);
    snprintf(detail, sizeof detail, "penalty %s lifted: %.300s", p.id, t->reason);
    return audit_append(s, t->actor, "enforce.lift", object, AUDIT_OK, detail);
}

ips_status enforce_penalty_lift(struct ips_ctx *ctx, const char *penalty_id, const char *reason)
{
    ips_status st = access_authorize(ctx->actor, ACT_ENFORCE_LIFT, NULL);
    if (st)
        return st;
    if (!enforce__reason_valid(reason)) {
        json_error_add(ctx->errors, "reason", "must be 1 to 300 bytes");
        snprintf(ctx->detail, sizeof ctx->detail, "the lifting is not valid");
        return IPS_ERR_INVALID;
    }
    if (!penalty_id || !id_is_valid(penalty_id))
        return IPS_ERR_NOT_FOUND;
    struct enforce__lift_tx t = {penalty_id, reason, access_principal_actor(ctx->actor), ""};
    st = store_tx_run(ctx->store, enforce__lift_tx, &t);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "%s", t.detail);
    return st;
}

/* ---- the seller's view ------------------------------------------------------------------ */

struct enforce__view {
    int64_t now;
    json_t *arr;
};

static ips_status enforce__strike_json(const struct store_enforce_strike *sk, void *arg)
{
    struct enforce__view *v = arg;
    bool active = sk->revoked_ms == 0 && sk->expires_ms > v->now;
    json_t *o =
        json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "id", sk->id, "listing_id",
                  sk->listing_id[0] ? json_string(sk->listing_id) : json_null(), "reason",
                  sk->reason, "source_kind", sk->source_kind, "source_id", sk->source_id, "created",
                  enforce__time(sk->created_ms), "expires", enforce__time(sk->expires_ms),
                  "revoked", enforce__time(sk->revoked_ms), "notice_id",
                  sk->notice_id[0] ? json_string(sk->notice_id) : json_null(), "active", active);
    if (!o || json_array_append_new(v->arr, o))
        return IPS_ERR_NOMEM;
    return IPS_OK;
}

static json_t *enforce__penalty_json(const struct store_penalty *p)
{
    json_t *ids = json_loads(p->strike_ids, 0, NULL);
    return json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:b}", "id", p->id,
                     "level", p->level, "rank", p->rank, "source", p->source, "reason", p->reason,
                     "strike_ids", ids ? ids : json_array(), "network_id",
                     p->network_id[0] ? json_string(p->network_id) : json_null(), "from",
                     enforce__time(p->from_ms), "until", enforce__time(p->until_ms), "ended",
                     enforce__time(p->ended_ms), "ended_reason", p->ended_reason, "in_force",
                     p->ended_ms == 0);
}

static ips_status enforce__penalty_take(const struct store_penalty *p, void *arg)
{
    json_t *o = enforce__penalty_json(p);
    if (!o || json_array_append_new(arg, o))
        return IPS_ERR_NOMEM;
    return IPS_OK;
}

static ips_status enforce__flag_take(const struct store_evasion_flag *f, void *arg)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", f->id, "network_id", f->network_id, "kinds",
                  f->kinds, "reason", f->reason, "created", enforce__time(f->created_ms));
    if (!o || json_array_append_new(arg, o))
        return IPS_ERR_NOMEM;
    return IPS_OK;
}

ips_status enforce_seller_get(struct ips_ctx *ctx, const char *seller_org_id, json_t **out)
{
    if (!seller_org_id || !id_is_valid(seller_org_id))
        return IPS_ERR_NOT_FOUND;
    struct access_object obj = {.org_id = seller_org_id};
    ips_status st = access_authorize(ctx->actor, ACT_ENFORCE_READ, &obj);
    if (st)
        return st;
    if ((st = enforce__seller_exists(ctx->store, seller_org_id)))
        return st;
    struct enforce__open o;
    int64_t now = time_now_ms(), count = 0;
    if ((st = enforce__open_read(ctx->store, seller_org_id, &o)) ||
        (st = store_enforce_strike_count(ctx->store, seller_org_id, now, &count)))
        return st;
    json_t *thr = json_object(), *strikes = json_array(), *pens = json_array(),
           *flags = json_array();
    json_t *res = json_pack("{s:s, s:s, s:i, s:I, s:o, s:o, s:o, s:o, s:o}", "seller_org_id",
                            seller_org_id, "level", enforce_level_name(o.rank), "rank", o.rank,
                            "active_strikes", (json_int_t)count, "thresholds", thr, "penalty",
                            o.have_top ? enforce__penalty_json(&o.top) : json_null(), "strikes",
                            strikes, "penalties", pens, "evasion_flags", flags);
    if (!res)
        return IPS_ERR_NOMEM;
    for (int r = ENFORCE_WARNING; r <= ENFORCE_TERMINATION; r++)
        json_object_set_new(thr, enforce_level_name(r),
                            json_integer(enforce_level_threshold(ctx->cfg, r)));
    struct enforce__view v = {now, strikes};
    st = store_enforce_strike_list(ctx->store, seller_org_id, "", ENFORCE__STRIKES_SHOWN,
                                   enforce__strike_json, &v);
    if (st == IPS_OK)
        st = store_enforce_penalty_list(ctx->store, seller_org_id, NULL, 100, enforce__penalty_take,
                                        pens);
    if (st == IPS_OK)
        st = store_enforce_flag_list(ctx->store, seller_org_id, "", 100, enforce__flag_take, flags);
    if (st) {
        json_decref(res);
        return st;
    }
    *out = res;
    return IPS_OK;
}

/* ---- the tick ---------------------------------------------------------------------------- */

struct enforce__due {
    int n;
    char sellers[ENFORCE__PAGE][ID_SIZE];
};

static ips_status enforce__due_take(const struct store_penalty *p, void *arg)
{
    struct enforce__due *d = arg;
    if (d->n < ENFORCE__PAGE)
        memcpy(d->sellers[d->n++], p->seller_org_id, ID_SIZE);
    return IPS_OK;
}

struct enforce__tick_tx {
    const struct config *cfg;
    const char *seller;
    int64_t now;
};

static ips_status enforce__tick_tx(struct store *s, void *arg)
{
    const struct enforce__tick_tx *t = arg;
    return enforce_strikes_changed(s, t->cfg, t->seller, "strikes expired", t->now);
}

ips_status enforce_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    bool unlabelled = false;
    ips_status st = store_enforce_unlabelled_exists(ctx->store, &unlabelled);
    if (st == IPS_OK && unlabelled)
        st = enforce_networks_rebuild(ctx, NULL);
    if (st)
        return st;
    struct enforce__due d;
    d.n = 0;
    if ((st = store_enforce_penalty_due(ctx->store, now_ms, ENFORCE__PAGE, enforce__due_take, &d)))
        return st;
    for (int i = 0; i < d.n; i++) {
        struct enforce__tick_tx t = {ctx->cfg, d.sellers[i], now_ms};
        ips_status e = store_tx_run(ctx->store, enforce__tick_tx, &t);
        if (e && !st)
            st = e;
    }
    return st;
}

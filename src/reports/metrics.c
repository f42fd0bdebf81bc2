/*
 * metrics.c — the metrics document: the filter from text, the reader's
 * scope, and one builder per section turning the rows of store_reports.h
 * into JSON (docs/schemas/metrics.schema.json, docs/internals/reports.md).
 *
 * Invariant: every count the document promises is present, as 0 when
 * nothing happened (the fixed key sets below), so a chart or a diff of two
 * periods never meets a missing key; open-ended key sets (signal types,
 * referral outcomes, strike sources) hold only what occurred.
 */
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "reports/reports_internal.h"

#define REPORTS__DAY_MS (24LL * 3600 * 1000)

/* ---- the filter ------------------------------------------------------------------------------ */

static bool reports__time(struct ips_ctx *ctx, const char *field, const char *text, int64_t *out)
{
    if (time_parse_rfc3339(text, out) == IPS_OK)
        return true;
    json_error_add(ctx->errors, field, "must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z");
    return false;
}

ips_status reports_filter_parse(struct ips_ctx *ctx, const char *from, const char *to,
                                const char *brand, const char *jurisdiction,
                                struct reports_filter *out)
{
    struct reports_filter f;
    bool ok = true;
    memset(&f, 0, sizeof f);
    f.to_ms = time_now_ms();
    if (to && to[0])
        ok &= reports__time(ctx, "to", to, &f.to_ms);
    f.from_ms = f.to_ms - REPORTS_DEFAULT_DAYS * REPORTS__DAY_MS;
    if (from && from[0])
        ok &= reports__time(ctx, "from", from, &f.from_ms);
    if (ok && f.from_ms >= f.to_ms) {
        json_error_add(ctx->errors, "from", "must be before to");
        ok = false;
    } else if (ok && f.to_ms - f.from_ms > REPORTS_PERIOD_MAX_DAYS * REPORTS__DAY_MS) {
        json_error_add(ctx->errors, "from", "the period may span at most 3660 days");
        ok = false;
    }
    if (brand && brand[0]) {
        if (strlen(brand) > STORE_NAME_MAX) {
            json_error_add(ctx->errors, "brand", "at most 200 bytes");
            ok = false;
        } else {
            snprintf(f.brand, sizeof f.brand, "%s", brand);
        }
    }
    if (jurisdiction && jurisdiction[0] &&
        (!geo_code_normalize(jurisdiction, f.jurisdiction) || !geo_valid(f.jurisdiction))) {
        json_error_add(ctx->errors, "jurisdiction",
                       "must be an ISO 3166-1 country or ISO 3166-2 subdivision code");
        ok = false;
    }
    if (!ok)
        return IPS_ERR_INVALID;
    *out = f;
    return IPS_OK;
}

struct store_reports_filter reports__store_filter(const struct reports_filter *f)
{
    struct store_reports_filter sf = {f->from_ms, f->to_ms, NULL, NULL, NULL,
                                      f->brand[0] ? f->brand : NULL,
                                      f->jurisdiction[0] ? f->jurisdiction : NULL, 0};
    return sf;
}

json_t *reports__period(const struct reports_filter *f)
{
    char from[TIME_RFC3339_LEN], to[TIME_RFC3339_LEN];
    time_format_rfc3339(f->from_ms, from, sizeof from);
    time_format_rfc3339(f->to_ms, to, sizeof to);
    return json_pack("{s:s, s:s}", "from", from, "to", to);
}

/* ---- JSON counting helpers ---------------------------------------------------------------------- */

/* An object with each of keys (NULL-terminated) at 0. */
static json_t *reports__zeros(const char *const *keys)
{
    json_t *o = json_object();
    for (size_t i = 0; o && keys && keys[i]; i++)
        json_object_set_new(o, keys[i], json_integer(0));
    return o;
}

/* o[key] += n (a missing key counts from 0). */
static void reports__add(json_t *o, const char *key, int64_t n)
{
    json_t *v = json_object_get(o, key);
    json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

static int64_t reports__get(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* part / whole rounded to 4 decimals, or null when whole is 0. */
static json_t *reports__share(int64_t part, int64_t whole)
{
    if (whole <= 0)
        return json_null();
    return json_real((double)((part * 10000 + whole / 2) / whole) / 10000.0);
}

/* [{currency, minor}] += (currency, minor), merged by currency; zero values skipped. */
static void reports__add_value(json_t *arr, const char *currency, int64_t minor)
{
    size_t i;
    json_t *e;
    if (minor <= 0)
        return;
    json_array_foreach(arr, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "currency")), currency) == 0) {
            reports__add(e, "minor", minor);
            return;
        }
    }
    json_array_append_new(arr, json_pack("{s:s, s:I}", "currency", currency, "minor",
                                         (json_int_t)minor));
}

/* Run q and hand its rows to cb. */
static ips_status reports__q(struct ips_ctx *ctx, enum store_reports_query q,
                             const struct store_reports_filter *sf, store_reports_cb cb,
                             void *arg)
{
    return store_reports_query(ctx->store, q, sf, cb, arg);
}

/* The single row of a one-row query. */
static ips_status reports__one_cb(const struct store_reports_row *row, void *arg)
{
    memcpy(arg, row, sizeof *row);
    return IPS_OK;
}

static ips_status reports__one(struct ips_ctx *ctx, enum store_reports_query q,
                               const struct store_reports_filter *sf,
                               struct store_reports_row *row)
{
    memset(row, 0, sizeof *row);
    return reports__q(ctx, q, sf, reports__one_cb, row);
}

/* ---- sections ------------------------------------------------------------------------------------- */

static const char *const reports__kinds[] = {"counterfeit", "trademark_misuse", "copyright",
                                             "design", NULL};
static const char *const reports__levels[] = {"warning", "listing_removal", "posting_restriction",
                                              "suspension", "termination", NULL};

static ips_status reports__notices_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg;
    reports__add(o, "received", r->v[0]);
    reports__add(o, strcmp(r->k[1], "1") == 0 ? "fast_track" : "standard", r->v[0]);
    reports__add(json_object_get(o, "by_kind"), r->k[0], r->v[0]);
    return IPS_OK;
}

static ips_status reports__notices(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                   json_t *o)
{
    struct store_reports_row t;
    json_object_set_new(o, "received", json_integer(0));
    json_object_set_new(o, "fast_track", json_integer(0));
    json_object_set_new(o, "standard", json_integer(0));
    json_object_set_new(o, "by_kind", reports__zeros(reports__kinds));
    ips_status st = reports__q(ctx, STORE_REPORTS_NOTICES, sf, reports__notices_cb, o);
    if (!st)
        st = reports__one(ctx, STORE_REPORTS_TIMES, sf, &t);
    if (!st)
        json_object_set_new(o, "time_to_action",
                            json_pack("{s:I, s:I, s:I}", "items", (json_int_t)t.v[0], "median_ms",
                                      (json_int_t)t.v[1], "p90_ms", (json_int_t)t.v[2]));
    return st;
}

static ips_status reports__appeals_cb(const struct store_reports_row *r, void *arg)
{
    reports__add(arg, r->k[0], r->v[0]);
    return IPS_OK;
}

static ips_status reports__actions(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                   json_t *o)
{
    static const char *const appeal_states[] = {"open", "upheld", "rejected", NULL};
    struct store_reports_row r;
    ips_status st = reports__one(ctx, STORE_REPORTS_ITEMS, sf, &r);
    if (st)
        return st;
    json_object_set_new(o, "takedowns", json_integer(r.v[0]));
    json_object_set_new(o, "counter_notices", json_integer(r.v[1]));
    json_object_set_new(o, "reinstatements", json_integer(r.v[2]));
    json_object_set_new(o, "rejected_items", json_integer(r.v[3]));
    json_object_set_new(o, "upheld_after_counter_notice", json_integer(r.v[4]));
    json_t *appeals = reports__zeros(appeal_states);
    json_object_set_new(appeals, "filed", json_integer(r.v[5]));
    json_object_set_new(o, "appeals", appeals);
    return reports__q(ctx, STORE_REPORTS_APPEALS, sf, reports__appeals_cb, appeals);
}

static ips_status reports__removals_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg;
    reports__add(o, strcmp(r->k[0], "notice") == 0 ? "notice_driven" : "proactive", r->v[0]);
    reports__add(o, "before_any_sale", r->v[1]);
    return IPS_OK;
}

static ips_status reports__removals(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                    json_t *o)
{
    static const char *const keys[] = {"notice_driven", "proactive", "before_any_sale", NULL};
    json_t *z = reports__zeros(keys);
    json_object_update(o, z);
    json_decref(z);
    ips_status st = reports__q(ctx, STORE_REPORTS_REMOVALS, sf, reports__removals_cb, o);
    int64_t total = reports__get(o, "notice_driven") + reports__get(o, "proactive");
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "proactive_share", reports__share(reports__get(o, "proactive"), total));
    json_object_set_new(o, "before_any_sale_share",
                        reports__share(reports__get(o, "before_any_sale"), total));
    return st;
}

static ips_status reports__misuse_cb(const struct store_reports_row *r, void *arg)
{
    reports__add(arg, strcmp(r->k[0], "rejected") == 0 ? "rejected_notices" : "notifier_suspensions",
                 r->v[0]);
    return IPS_OK;
}

static ips_status reports__misuse(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                  json_t *o)
{
    json_object_set_new(o, "rejected_notices", json_integer(0));
    json_object_set_new(o, "notifier_suspensions", json_integer(0));
    return reports__q(ctx, STORE_REPORTS_MISUSE, sf, reports__misuse_cb, o);
}

static ips_status reports__signals_cb(const struct store_reports_row *r, void *arg)
{
    reports__add(arg, r->k[0][0] ? r->k[0] : "unknown", r->v[0]);
    return IPS_OK;
}

static ips_status reports__verdicts_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg;
    reports__add(o, "verdicts", r->v[0]);
    reports__add(json_object_get(o, "by_action"), r->k[0], r->v[0]);
    reports__add(json_object_get(o, "by_status"), r->k[1], r->v[0]);
    return IPS_OK;
}

static ips_status reports__detections(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                      json_t *o)
{
    static const char *const actions[] = {"monitor", "review", "block", NULL};
    static const char *const states[] = {"open", "confirmed", "dismissed", NULL};
    json_t *by_signal = json_object();
    json_object_set_new(o, "verdicts", json_integer(0));
    json_object_set_new(o, "by_action", reports__zeros(actions));
    json_object_set_new(o, "by_status", reports__zeros(states));
    json_object_set_new(o, "by_signal", by_signal);
    ips_status st = reports__q(ctx, STORE_REPORTS_VERDICTS, sf, reports__verdicts_cb, o);
    return st ? st : reports__q(ctx, STORE_REPORTS_SIGNALS, sf, reports__signals_cb, by_signal);
}

static ips_status reports__strikes_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg;
    reports__add(o, "strikes", r->v[0]);
    reports__add(o, "strikes_revoked", r->v[1]);
    reports__add(json_object_get(o, "strikes_by_source"), r->k[0], r->v[0]);
    return IPS_OK;
}

static ips_status reports__penalties_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg;
    reports__add(o, "penalties", r->v[0]);
    reports__add(json_object_get(o, "penalties_by_level"), r->k[0], r->v[0]);
    return IPS_OK;
}

static ips_status reports__enforcement(struct ips_ctx *ctx,
                                       const struct store_reports_filter *sf, json_t *o)
{
    json_object_set_new(o, "strikes", json_integer(0));
    json_object_set_new(o, "strikes_revoked", json_integer(0));
    json_object_set_new(o, "strikes_by_source", json_object());
    json_object_set_new(o, "penalties", json_integer(0));
    json_object_set_new(o, "penalties_by_level", reports__zeros(reports__levels));
    ips_status st = reports__q(ctx, STORE_REPORTS_STRIKES, sf, reports__strikes_cb, o);
    if (!st)
        st = reports__q(ctx, STORE_REPORTS_PENALTIES, sf, reports__penalties_cb, o);
    json_t *levels = json_object_get(o, "penalties_by_level");
    json_object_set_new(o, "suspensions", json_integer(reports__get(levels, "suspension")));
    json_object_set_new(o, "terminations", json_integer(reports__get(levels, "termination")));
    return st;
}

/* Add a referral row's numbers to o (the totals, or one agency's). */
static void reports__referral_add(json_t *o, const struct store_reports_row *r)
{
    reports__add(o, "referrals", r->v[0]);
    reports__add(o, "arrests", r->v[1]);
    reports__add(o, "units_seized", r->v[2]);
    reports__add_value(json_object_get(o, "value_seized"), r->k[3], r->v[3]);
    reports__add(json_object_get(o, "by_outcome"), r->k[2], r->v[0]);
}

static json_t *reports__referral_zero(void)
{
    return json_pack("{s:i, s:i, s:i, s:[], s:{}}", "referrals", 0, "arrests", 0, "units_seized",
                     0, "value_seized", "by_outcome");
}

static ips_status reports__referrals_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg, *agencies = json_object_get(o, "by_agency"), *a = NULL, *e;
    size_t i;
    reports__referral_add(o, r);
    json_array_foreach(agencies, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "agency_org_id")), r->k[0]) == 0)
            a = e;
    }
    if (!a) {
        a = reports__referral_zero();
        if (!a)
            return IPS_ERR_NOMEM;
        json_object_set_new(a, "agency_org_id", json_string(r->k[0]));
        json_object_set_new(a, "agency", json_string(r->k[0][0] ? r->k[1] : "not routed"));
        json_array_append_new(agencies, a);
    }
    reports__referral_add(a, r);
    return IPS_OK;
}

static ips_status reports__referrals(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                     json_t *o)
{
    json_t *z = reports__referral_zero();
    if (!z)
        return IPS_ERR_NOMEM;
    json_object_update(o, z);
    json_decref(z);
    json_object_set_new(o, "by_agency", json_array());
    return reports__q(ctx, STORE_REPORTS_REFERRALS, sf, reports__referrals_cb, o);
}

static ips_status reports__alliance_cb(const struct store_reports_row *r, void *arg)
{
    json_t *o = arg;
    reports__add(json_object_get(o, "by_status"), r->k[2], 1);
    reports__add(o, "joined", r->v[2]);
    return json_array_append_new(json_object_get(o, "by_member"),
                                 json_pack("{s:s, s:s, s:s, s:I, s:I}", "org_id", r->k[0],
                                           "name", r->k[1], "status", r->k[2], "reports",
                                           (json_int_t)r->v[0], "sellers", (json_int_t)r->v[1]))
               ? IPS_ERR_NOMEM
               : IPS_OK;
}

static ips_status reports__alliance(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                                    json_t *o)
{
    static const char *const states[] = {"active", "suspended", "left", NULL};
    struct store_reports_row shared;
    json_object_set_new(o, "by_status", reports__zeros(states));
    json_object_set_new(o, "joined", json_integer(0));
    json_object_set_new(o, "by_member", json_array());
    ips_status st = reports__q(ctx, STORE_REPORTS_ALLIANCE, sf, reports__alliance_cb, o);
    if (!st)
        st = reports__one(ctx, STORE_REPORTS_SHARED, sf, &shared);
    if (st)
        return st;
    json_object_set_new(o, "members",
                        json_integer(reports__get(json_object_get(o, "by_status"), "active")));
    json_object_set_new(o, "reports_shared", json_integer(shared.v[0]));
    json_object_set_new(o, "sellers_reported", json_integer(shared.v[1]));
    return IPS_OK;
}

typedef ips_status (*reports__build_fn)(struct ips_ctx *ctx,
                                        const struct store_reports_filter *sf, json_t *o);

/* The sections in document order: the action that lets a reader see it, the
 * query whose scopes decide whether it can be computed for a scoped reader,
 * and what the public report leaves out (names of agencies and members). */
static const struct reports__section {
    const char *name;
    enum access_action act;
    enum store_reports_query q;
    reports__build_fn build;
    const char *not_public; /* a member the public report drops, or NULL */
} reports__table[] = {
    {"notices", ACT_REPORT_NOTICES, STORE_REPORTS_NOTICES, reports__notices, NULL},
    {"actions", ACT_REPORT_NOTICES, STORE_REPORTS_ITEMS, reports__actions, NULL},
    {"removals", ACT_REPORT_NOTICES, STORE_REPORTS_REMOVALS, reports__removals, NULL},
    {"misuse", ACT_REPORT_NOTICES, STORE_REPORTS_MISUSE, reports__misuse, NULL},
    {"detections", ACT_REPORT_DETECTIONS, STORE_REPORTS_VERDICTS, reports__detections, NULL},
    {"enforcement", ACT_REPORT_ENFORCEMENT, STORE_REPORTS_STRIKES, reports__enforcement, NULL},
    {"referrals", ACT_REPORT_REFERRALS, STORE_REPORTS_REFERRALS, reports__referrals, "by_agency"},
    {"alliance", ACT_REPORT_ALLIANCE, STORE_REPORTS_ALLIANCE, reports__alliance, "by_member"},
};

ips_status reports__sections(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                             bool as_public, json_t *out)
{
    unsigned scopes = store_reports_filter_scopes(sf);
    for (size_t i = 0; i < sizeof reports__table / sizeof reports__table[0]; i++) {
        const struct reports__section *sec = &reports__table[i];
        if (!as_public && access_authorize(ctx->actor, sec->act, NULL) != IPS_OK)
            continue;
        if (scopes & ~store_reports_scopes(sec->q))
            continue;
        json_t *o = json_object();
        if (!o)
            return IPS_ERR_NOMEM;
        ips_status st = sec->build(ctx, sf, o);
        if (st) {
            json_decref(o);
            return st;
        }
        if (as_public && sec->not_public)
            json_object_del(o, sec->not_public);
        json_object_set_new(out, sec->name, o);
    }
    return IPS_OK;
}

/* ---- the metrics document ------------------------------------------------------------------------- */

ips_status reports_metrics(struct ips_ctx *ctx, const struct reports_filter *f, json_t **out)
{
    ips_status st = access_check(ctx, ACT_REPORT_METRICS, NULL, "reports:metrics");
    if (st)
        return st;
    struct store_reports_filter sf = reports__store_filter(f);
    const char *kind = "all";
    const char *org = NULL;
    if (access_authorize(ctx->actor, ACT_REPORT_ALL, NULL) != IPS_OK) {
        /* A scoped reader: its own organisation, as the kind its role belongs to. */
        kind = access_role_org_kind(ctx->actor->role);
        org = ctx->actor->org_id;
        if (!org[0])
            return access_check(ctx, ACT_REPORT_ALL, NULL, "reports:metrics");
        if (strcmp(kind, "rightholder") == 0)
            sf.rightholder = org;
        else if (strcmp(kind, "seller") == 0)
            sf.seller = org;
        else if (strcmp(kind, "agency") == 0)
            sf.agency = org;
        else
            return access_check(ctx, ACT_REPORT_ALL, NULL, "reports:metrics");
    }
    json_t *doc = json_pack("{s:o, s:{s:s?, s:s?}, s:{s:s, s:s?}}", "period", reports__period(f),
                            "filters", "brand", sf.brand, "jurisdiction", sf.jurisdiction,
                            "scope", "kind", kind, "org_id", org);
    if (!doc)
        return IPS_ERR_NOMEM;
    st = reports__sections(ctx, &sf, false, doc);
    if (st) {
        json_decref(doc);
        return st;
    }
    *out = doc;
    return IPS_OK;
}

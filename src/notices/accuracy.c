/*
 * accuracy.c — a notifier's accuracy record, the fast-track rule and the
 * misuse rule (DSA Art. 23).
 *
 * Over the rolling window (fasttrack_window_days, default 90):
 *   upheld rate   = notices decided "upheld" / notices decided   (per mille)
 *   reversal rate = takedowns reinstated / takedowns             (per mille)
 * A notifier qualifies when it has at least fasttrack_min_decided decided
 * notices, an upheld rate >= fasttrack_upheld_min and a reversal rate <=
 * fasttrack_reversed_max, is not suspended, and any cooldown after losing
 * the fast track (fasttrack_cooldown_days) has passed. Admission and loss
 * are automatic, re-evaluated after every decision (notices__notifier_evaluate).
 * Misuse: with at least misuse_min_decided decided notices and a rejected
 * rate >= misuse_rejected_max, the notifier is suspended from notifying for
 * misuse_suspend_days (and loses the fast track).
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/timeutil.h"
#include "notices/notices_internal.h"

struct notices__assess {
    struct store_notice_counts c;
    struct store_notifier st;
    bool has_status;
    int64_t upheld_pm, reversed_pm, rejected_pm;
    bool record_ok;  /* the numbers qualify */
    bool misuse;     /* the misuse rule applies */
    json_t *reasons; /* sentences, why (not) */
};

static int64_t notices__cfg(const struct ips_ctx *ctx, int64_t v, int64_t dflt)
{
    return ctx->cfg ? v : dflt;
}

static int64_t notices__pm(int64_t part, int64_t whole)
{
    return whole > 0 ? part * 1000 / whole : 0;
}

/* Fill *a for org at now; a->reasons is a new array the caller decrefs. */
static ips_status notices__assess(struct store *s, const struct ips_ctx *ctx, const char *org,
                                  int64_t now, struct notices__assess *a)
{
    const struct config *cfg = ctx->cfg;
    int64_t window = notices__span_ms(
        ctx, notices__cfg(ctx, cfg ? cfg->fasttrack_window_days : 0, 90), NOTICES__DAY_MS);
    int64_t min_decided = notices__cfg(ctx, cfg ? cfg->fasttrack_min_decided : 0, 20);
    int64_t upheld_min = notices__cfg(ctx, cfg ? cfg->fasttrack_upheld_min : 0, 900);
    int64_t reversed_max = notices__cfg(ctx, cfg ? cfg->fasttrack_reversed_max : 0, 50);
    int64_t misuse_min = notices__cfg(ctx, cfg ? cfg->misuse_min_decided : 0, 10);
    int64_t misuse_max = notices__cfg(ctx, cfg ? cfg->misuse_rejected_max : 0, 500);
    char msg[256];
    memset(a, 0, sizeof *a);
    ips_status st = store_notices_counts(s, org, now - window, &a->c);
    if (st)
        return st;
    st = store_notices_notifier_get(s, org, &a->st);
    a->has_status = st == IPS_OK;
    if (st == IPS_ERR_NOT_FOUND) {
        memset(&a->st, 0, sizeof a->st);
        snprintf(a->st.org_id, sizeof a->st.org_id, "%s", org);
        st = IPS_OK;
    }
    if (st)
        return st;
    a->upheld_pm = notices__pm(a->c.upheld, a->c.decided);
    a->reversed_pm = notices__pm(a->c.reversed, a->c.takedowns);
    a->rejected_pm = notices__pm(a->c.rejected, a->c.decided);
    a->reasons = json_array();
    a->record_ok = true;
    if (a->c.decided < min_decided) {
        snprintf(msg, sizeof msg, "%lld notice(s) decided in the window; at least %lld are needed",
                 (long long)a->c.decided, (long long)min_decided);
        json_array_append_new(a->reasons, json_string(msg));
        a->record_ok = false;
    }
    if (a->c.decided > 0 && a->upheld_pm < upheld_min) {
        snprintf(msg, sizeof msg,
                 "%lld.%lld%% of decided notices were upheld; at least %lld.%lld%% "
                 "are needed",
                 (long long)(a->upheld_pm / 10), (long long)(a->upheld_pm % 10),
                 (long long)(upheld_min / 10), (long long)(upheld_min % 10));
        json_array_append_new(a->reasons, json_string(msg));
        a->record_ok = false;
    }
    if (a->reversed_pm > reversed_max) {
        snprintf(msg, sizeof msg,
                 "%lld.%lld%% of takedowns were reversed by a counter-notice; at "
                 "most %lld.%lld%% are allowed",
                 (long long)(a->reversed_pm / 10), (long long)(a->reversed_pm % 10),
                 (long long)(reversed_max / 10), (long long)(reversed_max % 10));
        json_array_append_new(a->reasons, json_string(msg));
        a->record_ok = false;
    }
    a->misuse = a->c.decided >= misuse_min && misuse_min > 0 && a->rejected_pm >= misuse_max;
    if (a->misuse) {
        snprintf(msg, sizeof msg,
                 "%lld.%lld%% of decided notices were rejected: the misuse rule "
                 "(DSA Art. 23) applies",
                 (long long)(a->rejected_pm / 10), (long long)(a->rejected_pm % 10));
        json_array_append_new(a->reasons, json_string(msg));
    }
    if (a->st.suspended_until_ms > now) {
        char until[TIME_RFC3339_LEN];
        time_format_rfc3339(a->st.suspended_until_ms, until, sizeof until);
        snprintf(msg, sizeof msg, "suspended from notifying until %s", until);
        json_array_append_new(a->reasons, json_string(msg));
    }
    if (a->st.cooldown_until_ms > now) {
        char until[TIME_RFC3339_LEN];
        time_format_rfc3339(a->st.cooldown_until_ms, until, sizeof until);
        snprintf(msg, sizeof msg, "lost the fast track; may qualify again from %s", until);
        json_array_append_new(a->reasons, json_string(msg));
    }
    return IPS_OK;
}

/* Whether the assessed notifier may be on the fast track at now. */
static bool notices__qualifies(const struct notices__assess *a, int64_t now)
{
    return a->record_ok && !a->misuse && a->st.suspended_until_ms <= now &&
           a->st.cooldown_until_ms <= now;
}

ips_status notices__notifier_evaluate(struct store *s, const struct ips_ctx *ctx,
                                      const char *org_id, int64_t now_ms)
{
    struct notices__assess a;
    const struct config *cfg = ctx->cfg;
    ips_status st = notices__assess(s, ctx, org_id, now_ms, &a);
    const char *event = NULL, *subject = NULL;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    if (st)
        return st;
    struct store_notifier next = a.st;
    if (a.misuse && a.st.suspended_until_ms <= now_ms) {
        next.suspended_until_ms =
            now_ms + notices__span_ms(ctx, cfg ? cfg->misuse_suspend_days : 30, NOTICES__DAY_MS);
        next.suspension_open = true;
        event = "notifier.suspended";
        subject = "Suspended from notifying for misuse (DSA Art. 23)";
    }
    bool qualifies = notices__qualifies(&a, now_ms) && !(next.suspended_until_ms > now_ms);
    if (a.st.fast_track && !qualifies) {
        next.fast_track = false;
        next.lost_ms = now_ms;
        next.cooldown_until_ms =
            now_ms +
            notices__span_ms(ctx, cfg ? cfg->fasttrack_cooldown_days : 90, NOTICES__DAY_MS);
        if (!event) {
            event = "notifier.fast_track_lost";
            subject = "Fast track lost";
        }
    } else if (!a.st.fast_track && qualifies) {
        next.fast_track = true;
        next.admitted_ms = now_ms;
        event = "notifier.fast_track_admitted";
        subject = "Admitted to the fast track";
    }
    if (!event) {
        json_decref(a.reasons);
        return IPS_OK;
    }
    next.updated_ms = now_ms;
    st = store_notices_notifier_put(s, &next);
    snprintf(object, sizeof object, "org:%s", org_id);
    snprintf(
        detail, sizeof detail,
        "decided %lld, upheld %lld per mille, reversed %lld per mille, rejected %lld per mille",
        (long long)a.c.decided, (long long)a.upheld_pm, (long long)a.reversed_pm,
        (long long)a.rejected_pm);
    if (st == IPS_OK)
        st = audit_append(s, "system", event, object, AUDIT_OK, detail);
    if (st == IPS_OK) {
        json_t *body = json_pack("{s:s, s:b, s:O}", "event", event, "fast_track", next.fast_track,
                                 "reasons", a.reasons);
        st = body ? notices__tell(s, org_id, event, NULL, subject, body, now_ms) : IPS_ERR_NOMEM;
        json_decref(body);
    }
    json_decref(a.reasons);
    return st;
}

ips_status notices_accuracy(struct ips_ctx *ctx, const char *org_id, json_t **out)
{
    const struct access_principal *p = ctx->actor;
    const char *org = org_id ? org_id : (p ? p->org_id : NULL);
    struct notices__assess a;
    int64_t now = time_now_ms();
    const struct config *cfg = ctx->cfg;
    if (!org || !id_is_valid(org))
        return p && p->via == VIA_SYSTEM ? IPS_ERR_INVALID : IPS_ERR_NOT_FOUND;
    struct access_object obj = {org, NULL, false};
    ips_status st = access_authorize(p, ACT_NOTICE_ACCURACY, &obj);
    if (st) {
        audit_record(ctx->store, access_principal_actor(p), "notice.accuracy", org, AUDIT_DENIED,
                     ips_status_slug(st));
        return st;
    }
    struct store_org o;
    if ((st = store_org_get(ctx->store, org, &o)))
        return st;
    if ((st = notices__assess(ctx->store, ctx, org, now, &a)))
        return st;
    bool q = notices__qualifies(&a, now);
    if (q && json_array_size(a.reasons) == 0)
        json_array_append_new(a.reasons,
                              json_string("the accuracy record meets every fast-track threshold"));
    json_t *thresholds =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "window_days",
                  (json_int_t)(cfg ? cfg->fasttrack_window_days : 90), "min_decided",
                  (json_int_t)(cfg ? cfg->fasttrack_min_decided : 20), "upheld_min_per_mille",
                  (json_int_t)(cfg ? cfg->fasttrack_upheld_min : 900), "reversed_max_per_mille",
                  (json_int_t)(cfg ? cfg->fasttrack_reversed_max : 50), "cooldown_days",
                  (json_int_t)(cfg ? cfg->fasttrack_cooldown_days : 90), "misuse_min_decided",
                  (json_int_t)(cfg ? cfg->misuse_min_decided : 10), "misuse_rejected_max_per_mille",
                  (json_int_t)(cfg ? cfg->misuse_rejected_max : 500));
    char admitted[TIME_RFC3339_LEN] = "", lost[TIME_RFC3339_LEN] = "",
         cooldown[TIME_RFC3339_LEN] = "", suspended[TIME_RFC3339_LEN] = "";
    time_format_rfc3339(a.st.admitted_ms, admitted, sizeof admitted);
    time_format_rfc3339(a.st.lost_ms, lost, sizeof lost);
    time_format_rfc3339(a.st.cooldown_until_ms, cooldown, sizeof cooldown);
    time_format_rfc3339(a.st.suspended_until_ms, suspended, sizeof suspended);
    *out = json_pack(
        "{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:o, s:b, s:b, s:b, s:o, "
        "s:o, s:o, s:o, s:o}",
        "org_id", org, "counts", "decided", (json_int_t)a.c.decided, "upheld",
        (json_int_t)a.c.upheld, "rejected", (json_int_t)a.c.rejected, "partially",
        (json_int_t)a.c.partially, "takedowns", (json_int_t)a.c.takedowns, "reversed",
        (json_int_t)a.c.reversed, "rates_per_mille", "upheld", (json_int_t)a.upheld_pm, "reversed",
        (json_int_t)a.reversed_pm, "rejected", (json_int_t)a.rejected_pm, "thresholds", thresholds,
        "fast_track", a.st.fast_track, "qualifies", q, "suspended", a.st.suspended_until_ms > now,
        "reasons", a.reasons, "admitted", a.st.admitted_ms ? json_string(admitted) : json_null(),
        "lost", a.st.lost_ms ? json_string(lost) : json_null(), "cooldown_until",
        a.st.cooldown_until_ms ? json_string(cooldown) : json_null(), "suspended_until",
        a.st.suspended_until_ms ? json_string(suspended) : json_null());
    return *out ? IPS_OK : IPS_ERR_NOMEM;
}

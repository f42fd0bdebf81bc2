/*
 * review.c — people and verdicts: the reviewer queue, one verdict as the
 * actor may see it, the images it names, and the right holder's decisions
 * (confirm: a notice filed on its behalf through notices_submit, which
 * takes the listing down with a statement of reasons and opens the
 * counter-notice window; dismiss: remembered per listing version and
 * holder), with the measured precision they feed.
 *
 * A confirmation is two transactions: the notice (notices_submit runs its
 * own), then the decision. When the second fails the notice stands and the
 * decision stays open; confirming again is refused by the notice flow (the
 * listing is no longer live), so nothing is taken down twice.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "blob/blob.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "detections/detections_internal.h"
#include "notices/notices.h"
#include "rights/rights.h"

static const char *const review__actions[] = {"allow", "monitor", "review", "block", NULL};
static const char *const review__statuses[] = {"open", "confirmed", "dismissed", NULL};
static const char *const review__reasons[] = {"authorised_reseller", "not_infringing", "other",
                                              NULL};

static bool review__one_of(const char *v, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return true;
    return false;
}

static void review__denied(struct ips_ctx *ctx, enum access_action act, const char *object,
                           ips_status st)
{
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object, AUDIT_DENIED, ips_status_slug(st));
}

/* May the actor act (act: DETECTION_READ or DETECTION_DECIDE) for org_id?
 * Members of the org, its authorised agents, and (for READ) the platform. */
static ips_status review__for_org(struct ips_ctx *ctx, enum access_action act, const char *org_id)
{
    bool agent = false;
    ips_status st = rights_agent_authorised(ctx, org_id, &agent);
    if (st)
        return st;
    struct access_object obj = {org_id, NULL, agent};
    return access_authorize(ctx->actor, act, &obj);
}

struct review__orgs {
    struct ips_ctx *ctx;
    enum access_action act;
    char as_org[ID_SIZE]; /* OUT: the first org the actor may act for */
};

static ips_status review__find_org(const struct store_detection_org *o, void *arg)
{
    struct review__orgs *a = arg;
    if (a->as_org[0])
        return IPS_OK;
    ips_status st = review__for_org(a->ctx, a->act, o->org_id);
    if (st == IPS_OK)
        snprintf(a->as_org, sizeof a->as_org, "%s", o->org_id);
    return st == IPS_ERR_NOT_FOUND || st == IPS_ERR_FORBIDDEN ? IPS_OK : st;
}

/* Load verdict id for the actor. OUT *as_org: "" for a platform reader,
 * else the org the actor reads it as. NOT_FOUND otherwise (audited). */
static ips_status review__load(struct ips_ctx *ctx, const char *id, struct store_detection *d,
                               char as_org[ID_SIZE])
{
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "detection:%.100s", id ? id : "");
    ips_status st = access_authorize(ctx->actor, ACT_DETECTION_LIST, NULL);
    if (st) {
        review__denied(ctx, ACT_DETECTION_LIST, object, st);
        return st;
    }
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    if ((st = store_detections_verdict_get(ctx->store, id, d)))
        return st;
    as_org[0] = '\0';
    if (access_authorize(ctx->actor, ACT_DETECTION_READ, NULL) == IPS_OK)
        return IPS_OK;
    struct review__orgs a = {ctx, ACT_DETECTION_READ, ""};
    if ((st = store_detections_org_list(ctx->store, id, review__find_org, &a)))
        return st;
    if (!a.as_org[0]) {
        review__denied(ctx, ACT_DETECTION_READ, object, IPS_ERR_NOT_FOUND);
        return IPS_ERR_NOT_FOUND;
    }
    memcpy(as_org, a.as_org, ID_SIZE);
    return IPS_OK;
}

/* Keep only the signals a right holder may see: its own and brand-less
 * ones (cue phrases, medians, seller). */
static ips_status review__filter_signals(struct store_detection *d, const char *as_org)
{
    if (!as_org[0])
        return IPS_OK;
    json_t *sigs = json_loads(d->signals, 0, NULL), *keep = json_array();
    size_t i;
    json_t *s;
    ips_status st = IPS_OK;
    json_array_foreach(sigs, i, s)
    {
        const char *org = json_string_value(json_object_get(s, "org_id"));
        if (!org || strcmp(org, as_org) == 0)
            json_array_append(keep, s);
    }
    char *dump = json_dumps(keep, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (!dump || strlen(dump) > STORE_DETECTION_SIGNALS_MAX)
        st = IPS_ERR_NOMEM;
    else
        memcpy(d->signals, dump, strlen(dump) + 1);
    free(dump);
    json_decref(sigs);
    json_decref(keep);
    return st;
}

/* ---- reading ----------------------------------------------------------------------------- */

struct review__list {
    const char *as_org;
    store_detection_cb cb;
    void *arg;
};

static ips_status review__each(const struct store_detection *d, void *arg)
{
    struct review__list *a = arg;
    if (!a->as_org)
        return a->cb(d, a->arg);
    struct store_detection *copy = malloc(sizeof *copy);
    if (!copy)
        return IPS_ERR_NOMEM;
    *copy = *d;
    ips_status st = review__filter_signals(copy, a->as_org);
    if (st == IPS_OK)
        st = a->cb(copy, a->arg);
    free(copy);
    return st;
}

ips_status detections_list(struct ips_ctx *ctx, const struct store_detection_filter *f,
                           const char *before, int limit, store_detection_cb cb, void *arg)
{
    ips_status st = access_authorize(ctx->actor, ACT_DETECTION_LIST, NULL);
    if (st) {
        review__denied(ctx, ACT_DETECTION_LIST, "detections", st);
        return st;
    }
    struct store_detection_filter g = *f;
    bool bad = false;
    if (g.action && g.action[0] && !review__one_of(g.action, review__actions)) {
        json_error_add(ctx->errors, "action", "must be allow, monitor, review or block");
        bad = true;
    }
    if (g.status && g.status[0] && !review__one_of(g.status, review__statuses)) {
        json_error_add(ctx->errors, "status", "must be open, confirmed or dismissed");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the filter is not valid");
        return IPS_ERR_INVALID;
    }
    struct review__list a = {NULL, cb, arg};
    if (access_authorize(ctx->actor, ACT_DETECTION_READ, NULL) != IPS_OK) {
        /* a right holder: its own org, or one it is the authorised agent of */
        if (!g.org_id || !g.org_id[0])
            g.org_id = ctx->actor->org_id;
        if (!id_is_valid(g.org_id) ||
            (st = review__for_org(ctx, ACT_DETECTION_READ, g.org_id)) != IPS_OK) {
            st = st ? st : IPS_ERR_NOT_FOUND;
            review__denied(ctx, ACT_DETECTION_READ, "detections", st);
            return st;
        }
        a.as_org = g.org_id;
    }
    return store_detections_verdict_list(ctx->store, &g, before, limit, review__each, &a);
}

struct review__orgs_json {
    struct store *s;
    const char *as_org;
    json_t *out;
};

static ips_status review__org_json(const struct store_detection_org *o, void *arg)
{
    struct review__orgs_json *a = arg;
    if (a->as_org[0] && strcmp(a->as_org, o->org_id) != 0)
        return IPS_OK;
    struct store_org org;
    ips_status st = store_org_get(a->s, o->org_id, &org);
    if (st)
        return st;
    char at[TIME_RFC3339_LEN] = "";
    if (o->decided_ms)
        time_format_rfc3339(o->decided_ms, at, sizeof at);
    json_t *v = json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:s*}", "org_id", o->org_id, "name",
                          org.name, "decision", o->decision, "decided_at", at[0] ? at : NULL,
                          "reason", o->reason[0] ? o->reason : NULL, "notice_id",
                          o->notice_id[0] ? o->notice_id : NULL);
    return !v || json_array_append_new(a->out, v) ? IPS_ERR_NOMEM : IPS_OK;
}

ips_status detections_get(struct ips_ctx *ctx, const char *id, struct store_detection *d,
                          json_t **orgs)
{
    char as_org[ID_SIZE];
    ips_status st = review__load(ctx, id, d, as_org);
    if (st || (st = review__filter_signals(d, as_org)))
        return st;
    struct review__orgs_json a = {ctx->store, as_org, json_array()};
    if (!a.out)
        return IPS_ERR_NOMEM;
    if ((st = store_detections_org_list(ctx->store, id, review__org_json, &a))) {
        json_decref(a.out);
        return st;
    }
    *orgs = a.out;
    return IPS_OK;
}

ips_status detections_image_read(struct ips_ctx *ctx, const char *id, const char *sha256,
                                 void **data, size_t *len, char mime[65])
{
    struct store_detection *d = malloc(sizeof *d);
    char as_org[ID_SIZE];
    if (!d)
        return IPS_ERR_NOMEM;
    ips_status st = review__load(ctx, id, d, as_org);
    if (st == IPS_OK)
        st = review__filter_signals(d, as_org);
    bool named = false;
    if (st == IPS_OK) {
        json_t *sigs = json_loads(d->signals, 0, NULL);
        size_t i;
        json_t *s;
        json_array_foreach(sigs, i, s)
        {
            const char *a = json_string_value(json_object_get(s, "image"));
            const char *b = json_string_value(json_object_get(s, "official_image"));
            named = named || (a && strcmp(a, sha256) == 0) || (b && strcmp(b, sha256) == 0);
        }
        json_decref(sigs);
    }
    free(d);
    if (st)
        return st;
    if (!named)
        return IPS_ERR_NOT_FOUND;
    struct blob_info bi;
    if ((st = blob_info_get(ctx, sha256, &bi)) || (st = blob_read(ctx, sha256, data, len)))
        return st;
    snprintf(mime, 65, "%s", bi.mime);
    return IPS_OK;
}

/* ---- decisions ------------------------------------------------------------------------------ */

/* The decision target: verdict d, the org the actor decides for (body
 * org_id for an agent, else its own), and that org's open row. */
static ips_status review__decidable(struct ips_ctx *ctx, const char *id, const char *org_id,
                                    struct store_detection *d, struct store_detection_org *o)
{
    char as_org[ID_SIZE], object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "detection:%.100s", id ? id : "");
    ips_status st = review__load(ctx, id, d, as_org);
    if (st)
        return st;
    const char *org = org_id && org_id[0] ? org_id : ctx->actor->org_id;
    if (!id_is_valid(org) || (st = review__for_org(ctx, ACT_DETECTION_DECIDE, org)) ||
        (st = store_detections_org_get(ctx->store, id, org, o))) {
        st = st == IPS_ERR_FORBIDDEN || !st ? IPS_ERR_NOT_FOUND : st;
        review__denied(ctx, ACT_DETECTION_DECIDE, object, st);
        return st;
    }
    if (strcmp(o->decision, "open") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "this detection was already %s", o->decision);
        return IPS_ERR_CONFLICT;
    }
    if (!d->is_current) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the listing has a newer verdict; decide that one instead");
        return IPS_ERR_CONFLICT;
    }
    return IPS_OK;
}

struct review__decide_tx {
    struct ips_ctx *ctx;
    struct store_detection *d;
    struct store_detection_org *o;
    bool dismiss;
};

static ips_status review__any_confirmed(const struct store_detection_org *o, void *arg)
{
    *(bool *)arg = *(bool *)arg || strcmp(o->decision, "confirmed") == 0;
    return IPS_OK;
}

static ips_status review__decide_tx(struct store *s, void *arg)
{
    struct review__decide_tx *a = arg;
    struct store_detection_org cur;
    ips_status st = store_detections_org_get(s, a->o->verdict_id, a->o->org_id, &cur);
    if (st)
        return st;
    if (strcmp(cur.decision, "open") != 0)
        return IPS_ERR_CONFLICT;
    if ((st = store_detections_org_decide(s, a->o)))
        return st;
    bool confirmed = false;
    if ((st = store_detections_org_list(s, a->d->id, review__any_confirmed, &confirmed)) ||
        (st = store_detections_verdict_status(s, a->d->id,
                                              confirmed ? "confirmed" : "dismissed")))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "detection:%s", a->d->id);
    snprintf(detail, sizeof detail, "%s for org %s on listing %s version %" PRId64 "%s%s",
             a->dismiss ? "dismissed" : "confirmed", a->o->org_id, a->d->listing_id,
             a->d->listing_version, a->o->notice_id[0] ? ": notice " : "", a->o->notice_id);
    if ((st = audit_append(s, access_principal_actor(a->ctx->actor),
                           a->dismiss ? "detection.dismiss" : "detection.confirm", object, AUDIT_OK,
                           detail)))
        return st;
    if (!a->dismiss)
        return IPS_OK;
    /* remembered: rescan now, so the holder's signals leave the verdict */
    if ((st = store_detections_dismissal_insert(s, a->d->listing_id, a->d->listing_version,
                                                a->o->org_id, a->d->id, a->o->reason,
                                                a->o->decided_ms)))
        return st;
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    struct detections_rules *r = NULL;
    if (!v)
        return IPS_ERR_NOMEM;
    if ((st = store_catalog_listing_get(s, a->d->listing_id, &l)) == IPS_OK &&
        l.current_version == a->d->listing_version &&
        (st = store_catalog_version_get(s, l.id, l.current_version, v)) == IPS_OK &&
        (st = detections__rules_get(s, a->ctx->cfg, &r)) == IPS_OK)
        st = detections__scan_store(s, r, &l, v, false, a->o->decided_ms, NULL);
    detections__rules_unref(r);
    free(v);
    return st;
}

static ips_status review__record(struct ips_ctx *ctx, struct store_detection *d,
                                 struct store_detection_org *o, bool dismiss)
{
    struct review__decide_tx a = {ctx, d, o, dismiss};
    snprintf(o->decision, sizeof o->decision, "%s", dismiss ? "dismissed" : "confirmed");
    snprintf(o->decided_by, sizeof o->decided_by, "%s", access_principal_actor(ctx->actor));
    o->decided_ms = time_now_ms();
    ips_status st = store_tx_run(ctx->store, review__decide_tx, &a);
    if (st == IPS_ERR_CONFLICT && !ctx->detail[0])
        snprintf(ctx->detail, sizeof ctx->detail, "this detection was already decided");
    return st;
}

/* The org's first verified, valid trademark. */
static ips_status review__first_tm(const struct rights_right *r, void *arg)
{
    char *out = arg;
    if (!out[0] && strcmp(r->status_effective, "verified") == 0)
        snprintf(out, ID_SIZE, "%s", r->rec.id);
    return IPS_OK;
}

/* The notice explanation: the detection and its signals' explanations. */
static void review__explanation(const struct store_detection *d, const char *note, char *out,
                                size_t cap)
{
    size_t len = (size_t)snprintf(out, cap,
                                  "Proactive detection %s (rules version %" PRId64
                                  ", score %.3f, action %s) confirmed by the right holder.",
                                  d->id, d->rules_version, d->score_milli / 1000.0, d->action);
    json_t *sigs = json_loads(d->signals, 0, NULL);
    size_t i;
    json_t *s;
    json_array_foreach(sigs, i, s)
    {
        const char *e = json_string_value(json_object_get(s, "explanation"));
        if (e && len < cap)
            len += (size_t)snprintf(out + len, cap - len, " Signal: %s.", e);
    }
    json_decref(sigs);
    if (note && note[0] && len < cap)
        snprintf(out + len, cap - len, " Note: %s", note);
}

ips_status detections_confirm(struct ips_ctx *ctx, const char *id, json_t *body,
                              char notice_id[ID_SIZE])
{
    static const char *const fields[] = {"org_id", "right_id", "note", "notifier_name",
                                         "signature", NULL};
    const char *org_id = NULL, *right_id = NULL, *note = NULL, *name = NULL, *sig = NULL;
    if (body) {
        json_reject_unknown(body, fields, ctx->errors);
        json_field_string(body, "org_id", false, ID_LEN, &org_id, ctx->errors);
        json_field_string(body, "right_id", false, ID_LEN, &right_id, ctx->errors);
        json_field_string(body, "note", false, DETECTIONS_NOTE_MAX, &note, ctx->errors);
        json_field_string(body, "notifier_name", false, STORE_NAME_MAX, &name, ctx->errors);
        json_field_string(body, "signature", false, STORE_NAME_MAX, &sig, ctx->errors);
        if (json_array_size(ctx->errors) > 0) {
            snprintf(ctx->detail, sizeof ctx->detail, "the confirmation is not valid");
            return IPS_ERR_INVALID;
        }
    }
    struct store_detection *d = malloc(sizeof *d);
    struct store_detection_org o;
    char *expl = malloc(STORE_NOTICE_TEXT_MAX + 1);
    json_t *meta = NULL;
    ips_status st = IPS_OK;
    if (!d || !expl) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if ((st = review__decidable(ctx, id, org_id, d, &o)))
        goto out_free;
    char tm[ID_SIZE] = "";
    if (right_id) {
        snprintf(tm, sizeof tm, "%s", right_id);
    } else {
        struct store_right_filter f = {"verified", "trademark", o.org_id, NULL, NULL};
        if ((st = rights_right_list(ctx, &f, NULL, 100, review__first_tm, tm)))
            goto out_free;
        if (!tm[0]) {
            json_error_add(ctx->errors, "right_id",
                           "is required: the organisation has no verified trademark to cite");
            snprintf(ctx->detail, sizeof ctx->detail, "no right to cite");
            st = IPS_ERR_INVALID;
            goto out_free;
        }
    }
    struct store_org org;
    if ((st = store_org_get(ctx->store, o.org_id, &org)))
        goto out_free;
    review__explanation(d, note, expl, STORE_NOTICE_TEXT_MAX + 1);
    const char *who = name ? name : org.name;
    meta = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:[s]}", "right_id", tm, "kind",
                     "counterfeit", "explanation", expl, "notifier_name", who, "notifier_email",
                     ctx->actor->email, "good_faith", 1, "accuracy", 1, "signature",
                     sig ? sig : who, "listings", d->listing_id);
    if (!meta) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if (strcmp(o.org_id, ctx->actor->org_id) != 0)
        json_object_set_new(meta, "on_behalf_of", json_string(org.name));
    struct notices_submit_req req = {meta, NULL, 0, NULL, 0};
    struct notices_submit_result res;
    memset(&res, 0, sizeof res);
    if ((st = notices_submit_detection(ctx, &req, d->id, &res)))
        goto out_free;
    notices_submit_result_release(&res);
    snprintf(o.notice_id, sizeof o.notice_id, "%s", res.notice.id);
    snprintf(o.reason, sizeof o.reason, "%.*s", (int)(sizeof o.reason - 1), note ? note : "");
    if ((st = review__record(ctx, d, &o, false)))
        goto out_free;
    memcpy(notice_id, o.notice_id, ID_SIZE);
out_free:
    json_decref(meta);
    free(expl);
    free(d);
    return st;
}

ips_status detections_dismiss(struct ips_ctx *ctx, const char *id, const char *reason,
                              const char *note)
{
    struct store_detection *d = malloc(sizeof *d);
    struct store_detection_org o;
    if (!d)
        return IPS_ERR_NOMEM;
    /* who may decide first: another holder's detection is 404 whatever the body */
    ips_status st = review__decidable(ctx, id, NULL, d, &o);
    if (st == IPS_OK && (!reason || !review__one_of(reason, review__reasons))) {
        json_error_add(ctx->errors, "reason", "must be authorised_reseller, not_infringing or other");
        st = IPS_ERR_INVALID;
    } else if (st == IPS_OK && note && strlen(note) > DETECTIONS_NOTE_MAX) {
        json_error_add(ctx->errors, "note", "must be at most 1000 bytes");
        st = IPS_ERR_INVALID;
    }
    if (st == IPS_ERR_INVALID)
        snprintf(ctx->detail, sizeof ctx->detail, "the dismissal is not valid");
    if (st == IPS_OK) {
        snprintf(o.reason, sizeof o.reason, "%s%s%.*s", reason, note && note[0] ? ": " : "",
                 (int)(sizeof o.reason - 40), note ? note : "");
        st = review__record(ctx, d, &o, true);
    }
    free(d);
    return st;
}

ips_status detections_precision(struct ips_ctx *ctx, const char *only_org,
                                store_detection_precision_cb cb, void *arg)
{
    ips_status st = access_authorize(ctx->actor, ACT_DETECTION_LIST, NULL);
    if (st) {
        review__denied(ctx, ACT_DETECTION_LIST, "detections:precision", st);
        return st;
    }
    if (access_authorize(ctx->actor, ACT_DETECTION_READ, NULL) != IPS_OK) {
        if (!only_org || !only_org[0])
            only_org = ctx->actor->org_id;
        if (!id_is_valid(only_org) ||
            (st = review__for_org(ctx, ACT_DETECTION_READ, only_org)) != IPS_OK) {
            st = st ? st : IPS_ERR_NOT_FOUND;
            review__denied(ctx, ACT_DETECTION_READ, "detections:precision", st);
            return st;
        }
    } else if (only_org && !id_is_valid(only_org)) {
        return IPS_ERR_NOT_FOUND;
    }
    return store_detections_precision(ctx->store, only_org && only_org[0] ? only_org : NULL, cb,
                                      arg);
}

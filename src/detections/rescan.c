/*
 * rescan.c — new rule versions and the rescan they start: rebuild on an
 * admin's request or when the job sees a profile newer than the rules, then
 * rescan every listing in batches under the new version (a keyset cursor
 * kept in detection_rules, so a restart resumes where it stopped).
 *
 * Which listings: all of them. A changed term or image can make any listing
 * match (or stop matching), and scanning is cheap next to reading the row;
 * what a rescan writes is limited instead: a new verdict only when the
 * outcome changed, otherwise the new version in checked_version.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "detections/detections_internal.h"
#include "store/store_catalog.h"

/* Authorise; audit a refusal on its own. */
static ips_status rescan__check(struct ips_ctx *ctx, enum access_action act, const char *object)
{
    ips_status st = access_authorize(ctx->actor, act, NULL);
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object, AUDIT_DENIED, ips_status_slug(st));
    return st;
}

ips_status detections_rules_get(struct ips_ctx *ctx, struct store_detection_rules *out)
{
    ips_status st = rescan__check(ctx, ACT_DETECTION_LIST, "detection:rules");
    return st ? st : store_detections_rules_current(ctx->store, out);
}

/* ---- rebuild ---------------------------------------------------------------------------- */

struct rescan__rebuild_tx {
    const struct ips_ctx *ctx;
    const char *reason;
    int64_t source_ms, now;
    struct store_detection_rules row; /* OUT, reset per attempt */
};

static ips_status rescan__rebuild_tx(struct store *s, void *arg)
{
    struct rescan__rebuild_tx *a = arg;
    struct store_detection_rules cur;
    ips_status st = store_detections_rules_current(s, &cur);
    if (st)
        return st;
    memset(&a->row, 0, sizeof a->row);
    a->row.version = cur.version + 1;
    id_new(a->row.stamp);
    a->row.source_ms = a->source_ms;
    snprintf(a->row.reason, sizeof a->row.reason, "%s", a->reason);
    a->row.created_ms = a->now;
    a->row.rescan_done = false; /* rescan_after "": from the start */
    int64_t samples = a->ctx->cfg ? a->ctx->cfg->detect_median_samples : 5;
    if ((st = detections__medians_refresh(s, a->row.version, samples)) ||
        (st = store_detections_rules_insert(s, &a->row)))
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "detection_rules:%" PRId64, a->row.version);
    return audit_append(s, access_principal_actor(a->ctx->actor), "detection.rules", object,
                        AUDIT_OK, a->reason);
}

ips_status detections_rules_rebuild(struct ips_ctx *ctx, const char *reason,
                                    struct store_detection_rules *out)
{
    ips_status st = rescan__check(ctx, ACT_DETECTION_RESCAN, "detection:rules");
    if (st)
        return st;
    size_t rn = reason ? strlen(reason) : 0;
    if (rn == 0 || rn > STORE_DETECTION_REASON_MAX) {
        if (ctx->errors)
            json_error_add(ctx->errors, "reason", "must be 1 to 300 bytes");
        snprintf(ctx->detail, sizeof ctx->detail, "the rescan request is not valid");
        return IPS_ERR_INVALID;
    }
    struct rescan__rebuild_tx a;
    memset(&a, 0, sizeof a);
    a.ctx = ctx;
    a.reason = reason;
    a.now = time_now_ms();
    if ((st = store_detections_profiles_changed(ctx->store, &a.source_ms)) ||
        (st = store_tx_run(ctx->store, rescan__rebuild_tx, &a)))
        return st;
    /* compile the version just named and hand it to every thread */
    struct detections_rules *r;
    if ((st = detections__rules_build(ctx->store, ctx->cfg, a.row.version, a.row.stamp, &r)))
        return st;
    detections__rules_publish(r);
    a.row.profiles = (int64_t)r->norgs;
    a.row.patterns = (int64_t)r->npats;
    a.row.images = (int64_t)detect_index_size(r->index);
    detections__rules_unref(r);
    log_info("detections: rules rebuilt", "version", a.row.stamp, "reason", reason);
    if (out)
        *out = a.row;
    return IPS_OK;
}

/* ---- rescan ------------------------------------------------------------------------------ */

struct rescan__batch {
    char ids[DETECTIONS_RESCAN_BATCH][STORE_LISTING_ID_MAX + 1];
    int n;
};

static ips_status rescan__collect(const struct store_listing *l,
                                  const struct store_listing_version *v, void *arg)
{
    (void)v;
    struct rescan__batch *b = arg;
    snprintf(b->ids[b->n++], sizeof b->ids[0], "%s", l->id);
    return IPS_OK;
}

struct rescan__tx {
    struct detections_rules *r;
    const struct rescan__batch *b;
    int64_t version;
    bool last;
    struct store_listing_version *v; /* scratch */
    int64_t changed;                 /* OUT, reset per attempt */
};

static ips_status rescan__tx(struct store *s, void *arg)
{
    struct rescan__tx *a = arg;
    int64_t now = time_now_ms();
    ips_status st = IPS_OK;
    a->changed = 0;
    for (int i = 0; i < a->b->n && st == IPS_OK; i++) {
        struct store_listing l;
        bool changed = false;
        st = store_catalog_listing_get(s, a->b->ids[i], &l);
        if (st == IPS_ERR_NOT_FOUND) {
            st = IPS_OK;
            continue;
        }
        if (st || (st = store_catalog_version_get(s, l.id, l.current_version, a->v)) ||
            (st = detections__scan_store(s, a->r, &l, a->v, false, now, &changed)))
            break;
        a->changed += changed;
    }
    if (st)
        return st;
    if ((st = store_detections_rules_progress(s, a->version,
                                              a->last ? NULL : a->b->ids[a->b->n - 1], a->b->n,
                                              a->changed)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "detection_rules:%" PRId64, a->version);
    snprintf(detail, sizeof detail, "rescanned %d listing(s) from %s: %" PRId64 " new verdict(s)%s",
             a->b->n, a->b->n ? a->b->ids[0] : "-", a->changed, a->last ? "; finished" : "");
    return audit_append(s, "system", "detection.rescan", object, AUDIT_OK, detail);
}

ips_status detections_rescan_step(struct ips_ctx *ctx, int max_listings, bool *finished)
{
    struct store_detection_rules row;
    struct rescan__batch *b = NULL;
    struct detections_rules *r = NULL;
    struct rescan__tx a;
    ips_status st = access_authorize(ctx->actor, ACT_DETECTION_RESCAN, NULL);
    int done = 0;
    if (finished)
        *finished = false;
    if (st || (st = store_detections_rules_current(ctx->store, &row)))
        return st;
    if (row.rescan_done) {
        if (finished)
            *finished = true;
        return IPS_OK;
    }
    if (max_listings <= 0)
        max_listings = DETECTIONS_TICK_LISTINGS;
    memset(&a, 0, sizeof a);
    b = malloc(sizeof *b);
    a.v = malloc(sizeof *a.v);
    if (!b || !a.v) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if ((st = detections__rules_get(ctx->store, ctx->cfg, &r)))
        goto out_free;
    a.r = r;
    a.b = b;
    a.version = row.version;
    char after[STORE_LISTING_ID_MAX + 1];
    snprintf(after, sizeof after, "%s", row.rescan_after);
    while (done < max_listings) {
        b->n = 0;
        if ((st = store_catalog_listing_list(ctx->store, NULL, after, DETECTIONS_RESCAN_BATCH,
                                             rescan__collect, b)))
            break;
        a.last = b->n < DETECTIONS_RESCAN_BATCH;
        if ((st = store_tx_run(ctx->store, rescan__tx, &a)))
            break;
        done += b->n;
        if (a.last) {
            if (finished)
                *finished = true;
            break;
        }
        snprintf(after, sizeof after, "%s", b->ids[b->n - 1]);
    }
out_free:
    detections__rules_unref(r);
    free(a.v);
    free(b);
    return st;
}

ips_status detections_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    (void)now_ms;
    struct store_detection_rules row;
    int64_t changed_ms = 0;
    ips_status st = store_detections_rules_current(ctx->store, &row);
    if (st == IPS_OK)
        st = store_detections_profiles_changed(ctx->store, &changed_ms);
    if (st == IPS_OK && changed_ms > row.source_ms)
        st = detections_rules_rebuild(ctx, "a protection profile changed", NULL);
    if (st == IPS_OK)
        st = detections_rescan_step(ctx, 0, NULL);
    if (st)
        log_warn("detections: the rebuild or rescan failed", "status", ips_status_slug(st));
    return st;
}

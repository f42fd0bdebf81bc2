/*
 * store_detections.c — the public functions of store_detections.h: argument
 * checks (a NULL where a value is required is a caller bug:
 * IPS_ERR_INTERNAL, logged) and dispatch to struct store_detections_ops.
 */
#include <string.h>

#include "store/store_detections.h"
#include "store/store_backend.h"
#include "store/store_detections_backend.h"

#define OPS(s) ((s)->ops->detections)

ips_status store_detections_rules_current(struct store *s, struct store_detection_rules *out)
{
    STORE__REQUIRE(s && out);
    return OPS(s)->rules_current(s, out);
}

ips_status store_detections_rules_insert(struct store *s, const struct store_detection_rules *r)
{
    STORE__REQUIRE(s && r);
    return OPS(s)->rules_insert(s, r);
}

ips_status store_detections_rules_progress(struct store *s, int64_t version, const char *after,
                                           int64_t rescanned, int64_t changed)
{
    STORE__REQUIRE(s);
    return OPS(s)->rules_progress(s, version, after, rescanned, changed);
}

ips_status store_detections_profiles_changed(struct store *s, int64_t *ms)
{
    STORE__REQUIRE(s && ms);
    return OPS(s)->profiles_changed(s, ms);
}

ips_status store_detections_profile_orgs(struct store *s, store_detection_id_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return OPS(s)->profile_orgs(s, cb, arg);
}

ips_status store_detections_prices(struct store *s, store_detection_price_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return OPS(s)->prices(s, cb, arg);
}

ips_status store_detections_medians_clear(struct store *s)
{
    STORE__REQUIRE(s);
    return OPS(s)->medians_clear(s);
}

ips_status store_detections_median_insert(struct store *s, const struct store_detection_median *m,
                                          int64_t rules_version)
{
    STORE__REQUIRE(s && m);
    return OPS(s)->median_insert(s, m, rules_version);
}

ips_status store_detections_median_list(struct store *s, store_detection_median_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return OPS(s)->median_list(s, cb, arg);
}

ips_status store_detections_image_get(struct store *s, const char *sha256,
                                      struct store_detection_image *out)
{
    STORE__REQUIRE(s && sha256 && out);
    return OPS(s)->image_get(s, sha256, out);
}

ips_status store_detections_image_put(struct store *s, const struct store_detection_image *im)
{
    STORE__REQUIRE(s && im);
    return OPS(s)->image_put(s, im);
}

ips_status store_detections_fetch_get(struct store *s, const char *url,
                                      struct store_image_fetch *out)
{
    STORE__REQUIRE(s && url && out);
    return OPS(s)->fetch_get(s, url, out);
}

ips_status store_detections_fetch_put(struct store *s, const struct store_image_fetch *f)
{
    STORE__REQUIRE(s && f);
    return OPS(s)->fetch_put(s, f);
}

ips_status store_detections_fetch_cursor(struct store *s, int64_t *after_vrow)
{
    STORE__REQUIRE(s && after_vrow);
    return OPS(s)->fetch_cursor(s, after_vrow);
}

ips_status store_detections_fetch_cursor_set(struct store *s, int64_t after_vrow)
{
    STORE__REQUIRE(s && after_vrow >= 0);
    return OPS(s)->fetch_cursor_set(s, after_vrow);
}

ips_status store_detections_fetch_versions(struct store *s, int64_t after_vrow, int limit,
                                           store_image_fetch_version_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb && limit > 0);
    return OPS(s)->fetch_versions(s, after_vrow, limit, cb, arg);
}

ips_status store_detections_verdict_insert(struct store *s, const struct store_detection *d,
                                           bool replaces)
{
    STORE__REQUIRE(s && d);
    return OPS(s)->verdict_insert(s, d, replaces);
}

ips_status store_detections_verdict_get(struct store *s, const char *id, struct store_detection *out)
{
    STORE__REQUIRE(s && id && out);
    return OPS(s)->verdict_get(s, id, out);
}

ips_status store_detections_verdict_current(struct store *s, const char *listing_id,
                                            struct store_detection *out)
{
    STORE__REQUIRE(s && listing_id && out);
    return OPS(s)->verdict_current(s, listing_id, out);
}

ips_status store_detections_verdict_checked(struct store *s, const char *id, int64_t version)
{
    STORE__REQUIRE(s && id);
    return OPS(s)->verdict_checked(s, id, version);
}

ips_status store_detections_verdict_status(struct store *s, const char *id, const char *status)
{
    STORE__REQUIRE(s && id && status);
    return OPS(s)->verdict_status(s, id, status);
}

static bool store__named(const char *v)
{
    return v && v[0];
}

const char *store_detections__list_text(const struct store_detection_filter *f,
                                        const char *const texts[STORE_DETECTIONS__LIST_COUNT])
{
    if (store__named(f->listing))
        return texts[STORE_DETECTIONS__LIST_LISTING];
    if (store__named(f->org_id))
        return texts[STORE_DETECTIONS__LIST_ORG];
    if (store__named(f->action))
        return texts[strcmp(f->action, "allow") == 0 ? STORE_DETECTIONS__LIST_ALLOWED
                                                     : STORE_DETECTIONS__LIST_ACTION];
    return texts[STORE_DETECTIONS__LIST_FLAGGED];
}

ips_status store_detections_verdict_list(struct store *s, const struct store_detection_filter *f,
                                         const char *before, int limit, store_detection_cb cb,
                                         void *arg)
{
    STORE__REQUIRE(s && f && cb);
    return OPS(s)->verdict_list(s, f, before, limit, cb, arg);
}

ips_status store_detections_org_insert(struct store *s, const struct store_detection_org *o)
{
    STORE__REQUIRE(s && o);
    return OPS(s)->org_insert(s, o);
}

ips_status store_detections_org_get(struct store *s, const char *verdict_id, const char *org_id,
                                    struct store_detection_org *out)
{
    STORE__REQUIRE(s && verdict_id && org_id && out);
    return OPS(s)->org_get(s, verdict_id, org_id, out);
}

ips_status store_detections_org_decide(struct store *s, const struct store_detection_org *o)
{
    STORE__REQUIRE(s && o);
    return OPS(s)->org_decide(s, o);
}

ips_status store_detections_org_list(struct store *s, const char *verdict_id,
                                     store_detection_org_cb cb, void *arg)
{
    STORE__REQUIRE(s && verdict_id && cb);
    return OPS(s)->org_list(s, verdict_id, cb, arg);
}

ips_status store_detections_precision(struct store *s, const char *only_org,
                                      store_detection_precision_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return OPS(s)->precision(s, only_org, cb, arg);
}

ips_status store_detections_dismissal_insert(struct store *s, const char *listing_id,
                                             int64_t listing_version, const char *org_id,
                                             const char *verdict_id, const char *reason,
                                             int64_t now_ms)
{
    STORE__REQUIRE(s && listing_id && org_id && verdict_id && reason);
    return OPS(s)->dismissal_insert(s, listing_id, listing_version, org_id, verdict_id, reason,
                                    now_ms);
}

ips_status store_detections_dismissed_orgs(struct store *s, const char *listing_id,
                                           int64_t listing_version, store_detection_id_cb cb,
                                           void *arg)
{
    STORE__REQUIRE(s && listing_id && cb);
    return OPS(s)->dismissed_orgs(s, listing_id, listing_version, cb, arg);
}

ips_status store_detections_seller_reports(struct store *s, const char *seller_org_id,
                                           int64_t *reports, int64_t *members)
{
    STORE__REQUIRE(s && seller_org_id && reports && members);
    return OPS(s)->seller_reports(s, seller_org_id, reports, members);
}

ips_status store_detections_seller_strikes(struct store *s, const char *seller_org_id,
                                           int64_t now_ms, int64_t *strikes)
{
    STORE__REQUIRE(s && seller_org_id && strikes);
    return OPS(s)->seller_strikes(s, seller_org_id, now_ms, strikes);
}

ips_status store_detections_seller_links(struct store *s, const char *seller_org_id,
                                         int64_t now_ms, int limit, store_detection_link_cb cb,
                                         void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return OPS(s)->seller_links(s, seller_org_id, now_ms, limit, cb, arg);
}

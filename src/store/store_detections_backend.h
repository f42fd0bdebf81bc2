/*
 * store_detections_backend.h — the backend table of the detections domain
 * (private to src/store/). Contracts: store_detections.h.
 */
#ifndef IPS_STORE_STORE_DETECTIONS_BACKEND_H
#define IPS_STORE_STORE_DETECTIONS_BACKEND_H

#include "store/store_detections.h"

struct store_detections_ops {
    ips_status (*rules_current)(struct store *s, struct store_detection_rules *out);
    ips_status (*rules_insert)(struct store *s, const struct store_detection_rules *r);
    ips_status (*rules_progress)(struct store *s, int64_t version, const char *after,
                                 int64_t rescanned, int64_t changed);
    ips_status (*profiles_changed)(struct store *s, int64_t *ms);
    ips_status (*profile_orgs)(struct store *s, store_detection_id_cb cb, void *arg);
    ips_status (*prices)(struct store *s, store_detection_price_cb cb, void *arg);
    ips_status (*medians_clear)(struct store *s);
    ips_status (*median_insert)(struct store *s, const struct store_detection_median *m,
                                int64_t rules_version);
    ips_status (*median_list)(struct store *s, store_detection_median_cb cb, void *arg);
    ips_status (*image_get)(struct store *s, const char *sha256, struct store_detection_image *out);
    ips_status (*image_put)(struct store *s, const struct store_detection_image *im);
    ips_status (*fetch_get)(struct store *s, const char *url, struct store_image_fetch *out);
    ips_status (*fetch_put)(struct store *s, const struct store_image_fetch *f);
    ips_status (*fetch_cursor)(struct store *s, int64_t *after_vrow);
    ips_status (*fetch_cursor_set)(struct store *s, int64_t after_vrow);
    ips_status (*fetch_versions)(struct store *s, int64_t after_vrow, int limit,
                                 store_image_fetch_version_cb cb, void *arg);
    ips_status (*verdict_insert)(struct store *s, const struct store_detection *d, bool replaces);
    ips_status (*verdict_get)(struct store *s, const char *id, struct store_detection *out);
    ips_status (*verdict_current)(struct store *s, const char *listing_id,
                                  struct store_detection *out);
    ips_status (*verdict_checked)(struct store *s, const char *id, int64_t version);
    ips_status (*verdict_status)(struct store *s, const char *id, const char *status);
    ips_status (*verdict_list)(struct store *s, const struct store_detection_filter *f,
                               const char *before, int limit, store_detection_cb cb, void *arg);
    ips_status (*org_insert)(struct store *s, const struct store_detection_org *o);
    ips_status (*org_get)(struct store *s, const char *verdict_id, const char *org_id,
                          struct store_detection_org *out);
    ips_status (*org_decide)(struct store *s, const struct store_detection_org *o);
    ips_status (*org_list)(struct store *s, const char *verdict_id, store_detection_org_cb cb,
                           void *arg);
    ips_status (*precision)(struct store *s, const char *only_org,
                            store_detection_precision_cb cb, void *arg);
    ips_status (*dismissal_insert)(struct store *s, const char *listing_id,
                                   int64_t listing_version, const char *org_id,
                                   const char *verdict_id, const char *reason, int64_t now_ms);
    ips_status (*dismissed_orgs)(struct store *s, const char *listing_id, int64_t listing_version,
                                 store_detection_id_cb cb, void *arg);
    ips_status (*seller_reports)(struct store *s, const char *seller_org_id, int64_t *reports,
                                 int64_t *members);
    ips_status (*seller_strikes)(struct store *s, const char *seller_org_id, int64_t now_ms,
                                 int64_t *strikes);
    ips_status (*seller_links)(struct store *s, const char *seller_org_id, int64_t now_ms,
                               int limit, store_detection_link_cb cb, void *arg);
};

/* The verdict list's texts, one per filter that drives it (each backend
 * says why, at its texts), and the one that serves f: the listing's if
 * named, else the org's, else the allow action's or another action's,
 * else every flagged verdict. */
enum store_detections__list {
    STORE_DETECTIONS__LIST_LISTING,
    STORE_DETECTIONS__LIST_ORG,
    STORE_DETECTIONS__LIST_ACTION,
    STORE_DETECTIONS__LIST_ALLOWED,
    STORE_DETECTIONS__LIST_FLAGGED,
    STORE_DETECTIONS__LIST_COUNT
};
const char *store_detections__list_text(const struct store_detection_filter *f,
                                        const char *const texts[STORE_DETECTIONS__LIST_COUNT]);

#endif

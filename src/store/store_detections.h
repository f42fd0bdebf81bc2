/*
 * store_detections.h — persistence of server-side detection (migration
 * 0007_detections.sql): rule versions, category medians, cached PDQ hashes,
 * verdicts per listing version, the right holders each concerns with their
 * decisions, remembered dismissals; and the read-only lookups the seller
 * signal needs (alliance reports, strikes of sellers sharing an identifier).
 *
 * Same rules as store.h: records are plain structs with fixed-size text
 * fields owned by the caller; OUT parameters are written only on IPS_OK;
 * text that does not fit is IPS_ERR_TOO_LARGE, never truncated; listing
 * callbacks get one row at a time, may use the store again, and stop the
 * scan by returning non-OK (that status is returned). Validation is the
 * domain's (src/detections/).
 */
#ifndef IPS_STORE_STORE_DETECTIONS_H
#define IPS_STORE_STORE_DETECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_catalog.h"

#define STORE_DETECTION_STAMP_MAX 64
#define STORE_DETECTION_SIGNALS_MAX 32768 /* compact JSON array of signals */
#define STORE_DETECTION_OUTCOME_MAX 1024
#define STORE_DETECTION_REASON_MAX 300
#define STORE_DETECTION_WORD_MAX 16 /* action, applied, status, decision */
/* A keyset cursor above every verdict id (ids are ULIDs: Crockford base-32,
 * upper case, 26 characters, the first at most '7'), for a list's first page. */
#define STORE_DETECTION_ID_TOP "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"

/* One compiled rule set. rescan_after: the rescan cursor ("" = from the
 * start); rescan_done true when the rescan under this version finished. */
struct store_detection_rules {
    int64_t version;
    char stamp[STORE_DETECTION_STAMP_MAX + 1];
    int64_t source_ms;
    int64_t profiles, patterns, images;
    char reason[STORE_DETECTION_REASON_MAX + 1];
    int64_t created_ms;
    bool rescan_done;
    char rescan_after[STORE_LISTING_ID_MAX + 1];
    int64_t rescanned, changed;
};

struct store_detection_median {
    char category[STORE_LISTING_CATEGORY_MAX + 1];
    char currency[STORE_CURRENCY_LEN + 1];
    int64_t median_minor;
    int64_t samples;
};

/* A listing image given by URL, fetched by the server (migration 0021;
 * src/detections/fetch.c). */
#define STORE_IMAGE_URL_MAX 400
struct store_image_fetch {
    char url[STORE_IMAGE_URL_MAX + 1];
    char sha256[65];                        /* the blob; "" unless state is fetched */
    char state[STORE_DETECTION_WORD_MAX + 1]; /* fetched | failed */
    int64_t attempts;
    char error[STORE_DETECTION_REASON_MAX + 1];
    int64_t updated_ms;
};

/* A listing version as the fetch job walks them (about 8 KB). */
struct store_image_fetch_version {
    int64_t vrow; /* the versions' order */
    char listing_id[STORE_LISTING_ID_MAX + 1];
    int64_t version;
    char images[STORE_LISTING_IMAGES_MAX + 1];
};
typedef ips_status (*store_image_fetch_version_cb)(const struct store_image_fetch_version *v,
                                                   void *arg);

struct store_detection_image {
    char sha256[65];
    char pdq[8 * 64 + 1]; /* the 8 dihedral hashes, 64 hex digits each; "" when unusable */
    int quality;
    char error[STORE_DETECTION_REASON_MAX + 1];
    int64_t created_ms;
};

/* A verdict (about 34 KB: keep one or two, never arrays). */
struct store_detection {
    char id[ID_SIZE];
    char listing_id[STORE_LISTING_ID_MAX + 1];
    int64_t listing_version, rules_version, checked_version;
    int score_milli; /* 0..1000 */
    char action[STORE_DETECTION_WORD_MAX + 1];  /* allow | monitor | review | block */
    char applied[STORE_DETECTION_WORD_MAX + 1]; /* none | blocked | unblocked */
    char status[STORE_DETECTION_WORD_MAX + 1];  /* open | confirmed | dismissed */
    bool is_current;
    int64_t created_ms;
    char outcome_key[STORE_DETECTION_OUTCOME_MAX + 1];
    /* last: a record's used bytes stay together (the SQLite store keeps
     * an import's verdicts in an array of these) */
    char signals[STORE_DETECTION_SIGNALS_MAX + 1];
};

/* One right holder a verdict concerns, with its decision. */
struct store_detection_org {
    char verdict_id[ID_SIZE];
    char org_id[ID_SIZE];
    char decision[STORE_DETECTION_WORD_MAX + 1]; /* open | confirmed | dismissed */
    char decided_by[ID_SIZE + 8];                /* user id or "system" */
    int64_t decided_ms;
    char reason[STORE_DETECTION_REASON_MAX + 1];
    char notice_id[ID_SIZE]; /* the notice a confirmation filed */
};

/* Filter of the detection list: NULL/empty members do not filter. */
struct store_detection_filter {
    const char *action;  /* allow | monitor | review | block; NULL: all but allow */
    const char *status;  /* open | confirmed | dismissed */
    const char *org_id;  /* only verdicts concerning this right holder */
    const char *listing; /* only this listing */
};

/* Precision counts of one right holder. */
struct store_detection_precision {
    char org_id[ID_SIZE];
    char org_name[STORE_NAME_MAX + 1];
    int64_t confirmed, dismissed, open;
};

typedef ips_status (*store_detection_cb)(const struct store_detection *d, void *arg);
typedef ips_status (*store_detection_org_cb)(const struct store_detection_org *o, void *arg);
typedef ips_status (*store_detection_median_cb)(const struct store_detection_median *m, void *arg);
typedef ips_status (*store_detection_precision_cb)(const struct store_detection_precision *p,
                                                   void *arg);
typedef ips_status (*store_detection_id_cb)(const char *id, void *arg);
typedef ips_status (*store_detection_price_cb)(const char *category, const char *currency,
                                               int64_t price_minor, void *arg);
typedef ips_status (*store_detection_link_cb)(const char *seller_org_id, int64_t strikes,
                                              void *arg);

/* ---- rules --------------------------------------------------------------------- */

/* OUT *out: the newest rule set (there is always one: migration 0007 makes
 * version 1). */
ips_status store_detections_rules_current(struct store *s, struct store_detection_rules *out);
/* Insert r (r->version must be new). CONFLICT on a taken version or stamp. */
ips_status store_detections_rules_insert(struct store *s, const struct store_detection_rules *r);
/* Record rescan progress of version: cursor after (NULL: finished), and add
 * to the counts. NOT_FOUND for an unknown version. */
ips_status store_detections_rules_progress(struct store *s, int64_t version, const char *after,
                                           int64_t rescanned, int64_t changed);
/* OUT *ms: the newest profiles.updated_ms (0 with no profiles). */
ips_status store_detections_profiles_changed(struct store *s, int64_t *ms);
/* Every org with a profile row, by id. */
ips_status store_detections_profile_orgs(struct store *s, store_detection_id_cb cb, void *arg);

/* ---- medians -------------------------------------------------------------------- */

/* Prices of the current versions of live listings, ordered by (category,
 * currency, price). */
ips_status store_detections_prices(struct store *s, store_detection_price_cb cb, void *arg);
/* Delete every median. */
ips_status store_detections_medians_clear(struct store *s);
ips_status store_detections_median_insert(struct store *s, const struct store_detection_median *m,
                                          int64_t rules_version);
ips_status store_detections_median_list(struct store *s, store_detection_median_cb cb, void *arg);

/* ---- image hashes ----------------------------------------------------------------- */

/* OUT *out. NOT_FOUND when sha256 was never hashed. */
ips_status store_detections_image_get(struct store *s, const char *sha256,
                                      struct store_detection_image *out);
/* Insert or replace. */
ips_status store_detections_image_put(struct store *s, const struct store_detection_image *im);

/* ---- listing images by URL ----------------------------------------------------------- */

/* OUT *out. NOT_FOUND when the URL was never tried. */
ips_status store_detections_fetch_get(struct store *s, const char *url,
                                      struct store_image_fetch *out);
/* Insert or replace. */
ips_status store_detections_fetch_put(struct store *s, const struct store_image_fetch *f);
/* The fetch job's cursor: the last version (vrow) it has finished. */
ips_status store_detections_fetch_cursor(struct store *s, int64_t *after_vrow);
ips_status store_detections_fetch_cursor_set(struct store *s, int64_t after_vrow);
/* Up to limit listing versions after after_vrow, in vrow order (every
 * version: the job skips those without a URL itself). */
ips_status store_detections_fetch_versions(struct store *s, int64_t after_vrow, int limit,
                                           store_image_fetch_version_cb cb, void *arg);

/* ---- verdicts ------------------------------------------------------------------------ */

/* Insert d. When d->is_current, d becomes the listing's current verdict;
 * replaces: the listing may have a current verdict already, which stops
 * being current (false for a listing created in this transaction: one
 * statement less). A verdict on a superseded version (queued scanning:
 * the listing changed again before a worker judged it) is inserted with
 * is_current false and leaves the current one alone. NOT_FOUND for an
 * unknown listing. */
ips_status store_detections_verdict_insert(struct store *s, const struct store_detection *d,
                                           bool replaces);
/* OUT *out. NOT_FOUND. */
ips_status store_detections_verdict_get(struct store *s, const char *id, struct store_detection *out);
/* OUT *out: the current verdict of a listing. NOT_FOUND when it has none. */
ips_status store_detections_verdict_current(struct store *s, const char *listing_id,
                                            struct store_detection *out);
/* Set checked_version (a rescan confirmed the outcome). NOT_FOUND. */
ips_status store_detections_verdict_checked(struct store *s, const char *id, int64_t version);
/* Set status. NOT_FOUND. */
ips_status store_detections_verdict_status(struct store *s, const char *id, const char *status);
/* Current verdicts matching f, newest (id descending) before `before`
 * (NULL: from the newest), at most limit. */
ips_status store_detections_verdict_list(struct store *s, const struct store_detection_filter *f,
                                         const char *before, int limit, store_detection_cb cb,
                                         void *arg);

/* ---- right holders of a verdict ------------------------------------------------------ */

/* CONFLICT when (verdict, org) exists; NOT_FOUND for a missing verdict/org. */
ips_status store_detections_org_insert(struct store *s, const struct store_detection_org *o);
/* OUT *out. NOT_FOUND when the verdict does not concern org_id. */
ips_status store_detections_org_get(struct store *s, const char *verdict_id, const char *org_id,
                                    struct store_detection_org *out);
/* Write decision, decided_by, decided_ms, reason, notice_id. NOT_FOUND. */
ips_status store_detections_org_decide(struct store *s, const struct store_detection_org *o);
/* The right holders of a verdict, by org id. */
ips_status store_detections_org_list(struct store *s, const char *verdict_id,
                                     store_detection_org_cb cb, void *arg);
/* Confirmed / dismissed / open counts per right holder (only_org non-NULL:
 * that one), by org id. */
ips_status store_detections_precision(struct store *s, const char *only_org,
                                      store_detection_precision_cb cb, void *arg);

/* ---- dismissals ------------------------------------------------------------------------ */

/* Remember that org dismissed (listing, version). Recording it twice keeps
 * the first. */
ips_status store_detections_dismissal_insert(struct store *s, const char *listing_id,
                                             int64_t listing_version, const char *org_id,
                                             const char *verdict_id, const char *reason,
                                             int64_t now_ms);
/* The orgs that dismissed (listing, version), by org id. */
ips_status store_detections_dismissed_orgs(struct store *s, const char *listing_id,
                                           int64_t listing_version, store_detection_id_cb cb,
                                           void *arg);

/* ---- seller lookups (read-only, other domains' tables) ---------------------------------- */

/* OUT *reports, *members: alliance reports about seller_org_id and the
 * distinct members that shared them. */
ips_status store_detections_seller_reports(struct store *s, const char *seller_org_id,
                                           int64_t *reports, int64_t *members);
/* OUT *strikes: active strikes (not revoked, not expired at now_ms) of the
 * seller itself. */
ips_status store_detections_seller_strikes(struct store *s, const char *seller_org_id,
                                           int64_t now_ms, int64_t *strikes);
/* Other sellers sharing an identifier hash with seller_org_id that have
 * active strikes at now_ms, with their strike counts, by org id, at most
 * limit. */
ips_status store_detections_seller_links(struct store *s, const char *seller_org_id,
                                         int64_t now_ms, int limit, store_detection_link_cb cb,
                                         void *arg);

#endif

/*
 * detections_internal.h — what the files of src/detections/ share: the
 * compiled rule set, the per-thread scanner, one listing's scan result.
 * Not for use outside src/detections/.
 *
 * A struct detections_rules is immutable once published; its reference
 * count (atomic) is the only field that changes. Take one with
 * detections__rules_get, give it back with detections__rules_unref.
 */
#ifndef IPS_DETECTIONS_DETECTIONS_INTERNAL_H
#define IPS_DETECTIONS_DETECTIONS_INTERNAL_H

#include <stdatomic.h>

#include "detect/detect.h"
#include "detections/detections.h"
#include "store/store_profile.h"

struct detections__org {
    char org_id[ID_SIZE];
    char name[STORE_NAME_MAX + 1];
    char (*sellers)[ID_SIZE]; /* authorised seller orgs, sorted */
    size_t nsellers;
    struct store_profile_price *prices;
    size_t nprices;
};

struct detections_rules {
    atomic_int refs;
    int64_t version;
    char stamp[STORE_DETECTION_STAMP_MAX + 1];
    struct detections__org *orgs;
    size_t norgs, orgs_cap;
    struct detect_pattern_in *pats; /* owner: index into orgs (-1: cue) */
    char **texts;                   /* owned copies of the brand terms */
    size_t npats, pats_cap;
    struct detect_matcher *matcher;
    struct detect_index *index;
    uint32_t *index_owner;      /* index id -> org */
    char (*index_sha)[65];      /* index id -> official image sha256 */
    size_t index_cap;
    struct store_detection_median *medians; /* sorted by (category, currency) */
    size_t nmedians, medians_cap;
    struct detect_policy policy;
    bool block;
    double median_ratio;
    int64_t median_samples;
};

/* The calling thread's scanner state for one rule set. */
struct detections__thread {
    struct detections_rules *rules; /* referenced */
    struct detect_normaliser *norm;
    struct detect_scanner *scanner;
    struct detect_text text;
    struct store_detection *d, *prev; /* verdict scratch (large records) */
    bool *org_flags;                  /* scan scratch: 3 flags per org (scan.c) */
    size_t org_flags_cap;
};

/* Take a reference to the rules the database names (compiling them when
 * this process has not). OUT *out. */
ips_status detections__rules_get(struct store *s, const struct config *cfg,
                                 struct detections_rules **out);
void detections__rules_unref(struct detections_rules *r);

/* Compile a rule set from the store's profiles (version/stamp as given).
 * medians NULL: read them from detection_medians. OUT *out (refs 1). */
ips_status detections__rules_build(struct store *s, const struct config *cfg, int64_t version,
                                   const char *stamp, struct detections_rules **out);
/* Make r the process's current set (takes a reference of its own). */
void detections__rules_publish(struct detections_rules *r);

/* The calling thread's scanner for r (rebuilt when r changed). */
ips_status detections__thread_for(struct detections_rules *r, struct detections__thread **out);
/* The calling thread's normaliser (for compiling). */
ips_status detections__normaliser(struct detect_normaliser **out);

/* PDQ of a stored image blob, cached in detection_image_hashes. OUT *ok
 * false when it cannot be used (not an image, quality below 50). */
ips_status detections__image_pdq(struct store *s, const char *sha256, struct detect_pdq h[8],
                                 int *quality, bool *ok);

/* Recompute the medians from the live listings into the table (inside a
 * transaction), stamped with version. */
ips_status detections__medians_refresh(struct store *s, int64_t version, int64_t min_samples);

/* Scan one listing version under r and store the verdict (inside a
 * transaction): a new verdict unless the current one has the same outcome
 * for this version. fresh: the listing was created in this transaction (it
 * has no verdict and no dismissal yet: those lookups are skipped). OUT
 * *changed (may be NULL): a new verdict was stored. */
ips_status detections__scan_store(struct store *s, struct detections_rules *r,
                                  struct store_listing *l,
                                  const struct store_listing_version *v, bool fresh,
                                  int64_t now_ms, bool *changed);

/* The org index of org_id in r, or -1. */
int detections__org_index(const struct detections_rules *r, const char *org_id);

#endif

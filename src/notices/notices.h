/*
 * notices.h — notice and action with the IPR fast track: right holders
 * report infringing listings (DSA Art. 16, DMCA §512(c)(3)); notices of a
 * notifier with a proven record take the listings down at once, the others
 * wait in a review queue; sellers answer with a counter-notice; reviewers
 * decide; either party may appeal a decision once (DSA Art. 20); notifiers
 * that misuse the procedure lose the fast track and are suspended (DSA
 * Art. 23); every takedown carries a statement of reasons (DSA Art. 17)
 * with the fields of the DSA Transparency Database.
 *
 * State machines (also docs/internals/notices.md):
 *   notice  submitted -> under_review -> decided            (reviewed track)
 *           submitted -> decided                            (fast track)
 *           outcome upheld | rejected | partially, recomputed from the items
 *           whenever an item reaches a final state.
 *   item    pending -> taken_down | rejected                (review decision)
 *           taken_down -> counter_noticed                   (seller, in window)
 *           taken_down -> upheld                            (window passed: job)
 *           counter_noticed -> reinstated | upheld          (reviewer)
 *           upheld | rejected | reinstated -> appeal once -> possibly flipped
 * The table NOTICES_ITEM_TRANSITIONS in notices.c is the truth.
 *
 * Every write runs in one store transaction with its audit events, the
 * messages to the parties (inbox) and the queued webhooks. Deadlines (review
 * SLA, counter-notice window, suspension end) are columns, acted on by
 * notices_tick, so they survive restarts.
 *
 * Ownership: json_t arguments are borrowed; json_t results are new
 * references owned by the caller; records are caller-owned structs.
 */
#ifndef IPS_NOTICES_NOTICES_H
#define IPS_NOTICES_NOTICES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "store/store_notices.h"

#define NOTICES_LISTINGS_MAX 10000 /* listings in one notice */
#define NOTICES_FILES_MAX 8        /* evidence files in one notice */
#define NOTICES_URLS_MAX 20        /* evidence URLs in one notice */
#define NOTICES_URL_MAX 400

/* One uploaded evidence file (bytes borrowed). */
struct notices_upload {
    const char *name; /* client file name, informative only (may be NULL) */
    const void *data;
    size_t len;
};

/* A notice as submitted. meta (borrowed) is the JSON object:
 *   right_id, kind (counterfeit | trademark_misuse | copyright | design),
 *   explanation, notifier_name, notifier_email, on_behalf_of (required for
 *   an agent: the holder it acts for), good_faith (true), accuracy (true),
 *   signature (the typed full name), listings (array of listing ids),
 *   evidence_urls (array of http(s) URLs), notifier_org_id (system only).
 * listings_csv (may be NULL): CSV text, the first column of each line a
 * listing id; a first line "listing_id" is a header. Evidence: at least one
 * file or URL. */
struct notices_submit_req {
    json_t *meta;
    const char *listings_csv;
    size_t listings_csv_len;
    const struct notices_upload *files;
    int n_files;
};

struct notices_submit_result {
    struct store_notice notice; /* the notice stored, or the open one all listings merged into */
    bool merged_all;            /* nothing new: every listing was in an open notice */
    json_t *merged;             /* [{listing_id, notice_id}] (new reference; caller decrefs) */
    int64_t taken_down;         /* listings taken down at once (fast track) */
};

/*
 * Submit a notice (NOTICE_SUBMIT: right holders; the system for a named
 * notifier_org_id). Validates every required element and lists what is
 * missing or wrong in ctx->errors (IPS_ERR_INVALID); refuses an uncitable
 * right (rights_citable: IPS_ERR_INVALID "not verified"/"expired", or
 * IPS_ERR_NOT_FOUND), unknown or not-live listings (IPS_ERR_INVALID), a
 * suspended notifier (IPS_ERR_FORBIDDEN). Listings with an open item of the
 * same notifier are merged (not added again). A fast-track notifier's
 * listings are taken down in the same transaction. OUT *out (release with
 * notices_submit_result_release).
 */
ips_status notices_submit(struct ips_ctx *ctx, const struct notices_submit_req *req,
                          struct notices_submit_result *out);
void notices_submit_result_release(struct notices_submit_result *r);

/*
 * notices_submit for a proactive detection (src/detections) the right
 * holder confirmed: detection_id is the evidence (listed as {"detection":
 * id}, so no file or URL is needed), and the listings are taken down at once
 * as on the fast track — the platform's detection and the holder's
 * confirmation authorise it — with the same statements of reasons and
 * counter-notice window. Everything else as notices_submit.
 */
ips_status notices_submit_detection(struct ips_ctx *ctx, const struct notices_submit_req *req,
                                    const char *detection_id, struct notices_submit_result *out);

/* One notice: the notifier's org (and its agents' principal), platform
 * readers, and sellers with an item in it (who see only their items).
 * OUT *out; *seller_view (may be NULL): true when the actor reads as a seller. */
ips_status notices_get(struct ips_ctx *ctx, const char *id, struct store_notice *out,
                       bool *seller_view);

/* Notices the actor may see: platform readers all (state may filter), a
 * right holder those its org filed, a seller those with its listings; id
 * ascending. query (may be NULL) keeps those whose kind, explanation,
 * notifier or listings (ids, titles) match its words (catalog_fts_query
 * syntax); IPS_ERR_INVALID with field "q" for an unusable one. */
ips_status notices_list(struct ips_ctx *ctx, const char *state, const char *query,
                        const char *after, int limit, store_notice_cb cb, void *arg);

/* Items of a notice the actor may see (a seller: its own). */
ips_status notices_items_list(struct ips_ctx *ctx, const char *notice_id, const char *after,
                              int limit, store_notice_item_cb cb, void *arg);

/* The review queue (NOTICE_DECIDE): under_review by deadline, then risk. */
ips_status notices_queue(struct ips_ctx *ctx, int64_t after_deadline, int64_t after_risk,
                         const char *after_id, int limit, store_notice_cb cb, void *arg);

/*
 * A reviewer decides a notice under review: decision "uphold", "reject" or
 * "partial" (then reject_listings, a borrowed JSON array of listing ids of
 * the notice, names the items rejected; the others are upheld). reason
 * 1..1000 bytes. Upheld items are taken down (counter-notice window opens),
 * the parties are told, the notifier's status is re-evaluated.
 * IPS_ERR_CONFLICT when the notice is not under review. OUT *out.
 */
ips_status notices_decide(struct ips_ctx *ctx, const char *id, const char *decision,
                          json_t *reject_listings, const char *reason, struct store_notice *out);

/* The seller of the item's listing files a counter-notice while the window
 * is open (explanation 1..4000 bytes; evidence_urls borrowed array, may be
 * NULL). IPS_ERR_CONFLICT outside the window or state. OUT *out. */
ips_status notices_counter(struct ips_ctx *ctx, const char *notice_id, const char *listing_id,
                           const char *explanation, json_t *evidence_urls,
                           struct store_notice_item *out);

/* A reviewer decides a counter-notice: "reinstate" (listing back, the
 * notifier's record counts a reversed takedown) or "keep_down" (item
 * upheld, strike for the seller). OUT *out. */
ips_status notices_counter_decide(struct ips_ctx *ctx, const char *notice_id,
                                  const char *listing_id, const char *decision, const char *reason,
                                  struct store_notice_item *out);

/* Appeal (DSA Art. 20) of the final decision on an item, once: the seller
 * when the item is upheld, the notifier when it is rejected or reinstated. */
ips_status notices_appeal(struct ips_ctx *ctx, const char *notice_id, const char *listing_id,
                          const char *explanation, struct store_notice_item *out);

/* Decide an open appeal: "overturn" or "confirm", by a reviewer other than
 * the one who took the decision appealed (IPS_ERR_FORBIDDEN otherwise). */
ips_status notices_appeal_decide(struct ips_ctx *ctx, const char *notice_id, const char *listing_id,
                                 const char *decision, const char *reason,
                                 struct store_notice_item *out);

/* The accuracy record and fast-track status of a notifier org (NULL: the
 * actor's own) as JSON (new reference in *out): counts, rates in per mille,
 * thresholds, fast_track, qualifies, reasons (sentences). */
ips_status notices_accuracy(struct ips_ctx *ctx, const char *org_id, json_t **out);

/* The statements of reasons of a notice's takedowns (DSA Art. 17, DSA
 * Transparency Database field names and values) with the seller's redress
 * options; a seller gets only its own. OUT *out: new JSON array. */
ips_status notices_statements(struct ips_ctx *ctx, const char *notice_id, json_t **out);

/* The statement of reasons of one item of notice n as JSON (pure; new
 * reference); content_ms is when the listing was created (content_date). */
json_t *notices_statement_of(const struct store_notice *n, const struct store_notice_item *it,
                             int64_t content_ms);

/* Messages for the acting org, newest first, before id `before`. */
ips_status notices_inbox_list(struct ips_ctx *ctx, const char *before, int limit, store_inbox_cb cb,
                              void *arg);

/* Strikes: a seller its own, platform readers all. */
ips_status notices_strikes_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_strike_cb cb, void *arg);

/* The job (src/jobs): act on every deadline that has passed at now_ms —
 * close counter-notice windows (item upheld, strike), mark review SLAs
 * breached, lift suspensions. Each in its own transaction, as the system. */
ips_status notices_tick(struct ips_ctx *ctx, int64_t now_ms);

/* True when an item may go from `from` to `to` (the state table). */
bool notices_item_transition_allowed(const char *from, const char *to);

#endif

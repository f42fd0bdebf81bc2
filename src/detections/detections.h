/*
 * detections.h — proactive detection on the server (issue 5): the whole
 * interface of src/detections/. It keeps the compiled rules (the detect
 * engine of src/detect/ built from every protection profile), scans every
 * listing version as it is written, stores one verdict per listing version
 * with every signal explained, applies the policy, rebuilds and rescans
 * when profiles change, and lets right holders confirm or dismiss.
 * Design note: docs/internals/detect.md ("Server side").
 *
 * Rules. A rule set is compiled from the profiles (terms and variants,
 * official images' PDQ hashes, reference prices, authorised sellers) plus
 * the category medians, and numbered: table detection_rules holds the
 * versions, each with a random stamp. The compiled set lives in ONE
 * process-wide slot, reference counted and swapped under a mutex: a thread
 * takes a reference for one scan and never sees a half-built set; a set is
 * freed when its last user drops it. Each thread keeps its own Hyperscan
 * scratch and normaliser (thread-local, rebuilt when the set changes). A
 * process that finds the slot empty or holding another stamp (another
 * database, or a version built by another process) compiles the set the
 * database names.
 *
 * Verdicts. Every listing version written (catalog create, update, import)
 * is scanned inside the write's transaction: the verdict (score, action,
 * rules version, signals with their explanations and original-text spans)
 * is stored with the version it judges, and the block action holds the
 * listing back (state blocked) before anyone sees it. The reviewer queue is
 * the list of current verdicts whose action is not allow.
 *
 * Rescans. A profile write only bumps profiles.updated_ms; the job
 * (detections_tick, run by src/jobs) notices that the profiles are newer
 * than the rules, compiles a new version and rescans every listing in
 * batches (a keyset cursor in detection_rules, so a restart resumes). A
 * rescan writes a NEW verdict only when the outcome changed (the action or
 * the set of signal type/right holder pairs); otherwise the current verdict
 * records the new version in checked_version.
 *
 * Access (ACCESS_ACTION_MAP): admins, reviewers and auditors read every
 * verdict; a right holder (or its authorised agent) reads only verdicts
 * concerning its own brands, with the other holders' signals left out, and
 * confirms or dismisses them; anything else is IPS_ERR_NOT_FOUND. Admins
 * rescan.
 *
 * Ownership: json_t results are new references owned by the caller;
 * records are caller-owned structs.
 */
#ifndef IPS_DETECTIONS_DETECTIONS_H
#define IPS_DETECTIONS_DETECTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "access/access.h"
#include "store/store_detections.h"

#define DETECTIONS_SIGNALS_MAX 40      /* signals kept per verdict */
#define DETECTIONS_RESCAN_BATCH 200    /* listings per rescan transaction */
#define DETECTIONS_TICK_LISTINGS 5000  /* listings one job tick rescans at most */
#define DETECTIONS_LINKS_MAX 5         /* linked infringers named in a seller signal */
#define DETECTIONS_NOTE_MAX 1000       /* bytes of a confirmation or dismissal note */

/*
 * Scan a listing version that the caller has just written, INSIDE the
 * caller's transaction (catalog create/update/import): store its verdict,
 * apply the action (block: state blocked when cfg->detect_block), and set
 * l->state accordingly. cfg may be NULL (defaults). Acts as the system.
 * Failure: store statuses, IPS_ERR_NOMEM, IPS_ERR_INTERNAL (the rules could
 * not be compiled); the caller's transaction then rolls back.
 */
ips_status detections_listing_written(struct store *s, const struct config *cfg,
                                      struct store_listing *l,
                                      const struct store_listing_version *v);

/*
 * The same for many listing versions written in ONE transaction (the
 * catalog import's batch): begin inside the transaction, call
 * detections_batch_written for each version written (exactly what
 * detections_listing_written does, with the same verdicts), end before
 * the transaction ends (also after a failure; end(NULL) is a no-op). The
 * rules are taken once per batch, each seller's signal (alliance reports,
 * strikes, linked sellers) is looked up once per batch, and now_ms stamps
 * every verdict and is the time strikes are judged at. Not thread-safe:
 * one thread per batch. Failure: as detections_listing_written.
 */
struct detections_batch;
struct detections_prescan;
ips_status detections_batch_begin(struct store *s, const struct config *cfg, int64_t now_ms,
                                  struct detections_batch **out);
ips_status detections_batch_written(struct detections_batch *b, struct store_listing *l,
                                    const struct store_listing_version *v,
                                    const struct detections_prescan *pre);
void detections_batch_end(struct detections_batch *b);

/*
 * The text scan of a listing's title and description, done BEFORE the
 * transaction that writes it (the catalog import's parsing thread), so the
 * batch's writer only replays the matches. detections_prescan_rules takes
 * the rules the database names now (OUT *out; NULL when scanning is queued:
 * nothing to prescan), outside any transaction, on a thread that may use s;
 * release with detections_prescan_rules_free (NULL is a no-op).
 * detections_prescan scans title and description under rules r (any
 * thread; OUT *out, release with detections_prescan_free). Passed to
 * detections_batch_written with the version it scanned, it is used only
 * when the batch's rules are the same object as r and the texts are the
 * same; otherwise the writer scans as without it (rules changed between
 * parsing and writing). The verdicts are the same either way.
 */
struct detections_rules;
struct detections_prescan;
ips_status detections_prescan_rules(struct store *s, const struct config *cfg,
                                    struct detections_rules **out);
void detections_prescan_rules_free(struct detections_rules *r);
ips_status detections_prescan(struct detections_rules *r, const char *title,
                              const char *description, struct detections_prescan **out);
void detections_prescan_free(struct detections_prescan *p);

/*
 * Compile a new rules version from the profiles, recompute the category
 * medians, publish it to this process and start its rescan (done by
 * detections_rescan_step / detections_tick). Needs DETECTION_RESCAN (admin,
 * system). reason: 1..300 bytes for the audit log. OUT *out (may be NULL):
 * the new version's row.
 */
ips_status detections_rules_rebuild(struct ips_ctx *ctx, const char *reason,
                                    struct store_detection_rules *out);

/* The current rules version with its rescan progress (DETECTION_LIST). */
ips_status detections_rules_get(struct ips_ctx *ctx, struct store_detection_rules *out);

/*
 * Rescan at most max_listings listings (<= 0: DETECTIONS_TICK_LISTINGS) of
 * the current version's pending rescan, DETECTIONS_RESCAN_BATCH per
 * transaction, as the system. OUT *finished (may be NULL): true when the
 * rescan is complete (also when none was pending).
 */
ips_status detections_rescan_step(struct ips_ctx *ctx, int max_listings, bool *finished);

/* The job (src/jobs): rebuild when a profile changed after the current
 * rules were compiled, then one rescan step. Idempotent. */
ips_status detections_tick(struct ips_ctx *ctx, int64_t now_ms);

/*
 * Current verdicts the actor may see, newest first (before: an id cursor).
 * f (borrowed) filters by action (default: all but allow), status (open,
 * confirmed, dismissed) and org_id; a right holder always gets only its own
 * org's (an org_id filter naming another org: IPS_ERR_NOT_FOUND).
 * IPS_ERR_INVALID for an unknown action or status.
 */
ips_status detections_list(struct ips_ctx *ctx, const struct store_detection_filter *f,
                           const char *before, int limit, store_detection_cb cb, void *arg);

/*
 * One verdict as the actor may see it: OUT *d (signals already filtered
 * for a right holder: its own and the brand-less ones) and *orgs (new JSON
 * array of {org_id, name, decision, decided_at, reason, notice_id}; a right
 * holder sees its own row only). IPS_ERR_NOT_FOUND when missing or not the
 * actor's.
 */
ips_status detections_get(struct ips_ctx *ctx, const char *id, struct store_detection *d,
                          json_t **orgs);

/* Whether the verdict's signals name image sha256 (a listing image or a
 * matched official image) — for serving it side by side. Access as
 * detections_get. OUT *data (malloc'ed), *len, *mime. */
ips_status detections_image_read(struct ips_ctx *ctx, const char *id, const char *sha256,
                                 void **data, size_t *len, char mime[65]);

/*
 * The right holder confirms verdict id for its org (DETECTION_DECIDE): a
 * counterfeit notice is filed on its behalf through notices_submit, citing
 * right_id (NULL: the org's first verified trademark) with the detection as
 * explanation and evidence, and the listing is taken down at once with the
 * notice's statement of reasons and counter-notice window. body (borrowed)
 * {"right_id"?, "note"?, "notifier_name"?, "signature"?}. OUT *notice_id
 * (ID_SIZE). IPS_ERR_CONFLICT when the org already decided; the notice's
 * refusals (IPS_ERR_INVALID with errors, e.g. the listing is not live).
 */
ips_status detections_confirm(struct ips_ctx *ctx, const char *id, json_t *body,
                              char notice_id[ID_SIZE]);

/*
 * The right holder dismisses verdict id for its org: reason
 * "authorised_reseller" | "not_infringing" | "other", note optional. The
 * dismissal is remembered: this listing version is not flagged for the org
 * again (rescans drop its signals). IPS_ERR_CONFLICT when already decided.
 */
ips_status detections_dismiss(struct ips_ctx *ctx, const char *id, const char *reason,
                              const char *note);

/* Measured precision per right holder: confirmed / (confirmed + dismissed).
 * Platform readers: every org (only_org may filter); a right holder: its own
 * (another org: IPS_ERR_NOT_FOUND). */
ips_status detections_precision(struct ips_ctx *ctx, const char *only_org,
                                store_detection_precision_cb cb, void *arg);

/*
 * Queued scanning (src/scanq; cfg->nats_url set): detections_listing_written
 * only adds the version to the outbox, and a scan worker calls this, inside
 * its transaction, for each event it consumes: judge listing version
 * (listing_id, version) under the database's current rules (compiled by
 * this process when it has not yet) and store the verdict. A version that
 * was superseded before it was judged gets a verdict for the record that
 * neither becomes current nor changes the listing's state. OUT
 * *rules_version: the rules version used (0 when nothing was judged).
 * Failure: IPS_ERR_CONFLICT when the version has a verdict already (a
 * redelivered event: nothing to do), IPS_ERR_NOT_FOUND for an unknown
 * listing or version; store statuses.
 */
ips_status detections_queued_scan(struct store *s, const struct config *cfg,
                                  const char *listing_id, int64_t version, int64_t *rules_version);

/* Compile (when this process has not) the rules the database names, so the
 * next scan does not wait: a worker's answer to a rules broadcast. OUT
 * *version: their version. */
ips_status detections_rules_warm(struct store *s, const struct config *cfg, int64_t *version);

/*
 * The job that fetches listing images given by URL (fetch.c; nothing
 * unless cfg->image_fetch): walk the listing versions after its cursor,
 * fetch each new URL once into a blob, and rescan the listings whose
 * current version names a fetched image. Acts as the system.
 */
ips_status detections_fetch_tick(struct ips_ctx *ctx, int64_t now_ms);

/* True when ip (IPv4 or IPv6 text) is a public unicast address: not
 * loopback, private, link-local, CGNAT, multicast or unspecified. Pure. */
bool detections_fetch_address_public(const char *ip);

/* Drop this process's compiled rules (tests, shutdown). */
void detections_shutdown(void);

#endif

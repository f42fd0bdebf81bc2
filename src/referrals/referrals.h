/*
 * referrals.h — law-enforcement agencies and case referrals: jurisdictions
 * and cooperation agreements, routing a case to the agency with
 * jurisdiction, the signed evidence package, TLP 2.0 sharing, and the
 * officers' case work. The whole interface of src/referrals/.
 *
 * Agencies are organisations of kind "agency" with a row of their own: a
 * home country (ISO 3166-1; "" for a cross-border body such as Interpol),
 * the ISO 3166-1/3166-2 codes they cover (validated with src/geo), and one
 * cooperation agreement (MOU) in force from/until a date.
 *
 * Routing (referral_route_decide, pure): the seller's ship-from subdivision
 * first, then its country, among non-cross-border agencies whose MOU is in
 * force today; a cross-border case (the seller's country differs from a
 * right holder's or a buyer's) also goes to a cross-border body in force
 * whose jurisdictions are empty (worldwide) or hold the seller's country.
 * Without a match the referral is created unrouted with a note saying why.
 * Sharing with an agency outside the seller's country, or with a
 * cross-border body, waits for a reviewer's approval (referral_share_approve).
 *
 * Visibility follows the referral's TLP label through access_authorize
 * (SCOPE_TLP, enum access_share in access.h): RED — the routed agency and
 * the platform's reviewers and admins; AMBER+STRICT — also an approved
 * cross-border recipient; AMBER — also the right holders concerned; GREEN —
 * also alliance members; CLEAR — every signed-in user but the sellers in the
 * case (sellers never see referrals). The evidence package is labelled at
 * least AMBER+STRICT: right holders, alliance members and the public see
 * the case and its outcome, never the package. docs/internals/referrals.md.
 *
 * Every write runs in one store transaction with its audit event; reads of
 * a referral and downloads of its evidence are audited too.
 */
#ifndef IPS_REFERRALS_REFERRALS_H
#define IPS_REFERRALS_REFERRALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "blob/blob.h"
#include "ledger/note.h"
#include "store/store_referrals.h"

#define REFERRAL_JURISDICTIONS_MAX 100 /* codes per agency */
#define REFERRAL_COUNTRIES_MAX 50      /* buyer countries per referral */
#define REFERRAL_SELLERS_MAX 500       /* sellers per referral (a network) */

/* ---- labels and statuses ------------------------------------------------------------ */

/* "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"; NULL for TLP_NONE. */
const char *referral_tlp_name(enum access_tlp t);
/* Parse a label (exact, upper-case). False for anything else. */
bool referral_tlp_parse(const char *name, enum access_tlp *out);
/* Position of a case status in received < investigating < raid < prosecuted
 * < closed, or -1 for an unknown one. */
int referral_status_rank(const char *status);

/* ---- routing (pure) ------------------------------------------------------------------ */

struct referral_route_agency {
    const char *org_id;
    const char *country; /* home country; "" for a cross-border body */
    bool cross_border;
    const char *mou_from, *mou_until; /* "" = none / open-ended */
    const char *const *codes;         /* jurisdictions */
    size_t n_codes;
};

struct referral_route_in {
    const char *ship_from; /* the seller's subdivision or country; "" unknown */
    const char *const *rightholder_countries;
    size_t n_rightholder_countries;
    const char *const *buyer_countries;
    size_t n_buyer_countries;
    const char *today; /* YYYY-MM-DD (UTC) */
};

struct referral_route {
    int primary;                 /* index into the agencies, -1 = none */
    const char *primary_by;      /* "subdivision" or "country" (static), NULL when none */
    bool primary_needs_approval; /* the agency's country is not the seller's */
    bool cross_border_case;
    int cross;                         /* the cross-border body, -1 = none */
    char note[STORE_REF_NOTE_MAX + 1]; /* one sentence or two: where and why */
};

/* True when an agreement from..until is in force on today ("" from = none). */
bool referral_mou_in_force(const char *from, const char *until, const char *today);
/* Decide where a referral goes. Ties go to the agency listed first. Pure. */
void referral_route_decide(const struct referral_route_in *in,
                           const struct referral_route_agency *agencies, size_t n,
                           struct referral_route *out);

/* ---- agencies ----------------------------------------------------------------------- */

/*
 * Make org_id (an org of kind agency) an agency, or replace its settings,
 * from {country, cross_border, jurisdictions: [codes], mou: {ref, from,
 * until} | null}. country: ISO 3166-1 alpha-2, required unless cross_border
 * (then "" or absent); jurisdictions: up to REFERRAL_JURISDICTIONS_MAX known
 * ISO 3166 codes (lower case accepted), empty only for a cross-border body
 * (worldwide). Needs AGENCY_MANAGE. OUT *out (may be NULL).
 * Failure: IPS_ERR_INVALID (ctx->errors / detail); IPS_ERR_NOT_FOUND (no such
 * org); IPS_ERR_FORBIDDEN.
 */
ips_status referral_agency_put(struct ips_ctx *ctx, const char *org_id, json_t *body,
                               struct store_agency *out);
/* Needs AGENCY_READ. OUT *out. */
ips_status referral_agency_get(struct ips_ctx *ctx, const char *org_id, struct store_agency *out);
ips_status referral_agency_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_agency_cb cb, void *arg);
/* The jurisdictions of an agency (after AGENCY_READ). */
ips_status referral_agency_codes(struct ips_ctx *ctx, const char *org_id, store_code_cb cb,
                                 void *arg);

/* ---- referrals ------------------------------------------------------------------------ */

/*
 * Create a referral from {seller_org_id, summary, tlp?, buyer_countries?,
 * rightholder_org_ids?, network?}: route it, record its sellers (with
 * network: true, every member of its network, enforce_network_get, which
 * also needs NETWORK_READ), right holders concerned
 * (given, else the right owners of notices against its sellers), build and
 * store the signed evidence archive. tlp defaults to AMBER.
 * Needs REFERRAL_CREATE. OUT *out.
 * Failure: IPS_ERR_INVALID; IPS_ERR_NOT_FOUND (no such seller);
 * IPS_ERR_TOO_LARGE (the archive passes BLOB_MAX_BYTES); IPS_ERR_IO or
 * IPS_ERR_INTEGRITY when the signing key cannot be had.
 */
ips_status referral_create(struct ips_ctx *ctx, json_t *body, struct store_referral *out);
/* Read one referral the actor may see (REFERRAL_READ through its label),
 * audited. Another's or a missing one: IPS_ERR_NOT_FOUND. OUT *out, *share
 * (may be NULL): how close the actor stands to it. */
ips_status referral_get(struct ips_ctx *ctx, const char *id, struct store_referral *out,
                        enum access_share *share);
/* Referrals the actor may see, id ascending after `after`, at most limit
 * offered to cb (REFERRAL_LIST; sellers: IPS_ERR_FORBIDDEN). */
ips_status referral_list(struct ips_ctx *ctx, const char *after, int limit, store_referral_cb cb,
                         void *arg);
/* Recipients and case history of a referral (after referral_get's check). */
ips_status referral_recipients(struct ips_ctx *ctx, const char *id, store_recipient_cb cb,
                               void *arg);
ips_status referral_history(struct ips_ctx *ctx, const char *id, store_referral_update_cb cb,
                            void *arg);
ips_status referral_sellers(struct ips_ctx *ctx, const char *id, store_code_cb cb, void *arg);

/* A reviewer approves sharing the referral with recipient agency_org_id
 * across a border (REFERRAL_SHARE), audited with the reason (1-500 bytes).
 * IPS_ERR_CONFLICT when it needs no approval or has it already. */
ips_status referral_share_approve(struct ips_ctx *ctx, const char *id, const char *agency_org_id,
                                  const char *reason, struct store_referral *out);
/* A reviewer changes the label (REFERRAL_SHARE), audited with the reason. */
ips_status referral_tlp_set(struct ips_ctx *ctx, const char *id, const char *tlp,
                            const char *reason, struct store_referral *out);
/* Route again with today's agencies and agreements (REFERRAL_SHARE): the
 * recipients are replaced; approvals given before are dropped. */
ips_status referral_reroute(struct ips_ctx *ctx, const char *id, struct store_referral *out);

/*
 * An officer of the routed agency (REFERRAL_WORK; the primary recipient,
 * approved when it needed approval) records case work from {status,
 * result?, raid_date?, arrests?, units_seized?, value_seized?, currency?,
 * note?}. status never moves back; result (confirmed | unfounded) only with
 * raid, prosecuted or closed. A confirmed result is fed back once: every
 * seller of the case is banned with its network (enforce_network_ban).
 * Failure: IPS_ERR_INVALID; IPS_ERR_NOT_FOUND (not routed to the actor's
 * agency); IPS_ERR_CONFLICT (a closed case).
 */
ips_status referral_case_update(struct ips_ctx *ctx, const char *id, json_t *body,
                                struct store_referral *out);

/*
 * An officer of the routed agency (REFERRAL_WORK, as referral_case_update)
 * attaches a file to the case: name (1-200 bytes, for people), the bytes
 * (a PDF or an image, typed by content; at most BLOB_MAX_BYTES), note
 * (<= 2000 bytes, may be NULL). The file is stored as a blob, listed in
 * the case with a history entry, and the evidence archive is rebuilt with
 * it (a new blob; the referral's evidence and manifest hashes change), all
 * in one transaction with the audit event referral.file.
 * Failure: IPS_ERR_INVALID; IPS_ERR_MEDIA_TYPE; IPS_ERR_TOO_LARGE;
 * IPS_ERR_NOT_FOUND (not routed to the actor's agency); IPS_ERR_CONFLICT
 * (a closed case, or this content attached already).
 */
ips_status referral_case_file_add(struct ips_ctx *ctx, const char *id, const char *name,
                                  const void *data, size_t len, const char *note,
                                  struct store_referral *out);
/* Whether the actor may work case id now (as referral_case_update decides:
 * IPS_ERR_NOT_FOUND, IPS_ERR_CONFLICT for a closed case); for handlers that
 * must refuse before they look at an upload. */
ips_status referral_case_check(struct ips_ctx *ctx, const char *id);
/* The JSON shape of a case file: {sha256, name, mime, size, note, added_by,
 * added_at}. NULL on allocation failure. */
json_t *referral_file_json(const struct store_referral_file *f);
/* The case files, after referral_get's check; only to those who may read
 * the evidence (max(label, AMBER+STRICT)) — for others cb is never called. */
ips_status referral_files(struct ips_ctx *ctx, const char *id, store_referral_file_cb cb,
                          void *arg);

/* ---- evidence ------------------------------------------------------------------------- */

/* The evidence archive of a referral (EVIDENCE_READ at max(label,
 * AMBER+STRICT)), audited as evidence.read. OUT *data (malloc'ed, caller
 * frees), *len, *info. */
ips_status referral_evidence_read(struct ips_ctx *ctx, const char *id, void **data, size_t *len,
                                  struct blob_info *info);

/*
 * A case whose evidence is packaged: a referral (the platform's view) or a
 * litigation file (src/litigation: only what its right holder may see).
 * Every member is borrowed for the call.
 */
struct evidence_case {
    const char *id;            /* the case id the manifest and the signed note name */
    const char *kind;          /* "referral" | "litigation": also the case file, <kind>.json */
    json_t *doc;               /* the case document */
    json_t *sellers;           /* array of seller org ids whose records are packaged */
    const char *holder_org_id; /* NULL: everything (the platform's view); else only what this
                                * right holder may see: its own notices (as right owner or
                                * notifier), detections concerning it with only its decisions
                                * and signals, no linked sellers (the network registry) */
    json_t *extra;             /* NULL or {path: value}: more files; a JSON string is written
                                * as its text, another value as an indented document */
    json_t *attachments;       /* NULL or [{sha256, name, mime, size, note, added_by,
                                * added_at}]: stored blobs packaged as files/<sha256>.<ext>,
                                * listed in files.json (a referral's case files) */
    int64_t created_ms;        /* the entries' modification time and created_at */
};

/*
 * Build the evidence archive of case c — the case document, the extra
 * files, per seller its profile, listings with their newest versions,
 * images, notices and current detection verdicts, then manifest.json and
 * manifest.sig signed by signer — and store it as a blob, inside the
 * caller's transaction. OUT *archive (the blob), manifest_sha[65] (hex),
 * *units_sold (may be NULL: units sold of all listings of all its sellers).
 * Failure: IPS_ERR_TOO_LARGE past BLOB_MAX_BYTES (ctx->detail); store,
 * memory and libarchive failures (IPS_ERR_INTERNAL, logged).
 */
ips_status evidence_build(struct ips_ctx *ctx, const struct evidence_case *c,
                          const struct note_signer *signer, struct blob_info *archive,
                          char manifest_sha[65], int64_t *units_sold);

/* Names of the archive's fixed members. */
#define EVIDENCE_MANIFEST "manifest.json"
#define EVIDENCE_SIGNATURE "manifest.sig"

/* The result of verifying an archive offline. */
struct evidence_report {
    enum note_check signature; /* of manifest.sig, by the verifier key */
    bool manifest_bound;       /* the signed note names this manifest's SHA-256 */
    char referral_id[ID_SIZE]; /* the case id, from the manifest */
    char case_kind[16];        /* "referral" or "litigation", from the manifest */
    int64_t files;             /* files the manifest lists */
    json_t *problems;          /* [{"path", "problem": changed|missing|added|duplicate}] */
    char why[256];             /* the archive or manifest could not be read */
};

/* Release report->problems. */
void evidence_report_clear(struct evidence_report *r);

/*
 * Verify an evidence archive (tar.gz data[0..len), or the file at path)
 * against a verifier key text: the signature of manifest.sig, that it names
 * manifest.json's SHA-256, and every file against the manifest (SHA-256 and
 * size): changed, missing, added and duplicated files are each reported.
 * OUT *report (clear it after use, also on failure).
 * Result: IPS_OK all good; IPS_ERR_INTEGRITY something failed (report
 * says); IPS_ERR_INVALID a bad verifier key; IPS_ERR_IO unreadable file;
 * IPS_ERR_MALFORMED not an evidence archive (report->why).
 */
ips_status evidence_verify_memory(const void *data, size_t len, const char *vkey,
                                  struct evidence_report *report);
ips_status evidence_verify_file(const char *path, const char *vkey, struct evidence_report *report);

#endif

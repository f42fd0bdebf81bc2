/*
 * store_referrals.h — persistence of law-enforcement agencies (their
 * jurisdictions and cooperation agreement) and of case referrals (their
 * recipients, sellers, right holders concerned and case updates); tables of
 * migration 0009_referrals.sql.
 *
 * Rules as in store.h: records are plain structs with fixed-size text fields
 * owned by the caller; text longer than its field is IPS_ERR_TOO_LARGE;
 * OUT parameters are written only on IPS_OK; listings are id-cursor pages
 * (limit <= 0: STORE_LIST_DEFAULT_LIMIT) whose callback may re-enter the
 * store. Dates are "YYYY-MM-DD" text, "" = not given. The domain
 * (src/referrals/) validates values first; CHECK constraints are the last
 * line of defence.
 *
 * Two reads look into other domains' tables for the evidence package:
 * store_referrals_linked_sellers (seller_identifiers, 0003) — read-only.
 */
#ifndef IPS_STORE_STORE_REFERRALS_H
#define IPS_STORE_STORE_REFERRALS_H

#include "store/store.h"
#include "store/store_blob.h"

#define STORE_REF_DATE_MAX 10 /* YYYY-MM-DD */
#define STORE_REF_GEO_MAX 6   /* GEO_CODE_MAX */
#define STORE_REF_TLP_MAX 12  /* "AMBER+STRICT" */
#define STORE_REF_SUMMARY_MAX 2000
#define STORE_REF_NOTE_MAX 2000     /* route notes, case notes */
#define STORE_REF_COUNTRIES_MAX 400 /* JSON array text of <= 50 country codes */
#define STORE_REF_SHA_MAX 64

/* ---- agencies -------------------------------------------------------------------- */

struct store_agency {
    char org_id[ID_SIZE];             /* an org of kind agency */
    char name[STORE_NAME_MAX + 1];    /* the org's name (read only) */
    char country[3];                  /* home country, "" for a cross-border body */
    bool cross_border;                /* e.g. Interpol */
    char mou_ref[STORE_NAME_MAX + 1]; /* the cooperation agreement, "" = none */
    char mou_from[STORE_REF_DATE_MAX + 1];
    char mou_until[STORE_REF_DATE_MAX + 1]; /* "" = open-ended */
    int64_t created_ms, updated_ms;
};

typedef ips_status (*store_agency_cb)(const struct store_agency *a, void *arg);
typedef ips_status (*store_code_cb)(const char *code, void *arg);

/* Insert or replace the agency row of a->org_id (created_ms is kept on
 * replace). NOT_FOUND when the org does not exist. */
ips_status store_referrals_agency_put(struct store *s, const struct store_agency *a);
/* OUT *out. NOT_FOUND. */
ips_status store_referrals_agency_get(struct store *s, const char *org_id,
                                      struct store_agency *out);
/* Agencies by org id after `after`. */
ips_status store_referrals_agency_list(struct store *s, const char *after, int limit,
                                       store_agency_cb cb, void *arg);
/* Replace the jurisdictions of an agency with codes[0..n). Run inside a
 * transaction. NOT_FOUND when the agency has no row. */
ips_status store_referrals_jurisdictions_set(struct store *s, const char *org_id,
                                             const char *const *codes, size_t n);
/* The jurisdiction codes of an agency, ascending. */
ips_status store_referrals_jurisdiction_list(struct store *s, const char *org_id, store_code_cb cb,
                                             void *arg);

/* ---- referrals ------------------------------------------------------------------- */

struct store_referral {
    char id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char network_id[ID_SIZE];     /* "" for a single seller */
    char created_by[ID_SIZE + 8]; /* user id or "system" */
    char summary[STORE_REF_SUMMARY_MAX + 1];
    char tlp[STORE_REF_TLP_MAX + 1]; /* CLEAR | GREEN | AMBER | AMBER+STRICT | RED */
    char ship_from[STORE_REF_GEO_MAX + 1];
    char route_note[STORE_REF_NOTE_MAX + 1];
    char buyer_countries[STORE_REF_COUNTRIES_MAX + 1]; /* compact JSON array */
    char status[STORE_KIND_MAX + 1]; /* received | investigating | raid | prosecuted | closed */
    char result[STORE_KIND_MAX + 1]; /* "" | confirmed | unfounded */
    char raid_date[STORE_REF_DATE_MAX + 1];
    int64_t arrests, units_seized, value_seized_minor;
    char value_currency[4];
    int64_t units_sold;
    char evidence_sha256[STORE_REF_SHA_MAX + 1];
    char manifest_sha256[STORE_REF_SHA_MAX + 1];
    int64_t feedback_ms;
    int64_t created_ms, updated_ms;
};

struct store_referral_recipient {
    char referral_id[ID_SIZE];
    char agency_org_id[ID_SIZE];
    char agency_name[STORE_NAME_MAX + 1]; /* read only */
    char kind[STORE_KIND_MAX + 1];        /* primary | cross_border */
    bool needs_approval;
    char approved_by[ID_SIZE + 8];
    int64_t approved_ms; /* 0 = not approved */
};

struct store_referral_update {
    char id[ID_SIZE];
    char referral_id[ID_SIZE];
    char actor[ID_SIZE + 8];
    char status[STORE_KIND_MAX + 1];
    char note[STORE_REF_NOTE_MAX + 1];
    int64_t created_ms;
};

#define STORE_REF_FILE_NAME_MAX 200

/* A file an officer attached to the case (a blob). */
struct store_referral_file {
    char referral_id[ID_SIZE];
    char sha256[STORE_REF_SHA_MAX + 1];
    char name[STORE_REF_FILE_NAME_MAX + 1];
    char mime[STORE_BLOB_MIME_MAX + 1];
    int64_t size;
    char note[STORE_REF_NOTE_MAX + 1];
    char added_by[ID_SIZE + 8];
    int64_t created_ms;
};

typedef ips_status (*store_referral_cb)(const struct store_referral *r, void *arg);
typedef ips_status (*store_referral_file_cb)(const struct store_referral_file *f, void *arg);
typedef ips_status (*store_recipient_cb)(const struct store_referral_recipient *r, void *arg);
typedef ips_status (*store_referral_update_cb)(const struct store_referral_update *u, void *arg);
/* A seller linked to another by a shared identifier of kind. */
typedef ips_status (*store_link_cb)(const char *seller_org_id, const char *kind, void *arg);

/* CONFLICT on a taken id; NOT_FOUND when the seller org is missing. */
ips_status store_referrals_referral_insert(struct store *s, const struct store_referral *r);
/* OUT *out. NOT_FOUND. */
ips_status store_referrals_referral_get(struct store *s, const char *id,
                                        struct store_referral *out);
/* Write the mutable columns (tlp, route_note, status, result, raid_date,
 * arrests, units_seized, value_seized_minor, value_currency, units_sold,
 * evidence_sha256, manifest_sha256, feedback_ms, updated_ms). NOT_FOUND. */
ips_status store_referrals_referral_update(struct store *s, const struct store_referral *r);
/* Referrals by id after `after`; only_agency non-NULL: those where that
 * agency is a recipient (approved or not — the domain decides). */
ips_status store_referrals_referral_list(struct store *s, const char *only_agency,
                                         const char *after, int limit, store_referral_cb cb,
                                         void *arg);

/* Insert a recipient row. CONFLICT when the agency is already one. */
ips_status store_referrals_recipient_insert(struct store *s,
                                            const struct store_referral_recipient *r);
/* Remove every recipient of a referral (re-routing). */
ips_status store_referrals_recipient_clear(struct store *s, const char *referral_id);
/* Set approved_by / approved_ms of r->(referral_id, agency_org_id). NOT_FOUND. */
ips_status store_referrals_recipient_approve(struct store *s,
                                             const struct store_referral_recipient *r);
/* Recipients of a referral, primary first. */
ips_status store_referrals_recipient_list(struct store *s, const char *referral_id,
                                          store_recipient_cb cb, void *arg);

/* The sellers of a referral (set once at creation). */
ips_status store_referrals_seller_add(struct store *s, const char *referral_id,
                                      const char *seller_org_id);
ips_status store_referrals_seller_list(struct store *s, const char *referral_id, store_code_cb cb,
                                       void *arg);
/* The right holders concerned. Adding one twice is not an error. */
ips_status store_referrals_rightholder_add(struct store *s, const char *referral_id,
                                           const char *org_id);
ips_status store_referrals_rightholder_list(struct store *s, const char *referral_id,
                                            store_code_cb cb, void *arg);
/* OUT *found: whether org_id is a right holder concerned by the referral. */
ips_status store_referrals_rightholder_has(struct store *s, const char *referral_id,
                                           const char *org_id, bool *found);

ips_status store_referrals_update_insert(struct store *s, const struct store_referral_update *u);
/* The case history, oldest first. */
ips_status store_referrals_update_list(struct store *s, const char *referral_id,
                                       store_referral_update_cb cb, void *arg);

/* Attach a file to the case. CONFLICT when this content is attached already;
 * NOT_FOUND for an unknown referral. */
ips_status store_referrals_file_insert(struct store *s, const struct store_referral_file *f);
/* The case files, oldest first. */
ips_status store_referrals_file_list(struct store *s, const char *referral_id,
                                     store_referral_file_cb cb, void *arg);

/* Sellers other than seller_org_id sharing an identifier hash with it
 * (seller_identifiers), one call per (seller, kind), by seller then kind. */
ips_status store_referrals_linked_sellers(struct store *s, const char *seller_org_id,
                                          store_link_cb cb, void *arg);

#endif

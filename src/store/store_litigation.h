/*
 * store_litigation.h — persistence of civil litigation files (migration
 * 0013_litigation.sql): the file, its damages rows, and the read-only
 * lookup of the listings a right holder has established as infringing
 * (other domains' tables: upheld notice items, confirmed detections).
 *
 * Same rules as store.h: records are plain structs with fixed-size text
 * fields owned by the caller; OUT parameters are written only on IPS_OK;
 * text that does not fit is IPS_ERR_TOO_LARGE, never truncated; listing
 * callbacks get one row at a time, may use the store again, and stop the
 * scan by returning non-OK (that status is returned). Validation is the
 * domain's (src/litigation/).
 */
#ifndef IPS_STORE_STORE_LITIGATION_H
#define IPS_STORE_STORE_LITIGATION_H

#include <stdint.h>

#include "store/store.h"
#include "store/store_catalog.h"

#define STORE_LIT_TITLE_MAX 300
#define STORE_LIT_COURT_MAX 200
#define STORE_LIT_DATE_LEN 10   /* YYYY-MM-DD */
#define STORE_LIT_BASIS_MAX 600 /* the references of one damages row */
#define STORE_LIT_OUTCOME_MAX 2000 /* the outcome text of a settlement or judgment */
#define STORE_LIT_STATUS_MAX 16

struct store_litigation {
    char id[ID_SIZE];
    char rightholder_org_id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char opened_by[ID_SIZE + 8]; /* user id or "system" */
    char opened_by_org[ID_SIZE]; /* the holder or its agent; "" for the system */
    char title[STORE_LIT_TITLE_MAX + 1];
    char court[STORE_LIT_COURT_MAX + 1];
    char period_from[STORE_LIT_DATE_LEN + 1];
    char period_to[STORE_LIT_DATE_LEN + 1];
    int64_t listings; /* infringing listings found */
    char evidence_sha256[65];
    char manifest_sha256[65];
    int64_t created_ms;
    /* status (0017): open | filed | settled | judgment | closed, since status_ms
     * (0 while never changed); the outcome recorded with it ("" and 0 when none) */
    char status[STORE_LIT_STATUS_MAX + 1];
    char outcome[STORE_LIT_OUTCOME_MAX + 1];
    int64_t outcome_amount_minor;
    char outcome_currency[STORE_CURRENCY_LEN + 1];
    int64_t status_ms;
};

/* One damages row: units sold at one price of one listing in the period. */
struct store_litigation_damage {
    char file_id[ID_SIZE];
    int64_t seq; /* order within the file, from 1 */
    char listing_id[STORE_LISTING_ID_MAX + 1];
    char title[STORE_LISTING_TITLE_MAX + 1];
    char basis[STORE_LIT_BASIS_MAX + 1];
    char currency[STORE_CURRENCY_LEN + 1];
    int64_t price_minor, units, amount_minor;
};

typedef ips_status (*store_litigation_cb)(const struct store_litigation *f, void *arg);
typedef ips_status (*store_litigation_damage_cb)(const struct store_litigation_damage *d,
                                                 void *arg);
/* One reason a listing infringes: kind "notice" (an upheld item of a notice
 * citing the holder's right) or "detection" (a verdict the holder
 * confirmed), with the notice or verdict id. */
typedef ips_status (*store_litigation_basis_cb)(const char *listing_id, const char *kind,
                                                const char *ref_id, void *arg);

/* Insert f. CONFLICT on a taken id; NOT_FOUND for an unknown org. */
ips_status store_litigation_file_insert(struct store *s, const struct store_litigation *f);
/* Write listings, evidence_sha256 and manifest_sha256 of f->id. NOT_FOUND. */
ips_status store_litigation_file_update(struct store *s, const struct store_litigation *f);
/* Write status, outcome, outcome_amount_minor, outcome_currency and
 * status_ms of f->id. NOT_FOUND. */
ips_status store_litigation_file_set_status(struct store *s, const struct store_litigation *f);
/* OUT *out. NOT_FOUND. */
ips_status store_litigation_file_get(struct store *s, const char *id, struct store_litigation *out);
/* Files by id after `after` (NULL/"": from the start), at most limit;
 * only_org non-NULL: those of that right holder or opened by that org. */
ips_status store_litigation_file_list(struct store *s, const char *only_org, const char *after,
                                      int limit, store_litigation_cb cb, void *arg);
/* Insert d. CONFLICT on a taken (file_id, seq). */
ips_status store_litigation_damage_insert(struct store *s, const struct store_litigation_damage *d);
/* The damages rows of a file, by seq. */
ips_status store_litigation_damage_list(struct store *s, const char *file_id,
                                        store_litigation_damage_cb cb, void *arg);
/* The listings of seller_org_id that holder_org_id has established as
 * infringing, each reason once, ordered by listing id, kind, reference. */
ips_status store_litigation_infringing(struct store *s, const char *holder_org_id,
                                       const char *seller_org_id, store_litigation_basis_cb cb,
                                       void *arg);

#endif

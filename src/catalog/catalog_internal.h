/*
 * catalog_internal.h — what the files of src/catalog/ share: parsed input
 * records and their parsers, the write steps that run inside a
 * transaction, and the refusal helper. Not for use outside src/catalog/.
 */
#ifndef IPS_CATALOG_CATALOG_INTERNAL_H
#define IPS_CATALOG_CATALOG_INTERNAL_H

#include "catalog/catalog.h"
#include "geo/geo.h"

#define CATALOG__IDENTS_MAX 16 /* identifiers per seller line */

/* How a listing object is being parsed: its allowed and required fields. */
enum catalog__mode { CATALOG__CREATE, CATALOG__UPDATE, CATALOG__IMPORT };

/* A validated listing. Strings are borrowed from the parsed JSON object,
 * which must outlive this record; images is owned (catalog__in_release). */
struct catalog__in {
    const char *id;        /* NULL on update, and on create when generated */
    const char *seller_id; /* import only */
    const char *title, *description, *category;
    char currency[STORE_CURRENCY_LEN + 1];
    char ship_from[GEO_CODE_MAX + 1];
    char *images; /* compact JSON array, malloc'd */
    int64_t price_minor, units_sold;
    uint8_t hash[STORE_HASH_LEN]; /* content hash of the fields above but ids */
};

/* A validated seller line. Strings borrowed from the JSON object. */
struct catalog__seller_in {
    const char *id, *name;
    char ship_from[GEO_CODE_MAX + 1];
    int n_idents;
    const char *ident_kind[CATALOG__IDENTS_MAX]; /* static strings */
    uint8_t ident_hash[CATALOG__IDENTS_MAX][STORE_HASH_LEN];
};

/* What one write step did to one row. */
enum catalog__outcome { CATALOG__CREATED, CATALOG__UPDATED, CATALOG__UNCHANGED, CATALOG__REJECTED };

/* Validate obj as a listing for mode; errors appended to errors (an array).
 * OUT *in on true (release with catalog__in_release); false = invalid, *in
 * holds nothing to release. */
bool catalog__listing_parse(json_t *obj, enum catalog__mode mode, struct catalog__in *in,
                            json_t *errors);
void catalog__in_release(struct catalog__in *in);
/* Fill version record v (listing_id, version, created_ms set by the caller). */
void catalog__in_fill(const struct catalog__in *in, struct store_listing_version *v);

/* Validate obj as a seller line, hashing identifiers with key. OUT *in. */
bool catalog__seller_parse(json_t *obj, const uint8_t key[32], struct catalog__seller_in *in,
                           json_t *errors);

/* Inside a transaction: create or update the seller of in. attach_org_id as
 * in catalog_seller_put. OUT *outcome, *org_id_out (may be NULL), and on
 * CATALOG__REJECTED a reason. Returns non-OK only for store failures. */
ips_status catalog__seller_apply(struct store *s, const struct catalog__seller_in *in,
                                 const char *attach_org_id, int64_t now_ms,
                                 enum catalog__outcome *outcome, char org_id_out[ID_SIZE],
                                 char reason[CATALOG_REASON_MAX + 1]);

/* Inside a transaction: the org id of the seller with external id ext,
 * creating the org and a bare profile when it is new. OUT org_id, *created.
 * Returns IPS_ERR_CONFLICT (with reason) when an org already has the name. */
ips_status catalog__seller_resolve(struct store *s, const char *ext, int64_t now_ms,
                                   char org_id[ID_SIZE], bool *created,
                                   char reason[CATALOG_REASON_MAX + 1]);

/* Inside a transaction: write listing in->id of seller_org_id: create it,
 * add a version when the content differs, or nothing. A version written is
 * scanned at once (detections_listing_written, with cfg: may be NULL; or
 * detections_batch_written when scan is not NULL: the import's batch,
 * with pre, the text matches its parser found, or NULL),
 * which may hold the listing back (state blocked). OUT *outcome, *l, *v
 * (may be NULL; the listing and current version afterwards). A listing of
 * another seller is CATALOG__REJECTED with a reason. Non-OK: store failures. */
struct detections_batch;
struct detections_prescan;
ips_status catalog__listing_apply(struct store *s, const struct config *cfg,
                                  struct detections_batch *scan,
                                  const struct detections_prescan *pre, const char *id,
                                  const struct catalog__in *in,
                                  const char *seller_org_id, int64_t now_ms,
                                  enum catalog__outcome *outcome, struct store_listing *l,
                                  struct store_listing_version *v,
                                  char reason[CATALOG_REASON_MAX + 1]);

/* Authorise; audit a refusal (denied) on its own. */
ips_status catalog__check(struct ips_ctx *ctx, enum access_action act,
                          const struct access_object *obj, const char *object);

/* First validation error of errors as "field: message" into out[cap]. */
void catalog__first_error(json_t *errors, char *out, size_t cap);

#endif

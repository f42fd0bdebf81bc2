/*
 * profile.h — protection profiles: what one right-holder organisation tells
 * the platform about its brands, read by the detection engine and the notice
 * flow.
 *
 * A profile holds
 *   - brand terms, each with known variants (UTF-8, any script: "Nike" with
 *     the variant "耐克"), at most PROFILE_TERMS_MAX terms of at most
 *     PROFILE_VARIANTS_MAX variants, each 1..STORE_PROFILE_TERM_MAX bytes;
 *   - official images (kind product | logo, a label), stored as blobs typed
 *     by content (BLOB_TYPES_IMAGE), at most PROFILE_IMAGES_MAX;
 *   - reference minimum prices per (category, ISO 4217 currency) in minor
 *     units, at most PROFILE_PRICES_MAX;
 *   - authorised sellers (ids of seller-kind orgs), at most
 *     PROFILE_SELLERS_MAX.
 * Terms, prices and sellers are replaced as whole lists; images are added and
 * deleted one at a time.
 *
 * Text. Text is stored as given (not normalised: what the right holder
 * typed is what it reads back) after trimming ASCII spaces at both ends; it must be valid
 * UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) and
 * hold no control characters (C0, DEL, C1). Matching under normalisation and
 * confusables is the detection engine's job.
 *
 * Access. The holder's members and its authorised agents (rights.h,
 * rights_agent_authorised) read and write; admins read and write;
 * reviewers read (a write answers IPS_ERR_FORBIDDEN); everybody else gets
 * IPS_ERR_NOT_FOUND, exactly as for an org that does not exist or is not a
 * right holder. Refusals are audited; every write runs in one store
 * transaction with its audit event, and bad input changes nothing
 * (IPS_ERR_INVALID with field errors in ctx->errors and a sentence in
 * ctx->detail).
 *
 * System reads (profile_terms_foreach, profile_min_price,
 * profile_seller_authorised) take a bare store and SKIP ACCESS CHECKS: they
 * exist for system-side code (the detection engine, the notice flow) and
 * must never be called with data a user chose to see on that user's behalf.
 *
 * Ownership: json_t arguments are borrowed; records passed to callbacks are
 * valid only during the call.
 */
#ifndef IPS_PROFILE_PROFILE_H
#define IPS_PROFILE_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "store/store_profile.h"

#define PROFILE_TERMS_MAX 200
#define PROFILE_VARIANTS_MAX STORE_PROFILE_VARIANTS_MAX
#define PROFILE_IMAGES_MAX 50
#define PROFILE_PRICES_MAX 200
#define PROFILE_SELLERS_MAX 1000
#define PROFILE_MIN_PRICE_MAX INT64_C(1000000000000000) /* 10^15 minor units */

/* Callbacks for profile_read; a NULL member skips that part. */
struct profile_visitor {
    store_profile_term_cb term;
    store_profile_image_cb image;
    store_profile_price_cb price;
    store_profile_seller_cb seller;
};

/* Read the profile of org_id through v (terms, images, prices, sellers, in
 * that order). OUT *updated_ms (may be NULL): when it last changed, 0 when
 * never written (an empty profile is still a profile). IPS_ERR_NOT_FOUND
 * when org_id is not a right-holder org or the actor may not read it. */
ips_status profile_read(struct ips_ctx *ctx, const char *org_id, const struct profile_visitor *v,
                        void *arg, int64_t *updated_ms);

/* Replace the terms: terms is a JSON array of {"term": string, "variants":
 * [string, ...]} (variants optional). A term may not repeat (byte-exact
 * after trimming), nor may a variant within its term or equal its term.
 * The three list setters check access first, then the list: a NULL list
 * (absent from the request) is IPS_ERR_INVALID "is required". */
ips_status profile_terms_set(struct ips_ctx *ctx, const char *org_id, json_t *terms);

/* Replace the prices: a JSON array of {"category": string, "currency":
 * "EUR", "min_minor": integer 1..PROFILE_MIN_PRICE_MAX}; a pair may not
 * repeat. Currencies are checked against ISO 4217 (iso-codes' list). */
ips_status profile_prices_set(struct ips_ctx *ctx, const char *org_id, json_t *prices);

/* Replace the authorised sellers: a JSON array of org ids, each an existing
 * seller-kind org, no repeats. */
ips_status profile_sellers_set(struct ips_ctx *ctx, const char *org_id, json_t *seller_ids);

/* Add an official image: data[0..len) typed by content (BLOB_TYPES_IMAGE),
 * meta {"kind": "product"|"logo", "label": string 1..200 bytes} (borrowed).
 * Failure: IPS_ERR_MEDIA_TYPE (not an image: ctx->detail names the type),
 * IPS_ERR_TOO_LARGE (past BLOB_MAX_BYTES), IPS_ERR_INVALID (meta, empty file,
 * too many images), IPS_ERR_CONFLICT (the profile has these bytes already).
 * Access is checked first; data and meta may then be NULL (reported as
 * missing). OUT *out (may be NULL). */
ips_status profile_image_add(struct ips_ctx *ctx, const char *org_id, const void *data,
                             size_t len, json_t *meta, struct store_profile_image *out);

/* The bytes of one official image of org_id's profile, for those who may
 * read the profile (profile_read's access). OUT *data (malloc'ed, the caller
 * frees), *len, *im (may be NULL: its record, mime type included).
 * IPS_ERR_NOT_FOUND when the profile has no image with this sha256, or the
 * actor may not read the profile. */
ips_status profile_image_read(struct ips_ctx *ctx, const char *org_id, const char *sha256,
                              void **data, size_t *len, struct store_profile_image *im);
/* Delete one image (the blob itself stays: others may refer to it).
 * IPS_ERR_NOT_FOUND when the profile has no image with this sha256. */
ips_status profile_image_delete(struct ips_ctx *ctx, const char *org_id, const char *sha256);

/* ---- system reads: NO ACCESS CHECKS (see the file comment) --------------------- */

/* Every term of every profile, each with its variants, by (org, position):
 * for building the detection matcher. */
ips_status profile_terms_foreach(struct store *s, store_profile_term_cb cb, void *arg);

/* OUT *out_minor: org_id's reference minimum price for (category, currency).
 * IPS_ERR_NOT_FOUND when it has none. */
ips_status profile_min_price(struct store *s, const char *org_id, const char *category,
                             const char *currency, int64_t *out_minor);

/* OUT *out: whether org_id lists seller_org_id as an authorised seller
 * (false for unknown orgs). */
ips_status profile_seller_authorised(struct store *s, const char *org_id,
                                     const char *seller_org_id, bool *out);

/* ---- text helpers shared with src/alliance ------------------------------------- */

/*
 * Check and trim one text value: in[0..len) must be valid UTF-8 without
 * control characters; ASCII spaces at both ends are dropped, and what
 * remains must be 1..max bytes (max < cap). OUT out[cap]: the trimmed text,
 * NUL-terminated, written only when the function returns NULL. Returns NULL
 * when the text is acceptable, else a message for a field error.
 */
const char *profile_text_clean(const char *in, size_t len, size_t max, char *out, size_t cap);

/* True when code is an ISO 4217 alpha-3 currency code (three upper-case
 * letters on the list of /usr/share/iso-codes/json/iso_4217.json; when that
 * file cannot be read, the shape alone, and a warning is logged once). */
bool profile_currency_valid(const char *code);

#endif

/*
 * store_profile.h — persistence of protection profiles (migration
 * 0005_profiles.sql): brand terms with variants, official images, reference
 * minimum prices and authorised sellers of one right-holder organisation.
 *
 * Same rules as store.h: records are plain structs with fixed-size text
 * fields owned by the caller; OUT parameters are written only on IPS_OK;
 * text that does not fit its field is IPS_ERR_TOO_LARGE, never truncated;
 * listing callbacks get one row at a time, may use the store again, and stop
 * the scan by returning non-OK (that status is returned).
 *
 * Every list of a profile is bounded by the domain layer (src/profile/), so
 * the per-org listings here take no page: they return the whole list in
 * position order. The child rows (terms, images, prices, sellers) refer to
 * the profile row, so a writer calls store_profile_touch first.
 *
 * Validation (UTF-8, control characters, ranges, seller kinds) is the domain
 * layer's job; the schema's CHECK constraints are a last line of defence.
 */
#ifndef IPS_STORE_STORE_PROFILE_H
#define IPS_STORE_STORE_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_PROFILE_TERM_MAX 128     /* bytes of a term or a variant (UTF-8) */
#define STORE_PROFILE_VARIANTS_MAX 16  /* variants of one term */
#define STORE_PROFILE_LABEL_MAX 200    /* image label */
#define STORE_PROFILE_CATEGORY_MAX 64  /* price category */
#define STORE_PROFILE_MIME_MAX 64
#define STORE_PROFILE_SHA256_HEX 64    /* lower-case hex of a SHA-256 */

/* One brand term and its known variants (e.g. "Nike" with "耐克"). */
struct store_profile_term {
    char org_id[ID_SIZE];
    int pos; /* 0, 1, 2, ... within the org */
    char term[STORE_PROFILE_TERM_MAX + 1];
    int n_variants;
    char variants[STORE_PROFILE_VARIANTS_MAX][STORE_PROFILE_TERM_MAX + 1];
};

/* One official image: a blob referred to by its SHA-256. */
struct store_profile_image {
    char org_id[ID_SIZE];
    char sha256[STORE_PROFILE_SHA256_HEX + 1];
    char kind[STORE_KIND_MAX + 1]; /* product | logo */
    char label[STORE_PROFILE_LABEL_MAX + 1];
    char mime[STORE_PROFILE_MIME_MAX + 1];
    int64_t size;
    int64_t created_ms;
};

/* A reference minimum price for (category, currency), in minor units. */
struct store_profile_price {
    char org_id[ID_SIZE];
    char category[STORE_PROFILE_CATEGORY_MAX + 1];
    char currency[4]; /* ISO 4217 alpha-3 */
    int64_t min_minor;
};

/* An authorised seller; seller_name is filled by listings (read-only). */
struct store_profile_seller {
    char org_id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char seller_name[STORE_NAME_MAX + 1];
};

typedef ips_status (*store_profile_term_cb)(const struct store_profile_term *t, void *arg);
typedef ips_status (*store_profile_image_cb)(const struct store_profile_image *im, void *arg);
typedef ips_status (*store_profile_price_cb)(const struct store_profile_price *p, void *arg);
typedef ips_status (*store_profile_seller_cb)(const struct store_profile_seller *se, void *arg);

/* Create the profile row of org_id or set its updated_ms to now_ms.
 * Failure: IPS_ERR_NOT_FOUND when the org does not exist. */
ips_status store_profile_touch(struct store *s, const char *org_id, int64_t now_ms);
/* OUT *updated_ms: when the profile last changed. IPS_ERR_NOT_FOUND when the
 * org has no profile row yet (nothing was ever written). */
ips_status store_profile_updated(struct store *s, const char *org_id, int64_t *updated_ms);

/* Delete every term (and variant) of org_id; none is not an error. */
ips_status store_profile_terms_clear(struct store *s, const char *org_id);
/* Insert one term with its variants. Failure: IPS_ERR_CONFLICT for a term
 * the org already has (or a taken position), IPS_ERR_NOT_FOUND without a
 * profile row, IPS_ERR_TOO_LARGE for an unterminated field,
 * IPS_ERR_INTERNAL for n_variants outside 0..STORE_PROFILE_VARIANTS_MAX. */
ips_status store_profile_term_insert(struct store *s, const struct store_profile_term *t);
/* Terms by (org_id, pos), each with its variants in order; only_org
 * non-NULL restricts to one org, NULL walks every profile (the matcher). */
ips_status store_profile_term_list(struct store *s, const char *only_org,
                                   store_profile_term_cb cb, void *arg);

/* Insert an image. IPS_ERR_CONFLICT when the org has this sha256 already. */
ips_status store_profile_image_insert(struct store *s, const struct store_profile_image *im);
/* Delete one image. IPS_ERR_NOT_FOUND when the org has no such image. */
ips_status store_profile_image_delete(struct store *s, const char *org_id, const char *sha256);
/* Images of org_id by created_ms, then sha256. */
ips_status store_profile_image_list(struct store *s, const char *org_id,
                                    store_profile_image_cb cb, void *arg);
/* OUT *count: images of org_id. */
ips_status store_profile_image_count(struct store *s, const char *org_id, int *count);

ips_status store_profile_prices_clear(struct store *s, const char *org_id);
/* pos orders the list as given. IPS_ERR_CONFLICT for a repeated
 * (category, currency). */
ips_status store_profile_price_insert(struct store *s, const struct store_profile_price *p,
                                      int pos);
ips_status store_profile_price_list(struct store *s, const char *org_id,
                                    store_profile_price_cb cb, void *arg);
/* OUT *min_minor. IPS_ERR_NOT_FOUND when org_id has no price for the pair. */
ips_status store_profile_price_get(struct store *s, const char *org_id, const char *category,
                                   const char *currency, int64_t *min_minor);

ips_status store_profile_sellers_clear(struct store *s, const char *org_id);
/* IPS_ERR_CONFLICT for a repeated seller, IPS_ERR_NOT_FOUND when the seller
 * org does not exist. (Its kind is the domain layer's check.) */
ips_status store_profile_seller_insert(struct store *s, const char *org_id,
                                       const char *seller_org_id, int pos);
ips_status store_profile_seller_list(struct store *s, const char *org_id,
                                     store_profile_seller_cb cb, void *arg);
/* OUT *out: whether org_id lists seller_org_id as authorised. */
ips_status store_profile_seller_listed(struct store *s, const char *org_id,
                                       const char *seller_org_id, bool *out);

#endif

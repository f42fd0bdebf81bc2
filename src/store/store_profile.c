/*
 * store_profile.c — the public functions of store_profile.h: argument checks
 * (a NULL where a value is required is a caller bug: IPS_ERR_INTERNAL,
 * logged) and dispatch to the backend's struct store_profile_ops.
 */
#include "store/store_profile.h"
#include "store/store_backend.h"
#include "store/store_profile_backend.h"

ips_status store_profile_touch(struct store *s, const char *org_id, int64_t now_ms)
{
    STORE__REQUIRE(s && org_id);
    return s->ops->profile->touch(s, org_id, now_ms);
}

ips_status store_profile_updated(struct store *s, const char *org_id, int64_t *updated_ms)
{
    STORE__REQUIRE(s && org_id && updated_ms);
    return s->ops->profile->updated(s, org_id, updated_ms);
}

ips_status store_profile_terms_clear(struct store *s, const char *org_id)
{
    STORE__REQUIRE(s && org_id);
    return s->ops->profile->terms_clear(s, org_id);
}

ips_status store_profile_term_insert(struct store *s, const struct store_profile_term *t)
{
    STORE__REQUIRE(s && t);
    STORE__REQUIRE(t->n_variants >= 0 && t->n_variants <= STORE_PROFILE_VARIANTS_MAX);
    return s->ops->profile->term_insert(s, t);
}

ips_status store_profile_term_list(struct store *s, const char *only_org,
                                   store_profile_term_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->profile->term_list(s, only_org, cb, arg);
}

ips_status store_profile_image_insert(struct store *s, const struct store_profile_image *im)
{
    STORE__REQUIRE(s && im);
    return s->ops->profile->image_insert(s, im);
}

ips_status store_profile_image_delete(struct store *s, const char *org_id, const char *sha256)
{
    STORE__REQUIRE(s && org_id && sha256);
    return s->ops->profile->image_delete(s, org_id, sha256);
}

ips_status store_profile_image_list(struct store *s, const char *org_id,
                                    store_profile_image_cb cb, void *arg)
{
    STORE__REQUIRE(s && org_id && cb);
    return s->ops->profile->image_list(s, org_id, cb, arg);
}

ips_status store_profile_image_count(struct store *s, const char *org_id, int *count)
{
    STORE__REQUIRE(s && org_id && count);
    return s->ops->profile->image_count(s, org_id, count);
}

ips_status store_profile_prices_clear(struct store *s, const char *org_id)
{
    STORE__REQUIRE(s && org_id);
    return s->ops->profile->prices_clear(s, org_id);
}

ips_status store_profile_price_insert(struct store *s, const struct store_profile_price *p,
                                      int pos)
{
    STORE__REQUIRE(s && p);
    return s->ops->profile->price_insert(s, p, pos);
}

ips_status store_profile_price_list(struct store *s, const char *org_id,
                                    store_profile_price_cb cb, void *arg)
{
    STORE__REQUIRE(s && org_id && cb);
    return s->ops->profile->price_list(s, org_id, cb, arg);
}

ips_status store_profile_price_get(struct store *s, const char *org_id, const char *category,
                                   const char *currency, int64_t *min_minor)
{
    STORE__REQUIRE(s && org_id && category && currency && min_minor);
    return s->ops->profile->price_get(s, org_id, category, currency, min_minor);
}

ips_status store_profile_sellers_clear(struct store *s, const char *org_id)
{
    STORE__REQUIRE(s && org_id);
    return s->ops->profile->sellers_clear(s, org_id);
}

ips_status store_profile_seller_insert(struct store *s, const char *org_id,
                                       const char *seller_org_id, int pos)
{
    STORE__REQUIRE(s && org_id && seller_org_id);
    return s->ops->profile->seller_insert(s, org_id, seller_org_id, pos);
}

ips_status store_profile_seller_list(struct store *s, const char *org_id,
                                     store_profile_seller_cb cb, void *arg)
{
    STORE__REQUIRE(s && org_id && cb);
    return s->ops->profile->seller_list(s, org_id, cb, arg);
}

ips_status store_profile_seller_listed(struct store *s, const char *org_id,
                                       const char *seller_org_id, bool *out)
{
    STORE__REQUIRE(s && org_id && seller_org_id && out);
    return s->ops->profile->seller_listed(s, org_id, seller_org_id, out);
}

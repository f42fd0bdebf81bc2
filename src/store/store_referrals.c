/*
 * store_referrals.c — the public functions of store_referrals.h: argument
 * checks (a NULL where a value is required is a caller bug:
 * IPS_ERR_INTERNAL, logged) and dispatch to struct store_referrals_ops.
 */
#include "store/store_referrals.h"
#include "store/store_backend.h"
#include "store/store_referrals_backend.h"

ips_status store_referrals_agency_put(struct store *s, const struct store_agency *a)
{
    STORE__REQUIRE(s && a);
    return s->ops->referrals->agency_put(s, a);
}

ips_status store_referrals_agency_get(struct store *s, const char *org_id, struct store_agency *out)
{
    STORE__REQUIRE(s && org_id && out);
    return s->ops->referrals->agency_get(s, org_id, out);
}

ips_status store_referrals_agency_list(struct store *s, const char *after, int limit,
                                       store_agency_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->referrals->agency_list(s, after, limit, cb, arg);
}

ips_status store_referrals_jurisdictions_set(struct store *s, const char *org_id,
                                             const char *const *codes, size_t n)
{
    STORE__REQUIRE(s && org_id && (codes || n == 0));
    return s->ops->referrals->jurisdictions_set(s, org_id, codes, n);
}

ips_status store_referrals_jurisdiction_list(struct store *s, const char *org_id, store_code_cb cb,
                                             void *arg)
{
    STORE__REQUIRE(s && org_id && cb);
    return s->ops->referrals->jurisdiction_list(s, org_id, cb, arg);
}

ips_status store_referrals_referral_insert(struct store *s, const struct store_referral *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->referrals->referral_insert(s, r);
}

ips_status store_referrals_referral_get(struct store *s, const char *id, struct store_referral *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->referrals->referral_get(s, id, out);
}

ips_status store_referrals_referral_update(struct store *s, const struct store_referral *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->referrals->referral_update(s, r);
}

ips_status store_referrals_referral_list(struct store *s, const char *only_agency,
                                         const char *after, int limit, store_referral_cb cb,
                                         void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->referrals->referral_list(s, only_agency, after, limit, cb, arg);
}

ips_status store_referrals_recipient_insert(struct store *s,
                                            const struct store_referral_recipient *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->referrals->recipient_insert(s, r);
}

ips_status store_referrals_recipient_clear(struct store *s, const char *referral_id)
{
    STORE__REQUIRE(s && referral_id);
    return s->ops->referrals->recipient_clear(s, referral_id);
}

ips_status store_referrals_recipient_approve(struct store *s,
                                             const struct store_referral_recipient *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->referrals->recipient_approve(s, r);
}

ips_status store_referrals_recipient_list(struct store *s, const char *referral_id,
                                          store_recipient_cb cb, void *arg)
{
    STORE__REQUIRE(s && referral_id && cb);
    return s->ops->referrals->recipient_list(s, referral_id, cb, arg);
}

ips_status store_referrals_seller_add(struct store *s, const char *referral_id,
                                      const char *seller_org_id)
{
    STORE__REQUIRE(s && referral_id && seller_org_id);
    return s->ops->referrals->seller_add(s, referral_id, seller_org_id);
}

ips_status store_referrals_seller_list(struct store *s, const char *referral_id, store_code_cb cb,
                                       void *arg)
{
    STORE__REQUIRE(s && referral_id && cb);
    return s->ops->referrals->seller_list(s, referral_id, cb, arg);
}

ips_status store_referrals_rightholder_add(struct store *s, const char *referral_id,
                                           const char *org_id)
{
    STORE__REQUIRE(s && referral_id && org_id);
    return s->ops->referrals->rightholder_add(s, referral_id, org_id);
}

ips_status store_referrals_rightholder_list(struct store *s, const char *referral_id,
                                            store_code_cb cb, void *arg)
{
    STORE__REQUIRE(s && referral_id && cb);
    return s->ops->referrals->rightholder_list(s, referral_id, cb, arg);
}

ips_status store_referrals_rightholder_has(struct store *s, const char *referral_id,
                                           const char *org_id, bool *found)
{
    STORE__REQUIRE(s && referral_id && org_id && found);
    return s->ops->referrals->rightholder_has(s, referral_id, org_id, found);
}

ips_status store_referrals_update_insert(struct store *s, const struct store_referral_update *u)
{
    STORE__REQUIRE(s && u);
    return s->ops->referrals->update_insert(s, u);
}

ips_status store_referrals_update_list(struct store *s, const char *referral_id,
                                       store_referral_update_cb cb, void *arg)
{
    STORE__REQUIRE(s && referral_id && cb);
    return s->ops->referrals->update_list(s, referral_id, cb, arg);
}

ips_status store_referrals_linked_sellers(struct store *s, const char *seller_org_id,
                                          store_link_cb cb, void *arg)
{
    STORE__REQUIRE(s && seller_org_id && cb);
    return s->ops->referrals->linked_sellers(s, seller_org_id, cb, arg);
}

ips_status store_referrals_file_insert(struct store *s, const struct store_referral_file *f)
{
    STORE__REQUIRE(s && f);
    return s->ops->referrals->file_insert(s, f);
}

ips_status store_referrals_file_list(struct store *s, const char *referral_id,
                                     store_referral_file_cb cb, void *arg)
{
    STORE__REQUIRE(s && referral_id && cb);
    return s->ops->referrals->file_list(s, referral_id, cb, arg);
}

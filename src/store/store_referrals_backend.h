/*
 * store_referrals_backend.h — the referrals domain's table of backend
 * operations (see store_backend.h). Contracts: store_referrals.h.
 */
#ifndef IPS_STORE_STORE_REFERRALS_BACKEND_H
#define IPS_STORE_STORE_REFERRALS_BACKEND_H

#include "store/store_referrals.h"

struct store_referrals_ops {
    ips_status (*agency_put)(struct store *s, const struct store_agency *a);
    ips_status (*agency_get)(struct store *s, const char *org_id, struct store_agency *out);
    ips_status (*agency_list)(struct store *s, const char *after, int limit, store_agency_cb cb,
                              void *arg);
    ips_status (*jurisdictions_set)(struct store *s, const char *org_id, const char *const *codes,
                                    size_t n);
    ips_status (*jurisdiction_list)(struct store *s, const char *org_id, store_code_cb cb,
                                    void *arg);
    ips_status (*referral_insert)(struct store *s, const struct store_referral *r);
    ips_status (*referral_get)(struct store *s, const char *id, struct store_referral *out);
    ips_status (*referral_update)(struct store *s, const struct store_referral *r);
    ips_status (*referral_list)(struct store *s, const char *only_agency, const char *after,
                                int limit, store_referral_cb cb, void *arg);
    ips_status (*recipient_insert)(struct store *s, const struct store_referral_recipient *r);
    ips_status (*recipient_clear)(struct store *s, const char *referral_id);
    ips_status (*recipient_approve)(struct store *s, const struct store_referral_recipient *r);
    ips_status (*recipient_list)(struct store *s, const char *referral_id, store_recipient_cb cb,
                                 void *arg);
    ips_status (*seller_add)(struct store *s, const char *referral_id, const char *seller_org_id);
    ips_status (*seller_list)(struct store *s, const char *referral_id, store_code_cb cb,
                              void *arg);
    ips_status (*rightholder_add)(struct store *s, const char *referral_id, const char *org_id);
    ips_status (*rightholder_list)(struct store *s, const char *referral_id, store_code_cb cb,
                                   void *arg);
    ips_status (*rightholder_has)(struct store *s, const char *referral_id, const char *org_id,
                                  bool *found);
    ips_status (*update_insert)(struct store *s, const struct store_referral_update *u);
    ips_status (*update_list)(struct store *s, const char *referral_id, store_referral_update_cb cb,
                              void *arg);
    ips_status (*file_insert)(struct store *s, const struct store_referral_file *f);
    ips_status (*file_list)(struct store *s, const char *referral_id, store_referral_file_cb cb,
                            void *arg);
    ips_status (*linked_sellers)(struct store *s, const char *seller_org_id, store_link_cb cb,
                                 void *arg);
};

#endif

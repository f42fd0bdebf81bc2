/* store_notices_backend.h — the backend table of the notices domain
 * (private to src/store/; contracts in store_notices.h). */
#ifndef IPS_STORE_STORE_NOTICES_BACKEND_H
#define IPS_STORE_STORE_NOTICES_BACKEND_H

#include "store/store_notices.h"

struct store_notices_ops {
    ips_status (*notice_insert)(struct store *s, const struct store_notice *n);
    ips_status (*notice_get)(struct store *s, const char *id, struct store_notice *out);
    ips_status (*notice_update)(struct store *s, const struct store_notice *n);
    ips_status (*notice_list)(struct store *s, const struct store_notice_filter *f,
                              const char *after, int limit, store_notice_cb cb, void *arg);
    ips_status (*queue_list)(struct store *s, int64_t after_deadline, int64_t after_risk,
                             const char *after_id, int limit, store_notice_cb cb, void *arg);
    ips_status (*sla_due)(struct store *s, int64_t now_ms, int limit, store_notice_cb cb,
                          void *arg);
    ips_status (*open_for_listing)(struct store *s, const char *notifier_org_id,
                                   const char *listing_id, char notice_id[ID_SIZE]);
    ips_status (*counts)(struct store *s, const char *notifier_org_id, int64_t since_ms,
                         struct store_notice_counts *out);
    ips_status (*item_insert)(struct store *s, const struct store_notice_item *it);
    ips_status (*search_put)(struct store *s, const char *notice_id);
    ips_status (*item_get)(struct store *s, const char *notice_id, const char *listing_id,
                           struct store_notice_item *out);
    ips_status (*item_update)(struct store *s, const struct store_notice_item *it);
    ips_status (*item_list)(struct store *s, const char *notice_id, const char *only_seller,
                            const char *after, int limit, store_notice_item_cb cb, void *arg);
    ips_status (*item_due)(struct store *s, int64_t now_ms, int limit, store_notice_item_cb cb,
                           void *arg);
    ips_status (*notifier_get)(struct store *s, const char *org_id, struct store_notifier *out);
    ips_status (*notifier_put)(struct store *s, const struct store_notifier *n);
    ips_status (*notifier_suspension_due)(struct store *s, int64_t now_ms, int limit,
                                          store_notifier_cb cb, void *arg);
    ips_status (*strike_insert)(struct store *s, const struct store_strike *st);
    ips_status (*strike_revoke)(struct store *s, const char *notice_id, const char *listing_id,
                                int64_t now_ms);
    ips_status (*strike_list)(struct store *s, const char *only_seller, const char *after,
                              int limit, store_strike_cb cb, void *arg);
    ips_status (*inbox_insert)(struct store *s, const struct store_inbox_msg *m);
    ips_status (*inbox_list)(struct store *s, const char *org_id, const char *before, int limit,
                             store_inbox_cb cb, void *arg);
};

#endif

/* store_webhook_backend.h — the backend table of the webhook domain
 * (private to src/store/; contracts in store_webhook.h). */
#ifndef IPS_STORE_STORE_WEBHOOK_BACKEND_H
#define IPS_STORE_STORE_WEBHOOK_BACKEND_H

#include "store/store_webhook.h"

struct store_webhook_ops {
    ips_status (*endpoint_put)(struct store *s, const struct store_webhook_endpoint *e);
    ips_status (*endpoint_get)(struct store *s, const char *org_id,
                               struct store_webhook_endpoint *out);
    ips_status (*delivery_insert)(struct store *s, const struct store_webhook_delivery *d);
    ips_status (*delivery_update)(struct store *s, const struct store_webhook_delivery *d);
    ips_status (*delivery_due)(struct store *s, int64_t now_ms, int limit,
                               store_webhook_delivery_cb cb, void *arg);
    ips_status (*delivery_list)(struct store *s, const char *only_org, const char *after, int limit,
                                store_webhook_delivery_cb cb, void *arg);
    ips_status (*attempt_insert)(struct store *s, const struct store_webhook_attempt *a);
    ips_status (*attempt_list)(struct store *s, const char *delivery_id,
                               store_webhook_attempt_cb cb, void *arg);
};

#endif

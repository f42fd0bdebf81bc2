/* store_webhook.c — dispatch of store_webhook.h to the backend (contracts there). */
#include "store/store_webhook.h"
#include "store/store_backend.h"
#include "store/store_webhook_backend.h"

ips_status store_webhook_endpoint_put(struct store *s, const struct store_webhook_endpoint *e)
{
    STORE__REQUIRE(s && e);
    return s->ops->webhook->endpoint_put(s, e);
}

ips_status store_webhook_endpoint_get(struct store *s, const char *org_id,
                                      struct store_webhook_endpoint *out)
{
    STORE__REQUIRE(s && org_id && out);
    return s->ops->webhook->endpoint_get(s, org_id, out);
}

ips_status store_webhook_delivery_insert(struct store *s, const struct store_webhook_delivery *d)
{
    STORE__REQUIRE(s && d);
    return s->ops->webhook->delivery_insert(s, d);
}

ips_status store_webhook_delivery_update(struct store *s, const struct store_webhook_delivery *d)
{
    STORE__REQUIRE(s && d);
    return s->ops->webhook->delivery_update(s, d);
}

ips_status store_webhook_delivery_due(struct store *s, int64_t now_ms, int limit,
                                      store_webhook_delivery_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->webhook->delivery_due(s, now_ms, limit, cb, arg);
}

ips_status store_webhook_delivery_list(struct store *s, const char *only_org, const char *after,
                                       int limit, store_webhook_delivery_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->webhook->delivery_list(s, only_org, after, limit, cb, arg);
}

ips_status store_webhook_attempt_insert(struct store *s, const struct store_webhook_attempt *a)
{
    STORE__REQUIRE(s && a);
    return s->ops->webhook->attempt_insert(s, a);
}

ips_status store_webhook_attempt_list(struct store *s, const char *delivery_id,
                                      store_webhook_attempt_cb cb, void *arg)
{
    STORE__REQUIRE(s && delivery_id && cb);
    return s->ops->webhook->attempt_list(s, delivery_id, cb, arg);
}

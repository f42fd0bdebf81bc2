/*
 * store_webhook.h — persistence of the signed outbound webhooks
 * (src/webhook/): one endpoint per organisation, the deliveries queued for
 * it (an outbox written in the same transaction as the event) and every
 * attempt to deliver them (the delivery log).
 *
 * Same rules as store.h (caller-owned records, IPS_ERR_TOO_LARGE for text
 * that does not fit, OUT parameters written only on IPS_OK).
 */
#ifndef IPS_STORE_STORE_WEBHOOK_H
#define IPS_STORE_STORE_WEBHOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_WEBHOOK_URL_MAX 400
#define STORE_WEBHOOK_SECRET_MAX 128
#define STORE_WEBHOOK_BODY_MAX 65536
#define STORE_WEBHOOK_ERROR_MAX 256

struct store_webhook_endpoint {
    char org_id[ID_SIZE];
    char url[STORE_WEBHOOK_URL_MAX + 1];
    char secret[STORE_WEBHOOK_SECRET_MAX + 1];
    int64_t created_ms, updated_ms;
    /* the secret replaced last, still signing beside secret until
     * previous_until_ms ("" : none) */
    char previous_secret[STORE_WEBHOOK_SECRET_MAX + 1];
    int64_t previous_until_ms;
};

struct store_webhook_delivery {
    char id[ID_SIZE];
    char org_id[ID_SIZE];
    char event[STORE_ACTION_MAX + 1];
    char body[STORE_WEBHOOK_BODY_MAX + 1];
    char state[STORE_KIND_MAX + 1]; /* pending | delivered | failed */
    int64_t attempts;
    int64_t next_attempt_ms;
    int64_t last_status;
    char last_error[STORE_WEBHOOK_ERROR_MAX + 1];
    int64_t created_ms, updated_ms;
};

struct store_webhook_attempt {
    char delivery_id[ID_SIZE];
    int64_t n; /* 1, 2, ... */
    int64_t at_ms;
    int64_t http_status; /* 0: no answer */
    char error[STORE_WEBHOOK_ERROR_MAX + 1];
    int64_t duration_ms;
};

typedef ips_status (*store_webhook_delivery_cb)(const struct store_webhook_delivery *d, void *arg);
typedef ips_status (*store_webhook_attempt_cb)(const struct store_webhook_attempt *a, void *arg);

/* Insert or replace the endpoint of e->org_id. NOT_FOUND for an unknown org. */
ips_status store_webhook_endpoint_put(struct store *s, const struct store_webhook_endpoint *e);
/* OUT *out. NOT_FOUND when the org has no endpoint. */
ips_status store_webhook_endpoint_get(struct store *s, const char *org_id,
                                      struct store_webhook_endpoint *out);

ips_status store_webhook_delivery_insert(struct store *s, const struct store_webhook_delivery *d);
/* Write state, attempts, next_attempt_ms, last_status, last_error,
 * updated_ms. NOT_FOUND. */
ips_status store_webhook_delivery_update(struct store *s, const struct store_webhook_delivery *d);
/* Pending deliveries with next_attempt_ms <= now_ms, oldest first. */
ips_status store_webhook_delivery_due(struct store *s, int64_t now_ms, int limit,
                                      store_webhook_delivery_cb cb, void *arg);
/* Deliveries (only_org non-NULL: of that org), id ascending after `after`. */
ips_status store_webhook_delivery_list(struct store *s, const char *only_org, const char *after,
                                       int limit, store_webhook_delivery_cb cb, void *arg);

ips_status store_webhook_attempt_insert(struct store *s, const struct store_webhook_attempt *a);
/* Attempts of one delivery, by n. */
ips_status store_webhook_attempt_list(struct store *s, const char *delivery_id,
                                      store_webhook_attempt_cb cb, void *arg);

#endif

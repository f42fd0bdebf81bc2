/*
 * webhook.h — signed outbound webhooks: one http(s) endpoint and secret per
 * organisation (set by an admin); events are queued in the store inside the
 * transaction that makes them (an outbox, so an event exists exactly when
 * its change committed) and POSTed by the job thread with
 *   X-Iprshield-Signature: sha256=<hex HMAC-SHA256(secret, body)>
 * (while a replaced secret is in its overlap, a second value follows:
 * "sha256=<new>, sha256=<old>"; a receiver accepts any value it can check)
 * (libsodium crypto_auth_hmacsha256), retried with exponential backoff
 * (1 s, 2 s, 4 s, ... capped at 1 h) up to webhook_max_attempts; every
 * attempt is written to the delivery log.
 *
 * Ownership: json_t arguments are borrowed; records are caller-owned.
 */
#ifndef IPS_WEBHOOK_WEBHOOK_H
#define IPS_WEBHOOK_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "store/store_webhook.h"

#define WEBHOOK_SIGNATURE_HEADER "X-Iprshield-Signature"
#define WEBHOOK_SECRET_MIN 16
#define WEBHOOK_TIMEOUT_S 5
#define WEBHOOK_BACKOFF_MAX_MS (3600 * 1000)

/* "sha256=" + 64 hex digits + NUL */
#define WEBHOOK_SIGNATURE_SIZE (7 + 64 + 1)
/* two of them, ", " between */
#define WEBHOOK_SIGNATURE_HEADER_SIZE (2 * WEBHOOK_SIGNATURE_SIZE + 1)
#define WEBHOOK_OVERLAP_MAX_S (7 * 86400)

/* HMAC-SHA256 of body[0..len) keyed with secret, as "sha256=<hex>" into
 * out[WEBHOOK_SIGNATURE_SIZE]. Pure. */
void webhook_sign(const char *secret, const void *body, size_t len,
                  char out[WEBHOOK_SIGNATURE_SIZE]);

/* The signature header's value for body[0..len) sent at now_ms: the
 * signature under e->secret, then the one under e->previous_secret while
 * now_ms < e->previous_until_ms. Pure. */
void webhook_signature_header(const struct store_webhook_endpoint *e, int64_t now_ms,
                              const void *body, size_t len,
                              char out[WEBHOOK_SIGNATURE_HEADER_SIZE]);

/* True for an absolute http:// or https:// URL with a host, no spaces or
 * control characters, at most STORE_WEBHOOK_URL_MAX bytes. */
bool webhook_url_valid(const char *url);

/*
 * Set the endpoint of org_id (WEBHOOK_SET: admins). secret NULL: a random
 * one is made. When it replaces another secret, the old one goes on
 * signing beside it for overlap_s seconds (negative: the setting
 * webhook_secret_overlap_seconds; 0: revoked at once, e.g. when it leaked).
 * OUT secret_out[STORE_WEBHOOK_SECRET_MAX + 1]: the secret in force (shown
 * to the admin once); *out (may be NULL).
 * Failure: IPS_ERR_INVALID (bad URL, secret shorter than 16 bytes or
 * longer than 128, overlap over 7 days), IPS_ERR_NOT_FOUND (unknown org).
 */
ips_status webhook_endpoint_set(struct ips_ctx *ctx, const char *org_id, const char *url,
                                const char *secret, int64_t overlap_s, char *secret_out,
                                struct store_webhook_endpoint *out);

/* Queue event for org_id inside the caller's transaction (IPS_ERR_INTERNAL
 * when none is open). The body POSTed is {"id","event","created","data"}.
 * An org without an endpoint gets nothing (IPS_OK). */
ips_status webhook_enqueue(struct store *s, const char *org_id, const char *event, json_t *data,
                           int64_t now_ms);

/* A delivery with its attempts (a JSON array, borrowed during the call). */
typedef ips_status (*webhook_delivery_cb)(const struct store_webhook_delivery *d, json_t *attempts,
                                          void *arg);

/* Deliveries the actor may see (WEBHOOK_READ): admins and auditors all
 * (only_org may filter), others those of their own org; only_org naming
 * another org is then IPS_ERR_NOT_FOUND. */
ips_status webhook_deliveries_list(struct ips_ctx *ctx, const char *only_org, const char *after,
                                   int limit, webhook_delivery_cb cb, void *arg);

/* The job: attempt every due delivery once (outside any transaction),
 * recording the attempt and the new state in a transaction each. */
ips_status webhook_tick(struct ips_ctx *ctx, int64_t now_ms);

#endif

/*
 * notices_internal.h — what the files of src/notices/ share: time units,
 * telling parties, the item scan, outcome recomputation and the notifier
 * evaluation. Not part of the module's interface.
 */
#ifndef IPS_NOTICES_INTERNAL_H
#define IPS_NOTICES_INTERNAL_H

#include "notices/notices.h"

#define NOTICES__DAY_MS (86400LL * 1000)
#define NOTICES__HOUR_MS (3600LL * 1000)

/* A setting in days or hours (unit_ms) as milliseconds; seconds instead when
 * the test-only setting test_deadline_seconds is on. Negative values read as 0. */
int64_t notices__span_ms(const struct ips_ctx *ctx, int64_t value, int64_t unit_ms);

/* Tell org_id: one inbox message and, when the org has a webhook endpoint,
 * one queued webhook with the same data. Inside the caller's transaction.
 * body is borrowed. */
ips_status notices__tell(struct store *s, const char *org_id, const char *kind,
                         const char *notice_id, const char *subject, json_t *body, int64_t now_ms);

/* Key and states of one item, as collected by notices__items_scan. */
struct notices__key {
    char listing_id[STORE_NOTICE_LISTING_MAX + 1];
    char seller_org_id[ID_SIZE];
    char state[STORE_KIND_MAX + 1];
    char appeal_state[STORE_KIND_MAX + 1];
};

/* All items of a notice (keys and states only). OUT *keys (malloc'ed,
 * caller frees), *n. */
ips_status notices__items_scan(struct store *s, const char *notice_id, struct notices__key **keys,
                               size_t *n);

/* Recompute n's outcome from its items and whether something still awaits
 * a reviewer (review_deadline_ms kept, or 0), then store n. */
ips_status notices__notice_refresh(struct store *s, struct store_notice *n, int64_t now_ms);

/* Re-evaluate the fast-track and misuse status of notifier org_id at
 * now_ms; audit and tell the notifier when it changes. In the caller's
 * transaction. */
ips_status notices__notifier_evaluate(struct store *s, const struct ips_ctx *ctx,
                                      const char *org_id, int64_t now_ms);

#endif

/* store_notices.c — dispatch of store_notices.h to the backend (contracts there). */
#include "store/store_notices.h"
#include "store/store_backend.h"
#include "store/store_notices_backend.h"

ips_status store_notices_notice_insert(struct store *s, const struct store_notice *n)
{
    STORE__REQUIRE(s && n);
    return s->ops->notices->notice_insert(s, n);
}

ips_status store_notices_notice_get(struct store *s, const char *id, struct store_notice *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->notices->notice_get(s, id, out);
}

ips_status store_notices_notice_update(struct store *s, const struct store_notice *n)
{
    STORE__REQUIRE(s && n);
    return s->ops->notices->notice_update(s, n);
}

ips_status store_notices_notice_list(struct store *s, const struct store_notice_filter *f,
                                     const char *after, int limit, store_notice_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->notices->notice_list(s, f, after, limit, cb, arg);
}

ips_status store_notices_queue_list(struct store *s, int64_t after_deadline, int64_t after_risk,
                                    const char *after_id, int limit, store_notice_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->notices->queue_list(s, after_deadline, after_risk, after_id, limit, cb, arg);
}

ips_status store_notices_sla_due(struct store *s, int64_t now_ms, int limit, store_notice_cb cb,
                                 void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->notices->sla_due(s, now_ms, limit, cb, arg);
}

ips_status store_notices_open_for_listing(struct store *s, const char *notifier_org_id,
                                          const char *listing_id, char notice_id[ID_SIZE])
{
    STORE__REQUIRE(s && notifier_org_id && listing_id && notice_id);
    return s->ops->notices->open_for_listing(s, notifier_org_id, listing_id, notice_id);
}

ips_status store_notices_counts(struct store *s, const char *notifier_org_id, int64_t since_ms,
                                struct store_notice_counts *out)
{
    STORE__REQUIRE(s && notifier_org_id && out);
    return s->ops->notices->counts(s, notifier_org_id, since_ms, out);
}

ips_status store_notices_item_insert(struct store *s, const struct store_notice_item *it)
{
    STORE__REQUIRE(s && it);
    return s->ops->notices->item_insert(s, it);
}

ips_status store_notices_search_put(struct store *s, const char *notice_id)
{
    STORE__REQUIRE(s && notice_id);
    return s->ops->notices->search_put(s, notice_id);
}

ips_status store_notices_item_get(struct store *s, const char *notice_id, const char *listing_id,
                                  struct store_notice_item *out)
{
    STORE__REQUIRE(s && notice_id && listing_id && out);
    return s->ops->notices->item_get(s, notice_id, listing_id, out);
}

ips_status store_notices_item_update(struct store *s, const struct store_notice_item *it)
{
    STORE__REQUIRE(s && it);
    return s->ops->notices->item_update(s, it);
}

ips_status store_notices_item_list(struct store *s, const char *notice_id, const char *only_seller,
                                   const char *after, int limit, store_notice_item_cb cb, void *arg)
{
    STORE__REQUIRE(s && notice_id && cb);
    return s->ops->notices->item_list(s, notice_id, only_seller, after, limit, cb, arg);
}

ips_status store_notices_item_due(struct store *s, int64_t now_ms, int limit,
                                  store_notice_item_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->notices->item_due(s, now_ms, limit, cb, arg);
}

ips_status store_notices_notifier_get(struct store *s, const char *org_id,
                                      struct store_notifier *out)
{
    STORE__REQUIRE(s && org_id && out);
    return s->ops->notices->notifier_get(s, org_id, out);
}

ips_status store_notices_notifier_put(struct store *s, const struct store_notifier *n)
{
    STORE__REQUIRE(s && n);
    return s->ops->notices->notifier_put(s, n);
}

ips_status store_notices_notifier_suspension_due(struct store *s, int64_t now_ms, int limit,
                                                 store_notifier_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->notices->notifier_suspension_due(s, now_ms, limit, cb, arg);
}

ips_status store_notices_strike_insert(struct store *s, const struct store_strike *st)
{
    STORE__REQUIRE(s && st);
    return s->ops->notices->strike_insert(s, st);
}

ips_status store_notices_strike_revoke(struct store *s, const char *notice_id,
                                       const char *listing_id, int64_t now_ms)
{
    STORE__REQUIRE(s && notice_id && listing_id);
    return s->ops->notices->strike_revoke(s, notice_id, listing_id, now_ms);
}

ips_status store_notices_strike_list(struct store *s, const char *only_seller, const char *after,
                                     int limit, store_strike_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->notices->strike_list(s, only_seller, after, limit, cb, arg);
}

ips_status store_notices_inbox_insert(struct store *s, const struct store_inbox_msg *m)
{
    STORE__REQUIRE(s && m);
    return s->ops->notices->inbox_insert(s, m);
}

ips_status store_notices_inbox_list(struct store *s, const char *org_id, const char *before,
                                    int limit, store_inbox_cb cb, void *arg)
{
    STORE__REQUIRE(s && org_id && cb);
    return s->ops->notices->inbox_list(s, org_id, before, limit, cb, arg);
}

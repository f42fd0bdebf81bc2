/*
 * store_scanq.c — dispatch of the scanq operations to the backend
 * (contracts: store_scanq.h).
 */
#include "store/store_scanq.h"
#include "store/store_backend.h"
#include "store/store_scanq_backend.h"

ips_status store_scanq_enqueue(struct store *s, const char *listing_id, int64_t version,
                               int64_t now_ms)
{
    STORE__REQUIRE(s && listing_id);
    return s->ops->scanq->enqueue(s, listing_id, version, now_ms);
}

ips_status store_scanq_pending(struct store *s, int64_t after, int limit,
                               store_scanq_event_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    if (limit < 1 || limit > 1000)
        return IPS_ERR_INVALID;
    return s->ops->scanq->pending(s, after, limit, cb, arg);
}

ips_status store_scanq_published(struct store *s, int64_t upto)
{
    STORE__REQUIRE(s);
    return s->ops->scanq->published(s, upto);
}

ips_status store_scanq_has_verdict(struct store *s, const char *listing_id, int64_t version,
                                   bool *has)
{
    STORE__REQUIRE(s && listing_id && has);
    return s->ops->scanq->has_verdict(s, listing_id, version, has);
}

ips_status store_scanq_lock_listing(struct store *s, const char *listing_id)
{
    return store_scanq_lock_listings(s, &listing_id, 1);
}

ips_status store_scanq_lock_listings(struct store *s, const char *const *listing_ids, int n)
{
    STORE__REQUIRE(s && listing_ids && s->in_tx);
    if (n < 1 || n > STORE_SCANQ_LOCK_MAX)
        return IPS_ERR_INVALID;
    for (int i = 0; i < n; i++)
        STORE__REQUIRE(listing_ids[i]);
    if (!s->concurrent || !s->ops->scanq->lock_listings)
        return IPS_OK;
    return s->ops->scanq->lock_listings(s, listing_ids, n);
}

ips_status store_scanq_status(struct store *s, struct store_scanq_status *out)
{
    STORE__REQUIRE(s && out);
    return s->ops->scanq->status(s, out);
}

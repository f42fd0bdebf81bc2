/*
 * pg_scanq.c — the PostgreSQL implementation of store_scanq.h (table
 * scan_outbox of migrations_pg/0016_scan_queue.sql). seq comes from the
 * table's identity sequence: values taken by a rolled-back write leave gaps,
 * and since the writes that enqueue commit one at a time (the backend's
 * exclusive write lock), a row never becomes visible behind a higher seq the
 * publisher already passed. A concurrent transaction (store_tx_run_concurrent,
 * the scan workers') would break that, so it may not enqueue.
 */
#include "store/pg_internal.h"
#include "store/store_scanq_backend.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static const char q_enqueue[] =
    "INSERT INTO scan_outbox (listing_id, version, created_ms) VALUES ($1, $2, $3)";
static const char q_pending[] = "SELECT seq, listing_id, version, created_ms FROM scan_outbox"
                                " WHERE seq > $1 ORDER BY seq LIMIT $2";
static const char q_published[] = "DELETE FROM scan_outbox WHERE seq <= $1";
static const char q_has_verdict[] = "SELECT 1 FROM detection_verdicts"
                                    " WHERE listing_id = $1 AND listing_version = $2 LIMIT 1";
static const char q_status[] =
    "SELECT (SELECT count(*) FROM scan_outbox),"
    " (SELECT count(*) FROM listing_versions),"
    " (SELECT count(*) FROM listing_versions v WHERE NOT EXISTS (SELECT 1 FROM"
    "   detection_verdicts d WHERE d.listing_id = v.listing_id AND d.listing_version = v.version)),"
    " (SELECT count(*) FROM (SELECT 1 FROM detection_verdicts"
    "   GROUP BY listing_id, listing_version, rules_version HAVING count(*) > 1) AS dup)";

struct scanq__key {
    const char *listing_id;
    int64_t version;
    int64_t now_ms;
};

static ips_status bind_key(struct pg__stmt *q, const void *arg)
{
    const struct scanq__key *k = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, k->listing_id)) ||
        (result = pg__bind_int64(q, 2, k->version)))
        return result;
    return k->now_ms ? pg__bind_int64(q, 3, k->now_ms) : IPS_OK;
}

static ips_status scanq_enqueue(struct store *s, const char *listing_id, int64_t version,
                                int64_t now_ms)
{
    struct scanq__key k = {listing_id, version, now_ms > 0 ? now_ms : 1};
    if (store_tx_concurrent(s)) {
        log_error("store: scan_outbox written by a concurrent transaction", "listing_id",
                  listing_id);
        return IPS_ERR_INTERNAL;
    }
    return pg__write(pg__from(s), q_enqueue, bind_key, &k, false);
}

static ips_status decode_event(const struct pg__row *st, void *row)
{
    struct store_scanq_event *e = row;
    e->seq = pg__col_int64(st, 0);
    e->version = pg__col_int64(st, 2);
    e->created_ms = pg__col_int64(st, 3);
    return PG__COL_FIELD(st, 1, e->listing_id);
}

PG__EMIT(emit_event, struct store_scanq_event, store_scanq_event_cb)

struct scanq__page {
    int64_t after;
    int limit;
};

static ips_status bind_page(struct pg__stmt *q, const void *arg)
{
    const struct scanq__page *p = arg;
    ips_status result = pg__bind_int64(q, 1, p->after);
    return result ? result : pg__bind_int64(q, 2, p->limit);
}

static ips_status scanq_pending(struct store *s, int64_t after, int limit, store_scanq_event_cb cb,
                                void *arg)
{
    struct store_scanq_event e;
    struct scanq__page p = {after, limit};
    return pg__list(pg__from(s), q_pending, bind_page, &p, decode_event, &e, sizeof e, emit_event,
                    &(struct emit_event){cb, arg});
}

static ips_status bind_upto(struct pg__stmt *q, const void *arg)
{
    return pg__bind_int64(q, 1, *(const int64_t *)arg);
}

static ips_status scanq_published(struct store *s, int64_t upto)
{
    return pg__write(pg__from(s), q_published, bind_upto, &upto, false);
}

static ips_status decode_one(const struct pg__row *st, void *row)
{
    *(bool *)row = pg__col_int(st, 0) == 1;
    return IPS_OK;
}

static ips_status scanq_has_verdict(struct store *s, const char *listing_id, int64_t version,
                                    bool *has)
{
    struct scanq__key k = {listing_id, version, 0};
    bool tmp = false, found = false;
    ips_status result = pg__get_one(pg__from(s), q_has_verdict, bind_key, &k, decode_one, &tmp,
                                    &found, sizeof found);
    if (result == IPS_ERR_NOT_FOUND) {
        *has = false;
        return IPS_OK;
    }
    if (result == IPS_OK)
        *has = found;
    return result;
}

static ips_status decode_status(const struct pg__row *st, void *row)
{
    struct store_scanq_status *o = row;
    o->outbox = pg__col_int64(st, 0);
    o->versions = pg__col_int64(st, 1);
    o->missing = pg__col_int64(st, 2);
    o->duplicates = pg__col_int64(st, 3);
    return IPS_OK;
}

static ips_status scanq_status(struct store *s, struct store_scanq_status *out)
{
    struct store_scanq_status tmp;
    return pg__get_one(pg__from(s), q_status, NULL, NULL, decode_status, &tmp, out, sizeof tmp);
}

/* $1: a JSON array of listing ids. Each distinct key once, in key order
 * (the subquery's sort feeds the aggregate row by row), so two batches
 * never wait for each other crosswise, even when two ids share a key. */
static const char q_lock_listings[] =
    "SELECT count(pg_advisory_xact_lock(" PG__LISTING_LOCK_CLASS ", k)) FROM"
    " (SELECT DISTINCT hashtext(current_schema() || '/' || j.id) AS k"
    "  FROM jsonb_array_elements_text($1::jsonb) AS j (id) ORDER BY k) AS keys";

static ips_status scanq_lock_listings(struct store *s, const char *const *listing_ids, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_string(listing_ids[i]))) {
            json_decref(a);
            a = NULL;
        }
    }
    char *ids = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    if (!ids)
        return IPS_ERR_NOMEM;
    ips_status result = pg__write(pg__from(s), q_lock_listings, pg__bind_key, ids, false);
    free(ids);
    return result;
}

const struct store_scanq_ops pg__scanq_ops = {
    .enqueue = scanq_enqueue,
    .pending = scanq_pending,
    .published = scanq_published,
    .has_verdict = scanq_has_verdict,
    .status = scanq_status,
    .lock_listings = scanq_lock_listings,
};

/*
 * pg_webhook.c — PostgreSQL implementation of store_webhook.h (tables of
 * migrations_pg/0006_notices.sql). Contracts are in store_webhook.h; the
 * statements are those of sqlite_webhook.c in PostgreSQL's dialect.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_webhook_backend.h"

static const char q_endpoint_put[] =
    "INSERT INTO webhook_endpoints (org_id, url, secret, created_ms, updated_ms, previous_secret,"
    " previous_until_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    " ON CONFLICT (org_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
    " updated_ms = excluded.updated_ms, previous_secret = excluded.previous_secret,"
    " previous_until_ms = excluded.previous_until_ms";
static const char q_endpoint_get[] =
    "SELECT org_id, url, secret, created_ms, updated_ms, previous_secret, previous_until_ms"
    " FROM webhook_endpoints WHERE org_id = $1";

#define DELIVERY_COLS                                                                              \
    "id, org_id, event, body, state, attempts, next_attempt_ms, last_status, last_error, "         \
    "created_ms, updated_ms"

static const char q_delivery_insert[] = "INSERT INTO webhook_deliveries (" DELIVERY_COLS
                                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
static const char q_delivery_update[] =
    "UPDATE webhook_deliveries SET state = $2, attempts = $3, next_attempt_ms = $4,"
    " last_status = $5, last_error = $6, updated_ms = $7 WHERE id = $1";
static const char q_delivery_due[] =
    "SELECT " DELIVERY_COLS " FROM webhook_deliveries WHERE state = 'pending'"
    " AND next_attempt_ms <= $1 ORDER BY next_attempt_ms, id LIMIT $2";
static const char q_delivery_list[] =
    "SELECT " DELIVERY_COLS " FROM webhook_deliveries WHERE ($1::text IS NULL OR org_id = $1)"
    " AND id > $2 ORDER BY id LIMIT $3";
static const char q_attempt_insert[] =
    "INSERT INTO webhook_attempts (delivery_id, n, at_ms, http_status, error, duration_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char q_attempt_list[] =
    "SELECT delivery_id, n, at_ms, http_status, error, duration_ms FROM webhook_attempts"
    " WHERE delivery_id = $1 ORDER BY n";

static ips_status decode_endpoint(const struct pg__row *st, void *row)
{
    struct store_webhook_endpoint *e = row;
    ips_status r;
    if ((r = PG__COL_FIELD(st, 0, e->org_id)) || (r = PG__COL_FIELD(st, 1, e->url)) ||
        (r = PG__COL_FIELD(st, 2, e->secret)))
        return r;
    e->created_ms = pg__col_int64(st, 3);
    e->updated_ms = pg__col_int64(st, 4);
    if ((r = PG__COL_FIELD(st, 5, e->previous_secret)))
        return r;
    e->previous_until_ms = pg__col_int64(st, 6);
    return IPS_OK;
}

static ips_status endpoint_put(struct store *s, const struct store_webhook_endpoint *e)
{
    struct pg__stmt q;
    ips_status r = pg__stmt_sql(pg__from(s), q_endpoint_put, &q);
    if (r || (r = PG__BIND_FIELD(&q, 1, e->org_id)) || (r = PG__BIND_FIELD(&q, 2, e->url)) ||
        (r = PG__BIND_FIELD(&q, 3, e->secret)) || (r = pg__bind_int64(&q, 4, e->created_ms)) ||
        (r = pg__bind_int64(&q, 5, e->updated_ms)) ||
        (r = PG__BIND_FIELD(&q, 6, e->previous_secret)) ||
        (r = pg__bind_int64(&q, 7, e->previous_until_ms)))
        goto out_stmt;
    r = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return r;
}

static ips_status endpoint_get(struct store *s, const char *org_id,
                               struct store_webhook_endpoint *out)
{
    struct store_webhook_endpoint tmp;
    return pg__get_key(pg__from(s), q_endpoint_get, org_id, decode_endpoint, &tmp, out, sizeof tmp);
}

static ips_status decode_delivery(const struct pg__row *st, void *row)
{
    struct store_webhook_delivery *d = row;
    ips_status r;
    if ((r = PG__COL_FIELD(st, 0, d->id)) || (r = PG__COL_FIELD(st, 1, d->org_id)) ||
        (r = PG__COL_FIELD(st, 2, d->event)) || (r = PG__COL_FIELD(st, 3, d->body)) ||
        (r = PG__COL_FIELD(st, 4, d->state)) || (r = PG__COL_FIELD(st, 8, d->last_error)))
        return r;
    d->attempts = pg__col_int64(st, 5);
    d->next_attempt_ms = pg__col_int64(st, 6);
    d->last_status = pg__col_int64(st, 7);
    d->created_ms = pg__col_int64(st, 9);
    d->updated_ms = pg__col_int64(st, 10);
    return IPS_OK;
}

static ips_status delivery_insert(struct store *s, const struct store_webhook_delivery *d)
{
    struct pg__stmt q;
    ips_status r = pg__stmt_sql(pg__from(s), q_delivery_insert, &q);
    if (r || (r = PG__BIND_FIELD(&q, 1, d->id)) || (r = PG__BIND_FIELD(&q, 2, d->org_id)) ||
        (r = PG__BIND_FIELD(&q, 3, d->event)) || (r = PG__BIND_FIELD(&q, 4, d->body)) ||
        (r = PG__BIND_FIELD(&q, 5, d->state)) || (r = pg__bind_int64(&q, 6, d->attempts)) ||
        (r = pg__bind_int64(&q, 7, d->next_attempt_ms)) ||
        (r = pg__bind_int64(&q, 8, d->last_status)) || (r = PG__BIND_FIELD(&q, 9, d->last_error)) ||
        (r = pg__bind_int64(&q, 10, d->created_ms)) || (r = pg__bind_int64(&q, 11, d->updated_ms)))
        goto out_stmt;
    r = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return r;
}

/* pg__bind_fn for q_delivery_update. */
static ips_status bind_delivery_update(struct pg__stmt *q, const void *arg)
{
    const struct store_webhook_delivery *d = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, d->id)) || (r = PG__BIND_FIELD(q, 2, d->state)) ||
        (r = pg__bind_int64(q, 3, d->attempts)) || (r = pg__bind_int64(q, 4, d->next_attempt_ms)) ||
        (r = pg__bind_int64(q, 5, d->last_status)) || (r = PG__BIND_FIELD(q, 6, d->last_error)))
        return r;
    return pg__bind_int64(q, 7, d->updated_ms);
}

static ips_status delivery_update(struct store *s, const struct store_webhook_delivery *d)
{
    return pg__write(pg__from(s), q_delivery_update, bind_delivery_update, d, true);
}

PG__EMIT(emit_delivery, struct store_webhook_delivery, store_webhook_delivery_cb)

static ips_status scan_deliveries(struct pg__stmt *q, store_webhook_delivery_cb cb, void *arg)
{
    /* row NULL: the 64 KiB body goes on the heap, not the stack */
    return pg__each(q, decode_delivery, NULL, sizeof(struct store_webhook_delivery), emit_delivery,
                    &(struct emit_delivery){cb, arg});
}

static ips_status delivery_due(struct store *s, int64_t now_ms, int limit,
                               store_webhook_delivery_cb cb, void *arg)
{
    struct pg__stmt q;
    ips_status r = pg__stmt_sql(pg__from(s), q_delivery_due, &q);
    if (r || (r = pg__bind_int64(&q, 1, now_ms)) ||
        (r = pg__bind_int64(&q, 2, pg__page_limit(limit))))
        goto out_stmt;
    r = scan_deliveries(&q, cb, arg);
out_stmt:
    pg__stmt_put(&q);
    return r;
}

static ips_status delivery_list(struct store *s, const char *only_org, const char *after, int limit,
                                store_webhook_delivery_cb cb, void *arg)
{
    struct pg__stmt q;
    ips_status r = pg__stmt_sql(pg__from(s), q_delivery_list, &q);
    if (r || (r = pg__bind_page(&q, only_org, after, limit)))
        goto out_stmt;
    r = scan_deliveries(&q, cb, arg);
out_stmt:
    pg__stmt_put(&q);
    return r;
}

static ips_status attempt_insert(struct store *s, const struct store_webhook_attempt *a)
{
    struct pg__stmt q;
    ips_status r = pg__stmt_sql(pg__from(s), q_attempt_insert, &q);
    if (r || (r = PG__BIND_FIELD(&q, 1, a->delivery_id)) || (r = pg__bind_int64(&q, 2, a->n)) ||
        (r = pg__bind_int64(&q, 3, a->at_ms)) || (r = pg__bind_int64(&q, 4, a->http_status)) ||
        (r = PG__BIND_FIELD(&q, 5, a->error)) || (r = pg__bind_int64(&q, 6, a->duration_ms)))
        goto out_stmt;
    r = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return r;
}

static ips_status attempt_list(struct store *s, const char *delivery_id,
                               store_webhook_attempt_cb cb, void *arg)
{
    struct pg__stmt q;
    struct store_webhook_attempt a;
    bool row = false;
    ips_status r = pg__stmt_sql(pg__from(s), q_attempt_list, &q);
    if (r || (r = pg__bind_text(&q, 1, delivery_id)))
        goto out_stmt;
    while ((r = pg__step(&q, &row)) == IPS_OK && row) {
        if ((r = PG__COL_FIELD(q.st, 0, a.delivery_id)) || (r = PG__COL_FIELD(q.st, 4, a.error)))
            break;
        a.n = pg__col_int64(q.st, 1);
        a.at_ms = pg__col_int64(q.st, 2);
        a.http_status = pg__col_int64(q.st, 3);
        a.duration_ms = pg__col_int64(q.st, 5);
        if ((r = cb(&a, arg)))
            break;
    }
out_stmt:
    pg__stmt_put(&q);
    return r;
}

const struct store_webhook_ops pg__webhook_ops = {
    .endpoint_put = endpoint_put,
    .endpoint_get = endpoint_get,
    .delivery_insert = delivery_insert,
    .delivery_update = delivery_update,
    .delivery_due = delivery_due,
    .delivery_list = delivery_list,
    .attempt_insert = attempt_insert,
    .attempt_list = attempt_list,
};

/*
 * pg_blob.c — the PostgreSQL implementation of store_blob.h (table blobs of
 * migration 0002_rights.sql; the bytes are a BYTEA column).
 */
#include "store/pg_internal.h"
#include "store/store_blob_backend.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char q_blob_put[] =
    "INSERT INTO blobs (sha256, mime, size, data, created_ms) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (sha256) DO NOTHING";
static const char q_blob_get[] =
    "SELECT sha256, mime, size, created_ms FROM blobs WHERE sha256 = $1";
/* the bytes are sent only when they fit in $2 (the caller's max) */
static const char q_blob_read[] =
    "SELECT octet_length(data), CASE WHEN octet_length(data) <= $2 THEN data END"
    " FROM blobs WHERE sha256 = $1";

/* pg__decode_fn for q_blob_get. */
static ips_status decode_blob(const struct pg__row *st, void *row)
{
    struct store_blob *b = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, b->sha256)) ||
        (result = PG__COL_FIELD(st, 1, b->mime)))
        return result;
    b->size = pg__col_int64(st, 2);
    b->created_ms = pg__col_int64(st, 3);
    return IPS_OK;
}

/* store_blob_put. */
static ips_status blob_put(struct store *s, const struct store_blob *b, const void *data,
                           size_t len, bool *inserted)
{
    struct pg__stmt q;
    int changes = 0;
    ips_status result = pg__stmt_sql(pg__from(s), q_blob_put, &q);
    if (result || (result = PG__BIND_FIELD(&q, 1, b->sha256)) ||
        (result = PG__BIND_FIELD(&q, 2, b->mime)) ||
        (result = pg__bind_int64(&q, 3, b->size)) ||
        (result = pg__bind_blob(&q, 4, data, len)) ||
        (result = pg__bind_int64(&q, 5, b->created_ms)))
        goto out_stmt;
    result = pg__run(&q, &changes);
    if (result == IPS_OK && inserted)
        *inserted = changes > 0;
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* store_blob_get. */
static ips_status blob_get(struct store *s, const char *sha256, struct store_blob *out)
{
    struct pg__stmt q;
    struct store_blob tmp;
    ips_status result = pg__stmt_sql(pg__from(s), q_blob_get, &q);
    if (result || (result = pg__bind_text(&q, 1, sha256)))
        goto out_stmt;
    result = pg__fetch_one(&q, decode_blob, &tmp, out, sizeof tmp);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* store_blob_read: the length is checked against max before allocating (a
 * blob longer than max is not even sent by the server). */
static ips_status blob_read(struct store *s, const char *sha256, size_t max, void **data,
                            size_t *len)
{
    struct pg__stmt q;
    bool row = false;
    void *copy = NULL;
    size_t n = 0;
    ips_status result = pg__stmt_sql(pg__from(s), q_blob_read, &q);
    if (result || (result = pg__bind_text(&q, 1, sha256)) ||
        (result = pg__bind_int64(&q, 2, max > INT64_MAX ? INT64_MAX : (int64_t)max)) ||
        (result = pg__step(&q, &row)))
        goto out_stmt;
    if (!row) {
        result = IPS_ERR_NOT_FOUND;
        goto out_stmt;
    }
    int64_t stored = pg__col_int64(q.st, 0);
    if (stored < 0 || (uint64_t)stored > (uint64_t)max) {
        result = IPS_ERR_TOO_LARGE;
        goto out_stmt;
    }
    copy = malloc(stored > 0 ? (size_t)stored : 1);
    if (!copy) {
        result = IPS_ERR_NOMEM;
        goto out_stmt;
    }
    result = pg__col_blob(q.st, 1, copy, (size_t)stored, &n);
    if (result)
        goto out_copy;
    *data = copy;
    *len = n;
    copy = NULL;
out_copy:
    free(copy);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

const struct store_blob_ops pg__blob_ops = {
    .put = blob_put,
    .get = blob_get,
    .read = blob_read,
};

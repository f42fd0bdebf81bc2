/* pg_ledger.c — PostgreSQL implementation of store_ledger.h (tables of
 * migrations_pg 0004, 0010 and 0011). */
#include "store/pg_internal.h"
#include "store/store_ledger_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_COLS                                                                                   \
    "leaf_index, org_id, work_sha256, pdq, title, created_on, registered_ms, leaf, agent_org_id"
#define CP_COLS "tree_size, root, note, created_ms"

static const char q_rec_insert[] =
    "INSERT INTO ledger_registrations (" REC_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char q_rec_get[] =
    "SELECT " REC_COLS " FROM ledger_registrations WHERE leaf_index = $1";
static const char q_rec_list[] = "SELECT " REC_COLS " FROM ledger_registrations"
                                 " WHERE ($1::text IS NULL OR org_id = $1) AND leaf_index > $2"
                                 " ORDER BY leaf_index LIMIT $3";
/* The partial index ledger_registrations_pdq answers this without the rows
 * that have no PDQ. */
static const char q_pdq_list[] = "SELECT leaf_index, pdq FROM ledger_registrations"
                                 " WHERE pdq IS NOT NULL AND leaf_index > $1"
                                 " ORDER BY leaf_index LIMIT $2";
static const char q_size[] = "SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_registrations";
/* Insert, or extend a partial tile (the trigger refuses anything else). */
static const char q_tile_put[] = "INSERT INTO ledger_tiles (level, idx, hashes) VALUES ($1, $2, $3)"
                                 " ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes";
/* $1: a JSON array of [level, idx] pairs; each row names its 0-based array
 * index (WITH ORDINALITY counts from 1; no ORDER BY: sorting would copy the
 * 16 KB values). */
static const char q_tiles_get[] =
    "SELECT j.ord - 1, t.hashes FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS j (v, ord)"
    " JOIN ledger_tiles AS t ON t.level = (j.v ->> 0)::bigint AND t.idx = (j.v ->> 1)::bigint";
/* The node table of the old layout, looked up through the search path as
 * every statement's tables are (migrations_pg 0004 never creates it: no
 * PostgreSQL database predates the tiles). */
static const char q_legacy_present[] = "SELECT (to_regclass('ledger_nodes') IS NOT NULL)::int";
static const char q_legacy_rows[] = "SELECT count(*) FROM ledger_nodes";
static const char q_cp_insert[] =
    "INSERT INTO ledger_checkpoints (" CP_COLS ") VALUES ($1, $2, $3, $4)";
static const char q_cp_latest[] =
    "SELECT " CP_COLS " FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1";
static const char q_cp_get[] = "SELECT " CP_COLS " FROM ledger_checkpoints WHERE tree_size = $1";

/* ---- binders and decoders ---------------------------------------------------------- */

/* pg__bind_fn: arg is a const int64_t *, bound to $1. */
static ips_status bind_i64(struct pg__stmt *q, const void *arg)
{
    return pg__bind_int64(q, 1, *(const int64_t *)arg);
}

/* A tile to write. */
struct tile_row {
    int level;
    int64_t idx;
    const uint8_t *hashes;
    size_t len;
};

static ips_status bind_tile(struct pg__stmt *q, const void *arg)
{
    const struct tile_row *t = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, t->level)) || (result = pg__bind_int64(q, 2, t->idx)))
        return result;
    return pg__bind_blob(q, 3, t->hashes, t->len);
}

static ips_status bind_record(struct pg__stmt *q, const void *arg)
{
    const struct store_ledger_record *r = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, r->leaf_index)) ||
        (result = PG__BIND_FIELD(q, 2, r->org_id)) ||
        (result = PG__BIND_FIELD(q, 3, r->work_sha256)) ||
        (result = pg__bind_blob(q, 4, r->has_pdq ? r->pdq : NULL, sizeof r->pdq)) ||
        (result = PG__BIND_FIELD(q, 5, r->title)) ||
        (result = PG__BIND_FIELD(q, 6, r->created_on)) ||
        (result = pg__bind_int64(q, 7, r->registered_ms)) ||
        (result = pg__bind_blob(q, 8, r->leaf, r->leaf_len)))
        return result;
    return r->agent_org_id[0] ? PG__BIND_FIELD(q, 9, r->agent_org_id) : pg__bind_null(q, 9);
}

static ips_status bind_checkpoint(struct pg__stmt *q, const void *arg)
{
    const struct store_ledger_checkpoint *c = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, c->tree_size)) || (result = pg__bind_hash(q, 2, c->root)) ||
        (result = PG__BIND_FIELD(q, 3, c->note)))
        return result;
    return pg__bind_int64(q, 4, c->created_ms);
}

static ips_status decode_record(const struct pg__row *st, void *row) /* pg__decode_fn */
{
    struct store_ledger_record *r = row;
    ips_status result;
    size_t pdq_len = 0;
    r->leaf_index = pg__col_int64(st, 0);
    if ((result = PG__COL_FIELD(st, 1, r->org_id)) ||
        (result = PG__COL_FIELD(st, 2, r->work_sha256)) ||
        (result = pg__col_blob(st, 3, r->pdq, sizeof r->pdq, &pdq_len)) ||
        (result = PG__COL_FIELD(st, 4, r->title)) ||
        (result = PG__COL_FIELD(st, 5, r->created_on)) ||
        (result = pg__col_blob(st, 7, r->leaf, sizeof r->leaf, &r->leaf_len)) ||
        (result = PG__COL_FIELD(st, 8, r->agent_org_id)))
        return result;
    r->has_pdq = pdq_len == sizeof r->pdq;
    if (!r->has_pdq)
        memset(r->pdq, 0, sizeof r->pdq);
    r->registered_ms = pg__col_int64(st, 6);
    return IPS_OK;
}

static ips_status decode_checkpoint(const struct pg__row *st, void *row) /* pg__decode_fn */
{
    struct store_ledger_checkpoint *c = row;
    ips_status result;
    c->tree_size = pg__col_int64(st, 0);
    if ((result = pg__col_hash(st, 1, c->root)) || (result = PG__COL_FIELD(st, 2, c->note)))
        return result;
    c->created_ms = pg__col_int64(st, 3);
    return IPS_OK;
}

struct pdq_row {
    int64_t leaf_index;
    uint8_t pdq[STORE_HASH_LEN];
};

static ips_status decode_pdq(const struct pg__row *st, void *row) /* pg__decode_fn */
{
    struct pdq_row *p = row;
    p->leaf_index = pg__col_int64(st, 0);
    return pg__col_hash(st, 1, p->pdq);
}

PG__EMIT(emit_record, struct store_ledger_record, store_ledger_record_cb)

/* The pdq callback takes two arguments, so its adapter is written out. */
struct emit_pdq_ctx {
    store_ledger_pdq_cb cb;
    void *arg;
};

static ips_status emit_pdq(const void *row, void *ctx) /* pg__emit_fn */
{
    const struct pdq_row *p = row;
    const struct emit_pdq_ctx *e = ctx;
    return e->cb(p->leaf_index, p->pdq, e->arg);
}

/* ---- records ----------------------------------------------------------------------- */

static ips_status record_insert(struct store *s, const struct store_ledger_record *r)
{
    return pg__write(pg__from(s), q_rec_insert, bind_record, r, false);
}

static ips_status record_get(struct store *s, int64_t leaf_index, struct store_ledger_record *out)
{
    /* The record is a few KiB: decode into the heap, not the stack. */
    struct store_ledger_record *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return IPS_ERR_NOMEM;
    ips_status result = pg__get_one(pg__from(s), q_rec_get, bind_i64, &leaf_index, decode_record,
                                    tmp, out, sizeof *tmp);
    free(tmp);
    return result;
}

struct rec_page {
    const char *only_org;
    int64_t after;
    int limit;
};

static ips_status bind_rec_page(struct pg__stmt *q, const void *arg)
{
    const struct rec_page *p = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, p->only_org)) || (result = pg__bind_int64(q, 2, p->after)))
        return result;
    return pg__bind_int64(q, 3, pg__page_limit(p->limit));
}

static ips_status record_list(struct store *s, const char *only_org, int64_t after, int limit,
                              store_ledger_record_cb cb, void *arg)
{
    struct rec_page p = {only_org, after, limit};
    return pg__list(pg__from(s), q_rec_list, bind_rec_page, &p, decode_record, NULL,
                    sizeof(struct store_ledger_record), emit_record,
                    &(struct emit_record){cb, arg});
}

static ips_status bind_pdq_page(struct pg__stmt *q, const void *arg)
{
    const struct rec_page *p = arg;
    ips_status result = pg__bind_int64(q, 1, p->after);
    return result ? result : pg__bind_int64(q, 2, pg__page_limit(p->limit));
}

static ips_status pdq_list(struct store *s, int64_t after, int limit, store_ledger_pdq_cb cb,
                           void *arg)
{
    struct rec_page p = {NULL, after, limit};
    struct pdq_row row;
    return pg__list(pg__from(s), q_pdq_list, bind_pdq_page, &p, decode_pdq, &row, sizeof row,
                    emit_pdq, &(struct emit_pdq_ctx){cb, arg});
}

static ips_status size(struct store *s, int64_t *out)
{
    int64_t tmp;
    ips_status result =
        pg__get_one(pg__from(s), q_size, NULL, NULL, pg__decode_int64, &tmp, out, sizeof tmp);
    return result == IPS_ERR_NOT_FOUND ? IPS_ERR_DB : result; /* an aggregate always has a row */
}

/* ---- tree tiles -------------------------------------------------------------------- */

static ips_status tile_put(struct store *s, int level, int64_t idx, const uint8_t *hashes,
                           size_t len)
{
    struct tile_row t = {level, idx, hashes, len};
    return pg__write(pg__from(s), q_tile_put, bind_tile, &t, false);
}

/* A row of q_tiles_get: the hashes are decoded from the result's text form
 * into the row (heap-allocated by pg__list: a full tile is 16 KB). */
struct tile_read {
    int64_t key;
    size_t len;
    uint8_t hashes[STORE_LEDGER_TILE_BYTES];
};

static ips_status decode_tile(const struct pg__row *st, void *row) /* pg__decode_fn */
{
    struct tile_read *t = row;
    t->key = pg__col_int64(st, 0);
    ips_status result = pg__col_blob(st, 1, t->hashes, sizeof t->hashes, &t->len);
    return result == IPS_ERR_TOO_LARGE ? IPS_ERR_DB : result; /* the CHECK bounds it */
}

struct emit_tile_ctx {
    size_t n;
    store_ledger_tile_cb cb;
    void *arg;
};

static ips_status emit_tile(const void *row, void *ctx) /* pg__emit_fn */
{
    const struct tile_read *t = row;
    const struct emit_tile_ctx *e = ctx;
    if (t->key < 0 || (size_t)t->key >= e->n)
        return IPS_ERR_DB;
    return e->cb((size_t)t->key, t->hashes, t->len, e->arg);
}

static ips_status tiles_get(struct store *s, size_t n, const int *levels, const int64_t *idx,
                            store_ledger_tile_cb cb, void *arg)
{
    char text[STORE_LEDGER_TILES_MAX * 28 + 4];
    size_t used = 0;
    text[used++] = '[';
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(text + used, sizeof text - used, "%s[%d,%lld]", i ? "," : "", levels[i],
                         (long long)idx[i]);
        if (k < 0 || (size_t)k >= sizeof text - used)
            return IPS_ERR_TOO_LARGE;
        used += (size_t)k;
    }
    text[used++] = ']';
    text[used] = '\0';
    return pg__list(pg__from(s), q_tiles_get, pg__bind_key, text, decode_tile, NULL,
                    sizeof(struct tile_read), emit_tile, &(struct emit_tile_ctx){n, cb, arg});
}

static ips_status legacy_present(struct store *s, bool *present, int64_t *nodes)
{
    int64_t n = 0, rows = 0, tmp;
    ips_status result = pg__get_one(pg__from(s), q_legacy_present, NULL, NULL, pg__decode_int64,
                                    &tmp, &n, sizeof n);
    /* only prepared while the table exists */
    if (result == IPS_OK && n > 0)
        result = pg__get_one(pg__from(s), q_legacy_rows, NULL, NULL, pg__decode_int64, &tmp, &rows,
                             sizeof rows);
    if (result == IPS_OK) {
        *present = n > 0;
        *nodes = rows;
    }
    return result;
}

static ips_status legacy_drop(struct store *s)
{
    return pg__exec(pg__from(s), "DROP TABLE ledger_nodes", "drop ledger_nodes");
}

/* ---- checkpoints ------------------------------------------------------------------- */

static ips_status checkpoint_insert(struct store *s, const struct store_ledger_checkpoint *c)
{
    return pg__write(pg__from(s), q_cp_insert, bind_checkpoint, c, false);
}

static ips_status checkpoint_latest(struct store *s, struct store_ledger_checkpoint *out)
{
    struct store_ledger_checkpoint tmp;
    return pg__get_one(pg__from(s), q_cp_latest, NULL, NULL, decode_checkpoint, &tmp, out,
                       sizeof tmp);
}

static ips_status checkpoint_get(struct store *s, int64_t tree_size,
                                 struct store_ledger_checkpoint *out)
{
    struct store_ledger_checkpoint tmp;
    return pg__get_one(pg__from(s), q_cp_get, bind_i64, &tree_size, decode_checkpoint, &tmp, out,
                       sizeof tmp);
}

const struct store_ledger_ops pg__ledger_ops = {
    .record_insert = record_insert,
    .record_get = record_get,
    .record_list = record_list,
    .pdq_list = pdq_list,
    .size = size,
    .tile_put = tile_put,
    .tiles_get = tiles_get,
    .legacy_present = legacy_present,
    .legacy_drop = legacy_drop,
    .checkpoint_insert = checkpoint_insert,
    .checkpoint_latest = checkpoint_latest,
    .checkpoint_get = checkpoint_get,
};

/* sqlite_ledger.c — SQLite implementation of store_ledger.h. */
#include "store/sqlite_internal.h"
#include "store/store_ledger_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_COLS "leaf_index, org_id, work_sha256, pdq, title, created_on, registered_ms, leaf"
#define CP_COLS "tree_size, root, note, created_ms"

static const char q_rec_insert[] =
    "INSERT INTO ledger_registrations (" REC_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char q_rec_get[] =
    "SELECT " REC_COLS " FROM ledger_registrations WHERE leaf_index = ?1";
static const char q_rec_list[] = "SELECT " REC_COLS " FROM ledger_registrations"
                                 " WHERE (?1 IS NULL OR org_id = ?1) AND leaf_index > ?2"
                                 " ORDER BY leaf_index LIMIT ?3";
static const char q_size[] =
    "SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_registrations";
static const char q_node_put[] = "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?1, ?2, ?3)";
static const char q_node_get[] = "SELECT hash FROM ledger_nodes WHERE level = ?1 AND idx = ?2";
/* ?1: a JSON array of [level, idx] pairs; rows come back in array order. */
static const char q_nodes_get[] =
    "SELECT j.key, n.hash FROM json_each(?1) AS j JOIN ledger_nodes AS n"
    " ON n.level = j.value ->> 0 AND n.idx = j.value ->> 1 ORDER BY j.key";
static const char q_cp_insert[] =
    "INSERT INTO ledger_checkpoints (" CP_COLS ") VALUES (?1, ?2, ?3, ?4)";
static const char q_cp_latest[] =
    "SELECT " CP_COLS " FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1";
static const char q_cp_get[] = "SELECT " CP_COLS " FROM ledger_checkpoints WHERE tree_size = ?1";

static ips_status decode_record(sqlite3_stmt *st, void *row) /* sqlite__decode_fn */
{
    struct store_ledger_record *r = row;
    ips_status result;
    size_t pdq_len = 0;
    r->leaf_index = sqlite3_column_int64(st, 0);
    if ((result = SQLITE__COL_FIELD(st, 1, r->org_id)) ||
        (result = SQLITE__COL_FIELD(st, 2, r->work_sha256)) ||
        (result = sqlite__col_blob(st, 3, r->pdq, sizeof r->pdq, &pdq_len)) ||
        (result = SQLITE__COL_FIELD(st, 4, r->title)) ||
        (result = SQLITE__COL_FIELD(st, 5, r->created_on)) ||
        (result = sqlite__col_blob(st, 7, r->leaf, sizeof r->leaf, &r->leaf_len)))
        return result;
    r->has_pdq = pdq_len == sizeof r->pdq;
    r->registered_ms = sqlite3_column_int64(st, 6);
    return IPS_OK;
}

static ips_status decode_checkpoint(sqlite3_stmt *st, void *row) /* sqlite__decode_fn */
{
    struct store_ledger_checkpoint *c = row;
    ips_status result;
    c->tree_size = sqlite3_column_int64(st, 0);
    if ((result = sqlite__col_hash(st, 1, c->root)) || (result = SQLITE__COL_FIELD(st, 2, c->note)))
        return result;
    c->created_ms = sqlite3_column_int64(st, 3);
    return IPS_OK;
}

static ips_status record_insert(struct store *s, const struct store_ledger_record *r)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_rec_insert, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, r->leaf_index)) ||
        (result = SQLITE__BIND_FIELD(&q, 2, r->org_id)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, r->work_sha256)) ||
        (result = sqlite__bind_blob(&q, 4, r->has_pdq ? r->pdq : NULL, sizeof r->pdq)) ||
        (result = SQLITE__BIND_FIELD(&q, 5, r->title)) ||
        (result = SQLITE__BIND_FIELD(&q, 6, r->created_on)) ||
        (result = sqlite__bind_int64(&q, 7, r->registered_ms)) ||
        (result = sqlite__bind_blob(&q, 8, r->leaf, r->leaf_len)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status record_get(struct store *s, int64_t leaf_index, struct store_ledger_record *out)
{
    struct sqlite__stmt q;
    struct store_ledger_record *tmp = NULL;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_rec_get, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, leaf_index)))
        goto out_stmt;
    /* The record is a few KiB: decode into the heap, not the stack. */
    if (!(tmp = malloc(sizeof *tmp))) {
        result = IPS_ERR_NOMEM;
        goto out_stmt;
    }
    result = sqlite__fetch_one(&q, decode_record, tmp, out, sizeof *tmp);
out_stmt:
    free(tmp);
    sqlite__stmt_put(&q);
    return result;
}

static ips_status record_list(struct store *s, const char *only_org, int64_t after, int limit,
                              store_ledger_record_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_ledger_record *r = NULL;
    bool row = false;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_rec_list, &q);
    if (result || (result = sqlite__bind_text(&q, 1, only_org)) ||
        (result = sqlite__bind_int64(&q, 2, after)) ||
        (result = sqlite__bind_int64(&q, 3, sqlite__page_limit(limit))))
        goto out_stmt;
    if (!(r = malloc(sizeof *r))) {
        result = IPS_ERR_NOMEM;
        goto out_stmt;
    }
    while ((result = sqlite__step(&q, &row)) == IPS_OK && row) {
        memset(r, 0, sizeof *r);
        if ((result = decode_record(q.st, r)) || (result = cb(r, arg)))
            break;
    }
out_stmt:
    free(r);
    sqlite__stmt_put(&q);
    return result;
}

static ips_status size(struct store *s, int64_t *out)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_size, &q);
    if (result || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row) {
        result = IPS_ERR_DB;
        goto out_stmt;
    }
    *out = sqlite3_column_int64(q.st, 0);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status node_put(struct store *s, int level, int64_t idx,
                           const uint8_t hash[STORE_HASH_LEN])
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_node_put, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, level)) ||
        (result = sqlite__bind_int64(&q, 2, idx)) || (result = sqlite__bind_hash(&q, 3, hash)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status node_get(struct store *s, int level, int64_t idx, uint8_t out[STORE_HASH_LEN])
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_node_get, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, level)) ||
        (result = sqlite__bind_int64(&q, 2, idx)) || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    result = row ? sqlite__col_hash(q.st, 0, out) : IPS_ERR_NOT_FOUND;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status nodes_get(struct store *s, size_t n, const int *levels, const int64_t *idx,
                            uint8_t (*out)[STORE_HASH_LEN])
{
    struct sqlite__stmt q;
    char text[STORE_LEDGER_NODES_MAX * 28 + 4];
    size_t used = 0;
    bool row = false;
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
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_nodes_get, &q);
    if (result || (result = sqlite__bind_text(&q, 1, text)))
        goto out_stmt;
    size_t got = 0;
    while ((result = sqlite__step(&q, &row)) == IPS_OK && row) {
        int64_t key = sqlite3_column_int64(q.st, 0);
        if (key < 0 || (size_t)key >= n || (size_t)key != got) {
            result = IPS_ERR_NOT_FOUND; /* a gap: that node is missing */
            goto out_stmt;
        }
        if ((result = sqlite__col_hash(q.st, 1, out[got])))
            goto out_stmt;
        got++;
    }
    if (result == IPS_OK && got != n)
        result = IPS_ERR_NOT_FOUND;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status checkpoint_insert(struct store *s, const struct store_ledger_checkpoint *c)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_cp_insert, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, c->tree_size)) ||
        (result = sqlite__bind_hash(&q, 2, c->root)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, c->note)) ||
        (result = sqlite__bind_int64(&q, 4, c->created_ms)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status checkpoint_latest(struct store *s, struct store_ledger_checkpoint *out)
{
    struct sqlite__stmt q;
    struct store_ledger_checkpoint tmp;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_cp_latest, &q);
    if (result)
        goto out_stmt;
    result = sqlite__fetch_one(&q, decode_checkpoint, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status checkpoint_get(struct store *s, int64_t tree_size,
                                 struct store_ledger_checkpoint *out)
{
    struct sqlite__stmt q;
    struct store_ledger_checkpoint tmp;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_cp_get, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, tree_size)))
        goto out_stmt;
    result = sqlite__fetch_one(&q, decode_checkpoint, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

const struct store_ledger_ops sqlite__ledger_ops = {
    .record_insert = record_insert,
    .record_get = record_get,
    .record_list = record_list,
    .size = size,
    .node_put = node_put,
    .node_get = node_get,
    .nodes_get = nodes_get,
    .checkpoint_insert = checkpoint_insert,
    .checkpoint_latest = checkpoint_latest,
    .checkpoint_get = checkpoint_get,
};

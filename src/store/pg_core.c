/*
 * pg_core.c — the statement, binding and decoding helpers of the
 * PostgreSQL backend (contracts in pg_internal.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/pg_internal.h"

/* Type OIDs of pg_type.h (stable across PostgreSQL versions). */
#define PG__OID_BYTEA 17
#define PG__OID_INT8 20

/* ---- errors ------------------------------------------------------------------- */

ips_status pg__status(struct pg_store *ps, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(ps->conn);
    if (!state) {
        log_error("postgres error", "sql", what, "error", msg);
        return PQstatus(ps->conn) == CONNECTION_OK ? IPS_ERR_DB : IPS_ERR_IO;
    }
    if (strcmp(state, "23505") == 0)
        return IPS_ERR_CONFLICT;
    if (strcmp(state, "23503") == 0)
        return IPS_ERR_NOT_FOUND;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0) {
        log_warn("postgres busy", "sql", what, "error", msg, "sqlstate", state);
        return IPS_ERR_BUSY;
    }
    if (strcmp(state, "53200") == 0)
        return IPS_ERR_NOMEM;
    log_error("postgres error", "sql", what, "error", msg, "sqlstate", state);
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "53100") == 0 ||
        strncmp(state, "58", 2) == 0)
        return IPS_ERR_IO;
    return IPS_ERR_DB;
}

/* ---- statements ------------------------------------------------------------------- */

/* First slot to probe for the address sql (Fibonacci hashing of the pointer). */
static size_t pg__sql_slot_of(const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> (64 - PG__SQL_CACHE_BITS));
}

ips_status pg__stmt_sql(struct pg_store *ps, const char *sql, struct pg__stmt *out)
{
    memset(out, 0, sizeof *out);
    out->st->row = -1;
    size_t i = pg__sql_slot_of(sql);
    for (size_t probes = 0; probes < PG__SQL_CACHE_SLOTS; probes++) {
        struct pg__sql_slot *c = &ps->sql_cache[i];
        if (!c->sql || c->sql == sql) {
            c->sql = sql;
            out->ps = ps;
            out->sql = sql;
            return IPS_OK;
        }
        i = (i + 1) & (PG__SQL_CACHE_SLOTS - 1);
    }
    log_error("postgres: statement cache full", "hint", "raise PG__SQL_CACHE_BITS", "sql", sql);
    return IPS_ERR_INTERNAL;
}

void pg__stmt_put(struct pg__stmt *q)
{
    if (q->st->res)
        PQclear(q->st->res);
    q->st->res = NULL;
    q->st->row = -1;
}

/* The cache slot of q's text (found by pg__stmt_sql, so present). */
static struct pg__sql_slot *pg__slot(struct pg__stmt *q, size_t *index)
{
    size_t i = pg__sql_slot_of(q->sql);
    while (q->ps->sql_cache[i].sql != q->sql)
        i = (i + 1) & (PG__SQL_CACHE_SLOTS - 1);
    *index = i;
    return &q->ps->sql_cache[i];
}

/* Prepare q's text on the server under its slot's name when this
 * connection has not yet, with the parameter types bound now. */
static ips_status pg__prepare(struct pg__stmt *q, const char *name, struct pg__sql_slot *slot)
{
    if (slot->prepared)
        return IPS_OK;
    PGresult *res = PQprepare(q->ps->conn, name, q->sql, q->nparams, q->types);
    ips_status result = IPS_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        result = pg__status(q->ps, res, q->sql);
    else
        slot->prepared = true;
    PQclear(res);
    return result;
}

/* Run q once: prepare if needed, execute with the bound parameters, keep
 * the result. */
static ips_status pg__execute(struct pg__stmt *q)
{
    size_t index = 0;
    struct pg__sql_slot *slot = pg__slot(q, &index);
    char name[16];
    snprintf(name, sizeof name, "ips%zu", index);
    ips_status result = pg__prepare(q, name, slot);
    if (result)
        return result;
    PGresult *res = PQexecPrepared(q->ps->conn, name, q->nparams, q->values, q->lengths,
                                   q->formats, 0);
    ExecStatusType rs = PQresultStatus(res);
    if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
        result = pg__status(q->ps, res, q->sql);
        PQclear(res);
        return result;
    }
    q->st->res = res;
    q->st->row = -1;
    return IPS_OK;
}

ips_status pg__step(struct pg__stmt *q, bool *row)
{
    if (!q->st->res) {
        ips_status result = pg__execute(q);
        if (result)
            return result;
    }
    if (q->st->row < PQntuples(q->st->res))
        q->st->row++;
    *row = q->st->row < PQntuples(q->st->res);
    return IPS_OK;
}

ips_status pg__run(struct pg__stmt *q, int *changes)
{
    ips_status result = q->st->res ? IPS_OK : pg__execute(q);
    if (result == IPS_OK && changes) {
        const char *n = PQcmdTuples(q->st->res);
        *changes = n && *n ? (int)strtol(n, NULL, 10) : 0;
    }
    return result;
}

ips_status pg__exec(struct pg_store *ps, const char *sql, const char *what)
{
    PGresult *res = PQexec(ps->conn, sql);
    ExecStatusType rs = PQresultStatus(res);
    ips_status result = IPS_OK;
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
        result = pg__status(ps, res, what);
    PQclear(res);
    return result;
}

/* ---- binding ----------------------------------------------------------------------- */

/* Check idx and remember the highest parameter bound. */
static ips_status pg__param(struct pg__stmt *q, int idx)
{
    if (idx < 1 || idx > PG__MAX_PARAMS) {
        log_error("postgres: parameter index out of range", "sql", q->sql);
        return IPS_ERR_INTERNAL;
    }
    if (idx > q->nparams)
        q->nparams = idx;
    return IPS_OK;
}

/* Set parameter idx (checked) to len bytes at v in format fmt, type oid. */
static ips_status pg__set(struct pg__stmt *q, int idx, const char *v, int len, int fmt, Oid oid)
{
    ips_status result = pg__param(q, idx);
    if (result)
        return result;
    q->values[idx - 1] = v;
    q->lengths[idx - 1] = len;
    q->formats[idx - 1] = fmt;
    q->types[idx - 1] = oid;
    return IPS_OK;
}

ips_status pg__bind_text(struct pg__stmt *q, int idx, const char *s)
{
    return pg__set(q, idx, s, 0, 0, 0);
}

ips_status pg__bind_text_max(struct pg__stmt *q, int idx, const char *s, size_t max)
{
    if (strlen(s) > max)
        return IPS_ERR_TOO_LARGE;
    return pg__bind_text(q, idx, s);
}

ips_status pg__bind_field(struct pg__stmt *q, int idx, const char *field, size_t size)
{
    if (strnlen(field, size) == size)
        return IPS_ERR_TOO_LARGE;
    return pg__bind_text(q, idx, field);
}

ips_status pg__bind_int64(struct pg__stmt *q, int idx, int64_t v)
{
    ips_status result = pg__param(q, idx);
    if (result)
        return result;
    snprintf(q->ints[idx - 1], sizeof q->ints[idx - 1], "%lld", (long long)v);
    return pg__set(q, idx, q->ints[idx - 1], 0, 0, PG__OID_INT8);
}

ips_status pg__bind_hash(struct pg__stmt *q, int idx, const uint8_t hash[STORE_HASH_LEN])
{
    return pg__set(q, idx, (const char *)hash, STORE_HASH_LEN, 1, PG__OID_BYTEA);
}

ips_status pg__bind_blob(struct pg__stmt *q, int idx, const void *p, size_t len)
{
    if (len > INT_MAX)
        return IPS_ERR_TOO_LARGE;
    if (!p)
        return pg__set(q, idx, NULL, 0, 1, PG__OID_BYTEA);
    return pg__set(q, idx, p, (int)len, 1, PG__OID_BYTEA);
}

ips_status pg__bind_null(struct pg__stmt *q, int idx) { return pg__set(q, idx, NULL, 0, 0, 0); }

ips_status pg__bind_limit(struct pg__stmt *q, int idx, int64_t limit)
{
    if (limit > 0)
        return pg__bind_int64(q, idx, limit);
    return pg__set(q, idx, NULL, 0, 0, PG__OID_INT8);
}

ips_status pg__bind_page(struct pg__stmt *q, const char *only, const char *after, int limit)
{
    ips_status result;
    if ((result = pg__bind_text(q, 1, only)) ||
        (result = pg__bind_text(q, 2, after ? after : "")) ||
        (result = pg__bind_int64(q, 3, pg__page_limit(limit))))
        return result;
    return IPS_OK;
}

int pg__page_limit(int limit) { return limit > 0 ? limit : STORE_LIST_DEFAULT_LIMIT; }

/* ---- decoding ----------------------------------------------------------------------- */

bool pg__col_is_null(const struct pg__row *st, int col)
{
    return PQgetisnull(st->res, st->row, col) != 0;
}

const char *pg__col_str(const struct pg__row *st, int col)
{
    return pg__col_is_null(st, col) ? NULL : PQgetvalue(st->res, st->row, col);
}

ips_status pg__col_text(const struct pg__row *st, int col, char *dst, size_t cap)
{
    if (cap == 0)
        return IPS_ERR_TOO_LARGE;
    if (pg__col_is_null(st, col)) {
        dst[0] = '\0';
        return IPS_OK;
    }
    size_t n = (size_t)PQgetlength(st->res, st->row, col);
    if (n >= cap)
        return IPS_ERR_TOO_LARGE;
    memcpy(dst, PQgetvalue(st->res, st->row, col), n);
    dst[n] = '\0';
    return IPS_OK;
}

int64_t pg__col_int64(const struct pg__row *st, int col)
{
    const char *v = pg__col_str(st, col);
    if (!v)
        return 0;
    if (strcmp(v, "t") == 0)
        return 1;
    if (strcmp(v, "f") == 0)
        return 0;
    return strtoll(v, NULL, 10);
}

double pg__col_double(const struct pg__row *st, int col)
{
    const char *v = pg__col_str(st, col);
    return v ? strtod(v, NULL) : 0.0;
}

/* Decode the text form of a bytea column ("\x" and hex digits) into dst
 * (room for max bytes). OUT *len. Failure: IPS_ERR_TOO_LARGE; IPS_ERR_DB for
 * a value not in hex form (bytea_output must be 'hex', the default). */
static ips_status pg__col_bytea(const struct pg__row *st, int col, void *dst, size_t max,
                                size_t *len)
{
    const char *v = pg__col_str(st, col);
    if (!v) {
        *len = 0;
        return IPS_OK;
    }
    size_t n = (size_t)PQgetlength(st->res, st->row, col);
    if (n < 2 || v[0] != '\\' || v[1] != 'x' || (n - 2) % 2 != 0) {
        log_error("postgres error", "error", "bytea column not in hex form");
        return IPS_ERR_DB;
    }
    if ((n - 2) / 2 > max)
        return IPS_ERR_TOO_LARGE;
    size_t got = 0;
    if (sodium_hex2bin(dst, max, v + 2, n - 2, NULL, &got, NULL) != 0)
        return IPS_ERR_DB;
    *len = got;
    return IPS_OK;
}

ips_status pg__col_hash(const struct pg__row *st, int col, uint8_t out[STORE_HASH_LEN])
{
    uint8_t h[STORE_HASH_LEN];
    size_t len = 0;
    ips_status result = pg__col_bytea(st, col, h, sizeof h, &len);
    if (result == IPS_OK && len != STORE_HASH_LEN) {
        log_error("postgres error", "error", "stored hash does not have 32 bytes");
        result = IPS_ERR_DB;
    }
    if (result == IPS_ERR_TOO_LARGE)
        result = IPS_ERR_DB;
    if (result == IPS_OK)
        memcpy(out, h, STORE_HASH_LEN);
    return result;
}

ips_status pg__col_blob(const struct pg__row *st, int col, void *dst, size_t max, size_t *len)
{
    return pg__col_bytea(st, col, dst, max, len);
}

ips_status pg__decode_int64(const struct pg__row *st, void *row)
{
    *(int64_t *)row = pg__col_int64(st, 0);
    return IPS_OK;
}

ips_status pg__fetch_one(struct pg__stmt *q, pg__decode_fn decode, void *tmp, void *out,
                         size_t size)
{
    bool row = false;
    ips_status result = pg__step(q, &row);
    if (result)
        return result;
    if (!row)
        return IPS_ERR_NOT_FOUND;
    result = decode(q->st, tmp);
    if (result == IPS_OK)
        memcpy(out, tmp, size);
    return result;
}

/* ---- whole-statement helpers -------------------------------------------------------------- */

ips_status pg__bind_key(struct pg__stmt *q, const void *arg) { return pg__bind_text(q, 1, arg); }

ips_status pg__bind_page_fn(struct pg__stmt *q, const void *arg)
{
    const struct pg__page *p = arg;
    return pg__bind_page(q, p->only, p->after, p->limit);
}

ips_status pg__each(struct pg__stmt *q, pg__decode_fn decode, void *row, size_t row_size,
                    pg__emit_fn emit, void *ctx)
{
    void *heap = NULL;
    bool more = false;
    ips_status result;
    if (!row && !(row = heap = malloc(row_size)))
        return IPS_ERR_NOMEM;
    while ((result = pg__step(q, &more)) == IPS_OK && more) {
        if ((result = decode(q->st, row)) || (result = emit(row, ctx)))
            break;
    }
    free(heap);
    return result;
}

/* Borrow sql and bind it; on failure the statement is already given back. */
static ips_status pg__borrow_bound(struct pg_store *ps, const char *sql, pg__bind_fn bind,
                                   const void *arg, struct pg__stmt *q)
{
    ips_status result = pg__stmt_sql(ps, sql, q);
    if (result == IPS_OK && bind)
        result = bind(q, arg);
    if (result)
        pg__stmt_put(q);
    return result;
}

ips_status pg__get_one(struct pg_store *ps, const char *sql, pg__bind_fn bind, const void *arg,
                       pg__decode_fn decode, void *tmp, void *out, size_t size)
{
    struct pg__stmt q;
    ips_status result = pg__borrow_bound(ps, sql, bind, arg, &q);
    if (result)
        return result;
    result = pg__fetch_one(&q, decode, tmp, out, size);
    pg__stmt_put(&q);
    return result;
}

ips_status pg__write(struct pg_store *ps, const char *sql, pg__bind_fn bind, const void *arg,
                     bool must_change)
{
    struct pg__stmt q;
    int changes = 0;
    ips_status result = pg__borrow_bound(ps, sql, bind, arg, &q);
    if (result)
        return result;
    result = pg__run(&q, &changes);
    if (result == IPS_OK && must_change && changes == 0)
        result = IPS_ERR_NOT_FOUND;
    pg__stmt_put(&q);
    return result;
}

ips_status pg__list(struct pg_store *ps, const char *sql, pg__bind_fn bind, const void *arg,
                    pg__decode_fn decode, void *row, size_t row_size, pg__emit_fn emit,
                    void *ctx)
{
    struct pg__stmt q;
    ips_status result = pg__borrow_bound(ps, sql, bind, arg, &q);
    if (result)
        return result;
    result = pg__each(&q, decode, row, row_size, emit, ctx);
    pg__stmt_put(&q);
    return result;
}

/* ---- full-text search ------------------------------------------------------------------------ */

ips_status pg__fts_strings(const char *fts, pg__fts_string_fn fn, void *ctx)
{
    struct buf term;
    buf_init(&term, PG__FTS_STRING_MAX);
    ips_status result = IPS_OK;
    const char *p = fts;
    while (result == IPS_OK) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        term.len = 0;
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p) {
                    result = IPS_ERR_INVALID; /* an unterminated string */
                    break;
                }
                if (*p == '"' && p[1] != '"')
                    break;
                if (*p == '"')
                    p++;
                if ((result = buf_append(&term, p, 1)))
                    break;
            }
            if (result)
                break;
            p++;
        } else {
            const char *start = p;
            while (*p && *p != ' ' && *p != '"' && *p != '*')
                p++;
            result = buf_append(&term, start, (size_t)(p - start));
        }
        bool prefix = *p == '*';
        p += prefix;
        if (!result && *p && *p != ' ')
            result = IPS_ERR_INVALID; /* e.g. "a"b: not the syntax of catalog_fts_query */
        if (!result)
            result = fn(term.data ? term.data : "", term.len, prefix, ctx);
    }
    buf_release(&term);
    return result;
}

/* The tsquery text pg__fts_tsquery is writing. */
struct pg__tsquery {
    char *out;
    size_t cap, len;
    int terms;
};

/* pg__fts_string_fn: one quoted operand, its quotes and backslashes escaped. */
static ips_status pg__tsquery_string(const char *str, size_t len, bool prefix, void *ctx)
{
    struct pg__tsquery *t = ctx;
    if (len == 0)
        return IPS_ERR_INVALID;
    size_t need = (t->terms ? 3 : 0) + len + 2 + (prefix ? 2 : 0) + 1; /* and NUL */
    for (size_t i = 0; i < len; i++)
        need += str[i] == '\'' || str[i] == '\\';
    if (t->len + need > t->cap)
        return IPS_ERR_TOO_LARGE;
    if (t->terms++) {
        memcpy(t->out + t->len, " & ", 3);
        t->len += 3;
    }
    t->out[t->len++] = '\'';
    for (size_t i = 0; i < len; i++) {
        /* tsquery text escapes a quote or a backslash with a backslash */
        if (str[i] == '\'' || str[i] == '\\')
            t->out[t->len++] = '\\';
        t->out[t->len++] = str[i];
    }
    t->out[t->len++] = '\'';
    if (prefix) {
        memcpy(t->out + t->len, ":*", 2);
        t->len += 2;
    }
    t->out[t->len] = '\0';
    return IPS_OK;
}

ips_status pg__fts_tsquery(const char *fts, char *out, size_t cap)
{
    struct pg__tsquery t = {out, cap, 0, 0};
    ips_status result = pg__fts_strings(fts, pg__tsquery_string, &t);
    return result ? result : t.terms ? IPS_OK : IPS_ERR_INVALID;
}

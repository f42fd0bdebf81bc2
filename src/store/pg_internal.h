/*
 * pg_internal.h — the PostgreSQL backend's private header: the connection
 * struct and the statement, binding and decoding helpers shared by
 * store_postgres.c (lifecycle, migrations, transactions, the foundation
 * tables), pg_core.c (the helpers) and the per-domain files
 * src/store/pg_<domain>.c.
 *
 * The helpers mirror sqlite_internal.h name for name (pg__stmt_sql,
 * pg__get_one, pg__write, pg__list, PG__BIND_FIELD, PG__COL_FIELD,
 * PG__EMIT, ...), so that a domain's two backends read side by side and
 * differ only where the SQL dialects differ. The pattern of every use:
 *
 *     static const char q_work_get[] = "SELECT ... WHERE id = $1";
 *
 *     struct pg__stmt q;
 *     ips_status result = pg__stmt_sql(pg__from(s), q_work_get, &q);
 *     if (result || (result = pg__bind_text(&q, 1, id)))
 *         goto out_stmt;
 *     result = pg__fetch_one(&q, decode_work, &tmp, out, sizeof tmp);
 *     out_stmt:
 *     pg__stmt_put(&q);   // always, also after a failed borrow
 *
 * How a statement runs: the SQL text (constant, with $N parameters) is
 * prepared once per connection, on its first execution, keyed by the
 * ADDRESS of the text; the parameter types of that first execution are
 * given to the server (int64 as int8, blobs as bytea, text and NULL left for
 * the server to infer). Parameters go as text, blobs in binary; results come
 * back as text, whole (PQexecPrepared), so a listing callback may re-enter
 * the store on the same connection. pg__step executes on its first call and
 * walks the rows after.
 *
 * Differences from SQLite that every domain file must respect:
 *   - Integer columns are BIGINT and flags are 0/1 integers (not boolean),
 *     so the SQL of both backends compares them alike; pg__col_int64 also
 *     reads a boolean result ('t'/'f') as 1/0.
 *   - No "LIMIT -1": bind NULL for "no limit" (pg__bind_limit).
 *   - Text compares bytewise: the database must use the C collation
 *     (checked at open), as SQLite's BINARY does.
 *   - An error inside a transaction aborts it; store_tx_run rolls back.
 *
 * Invariants: SQL is constant text; values are only ever bound. A borrowed
 * statement is given back (pg__stmt_put) before the borrowing function
 * returns. The connection belongs to one thread at a time (store.h).
 *
 * Failure: every helper returning ips_status maps the server's SQLSTATE with
 * pg__status and writes OUT parameters only on IPS_OK.
 */
#ifndef IPS_STORE_PG_INTERNAL_H
#define IPS_STORE_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_backend.h"

/* Parameters of one statement at most ($1 .. $PG__MAX_PARAMS). */
#define PG__MAX_PARAMS 40

/* Slots of the per-connection prepared-statement cache, a power of two. */
#define PG__SQL_CACHE_BITS 9
#define PG__SQL_CACHE_SLOTS (1u << PG__SQL_CACHE_BITS)

/* One slot of the prepared-statement cache: empty while sql is NULL. The
 * server-side name of the statement is "ips" followed by the slot number. */
struct pg__sql_slot {
    const char *sql; /* key: the caller's static SQL text, by address */
    bool prepared;   /* prepared on this connection (cleared by a reconnect) */
};

/* One connection. Allocated by store__postgres_open, freed by close. */
struct pg_store {
    struct store base; /* must be first: see store_backend.h */
    PGconn *conn;
    struct pg__sql_slot sql_cache[PG__SQL_CACHE_SLOTS];
    bool audit_locked; /* this transaction holds PG__AUDIT_LOCK_KEY (concurrent ones only) */
};

/*
 * The advisory locks of write transactions (store_postgres.c,
 * docs/internals/store.md "Concurrent write transactions"): two keys each,
 * a constant of this program's own per lock class ("ipsh", "ipsa", "ipsl"
 * in ASCII) and a hash of the schema the store lives in (the first schema
 * of the search path), so that the iprshield schemas of one database do not
 * queue behind one another; keys that hash alike merely share a lock.
 *   WRITE   every write transaction: exclusive for store_tx_run, shared for
 *           store_tx_run_concurrent (so those run together, never beside
 *           one that runs alone);
 *   AUDIT   exclusive, taken by a concurrent transaction before it reads the
 *           audit head, held to its end: the hash chain's order;
 *   LISTING exclusive per listing id (store_scanq_lock_listing).
 * Order, so that no two transactions wait for each other: WRITE first (at
 * BEGIN), LISTING locks next, AUDIT last (audit_flush at the end). A
 * deadlock all the same (two batches locking listings in different orders)
 * is found by the server, answered 40P01, IPS_ERR_BUSY, and retried.
 */
#define PG__WRITE_LOCK_KEY "1768976232, hashtext(current_schema())"
#define PG__AUDIT_LOCK_KEY "1768976225, hashtext(current_schema())"
#define PG__LISTING_LOCK_CLASS "1768976236"

/* The current row of a statement's result. Decoders receive a pointer to
 * one (the counterpart of SQLite's sqlite3_stmt *). */
struct pg__row {
    PGresult *res; /* NULL before execution */
    int row;       /* current row, -1 before the first pg__step */
};

/* A statement borrowed for one call, with its bound parameters and, once
 * run, its result. A zeroed value is "nothing borrowed". `st` is an array of
 * one so that `q.st` is a `struct pg__row *`, as `q.st` of a sqlite__stmt is
 * the statement. */
struct pg__stmt {
    struct pg_store *ps;
    const char *sql; /* the caller's constant text (cache key and log) */
    struct pg__row st[1];
    int nparams; /* highest parameter bound */
    const char *values[PG__MAX_PARAMS];
    int lengths[PG__MAX_PARAMS];
    int formats[PG__MAX_PARAMS];
    Oid types[PG__MAX_PARAMS];
    char ints[PG__MAX_PARAMS][24]; /* text of bound integers */
};

/* The PostgreSQL connection behind a struct store of this backend. */
static inline struct pg_store *pg__from(struct store *s) { return (struct pg_store *)s; }

/* The domain tables of this backend: each pg_<domain>.c defines
 *     const struct store_<domain>_ops pg__<domain>_ops = {...};  */
#define PG__DOMAIN_DECL(domain) extern const struct store_##domain##_ops pg__##domain##_ops;
STORE__DOMAINS(PG__DOMAIN_DECL)

/* ---- errors ------------------------------------------------------------- */

/*
 * Map a failed result (res may be NULL: a connection failure) to an
 * ips_status and log what needs logging; what names the statement.
 * Mapping by SQLSTATE:
 *   23505 unique_violation                      -> IPS_ERR_CONFLICT
 *   23503 foreign_key_violation                 -> IPS_ERR_NOT_FOUND
 *   40001, 40P01, 55P03 (serialization, deadlock,
 *   lock not available)                         -> IPS_ERR_BUSY (warning)
 *   53200 out_of_memory                         -> IPS_ERR_NOMEM
 *   class 08 and a lost connection, 53100 disk
 *   full, class 58 (system error)               -> IPS_ERR_IO
 *   anything else (check, not null, syntax ...) -> IPS_ERR_DB
 */
ips_status pg__status(struct pg_store *ps, const PGresult *res, const char *what);

/* ---- statements ----------------------------------------------------------- */

/* Borrow a statement for sql, a constant with static storage duration
 * holding exactly one SQL statement with $N parameters. Nothing is sent to
 * the server yet. OUT *out: ready for binding; pg__stmt_put(out) is safe in
 * any case. Failure: IPS_ERR_INTERNAL (logged) when the cache is full. */
ips_status pg__stmt_sql(struct pg_store *ps, const char *sql, struct pg__stmt *out);

/* Give a borrowed statement back: free its result. Safe on a zeroed value
 * and twice in a row. */
void pg__stmt_put(struct pg__stmt *q);

/* Execute on the first call, then move to the next row. OUT *row: true
 * while there is a current row. Failure: the mapped status. */
ips_status pg__step(struct pg__stmt *q, bool *row);

/* Execute, ignoring any rows. OUT *changes (may be NULL): rows inserted,
 * updated or deleted. Failure: the mapped status. */
ips_status pg__run(struct pg__stmt *q, int *changes);

/* Run constant SQL text that binds nothing (DDL, a migration file) with
 * the simple query protocol; it may hold several statements. what names it
 * in the log. Failure: the mapped status. */
ips_status pg__exec(struct pg_store *ps, const char *sql, const char *what);

/* ---- binding ($N parameters count from 1) ----------------------------------- */

/* Bind text s (NULL binds SQL NULL). Not copied: it must stay valid until
 * the statement is run, which the borrowing pattern guarantees. */
ips_status pg__bind_text(struct pg__stmt *q, int idx, const char *s);

/* Bind text s, which must not exceed max bytes. Failure: IPS_ERR_TOO_LARGE. */
ips_status pg__bind_text_max(struct pg__stmt *q, int idx, const char *s, size_t max);

/* Bind a fixed-size record field of size bytes, which must hold a NUL.
 * Failure: IPS_ERR_TOO_LARGE for an unterminated field. */
ips_status pg__bind_field(struct pg__stmt *q, int idx, const char *field, size_t size);
#define PG__BIND_FIELD(q, idx, field) pg__bind_field((q), (idx), (field), sizeof(field))

ips_status pg__bind_int64(struct pg__stmt *q, int idx, int64_t v);

/* Bind a STORE_HASH_LEN-byte digest as bytea (not copied). */
ips_status pg__bind_hash(struct pg__stmt *q, int idx, const uint8_t hash[STORE_HASH_LEN]);

/* Bind len bytes at p as bytea (not copied; p NULL binds SQL NULL).
 * Failure: IPS_ERR_TOO_LARGE when len exceeds INT_MAX. */
ips_status pg__bind_blob(struct pg__stmt *q, int idx, const void *p, size_t len);

ips_status pg__bind_null(struct pg__stmt *q, int idx);

/* Bind a LIMIT: limit > 0 as itself, anything else as NULL (no limit). */
ips_status pg__bind_limit(struct pg__stmt *q, int idx, int64_t limit);

/* Bind $1 the filter (NULL = none, for "($1::text IS NULL OR col = $1)"),
 * $2 the cursor (NULL or "" = from the start, for "id > $2"), $3 the page
 * size (pg__page_limit of limit, for "LIMIT $3"). */
ips_status pg__bind_page(struct pg__stmt *q, const char *only, const char *after, int limit);

/* Listing page size: limit, or STORE_LIST_DEFAULT_LIMIT when limit <= 0. */
int pg__page_limit(int limit);

/* ---- decoding (columns count from 0) ------------------------------------------ */

/* Copy text column col into dst[cap] with its NUL. SQL NULL reads as "".
 * Failure: IPS_ERR_TOO_LARGE when it does not fit (dst untouched). */
ips_status pg__col_text(const struct pg__row *st, int col, char *dst, size_t cap);
#define PG__COL_FIELD(st, col, field) pg__col_text((st), (col), (field), sizeof(field))

/* The integer in column col: 0 for SQL NULL; a boolean reads as 1/0 and a
 * numeric with a fraction is truncated. */
int64_t pg__col_int64(const struct pg__row *st, int col);
static inline int pg__col_int(const struct pg__row *st, int col)
{
    return (int)pg__col_int64(st, col);
}
double pg__col_double(const struct pg__row *st, int col);
bool pg__col_is_null(const struct pg__row *st, int col);

/* The text of column col, valid until the statement is given back; NULL for
 * SQL NULL. */
const char *pg__col_str(const struct pg__row *st, int col);

/* Copy a STORE_HASH_LEN-byte bytea column. Failure: IPS_ERR_DB (logged) when
 * the stored value has another length. */
ips_status pg__col_hash(const struct pg__row *st, int col, uint8_t out[STORE_HASH_LEN]);

/* Copy bytea column col into dst (room for max bytes); SQL NULL reads as
 * length 0. OUT *len. Failure: IPS_ERR_TOO_LARGE (dst untouched). */
ips_status pg__col_blob(const struct pg__row *st, int col, void *dst, size_t max, size_t *len);

/* Row decoder: fill *row from the current row of a SELECT whose columns are
 * in the decoder's order. */
typedef ips_status (*pg__decode_fn)(const struct pg__row *st, void *row);

/* pg__decode_fn: column 0 as an int64_t (row is an int64_t *); for counts,
 * flags and single numbers. */
ips_status pg__decode_int64(const struct pg__row *st, void *row);

/* Step once and decode the first row into tmp, then copy size bytes to out
 * (written only on success). Failure: IPS_ERR_NOT_FOUND when there is no row. */
ips_status pg__fetch_one(struct pg__stmt *q, pg__decode_fn decode, void *tmp, void *out,
                         size_t size);

/* ---- whole-statement helpers (as in sqlite_internal.h) ------------------------------ */

typedef ips_status (*pg__bind_fn)(struct pg__stmt *q, const void *arg);

/* pg__bind_fn binding arg, a string (or NULL), as text to $1. */
ips_status pg__bind_key(struct pg__stmt *q, const void *arg);

struct pg__page {
    const char *only;
    const char *after;
    int limit;
};

/* pg__bind_fn binding a const struct pg__page * with pg__bind_page. */
ips_status pg__bind_page_fn(struct pg__stmt *q, const void *arg);

typedef ips_status (*pg__emit_fn)(const void *row, void *ctx);

/* As SQLITE__EMIT: a typed adapter `name` and its context struct. */
#define PG__EMIT(name, type, cb_type)                                                       \
    struct name {                                                                            \
        cb_type cb;                                                                          \
        void *arg;                                                                           \
    };                                                                                       \
    static ips_status name(const void *row, void *ctx)                                       \
    {                                                                                        \
        const struct name *e = ctx;                                                          \
        return e->cb((const type *)row, e->arg);                                             \
    }

/* Step to the end: decode each row into row (NULL: a heap buffer of
 * row_size bytes), then emit(row, ctx); stop at the first non-OK status. */
ips_status pg__each(struct pg__stmt *q, pg__decode_fn decode, void *row, size_t row_size,
                    pg__emit_fn emit, void *ctx);

/* Borrow sql, bind (may be NULL) with arg, then fetch / run / list; the
 * statement is given back on every path. Statuses as in sqlite_internal.h:
 * pg__write with must_change answers IPS_ERR_NOT_FOUND when no row changed. */
ips_status pg__get_one(struct pg_store *ps, const char *sql, pg__bind_fn bind, const void *arg,
                       pg__decode_fn decode, void *tmp, void *out, size_t size);
ips_status pg__write(struct pg_store *ps, const char *sql, pg__bind_fn bind, const void *arg,
                     bool must_change);
ips_status pg__list(struct pg_store *ps, const char *sql, pg__bind_fn bind, const void *arg,
                    pg__decode_fn decode, void *row, size_t row_size, pg__emit_fn emit,
                    void *ctx);

/* ---- full-text search ---------------------------------------------------------------------- */

/* Room for the tsquery text pg__fts_tsquery builds from a search query
 * (catalog_fts_query output, at most CATALOG_FTS_MAX bytes). */
#define PG__TSQUERY_MAX 2048

/* Room for one string of a search query (pg__fts_strings). */
#define PG__FTS_STRING_MAX ((size_t)1024 * 1024)

/* One string of a search query: its text (inner quotes undoubled; not
 * NUL-terminated), and whether a '*' (prefix match) follows it. */
typedef ips_status (*pg__fts_string_fn)(const char *str, size_t len, bool prefix, void *ctx);

/*
 * Read an FTS5 query of the shape catalog_fts_query builds (strings in
 * double quotes with inner quotes doubled, each optionally followed by '*',
 * separated by spaces; a bare word counts as a string) and hand fn each
 * string in order; fn's failure stops the walk and is returned.
 * Failure: IPS_ERR_INVALID for other syntax (an unterminated string, text
 * joined to a closing quote).
 */
ips_status pg__fts_strings(const char *fts, pg__fts_string_fn fn, void *ctx);

/*
 * Turn an FTS5 query of the shape catalog_fts_query builds (strings "..."
 * with inner quotes doubled, each optionally followed by '*', separated by
 * spaces) into tsquery text for to_tsquery('simple', $N): each string one
 * quoted operand (the server's parser splits it into words matched as a
 * phrase, as FTS5 does; a string without words drops out of the query, as
 * in FTS5), '*' a prefix match (:*, on every word of the phrase), operands
 * ANDed. The text is bound as a parameter, never pasted into SQL.
 * OUT out[cap]. Failure: IPS_ERR_INVALID for another shape (pg__fts_strings),
 * an empty string or no string;
 * IPS_ERR_TOO_LARGE when out is too small.
 */
ips_status pg__fts_tsquery(const char *fts, char *out, size_t cap);

/* The common lookup: pg__get_one with key bound as text to $1. */
static inline ips_status pg__get_key(struct pg_store *ps, const char *sql, const char *key,
                                     pg__decode_fn decode, void *tmp, void *out, size_t size)
{
    return pg__get_one(ps, sql, pg__bind_key, key, decode, tmp, out, size);
}

#endif

/*
 * sqlite_internal.h — the SQLite backend's private header (as btreeInt.h is
 * to btree.h): the connection struct and the statement, binding and
 * decoding helpers shared by store_sqlite.c (lifecycle, migrations,
 * transactions, the foundation tables) and the per-domain files
 * src/store/sqlite_<domain>.c.
 *
 * Included ONLY by src/store/store_sqlite.c and src/store/sqlite_*.c. Other
 * store files see a struct store and store_backend.h; the rest of the
 * program sees store.h and store_<domain>.h.
 *
 * How a backend function uses a statement (every use, no exceptions):
 *
 *     static const char q_work_get[] = "SELECT ... WHERE id = ?1";
 *
 *     struct sqlite__stmt q;
 *     ips_status result = sqlite__stmt_sql(sqlite__from(s), q_work_get, &q);
 *     if (result || (result = sqlite__bind_text(&q, 1, id)))
 *         goto out_stmt;
 *     result = sqlite__fetch_one(&q, decode_work, &tmp, out, sizeof tmp);
 *     out_stmt:
 *     sqlite__stmt_put(&q);   // always, also after a failed borrow
 *
 * Invariants:
 *   - SQL is constant text with ?N parameters; values are only ever bound,
 *     never pasted into SQL.
 *   - A borrowed statement is given back (sqlite__stmt_put) before the
 *     borrowing function returns, so no statement holds a read transaction
 *     open between store calls and bound pointers (SQLITE_STATIC) stay valid
 *     for as long as SQLite may read them.
 *   - The connection belongs to one thread at a time (store.h), so nothing
 *     here locks.
 *
 * Failure: every helper returning ips_status maps SQLite result codes with
 * sqlite__status (see there) and writes OUT parameters only on IPS_OK.
 */
#ifndef IPS_STORE_SQLITE_INTERNAL_H
#define IPS_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_backend.h"

/* Room for store_sqlite.c's own enum-indexed statements (its SQLITE__QUERIES
 * list; a _Static_assert there keeps the list within this bound). Domains do
 * not use it: they borrow with sqlite__stmt_sql. */
#define SQLITE__CORE_STMT_MAX 64

/* How long a connection waits for a lock held by another one: SQLite's busy
 * timeout, and the in-process writer lock of sqlite_durable.c. */
#define SQLITE__BUSY_TIMEOUT_MS 5000

/* Slots of the per-connection cache of sqlite__stmt_sql, a power of two.
 * 512 is several times the statements the whole program is expected to have;
 * when it is full, statements are prepared per use instead (slower, not
 * wrong). */
#define SQLITE__SQL_CACHE_BITS 9
#define SQLITE__SQL_CACHE_SLOTS (1u << SQLITE__SQL_CACHE_BITS)

/* One slot of the SQL-pointer cache: empty while sql is NULL. Slots are
 * never emptied before close, so linear probing needs no tombstones. */
struct sqlite__sql_slot {
    const char *sql;  /* key: the caller's static SQL text, by address */
    sqlite3_stmt *st; /* prepared with SQLITE_PREPARE_PERSISTENT */
    bool verdicts;    /* the text names a detection_verdict* table (sqlite__verdicts_flush) */
};

struct store_detection;

/* One connection. Allocated by store__sqlite_open, freed by close. */
struct sqlite_store {
    struct store base; /* must be first: see store_backend.h */
    sqlite3 *db;
    sqlite3_stmt *core[SQLITE__CORE_STMT_MAX]; /* store_sqlite.c's queries, lazily prepared */
    struct sqlite__sql_slot sql_cache[SQLITE__SQL_CACHE_SLOTS]; /* sqlite__stmt_sql */
    bool sql_cache_full_logged; /* the "cache full" warning is logged once per connection */
    struct sqlite__durable *durable; /* group commit of a WAL file (sqlite_durable.c), or NULL */
    bool sync_failed;    /* the wal hook's barrier failed; reported by the next sqlite__status */
    bool writer_held;    /* this connection holds durable's writer lock (inside store_tx_run) */
    bool sync_pending;   /* a commit under the writer lock awaits the barrier */
    int wal_pages;       /* WAL size reported by that commit, for the checkpoint */
    /* catalog bulk import (sqlite_catalog.c, bulk_defer): listings_fts is
     * filled for the versions with vrow > fts_after at bulk_index, not per row */
    bool fts_deferred;
    int64_t fts_after;
    /* PRAGMA foreign_keys is OFF (store_tx_run_bulk, store_sqlite.c) */
    bool refs_unchecked;
    /* allow verdicts of a bulk transaction not inserted yet, written 32 to a
     * statement (sqlite_detections.c); every statement that names a
     * detection_verdict* table, and COMMIT, writes them first */
    struct store_detection *vbuf; /* SQLITE__VBUF_ROWS, allocated at first use */
    int vbuf_n;
    bool vbuf_flushing;
};

#define SQLITE__VBUF_ROWS 32

/* Insert the verdicts ss holds back (nothing when none). Failure: as the
 * INSERT's; the rows are dropped either way (the transaction fails). */
ips_status sqlite__verdicts_flush(struct sqlite_store *ss);

/* A statement borrowed for one call: from a cache, or a private copy
 * (owned, finalized when given back) when the cached one is still running
 * or cannot be cached. A zeroed value is "nothing borrowed". */
struct sqlite__stmt {
    struct sqlite_store *ss;
    sqlite3_stmt *st;
    const char *sql; /* for log lines */
    bool owned;
};

/* The SQLite connection behind a struct store of this backend. */
static inline struct sqlite_store *sqlite__from(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* The domain tables of this backend, one per X(<domain>) line of
 * STORE__DOMAINS: each sqlite_<domain>.c defines
 *     const struct store_<domain>_ops sqlite__<domain>_ops = {...};  */
#define SQLITE__DOMAIN_DECL(domain) extern const struct store_##domain##_ops sqlite__##domain##_ops;
STORE__DOMAINS(SQLITE__DOMAIN_DECL)

/* ---- errors ------------------------------------------------------------- */

/*
 * Map a SQLite result code to an ips_status and log what needs logging.
 * what names the statement (its SQL or a migration file). Must be called
 * before the statement is reset, while sqlite3_errmsg still describes this
 * failure. Mapping (extended result codes are enabled):
 *   UNIQUE / PRIMARY KEY / ROWID constraint -> IPS_ERR_CONFLICT
 *   FOREIGN KEY constraint                  -> IPS_ERR_NOT_FOUND (the row referred to is missing)
 *   BUSY, LOCKED                            -> IPS_ERR_BUSY (logged as a warning)
 *   NOMEM                                   -> IPS_ERR_NOMEM
 *   IOERR (any extended), and any failure
 *   while sync_failed is set (the durability
 *   barrier's fdatasync failed)             -> IPS_ERR_IO (one "sqlite error" line)
 *   anything else (CHECK, NOT NULL, ...)    -> IPS_ERR_DB (one "sqlite error" line)
 * A domain needing another mapping (a CHECK that means IPS_ERR_INVALID, say)
 * tests the condition itself before running the statement.
 */
ips_status sqlite__status(struct sqlite_store *ss, int rc, const char *what);

/* ---- durability (sqlite_durable.c) ----------------------------------------- */

/*
 * Make every commit on ss durable before the committing statement returns,
 * by group commit: register the wal hook that runs the shared fdatasync
 * barrier of ss's database file (see sqlite_durable.c). Call once, right
 * after the connection is in WAL mode with synchronous=NORMAL.
 * Failure: IPS_ERR_NOMEM; IPS_ERR_INTERNAL (logged) when the database has no
 * file name. On failure nothing is registered.
 */
ips_status sqlite__durable_attach(struct sqlite_store *ss);

/* Undo sqlite__durable_attach after sqlite3_close (no commit can run any
 * more). Safe when never attached. */
void sqlite__durable_detach(struct sqlite_store *ss);

/*
 * Take the in-process writer lock of ss's file before BEGIN IMMEDIATE (a
 * no-op without group commit). While it is held, a commit's barrier is
 * deferred to sqlite__durable_writer_unlock, so that no writer waits for
 * an fdatasync while others wait for it.
 * Failure: IPS_ERR_BUSY (logged) after SQLITE__BUSY_TIMEOUT_MS, or at once
 * when this thread already holds it through another connection.
 */
ips_status sqlite__durable_writer_lock(struct sqlite_store *ss);

/*
 * Release the writer lock if this connection holds it, then run the barrier
 * (and the automatic checkpoint) of a commit made under it. Safe to call
 * twice. Result: IPS_OK, or IPS_ERR_IO (logged) when the barrier failed:
 * the commit is done but not known to be durable.
 */
ips_status sqlite__durable_writer_unlock(struct sqlite_store *ss);

/*
 * sqlite__durable_writer_unlock without the barrier: release the writer
 * lock and, for a commit made under it, OUT *ticket its number for
 * sqlite__durable_synced (0: nothing was committed), seeing to the
 * checkpoint as the barrier would. The commit is done but not durable yet.
 */
void sqlite__durable_writer_unlock_unsynced(struct sqlite_store *ss, uint64_t *ticket);

/*
 * Wait until commit number ticket of ss's file (see above) is durable,
 * running the fdatasync if no other thread does; 0 returns at once. Reads
 * only ss->durable, so it may run while another thread uses ss.
 * Failure: IPS_ERR_IO (logged) when the sync failed.
 */
ips_status sqlite__durable_synced(struct sqlite_store *ss, uint64_t ticket);

/* store_ops.tx_grouped: group transactions of the connections of one WAL
 * database file (sqlite_durable.c; store.h, store_tx_run_grouped). */
ips_status sqlite__durable_tx_grouped(struct store *s, store_tx_fn fn, void *arg);

/* Requests of ss's database file waiting for a group to run them (not the
 * ones a running group holds); 0 without group commit. For tests. */
size_t sqlite__durable_queued(struct sqlite_store *ss);

/* Checkpoints the checkpointer thread of ss's database file has run so far
 * (the commits that pass SQLITE__WAL_CHECKPOINT_PAGES ask it for one); 0
 * without group commit. For tests. */
uint64_t sqlite__durable_checkpoints(struct sqlite_store *ss);

/* ---- the WAL write shim (sqlite_vfs.c) ------------------------------------- */

/* The VFS every connection of this backend opens its file with. */
#define SQLITE__WAL_VFS "iprshield-wal"

/*
 * Register the shim over SQLite's default VFS on first call (thread-safe)
 * and return its name for sqlite3_open_v2, or NULL when it could not be
 * registered (the caller then opens with the default VFS: correct, one
 * write per frame half).
 */
const char *sqlite__vfs_name(void);

/*
 * Write out whatever db's WAL file (schema "main") still holds pending;
 * a no-op for a connection not opened through the shim or not in WAL mode.
 * After a commit nothing should be pending (sqlite_vfs.c writes a commit's
 * frames out with its commit frame): OUT *had_pending says whether there
 * was. Returns an SQLite result code (the failed write's).
 */
int sqlite__vfs_wal_flush(sqlite3 *db, bool *had_pending);

/* write() calls the shim has made to WAL files in this process, for tests. */
uint64_t sqlite__vfs_wal_writes(void);

/* ---- statements ----------------------------------------------------------- */

/*
 * Borrow a prepared statement for sql, which MUST be a constant with static
 * storage duration and exactly one SQL statement (declare it as
 * `static const char q_name[] = "...";`): the statement is cached per
 * connection keyed by the ADDRESS of sql, prepared on first use and
 * finalized by close. When the cached statement is still running (a listing
 * callback re-entered the store with the same query) the call gets a private
 * copy instead; when the cache is full, an uncached statement (both are
 * finalized by sqlite__stmt_put).
 * OUT *out: the borrowed statement on IPS_OK, zeroed otherwise; in both cases
 * sqlite__stmt_put(out) is safe.
 * Failure: the mapped status of sqlite3_prepare_v3 (logged); IPS_ERR_INTERNAL
 * (logged) when sql holds no statement or more than one, or when the address
 * is cached with other text (sql was not a constant).
 */
ips_status sqlite__stmt_sql(struct sqlite_store *ss, const char *sql, struct sqlite__stmt *out);

/* Give a borrowed statement back: reset and unbind a cached one (ending any
 * read it holds open), finalize an owned one. Safe on a zeroed value and
 * twice in a row. */
void sqlite__stmt_put(struct sqlite__stmt *q);

/* Step once. OUT *row: true for SQLITE_ROW, false for SQLITE_DONE.
 * Failure: the mapped status. */
ips_status sqlite__step(struct sqlite__stmt *q, bool *row);

/* Run a statement to completion, ignoring any rows (INSERT, UPDATE, DELETE).
 * OUT *changes (may be NULL): rows changed. Failure: the mapped status. */
ips_status sqlite__run(struct sqlite__stmt *q, int *changes);

/* Run constant SQL text that binds nothing (pragmas, DDL, SAVEPOINT, a
 * migration file) with sqlite3_exec; it may hold several statements. what
 * names it in the log. Not cached: for statements run once or rarely.
 * Failure: the mapped status. */
ips_status sqlite__exec(struct sqlite_store *ss, const char *sql, const char *what);

/* ---- binding (?N parameters count from 1) ------------------------------------ */

/* Map the result code of a sqlite3_bind_* call made directly (for a type
 * without a helper below). */
ips_status sqlite__bind_rc(struct sqlite__stmt *q, int rc);

/* Bind text s (NULL binds SQL NULL). Not copied: the text must stay valid
 * until sqlite__stmt_put, which the borrowing pattern guarantees. */
ips_status sqlite__bind_text(struct sqlite__stmt *q, int idx, const char *s);

/* Bind text s, which must not exceed max bytes (its NUL excluded).
 * Failure: IPS_ERR_TOO_LARGE. */
ips_status sqlite__bind_text_max(struct sqlite__stmt *q, int idx, const char *s, size_t max);

/* Bind a fixed-size record field of size bytes, which must hold a NUL.
 * Failure: IPS_ERR_TOO_LARGE for an unterminated field. */
ips_status sqlite__bind_field(struct sqlite__stmt *q, int idx, const char *field, size_t size);
#define SQLITE__BIND_FIELD(q, idx, field) sqlite__bind_field((q), (idx), (field), sizeof(field))

ips_status sqlite__bind_int64(struct sqlite__stmt *q, int idx, int64_t v);

/* Bind a STORE_HASH_LEN-byte digest as a blob (not copied). */
ips_status sqlite__bind_hash(struct sqlite__stmt *q, int idx, const uint8_t hash[STORE_HASH_LEN]);

/* Bind len bytes at p as a blob (not copied; p NULL binds SQL NULL, len 0
 * with p non-NULL an empty blob). Failure: IPS_ERR_TOO_LARGE when len
 * exceeds INT_MAX. */
ips_status sqlite__bind_blob(struct sqlite__stmt *q, int idx, const void *p, size_t len);

ips_status sqlite__bind_null(struct sqlite__stmt *q, int idx);

/*
 * Bind the three parameters every id-cursor listing shares: ?1 the filter
 * (NULL = none, for "(?1 IS NULL OR col = ?1)"), ?2 the cursor (NULL or "" =
 * from the start, for "id > ?2"), ?3 the page size (sqlite__page_limit of
 * limit, for "LIMIT ?3").
 */
ips_status sqlite__bind_page(struct sqlite__stmt *q, const char *only, const char *after,
                             int limit);

/* Listing page size: limit, or STORE_LIST_DEFAULT_LIMIT when limit <= 0. */
int sqlite__page_limit(int limit);

/* ---- decoding (columns count from 0) ------------------------------------------ */

/* Copy text column col into dst[cap] with its NUL. SQL NULL reads as "".
 * Failure: IPS_ERR_TOO_LARGE when it does not fit (dst untouched),
 * IPS_ERR_NOMEM. */
ips_status sqlite__col_text(sqlite3_stmt *st, int col, char *dst, size_t cap);
#define SQLITE__COL_FIELD(st, col, field) sqlite__col_text((st), (col), (field), sizeof(field))

/* Copy a STORE_HASH_LEN-byte blob column. Failure: IPS_ERR_DB (logged) when
 * the stored value has another length. */
ips_status sqlite__col_hash(sqlite3_stmt *st, int col, uint8_t out[STORE_HASH_LEN]);

/* Copy blob column col into dst, which has room for max bytes. SQL NULL and
 * an empty blob read as length 0. OUT *len: the bytes copied.
 * Failure: IPS_ERR_TOO_LARGE when the value is longer than max (dst and
 * *len untouched), IPS_ERR_NOMEM. */
ips_status sqlite__col_blob(sqlite3_stmt *st, int col, void *dst, size_t max, size_t *len);

/* Row decoder: fill *row from the current row of a SELECT whose columns are
 * in the decoder's order. Failure: as the sqlite__col_* helpers. */
typedef ips_status (*sqlite__decode_fn)(sqlite3_stmt *st, void *row);

/* sqlite__decode_fn: column 0 as an int64_t (row is an int64_t *); for counts,
 * flags and single numbers. */
ips_status sqlite__decode_int64(sqlite3_stmt *st, void *row);

/*
 * Step a bound SELECT once and decode its first row into tmp (size bytes of
 * scratch), then copy it to out — so out is written only on success.
 * Failure: IPS_ERR_NOT_FOUND when there is no row; decode or step failures.
 */
ips_status sqlite__fetch_one(struct sqlite__stmt *q, sqlite__decode_fn decode, void *tmp,
                             void *out, size_t size);

/* ---- whole-statement helpers ------------------------------------------------------ */
/*
 * The three shapes every record type repeats — look one row up, write and
 * count, list rows into a callback — written once. Each takes a binder
 * (a sqlite__bind_fn and its argument; NULL binds nothing), so the SQL, the
 * parameters and the statuses stay exactly those of the hand-written form:
 * borrow, bind, run, always give back.
 *
 * Two ways in: the sqlite__<verb> forms borrow sql themselves
 * (sqlite__stmt_sql); the sqlite__stmt_<verb> forms CONSUME a statement the
 * caller has just borrowed another way (store_sqlite.c's enum cache), taking
 * the borrow's status as `borrowed`:
 *
 *     struct sqlite__stmt q;
 *     return sqlite__stmt_fetch(&q, sqlite__stmt_get(ss, SQLITE__Q_X, &q), ...);
 *
 * They call sqlite__stmt_put(q) on every path, so q must not be used after.
 */

/* Bind the parameters of a statement from arg (the caller's record or a
 * small struct of values). Failure: the first failing bind's status. */
typedef ips_status (*sqlite__bind_fn)(struct sqlite__stmt *q, const void *arg);

/* sqlite__bind_fn binding arg, a NUL-terminated string (or NULL for SQL
 * NULL), as text to ?1: the key of most lookups and deletes. */
ips_status sqlite__bind_key(struct sqlite__stmt *q, const void *arg);

/* The arguments of sqlite__bind_page, for sqlite__bind_page_fn. */
struct sqlite__page {
    const char *only;
    const char *after;
    int limit;
};

/* sqlite__bind_fn binding arg, a const struct sqlite__page *, with
 * sqlite__bind_page (?1 filter, ?2 cursor, ?3 page size). */
ips_status sqlite__bind_page_fn(struct sqlite__stmt *q, const void *arg);

/*
 * Hand one decoded row to a listing's typed callback. The listing defines
 * an adapter per record type with SQLITE__EMIT, so the callback is called
 * through its own type (never through a cast function pointer).
 */
typedef ips_status (*sqlite__emit_fn)(const void *row, void *ctx);

/*
 * Define `static ips_status name(const void *row, void *ctx)`, an
 * sqlite__emit_fn, and `struct name`, its context { cb, arg }, which call
 * cb((const type *)row, arg). row MUST be a decoded `type` (the decoder given
 * with it fills one). Use: sqlite__each(..., name, &(struct name){cb, arg}).
 */
#define SQLITE__EMIT(name, type, cb_type)                                                   \
    struct name {                                                                            \
        cb_type cb;                                                                          \
        void *arg;                                                                           \
    };                                                                                       \
    static ips_status name(const void *row, void *ctx)                                       \
    {                                                                                        \
        const struct name *e = ctx;                                                          \
        return e->cb((const type *)row, e->arg);                                             \
    }

/*
 * Step a bound SELECT to its end: decode each row into row, then
 * emit(row, ctx); stop at the first non-OK status and return it.
 * row NULL: a row buffer of row_size bytes is taken from the heap for the
 * scan (large records, callbacks that re-enter the store) and freed before
 * return; IPS_ERR_NOMEM, before any step, when it cannot be had.
 * Result: IPS_OK at the end of the rows; else step, decode or emit status.
 */
ips_status sqlite__each(struct sqlite__stmt *q, sqlite__decode_fn decode, void *row,
                        size_t row_size, sqlite__emit_fn emit, void *ctx);

/*
 * Look one row up: bind (may be NULL) with arg, then sqlite__fetch_one into
 * tmp and copy size bytes to out on success only. Consumes q.
 * Failure: the borrow's or bind's status; IPS_ERR_NOT_FOUND on no row;
 * step/decode failures. out untouched on any failure.
 */
ips_status sqlite__stmt_fetch(struct sqlite__stmt *q, ips_status borrowed, sqlite__bind_fn bind,
                              const void *arg, sqlite__decode_fn decode, void *tmp, void *out,
                              size_t size);

/*
 * Run a write: bind (may be NULL) with arg, then sqlite__run. must_change:
 * IPS_ERR_NOT_FOUND when no row changed (an UPDATE or DELETE of a missing
 * key). Consumes q.
 * Failure: the borrow's or bind's status (IPS_ERR_TOO_LARGE for an
 * unterminated field), or sqlite__run's mapped status (IPS_ERR_CONFLICT,
 * IPS_ERR_NOT_FOUND for a missing foreign row, ...).
 */
ips_status sqlite__stmt_write(struct sqlite__stmt *q, ips_status borrowed, sqlite__bind_fn bind,
                              const void *arg, bool must_change);

/* Bind (may be NULL) with arg, then sqlite__each. Consumes q.
 * Failure: the borrow's or bind's status; else as sqlite__each. */
ips_status sqlite__stmt_list(struct sqlite__stmt *q, ips_status borrowed, sqlite__bind_fn bind,
                             const void *arg, sqlite__decode_fn decode, void *row,
                             size_t row_size, sqlite__emit_fn emit, void *ctx);

/* sqlite__stmt_fetch / _write / _list on a statement borrowed with
 * sqlite__stmt_sql(ss, sql, ...); sql follows that function's rules. */
ips_status sqlite__get_one(struct sqlite_store *ss, const char *sql, sqlite__bind_fn bind,
                           const void *arg, sqlite__decode_fn decode, void *tmp, void *out,
                           size_t size);
ips_status sqlite__write(struct sqlite_store *ss, const char *sql, sqlite__bind_fn bind,
                         const void *arg, bool must_change);
ips_status sqlite__list(struct sqlite_store *ss, const char *sql, sqlite__bind_fn bind,
                        const void *arg, sqlite__decode_fn decode, void *row, size_t row_size,
                        sqlite__emit_fn emit, void *ctx);

/* The common lookup: sqlite__get_one with key bound as text to ?1. */
static inline ips_status sqlite__get_key(struct sqlite_store *ss, const char *sql,
                                         const char *key, sqlite__decode_fn decode, void *tmp,
                                         void *out, size_t size)
{
    return sqlite__get_one(ss, sql, sqlite__bind_key, key, decode, tmp, out, size);
}

#endif

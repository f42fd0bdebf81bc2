/*
 * store_sqlite.c — the SQLite backend of store.h (see store_backend.h for
 * how it plugs in): connection lifecycle, migrations, transactions, the
 * foundation tables, and the helpers every sqlite_<domain>.c file uses
 * (declared with their contracts in sqlite_internal.h). The tables of the
 * other domains are implemented in their own sqlite_<domain>.c files and
 * reach this file only through STORE__DOMAINS (store_backend.h).
 *
 * One struct sqlite_store is one sqlite3 connection, opened NOMUTEX: the
 * store contract already says a connection belongs to one thread at a time,
 * so SQLite's own per-connection mutex would only cost time.
 *
 * SQL: every statement of this file is a constant in SQLITE__QUERIES below
 * (domain files use `static const char q_x[]` constants and
 * sqlite__stmt_sql), run as a prepared statement with bound parameters;
 * nothing is ever pasted into SQL text. Statements are prepared lazily and
 * cached per connection (SQLITE_PREPARE_PERSISTENT): this file's in an array
 * indexed by its query enum, the domains' in a small open-addressing table
 * keyed by the address of the SQL text. A cached statement that is still
 * running — because a listing callback re-entered the store with the same
 * query — is not disturbed: the re-entrant call gets a private copy that is
 * finalized after use. Every use ends with sqlite__stmt_put(), which resets
 * the statement so that no read transaction is held open between calls.
 *
 * Errors (extended result codes are enabled): a UNIQUE or PRIMARY KEY clash
 * is IPS_ERR_CONFLICT, a FOREIGN KEY violation IPS_ERR_NOT_FOUND (the row
 * referred to does not exist), SQLITE_BUSY/LOCKED IPS_ERR_BUSY, out of memory
 * IPS_ERR_NOMEM, anything else IPS_ERR_DB with one "sqlite error" log line.
 *
 * Text read from the database into the fixed-size fields of the store_*
 * records is length-checked: a value that does not fit is IPS_ERR_TOO_LARGE,
 * never silently truncated. Text written from those records must be
 * NUL-terminated inside its field, else IPS_ERR_TOO_LARGE as well.
 *
 * Migrations are the embedded src/store/migrations/NNNN_name.sql files; the
 * version reached is recorded in schema_migrations. Note for future
 * migrations: each runs inside a transaction, where PRAGMA foreign_keys
 * cannot be changed, so table rebuilds must keep foreign keys valid
 * throughout (or use PRAGMA defer_foreign_keys).
 */
#include <ctype.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "store/sqlite_internal.h"

/* Columns shared by the SELECTs of one record type, in decode order. */
#define SQLITE__ORG_COLS "id, name, kind, created_ms"
#define SQLITE__USER_COLS "id, org_id, email, role, pw_hash, created_ms, disabled"
#define SQLITE__SESSION_COLS "id, user_id, token_hash, created_ms, expires_ms"
#define SQLITE__TOKEN_COLS "id, user_id, name, token_hash, created_ms, expires_ms, revoked_ms"
#define SQLITE__AUDIT_COLS "seq, ts_ms, actor, action, object, outcome, detail, prev_hash, hash"

/* Every SQL statement of the backend. Listing filters use "(?1 IS NULL OR
 * col = ?1)" so that one statement serves both the filtered and the full
 * listing; LIMIT -1 means no limit. */
#define SQLITE__QUERIES(X)                                                                    \
    X(BEGIN, "BEGIN IMMEDIATE")                                                               \
    X(COMMIT, "COMMIT")                                                                       \
    X(ROLLBACK, "ROLLBACK")                                                                   \
    X(HAS_MIGRATIONS_TABLE,                                                                   \
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")      \
    X(SCHEMA_VERSION, "SELECT coalesce(max(version), 0) FROM schema_migrations")              \
    X(MIGRATION_RECORD,                                                                       \
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)")        \
    X(META_GET, "SELECT value FROM meta WHERE key = ?1")                                      \
    X(META_SET, "INSERT INTO meta (key, value) VALUES (?1, ?2)"                               \
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value")                    \
    X(ORG_INSERT, "INSERT INTO orgs (" SQLITE__ORG_COLS ") VALUES (?1, ?2, ?3, ?4)")          \
    X(ORG_GET, "SELECT " SQLITE__ORG_COLS " FROM orgs WHERE id = ?1")                         \
    X(ORG_GET_BY_NAME, "SELECT " SQLITE__ORG_COLS " FROM orgs WHERE name = ?1")               \
    X(ORG_LIST, "SELECT " SQLITE__ORG_COLS " FROM orgs"                                       \
                " WHERE (?1 IS NULL OR id = ?1) AND id > ?2 ORDER BY id LIMIT ?3")            \
    X(USER_INSERT,                                                                            \
      "INSERT INTO users (" SQLITE__USER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")        \
    X(USER_GET, "SELECT " SQLITE__USER_COLS " FROM users WHERE id = ?1")                      \
    X(USER_GET_BY_EMAIL, "SELECT " SQLITE__USER_COLS " FROM users WHERE email = ?1")          \
    X(USER_SET_PASSWORD, "UPDATE users SET pw_hash = ?2 WHERE id = ?1")                       \
    X(USER_SET_DISABLED, "UPDATE users SET disabled = ?2 WHERE id = ?1")                      \
    X(USER_LIST, "SELECT " SQLITE__USER_COLS " FROM users"                                    \
                 " WHERE (?1 IS NULL OR org_id = ?1) AND id > ?2 ORDER BY id LIMIT ?3")       \
    X(SESSION_INSERT,                                                                         \
      "INSERT INTO sessions (" SQLITE__SESSION_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)")          \
    X(SESSION_GET_BY_HASH,                                                                    \
      "SELECT " SQLITE__SESSION_COLS " FROM sessions WHERE token_hash = ?1")                  \
    X(SESSION_DELETE, "DELETE FROM sessions WHERE id = ?1")                                   \
    X(SESSION_PURGE, "DELETE FROM sessions WHERE expires_ms <= ?1")                           \
    X(SESSION_DELETE_FOR_USER, "DELETE FROM sessions WHERE user_id = ?1")                     \
    X(TOKEN_INSERT,                                                                           \
      "INSERT INTO api_tokens (" SQLITE__TOKEN_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")  \
    X(TOKEN_GET, "SELECT " SQLITE__TOKEN_COLS " FROM api_tokens WHERE id = ?1")               \
    X(TOKEN_GET_BY_HASH,                                                                      \
      "SELECT " SQLITE__TOKEN_COLS " FROM api_tokens WHERE token_hash = ?1")                  \
    X(TOKEN_REVOKE, "UPDATE api_tokens SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms = 0")  \
    X(TOKEN_EXISTS, "SELECT 1 FROM api_tokens WHERE id = ?1")                                 \
    X(TOKEN_LIST, "SELECT " SQLITE__TOKEN_COLS " FROM api_tokens"                             \
                  " WHERE (?1 IS NULL OR user_id = ?1) AND id > ?2 ORDER BY id LIMIT ?3")     \
    X(LOGIN_ADD, "INSERT INTO login_attempts (email, addr, ok, at_ms) VALUES (?1, ?2, ?3, ?4)") \
    X(LOGIN_FAILURES,                                                                         \
      "SELECT (SELECT count(*) FROM login_attempts"                                           \
      "        WHERE email = ?1 AND at_ms >= ?3 AND ok = 0),"                                 \
      "       (SELECT count(*) FROM login_attempts"                                           \
      "        WHERE addr = ?2 AND at_ms >= ?3 AND ok = 0)")                                  \
    X(LOGIN_CLEAR, "DELETE FROM login_attempts WHERE email = ?1 AND ok = 0")                  \
    X(LOGIN_PURGE, "DELETE FROM login_attempts WHERE at_ms < ?1")                             \
    X(LOCK_GET, "SELECT until_ms FROM login_lockouts WHERE email = ?1")                        \
    X(LOCK_SET, "INSERT INTO login_lockouts (email, locked_ms, until_ms) VALUES (?1, ?2, ?3)"  \
                " ON CONFLICT (email) DO UPDATE SET locked_ms = ?2, until_ms = ?3")           \
    X(LOCK_CLEAR, "DELETE FROM login_lockouts WHERE email = ?1")                               \
    X(AUDIT_HEAD, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")             \
    /* seq must be head + 1: the INSERT selects its row only when it is */                    \
    X(AUDIT_INSERT, "INSERT INTO audit_events (" SQLITE__AUDIT_COLS ")"                       \
                    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9"                              \
                    " WHERE ?1 = (SELECT coalesce(max(seq), 0) + 1 FROM audit_events)")       \
    X(AUDIT_LIST_ASC, "SELECT " SQLITE__AUDIT_COLS " FROM audit_events"                       \
                      " WHERE seq > ?1 ORDER BY seq LIMIT ?2")                                \
    X(AUDIT_LIST_DESC, "SELECT " SQLITE__AUDIT_COLS " FROM audit_events"                      \
                       " WHERE (?1 <= 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2")             \
    X(AUDIT_TRIGGER_SQL, "SELECT sql FROM sqlite_master"                                      \
                         " WHERE type = 'trigger' AND name = 'audit_events_no_update'")       \
    X(AUDIT_TAMPER, "UPDATE audit_events SET detail = ?2 WHERE seq = ?1")

enum sqlite__query {
#define SQLITE__ENUM(name, sql) SQLITE__Q_##name,
    SQLITE__QUERIES(SQLITE__ENUM)
#undef SQLITE__ENUM
        SQLITE__Q_COUNT
};

static const char *const sqlite__sql[SQLITE__Q_COUNT] = {
#define SQLITE__TEXT(name, sql) sql,
    SQLITE__QUERIES(SQLITE__TEXT)
#undef SQLITE__TEXT
};

_Static_assert(SQLITE__Q_COUNT <= SQLITE__CORE_STMT_MAX,
               "raise SQLITE__CORE_STMT_MAX in sqlite_internal.h");

/* The domain tables, one per STORE__DOMAINS line, for sqlite__ops below. */
#define SQLITE__DOMAIN_INIT(domain) .domain = &sqlite__##domain##_ops,

/* ---- errors ----------------------------------------------------------------- */

/* See sqlite_internal.h. */
ips_status sqlite__status(struct sqlite_store *ss, int rc, const char *what)
{
    /* The wal hook's error surfaces as a plain SQLITE_ERROR from the
     * statement that committed (its own code reaches only sqlite3_reset),
     * so the hook leaves this flag (sqlite_durable.c). */
    if (ss->sync_failed) {
        ss->sync_failed = false;
        log_error("sqlite error", "sql", what, "error", "commit not acknowledged: sync failed");
        return IPS_ERR_IO;
    }
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return IPS_ERR_CONFLICT;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return IPS_ERR_NOT_FOUND;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        log_warn("sqlite busy", "sql", what, "error", sqlite3_errmsg(ss->db));
        return IPS_ERR_BUSY;
    case SQLITE_NOMEM:
        return IPS_ERR_NOMEM;
    case SQLITE_IOERR: /* a failed write or sync: the durability barrier's, too */
        log_error("sqlite error", "sql", what, "error", sqlite3_errmsg(ss->db), "code",
                  sqlite3_errstr(rc));
        return IPS_ERR_IO;
    default:
        log_error("sqlite error", "sql", what, "error", sqlite3_errmsg(ss->db), "code",
                  sqlite3_errstr(rc));
        return IPS_ERR_DB;
    }
}

/* ---- statements --------------------------------------------------------------- */

/*
 * Prepare sql, flagged persistent when it is going to be cached. OUT *out:
 * the statement on IPS_OK. Failure: the mapped status of sqlite3_prepare_v3;
 * IPS_ERR_INTERNAL (logged) when sql holds no statement (only blanks or
 * comments) or more than one — sqlite3_prepare would silently ignore the
 * rest.
 */
static ips_status sqlite__prepare(struct sqlite_store *ss, const char *sql, bool persistent,
                                  sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(ss->db, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st,
                                &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return sqlite__status(ss, rc, sql);
    }
    while (tail && isspace((unsigned char)*tail))
        tail++;
    if (!st || (tail && *tail)) {
        log_error("sqlite: statement text must hold exactly one statement", "sql", sql);
        sqlite3_finalize(st);
        return IPS_ERR_INTERNAL;
    }
    *out = st;
    return IPS_OK;
}

/*
 * Borrow the prepared statement of query q of this file's SQLITE__QUERIES,
 * cached in ss->core (see sqlite__stmt_sql for the same contract, keyed by
 * the query enum instead of an address).
 */
static ips_status sqlite__stmt_get(struct sqlite_store *ss, enum sqlite__query q,
                                   struct sqlite__stmt *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *cached = ss->core[q];
    const char *sql = sqlite__sql[q];
    if (cached && !sqlite3_stmt_busy(cached)) {
        *out = (struct sqlite__stmt){.ss = ss, .st = cached, .sql = sql, .owned = false};
        return IPS_OK;
    }
    sqlite3_stmt *st = NULL;
    ips_status result = sqlite__prepare(ss, sql, !cached, &st);
    if (result)
        return result;
    if (!cached)
        ss->core[q] = st;
    *out = (struct sqlite__stmt){.ss = ss, .st = st, .sql = sql, .owned = cached != NULL};
    return IPS_OK;
}

/* First slot to probe for the address sql: Fibonacci hashing of the
 * pointer, whose low bits are poor (alignment) but whose product's high bits
 * are well mixed. */
static size_t sqlite__sql_slot_of(const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> (64 - SQLITE__SQL_CACHE_BITS));
}

/* Whether cached statement st was prepared from the text at sql (a cheap
 * guard against an address reused for other text, i.e. SQL that was not a
 * static constant). sqlite3_sql keeps the statement without trailing blanks,
 * so st's text must be a prefix of sql. */
#ifndef NDEBUG
static bool sqlite__same_sql(sqlite3_stmt *st, const char *sql)
{
    const char *kept = sqlite3_sql(st);
    return kept && strncmp(kept, sql, strlen(kept)) == 0;
}
#endif

/* See sqlite_internal.h. Open addressing with linear probing over
 * ss->sql_cache; slots are only ever filled, never emptied, until close. */
ips_status sqlite__stmt_sql(struct sqlite_store *ss, const char *sql, struct sqlite__stmt *out)
{
    memset(out, 0, sizeof *out);
    struct sqlite__sql_slot *slot = NULL;
    size_t i = sqlite__sql_slot_of(sql);
    for (size_t probes = 0; probes < SQLITE__SQL_CACHE_SLOTS; probes++) {
        struct sqlite__sql_slot *c = &ss->sql_cache[i];
        if (!c->sql || c->sql == sql) {
            slot = c;
            break;
        }
        i = (i + 1) & (SQLITE__SQL_CACHE_SLOTS - 1);
    }
    /* verdicts held back by a bulk transaction are written before any
     * statement that could read or refer to them */
    bool verdicts = slot && slot->sql ? slot->verdicts : strstr(sql, "detection_verdict") != NULL;
    if (ss->vbuf_n > 0 && verdicts && !ss->vbuf_flushing) {
        ips_status flushed = sqlite__verdicts_flush(ss);
        if (flushed)
            return flushed;
    }
    if (slot && slot->sql) {
#ifndef NDEBUG /* a debug build checks every use; tests run debug builds */
        if (!sqlite__same_sql(slot->st, sql)) {
            log_error("sqlite: SQL text changed under a cached address (not a static constant?)",
                      "sql", sql, "cached", sqlite3_sql(slot->st));
            return IPS_ERR_INTERNAL;
        }
#endif
        if (!sqlite3_stmt_busy(slot->st)) {
            *out = (struct sqlite__stmt){.ss = ss, .st = slot->st, .sql = sql, .owned = false};
            return IPS_OK;
        }
        slot = NULL; /* running (re-entered from a callback): use a private copy */
    } else if (!slot && !ss->sql_cache_full_logged) {
        log_warn("sqlite: statement cache full, preparing per use",
                 "hint", "raise SQLITE__SQL_CACHE_BITS in sqlite_internal.h");
        ss->sql_cache_full_logged = true;
    }
    sqlite3_stmt *st = NULL;
    ips_status result = sqlite__prepare(ss, sql, slot != NULL, &st);
    if (result)
        return result;
    if (slot)
        *slot = (struct sqlite__sql_slot){.sql = sql, .st = st, .verdicts = verdicts};
    *out = (struct sqlite__stmt){.ss = ss, .st = st, .sql = sql, .owned = slot == NULL};
    return IPS_OK;
}

void sqlite__stmt_put(struct sqlite__stmt *q)
{
    if (!q->st)
        return;
    if (q->owned) {
        sqlite3_finalize(q->st);
    } else {
        sqlite3_reset(q->st);
        sqlite3_clear_bindings(q->st);
    }
    q->st = NULL;
}

ips_status sqlite__step(struct sqlite__stmt *q, bool *row)
{
    int rc = sqlite3_step(q->st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        *row = rc == SQLITE_ROW;
        return IPS_OK;
    }
    return sqlite__status(q->ss, rc, q->sql);
}

ips_status sqlite__run(struct sqlite__stmt *q, int *changes)
{
    bool row = false;
    ips_status result = sqlite__step(q, &row);
    while (result == IPS_OK && row)
        result = sqlite__step(q, &row);
    if (result == IPS_OK && changes)
        *changes = sqlite3_changes(q->ss->db);
    return result;
}

/* Borrow, run and give back a parameterless statement (transaction control). */
static ips_status sqlite__run_query(struct sqlite_store *ss, enum sqlite__query qid)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_get(ss, qid, &q);
    if (result == IPS_OK)
        result = sqlite__run(&q, NULL);
    sqlite__stmt_put(&q);
    return result;
}

ips_status sqlite__exec(struct sqlite_store *ss, const char *sql, const char *what)
{
    int rc = sqlite3_exec(ss->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? IPS_OK : sqlite__status(ss, rc, what);
}

/* ---- binding -------------------------------------------------------------------- */

ips_status sqlite__bind_rc(struct sqlite__stmt *q, int rc)
{
    return rc == SQLITE_OK ? IPS_OK : sqlite__status(q->ss, rc, q->sql);
}

/* SQLITE_STATIC (no copy) is safe because a statement is given back, and
 * so reset and unbound, before the function that bound it returns. */
ips_status sqlite__bind_text(struct sqlite__stmt *q, int idx, const char *s)
{
    return sqlite__bind_rc(q, sqlite3_bind_text(q->st, idx, s, -1, SQLITE_STATIC));
}

ips_status sqlite__bind_text_max(struct sqlite__stmt *q, int idx, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || n > INT_MAX)
        return IPS_ERR_TOO_LARGE;
    return sqlite__bind_rc(q, sqlite3_bind_text(q->st, idx, s, (int)n, SQLITE_STATIC));
}

ips_status sqlite__bind_field(struct sqlite__stmt *q, int idx, const char *field, size_t size)
{
    size_t n = strnlen(field, size);
    if (n == size || n > INT_MAX)
        return IPS_ERR_TOO_LARGE;
    return sqlite__bind_rc(q, sqlite3_bind_text(q->st, idx, field, (int)n, SQLITE_STATIC));
}

ips_status sqlite__bind_int64(struct sqlite__stmt *q, int idx, int64_t v)
{
    return sqlite__bind_rc(q, sqlite3_bind_int64(q->st, idx, v));
}

ips_status sqlite__bind_hash(struct sqlite__stmt *q, int idx, const uint8_t hash[STORE_HASH_LEN])
{
    return sqlite__bind_rc(q, sqlite3_bind_blob(q->st, idx, hash, STORE_HASH_LEN,
                                                SQLITE_STATIC));
}

ips_status sqlite__bind_blob(struct sqlite__stmt *q, int idx, const void *p, size_t len)
{
    if (len > INT_MAX)
        return IPS_ERR_TOO_LARGE;
    if (!p)
        return sqlite__bind_null(q, idx);
    return sqlite__bind_rc(q, sqlite3_bind_blob(q->st, idx, p, (int)len, SQLITE_STATIC));
}

ips_status sqlite__bind_null(struct sqlite__stmt *q, int idx)
{
    return sqlite__bind_rc(q, sqlite3_bind_null(q->st, idx));
}

ips_status sqlite__bind_page(struct sqlite__stmt *q, const char *only, const char *after,
                             int limit)
{
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, only)) ||
        (result = sqlite__bind_text(q, 2, after ? after : "")) ||
        (result = sqlite__bind_int64(q, 3, sqlite__page_limit(limit))))
        return result;
    return IPS_OK;
}

int sqlite__page_limit(int limit) { return limit > 0 ? limit : STORE_LIST_DEFAULT_LIMIT; }

/* ---- decoding --------------------------------------------------------------------- */

ips_status sqlite__col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) {
        if (sqlite3_column_type(st, col) != SQLITE_NULL)
            return IPS_ERR_NOMEM;
        if (cap == 0)
            return IPS_ERR_TOO_LARGE;
        dst[0] = '\0';
        return IPS_OK;
    }
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (n >= cap)
        return IPS_ERR_TOO_LARGE;
    memcpy(dst, t, n);
    dst[n] = '\0';
    return IPS_OK;
}

ips_status sqlite__col_hash(sqlite3_stmt *st, int col, uint8_t out[STORE_HASH_LEN])
{
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (!p || n != STORE_HASH_LEN) {
        log_error("sqlite error", "sql", sqlite3_sql(st), "error",
                  "stored hash does not have 32 bytes");
        return IPS_ERR_DB;
    }
    memcpy(out, p, STORE_HASH_LEN);
    return IPS_OK;
}

/* sqlite3_column_blob answers NULL both for SQL NULL / an empty blob and
 * when out of memory; the column's bytes tell the two apart. */
ips_status sqlite__col_blob(sqlite3_stmt *st, int col, void *dst, size_t max, size_t *len)
{
    const void *p = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (!p) {
        if (n != 0 && sqlite3_column_type(st, col) != SQLITE_NULL)
            return IPS_ERR_NOMEM;
        *len = 0;
        return IPS_OK;
    }
    if (n > max)
        return IPS_ERR_TOO_LARGE;
    memcpy(dst, p, n);
    *len = n;
    return IPS_OK;
}

/* Row decoders (sqlite__decode_fn) of the foundation records: fill *row
 * from the current row of a SELECT of the matching SQLITE__*_COLS. */

static ips_status sqlite__decode_org(sqlite3_stmt *st, void *row)
{
    struct store_org *o = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, o->id)) ||
        (result = SQLITE__COL_FIELD(st, 1, o->name)) ||
        (result = SQLITE__COL_FIELD(st, 2, o->kind)))
        return result;
    o->created_ms = sqlite3_column_int64(st, 3);
    return IPS_OK;
}

static ips_status sqlite__decode_user(sqlite3_stmt *st, void *row)
{
    struct store_user *u = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, u->id)) ||
        (result = SQLITE__COL_FIELD(st, 1, u->org_id)) ||
        (result = SQLITE__COL_FIELD(st, 2, u->email)) ||
        (result = SQLITE__COL_FIELD(st, 3, u->role)) ||
        (result = SQLITE__COL_FIELD(st, 4, u->pw_hash)))
        return result;
    u->created_ms = sqlite3_column_int64(st, 5);
    u->disabled = sqlite3_column_int64(st, 6) != 0;
    return IPS_OK;
}

static ips_status sqlite__decode_session(sqlite3_stmt *st, void *row)
{
    struct store_session *se = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, se->id)) ||
        (result = SQLITE__COL_FIELD(st, 1, se->user_id)) ||
        (result = sqlite__col_hash(st, 2, se->token_hash)))
        return result;
    se->created_ms = sqlite3_column_int64(st, 3);
    se->expires_ms = sqlite3_column_int64(st, 4);
    return IPS_OK;
}

static ips_status sqlite__decode_token(sqlite3_stmt *st, void *row)
{
    struct store_token *t = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, t->id)) ||
        (result = SQLITE__COL_FIELD(st, 1, t->user_id)) ||
        (result = SQLITE__COL_FIELD(st, 2, t->name)) ||
        (result = sqlite__col_hash(st, 3, t->token_hash)))
        return result;
    t->created_ms = sqlite3_column_int64(st, 4);
    t->expires_ms = sqlite3_column_int64(st, 5);
    t->revoked_ms = sqlite3_column_int64(st, 6);
    return IPS_OK;
}

static ips_status sqlite__decode_audit(sqlite3_stmt *st, void *row)
{
    struct store_audit_event *ev = row;
    ips_status result;
    ev->seq = sqlite3_column_int64(st, 0);
    ev->ts_ms = sqlite3_column_int64(st, 1);
    if ((result = SQLITE__COL_FIELD(st, 2, ev->actor)) ||
        (result = SQLITE__COL_FIELD(st, 3, ev->action)) ||
        (result = SQLITE__COL_FIELD(st, 4, ev->object)) ||
        (result = SQLITE__COL_FIELD(st, 5, ev->outcome)) ||
        (result = SQLITE__COL_FIELD(st, 6, ev->detail)) ||
        (result = sqlite__col_hash(st, 7, ev->prev_hash)) ||
        (result = sqlite__col_hash(st, 8, ev->hash)))
        return result;
    return IPS_OK;
}

/* Typed adapters of the foundation listings (see SQLITE__EMIT). */
SQLITE__EMIT(sqlite__emit_org, struct store_org, store_org_cb)
SQLITE__EMIT(sqlite__emit_user, struct store_user, store_user_cb)
SQLITE__EMIT(sqlite__emit_token, struct store_token, store_token_cb)
SQLITE__EMIT(sqlite__emit_audit, struct store_audit_event, store_audit_cb)

ips_status sqlite__decode_int64(sqlite3_stmt *st, void *row)
{
    *(int64_t *)row = sqlite3_column_int64(st, 0);
    return IPS_OK;
}

ips_status sqlite__fetch_one(struct sqlite__stmt *q, sqlite__decode_fn decode, void *tmp,
                             void *out, size_t size)
{
    bool row = false;
    ips_status result = sqlite__step(q, &row);
    if (result)
        return result;
    if (!row)
        return IPS_ERR_NOT_FOUND;
    result = decode(q->st, tmp);
    if (result == IPS_OK)
        memcpy(out, tmp, size);
    return result;
}

ips_status sqlite__bind_key(struct sqlite__stmt *q, const void *arg)
{
    return sqlite__bind_text(q, 1, arg);
}

ips_status sqlite__bind_page_fn(struct sqlite__stmt *q, const void *arg)
{
    const struct sqlite__page *p = arg;
    return sqlite__bind_page(q, p->only, p->after, p->limit);
}

ips_status sqlite__each(struct sqlite__stmt *q, sqlite__decode_fn decode, void *row,
                        size_t row_size, sqlite__emit_fn emit, void *ctx)
{
    void *heap = NULL;
    bool more = false;
    ips_status result;
    if (!row && !(row = heap = malloc(row_size)))
        return IPS_ERR_NOMEM;
    while ((result = sqlite__step(q, &more)) == IPS_OK && more) {
        if ((result = decode(q->st, row)) || (result = emit(row, ctx)))
            break;
    }
    free(heap);
    return result;
}

ips_status sqlite__stmt_fetch(struct sqlite__stmt *q, ips_status borrowed, sqlite__bind_fn bind,
                              const void *arg, sqlite__decode_fn decode, void *tmp, void *out,
                              size_t size)
{
    ips_status result = borrowed;
    if (result || (bind && (result = bind(q, arg))))
        goto out_stmt;
    result = sqlite__fetch_one(q, decode, tmp, out, size);
out_stmt:
    sqlite__stmt_put(q);
    return result;
}

ips_status sqlite__stmt_write(struct sqlite__stmt *q, ips_status borrowed, sqlite__bind_fn bind,
                              const void *arg, bool must_change)
{
    int changes = 0;
    ips_status result = borrowed;
    if (result || (bind && (result = bind(q, arg))))
        goto out_stmt;
    result = sqlite__run(q, &changes);
    if (result == IPS_OK && must_change && changes == 0)
        result = IPS_ERR_NOT_FOUND;
out_stmt:
    sqlite__stmt_put(q);
    return result;
}

ips_status sqlite__stmt_list(struct sqlite__stmt *q, ips_status borrowed, sqlite__bind_fn bind,
                             const void *arg, sqlite__decode_fn decode, void *row,
                             size_t row_size, sqlite__emit_fn emit, void *ctx)
{
    ips_status result = borrowed;
    if (result || (bind && (result = bind(q, arg))))
        goto out_stmt;
    result = sqlite__each(q, decode, row, row_size, emit, ctx);
out_stmt:
    sqlite__stmt_put(q);
    return result;
}

ips_status sqlite__get_one(struct sqlite_store *ss, const char *sql, sqlite__bind_fn bind,
                           const void *arg, sqlite__decode_fn decode, void *tmp, void *out,
                           size_t size)
{
    struct sqlite__stmt q;
    return sqlite__stmt_fetch(&q, sqlite__stmt_sql(ss, sql, &q), bind, arg, decode, tmp, out,
                              size);
}

ips_status sqlite__write(struct sqlite_store *ss, const char *sql, sqlite__bind_fn bind,
                         const void *arg, bool must_change)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_sql(ss, sql, &q), bind, arg, must_change);
}

ips_status sqlite__list(struct sqlite_store *ss, const char *sql, sqlite__bind_fn bind,
                        const void *arg, sqlite__decode_fn decode, void *row, size_t row_size,
                        sqlite__emit_fn emit, void *ctx)
{
    struct sqlite__stmt q;
    return sqlite__stmt_list(&q, sqlite__stmt_sql(ss, sql, &q), bind, arg, decode, row,
                             row_size, emit, ctx);
}

/* ---- lifecycle -------------------------------------------------------------------- */

static void sqlite__close(struct store *s)
{
    struct sqlite_store *ss = sqlite__from(s);
    if (ss->writer_held) {
        /* closed inside a transaction (a caller's bug, logged by it): roll
         * it back and let the file's other writers in */
        if (ss->db && !sqlite3_get_autocommit(ss->db))
            (void)sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
        ss->sync_pending = false;
        (void)sqlite__durable_writer_unlock(ss);
    }
    free(ss->vbuf);
    for (int i = 0; i < SQLITE__Q_COUNT; i++)
        sqlite3_finalize(ss->core[i]);
    for (size_t i = 0; i < SQLITE__SQL_CACHE_SLOTS; i++)
        sqlite3_finalize(ss->sql_cache[i].st);
    if (ss->db && sqlite3_close(ss->db) != SQLITE_OK)
        log_error("sqlite error", "sql", "close", "error", sqlite3_errmsg(ss->db));
    sqlite__durable_detach(ss);
    free(ss);
}

/* Version recorded in schema_migrations, 0 when the table does not exist.
 * OUT *out on IPS_OK. */
static ips_status sqlite__schema_version(struct store *s, int *out)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__stmt q;
    bool row = false;
    int version = 0;
    ips_status result = sqlite__stmt_get(ss, SQLITE__Q_HAS_MIGRATIONS_TABLE, &q);
    if (result == IPS_OK)
        result = sqlite__step(&q, &row);
    sqlite__stmt_put(&q);
    if (result || !row)
        goto out;
    result = sqlite__stmt_get(ss, SQLITE__Q_SCHEMA_VERSION, &q);
    if (result)
        goto out_stmt;
    result = sqlite__step(&q, &row);
    if (result == IPS_OK && row)
        version = sqlite3_column_int(q.st, 0);
out_stmt:
    sqlite__stmt_put(&q);
out:
    if (result == IPS_OK)
        *out = version;
    return result;
}

/*
 * Apply migration f (version v) in its own IMMEDIATE transaction, unless the
 * database already has version v (re-checked under the write lock, so two
 * processes migrating at once do not both apply it). OUT *applied: whether
 * it was applied. Failure: the transaction is rolled back; mapped status.
 */
static ips_status sqlite__migration_apply(struct sqlite_store *ss, const struct embed_file *f,
                                          int v, bool *applied)
{
    struct sqlite__stmt q = {0};
    char now[TIME_RFC3339_LEN];
    int current = 0;
    *applied = false;
    ips_status result = sqlite__run_query(ss, SQLITE__Q_BEGIN);
    if (result)
        goto out;
    result = sqlite__exec(ss,
                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " version INTEGER PRIMARY KEY,"
                          " name TEXT NOT NULL,"
                          " applied_at TEXT NOT NULL)",
                          "create schema_migrations");
    if (result)
        goto out_rollback;
    result = sqlite__schema_version(&ss->base, &current);
    if (result)
        goto out_rollback;
    if (current < v) {
        result = sqlite__exec(ss, (const char *)f->data, f->name);
        if (result)
            goto out_rollback;
        time_now_rfc3339(now, sizeof now);
        result = sqlite__stmt_get(ss, SQLITE__Q_MIGRATION_RECORD, &q);
        if (result || (result = sqlite__bind_int64(&q, 1, v)) ||
            (result = sqlite__bind_text(&q, 2, f->name)) ||
            (result = sqlite__bind_text(&q, 3, now)) || (result = sqlite__run(&q, NULL)))
            goto out_rollback;
        sqlite__stmt_put(&q);
        *applied = true;
    }
    result = sqlite__run_query(ss, SQLITE__Q_COMMIT);
out_rollback:
    sqlite__stmt_put(&q);
    if (result && !sqlite3_get_autocommit(ss->db))
        (void)sqlite__run_query(ss, SQLITE__Q_ROLLBACK);
    if (result)
        *applied = false;
out:
    return result;
}

/*
 * Apply every embedded migration newer than the database (see store.h).
 * The embedded table is checked first: names must be NNNN_name.sql with
 * strictly increasing versions and no NUL inside (IPS_ERR_INTERNAL, logged,
 * nothing applied otherwise). OUT *applied (may be NULL) on IPS_OK.
 */
static ips_status sqlite__migrate(struct store *s, int *applied)
{
    struct sqlite_store *ss = sqlite__from(s);
    ips_status result = IPS_OK;
    int count = 0, prev = 0;
    for (const struct embed_file *f = embed_migrations; f->name; f++) {
        int v = store__migration_version(f->name);
        if (v <= prev || strlen((const char *)f->data) != f->len) {
            log_error("store: malformed embedded migration", "name", f->name);
            result = IPS_ERR_INTERNAL;
            goto out;
        }
        prev = v;
    }
    for (const struct embed_file *f = embed_migrations; f->name; f++) {
        bool did = false;
        result = sqlite__migration_apply(ss, f, store__migration_version(f->name), &did);
        if (result)
            goto out;
        if (did) {
            count++;
            log_info("store: migration applied", "name", f->name);
        }
    }
    int version = 0;
    result = sqlite__schema_version(s, &version);
    if (result == IPS_OK && version > store_schema_latest())
        log_warn("store: the database schema is newer than this program",
                 "hint", "upgrade iprshield before using this database");
out:
    if (result == IPS_OK && applied)
        *applied = count;
    return result;
}

/* ---- transactions ------------------------------------------------------------------ */

/* Foreign keys checked or not (store_tx_run_bulk) from the next statement
 * on. The PRAGMA works outside a transaction only, so it runs before BEGIN
 * and after COMMIT or ROLLBACK; each change expires the connection's
 * prepared statements, which SQLite compiles again (with or without the
 * checks) at their next use. A failed reset leaves refs_unchecked set, and
 * the next transaction's begin tries again before it runs (and fails if it
 * cannot). */
static ips_status sqlite__refs_checked(struct sqlite_store *ss, bool checked)
{
    if (ss->refs_unchecked == !checked)
        return IPS_OK;
    ips_status result = sqlite__exec(
        ss, checked ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys");
    if (result == IPS_OK)
        ss->refs_unchecked = !checked;
    return result;
}

/* Writers of this process queue on the file's writer lock before BEGIN
 * IMMEDIATE (sqlite_durable.c: woken at once, where SQLite's busy handler
 * would poll with sleeps). */
static ips_status sqlite__tx_begin(struct store *s)
{
    struct sqlite_store *ss = sqlite__from(s);
    ips_status result = sqlite__durable_writer_lock(ss);
    if (result)
        return result;
    if ((result = sqlite__refs_checked(ss, !s->bulk)) ||
        (result = sqlite__run_query(ss, SQLITE__Q_BEGIN))) {
        (void)sqlite__refs_checked(ss, true);
        (void)sqlite__durable_writer_unlock(ss);
    }
    return result;
}

/* COMMIT, release the writer lock, then wait for the durability barrier
 * (sqlite_durable.c) outside the lock, so that the next writers' commits
 * join the same fdatasync; under store_tx_run_unsynced, leave the barrier
 * to sqlite__tx_synced and note the commit's ticket instead. A COMMIT that
 * fails leaves the transaction and the lock to sqlite__tx_rollback. */
static ips_status sqlite__tx_commit(struct store *s)
{
    struct sqlite_store *ss = sqlite__from(s);
    ips_status result = sqlite__verdicts_flush(ss); /* a bulk transaction's last verdicts */
    if (result)
        return result; /* still in the transaction: sqlite__tx_rollback ends it */
    result = sqlite__run_query(ss, SQLITE__Q_COMMIT);
    if (result && !sqlite3_get_autocommit(ss->db))
        return result;
    (void)sqlite__refs_checked(ss, true); /* after a bulk transaction (logged on failure) */
    if (s->unsynced && !result) { /* store_tx_run_unsynced: the caller waits later */
        sqlite__durable_writer_unlock_unsynced(ss, &s->ticket);
        return IPS_OK;
    }
    ips_status synced = sqlite__durable_writer_unlock(ss);
    return result ? result : synced;
}

static ips_status sqlite__tx_synced(struct store *s, uint64_t ticket)
{
    return sqlite__durable_synced(sqlite__from(s), ticket);
}

/* Roll back (IPS_OK when SQLite already ended the transaction by itself —
 * it does so on some I/O and out-of-memory errors) and release the writer
 * lock. */
static ips_status sqlite__tx_rollback(struct store *s)
{
    struct sqlite_store *ss = sqlite__from(s);
    ips_status result = IPS_OK;
    ss->vbuf_n = 0; /* verdicts held back die with the transaction */
    if (!sqlite3_get_autocommit(ss->db))
        result = sqlite__run_query(ss, SQLITE__Q_ROLLBACK);
    (void)sqlite__refs_checked(ss, true);
    (void)sqlite__durable_writer_unlock(ss);
    return result;
}

/* ---- meta ----------------------------------------------------------------------------- */

static ips_status sqlite__meta_get(struct store *s, const char *key, char *value, size_t cap)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_META_GET, &q);
    if (result || (result = sqlite__bind_text(&q, 1, key)) || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row) {
        result = IPS_ERR_NOT_FOUND;
        goto out_stmt;
    }
    result = sqlite__col_text(q.st, 0, value, cap);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status sqlite__meta_set(struct store *s, const char *key, const char *value)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_META_SET, &q);
    if (result || (result = sqlite__bind_text(&q, 1, key)) ||
        (result = sqlite__bind_text(&q, 2, value)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* ---- organisations ----------------------------------------------------------------------- */

/* sqlite__bind_fn for SQLITE__Q_ORG_INSERT. */
static ips_status sqlite__bind_org_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct store_org *o = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, o->id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, o->name)) ||
        (result = SQLITE__BIND_FIELD(q, 3, o->kind)))
        return result;
    return sqlite__bind_int64(q, 4, o->created_ms);
}

static ips_status sqlite__org_insert(struct store *s, const struct store_org *o)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_ORG_INSERT, &q), sqlite__bind_org_insert, o,
                              false);
}

/* Shared body of the single-org lookups: query qid with key bound to ?1. */
static ips_status sqlite__org_fetch(struct store *s, enum sqlite__query qid, const char *key,
                                    struct store_org *out)
{
    struct sqlite__stmt q;
    struct store_org tmp;
    return sqlite__stmt_fetch(&q, sqlite__stmt_get(sqlite__from(s), qid, &q), sqlite__bind_key, key,
                              sqlite__decode_org, &tmp, out, sizeof tmp);
}

static ips_status sqlite__org_get(struct store *s, const char *id, struct store_org *out)
{
    return sqlite__org_fetch(s, SQLITE__Q_ORG_GET, id, out);
}

static ips_status sqlite__org_get_by_name(struct store *s, const char *name,
                                          struct store_org *out)
{
    return sqlite__org_fetch(s, SQLITE__Q_ORG_GET_BY_NAME, name, out);
}

static ips_status sqlite__org_list(struct store *s, const char *only_id, const char *after,
                                   int limit, store_org_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_org o;
    return sqlite__stmt_list(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_ORG_LIST, &q), sqlite__bind_page_fn,
                             &(struct sqlite__page){only_id, after, limit}, sqlite__decode_org, &o, sizeof o,
                             sqlite__emit_org, &(struct sqlite__emit_org){cb, arg});
}

/* ---- users --------------------------------------------------------------------------------- */

/* sqlite__bind_fn for SQLITE__Q_USER_INSERT. */
static ips_status sqlite__bind_user_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct store_user *u = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, u->id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, u->org_id)) ||
        (result = SQLITE__BIND_FIELD(q, 3, u->email)) ||
        (result = SQLITE__BIND_FIELD(q, 4, u->role)) ||
        (result = SQLITE__BIND_FIELD(q, 5, u->pw_hash)) ||
        (result = sqlite__bind_int64(q, 6, u->created_ms)))
        return result;
    return sqlite__bind_int64(q, 7, u->disabled ? 1 : 0);
}

static ips_status sqlite__user_insert(struct store *s, const struct store_user *u)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_USER_INSERT, &q), sqlite__bind_user_insert, u,
                              false);
}

static ips_status sqlite__user_fetch(struct store *s, enum sqlite__query qid, const char *key,
                                     struct store_user *out)
{
    struct sqlite__stmt q;
    struct store_user tmp;
    return sqlite__stmt_fetch(&q, sqlite__stmt_get(sqlite__from(s), qid, &q), sqlite__bind_key, key,
                              sqlite__decode_user, &tmp, out, sizeof tmp);
}

static ips_status sqlite__user_get(struct store *s, const char *id, struct store_user *out)
{
    return sqlite__user_fetch(s, SQLITE__Q_USER_GET, id, out);
}

static ips_status sqlite__user_get_by_email(struct store *s, const char *email,
                                            struct store_user *out)
{
    return sqlite__user_fetch(s, SQLITE__Q_USER_GET_BY_EMAIL, email, out);
}

/* The arguments of an "UPDATE ... WHERE id = ?1" setting one text ?2. */
struct sqlite__id_text {
    const char *id;
    const char *text;
};

/* sqlite__bind_fn of SQLITE__Q_USER_SET_PASSWORD: a const struct
 * sqlite__id_text * whose text is the hash (at most STORE_PWHASH_MAX). */
static ips_status sqlite__bind_password(struct sqlite__stmt *q, const void *arg)
{
    const struct sqlite__id_text *a = arg;
    ips_status result = sqlite__bind_text(q, 1, a->id);
    return result ? result : sqlite__bind_text_max(q, 2, a->text, STORE_PWHASH_MAX);
}

/* The arguments of an "UPDATE ... WHERE id = ?1" setting one integer ?2. */
struct sqlite__id_int {
    const char *id;
    int64_t v;
};

/* sqlite__bind_fn for a const struct sqlite__id_int *. */
static ips_status sqlite__bind_id_int(struct sqlite__stmt *q, const void *arg)
{
    const struct sqlite__id_int *a = arg;
    ips_status result = sqlite__bind_text(q, 1, a->id);
    return result ? result : sqlite__bind_int64(q, 2, a->v);
}

/* Replace a user's password hash. Failure: IPS_ERR_TOO_LARGE when pw_hash is
 * longer than STORE_PWHASH_MAX, IPS_ERR_NOT_FOUND when no user has this id. */
static ips_status sqlite__user_set_password(struct store *s, const char *id,
                                            const char *pw_hash)
{
    struct sqlite__stmt q;
    const struct sqlite__id_text args = {id, pw_hash};
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_USER_SET_PASSWORD, &q),
                              sqlite__bind_password, &args, true);
}

/* Failure: IPS_ERR_NOT_FOUND when no user has this id (SQLite counts a
 * matched row as changed even when the value stays the same, so setting the
 * current value succeeds). */
static ips_status sqlite__user_set_disabled(struct store *s, const char *id, bool disabled)
{
    struct sqlite__stmt q;
    const struct sqlite__id_int args = {id, disabled ? 1 : 0};
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_USER_SET_DISABLED, &q),
                              sqlite__bind_id_int, &args, true);
}

static ips_status sqlite__user_list(struct store *s, const char *only_org, const char *after,
                                    int limit, store_user_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_user u;
    return sqlite__stmt_list(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_USER_LIST, &q), sqlite__bind_page_fn,
                             &(struct sqlite__page){only_org, after, limit}, sqlite__decode_user, &u, sizeof u,
                             sqlite__emit_user, &(struct sqlite__emit_user){cb, arg});
}

/* sqlite__bind_fn binding arg, a STORE_HASH_LEN-byte digest, to ?1. */
static ips_status sqlite__bind_hash_key(struct sqlite__stmt *q, const void *arg)
{
    return sqlite__bind_hash(q, 1, arg);
}

/* ---- sessions ------------------------------------------------------------------------------ */

/* Failure: IPS_ERR_CONFLICT for a duplicate id or hash, IPS_ERR_NOT_FOUND
 * when the user does not exist. */
/* sqlite__bind_fn for SQLITE__Q_SESSION_INSERT. */
static ips_status sqlite__bind_session_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct store_session *se = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, se->id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, se->user_id)) ||
        (result = sqlite__bind_hash(q, 3, se->token_hash)) ||
        (result = sqlite__bind_int64(q, 4, se->created_ms)))
        return result;
    return sqlite__bind_int64(q, 5, se->expires_ms);
}

static ips_status sqlite__session_insert(struct store *s, const struct store_session *se)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_SESSION_INSERT, &q), sqlite__bind_session_insert, se,
                              false);
}

static ips_status sqlite__session_get_by_hash(struct store *s,
                                              const uint8_t hash[STORE_HASH_LEN],
                                              struct store_session *out)
{
    struct sqlite__stmt q;
    struct store_session tmp;
    return sqlite__stmt_fetch(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_SESSION_GET_BY_HASH, &q),
                              sqlite__bind_hash_key, hash, sqlite__decode_session, &tmp, out, sizeof tmp);
}

static ips_status sqlite__session_delete(struct store *s, const char *id)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_SESSION_DELETE, &q),
                              sqlite__bind_key, id, true);
}

static ips_status sqlite__session_purge(struct store *s, int64_t now_ms, int *deleted)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_SESSION_PURGE, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, now_ms)) ||
        (result = sqlite__run(&q, &changes)))
        goto out_stmt;
    if (deleted)
        *deleted = changes;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status sqlite__session_delete_for_user(struct store *s, const char *user_id,
                                                  int *deleted)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_SESSION_DELETE_FOR_USER, &q);
    if (result || (result = sqlite__bind_text(&q, 1, user_id)) ||
        (result = sqlite__run(&q, &changes)))
        goto out_stmt;
    if (deleted)
        *deleted = changes;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* ---- API tokens ------------------------------------------------------------------------------ */

/* sqlite__bind_fn for SQLITE__Q_TOKEN_INSERT. */
static ips_status sqlite__bind_token_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct store_token *t = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, t->id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, t->user_id)) ||
        (result = SQLITE__BIND_FIELD(q, 3, t->name)) ||
        (result = sqlite__bind_hash(q, 4, t->token_hash)) ||
        (result = sqlite__bind_int64(q, 5, t->created_ms)) ||
        (result = sqlite__bind_int64(q, 6, t->expires_ms)))
        return result;
    return sqlite__bind_int64(q, 7, t->revoked_ms);
}

static ips_status sqlite__token_insert(struct store *s, const struct store_token *t)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_TOKEN_INSERT, &q), sqlite__bind_token_insert, t,
                              false);
}

static ips_status sqlite__token_get(struct store *s, const char *id, struct store_token *out)
{
    struct sqlite__stmt q;
    struct store_token tmp;
    return sqlite__stmt_fetch(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_TOKEN_GET, &q),
                              sqlite__bind_key, id, sqlite__decode_token, &tmp, out, sizeof tmp);
}

static ips_status sqlite__token_get_by_hash(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                            struct store_token *out)
{
    struct sqlite__stmt q;
    struct store_token tmp;
    return sqlite__stmt_fetch(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_TOKEN_GET_BY_HASH, &q),
                              sqlite__bind_hash_key, hash, sqlite__decode_token, &tmp, out, sizeof tmp);
}

/* Revoke once: a token already revoked keeps its first revoked_ms and the
 * call still succeeds. Failure: IPS_ERR_NOT_FOUND when there is no token. */
static ips_status sqlite__token_revoke(struct store *s, const char *id, int64_t now_ms)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__stmt q;
    int changes = 0;
    bool row = false;
    ips_status result = sqlite__stmt_get(ss, SQLITE__Q_TOKEN_REVOKE, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)) ||
        (result = sqlite__bind_int64(&q, 2, now_ms)) || (result = sqlite__run(&q, &changes)))
        goto out_stmt;
    if (changes > 0)
        goto out_stmt;
    sqlite__stmt_put(&q);
    result = sqlite__stmt_get(ss, SQLITE__Q_TOKEN_EXISTS, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)) || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row)
        result = IPS_ERR_NOT_FOUND;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status sqlite__token_list(struct store *s, const char *only_user, const char *after,
                                     int limit, store_token_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_token t;
    return sqlite__stmt_list(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_TOKEN_LIST, &q), sqlite__bind_page_fn,
                             &(struct sqlite__page){only_user, after, limit}, sqlite__decode_token, &t, sizeof t,
                             sqlite__emit_token, &(struct sqlite__emit_token){cb, arg});
}

/* ---- login attempts ----------------------------------------------------------------------------- */

/* Record one attempt. Failure: IPS_ERR_TOO_LARGE when email is longer than
 * STORE_EMAIL_MAX or addr longer than STORE_ADDR_MAX. */
static ips_status sqlite__login_attempt_add(struct store *s, const char *email,
                                            const char *addr, bool ok, int64_t now_ms)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOGIN_ADD, &q);
    if (result || (result = sqlite__bind_text_max(&q, 1, email, STORE_EMAIL_MAX)) ||
        (result = sqlite__bind_text_max(&q, 2, addr, STORE_ADDR_MAX)) ||
        (result = sqlite__bind_int64(&q, 3, ok ? 1 : 0)) ||
        (result = sqlite__bind_int64(&q, 4, now_ms)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* Count failed attempts with at_ms >= since_ms. OUT *by_email, *by_addr
 * (each may be NULL) on IPS_OK. */
static ips_status sqlite__login_failures(struct store *s, const char *email, const char *addr,
                                         int64_t since_ms, int *by_email, int *by_addr)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOGIN_FAILURES, &q);
    if (result || (result = sqlite__bind_text(&q, 1, email)) ||
        (result = sqlite__bind_text(&q, 2, addr)) ||
        (result = sqlite__bind_int64(&q, 3, since_ms)) || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row) { /* an aggregate always yields a row */
        result = IPS_ERR_INTERNAL;
        goto out_stmt;
    }
    if (by_email)
        *by_email = sqlite3_column_int(q.st, 0);
    if (by_addr)
        *by_addr = sqlite3_column_int(q.st, 1);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status sqlite__login_failures_clear(struct store *s, const char *email)
{
    struct sqlite__stmt q;
    return sqlite__stmt_write(&q, sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOGIN_CLEAR, &q),
                              sqlite__bind_key, email, false);
}

/* ---- login lockouts (migration 0012) ----------------------------------------------------------- */

/* OUT *until_ms: the end of email's lock (0 when there is none; it may
 * lie in the past). */
static ips_status sqlite__login_lock_get(struct store *s, const char *email, int64_t *until_ms)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOCK_GET, &q);
    if (result || (result = sqlite__bind_text(&q, 1, email)) || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    *until_ms = row ? sqlite3_column_int64(q.st, 0) : 0;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* until_ms > 0: lock email from now_ms until until_ms (replacing any lock);
 * until_ms == 0: delete email's lock. Failure: IPS_ERR_TOO_LARGE for an
 * email longer than STORE_EMAIL_MAX, or the mapped SQLite status. */
static ips_status sqlite__login_lock_set(struct store *s, const char *email, int64_t now_ms,
                                         int64_t until_ms)
{
    struct sqlite__stmt q;
    if (until_ms == 0)
        return sqlite__stmt_write(&q,
                                  sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOCK_CLEAR, &q),
                                  sqlite__bind_key, email, false);
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOCK_SET, &q);
    if (result || (result = sqlite__bind_text_max(&q, 1, email, STORE_EMAIL_MAX)) ||
        (result = sqlite__bind_int64(&q, 2, now_ms)) ||
        (result = sqlite__bind_int64(&q, 3, until_ms)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status sqlite__login_attempts_purge(struct store *s, int64_t before_ms, int *deleted)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_LOGIN_PURGE, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, before_ms)) ||
        (result = sqlite__run(&q, &changes)))
        goto out_stmt;
    if (deleted)
        *deleted = changes;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* ---- audit log ---------------------------------------------------------------------------------- */

static ips_status sqlite__audit_head(struct store *s, int64_t *seq, uint8_t hash[STORE_HASH_LEN])
{
    struct sqlite__stmt q;
    bool row = false;
    int64_t head = 0;
    uint8_t h[STORE_HASH_LEN] = {0};
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_AUDIT_HEAD, &q);
    if (result || (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (row) {
        head = sqlite3_column_int64(q.st, 0);
        result = sqlite__col_hash(q.st, 1, h);
    }
out_stmt:
    sqlite__stmt_put(&q);
    if (result == IPS_OK) {
        *seq = head;
        memcpy(hash, h, STORE_HASH_LEN);
    }
    return result;
}

/* Insert ev as given. Failure: IPS_ERR_CONFLICT unless ev->seq is the
 * current head + 1 (checked in the same statement, so atomically);
 * IPS_ERR_TOO_LARGE for an unterminated text field. */
static ips_status sqlite__audit_insert(struct store *s, const struct store_audit_event *ev)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_get(sqlite__from(s), SQLITE__Q_AUDIT_INSERT, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, ev->seq)) ||
        (result = sqlite__bind_int64(&q, 2, ev->ts_ms)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, ev->actor)) ||
        (result = SQLITE__BIND_FIELD(&q, 4, ev->action)) ||
        (result = SQLITE__BIND_FIELD(&q, 5, ev->object)) ||
        (result = SQLITE__BIND_FIELD(&q, 6, ev->outcome)) ||
        (result = SQLITE__BIND_FIELD(&q, 7, ev->detail)) ||
        (result = sqlite__bind_hash(&q, 8, ev->prev_hash)) ||
        (result = sqlite__bind_hash(&q, 9, ev->hash)) || (result = sqlite__run(&q, &changes)))
        goto out_stmt;
    if (changes == 0)
        result = IPS_ERR_CONFLICT;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status sqlite__audit_list(struct store *s, bool newest_first, int64_t after,
                                     int limit, store_audit_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_audit_event ev;
    ips_status result = sqlite__stmt_get(
        sqlite__from(s), newest_first ? SQLITE__Q_AUDIT_LIST_DESC : SQLITE__Q_AUDIT_LIST_ASC, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, after)) ||
        (result = sqlite__bind_int64(&q, 2, limit > 0 ? limit : -1)))
        goto out_stmt;
    result = sqlite__each(&q, sqlite__decode_audit, &ev, sizeof ev, sqlite__emit_audit,
                          &(struct sqlite__emit_audit){cb, arg});
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/*
 * TEST TOOLING ONLY: overwrite the detail of event seq, so that tests can
 * prove that audit verification detects tampering. The append-only trigger
 * audit_events_no_update is dropped, the row updated and the trigger
 * re-created from the very SQL text it had, all in one transaction (its own
 * IMMEDIATE transaction, or a savepoint inside the caller's), so no other
 * connection ever sees the table unprotected. The DELETE trigger stays.
 * Failure: IPS_ERR_TOO_LARGE for a detail longer than STORE_DETAIL_MAX,
 * IPS_ERR_NOT_FOUND when there is no event seq; the change is rolled back.
 */
static ips_status sqlite__audit_tamper(struct store *s, int64_t seq, const char *detail)
{
    struct sqlite_store *ss = sqlite__from(s);
    const bool own_tx = !s->in_tx;
    struct sqlite__stmt q = {0};
    char *trigger_sql = NULL;
    bool row = false;
    int changes = 0;
    ips_status result = IPS_ERR_TOO_LARGE;
    if (strlen(detail) > STORE_DETAIL_MAX)
        goto out;
    result = own_tx ? sqlite__run_query(ss, SQLITE__Q_BEGIN)
                    : sqlite__exec(ss, "SAVEPOINT audit_tamper", "SAVEPOINT audit_tamper");
    if (result)
        goto out;

    result = sqlite__stmt_get(ss, SQLITE__Q_AUDIT_TRIGGER_SQL, &q);
    if (result || (result = sqlite__step(&q, &row)))
        goto out_rollback;
    if (row) {
        const char *text = (const char *)sqlite3_column_text(q.st, 0);
        trigger_sql = text ? strdup(text) : NULL;
        if (!trigger_sql) {
            result = IPS_ERR_NOMEM;
            goto out_rollback;
        }
    }
    sqlite__stmt_put(&q);
    if (trigger_sql && (result = sqlite__exec(ss, "DROP TRIGGER audit_events_no_update",
                                              "DROP TRIGGER audit_events_no_update")))
        goto out_rollback;

    result = sqlite__stmt_get(ss, SQLITE__Q_AUDIT_TAMPER, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, seq)) ||
        (result = sqlite__bind_text(&q, 2, detail)) || (result = sqlite__run(&q, &changes)))
        goto out_rollback;
    sqlite__stmt_put(&q);
    if (changes == 0) {
        result = IPS_ERR_NOT_FOUND;
        goto out_rollback;
    }
    if (trigger_sql && (result = sqlite__exec(ss, trigger_sql, "re-create audit trigger")))
        goto out_rollback;

    result = own_tx ? sqlite__run_query(ss, SQLITE__Q_COMMIT)
                    : sqlite__exec(ss, "RELEASE audit_tamper", "RELEASE audit_tamper");
    if (result == IPS_OK) {
        char seqtext[24];
        snprintf(seqtext, sizeof seqtext, "%lld", (long long)seq);
        log_warn("audit event overwritten by test tooling", "seq", seqtext);
    }
out_rollback:
    sqlite__stmt_put(&q);
    if (result) {
        if (own_tx)
            (void)sqlite__tx_rollback(s);
        else if (!sqlite3_get_autocommit(ss->db))
            (void)sqlite__exec(ss, "ROLLBACK TO audit_tamper; RELEASE audit_tamper",
                               "ROLLBACK TO audit_tamper");
    }
    free(trigger_sql);
out:
    return result;
}

/* ---- the backend ---------------------------------------------------------------------------- */

/* The table of the foundation operations and, through STORE__DOMAINS, one
 * pointer per domain table (sqlite__<domain>_ops, from sqlite_<domain>.c). */
static const struct store_ops sqlite__ops = {
    .name = "sqlite",
    .close = sqlite__close,
    .migrate = sqlite__migrate,
    .schema_version = sqlite__schema_version,
    .tx_begin = sqlite__tx_begin,
    .tx_commit = sqlite__tx_commit,
    .tx_rollback = sqlite__tx_rollback,
    .tx_synced = sqlite__tx_synced,
    .tx_grouped = sqlite__durable_tx_grouped,
    .meta_get = sqlite__meta_get,
    .meta_set = sqlite__meta_set,
    .org_insert = sqlite__org_insert,
    .org_get = sqlite__org_get,
    .org_get_by_name = sqlite__org_get_by_name,
    .org_list = sqlite__org_list,
    .user_insert = sqlite__user_insert,
    .user_get = sqlite__user_get,
    .user_get_by_email = sqlite__user_get_by_email,
    .user_set_password = sqlite__user_set_password,
    .user_set_disabled = sqlite__user_set_disabled,
    .user_list = sqlite__user_list,
    .session_insert = sqlite__session_insert,
    .session_get_by_hash = sqlite__session_get_by_hash,
    .session_delete = sqlite__session_delete,
    .session_purge = sqlite__session_purge,
    .session_delete_for_user = sqlite__session_delete_for_user,
    .token_insert = sqlite__token_insert,
    .token_get = sqlite__token_get,
    .token_get_by_hash = sqlite__token_get_by_hash,
    .token_revoke = sqlite__token_revoke,
    .token_list = sqlite__token_list,
    .login_attempt_add = sqlite__login_attempt_add,
    .login_failures = sqlite__login_failures,
    .login_failures_clear = sqlite__login_failures_clear,
    .login_attempts_purge = sqlite__login_attempts_purge,
    .login_lock_get = sqlite__login_lock_get,
    .login_lock_set = sqlite__login_lock_set,
    .audit_head = sqlite__audit_head,
    .audit_insert = sqlite__audit_insert,
    .audit_list = sqlite__audit_list,
    .audit_tamper = sqlite__audit_tamper,
    STORE__DOMAINS(SQLITE__DOMAIN_INIT)
};

/* Set PRAGMA journal_mode=WAL and check the answer: an in-memory database
 * answers "memory", which is fine; any other mode is logged as a warning
 * (the connection then keeps synchronous=FULL without group commit).
 * OUT *wal: true when the connection is in WAL mode. */
static ips_status sqlite__journal_wal(struct sqlite_store *ss, const char *path, bool *wal)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "PRAGMA journal_mode = WAL";
    int rc = sqlite3_prepare_v3(ss->db, sql, -1, 0, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    ips_status result = IPS_OK;
    if (rc == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        *wal = mode && strcmp(mode, "wal") == 0;
        if (!mode || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0))
            log_warn("sqlite: WAL journal mode unavailable", "path", path, "mode",
                     mode ? mode : "unknown");
    } else {
        result = sqlite__status(ss, rc, sql);
    }
    sqlite3_finalize(st);
    return result;
}

/*
 * Open (creating if needed) the SQLite database at path; see
 * store_backend.h for the contract. Pragmas, in order: busy timeout (so the
 * switch to WAL waits for other connections), journal_mode=WAL,
 * synchronous=NORMAL with group commit in WAL mode (sqlite_durable.c: a
 * commit is on disk when the statement that committed returns, one shared
 * fdatasync for all commits that land together), synchronous=FULL in any
 * other mode (same guarantee, one sync per commit; none for :memory:),
 * foreign_keys=ON, temp_store=MEMORY (temporary tables and indexes in
 * memory, and with them the statement journals of savepoints: SQLite keeps a
 * sub-journal wholly in memory when temp_store is MEMORY, whatever
 * SQLITE_CONFIG_STMTJRNL_SPILL says, so the savepoints of a group transaction
 * write no temporary file; docs/internals/store.md, "Group transactions").
 * Defensive mode is enabled so that SQL cannot corrupt the
 * file through writable_schema and similar switches. No mmap_size: measured
 * slower (docs/benchmarks.md, "Grouped transactions (2026-11-30)").
 */
ips_status store__sqlite_open(const char *path, struct store **out)
{
    ips_status result = IPS_ERR_NOMEM;
    struct sqlite_store *ss = calloc(1, sizeof *ss);
    if (!ss)
        goto out;
    ss->base.ops = &sqlite__ops;
    int rc = sqlite3_open_v2(path, &ss->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             sqlite__vfs_name());
    if (rc != SQLITE_OK) {
        log_error("sqlite error", "sql", "open", "path", path, "error",
                  ss->db ? sqlite3_errmsg(ss->db) : sqlite3_errstr(rc));
        result = (rc & 0xff) == SQLITE_CANTOPEN ? IPS_ERR_IO
                 : (rc & 0xff) == SQLITE_NOMEM  ? IPS_ERR_NOMEM
                                                : IPS_ERR_DB;
        goto out_close;
    }
    sqlite3_extended_result_codes(ss->db, 1);
    (void)sqlite3_db_config(ss->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    rc = sqlite3_busy_timeout(ss->db, SQLITE__BUSY_TIMEOUT_MS);
    if (rc != SQLITE_OK) {
        result = sqlite__status(ss, rc, "busy_timeout");
        goto out_close;
    }
    bool wal = false;
    if ((result = sqlite__journal_wal(ss, path, &wal)))
        goto out_close;
    if (wal)
        result = sqlite__exec(ss, "PRAGMA synchronous = NORMAL", "PRAGMA synchronous");
    else
        result = sqlite__exec(ss, "PRAGMA synchronous = FULL", "PRAGMA synchronous");
    if (result || (wal && (result = sqlite__durable_attach(ss))) ||
        (result = sqlite__exec(ss, "PRAGMA foreign_keys = ON", "PRAGMA foreign_keys")) ||
        (result = sqlite__exec(ss, "PRAGMA temp_store = MEMORY", "PRAGMA temp_store")))
        goto out_close;
    *out = &ss->base;
    ss = NULL; /* handed over */
out_close:
    if (ss)
        sqlite__close(&ss->base);
out:
    return result;
}

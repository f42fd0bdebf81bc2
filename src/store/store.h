/*
 * store.h — the whole interface of the persistence layer.
 *
 * Domain modules talk to storage only through these functions and, for the
 * tables of one domain, through that domain's store_<domain>.h (same rules as
 * here); every SQL statement of the project lives under src/store/. A backend
 * (SQLite now, PostgreSQL later) implements struct store_ops
 * (store_backend.h) and the functions here dispatch to it, the way Redis puts
 * ae_epoll.c and ae_kqueue.c behind one interface. Design note:
 * docs/internals/store.md.
 *
 * Threads: a struct store is ONE connection and must be used by one thread
 * at a time. A server opens one per worker thread.
 *
 * Records are plain structs with fixed-size text fields, so callers own them
 * on their stack and nothing needs freeing. Text longer than a field is
 * refused by the domain layer before it reaches the store.
 *
 * Transactions: writes that belong together (a change and its audit event)
 * run inside store_tx_run(), which begins an immediate (write-locking)
 * transaction, calls the function, and commits on IPS_OK or rolls back on
 * any other status. A committed transaction is durable (WAL, synchronous=FULL)
 * and survives kill -9 of the process.
 *
 * Listings: every listing takes a limit and calls a callback once per row.
 * limit <= 0 means the default page size, STORE_LIST_DEFAULT_LIMIT (50) —
 * except store_audit_list, where limit <= 0 means no limit at all (the audit
 * chain is verified by reading it whole).
 *
 * Failure: every function returns an ips_status. IPS_ERR_NOT_FOUND for a
 * missing row, IPS_ERR_CONFLICT for a unique-key clash, IPS_ERR_BUSY when the
 * database stayed locked past the busy timeout, IPS_ERR_DB otherwise (the
 * backend logs the SQL error). OUT parameters are written only on IPS_OK.
 */
#ifndef IPS_STORE_STORE_H
#define IPS_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/id.h"
#include "core/status.h"

#define STORE_NAME_MAX 200   /* org names, token names */
#define STORE_EMAIL_MAX 254  /* RFC 5321 path limit */
#define STORE_KIND_MAX 16    /* org kind, role, outcome */
#define STORE_PWHASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define STORE_HASH_LEN 32    /* SHA-256 / BLAKE2b-256 digests */
#define STORE_ACTION_MAX 64
#define STORE_OBJECT_MAX 128
#define STORE_DETAIL_MAX 512
#define STORE_ADDR_MAX 64

/* Page size of a listing called with limit <= 0 (not store_audit_list). */
#define STORE_LIST_DEFAULT_LIMIT 50

struct store;

/* ---- lifecycle ---------------------------------------------------------- */

/* Open a connection. url is a file path (SQLite; "sqlite:" prefix optional)
 * or ":memory:". The file is created if missing; its directory must exist.
 * Applies pragmas: WAL, foreign_keys=ON, synchronous=FULL, busy_timeout 5 s.
 * Does NOT migrate. OUT *out: the connection, closed with store_close. */
ips_status store_open(const char *url, struct store **out);
void store_close(struct store *s);
/* Name of the backend ("sqlite"). */
const char *store_backend_name(const struct store *s);

/* Apply every embedded migration newer than the database's version, each in
 * its own transaction. OUT *applied: how many were applied (may be NULL). */
ips_status store_migrate(struct store *s, int *applied);
/* Current schema version (0 for an empty database). */
ips_status store_schema_version(struct store *s, int *out);
/* Highest migration version embedded in this binary. */
int store_schema_latest(void);

/* ---- transactions -------------------------------------------------------- */

typedef ips_status (*store_tx_fn)(struct store *s, void *arg);
/* Run fn inside one write transaction; commit on IPS_OK, else roll back and
 * return fn's status. Retries the whole transaction (up to 5 times, backing
 * off) on IPS_ERR_BUSY, so fn may run more than once: it must do nothing
 * outside the database that cannot be repeated. Must not be nested. */
ips_status store_tx_run(struct store *s, store_tx_fn fn, void *arg);
/*
 * Like store_tx_run, but fn may run inside a transaction shared with the
 * grouped calls of other threads on the same database ("group
 * transaction"): one thread (the leader) begins one write transaction on
 * ITS connection, runs each queued fn under its own savepoint — a fn that
 * fails is rolled back alone and its caller gets its status — commits once,
 * and every caller returns only when that commit is durable; when the
 * commit fails every caller of the group gets its status. The group shares
 * the page writes and the fdatasync of one commit, so many small concurrent
 * writes (notice submissions) cost much less than one transaction each.
 * Contract for fn, beyond store_tx_run's (it may run more than once):
 *   - it may run on ANOTHER thread, with another thread's connection: it
 *     must use only the store it is passed (never a connection saved in its
 *     argument, e.g. ctx->store), and no thread-local state;
 *   - no effect outside the store before the commit (a status and OUT
 *     values in arg are fine: they are read after the call returns);
 *   - it sees the writes of the group's earlier functions.
 * The SQLite backend groups WAL databases (docs/internals/store.md,
 * "Group transactions"); PostgreSQL and in-memory databases run plain
 * store_tx_run. Must not be nested (IPS_ERR_INTERNAL).
 */
ips_status store_tx_run_grouped(struct store *s, store_tx_fn fn, void *arg);
/* Counters of store_tx_run_grouped since the process started, over every
 * database it has grouped (all zero on backends that do not group):
 * groups committed, the requests they committed (a request whose function
 * failed and was rolled back alone is not counted), the largest group, and
 * the database pages the groups wrote to the WAL (SQLite's
 * SQLITE_DBSTATUS_CACHE_WRITE of the group connection; pages / requests is
 * the pages written per request). requests / groups is the mean group size
 * (docs/internals/store.md, "Group transactions"); /metrics exports them.
 * busy_ns: the time leaders spent running groups (writer lock to commit,
 * retries included: the writer's serial section; busy_ns over the wall
 * time is how busy the one writer is), cpu_ns the CPU time the leaders'
 * threads used meanwhile (busy_ns less waiting and preemption); syncs and sync_ns: the commit
 * barriers' fdatasyncs (of every durable commit, grouped or not) and their
 * time. */
struct store_group_stats {
    uint64_t groups;
    uint64_t requests;
    uint64_t largest;
    uint64_t pages;
    uint64_t busy_ns;
    uint64_t cpu_ns;
    uint64_t syncs;
    uint64_t sync_ns;
};
void store_group_stats(struct store_group_stats *out);
/* True while a transaction opened by store_tx_run is active (or, on the
 * connection running a group, while the group's functions run). */
bool store_in_tx(const struct store *s);
/*
 * Like store_tx_run, for writes whose correctness does NOT rest on running
 * alone: on PostgreSQL such transactions run at the same time as one
 * another (never at the same time as a store_tx_run transaction, which
 * still runs alone), so fn must itself serialise what it needs — the keys
 * it writes by a lock of the domain (store_scanq_lock_listing) taken before
 * it reads them, unique constraints for the rest. The audit chain needs no
 * care: audit_append takes the backend's audit lock (held to the end), and
 * audit_defer/audit_flush keep that part short. SQLite, whose writers run
 * alone anyway, runs plain store_tx_run. docs/internals/store.md,
 * "Concurrent write transactions". Must not be nested (IPS_ERR_INTERNAL).
 */
ips_status store_tx_run_concurrent(struct store *s, store_tx_fn fn, void *arg);
/* True while a transaction opened by store_tx_run_concurrent is active. */
bool store_tx_concurrent(const struct store *s);
/*
 * Like store_tx_run, except that it returns once the transaction has
 * committed, without waiting for the commit to reach stable storage, so
 * that the caller's next transaction overlaps that sync. OUT *ticket names
 * the commit for store_tx_synced (0: nothing to wait for: the backend's
 * commits are durable when they return, as PostgreSQL's, or nothing was
 * written). Until store_tx_synced(ticket) succeeds the commit must not be
 * acknowledged to anyone: a crash may still lose it. Failure: as
 * store_tx_run (*ticket is then 0).
 */
ips_status store_tx_run_unsynced(struct store *s, store_tx_fn fn, void *arg, uint64_t *ticket);
/*
 * Like store_tx_run_unsynced, for a bulk load (the catalog import's batch)
 * whose every reference is to a row that the transaction itself writes or
 * has just read: the backend may leave the foreign keys of its writes
 * unchecked for the transaction (SQLite does; PostgreSQL checks them), and
 * may hold some rows back to write several in one statement (SQLite does
 * with plain allow verdicts: store_detections_verdict_insert). A held-back
 * row is written before any later statement of the transaction that reads
 * or refers to its table, and before the commit; its error, if any, is
 * then that statement's or the commit's, and fails the transaction as it
 * would have anyway. Other transactions on s are as before.
 */
ips_status store_tx_run_bulk(struct store *s, store_tx_fn fn, void *arg, uint64_t *ticket);
/*
 * Wait until the commit named by ticket (store_tx_run_unsynced on s) is on
 * stable storage; 0 returns at once. It touches no connection state, so a
 * thread may call it while another thread runs transactions on s.
 * Failure: IPS_ERR_IO (logged) when the sync that should cover it failed.
 */
ips_status store_tx_synced(struct store *s, uint64_t ticket);

/* ---- meta: small key/value settings (server keys, flags) ---------------- */

/* OUT value: NUL-terminated, cap bytes at most. NOT_FOUND if absent,
 * IPS_ERR_TOO_LARGE if it does not fit. */
ips_status store_meta_get(struct store *s, const char *key, char *value, size_t cap);
ips_status store_meta_set(struct store *s, const char *key, const char *value);

/* ---- organisations --------------------------------------------------------- */

struct store_org {
    char id[ID_SIZE];
    char name[STORE_NAME_MAX + 1]; /* unique */
    char kind[STORE_KIND_MAX + 1]; /* platform | rightholder | seller | agency */
    int64_t created_ms;
};

ips_status store_org_insert(struct store *s, const struct store_org *o); /* CONFLICT on name */
ips_status store_org_get(struct store *s, const char *id, struct store_org *out);
ips_status store_org_get_by_name(struct store *s, const char *name, struct store_org *out);

/* Listing callbacks get one row at a time; returning non-OK stops the scan
 * and that status is returned. */
typedef ips_status (*store_org_cb)(const struct store_org *o, void *arg);
/* Orgs ordered by id ascending with id > after (after NULL or "" = from the
 * start), at most limit rows (limit <= 0: STORE_LIST_DEFAULT_LIMIT); only_id
 * non-NULL restricts to that one org. */
ips_status store_org_list(struct store *s, const char *only_id, const char *after, int limit,
                          store_org_cb cb, void *arg);

/* ---- users --------------------------------------------------------------- */

struct store_user {
    char id[ID_SIZE];
    char org_id[ID_SIZE];
    char email[STORE_EMAIL_MAX + 1]; /* unique, stored lower-case */
    char role[STORE_KIND_MAX + 1];   /* admin | reviewer | rightholder | seller | officer | auditor */
    char pw_hash[STORE_PWHASH_MAX + 1]; /* argon2id encoded string */
    int64_t created_ms;
    bool disabled;
};

ips_status store_user_insert(struct store *s, const struct store_user *u); /* CONFLICT on email; NOT_FOUND if org missing */
ips_status store_user_get(struct store *s, const char *id, struct store_user *out);
ips_status store_user_get_by_email(struct store *s, const char *email, struct store_user *out);
ips_status store_user_set_password(struct store *s, const char *id, const char *pw_hash);
/* Set or clear the user's disabled flag (idempotent: setting the value it
 * already has succeeds). Sessions are left alone: a caller disabling a user
 * also calls store_session_delete_for_user, in the same transaction.
 * Failure: IPS_ERR_NOT_FOUND when no user has this id. */
ips_status store_user_set_disabled(struct store *s, const char *id, bool disabled);
typedef ips_status (*store_user_cb)(const struct store_user *u, void *arg);
/* Users by id ascending after `after`, at most limit (limit <= 0:
 * STORE_LIST_DEFAULT_LIMIT); only_org non-NULL restricts to one org. */
ips_status store_user_list(struct store *s, const char *only_org, const char *after, int limit,
                           store_user_cb cb, void *arg);

/* ---- login sessions ---------------------------------------------------------- */

struct store_session {
    char id[ID_SIZE];
    char user_id[ID_SIZE];
    uint8_t token_hash[STORE_HASH_LEN]; /* hash of the cookie secret; the secret is never stored */
    int64_t created_ms;
    int64_t expires_ms;
};

ips_status store_session_insert(struct store *s, const struct store_session *se);
/* NOT_FOUND when no session has this hash (expiry is the caller's check). */
ips_status store_session_get_by_hash(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                     struct store_session *out);
ips_status store_session_delete(struct store *s, const char *id); /* NOT_FOUND if absent */
/* Delete sessions with expires_ms <= now_ms. OUT *deleted may be NULL. */
ips_status store_session_purge(struct store *s, int64_t now_ms, int *deleted);
/* Delete every session of one user (log out everywhere: password change,
 * disabling). An unknown user or one without sessions is not an error.
 * OUT *deleted (may be NULL): how many were deleted, 0 or more. */
ips_status store_session_delete_for_user(struct store *s, const char *user_id, int *deleted);

/* ---- API tokens ---------------------------------------------------------------- */

struct store_token {
    char id[ID_SIZE];
    char user_id[ID_SIZE];
    char name[STORE_NAME_MAX + 1];
    uint8_t token_hash[STORE_HASH_LEN];
    int64_t created_ms;
    int64_t expires_ms; /* 0 = never */
    int64_t revoked_ms; /* 0 = not revoked */
};

ips_status store_token_insert(struct store *s, const struct store_token *t);
ips_status store_token_get(struct store *s, const char *id, struct store_token *out);
ips_status store_token_get_by_hash(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                   struct store_token *out);
/* Set revoked_ms if not yet revoked; NOT_FOUND if no such token. */
ips_status store_token_revoke(struct store *s, const char *id, int64_t now_ms);
typedef ips_status (*store_token_cb)(const struct store_token *t, void *arg);
/* Tokens of one user (only_user non-NULL) or all, id ascending after `after`,
 * at most limit (limit <= 0: STORE_LIST_DEFAULT_LIMIT). */
ips_status store_token_list(struct store *s, const char *only_user, const char *after,
                            int limit, store_token_cb cb, void *arg);

/* ---- login attempts (throttling) ---------------------------------------------- */

ips_status store_login_attempt_add(struct store *s, const char *email, const char *addr,
                                   bool ok, int64_t now_ms);
/* Failed attempts since since_ms for this email and, separately, this address. */
ips_status store_login_failures(struct store *s, const char *email, const char *addr,
                                int64_t since_ms, int *by_email, int *by_addr);
/* Forget failed attempts of this email (after a successful login). */
ips_status store_login_failures_clear(struct store *s, const char *email);
/* Delete every attempt, failed or not, with at_ms < before_ms (housekeeping:
 * attempts older than the throttling window no longer count).
 * OUT *deleted (may be NULL): how many rows were deleted. */
ips_status store_login_attempts_purge(struct store *s, int64_t before_ms, int *deleted);

/* ---- login lockouts ----------------------------------------------------------- */

/* OUT *until_ms: when email's lockout ends (ms since the epoch); 0 when it
 * has none. A value <= now means the lock has expired. */
ips_status store_login_lock_get(struct store *s, const char *email, int64_t *until_ms);
/* until_ms > 0: lock email from now_ms until until_ms, replacing any lock;
 * until_ms == 0: remove email's lock (none: nothing happens). Locks are kept
 * per email whether or not an account has it.
 * Failure: IPS_ERR_TOO_LARGE for an email longer than STORE_EMAIL_MAX. */
ips_status store_login_lock_set(struct store *s, const char *email, int64_t now_ms,
                                int64_t until_ms);

/* ---- audit log -------------------------------------------------------------- */

struct store_audit_event {
    int64_t seq; /* 1, 2, 3, ... assigned by the caller as last seq + 1 */
    int64_t ts_ms;
    char actor[STORE_OBJECT_MAX + 1];   /* user id, "system" or "anonymous" */
    char action[STORE_ACTION_MAX + 1];  /* e.g. "user.create" */
    char object[STORE_OBJECT_MAX + 1];  /* e.g. "user:01J..." */
    char outcome[STORE_KIND_MAX + 1];   /* ok | denied | failed */
    char detail[STORE_DETAIL_MAX + 1];  /* short, never secrets */
    uint8_t prev_hash[STORE_HASH_LEN];
    uint8_t hash[STORE_HASH_LEN];
};

/* The newest event's seq and hash; seq 0 and an all-zero hash when empty. */
ips_status store_audit_head(struct store *s, int64_t *seq, uint8_t hash[STORE_HASH_LEN]);
/* Insert as given (seq must be head+1; CONFLICT otherwise). */
ips_status store_audit_insert(struct store *s, const struct store_audit_event *ev);
typedef ips_status (*store_audit_cb)(const struct store_audit_event *ev, void *arg);
/* Events in seq order. Ascending: seq > after; descending (newest first):
 * seq < after, where after 0 means from the newest. limit <= 0: no limit. */
ips_status store_audit_list(struct store *s, bool newest_first, int64_t after, int limit,
                            store_audit_cb cb, void *arg);
/* Test and repair tooling only: overwrite one event's detail (used by tests to
 * prove that `audit verify` finds tampering). */
ips_status store_audit_tamper(struct store *s, int64_t seq, const char *detail);

#endif

/*
 * store_backend.h — the private interface between the store's dispatch
 * functions (store.c, store_<domain>.c) and a backend.
 *
 * Only src/store/ includes this header; everything else uses store.h and the
 * store_<domain>.h headers. docs/internals/store.md is the design note.
 *
 * Shape (after Redis's ae.c / ae_epoll.c / ae_kqueue.c): a backend defines
 * its own connection struct whose FIRST member is a struct store, and one
 * const struct store_ops table. store.c receives a struct store * from the
 * backend's open function and calls through s->ops; the backend casts the
 * pointer back to its own struct (valid because the base is the first
 * member, C17 6.7.2.1p15).
 *
 *     struct sqlite_store {
 *         struct store base;      // must be first
 *         sqlite3 *db;
 *         ...
 *     };
 *
 * Domains. The foundation (meta, orgs, users, sessions, tokens, login
 * attempts, audit) has its operations directly in struct store_ops. Every
 * other domain (registry, catalog, ledger, notices, ...) keeps its operations
 * in a table of its own, struct store_<domain>_ops, declared in the domain's
 * src/store/store_<domain>_backend.h, and is registered by ONE line in
 * STORE__DOMAINS below. That line gives struct store_ops a member
 *
 *     const struct store_<domain>_ops *<domain>;
 *
 * and obliges every backend to define an object named
 * <backend>__<domain>_ops (sqlite__registry_ops,
 * pg__registry_ops): the backends build their tables from the same
 * list, so a backend that lacks a domain does not link.
 *
 * Division of work:
 *   - store.c and store_<domain>.c check arguments that must not be NULL (so
 *     a backend may assume them; STORE__REQUIRE below), and store.c owns the
 *     transaction protocol (store_tx_run: nesting refusal, retries on
 *     IPS_ERR_BUSY, commit/rollback) and keeps base.in_tx.
 *   - A backend implements the SQL: one function pointer per public operation
 *     with the same contract as in the public header, plus tx_begin/
 *     tx_commit/tx_rollback, which store.c alone calls.
 *
 * Invariants: ops is never NULL and every pointer in it (except the
 * optional tx_grouped), and in every domain table it points to, is set;
 * in_tx is true exactly between a successful tx_begin and the matching
 * tx_commit or tx_rollback made by store_tx_run, or while a backend's
 * tx_grouped runs a group's functions on that connection. Otherwise
 * backends read in_tx (to know whether they are inside the caller's
 * transaction) but never write it.
 *
 * Failure: every op returns an ips_status with the meanings of store.h and
 * writes OUT parameters only on IPS_OK.
 */
#ifndef IPS_STORE_STORE_BACKEND_H
#define IPS_STORE_STORE_BACKEND_H

#include <stdbool.h>

#include "core/embed.h"
#include "core/log.h"
#include "store/store.h"

/*
 * The domains with a store_<domain>_ops table, one X(<domain>) line each, in
 * the order their migrations were numbered. Adding a domain = adding its line
 * here (see docs/internals/store.md, "Adding a domain's persistence"); the
 * line must end with the backslash, the end-of-list comment stays last.
 */
#define STORE__DOMAINS(X)                                                                    \
    X(blob)                                                                                  \
    X(rights)                                                                                \
    X(profile)                                                                               \
    X(alliance)                                                                              \
    X(catalog)                                                                               \
    X(ledger)                                                                                \
    X(notices)                                                                               \
    X(webhook)                                                                               \
    X(detections)                                                                            \
    X(enforce)                                                                               \
    X(referrals)                                                                             \
    X(litigation)                                                                            \
    X(reports)                                                                               \
    X(scanq)                                                                                 \
    /* end of STORE__DOMAINS */

/* struct store_ops member of one domain (expanded through STORE__DOMAINS). */
#define STORE__DOMAIN_MEMBER(domain) const struct store_##domain##_ops *domain;

struct store_ops {
    const char *name; /* "sqlite" or "postgres"; store_backend_name() */

    /* Lifecycle. close frees the backend struct; s is invalid afterwards. */
    void (*close)(struct store *s);
    ips_status (*migrate)(struct store *s, int *applied);
    ips_status (*schema_version)(struct store *s, int *out);

    /* Transactions, called only by store_tx_run. tx_begin starts a write-
     * locking (IMMEDIATE) transaction; tx_rollback must be safe to call when
     * the backend already rolled back on its own (it then returns IPS_OK). */
    ips_status (*tx_begin)(struct store *s);
    ips_status (*tx_commit)(struct store *s);
    ips_status (*tx_rollback)(struct store *s);
    /* Optional; NULL: store_tx_run_grouped runs store_tx_run. Run fn in a
     * write transaction that other threads' grouped calls on the same
     * database may share, each under its own savepoint (store.h). Called
     * only by store_tx_run_grouped, never nested; the backend sets in_tx of
     * the connection that runs a group while its functions run. */
    ips_status (*tx_grouped)(struct store *s, store_tx_fn fn, void *arg);
    /* Optional; NULL: commits are durable when tx_commit returns, and
     * store_tx_run_unsynced's tickets are 0. With s->unsynced set, tx_commit
     * leaves the commit's sync for tx_synced and puts its ticket in
     * s->ticket (0 when there is none). tx_synced may run on a thread other
     * than the one inside a transaction on s: it reads no connection state. */
    ips_status (*tx_synced)(struct store *s, uint64_t ticket);

    /* Meta. */
    ips_status (*meta_get)(struct store *s, const char *key, char *value, size_t cap);
    ips_status (*meta_set)(struct store *s, const char *key, const char *value);

    /* Organisations. */
    ips_status (*org_insert)(struct store *s, const struct store_org *o);
    ips_status (*org_get)(struct store *s, const char *id, struct store_org *out);
    ips_status (*org_get_by_name)(struct store *s, const char *name, struct store_org *out);
    ips_status (*org_list)(struct store *s, const char *only_id, const char *after, int limit,
                           store_org_cb cb, void *arg);

    /* Users. */
    ips_status (*user_insert)(struct store *s, const struct store_user *u);
    ips_status (*user_get)(struct store *s, const char *id, struct store_user *out);
    ips_status (*user_get_by_email)(struct store *s, const char *email, struct store_user *out);
    ips_status (*user_set_password)(struct store *s, const char *id, const char *pw_hash);
    ips_status (*user_set_disabled)(struct store *s, const char *id, bool disabled);
    ips_status (*user_list)(struct store *s, const char *only_org, const char *after, int limit,
                            store_user_cb cb, void *arg);

    /* Sessions. */
    ips_status (*session_insert)(struct store *s, const struct store_session *se);
    ips_status (*session_get_by_hash)(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                      struct store_session *out);
    ips_status (*session_delete)(struct store *s, const char *id);
    ips_status (*session_purge)(struct store *s, int64_t now_ms, int *deleted);
    ips_status (*session_delete_for_user)(struct store *s, const char *user_id, int *deleted);

    /* API tokens. */
    ips_status (*token_insert)(struct store *s, const struct store_token *t);
    ips_status (*token_get)(struct store *s, const char *id, struct store_token *out);
    ips_status (*token_get_by_hash)(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                    struct store_token *out);
    ips_status (*token_revoke)(struct store *s, const char *id, int64_t now_ms);
    ips_status (*token_list)(struct store *s, const char *only_user, const char *after,
                             int limit, store_token_cb cb, void *arg);

    /* Login attempts. */
    ips_status (*login_attempt_add)(struct store *s, const char *email, const char *addr,
                                    bool ok, int64_t now_ms);
    ips_status (*login_failures)(struct store *s, const char *email, const char *addr,
                                 int64_t since_ms, int *by_email, int *by_addr);
    ips_status (*login_failures_clear)(struct store *s, const char *email);
    ips_status (*login_attempts_purge)(struct store *s, int64_t before_ms, int *deleted);
    ips_status (*login_lock_get)(struct store *s, const char *email, int64_t *until_ms);
    ips_status (*login_lock_set)(struct store *s, const char *email, int64_t now_ms,
                                 int64_t until_ms);

    /* Audit log. */
    ips_status (*audit_head)(struct store *s, int64_t *seq, uint8_t hash[STORE_HASH_LEN]);
    ips_status (*audit_insert)(struct store *s, const struct store_audit_event *ev);
    ips_status (*audit_list)(struct store *s, bool newest_first, int64_t after, int limit,
                             store_audit_cb cb, void *arg);
    ips_status (*audit_tamper)(struct store *s, int64_t seq, const char *detail);

    /* One table per domain: const struct store_<domain>_ops *<domain>. */
    STORE__DOMAINS(STORE__DOMAIN_MEMBER)
};

/* The base every backend connection embeds as its first member. */
struct store {
    const struct store_ops *ops;
    bool in_tx; /* maintained by store_tx_run only */
    bool concurrent; /* set by store_tx_run_concurrent around its store_tx_run */
    bool unsynced;   /* set by store_tx_run_unsynced around its store_tx_run */
    bool bulk;       /* set by store_tx_run_bulk around it: tx_begin may leave references
                      * unchecked until the transaction ends */
    uint64_t ticket; /* OUT of tx_commit when unsynced (see tx_synced) */
};

/*
 * Early return for a violated precondition in a dispatch function: a caller
 * bug (a NULL where the contract requires a value), not bad input. Logs the
 * failed check and returns IPS_ERR_INTERNAL from the enclosing function.
 */
#define STORE__REQUIRE(cond)                                                                 \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            log_error("store: precondition failed", "check", #cond, "function", __func__);  \
            return IPS_ERR_INTERNAL;                                                         \
        }                                                                                    \
    } while (0)

/* Attempts of a transaction when the database is busy: the first try plus
 * this many retries (store_tx_run, and a backend's tx_grouped). Each
 * attempt already waited up to the busy timeout, so a few are enough. */
#define STORE__TX_RETRIES 5

/* Sleep before retry number attempt (1, 2, ...) of a busy transaction:
 * 10 ms, 20 ms, 40 ms, ..., capped at 200 ms. Defined in store.c. */
void store__tx_backoff(int attempt);

/* The SQL migrations compiled in by cmake/embed.cmake: files
 * src/store/migrations/NNNN_name.sql, sorted by name, ending with a {NULL}
 * row. */
extern const struct embed_file embed_migrations[];
extern const size_t embed_migrations_count;

/* Version number of a migration file name "NNNN_name.sql": the leading
 * decimal digits (at least one, followed by '_' and ending in ".sql").
 * Returns the version (> 0), or -1 when the name does not have that form. */
int store__migration_version(const char *name);

/* Open the SQLite backend on path (a file path or ":memory:"), applying the
 * pragmas documented in store.h. OUT *out: the connection on IPS_OK.
 * Failure: IPS_ERR_IO when the file cannot be opened or created,
 * IPS_ERR_NOMEM, IPS_ERR_BUSY, IPS_ERR_DB (logged). Defined in store_sqlite.c. */
ips_status store__sqlite_open(const char *path, struct store **out);

/* Open the PostgreSQL backend on url, a libpq connection URI (postgres://
 * or postgresql://); the schema named first in its search_path is created
 * when missing. OUT *out on IPS_OK. Failure: IPS_ERR_IO when the server
 * cannot be reached, IPS_ERR_INVALID for a database without the C collation
 * or a build lacking a domain, IPS_ERR_NOMEM, IPS_ERR_DB (logged). Defined
 * in store_postgres.c. */
ips_status store__postgres_open(const char *url, struct store **out);

#endif

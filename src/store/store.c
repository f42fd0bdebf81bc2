/*
 * store.c — the public functions of store.h: choose a backend from the URL,
 * check arguments, run transactions, and dispatch everything else to the
 * backend's struct store_ops (see store_backend.h).
 *
 * Argument checks here are for programming errors (a NULL where the contract
 * requires a value) and answer IPS_ERR_INTERNAL (STORE__REQUIRE, in
 * store_backend.h); backends may therefore assume their pointer arguments are
 * valid. The operations of the other domains are dispatched the same way by
 * their own store_<domain>.c files.
 */
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/store_backend.h"

static bool store__has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- lifecycle ------------------------------------------------------------ */

/*
 * Open a connection for url (see store.h): "postgres://..." and
 * "postgresql://..." open the PostgreSQL backend; "sqlite:PATH", ":memory:"
 * and any other text are SQLite paths.
 * OUT *out: the connection on IPS_OK, NULL otherwise.
 * Failure: IPS_ERR_INVALID for an empty URL; the
 * backend's open failures otherwise.
 */
ips_status store_open(const char *url, struct store **out)
{
    ips_status result = IPS_ERR_INVALID;
    STORE__REQUIRE(out);
    *out = NULL;
    if (!url || !*url) {
        log_error("store: empty database url");
        goto out;
    }
    if (store__has_prefix(url, "postgres://") || store__has_prefix(url, "postgresql://")) {
        result = store__postgres_open(url, out);
        goto out;
    }
    const char *path = url;
    if (store__has_prefix(url, "sqlite:"))
        path = url + strlen("sqlite:");
    if (!*path) {
        log_error("store: empty database path", "url", url);
        goto out;
    }
    result = store__sqlite_open(path, out);
out:
    return result;
}

void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

const char *store_backend_name(const struct store *s) { return s ? s->ops->name : "none"; }

ips_status store_migrate(struct store *s, int *applied)
{
    STORE__REQUIRE(s);
    STORE__REQUIRE(!s->in_tx); /* each migration is its own transaction */
    return s->ops->migrate(s, applied);
}

ips_status store_schema_version(struct store *s, int *out)
{
    STORE__REQUIRE(s && out);
    return s->ops->schema_version(s, out);
}

int store__migration_version(const char *name)
{
    if (!name || name[0] < '0' || name[0] > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    long v = strtol(name, &end, 10);
    size_t n = strlen(name);
    if (errno || v <= 0 || v > INT_MAX || *end != '_' || n < 4 ||
        strcmp(name + n - 4, ".sql") != 0)
        return -1;
    return (int)v;
}

/* The highest version among the embedded migrations (0 when there are none;
 * malformed names are ignored here and refused by store_migrate). */
int store_schema_latest(void)
{
    int latest = 0;
    for (const struct embed_file *f = embed_migrations; f->name; f++) {
        int v = store__migration_version(f->name);
        if (v > latest)
            latest = v;
    }
    return latest;
}

/* ---- transactions --------------------------------------------------------- */

/* See store_backend.h: 10 ms, 20 ms, 40 ms, ..., capped at 200 ms, so that
 * competing writers drift apart. */
void store__tx_backoff(int attempt)
{
    long ms = 10L << (attempt > 5 ? 5 : attempt - 1);
    if (ms > 200)
        ms = 200;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/*
 * One attempt: BEGIN IMMEDIATE, fn, COMMIT on IPS_OK, otherwise ROLLBACK.
 * Returns fn's status, or the status of BEGIN/COMMIT if those fail. The
 * transaction is never left open: a failed COMMIT is rolled back.
 */
static ips_status store__tx_attempt(struct store *s, store_tx_fn fn, void *arg)
{
    ips_status result = s->ops->tx_begin(s);
    if (result)
        goto out;
    s->in_tx = true;
    result = fn(s, arg);
    if (result == IPS_OK)
        result = s->ops->tx_commit(s);
    if (result != IPS_OK)
        (void)s->ops->tx_rollback(s); /* the original status matters more */
    s->in_tx = false;
out:
    return result;
}

/* True (and logged) when s is inside a transaction: the run functions
 * below refuse to nest. */
static bool store__nested(const struct store *s)
{
    if (s->in_tx)
        log_error("store: nested transaction refused");
    return s->in_tx;
}

/*
 * Run fn(s, arg) in one write transaction (see store.h). fn may run more than
 * once: when the attempt ends in IPS_ERR_BUSY (from BEGIN, fn or COMMIT) the
 * transaction is rolled back and retried up to STORE__TX_RETRIES times, so fn
 * must only change state through s (or be otherwise repeatable).
 * Failure: IPS_ERR_INTERNAL when already inside a transaction (nesting is
 * refused, nothing is run); otherwise fn's status or the database's.
 */
ips_status store_tx_run(struct store *s, store_tx_fn fn, void *arg)
{
    STORE__REQUIRE(s && fn);
    if (store__nested(s))
        return IPS_ERR_INTERNAL;
    ips_status result = store__tx_attempt(s, fn, arg);
    for (int attempt = 1; result == IPS_ERR_BUSY && attempt <= STORE__TX_RETRIES; attempt++) {
        store__tx_backoff(attempt);
        result = store__tx_attempt(s, fn, arg);
    }
    return result;
}

/*
 * Run fn(s', arg) in a write transaction that the backend may share with
 * other threads' grouped calls (see store.h), s' being the connection of
 * the thread that runs the group. Without a grouping backend (PostgreSQL)
 * this is store_tx_run.
 * Failure: IPS_ERR_INTERNAL when s is inside a transaction (nothing is
 * run); otherwise fn's status, or the group's when its commit failed.
 */
ips_status store_tx_run_grouped(struct store *s, store_tx_fn fn, void *arg)
{
    STORE__REQUIRE(s && fn);
    if (store__nested(s))
        return IPS_ERR_INTERNAL;
    return s->ops->tx_grouped ? s->ops->tx_grouped(s, fn, arg) : store_tx_run(s, fn, arg);
}

bool store_in_tx(const struct store *s) { return s && s->in_tx; }

/* ---- concurrent write transactions ----------------------------------------- */

/*
 * store_tx_run with s->concurrent set, which the backend's tx_begin reads:
 * PostgreSQL then takes its write lock in shared mode (store_postgres.c);
 * SQLite ignores it. Failure: as store_tx_run.
 */
ips_status store_tx_run_concurrent(struct store *s, store_tx_fn fn, void *arg)
{
    STORE__REQUIRE(s && fn);
    if (store__nested(s))
        return IPS_ERR_INTERNAL;
    s->concurrent = true;
    ips_status result = store_tx_run(s, fn, arg);
    s->concurrent = false;
    return result;
}

bool store_tx_concurrent(const struct store *s)
{
    return s && s->in_tx && s->concurrent;
}

/* ---- commits synced later ---------------------------------------------------- */

/*
 * store_tx_run with s->unsynced set, which the backend's tx_commit reads
 * (a backend without tx_synced ignores it). Failure: as store_tx_run.
 */
ips_status store_tx_run_unsynced(struct store *s, store_tx_fn fn, void *arg, uint64_t *ticket)
{
    STORE__REQUIRE(s && fn && ticket);
    *ticket = 0;
    if (store__nested(s))
        return IPS_ERR_INTERNAL;
    s->unsynced = s->ops->tx_synced != NULL;
    s->ticket = 0;
    ips_status result = store_tx_run(s, fn, arg);
    s->unsynced = false;
    if (result == IPS_OK)
        *ticket = s->ticket;
    return result;
}

/* store_tx_run_unsynced with s->bulk set, which the backend's tx_begin reads. */
ips_status store_tx_run_bulk(struct store *s, store_tx_fn fn, void *arg, uint64_t *ticket)
{
    STORE__REQUIRE(s && fn && ticket);
    *ticket = 0;
    if (store__nested(s))
        return IPS_ERR_INTERNAL;
    s->bulk = true;
    ips_status result = store_tx_run_unsynced(s, fn, arg, ticket);
    s->bulk = false;
    return result;
}

ips_status store_tx_synced(struct store *s, uint64_t ticket)
{
    STORE__REQUIRE(s);
    return ticket && s->ops->tx_synced ? s->ops->tx_synced(s, ticket) : IPS_OK;
}

/* ---- dispatch --------------------------------------------------------------- */

ips_status store_meta_get(struct store *s, const char *key, char *value, size_t cap)
{
    STORE__REQUIRE(s && key && value);
    return s->ops->meta_get(s, key, value, cap);
}

ips_status store_meta_set(struct store *s, const char *key, const char *value)
{
    STORE__REQUIRE(s && key && value);
    return s->ops->meta_set(s, key, value);
}

ips_status store_org_insert(struct store *s, const struct store_org *o)
{
    STORE__REQUIRE(s && o);
    return s->ops->org_insert(s, o);
}

ips_status store_org_get(struct store *s, const char *id, struct store_org *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->org_get(s, id, out);
}

ips_status store_org_get_by_name(struct store *s, const char *name, struct store_org *out)
{
    STORE__REQUIRE(s && name && out);
    return s->ops->org_get_by_name(s, name, out);
}

ips_status store_org_list(struct store *s, const char *only_id, const char *after, int limit,
                          store_org_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->org_list(s, only_id, after, limit, cb, arg);
}

ips_status store_user_insert(struct store *s, const struct store_user *u)
{
    STORE__REQUIRE(s && u);
    return s->ops->user_insert(s, u);
}

ips_status store_user_get(struct store *s, const char *id, struct store_user *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->user_get(s, id, out);
}

ips_status store_user_get_by_email(struct store *s, const char *email, struct store_user *out)
{
    STORE__REQUIRE(s && email && out);
    return s->ops->user_get_by_email(s, email, out);
}

ips_status store_user_set_password(struct store *s, const char *id, const char *pw_hash)
{
    STORE__REQUIRE(s && id && pw_hash);
    return s->ops->user_set_password(s, id, pw_hash);
}

ips_status store_user_set_disabled(struct store *s, const char *id, bool disabled)
{
    STORE__REQUIRE(s && id);
    return s->ops->user_set_disabled(s, id, disabled);
}

ips_status store_user_list(struct store *s, const char *only_org, const char *after, int limit,
                           store_user_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->user_list(s, only_org, after, limit, cb, arg);
}

ips_status store_session_insert(struct store *s, const struct store_session *se)
{
    STORE__REQUIRE(s && se);
    return s->ops->session_insert(s, se);
}

ips_status store_session_get_by_hash(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                     struct store_session *out)
{
    STORE__REQUIRE(s && hash && out);
    return s->ops->session_get_by_hash(s, hash, out);
}

ips_status store_session_delete(struct store *s, const char *id)
{
    STORE__REQUIRE(s && id);
    return s->ops->session_delete(s, id);
}

ips_status store_session_purge(struct store *s, int64_t now_ms, int *deleted)
{
    STORE__REQUIRE(s);
    return s->ops->session_purge(s, now_ms, deleted);
}

ips_status store_session_delete_for_user(struct store *s, const char *user_id, int *deleted)
{
    STORE__REQUIRE(s && user_id);
    return s->ops->session_delete_for_user(s, user_id, deleted);
}

ips_status store_token_insert(struct store *s, const struct store_token *t)
{
    STORE__REQUIRE(s && t);
    return s->ops->token_insert(s, t);
}

ips_status store_token_get(struct store *s, const char *id, struct store_token *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->token_get(s, id, out);
}

ips_status store_token_get_by_hash(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                   struct store_token *out)
{
    STORE__REQUIRE(s && hash && out);
    return s->ops->token_get_by_hash(s, hash, out);
}

ips_status store_token_revoke(struct store *s, const char *id, int64_t now_ms)
{
    STORE__REQUIRE(s && id);
    return s->ops->token_revoke(s, id, now_ms);
}

ips_status store_token_list(struct store *s, const char *only_user, const char *after,
                            int limit, store_token_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->token_list(s, only_user, after, limit, cb, arg);
}

ips_status store_login_attempt_add(struct store *s, const char *email, const char *addr,
                                   bool ok, int64_t now_ms)
{
    STORE__REQUIRE(s && email && addr);
    return s->ops->login_attempt_add(s, email, addr, ok, now_ms);
}

ips_status store_login_failures(struct store *s, const char *email, const char *addr,
                                int64_t since_ms, int *by_email, int *by_addr)
{
    STORE__REQUIRE(s && email && addr);
    return s->ops->login_failures(s, email, addr, since_ms, by_email, by_addr);
}

ips_status store_login_failures_clear(struct store *s, const char *email)
{
    STORE__REQUIRE(s && email);
    return s->ops->login_failures_clear(s, email);
}

ips_status store_login_attempts_purge(struct store *s, int64_t before_ms, int *deleted)
{
    STORE__REQUIRE(s);
    return s->ops->login_attempts_purge(s, before_ms, deleted);
}

ips_status store_login_lock_get(struct store *s, const char *email, int64_t *until_ms)
{
    STORE__REQUIRE(s && email && until_ms);
    return s->ops->login_lock_get(s, email, until_ms);
}

ips_status store_login_lock_set(struct store *s, const char *email, int64_t now_ms,
                                int64_t until_ms)
{
    STORE__REQUIRE(s && email && until_ms >= 0);
    return s->ops->login_lock_set(s, email, now_ms, until_ms);
}

ips_status store_audit_head(struct store *s, int64_t *seq, uint8_t hash[STORE_HASH_LEN])
{
    STORE__REQUIRE(s && seq && hash);
    return s->ops->audit_head(s, seq, hash);
}

ips_status store_audit_insert(struct store *s, const struct store_audit_event *ev)
{
    STORE__REQUIRE(s && ev);
    return s->ops->audit_insert(s, ev);
}

ips_status store_audit_list(struct store *s, bool newest_first, int64_t after, int limit,
                            store_audit_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->audit_list(s, newest_first, after, limit, cb, arg);
}

ips_status store_audit_tamper(struct store *s, int64_t seq, const char *detail)
{
    STORE__REQUIRE(s && detail);
    return s->ops->audit_tamper(s, seq, detail);
}

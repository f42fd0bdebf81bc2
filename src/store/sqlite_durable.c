/*
 * sqlite_durable.c — group commit for the SQLite backend: every commit on a
 * WAL database is on stable storage before the statement that committed
 * returns, with one fdatasync() shared by all the commits that land while
 * the previous one runs.
 *
 * How (the full argument is in docs/internals/store.md, "Durability and
 * group commit"):
 *   - WAL connections run with PRAGMA synchronous=NORMAL, so COMMIT appends
 *     its frames to <db>-wal with write() and no sync of its own;
 *   - a wal hook (sqlite3_wal_hook), which SQLite calls after EVERY commit on
 *     the connection — explicit COMMIT or an autocommit statement — once the
 *     frames are written and the write lock is released, runs the barrier
 *     below before the statement returns;
 *   - the barrier: each database file has one struct sqlite__durable per
 *     process, shared by all its connections. A commit takes the next
 *     sequence number. If no sync of the file is running, the thread becomes
 *     the leader: it notes the highest sequence number handed out so far,
 *     fdatasync()s the WAL file and publishes that number as synced. Other
 *     threads wait on a condition variable until synced reaches their own
 *     number. While one sync runs, every commit that lands joins the next;
 *   - in-process writers queue on the file's writer mutex before BEGIN
 *     IMMEDIATE (store_tx_run), and a commit made under it defers its
 *     barrier until the mutex is released (sqlite__durable_writer_unlock),
 *     so that the next writer's transaction overlaps this one's fdatasync;
 *   - group transactions (store_tx_run_grouped, docs/internals/store.md
 *     "Group transactions"): callers queue on the file; a leader runs the
 *     queued functions on the file's group connection (whose page cache the
 *     groups' own commits leave valid) in ONE transaction, each under its
 *     own savepoint, commits once, and all of them wait for one barrier
 *     ticket of that commit.
 *
 * Invariants (under sqlite__durable_lock):
 *   - synced <= committed; a commit with sequence n is acknowledged only when
 *     synced >= n, i.e. after an fdatasync that STARTED after its frames were
 *     written (the number was taken after write() returned, the leader reads
 *     committed before it calls fdatasync);
 *   - at most one sync per file runs at a time (syncing);
 *   - at most one group per file runs at a time (leading); a request not
 *     done is either on the queue or in the running group, and its caller
 *     returns only after done is set (its stack frame stays valid).
 *   - failed != 0 is sticky: after one failed fdatasync the kernel may have
 *     dropped the dirty pages and a later successful sync proves nothing
 *     about them, so every later commit on the file reports the error until
 *     every connection of the process to it has closed (in practice: the
 *     server restarts and SQLite recovers from what is on disk).
 *
 * The wal hook replaces SQLite's automatic checkpoint (sqlite3_wal_hook and
 * sqlite3_wal_autocheckpoint share one slot), so the hook also asks for the
 * PASSIVE checkpoint the default would run at SQLITE__WAL_CHECKPOINT_PAGES;
 * the file's checkpointer thread runs it (sqlite__durable_ckpt_main), so no
 * request waits for one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "store/sqlite_internal.h"

/* Pages in the WAL at which a commit asks for a PASSIVE checkpoint: SQLite's
 * own default (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT), which the hook replaces. */
#define SQLITE__WAL_CHECKPOINT_PAGES 1000

/* Pages in the WAL at which a commit runs the checkpoint itself, as SQLite's
 * automatic checkpoint would, instead of leaving it to the file's
 * checkpointer thread: back-pressure when that thread falls behind. */
#define SQLITE__WAL_CHECKPOINT_INLINE_PAGES (8 * SQLITE__WAL_CHECKPOINT_PAGES)

/* How long the checkpointer's RESTART step waits for readers still on the
 * WAL (and for a writer of another process), in milliseconds: in-process
 * writers wait as long at most (sqlite__durable_ckpt_run). Readers of a
 * request take a few milliseconds; a longer one (a report) makes the step
 * give up, and the next try waits for another threshold of WAL pages. */
#define SQLITE__CKPT_BUSY_MS 25

/* A writer that has held the file's writer mutex this long (milliseconds)
 * is inside a long transaction — a batch of the catalog import — and the
 * checkpointer does not queue behind it for its RESTART step while the WAL
 * is below SQLITE__WAL_RESTART_FORCE_PAGES (sqlite__durable_ckpt_run). */
#define SQLITE__CKPT_LONG_TX_MS 10

/* WAL pages from which the RESTART step waits for the writer mutex even
 * behind a long transaction: the WAL is restarted at least this often
 * (below the inline checkpoint's threshold, so that the long transactions'
 * own commits never run one). */
#define SQLITE__WAL_RESTART_FORCE_PAGES (6 * SQLITE__WAL_CHECKPOINT_PAGES)

/* Most transaction functions one group runs: bounds the latency a request
 * waits for the functions queued ahead of it. */
#define SQLITE__GROUP_MAX 64

/* One caller of sqlite__durable_tx_grouped, on its stack; in the file's
 * queue until a leader takes it (all fields under sqlite__durable_lock
 * until done is set, then the caller's). */
struct sqlite__group_req {
    struct sqlite__group_req *next;
    store_tx_fn fn;
    void *arg;
    ips_status status; /* fn's, or the group's when the group failed */
    uint64_t ticket;   /* committed writes: the barrier's sequence number, else 0 */
    bool done;         /* status (and ticket) are final */
};

/* The group-commit state of one database file in this process. */
struct sqlite__durable {
    struct sqlite__durable *next; /* in sqlite__durable_list */
    unsigned refs;                /* connections attached */
    uint64_t committed;           /* sequence numbers handed out */
    uint64_t synced;              /* every commit <= synced is on stable storage */
    bool syncing;                 /* a leader is in fdatasync */
    int failed;                   /* errno of a failed sync; sticky */
    pthread_cond_t done;          /* broadcast when a sync ends */
    pthread_mutex_t writer;       /* in-process writers, BEGIN IMMEDIATE to COMMIT/ROLLBACK */
    _Atomic int64_t writer_since; /* when writer was taken (time_mono_ns), 0 when free */
    /* group transactions (sqlite__durable_tx_grouped) */
    struct sqlite__group_req *queue; /* waiting to be run, oldest first */
    struct sqlite__group_req **queue_tail;
    bool leading;              /* a thread is running a group */
    pthread_cond_t group_done; /* broadcast when a group ends */
    /* The connection every group runs on, opened by the first leader and
     * used only by the thread holding leading: its page cache survives the
     * groups' own commits (only other connections' commits invalidate it),
     * where a request thread's connection starts each group with an
     * invalidated cache. Holds one of refs; closed when it is the last. */
    struct store *group_conn;
    /* The checkpointer (sqlite__durable_ckpt_main): a thread with a
     * connection of its own that runs the PASSIVE checkpoints commits ask
     * for, so that no request waits for one. Started by the first commit
     * that asks, stopped and joined when the last connection detaches. */
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_cond; /* signalled when ckpt_wanted or ckpt_stop is set */
    bool ckpt_started;        /* ckpt_thread runs (and must be joined) */
    bool ckpt_broken;         /* it could not be started or open its connection */
    bool ckpt_wanted;         /* a commit asked for a checkpoint */
    bool ckpt_stop;           /* the last connection detached */
    uint64_t ckpt_runs;       /* checkpoints it ran (for tests) */
    char *db_path;            /* the database file (the key) */
    char *wal_path;           /* its write-ahead log */
};

static pthread_mutex_t sqlite__durable_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sqlite__durable *sqlite__durable_list;
/* store_group_stats: every group committed in the process (under the lock) */
static struct store_group_stats sqlite__group_stats;

/* Unlink d from the list; called with the lock held when its last
 * connection detaches. */
static void sqlite__durable_unlink(struct sqlite__durable *d)
{
    for (struct sqlite__durable **p = &sqlite__durable_list; *p; p = &(*p)->next) {
        if (*p == d) {
            *p = d->next;
            break;
        }
    }
}

/* Free an unlinked d whose checkpointer, if any, has been joined. */
static void sqlite__durable_free(struct sqlite__durable *d)
{
    pthread_cond_destroy(&d->ckpt_cond);
    pthread_cond_destroy(&d->done);
    pthread_cond_destroy(&d->group_done);
    pthread_mutex_destroy(&d->writer);
    free(d->db_path);
    free(d->wal_path);
    free(d);
}

/* The state for db_path, found or made (refs not yet counted); NULL when out
 * of memory. Called with the lock held. */
static struct sqlite__durable *sqlite__durable_find(const char *db_path, const char *wal_path)
{
    for (struct sqlite__durable *d = sqlite__durable_list; d; d = d->next) {
        if (strcmp(d->db_path, db_path) == 0)
            return d;
    }
    struct sqlite__durable *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->db_path = strdup(db_path);
    d->wal_path = strdup(wal_path);
    pthread_mutexattr_t attr;
    bool attr_ok = pthread_mutexattr_init(&attr) == 0;
    bool writer_ok = attr_ok && pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) == 0 &&
                     pthread_mutex_init(&d->writer, &attr) == 0;
    if (attr_ok)
        pthread_mutexattr_destroy(&attr);
    bool done_ok = writer_ok && pthread_cond_init(&d->done, NULL) == 0;
    bool group_ok = done_ok && pthread_cond_init(&d->group_done, NULL) == 0;
    bool ckpt_ok = group_ok && pthread_cond_init(&d->ckpt_cond, NULL) == 0;
    if (!d->db_path || !d->wal_path || !ckpt_ok) {
        if (group_ok)
            pthread_cond_destroy(&d->group_done);
        if (done_ok)
            pthread_cond_destroy(&d->done);
        if (writer_ok)
            pthread_mutex_destroy(&d->writer);
        free(d->db_path);
        free(d->wal_path);
        free(d);
        return NULL;
    }
    d->queue_tail = &d->queue;
    d->next = sqlite__durable_list;
    sqlite__durable_list = d;
    return d;
}

/*
 * fdatasync the file at path through a descriptor of our own (Linux flushes
 * the inode's dirty pages whichever descriptor asks). Result: 0, or the
 * errno of the failed call — ENOENT when the file does not exist.
 */
static int sqlite__durable_sync_path(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = 0;
    while (fdatasync(fd) != 0) {
        if (errno != EINTR) {
            err = errno;
            break;
        }
    }
    if (close(fd) != 0 && !err && errno != EINTR)
        err = errno;
    return err;
}

/*
 * The leader's sync, called without the lock. The WAL holds every commit
 * not yet checkpointed; when it does not exist (no connection of any
 * process has it open — cannot happen while the committing connection is
 * open, handled anyway) the commit can only be in the database file, so
 * that is synced instead. Result: 0 or an errno, logged here.
 */
static int sqlite__durable_sync(const struct sqlite__durable *d)
{
    const char *path = d->wal_path;
    int err = sqlite__durable_sync_path(path);
    if (err == ENOENT) {
        path = d->db_path;
        err = sqlite__durable_sync_path(path);
    }
    if (err)
        log_error("store: fdatasync failed; commits on this database fail until restart", "path",
                  path, "error", strerror(err));
    return err;
}

/*
 * Wait, with sqlite__durable_lock held, until the commit numbered mine
 * (taken from ++d->committed after its frames were written) is covered by
 * a completed fdatasync, running that sync when none is running (see the
 * file comment). Result: 0, or the errno of the failed sync that should
 * have covered it (or of an earlier one: failed is sticky).
 */
static int sqlite__durable_wait_locked(struct sqlite__durable *d, uint64_t mine)
{
    while (!d->failed && d->synced < mine) {
        if (d->syncing) {
            pthread_cond_wait(&d->done, &sqlite__durable_lock);
            continue;
        }
        d->syncing = true;
        uint64_t upto = d->committed;
        pthread_mutex_unlock(&sqlite__durable_lock);
        int64_t t0 = time_mono_ns();
        int err = sqlite__durable_sync(d);
        uint64_t took = (uint64_t)(time_mono_ns() - t0);
        pthread_mutex_lock(&sqlite__durable_lock);
        sqlite__group_stats.syncs++;
        sqlite__group_stats.sync_ns += took;
        d->syncing = false;
        if (err)
            d->failed = err;
        else if (upto > d->synced)
            d->synced = upto;
        pthread_cond_broadcast(&d->done);
    }
    return d->synced >= mine ? 0 : d->failed;
}

/* Wait for commit number ticket as sqlite__durable_wait_locked does. */
static int sqlite__durable_wait(struct sqlite__durable *d, uint64_t ticket)
{
    pthread_mutex_lock(&sqlite__durable_lock);
    int result = sqlite__durable_wait_locked(d, ticket);
    pthread_mutex_unlock(&sqlite__durable_lock);
    return result;
}

/* Log a checkpoint's failure; SQLITE_BUSY and SQLITE_LOCKED are not
 * failures (another checkpoint runs, or a reader held on). */
static void sqlite__durable_ckpt_check(const struct sqlite__durable *d, sqlite3 *db, int rc,
                                       const char *mode)
{
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
        log_warn("store: checkpoint failed", "path", d->db_path, "mode", mode, "error",
                 sqlite3_errmsg(db));
}

/*
 * One checkpoint of the checkpointer, in two steps, so that the WAL is
 * restarted from its beginning instead of growing without end.
 *
 * Why: SQLite restarts the WAL only when a writer begins while every frame
 * is already in the database file and no reader still reads an older
 * snapshot from the WAL. Under a steady stream of commits a PASSIVE
 * checkpoint never finds that moment (commits land while it copies), so
 * the WAL grew to ~90 MB in the notice benchmark and every commit past the
 * threshold paid a checkpoint of its own.
 *
 *   1. PASSIVE, blocking nobody: copies the bulk of the frames. A WAL
 *      already restarted (fewer frames than the threshold: the commits
 *      that asked saw it before) ends the run here.
 *   2. With the file's in-process writer mutex held (no store transaction
 *      can commit), RESTART: copies the frames committed during step 1 —
 *      few — syncs, and waits (busy handler, SQLITE__CKPT_BUSY_MS at most)
 *      until no reader reads the WAL any more; the next writer then starts
 *      the WAL over. Writers wait for step 2 only: a few pages and two
 *      small fdatasyncs. When the wait runs out (a long reader), the WAL
 *      goes on growing, and the next RESTART waits until it has grown by
 *      another threshold (*restart_at, the checkpointer's own), so that a
 *      long report does not stall every writer once per commit.
 *      A writer inside a long transaction (held the mutex for
 *      SQLITE__CKPT_LONG_TX_MS: a batch of the catalog import, thousands of
 *      pages) is not waited for while the WAL is below
 *      SQLITE__WAL_RESTART_FORCE_PAGES: the step would start when that
 *      transaction commits and then copy its every page with the writers
 *      waiting (36-57 ms before each batch of the import: docs/benchmarks.md,
 *      "Catalog import", stop 21). The WAL then restarts once per four or
 *      five import batches instead of once per batch.
 */
static void sqlite__durable_ckpt_run(struct sqlite__durable *d, sqlite3 *db, int *restart_at)
{
    int frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &frames, NULL);
    sqlite__durable_ckpt_check(d, db, rc, "passive");
    if (rc != SQLITE_OK || frames < SQLITE__WAL_CHECKPOINT_PAGES) {
        /* asked by commits that saw the WAL before it restarted */
        *restart_at = SQLITE__WAL_CHECKPOINT_PAGES;
        return;
    }
    if (frames < *restart_at)
        return;
    if (pthread_mutex_trylock(&d->writer) != 0) {
        int64_t since = atomic_load_explicit(&d->writer_since, memory_order_relaxed);
        if (since != 0 && time_mono_ns() - since > (int64_t)SQLITE__CKPT_LONG_TX_MS * 1000000 &&
            frames < SQLITE__WAL_RESTART_FORCE_PAGES)
            return; /* behind a long transaction: at a later commit's request */
        if (pthread_mutex_lock(&d->writer) != 0)
            return;
    }
    rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    pthread_mutex_unlock(&d->writer);
    sqlite__durable_ckpt_check(d, db, rc, "restart");
    /* A reader held on past the wait: do not stall the writers again before
     * the WAL has grown by another threshold. */
    *restart_at =
        rc == SQLITE_OK ? SQLITE__WAL_CHECKPOINT_PAGES : frames + SQLITE__WAL_CHECKPOINT_PAGES;
}

/*
 * The checkpointer of d: opens a connection of its own to the file (through
 * the same VFS) and runs a checkpoint (sqlite__durable_ckpt_run) each time a
 * commit asks (ckpt_wanted), until ckpt_stop. Each syncs the WAL before and
 * the database after copying, as the automatic checkpoint it replaces did. When its
 * connection cannot be opened it marks itself broken and commits checkpoint
 * inline again. Closing the connection after the store's last one has
 * closed makes it the file's last connection: SQLite then checkpoints and
 * removes the WAL, as a clean shutdown always did.
 */
static void *sqlite__durable_ckpt_main(void *arg)
{
    struct sqlite__durable *d = arg;
    sqlite3 *db = NULL;
    int restart_at = SQLITE__WAL_CHECKPOINT_PAGES; /* sqlite__durable_ckpt_run */
    int rc = sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             sqlite__vfs_name());
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db, SQLITE__CKPT_BUSY_MS);
    /* A connection that has read nothing does not know the file is in WAL
     * mode, and its checkpoints do nothing: read the schema first. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        log_error("store: the checkpointer cannot open the database; commits checkpoint inline",
                  "path", d->db_path, "error", sqlite3_errstr(rc));
        sqlite3_close(db);
        db = NULL;
    }
    pthread_mutex_lock(&sqlite__durable_lock);
    if (!db)
        d->ckpt_broken = true;
    while (db && !d->ckpt_stop) {
        if (!d->ckpt_wanted) {
            pthread_cond_wait(&d->ckpt_cond, &sqlite__durable_lock);
            continue;
        }
        d->ckpt_wanted = false;
        pthread_mutex_unlock(&sqlite__durable_lock);
        sqlite__durable_ckpt_run(d, db, &restart_at);
        pthread_mutex_lock(&sqlite__durable_lock);
        d->ckpt_runs++;
    }
    pthread_mutex_unlock(&sqlite__durable_lock);
    sqlite3_close(db);
    return NULL;
}

/* Ask d's checkpointer for a checkpoint, starting it on first use. Called
 * with the lock held. Result: false when there is no checkpointer (it
 * could not start, or could not open its connection): the caller runs the
 * checkpoint itself. */
static bool sqlite__durable_ckpt_ask_locked(struct sqlite__durable *d)
{
    if (d->ckpt_broken)
        return false;
    if (!d->ckpt_started) {
        if (pthread_create(&d->ckpt_thread, NULL, sqlite__durable_ckpt_main, d) != 0) {
            log_error("store: cannot start the checkpointer; commits checkpoint inline", "path",
                      d->db_path);
            d->ckpt_broken = true;
            return false;
        }
        d->ckpt_started = true;
    }
    d->ckpt_wanted = true;
    pthread_cond_signal(&d->ckpt_cond);
    return true;
}

/* With the lock held: see to the checkpoint a commit that left pages frames
 * in the WAL calls for. Result: true when the caller must run it itself
 * (the WAL has grown to SQLITE__WAL_CHECKPOINT_INLINE_PAGES, or there is no
 * checkpointer). */
static bool sqlite__durable_ckpt_due_locked(struct sqlite__durable *d, int pages)
{
    return pages >= SQLITE__WAL_CHECKPOINT_PAGES &&
           (pages >= SQLITE__WAL_CHECKPOINT_INLINE_PAGES || !sqlite__durable_ckpt_ask_locked(d));
}

/* Wait for the commit with sequence number ticket (0: a fresh number for
 * the commit the calling thread has just written), then see to the
 * checkpoint the automatic one would have run at this WAL size: the
 * checkpointer's, or this thread's own when the WAL has grown to
 * SQLITE__WAL_CHECKPOINT_INLINE_PAGES (or there is no checkpointer).
 * Result: 0 or the barrier's errno. */
static int sqlite__durable_after_commit(struct sqlite_store *ss, uint64_t ticket, const char *name,
                                        int pages)
{
    struct sqlite__durable *d = ss->durable;
    pthread_mutex_lock(&sqlite__durable_lock);
    int err = sqlite__durable_wait_locked(d, ticket ? ticket : ++d->committed);
    bool inline_ckpt = !err && sqlite__durable_ckpt_due_locked(d, pages);
    pthread_mutex_unlock(&sqlite__durable_lock);
    if (inline_ckpt)
        (void)sqlite3_wal_checkpoint_v2(ss->db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return err;
}

/*
 * The wal hook (sqlite3_wal_hook): SQLite calls it after each commit on the
 * connection, with SQLite's write lock released. Inside store_tx_run (the
 * writer lock is held) it only notes that the commit needs the barrier;
 * otherwise — an autocommit statement, a migration — it runs the barrier and
 * the checkpoint now. Result: SQLITE_OK, or
 * SQLITE_IOERR_FSYNC, which makes the statement that committed fail (the
 * commit itself stays done, but is not acknowledged); sqlite3_step reports
 * it as a plain SQLITE_ERROR, so ss->sync_failed tells sqlite__status that
 * the failure is the barrier's (IPS_ERR_IO).
 */
static int sqlite__durable_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sqlite_store *ss = arg;
    /* The shim wrote this commit's frames out with its commit frame
     * (sqlite_vfs.c); anything still pending would be a SQLite whose WAL
     * writes it does not know: write it out before the barrier syncs. */
    bool pending = false;
    if (sqlite__vfs_wal_flush(db, &pending) != SQLITE_OK) {
        log_error("sqlite error", "sql", "COMMIT", "error",
                  "write of the WAL's last frames failed");
        ss->sync_failed = true;
        return SQLITE_IOERR_WRITE;
    }
    if (pending)
        log_warn("sqlite: WAL frames were still pending after a commit", "path",
                 ss->durable->db_path);
    if (ss->writer_held) {
        ss->sync_pending = true;
        ss->wal_pages = pages;
        return SQLITE_OK;
    }
    if (sqlite__durable_after_commit(ss, 0, name, pages) != 0) {
        ss->sync_failed = true; /* for sqlite__status: see there */
        return SQLITE_IOERR_FSYNC;
    }
    return SQLITE_OK;
}

/* See sqlite_internal.h. */
ips_status sqlite__durable_writer_lock(struct sqlite_store *ss)
{
    if (!ss->durable || ss->writer_held)
        return IPS_OK;
    struct timespec until = time_deadline(CLOCK_REALTIME, SQLITE__BUSY_TIMEOUT_MS);
    int rc = pthread_mutex_timedlock(&ss->durable->writer, &until);
    if (rc != 0) {
        log_warn("sqlite busy", "sql", "writer lock", "error", strerror(rc));
        return IPS_ERR_BUSY;
    }
    ss->writer_held = true;
    ss->sync_pending = false;
    atomic_store_explicit(&ss->durable->writer_since, time_mono_ns(), memory_order_relaxed);
    return IPS_OK;
}

/* See sqlite_internal.h. */
/* Release the writer lock if ss holds it. Result: true when a commit made
 * under it still needs its barrier (which the caller now owns). */
static bool sqlite__durable_writer_release(struct sqlite_store *ss)
{
    if (!ss->writer_held)
        return false;
    ss->writer_held = false;
    atomic_store_explicit(&ss->durable->writer_since, 0, memory_order_relaxed);
    pthread_mutex_unlock(&ss->durable->writer);
    bool pending = ss->sync_pending;
    ss->sync_pending = false;
    return pending;
}

/* A commit's barrier failed: say so once, for the caller's IPS_ERR_IO. */
static ips_status sqlite__durable_unacknowledged(void)
{
    log_error("sqlite error", "sql", "COMMIT", "error", "commit not acknowledged: sync failed");
    return IPS_ERR_IO;
}

ips_status sqlite__durable_writer_unlock(struct sqlite_store *ss)
{
    if (!sqlite__durable_writer_release(ss))
        return IPS_OK;
    return sqlite__durable_after_commit(ss, 0, "main", ss->wal_pages) != 0
               ? sqlite__durable_unacknowledged()
               : IPS_OK;
}

/* See sqlite_internal.h. */
void sqlite__durable_writer_unlock_unsynced(struct sqlite_store *ss, uint64_t *ticket)
{
    *ticket = 0;
    if (!sqlite__durable_writer_release(ss))
        return;
    struct sqlite__durable *d = ss->durable;
    pthread_mutex_lock(&sqlite__durable_lock);
    *ticket = ++d->committed;
    bool inline_ckpt = sqlite__durable_ckpt_due_locked(d, ss->wal_pages);
    pthread_mutex_unlock(&sqlite__durable_lock);
    /* a checkpoint syncs the WAL before it copies a frame, unsynced or not */
    if (inline_ckpt)
        (void)sqlite3_wal_checkpoint_v2(ss->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* See sqlite_internal.h. */
ips_status sqlite__durable_synced(struct sqlite_store *ss, uint64_t ticket)
{
    if (!ss->durable || !ticket)
        return IPS_OK;
    return sqlite__durable_wait(ss->durable, ticket) != 0 ? sqlite__durable_unacknowledged()
                                                           : IPS_OK;
}

/* ---- group transactions --------------------------------------------------- */

static const char q_group_begin[] = "BEGIN IMMEDIATE";
static const char q_group_commit[] = "COMMIT";
static const char q_group_rollback[] = "ROLLBACK";
static const char q_group_savepoint[] = "SAVEPOINT store_group";
static const char q_group_release[] = "RELEASE store_group";
static const char q_group_undo[] = "ROLLBACK TO store_group";

/* Run one parameterless statement of the group protocol on ss. */
static ips_status sqlite__group_sql(struct sqlite_store *ss, const char *sql)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(ss, sql, &q);
    if (result == IPS_OK)
        result = sqlite__run(&q, NULL);
    sqlite__stmt_put(&q);
    return result;
}

/*
 * One attempt at the group batch on the leader's connection ss: writer
 * lock, BEGIN IMMEDIATE, each function under the savepoint (a failing one
 * is rolled back to it, alone), COMMIT. Each request's status is its
 * function's. Result: IPS_OK when committed — the writer lock is then
 * still held and the commit's barrier pending (ss->sync_pending), for the
 * caller; otherwise the status every request of the group gets, with the
 * transaction rolled back and the lock released. A function whose failure
 * made SQLite end the whole transaction (some I/O and out-of-memory
 * errors) fails the group with its status.
 */
static ips_status sqlite__group_attempt(struct sqlite_store *ss, struct sqlite__group_req *batch)
{
    ips_status result = sqlite__durable_writer_lock(ss);
    if (result)
        return result;
    result = sqlite__group_sql(ss, q_group_begin);
    ss->base.in_tx = result == IPS_OK;
    for (struct sqlite__group_req *r = batch; r && result == IPS_OK; r = r->next) {
        /* The first function runs without a savepoint: nothing of the group
         * precedes it, so its failure is undone by rolling the transaction
         * back and beginning again. A savepoint makes SQLite keep an undo
         * log of every page the function changes (a statement journal; in
         * memory, temp_store being MEMORY: store_sqlite.c), which a group of
         * one need not pay. */
        bool savepoint = r != batch;
        if (savepoint && (result = sqlite__group_sql(ss, q_group_savepoint)))
            break;
        r->status = r->fn(&ss->base, r->arg);
        if (r->status != IPS_OK && sqlite3_get_autocommit(ss->db))
            result = r->status;
        else if (r->status != IPS_OK && savepoint)
            result = sqlite__group_sql(ss, q_group_undo);
        else if (r->status != IPS_OK) {
            result = sqlite__group_sql(ss, q_group_rollback);
            if (result == IPS_OK)
                result = sqlite__group_sql(ss, q_group_begin);
        }
        if (result == IPS_OK && savepoint)
            result = sqlite__group_sql(ss, q_group_release);
    }
    if (result == IPS_OK)
        result = sqlite__group_sql(ss, q_group_commit);
    ss->base.in_tx = false;
    if (result) {
        if (!sqlite3_get_autocommit(ss->db))
            (void)sqlite__group_sql(ss, q_group_rollback);
        ss->sync_pending = false; /* nothing of the group was committed */
        (void)sqlite__durable_writer_unlock(ss);
    }
    return result;
}

/*
 * The connection a group runs on (see group_conn): d's, opened on first
 * use by the caller, who holds d->leading (so no other thread touches
 * group_conn meanwhile); own, the leader's connection, when it cannot be
 * opened (logged by the open).
 */
static struct sqlite_store *sqlite__group_conn(struct sqlite_store *own)
{
    struct sqlite__durable *d = own->durable;
    if (!d->group_conn) {
        struct store *conn = NULL;
        if (store__sqlite_open(d->db_path, &conn) != IPS_OK)
            return own;
        pthread_mutex_lock(&sqlite__durable_lock);
        d->group_conn = conn;
        pthread_mutex_unlock(&sqlite__durable_lock);
    }
    return sqlite__from(d->group_conn);
}

/*
 * Lead one group: run batch (taken off the queue by the caller, who holds
 * d->leading) in one transaction, retrying the whole group while it is
 * busy, settle every request, hand the lead on, and only then — so that
 * the next group runs during the fdatasync — release the writer lock and
 * wait for the commit's barrier and checkpoint. Called without
 * sqlite__durable_lock. OUT *sync_err: the barrier's result (0 or an
 * errno; 0 when the group failed or wrote nothing).
 */
static void sqlite__group_lead(struct sqlite_store *own, struct sqlite__group_req *batch,
                               int *sync_err)
{
    struct sqlite__durable *d = own->durable;
    struct sqlite_store *ss = sqlite__group_conn(own);
    int64_t t0 = time_mono_ns(), c0 = time_thread_cpu_ns();
    ips_status result = sqlite__group_attempt(ss, batch);
    for (int attempt = 1; result == IPS_ERR_BUSY && attempt <= STORE__TX_RETRIES; attempt++) {
        store__tx_backoff(attempt);
        result = sqlite__group_attempt(ss, batch);
    }
    uint64_t busy = (uint64_t)(time_mono_ns() - t0), cpu = (uint64_t)(time_thread_cpu_ns() - c0);
    bool pending = result == IPS_OK && ss->sync_pending;
    int pages = ss->wal_pages;
    /* the pages this group wrote (only groups write on ss; reset per group) */
    int written = 0, unused = 0;
    (void)sqlite3_db_status(ss->db, SQLITE_DBSTATUS_CACHE_WRITE, &written, &unused, 1);
    ss->sync_pending = false;
    if (result == IPS_OK)
        (void)sqlite__durable_writer_unlock(ss); /* nothing pending: only unlocks */
    pthread_mutex_lock(&sqlite__durable_lock);
    sqlite__group_stats.busy_ns += busy;
    sqlite__group_stats.cpu_ns += cpu;
    uint64_t ticket = pending ? ++d->committed : 0, committed = 0;
    for (struct sqlite__group_req *r = batch, *next; r; r = next) {
        next = r->next; /* r may be gone once done is set and the lock dropped */
        if (result)
            r->status = result;
        r->ticket = r->status == IPS_OK ? ticket : 0;
        committed += r->status == IPS_OK;
        r->done = true;
    }
    if (result == IPS_OK && committed) {
        sqlite__group_stats.groups++;
        sqlite__group_stats.requests += committed;
        sqlite__group_stats.pages += (uint64_t)written;
        if (committed > sqlite__group_stats.largest)
            sqlite__group_stats.largest = committed;
    }
    d->leading = false;
    pthread_cond_broadcast(&d->group_done);
    pthread_mutex_unlock(&sqlite__durable_lock);
    /* on the caller's own connection: the next leader may be using ss */
    *sync_err = pending ? sqlite__durable_after_commit(own, ticket, "main", pages) : 0;
}

/*
 * store_ops.tx_grouped of a WAL database (store.h, store_tx_run_grouped):
 * queue the request; when no group is running, lead one with the oldest
 * SQLITE__GROUP_MAX requests queued (this one among them, unless more are
 * ahead of it, in which case the thread leads again later); otherwise wait
 * for a leader to run it. A committed request then waits for the barrier of
 * its group's commit. Connections without group commit (in-memory, not
 * WAL) run store_tx_run.
 */
ips_status sqlite__durable_tx_grouped(struct store *s, store_tx_fn fn, void *arg)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__durable *d = ss->durable;
    if (!d)
        return store_tx_run(s, fn, arg);
    struct sqlite__group_req me = {.fn = fn, .arg = arg};
    int sync_err = -1; /* -1: the barrier is still to be waited for */
    pthread_mutex_lock(&sqlite__durable_lock);
    *d->queue_tail = &me;
    d->queue_tail = &me.next;
    while (!me.done) {
        if (d->leading) {
            pthread_cond_wait(&d->group_done, &sqlite__durable_lock);
            continue;
        }
        d->leading = true;
        struct sqlite__group_req *batch = d->queue, **end = &d->queue;
        bool has_me = false;
        for (int n = 0; *end && n < SQLITE__GROUP_MAX; n++) {
            has_me = has_me || *end == &me;
            end = &(*end)->next;
        }
        d->queue = *end;
        if (!d->queue)
            d->queue_tail = &d->queue;
        *end = NULL;
        pthread_mutex_unlock(&sqlite__durable_lock);
        int err = 0;
        sqlite__group_lead(ss, batch, &err);
        if (has_me)
            sync_err = err;
        pthread_mutex_lock(&sqlite__durable_lock);
    }
    pthread_mutex_unlock(&sqlite__durable_lock);
    if (me.status != IPS_OK || !me.ticket)
        return me.status;
    if (sync_err < 0)
        sync_err = sqlite__durable_wait(d, me.ticket);
    if (sync_err) {
        log_error("sqlite error", "sql", "COMMIT", "error", "commit not acknowledged: sync failed");
        return IPS_ERR_IO;
    }
    return IPS_OK;
}

/* See store.h: the counters are kept here, the only backend that groups. */
void store_group_stats(struct store_group_stats *out)
{
    pthread_mutex_lock(&sqlite__durable_lock);
    *out = sqlite__group_stats;
    pthread_mutex_unlock(&sqlite__durable_lock);
}

/* See sqlite_internal.h. */
size_t sqlite__durable_queued(struct sqlite_store *ss)
{
    size_t n = 0;
    if (!ss->durable)
        return 0;
    pthread_mutex_lock(&sqlite__durable_lock);
    for (const struct sqlite__group_req *r = ss->durable->queue; r; r = r->next)
        n++;
    pthread_mutex_unlock(&sqlite__durable_lock);
    return n;
}

/* See sqlite_internal.h. */
uint64_t sqlite__durable_checkpoints(struct sqlite_store *ss)
{
    if (!ss->durable)
        return 0;
    pthread_mutex_lock(&sqlite__durable_lock);
    uint64_t n = ss->durable->ckpt_runs;
    pthread_mutex_unlock(&sqlite__durable_lock);
    return n;
}

/* See sqlite_internal.h. */
ips_status sqlite__durable_attach(struct sqlite_store *ss)
{
    ips_status result = IPS_ERR_NOMEM;
    const char *db_path = sqlite3_db_filename(ss->db, "main");
    const char *wal_path = db_path && *db_path ? sqlite3_filename_wal(db_path) : NULL;
    if (!wal_path || !*wal_path) {
        log_error("store: a WAL database without a file name", "path", db_path ? db_path : "");
        return IPS_ERR_INTERNAL;
    }
    pthread_mutex_lock(&sqlite__durable_lock);
    struct sqlite__durable *d = sqlite__durable_find(db_path, wal_path);
    if (d) {
        d->refs++;
        ss->durable = d;
        result = IPS_OK;
    }
    pthread_mutex_unlock(&sqlite__durable_lock);
    if (result == IPS_OK)
        (void)sqlite3_wal_hook(ss->db, sqlite__durable_hook, ss);
    return result;
}

/* See sqlite_internal.h. When only the group connection is left, it is
 * closed too (its own detach then frees d). */
void sqlite__durable_detach(struct sqlite_store *ss)
{
    struct sqlite__durable *d = ss->durable;
    struct store *group = NULL;
    bool last = false;
    if (!d)
        return;
    ss->durable = NULL;
    pthread_mutex_lock(&sqlite__durable_lock);
    if (--d->refs == 0) {
        sqlite__durable_unlink(d);
        d->ckpt_stop = true;
        pthread_cond_signal(&d->ckpt_cond);
        last = true;
    } else if (d->refs == 1 && d->group_conn) {
        group = d->group_conn;
        d->group_conn = NULL;
    }
    pthread_mutex_unlock(&sqlite__durable_lock);
    if (last) {
        /* unlinked: no connection can find d any more, and the thread
         * reads only d's checkpoint fields, under the lock */
        if (d->ckpt_started)
            pthread_join(d->ckpt_thread, NULL);
        sqlite__durable_free(d);
    }
    if (group)
        store_close(group);
}

/*
 * sqlite_vfs.c — "iprshield-wal", a VFS shim over SQLite's default VFS that
 * hands the frames one commit appends to <db>-wal to the kernel in one
 * write() instead of two per page.
 *
 * Why: SQLite writes a WAL frame as two calls, its 24-byte header and then
 * the page, so a commit of 30 pages costs 60 pwrite() calls. On the VMs we
 * run on a system call costs ~2 us where copying a 4 KiB page costs ~0.3 us
 * (docs/benchmarks.md, "Notice and action", stop 19: 128 small pwrites of a
 * 64-page commit took 250 us, one 264 KiB pwrite of the same bytes 12-15 us).
 *
 * How: only files SQLite opens with SQLITE_OPEN_WAL go through this file's
 * methods; every other file (the database, temporary files) is the default
 * VFS's own object, opened in place, so its calls cost nothing extra.
 * A WAL file keeps one pending run of bytes (offset + buffer):
 *   - a write that continues the run is copied to its end; any other write
 *     first writes the run out, then starts a new one;
 *   - the run is written out as soon as it holds a COMMIT frame: SQLite
 *     writes a frame header (24 bytes, the only 24-byte write it makes to a
 *     WAL) then the page; a header whose "database size after commit" field
 *     (bytes 4-7) is not zero marks a commit frame, and the write of its page
 *     ends the run. So a commit's frames reach the file before
 *     sqlite3WalFrames returns and before the wal-index header that makes
 *     them visible to other connections is published; a failed write is
 *     returned by that page's xWrite, exactly as SQLite's own failed frame
 *     write would be, and the transaction fails without being published;
 *   - every other method that looks at the file (read, size, sync, truncate,
 *     file controls, close) writes the run out first, so frames a
 *     transaction spilled before its commit read back correctly;
 *   - the run is bounded (SQLITE__WAL_RUN_MAX, 128 KiB less a byte: the
 *     default VFS writes no more in one call); a write larger than that
 *     goes straight through.
 * Nothing about durability changes: a commit is on disk when the group
 * commit's fdatasync (sqlite_durable.c) returns, and that sync starts after
 * the commit's frames were written. The hook there also checks
 * (sqlite__vfs_wal_flush) that nothing is left pending after a commit.
 *
 * Threads: a WAL file object belongs to one connection, which one thread
 * uses at a time; the shim keeps no shared state but the registered VFS.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* The most bytes one pending run holds: the most the default VFS writes in
 * one call (its unixWrite masks each pwrite's length with 0x1ffff: it never
 * expects more than a 64 KiB page), 31 frames of 4 KiB pages. */
#define SQLITE__WAL_RUN_MAX 0x1ffffu

/* The sizes of a WAL frame's header and of the WAL file's own header. */
#define SQLITE__WAL_FRAME_HDR 24
#define SQLITE__WAL_FILE_HDR 32

/* One open WAL file: the default VFS's file lives in the bytes after this
 * struct (real points there, sqlite__wal_open). */
struct sqlite__wal {
    sqlite3_file base;  /* base.pMethods == &sqlite__wal_methods */
    sqlite3_file *real; /* the default VFS's open file */
    unsigned char *buf; /* the pending run, SQLITE__WAL_RUN_MAX bytes, or NULL */
    size_t len;         /* bytes pending in buf */
    sqlite3_int64 off;  /* file offset of buf[0] */
    bool commit_frame;  /* the last write was a commit frame's header */
};

static sqlite3_vfs sqlite__wal_vfs;
static sqlite3_vfs *sqlite__wal_base;
static pthread_once_t sqlite__wal_once = PTHREAD_ONCE_INIT;
static int sqlite__wal_register_rc = SQLITE_ERROR;
static _Atomic uint64_t sqlite__wal_writes;

#define SQLITE__ROUND8(n) (((n) + 7) & ~(size_t)7)

/* One write of the default VFS's file, counted (sqlite__vfs_wal_writes). */
static int sqlite__wal_write_real(struct sqlite__wal *w, const void *src, int n, sqlite3_int64 off)
{
    atomic_fetch_add_explicit(&sqlite__wal_writes, 1, memory_order_relaxed);
    return w->real->pMethods->xWrite(w->real, src, n, off);
}

/* Write the pending run out (no-op when empty). On failure the run is
 * dropped: SQLite treats the failed call as a failed frame write and does
 * not publish the frames. Returns an SQLite result code. */
static int sqlite__wal_flush(struct sqlite__wal *w)
{
    if (w->len == 0)
        return SQLITE_OK;
    size_t len = w->len;
    w->len = 0;
    return sqlite__wal_write_real(w, w->buf, (int)len, w->off);
}

static int sqlite__wal_close(sqlite3_file *f)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    int rc = sqlite__wal_flush(w);
    int rc2 = w->real->pMethods ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
    sqlite3_free(w->buf);
    w->buf = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int sqlite__wal_read(sqlite3_file *f, void *dst, int n, sqlite3_int64 off)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    int rc = sqlite__wal_flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xRead(w->real, dst, n, off);
}

/* Append to the pending run when the write continues it and fits, else
 * write the run out and start a new one (or write through when n is larger
 * than a run). A commit frame's page ends the run at once (file comment). */
static int sqlite__wal_write(sqlite3_file *f, const void *src, int n, sqlite3_int64 off)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    bool ends_commit = w->commit_frame;
    const unsigned char *b = src;
    w->commit_frame = n == SQLITE__WAL_FRAME_HDR && off >= SQLITE__WAL_FILE_HDR &&
                      (b[4] | b[5] | b[6] | b[7]) != 0;
    int rc = SQLITE_OK;
    bool continues = w->len > 0 && off == w->off + (sqlite3_int64)w->len &&
                     w->len + (size_t)n <= SQLITE__WAL_RUN_MAX;
    if (!continues) {
        if ((rc = sqlite__wal_flush(w)) != SQLITE_OK)
            return rc;
        /* too large for a run, or no memory for one: write it through */
        if ((size_t)n > SQLITE__WAL_RUN_MAX ||
            (!w->buf && !(w->buf = sqlite3_malloc(SQLITE__WAL_RUN_MAX))))
            return sqlite__wal_write_real(w, src, n, off);
        w->off = off;
    }
    memcpy(w->buf + w->len, src, (size_t)n);
    w->len += (size_t)n;
    if (ends_commit)
        rc = sqlite__wal_flush(w);
    return rc;
}

static int sqlite__wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    int rc = sqlite__wal_flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xTruncate(w->real, size);
}

static int sqlite__wal_sync(sqlite3_file *f, int flags)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    int rc = sqlite__wal_flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xSync(w->real, flags);
}

static int sqlite__wal_size(sqlite3_file *f, sqlite3_int64 *size)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    int rc = sqlite__wal_flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xFileSize(w->real, size);
}

static int sqlite__wal_lock(sqlite3_file *f, int level)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    return w->real->pMethods->xLock(w->real, level);
}

static int sqlite__wal_unlock(sqlite3_file *f, int level)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    return w->real->pMethods->xUnlock(w->real, level);
}

static int sqlite__wal_reserved(sqlite3_file *f, int *out)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    return w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int sqlite__wal_fcntl(sqlite3_file *f, int op, void *arg)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    int rc = sqlite__wal_flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xFileControl(w->real, op, arg);
}

static int sqlite__wal_sector(sqlite3_file *f)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    return w->real->pMethods->xSectorSize(w->real);
}

static int sqlite__wal_device(sqlite3_file *f)
{
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    return w->real->pMethods->xDeviceCharacteristics(w->real);
}

/* Version 1 methods: SQLite maps no shared memory and no pages of a WAL
 * file (the wal-index lives in <db>-shm, reached through the database
 * file's methods), so the shim offers none. */
static const sqlite3_io_methods sqlite__wal_methods = {
    .iVersion = 1,
    .xClose = sqlite__wal_close,
    .xRead = sqlite__wal_read,
    .xWrite = sqlite__wal_write,
    .xTruncate = sqlite__wal_truncate,
    .xSync = sqlite__wal_sync,
    .xFileSize = sqlite__wal_size,
    .xLock = sqlite__wal_lock,
    .xUnlock = sqlite__wal_unlock,
    .xCheckReservedLock = sqlite__wal_reserved,
    .xFileControl = sqlite__wal_fcntl,
    .xSectorSize = sqlite__wal_sector,
    .xDeviceCharacteristics = sqlite__wal_device,
};

/* xOpen: a WAL file gets the shim around the default VFS's file; any other
 * file is the default VFS's file itself, opened in f's bytes (szOsFile is
 * at least the default's). */
static int sqlite__wal_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                            int *out_flags)
{
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL))
        return sqlite__wal_base->xOpen(sqlite__wal_base, name, f, flags, out_flags);
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)(void *)((char *)w + SQLITE__ROUND8(sizeof *w)); /* 8-aligned */
    memset(w->real, 0, (size_t)sqlite__wal_base->szOsFile);
    int rc = sqlite__wal_base->xOpen(sqlite__wal_base, name, w->real, flags, out_flags);
    /* SQLite calls xClose after a failed xOpen only when pMethods is set */
    w->base.pMethods = w->real->pMethods ? &sqlite__wal_methods : NULL;
    return rc;
}

/* The rest of the VFS is the default's, called with the default's handle
 * (the unix VFS reads its own pAppData). */
static int sqlite__wal_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return sqlite__wal_base->xDelete(sqlite__wal_base, name, sync_dir);
}

static int sqlite__wal_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return sqlite__wal_base->xAccess(sqlite__wal_base, name, flags, out);
}

static int sqlite__wal_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return sqlite__wal_base->xFullPathname(sqlite__wal_base, name, n, out);
}

static void *sqlite__wal_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return sqlite__wal_base->xDlOpen(sqlite__wal_base, name);
}

static void sqlite__wal_dlerror(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    sqlite__wal_base->xDlError(sqlite__wal_base, n, out);
}

static void (*sqlite__wal_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return sqlite__wal_base->xDlSym(sqlite__wal_base, h, sym);
}

static void sqlite__wal_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    sqlite__wal_base->xDlClose(sqlite__wal_base, h);
}

static int sqlite__wal_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return sqlite__wal_base->xRandomness(sqlite__wal_base, n, out);
}

static int sqlite__wal_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return sqlite__wal_base->xSleep(sqlite__wal_base, us);
}

static int sqlite__wal_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return sqlite__wal_base->xCurrentTime(sqlite__wal_base, out);
}

static int sqlite__wal_lasterr(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return sqlite__wal_base->xGetLastError
               ? sqlite__wal_base->xGetLastError(sqlite__wal_base, n, out)
               : 0;
}

static int sqlite__wal_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    if (sqlite__wal_base->iVersion >= 2 && sqlite__wal_base->xCurrentTimeInt64)
        return sqlite__wal_base->xCurrentTimeInt64(sqlite__wal_base, out);
    double d = 0;
    int rc = sqlite__wal_base->xCurrentTime(sqlite__wal_base, &d);
    *out = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

static void sqlite__wal_register(void)
{
    /* Before SQLite initialises (sqlite3_vfs_find does): no allocation
     * statistics. Nothing here reads them, and keeping them takes a global
     * mutex on every allocation (1.7% of the import's instructions,
     * docs/benchmarks.md, "Catalog import", stop 19). Refused, harmlessly,
     * when something initialised SQLite earlier. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_vfs *base = sqlite3_vfs_find(NULL);
    if (!base)
        return;
    sqlite__wal_base = base;
    sqlite__wal_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(SQLITE__ROUND8(sizeof(struct sqlite__wal)) + (size_t)base->szOsFile),
        .mxPathname = base->mxPathname,
        .zName = SQLITE__WAL_VFS,
        .xOpen = sqlite__wal_open,
        .xDelete = sqlite__wal_delete,
        .xAccess = sqlite__wal_access,
        .xFullPathname = sqlite__wal_fullpath,
        .xDlOpen = sqlite__wal_dlopen,
        .xDlError = sqlite__wal_dlerror,
        .xDlSym = sqlite__wal_dlsym,
        .xDlClose = sqlite__wal_dlclose,
        .xRandomness = sqlite__wal_random,
        .xSleep = sqlite__wal_sleep,
        .xCurrentTime = sqlite__wal_time,
        .xGetLastError = sqlite__wal_lasterr,
        .xCurrentTimeInt64 = sqlite__wal_time64,
    };
    sqlite__wal_register_rc = sqlite3_vfs_register(&sqlite__wal_vfs, 0);
}

const char *sqlite__vfs_name(void)
{
    pthread_once(&sqlite__wal_once, sqlite__wal_register);
    return sqlite__wal_register_rc == SQLITE_OK ? SQLITE__WAL_VFS : NULL;
}

int sqlite__vfs_wal_flush(sqlite3 *db, bool *had_pending)
{
    sqlite3_file *f = NULL;
    *had_pending = false;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || !f ||
        f->pMethods != &sqlite__wal_methods)
        return SQLITE_OK;
    struct sqlite__wal *w = (struct sqlite__wal *)f;
    *had_pending = w->len > 0;
    return sqlite__wal_flush(w);
}

uint64_t sqlite__vfs_wal_writes(void)
{
    return atomic_load_explicit(&sqlite__wal_writes, memory_order_relaxed);
}

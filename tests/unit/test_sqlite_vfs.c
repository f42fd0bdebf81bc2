/*
 * test_sqlite_vfs.c — unit tests of the WAL write shim (src/store/
 * sqlite_vfs.c): a commit reaches the WAL in a few large writes, other
 * connections see it at once, a transaction reads back the frames it
 * spilled, the WAL restarts cleanly, and a killed writer loses nothing it
 * acknowledged. The tests open raw SQLite connections through the shim
 * (sqlite__vfs_name), so they test the shim and not the store above it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite_internal.h"

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/ips-vfs-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void assert_intact(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
}

/* A connection through the shim in WAL mode with the given synchronous level. */
static sqlite3 *open_wal(const char *path, const char *synchronous)
{
    const char *vfs = sqlite__vfs_name();
    assert_non_null(vfs);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    if (rc != SQLITE_OK)
        fail_msg("open %s: %s", path, sqlite3_errstr(rc));
    sqlite3_busy_timeout(db, 5000);
    exec(db, "PRAGMA journal_mode = WAL");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", synchronous);
    exec(db, sql);
    return db;
}

/* open_wal, then the table t (id, v BLOB) every test writes. */
static sqlite3 *open_wal_table(const char *path, const char *synchronous)
{
    sqlite3 *db = open_wal(path, synchronous);
    exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    return db;
}

/* Insert n rows of size bytes each (ids from first) in one transaction. */
static void insert_rows(sqlite3 *db, int first, int n, int size)
{
    exec(db, "BEGIN IMMEDIATE");
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "INSERT INTO t (id, v) VALUES (?, randomblob(?))", -1, &st, NULL),
        SQLITE_OK);
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int(st, 1, first + i);
        sqlite3_bind_int(st, 2, size);
        if (sqlite3_step(st) != SQLITE_DONE)
            fail_msg("insert: %s", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    exec(db, "COMMIT");
}

static void a_commit_of_many_pages_reaches_the_wal_in_few_writes(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = open_wal_table(f->path, "NORMAL");
    uint64_t w0 = sqlite__vfs_wal_writes();
    insert_rows(db, 0, 100, 3000); /* ~100 pages of 4 KiB: 200 writes without the shim */
    uint64_t writes = sqlite__vfs_wal_writes() - w0;
    assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 100);
    /* ~420 KB of frames in runs of at most 128 KiB: 4 writes (5 with the
     * run the WAL header starts) */
    assert_true(writes >= 1);
    assert_true(writes <= 6);
    bool pending = true;
    assert_int_equal(sqlite__vfs_wal_flush(db, &pending), SQLITE_OK);
    assert_false(pending);
    sqlite3_close(db);
}

static void another_connection_reads_each_commit_at_once(void **state)
{
    struct fixture *f = *state;
    sqlite3 *a = open_wal_table(f->path, "NORMAL");
    sqlite3 *b = open_wal(f->path, "NORMAL");
    exec(a, "PRAGMA wal_autocheckpoint = 0"); /* every commit stays in the WAL */
    for (int round = 0; round < 40; round++) {
        insert_rows(a, round * 20, 20, 1500);
        /* b reads the new frames through its own file descriptor: they must
         * be in the file before a's COMMIT returned */
        assert_int_equal(one_int(b, "SELECT count(*) FROM t"), (round + 1) * 20);
        assert_int_equal(one_int(b, "SELECT sum(length(v)) FROM t"),
                         (int64_t)(round + 1) * 20 * 1500);
    }
    assert_intact(b);
    sqlite3_close(a);
    sqlite3_close(b);
}

static void a_transaction_reads_back_the_frames_it_spilled(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = open_wal_table(f->path, "NORMAL");
    exec(db, "PRAGMA cache_size = 10"); /* pages spill to the WAL mid-transaction */
    exec(db, "BEGIN IMMEDIATE");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) "
             "INSERT INTO t SELECT i, randomblob(900) FROM n");
    /* rewrite the pages spilled first: read back from the WAL, written again */
    exec(db, "UPDATE t SET v = zeroblob(700) WHERE id % 3 = 0");
    exec(db, "COMMIT");
    sqlite3 *b = open_wal(f->path, "NORMAL");
    assert_int_equal(one_int(b, "SELECT count(*) FROM t WHERE length(v) = 700"), 200);
    assert_int_equal(one_int(b, "SELECT count(*) FROM t WHERE length(v) = 900"), 400);
    assert_intact(b);
    sqlite3_close(b);
    sqlite3_close(db);
}

static void the_wal_restarts_from_its_start_after_checkpoints(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = open_wal_table(f->path, "NORMAL");
    exec(db, "PRAGMA wal_autocheckpoint = 8");
    for (int round = 0; round < 60; round++)
        insert_rows(db, round * 10, 10, 2000);
    sqlite3_close(db);
    db = open_wal(f->path, "NORMAL");
    assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 600);
    assert_intact(db);
    sqlite3_close(db);
}

/* The child: commit one row per transaction and report each acknowledged
 * id on fd; runs until killed. synchronous=NORMAL: no sync at commit, so a
 * commit survives the kill only if its frames were handed to the kernel
 * before COMMIT returned — what the shim must guarantee (the store's
 * group commit adds the fdatasync for power loss). */
static void writer_child(const char *path, int fd)
{
    sqlite3 *db = open_wal(path, "NORMAL");
    for (int i = 1;; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO t (id, v) VALUES (%d, randomblob(5000))", i);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            _exit(2);
        if (write(fd, &i, sizeof i) != (ssize_t)sizeof i)
            _exit(3);
    }
}

static void a_killed_writer_loses_no_acknowledged_commit(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = open_wal_table(f->path, "NORMAL");
    sqlite3_close(db);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        writer_child(f->path, p[1]);
    }
    close(p[1]);
    int acked = 0, id = 0;
    while (acked < 300 && read(p[0], &id, sizeof id) == (ssize_t)sizeof id)
        acked = id;
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    /* what the child acknowledged after we stopped reading is in the pipe */
    while (read(p[0], &id, sizeof id) == (ssize_t)sizeof id)
        acked = id;
    close(p[0]);
    assert_true(WIFSIGNALED(status));
    assert_true(acked >= 300);
    db = open_wal(f->path, "NORMAL");
    assert_intact(db);
    assert_true(one_int(db, "SELECT max(id) FROM t") >= acked);
    assert_int_equal(one_int(db, "SELECT count(*) FROM t"), one_int(db, "SELECT max(id) FROM t"));
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_commit_of_many_pages_reaches_the_wal_in_few_writes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(another_connection_reads_each_commit_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_transaction_reads_back_the_frames_it_spilled, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_wal_restarts_from_its_start_after_checkpoints, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_killed_writer_loses_no_acknowledged_commit, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

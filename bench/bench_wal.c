/*
 * bench_wal.c — commits through the WAL write shim (src/store/sqlite_vfs.c)
 * beside the same commits through SQLite's default VFS, the baseline.
 *
 *   bench_wal [--commits N] [--pages K] [--rounds R] [--dir DIR]
 *
 * Each commit rewrites K rows of a 4,000-row table whose rows fill a page
 * each (3,500-byte blobs), so it appends K+ frames to the WAL: what a
 * fast-track notice (~30 pages) or an import batch does to the log. WAL
 * mode, synchronous=NORMAL (the store's setting: the group commit's
 * fdatasync is not SQLite's, and is left out here so that the write path
 * is what is timed), SQLite's automatic checkpoint at 1,000 pages as in
 * the store. Rounds alternate baseline and shim on fresh databases; the
 * medians of wall time and CPU time per commit and the write system calls
 * per commit (/proc/self/io) are printed for both, with their ratios.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "store/sqlite_internal.h"

#define ROWS 4000
#define ROUNDS_MAX 15

struct result {
    double wall_us, cpu_us, writes;
};

static long syscw(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (!f)
        return -1;
    char line[128];
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "syscw: %ld", &v) == 1)
            break;
    fclose(f);
    return v;
}

static void must(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench_wal: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

/* Remove a database and its -wal and -shm files. */
static void remove_db(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        char p[560];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

/* One run: a fresh database in dir through vfs (NULL: the default). */
static struct result run(const char *dir, const char *vfs, long commits, long pages, int n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/wal-%d.db", dir, n);
    remove_db(path);
    sqlite3 *db = NULL;
    must(db, sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), "open");
    must(db,
         sqlite3_exec(
             db,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)"
             " INSERT INTO t SELECT i, randomblob(3500) FROM n;",
             NULL, NULL, NULL),
         "schema");
    sqlite3_stmt *up = NULL;
    must(db,
         sqlite3_prepare_v2(db, "UPDATE t SET v = randomblob(3500) WHERE id = ?", -1, &up, NULL),
         "prepare");
    unsigned seed = 7;
    long w0 = syscw();
    double t0 = bench_now_s(), c0 = bench_cpu_s(RUSAGE_SELF);
    for (long c = 0; c < commits; c++) {
        must(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
        for (long k = 0; k < pages; k++) {
            seed = seed * 1103515245u + 12345u;
            sqlite3_bind_int(up, 1, (int)(1 + (seed >> 8) % ROWS));
            must(db, sqlite3_step(up), "update");
            sqlite3_reset(up);
        }
        must(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    }
    struct result r = {
        .wall_us = (bench_now_s() - t0) * 1e6 / (double)commits,
        .cpu_us = (bench_cpu_s(RUSAGE_SELF) - c0) * 1e6 / (double)commits,
        .writes = (double)(syscw() - w0) / (double)commits,
    };
    sqlite3_finalize(up);
    sqlite3_close(db);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    long commits = bench_arg_long(argc, argv, "--commits", 2000);
    long pages = bench_arg_long(argc, argv, "--pages", 30);
    int rounds = (int)bench_arg_long(argc, argv, "--rounds", 5);
    const char *dir = "/tmp";
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
    if (commits < 1 || pages < 1 || rounds < 1 || rounds > ROUNDS_MAX) {
        fprintf(stderr, "usage: bench_wal [--commits N] [--pages K] [--rounds 1-%d] [--dir DIR]\n",
                ROUNDS_MAX);
        return 2;
    }
    const char *shim = sqlite__vfs_name();
    if (!shim) {
        fprintf(stderr, "bench_wal: the shim could not be registered\n");
        return 1;
    }
    double v[2][3][ROUNDS_MAX];
    for (int r = 0; r < rounds; r++) {
        for (int which = 0; which < 2; which++) {
            struct result x = run(dir, which ? shim : NULL, commits, pages, which);
            v[which][0][r] = x.wall_us;
            v[which][1][r] = x.cpu_us;
            v[which][2][r] = x.writes;
        }
    }
    double m[2][3];
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 3; k++)
            m[w][k] = median(v[w][k], rounds);
    printf("bench_wal: %ld commits of %ld rewritten pages, %d rounds alternated, medians\n",
           commits, pages, rounds);
    printf("%-26s %12s %12s %14s\n", "", "wall us/commit", "CPU us/commit", "writes/commit");
    printf("%-26s %12.1f %12.1f %14.1f\n", "baseline: default VFS", m[0][0], m[0][1], m[0][2]);
    printf("%-26s %12.1f %12.1f %14.1f\n", "iprshield-wal shim", m[1][0], m[1][1], m[1][2]);
    printf("%-26s %12.3f %12.3f %14.3f\n", "ratio shim / baseline", m[1][0] / m[0][0],
           m[1][1] / m[0][1], m[1][2] / m[0][2]);
    for (int w = 0; w < 2; w++) {
        char p[512];
        snprintf(p, sizeof p, "%s/wal-%d.db", dir, w);
        remove_db(p);
    }
    return 0;
}

/*
 * bench_import.c — `iprshield import listings` against its baseline.
 *
 *   bench_import [--rows N] [--bin PATH/iprshield] [--dir DIR]
 *
 * Generates N synthetic listing rows (default 200,000; deterministic), writes
 * them as JSON Lines, and times in the same run:
 *   (a) baseline: a plain SQLite bulk insert of the same rows (already
 *       parsed, as C values) into one bare table without indexes, in ONE
 *       transaction with one prepared statement — the floor of what SQLite
 *       can do on this machine with the same pragmas (WAL, synchronous=FULL);
 *   (b) `iprshield import listings FILE --db DB` on a migrated database:
 *       JSON parsing and validation, content hashes, seller resolution,
 *       versions, the FTS5 index, batches of 5,000 with one audit event each.
 * Prints both rates (rows/s) and the ratio (b)/(a), and the CPU seconds
 * (user + system) of each: the import's are its process's (both threads).
 * Wall-clock rates need a quiet machine; the CPU figures less so. Numbers
 * go in docs/benchmarks.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

extern char **environ;

static const char *const words[] = {
    "leather", "wallet", "running", "shoes", "classic", "watch", "steel", "cotton", "shirt",
    "wireless", "earbuds", "handbag", "designer", "sunglasses", "polarized", "premium", "sport",
    "jacket", "waterproof", "vintage", "limited", "edition", "original", "gift", "women", "men",
    "kids", "ceramic", "phone", "case", "charger", "perfume", "bottle", "silk", "scarf", "belt"};
#define N_WORDS (sizeof words / sizeof words[0])
static const char *const regions[] = {"CN-GD", "CN-ZJ", "CN-FJ", "CN-JS", "US-CA",
                                      "US-NY", "DE-BY", "VN-SG", "TR-34", "IN-MH"};
static const char *const currencies[] = {"USD", "EUR", "CNY", "JPY"};

struct row {
    char id[24], seller[24], title[160], desc[400], category[32], image[96];
    const char *currency, *ship_from;
    int64_t price_minor, units_sold;
};

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Append n random words to out[cap] (space separated). */
static void random_words(char *out, size_t cap, int n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + o, cap - o, "%s%s", i ? " " : "", words[next_rand() % N_WORDS]);
        if (w < 0 || (size_t)w >= cap - o)
            break;
        o += (size_t)w;
    }
}

static void make_row(long i, long n_sellers, struct row *r)
{
    snprintf(r->id, sizeof r->id, "B%08ld", i);
    snprintf(r->seller, sizeof r->seller, "S%05ld", (long)(next_rand() % (uint32_t)n_sellers));
    random_words(r->title, sizeof r->title, 6 + (int)(next_rand() % 6));
    random_words(r->desc, sizeof r->desc, 20 + (int)(next_rand() % 30));
    snprintf(r->category, sizeof r->category, "category-%u", next_rand() % 40);
    snprintf(r->image, sizeof r->image, "https://img.example.test/p/%ld.jpg", i);
    r->currency = currencies[next_rand() % 4];
    r->ship_from = regions[next_rand() % 10];
    r->price_minor = 100 + next_rand() % 100000;
    if (strcmp(r->currency, "JPY") == 0)
        r->price_minor /= 100;
    r->units_sold = next_rand() % 5000;
}

static int check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench_import: %s: %s\n", what, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* The baseline: one transaction, one prepared INSERT, a bare table. */
static double baseline(const char *path, const struct row *rows, long n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    double t = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        goto out;
    if (check(sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                           "CREATE TABLE bare (id TEXT, seller_id TEXT, title TEXT, description "
                           "TEXT, price_minor INTEGER, currency TEXT, category TEXT, images TEXT,"
                           " ship_from TEXT, units_sold INTEGER)",
                           NULL, NULL, NULL),
              db, "create") ||
        check(sqlite3_prepare_v2(db, "INSERT INTO bare VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                                 -1, &st, NULL),
              db, "prepare"))
        goto out;
    double t0 = bench_now_s();
    if (check(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin"))
        goto out;
    char images[128];
    for (long i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        snprintf(images, sizeof images, "[\"%s\"]", r->image);
        sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->seller, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->desc, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, r->price_minor);
        sqlite3_bind_text(st, 6, r->currency, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, r->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, images, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, r->ship_from, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 10, r->units_sold);
        if (check(sqlite3_step(st), db, "insert"))
            goto out;
        sqlite3_reset(st);
    }
    if (check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit"))
        goto out;
    t = bench_now_s() - t0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}

/* Run argv, wait; returns the exit status or -1. */
static int run(char *const argv[], bool quiet)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench_import: cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
    long n = 200000;
    const char *bin = "./iprshield";
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rows") && i + 1 < argc)
            n = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--bin") && i + 1 < argc)
            bin = argv[++i];
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_import [--rows N] [--bin PATH] [--dir DIR]\n");
            return 2;
        }
    }
    if (n < 1 || n > 50000000) {
        fprintf(stderr, "bench_import: --rows must be 1-50000000\n");
        return 2;
    }
    char tmpl[] = "/tmp/iprs-bench-XXXXXX";
    if (!dir && !(dir = mkdtemp(tmpl))) {
        perror("bench_import: mkdtemp");
        return 5;
    }
    char jsonl[512], bare[512], db[512];
    snprintf(jsonl, sizeof jsonl, "%s/listings.jsonl", dir);
    snprintf(bare, sizeof bare, "%s/baseline.db", dir);
    snprintf(db, sizeof db, "%s/iprshield.db", dir);
    struct row *rows = calloc((size_t)n, sizeof *rows);
    FILE *f = fopen(jsonl, "w");
    if (!rows || !f) {
        fprintf(stderr, "bench_import: cannot prepare %s\n", jsonl);
        return 5;
    }
    long n_sellers = n / 400 + 1;
    for (long i = 0; i < n; i++) {
        struct row *r = &rows[i];
        make_row(i, n_sellers, r);
        char price[32];
        if (strcmp(r->currency, "JPY") == 0)
            snprintf(price, sizeof price, "%lld", (long long)r->price_minor);
        else
            snprintf(price, sizeof price, "%lld.%02lld", (long long)(r->price_minor / 100),
                     (long long)(r->price_minor % 100));
        fprintf(f,
                "{\"id\":\"%s\",\"seller_id\":\"%s\",\"title\":\"%s\",\"description\":\"%s\","
                "\"price\":\"%s\",\"currency\":\"%s\",\"category\":\"%s\",\"images\":[\"%s\"],"
                "\"ship_from\":\"%s\",\"units_sold\":%lld}\n",
                r->id, r->seller, r->title, r->desc, price, r->currency, r->category, r->image,
                r->ship_from, (long long)r->units_sold);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "bench_import: cannot write %s\n", jsonl);
        return 5;
    }
    unlink(bare);
    unlink(db);
    double cb = bench_cpu_s(RUSAGE_SELF);
    double tb = baseline(bare, rows, n);
    cb = bench_cpu_s(RUSAGE_SELF) - cb;
    if (tb <= 0)
        return 5;
    char b0[512], a_db[] = "db", a_migrate[] = "migrate", a_dbopt[] = "--db",
         a_import[] = "import", a_listings[] = "listings";
    snprintf(b0, sizeof b0, "%s", bin);
    char *mig[] = {b0, a_db, a_migrate, a_dbopt, db, NULL};
    if (run(mig, true) != 0)
        return 5;
    char *imp[] = {b0, a_import, a_listings, jsonl, a_dbopt, db, NULL};
    double ci = bench_cpu_s(RUSAGE_CHILDREN);
    double t0 = bench_now_s();
    int rc = run(imp, true);
    double ti = bench_now_s() - t0;
    ci = bench_cpu_s(RUSAGE_CHILDREN) - ci;
    if (rc != 0) {
        fprintf(stderr, "bench_import: import exited %d\n", rc);
        return 5;
    }
    double rb = (double)n / tb, ri = (double)n / ti;
    printf("rows                          %ld\n", n);
    printf("(a) baseline sqlite bulk insert  %10.0f rows/s  (%.2f s; CPU %.2f s, %.0f rows/CPU-s)\n",
           rb, tb, cb, (double)n / cb);
    printf("(b) iprshield import listings    %10.0f rows/s  (%.2f s, process start included;"
           " CPU %.2f s, %.0f rows/CPU-s)\n",
           ri, ti, ci, (double)n / ci);
    printf("ratio (b)/(a)                    %10.3f  (CPU per row: %.1fx the baseline's)\n",
           ri / rb, ci / cb);
    printf("target (b) >= 50000 rows/s       %s\n", ri >= 50000 ? "met" : "NOT met");
    free(rows);
    return 0;
}

/*
 * bench_ledger.c — the original-work ledger against its baseline.
 *
 *   bench_ledger [--regs N] [--batch B] [--files F] [--leaves L] [--proofs P] [--dir DIR]
 *
 * In one run, on a fresh migrated database in DIR (default /tmp), with the
 * production pragmas (WAL, synchronous=NORMAL plus the group-commit fdatasync
 * barrier of src/store/sqlite_durable.c: every commit durable before it returns):
 *   (a) baseline: the plain SHA-256 rate of the same canonical leaf bytes
 *       (merkle_leaf_hash, i.e. SHA-256(0x00 || leaf)), in memory;
 *   (b) durable registrations per second through ledger_register(), batches
 *       of B works (default 1,000) sharing one signed checkpoint: records,
 *       the touched tree tiles (each written once), checkpoint and audit
 *       event in one transaction,
 *       committed with fsync. Works are registered by digest (no file); a
 *       second, smaller run of F works with files (default 2,000) adds
 *       blob_put and libmagic typing;
 *   (c) the tree grown to L leaves (default 1,000,000) through the same
 *       registration path (batches of LEDGER_BATCH_MAX), then P random
 *       inclusion proofs (default 10,000) read from the stored tiles
 *       (ledger_tree_inclusion: one statement): time per proof and tile
 *       rows per proof, and a whole receipt (ledger_receipt_get: record,
 *       checkpoint, proof).
 * Prints rates and ratios, wall-clock and CPU time (the machine may be
 * shared). Record them in docs/benchmarks.md.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "access/access.h"
#include "core/config.h"
#include "core/log.h"
#include "ledger/ledger.h"
#include "ledger/tiles.h"

static const char *arg_str(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

/* Register n works by digest in batches of batch. Returns wall seconds or
 * -1; OUT *cpu (may be NULL): CPU seconds of the process meanwhile. */
static double register_digests(struct ips_ctx *ctx, const char *org_id, long n, long batch,
                               long offset, double *cpu)
{
    double c0 = bench_cpu_s(RUSAGE_SELF);
    struct ledger_work *w = calloc((size_t)batch, sizeof *w);
    char(*hex)[65] = calloc((size_t)batch, sizeof *hex);
    char(*title)[32] = calloc((size_t)batch, sizeof *title);
    double t0 = bench_now_s();
    for (long done = 0; done < n;) {
        long k = n - done < batch ? n - done : batch;
        for (long i = 0; i < k; i++) {
            uint8_t d[32];
            long id = offset + done + i;
            crypto_hash_sha256(d, (const uint8_t *)&id, sizeof id);
            sodium_bin2hex(hex[i], sizeof hex[i], d, sizeof d);
            snprintf(title[i], sizeof title[i], "Work %ld", id);
            w[i] = (struct ledger_work){.sha256_hex = hex[i], .title = title[i],
                                        .created_on = "2024-01-01", .org_id = org_id};
        }
        ips_status st = ledger_register(ctx, w, (size_t)k, NULL, NULL);
        if (st) {
            fprintf(stderr, "register: %s %s\n", ips_status_name(st), ctx->detail);
            return -1;
        }
        done += k;
        if (n >= 1000000 && done % 1000000 == 0)
            fprintf(stderr, "  ... %ld leaves\n", offset + done);
    }
    double t = bench_now_s() - t0;
    if (cpu)
        *cpu = bench_cpu_s(RUSAGE_SELF) - c0;
    free(w);
    free(hex);
    free(title);
    return t;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    log_level_set(LOG_ERROR);
    long regs = bench_arg_long(argc, argv, "--regs", 100000);
    long batch = bench_arg_long(argc, argv, "--batch", 1000);
    long files = bench_arg_long(argc, argv, "--files", 2000);
    long leaves = bench_arg_long(argc, argv, "--leaves", 1000000);
    long proofs = bench_arg_long(argc, argv, "--proofs", 10000);
    const char *dir = arg_str(argc, argv, "--dir", "/tmp");
    if (regs < 1 || batch < 1 || batch > LEDGER_BATCH_MAX || leaves < regs + files || proofs < 1) {
        fprintf(stderr, "bad arguments (need leaves >= regs + files, 1 <= batch <= %d)\n",
                LEDGER_BATCH_MAX);
        return 2;
    }
    char path[512], err[256], cmd[2200];
    snprintf(path, sizeof path, "%s/bench-ledger-%ld.db", dir, (long)getpid());
    struct config cfg;
    struct store *s = NULL;
    if (config_load(&cfg, err, sizeof err) || config_set(&cfg, "db", path, err, sizeof err) ||
        store_open(path, &s) || store_migrate(s, NULL)) {
        fprintf(stderr, "cannot set up %s\n", path);
        return 1;
    }
    struct access_principal sys;
    access_principal_system(&sys);
    struct ips_ctx ctx = {.store = s, .actor = &sys, .cfg = &cfg, .addr = "bench",
                          .errors = json_array()};
    struct store_org org;
    if (access_org_create(&ctx, "Bench Brand", "rightholder", &org)) {
        fprintf(stderr, "cannot create the org\n");
        return 1;
    }

    /* (a) baseline: SHA-256 of the same leaves */
    struct ledger_leaf l;
    memset(&l, 0, sizeof l);
    memcpy(l.org_id, org.id, sizeof l.org_id);
    snprintf(l.owner, sizeof l.owner, "Bench Brand");
    snprintf(l.created_on, sizeof l.created_on, "2024-01-01");
    l.registered_ms = 1700000000000;
    uint8_t leaf[STORE_LEDGER_LEAF_MAX], h[32], acc[32] = {0};
    size_t len = 0;
    double t0 = bench_now_s();
    for (long i = 0; i < regs; i++) {
        uint8_t d[32];
        crypto_hash_sha256(d, (const uint8_t *)&i, sizeof i);
        sodium_bin2hex(l.work_sha256, sizeof l.work_sha256, d, sizeof d);
        snprintf(l.title, sizeof l.title, "Work %ld", i);
        l.leaf_index = (uint64_t)i;
        ledger_leaf_encode(&l, leaf, sizeof leaf, &len);
    }
    double t_encode = bench_now_s() - t0;
    t0 = bench_now_s();
    double c0 = bench_cpu_s(RUSAGE_SELF);
    for (long i = 0; i < regs; i++) {
        leaf[0] = (uint8_t)i;
        merkle_leaf_hash(leaf, len, h);
        acc[i % 32] ^= h[0];
    }
    double t_hash = bench_now_s() - t0, c_hash = bench_cpu_s(RUSAGE_SELF) - c0;
    double hash_rate = (double)regs / t_hash;
    printf("leaf size                       %zu bytes\n", len);
    printf("(a) baseline SHA-256 of leaves  %12.0f leaves/s   (%.2f us each; CPU %.2f us)%s\n",
           hash_rate, 1e6 * t_hash / (double)regs, 1e6 * c_hash / (double)regs,
           acc[0] == 0xff ? " " : "");
    printf("    leaf encoding (JCS JSON)    %12.0f leaves/s\n", (double)regs / t_encode);

    /* (b) durable registrations, batched checkpoints */
    double c_reg = 0;
    double t_reg = register_digests(&ctx, org.id, regs, batch, 0, &c_reg);
    if (t_reg < 0)
        return 1;
    double reg_rate = (double)regs / t_reg;
    printf("(b) registrations, batch %-6ld %12.0f regs/s     (%ld in %.2f s; %.0f checkpoints/s;"
           " CPU %.1f us per registration, %.0f regs per CPU second)\n",
           batch, reg_rate, regs, t_reg, (double)regs / (double)batch / t_reg,
           1e6 * c_reg / (double)regs, (double)regs / c_reg);
    printf("    ratio registrations / SHA-256  %.4f (the hash is %.0fx faster)\n",
           reg_rate / hash_rate, hash_rate / reg_rate);
    double t_one = register_digests(&ctx, org.id, 200, 1, regs, NULL);
    printf("    batch of 1 (one signature and fsync per registration) %8.0f regs/s\n",
           200.0 / t_one);
    /* with files: blob_put + libmagic */
    struct ledger_work *fw = calloc((size_t)batch, sizeof *fw);
    char(*fdata)[64] = calloc((size_t)batch, sizeof *fdata);
    t0 = bench_now_s();
    for (long done = 0; done < files;) {
        long k = files - done < batch ? files - done : batch;
        for (long i = 0; i < k; i++) {
            snprintf(fdata[i], sizeof fdata[i], "file content number %ld of the bench", done + i);
            fw[i] = (struct ledger_work){.data = fdata[i], .len = strlen(fdata[i]), .title = "File",
                                         .org_id = org.id};
        }
        if (ledger_register(&ctx, fw, (size_t)k, NULL, NULL)) {
            fprintf(stderr, "register files: %s\n", ctx.detail);
            return 1;
        }
        done += k;
    }
    double t_files = bench_now_s() - t0;
    printf("    with files (blob_put, libmagic), batch %ld: %8.0f regs/s\n", batch,
           (double)files / t_files);
    free(fw);
    free(fdata);

    /* (c) grow to `leaves`, then time inclusion proofs */
    long have = regs + 200 + files;
    if (leaves > have) {
        fprintf(stderr, "growing the tree to %ld leaves (batches of %d)...\n", leaves,
                LEDGER_BATCH_MAX);
        t0 = bench_now_s();
        if (register_digests(&ctx, org.id, leaves - have, LEDGER_BATCH_MAX, have, NULL) < 0)
            return 1;
        fprintf(stderr, "  grown in %.1f s\n", bench_now_s() - t0);
        have = leaves;
    }
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count = 0;
    uint64_t rng = 88172645463325252ull;
    t0 = bench_now_s();
    c0 = bench_cpu_s(RUSAGE_SELF);
    for (long i = 0; i < proofs; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        if (ledger_tree_inclusion(s, rng % (uint64_t)have, (uint64_t)have, proof, &count)) {
            fprintf(stderr, "proof failed\n");
            return 1;
        }
    }
    double t_proof = bench_now_s() - t0, c_proof = bench_cpu_s(RUSAGE_SELF) - c0;
    double tiles = 0;
    for (long i = 0; i < 1000; i++) {
        size_t n = 0;
        ledger_tree_inclusion_tiles((uint64_t)i * 2654435761u % (uint64_t)have, (uint64_t)have, &n);
        tiles += (double)n;
    }
    tiles /= 1000;
    struct ledger_receipt *r = malloc(sizeof *r);
    t0 = bench_now_s();
    c0 = bench_cpu_s(RUSAGE_SELF);
    for (long i = 0; i < proofs; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        if (ledger_receipt_get(&ctx, rng % (uint64_t)have, r)) {
            fprintf(stderr, "receipt failed\n");
            return 1;
        }
    }
    double t_receipt = bench_now_s() - t0, c_receipt = bench_cpu_s(RUSAGE_SELF) - c0;
    free(r);
    double us_hash = 1e6 * t_hash / (double)regs;
    printf("(c) inclusion proof at %ld leaves (tiles in one statement): %.1f us each (CPU %.1f "
           "us), %.1f tile rows read, %zu hashes (ratio to one leaf hash: %.0fx)\n",
           have, 1e6 * t_proof / (double)proofs, 1e6 * c_proof / (double)proofs, tiles, count,
           1e6 * t_proof / (double)proofs / us_hash);
    printf("    whole receipt (ledger_receipt_get: record, checkpoint, proof tiles): %.1f us each "
           "(CPU %.1f us; ratio to one leaf hash: %.0fx)\n",
           1e6 * t_receipt / (double)proofs, 1e6 * c_receipt / (double)proofs,
           1e6 * t_receipt / (double)proofs / us_hash);
    json_decref(ctx.errors);
    store_close(s);
    config_release(&cfg);
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm' '%s.ledger.key'", path, path, path, path);
    return system(cmd) == 0 ? 0 : 1;
}

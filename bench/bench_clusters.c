/*
 * bench_clusters.c — clustering sellers into networks by shared identifier
 * hashes (src/enforce/uf.h, the code enforce_networks_rebuild runs) against
 * its baseline.
 *
 *   bench_clusters [--sellers N] [--seed S] [--share PERMILLE] [--reps R]
 *
 * Data (generated, not timed): N sellers (default 10,000,000) with 3
 * identifiers each (phone, email, payment account), as 32-byte hashes in
 * one array (hash[3N][32]) beside the owning seller's index (owner[3N]) —
 * the layout enforce_networks_rebuild hands to the union-find. A seeded RNG
 * (splitmix64) draws each identifier: with probability PERMILLE/1000
 * (default 20) from a shared pool of N/100 values per kind, as counterfeit
 * networks reuse phones, mailboxes and payment accounts; otherwise a value of
 * its own. The hashes are pseudo-random bytes, as keyed BLAKE2b outputs are.
 *
 * In one run, best of R (default 3) each:
 *   (a) baseline: read every identifier — all 32 bytes of each hash and its
 *       owner, folded into a checksum — in the same arrays;
 *   (b) clustering: enforce_uf_init(N) + enforce_uf_link_hashes over the
 *       3N identifiers (open-addressing table, union by size, path
 *       compression).
 * Prints both times, the ratio (b)/(a), and the clusters found. Record
 * results in docs/benchmarks.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "enforce/uf.h"

#define IDENTS 3

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The 32 bytes standing for the keyed hash of value v of kind k. */
static void fill_hash(uint8_t out[32], uint64_t k, uint64_t v)
{
    uint64_t st = (k << 56) ^ v ^ 0x5bd1e9955bd1e995ULL;
    for (int i = 0; i < 4; i++) {
        uint64_t w = splitmix64(&st);
        memcpy(out + 8 * i, &w, 8);
    }
}

int main(int argc, char **argv)
{
    long n = bench_arg_long(argc, argv, "--sellers", 10000000);
    long share = bench_arg_long(argc, argv, "--share", 20);
    long reps = bench_arg_long(argc, argv, "--reps", 3);
    uint64_t seed = (uint64_t)bench_arg_long(argc, argv, "--seed", 42);
    if (n < 100 || n > 100000000 || share < 0 || share > 1000 || reps < 1) {
        fprintf(stderr, "usage: bench_clusters [--sellers 100..1e8] [--seed S] "
                        "[--share 0..1000] [--reps R>=1]\n");
        return 2;
    }
    size_t count = (size_t)n * IDENTS;
    uint8_t(*hash)[32] = malloc(count * sizeof *hash);
    uint32_t *owner = malloc(count * sizeof *owner);
    if (!hash || !owner) {
        fprintf(stderr, "out of memory\n");
        return 5;
    }
    double t0 = bench_now_s();
    uint64_t rng = seed, pool = (uint64_t)n / 100, shared = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t kind = i % IDENTS, seller = i / IDENTS;
        uint64_t v;
        if (splitmix64(&rng) % 1000 < (uint64_t)share) {
            v = (1ULL << 40) + splitmix64(&rng) % pool; /* a shared value */
            shared++;
        } else {
            v = seller; /* its own */
        }
        fill_hash(hash[i], kind, v);
        owner[i] = (uint32_t)seller;
    }
    printf("sellers %ld, identifiers %zu (%d each), drawn from shared pools %" PRIu64
           " (%.1f%%), seed %" PRIu64 "\n",
           n, count, IDENTS, shared, 100.0 * (double)shared / (double)count, seed);
    printf("generated in %.2f s (not timed below)\n", bench_now_s() - t0);

    /* (a) baseline: read the same identifiers */
    double best_read = 1e30, best_read_cpu = 1e30;
    uint64_t sum = 0;
    for (long r = 0; r < reps; r++) {
        double t = bench_now_s(), c = bench_cpu_s(RUSAGE_SELF);
        uint64_t acc = 0;
        for (size_t i = 0; i < count; i++) {
            uint64_t w[4];
            memcpy(w, hash[i], sizeof w);
            acc += (w[0] ^ w[1] ^ w[2] ^ w[3]) + owner[i];
        }
        t = bench_now_s() - t;
        c = bench_cpu_s(RUSAGE_SELF) - c;
        sum = acc;
        if (t < best_read)
            best_read = t;
        if (c < best_read_cpu)
            best_read_cpu = c;
    }

    /* (b) clustering */
    double best_cluster = 1e30, best_cluster_cpu = 1e30;
    uint32_t sets = 0, largest = 0;
    uint64_t merges = 0, in_networks = 0;
    for (long r = 0; r < reps; r++) {
        struct enforce_uf u;
        double t = bench_now_s(), c = bench_cpu_s(RUSAGE_SELF);
        if (enforce_uf_init(&u, (uint32_t)n) ||
            enforce_uf_link_hashes(&u, (const uint8_t(*)[32])hash, owner, count, &merges)) {
            fprintf(stderr, "clustering failed (memory)\n");
            return 5;
        }
        t = bench_now_s() - t;
        c = bench_cpu_s(RUSAGE_SELF) - c;
        if (t < best_cluster)
            best_cluster = t;
        if (c < best_cluster_cpu)
            best_cluster_cpu = c;
        sets = u.sets;
        largest = 0;
        in_networks = 0;
        for (uint32_t i = 0; i < (uint32_t)n; i++) {
            uint32_t s = enforce_uf_set_size(&u, i);
            if (s > largest)
                largest = s;
            in_networks += s > 1;
        }
        enforce_uf_release(&u);
    }
    printf("(a) baseline: read every identifier   %8.3f s wall %8.3f s CPU  %8.1f M "
           "identifiers/CPU-s  (checksum %016" PRIx64 ")\n",
           best_read, best_read_cpu, (double)count / best_read_cpu / 1e6, sum);
    printf("(b) clustering (union-find)           %8.3f s wall %8.3f s CPU  %8.1f M "
           "identifiers/CPU-s\n",
           best_cluster, best_cluster_cpu, (double)count / best_cluster_cpu / 1e6);
    printf("    ratio clustering / reading        %8.2f wall %8.2f CPU\n", best_cluster / best_read,
           best_cluster_cpu / best_read_cpu);
    printf("    clusters %u, unions %" PRIu64 ", sellers in networks of 2+ %" PRIu64
           ", largest network %u\n",
           sets, merges, in_networks, largest);
    free(hash);
    free(owner);
    return 0;
}

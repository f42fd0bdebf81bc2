/*
 * bench_detect.c — the detection engine against named baselines, in one run:
 *
 *   1. text scan: listings/s on one core, end to end from a JSON Lines file in
 *      memory (parse JSON, normalise title and description, one Hyperscan pass
 *      each) with 3,000+ brand terms and the cue phrases, beside ripgrep
 *      (`rg -o -i -w -F -f TERMS`, Debian's ripgrep) over the same file; the
 *      ratio is printed — by CPU seconds (the engine's own, rg's as a waited
 *      child), and by wall time. rg does no normalisation (no confusables, no spread
 *      letters), so it does less work per byte than the engine.
 *      The file is read into memory and every page of that buffer touched
 *      once before the clock starts: on this machine's VM the first access
 *      from user space to a page the kernel has just written costs ~9 us, a
 *      cost of the harness's 50 MB buffer (iprshield scan streams through a
 *      reused buffer), which doubled the measured time of a pass.
 *      With --bin, the same file also goes through the real command
 *      (`BIN scan --profiles P --listings F --out /dev/null`) as a child
 *      process, like rg: its CPU seconds whole (process start, profiles
 *      compiled, file read, verdicts written), and less those of the same
 *      command over an empty file (the scan's share).
 *   2. Hamming index: queries/s at N hashes (default 1M) by multi-index
 *      hashing beside a brute-force scan (same popcount), CPU seconds and
 *      wall time, index memory; the same ids checked per query, ratio printed.
 *      When built with Debian's libfaiss-dev (CMake finds it; else a note is
 *      printed), FAISS's exhaustive IndexBinaryFlat is a second baseline:
 *      range_search with radius 32 (FAISS returns distance < radius, so <= 31)
 *      over the same hashes as 32-byte codes and the same queries, on one
 *      thread, its ids checked against the index's per query.
 *
 * usage: bench_detect [--listings N] [--terms N] [--hashes N] [--queries N]
 *                     [--text-only] [--text-repeat R] [--bin IPRSHIELD]
 * --text-only runs only part 1; --text-repeat scans the file R times (for
 * profiling; default 1): the engine's figures are per pass, rg runs once.
 * Data is synthetic and seeded; temporary files go to $TMPDIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "core/json.h"
#include "detect/detect.h"
#ifdef BENCH_HAVE_FAISS
#include "faiss_binary.h"
#endif

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const words[] = {"new", "bag", "leather", "women", "men", "shoes", "watch", "original",
                                    "fashion", "sale", "black", "gold", "wallet", "belt", "sport", "classic",
                                    "free", "shipping", "size", "large", "small", "gift", "box", "quality"};
#define NWORDS (sizeof words / sizeof words[0])

/* A made-up brand name: two or three syllables. */
static void brand_name(char *out, size_t cap)
{
    static const char *const syl[] = {"ka", "lo", "vi", "ten", "mar", "zu", "ro", "bel", "cor", "dex",
                                      "fin", "gal", "hor", "nix", "qua", "sol", "tra", "ver", "wyn", "ox"};
    int n = 2 + (int)(next() % 2);
    size_t o = 0;
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s", syl[next() % 20]);
    snprintf(out + o, cap - o, "%u", (unsigned)(next() % 1000));
}

struct hitcount {
    size_t n;
};
static void count_hit(uint32_t id, int d, void *arg)
{
    (void)id;
    (void)d;
    ((struct hitcount *)arg)->n++;
}

struct hitlist {
    uint32_t *ids;
    size_t n, cap;
};
static void list_hit(uint32_t id, int d, void *arg)
{
    (void)d;
    struct hitlist *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint32_t *ids = realloc(l->ids, cap * sizeof *ids);
        if (!ids)
            abort();
        l->ids = ids;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
}
static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int cmp_id(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    long nlist = 200000, nterms = 3000, nhashes = 1000000, nq = 2000, text_repeat = 1;
    const char *bin = NULL;
    bool text_only = false;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--text-only")) {
            text_only = true;
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
            argc--;
            i--;
        }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--text-repeat"))
            text_repeat = strtol(argv[i + 1], NULL, 10) > 0 ? strtol(argv[i + 1], NULL, 10) : 1;
        else if (!strcmp(argv[i], "--listings"))
            nlist = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--terms"))
            nterms = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--hashes"))
            nhashes = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--queries"))
            nq = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--bin"))
            bin = argv[i + 1];
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char terms_path[512], data_path[512], prof_path[512];
    snprintf(terms_path, sizeof terms_path, "%s/bench-detect-terms.txt", tmp);
    snprintf(data_path, sizeof data_path, "%s/bench-detect-listings.jsonl", tmp);
    snprintf(prof_path, sizeof prof_path, "%s/bench-detect-profiles.json", tmp);

    /* terms and profiles */
    char (*terms)[32] = calloc((size_t)nterms, sizeof *terms);
    FILE *tf = fopen(terms_path, "w"), *pf = fopen(prof_path, "w");
    if (!terms || !tf || !pf)
        return 1;
    fprintf(pf, "{\"profiles\":[");
    for (long i = 0; i < nterms; i++) {
        brand_name(terms[i], sizeof terms[i]);
        fprintf(tf, "%s\n", terms[i]);
        fprintf(pf, "%s{\"rightholder\":\"RH%ld\",\"terms\":[\"%s\"]}", i ? "," : "", i, terms[i]);
    }
    fprintf(pf, "]}");
    fclose(tf);
    fclose(pf);

    /* listings: ~1 in 20 names a brand, 1 in 50 with an evasion */
    FILE *df = fopen(data_path, "w");
    if (!df)
        return 1;
    for (long i = 0; i < nlist; i++) {
        char title[256], desc[512];
        size_t o = 0;
        for (int w = 0; w < 6; w++)
            o += (size_t)snprintf(title + o, sizeof title - o, "%s%s", w ? " " : "", words[next() % NWORDS]);
        if (next() % 20 == 0)
            snprintf(title + o, sizeof title - o, " %s", terms[next() % (uint64_t)nterms]);
        if (next() % 50 == 0)
            snprintf(title + strlen(title), sizeof title - strlen(title), " 1:1 replica");
        o = 0;
        for (int w = 0; w < 14; w++)
            o += (size_t)snprintf(desc + o, sizeof desc - o, "%s%s", w ? " " : "", words[next() % NWORDS]);
        fprintf(df,
                "{\"id\":\"L%ld\",\"seller_id\":\"s%ld\",\"title\":\"%s\",\"description\":\"%s\","
                "\"price\":%ld,\"currency\":\"USD\",\"category\":\"bags\",\"images\":[]}\n",
                i, i % 997, title, desc, (long)(next() % 500));
    }
    fclose(df);

    /* load the file into memory */
    FILE *in = fopen(data_path, "rb");
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, in) != (size_t)size)
        return 1;
    fclose(in);
    /* every page of the buffer touched once before the clock starts (see the
     * head of this file) */
    volatile unsigned char touched = 0;
    for (long i = 0; i < size; i += 4096)
        touched ^= (unsigned char)data[i];
    (void)touched;
    FILE *pin = fopen(prof_path, "rb");
    fseek(pin, 0, SEEK_END);
    long psize = ftell(pin);
    fseek(pin, 0, SEEK_SET);
    char *pdata = malloc((size_t)psize + 1);
    if (!pdata || fread(pdata, 1, (size_t)psize, pin) != (size_t)psize)
        return 1;
    fclose(pin);

    char err[300];
    struct detect_batch *b = NULL;
    double t0 = bench_now_s();
    if (detect_batch_new(pdata, (size_t)psize, NULL, NULL, &b, err, sizeof err)) {
        fprintf(stderr, "profiles: %s\n", err);
        return 1;
    }
    double compile_s = bench_now_s() - t0;
    FILE *sink = fopen("/dev/null", "w");
    double c0 = bench_cpu_s(RUSAGE_SELF);
    t0 = bench_now_s();
    long n = 0;
    for (long r = 0; r < text_repeat; r++) {
        n = 0;
        for (char *p = data, *end = data + size; p < end;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            detect_batch_scan_line(b, p, len, ++n, sink, NULL);
            p += len + 1;
        }
    }
    double engine_s = (bench_now_s() - t0) / (double)text_repeat;
    double engine_cpu = (bench_cpu_s(RUSAGE_SELF) - c0) / (double)text_repeat;
    fclose(sink);
    /* the baseline: ripgrep, one thread, same file, output discarded */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rg -j1 -o -i -w -F -f %s %s > /dev/null", terms_path, data_path);
    double rc0 = bench_cpu_s(RUSAGE_CHILDREN);
    t0 = bench_now_s();
    int rgrc = system(cmd);
    double rg_s = bench_now_s() - t0;
    double rg_cpu = bench_cpu_s(RUSAGE_CHILDREN) - rc0;

    printf("text scan: %ld listings (%.1f MB), %ld brand terms + cue phrases = %zu patterns\n", n,
           (double)size / 1e6, nterms, detect_batch_patterns(b));
    printf("  matcher compile:       %.3f s\n", compile_s);
    printf("  iprshield (1 core):    %.3f s wall, %.3f s CPU  %10.0f listings/CPU-s  (parse JSON + normalise + match + verdict JSON)\n",
           engine_s, engine_cpu, (double)n / engine_cpu);
    if (rgrc == 0 || rgrc == 256)
        printf("  rg -j1 -o -i -w -F:    %.3f s wall, %.3f s CPU  %10.0f listings/CPU-s  (literal match only)\n",
               rg_s, rg_cpu, (double)n / rg_cpu);
    else
        printf("  rg not available (exit %d)\n", rgrc);
    printf("  ratio iprshield/rg:    %.2f (CPU time)  %.2f (wall)\n", rg_cpu / engine_cpu, rg_s / engine_s);
    if (bin) { /* the real command, a child process as rg is */
        char empty_path[600];
        snprintf(empty_path, sizeof empty_path, "%s.empty", data_path);
        FILE *ef = fopen(empty_path, "w");
        if (!ef)
            return 1;
        fclose(ef);
        /* each command 3 times, alternated; the median of each */
        double cpu[2][3];
        int rcs = 0;
        const char *files[2] = {empty_path, data_path};
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 2; k++) {
                snprintf(cmd, sizeof cmd,
                         "%s scan --profiles %s --listings %s --out /dev/null 2>/dev/null", bin,
                         prof_path, files[k]);
                double cc0 = bench_cpu_s(RUSAGE_CHILDREN);
                rcs |= system(cmd);
                cpu[k][r] = bench_cpu_s(RUSAGE_CHILDREN) - cc0;
            }
        for (int k = 0; k < 2; k++)
            qsort(cpu[k], 3, sizeof cpu[k][0], cmp_double);
        unlink(empty_path);
        if (rcs) {
            fprintf(stderr, "%s scan failed\n", bin);
            return 1;
        }
        printf("  iprshield scan (CLI):  %.3f s CPU whole  %10.0f listings/CPU-s;  less the same over an "
               "empty file (%.3f s): %10.0f listings/CPU-s\n",
               cpu[1][1], (double)n / cpu[1][1], cpu[0][1], (double)n / (cpu[1][1] - cpu[0][1]));
        printf("  ratio CLI/rg:          %.2f (CPU time, whole; medians of 3)\n", rg_cpu / cpu[1][1]);
    }
    detect_batch_free(b);
    if (text_only) { /* skip the Hamming part; the memory goes with the process */
        unlink(terms_path);
        unlink(data_path);
        unlink(prof_path);
        return 0;
    }

    /* Hamming index vs brute force. Database: uniformly random 256-bit hashes
     * (unrelated images; PDQ bits are balanced by the median threshold).
     * Queries: nq of the indexed hashes with (i % 32) bits flipped, so every
     * query has a planted near-duplicate at distance 0..31 and the rest of the
     * database is far (~128). Own seed: independent of the text part. */
    rng = 0xD1B54A32D192ED03ULL;
    struct detect_index *ix;
    if (detect_index_new(&ix))
        return 1;
    struct detect_pdq *qs = calloc((size_t)nq, sizeof *qs);
    double bc0 = bench_cpu_s(RUSAGE_SELF);
    t0 = bench_now_s();
    for (long i = 0; i < nhashes; i++) {
        struct detect_pdq h;
        for (int w = 0; w < 4; w++)
            h.w[w] = next();
        if (i < nq) { /* queries: the hash with 0-31 bits flipped */
            qs[i] = h;
            for (int k = 0; k < (int)(i % 32); k++)
                qs[i].w[(k * 3) % 4] ^= (uint64_t)1 << ((k * 11 + i) % 64);
        }
        if (detect_index_add(ix, &h, NULL))
            return 1;
    }
    double build_s = bench_now_s() - t0, build_cpu = bench_cpu_s(RUSAGE_SELF) - bc0;
    struct hitcount a = {0};
    double qc0 = bench_cpu_s(RUSAGE_SELF);
    t0 = bench_now_s();
    for (long i = 0; i < nq; i++)
        detect_index_query(ix, &qs[i], DETECT_PDQ_MATCH_DISTANCE, count_hit, &a);
    double mih_s = bench_now_s() - t0, mih_cpu = bench_cpu_s(RUSAGE_SELF) - qc0;
    long nbq = nq < 200 ? nq : 200;
    struct hitlist li = {0}, lb = {0};
    double brute_s = 0, brute_cpu = 0;
    bool same = true;
    for (long i = 0; i < nbq; i++) { /* per query: the same ids, not just as many */
        li.n = lb.n = 0;
        detect_index_query(ix, &qs[i], DETECT_PDQ_MATCH_DISTANCE, list_hit, &li);
        double w0 = bench_now_s(), c0q = bench_cpu_s(RUSAGE_SELF);
        detect_index_query_brute(ix, &qs[i], DETECT_PDQ_MATCH_DISTANCE, list_hit, &lb);
        brute_s += bench_now_s() - w0;
        brute_cpu += bench_cpu_s(RUSAGE_SELF) - c0q;
        qsort(li.ids, li.n, sizeof *li.ids, cmp_id);
        qsort(lb.ids, lb.n, sizeof *lb.ids, cmp_id);
        if (li.n != lb.n || (lb.n && memcmp(li.ids, lb.ids, lb.n * sizeof *lb.ids)) || lb.n == 0)
            same = false;
    }
    printf("hamming index: %ld hashes, distance <= 31, popcount: %s\n", nhashes,
           detect_index_popcount_kind());
    printf("  build (incremental):   %.2f s wall, %.2f s CPU, %.1f bytes/hash (%.0f MiB)\n", build_s,
           build_cpu, (double)detect_index_bytes(ix) / (double)nhashes,
           (double)detect_index_bytes(ix) / 1048576.0);
    printf("  multi-index hashing:   %.3f s wall, %.3f s CPU  %10.0f queries/CPU-s  (%ld queries, %zu hits)\n",
           mih_s, mih_cpu, (double)nq / mih_cpu, nq, a.n);
    printf("  brute force:           %.3f s wall, %.3f s CPU  %10.0f queries/CPU-s  (%ld queries)\n", brute_s,
           brute_cpu, (double)nbq / brute_cpu, nbq);
    printf("  ratio index/brute:     %.1f (CPU time)  %.1f (wall)  (answers %s for %ld queries)\n",
           ((double)nq / mih_cpu) / ((double)nbq / brute_cpu), ((double)nq / mih_s) / ((double)nbq / brute_s),
           same ? "identical" : "DIFFER", nbq);
#ifdef BENCH_HAVE_FAISS
    /* FAISS wants codes as bytes: each hash's words in memory order. Any fixed
     * byte order keeps Hamming distances, so ids must match exactly. */
    {
        char ferr[256];
        uint8_t *codes = malloc((size_t)nhashes * 32), *qcodes = malloc((size_t)nbq * 32);
        if (!codes || !qcodes)
            return 1;
        for (long i = 0; i < nhashes; i++)
            memcpy(codes + (size_t)i * 32, detect_index_get(ix, (uint32_t)i)->w, 32);
        for (long i = 0; i < nbq; i++)
            memcpy(qcodes + (size_t)i * 32, qs[i].w, 32);
        double fb0 = bench_now_s(), fbc0 = bench_cpu_s(RUSAGE_SELF);
        struct bench_faiss *fx = bench_faiss_new(256, codes, (size_t)nhashes, ferr, sizeof ferr);
        double fbuild_s = bench_now_s() - fb0, fbuild_cpu = bench_cpu_s(RUSAGE_SELF) - fbc0;
        free(codes);
        if (!fx) {
            fprintf(stderr, "%s\n", ferr);
            return 1;
        }
        size_t *flims;
        int64_t *fids;
        double fq0 = bench_now_s(), fqc0 = bench_cpu_s(RUSAGE_SELF);
        if (bench_faiss_range(fx, qcodes, (size_t)nbq, DETECT_PDQ_MATCH_DISTANCE + 1, &flims, &fids, ferr,
                              sizeof ferr)) {
            fprintf(stderr, "%s\n", ferr);
            return 1;
        }
        double faiss_s = bench_now_s() - fq0, faiss_cpu = bench_cpu_s(RUSAGE_SELF) - fqc0;
        bool fsame = true;
        for (long i = 0; i < nbq; i++) {
            li.n = 0;
            detect_index_query(ix, &qs[i], DETECT_PDQ_MATCH_DISTANCE, list_hit, &li);
            qsort(li.ids, li.n, sizeof *li.ids, cmp_id);
            size_t fn = flims[i + 1] - flims[i];
            uint32_t *fq = malloc((fn ? fn : 1) * sizeof *fq);
            if (!fq)
                return 1;
            for (size_t k = 0; k < fn; k++)
                fq[k] = (uint32_t)fids[flims[i] + k];
            qsort(fq, fn, sizeof *fq, cmp_id);
            if (fn != li.n || fn == 0 || memcmp(fq, li.ids, fn * sizeof *fq))
                fsame = false;
            free(fq);
        }
        printf("  %s IndexBinaryFlat: %.3f s wall, %.3f s CPU  %10.0f queries/CPU-s  (%ld queries, 1 thread, "
               "range_search radius %d; build %.2f s wall, %.2f s CPU)\n",
               bench_faiss_version(), faiss_s, faiss_cpu, (double)nbq / faiss_cpu, nbq,
               DETECT_PDQ_MATCH_DISTANCE + 1, fbuild_s, fbuild_cpu);
        printf("  ratio index/FAISS:     %.1f (CPU time)  %.1f (wall)  (answers %s for %ld queries)\n",
               ((double)nq / mih_cpu) / ((double)nbq / faiss_cpu), ((double)nq / mih_s) / ((double)nbq / faiss_s),
               fsame ? "identical" : "DIFFER", nbq);
        same = same && fsame;
        free(flims);
        free(fids);
        free(qcodes);
        bench_faiss_free(fx);
    }
#else
    printf("  FAISS IndexBinaryFlat: not built (libfaiss-dev not found by CMake)\n");
#endif
    free(li.ids);
    free(lb.ids);
    detect_index_free(ix);
    free(qs);
    free(terms);
    free(data);
    free(pdata);
    unlink(terms_path);
    unlink(data_path);
    unlink(prof_path);
    return same ? 0 : 1;
}

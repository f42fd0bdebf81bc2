/*
 * mih.c — a Hamming-distance index over PDQ hashes by multi-index hashing
 * (Norouzi, Punjani, Fleet: "Fast search in Hamming space with multi-index
 * hashing", CVPR 2012), as described in detect.h.
 *
 * Substrings. The 256 bits are cut into M = 11 substrings (8 of 23 bits, 3 of
 * 24): the paper's choice of substring width ~ log2(N) for N in the tens of
 * millions. Pigeonhole, refined: write r = q*M + s (0 <= s < M). If every
 * substring 0..s differed in more than q bits and every other one in more
 * than q-1, the hashes would differ in at least (s+1)(q+1) + (M-s-1)q = r+1
 * bits. So a hash within r has substring j within rad[j] of the query's,
 * rad[j] = q for j <= s and q-1 (nothing to probe when negative) otherwise.
 * For r = 31: q = 2, s = 9, so ten substrings are probed at radius 2 (277
 * or 301 values each) and one at radius 1.
 *
 * Buckets. Per substring a table of 2^t list heads (t <= the substring
 * width; the low t bits of the substring value pick the bucket) and one
 * "next" array over ids: the posting lists are chains threaded through the
 * ids (newest first). Inserting is O(M): push the id on M chains. t grows
 * with N (a load of 1-2 ids per bucket): when N doubles past the table, the
 * heads are reallocated and the chains relinked in O(N*M) — amortised O(M)
 * per insert, like a growing hash table. No per-bucket allocations, no
 * pointers: 32 bytes of hash + 4*M bytes of links per hash, plus the heads.
 *
 * Query. Per substring the probe values are listed, all their heads are
 * prefetched, then the chains are walked in lock-step (one step of every live
 * chain per round, the next node prefetched) so that the cache misses of
 * different chains overlap. A chain node is a candidate only if its substring
 * equals the probe value exactly (t may be narrower than the substring);
 * then the full distance decides. No per-query de-duplication state: a hit
 * found through substring c is reported only if no earlier substring j < c
 * is within rad[j] (else it was reported there). The query writes nothing,
 * so concurrent queries on one index are safe.
 *
 * Popcount: the query and the brute-force scan are compiled twice, once for
 * the POPCNT instruction (x86, chosen at run time by __builtin_cpu_supports)
 * and once generic, so the baseline and the index count bits the same way.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "detect/detect.h"

#define MIH__M 11
#define MIH__MAX_IDS 0x7FFFFFFFu
#define MIH__NONE 0xFFFFFFFFu
#define MIH__MIN_T 10
#define MIH__MAX_PROBES 301 /* 1 + 24 + 24*23/2 */

#if defined(__x86_64__) || defined(__i386__)
#define MIH__X86 1
#endif

/* substring j covers bits off[j] .. off[j]+width[j]-1 (bit 0 = w[0] & 1) */
static const uint8_t mih__width[MIH__M] = {23, 23, 23, 23, 23, 23, 23, 23, 24, 24, 24};
static const uint8_t mih__off[MIH__M] = {0, 23, 46, 69, 92, 115, 138, 161, 184, 208, 232};

struct detect_index {
    struct detect_pdq *hashes; /* by id = insertion order */
    uint32_t *next[MIH__M];    /* next id in the same bucket, or MIH__NONE */
    uint32_t *heads[MIH__M];   /* 2^tbits[j] first ids, or MIH__NONE */
    uint8_t tbits[MIH__M];
    uint8_t t;                 /* table width before the cap by substring width */
    size_t n, cap;
};

/* ---- memory: large arrays on transparent huge pages ------------------------------------ */

/* The tables and chains are read at random: with 4 KiB pages nearly every
 * probe is also a TLB miss. Arrays of 2 MiB and more are 2 MiB-aligned and
 * marked MADV_HUGEPAGE (a hint; without THP they are ordinary memory). */
#define MIH__HUGE ((size_t)2 << 20)

static void *mih__alloc(size_t bytes)
{
    if (bytes < MIH__HUGE)
        return malloc(bytes);
    void *p = NULL;
    if (posix_memalign(&p, MIH__HUGE, (bytes + MIH__HUGE - 1) & ~(MIH__HUGE - 1)))
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, (bytes + MIH__HUGE - 1) & ~(MIH__HUGE - 1), MADV_HUGEPAGE);
#endif
    return p;
}

/* Grow an array from old_bytes to bytes (contents kept); NULL on failure
 * with the old array untouched. */
static void *mih__grow_array(void *old, size_t old_bytes, size_t bytes)
{
    if (bytes < MIH__HUGE)
        return realloc(old, bytes);
    void *p = mih__alloc(bytes);
    if (!p)
        return NULL;
    if (old_bytes)
        memcpy(p, old, old_bytes);
    free(old);
    return p;
}

static inline uint32_t mih__sub(const uint64_t w[4], int j)
{
    unsigned off = mih__off[j], width = mih__width[j], k = off >> 6, sh = off & 63;
    uint64_t v = w[k] >> sh;
    if (sh + width > 64)
        v |= w[k + 1] << (64 - sh);
    return (uint32_t)(v & ((1u << width) - 1));
}

static inline uint32_t mih__bucket(const struct detect_index *ix, int j, uint32_t v)
{
    return v & ((1u << ix->tbits[j]) - 1);
}

/* ---- building -------------------------------------------------------------------------- */

/* Allocate heads of width t (capped per substring) and relink ids 0..n-1. */
static ips_status mih__relayout(struct detect_index *ix, uint8_t t)
{
    uint32_t *heads[MIH__M] = {0};
    uint8_t tb[MIH__M];
    for (int j = 0; j < MIH__M; j++) {
        tb[j] = t < mih__width[j] ? t : mih__width[j];
        heads[j] = mih__alloc(((size_t)1 << tb[j]) * sizeof *heads[j]);
        if (!heads[j]) {
            for (int k = 0; k < j; k++)
                free(heads[k]);
            return IPS_ERR_NOMEM;
        }
        memset(heads[j], 0xFF, ((size_t)1 << tb[j]) * sizeof *heads[j]);
    }
    for (int j = 0; j < MIH__M; j++) {
        free(ix->heads[j]);
        ix->heads[j] = heads[j];
        ix->tbits[j] = tb[j];
    }
    ix->t = t;
    for (int j = 0; j < MIH__M; j++) {
        uint32_t *hd = ix->heads[j], *nx = ix->next[j];
        for (size_t id = 0; id < ix->n; id++) {
            uint32_t b = mih__bucket(ix, j, mih__sub(ix->hashes[id].w, j));
            nx[id] = hd[b];
            hd[b] = (uint32_t)id;
        }
    }
    return IPS_OK;
}

ips_status detect_index_new(struct detect_index **out)
{
    *out = NULL;
    struct detect_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return IPS_ERR_NOMEM;
    if (mih__relayout(ix, MIH__MIN_T)) {
        free(ix);
        return IPS_ERR_NOMEM;
    }
    *out = ix;
    return IPS_OK;
}

void detect_index_free(struct detect_index *ix)
{
    if (!ix)
        return;
    for (int j = 0; j < MIH__M; j++) {
        free(ix->heads[j]);
        free(ix->next[j]);
    }
    free(ix->hashes);
    free(ix);
}

static ips_status mih__grow(struct detect_index *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 1024;
    /* each array is replaced only once its copy exists: a failure leaves the
     * index as it was (arrays already grown are just longer than cap) */
    struct detect_pdq *hs = mih__grow_array(ix->hashes, ix->n * sizeof *hs, cap * sizeof *hs);
    if (!hs)
        return IPS_ERR_NOMEM;
    ix->hashes = hs;
    for (int j = 0; j < MIH__M; j++) {
        uint32_t *nx = mih__grow_array(ix->next[j], ix->n * sizeof *nx, cap * sizeof *nx);
        if (!nx)
            return IPS_ERR_NOMEM;
        ix->next[j] = nx;
    }
    ix->cap = cap;
    return IPS_OK;
}

ips_status detect_index_add(struct detect_index *ix, const struct detect_pdq *h, uint32_t *id)
{
    if (ix->n >= MIH__MAX_IDS)
        return IPS_ERR_TOO_LARGE;
    ips_status st;
    if (ix->n == ix->cap && (st = mih__grow(ix)))
        return st;
    /* keep 1-2 ids per bucket: widen the tables when n reaches 2^(t+1) */
    if (ix->t < 24 && ix->n + 1 >= ((size_t)2 << ix->t) && (st = mih__relayout(ix, (uint8_t)(ix->t + 1))))
        return st;
    uint32_t nid = (uint32_t)ix->n;
    ix->hashes[nid] = *h;
    for (int j = 0; j < MIH__M; j++) {
        uint32_t b = mih__bucket(ix, j, mih__sub(h->w, j));
        ix->next[j][nid] = ix->heads[j][b];
        ix->heads[j][b] = nid;
    }
    ix->n++;
    if (id)
        *id = nid;
    return IPS_OK;
}

size_t detect_index_size(const struct detect_index *ix)
{
    return ix->n;
}

size_t detect_index_bytes(const struct detect_index *ix)
{
    size_t b = sizeof *ix + ix->cap * (sizeof *ix->hashes + MIH__M * sizeof(uint32_t));
    for (int j = 0; j < MIH__M; j++)
        b += ((size_t)1 << ix->tbits[j]) * sizeof(uint32_t);
    return b;
}

const struct detect_pdq *detect_index_get(const struct detect_index *ix, uint32_t id)
{
    return id < ix->n ? &ix->hashes[id] : NULL;
}

/* ---- querying -------------------------------------------------------------------------- */

/* Bodies shared by the POPCNT and the generic build of the query functions;
 * always inlined so that __builtin_popcountll follows the caller's target. */
#define MIH__INLINE static inline __attribute__((always_inline))

MIH__INLINE int mih__dist(const uint64_t a[4], const uint64_t b[4])
{
    return __builtin_popcountll(a[0] ^ b[0]) + __builtin_popcountll(a[1] ^ b[1]) +
           __builtin_popcountll(a[2] ^ b[2]) + __builtin_popcountll(a[3] ^ b[3]);
}

/* All values within radius rad (0..2) of v in a width-bit substring. */
static int mih__probes(uint32_t v, int width, int rad, uint32_t *out)
{
    int n = 0;
    out[n++] = v;
    if (rad >= 1)
        for (int a = 0; a < width; a++)
            out[n++] = v ^ (1u << a);
    if (rad >= 2)
        for (int a = 0; a < width; a++)
            for (int b = a + 1; b < width; b++)
                out[n++] = v ^ (1u << a) ^ (1u << b);
    return n;
}

MIH__INLINE void mih__query_body(const struct detect_index *ix, const struct detect_pdq *q, int r,
                                 detect_index_hit_cb cb, void *arg)
{
    int qq = r / MIH__M, s = r % MIH__M, rad[MIH__M];
    for (int j = 0; j < MIH__M; j++)
        rad[j] = j <= s ? qq : qq - 1;
    uint32_t pv[MIH__MAX_PROBES], cur[MIH__MAX_PROBES];
    for (int c = 0; c < MIH__M && rad[c] >= 0; c++) {
        const uint32_t *hd = ix->heads[c], *nx = ix->next[c];
        int np = mih__probes(mih__sub(q->w, c), mih__width[c], rad[c], pv);
        for (int k = 0; k < np; k++)
            __builtin_prefetch(&hd[mih__bucket(ix, c, pv[k])]);
        int live = 0;
        for (int k = 0; k < np; k++) {
            uint32_t id = hd[mih__bucket(ix, c, pv[k])];
            if (id == MIH__NONE)
                continue;
            __builtin_prefetch(&ix->hashes[id]);
            __builtin_prefetch(&nx[id]);
            pv[live] = pv[k];
            cur[live++] = id;
        }
        while (live > 0) {
            int keep = 0;
            for (int k = 0; k < live; k++) {
                uint32_t id = cur[k];
                const uint64_t *h = ix->hashes[id].w;
                if (mih__sub(h, c) == pv[k]) {
                    int d = mih__dist(h, q->w);
                    if (d <= r) {
                        uint64_t x[4] = {h[0] ^ q->w[0], h[1] ^ q->w[1], h[2] ^ q->w[2], h[3] ^ q->w[3]};
                        int seen = 0;
                        for (int j = 0; j < c && !seen; j++)
                            seen = __builtin_popcount(mih__sub(x, j)) <= rad[j];
                        if (!seen)
                            cb(id, d, arg);
                    }
                }
                uint32_t nid = nx[id];
                if (nid != MIH__NONE) {
                    __builtin_prefetch(&ix->hashes[nid]);
                    __builtin_prefetch(&nx[nid]);
                    pv[keep] = pv[k];
                    cur[keep++] = nid;
                }
            }
            live = keep;
        }
    }
}

MIH__INLINE void mih__brute_body(const struct detect_index *ix, const struct detect_pdq *q, int r,
                                 detect_index_hit_cb cb, void *arg)
{
    for (size_t i = 0; i < ix->n; i++) {
        int d = mih__dist(ix->hashes[i].w, q->w);
        if (d <= r)
            cb((uint32_t)i, d, arg);
    }
}

static void mih__query_generic(const struct detect_index *ix, const struct detect_pdq *q, int r,
                               detect_index_hit_cb cb, void *arg)
{
    mih__query_body(ix, q, r, cb, arg);
}

static void mih__brute_generic(const struct detect_index *ix, const struct detect_pdq *q, int r,
                               detect_index_hit_cb cb, void *arg)
{
    mih__brute_body(ix, q, r, cb, arg);
}

#ifdef MIH__X86
__attribute__((target("popcnt"))) static void mih__query_popcnt(const struct detect_index *ix,
                                                                 const struct detect_pdq *q, int r,
                                                                 detect_index_hit_cb cb, void *arg)
{
    mih__query_body(ix, q, r, cb, arg);
}

__attribute__((target("popcnt"))) static void mih__brute_popcnt(const struct detect_index *ix,
                                                                 const struct detect_pdq *q, int r,
                                                                 detect_index_hit_cb cb, void *arg)
{
    mih__brute_body(ix, q, r, cb, arg);
}

static bool mih__have_popcnt(void)
{
    return __builtin_cpu_supports("popcnt");
}
#endif

ips_status detect_index_query(struct detect_index *ix, const struct detect_pdq *q,
                              int max_distance, detect_index_hit_cb cb, void *arg)
{
    if (max_distance < 0 || max_distance > 31)
        return IPS_ERR_INVALID;
#ifdef MIH__X86
    if (mih__have_popcnt()) {
        mih__query_popcnt(ix, q, max_distance, cb, arg);
        return IPS_OK;
    }
#endif
    mih__query_generic(ix, q, max_distance, cb, arg);
    return IPS_OK;
}

void detect_index_query_brute(const struct detect_index *ix, const struct detect_pdq *q,
                              int max_distance, detect_index_hit_cb cb, void *arg)
{
#ifdef MIH__X86
    if (mih__have_popcnt()) {
        mih__brute_popcnt(ix, q, max_distance, cb, arg);
        return;
    }
#endif
    mih__brute_generic(ix, q, max_distance, cb, arg);
}

const char *detect_index_popcount_kind(void)
{
#ifdef MIH__X86
    if (mih__have_popcnt())
        return "popcnt";
#endif
    return "generic";
}

/*
 * mih.c — a Hamming-distance index over PDQ hashes by multi-index hashing
 * (Norouzi, Punjani, Fleet: "Fast search in Hamming space with multi-index
 * hashing", CVPR 2012), as described in detect.h.
 *
 * Layout: hashes in insertion order (id = position); for each of the 16
 * chunks a table of 65536 posting lists of ids. A query enumerates, per
 * chunk, the chunk values within radius r/16 of the query's chunk and checks
 * each listed id once (an epoch stamp per id avoids re-checking ids found
 * through several chunks).
 *
 * Memory: 32 bytes per hash, 64 bytes of postings per hash (16 ids), 4 bytes
 * of stamps per hash, plus 16 MiB of list heads.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#define MIH__CHUNKS 16
#define MIH__BUCKETS 65536
#define MIH__MAX_IDS 0x7FFFFFFFu

struct mih__list {
    uint32_t *ids;
    uint32_t n, cap;
};

struct detect_index {
    struct detect_pdq *hashes;
    uint32_t *stamp;
    size_t n, cap;
    uint32_t epoch;
    struct mih__list *lists; /* MIH__CHUNKS * MIH__BUCKETS */
};

static inline uint32_t mih__chunk(const struct detect_pdq *h, int c)
{
    return (uint32_t)(h->w[c / 4] >> (16 * (c % 4))) & 0xFFFFu;
}

ips_status detect_index_new(struct detect_index **out)
{
    *out = NULL;
    struct detect_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return IPS_ERR_NOMEM;
    ix->lists = calloc((size_t)MIH__CHUNKS * MIH__BUCKETS, sizeof *ix->lists);
    if (!ix->lists) {
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
    if (ix->lists)
        for (size_t k = 0; k < (size_t)MIH__CHUNKS * MIH__BUCKETS; k++)
            free(ix->lists[k].ids);
    free(ix->lists);
    free(ix->hashes);
    free(ix->stamp);
    free(ix);
}

ips_status detect_index_add(struct detect_index *ix, const struct detect_pdq *h, uint32_t *id)
{
    if (ix->n >= MIH__MAX_IDS)
        return IPS_ERR_TOO_LARGE;
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 1024;
        struct detect_pdq *hs = realloc(ix->hashes, cap * sizeof *hs);
        if (!hs)
            return IPS_ERR_NOMEM;
        ix->hashes = hs;
        uint32_t *st = realloc(ix->stamp, cap * sizeof *st);
        if (!st)
            return IPS_ERR_NOMEM;
        memset(st + ix->cap, 0, (cap - ix->cap) * sizeof *st);
        ix->stamp = st;
        ix->cap = cap;
    }
    uint32_t nid = (uint32_t)ix->n;
    /* reserve every list first, so a failure adds nothing */
    for (int c = 0; c < MIH__CHUNKS; c++) {
        struct mih__list *l = &ix->lists[(size_t)c * MIH__BUCKETS + mih__chunk(h, c)];
        if (l->n == l->cap) {
            uint32_t cap = l->cap ? l->cap * 2 : 4;
            uint32_t *ids = realloc(l->ids, cap * sizeof *ids);
            if (!ids)
                return IPS_ERR_NOMEM;
            l->ids = ids;
            l->cap = cap;
        }
    }
    for (int c = 0; c < MIH__CHUNKS; c++) {
        struct mih__list *l = &ix->lists[(size_t)c * MIH__BUCKETS + mih__chunk(h, c)];
        l->ids[l->n++] = nid;
    }
    ix->hashes[nid] = *h;
    ix->stamp[nid] = 0;
    ix->n++;
    if (id)
        *id = nid;
    return IPS_OK;
}

size_t detect_index_size(const struct detect_index *ix)
{
    return ix->n;
}

const struct detect_pdq *detect_index_get(const struct detect_index *ix, uint32_t id)
{
    return id < ix->n ? &ix->hashes[id] : NULL;
}

/* Check every id of one posting list against q. */
static void mih__probe(struct detect_index *ix, const struct mih__list *l,
                       const struct detect_pdq *q, int r, detect_index_hit_cb cb, void *arg)
{
    for (uint32_t k = 0; k < l->n; k++) {
        uint32_t id = l->ids[k];
        if (ix->stamp[id] == ix->epoch)
            continue;
        ix->stamp[id] = ix->epoch;
        int d = detect_pdq_distance(q, &ix->hashes[id]);
        if (d <= r)
            cb(id, d, arg);
    }
}

ips_status detect_index_query(struct detect_index *ix, const struct detect_pdq *q,
                              int max_distance, detect_index_hit_cb cb, void *arg)
{
    if (max_distance < 0 || max_distance > 31)
        return IPS_ERR_INVALID;
    if (++ix->epoch == 0) { /* wrapped: clear the stamps */
        if (ix->n)
            memset(ix->stamp, 0, ix->n * sizeof *ix->stamp);
        ix->epoch = 1;
    }
    int cr = max_distance / MIH__CHUNKS; /* 0 or 1 */
    for (int c = 0; c < MIH__CHUNKS; c++) {
        uint32_t v = mih__chunk(q, c);
        const struct mih__list *base = &ix->lists[(size_t)c * MIH__BUCKETS];
        mih__probe(ix, &base[v], q, max_distance, cb, arg);
        if (cr >= 1)
            for (int b = 0; b < 16; b++)
                mih__probe(ix, &base[v ^ (1u << b)], q, max_distance, cb, arg);
    }
    return IPS_OK;
}

void detect_index_query_brute(const struct detect_index *ix, const struct detect_pdq *q,
                              int max_distance, detect_index_hit_cb cb, void *arg)
{
    for (size_t i = 0; i < ix->n; i++) {
        int d = detect_pdq_distance(q, &ix->hashes[i]);
        if (d <= max_distance)
            cb((uint32_t)i, d, arg);
    }
}

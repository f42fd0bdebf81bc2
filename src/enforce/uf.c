/*
 * uf.c — union-find with path compression and union by size, and clustering
 * by shared hashes (uf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "enforce/uf.h"

ips_status enforce_uf_init(struct enforce_uf *u, uint32_t n)
{
    memset(u, 0, sizeof *u);
    if (n > ENFORCE_UF_MAX)
        return IPS_ERR_TOO_LARGE;
    size_t cnt = n ? n : 1;
    u->parent = malloc(cnt * sizeof *u->parent);
    u->size = malloc(cnt * sizeof *u->size);
    if (!u->parent || !u->size) {
        enforce_uf_release(u);
        return IPS_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        u->parent[i] = i;
        u->size[i] = 1;
    }
    u->n = u->sets = n;
    return IPS_OK;
}

void enforce_uf_release(struct enforce_uf *u)
{
    free(u->parent);
    free(u->size);
    memset(u, 0, sizeof *u);
}

uint32_t enforce_uf_find(struct enforce_uf *u, uint32_t x)
{
    uint32_t root = x;
    while (u->parent[root] != root)
        root = u->parent[root];
    /* second pass: point every node of the path straight at the root */
    while (u->parent[x] != root) {
        uint32_t next = u->parent[x];
        u->parent[x] = root;
        x = next;
    }
    return root;
}

bool enforce_uf_union(struct enforce_uf *u, uint32_t a, uint32_t b)
{
    uint32_t ra = enforce_uf_find(u, a), rb = enforce_uf_find(u, b);
    if (ra == rb)
        return false;
    if (u->size[ra] < u->size[rb]) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    u->parent[rb] = ra;
    u->size[ra] += u->size[rb];
    u->sets--;
    return true;
}

uint32_t enforce_uf_set_size(struct enforce_uf *u, uint32_t x)
{
    return u->size[enforce_uf_find(u, x)];
}

/* A table slot: 0 empty, else (tag << 32) | (index + 1) — tag the hash's
 * bytes 8..11, so most probes are decided without reading the hash. */
static uint64_t uf__slot(const uint8_t h[32], size_t i)
{
    uint32_t tag;
    memcpy(&tag, h + 8, sizeof tag);
    return ((uint64_t)tag << 32) | (uint64_t)(i + 1);
}

ips_status enforce_uf_link_hashes(struct enforce_uf *u, const uint8_t (*hashes)[32],
                                  const uint32_t *owner, size_t count, uint64_t *merges)
{
    if (count > ((size_t)1 << 30))
        return IPS_ERR_TOO_LARGE;
    size_t cap = 16;
    while (cap < 2 * count)
        cap <<= 1;
    uint64_t *table = calloc(cap, sizeof *table);
    if (!table)
        return IPS_ERR_NOMEM;
    uint64_t merged = 0;
    size_t mask = cap - 1;
    for (size_t i = 0; i < count; i++) {
        uint64_t h64;
        memcpy(&h64, hashes[i], sizeof h64);
        uint64_t want = uf__slot(hashes[i], i);
        for (size_t pos = (size_t)h64 & mask;; pos = (pos + 1) & mask) {
            uint64_t sl = table[pos];
            if (sl == 0) {
                table[pos] = want;
                break;
            }
            if ((sl >> 32) != (want >> 32))
                continue;
            size_t j = (size_t)(sl & 0xffffffffu) - 1;
            if (memcmp(hashes[j], hashes[i], 32) != 0)
                continue;
            if (enforce_uf_union(u, owner[j], owner[i]))
                merged++;
            break;
        }
    }
    free(table);
    if (merges)
        *merges = merged;
    return IPS_OK;
}

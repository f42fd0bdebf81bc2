/*
 * uf.h — union-find (disjoint sets) over dense indices 0..n-1, with path
 * compression and union by size, and the clustering of sellers by shared
 * identifier hashes built on it. Pure and in memory: no store, no I/O, no
 * globals; bench/bench_clusters.c and enforce_networks_rebuild use the same
 * code.
 *
 * Invariants of struct enforce_uf (between init and release):
 *   - parent[i] < n for every i < n; i is a root iff parent[i] == i;
 *   - size[r] is the number of elements of the set whose root is r (size of
 *     a non-root is stale and never read);
 *   - sets is the number of roots.
 * With union by size a tree has height <= log2(n); path compression makes a
 * sequence of m operations O(m α(n)).
 *
 * Ownership: the struct owns its two arrays; enforce_uf_release frees them.
 * Not thread-safe (find compresses paths, i.e. writes).
 */
#ifndef IPS_ENFORCE_UF_H
#define IPS_ENFORCE_UF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define ENFORCE_UF_MAX 0x7fffffffu /* elements of one structure */

struct enforce_uf {
    uint32_t *parent;
    uint32_t *size;
    uint32_t n;    /* elements */
    uint32_t sets; /* disjoint sets (roots) */
};

/* n singletons. IPS_ERR_TOO_LARGE past ENFORCE_UF_MAX, IPS_ERR_NOMEM.
 * On failure *u is zeroed (release is still safe). */
ips_status enforce_uf_init(struct enforce_uf *u, uint32_t n);
/* Free the arrays and zero *u. Safe on a zeroed struct and twice. */
void enforce_uf_release(struct enforce_uf *u);
/* The root of x's set (x < n), compressing the path to it. */
uint32_t enforce_uf_find(struct enforce_uf *u, uint32_t x);
/* Merge the sets of a and b (both < n): the smaller root goes under the
 * larger (ties: under a's root). Result: true when they were apart. */
bool enforce_uf_union(struct enforce_uf *u, uint32_t a, uint32_t b);
/* Elements in x's set. */
uint32_t enforce_uf_set_size(struct enforce_uf *u, uint32_t x);

/*
 * Union every pair of owners that hold an equal 32-byte hash: hashes[i] is
 * held by owner[i] (< u->n), for i < count. Equal hashes are found with an
 * open-addressing table of 2^k >= 2*count slots (8 bytes each) taken from
 * the heap for the call. Hashes are expected to be uniformly distributed
 * (keyed BLAKE2b), so their first 8 bytes index the table.
 * OUT *merges (may be NULL): how many unions joined two sets.
 * Failure: IPS_ERR_NOMEM, IPS_ERR_TOO_LARGE (count > 2^30); u unchanged.
 */
ips_status enforce_uf_link_hashes(struct enforce_uf *u, const uint8_t (*hashes)[32],
                                  const uint32_t *owner, size_t count, uint64_t *merges);

#endif

/*
 * merkle.h — RFC 9162 §2.1 Merkle tree math: tree hashes, inclusion and
 * consistency proofs, and their verification. Pure: no I/O, no allocation.
 *
 * Hashing (RFC 9162 §2.1.1), SHA-256 throughout:
 *   MTH({})       = SHA-256()                        (the empty tree)
 *   leaf hash     = SHA-256(0x00 || leaf bytes)
 *   node hash     = SHA-256(0x01 || left || right)
 *   MTH(D[n])     = node(MTH(D[0:k]), MTH(D[k:n])),  k the largest power of
 *                   two smaller than n.
 *
 * Storage model. The generators do not see the tree: they ask a callback
 * for the hash of a COMPLETE subtree, identified by (level, index) — the
 * subtree of 2^level leaves starting at leaf index << level (level 0 = a leaf
 * hash). Such a node never changes once its last leaf exists, so a log can
 * store it once, when it completes (merkle_append tells which ones). Every
 * subtree a proof needs is either complete (one read) or the right edge of
 * the tree, which splits into at most log2(n) complete ones; so a proof for a
 * tree of n leaves costs O(log n) callback reads.
 *
 * Invariants and limits: tree sizes are below 2^63; a proof has at most
 * MERKLE_PROOF_MAX hashes. Callback failures are passed through unchanged.
 */
#ifndef IPS_LEDGER_MERKLE_H
#define IPS_LEDGER_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MERKLE_HASH_LEN 32
#define MERKLE_PROOF_MAX 64 /* log2 of the largest tree, plus room */

/* Hash of the complete subtree (level, index) into out. Returns IPS_OK, or a
 * failure that the caller passes through (IPS_ERR_NOT_FOUND when the store
 * lacks the node is an integrity problem of the store). */
typedef ips_status (*merkle_get_fn)(void *arg, unsigned level, uint64_t index,
                                    uint8_t out[MERKLE_HASH_LEN]);
/* Store the hash of the complete subtree (level, index). */
typedef ips_status (*merkle_put_fn)(void *arg, unsigned level, uint64_t index,
                                    const uint8_t hash[MERKLE_HASH_LEN]);

/* SHA-256(0x00 || leaf[0..len)) into out. */
void merkle_leaf_hash(const void *leaf, size_t len, uint8_t out[MERKLE_HASH_LEN]);
/* SHA-256(0x01 || left || right) into out (out may alias left or right). */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN]);
/* SHA-256 of nothing: the root of the empty tree. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN]);

/* Append the leaf with hash leaf_hash at position index (= the tree size
 * before the append): put(0, index, leaf_hash), then, for every subtree this
 * leaf completes, get its left sibling and put the parent. Reads at most and
 * writes at most log2(index + 1) + 1 nodes. Failure: the callback's status;
 * nodes put before the failure stay put (run it inside a transaction). */
ips_status merkle_append(uint64_t index, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                         merkle_get_fn get, merkle_put_fn put, void *arg);

/* MTH(D[0:size]) into out (size 0: the empty root). O(log size) reads. */
ips_status merkle_root(uint64_t size, merkle_get_fn get, void *arg,
                       uint8_t out[MERKLE_HASH_LEN]);

/* RFC 9162 §2.1.3.1 PATH(index, D[0:size]) into proof[0..*count), leaf side
 * first. IPS_ERR_INVALID when index >= size. */
ips_status merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_get_fn get, void *arg,
                                  uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                  size_t *count);

/* RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]) into proof[0..*count).
 * Empty when old_size == new_size. IPS_ERR_INVALID unless
 * 0 < old_size <= new_size. */
ips_status merkle_consistency_proof(uint64_t old_size, uint64_t new_size, merkle_get_fn get,
                                    void *arg, uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                    size_t *count);

/* Plans: the same walks as merkle_root, merkle_inclusion_proof and
 * merkle_consistency_proof, asking get for the same nodes in the same order
 * but computing no hash — for a store that wants to know what a proof will
 * read before reading it (src/ledger/tiles.c). Same failures. */
ips_status merkle_root_plan(uint64_t size, merkle_get_fn get, void *arg);
ips_status merkle_inclusion_plan(uint64_t index, uint64_t size, merkle_get_fn get, void *arg);
ips_status merkle_consistency_plan(uint64_t old_size, uint64_t new_size, merkle_get_fn get,
                                   void *arg);

/* RFC 9162 §2.1.3.2: true when proof[0..count) proves that the leaf with
 * hash leaf_hash is at index in the tree of size size with root root. */
bool merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                             const uint8_t (*proof)[MERKLE_HASH_LEN], size_t count,
                             const uint8_t root[MERKLE_HASH_LEN]);

/* RFC 9162 §2.1.4.2: true when proof[0..count) proves that the tree of
 * old_size leaves with root old_root is a prefix of the tree of new_size
 * leaves with root new_root. Equal sizes need an empty proof and equal
 * roots; old_size 0 is refused (false): RFC 9162 defines no proof for it. */
bool merkle_consistency_verify(uint64_t old_size, uint64_t new_size,
                               const uint8_t old_root[MERKLE_HASH_LEN],
                               const uint8_t new_root[MERKLE_HASH_LEN],
                               const uint8_t (*proof)[MERKLE_HASH_LEN], size_t count);

#endif

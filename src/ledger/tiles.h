/*
 * tiles.h — the ledger's Merkle tree in the store, as tiles (the C2SP
 * tlog-tiles idea, with the inner levels kept): how nodes map to tile rows,
 * the in-memory right frontier that appends leaves and writes each touched
 * tile once, and the readers behind roots and proofs. Design note:
 * docs/internals/ledger.md ("The tree in the store").
 *
 * Layout. Tile (level L, index T) is the subtree of height 8 over the tree
 * nodes of level 8L with indices [256 T, 256 T + 256): it holds every node
 * of tree levels 8L .. 8L+7 in it, in post-order — the order in which
 * appending leaves completes them — so a partial tile (the right edge) is a
 * prefix of the full one, 510 hashes. The level-(8L+8) node a full tile
 * completes is an entry of tile level L+1. A tile with w level-8L entries
 * holds ledger_tile_count(w) hashes.
 *
 * A proof for a tree of n leaves reads about two tiles per tile level
 * (the leaf's path and the right edge), ceil(log2(n) / 8) levels, in one
 * statement, and computes no hash to get a node.
 */
#ifndef IPS_LEDGER_TILES_H
#define IPS_LEDGER_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/merkle.h"
#include "store/store_ledger.h"

#define LEDGER_TILE_HEIGHT 8
#define LEDGER_TILE_WIDTH 256
#define LEDGER_TILE_HASHES STORE_LEDGER_TILE_HASHES /* 510 */
#define LEDGER_TILE_LEVELS 8                        /* 8 x 8 = 64 tree levels */

/* Hashes a tile holds when w (0..256) entries of its bottom level exist. */
size_t ledger_tile_count(unsigned w);
/* Post-order position, in its tile, of the node at level j (0..7) of the
 * tile with local index il (< 256 >> j). */
size_t ledger_tile_pos(unsigned j, unsigned il);
/* The tile (*tl, *ti) holding tree node (level, index), and its position. */
void ledger_tile_locate(unsigned level, uint64_t index, unsigned *tl, uint64_t *ti, size_t *pos);

/* Receives a tile's hashes: a completed tile once, a partial one at each
 * flush. Its status is passed through. */
typedef ips_status (*ledger_tile_sink_fn)(void *arg, unsigned level, uint64_t idx,
                                          const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t n);

/*
 * The right frontier: the right-edge tile of every tile level, in memory
 * (about 130 KiB: allocate it). Appending leaf hashes computes every node
 * from it without reading the store; a tile that completes goes to the sink
 * at once, the partial ones at ledger_frontier_flush — so a batch writes
 * each tile it touches once.
 */
struct ledger_frontier_tile {
    uint64_t idx; /* this level's right-edge tile */
    unsigned w;   /* its bottom entries (0..255) */
    size_t n;     /* its hashes: ledger_tile_count(w) */
    bool dirty;   /* changed since loaded or flushed */
    uint8_t h[LEDGER_TILE_HASHES][MERKLE_HASH_LEN];
};

struct ledger_frontier {
    uint64_t size; /* leaves appended so far */
    ledger_tile_sink_fn sink;
    void *arg;
    struct ledger_frontier_tile t[LEDGER_TILE_LEVELS];
};

/* An empty tree (size 0) writing through sink. */
void ledger_frontier_init(struct ledger_frontier *f, ledger_tile_sink_fn sink, void *arg);
/* The frontier of the stored tree of `size` leaves: reads the right-edge
 * tiles (at most one per tile level, one statement).
 * Failure: IPS_ERR_NOT_FOUND when a tile is missing or shorter than size
 * needs (the old layout, see ledger_tiles_upgrade, or a damaged store);
 * IPS_ERR_INTEGRITY when a tile holds more than size accounts for. */
ips_status ledger_frontier_load(struct ledger_frontier *f, struct store *s, uint64_t size);
/* Append one leaf hash. Failure: the sink's status; IPS_ERR_TOO_LARGE past
 * 2^63 leaves. */
ips_status ledger_frontier_append(struct ledger_frontier *f, const uint8_t leaf_hash[MERKLE_HASH_LEN]);
/* Send every changed partial tile to the sink. */
ips_status ledger_frontier_flush(struct ledger_frontier *f);
/* MTH of the f->size leaves (no I/O). */
void ledger_frontier_root(const struct ledger_frontier *f, uint8_t out[MERKLE_HASH_LEN]);
/* ledger_tile_sink_fn writing to the store arg (store_ledger_tile_put). */
ips_status ledger_tile_store_sink(void *arg, unsigned level, uint64_t idx,
                                  const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t n);

/* Reads for the tree of `size` leaves stored in s; each reads the tiles it
 * needs in one statement. As merkle.h's functions, plus IPS_ERR_NOT_FOUND
 * when a tile or hash they need is not stored. */
ips_status ledger_tree_root(struct store *s, uint64_t size, uint8_t out[MERKLE_HASH_LEN]);
ips_status ledger_tree_inclusion(struct store *s, uint64_t index, uint64_t size,
                                 uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *count);
ips_status ledger_tree_consistency(struct store *s, uint64_t from, uint64_t to,
                                   uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *count);
/* OUT *tiles: how many tile rows ledger_tree_inclusion reads (no I/O). */
ips_status ledger_tree_inclusion_tiles(uint64_t index, uint64_t size, size_t *tiles);
/* The stored leaf hash of leaf index. */
ips_status ledger_tree_leaf_hash(struct store *s, uint64_t index, uint8_t out[MERKLE_HASH_LEN]);

/*
 * Convert a database of the node-table layout (migration 0004): when that
 * table exists and holds nodes, rebuild the tiles from the stored leaf
 * bytes (hashing each leaf); then drop it (an empty one, left by 0011 on a
 * database whose ledger was empty, is just dropped). Run inside a transaction; the caller then checks the
 * root against the last checkpoint as always. OUT *leaves: the leaves
 * converted (0 when there was nothing to do).
 * Failure: IPS_ERR_INTEGRITY when the leaf indices have a gap; store
 * failures.
 */
ips_status ledger_tiles_upgrade(struct store *s, int64_t *leaves);

/*
 * Recompute every tile from the stored leaf bytes and compare it with the
 * stored one (the full integrity check). OUT *checked: leaves hashed.
 * IPS_ERR_INTEGRITY with the first difference in why, naming the tree node
 * (level, index) or the missing leaf or tile.
 */
ips_status ledger_tiles_verify(struct store *s, int64_t *checked, char *why, size_t cap);

#endif

/*
 * store_ledger.h — persistence of the original-work ledger (src/ledger/):
 * registrations (the leaves), the Merkle tree as tiles of hashes, and the
 * signed checkpoints. Tables: migrations/0004_ledger.sql,
 * 0010_ledger_tiles.sql and 0011_ledger_tile_store.sql.
 *
 * All three tables are append-only (triggers refuse DELETE, and UPDATE
 * except a tile growing). The
 * ledger module writes a batch of leaves, their tiles and the checkpoint that
 * covers them inside one store_tx_run; these functions assume nothing about
 * that and each is one statement.
 *
 * Records are plain structs owned by the caller; OUT parameters are written
 * only on IPS_OK. Failure as in store.h.
 */
#ifndef IPS_STORE_STORE_LEDGER_H
#define IPS_STORE_STORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_LEDGER_TITLE_MAX 200
#define STORE_LEDGER_DATE_LEN 10   /* YYYY-MM-DD */
#define STORE_LEDGER_HEX_LEN 64    /* lower-case hex SHA-256 */
#define STORE_LEDGER_LEAF_MAX 2048 /* canonical record bytes */
#define STORE_LEDGER_NOTE_MAX 1024 /* a signed checkpoint note */

struct store_ledger_record {
    int64_t leaf_index;
    char org_id[ID_SIZE];
    char agent_org_id[ID_SIZE]; /* "" unless an agent registered it for org_id */
    char work_sha256[STORE_LEDGER_HEX_LEN + 1];
    bool has_pdq;
    uint8_t pdq[STORE_HASH_LEN]; /* PDQ of an image work, big-endian (Meta's hex order) */
    char title[STORE_LEDGER_TITLE_MAX + 1];
    char created_on[STORE_LEDGER_DATE_LEN + 1];
    int64_t registered_ms;
    size_t leaf_len;
    uint8_t leaf[STORE_LEDGER_LEAF_MAX];
};

struct store_ledger_checkpoint {
    int64_t tree_size;
    uint8_t root[STORE_HASH_LEN];
    char note[STORE_LEDGER_NOTE_MAX + 1];
    int64_t created_ms;
};

/* Insert a registration. IPS_ERR_CONFLICT when leaf_index is taken,
 * IPS_ERR_NOT_FOUND when the org does not exist, IPS_ERR_TOO_LARGE for an
 * unterminated field or leaf_len > STORE_LEDGER_LEAF_MAX. */
ips_status store_ledger_record_insert(struct store *s, const struct store_ledger_record *r);
/* OUT *out. IPS_ERR_NOT_FOUND when no registration has this index. */
ips_status store_ledger_record_get(struct store *s, int64_t leaf_index,
                                   struct store_ledger_record *out);
typedef ips_status (*store_ledger_record_cb)(const struct store_ledger_record *r, void *arg);
/* Registrations by leaf_index ascending with leaf_index > after (-1: from the
 * start), of one org (only_org non-NULL) or all, at most limit rows
 * (limit <= 0: STORE_LIST_DEFAULT_LIMIT; the one listing that reads the
 * whole log, the integrity check, pages through it). */
ips_status store_ledger_record_list(struct store *s, const char *only_org, int64_t after,
                                    int limit, store_ledger_record_cb cb, void *arg);
/* Registrations with a PDQ hash, leaf_index ascending after `after` (-1:
 * from the start), at most limit (<= 0: STORE_LIST_DEFAULT_LIMIT): the
 * prior-art index loads and refreshes itself with this. */
typedef ips_status (*store_ledger_pdq_cb)(int64_t leaf_index, const uint8_t pdq[STORE_HASH_LEN],
                                          void *arg);
ips_status store_ledger_pdq_list(struct store *s, int64_t after, int limit, store_ledger_pdq_cb cb,
                                 void *arg);
/* Number of registrations (= highest leaf_index + 1; 0 when empty). */
ips_status store_ledger_size(struct store *s, int64_t *out);

/* Tiles of the Merkle tree (layout: migrations/0011_ledger_tile_store.sql
 * and src/ledger/tiles.h). A tile holds 1..STORE_LEDGER_TILE_HASHES hashes
 * of STORE_HASH_LEN bytes. */
#define STORE_LEDGER_TILE_HASHES 510
#define STORE_LEDGER_TILE_BYTES (STORE_LEDGER_TILE_HASHES * STORE_HASH_LEN)
/* Insert tile (level, idx) or replace it by a longer one that starts with
 * the stored hashes (a tile only grows). len: a multiple of STORE_HASH_LEN
 * in 1..STORE_LEDGER_TILE_BYTES, else IPS_ERR_INVALID. Rewriting a stored
 * hash fails (the table's trigger: IPS_ERR_DB). */
ips_status store_ledger_tile_put(struct store *s, int level, int64_t idx, const uint8_t *hashes,
                                 size_t len);
/* Read up to n tiles at once (one statement, one read transaction): for
 * each tile i = (levels[i], idx[i]) that exists, cb(i, hashes, len, arg), in
 * no particular order; absent tiles are skipped. n <= STORE_LEDGER_TILES_MAX. */
#define STORE_LEDGER_TILES_MAX 64
typedef ips_status (*store_ledger_tile_cb)(size_t i, const uint8_t *hashes, size_t len, void *arg);
ips_status store_ledger_tiles_get(struct store *s, size_t n, const int *levels, const int64_t *idx,
                                  store_ledger_tile_cb cb, void *arg);
/* The node table of the layout before tiles (migration 0004), which the
 * ledger converts once: OUT *present whether it still exists, *nodes its
 * rows (0 when absent). */
ips_status store_ledger_legacy_present(struct store *s, bool *present, int64_t *nodes);
/* Drop that table (inside the converting transaction). */
ips_status store_ledger_legacy_drop(struct store *s);

/* Insert a checkpoint. IPS_ERR_CONFLICT when one of this size exists. */
ips_status store_ledger_checkpoint_insert(struct store *s, const struct store_ledger_checkpoint *c);
/* The checkpoint with the largest tree_size. IPS_ERR_NOT_FOUND when none. */
ips_status store_ledger_checkpoint_latest(struct store *s, struct store_ledger_checkpoint *out);
/* The checkpoint of exactly this size. IPS_ERR_NOT_FOUND when none. */
ips_status store_ledger_checkpoint_get(struct store *s, int64_t tree_size,
                                       struct store_ledger_checkpoint *out);

#endif

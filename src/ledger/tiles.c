/*
 * tiles.c — the Merkle tree stored as tiles: node positions, the right
 * frontier that appends, the readers behind roots and proofs, the
 * conversion from the node-table layout and the full check. Layout and
 * contracts: tiles.h.
 */
#include "ledger/tiles.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

size_t ledger_tile_count(unsigned w)
{
    size_t n = 0;
    for (unsigned k = 0; k < LEDGER_TILE_HEIGHT; k++)
        n += w >> k;
    return n;
}

/* The node (j, il) is completed by the tile's bottom entry c - 1, where
 * c = (il + 1) << j; that entry completes levels 0 .. min(ctz(c), 7), in
 * that order, after which the tile holds ledger_tile_count(c) hashes. */
size_t ledger_tile_pos(unsigned j, unsigned il)
{
    unsigned c = (il + 1) << j;
    unsigned top = (unsigned)__builtin_ctz(c);
    if (top > LEDGER_TILE_HEIGHT - 1)
        top = LEDGER_TILE_HEIGHT - 1;
    return ledger_tile_count(c) - 1 - (top - j);
}

void ledger_tile_locate(unsigned level, uint64_t index, unsigned *tl, uint64_t *ti, size_t *pos)
{
    unsigned j = level % LEDGER_TILE_HEIGHT;
    *tl = level / LEDGER_TILE_HEIGHT;
    *ti = index >> (LEDGER_TILE_HEIGHT - j);
    *pos = ledger_tile_pos(j, (unsigned)(index & ((LEDGER_TILE_WIDTH >> j) - 1)));
}

/* ---- the frontier ------------------------------------------------------------------ */

void ledger_frontier_init(struct ledger_frontier *f, ledger_tile_sink_fn sink, void *arg)
{
    f->size = 0;
    f->sink = sink;
    f->arg = arg;
    for (unsigned l = 0; l < LEDGER_TILE_LEVELS; l++) {
        f->t[l].idx = 0;
        f->t[l].w = 0;
        f->t[l].n = 0;
        f->t[l].dirty = false;
    }
}

struct frontier_load {
    struct ledger_frontier *f;
    unsigned level[LEDGER_TILE_LEVELS];
    ips_status st;
};

static ips_status frontier_tile(size_t i, const uint8_t *hashes, size_t len, void *arg)
{
    struct frontier_load *fl = arg;
    unsigned l = fl->level[i];
    size_t want = fl->f->t[l].n * MERKLE_HASH_LEN;
    if (len < want)
        return IPS_OK; /* stays short: reported below */
    if (len > want) {
        log_error("ledger: a tree tile holds more hashes than the log has leaves");
        return IPS_ERR_INTEGRITY;
    }
    memcpy(fl->f->t[l].h, hashes, len);
    fl->f->t[l].dirty = false;
    return IPS_OK;
}

ips_status ledger_frontier_load(struct ledger_frontier *f, struct store *s, uint64_t size)
{
    struct frontier_load fl = {.f = f};
    int levels[LEDGER_TILE_LEVELS];
    int64_t idx[LEDGER_TILE_LEVELS];
    size_t n = 0;
    ledger_frontier_init(f, f->sink, f->arg);
    if (size >> 63)
        return IPS_ERR_TOO_LARGE;
    for (unsigned l = 0; l < LEDGER_TILE_LEVELS; l++) {
        uint64_t m = size >> (LEDGER_TILE_HEIGHT * l); /* complete level-8l nodes */
        f->t[l].idx = m / LEDGER_TILE_WIDTH;
        f->t[l].w = (unsigned)(m % LEDGER_TILE_WIDTH);
        f->t[l].n = ledger_tile_count(f->t[l].w);
        if (f->t[l].w == 0)
            continue;
        f->t[l].dirty = true; /* "not loaded yet" until frontier_tile fills it */
        fl.level[n] = l;
        levels[n] = (int)l;
        idx[n] = (int64_t)f->t[l].idx;
        n++;
    }
    ips_status st = store_ledger_tiles_get(s, n, levels, idx, frontier_tile, &fl);
    if (st)
        return st;
    for (unsigned l = 0; l < LEDGER_TILE_LEVELS; l++)
        if (f->t[l].dirty) /* missing or short */
            return IPS_ERR_NOT_FOUND;
    f->size = size;
    return IPS_OK;
}

ips_status ledger_frontier_append(struct ledger_frontier *f, const uint8_t leaf_hash[MERKLE_HASH_LEN])
{
    uint8_t h[MERKLE_HASH_LEN];
    memcpy(h, leaf_hash, MERKLE_HASH_LEN);
    if (f->size >> 62)
        return IPS_ERR_TOO_LARGE;
    for (unsigned l = 0;; l++) {
        if (l >= LEDGER_TILE_LEVELS)
            return IPS_ERR_TOO_LARGE;
        struct ledger_frontier_tile *t = &f->t[l];
        memcpy(t->h[t->n++], h, MERKLE_HASH_LEN);
        unsigned c = ++t->w;
        t->dirty = true;
        /* parents this entry completes inside the tile: the left child is
         * the level-(k-1) node before the one just written */
        for (unsigned k = 1; k < LEDGER_TILE_HEIGHT && c % (1u << k) == 0; k++) {
            merkle_node_hash(t->h[ledger_tile_pos(k - 1, (c >> (k - 1)) - 2)], t->h[t->n - 1],
                             t->h[t->n]);
            t->n++;
        }
        if (c < LEDGER_TILE_WIDTH)
            break;
        /* the tile is full: its root is the next level's entry */
        merkle_node_hash(t->h[ledger_tile_pos(LEDGER_TILE_HEIGHT - 1, 0)],
                         t->h[ledger_tile_pos(LEDGER_TILE_HEIGHT - 1, 1)], h);
        ips_status st = f->sink(f->arg, l, t->idx, (const uint8_t(*)[MERKLE_HASH_LEN])t->h, t->n);
        if (st)
            return st;
        t->idx++;
        t->w = 0;
        t->n = 0;
        t->dirty = false;
    }
    f->size++;
    return IPS_OK;
}

ips_status ledger_frontier_flush(struct ledger_frontier *f)
{
    for (unsigned l = 0; l < LEDGER_TILE_LEVELS; l++) {
        if (!f->t[l].dirty || f->t[l].n == 0)
            continue;
        ips_status st = f->sink(f->arg, l, f->t[l].idx,
                                (const uint8_t(*)[MERKLE_HASH_LEN])f->t[l].h, f->t[l].n);
        if (st)
            return st;
        f->t[l].dirty = false;
    }
    return IPS_OK;
}

/* Fold parts[0..count) from the right, as MTH does over the complete
 * subtrees of a range's binary decomposition. */
static void tiles__fold(uint8_t (*parts)[MERKLE_HASH_LEN], unsigned count,
                        uint8_t out[MERKLE_HASH_LEN])
{
    while (count > 1) {
        merkle_node_hash(parts[count - 2], parts[count - 1], parts[count - 2]);
        count--;
    }
    memcpy(out, parts[0], MERKLE_HASH_LEN);
}

/* The subtrees of size's decomposition are the nodes (l, (size >> l) - 1)
 * for each bit l of size; (size >> l) is odd, so each lies in the
 * right-edge tile of its tile level, which the frontier holds. */
void ledger_frontier_root(const struct ledger_frontier *f, uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t parts[64][MERKLE_HASH_LEN];
    unsigned count = 0;
    if (f->size == 0) {
        merkle_empty_root(out);
        return;
    }
    for (int level = 63; level >= 0; level--) {
        if (!((f->size >> level) & 1))
            continue;
        unsigned tl;
        uint64_t ti;
        size_t pos;
        ledger_tile_locate((unsigned)level, (f->size >> level) - 1, &tl, &ti, &pos);
        memcpy(parts[count++], f->t[tl].h[pos], MERKLE_HASH_LEN);
    }
    tiles__fold(parts, count, out);
}

ips_status ledger_tile_store_sink(void *arg, unsigned level, uint64_t idx,
                                  const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t n)
{
    return store_ledger_tile_put(arg, (int)level, (int64_t)idx, hashes[0], n * MERKLE_HASH_LEN);
}

/* ---- readers ----------------------------------------------------------------------- */

/* The tree math asks for nodes through a callback; a reader runs it twice:
 * first recording which tiles hold the nodes it asks for (answering zeros;
 * which nodes a proof needs depends only on the sizes and the index), then,
 * after reading those tiles in one statement, from them. */
struct tiles__reader {
    struct store *s;
    bool recording;
    size_t n;
    int level[STORE_LEDGER_TILES_MAX];
    int64_t idx[STORE_LEDGER_TILES_MAX];
    size_t len[STORE_LEDGER_TILES_MAX]; /* bytes read; 0: absent */
    uint8_t *data;                      /* n tiles of STORE_LEDGER_TILE_BYTES */
};

static ips_status tiles__got(size_t i, const uint8_t *hashes, size_t len, void *arg)
{
    struct tiles__reader *r = arg;
    if (len > STORE_LEDGER_TILE_BYTES)
        return IPS_ERR_DB;
    memcpy(r->data + i * STORE_LEDGER_TILE_BYTES, hashes, len);
    r->len[i] = len;
    return IPS_OK;
}

static ips_status tiles__get(void *arg, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
    struct tiles__reader *r = arg;
    unsigned tl;
    uint64_t ti;
    size_t pos, i;
    ledger_tile_locate(level, index, &tl, &ti, &pos);
    for (i = 0; i < r->n; i++)
        if (r->level[i] == (int)tl && r->idx[i] == (int64_t)ti)
            break;
    if (r->recording) {
        memset(out, 0, MERKLE_HASH_LEN);
        if (i == r->n) {
            if (r->n == STORE_LEDGER_TILES_MAX)
                return IPS_ERR_INTERNAL;
            r->level[r->n] = (int)tl;
            r->idx[r->n] = (int64_t)ti;
            r->n++;
        }
        return IPS_OK;
    }
    if (i == r->n || (pos + 1) * MERKLE_HASH_LEN > r->len[i])
        return IPS_ERR_NOT_FOUND;
    memcpy(out, r->data + i * STORE_LEDGER_TILE_BYTES + pos * MERKLE_HASH_LEN, MERKLE_HASH_LEN);
    return IPS_OK;
}

/* Read what the recording run asked for and switch to answering. */
static ips_status tiles__load(struct tiles__reader *r)
{
    r->recording = false;
    if (r->n == 0)
        return IPS_OK;
    r->data = malloc(r->n * STORE_LEDGER_TILE_BYTES);
    if (!r->data)
        return IPS_ERR_NOMEM;
    memset(r->len, 0, sizeof r->len);
    return store_ledger_tiles_get(r->s, r->n, r->level, r->idx, tiles__got, r);
}

/* What a reader computes. */
struct tiles__op {
    enum { TILES__ROOT, TILES__INCLUSION, TILES__CONSISTENCY, TILES__LEAF } kind;
    uint64_t a, b; /* size; index, size; from, to; index */
    uint8_t *out;  /* ROOT, LEAF */
    uint8_t (*proof)[MERKLE_HASH_LEN];
    size_t *count;
};

static ips_status tiles__run(struct tiles__reader *r, const struct tiles__op *op)
{
    if (r->recording)
        switch (op->kind) { /* the plans: the same reads, no hashing */
        case TILES__ROOT:
            return merkle_root_plan(op->a, tiles__get, r);
        case TILES__INCLUSION:
            return merkle_inclusion_plan(op->a, op->b, tiles__get, r);
        case TILES__CONSISTENCY:
            return merkle_consistency_plan(op->a, op->b, tiles__get, r);
        case TILES__LEAF:
            break;
        }
    switch (op->kind) {
    case TILES__ROOT:
        return merkle_root(op->a, tiles__get, r, op->out);
    case TILES__INCLUSION:
        return merkle_inclusion_proof(op->a, op->b, tiles__get, r, op->proof, op->count);
    case TILES__CONSISTENCY:
        return merkle_consistency_proof(op->a, op->b, tiles__get, r, op->proof, op->count);
    case TILES__LEAF:
        return tiles__get(r, 0, op->a, op->out);
    }
    return IPS_ERR_INTERNAL;
}

/* Record, load, answer. The reader is large (its keys): on the heap. */
static ips_status tiles__read(struct store *s, const struct tiles__op *op)
{
    struct tiles__reader *r = calloc(1, sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    r->s = s;
    r->recording = true;
    ips_status st = tiles__run(r, op);
    if (st == IPS_OK && (st = tiles__load(r)) == IPS_OK)
        st = tiles__run(r, op);
    free(r->data);
    free(r);
    return st;
}

ips_status ledger_tree_inclusion_tiles(uint64_t index, uint64_t size, size_t *tiles)
{
    struct tiles__reader *r = calloc(1, sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    r->recording = true;
    ips_status st = merkle_inclusion_plan(index, size, tiles__get, r);
    *tiles = r->n;
    free(r);
    return st;
}

ips_status ledger_tree_root(struct store *s, uint64_t size, uint8_t out[MERKLE_HASH_LEN])
{
    return tiles__read(s, &(struct tiles__op){.kind = TILES__ROOT, .a = size, .out = out});
}

ips_status ledger_tree_inclusion(struct store *s, uint64_t index, uint64_t size,
                                 uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *count)
{
    return tiles__read(s, &(struct tiles__op){.kind = TILES__INCLUSION, .a = index, .b = size,
                                              .proof = proof, .count = count});
}

ips_status ledger_tree_consistency(struct store *s, uint64_t from, uint64_t to,
                                   uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *count)
{
    return tiles__read(s, &(struct tiles__op){.kind = TILES__CONSISTENCY, .a = from, .b = to,
                                              .proof = proof, .count = count});
}

ips_status ledger_tree_leaf_hash(struct store *s, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
    return tiles__read(s, &(struct tiles__op){.kind = TILES__LEAF, .a = index, .out = out});
}

/* ---- conversion and the full check --------------------------------------------------- */

/* Appends the stored leaves, in order, to a frontier. */
struct tiles__rebuild {
    struct ledger_frontier *f;
    char *why;
    size_t cap;
};

static ips_status tiles__leaf(const struct store_ledger_record *r, void *arg)
{
    struct tiles__rebuild *b = arg;
    uint8_t h[MERKLE_HASH_LEN];
    if ((uint64_t)r->leaf_index != b->f->size) {
        snprintf(b->why, b->cap, "leaf %" PRIu64 " is missing", b->f->size);
        return IPS_ERR_INTEGRITY;
    }
    merkle_leaf_hash(r->leaf, r->leaf_len, h);
    return ledger_frontier_append(b->f, h);
}

/* Every stored leaf into b->f, then flush. */
static ips_status tiles__rebuild_all(struct store *s, struct tiles__rebuild *b)
{
    int64_t after = -1;
    for (;;) {
        uint64_t before = b->f->size;
        ips_status st = store_ledger_record_list(s, NULL, after, 1000, tiles__leaf, b);
        if (st)
            return st;
        if (b->f->size == before)
            break;
        after = (int64_t)b->f->size - 1;
    }
    return ledger_frontier_flush(b->f);
}

ips_status ledger_tiles_upgrade(struct store *s, int64_t *leaves)
{
    bool present = false;
    int64_t nodes = 0;
    char why[128];
    *leaves = 0;
    ips_status st = store_ledger_legacy_present(s, &present, &nodes);
    if (st || !present)
        return st;
    if (nodes == 0) /* the ledger was empty when 0011 ran: tiles from the start */
        return store_ledger_legacy_drop(s);
    struct ledger_frontier *f = malloc(sizeof *f);
    if (!f)
        return IPS_ERR_NOMEM;
    ledger_frontier_init(f, ledger_tile_store_sink, s);
    struct tiles__rebuild b = {f, why, sizeof why};
    st = tiles__rebuild_all(s, &b);
    if (st == IPS_ERR_INTEGRITY)
        log_error("ledger: cannot convert the tree to tiles", "reason", why);
    if (st == IPS_OK && (st = store_ledger_legacy_drop(s)) == IPS_OK) {
        *leaves = (int64_t)f->size;
        char n[24];
        snprintf(n, sizeof n, "%" PRIu64, f->size);
        log_info("ledger: converted the tree to tiles", "leaves", n);
    }
    free(f);
    return st;
}

/* The full check's sink: the computed tile must equal the stored one. */
struct tiles__cmp {
    struct store *s;
    char *why;
    size_t cap;
    const uint8_t (*want)[MERKLE_HASH_LEN];
    size_t n;
    bool found;
    bool mismatch;       /* a hash differs: at (bad_j, bad_il) of the tile */
    unsigned bad_j, bad_il;
};

static ips_status tiles__cmp_got(size_t i, const uint8_t *hashes, size_t len, void *arg)
{
    struct tiles__cmp *c = arg;
    (void)i;
    c->found = true;
    size_t bad = c->n;
    for (size_t p = 0; p < c->n && bad == c->n; p++)
        if ((p + 1) * MERKLE_HASH_LEN > len ||
            memcmp(hashes + p * MERKLE_HASH_LEN, c->want[p], MERKLE_HASH_LEN) != 0)
            bad = p;
    if (bad == c->n && len == c->n * MERKLE_HASH_LEN)
        return IPS_OK;
    if (bad == c->n) {
        snprintf(c->why, c->cap, "a tree tile holds more hashes than the leaves make");
        return IPS_ERR_INTEGRITY;
    }
    /* name the node at position bad: walk the post-order */
    size_t p = 0;
    for (unsigned cnt = 1; cnt <= LEDGER_TILE_WIDTH; cnt++)
        for (unsigned j = 0; j < LEDGER_TILE_HEIGHT && cnt % (1u << j) == 0; j++, p++)
            if (p == bad) {
                c->mismatch = true;
                c->bad_j = j;
                c->bad_il = (cnt >> j) - 1;
            }
    return IPS_ERR_INTEGRITY;
}

static ips_status tiles__cmp_sink(void *arg, unsigned level, uint64_t idx,
                                  const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t n)
{
    struct tiles__cmp *c = arg;
    int lv = (int)level;
    int64_t ti = (int64_t)idx;
    c->want = hashes;
    c->n = n;
    c->found = false;
    c->mismatch = false;
    ips_status st = store_ledger_tiles_get(c->s, 1, &lv, &ti, tiles__cmp_got, c);
    if (st == IPS_OK && !c->found) {
        snprintf(c->why, c->cap, "tree tile (level %u, index %" PRIu64 ") is missing", level, idx);
        return IPS_ERR_INTEGRITY;
    }
    if (st == IPS_ERR_INTEGRITY && c->mismatch) {
        unsigned j = c->bad_j, il = c->bad_il;
        snprintf(c->why, c->cap,
                 "tree node (level %u, index %" PRIu64 ") does not match the leaves under it",
                 level * LEDGER_TILE_HEIGHT + j, (idx << (LEDGER_TILE_HEIGHT - j)) + il);
    }
    return st;
}

ips_status ledger_tiles_verify(struct store *s, int64_t *checked, char *why, size_t cap)
{
    struct ledger_frontier *f = malloc(sizeof *f);
    if (!f)
        return IPS_ERR_NOMEM;
    struct tiles__cmp c = {.s = s, .why = why, .cap = cap};
    ledger_frontier_init(f, tiles__cmp_sink, &c);
    struct tiles__rebuild b = {f, why, cap};
    ips_status st = tiles__rebuild_all(s, &b);
    *checked = (int64_t)f->size;
    free(f);
    return st;
}

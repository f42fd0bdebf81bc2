/* test_ledger_tiles.c — the ledger's tree stored as tiles (src/ledger/tiles.c)
 * and its direct leaf encoder:
 *   - every inclusion proof, consistency proof, root and leaf hash of every
 *     tree of 1..600 leaves read from the tiles equals the one computed from
 *     an in-memory table of every node, the tree grown in batches whose
 *     sizes land on and around the tile boundaries (255, 256, 257, 511, ...)
 *     (on PostgreSQL a rotating sample of the proofs away from the tile
 *     boundaries: see checked());
 *   - tiles only grow (the table's trigger);
 *   - a database of the node-table layout is converted: lazily by the
 *     first read, and at start, with receipts and consistency proofs that
 *     still verify, and a damaged one fails the start check;
 *   - the direct leaf encoder writes the bytes jansson wrote, on thousands
 *     of random records (quotes, backslashes, control characters, multi-byte
 *     UTF-8, agents, PDQ or null), and refuses what jansson refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ledger/ledger.h"
#include "ledger/tiles.h"
#include "testdb.h"

#define H MERKLE_HASH_LEN
#define MAXN 600
#define LEVELS 11 /* 2^10 > MAXN */

/* ---- the reference: every complete node, in memory ----------------------------------- */

struct ref {
    uint64_t n;
    uint8_t node[LEVELS][MAXN][H];
};

static void ref_leaf(uint64_t i, uint8_t out[H])
{
    merkle_leaf_hash(&i, sizeof i, out);
}

static void ref_append(struct ref *r)
{
    uint64_t i = r->n++;
    ref_leaf(i, r->node[0][i]);
    for (unsigned l = 1; l < LEVELS && ((i + 1) % (1u << l)) == 0; l++) {
        uint64_t k = i >> l;
        merkle_node_hash(r->node[l - 1][2 * k], r->node[l - 1][2 * k + 1], r->node[l][k]);
    }
}

static ips_status ref_get(void *arg, unsigned level, uint64_t index, uint8_t out[H])
{
    struct ref *r = arg;
    if (level >= LEVELS || ((index + 1) << level) > r->n)
        return IPS_ERR_NOT_FOUND;
    memcpy(out, r->node[level][index], H);
    return IPS_OK;
}

/* ---- growing the stored tree ---------------------------------------------------------- */

struct grow {
    struct ledger_frontier *f;
    uint64_t from, count;
    uint8_t root[H];
};

static ips_status grow_tx(struct store *s, void *arg)
{
    struct grow *g = arg;
    uint8_t h[H];
    ledger_frontier_init(g->f, ledger_tile_store_sink, s);
    ips_status st = ledger_frontier_load(g->f, s, g->from);
    for (uint64_t i = g->from; st == IPS_OK && i < g->from + g->count; i++) {
        ref_leaf(i, h);
        st = ledger_frontier_append(g->f, h);
    }
    if (st == IPS_OK)
        st = ledger_frontier_flush(g->f);
    ledger_frontier_root(g->f, g->root);
    return st;
}

static void assert_proofs_equal(ips_status st, const uint8_t (*got)[H], size_t got_n,
                                ips_status ref_st, const uint8_t (*want)[H], size_t want_n)
{
    assert_int_equal(st, ref_st);
    assert_int_equal(got_n, want_n);
    if (want_n)
        assert_memory_equal(got, want, want_n * H);
}

/* Whether the proof for index (or old size) i in the tree of `size` leaves
 * is read back from the store. On SQLite: every one. On PostgreSQL the tree
 * code above the store is the same and is checked exhaustively by the SQLite
 * run; what this run adds is the backend's tile I/O (pg_ledger.c: the batched
 * tile query, partial tiles extended in place, the bytea round trip). Each
 * proof is one round trip returning up to three 16 KB tiles, and all
 * ~270,000 took over 6 min on the shared machine (load ~11). So there every
 * proof is read at the sizes next to a tile boundary (size % 256 in 0..2 or
 * 253..255) and at the final size, and at the other sizes a rotating eighth
 * of them ((i + size) % 8 == 0: each index at every eighth size, in every
 * tile) plus the last two (the partial right-edge tiles). */
static bool checked(const struct testdb *t, uint64_t i, uint64_t size)
{
    uint64_t m = size % LEDGER_TILE_WIDTH;
    return !testdb_on_postgres(t) || m <= 2 || m >= LEDGER_TILE_WIDTH - 3 || size == MAXN ||
           (i + size) % 8 == 0 || i + 2 >= size;
}

/* Inclusion proofs of every index (see checked) of the tree of `size`
 * leaves, read from the tiles of the stored tree (which may be larger). */
static void check_inclusions(struct testdb *t, struct ref *r, uint64_t size)
{
    uint8_t got[MERKLE_PROOF_MAX][H], want[MERKLE_PROOF_MAX][H];
    size_t got_n = 0, want_n = 0;
    for (uint64_t i = 0; i < size; i++) {
        if (!checked(t, i, size))
            continue;
        ips_status want_st = merkle_inclusion_proof(i, size, ref_get, r, want, &want_n);
        ips_status st = ledger_tree_inclusion(t->s, i, size, got, &got_n);
        assert_proofs_equal(st, (const uint8_t(*)[H])got, got_n, want_st,
                            (const uint8_t(*)[H])want, want_n);
    }
}

static void every_proof_of_every_tree_of_1_to_600_leaves_matches_the_reference(void **state)
{
    struct testdb *t = *state;
    struct ref *r = calloc(1, sizeof *r);
    struct grow g = {.f = malloc(sizeof *g.f)};
    assert_non_null(r);
    assert_non_null(g.f);
    uint8_t got[MERKLE_PROOF_MAX][H], want[MERKLE_PROOF_MAX][H], root[H], want_root[H];
    size_t got_n = 0, want_n = 0;
    int batches = 0;
    while (r->n < MAXN) {
        /* single leaves around every tile boundary, batches of 1..9 elsewhere */
        uint64_t m = r->n % LEDGER_TILE_WIDTH;
        uint64_t count = m >= 250 || m < 3 ? 1 : 1 + (uint64_t)batches % 9;
        if (r->n + count > MAXN)
            count = MAXN - r->n;
        g.from = r->n;
        g.count = count;
        assert_int_equal(store_tx_run(t->s, grow_tx, &g), IPS_OK);
        for (uint64_t i = 0; i < count; i++)
            ref_append(r);
        batches++;
        uint64_t n = r->n;
        /* the frontier's root, the stored tree's root and the reference agree */
        assert_int_equal(merkle_root(n, ref_get, r, want_root), IPS_OK);
        assert_memory_equal(g.root, want_root, H);
        assert_int_equal(ledger_tree_root(t->s, n, root), IPS_OK);
        assert_memory_equal(root, want_root, H);
        /* the frontier reloads from the store exactly */
        struct ledger_frontier *f = malloc(sizeof *f);
        ledger_frontier_init(f, ledger_tile_store_sink, t->s);
        assert_int_equal(ledger_frontier_load(f, t->s, n), IPS_OK);
        ledger_frontier_root(f, root);
        assert_memory_equal(root, want_root, H);
        /* a size beyond what is stored: a tile is missing or short */
        assert_int_equal(ledger_frontier_load(f, t->s, n + 1), IPS_ERR_NOT_FOUND);
        free(f);
        /* every inclusion proof and every consistency proof at this size */
        check_inclusions(t, r, n);
        for (uint64_t old = 1; old <= n; old++) {
            if (!checked(t, old, n))
                continue;
            ips_status want_st = merkle_consistency_proof(old, n, ref_get, r, want, &want_n);
            ips_status st = ledger_tree_consistency(t->s, old, n, got, &got_n);
            assert_proofs_equal(st, (const uint8_t(*)[H])got, got_n, want_st,
                                (const uint8_t(*)[H])want, want_n);
        }
    }
    assert_true(batches > 100);
    /* every smaller tree, read from the tiles of the 600-leaf one */
    for (uint64_t size = 1; size <= MAXN; size++)
        check_inclusions(t, r, size);
    for (uint64_t i = 0; i < MAXN; i++) {
        uint8_t h[H];
        assert_int_equal(ledger_tree_leaf_hash(t->s, i, h), IPS_OK);
        assert_memory_equal(h, r->node[0][i], H);
    }
    uint8_t h[H];
    assert_int_equal(ledger_tree_leaf_hash(t->s, MAXN, h), IPS_ERR_NOT_FOUND);
    assert_int_equal(ledger_tree_inclusion(t->s, 0, MAXN + 1, got, &got_n), IPS_ERR_NOT_FOUND);
    /* full tiles hold 510 hashes, the partial right edge a prefix */
    assert_int_equal(ledger_tile_count(LEDGER_TILE_WIDTH), LEDGER_TILE_HASHES);
    free(g.f);
    free(r);
}

static void tiles_only_grow(void **state)
{
    struct testdb *t = *state;
    uint8_t a[4][H], b[4][H];
    for (int i = 0; i < 4; i++) {
        memset(a[i], i + 1, H);
        memset(b[i], i + 1, H);
    }
    b[0][0] ^= 1;
    assert_int_equal(store_ledger_tile_put(t->s, 0, 0, a[0], 3 * H), IPS_OK);
    assert_int_equal(store_ledger_tile_put(t->s, 0, 0, a[0], 4 * H), IPS_OK); /* extended */
    assert_int_equal(store_ledger_tile_put(t->s, 0, 0, a[0], 4 * H), IPS_OK); /* same */
    assert_int_not_equal(store_ledger_tile_put(t->s, 0, 0, a[0], 2 * H), IPS_OK); /* shorter */
    assert_int_not_equal(store_ledger_tile_put(t->s, 0, 0, b[0], 4 * H), IPS_OK); /* rewritten */
    assert_int_equal(store_ledger_tile_put(t->s, 0, 1, a[0], H + 1), IPS_ERR_INVALID);
    assert_int_equal(store_ledger_tile_put(t->s, 0, 1, a[0], 0), IPS_ERR_INVALID);
    uint8_t h[H];
    /* post-order: leaf 0, leaf 1, node (1, 0), leaf 2 */
    assert_int_equal(ledger_tree_leaf_hash(t->s, 2, h), IPS_OK);
    assert_memory_equal(h, a[3], H);
    assert_int_equal(ledger_tree_leaf_hash(t->s, 3, h), IPS_ERR_NOT_FOUND);
}

/* ---- converting the node-table layout --------------------------------------------------- */

/* The old layout is made behind the domain's back, on the store's own
 * connection (testdb_exec_sql), in the backend's dialect. PostgreSQL never
 * had the node table (migrations_pg 0004 does not create it), but
 * pg_ledger.c converts one all the same, so both backends run these tests. */
static void exec_sql(struct testdb *t, const char *sql)
{
    assert_int_equal(testdb_exec_sql(t, sql), IPS_OK);
}

/* Turn the database back into the layout before migration 0011: no tiles,
 * the node table of 0004 holding the n leaf hashes (the conversion reads
 * the leaves, not the old nodes, so their inner nodes are left out). */
static void make_old_layout(struct testdb *t, uint64_t n)
{
    exec_sql(t, TESTDB_SQL(t,
        "CREATE TABLE IF NOT EXISTS ledger_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL,"
        " hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS ledger_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL,"
        " hash BYTEA NOT NULL, PRIMARY KEY (level, idx))"));
    for (uint64_t i = 0; i < n; i++) {
        uint8_t h[H];
        char hex[2 * H + 1], sql[256];
        assert_int_equal(ledger_tree_leaf_hash(t->s, i, h), IPS_OK);
        sodium_bin2hex(hex, sizeof hex, h, H);
        snprintf(sql, sizeof sql,
                 TESTDB_SQL(t, "INSERT OR IGNORE INTO ledger_nodes VALUES (0, %llu, X'%s')",
                            "INSERT INTO ledger_nodes VALUES (0, %llu, '\\x%s'::bytea)"
                            " ON CONFLICT DO NOTHING"),
                 (unsigned long long)i, hex);
        exec_sql(t, sql);
    }
    exec_sql(t, TESTDB_SQL(t,
        "DROP TRIGGER IF EXISTS ledger_tiles_no_delete; DELETE FROM ledger_tiles;"
        " CREATE TRIGGER ledger_tiles_no_delete BEFORE DELETE ON ledger_tiles"
        " BEGIN SELECT RAISE(ABORT, 'append-only'); END;",
        "DROP TRIGGER IF EXISTS ledger_tiles_no_delete ON ledger_tiles; DELETE FROM ledger_tiles;"
        " CREATE TRIGGER ledger_tiles_no_delete BEFORE DELETE ON ledger_tiles"
        " FOR EACH ROW EXECUTE FUNCTION ips_append_only();"));
}
#define HAS_NODES(t)                                                                               \
    TESTDB_SQL(t, "SELECT count(*) FROM sqlite_master WHERE name = 'ledger_nodes'",               \
               "SELECT (to_regclass('ledger_nodes') IS NOT NULL)::int")
/* Dropping a trigger: SQLite names it alone, PostgreSQL with its table. */
#define DROP_TRIGGER(t, name, table)                                                              \
    TESTDB_SQL(t, "DROP TRIGGER " name ";", "DROP TRIGGER " name " ON " table ";")

static void register_works(struct testdb *t, const char *org_id, int from, int n)
{
    char hex[64][65], title[64][32];
    struct ledger_work w[64];
    assert_true(n <= 64);
    for (int i = 0; i < n; i++) {
        uint8_t d[32];
        int id = from + i;
        crypto_hash_sha256(d, (const uint8_t *)&id, sizeof id);
        sodium_bin2hex(hex[i], sizeof hex[i], d, sizeof d);
        snprintf(title[i], sizeof title[i], "Work \"%d\"", id);
        w[i] = (struct ledger_work){.sha256_hex = hex[i], .title = title[i],
                                    .created_on = "2024-01-01", .org_id = org_id};
    }
    assert_int_equal(ledger_register(&t->ctx, w, (size_t)n, NULL, NULL), IPS_OK);
}

static void assert_receipt_verifies(struct testdb *t, uint64_t index, const char *vkey)
{
    struct ledger_receipt *r = malloc(sizeof *r);
    char why[256];
    assert_int_equal(ledger_receipt_get(&t->ctx, index, r), IPS_OK);
    json_t *v = ledger_receipt_json(r);
    char *text = json_dumps(v, JSON_COMPACT);
    assert_int_equal(ledger_receipt_verify(text, strlen(text), vkey, NULL, why, sizeof why),
                     LEDGER_CHECK_OK);
    free(text);
    json_decref(v);
    free(r);
}

static void a_database_of_the_node_layout_is_converted_on_first_read_and_at_start(void **state)
{
    struct testdb *t = *state;
    char err[256], vkey[NOTE_VKEY_MAX];
    struct store_org org;
    assert_int_equal(config_set(&t->cfg, "db", t->path, err, sizeof err), IPS_OK);
    assert_int_equal(ledger_verifier_key(&t->ctx, vkey), IPS_OK);
    testdb_org_add(t, "Brand", "rightholder", &org);
    for (int i = 0; i < 300; i += 60)
        register_works(t, org.id, i, 60);
    struct store_ledger_checkpoint before, after;
    assert_int_equal(ledger_checkpoint_latest(&t->ctx, &before), IPS_OK);
    assert_int_equal(before.tree_size, 300);

    /* the migration left the node table of the empty ledger (SQLite's; the
     * PostgreSQL migrations never made one): dropped at start, the tiles
     * untouched */
    assert_int_equal(testdb_query_int64(t, HAS_NODES(t)), testdb_on_postgres(t) ? 0 : 1);
    assert_int_equal(ledger_startup(&t->ctx), IPS_OK);
    assert_int_equal(testdb_query_int64(t, HAS_NODES(t)), 0);

    /* lazily: the first proof converts */
    make_old_layout(t, 300);
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM ledger_tiles"), 0);
    assert_receipt_verifies(t, 257, vkey);
    assert_int_equal(testdb_query_int64(t, HAS_NODES(t)), 0);
    assert_int_equal(testdb_query_int64(t, "SELECT count(*) FROM ledger_tiles"), 3); /* (0,0) (0,1) (1,0) */

    /* at start, then appending continues the same log */
    make_old_layout(t, 300);
    assert_int_equal(ledger_startup(&t->ctx), IPS_OK);
    assert_int_equal(testdb_query_int64(t, HAS_NODES(t)), 0);
    struct ledger_check_result res;
    assert_int_equal(ledger_check(&t->ctx, true, &res), IPS_OK);
    assert_int_equal(res.checked, 300);
    register_works(t, org.id, 300, 10);
    assert_receipt_verifies(t, 0, vkey);
    assert_receipt_verifies(t, 305, vkey);
    assert_int_equal(ledger_checkpoint_latest(&t->ctx, &after), IPS_OK);
    uint8_t proof[MERKLE_PROOF_MAX][H];
    size_t count = 0;
    assert_int_equal(ledger_consistency_proof(&t->ctx, 300, 310, proof, &count), IPS_OK);
    assert_true(merkle_consistency_verify(300, 310, before.root, after.root,
                                          (const uint8_t(*)[H])proof, count));

    /* a registration write converts too */
    make_old_layout(t, 310);
    register_works(t, org.id, 310, 1);
    assert_int_equal(testdb_query_int64(t, HAS_NODES(t)), 0);
    assert_int_equal(ledger_check(&t->ctx, true, &res), IPS_OK);
    assert_int_equal(res.checked, 311);

    /* without the old table, a missing tile is damage, not an old layout */
    struct ledger_receipt *rc = malloc(sizeof *rc);
    exec_sql(t, DROP_TRIGGER(t, "ledger_tiles_no_delete", "ledger_tiles"));
    exec_sql(t, "DELETE FROM ledger_tiles WHERE level = 0 AND idx = 1;");
    assert_int_equal(ledger_receipt_get(&t->ctx, 5, rc), IPS_ERR_INTEGRITY);
    /* nor does an empty old table make it one: it is dropped, the read fails */
    make_old_layout(t, 0);
    assert_int_equal(ledger_receipt_get(&t->ctx, 5, rc), IPS_ERR_INTEGRITY);
    assert_int_equal(testdb_query_int64(t, HAS_NODES(t)), 0);
    free(rc);
}

/* Runs last: a failed start check holds for the rest of the process. */
static void a_damaged_database_of_the_node_layout_fails_the_start_check(void **state)
{
    struct testdb *t = *state;
    char err[256];
    struct store_org org;
    assert_int_equal(config_set(&t->cfg, "db", t->path, err, sizeof err), IPS_OK);
    testdb_org_add(t, "Brand", "rightholder", &org);
    register_works(t, org.id, 0, 20);
    make_old_layout(t, 20);
    exec_sql(t, DROP_TRIGGER(t, "ledger_registrations_no_update", "ledger_registrations"));
    exec_sql(t, TESTDB_SQL(t,
        "UPDATE ledger_registrations SET leaf = CAST(replace(CAST(leaf AS TEXT),"
        " 'Work', 'Wark') AS BLOB) WHERE leaf_index = 7;",
        "UPDATE ledger_registrations SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'),"
        " 'Work', 'Wark'), 'UTF8') WHERE leaf_index = 7;"));
    assert_int_equal(ledger_startup(&t->ctx), IPS_ERR_INTEGRITY);
    struct ledger_receipt *r = malloc(sizeof *r);
    assert_int_equal(ledger_receipt_get(&t->ctx, 0, r), IPS_ERR_INTEGRITY);
    free(r);
}

/* ---- the leaf encoder against jansson ----------------------------------------------------- */

/* The encoder the ledger used before its direct one: jansson's compact,
 * key-sorted dump. The direct encoder must produce these bytes. */
static ips_status jansson_encode(const struct ledger_leaf *l, uint8_t *out, size_t cap, size_t *len)
{
    json_t *o = json_object();
    ips_status st = IPS_ERR_INVALID;
    if (json_object_set_new(o, "created_on", json_string(l->created_on)) ||
        json_object_set_new(o, "leaf_index", json_integer((json_int_t)l->leaf_index)) ||
        json_object_set_new(o, "org_id", json_string(l->org_id)) ||
        json_object_set_new(o, "owner", json_string(l->owner)) ||
        json_object_set_new(o, "pdq", l->pdq[0] ? json_string(l->pdq) : json_null()) ||
        json_object_set_new(o, "registered_ms", json_integer(l->registered_ms)) ||
        json_object_set_new(o, "title", json_string(l->title)) ||
        json_object_set_new(o, "v", json_integer(LEDGER_LEAF_VERSION)) ||
        json_object_set_new(o, "work_sha256", json_string(l->work_sha256)))
        goto out;
    if (l->agent_org_id[0] && (json_object_set_new(o, "agent", json_string(l->agent)) ||
                               json_object_set_new(o, "agent_org_id", json_string(l->agent_org_id))))
        goto out;
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    size_t n = strlen(text);
    st = n > cap ? IPS_ERR_TOO_LARGE : IPS_OK;
    if (st == IPS_OK) {
        memcpy(out, text, n);
        *len = n;
    }
    free(text);
out:
    json_decref(o);
    return st;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A random string of pieces into out[cap]; `bad` allows invalid UTF-8. */
static void random_text(uint64_t *rng, char *out, size_t cap, bool bad)
{
    static const char *good[] = {"a", "Z", " ", "\"", "\\", "/", "\x01", "\x1f", "\n", "\t", "\b",
                                 "\f", "\r", "\x7f", "\xc3\xa9", "\xe4\xb8\xad",
                                 "\xf0\x9f\x98\x80", "\xe2\x80\xa8", "\xef\xbf\xbf", "0", "~"};
    static const char *wrong[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe4\xb8",
                                  "\x80", "\xff", "\xf8\x88\x80\x80\x80"};
    size_t n = 0, pieces = rng_next(rng) % 24;
    out[0] = '\0';
    for (size_t i = 0; i < pieces; i++) {
        const char *p = bad && rng_next(rng) % 8 == 0
                            ? wrong[rng_next(rng) % (sizeof wrong / sizeof *wrong)]
                            : good[rng_next(rng) % (sizeof good / sizeof *good)];
        size_t k = strlen(p);
        if (n + k + 1 > cap)
            break;
        memcpy(out + n, p, k + 1);
        n += k;
    }
}

static void the_direct_leaf_encoder_writes_the_bytes_jansson_wrote(void **state)
{
    (void)state;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    int invalid = 0, agents = 0;
    for (int i = 0; i < 20000; i++) {
        struct ledger_leaf l;
        memset(&l, 0, sizeof l);
        bool bad = i % 3 == 0;
        random_text(&rng, l.title, sizeof l.title, bad);
        random_text(&rng, l.owner, sizeof l.owner, bad && i % 2);
        snprintf(l.org_id, sizeof l.org_id, "01HZ%022" PRIu64, rng_next(&rng) % 1000000);
        if (rng_next(&rng) % 2) {
            random_text(&rng, l.agent, sizeof l.agent, bad);
            snprintf(l.agent_org_id, sizeof l.agent_org_id, "01JA%022d", i);
            agents++;
        }
        for (int k = 0; k < 64; k++)
            l.work_sha256[k] = "0123456789abcdef"[rng_next(&rng) % 16];
        if (rng_next(&rng) % 2)
            memcpy(l.pdq, l.work_sha256, sizeof l.pdq);
        snprintf(l.created_on, sizeof l.created_on, "20%02d-0%d-1%d", i % 100, 1 + i % 9, i % 10);
        l.leaf_index = rng_next(&rng) % (i % 2 ? 1000 : (1ull << 53));
        l.registered_ms = (int64_t)(rng_next(&rng) % (1ull << 45));
        uint8_t a[STORE_LEDGER_LEAF_MAX], b[STORE_LEDGER_LEAF_MAX];
        size_t alen = 0, blen = 0;
        ips_status sa = ledger_leaf_encode(&l, a, sizeof a, &alen);
        ips_status sb = jansson_encode(&l, b, sizeof b, &blen);
        assert_int_equal(sa, sb);
        if (sa == IPS_OK) {
            assert_int_equal(alen, blen);
            assert_memory_equal(a, b, alen);
            /* too small a buffer: refused, as before */
            assert_int_equal(ledger_leaf_encode(&l, a, alen - 1, &alen), IPS_ERR_TOO_LARGE);
        } else {
            invalid++;
        }
    }
    /* the random inputs did exercise both outcomes and both shapes */
    assert_true(invalid > 1000);
    assert_true(invalid < 19000);
    assert_true(agents > 5000);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    log_level_set(LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_direct_leaf_encoder_writes_the_bytes_jansson_wrote),
        cmocka_unit_test_setup_teardown(every_proof_of_every_tree_of_1_to_600_leaves_matches_the_reference, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(tiles_only_grow, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_database_of_the_node_layout_is_converted_on_first_read_and_at_start, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_damaged_database_of_the_node_layout_fails_the_start_check, testdb_setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

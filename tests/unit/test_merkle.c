/* test_merkle.c — RFC 9162 tree hashes and proofs: the Certificate
 * Transparency known-answer vectors, and every proof of every tree of 1..64
 * leaves against a naive transcription of the RFC's recursive definitions.
 *
 * Known answers: the leaves "", 00, 10, 2021, 3031, 40414243,
 * 5051525354555657, 606162636465666768696a6b6c6d6e6f and the roots of their
 * prefixes, the audit paths and the consistency proofs are the RFC 6962 test
 * vectors as published in google/certificate-transparency,
 * python/ct/crypto/merkle_test.py (TreeHasherTest.test_vector_hashes,
 * MerkleVerifierTest.sha256_proofs) and its C++ tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ledger/merkle.h"

#define H MERKLE_HASH_LEN
#define MAXN 64

static void unhex(const char *hex, uint8_t *out, size_t *len)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    if (len)
        *len = n;
}

static void assert_hash_hex(const uint8_t h[H], const char *hex)
{
    uint8_t want[H];
    unhex(hex, want, NULL);
    assert_memory_equal(h, want, H);
}

/* ---- an in-memory node store, filled by merkle_append ---------------------------- */

struct mem {
    uint8_t node[7][MAXN][H];
    bool have[7][MAXN];
    int reads;
};

static ips_status mem_get(void *arg, unsigned level, uint64_t index, uint8_t out[H])
{
    struct mem *m = arg;
    if (level >= 7 || index >= MAXN || !m->have[level][index])
        return IPS_ERR_NOT_FOUND;
    memcpy(out, m->node[level][index], H);
    m->reads++;
    return IPS_OK;
}

static ips_status mem_put(void *arg, unsigned level, uint64_t index, const uint8_t h[H])
{
    struct mem *m = arg;
    assert_true(level < 7 && index < MAXN);
    assert_false(m->have[level][index]); /* a node is written once */
    memcpy(m->node[level][index], h, H);
    m->have[level][index] = true;
    return IPS_OK;
}

/* ---- the naive reference: RFC 9162 §2.1 transcribed literally --------------------- */

static uint8_t leaves[MAXN][H]; /* leaf hashes of the test tree */

static void ref_mth(size_t begin, size_t n, uint8_t out[H])
{
    if (n == 1) {
        memcpy(out, leaves[begin], H);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    uint8_t l[H], r[H];
    ref_mth(begin, k, l);
    ref_mth(begin + k, n - k, r);
    merkle_node_hash(l, r, out);
}

static void ref_path(size_t m, size_t begin, size_t n, uint8_t out[][H], size_t *c)
{
    if (n == 1)
        return;
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    if (m < k) {
        ref_path(m, begin, k, out, c);
        ref_mth(begin + k, n - k, out[(*c)++]);
    } else {
        ref_path(m - k, begin + k, n - k, out, c);
        ref_mth(begin, k, out[(*c)++]);
    }
}

static void ref_subproof(size_t m, size_t begin, size_t n, bool b, uint8_t out[][H], size_t *c)
{
    if (m == n) {
        if (!b)
            ref_mth(begin, m, out[(*c)++]);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    if (m <= k) {
        ref_subproof(m, begin, k, b, out, c);
        ref_mth(begin + k, n - k, out[(*c)++]);
    } else {
        ref_subproof(m - k, begin + k, n - k, false, out, c);
        ref_mth(begin, k, out[(*c)++]);
    }
}

/* Fill leaves[] with n distinct leaf hashes and append them to m. */
static void build(struct mem *m, size_t n)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < n; i++) {
        uint8_t data[2] = {(uint8_t)i, (uint8_t)(i * 7)};
        merkle_leaf_hash(data, sizeof data, leaves[i]);
        assert_int_equal(merkle_append(i, leaves[i], mem_get, mem_put, m), IPS_OK);
    }
}

/* ---- known answers ------------------------------------------------------------------- */

static const char *const ct_leaves[8] = {"", "00", "10", "2021", "3031", "40414243",
                                         "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"};
static const char *const ct_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void build_ct(struct mem *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < 8; i++) {
        uint8_t data[16];
        size_t len = 0;
        unhex(ct_leaves[i], data, &len);
        merkle_leaf_hash(data, len, leaves[i]);
        assert_int_equal(merkle_append(i, leaves[i], mem_get, mem_put, m), IPS_OK);
    }
}

static void tree_hashes_match_the_certificate_transparency_vectors(void **state)
{
    (void)state;
    struct mem m;
    uint8_t root[H];
    build_ct(&m);
    for (uint64_t n = 0; n <= 8; n++) {
        assert_int_equal(merkle_root(n, mem_get, &m, root), IPS_OK);
        assert_hash_hex(root, ct_roots[n]);
    }
    merkle_leaf_hash("", 0, root);
    assert_hash_hex(root, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

static void inclusion_proofs_match_the_published_audit_paths(void **state)
{
    (void)state;
    static const struct {
        uint64_t index, size;
        size_t count;
        const char *path[3];
    } v[] = {
        {0, 1, 0, {NULL}},
        {0, 8, 3,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {5, 8, 3,
         {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    };
    struct mem m;
    build_ct(&m);
    for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
        uint8_t proof[MERKLE_PROOF_MAX][H], root[H];
        size_t count = 99;
        assert_int_equal(merkle_inclusion_proof(v[t].index, v[t].size, mem_get, &m, proof, &count),
                         IPS_OK);
        assert_int_equal(count, v[t].count);
        for (size_t i = 0; i < count; i++)
            assert_hash_hex(proof[i], v[t].path[i]);
        unhex(ct_roots[v[t].size], root, NULL);
        assert_true(merkle_inclusion_verify(v[t].index, v[t].size, leaves[v[t].index],
                                            (const uint8_t(*)[H])proof, count, root));
    }
}

static void consistency_proofs_match_the_published_vectors(void **state)
{
    (void)state;
    static const struct {
        uint64_t m, n;
        size_t count;
        const char *proof[3];
    } v[] = {
        {1, 1, 0, {NULL}},
        {1, 8, 3,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {6, 8, 3,
         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2, 5, 2,
         {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    };
    struct mem m;
    build_ct(&m);
    for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
        uint8_t proof[MERKLE_PROOF_MAX][H], a[H], b[H];
        size_t count = 99;
        assert_int_equal(merkle_consistency_proof(v[t].m, v[t].n, mem_get, &m, proof, &count),
                         IPS_OK);
        assert_int_equal(count, v[t].count);
        for (size_t i = 0; i < count; i++)
            assert_hash_hex(proof[i], v[t].proof[i]);
        unhex(ct_roots[v[t].m], a, NULL);
        unhex(ct_roots[v[t].n], b, NULL);
        assert_true(merkle_consistency_verify(v[t].m, v[t].n, a, b, (const uint8_t(*)[H])proof,
                                              count));
    }
}

/* ---- every proof of every small tree --------------------------------------------------- */

static void every_inclusion_proof_of_trees_up_to_64_leaves_is_the_rfc_path_and_verifies(void **state)
{
    (void)state;
    static struct mem m;
    build(&m, MAXN);
    for (size_t n = 1; n <= MAXN; n++) {
        uint8_t root[H], ref_root[H];
        assert_int_equal(merkle_root(n, mem_get, &m, root), IPS_OK);
        ref_mth(0, n, ref_root);
        assert_memory_equal(root, ref_root, H);
        for (size_t i = 0; i < n; i++) {
            uint8_t proof[MERKLE_PROOF_MAX][H], ref[MERKLE_PROOF_MAX][H];
            size_t count = 0, ref_count = 0;
            m.reads = 0;
            assert_int_equal(merkle_inclusion_proof(i, n, mem_get, &m, proof, &count), IPS_OK);
            assert_true(m.reads <= 2 * 7); /* O(log n) reads */
            ref_path(i, 0, n, ref, &ref_count);
            assert_int_equal(count, ref_count);
            assert_memory_equal(proof, ref, count * H);
            const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
            assert_true(merkle_inclusion_verify(i, n, leaves[i], p, count, root));
            /* and nothing else verifies: another leaf, index, a short
             * or long proof, a flipped bit */
            if (n > 1) {
                assert_false(merkle_inclusion_verify(i, n, leaves[(i + 1) % n], p, count, root));
                assert_false(merkle_inclusion_verify((i + 1) % n, n, leaves[i], p, count, root));
                assert_false(merkle_inclusion_verify(i, n, leaves[i], p, count - 1, root));
            }
            /* (Another size may share this leaf's path: the signed checkpoint,
             * not the proof, binds the size.) */
            assert_false(merkle_inclusion_verify(i, n, leaves[i], p, count + 1, root));
            for (size_t k = 0; k < count; k++) {
                proof[k][k % H] ^= 0x01;
                assert_false(merkle_inclusion_verify(i, n, leaves[i], p, count, root));
                proof[k][k % H] ^= 0x01;
            }
        }
        assert_false(merkle_inclusion_verify(n, n, leaves[0], NULL, 0, root));
    }
}

static void every_consistency_proof_of_trees_up_to_64_leaves_is_the_rfc_proof_and_verifies(void **state)
{
    (void)state;
    static struct mem m;
    build(&m, MAXN);
    uint8_t roots[MAXN + 1][H];
    for (size_t n = 1; n <= MAXN; n++)
        assert_int_equal(merkle_root(n, mem_get, &m, roots[n]), IPS_OK);
    for (size_t n = 1; n <= MAXN; n++) {
        for (size_t old = 1; old <= n; old++) {
            uint8_t proof[MERKLE_PROOF_MAX][H], ref[MERKLE_PROOF_MAX][H];
            size_t count = 0, ref_count = 0;
            assert_int_equal(merkle_consistency_proof(old, n, mem_get, &m, proof, &count), IPS_OK);
            ref_subproof(old, 0, n, true, ref, &ref_count);
            assert_int_equal(count, ref_count);
            assert_memory_equal(proof, ref, count * H);
            const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
            assert_true(merkle_consistency_verify(old, n, roots[old], roots[n], p, count));
            if (old < n) {
                /* another old root, a truncated proof, swapped sizes, flipped bits */
                assert_false(merkle_consistency_verify(old, n, roots[n], roots[n], p, count));
                assert_false(merkle_consistency_verify(old, n, roots[old], roots[old], p, count));
                assert_false(merkle_consistency_verify(old, n, roots[old], roots[n], p, count - 1));
                assert_false(merkle_consistency_verify(n, old, roots[n], roots[old], p, count));
                for (size_t k = 0; k < count; k++) {
                    proof[k][0] ^= 0x80;
                    assert_false(merkle_consistency_verify(old, n, roots[old], roots[n], p, count));
                    proof[k][0] ^= 0x80;
                }
            } else {
                assert_int_equal(count, 0);
            }
        }
    }
}

static void proofs_outside_the_tree_are_refused(void **state)
{
    (void)state;
    static struct mem m;
    uint8_t proof[MERKLE_PROOF_MAX][H], r[H];
    size_t count = 0;
    build(&m, 8);
    assert_int_equal(merkle_inclusion_proof(8, 8, mem_get, &m, proof, &count), IPS_ERR_INVALID);
    assert_int_equal(merkle_inclusion_proof(0, 0, mem_get, &m, proof, &count), IPS_ERR_INVALID);
    assert_int_equal(merkle_consistency_proof(0, 8, mem_get, &m, proof, &count), IPS_ERR_INVALID);
    assert_int_equal(merkle_consistency_proof(5, 4, mem_get, &m, proof, &count), IPS_ERR_INVALID);
    /* a node the store lacks is the store's failure, passed through */
    assert_int_equal(merkle_root(9, mem_get, &m, r), IPS_ERR_NOT_FOUND);
    merkle_empty_root(r);
    assert_false(merkle_consistency_verify(0, 1, r, leaves[0], NULL, 0));
    assert_false(merkle_consistency_verify(2, 2, leaves[0], leaves[1], NULL, 0));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tree_hashes_match_the_certificate_transparency_vectors),
        cmocka_unit_test(inclusion_proofs_match_the_published_audit_paths),
        cmocka_unit_test(consistency_proofs_match_the_published_vectors),
        cmocka_unit_test(every_inclusion_proof_of_trees_up_to_64_leaves_is_the_rfc_path_and_verifies),
        cmocka_unit_test(every_consistency_proof_of_trees_up_to_64_leaves_is_the_rfc_proof_and_verifies),
        cmocka_unit_test(proofs_outside_the_tree_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

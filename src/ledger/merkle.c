/*
 * merkle.c — RFC 9162 §2.1 tree hashes and proofs over a callback that
 * yields complete subtrees (see merkle.h for the storage model).
 *
 * The RFC defines PATH and PROOF recursively; here both walk the tree from
 * the root down, collecting the siblings outermost first, and reverse at the
 * end (the RFC lists them leaf side first). Every range the walk visits
 * starts at a multiple of the smallest power of two not below its length
 * (true at the root, and kept by both ways down), so a range of power-of-two
 * length is one complete subtree, and any other range is the fold of the
 * complete subtrees of its binary decomposition.
 */
#include "ledger/merkle.h"

#include <sodium.h>
#include <string.h>

void merkle_leaf_hash(const void *leaf, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    if (len)
        crypto_hash_sha256_update(&st, leaf, len);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t in[1 + 2 * MERKLE_HASH_LEN];
    in[0] = 0x01;
    memcpy(in + 1, left, MERKLE_HASH_LEN);
    memcpy(in + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
    crypto_hash_sha256(out, in, sizeof in);
}

void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN])
{
    crypto_hash_sha256(out, (const uint8_t *)"", 0);
}

/* log2 of a power of two p > 0. */
static unsigned merkle__log2(uint64_t p)
{
    return (unsigned)__builtin_ctzll(p);
}

static bool merkle__is_pow2(uint64_t n)
{
    return n && (n & (n - 1)) == 0;
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t merkle__split(uint64_t n)
{
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/* MTH(D[begin:begin+n]), n >= 1, begin aligned as the file comment says:
 * fold the complete subtrees of n's binary decomposition from the right.
 * popcount(n) reads. fold false: only the reads (a plan, see merkle.h;
 * out is then meaningless). */
static ips_status merkle__range(uint64_t begin, uint64_t n, merkle_get_fn get, void *arg,
                                uint8_t out[MERKLE_HASH_LEN], bool fold)
{
    uint8_t parts[64][MERKLE_HASH_LEN];
    unsigned count = 0;
    ips_status st;
    while (n) {
        uint64_t k = (uint64_t)1 << (63 - __builtin_clzll(n)); /* largest power <= n */
        unsigned level = merkle__log2(k);
        if ((st = get(arg, level, begin >> level, parts[count])))
            return st;
        count++;
        begin += k;
        n -= k;
    }
    while (fold && count > 1) {
        merkle_node_hash(parts[count - 2], parts[count - 1], parts[count - 2]);
        count--;
    }
    memcpy(out, parts[0], MERKLE_HASH_LEN);
    return IPS_OK;
}

ips_status merkle_append(uint64_t index, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                         merkle_get_fn get, merkle_put_fn put, void *arg)
{
    uint8_t h[MERKLE_HASH_LEN], left[MERKLE_HASH_LEN];
    unsigned level = 0;
    ips_status st = put(arg, 0, index, leaf_hash);
    if (st)
        return st;
    memcpy(h, leaf_hash, MERKLE_HASH_LEN);
    while (index & 1) {
        if ((st = get(arg, level, index - 1, left)))
            return st;
        merkle_node_hash(left, h, h);
        index >>= 1;
        level++;
        if ((st = put(arg, level, index, h)))
            return st;
    }
    return IPS_OK;
}

ips_status merkle_root(uint64_t size, merkle_get_fn get, void *arg, uint8_t out[MERKLE_HASH_LEN])
{
    if (size == 0) {
        merkle_empty_root(out);
        return IPS_OK;
    }
    if (size >> 63)
        return IPS_ERR_INVALID;
    return merkle__range(0, size, get, arg, out, true);
}

/* Reverse proof[0..count): the walks collect outermost first. */
static void merkle__reverse(uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t count)
{
    uint8_t t[MERKLE_HASH_LEN];
    for (size_t i = 0, j = count ? count - 1 : 0; i < j; i++, j--) {
        memcpy(t, proof[i], MERKLE_HASH_LEN);
        memcpy(proof[i], proof[j], MERKLE_HASH_LEN);
        memcpy(proof[j], t, MERKLE_HASH_LEN);
    }
}

static ips_status merkle__inclusion(uint64_t index, uint64_t size, merkle_get_fn get, void *arg,
                                    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                    size_t *count, bool fold)
{
    if (index >= size || size >> 63)
        return IPS_ERR_INVALID;
    uint64_t begin = 0, n = size, m = index;
    size_t c = 0;
    ips_status st;
    while (n > 1) {
        uint64_t k = merkle__split(n);
        if (m < k) { /* PATH(m, D[0:k]) : MTH(D[k:n]) */
            st = merkle__range(begin + k, n - k, get, arg, proof[c], fold);
            n = k;
        } else { /* PATH(m - k, D[k:n]) : MTH(D[0:k]) */
            st = merkle__range(begin, k, get, arg, proof[c], fold);
            begin += k;
            m -= k;
            n -= k;
        }
        if (st)
            return st;
        c++;
    }
    merkle__reverse(proof, c);
    *count = c;
    return IPS_OK;
}

static ips_status merkle__consistency(uint64_t old_size, uint64_t new_size, merkle_get_fn get,
                                      void *arg, uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                      size_t *count, bool fold)
{
    if (old_size == 0 || old_size > new_size || new_size >> 63)
        return IPS_ERR_INVALID;
    uint64_t begin = 0, m = old_size, n = new_size;
    bool whole = true; /* the RFC's b: is D[begin:begin+m] the old tree itself? */
    size_t c = 0;
    ips_status st;
    while (m != n) {
        uint64_t k = merkle__split(n);
        if (m <= k) { /* SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) */
            st = merkle__range(begin + k, n - k, get, arg, proof[c], fold);
            n = k;
        } else { /* SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]) */
            st = merkle__range(begin, k, get, arg, proof[c], fold);
            begin += k;
            m -= k;
            n -= k;
            whole = false;
        }
        if (st)
            return st;
        c++;
    }
    if (!whole && c > 0) { /* SUBPROOF(m, D[m], false) = [MTH(D[m])] */
        if ((st = merkle__range(begin, m, get, arg, proof[c], fold)))
            return st;
        c++;
    }
    merkle__reverse(proof, c);
    *count = c;
    return IPS_OK;
}

ips_status merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_get_fn get, void *arg,
                                  uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                  size_t *count)
{
    return merkle__inclusion(index, size, get, arg, proof, count, true);
}

ips_status merkle_consistency_proof(uint64_t old_size, uint64_t new_size, merkle_get_fn get,
                                    void *arg, uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                    size_t *count)
{
    return merkle__consistency(old_size, new_size, get, arg, proof, count, true);
}

ips_status merkle_inclusion_plan(uint64_t index, uint64_t size, merkle_get_fn get, void *arg)
{
    uint8_t scratch[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count;
    return merkle__inclusion(index, size, get, arg, scratch, &count, false);
}

ips_status merkle_consistency_plan(uint64_t old_size, uint64_t new_size, merkle_get_fn get,
                                   void *arg)
{
    uint8_t scratch[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count;
    return merkle__consistency(old_size, new_size, get, arg, scratch, &count, false);
}

ips_status merkle_root_plan(uint64_t size, merkle_get_fn get, void *arg)
{
    uint8_t scratch[MERKLE_HASH_LEN];
    return size == 0 || size >> 63 ? merkle_root(size, get, arg, scratch)
                                   : merkle__range(0, size, get, arg, scratch, false);
}

bool merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                             const uint8_t (*proof)[MERKLE_HASH_LEN], size_t count,
                             const uint8_t root[MERKLE_HASH_LEN])
{
    if (index >= size || count > MERKLE_PROOF_MAX)
        return false;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[MERKLE_HASH_LEN];
    memcpy(r, leaf_hash, MERKLE_HASH_LEN);
    for (size_t i = 0; i < count; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, MERKLE_HASH_LEN) == 0;
}

bool merkle_consistency_verify(uint64_t old_size, uint64_t new_size,
                               const uint8_t old_root[MERKLE_HASH_LEN],
                               const uint8_t new_root[MERKLE_HASH_LEN],
                               const uint8_t (*proof)[MERKLE_HASH_LEN], size_t count)
{
    if (old_size == 0 || old_size > new_size || count > MERKLE_PROOF_MAX)
        return false;
    if (old_size == new_size)
        return count == 0 && memcmp(old_root, new_root, MERKLE_HASH_LEN) == 0;
    if (count == 0)
        return false;
    /* Step 2: a power-of-two old tree is a complete subtree of the new one
     * and its root is the (implicit) first element of the path. */
    size_t i = 0;
    const uint8_t *first = proof[0];
    if (merkle__is_pow2(old_size))
        first = old_root;
    else
        i = 1;
    uint64_t fn = old_size - 1, sn = new_size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
    memcpy(fr, first, MERKLE_HASH_LEN);
    memcpy(sr, first, MERKLE_HASH_LEN);
    for (; i < count; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], fr, fr);
            merkle_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(fr, old_root, MERKLE_HASH_LEN) == 0 &&
           memcmp(sr, new_root, MERKLE_HASH_LEN) == 0;
}

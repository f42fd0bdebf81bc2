/*
 * receipt.c — leaf encoding and offline receipt verification. Pure: no
 * store, no key file; the CLI's `ledger verify` runs only this code.
 *
 * Leaf encoding. The leaf is the RFC 8785 (JCS) form of a flat JSON object:
 * keys sorted, no whitespace, integers only (all below 2^53), and strings
 * that hold no control characters (validation refuses them), so jansson's
 * compact, key-sorted output is byte for byte the JCS form: it escapes only
 * '"' and '\\' in such strings and writes other characters as UTF-8. The
 * encoder below writes those bytes directly (see its comment).
 * Verification never re-derives the record from elsewhere: it hashes the
 * leaf bytes it was given, and checks only that those bytes are the
 * canonical form of a record of the claimed index.
 */
#include "ledger/ledger.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define LEDGER__LEAF_KEYS 9

/* The encoder below writes the bytes directly (no JSON tree): this is the
 * hot path of registration. It produces exactly what jansson's
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) produced for the same record
 * (the leaves written before it existed stay canonical), including for
 * strings validation would refuse: '"' and '\\' escaped, \b \f \n \r \t
 * by name, other bytes below 0x20 as \u00XX (upper-case hex, jansson's
 * form), everything else as is; text that is not strict UTF-8 (overlong,
 * surrogate, above U+10FFFF, truncated) is refused as jansson refused it.
 * The unit test compares it with jansson on many records. */
struct ledger__out {
    uint8_t *p;
    size_t cap, len;
    bool over;
};

static void ledger__put(struct ledger__out *o, const void *b, size_t n)
{
    if (o->over || n > o->cap - o->len) {
        o->over = true;
        return;
    }
    memcpy(o->p + o->len, b, n);
    o->len += n;
}

#define LEDGER__LIT(o, s) ledger__put((o), (s), sizeof(s) - 1)

/* Length of the strict UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t ledger__utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (k <= 1)
        return k;
    if (k > n)
        return 0;
    uint32_t v = c & (0xFFu >> (k + 1));
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if ((k == 3 && v < 0x800) || (k == 4 && v < 0x10000) || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return k;
}

/* "key":"escaped string", with a leading comma unless first. False when
 * str is not UTF-8. */
static bool ledger__str_member(struct ledger__out *o, const char *key, const char *str)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), run = 0;
    ledger__put(o, key, strlen(key));
    for (size_t i = 0; i < n;) {
        size_t k = ledger__utf8_len(s + i, n - i);
        if (k == 0)
            return false;
        unsigned char c = s[i];
        if (k > 1 || (c >= 0x20 && c != '"' && c != '\\')) {
            i += k;
            continue;
        }
        ledger__put(o, s + run, i - run);
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '"':
        case '\\': break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        ledger__put(o, esc, elen);
        run = ++i;
    }
    ledger__put(o, s + run, n - run);
    LEDGER__LIT(o, "\"");
    return true;
}

static void ledger__int_member(struct ledger__out *o, const char *key, long long v)
{
    char num[24];
    int k = snprintf(num, sizeof num, "%lld", v);
    ledger__put(o, key, strlen(key));
    ledger__put(o, num, (size_t)k);
}

ips_status ledger_leaf_encode(const struct ledger_leaf *l, uint8_t *out, size_t cap, size_t *len)
{
    struct ledger__out o = {out, cap, 0, false};
    bool ok = true;
    LEDGER__LIT(&o, "{");
    if (l->agent_org_id[0])
        ok = ledger__str_member(&o, "\"agent\":\"", l->agent) &&
             ledger__str_member(&o, ",\"agent_org_id\":\"", l->agent_org_id) &&
             ledger__str_member(&o, ",\"created_on\":\"", l->created_on);
    else
        ok = ledger__str_member(&o, "\"created_on\":\"", l->created_on);
    ledger__int_member(&o, ",\"leaf_index\":", (long long)l->leaf_index);
    ok = ok && ledger__str_member(&o, ",\"org_id\":\"", l->org_id) &&
         ledger__str_member(&o, ",\"owner\":\"", l->owner);
    if (l->pdq[0])
        ok = ok && ledger__str_member(&o, ",\"pdq\":\"", l->pdq);
    else
        LEDGER__LIT(&o, ",\"pdq\":null");
    ledger__int_member(&o, ",\"registered_ms\":", (long long)l->registered_ms);
    ok = ok && ledger__str_member(&o, ",\"title\":\"", l->title);
    ledger__int_member(&o, ",\"v\":", LEDGER_LEAF_VERSION);
    ok = ok && ledger__str_member(&o, ",\"work_sha256\":\"", l->work_sha256);
    LEDGER__LIT(&o, "}");
    if (!ok)
        return IPS_ERR_INVALID; /* a text that is not UTF-8 */
    if (o.over)
        return IPS_ERR_TOO_LARGE;
    *len = o.len;
    return IPS_OK;
}

/* Copy string member key of o into dst[cap]; false if absent, not a string,
 * too long or holding a NUL. */
static bool ledger__str(json_t *o, const char *key, char *dst, size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return false;
    size_t n = json_string_length(v);
    if (n >= cap || memchr(json_string_value(v), '\0', n))
        return false;
    memcpy(dst, json_string_value(v), n + 1);
    return true;
}

ips_status ledger_leaf_decode(const uint8_t *leaf, size_t len, struct ledger_leaf *out)
{
    struct ledger_leaf l;
    uint8_t again[STORE_LEDGER_LEAF_MAX];
    size_t again_len = 0;
    ips_status st = IPS_ERR_INVALID;
    json_error_t err;
    if (len == 0 || len > STORE_LEDGER_LEAF_MAX)
        return IPS_ERR_INVALID;
    json_t *o = json_loadb((const char *)leaf, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(o))
        goto out_obj;
    memset(&l, 0, sizeof l);
    /* an agent's registration has the two agent keys; the encoder below
     * then checks that agent_org_id is not empty */
    bool agent = json_object_get(o, "agent_org_id") != NULL;
    if (json_object_size(o) != LEDGER__LEAF_KEYS + (agent ? 2 : 0) ||
        (agent && (!ledger__str(o, "agent_org_id", l.agent_org_id, sizeof l.agent_org_id) ||
                   !l.agent_org_id[0] || !ledger__str(o, "agent", l.agent, sizeof l.agent))))
        goto out_obj;
    json_t *pdq = json_object_get(o, "pdq");
    if (!json_is_null(pdq) && (!ledger__str(o, "pdq", l.pdq, sizeof l.pdq) ||
                               strlen(l.pdq) != STORE_LEDGER_HEX_LEN))
        goto out_obj;
    json_t *idx = json_object_get(o, "leaf_index"), *ms = json_object_get(o, "registered_ms"),
           *ver = json_object_get(o, "v");
    if (!json_is_integer(idx) || json_integer_value(idx) < 0 || !json_is_integer(ms) ||
        !json_is_integer(ver) || json_integer_value(ver) != LEDGER_LEAF_VERSION ||
        !ledger__str(o, "created_on", l.created_on, sizeof l.created_on) ||
        !ledger__str(o, "org_id", l.org_id, sizeof l.org_id) ||
        !ledger__str(o, "owner", l.owner, sizeof l.owner) ||
        !ledger__str(o, "title", l.title, sizeof l.title) ||
        !ledger__str(o, "work_sha256", l.work_sha256, sizeof l.work_sha256))
        goto out_obj;
    l.leaf_index = (uint64_t)json_integer_value(idx);
    l.registered_ms = json_integer_value(ms);
    /* Canonical: re-encoding gives the same bytes. */
    if (ledger_leaf_encode(&l, again, sizeof again, &again_len) || again_len != len ||
        memcmp(again, leaf, len) != 0)
        goto out_obj;
    *out = l;
    st = IPS_OK;
out_obj:
    json_decref(o);
    return st;
}

json_t *ledger_receipt_json(const struct ledger_receipt *r)
{
    char leaf_b64[sodium_base64_ENCODED_LEN(STORE_LEDGER_LEAF_MAX, sodium_base64_VARIANT_ORIGINAL)];
    char h[NOTE_B64_HASH_SIZE];
    json_t *proof = json_array();
    if (!proof)
        return NULL;
    for (size_t i = 0; i < r->proof_len; i++) {
        note_hash_b64(r->proof[i], h);
        if (json_array_append_new(proof, json_string(h))) {
            json_decref(proof);
            return NULL;
        }
    }
    sodium_bin2base64(leaf_b64, sizeof leaf_b64, r->leaf, r->leaf_len,
                      sodium_base64_VARIANT_ORIGINAL);
    return json_pack("{s:s, s:I, s:I, s:o, s:s}", "leaf", leaf_b64, "leaf_index",
                     (json_int_t)r->leaf_index, "tree_size", (json_int_t)r->tree_size,
                     "inclusion_proof", proof, "checkpoint", r->checkpoint);
}

const char *ledger_check_name(enum ledger_check_id c)
{
    switch (c) {
    case LEDGER_CHECK_OK: return "ok";
    case LEDGER_CHECK_FORMAT: return "format";
    case LEDGER_CHECK_KEY: return "key";
    case LEDGER_CHECK_SIGNATURE: return "signature";
    case LEDGER_CHECK_SIZE: return "size";
    case LEDGER_CHECK_LEAF: return "leaf";
    case LEDGER_CHECK_PROOF: return "proof";
    }
    return "unknown";
}

/* Record the failing check's sentence and return the check. */
static enum ledger_check_id ledger__fail(enum ledger_check_id c, char *why, size_t cap,
                                         const char *msg, const char *name)
{
    if (why && cap)
        snprintf(why, cap, "%s%s", msg, name ? name : "");
    return c;
}

enum ledger_check_id ledger_checkpoint_open(const char *note, size_t len,
                                            const struct note_verifier *v,
                                            struct note_checkpoint *out, char *why, size_t cap)
{
    size_t text_len = 0;
    switch (note_open(note, len, v, &text_len)) {
    case NOTE_CHECK_OK:
        break;
    case NOTE_CHECK_UNKNOWN_KEY:
        return ledger__fail(LEDGER_CHECK_KEY, why, cap,
                            "the checkpoint carries no signature by the key ", v->name);
    case NOTE_CHECK_BAD_SIGNATURE:
        return ledger__fail(LEDGER_CHECK_SIGNATURE, why, cap,
                            "the checkpoint's signature does not verify under the key ", v->name);
    case NOTE_CHECK_MALFORMED:
    default:
        return ledger__fail(LEDGER_CHECK_SIGNATURE, why, cap,
                            "the checkpoint is not a well-formed signed note", NULL);
    }
    struct note_checkpoint c;
    if (note_checkpoint_parse(note, text_len, &c))
        return ledger__fail(LEDGER_CHECK_SIGNATURE, why, cap,
                            "the signed text is not a checkpoint (origin, size, root)", NULL);
    if (strcmp(c.origin, v->name) != 0)
        return ledger__fail(LEDGER_CHECK_KEY, why, cap,
                            "the checkpoint's origin is not the key's log ", v->name);
    *out = c;
    return LEDGER_CHECK_OK;
}

enum ledger_check_id ledger_checkpoint_open_any(const char *note, size_t len, const char *vkeys,
                                             struct note_checkpoint *out, char *why, size_t cap)
{
    struct note_verifier v[LEDGER_KEYS_MAX];
    size_t n = 0;
    for (const char *p = vkeys; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        char line[NOTE_VKEY_MAX + 8];
        if (l >= sizeof line || n == LEDGER_KEYS_MAX)
            return ledger__fail(LEDGER_CHECK_KEY, why, cap,
                                "a verifier key is too long, or there are too many keys", NULL);
        memcpy(line, p, l);
        line[l] = '\0';
        if (strspn(line, " \t\r") != l && note_verifier_parse(line, &v[n++]))
            return ledger__fail(LEDGER_CHECK_KEY, why, cap,
                                "the verifier key is not of the form name+keyid+key (Ed25519)",
                                NULL);
        p = nl ? nl + 1 : p + l;
    }
    if (n == 0)
        return ledger__fail(LEDGER_CHECK_KEY, why, cap, "no verifier key given", NULL);
    enum ledger_check_id result = LEDGER_CHECK_KEY;
    char first_why[256] = "";
    for (size_t i = 0; i < n; i++) {
        enum ledger_check_id r = ledger_checkpoint_open(note, len, &v[i], out, why, cap);
        if (r == LEDGER_CHECK_OK)
            return r;
        if (result == LEDGER_CHECK_KEY && r != LEDGER_CHECK_KEY) { /* the more telling failure */
            result = r;
            snprintf(first_why, sizeof first_why, "%s", why ? why : "");
        }
    }
    if (result != LEDGER_CHECK_KEY && why && cap)
        snprintf(why, cap, "%s", first_why);
    return result;
}

enum ledger_check_id ledger_receipt_verify(const char *receipt, size_t len, const char *vkey,
                                           struct ledger_leaf *leaf, char *why, size_t cap)
{
    enum ledger_check_id result;
    json_error_t err;
    json_t *o = json_loadb(receipt, len, JSON_REJECT_DUPLICATES, &err);
    json_t *j_leaf = json_object_get(o, "leaf"), *j_idx = json_object_get(o, "leaf_index"),
           *j_size = json_object_get(o, "tree_size"), *j_proof = json_object_get(o, "inclusion_proof"),
           *j_cp = json_object_get(o, "checkpoint");
    if (!json_is_object(o) || !json_is_string(j_leaf) || !json_is_integer(j_idx) ||
        !json_is_integer(j_size) || !json_is_array(j_proof) || !json_is_string(j_cp)) {
        result = ledger__fail(LEDGER_CHECK_FORMAT, why, cap,
                              "the receipt is not a JSON object with leaf, leaf_index, tree_size, "
                              "inclusion_proof and checkpoint of the right types", NULL);
        goto out_json;
    }
    struct note_checkpoint cp;
    result = ledger_checkpoint_open_any(json_string_value(j_cp), json_string_length(j_cp), vkey, &cp, why,
                              cap);
    if (result)
        goto out_json;
    json_int_t idx = json_integer_value(j_idx), size = json_integer_value(j_size);
    if (size < 1 || (uint64_t)size != cp.size) {
        result = ledger__fail(LEDGER_CHECK_SIZE, why, cap,
                              "tree_size is not the size of the signed checkpoint", NULL);
        goto out_json;
    }
    if (idx < 0 || idx >= size) {
        result = ledger__fail(LEDGER_CHECK_SIZE, why, cap,
                              "leaf_index is not inside the tree of tree_size leaves", NULL);
        goto out_json;
    }
    uint8_t raw[STORE_LEDGER_LEAF_MAX];
    size_t raw_len = 0;
    const char *end = NULL;
    struct ledger_leaf l;
    const char *b64 = json_string_value(j_leaf);
    size_t b64_len = json_string_length(j_leaf);
    if (sodium_base642bin(raw, sizeof raw, b64, b64_len, NULL, &raw_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64_len || ledger_leaf_decode(raw, raw_len, &l) != IPS_OK) {
        result = ledger__fail(LEDGER_CHECK_LEAF, why, cap,
                              "the leaf is not the base64 of a canonical registration record",
                              NULL);
        goto out_json;
    }
    if (l.leaf_index != (uint64_t)idx) {
        result = ledger__fail(LEDGER_CHECK_LEAF, why, cap,
                              "the leaf records another leaf_index than the receipt's", NULL);
        goto out_json;
    }
    size_t count = json_array_size(j_proof);
    uint8_t(*proof)[MERKLE_HASH_LEN] = NULL;
    if (count > MERKLE_PROOF_MAX) {
        result = ledger__fail(LEDGER_CHECK_PROOF, why, cap, "the inclusion proof is too long",
                              NULL);
        goto out_json;
    }
    uint8_t hashes[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    for (size_t i = 0; i < count; i++) {
        json_t *h = json_array_get(j_proof, i);
        if (!json_is_string(h) ||
            !note_hash_unb64(json_string_value(h), json_string_length(h), hashes[i])) {
            result = ledger__fail(LEDGER_CHECK_PROOF, why, cap,
                                  "an inclusion_proof element is not a base64 SHA-256 hash",
                                  NULL);
            goto out_json;
        }
    }
    proof = hashes;
    uint8_t leaf_hash[MERKLE_HASH_LEN];
    merkle_leaf_hash(raw, raw_len, leaf_hash);
    if (!merkle_inclusion_verify((uint64_t)idx, (uint64_t)size, leaf_hash,
                                 (const uint8_t(*)[MERKLE_HASH_LEN])proof, count, cp.root)) {
        result = ledger__fail(LEDGER_CHECK_PROOF, why, cap,
                              "the leaf and the inclusion proof do not lead to the signed root "
                              "(a proof of the wrong length, or an altered proof or leaf)",
                              NULL);
        goto out_json;
    }
    if (leaf)
        *leaf = l;
    result = ledger__fail(LEDGER_CHECK_OK, why, cap, "the receipt verifies", NULL);
out_json:
    json_decref(o);
    return result;
}

enum ledger_check_id ledger_consistency_verify(const char *old_note, size_t old_len,
                                               const char *new_note, size_t new_len,
                                               const char *vkey, const char *proof_json,
                                               size_t proof_len, struct note_checkpoint *old_out,
                                               struct note_checkpoint *new_out, char *why,
                                               size_t cap)
{
    struct note_checkpoint a, b;
    enum ledger_check_id result;
    json_t *doc = NULL;
    if ((result = ledger_checkpoint_open_any(old_note, old_len, vkey, &a, why, cap)) ||
        (result = ledger_checkpoint_open_any(new_note, new_len, vkey, &b, why, cap)))
        return result;
    if (a.size > b.size)
        return ledger__fail(LEDGER_CHECK_SIZE, why, cap,
                            "the old checkpoint is larger than the new one", NULL);
    if (a.size == 0)
        return ledger__fail(LEDGER_CHECK_SIZE, why, cap,
                            "the old checkpoint is of the empty tree", NULL);
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count = 0;
    if (a.size != b.size || proof_json) {
        json_error_t err;
        doc = proof_json ? json_loadb(proof_json, proof_len, JSON_REJECT_DUPLICATES, &err) : NULL;
        json_t *arr = json_is_object(doc) ? json_object_get(doc, "proof") : doc;
        if (!json_is_array(arr)) {
            result = ledger__fail(LEDGER_CHECK_FORMAT, why, cap,
                                  "no consistency proof: give the JSON of "
                                  "GET /api/v1/ledger/consistency?from=OLD&to=NEW", NULL);
            goto out_doc;
        }
        count = json_array_size(arr);
        if (count > MERKLE_PROOF_MAX) {
            result = ledger__fail(LEDGER_CHECK_PROOF, why, cap, "the proof is too long", NULL);
            goto out_doc;
        }
        for (size_t i = 0; i < count; i++) {
            json_t *h = json_array_get(arr, i);
            if (!json_is_string(h) ||
                !note_hash_unb64(json_string_value(h), json_string_length(h), proof[i])) {
                result = ledger__fail(LEDGER_CHECK_PROOF, why, cap,
                                      "a proof element is not a base64 SHA-256 hash", NULL);
                goto out_doc;
            }
        }
    }
    if (!merkle_consistency_verify(a.size, b.size, a.root, b.root,
                                   (const uint8_t(*)[MERKLE_HASH_LEN])proof, count)) {
        result = ledger__fail(LEDGER_CHECK_PROOF, why, cap,
                              a.size == b.size
                                  ? "two checkpoints of the same size with different roots: "
                                    "the log forked"
                                  : "the consistency proof does not join the two roots",
                              NULL);
        goto out_doc;
    }
    if (old_out)
        *old_out = a;
    if (new_out)
        *new_out = b;
    result = ledger__fail(LEDGER_CHECK_OK, why, cap, "the new checkpoint extends the old one",
                          NULL);
out_doc:
    json_decref(doc);
    return result;
}

/*
 * note.c — C2SP signed-note and tlog-checkpoint encoding, Ed25519 via
 * libsodium. See note.h for the formats.
 */
#include "ledger/note.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NOTE__ALG_ED25519 0x01
#define NOTE__DASH "\xE2\x80\x94 " /* U+2014 EM DASH and a space */
#define NOTE__DASH_LEN 4
#define NOTE__SIG_B64_LEN 92 /* base64 of key id (4) + signature (64), padded */

const char *note_check_name(enum note_check c)
{
    switch (c) {
    case NOTE_CHECK_OK: return "ok";
    case NOTE_CHECK_MALFORMED: return "malformed";
    case NOTE_CHECK_UNKNOWN_KEY: return "unknown-key";
    case NOTE_CHECK_BAD_SIGNATURE: return "bad-signature";
    }
    return "unknown";
}

/* A key name of n bytes at p: printable ASCII without space and '+'. */
static bool note__name_ok(const char *p, size_t n)
{
    if (n == 0 || n > NOTE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '+')
            return false;
    return true;
}

bool note_name_valid(const char *name)
{
    return name && note__name_ok(name, strnlen(name, NOTE_NAME_MAX + 1));
}

void note_key_id(const char *name, const uint8_t pk[NOTE_PUBKEY_LEN], uint8_t out[NOTE_KEYID_LEN])
{
    static const uint8_t sep[2] = {0x0A, NOTE__ALG_ED25519};
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, sizeof sep);
    crypto_hash_sha256_update(&st, pk, NOTE_PUBKEY_LEN);
    crypto_hash_sha256_final(&st, h);
    memcpy(out, h, NOTE_KEYID_LEN);
}

ips_status note_signer_generate(const char *name, struct note_signer *out)
{
    if (!note_name_valid(name))
        return IPS_ERR_INVALID;
    struct note_signer s;
    memset(&s, 0, sizeof s);
    crypto_sign_ed25519_keypair(s.v.pk, s.sk);
    memcpy(s.v.name, name, strlen(name) + 1);
    note_key_id(name, s.v.pk, s.v.keyid);
    *out = s;
    sodium_memzero(&s, sizeof s);
    return IPS_OK;
}

/* Base64 (standard, padded) of 1 + 32 bytes: the algorithm byte and key. */
static void note__key_b64(const uint8_t key[32], char out[48])
{
    uint8_t raw[33];
    raw[0] = NOTE__ALG_ED25519;
    memcpy(raw + 1, key, 32);
    sodium_bin2base64(out, 48, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, sizeof raw);
}

ips_status note_verifier_format(const struct note_verifier *v, char *out, size_t cap)
{
    char b64[48];
    note__key_b64(v->pk, b64);
    int n = snprintf(out, cap, "%s+%02x%02x%02x%02x+%s", v->name, v->keyid[0], v->keyid[1],
                     v->keyid[2], v->keyid[3], b64);
    return n < 0 || (size_t)n >= cap ? IPS_ERR_TOO_LARGE : IPS_OK;
}

ips_status note_signer_format(const struct note_signer *s, char *out, size_t cap)
{
    char b64[48];
    note__key_b64(s->sk, b64); /* the first 32 bytes of sk are the seed */
    int n = snprintf(out, cap, "PRIVATE+KEY+%s+%02x%02x%02x%02x+%s", s->v.name, s->v.keyid[0],
                     s->v.keyid[1], s->v.keyid[2], s->v.keyid[3], b64);
    sodium_memzero(b64, sizeof b64);
    return n < 0 || (size_t)n >= cap ? IPS_ERR_TOO_LARGE : IPS_OK;
}

static int note__hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parse "<name>+<8 hex>+<base64(0x01 || 32 bytes)>" from p[0..n) into name,
 * keyid and key. False when malformed. */
static bool note__parse_key(const char *p, size_t n, char name[NOTE_NAME_MAX + 1],
                            uint8_t keyid[NOTE_KEYID_LEN], uint8_t key[32])
{
    const char *plus1 = memchr(p, '+', n);
    if (!plus1)
        return false;
    size_t name_len = (size_t)(plus1 - p);
    const char *hex = plus1 + 1;
    if (!note__name_ok(p, name_len) || (size_t)(p + n - hex) < 9 || hex[8] != '+')
        return false;
    for (int i = 0; i < NOTE_KEYID_LEN; i++) {
        int hi = note__hexval(hex[2 * i]), lo = note__hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        keyid[i] = (uint8_t)(hi << 4 | lo);
    }
    const char *b64 = hex + 9;
    size_t b64_len = (size_t)(p + n - b64);
    uint8_t raw[34];
    size_t raw_len = 0;
    const char *end = NULL;
    if (b64_len != 44 ||
        sodium_base642bin(raw, sizeof raw, b64, b64_len, NULL, &raw_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64_len || raw_len != 33 || raw[0] != NOTE__ALG_ED25519) {
        sodium_memzero(raw, sizeof raw);
        return false;
    }
    memcpy(key, raw + 1, 32);
    sodium_memzero(raw, sizeof raw);
    memcpy(name, p, name_len);
    name[name_len] = '\0';
    return true;
}

/* Trim ASCII whitespace around text; OUT *start, *len. */
static void note__trim(const char *text, const char **start, size_t *len)
{
    const char *b = text, *e = text + strlen(text);
    while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    *start = b;
    *len = (size_t)(e - b);
}

ips_status note_verifier_parse(const char *text, struct note_verifier *out)
{
    const char *p;
    size_t n;
    struct note_verifier v;
    uint8_t want[NOTE_KEYID_LEN];
    note__trim(text, &p, &n);
    if (n >= NOTE_VKEY_MAX || !note__parse_key(p, n, v.name, v.keyid, v.pk))
        return IPS_ERR_INVALID;
    note_key_id(v.name, v.pk, want);
    if (memcmp(want, v.keyid, NOTE_KEYID_LEN) != 0)
        return IPS_ERR_INVALID;
    *out = v;
    return IPS_OK;
}

ips_status note_signer_parse(const char *text, struct note_signer *out)
{
    static const char prefix[] = "PRIVATE+KEY+";
    const char *p;
    size_t n;
    struct note_signer s;
    uint8_t seed[32], want[NOTE_KEYID_LEN];
    ips_status st = IPS_ERR_INVALID;
    note__trim(text, &p, &n);
    if (n >= NOTE_SKEY_MAX || n < sizeof prefix - 1 || memcmp(p, prefix, sizeof prefix - 1) != 0)
        return IPS_ERR_INVALID;
    if (!note__parse_key(p + sizeof prefix - 1, n - (sizeof prefix - 1), s.v.name, s.v.keyid,
                         seed))
        goto out_wipe;
    crypto_sign_ed25519_seed_keypair(s.v.pk, s.sk, seed);
    note_key_id(s.v.name, s.v.pk, want);
    if (memcmp(want, s.v.keyid, NOTE_KEYID_LEN) != 0)
        goto out_wipe;
    *out = s;
    st = IPS_OK;
out_wipe:
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(&s, sizeof s);
    return st;
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when invalid,
 * overlong, a surrogate or above U+10FFFF. */
static size_t note__utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* True when text[0..len) may be a note text: non-empty, valid UTF-8 without
 * control characters other than "\n", ending in "\n". */
static bool note__text_ok(const char *text, size_t len)
{
    if (len == 0 || text[len - 1] != '\n')
        return false;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f)
            return false;
        size_t k = note__utf8_seq(p + i, len - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

ips_status note_sign_many(const struct note_signer *const *s, size_t n, const char *text,
                          size_t len, struct buf *out)
{
    /* A text holding a blank line would be cut there by every reader. */
    if (n == 0 || !note__text_ok(text, len) || (len >= 2 && memmem(text, len, "\n\n", 2)))
        return IPS_ERR_INVALID;
    ips_status st = buf_append(out, text, len);
    if (!st)
        st = buf_append(out, "\n", 1);
    for (size_t i = 0; !st && i < n; i++) {
        uint8_t raw[NOTE_KEYID_LEN + NOTE_SIG_LEN];
        char b64[NOTE__SIG_B64_LEN + 1];
        memcpy(raw, s[i]->v.keyid, NOTE_KEYID_LEN);
        crypto_sign_ed25519_detached(raw + NOTE_KEYID_LEN, NULL, (const uint8_t *)text, len,
                                     s[i]->sk);
        sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
        st = buf_appendf(out, NOTE__DASH "%s %s\n", s[i]->v.name, b64);
    }
    return st;
}

ips_status note_sign(const struct note_signer *s, const char *text, size_t len, struct buf *out)
{
    return note_sign_many(&s, 1, text, len, out);
}

enum note_check note_open(const char *note, size_t len, const struct note_verifier *v,
                          size_t *text_len)
{
    if (len > NOTE_MAX || len < 2 || note[len - 1] != '\n')
        return NOTE_CHECK_MALFORMED;
    /* The signature block starts after the LAST blank line. */
    size_t split = 0;
    bool found = false;
    for (size_t i = len - 1; i-- > 0;) {
        if (note[i] == '\n' && note[i + 1] == '\n') {
            split = i + 1; /* the text keeps its final newline */
            found = true;
            break;
        }
    }
    if (!found || !note__text_ok(note, split) || !note__text_ok(note + split + 1, len - split - 1))
        return NOTE_CHECK_MALFORMED;
    enum note_check result = NOTE_CHECK_UNKNOWN_KEY;
    const char *p = note + split + 1, *end = note + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line_len = (size_t)(nl - p);
        if (line_len < NOTE__DASH_LEN || memcmp(p, NOTE__DASH, NOTE__DASH_LEN) != 0)
            return NOTE_CHECK_MALFORMED;
        const char *name = p + NOTE__DASH_LEN;
        const char *sp = memchr(name, ' ', (size_t)(nl - name));
        if (!sp || !note__name_ok(name, (size_t)(sp - name)))
            return NOTE_CHECK_MALFORMED;
        const char *b64 = sp + 1;
        size_t b64_len = (size_t)(nl - b64);
        uint8_t raw[NOTE_KEYID_LEN + NOTE_SIG_LEN + 1];
        size_t raw_len = 0;
        const char *b64_end = NULL;
        if (b64_len == 0 || b64_len > 4 * ((sizeof raw + 2) / 3) ||
            sodium_base642bin(raw, sizeof raw, b64, b64_len, NULL, &raw_len, &b64_end,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            b64_end != nl || raw_len < NOTE_KEYID_LEN + 1)
            return NOTE_CHECK_MALFORMED;
        size_t name_len = (size_t)(sp - name);
        if (name_len == strlen(v->name) && memcmp(name, v->name, name_len) == 0 &&
            memcmp(raw, v->keyid, NOTE_KEYID_LEN) == 0) {
            if (raw_len == NOTE_KEYID_LEN + NOTE_SIG_LEN &&
                crypto_sign_ed25519_verify_detached(raw + NOTE_KEYID_LEN, (const uint8_t *)note,
                                                    split, v->pk) == 0) {
                if (text_len)
                    *text_len = split;
                return NOTE_CHECK_OK;
            }
            result = NOTE_CHECK_BAD_SIGNATURE;
        }
        p = nl + 1;
    }
    return result;
}

void note_hash_b64(const uint8_t hash[NOTE_HASH_LEN], char out[NOTE_B64_HASH_SIZE])
{
    sodium_bin2base64(out, NOTE_B64_HASH_SIZE, hash, NOTE_HASH_LEN,
                      sodium_base64_VARIANT_ORIGINAL);
}

bool note_hash_unb64(const char *text, size_t len, uint8_t out[NOTE_HASH_LEN])
{
    uint8_t raw[NOTE_HASH_LEN + 1];
    size_t raw_len = 0;
    const char *end = NULL;
    char again[NOTE_B64_HASH_SIZE];
    if (len != NOTE_B64_HASH_SIZE - 1 ||
        sodium_base642bin(raw, sizeof raw, text, len, NULL, &raw_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text + len || raw_len != NOTE_HASH_LEN)
        return false;
    note_hash_b64(raw, again); /* canonical: the unused bits must be zero */
    if (memcmp(again, text, len) != 0)
        return false;
    memcpy(out, raw, NOTE_HASH_LEN);
    return true;
}

ips_status note_checkpoint_format(const struct note_checkpoint *c, struct buf *out)
{
    char b64[NOTE_B64_HASH_SIZE];
    note_hash_b64(c->root, b64);
    return buf_appendf(out, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
}

ips_status note_checkpoint_parse(const char *text, size_t len, struct note_checkpoint *out)
{
    struct note_checkpoint c;
    const char *p = text, *end = text + len;
    const char *nl1 = memchr(p, '\n', len);
    if (!nl1 || (size_t)(nl1 - p) == 0 || (size_t)(nl1 - p) > NOTE_NAME_MAX)
        return IPS_ERR_INVALID;
    memcpy(c.origin, p, (size_t)(nl1 - p));
    c.origin[nl1 - p] = '\0';
    if (memchr(c.origin, '\0', (size_t)(nl1 - p)))
        return IPS_ERR_INVALID;
    p = nl1 + 1;
    const char *nl2 = memchr(p, '\n', (size_t)(end - p));
    size_t digits = nl2 ? (size_t)(nl2 - p) : 0;
    if (digits == 0 || digits > 19 || (digits > 1 && p[0] == '0'))
        return IPS_ERR_INVALID;
    uint64_t size = 0;
    for (size_t i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9')
            return IPS_ERR_INVALID;
        size = size * 10 + (uint64_t)(p[i] - '0');
    }
    if (size >> 63)
        return IPS_ERR_INVALID;
    c.size = size;
    p = nl2 + 1;
    const char *nl3 = memchr(p, '\n', (size_t)(end - p));
    if (!nl3 || !note_hash_unb64(p, (size_t)(nl3 - p), c.root))
        return IPS_ERR_INVALID;
    *out = c;
    return IPS_OK;
}

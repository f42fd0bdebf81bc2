/*
 * note.h — C2SP signed notes and tlog checkpoints, with Ed25519 keys.
 *
 * A signed note (C2SP signed-note) is a text, then a blank line, then one or
 * more signature lines:
 *
 *     <text, non-empty, each line ending in "\n">
 *     \n
 *     — <key name> <base64(key id || Ed25519 signature of the text)>\n
 *
 * The dash is U+2014 (bytes E2 80 94). The key id is the first 4 bytes of
 * SHA-256(key name || 0x0A || 0x01 || public key), 0x01 naming Ed25519. A
 * verifier key is published as "<name>+<8 hex key id>+<base64(0x01 || public
 * key)>"; the signer key file holds "PRIVATE+KEY+<name>+<8 hex key id>+
 * <base64(0x01 || 32-byte seed)>" (the layout Go's note package uses).
 *
 * A checkpoint (C2SP tlog-checkpoint) is a note whose text is the origin
 * line, the tree size in decimal (no leading zeros), and the base64 root
 * hash, each ending in "\n"; further lines (extensions) are allowed and
 * ignored here.
 *
 * Key names here are 1..NOTE_NAME_MAX bytes of printable ASCII other than
 * space and '+' (the spec allows more; this is the subset we emit and read).
 * All functions are pure apart from note_signer_generate (randomness).
 * Ownership: callers own every buffer; nothing here allocates except into a
 * caller's struct buf.
 */
#ifndef IPS_LEDGER_NOTE_H
#define IPS_LEDGER_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

#define NOTE_NAME_MAX 128
#define NOTE_KEYID_LEN 4
#define NOTE_PUBKEY_LEN 32
#define NOTE_SECKEY_LEN 64
#define NOTE_SIG_LEN 64
#define NOTE_HASH_LEN 32
/* Longest verifier key text, with its NUL: name + 8 hex + base64 of 33 bytes. */
#define NOTE_VKEY_MAX (NOTE_NAME_MAX + 1 + 8 + 1 + 44 + 1)
/* Longest signer key text, with its NUL. */
#define NOTE_SKEY_MAX (12 + NOTE_VKEY_MAX)
/* Longest note we accept to open (a checkpoint is far below this). */
#define NOTE_MAX 8192

struct note_verifier {
    char name[NOTE_NAME_MAX + 1];
    uint8_t keyid[NOTE_KEYID_LEN];
    uint8_t pk[NOTE_PUBKEY_LEN];
};

struct note_signer {
    struct note_verifier v;      /* the public half */
    uint8_t sk[NOTE_SECKEY_LEN]; /* libsodium's seed || public key form */
};

/* What note_open found. */
enum note_check {
    NOTE_CHECK_OK,            /* a signature by the key verified */
    NOTE_CHECK_MALFORMED,     /* not a signed note (layout, UTF-8, signature line) */
    NOTE_CHECK_UNKNOWN_KEY,   /* no signature line names this key (name and key id) */
    NOTE_CHECK_BAD_SIGNATURE, /* the key's signature does not verify */
};

/* Name of a check result ("ok", "malformed", "unknown-key", "bad-signature"). */
const char *note_check_name(enum note_check c);

/* True when name is a key name we accept (see the file comment). */
bool note_name_valid(const char *name);
/* Key id of an Ed25519 key under name. */
void note_key_id(const char *name, const uint8_t pk[NOTE_PUBKEY_LEN],
                 uint8_t out[NOTE_KEYID_LEN]);

/* New random key named name. IPS_ERR_INVALID for a bad name. OUT *out. */
ips_status note_signer_generate(const char *name, struct note_signer *out);
/* Signer key text into out[0..cap). IPS_ERR_TOO_LARGE if cap is short. */
ips_status note_signer_format(const struct note_signer *s, char *out, size_t cap);
/* Parse a signer key text (trailing newline allowed). IPS_ERR_INVALID when
 * malformed or when the key id does not match. OUT *out. */
ips_status note_signer_parse(const char *text, struct note_signer *out);
/* Verifier key text into out[0..cap). IPS_ERR_TOO_LARGE if cap is short. */
ips_status note_verifier_format(const struct note_verifier *v, char *out, size_t cap);
/* Parse a verifier key text (surrounding whitespace allowed). IPS_ERR_INVALID
 * when malformed, not Ed25519, or the key id does not match. OUT *out. */
ips_status note_verifier_parse(const char *text, struct note_verifier *out);

/* Sign text[0..len) (non-empty, ending in "\n", printable UTF-8 text lines)
 * and append the signed note to out. IPS_ERR_INVALID for a text that cannot
 * be a note; buf failures otherwise (out unchanged on failure is NOT
 * guaranteed: release it). */
ips_status note_sign(const struct note_signer *s, const char *text, size_t len, struct buf *out);

/* The same with n >= 1 signers: one signature line each, in the order
 * given (a key rotation's overlap signs with the new key and the old). */
ips_status note_sign_many(const struct note_signer *const *s, size_t n, const char *text,
                          size_t len, struct buf *out);

/* Check the note[0..len) against the verifier. On NOTE_CHECK_OK *text_len
 * (may be NULL) is the length of the signed text, which starts at note. */
enum note_check note_open(const char *note, size_t len, const struct note_verifier *v,
                          size_t *text_len);

/* A checkpoint body. */
struct note_checkpoint {
    char origin[NOTE_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[NOTE_HASH_LEN];
};

/* Checkpoint text "origin\nsize\nbase64(root)\n" appended to out. */
ips_status note_checkpoint_format(const struct note_checkpoint *c, struct buf *out);
/* Parse a checkpoint text[0..len) (the text of an opened note).
 * IPS_ERR_INVALID when malformed. OUT *out. */
ips_status note_checkpoint_parse(const char *text, size_t len, struct note_checkpoint *out);

/* Canonical base64 (standard alphabet, padded) of a 32-byte hash into
 * out[NOTE_B64_HASH_SIZE]. */
#define NOTE_B64_HASH_SIZE 45
void note_hash_b64(const uint8_t hash[NOTE_HASH_LEN], char out[NOTE_B64_HASH_SIZE]);
/* Decode exactly one canonical base64 hash; false otherwise. */
bool note_hash_unb64(const char *text, size_t len, uint8_t out[NOTE_HASH_LEN]);

#endif

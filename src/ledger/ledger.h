/*
 * ledger.h — the original-work ledger: a signed, append-only, tamper-evident
 * log of work registrations, verifiable offline (issue 6). Design note:
 * docs/internals/ledger.md.
 *
 * A registration (a file's SHA-256, title, owner organisation, declared
 * creation date, registration time) becomes one leaf of an RFC 9162 Merkle
 * tree (merkle.h); its leaf bytes are the canonical JSON of the record (RFC
 * 8785 rules, see ledger_leaf_encode). Every committed batch of
 * registrations ends with a checkpoint, a C2SP signed note (note.h) over
 * the origin, the tree size and the root, signed with the log's Ed25519 key.
 * A receipt bundles the leaf, its index, the tree size, the inclusion proof
 * and the checkpoint; anyone holding the verifier key checks it with
 * ledger_receipt_verify, without the server or the database.
 *
 * Durability: a batch's leaves, their tree nodes, the new checkpoint and
 * the audit event commit in ONE transaction; receipts are built only after
 * the commit. Before appending, the transaction checks that the stored tree
 * still has the root of the latest checkpoint, so a damaged store is never
 * extended (no fork).
 *
 * The signing key lives in a file of mode 0600 (setting ledger_key, default
 * "<db>.ledger.key"), created at first use with the name ledger_origin; the
 * key's name is the checkpoints' origin line. It is loaded once per process
 * and path and kept in memory (a mutex guards the cache).
 *
 * Access: LEDGER_REGISTER (members of the owning right-holder org, and
 * agents holding a verified authorisation from it: the owner stays the
 * principal, the agent is recorded in the leaf), LEDGER_READ (the owning org
 * and platform readers), LEDGER_PRIOR_ART (every signed-in user: a dispute
 * must see who registered first, whoever asks). The verifier key, the
 * latest checkpoint and consistency proofs are public: those functions make
 * no access decision.
 *
 * Server start: ledger_startup() checks the stored tree against the last
 * checkpoint; when they disagree every ledger function of this process
 * answers IPS_ERR_INTEGRITY (ctx->detail says why) until restart.
 *
 * Ownership: callers own every struct passed in or out; json_t results are
 * new references.
 */
#ifndef IPS_LEDGER_LEDGER_H
#define IPS_LEDGER_LEDGER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "detect/detect.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "store/store_ledger.h"

#define LEDGER_LEAF_VERSION 1
#define LEDGER_BATCH_MAX 10000 /* works per ledger_register call */

/* ---- keys ------------------------------------------------------------------------ */

/* Path of the signing key file for these settings into out[cap]:
 * cfg->ledger_key, or the database path + ".ledger.key". IPS_ERR_USAGE when
 * neither gives a file (an in-memory database without ledger_key),
 * IPS_ERR_TOO_LARGE when it does not fit. */
ips_status ledger_key_path(const struct config *cfg, char *out, size_t cap);

#define LEDGER_KEYS_MAX 16  /* keys one key file holds: the current one and earlier ones */
#define LEDGER_COSIGN_MAX 2 /* earlier keys co-signing one checkpoint (the note must fit) */

/* The key file's keys (keyring.c has the file's layout). key[0] signs;
 * key[i > 0] are earlier keys, newest first, each co-signing checkpoints
 * until cosign_until_ms[i] and kept afterwards to check what it signed. */
struct ledger_keyring {
    size_t n; /* 1..LEDGER_KEYS_MAX */
    struct note_signer key[LEDGER_KEYS_MAX];
    int64_t cosign_until_ms[LEDGER_KEYS_MAX]; /* [0] unused */
};

/* A zeroed keyring on the heap (NULL when out of memory); free it with
 * ledger_keyring_free, which wipes it. */
struct ledger_keyring *ledger_keyring_new(void);
void ledger_keyring_free(struct ledger_keyring *r);

/* The key file: read, or created (mode 0600, one key named
 * cfg->ledger_origin) when it does not exist. Cached per process and read
 * again when the file changed on disk. OUT *out (secret: wipe it after use).
 * Failure: IPS_ERR_IO (unreadable, or readable by group or others),
 * IPS_ERR_INTEGRITY (not a key file), IPS_ERR_INVALID (ledger_origin is not
 * a valid key name), IPS_ERR_USAGE (no key file for these settings). */
ips_status ledger_keyring_load(const struct config *cfg, struct ledger_keyring *out);

/* The log's current signer (key[0] of ledger_keyring_load, same failures).
 * OUT *out (wipe it after use). */
ips_status ledger_signer_load(const struct config *cfg, struct note_signer *out);

/* The keys that sign a checkpoint made at now_ms: the current key, then
 * the earlier keys still in their overlap (at most LEDGER_COSIGN_MAX,
 * newest first). Pointers into r; returns their count (>= 1). */
size_t ledger_keyring_signers(const struct ledger_keyring *r, int64_t now_ms,
                              const struct note_signer *out[1 + LEDGER_COSIGN_MAX]);

/* Rotate the key: a new key of the same name becomes the current one; the
 * previous current key co-signs checkpoints for overlap_ms more (0: from
 * now on it only checks what it signed). The file is replaced atomically
 * and durably; running processes take the new file up at their next
 * signature. OUT new_vkey: the new verifier key. Failure: those of
 * ledger_keyring_load except that a missing file is IPS_ERR_NOT_FOUND;
 * IPS_ERR_TOO_LARGE when the file already holds LEDGER_KEYS_MAX keys;
 * IPS_ERR_INVALID for a negative overlap. */
ips_status ledger_key_rotate(const struct config *cfg, int64_t overlap_ms, int64_t now_ms,
                             char new_vkey[NOTE_VKEY_MAX]);

/* The verifier key text "<name>+<key id>+<key>" into out. Public. */
ips_status ledger_verifier_key(struct ips_ctx *ctx, char out[NOTE_VKEY_MAX]);

/* ---- registration -------------------------------------------------------------------- */

/* One work to register. Exactly one of data (the file, stored with
 * blob_put) or sha256_hex (register a digest without storing a file: the
 * system principal only, for bulk imports and the benchmark) is given.
 * When data is a JPEG, PNG or WebP image whose PDQ quality reaches
 * DETECT_PDQ_MIN_QUALITY, its PDQ hash goes into the leaf and the prior-art
 * index; other files (and flat images) register with "pdq": null.
 * A registration by an actor of another org than org_id is an agent's:
 * allowed with a verified, valid authorisation from org_id (rights.h), and
 * the agent's org is recorded. */
struct ledger_work {
    const void *data;
    size_t len;
    const char *sha256_hex; /* 64 lower-case hex digits */
    const char *title;      /* 1..200 bytes of UTF-8 without control characters */
    const char *created_on; /* YYYY-MM-DD, not after today (UTC); NULL: today */
    const char *org_id;     /* owner: a right-holder organisation */
};

struct ledger_receipt {
    uint64_t leaf_index;
    uint64_t tree_size;
    size_t leaf_len;
    uint8_t leaf[STORE_LEDGER_LEAF_MAX];
    size_t proof_len;
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    char checkpoint[STORE_LEDGER_NOTE_MAX + 1];
};

/*
 * The access check ledger_register makes for a work of org_id, alone: the
 * actor is a member of org_id or its authorised agent, and org_id is a
 * right-holder org. Handlers call it before validating the upload, so that
 * a refused caller learns nothing from validation. IPS_OK, or
 * IPS_ERR_UNAUTHENTICATED, IPS_ERR_NOT_FOUND (unknown org or another org's),
 * IPS_ERR_FORBIDDEN (not a right-holder org); refusals are audited.
 */
ips_status ledger_register_check(struct ips_ctx *ctx, const char *org_id);

/*
 * Register works[0..n) (1 <= n <= LEDGER_BATCH_MAX) as consecutive leaves in
 * one transaction ending with one signed checkpoint. Authorises
 * LEDGER_REGISTER for each owner (the owner must be a right-holder org) and
 * validates every work before writing anything; a bad work refuses the whole
 * batch (ctx->errors names "works[i].field" for batches, "field" for one).
 * OUT receipts[0..n) (may be NULL: no proofs are built), *first_index (may
 * be NULL). Failure: IPS_ERR_INVALID, IPS_ERR_FORBIDDEN, IPS_ERR_NOT_FOUND
 * (unknown org or another org's), IPS_ERR_MEDIA_TYPE / IPS_ERR_TOO_LARGE from
 * blob_put, IPS_ERR_INTEGRITY (the stored tree disagrees with the last
 * checkpoint: nothing is appended), storage failures. Nothing changes on
 * failure.
 */
ips_status ledger_register(struct ips_ctx *ctx, const struct ledger_work *works, size_t n,
                           struct ledger_receipt *receipts, uint64_t *first_index);

/* A fresh receipt for leaf_index against the latest checkpoint (LEDGER_READ
 * on the registration's org). OUT *out. IPS_ERR_NOT_FOUND for an unknown
 * index or another org's registration. */
ips_status ledger_receipt_get(struct ips_ctx *ctx, uint64_t leaf_index, struct ledger_receipt *out);

/* Registrations the actor may read (its own org's; all for platform
 * readers), leaf_index ascending after `after` (-1: from the start). */
ips_status ledger_registration_list(struct ips_ctx *ctx, int64_t after, int limit,
                                    store_ledger_record_cb cb, void *arg);

/* The latest checkpoint. Public. IPS_ERR_NOT_FOUND while the log is empty. */
ips_status ledger_checkpoint_latest(struct ips_ctx *ctx, struct store_ledger_checkpoint *out);

/* RFC 9162 consistency proof between tree sizes from and to
 * (1 <= from <= to <= latest checkpoint's size). Public. OUT proof[0..*count).
 * IPS_ERR_INVALID otherwise (ctx->detail says why). */
ips_status ledger_consistency_proof(struct ips_ctx *ctx, uint64_t from, uint64_t to,
                                    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                    size_t *count);

/* ---- integrity ------------------------------------------------------------------------ */

struct ledger_check_result {
    int64_t tree_size; /* of the latest checkpoint (0: none) */
    int64_t leaves;    /* leaves stored */
    int64_t checked;   /* leaves whose hash was recomputed (full check) */
    char reason[256];  /* why the check failed, "" when it passed */
};

/* Check the stored log against its latest checkpoint: leaf count, root from
 * the stored nodes, the checkpoint's signature under the log key and its
 * text. full also recomputes every leaf hash from the stored leaf bytes and
 * every stored interior node (O(n)). Public to the system principal only
 * (the CLI and server start); others get IPS_ERR_FORBIDDEN. IPS_OK intact,
 * IPS_ERR_INTEGRITY broken (res->reason), storage failures otherwise. */
ips_status ledger_check(struct ips_ctx *ctx, bool full, struct ledger_check_result *res);

/* At server start: load or create the key, run the quick check, log the
 * outcome, and remember it for this process (see the file comment). Returns
 * the check's status; a broken ledger does not stop the server. */
ips_status ledger_startup(struct ips_ctx *ctx);

/* ---- leaves and receipts (receipt.c; pure, no store) ------------------------------------- */

/* The record a leaf encodes. */
struct ledger_leaf {
    uint64_t leaf_index;
    char org_id[ID_SIZE];
    char owner[STORE_NAME_MAX + 1]; /* the org's name at registration */
    char agent_org_id[ID_SIZE];     /* "" unless an agent registered it */
    char agent[STORE_NAME_MAX + 1]; /* the agent org's name then ("" none) */
    char pdq[STORE_LEDGER_HEX_LEN + 1]; /* PDQ of an image work, hex; "" none */
    char work_sha256[STORE_LEDGER_HEX_LEN + 1];
    char title[STORE_LEDGER_TITLE_MAX + 1];
    char created_on[STORE_LEDGER_DATE_LEN + 1];
    int64_t registered_ms;
};

/* Canonical leaf bytes of l into out[0..*len): RFC 8785 JSON (sorted keys,
 * no whitespace) of {"created_on","leaf_index","org_id","owner","pdq",
 * "registered_ms","title","v":1,"work_sha256"} — "pdq" the hex PDQ or null —
 * plus "agent" and "agent_org_id" for an agent's registration only.
 * IPS_ERR_INVALID when a text is not valid UTF-8, IPS_ERR_TOO_LARGE past
 * cap. */
ips_status ledger_leaf_encode(const struct ledger_leaf *l, uint8_t *out, size_t cap, size_t *len);
/* Parse leaf bytes; IPS_ERR_INVALID unless they are exactly the canonical
 * encoding of a version-1 record. OUT *out. */
ips_status ledger_leaf_decode(const uint8_t *leaf, size_t len, struct ledger_leaf *out);

/* The receipt as JSON: {"leaf","leaf_index","tree_size","inclusion_proof",
 * "checkpoint"} (base64 texts as in the issue). NULL on OOM. */
json_t *ledger_receipt_json(const struct ledger_receipt *r);

/* The checks of an offline verification, in the order they run. */
enum ledger_check_id {
    LEDGER_CHECK_OK,
    LEDGER_CHECK_FORMAT,    /* the receipt is not a JSON object with the fields */
    LEDGER_CHECK_KEY,       /* bad verifier key, or the checkpoint is not by this key/log */
    LEDGER_CHECK_SIGNATURE, /* the checkpoint's signature does not verify, or it is malformed */
    LEDGER_CHECK_SIZE,      /* tree_size or leaf_index disagree with the checkpoint */
    LEDGER_CHECK_LEAF,      /* the leaf is not a canonical record of this index */
    LEDGER_CHECK_PROOF,     /* the proof does not lead from the leaf to the signed root */
};
/* "ok", "format", "key", "signature", "size", "leaf", "proof". */
const char *ledger_check_name(enum ledger_check_id c);

/* Verify a receipt (JSON text receipt[0..len)) against a verifier key text:
 * one key, or several, one per line (the log's keys across a rotation; the
 * checkpoint must be signed by one of them).
 * Returns the first failing check (LEDGER_CHECK_OK when all pass) and a
 * sentence in why[cap]. OUT *leaf (may be NULL) on LEDGER_CHECK_OK. */
enum ledger_check_id ledger_receipt_verify(const char *receipt, size_t len, const char *vkey,
                                           struct ledger_leaf *leaf, char *why, size_t cap);

/* Open a checkpoint note with a verifier key: KEY, SIGNATURE or OK (with
 * *out filled). The origin must be the key's name. */
enum ledger_check_id ledger_checkpoint_open(const char *note, size_t len,
                                            const struct note_verifier *v,
                                            struct note_checkpoint *out, char *why, size_t cap);

/* The same with the verifier keys in vkeys (one per line, blank lines
 * ignored): OK with the first key that signed it; KEY when a line is not a
 * key or none of them signed it; SIGNATURE when a signature by one of them
 * is bad. */
enum ledger_check_id ledger_checkpoint_open_any(const char *note, size_t len, const char *vkeys,
                                                struct note_checkpoint *out, char *why,
                                                size_t cap);

/* Verify that the checkpoint note old_note is a prefix of new_note (both
 * signed by a key of vkey, one or more keys as for ledger_receipt_verify,
 * old no larger than new) with the RFC 9162 consistency
 * proof given as JSON text proof_json[0..proof_len): {"proof": [base64...]}
 * as GET /api/v1/ledger/consistency answers, or a bare array; may be NULL
 * when the sizes are equal. Returns the first failing check (KEY, SIGNATURE,
 * SIZE: old larger than new, FORMAT: the proof is not such JSON, PROOF) and
 * a sentence in why[cap]. OUT *old_out, *new_out (may be NULL) on OK. */
enum ledger_check_id ledger_consistency_verify(const char *old_note, size_t old_len,
                                               const char *new_note, size_t new_len,
                                               const char *vkey, const char *proof_json,
                                               size_t proof_len, struct note_checkpoint *old_out,
                                               struct note_checkpoint *new_out, char *why,
                                               size_t cap);

/* ---- prior art --------------------------------------------------------------------------- */

#define LEDGER_PRIOR_ART_MAX 100 /* hits per query */

/* One earlier registration whose image is within the distance. */
struct ledger_prior_art {
    struct ledger_leaf leaf;  /* the registration (decoded from its leaf) */
    int distance;             /* PDQ Hamming distance, 0..31 */
    enum detect_dihedral via; /* the transform of the QUERY image that matched */
};
typedef ips_status (*ledger_prior_art_cb)(const struct ledger_prior_art *hit, void *arg);

/*
 * Prior art for an image (prior_art.c): the registrations whose PDQ hash is
 * within max_distance (0..DETECT_PDQ_MATCH_DISTANCE) of any of the 8
 * dihedral variants of image[0..len)'s hash — so mirrored and rotated copies
 * are found — and whose leaf_index is below `before` (-1: all), in log order
 * (= registration order), at most limit (1..LEDGER_PRIOR_ART_MAX; <= 0: the
 * maximum). cb runs once per hit, after the index lock is released.
 * LEDGER_PRIOR_ART for the actor. OUT query_pdq (may be NULL): the image's
 * own PDQ in hex. The index lives in memory, is built from the store on
 * first use and catches up with new registrations on each query.
 * Failure: IPS_ERR_MEDIA_TYPE (not JPEG/PNG/WebP), IPS_ERR_MALFORMED
 * (corrupt image), IPS_ERR_INVALID (bad distance or limit, or an image too
 * flat to hash: ctx->detail), IPS_ERR_TOO_LARGE, storage failures, or the
 * callback's status.
 */
ips_status ledger_prior_art(struct ips_ctx *ctx, const void *image, size_t len, int max_distance,
                            int64_t before, int limit, char query_pdq[65], ledger_prior_art_cb cb,
                            void *arg);

/* A hit as JSON: {"leaf_index","org_id","owner","agent_org_id","agent",
 * "title","created_on","work_sha256","registered_at" (RFC 3339),"pdq",
 * "distance","query_transform" (detect_dihedral_name of via)}; the agent
 * members are null unless an agent registered it. NULL on OOM. */
json_t *ledger_prior_art_json(const struct ledger_prior_art *hit);

#endif

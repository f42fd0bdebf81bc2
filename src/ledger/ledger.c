/*
 * ledger.c — the original-work ledger's domain functions: keys,
 * registration, receipts, consistency proofs, integrity checks. The file
 * formats are in note.c and receipt.c, the tree math in merkle.c, the SQL in
 * src/store/sqlite_ledger.c. Contracts: ledger.h.
 */
#include "ledger/ledger_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "blob/blob.h"
#include "rights/rights.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"

#define LEDGER__PATH_MAX 4096

/* Process state: what the start check found. Guarded by mu; written
 * rarely (start). The keys are in keyring.c. */
enum ledger__health { LEDGER__UNCHECKED, LEDGER__HEALTHY, LEDGER__BROKEN };
static struct {
    pthread_mutex_t mu;
    enum ledger__health health;
    char reason[256];
} ledger__state = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* See ledger_internal.h. */
ips_status ledger__usable(struct ips_ctx *ctx)
{
    pthread_mutex_lock(&ledger__state.mu);
    bool broken = ledger__state.health == LEDGER__BROKEN;
    if (broken)
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the ledger failed its integrity check at start and is not served: %.150s",
                 ledger__state.reason);
    pthread_mutex_unlock(&ledger__state.mu);
    return broken ? IPS_ERR_INTEGRITY : IPS_OK;
}

/* ---- the tree over the store (tiles.c) ------------------------------------------------ */

static ips_status ledger__upgrade_tx(struct store *s, void *arg)
{
    return ledger_tiles_upgrade(s, arg);
}

/* A tile a read needs is missing: when the database still has the node
 * table of the old layout, convert it (once, in its own transaction) and
 * answer IPS_OK so that the caller reads again; otherwise the store is
 * damaged: IPS_ERR_INTEGRITY. */
static ips_status ledger__tile_missing(struct store *s)
{
    bool legacy = false;
    int64_t leaves = 0, nodes = 0;
    ips_status st = store_ledger_legacy_present(s, &legacy, &nodes);
    if (st == IPS_OK && legacy)
        st = store_in_tx(s) ? ledger_tiles_upgrade(s, &leaves)
                            : store_tx_run(s, ledger__upgrade_tx, &leaves);
    if (st == IPS_OK && !legacy) {
        log_error("ledger: a tree tile is missing from the store");
        st = IPS_ERR_INTEGRITY;
    }
    return st;
}

static ips_status ledger__inclusion(struct store *s, uint64_t index, uint64_t size,
                                    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *count)
{
    ips_status st = ledger_tree_inclusion(s, index, size, proof, count);
    if (st == IPS_ERR_NOT_FOUND && (st = ledger__tile_missing(s)) == IPS_OK)
        st = ledger_tree_inclusion(s, index, size, proof, count);
    return st == IPS_ERR_NOT_FOUND ? IPS_ERR_INTEGRITY : st;
}

static ips_status ledger__consistency(struct store *s, uint64_t from, uint64_t to,
                                      uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                      size_t *count)
{
    ips_status st = ledger_tree_consistency(s, from, to, proof, count);
    if (st == IPS_ERR_NOT_FOUND && (st = ledger__tile_missing(s)) == IPS_OK)
        st = ledger_tree_consistency(s, from, to, proof, count);
    return st == IPS_ERR_NOT_FOUND ? IPS_ERR_INTEGRITY : st;
}

/* The right frontier of the stored tree of `size` leaves into f (see
 * ledger__tile_missing for a missing tile). */
static ips_status ledger__frontier(struct store *s, uint64_t size, struct ledger_frontier *f)
{
    ips_status st = ledger_frontier_load(f, s, size);
    if (st == IPS_ERR_NOT_FOUND && (st = ledger__tile_missing(s)) == IPS_OK)
        st = ledger_frontier_load(f, s, size);
    return st == IPS_ERR_NOT_FOUND ? IPS_ERR_INTEGRITY : st;
}

/* ---- validation -------------------------------------------------------------------------- */

/* Days in month m (1-12) of year y. */
static int ledger__mdays(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* Today's UTC date, YYYY-MM-DD, into out[11]. */
static void ledger__today(char out[STORE_LEDGER_DATE_LEN + 1])
{
    char now[40];
    time_now_rfc3339(now, sizeof now);
    memcpy(out, now, STORE_LEDGER_DATE_LEN);
    out[STORE_LEDGER_DATE_LEN] = '\0';
}

/* True when s is a calendar date YYYY-MM-DD (year 0001-9999). */
static bool ledger__date_valid(const char *s)
{
    if (strlen(s) != STORE_LEDGER_DATE_LEN || s[4] != '-' || s[7] != '-')
        return false;
    int v[3] = {0, 0, 0}, pos[3][2] = {{0, 4}, {5, 2}, {8, 2}};
    for (int f = 0; f < 3; f++)
        for (int i = 0; i < pos[f][1]; i++) {
            char c = s[pos[f][0] + i];
            if (c < '0' || c > '9')
                return false;
            v[f] = v[f] * 10 + (c - '0');
        }
    return v[0] >= 1 && v[1] >= 1 && v[1] <= 12 && v[2] >= 1 && v[2] <= ledger__mdays(v[0], v[1]);
}

/* A title: 1..STORE_LEDGER_TITLE_MAX bytes, valid UTF-8 (jansson decides),
 * no control characters. */
static bool ledger__title_valid(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > STORE_LEDGER_TITLE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
            return false;
    json_t *probe = json_string(t);
    json_decref(probe);
    return probe != NULL;
}

static bool ledger__hex_valid(const char *s)
{
    size_t i = 0;
    for (; s && s[i]; i++)
        if (i >= STORE_LEDGER_HEX_LEN || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == STORE_LEDGER_HEX_LEN;
}

/* Append a field error, prefixed with works[i]. when the batch has more
 * than one work. */
static void ledger__field_error(struct ips_ctx *ctx, size_t n, size_t i, const char *field,
                                const char *msg)
{
    char name[64];
    if (n > 1)
        snprintf(name, sizeof name, "works[%zu].%s", i, field);
    else
        snprintf(name, sizeof name, "%s", field);
    json_error_add(ctx->errors, name, msg);
}

/* Authorise and, when refused, audit the refusal (as access.c does).
 * agent: the actor's org holds a valid authorisation from org_id. */
static ips_status ledger__authorize(struct ips_ctx *ctx, enum access_action act,
                                    const char *org_id, bool agent, const char *object)
{
    struct access_object obj = {.org_id = org_id, .agent_authorised = agent};
    ips_status st = access_authorize(ctx->actor, act, org_id ? &obj : NULL);
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object, AUDIT_DENIED, ips_status_slug(st));
    return st;
}

/* ---- registration ---------------------------------------------------------------------- */

struct ledger__reg {
    struct ips_ctx *ctx;
    const struct ledger_work *works;
    size_t n;
    struct ledger_leaf *leaves;  /* prepared; leaf_index and work_sha256 set in the tx */
    const struct ledger_keyring *keys;
    struct store_ledger_record *rec; /* scratch */
    struct ledger_frontier *f;       /* scratch: the tree's right edge */
    /* OUT of the transaction (reset at its start: it may run again) */
    int64_t first;
    struct store_ledger_checkpoint cp;
};

/* Check that the stored tree of `size` leaves is the one the latest
 * checkpoint signed: same size, same root. OUT *f: that tree's frontier,
 * loaded (the caller's scratch, write sink already set). */
static ips_status ledger__tip_ok(struct store *s, int64_t size, struct ledger_frontier *f,
                                 char *why, size_t cap)
{
    struct store_ledger_checkpoint cp;
    ips_status st = store_ledger_checkpoint_latest(s, &cp);
    if (st == IPS_ERR_NOT_FOUND) {
        if (size == 0)
            return ledger_frontier_load(f, s, 0);
        snprintf(why, cap, "%" PRId64 " leaves are stored but no checkpoint", size);
        return IPS_ERR_INTEGRITY;
    }
    if (st)
        return st;
    if (cp.tree_size != size) {
        snprintf(why, cap, "%" PRId64 " leaves are stored but the last checkpoint has %" PRId64,
                 size, cp.tree_size);
        return IPS_ERR_INTEGRITY;
    }
    uint8_t root[MERKLE_HASH_LEN];
    if ((st = ledger__frontier(s, (uint64_t)size, f))) {
        if (st == IPS_ERR_INTEGRITY)
            snprintf(why, cap, "the stored tree of %" PRId64 " leaves is incomplete", size);
        return st;
    }
    ledger_frontier_root(f, root);
    if (memcmp(root, cp.root, MERKLE_HASH_LEN) != 0) {
        snprintf(why, cap, "the stored tree's root differs from the last checkpoint's (size %" PRId64 ")",
                 size);
        return IPS_ERR_INTEGRITY;
    }
    return IPS_OK;
}

/* Sign and store the checkpoint of the tree of `size` leaves: signed by
 * the current key and by earlier keys still in their overlap. OUT *out. */
static ips_status ledger__checkpoint_make(struct store *s, const struct ledger_keyring *keys,
                                          const struct ledger_frontier *f,
                                          struct store_ledger_checkpoint *out)
{
    struct note_checkpoint c;
    struct buf text, note;
    ips_status st;
    int64_t size = (int64_t)f->size, now = time_now_ms();
    const struct note_signer *signers[1 + LEDGER_COSIGN_MAX];
    size_t nsigners = ledger_keyring_signers(keys, now, signers);
    ledger_frontier_root(f, c.root);
    memcpy(c.origin, keys->key[0].v.name, sizeof c.origin);
    c.size = (uint64_t)size;
    buf_init(&text, 512);
    buf_init(&note, STORE_LEDGER_NOTE_MAX);
    if ((st = note_checkpoint_format(&c, &text)) ||
        (st = note_sign_many(signers, nsigners, text.data, text.len, &note)))
        goto out_bufs;
    if (note.len > STORE_LEDGER_NOTE_MAX) { /* three signatures with a 128-byte name fit */
        st = IPS_ERR_TOO_LARGE;
        goto out_bufs;
    }
    memset(out, 0, sizeof *out);
    out->tree_size = size;
    memcpy(out->root, c.root, MERKLE_HASH_LEN);
    memcpy(out->note, note.data, note.len + 1);
    out->created_ms = now;
    st = store_ledger_checkpoint_insert(s, out);
out_bufs:
    buf_release(&text);
    buf_release(&note);
    return st;
}

static ips_status ledger__register_tx(struct store *s, void *arg)
{
    struct ledger__reg *a = arg;
    struct ips_ctx *ctx = a->ctx;
    int64_t size = 0;
    char why[256];
    ips_status st = store_ledger_size(s, &size);
    if (st)
        return st;
    ledger_frontier_init(a->f, ledger_tile_store_sink, s);
    if ((st = ledger__tip_ok(s, size, a->f, why, sizeof why))) {
        if (st == IPS_ERR_INTEGRITY) {
            log_error("ledger: refusing to append", "reason", why);
            snprintf(ctx->detail, sizeof ctx->detail, "the ledger is damaged: %.200s", why);
        }
        return st;
    }
    a->first = size;
    int64_t now = time_now_ms();
    for (size_t i = 0; i < a->n; i++) {
        const struct ledger_work *w = &a->works[i];
        struct ledger_leaf *l = &a->leaves[i];
        struct store_ledger_record *r = a->rec;
        if (w->data) {
            struct blob_info info;
            if ((st = blob_put(ctx, w->data, w->len, BLOB_TYPES_ANY, &info)))
                return st;
            memcpy(l->work_sha256, info.sha256, sizeof l->work_sha256);
        }
        l->leaf_index = (uint64_t)(size + (int64_t)i);
        l->registered_ms = now;
        memset(r, 0, offsetof(struct store_ledger_record, leaf));
        r->leaf_index = (int64_t)l->leaf_index;
        memcpy(r->org_id, l->org_id, sizeof r->org_id);
        memcpy(r->agent_org_id, l->agent_org_id, sizeof r->agent_org_id);
        r->has_pdq = l->pdq[0] && sodium_hex2bin(r->pdq, sizeof r->pdq, l->pdq, strlen(l->pdq),
                                                 NULL, NULL, NULL) == 0;
        memcpy(r->work_sha256, l->work_sha256, sizeof r->work_sha256);
        memcpy(r->title, l->title, sizeof r->title);
        memcpy(r->created_on, l->created_on, sizeof r->created_on);
        r->registered_ms = now;
        uint8_t leaf_hash[MERKLE_HASH_LEN];
        if ((st = ledger_leaf_encode(l, r->leaf, sizeof r->leaf, &r->leaf_len)) ||
            (st = store_ledger_record_insert(s, r)))
            return st;
        merkle_leaf_hash(r->leaf, r->leaf_len, leaf_hash);
        if ((st = ledger_frontier_append(a->f, leaf_hash)))
            return st;
    }
    int64_t new_size = size + (int64_t)a->n;
    if ((st = ledger_frontier_flush(a->f)) ||
        (st = ledger__checkpoint_make(s, a->keys, a->f, &a->cp)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[128];
    if (a->n == 1)
        snprintf(object, sizeof object, "ledger:%" PRId64, size);
    else
        snprintf(object, sizeof object, "ledger:%" PRId64 "-%" PRId64, size, new_size - 1);
    snprintf(detail, sizeof detail, "%zu registered, tree size %" PRId64, a->n, new_size);
    return audit_append(s, access_principal_actor(ctx->actor), "ledger.register", object, AUDIT_OK,
                        detail);
}

/* The PDQ hash (hex) of a work file into pdq, or "" when the file is not
 * a JPEG/PNG/WebP image, cannot be decoded, or is too flat to hash
 * (quality below DETECT_PDQ_MIN_QUALITY): such works register without one.
 * Fails only when memory runs out. */
static ips_status ledger__pdq_of(const void *data, size_t len, char pdq[STORE_LEDGER_HEX_LEN + 1])
{
    struct detect_pdq h[DETECT_DIH_COUNT];
    int quality = 0;
    char err[128];
    pdq[0] = '\0';
    ips_status st = detect_pdq_image(data, len, h, &quality, err, sizeof err);
    if (st == IPS_ERR_NOMEM)
        return st;
    if (st == IPS_OK && quality >= DETECT_PDQ_MIN_QUALITY)
        detect_pdq_format(&h[DETECT_DIH_ORIGINAL], pdq);
    return IPS_OK;
}

/* Whether the actor may register works for org_id: a member of it or its
 * authorised agent (OUT *agent tells which), and org_id a right-holder org.
 * org caches the last owner looked up (its id empty at first) and holds
 * org_id's record on success. Refusals are audited. */
static ips_status ledger__may_register(struct ips_ctx *ctx, const char *org_id,
                                       struct store_org *org, bool *agent)
{
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", org_id);
    /* An actor of another org may register for org_id as its agent. */
    const struct access_principal *p = ctx->actor;
    ips_status st = IPS_OK;
    *agent = false;
    if ((p->via == VIA_SESSION || p->via == VIA_TOKEN) && strcmp(p->org_id, org_id) != 0 &&
        (st = rights_agent_authorised(ctx, org_id, agent)))
        return st;
    if ((st = ledger__authorize(ctx, ACT_LEDGER_REGISTER, org_id, *agent, object)))
        return st;
    /* org: the previous work's owner, looked up again only when it changes */
    if (strcmp(org->id, org_id) != 0 && (st = store_org_get(ctx->store, org_id, org)))
        return st;
    if (strcmp(org->kind, "rightholder") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "only right-holder organisations register works in the ledger");
        return IPS_ERR_FORBIDDEN;
    }
    return IPS_OK;
}

ips_status ledger_register_check(struct ips_ctx *ctx, const char *org_id)
{
    if (!ctx->actor || ctx->actor->via == VIA_NONE)
        return IPS_ERR_UNAUTHENTICATED;
    if (!org_id || !id_is_valid(org_id))
        return IPS_ERR_NOT_FOUND;
    struct store_org org;
    memset(&org, 0, sizeof org);
    bool agent;
    return ledger__may_register(ctx, org_id, &org, &agent);
}

/* Validate and authorise works[i]; fill the prepared leaf (everything but
 * leaf_index, registered_ms and, for files, work_sha256). Appends field
 * errors; returns IPS_ERR_INVALID, an access refusal or a storage failure. */
static ips_status ledger__prepare(struct ips_ctx *ctx, size_t n, size_t i,
                                  const struct ledger_work *w, struct ledger_leaf *l,
                                  struct store_org *org)
{
    bool bad = false;
    memset(l, 0, sizeof *l);
    if ((w->data == NULL) == (w->sha256_hex == NULL)) {
        ledger__field_error(ctx, n, i, "work", "give either the file or its SHA-256, not both");
        bad = true;
    } else if (w->sha256_hex && ctx->actor->via != VIA_SYSTEM) {
        ledger__field_error(ctx, n, i, "work", "the file itself is required");
        bad = true;
    } else if (w->sha256_hex && !ledger__hex_valid(w->sha256_hex)) {
        ledger__field_error(ctx, n, i, "sha256", "must be 64 lower-case hex digits");
        bad = true;
    } else if (w->data && (w->len == 0 || w->len > BLOB_MAX_BYTES)) {
        ledger__field_error(ctx, n, i, "work", "must be a non-empty file of at most 10 MiB");
        bad = true;
    }
    if (!ledger__title_valid(w->title)) {
        ledger__field_error(ctx, n, i, "title",
                            "must be 1 to 200 bytes of UTF-8 without control characters");
        bad = true;
    }
    char today[STORE_LEDGER_DATE_LEN + 1];
    ledger__today(today);
    const char *created = w->created_on ? w->created_on : today;
    if (!ledger__date_valid(created)) {
        ledger__field_error(ctx, n, i, "created_on", "must be a date YYYY-MM-DD");
        bad = true;
    } else if (strcmp(created, today) > 0) {
        ledger__field_error(ctx, n, i, "created_on", "must not be after today (UTC)");
        bad = true;
    }
    if (!w->org_id || !id_is_valid(w->org_id)) {
        ledger__field_error(ctx, n, i, "org_id", "must be an organisation id");
        bad = true;
    }
    if (bad)
        return IPS_ERR_INVALID;
    const struct access_principal *p = ctx->actor;
    bool agent = false;
    ips_status st = ledger__may_register(ctx, w->org_id, org, &agent);
    if (st)
        return st;
    if (agent) {
        struct store_org a;
        if ((st = store_org_get(ctx->store, p->org_id, &a)))
            return st;
        memcpy(l->agent_org_id, a.id, sizeof l->agent_org_id);
        memcpy(l->agent, a.name, sizeof l->agent);
    }
    memcpy(l->org_id, org->id, sizeof l->org_id);
    memcpy(l->owner, org->name, sizeof l->owner);
    memcpy(l->title, w->title, strlen(w->title) + 1);
    memcpy(l->created_on, created, STORE_LEDGER_DATE_LEN + 1);
    if (w->sha256_hex)
        memcpy(l->work_sha256, w->sha256_hex, STORE_LEDGER_HEX_LEN + 1);
    else
        st = ledger__pdq_of(w->data, w->len, l->pdq);
    return st;
}

/* Inclusion proof of leaf_index in the tree of tree_size leaves, with the
 * leaf bytes and the note, into *out. */
static ips_status ledger__receipt_fill(struct store *s, const struct store_ledger_record *r,
                                       const struct store_ledger_checkpoint *cp,
                                       struct ledger_receipt *out)
{
    out->leaf_index = (uint64_t)r->leaf_index;
    out->tree_size = (uint64_t)cp->tree_size;
    out->leaf_len = r->leaf_len;
    memcpy(out->leaf, r->leaf, r->leaf_len);
    memcpy(out->checkpoint, cp->note, sizeof out->checkpoint);
    return ledger__inclusion(s, out->leaf_index, out->tree_size, out->proof, &out->proof_len);
}

ips_status ledger_register(struct ips_ctx *ctx, const struct ledger_work *works, size_t n,
                           struct ledger_receipt *receipts, uint64_t *first_index)
{
    ips_status st = ledger__usable(ctx);
    if (st)
        return st;
    if (n == 0 || n > LEDGER_BATCH_MAX || !works) {
        snprintf(ctx->detail, sizeof ctx->detail, "a batch holds 1 to %d works", LEDGER_BATCH_MAX);
        return IPS_ERR_INVALID;
    }
    if (!ctx->actor || ctx->actor->via == VIA_NONE)
        return IPS_ERR_UNAUTHENTICATED;
    struct ledger__reg a;
    memset(&a, 0, sizeof a);
    struct ledger_keyring *keys = ledger_keyring_new();
    a.leaves = calloc(n, sizeof *a.leaves);
    a.rec = malloc(sizeof *a.rec);
    a.f = malloc(sizeof *a.f);
    if (!keys || !a.leaves || !a.rec || !a.f) {
        st = IPS_ERR_NOMEM;
        goto out_mem;
    }
    ips_status first_bad = IPS_OK;
    struct store_org org;
    memset(&org, 0, sizeof org);
    for (size_t i = 0; i < n; i++) {
        st = ledger__prepare(ctx, n, i, &works[i], &a.leaves[i], &org);
        if (st == IPS_ERR_INVALID) { /* collect every field error */
            first_bad = IPS_ERR_INVALID;
            continue;
        }
        if (st)
            goto out_mem;
    }
    if (first_bad) {
        if (!ctx->detail[0])
            snprintf(ctx->detail, sizeof ctx->detail, "the registration is not valid");
        st = first_bad;
        goto out_mem;
    }
    if ((st = ledger_keyring_load(ctx->cfg, keys))) {
        snprintf(ctx->detail, sizeof ctx->detail, "the ledger's signing key is not available");
        goto out_mem;
    }
    a.ctx = ctx;
    a.works = works;
    a.n = n;
    a.keys = keys;
    st = store_tx_run(ctx->store, ledger__register_tx, &a);
    if (st)
        goto out_mem;
    if (first_index)
        *first_index = (uint64_t)a.first;
    for (size_t i = 0; receipts && i < n; i++) {
        struct store_ledger_record *r = a.rec;
        r->leaf_index = a.first + (int64_t)i;
        if ((st = ledger_leaf_encode(&a.leaves[i], r->leaf, sizeof r->leaf, &r->leaf_len)) ||
            (st = ledger__receipt_fill(ctx->store, r, &a.cp, &receipts[i])))
            goto out_mem;
    }
out_mem:
    ledger_keyring_free(keys);
    free(a.leaves);
    free(a.rec);
    free(a.f);
    return st;
}

ips_status ledger_receipt_get(struct ips_ctx *ctx, uint64_t leaf_index, struct ledger_receipt *out)
{
    ips_status st = ledger__usable(ctx);
    if (st)
        return st;
    if (leaf_index >= (uint64_t)INT64_MAX)
        return IPS_ERR_NOT_FOUND;
    struct store_ledger_record *r = malloc(sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    struct store_ledger_checkpoint cp;
    char object[STORE_OBJECT_MAX + 1];
    if ((st = store_ledger_record_get(ctx->store, (int64_t)leaf_index, r)))
        goto out_rec;
    snprintf(object, sizeof object, "ledger:%" PRIu64, leaf_index);
    if ((st = ledger__authorize(ctx, ACT_LEDGER_READ, r->org_id, false, object)) ||
        (st = store_ledger_checkpoint_latest(ctx->store, &cp)))
        goto out_rec;
    if (cp.tree_size <= r->leaf_index) { /* a leaf no checkpoint covers: cannot be */
        st = IPS_ERR_INTEGRITY;
        goto out_rec;
    }
    st = ledger__receipt_fill(ctx->store, r, &cp, out);
out_rec:
    free(r);
    return st;
}

ips_status ledger_registration_list(struct ips_ctx *ctx, int64_t after, int limit,
                                    store_ledger_record_cb cb, void *arg)
{
    ips_status st = ledger__usable(ctx);
    if (st)
        return st;
    if (!ctx->actor || ctx->actor->via == VIA_NONE)
        return IPS_ERR_UNAUTHENTICATED;
    /* Platform readers (and the system) see every registration... */
    st = access_authorize(ctx->actor, ACT_LEDGER_READ, NULL);
    if (st == IPS_OK)
        return store_ledger_record_list(ctx->store, NULL, after, limit, cb, arg);
    /* ...others their own organisation's. */
    return store_ledger_record_list(ctx->store, ctx->actor->org_id, after, limit, cb, arg);
}

ips_status ledger_checkpoint_latest(struct ips_ctx *ctx, struct store_ledger_checkpoint *out)
{
    ips_status st = ledger__usable(ctx);
    if (st)
        return st;
    st = store_ledger_checkpoint_latest(ctx->store, out);
    if (st == IPS_ERR_NOT_FOUND)
        snprintf(ctx->detail, sizeof ctx->detail, "the ledger is empty: no checkpoint yet");
    return st;
}

ips_status ledger_consistency_proof(struct ips_ctx *ctx, uint64_t from, uint64_t to,
                                    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                    size_t *count)
{
    ips_status st = ledger__usable(ctx);
    if (st)
        return st;
    struct store_ledger_checkpoint cp;
    st = store_ledger_checkpoint_latest(ctx->store, &cp);
    if (st && st != IPS_ERR_NOT_FOUND)
        return st;
    uint64_t size = st == IPS_ERR_NOT_FOUND ? 0 : (uint64_t)cp.tree_size;
    if (from < 1 || from > to || to > size) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "need 1 <= from <= to <= %" PRIu64 " (the latest checkpoint's size)", size);
        json_error_add(ctx->errors, from < 1 || from > to ? "from" : "to", "is out of range");
        return IPS_ERR_INVALID;
    }
    return ledger__consistency(ctx->store, from, to, proof, count);
}

/* ---- integrity -------------------------------------------------------------------------------- */

ips_status ledger_check(struct ips_ctx *ctx, bool full, struct ledger_check_result *res)
{
    memset(res, 0, sizeof *res);
    if (!ctx->actor || ctx->actor->via != VIA_SYSTEM)
        return IPS_ERR_FORBIDDEN;
    struct store *s = ctx->store;
    struct store_ledger_checkpoint cp;
    ips_status st = store_ledger_size(s, &res->leaves);
    if (st)
        return st;
    st = store_ledger_checkpoint_latest(s, &cp);
    if (st && st != IPS_ERR_NOT_FOUND)
        return st;
    res->tree_size = st ? 0 : cp.tree_size;
    struct ledger_frontier *f = malloc(sizeof *f);
    if (!f)
        return IPS_ERR_NOMEM;
    ledger_frontier_init(f, ledger_tile_store_sink, s);
    st = ledger__tip_ok(s, res->leaves, f, res->reason, sizeof res->reason);
    free(f);
    if (st)
        return st;
    if (res->tree_size > 0) {
        struct ledger_keyring *keys = ledger_keyring_new();;
        if (!keys || (st = ledger_keyring_load(ctx->cfg, keys))) {
            st = keys ? st : IPS_ERR_NOMEM;
            snprintf(res->reason, sizeof res->reason, "the signing key cannot be loaded (%s)",
                     ips_status_message(st));
            ledger_keyring_free(keys);
            return st;
        }
        /* the last checkpoint may be older than the current key: any key of
         * the file that signed it will do */
        struct note_checkpoint c;
        char why[200];
        enum ledger_check_id chk = LEDGER_CHECK_KEY;
        for (size_t i = 0; i < keys->n && chk != LEDGER_CHECK_OK; i++)
            chk = ledger_checkpoint_open(cp.note, strlen(cp.note), &keys->key[i].v, &c, why,
                                         sizeof why);
        ledger_keyring_free(keys);
        if (chk != LEDGER_CHECK_OK) {
            snprintf(res->reason, sizeof res->reason, "the last checkpoint: %s", why);
            return IPS_ERR_INTEGRITY;
        }
        if (c.size != (uint64_t)cp.tree_size || memcmp(c.root, cp.root, MERKLE_HASH_LEN) != 0) {
            snprintf(res->reason, sizeof res->reason,
                     "the last checkpoint's signed text disagrees with its stored size or root");
            return IPS_ERR_INTEGRITY;
        }
    }
    if (!full)
        return IPS_OK;
    st = ledger_tiles_verify(s, &res->checked, res->reason, sizeof res->reason);
    if (st == IPS_OK && res->checked != res->leaves) {
        snprintf(res->reason, sizeof res->reason, "%" PRId64 " leaves read, %" PRId64 " stored",
                 res->checked, res->leaves);
        st = IPS_ERR_INTEGRITY;
    }
    return st;
}

ips_status ledger_startup(struct ips_ctx *ctx)
{
    struct note_signer signer;
    struct ledger_check_result res;
    int64_t converted = 0;
    ips_status st = ledger_signer_load(ctx->cfg, &signer);
    sodium_memzero(&signer, sizeof signer);
    memset(&res, 0, sizeof res);
    /* a database of the node-table layout is converted to tiles first */
    if (st == IPS_OK && (st = store_tx_run(ctx->store, ledger__upgrade_tx, &converted)))
        snprintf(res.reason, sizeof res.reason, "the tree cannot be converted to tiles (%s)",
                 ips_status_message(st));
    if (st == IPS_OK)
        st = ledger_check(ctx, false, &res);
    else
        snprintf(res.reason, sizeof res.reason, "the signing key cannot be loaded or created (%s)",
                 ips_status_message(st));
    pthread_mutex_lock(&ledger__state.mu);
    ledger__state.health = st == IPS_OK ? LEDGER__HEALTHY : LEDGER__BROKEN;
    snprintf(ledger__state.reason, sizeof ledger__state.reason, "%s",
             st == IPS_OK ? "" : res.reason[0] ? res.reason : ips_status_message(st));
    pthread_mutex_unlock(&ledger__state.mu);
    if (st) {
        log_error("ledger: integrity check failed at start; ledger routes are refused",
                  "reason", ledger__state.reason);
    } else {
        char size[24];
        snprintf(size, sizeof size, "%" PRId64, res.tree_size);
        log_info("ledger: checked", "tree_size", size);
    }
    return st;
}

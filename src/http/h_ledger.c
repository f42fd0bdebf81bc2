/*
 * h_ledger.c — /api/v1/ledger: register works (multipart), list
 * registrations, receipts, the latest checkpoint, consistency proofs and
 * the verifier key. Domain: src/ledger/ledger.h.
 */
#include "http/http_internal.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"

/* Parse a decimal in [0, INT64_MAX) without sign or leading zeros; false
 * otherwise. */
static bool h__u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* A string member, or null when text is empty. */
static json_t *h__str_or_null(const char *text)
{
    return text[0] ? json_string(text) : json_null();
}

static json_t *h__view_registration(const struct store_ledger_record *r)
{
    char pdq[STORE_LEDGER_HEX_LEN + 1] = "";
    if (r->has_pdq)
        sodium_bin2hex(pdq, sizeof pdq, r->pdq, sizeof r->pdq);
    json_t *v = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:o, s:o}", "leaf_index",
                          (json_int_t)r->leaf_index, "org_id", r->org_id, "agent_org_id",
                          h__str_or_null(r->agent_org_id), "work_sha256", r->work_sha256, "title",
                          r->title, "created_on", r->created_on, "registered_at",
                          http_view_time(r->registered_ms), "pdq", h__str_or_null(pdq));
    return v;
}

/* The multipart "meta" part as a JSON object (unknown members refused into
 * the request's errors). OUT *meta: NULL when the part is absent (the
 * caller decides whether that is an error). False when the reply was sent
 * (the part is not a JSON object). */
static bool h__meta(struct http_req *rq, struct http_resp *rs, const char *const *allowed,
                    json_t **meta)
{
    const struct http_part *part = http_part_get(rq, "meta");
    *meta = NULL;
    if (!part)
        return true;
    char err[200];
    ips_status st = json_parse_object(part->data.data, part->data.len, meta, err, sizeof err);
    if (st) {
        char detail[240];
        snprintf(detail, sizeof detail, "meta: %s", err);
        http_problem(rs, st, detail, NULL);
        return false;
    }
    json_reject_unknown(*meta, allowed, rq->ctx.errors);
    return true;
}

static void h__receipt(struct http_resp *rs, int status, const struct ledger_receipt *r)
{
    json_t *v = ledger_receipt_json(r);
    if (!v)
        http_problem(rs, IPS_ERR_NOMEM, NULL, NULL);
    else
        http_json(rs, status, v);
}

void h_ledger_register(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"title", "created_on", "org_id", NULL};
    const struct http_part *work = http_part_get(rq, "work");
    json_t *meta = NULL;
    struct ledger_receipt *receipt = NULL;
    /* Access first, for the org meta names (the caller's own by default),
     * so that a refused caller learns nothing from the validation below. */
    const struct http_part *meta_part = http_part_get(rq, "meta");
    json_t *peek = meta_part ? json_loadb(meta_part->data.data, meta_part->data.len, 0, NULL) : NULL;
    const char *named = json_string_value(json_object_get(peek, "org_id"));
    ips_status st = ledger_register_check(&rq->ctx, named && id_is_valid(named) ? named
                                                                                : rq->principal.org_id);
    json_decref(peek);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    if (!h__meta(rq, rs, allowed, &meta))
        return;
    if (!meta)
        json_error_add(rq->ctx.errors, "meta", "is required: a JSON object {title, created_on}");
    if (!work)
        json_error_add(rq->ctx.errors, "work", "is required: the file of the work");
    const char *title = NULL, *created = NULL, *org_id = NULL;
    bool ok = meta && work && json_array_size(rq->ctx.errors) == 0;
    if (meta) {
        ok = json_field_string(meta, "title", true, STORE_LEDGER_TITLE_MAX, &title,
                               rq->ctx.errors) && ok;
        ok = json_field_string(meta, "created_on", false, STORE_LEDGER_DATE_LEN, &created,
                               rq->ctx.errors) && ok;
        ok = json_field_string(meta, "org_id", false, ID_SIZE, &org_id, rq->ctx.errors) && ok;
    }
    st = IPS_ERR_INVALID;
    if (ok) {
        struct ledger_work w = {
            .data = work->data.data ? work->data.data : "",
            .len = work->data.len,
            .title = title,
            .created_on = created,
            .org_id = org_id ? org_id : rq->principal.org_id,
        };
        receipt = malloc(sizeof *receipt);
        st = receipt ? ledger_register(&rq->ctx, &w, 1, receipt, NULL) : IPS_ERR_NOMEM;
    } else {
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "the registration is not valid");
    }
    if (st)
        http_fail(rq, rs, st);
    else
        h__receipt(rs, 201, receipt);
    free(receipt);
    json_decref(meta);
}

static ips_status h__registration_take(const struct store_ledger_record *r, void *arg)
{
    char cursor[24];
    snprintf(cursor, sizeof cursor, "%" PRId64, r->leaf_index);
    http_page_take(arg, h__view_registration(r), cursor);
    return IPS_OK;
}

void h_ledger_list(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    uint64_t after = 0;
    if (!http_page(rq, rs, &limit, &cursor))
        return;
    if (cursor && !h__u64(cursor, &after)) {
        json_t *errors = json_array();
        json_error_add(errors, "cursor", "is not a cursor this API gave out");
        http_problem(rs, IPS_ERR_INVALID, "bad cursor", errors);
        return;
    }
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    ips_status st = ledger_registration_list(&rq->ctx, cursor ? (int64_t)after : -1, limit + 1,
                                             h__registration_take, &acc);
    if (st) {
        json_decref(acc.items);
        http_fail(rq, rs, st);
        return;
    }
    http_json(rs, 200, http_page_finish(&acc));
}

void h_ledger_receipt(struct http_req *rq, struct http_resp *rs)
{
    uint64_t idx = 0;
    if (!h__u64(rq->n_params > 0 ? rq->params[0] : NULL, &idx)) {
        http_problem(rs, IPS_ERR_NOT_FOUND, "no registration has this leaf index", NULL);
        return;
    }
    struct ledger_receipt *r = malloc(sizeof *r);
    ips_status st = r ? ledger_receipt_get(&rq->ctx, idx, r) : IPS_ERR_NOMEM;
    if (st)
        http_fail(rq, rs, st);
    else
        h__receipt(rs, 200, r);
    free(r);
}

void h_ledger_checkpoint(struct http_req *rq, struct http_resp *rs)
{
    struct store_ledger_checkpoint cp;
    ips_status st = ledger_checkpoint_latest(&rq->ctx, &cp);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    char root[NOTE_B64_HASH_SIZE];
    note_hash_b64(cp.root, root);
    http_json(rs, 200,
              json_pack("{s:I, s:s, s:s, s:o}", "tree_size", (json_int_t)cp.tree_size, "root",
                        root, "checkpoint", cp.note, "created_at", http_view_time(cp.created_ms)));
}

void h_ledger_consistency(struct http_req *rq, struct http_resp *rs)
{
    const char *from_s = http_query(rq, "from"), *to_s = http_query(rq, "to");
    uint64_t from = 0, to = 0;
    bool ok = true;
    if (!h__u64(from_s, &from)) {
        json_error_add(rq->ctx.errors, "from", "is required: a tree size (decimal)");
        ok = false;
    }
    if (!h__u64(to_s, &to)) {
        json_error_add(rq->ctx.errors, "to", "is required: a tree size (decimal)");
        ok = false;
    }
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count = 0;
    ips_status st = IPS_ERR_INVALID;
    if (ok)
        st = ledger_consistency_proof(&rq->ctx, from, to, proof, &count);
    else
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "from and to must be tree sizes");
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    json_t *arr = json_array();
    char h[NOTE_B64_HASH_SIZE];
    for (size_t i = 0; arr && i < count; i++) {
        note_hash_b64(proof[i], h);
        json_array_append_new(arr, json_string(h));
    }
    http_json(rs, 200, json_pack("{s:I, s:I, s:o}", "from", (json_int_t)from, "to",
                                 (json_int_t)to, "proof", arr));
}

void h_ledger_key(struct http_req *rq, struct http_resp *rs)
{
    struct ledger_keyring *r = ledger_keyring_new();;
    ips_status st = r ? ledger_keyring_load(rq->ctx.cfg, r) : IPS_ERR_NOMEM;
    char key[NOTE_VKEY_MAX];
    json_t *keys = json_array();
    /* every key the log has signed with, current first: a verifier keeps
     * them all to check checkpoints from before a rotation */
    for (size_t i = 0; st == IPS_OK && i < r->n; i++) {
        if ((st = note_verifier_format(&r->key[i].v, key, sizeof key)))
            break;
        json_t *until = i == 0 ? json_null() : http_view_time(r->cosign_until_ms[i]);
        if (json_array_append_new(keys, json_pack("{s:s, s:b, s:o}", "verifier_key", key,
                                                  "current", i == 0, "cosigns_until", until)))
            st = IPS_ERR_NOMEM;
    }
    if (st == IPS_OK)
        st = note_verifier_format(&r->key[0].v, key, sizeof key);
    ledger_keyring_free(r);
    if (st) {
        json_decref(keys);
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "the ledger's key is not available");
        http_fail(rq, rs, st);
        return;
    }
    const char *plus = strchr(key, '+');
    json_t *v = json_pack("{s:s, s:s%, s:o}", "verifier_key", key, "origin", key,
                          plus ? (size_t)(plus - key) : strlen(key), "keys", keys);
    http_json(rs, 200, v);
}

/* ---- prior art ----------------------------------------------------------------------- */

static ips_status h__prior_take(const struct ledger_prior_art *hit, void *arg)
{
    json_t *v = ledger_prior_art_json(hit);
    return v && json_array_append_new(arg, v) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

void h_ledger_prior_art(struct http_req *rq, struct http_resp *rs)
{
    static const char *const allowed[] = {"distance", "before", "limit", NULL};
    const struct http_part *image = http_part_get(rq, "image");
    json_t *meta = NULL, *items = NULL;
    if (!h__meta(rq, rs, allowed, &meta))
        return;
    if (!image)
        json_error_add(rq->ctx.errors, "image", "is required: a JPEG, PNG or WebP file");
    int64_t distance = DETECT_PDQ_MATCH_DISTANCE, before = -1, limit = LEDGER_PRIOR_ART_MAX;
    bool present = false;
    bool ok = json_field_int(meta, "distance", false, 0, DETECT_PDQ_MATCH_DISTANCE, &distance,
                             &present, rq->ctx.errors);
    ok = json_field_int(meta, "before", false, 0, INT64_MAX - 1, &before, &present,
                        rq->ctx.errors) && ok;
    if (!present)
        before = -1;
    ok = json_field_int(meta, "limit", false, 1, LEDGER_PRIOR_ART_MAX, &limit, &present,
                        rq->ctx.errors) && ok;
    ok = ok && image && json_array_size(rq->ctx.errors) == 0;
    char pdq[STORE_LEDGER_HEX_LEN + 1] = "";
    ips_status st = IPS_ERR_INVALID;
    if (ok) {
        items = json_array();
        st = items ? ledger_prior_art(&rq->ctx, image->data.data ? image->data.data : "",
                                      image->data.len, (int)distance, before, (int)limit, pdq,
                                      h__prior_take, items)
                   : IPS_ERR_NOMEM;
    } else {
        snprintf(rq->ctx.detail, sizeof rq->ctx.detail, "the prior-art query is not valid");
    }
    json_decref(meta);
    if (st) {
        json_decref(items);
        http_fail(rq, rs, st);
        return;
    }
    http_json(rs, 200, json_pack("{s:s, s:I, s:o}", "pdq", pdq, "distance",
                                 (json_int_t)distance, "items", items));
}

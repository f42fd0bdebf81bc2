/*
 * fuzz_receipt.c — ledger receipts (src/ledger/ledger.h, receipt.c), as
 * `iprshield ledger verify` and outside auditors check them: the input is
 * the receipt JSON. It runs ledger_receipt_verify as given; then, since a
 * fuzzer cannot forge signatures, with its checkpoint text re-signed by the
 * harness key, so that the size, leaf and inclusion-proof checks behind the
 * signature see arbitrary data; then ledger_leaf_decode on the decoded leaf
 * and ledger_consistency_verify with the checkpoint against itself.
 *
 * Invariants checked: a leaf that decodes encodes back to the same bytes
 * (only canonical records are accepted); a receipt that verifies names a
 * leaf with the receipt's leaf_index.
 */
#include <jansson.h>
#include <sodium.h>

#include "core/buf.h"
#include "fuzz.h"
#include "ledger/ledger.h"
#include "ledger/note.h"
#include "ledger_key.h"
#include "store/store_ledger.h"

static struct note_signer fuzz__signer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0 || note_signer_parse(FUZZ_LEDGER_SKEY, &fuzz__signer) != IPS_OK)
        abort();
    return 0;
}

/* Verify receipt text[0..len) and check what a success promises. */
static void fuzz__verify(const char *text, size_t len, json_int_t idx)
{
    struct ledger_leaf leaf;
    char why[256];
    if (ledger_receipt_verify(text, len, FUZZ_LEDGER_VKEY, &leaf, why, sizeof why) ==
        LEDGER_CHECK_OK)
        FUZZ_CHECK(idx >= 0 && leaf.leaf_index == (uint64_t)idx);
    else
        FUZZ_CHECK(memchr(why, '\0', sizeof why) != NULL);
}

/* The leaf member as base64: decode, and check the canonical round trip. */
static void fuzz__leaf(json_t *j_leaf)
{
    uint8_t raw[STORE_LEDGER_LEAF_MAX], again[STORE_LEDGER_LEAF_MAX];
    size_t raw_len = 0, again_len = 0;
    const char *b64 = json_string_value(j_leaf);
    if (!b64 || sodium_base642bin(raw, sizeof raw, b64, json_string_length(j_leaf), NULL,
                                  &raw_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return;
    struct ledger_leaf l;
    if (ledger_leaf_decode(raw, raw_len, &l) != IPS_OK)
        return;
    FUZZ_CHECK(ledger_leaf_encode(&l, again, sizeof again, &again_len) == IPS_OK);
    FUZZ_CHECK(again_len == raw_len && memcmp(again, raw, raw_len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    const char *in = (const char *)data;
    json_t *o = json_loadb(in, size, JSON_REJECT_DUPLICATES, NULL);
    json_int_t idx = json_integer_value(json_object_get(o, "leaf_index"));
    fuzz__verify(in, size, idx);
    if (!json_is_object(o))
        goto out_json;
    fuzz__leaf(json_object_get(o, "leaf"));

    /* re-sign the checkpoint's text (up to its blank line) */
    json_t *cp = json_object_get(o, "checkpoint");
    const char *note = json_string_value(cp);
    if (!note)
        goto out_json;
    size_t note_len = json_string_length(cp), text_len = note_len;
    for (size_t i = 0; i + 1 < note_len; i++)
        if (note[i] == '\n' && note[i + 1] == '\n') {
            text_len = i + 1;
            break;
        }
    struct buf signed_note;
    buf_init(&signed_note, 4 * NOTE_MAX);
    if (note_sign(&fuzz__signer, note, text_len, &signed_note) == IPS_OK &&
        buf_append(&signed_note, "", 1) == IPS_OK) {
        json_t *copy = json_deep_copy(o);
        if (!copy)
            abort();
        json_object_set_new(copy, "checkpoint", json_stringn(signed_note.data, signed_note.len - 1));
        char *text = json_dumps(copy, JSON_COMPACT);
        if (text) {
            fuzz__verify(text, strlen(text), idx);
            free(text);
        }
        json_decref(copy);
        /* the checkpoint against itself, with the proof as the consistency proof */
        json_t *proof = json_object_get(o, "inclusion_proof");
        char *pj = proof ? json_dumps(proof, JSON_COMPACT) : NULL;
        struct note_checkpoint a, b;
        char why[256];
        enum ledger_check_id r = ledger_consistency_verify(
            signed_note.data, signed_note.len - 1, signed_note.data, signed_note.len - 1,
            FUZZ_LEDGER_VKEY, pj, pj ? strlen(pj) : 0, &a, &b, why, sizeof why);
        if (r == LEDGER_CHECK_OK)
            FUZZ_CHECK(a.size == b.size && memcmp(a.root, b.root, sizeof a.root) == 0);
        free(pj);
    }
    buf_release(&signed_note);
out_json:
    json_decref(o);
    return 0;
}

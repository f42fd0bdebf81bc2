/*
 * fuzz_note.c — signed notes and checkpoints (src/ledger/note.h), as
 * `iprshield ledger consistency` and auditors read them from outside:
 * note_open and note_checkpoint_parse on the raw input, the key parsers on
 * it as text, and — since a fuzzer cannot forge signatures — the input
 * signed with the harness key and opened again, so that the checkpoint
 * parser behind a valid signature is reached with arbitrary text.
 *
 * Invariants checked: a note this code signs opens with that key and
 * yields exactly the signed text; a checkpoint that parses formats back to
 * the same text prefix it was parsed from (origin, size, root).
 */
#include "core/buf.h"
#include "fuzz.h"
#include "ledger/ledger.h"
#include "ledger/note.h"
#include "ledger_key.h"

static struct note_signer fuzz__signer;
static struct note_verifier fuzz__verifier;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (note_signer_parse(FUZZ_LEDGER_SKEY, &fuzz__signer) != IPS_OK ||
        note_verifier_parse(FUZZ_LEDGER_VKEY, &fuzz__verifier) != IPS_OK)
        abort();
    return 0;
}

/* Parse text[0..len) as a checkpoint; when it parses, its formatted form
 * must be where the text started. */
static void fuzz__checkpoint(const char *text, size_t len)
{
    struct note_checkpoint c;
    if (note_checkpoint_parse(text, len, &c) != IPS_OK)
        return;
    /* the origin is any one line here; ledger_checkpoint_open compares it
     * with the key's name */
    FUZZ_CHECK(c.origin[0] != '\0' && strlen(c.origin) <= NOTE_NAME_MAX);
    FUZZ_CHECK(strchr(c.origin, '\n') == NULL);
    struct buf b;
    buf_init(&b, 4096);
    FUZZ_CHECK(note_checkpoint_format(&c, &b) == IPS_OK);
    FUZZ_CHECK(b.len <= len && memcmp(b.data, text, b.len) == 0);
    buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * NOTE_MAX)
        return 0;
    const char *in = (const char *)data;
    size_t text_len = 0;
    if (note_open(in, size, &fuzz__verifier, &text_len) == NOTE_CHECK_OK) {
        FUZZ_CHECK(text_len > 0 && text_len < size);
        fuzz__checkpoint(in, text_len);
    }
    fuzz__checkpoint(in, size);

    /* the input as key text */
    char *s = fuzz_strndup(data, size);
    struct note_verifier v;
    struct note_signer sg;
    if (note_verifier_parse(s, &v) == IPS_OK) {
        char back[NOTE_VKEY_MAX];
        FUZZ_CHECK(note_verifier_format(&v, back, sizeof back) == IPS_OK);
        FUZZ_CHECK(note_name_valid(v.name));
    }
    if (note_signer_parse(s, &sg) == IPS_OK) {
        char back[NOTE_SKEY_MAX];
        FUZZ_CHECK(note_signer_format(&sg, back, sizeof back) == IPS_OK);
    }
    uint8_t h[NOTE_HASH_LEN];
    if (note_hash_unb64(in, size, h)) {
        char b64[NOTE_B64_HASH_SIZE];
        note_hash_b64(h, b64);
        FUZZ_CHECK(strlen(b64) == size && memcmp(b64, in, size) == 0);
    }
    free(s);

    /* the input as the text of a note we sign, then open as a verifier would */
    struct buf note;
    buf_init(&note, 4 * NOTE_MAX);
    if (note_sign(&fuzz__signer, in, size, &note) == IPS_OK) {
        text_len = 0;
        FUZZ_CHECK(note_open(note.data, note.len, &fuzz__verifier, &text_len) == NOTE_CHECK_OK);
        FUZZ_CHECK(text_len == size && memcmp(note.data, in, size) == 0);
        struct note_checkpoint c;
        char why[256];
        if (ledger_checkpoint_open(note.data, note.len, &fuzz__verifier, &c, why, sizeof why) ==
            LEDGER_CHECK_OK)
            FUZZ_CHECK(strcmp(c.origin, fuzz__verifier.name) == 0);
    }
    buf_release(&note);
    return 0;
}

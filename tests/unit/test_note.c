/* test_note.c — C2SP signed notes and checkpoints: the known answer of Go's
 * golang.org/x/mod/sumdb/note (package documentation and note_test.go: the
 * PeterNeumann key, text and signature), key ids, key texts, tampering,
 * wrong and unknown keys, malformed notes, checkpoint bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ledger/note.h"

static const char go_skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char go_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char go_text[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n";
static const char go_note[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void signing_reproduces_the_go_sumdb_note_example_byte_for_byte(void **state)
{
    (void)state;
    struct note_signer s;
    struct buf out;
    char vkey[NOTE_VKEY_MAX], skey[NOTE_SKEY_MAX];
    assert_int_equal(note_signer_parse(go_skey, &s), IPS_OK);
    assert_int_equal(note_verifier_format(&s.v, vkey, sizeof vkey), IPS_OK);
    assert_string_equal(vkey, go_vkey);
    assert_int_equal(note_signer_format(&s, skey, sizeof skey), IPS_OK);
    assert_string_equal(skey, go_skey);
    buf_init(&out, 4096);
    assert_int_equal(note_sign(&s, go_text, strlen(go_text), &out), IPS_OK);
    assert_string_equal(out.data, go_note);
    buf_release(&out);
}

static void the_go_note_opens_under_its_verifier_key(void **state)
{
    (void)state;
    struct note_verifier v;
    size_t text_len = 0;
    assert_int_equal(note_verifier_parse(go_vkey, &v), IPS_OK);
    assert_string_equal(v.name, "PeterNeumann");
    assert_int_equal(note_open(go_note, strlen(go_note), &v, &text_len), NOTE_CHECK_OK);
    assert_int_equal(text_len, strlen(go_text));
    uint8_t id[NOTE_KEYID_LEN];
    note_key_id("PeterNeumann", v.pk, id);
    assert_memory_equal(id, "\xc7\x4f\x20\xa3", 4);
}

static void a_changed_text_fails_the_signature(void **state)
{
    (void)state;
    struct note_verifier v;
    char note[sizeof go_note];
    memcpy(note, go_note, sizeof note);
    *strstr(note, "cryptography") = 'C';
    assert_int_equal(note_verifier_parse(go_vkey, &v), IPS_OK);
    assert_int_equal(note_open(note, strlen(note), &v, NULL), NOTE_CHECK_BAD_SIGNATURE);
}

static void another_key_is_told_apart_from_a_bad_signature(void **state)
{
    (void)state;
    struct note_signer other;
    struct note_verifier v;
    assert_int_equal(note_signer_generate("PeterNeumann", &other), IPS_OK);
    /* same name, other key: the key id differs, so the note names no such key */
    assert_int_equal(note_open(go_note, strlen(go_note), &other.v, NULL), NOTE_CHECK_UNKNOWN_KEY);
    /* the right key id with another public key: the signature fails */
    assert_int_equal(note_verifier_parse(go_vkey, &v), IPS_OK);
    memcpy(v.pk, other.v.pk, sizeof v.pk);
    assert_int_equal(note_open(go_note, strlen(go_note), &v, NULL), NOTE_CHECK_BAD_SIGNATURE);
}

static void malformed_notes_and_keys_are_refused(void **state)
{
    (void)state;
    struct note_verifier v;
    assert_int_equal(note_verifier_parse(go_vkey, &v), IPS_OK);
    static const char *const bad_notes[] = {
        "",
        "text\n",                         /* no signature block */
        "text\n\n",                       /* empty signature block */
        "text\n\n- PeterNeumann AAAA\n",  /* a hyphen, not the em dash */
        "text\n\n\xE2\x80\x94 PeterNeumann not-base64!\n",
        "text\n\n\xE2\x80\x94 PeterNeumann x08go\n", /* no trailing newline below */
        "te\x01xt\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
        "\xff\xfe\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
    };
    for (size_t i = 0; i < sizeof bad_notes / sizeof bad_notes[0]; i++) {
        size_t len = strlen(bad_notes[i]);
        if (i == 5)
            len--; /* cut the final newline */
        assert_int_equal(note_open(bad_notes[i], len, &v, NULL), NOTE_CHECK_MALFORMED);
    }
    static const char *const bad_keys[] = {
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* key id */
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* algorithm */
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  /* short */
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "peterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* name in the id */
    };
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++)
        assert_int_equal(note_verifier_parse(bad_keys[i], &v), IPS_ERR_INVALID);
    struct note_signer s;
    assert_int_equal(note_signer_generate("has space", &s), IPS_ERR_INVALID);
    assert_int_equal(note_signer_generate("has+plus", &s), IPS_ERR_INVALID);
    assert_int_equal(note_signer_parse(go_vkey, &s), IPS_ERR_INVALID);
    /* a text with a blank line cannot be signed: readers would cut it there */
    struct buf out;
    buf_init(&out, 4096);
    assert_int_equal(note_signer_parse(go_skey, &s), IPS_OK);
    assert_int_equal(note_sign(&s, "a\n\nb\n", 5, &out), IPS_ERR_INVALID);
    assert_int_equal(note_sign(&s, "no newline", 10, &out), IPS_ERR_INVALID);
    buf_release(&out);
}

static void a_checkpoint_round_trips_and_bad_bodies_are_refused(void **state)
{
    (void)state;
    struct note_signer s;
    struct note_checkpoint c = {.origin = "example.com/log", .size = 42}, back;
    struct buf text, note;
    size_t text_len = 0;
    for (int i = 0; i < NOTE_HASH_LEN; i++)
        c.root[i] = (uint8_t)i;
    assert_int_equal(note_signer_generate("example.com/log", &s), IPS_OK);
    buf_init(&text, 1024);
    buf_init(&note, 1024);
    assert_int_equal(note_checkpoint_format(&c, &text), IPS_OK);
    assert_string_equal(text.data,
                        "example.com/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
    assert_int_equal(note_sign(&s, text.data, text.len, &note), IPS_OK);
    assert_int_equal(note_open(note.data, note.len, &s.v, &text_len), NOTE_CHECK_OK);
    assert_int_equal(note_checkpoint_parse(note.data, text_len, &back), IPS_OK);
    assert_string_equal(back.origin, c.origin);
    assert_int_equal(back.size, 42);
    assert_memory_equal(back.root, c.root, NOTE_HASH_LEN);
    /* extension lines after the root are allowed */
    static const char ext[] = "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nextra\n";
    assert_int_equal(note_checkpoint_parse(ext, strlen(ext), &back), IPS_OK);
    static const char *const bad[] = {
        "o\n01\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", /* leading zero */
        "o\n-1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", /* no padding */
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n", /* non-canonical bits */
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\n",    /* short hash */
        "\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "o\n1\n",
        "o\n99999999999999999999\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(note_checkpoint_parse(bad[i], strlen(bad[i]), &back), IPS_ERR_INVALID);
    buf_release(&text);
    buf_release(&note);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signing_reproduces_the_go_sumdb_note_example_byte_for_byte),
        cmocka_unit_test(the_go_note_opens_under_its_verifier_key),
        cmocka_unit_test(a_changed_text_fails_the_signature),
        cmocka_unit_test(another_key_is_told_apart_from_a_bad_signature),
        cmocka_unit_test(malformed_notes_and_keys_are_refused),
        cmocka_unit_test(a_checkpoint_round_trips_and_bad_bodies_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

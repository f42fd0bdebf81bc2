/* test_keyring.c — rotation of the ledger's signing key: the new key
 * signs, the old one co-signs for the overlap and then only checks what it
 * signed; receipts and consistency proofs across a rotation verify with
 * the log's keys; start-up checks pass with a checkpoint older than the
 * current key; malformed key files are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"
#include "testdb.h"

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    char key_path[160];
    struct store_org brand;
    struct access_principal holder;
};

#define KEYRING_TEST_USER "01AAAAAAAAAAAAAAAAAAAAAAAA"
#define HOUR_MS (3600 * 1000)

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "keyring");
    snprintf(f->key_path, sizeof f->key_path, "%s/ledger.key", f->db.dir);
    assert_int_equal(config_set(&f->db.cfg, "ledger_key", f->key_path, err, sizeof err), IPS_OK);
    testdb_org_add(&f->db, "Brand", "rightholder", &f->brand);
    f->holder = testdb_principal_make(ROLE_RIGHTHOLDER, KEYRING_TEST_USER, f->brand.id);
    return 0;
}

/* Register one text work; its receipt as JSON text (caller frees). */
static char *reg(struct fixture *f, const char *text, struct ledger_receipt *r)
{
    struct ledger_work w = {.data = text, .len = strlen(text), .title = "work",
                            .created_on = "2026-01-02", .org_id = f->brand.id};
    f->db.ctx.actor = &f->holder;
    assert_int_equal(ledger_register(&f->db.ctx, &w, 1, r, NULL), IPS_OK);
    f->db.ctx.actor = &f->db.sys;
    json_t *v = ledger_receipt_json(r);
    char *t = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    assert_non_null(t);
    return t;
}

static enum ledger_check_id verify(const char *receipt, const char *vkeys)
{
    char why[256];
    return ledger_receipt_verify(receipt, strlen(receipt), vkeys, NULL, why, sizeof why);
}

/* Count the signature lines of a note (after its blank line). */
static int signatures(const char *note)
{
    const char *p = strstr(note, "\n\n");
    int n = 0;
    for (p = p ? p + 2 : note + strlen(note); *p; p++)
        n += *p == '\n';
    return n;
}

static void a_rotation_signs_with_both_keys_during_the_overlap_only(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt *r1 = malloc(sizeof *r1), *r2 = malloc(sizeof *r2),
                          *r3 = malloc(sizeof *r3);
    char k1[NOTE_VKEY_MAX], k2[NOTE_VKEY_MAX], k3[NOTE_VKEY_MAX], both[3 * NOTE_VKEY_MAX];
    struct ledger_check_result res;
    assert_non_null(r1);
    assert_non_null(r2);
    assert_non_null(r3);
    char *t1 = reg(f, "first work", r1);
    assert_int_equal(ledger_verifier_key(&f->db.ctx, k1), IPS_OK);
    assert_int_equal(signatures(r1->checkpoint), 1);

    assert_int_equal(ledger_key_rotate(&f->db.cfg, HOUR_MS, time_now_ms(), k2), IPS_OK);
    assert_string_not_equal(k1, k2);
    assert_memory_equal(k1, k2, strchr(k1, '+') - k1 + 1); /* same name: same log */
    struct stat sb;
    assert_int_equal(stat(f->key_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* the last checkpoint is by the old key only: the start check passes */
    assert_int_equal(ledger_check(&f->db.ctx, true, &res), IPS_OK);
    assert_int_equal(ledger_startup(&f->db.ctx), IPS_OK);
    char now_key[NOTE_VKEY_MAX];
    assert_int_equal(ledger_verifier_key(&f->db.ctx, now_key), IPS_OK);
    assert_string_equal(now_key, k2); /* the running process took the new file up */

    char *t2 = reg(f, "second work", r2);
    assert_int_equal(signatures(r2->checkpoint), 2);
    assert_int_equal(verify(t2, k1), LEDGER_CHECK_OK); /* old verifiers go on working */
    assert_int_equal(verify(t2, k2), LEDGER_CHECK_OK);
    assert_int_equal(verify(t1, k1), LEDGER_CHECK_OK);
    assert_int_equal(verify(t1, k2), LEDGER_CHECK_KEY); /* signed before k2 existed */
    snprintf(both, sizeof both, "%s\n%s\n", k2, k1);
    assert_int_equal(verify(t1, both), LEDGER_CHECK_OK);
    assert_int_equal(verify(t1, "not a key\n"), LEDGER_CHECK_KEY);

    /* overlap 0: the replaced key k2 stops signing at once (k1 keeps the
     * overlap it was given at the first rotation) */
    assert_int_equal(ledger_key_rotate(&f->db.cfg, 0, time_now_ms(), k3), IPS_OK);
    char *t3 = reg(f, "third work", r3);
    assert_int_equal(signatures(r3->checkpoint), 2);
    assert_int_equal(verify(t3, k3), LEDGER_CHECK_OK);
    assert_int_equal(verify(t3, k1), LEDGER_CHECK_OK);
    assert_int_equal(verify(t3, k2), LEDGER_CHECK_KEY);
    struct ledger_keyring *ring = ledger_keyring_new();;
    assert_non_null(ring);
    assert_int_equal(ledger_keyring_load(&f->db.cfg, ring), IPS_OK);
    assert_int_equal(ring->n, 3);
    char got[NOTE_VKEY_MAX];
    assert_int_equal(note_verifier_format(&ring->key[2].v, got, sizeof got), IPS_OK);
    assert_string_equal(got, k1); /* newest first, nothing forgotten */
    assert_true(ring->cosign_until_ms[2] > time_now_ms()); /* k1's own overlap still runs */
    const struct note_signer *signers[1 + LEDGER_COSIGN_MAX];
    assert_int_equal(ledger_keyring_signers(ring, time_now_ms(), signers), 2); /* k3 and k1 */
    assert_int_equal(ledger_keyring_signers(ring, time_now_ms() + 2 * HOUR_MS, signers), 1);
    ledger_keyring_free(ring);

    /* r1's checkpoint is by k1 alone: a consistency check from it to r3's
     * takes the log's keys, not just the current one */
    char why[256];
    const char *old_note = r1->checkpoint, *new_note = r3->checkpoint;
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count = 0;
    assert_int_equal(ledger_consistency_proof(&f->db.ctx, r1->tree_size, r3->tree_size, proof,
                                              &count),
                     IPS_OK);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        char h[NOTE_B64_HASH_SIZE];
        note_hash_b64(proof[i], h);
        json_array_append_new(arr, json_string(h));
    }
    char *pj = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    snprintf(both, sizeof both, "%s\n%s\n", k3, k1);
    assert_int_equal(ledger_consistency_verify(old_note, strlen(old_note), new_note,
                                               strlen(new_note), both, pj, strlen(pj), NULL, NULL,
                                               why, sizeof why),
                     LEDGER_CHECK_OK);
    assert_int_equal(ledger_consistency_verify(old_note, strlen(old_note), new_note,
                                               strlen(new_note), k3, pj, strlen(pj), NULL, NULL,
                                               why, sizeof why),
                     LEDGER_CHECK_KEY);
    free(pj);
    free(t1);
    free(t2);
    free(t3);
    free(r1);
    free(r2);
    free(r3);
}

static void write_key_file(const char *path, const char *text)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void malformed_key_files_and_a_full_file_are_refused(void **state)
{
    struct fixture *f = *state;
    char key[NOTE_VKEY_MAX], line[2 * NOTE_SKEY_MAX + 64];
    struct note_signer a, b;
    assert_int_equal(note_signer_generate("log.example/a", &a), IPS_OK);
    assert_int_equal(note_signer_generate("log.example/b", &b), IPS_OK);
    char ska[NOTE_SKEY_MAX], skb[NOTE_SKEY_MAX];
    assert_int_equal(note_signer_format(&a, ska, sizeof ska), IPS_OK);
    assert_int_equal(note_signer_format(&b, skb, sizeof skb), IPS_OK);
    struct ledger_keyring *ring = ledger_keyring_new();;
    assert_non_null(ring);
    /* a time on the first line */
    snprintf(line, sizeof line, "%s 2030-01-01T00:00:00Z\n", ska);
    write_key_file(f->key_path, line);
    assert_int_equal(ledger_keyring_load(&f->db.cfg, ring), IPS_ERR_INTEGRITY);
    /* an earlier key without its time */
    snprintf(line, sizeof line, "%s\n%s\n", ska, ska);
    write_key_file(f->key_path, line);
    assert_int_equal(ledger_keyring_load(&f->db.cfg, ring), IPS_ERR_INTEGRITY);
    /* keys of two logs */
    snprintf(line, sizeof line, "%s\n%s 2030-01-01T00:00:00Z\n", ska, skb);
    write_key_file(f->key_path, line);
    assert_int_equal(ledger_keyring_load(&f->db.cfg, ring), IPS_ERR_INTEGRITY);
    /* a one-line file of an earlier release loads */
    snprintf(line, sizeof line, "%s\n", ska);
    write_key_file(f->key_path, line);
    assert_int_equal(ledger_keyring_load(&f->db.cfg, ring), IPS_OK);
    assert_int_equal(ring->n, 1);
    /* a negative overlap, then rotations until the file is full */
    assert_int_equal(ledger_key_rotate(&f->db.cfg, -1, time_now_ms(), key), IPS_ERR_INVALID);
    for (int i = 1; i < LEDGER_KEYS_MAX; i++)
        assert_int_equal(ledger_key_rotate(&f->db.cfg, HOUR_MS, time_now_ms(), key), IPS_OK);
    assert_int_equal(ledger_key_rotate(&f->db.cfg, HOUR_MS, time_now_ms(), key),
                     IPS_ERR_TOO_LARGE);
    assert_int_equal(ledger_keyring_load(&f->db.cfg, ring), IPS_OK);
    assert_int_equal(ring->n, LEDGER_KEYS_MAX);
    const struct note_signer *signers[1 + LEDGER_COSIGN_MAX];
    assert_int_equal(ledger_keyring_signers(ring, time_now_ms(), signers), 1 + LEDGER_COSIGN_MAX);
    /* a checkpoint with the most signatures fits its column */
    struct ledger_receipt *r = malloc(sizeof *r);
    assert_non_null(r);
    free(reg(f, "a work signed three times", r));
    assert_int_equal(signatures(r->checkpoint), 1 + LEDGER_COSIGN_MAX);
    free(r);
    ledger_keyring_free(ring);
    sodium_memzero(&a, sizeof a);
    sodium_memzero(&b, sizeof b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_rotation_signs_with_both_keys_during_the_overlap_only,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(malformed_key_files_and_a_full_file_are_refused, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_ledger.c — the ledger's domain functions on a fresh SQLite database
 * per test: registration and receipts, batches sharing a checkpoint, offline
 * verification naming the failed check for receipts tampered in each field,
 * consistency between checkpoints, access by role and organisation, bad
 * input changing nothing, the key file, and the integrity checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/access.h"
#include "core/config.h"
#include "core/log.h"
#include "blob/blob.h"
#include "ledger/ledger.h"
#include "store/store_rights.h"
#include "testdb.h"

#include <webp/encode.h>

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    char key_path[160];
    struct access_principal holder, other_holder, seller, reviewer;
    struct store_org platform, brand, other_brand, shop;
    char vkey[NOTE_VKEY_MAX];
};

/* No user rows stand behind the principals: the ledger checks role and org. */
#define LEDGER_TEST_USER "01AAAAAAAAAAAAAAAAAAAAAAAA"

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "ledger");
    snprintf(f->key_path, sizeof f->key_path, "%s.ledger.key", f->db.path);
    assert_int_equal(config_set(&f->db.cfg, "db", f->db.path, err, sizeof err), IPS_OK);
    testdb_org_add(&f->db, "Platform", "platform", &f->platform);
    testdb_org_add(&f->db, "Brand", "rightholder", &f->brand);
    testdb_org_add(&f->db, "Other Brand", "rightholder", &f->other_brand);
    testdb_org_add(&f->db, "Shop", "seller", &f->shop);
    f->holder = testdb_principal_make(ROLE_RIGHTHOLDER, LEDGER_TEST_USER, f->brand.id);
    f->other_holder = testdb_principal_make(ROLE_RIGHTHOLDER, LEDGER_TEST_USER, f->other_brand.id);
    f->seller = testdb_principal_make(ROLE_SELLER, LEDGER_TEST_USER, f->shop.id);
    f->reviewer = testdb_principal_make(ROLE_REVIEWER, LEDGER_TEST_USER, f->platform.id);
    assert_int_equal(ledger_verifier_key(&f->db.ctx, f->vkey), IPS_OK);
    return 0;
}

static int64_t ledger_size(struct fixture *f)
{
    int64_t n = -1;
    assert_int_equal(store_ledger_size(f->db.s, &n), IPS_OK);
    return n;
}

/* Register one work of len bytes as actor; returns the status. */
static ips_status reg_bytes(struct fixture *f, const struct access_principal *actor,
                            const char *org_id, const void *data, size_t len, const char *title,
                            const char *created, struct ledger_receipt *out)
{
    struct ledger_work w = {.data = data, .len = len, .title = title,
                            .created_on = created, .org_id = org_id};
    f->db.ctx.actor = actor;
    f->db.ctx.detail[0] = '\0';
    ips_status st = ledger_register(&f->db.ctx, &w, 1, out, NULL);
    f->db.ctx.actor = &f->db.sys;
    return st;
}

/* Register the text data as a work. */
static ips_status reg(struct fixture *f, const struct access_principal *actor, const char *org_id,
                      const char *data, const char *title, const char *created,
                      struct ledger_receipt *out)
{
    return reg_bytes(f, actor, org_id, data, strlen(data), title, created, out);
}

static char *receipt_text(const struct ledger_receipt *r)
{
    json_t *v = ledger_receipt_json(r);
    char *t = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return t;
}

static enum ledger_check_id verify_text(const char *text, const char *vkey)
{
    char why[256];
    return ledger_receipt_verify(text, strlen(text), vkey, NULL, why, sizeof why);
}

/* Verify the receipt after fn changed its JSON. */
static enum ledger_check_id verify_changed(const struct ledger_receipt *r, const char *vkey,
                                           void (*fn)(json_t *))
{
    json_t *v = ledger_receipt_json(r);
    fn(v);
    char *t = json_dumps(v, JSON_COMPACT);
    enum ledger_check_id c = verify_text(t, vkey);
    free(t);
    json_decref(v);
    return c;
}

static void a_registered_work_gets_a_receipt_that_verifies_offline(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r;
    struct ledger_leaf leaf;
    char why[256];
    assert_int_equal(reg(f, &f->holder, f->brand.id, "the work", "Spring \"catalogue\" é", "2024-02-29", &r),
                     IPS_OK);
    assert_int_equal(r.leaf_index, 0);
    assert_int_equal(r.tree_size, 1);
    char *t = receipt_text(&r);
    assert_int_equal(ledger_receipt_verify(t, strlen(t), f->vkey, &leaf, why, sizeof why),
                     LEDGER_CHECK_OK);
    assert_string_equal(leaf.title, "Spring \"catalogue\" é");
    assert_string_equal(leaf.org_id, f->brand.id);
    assert_string_equal(leaf.owner, "Brand");
    assert_string_equal(leaf.created_on, "2024-02-29");
    /* SHA-256 of "the work" */
    uint8_t d[32];
    char hex[65];
    crypto_hash_sha256(d, (const uint8_t *)"the work", 8);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    assert_string_equal(leaf.work_sha256, hex);
    free(t);
    /* the key file exists with mode 0600 */
    struct stat sb;
    assert_int_equal(stat(f->key_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void a_batch_shares_one_checkpoint_and_later_receipts_prove_the_same_leaf(void **state)
{
    struct fixture *f = *state;
    struct ledger_work w[5];
    struct ledger_receipt r[5], later;
    char data[5][16];
    struct ledger_receipt first;
    assert_int_equal(reg(f, &f->db.sys, f->brand.id, "first", "First", NULL, &first), IPS_OK);
    for (int i = 0; i < 5; i++) {
        snprintf(data[i], sizeof data[i], "work %d", i);
        w[i] = (struct ledger_work){.data = data[i], .len = strlen(data[i]), .title = "Batch",
                                    .org_id = f->other_brand.id};
    }
    uint64_t first_index = 0;
    assert_int_equal(ledger_register(&f->db.ctx, w, 5, r, &first_index), IPS_OK);
    assert_int_equal(first_index, 1);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r[i].leaf_index, 1 + (uint64_t)i);
        assert_int_equal(r[i].tree_size, 6);
        assert_string_equal(r[i].checkpoint, r[0].checkpoint);
        char *t = receipt_text(&r[i]);
        assert_int_equal(verify_text(t, f->vkey), LEDGER_CHECK_OK);
        free(t);
    }
    /* a fresh receipt for leaf 0 against the latest checkpoint */
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &later), IPS_OK);
    assert_int_equal(later.tree_size, 6);
    assert_memory_equal(later.leaf, first.leaf, first.leaf_len);
    char *t = receipt_text(&later);
    assert_int_equal(verify_text(t, f->vkey), LEDGER_CHECK_OK);
    free(t);
    /* the first checkpoint is consistent with the latest */
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
    size_t count = 0;
    assert_int_equal(ledger_consistency_proof(&f->db.ctx, 1, 6, proof, &count), IPS_OK);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        char b64[NOTE_B64_HASH_SIZE];
        note_hash_b64(proof[i], b64);
        json_array_append_new(arr, json_string(b64));
    }
    char *pj = json_dumps(arr, JSON_COMPACT), why[256];
    assert_int_equal(ledger_consistency_verify(first.checkpoint, strlen(first.checkpoint),
                                               r[0].checkpoint, strlen(r[0].checkpoint), f->vkey,
                                               pj, strlen(pj), NULL, NULL, why, sizeof why),
                     LEDGER_CHECK_OK);
    /* swapped, it is refused; a wrong proof is refused */
    assert_int_equal(ledger_consistency_verify(r[0].checkpoint, strlen(r[0].checkpoint),
                                               first.checkpoint, strlen(first.checkpoint), f->vkey,
                                               pj, strlen(pj), NULL, NULL, why, sizeof why),
                     LEDGER_CHECK_SIZE);
    assert_int_equal(ledger_consistency_verify(first.checkpoint, strlen(first.checkpoint),
                                               r[0].checkpoint, strlen(r[0].checkpoint), f->vkey,
                                               "[]", 2, NULL, NULL, why, sizeof why),
                     LEDGER_CHECK_PROOF);
    assert_int_equal(ledger_consistency_verify(first.checkpoint, strlen(first.checkpoint),
                                               r[0].checkpoint, strlen(r[0].checkpoint), f->vkey,
                                               NULL, 0, NULL, NULL, why, sizeof why),
                     LEDGER_CHECK_FORMAT);
    free(pj);
    json_decref(arr);
    /* out of range */
    assert_int_equal(ledger_consistency_proof(&f->db.ctx, 0, 6, proof, &count), IPS_ERR_INVALID);
    assert_int_equal(ledger_consistency_proof(&f->db.ctx, 2, 7, proof, &count), IPS_ERR_INVALID);
    assert_int_equal(ledger_consistency_proof(&f->db.ctx, 3, 2, proof, &count), IPS_ERR_INVALID);
}

/* ---- tampering, one field at a time ------------------------------------------------- */

static void t_leaf_garbage(json_t *v) { json_object_set_new(v, "leaf", json_string("bm90IGEgcmVjb3Jk")); }
static void t_leaf_not_b64(json_t *v) { json_object_set_new(v, "leaf", json_string("***")); }
static void t_leaf_index(json_t *v) { json_object_set_new(v, "leaf_index", json_integer(1)); }
static void t_leaf_index_out(json_t *v) { json_object_set_new(v, "leaf_index", json_integer(9)); }
static void t_tree_size(json_t *v) { json_object_set_new(v, "tree_size", json_integer(2)); }
static void t_proof_truncated(json_t *v)
{
    json_t *p = json_object_get(v, "inclusion_proof");
    json_array_remove(p, json_array_size(p) - 1);
}
static void t_proof_flipped(json_t *v)
{
    json_t *p = json_object_get(v, "inclusion_proof");
    char s[NOTE_B64_HASH_SIZE];
    snprintf(s, sizeof s, "%s", json_string_value(json_array_get(p, 0)));
    s[0] = s[0] == 'A' ? 'B' : 'A';
    json_array_set_new(p, 0, json_string(s));
}
static void t_proof_not_hash(json_t *v)
{
    json_array_set_new(json_object_get(v, "inclusion_proof"), 0, json_string("AAAA"));
}
static void t_checkpoint_sig(json_t *v)
{
    char s[STORE_LEDGER_NOTE_MAX + 1];
    snprintf(s, sizeof s, "%s", json_string_value(json_object_get(v, "checkpoint")));
    char *sig = strrchr(s, ' ') + 10;
    *sig = *sig == 'A' ? 'B' : 'A';
    json_object_set_new(v, "checkpoint", json_string(s));
}
static void t_checkpoint_root(json_t *v)
{
    char s[STORE_LEDGER_NOTE_MAX + 1];
    snprintf(s, sizeof s, "%s", json_string_value(json_object_get(v, "checkpoint")));
    char *root = strchr(strchr(s, '\n') + 1, '\n') + 1;
    root[3] = root[3] == 'A' ? 'B' : 'A';
    json_object_set_new(v, "checkpoint", json_string(s));
}
static void t_checkpoint_size(json_t *v)
{
    char s[STORE_LEDGER_NOTE_MAX + 1];
    snprintf(s, sizeof s, "%s", json_string_value(json_object_get(v, "checkpoint")));
    char *size = strchr(s, '\n') + 1;
    *size = '2'; /* "3" -> "2" */
    json_object_set_new(v, "checkpoint", json_string(s));
}
static void t_checkpoint_missing(json_t *v) { json_object_del(v, "checkpoint"); }
static void t_tree_size_type(json_t *v) { json_object_set_new(v, "tree_size", json_string("3")); }

static void receipts_tampered_in_each_field_fail_the_check_they_break(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r[3];
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "A", NULL, &r[0]), IPS_OK);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "b", "B", NULL, &r[1]), IPS_OK);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "c", "C", NULL, &r[2]), IPS_OK);
    /* leaf 0 in the tree of 3: a proof of 2 hashes */
    struct ledger_receipt x;
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &x), IPS_OK);
    assert_int_equal(x.proof_len, 2);
    const char *k = f->vkey;
    assert_int_equal(verify_changed(&x, k, t_leaf_garbage), LEDGER_CHECK_LEAF);
    assert_int_equal(verify_changed(&x, k, t_leaf_not_b64), LEDGER_CHECK_LEAF);
    assert_int_equal(verify_changed(&x, k, t_leaf_index), LEDGER_CHECK_LEAF);
    assert_int_equal(verify_changed(&x, k, t_leaf_index_out), LEDGER_CHECK_SIZE);
    assert_int_equal(verify_changed(&x, k, t_tree_size), LEDGER_CHECK_SIZE);
    assert_int_equal(verify_changed(&x, k, t_tree_size_type), LEDGER_CHECK_FORMAT);
    assert_int_equal(verify_changed(&x, k, t_proof_truncated), LEDGER_CHECK_PROOF);
    assert_int_equal(verify_changed(&x, k, t_proof_flipped), LEDGER_CHECK_PROOF);
    assert_int_equal(verify_changed(&x, k, t_proof_not_hash), LEDGER_CHECK_PROOF);
    assert_int_equal(verify_changed(&x, k, t_checkpoint_sig), LEDGER_CHECK_SIGNATURE);
    assert_int_equal(verify_changed(&x, k, t_checkpoint_root), LEDGER_CHECK_SIGNATURE);
    assert_int_equal(verify_changed(&x, k, t_checkpoint_size), LEDGER_CHECK_SIGNATURE);
    assert_int_equal(verify_changed(&x, k, t_checkpoint_missing), LEDGER_CHECK_FORMAT);
    /* a well-formed leaf of the same index but other content: only the proof
     * can tell, so it is the proof check that fails */
    struct ledger_leaf l;
    assert_int_equal(ledger_leaf_decode(x.leaf, x.leaf_len, &l), IPS_OK);
    snprintf(l.title, sizeof l.title, "Z");
    assert_int_equal(ledger_leaf_encode(&l, x.leaf, sizeof x.leaf, &x.leaf_len), IPS_OK);
    char *t = receipt_text(&x);
    assert_int_equal(verify_text(t, k), LEDGER_CHECK_PROOF);
    assert_int_equal(verify_text("not json", k), LEDGER_CHECK_FORMAT);
    free(t);
    /* wrong keys */
    t = receipt_text(&r[2]);
    struct note_signer other;
    char other_key[NOTE_VKEY_MAX];
    assert_int_equal(note_signer_generate("iprshield.example/ledger", &other), IPS_OK);
    assert_int_equal(note_verifier_format(&other.v, other_key, sizeof other_key), IPS_OK);
    assert_int_equal(verify_text(t, other_key), LEDGER_CHECK_KEY);
    assert_int_equal(note_signer_generate("another.example/log", &other), IPS_OK);
    assert_int_equal(note_verifier_format(&other.v, other_key, sizeof other_key), IPS_OK);
    assert_int_equal(verify_text(t, other_key), LEDGER_CHECK_KEY);
    assert_int_equal(verify_text(t, "not a key"), LEDGER_CHECK_KEY);
    assert_int_equal(verify_text(t, k), LEDGER_CHECK_OK);
    free(t);
}

/* ---- access and bad input ----------------------------------------------------------- */

static void only_members_of_a_right_holder_register_and_read_its_works(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r;
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "A", NULL, &r), IPS_OK);
    /* another holder, for Brand: looks like a missing org */
    assert_int_equal(reg(f, &f->other_holder, f->brand.id, "b", "B", NULL, &r), IPS_ERR_NOT_FOUND);
    /* a seller for its own (seller) org: refused */
    assert_int_equal(reg(f, &f->seller, f->shop.id, "c", "C", NULL, &r), IPS_ERR_FORBIDDEN);
    /* a reviewer may not register for a holder */
    assert_int_equal(reg(f, &f->reviewer, f->brand.id, "d", "D", NULL, &r), IPS_ERR_NOT_FOUND);
    /* nobody: unauthenticated */
    struct access_principal anon;
    memset(&anon, 0, sizeof anon);
    assert_int_equal(reg(f, &anon, f->brand.id, "e", "E", NULL, &r), IPS_ERR_UNAUTHENTICATED);
    assert_int_equal(ledger_size(f), 1);
    /* reads: the owner and the platform; not another holder */
    f->db.ctx.actor = &f->holder;
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &r), IPS_OK);
    f->db.ctx.actor = &f->reviewer;
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &r), IPS_OK);
    f->db.ctx.actor = &f->other_holder;
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &r), IPS_ERR_NOT_FOUND);
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 7, &r), IPS_ERR_NOT_FOUND);
    f->db.ctx.actor = &f->db.sys;
    /* the check commands belong to the system principal */
    struct ledger_check_result res;
    f->db.ctx.actor = &f->holder;
    assert_int_equal(ledger_check(&f->db.ctx, true, &res), IPS_ERR_FORBIDDEN);
    f->db.ctx.actor = &f->db.sys;
}

static void bad_input_is_refused_and_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r;
    char long_title[STORE_LEDGER_TITLE_MAX + 2];
    memset(long_title, 'x', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = '\0';
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "", NULL, &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", long_title, NULL, &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "tab\there", NULL, &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "bad \xff utf8", NULL, &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "T", "2023-02-29", &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "T", "9999-01-01", &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "T", "24-01-01", &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "", "T", NULL, &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->db.sys, "not-an-id", "a", "T", NULL, &r), IPS_ERR_INVALID);
    assert_int_equal(reg(f, &f->db.sys, "01AAAAAAAAAAAAAAAAAAAAAAAA", "a", "T", NULL, &r), IPS_ERR_NOT_FOUND);
    /* a hash-only registration is for the system principal */
    struct ledger_work w = {.sha256_hex = "00000000000000000000000000000000000000000000000000000000000000aa",
                            .title = "T", .org_id = f->brand.id};
    f->db.ctx.actor = &f->holder;
    assert_int_equal(ledger_register(&f->db.ctx, &w, 1, NULL, NULL), IPS_ERR_INVALID);
    f->db.ctx.actor = &f->db.sys;
    w.sha256_hex = "XYZ";
    assert_int_equal(ledger_register(&f->db.ctx, &w, 1, NULL, NULL), IPS_ERR_INVALID);
    assert_int_equal(ledger_register(&f->db.ctx, &w, 0, NULL, NULL), IPS_ERR_INVALID);
    /* one bad work refuses the whole batch */
    struct ledger_work two[2] = {
        {.data = "ok", .len = 2, .title = "Fine", .org_id = f->brand.id},
        {.data = "ok", .len = 2, .title = "", .org_id = f->brand.id},
    };
    json_array_clear(f->db.ctx.errors);
    assert_int_equal(ledger_register(&f->db.ctx, two, 2, NULL, NULL), IPS_ERR_INVALID);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f->db.ctx.errors, 0), "field")),
                        "works[1].title");
    assert_int_equal(ledger_size(f), 0);
    struct store_ledger_checkpoint cp;
    assert_int_equal(ledger_checkpoint_latest(&f->db.ctx, &cp), IPS_ERR_NOT_FOUND);
    w.sha256_hex = "00000000000000000000000000000000000000000000000000000000000000aa";
    assert_int_equal(ledger_register(&f->db.ctx, &w, 1, NULL, NULL), IPS_OK);
    assert_int_equal(ledger_size(f), 1);
}


/* ---- agents --------------------------------------------------------------------------- */

/* A verified authorisation for agent to act for principal, valid from..to. */
static void auth_add(struct fixture *f, const char *principal, const char *agent, const char *from,
                     const char *to)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                              "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
    struct blob_info b;
    struct store_agent_auth a;
    memset(&a, 0, sizeof a);
    f->db.ctx.actor = &f->db.sys;
    assert_int_equal(blob_put(&f->db.ctx, pdf, sizeof pdf - 1, BLOB_TYPES_ANY, &b), IPS_OK);
    id_new(a.id);
    snprintf(a.principal_org_id, sizeof a.principal_org_id, "%s", principal);
    snprintf(a.agent_org_id, sizeof a.agent_org_id, "%s", agent);
    snprintf(a.valid_from, sizeof a.valid_from, "%s", from);
    snprintf(a.valid_to, sizeof a.valid_to, "%s", to);
    snprintf(a.document_sha256, sizeof a.document_sha256, "%s", b.sha256);
    snprintf(a.status, sizeof a.status, "verified");
    snprintf(a.filed_by, sizeof a.filed_by, "%s", LEDGER_TEST_USER);
    snprintf(a.decided_by, sizeof a.decided_by, "system");
    a.created_ms = a.decided_ms = 1700000000000;
    assert_int_equal(store_rights_auth_insert(f->db.s, &a), IPS_OK);
}

static void an_authorised_agent_registers_for_its_principal_and_is_recorded(void **state)
{
    struct fixture *f = *state;
    struct store_org law;
    struct ledger_receipt r;
    struct ledger_leaf leaf;
    char why[256];
    testdb_org_add(&f->db, "Law Firm", "rightholder", &law);
    struct access_principal lawyer = testdb_principal_make(ROLE_RIGHTHOLDER, LEDGER_TEST_USER, law.id);

    /* no authorisation yet: Brand looks missing to the firm, nothing is appended */
    assert_int_equal(reg(f, &lawyer, f->brand.id, "w", "W", NULL, &r), IPS_ERR_NOT_FOUND);
    /* one that ran out, and one for another principal, do not count */
    auth_add(f, f->brand.id, law.id, "2020-01-01", "2021-12-31");
    auth_add(f, f->other_brand.id, law.id, "2020-01-01", "2099-12-31");
    assert_int_equal(reg(f, &lawyer, f->brand.id, "w", "W", NULL, &r), IPS_ERR_NOT_FOUND);
    assert_int_equal(ledger_size(f), 0);

    auth_add(f, f->brand.id, law.id, "2020-01-01", "2099-12-31");
    assert_int_equal(reg(f, &lawyer, f->brand.id, "the work", "Filed by counsel", NULL, &r),
                     IPS_OK);
    char *t = receipt_text(&r);
    assert_int_equal(ledger_receipt_verify(t, strlen(t), f->vkey, &leaf, why, sizeof why),
                     LEDGER_CHECK_OK);
    free(t);
    /* the owner is the principal; the agent is in the signed leaf and the row */
    assert_string_equal(leaf.org_id, f->brand.id);
    assert_string_equal(leaf.owner, "Brand");
    assert_string_equal(leaf.agent_org_id, law.id);
    assert_string_equal(leaf.agent, "Law Firm");
    assert_non_null(strstr((const char *)r.leaf, "\"agent\":\"Law Firm\",\"agent_org_id\":"));
    struct store_ledger_record rec;
    assert_int_equal(store_ledger_record_get(f->db.s, 0, &rec), IPS_OK);
    assert_string_equal(rec.org_id, f->brand.id);
    assert_string_equal(rec.agent_org_id, law.id);
    /* the principal reads it; the agent's own org is not the owner */
    f->db.ctx.actor = &f->holder;
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &r), IPS_OK);
    f->db.ctx.actor = &f->db.sys;

    /* a member's own registration carries no agent keys */
    assert_int_equal(reg(f, &f->holder, f->brand.id, "own", "Own", NULL, &r), IPS_OK);
    assert_null(strstr((const char *)r.leaf, "agent"));
    assert_int_equal(ledger_leaf_decode(r.leaf, r.leaf_len, &leaf), IPS_OK);
    assert_string_equal(leaf.agent_org_id, "");
    /* a leaf with an empty agent is not canonical */
    const char *bad = "{\"agent\":\"\",\"agent_org_id\":\"\",\"created_on\":\"2024-01-01\","
                      "\"leaf_index\":0,\"org_id\":\"x\",\"owner\":\"B\",\"pdq\":null,"
                      "\"registered_ms\":1,\"title\":\"T\",\"v\":1,\"work_sha256\":\"a\"}";
    assert_int_equal(ledger_leaf_decode((const uint8_t *)bad, strlen(bad), &leaf), IPS_ERR_INVALID);
}

/* ---- prior art ------------------------------------------------------------------------ */

enum img_tf { IMG_SAME, IMG_MIRROR, IMG_ROT90 };

/* A 96x96 RGB test picture (seed picks one of two unrelated ones), optionally
 * mirrored or rotated, as a lossless WebP. OUT *len; free() the result. */
static uint8_t *picture(int seed, enum img_tf tf, size_t *len)
{
    enum { N = 96 };
    static uint8_t src[N * N * 3], px[N * N * 3];
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            int v = seed ? ((x * x + 3 * y) % 97) * 2 + (y > 60 ? 50 : 0)
                         : ((x / 12 + y / 16) % 2) * 150 + x + (x * y) % 23;
            uint8_t *p = src + (y * N + x) * 3;
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(v / 2 + y);
            p[2] = (uint8_t)(255 - v);
        }
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            int sx = tf == IMG_MIRROR ? N - 1 - x : tf == IMG_ROT90 ? y : x;
            int sy = tf == IMG_ROT90 ? N - 1 - x : y;
            memcpy(px + (y * N + x) * 3, src + (sy * N + sx) * 3, 3);
        }
    uint8_t *out = NULL;
    *len = WebPEncodeLosslessRGB(px, N, N, N * 3, &out);
    assert_true(*len > 0);
    uint8_t *copy = malloc(*len);
    memcpy(copy, out, *len);
    WebPFree(out);
    return copy;
}

struct hits {
    int n;
    int64_t leaf[8];
    int distance[8];
    enum detect_dihedral via[8];
    char owner[8][STORE_NAME_MAX + 1];
};

static ips_status hits_take(const struct ledger_prior_art *h, void *arg)
{
    struct hits *c = arg;
    assert_true(c->n < 8);
    c->leaf[c->n] = (int64_t)h->leaf.leaf_index;
    c->distance[c->n] = h->distance;
    c->via[c->n] = h->via;
    snprintf(c->owner[c->n], sizeof c->owner[c->n], "%s", h->leaf.owner);
    c->n++;
    return IPS_OK;
}

static ips_status prior(struct fixture *f, const struct access_principal *actor, const uint8_t *img,
                        size_t len, int distance, int64_t before, struct hits *out)
{
    memset(out, 0, sizeof *out);
    f->db.ctx.actor = actor;
    ips_status st = ledger_prior_art(&f->db.ctx, img, len, distance, before, 0, NULL, hits_take, out);
    f->db.ctx.actor = &f->db.sys;
    return st;
}

static void an_image_work_is_found_as_prior_art_even_mirrored_or_rotated(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r;
    struct ledger_leaf leaf;
    struct hits h;
    size_t n_orig, n_mirror, n_rot, n_other;
    uint8_t *orig = picture(0, IMG_SAME, &n_orig), *mirror = picture(0, IMG_MIRROR, &n_mirror),
            *rot = picture(0, IMG_ROT90, &n_rot), *other = picture(1, IMG_SAME, &n_other);

    /* leaf 0: a text work (no PDQ); leaf 1: Brand's picture; leaf 2: Other
     * Brand's mirrored copy of it */
    assert_int_equal(reg(f, &f->holder, f->brand.id, "not an image", "Text", NULL, &r), IPS_OK);
    assert_non_null(strstr((const char *)r.leaf, "\"pdq\":null"));
    assert_int_equal(reg_bytes(f, &f->holder, f->brand.id, orig, n_orig, "Print", NULL, &r), IPS_OK);
    assert_int_equal(ledger_leaf_decode(r.leaf, r.leaf_len, &leaf), IPS_OK);
    assert_int_equal(strlen(leaf.pdq), 64);
    struct detect_pdq want[DETECT_DIH_COUNT];
    char hex[65], err[128];
    int quality = 0;
    assert_int_equal(detect_pdq_image(orig, n_orig, want, &quality, err, sizeof err), IPS_OK);
    detect_pdq_format(&want[0], hex);
    assert_string_equal(leaf.pdq, hex);
    struct store_ledger_record rec;
    assert_int_equal(store_ledger_record_get(f->db.s, 1, &rec), IPS_OK);
    assert_true(rec.has_pdq);
    assert_int_equal(reg_bytes(f, &f->other_holder, f->other_brand.id, mirror, n_mirror, "Copy",
                               NULL, &r), IPS_OK);

    /* the original finds itself (distance 0) and the later mirrored copy,
     * in registration order */
    assert_int_equal(prior(f, &f->seller, orig, n_orig, 31, -1, &h), IPS_OK);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.leaf[0], 1);
    assert_int_equal(h.distance[0], 0);
    assert_int_equal(h.via[0], DETECT_DIH_ORIGINAL);
    assert_string_equal(h.owner[0], "Brand");
    assert_int_equal(h.leaf[1], 2);
    assert_string_equal(h.owner[1], "Other Brand");
    /* who was first, for the copy: only earlier leaves, through the mirror */
    assert_int_equal(prior(f, &f->other_holder, mirror, n_mirror, 31, 2, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.leaf[0], 1);
    assert_true(h.distance[0] <= 31);
    assert_int_not_equal(h.via[0], DETECT_DIH_ORIGINAL);
    /* a rotated copy is found through a rotation */
    assert_int_equal(prior(f, &f->reviewer, rot, n_rot, 31, 2, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.leaf[0], 1);
    assert_int_not_equal(h.via[0], DETECT_DIH_ORIGINAL);
    /* an unrelated picture matches nothing */
    assert_int_equal(prior(f, &f->holder, other, n_other, 31, -1, &h), IPS_OK);
    assert_int_equal(h.n, 0);
    /* a pixel-exact mirror is an exact match of the flipped hash: distance 0 */
    assert_int_equal(prior(f, &f->holder, mirror, n_mirror, 0, 2, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.distance[0], 0);
    assert_int_equal(h.via[0], DETECT_DIH_FLIP_H);
    /* registered later: the index catches up without a restart */
    assert_int_equal(reg_bytes(f, &f->holder, f->brand.id, other, n_other, "Other", NULL, &r), IPS_OK);
    assert_int_equal(prior(f, &f->holder, other, n_other, 31, -1, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.leaf[0], 3);

    /* bad queries */
    struct access_principal anon;
    memset(&anon, 0, sizeof anon);
    assert_int_equal(prior(f, &anon, orig, n_orig, 31, -1, &h), IPS_ERR_UNAUTHENTICATED);
    assert_int_equal(prior(f, &f->holder, (const uint8_t *)"text", 4, 31, -1, &h),
                     IPS_ERR_MEDIA_TYPE);
    assert_int_equal(prior(f, &f->holder, orig, n_orig / 2, 31, -1, &h), IPS_ERR_MALFORMED);
    assert_int_equal(prior(f, &f->holder, orig, n_orig, 32, -1, &h), IPS_ERR_INVALID);
    free(orig);
    free(mirror);
    free(rot);
    free(other);
}

static void the_prior_art_index_follows_the_database_it_is_asked_about(void **state)
{
    struct fixture *f = *state;
    struct hits h;
    struct ledger_receipt r;
    size_t n;
    uint8_t *orig = picture(0, IMG_SAME, &n);
    /* the previous test's log indexed this picture; this fresh log has none */
    assert_int_equal(prior(f, &f->holder, orig, n, 31, -1, &h), IPS_OK);
    assert_int_equal(h.n, 0);
    assert_int_equal(reg_bytes(f, &f->holder, f->brand.id, orig, n, "Print", NULL, &r), IPS_OK);
    assert_int_equal(prior(f, &f->holder, orig, n, 31, -1, &h), IPS_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.leaf[0], 0);
    free(orig);
}

/* ---- integrity ------------------------------------------------------------------------ */

/* Tamper with the database behind the domain's back (testdb_exec_sql: the
 * store's own connection, SQLite or PostgreSQL). */
static void exec_sql(struct fixture *f, const char *sql)
{
    assert_int_equal(testdb_exec_sql(&f->db, sql), IPS_OK);
}

/* SQL zeroing hash number P of tile (0, 0) (behind the trigger's back), in
 * each dialect. */
#define TILE0_ZERO_SQLITE(P)                                                                       \
    "UPDATE ledger_tiles SET hashes = CAST(substr(hashes, 1, 32 * " #P ") || zeroblob(32) ||"      \
    " substr(hashes, 32 * " #P " + 33) AS BLOB) WHERE level = 0 AND idx = 0;"
#define TILE0_ZERO_PG(P)                                                                           \
    "UPDATE ledger_tiles SET hashes = overlay(hashes placing decode(repeat('00', 32), 'hex')"      \
    " from 32 * " #P " + 1 for 32) WHERE level = 0 AND idx = 0;"
#define TILE0_ZERO(f, P) TESTDB_SQL(&(f)->db, TILE0_ZERO_SQLITE(P), TILE0_ZERO_PG(P))
/* Dropping a trigger: SQLite names it alone, PostgreSQL with its table. */
#define DROP_TRIGGER(f, name, table)                                                              \
    TESTDB_SQL(&(f)->db, "DROP TRIGGER " name ";", "DROP TRIGGER " name " ON " table ";")

static void the_checks_find_a_changed_leaf_and_a_changed_node_and_appending_stops(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r;
    struct ledger_check_result res;
    for (int i = 0; i < 7; i++)
        assert_int_equal(reg(f, &f->holder, f->brand.id, i % 2 ? "odd" : "even", "W", NULL, &r), IPS_OK);
    assert_int_equal(ledger_check(&f->db.ctx, true, &res), IPS_OK);
    assert_int_equal(res.checked, 7);
    assert_int_equal(res.tree_size, 7);
    /* the tables refuse updates */
    assert_int_not_equal(testdb_exec_sql(&f->db, TESTDB_SQL(&f->db,
        "UPDATE ledger_tiles SET hashes = zeroblob(length(hashes))",
        "UPDATE ledger_tiles SET hashes = decode(repeat('00', length(hashes)), 'hex')")), IPS_OK);
    assert_int_not_equal(testdb_exec_sql(&f->db, "DELETE FROM ledger_tiles"), IPS_OK);
    assert_int_not_equal(testdb_exec_sql(&f->db, "DELETE FROM ledger_checkpoints"), IPS_OK);
    /* a leaf changed behind the triggers' back: the full check finds it */
    exec_sql(f, DROP_TRIGGER(f, "ledger_registrations_no_update", "ledger_registrations"));
    exec_sql(f, TESTDB_SQL(&f->db,
        "UPDATE ledger_registrations SET leaf = CAST(replace(CAST(leaf AS TEXT), '\"W\"', '\"X\"') AS BLOB) WHERE leaf_index = 3;",
        "UPDATE ledger_registrations SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '\"W\"', '\"X\"'), 'UTF8') WHERE leaf_index = 3;"));
    assert_int_equal(ledger_check(&f->db.ctx, false, &res), IPS_OK); /* nodes untouched */
    assert_int_equal(ledger_check(&f->db.ctx, true, &res), IPS_ERR_INTEGRITY);
    assert_non_null(strstr(res.reason, "level 0, index 3"));
    /* an inner node changed: the full check finds it (node (1, 2) is hash 9
     * of tile (0, 0), see ledger_tile_pos) */
    exec_sql(f, DROP_TRIGGER(f, "ledger_tiles_grow_only", "ledger_tiles"));
    exec_sql(f, TILE0_ZERO(f, 9));
    assert_int_equal(ledger_check(&f->db.ctx, true, &res), IPS_ERR_INTEGRITY);
    /* a node the root is made of changed: the quick check finds it too, and
     * appending is refused */
    exec_sql(f, TILE0_ZERO(f, 6)); /* node (2, 0) */
    assert_int_equal(ledger_check(&f->db.ctx, false, &res), IPS_ERR_INTEGRITY);
    assert_int_equal(reg(f, &f->holder, f->brand.id, "more", "W", NULL, &r), IPS_ERR_INTEGRITY);
    assert_int_equal(ledger_size(f), 7);
}

static void a_key_file_others_can_read_is_refused(void **state)
{
    struct fixture *f = *state;
    char err[256], path[200];
    struct note_signer s;
    snprintf(path, sizeof path, "%s/open.key", f->db.dir);
    assert_int_equal(config_set(&f->db.cfg, "ledger_key", path, err, sizeof err), IPS_OK);
    assert_int_equal(ledger_signer_load(&f->db.cfg, &s), IPS_OK); /* created */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(config_set(&f->db.cfg, "ledger_key", f->key_path, err, sizeof err), IPS_OK);
    assert_int_equal(ledger_signer_load(&f->db.cfg, &s), IPS_OK); /* another file: cache moves */
    assert_int_equal(config_set(&f->db.cfg, "ledger_key", path, err, sizeof err), IPS_OK);
    assert_int_equal(ledger_signer_load(&f->db.cfg, &s), IPS_ERR_IO);
    assert_int_equal(config_set(&f->db.cfg, "ledger_key", "", err, sizeof err), IPS_OK);
    assert_int_equal(config_set(&f->db.cfg, "db", ":memory:", err, sizeof err), IPS_OK);
    char p[64];
    assert_int_equal(ledger_key_path(&f->db.cfg, p, sizeof p), IPS_ERR_USAGE);
}

/* Runs last: a failed start check holds for the rest of the process. */
static void a_failed_start_check_refuses_the_ledger_for_the_process(void **state)
{
    struct fixture *f = *state;
    struct ledger_receipt r;
    assert_int_equal(reg(f, &f->holder, f->brand.id, "a", "A", NULL, &r), IPS_OK);
    assert_int_equal(ledger_startup(&f->db.ctx), IPS_OK);
    exec_sql(f, DROP_TRIGGER(f, "ledger_tiles_grow_only", "ledger_tiles"));
    exec_sql(f, TILE0_ZERO(f, 0)); /* leaf hash 0 */
    assert_int_equal(ledger_startup(&f->db.ctx), IPS_ERR_INTEGRITY);
    struct store_ledger_checkpoint cp;
    assert_int_equal(ledger_checkpoint_latest(&f->db.ctx, &cp), IPS_ERR_INTEGRITY);
    assert_int_equal(ledger_receipt_get(&f->db.ctx, 0, &r), IPS_ERR_INTEGRITY);
    assert_non_null(strstr(f->db.ctx.detail, "integrity check"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    log_level_set(LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_registered_work_gets_a_receipt_that_verifies_offline, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_batch_shares_one_checkpoint_and_later_receipts_prove_the_same_leaf, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(receipts_tampered_in_each_field_fail_the_check_they_break, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(only_members_of_a_right_holder_register_and_read_its_works, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused_and_changes_nothing, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(the_checks_find_a_changed_leaf_and_a_changed_node_and_appending_stops, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(an_authorised_agent_registers_for_its_principal_and_is_recorded, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(an_image_work_is_found_as_prior_art_even_mirrored_or_rotated, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(the_prior_art_index_follows_the_database_it_is_asked_about, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_key_file_others_can_read_is_refused, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_failed_start_check_refuses_the_ledger_for_the_process, setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

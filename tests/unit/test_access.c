/* test_access.c — the authorisation function, passwords, sessions, tokens,
 * throttling, and the audit chain, on a fresh SQLite database per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "audit/audit.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "testdb.h"

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org platform, seller_org, other_seller;
    struct store_user admin, seller, other;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "access");
    f->db.ctx.addr = "10.0.0.1";
    testdb_org_add(&f->db, "Platform", "platform", &f->platform);
    testdb_org_add(&f->db, "Shop A", "seller", &f->seller_org);
    testdb_org_add(&f->db, "Shop B", "seller", &f->other_seller);
    testdb_user_add(&f->db, "Admin@Example.org", "admin", &f->platform, &f->admin, NULL);
    testdb_user_add(&f->db, "a@shop.test", "seller", &f->seller_org, &f->seller, NULL);
    testdb_user_add(&f->db, "b@shop.test", "seller", &f->other_seller, &f->other, NULL);
    return 0;
}

/* ---- the policy --------------------------------------------------------------- */

static void nobody_is_allowed_anything_without_a_principal(void **state)
{
    (void)state;
    struct access_principal anon;
    memset(&anon, 0, sizeof anon);
    for (int a = 0; a < ACT__COUNT; a++) {
        assert_int_equal(access_authorize(NULL, (enum access_action)a, NULL),
                         IPS_ERR_UNAUTHENTICATED);
        assert_int_equal(access_authorize(&anon, (enum access_action)a, NULL),
                         IPS_ERR_UNAUTHENTICATED);
    }
}

static void admin_only_actions_are_forbidden_to_every_other_role(void **state)
{
    (void)state;
    const enum access_action admin_only[] = {ACT_ORG_CREATE, ACT_USER_CREATE, ACT_USER_LIST};
    for (int r = 0; r < ROLE__COUNT; r++) {
        struct access_principal p;
        memset(&p, 0, sizeof p);
        p.via = VIA_SESSION;
        p.role = (enum access_role)r;
        for (size_t i = 0; i < sizeof admin_only / sizeof admin_only[0]; i++)
            assert_int_equal(access_authorize(&p, admin_only[i], NULL),
                             r == ROLE_ADMIN ? IPS_OK : IPS_ERR_FORBIDDEN);
        assert_int_equal(access_authorize(&p, ACT_AUDIT_READ, NULL),
                         (r == ROLE_ADMIN || r == ROLE_AUDITOR) ? IPS_OK : IPS_ERR_FORBIDDEN);
        assert_int_equal(access_authorize(&p, ACT_ME_READ, NULL), IPS_OK);
    }
}

static void another_organisations_object_reads_as_not_found(void **state)
{
    struct fixture *f = *state;
    struct access_principal p = testdb_principal_of(&f->seller);
    struct access_object own = {f->seller_org.id, NULL, false};
    struct access_object foreign = {f->other_seller.id, NULL, false};
    struct access_object as_agent = {f->other_seller.id, NULL, true};
    assert_int_equal(access_authorize(&p, ACT_ORG_READ, &own), IPS_OK);
    assert_int_equal(access_authorize(&p, ACT_ORG_READ, &foreign), IPS_ERR_NOT_FOUND);
    /* an authorised agent of that organisation is let in */
    assert_int_equal(access_authorize(&p, ACT_ORG_READ, &as_agent), IPS_OK);
    struct access_object other_user = {f->other_seller.id, f->other.id, false};
    assert_int_equal(access_authorize(&p, ACT_USER_READ, &other_user), IPS_ERR_NOT_FOUND);
    assert_int_equal(access_authorize(&p, ACT_TOKEN_REVOKE, &other_user), IPS_ERR_NOT_FOUND);
    struct access_principal admin = testdb_principal_of(&f->admin);
    assert_int_equal(access_authorize(&admin, ACT_ORG_READ, &foreign), IPS_OK);
}

static void the_system_principal_may_do_everything(void **state)
{
    (void)state;
    struct access_principal sys;
    access_principal_system(&sys);
    for (int a = 0; a < ACT__COUNT; a++)
        assert_int_equal(access_authorize(&sys, (enum access_action)a, NULL), IPS_OK);
    assert_string_equal(access_principal_actor(&sys), "system");
}

/* ---- users and orgs ------------------------------------------------------------ */

static void a_role_must_fit_its_organisation_kind(void **state)
{
    struct fixture *f = *state;
    struct store_user u;
    json_array_clear(f->db.ctx.errors);
    assert_int_equal(testdb_user_create(&f->db, "x@shop.test", "officer", f->seller_org.id, &u),
                     IPS_ERR_INVALID);
    assert_true(json_array_size(f->db.ctx.errors) > 0);
    assert_int_equal(store_user_get_by_email(f->db.s, "x@shop.test", &u), IPS_ERR_NOT_FOUND);
}

static void emails_are_lower_cased_and_unique(void **state)
{
    struct fixture *f = *state;
    struct store_user u;
    assert_string_equal(f->admin.email, "admin@example.org");
    assert_int_equal(testdb_user_create(&f->db, "ADMIN@example.org", "admin", f->platform.id, &u),
                     IPS_ERR_CONFLICT);
    char bad[][32] = {"no-at-sign", "two@@x.org", "a@nodot", "sp ace@x.org", "@x.org"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(access_email_normalize(bad[i]));
}

static void short_passwords_are_refused(void **state)
{
    struct fixture *f = *state;
    struct store_user u;
    assert_int_equal(access_user_create(&f->db.ctx, "s@shop.test", "short", "seller",
                                        f->seller_org.id, &u),
                     IPS_ERR_INVALID);
}

static void passwords_are_stored_as_argon2id(void **state)
{
    struct fixture *f = *state;
    assert_non_null(strstr(f->admin.pw_hash, "$argon2id$"));
    assert_true(access_password_verify(f->admin.pw_hash, "correct horse battery"));
    assert_false(access_password_verify(f->admin.pw_hash, "correct horse batterY"));
}

static ips_status collect_org_name(const struct store_org *o, void *arg)
{
    json_array_append_new(arg, json_string(o->name));
    return IPS_OK;
}

static void a_seller_lists_only_its_own_organisation(void **state)
{
    struct fixture *f = *state;
    struct access_principal p = testdb_principal_of(&f->seller);
    struct ips_ctx ctx = f->db.ctx;
    ctx.actor = &p;
    json_t *names = json_array();
    assert_int_equal(access_org_list(&ctx, NULL, 50, collect_org_name, names), IPS_OK);
    assert_int_equal(json_array_size(names), 1);
    assert_string_equal(json_string_value(json_array_get(names, 0)), "Shop A");
    json_array_clear(names);
    struct access_principal admin = testdb_principal_of(&f->admin);
    ctx.actor = &admin;
    assert_int_equal(access_org_list(&ctx, NULL, 50, collect_org_name, names), IPS_OK);
    assert_int_equal(json_array_size(names), 3);
    json_decref(names);
    ctx.actor = &p;
    struct store_org o;
    assert_int_equal(access_org_get(&ctx, f->other_seller.id, &o), IPS_ERR_NOT_FOUND);
    assert_int_equal(access_org_get(&ctx, f->seller_org.id, &o), IPS_OK);
    assert_string_equal(o.name, "Shop A");
}

/* ---- sessions, CSRF, throttling -------------------------------------------------- */

static void login_opens_a_session_whose_csrf_token_is_bound_to_it(void **state)
{
    struct fixture *f = *state;
    char secret[64], secret2[64];
    struct access_principal p, p2, resolved;
    int retry = 0;
    assert_int_equal(access_login(&f->db.ctx, "A@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_OK);
    assert_int_equal(p.via, VIA_SESSION);
    assert_int_equal(p.role, ROLE_SELLER);
    assert_int_equal(access_session_resolve(f->db.s, secret, &resolved), IPS_OK);
    assert_string_equal(resolved.user_id, f->seller.id);
    assert_true(access_csrf_valid(&resolved, p.csrf));
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret2,
                                  &p2, &retry),
                     IPS_OK);
    assert_false(access_csrf_valid(&resolved, p2.csrf)); /* another session's token */
    assert_false(access_csrf_valid(&resolved, ""));
    struct ips_ctx ctx = f->db.ctx;
    ctx.actor = &resolved;
    assert_int_equal(access_logout(&ctx), IPS_OK);
    assert_int_equal(access_session_resolve(f->db.s, secret, &resolved), IPS_ERR_UNAUTHENTICATED);
}

static void wrong_email_and_wrong_password_answer_alike(void **state)
{
    struct fixture *f = *state;
    char secret[64];
    struct access_principal p;
    int retry = 0;
    assert_int_equal(access_login(&f->db.ctx, "nobody@shop.test", "correct horse battery", secret,
                                  &p, &retry),
                     IPS_ERR_UNAUTHENTICATED);
    char d1[256];
    snprintf(d1, sizeof d1, "%s", f->db.ctx.detail);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "wrong password!!", secret, &p,
                                  &retry),
                     IPS_ERR_UNAUTHENTICATED);
    assert_string_equal(d1, f->db.ctx.detail);
}

static void repeated_failures_throttle_even_the_right_password(void **state)
{
    struct fixture *f = *state;
    char secret[64];
    struct access_principal p;
    int retry = 0;
    for (int i = 0; i < f->db.cfg.login_max_failures; i++)
        assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "wrong password!!", secret, &p,
                                      &retry),
                         IPS_ERR_UNAUTHENTICATED);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_ERR_RATE_LIMITED);
    assert_true(retry > 0);
    /* the throttle is per account and per address: another address and account pass */
    f->db.ctx.addr = "10.0.0.2";
    assert_int_equal(access_login(&f->db.ctx, "b@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_OK);
}

/* n failed logins for email (each answered like a wrong password). */
static void fail_logins(struct fixture *f, const char *email, int n)
{
    char secret[64];
    struct access_principal p;
    int retry = 0;
    for (int i = 0; i < n; i++)
        assert_int_equal(access_login(&f->db.ctx, email, "wrong password!!", secret, &p, &retry),
                         IPS_ERR_UNAUTHENTICATED);
}

static void a_locked_account_refuses_even_the_right_password_until_the_lock_ends(void **state)
{
    struct fixture *f = *state;
    f->db.cfg.login_max_failures = 100; /* the address throttle stays out of the way */
    f->db.cfg.login_lockout_failures = 3;
    f->db.cfg.login_lockout_seconds = 600;
    char secret[64];
    struct access_principal p;
    int retry = 0;
    fail_logins(f, "a@shop.test", 3);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_ERR_RATE_LIMITED);
    assert_true(retry > 590 && retry <= 600);
    char locked_detail[256];
    snprintf(locked_detail, sizeof locked_detail, "%s", f->db.ctx.detail);
    /* the lock is the account's: another address does not get in either */
    f->db.ctx.addr = "10.0.0.9";
    assert_int_equal(access_login(&f->db.ctx, "A@Shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_ERR_RATE_LIMITED);
    /* an email no account has locks and answers the same way */
    fail_logins(f, "nobody@shop.test", 3);
    int retry2 = 0;
    assert_int_equal(access_login(&f->db.ctx, "nobody@shop.test", "whatever password", secret, &p,
                                  &retry2),
                     IPS_ERR_RATE_LIMITED);
    assert_true(retry2 > 590 && retry2 <= 600);
    assert_memory_equal(locked_detail, f->db.ctx.detail, strlen("too many failed logins"));
    /* the lock is stored; once it has ended the right password gets in and clears it */
    int64_t until = 0;
    assert_int_equal(store_login_lock_get(f->db.s, "a@shop.test", &until), IPS_OK);
    assert_true(until > time_now_ms());
    int64_t now = time_now_ms();
    assert_int_equal(store_login_lock_set(f->db.s, "a@shop.test", now - 2000, now - 1000), IPS_OK);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_OK);
    assert_int_equal(store_login_lock_get(f->db.s, "a@shop.test", &until), IPS_OK);
    assert_int_equal(until, 0);
    /* counting starts afresh after a lock: fewer failures than the limit do not lock */
    fail_logins(f, "a@shop.test", 2);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_OK);
}

static void a_successful_login_resets_the_failure_count(void **state)
{
    struct fixture *f = *state;
    f->db.cfg.login_lockout_failures = 3;
    char secret[64];
    struct access_principal p;
    int retry = 0;
    for (int round = 0; round < 3; round++) {
        fail_logins(f, "a@shop.test", 2);
        assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret,
                                      &p, &retry),
                         IPS_OK);
    }
}

static void an_admin_unlocks_a_locked_account(void **state)
{
    struct fixture *f = *state;
    f->db.cfg.login_lockout_failures = 2;
    char secret[64];
    struct access_principal p;
    int retry = 0;
    bool was = true;
    fail_logins(f, "a@shop.test", 2);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_ERR_RATE_LIMITED);
    /* only an admin may unlock; a refusal changes nothing */
    struct access_principal seller = testdb_principal_of(&f->other);
    struct ips_ctx sctx = f->db.ctx;
    sctx.actor = &seller;
    assert_int_equal(access_user_unlock(&sctx, "a@shop.test", &was), IPS_ERR_FORBIDDEN);
    struct access_principal admin = testdb_principal_of(&f->admin);
    struct ips_ctx actx = f->db.ctx;
    actx.actor = &admin;
    assert_int_equal(access_user_unlock(&actx, "nobody@shop.test", &was), IPS_ERR_NOT_FOUND);
    assert_int_equal(access_user_unlock(&actx, "not an email", &was), IPS_ERR_NOT_FOUND);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_ERR_RATE_LIMITED);
    assert_int_equal(access_user_unlock(&actx, "A@shop.test", &was), IPS_OK);
    assert_true(was);
    assert_int_equal(access_login(&f->db.ctx, "a@shop.test", "correct horse battery", secret, &p,
                                  &retry),
                     IPS_OK);
    assert_int_equal(access_user_unlock(&actx, "a@shop.test", &was), IPS_OK);
    assert_false(was);
    struct audit_verify_result res;
    assert_int_equal(access_audit_verify(&actx, &res), IPS_OK);
}

/* ---- tokens ------------------------------------------------------------------------ */

static void a_revoked_token_stops_working_at_once(void **state)
{
    struct fixture *f = *state;
    struct access_principal owner = testdb_principal_of(&f->seller);
    struct ips_ctx ctx = f->db.ctx;
    ctx.actor = &owner;
    struct store_token t;
    char secret[64];
    struct access_principal p;
    assert_int_equal(access_token_create(&ctx, NULL, "ci", 0, &t, secret), IPS_OK);
    assert_int_equal(strncmp(secret, "iprs_", 5), 0);
    assert_int_equal(access_token_resolve(f->db.s, secret, &p), IPS_OK);
    assert_string_equal(p.user_id, f->seller.id);

    struct access_principal stranger = testdb_principal_of(&f->other);
    struct ips_ctx sctx = f->db.ctx;
    sctx.actor = &stranger;
    assert_int_equal(access_token_revoke(&sctx, t.id), IPS_ERR_NOT_FOUND);
    assert_int_equal(access_token_resolve(f->db.s, secret, &p), IPS_OK);

    assert_int_equal(access_token_revoke(&ctx, t.id), IPS_OK);
    assert_int_equal(access_token_resolve(f->db.s, secret, &p), IPS_ERR_UNAUTHENTICATED);
}

static void forged_tokens_are_refused(void **state)
{
    struct fixture *f = *state;
    struct access_principal p;
    assert_int_equal(access_token_resolve(f->db.s, "iprs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &p),
                     IPS_ERR_UNAUTHENTICATED);
    assert_int_equal(access_token_resolve(f->db.s, "", &p), IPS_ERR_UNAUTHENTICATED);
    assert_int_equal(access_session_resolve(f->db.s, "sess_x", &p), IPS_ERR_UNAUTHENTICATED);
}

/* ---- audit ----------------------------------------------------------------------------- */

static void writes_and_denials_land_in_an_intact_chain(void **state)
{
    struct fixture *f = *state;
    struct access_principal p = testdb_principal_of(&f->seller);
    struct ips_ctx ctx = f->db.ctx;
    ctx.actor = &p;
    struct store_org o;
    int64_t before = 0, after = 0;
    uint8_t h[STORE_HASH_LEN];
    assert_int_equal(store_audit_head(f->db.s, &before, h), IPS_OK);
    assert_int_equal(access_org_create(&ctx, "Sneaky", "platform", &o), IPS_ERR_FORBIDDEN);
    assert_int_equal(store_audit_head(f->db.s, &after, h), IPS_OK);
    assert_int_equal(after, before + 1); /* the denial was recorded */
    struct audit_verify_result res;
    assert_int_equal(audit_verify(f->db.s, &res), IPS_OK);
    assert_int_equal(res.events, after);
}

static void tampering_is_found_at_the_altered_event(void **state)
{
    struct fixture *f = *state;
    struct audit_verify_result res;
    assert_int_equal(audit_verify(f->db.s, &res), IPS_OK);
    assert_true(res.events >= 3);
    assert_int_equal(store_audit_tamper(f->db.s, 2, "rewritten history"), IPS_OK);
    assert_int_equal(audit_verify(f->db.s, &res), IPS_ERR_INTEGRITY);
    assert_int_equal(res.first_broken_seq, 2);
}

static void audit_append_outside_a_transaction_is_refused(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(audit_append(f->db.s, "x", "y", "z", AUDIT_OK, NULL), IPS_ERR_INTERNAL);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    log_level_set(LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nobody_is_allowed_anything_without_a_principal),
        cmocka_unit_test(admin_only_actions_are_forbidden_to_every_other_role),
        cmocka_unit_test_setup_teardown(another_organisations_object_reads_as_not_found, setup, testdb_teardown),
        cmocka_unit_test(the_system_principal_may_do_everything),
        cmocka_unit_test_setup_teardown(a_role_must_fit_its_organisation_kind, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(emails_are_lower_cased_and_unique, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(short_passwords_are_refused, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(passwords_are_stored_as_argon2id, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_seller_lists_only_its_own_organisation, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(login_opens_a_session_whose_csrf_token_is_bound_to_it, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(wrong_email_and_wrong_password_answer_alike, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(repeated_failures_throttle_even_the_right_password, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_locked_account_refuses_even_the_right_password_until_the_lock_ends, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_successful_login_resets_the_failure_count, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(an_admin_unlocks_a_locked_account, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_revoked_token_stops_working_at_once, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(forged_tokens_are_refused, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(writes_and_denials_land_in_an_intact_chain, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(tampering_is_found_at_the_altered_event, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(audit_append_outside_a_transaction_is_refused, setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

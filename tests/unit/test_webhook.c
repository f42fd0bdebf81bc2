/* test_webhook.c — signing (RFC 4231 HMAC-SHA256 vectors), URL checks,
 * queueing inside a transaction only, and a delivery that fails against a
 * closed port, is logged and scheduled for a retry with backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/config.h"
#include "webhook/webhook.h"
#include "testdb.h"

static void signature_matches_rfc4231_test_case_2(void **state)
{
    (void)state;
    char sig[WEBHOOK_SIGNATURE_SIZE];
    const char *data = "what do ya want for nothing?";
    webhook_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig,
                        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void signature_changes_with_the_body(void **state)
{
    (void)state;
    char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];
    webhook_sign("secret-secret-secret", "{\"a\":1}", 7, a);
    webhook_sign("secret-secret-secret", "{\"a\":2}", 7, b);
    assert_string_not_equal(a, b);
}

static void only_http_and_https_urls_are_accepted(void **state)
{
    (void)state;
    assert_true(webhook_url_valid("http://127.0.0.1:8080/hook"));
    assert_true(webhook_url_valid("https://hooks.example.org/x?y=1"));
    assert_false(webhook_url_valid("ftp://example.org/"));
    assert_false(webhook_url_valid("file:///etc/passwd"));
    assert_false(webhook_url_valid("http://"));
    assert_false(webhook_url_valid("http://exa mple.org/"));
    assert_false(webhook_url_valid(""));
    assert_false(webhook_url_valid(NULL));
}

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org org;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "webhook");
    testdb_org_add(&f->db, "Shop", "seller", &f->org);
    return 0;
}

struct enqueue_arg {
    const char *org;
    int64_t now;
};

static ips_status enqueue_tx(struct store *s, void *arg)
{
    struct enqueue_arg *a = arg;
    json_t *data = json_pack("{s:s}", "hello", "world");
    ips_status st = webhook_enqueue(s, a->org, "test.event", data, a->now);
    json_decref(data);
    return st;
}

static ips_status count_cb(const struct store_webhook_delivery *d, json_t *attempts, void *arg)
{
    struct store_webhook_delivery *out = arg;
    *out = *d;
    out->attempts = (int64_t)json_array_size(attempts);
    return IPS_OK;
}

/* How many deliveries a store listing emitted, and the last one's id. */
struct seen {
    int n;
    char last[ID_SIZE];
};

static ips_status seen_cb(const struct store_webhook_delivery *d, void *arg)
{
    struct seen *seen = arg;
    seen->n++;
    memcpy(seen->last, d->id, sizeof seen->last);
    return IPS_OK;
}

static void a_failed_delivery_is_logged_and_retried_later(void **state)
{
    struct fixture *f = *state;
    struct enqueue_arg a = {f->org.id, 1000};
    char secret[STORE_WEBHOOK_SECRET_MAX + 1];
    /* no endpoint: nothing is queued; outside a transaction: refused */
    assert_int_equal(store_tx_run(f->db.s, enqueue_tx, &a), IPS_OK);
    json_t *d = json_object();
    assert_int_equal(webhook_enqueue(f->db.s, f->org.id, "x", d, 1), IPS_ERR_INTERNAL);
    json_decref(d);
    assert_int_equal(webhook_endpoint_set(&f->db.ctx, f->org.id, "ftp://nope", NULL, -1, secret, NULL),
                     IPS_ERR_INVALID);
    /* port 1 on loopback: connection refused */
    assert_int_equal(
        webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:1/hook", NULL, -1, secret, NULL),
        IPS_OK);
    assert_true(strncmp(secret, "whsec_", 6) == 0);
    assert_int_equal(store_tx_run(f->db.s, enqueue_tx, &a), IPS_OK);
    assert_int_equal(webhook_tick(&f->db.ctx, 2000), IPS_OK);
    struct store_webhook_delivery *got = calloc(1, sizeof *got);
    assert_int_equal(webhook_deliveries_list(&f->db.ctx, NULL, NULL, 10, count_cb, got), IPS_OK);
    assert_string_equal(got->state, "pending");
    char got_id[ID_SIZE];
    snprintf(got_id, sizeof got_id, "%s", got->id);
    assert_int_equal(got->attempts, 1); /* one attempt in the log */
    assert_true(got->next_attempt_ms > 2000);
    assert_int_equal(got->last_status, 0);
    assert_true(got->last_error[0] != '\0');
    free(got);

    /* setting the endpoint again replaces it (one per org, created kept) */
    struct store_webhook_endpoint e1, e2;
    assert_int_equal(store_webhook_endpoint_get(f->db.s, f->org.id, &e1), IPS_OK);
    assert_int_equal(
        webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:2/hook", NULL, -1, secret, NULL),
        IPS_OK);
    assert_int_equal(store_webhook_endpoint_get(f->db.s, f->org.id, &e2), IPS_OK);
    assert_string_equal(e2.url, "http://127.0.0.1:2/hook");
    assert_string_not_equal(e2.secret, e1.secret);
    assert_int_equal(e2.created_ms, e1.created_ms);
    /* the deliveries of one org, after a cursor */
    struct seen seen = {0, ""};
    assert_int_equal(store_webhook_delivery_list(f->db.s, f->org.id, NULL, 10, seen_cb, &seen),
                     IPS_OK);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.last, got_id);
    assert_int_equal(store_webhook_delivery_list(f->db.s, f->org.id, got_id, 10, seen_cb, &seen),
                     IPS_OK);
    assert_int_equal(store_webhook_delivery_list(f->db.s, "no-such-org", NULL, 10, seen_cb, &seen),
                     IPS_OK);
    assert_int_equal(seen.n, 1);
}

/* A new secret: the replaced one signs beside it for the overlap, then
 * stops; the same secret with a new URL keeps the overlap running; an
 * overlap of 0 revokes the old secret at once. */
static void a_replaced_secret_signs_beside_the_new_one_for_the_overlap(void **state)
{
    struct fixture *f = *state;
    char s1[STORE_WEBHOOK_SECRET_MAX + 1], s2[STORE_WEBHOOK_SECRET_MAX + 1];
    char s3[STORE_WEBHOOK_SECRET_MAX + 1], one[WEBHOOK_SIGNATURE_SIZE],
        two[WEBHOOK_SIGNATURE_SIZE], want[WEBHOOK_SIGNATURE_HEADER_SIZE],
        got[WEBHOOK_SIGNATURE_HEADER_SIZE];
    const char *body = "{\"event\":\"x\"}";
    struct store_webhook_endpoint e;
    assert_int_equal(webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:1/h",
                                          "first-secret-0123456789", -1, s1, &e),
                     IPS_OK);
    assert_string_equal(e.previous_secret, ""); /* nothing replaced */
    /* 20 s overlap */
    assert_int_equal(webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:1/h", NULL, 20,
                                          s2, &e),
                     IPS_OK);
    assert_string_equal(e.secret, s2);
    assert_string_equal(e.previous_secret, s1);
    assert_int_equal(e.previous_until_ms, e.updated_ms + 20000);
    struct store_webhook_endpoint stored;
    assert_int_equal(store_webhook_endpoint_get(f->db.s, f->org.id, &stored), IPS_OK);
    assert_string_equal(stored.previous_secret, s1);
    assert_int_equal(stored.previous_until_ms, e.previous_until_ms);
    webhook_sign(s2, body, strlen(body), one);
    webhook_sign(s1, body, strlen(body), two);
    snprintf(want, sizeof want, "%s, %s", one, two);
    webhook_signature_header(&stored, stored.previous_until_ms - 1, body, strlen(body), got);
    assert_string_equal(got, want);
    webhook_signature_header(&stored, stored.previous_until_ms, body, strlen(body), got);
    assert_string_equal(got, one); /* the overlap is over */
    /* a new URL, same secret: the overlap goes on */
    assert_int_equal(webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:2/h", s2, -1,
                                          s3, &e),
                     IPS_OK);
    assert_string_equal(e.previous_secret, s1);
    assert_int_equal(e.previous_until_ms, stored.previous_until_ms);
    /* out of range, and a revocation */
    assert_int_equal(webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:2/h", NULL,
                                          WEBHOOK_OVERLAP_MAX_S + 1, s3, &e),
                     IPS_ERR_INVALID);
    assert_int_equal(webhook_endpoint_set(&f->db.ctx, f->org.id, "http://127.0.0.1:2/h", NULL, 0,
                                          s3, &e),
                     IPS_OK);
    assert_string_equal(e.previous_secret, "");
    assert_int_equal(store_webhook_endpoint_get(f->db.s, f->org.id, &stored), IPS_OK);
    assert_string_equal(stored.previous_secret, "");
    webhook_signature_header(&stored, 0, body, strlen(body), got);
    webhook_sign(s3, body, strlen(body), one);
    assert_string_equal(got, one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signature_matches_rfc4231_test_case_2),
        cmocka_unit_test(signature_changes_with_the_body),
        cmocka_unit_test_setup_teardown(a_replaced_secret_signs_beside_the_new_one_for_the_overlap,
                                        setup, testdb_teardown),
        cmocka_unit_test(only_http_and_https_urls_are_accepted),
        cmocka_unit_test_setup_teardown(a_failed_delivery_is_logged_and_retried_later, setup,
                                        testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

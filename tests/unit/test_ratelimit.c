/* test_ratelimit.c — GCRA request limits (src/http/ratelimit.c), driven by
 * explicit clock values so that nothing depends on how fast the test runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "http/ratelimit.h"

#define SEC 1000000000LL

/* Count how many of n requests at the same instant are admitted. */
static int admitted_at(struct ratelimit *rl, const char *key, int64_t now, int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += ratelimit_take(rl, key, now, NULL);
    return ok;
}

static void a_burst_is_admitted_then_refused_with_the_wait(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(10, 5); /* 10/s, bursts of 5 */
    assert_non_null(rl);
    int64_t t = 100 * SEC;
    assert_int_equal(admitted_at(rl, "10.0.0.1", t, 5), 5);
    int64_t wait = 0;
    assert_false(ratelimit_take(rl, "10.0.0.1", t, &wait));
    /* the next slot opens one emission interval (100 ms) later */
    assert_int_equal(wait, SEC / 10);
    assert_false(ratelimit_take(rl, "10.0.0.1", t + wait - 1, NULL));
    assert_true(ratelimit_take(rl, "10.0.0.1", t + wait, NULL));
    ratelimit_free(rl);
}

static void the_sustained_rate_is_the_configured_rate(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(10, 1);
    int64_t t = 5 * SEC;
    int ok = 0;
    /* 100 requests a second for 10 seconds: 10 a second get through */
    for (int i = 0; i < 1000; i++)
        ok += ratelimit_take(rl, "k", t + (int64_t)i * (SEC / 100), NULL);
    assert_int_equal(ok, 100);
    ratelimit_free(rl);
}

static void keys_are_independent_and_idle_keys_refill(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 3);
    int64_t t = SEC;
    assert_int_equal(admitted_at(rl, "alice", t, 10), 3);
    assert_int_equal(admitted_at(rl, "bob", t, 10), 3);
    /* after three quiet seconds alice has her whole burst back, no more */
    assert_int_equal(admitted_at(rl, "alice", t + 3 * SEC, 10), 3);
    ratelimit_free(rl);
}

static void many_keys_never_unblock_a_throttled_one_within_capacity(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 2);
    int64_t t = SEC;
    assert_int_equal(admitted_at(rl, "victim", t, 5), 2);
    /* 20,000 other clients in the same instant: well under the capacity,
     * so the throttled key stays throttled */
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "198.51.%d.%d", i / 256, i % 256);
        assert_true(ratelimit_take(rl, key, t, NULL));
    }
    assert_false(ratelimit_take(rl, "victim", t, NULL));
    ratelimit_free(rl);
}

static void rate_zero_means_no_limit(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(0, 10);
    assert_null(rl);
    assert_int_equal(admitted_at(rl, "anyone", SEC, 1000), 1000);
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_burst_is_admitted_then_refused_with_the_wait),
        cmocka_unit_test(the_sustained_rate_is_the_configured_rate),
        cmocka_unit_test(keys_are_independent_and_idle_keys_refill),
        cmocka_unit_test(many_keys_never_unblock_a_throttled_one_within_capacity),
        cmocka_unit_test(rate_zero_means_no_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_respcache.c — the bounded TTL cache of response bodies
 * (src/http/respcache.c), driven by explicit clock values: every time is a
 * number the test passes, so nothing sleeps and nothing depends on how fast
 * the test runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/respcache.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define TTL 60000LL

static void put(struct respcache *c, const char *key, const char *body, int64_t at)
{
    assert_int_equal(respcache_put(c, key, body, strlen(body), at), IPS_OK);
}

/* The body under key at now, or NULL on a miss (the caller frees). */
static char *get(struct respcache *c, const char *key, int64_t now)
{
    struct respcache_hit hit;
    memset(&hit, 0, sizeof hit);
    if (!respcache_get(c, key, now, &hit))
        return NULL;
    assert_non_null(hit.body);
    assert_int_equal(hit.len, strlen(hit.body));
    return hit.body;
}

static void assert_body(struct respcache *c, const char *key, int64_t now, const char *want)
{
    char *b = get(c, key, now);
    assert_non_null(b);
    assert_string_equal(b, want);
    free(b);
}

static void assert_miss(struct respcache *c, const char *key, int64_t now)
{
    char *b = get(c, key, now);
    assert_null(b);
}

static void a_stored_body_is_served_with_its_generation_time_until_it_expires(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(TTL, 4);
    assert_non_null(c);
    assert_int_equal(respcache_ttl_ms(c), TTL);
    assert_miss(c, "json|default|now", T0);
    put(c, "json|default|now", "{\"generated_at\":\"a\"}", T0);

    struct respcache_hit hit;
    assert_true(respcache_get(c, "json|default|now", T0 + 1500, &hit));
    assert_string_equal(hit.body, "{\"generated_at\":\"a\"}");
    assert_int_equal(hit.generated_ms, T0);
    assert_int_equal(hit.expires_ms, T0 + TTL);
    free(hit.body);

    assert_body(c, "json|default|now", T0 + TTL - 1, "{\"generated_at\":\"a\"}");
    assert_int_equal(respcache_count(c, T0 + TTL - 1), 1);
    /* at generated + ttl the entry is gone, and stays gone */
    assert_miss(c, "json|default|now", T0 + TTL);
    assert_miss(c, "json|default|now", T0 + 1);
    assert_int_equal(respcache_count(c, T0 + 1), 0);
    respcache_free(c);
}

static void a_clock_that_went_back_by_the_ttl_is_a_miss(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(TTL, 4);
    put(c, "k", "body", T0);
    /* a reader whose clock read came just before the put still hits */
    assert_body(c, "k", T0 - 1, "body");
    assert_miss(c, "k", T0 - TTL);
    assert_miss(c, "k", T0);
    respcache_free(c);
}

static void distinct_keys_keep_distinct_bodies_and_a_put_replaces_its_key(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(TTL, 4);
    put(c, "json|1|2", "J12", T0);
    put(c, "csv|1|2", "C12", T0);
    put(c, "json|1|3", "J13", T0);
    assert_body(c, "json|1|2", T0 + 10, "J12");
    assert_body(c, "csv|1|2", T0 + 10, "C12");
    assert_body(c, "json|1|3", T0 + 10, "J13");
    assert_miss(c, "json|1", T0 + 10); /* a prefix is another key */

    put(c, "json|1|2", "J12 again", T0 + 20);
    assert_int_equal(respcache_count(c, T0 + 20), 3);
    struct respcache_hit hit;
    assert_true(respcache_get(c, "json|1|2", T0 + 30, &hit));
    assert_string_equal(hit.body, "J12 again");
    assert_int_equal(hit.expires_ms, T0 + 20 + TTL);
    free(hit.body);
    respcache_free(c);
}

static void a_full_cache_evicts_the_oldest_entry(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(TTL, 3);
    put(c, "b", "B", T0 + 2);
    put(c, "a", "A", T0 + 1); /* the oldest, although not put first */
    put(c, "c", "C", T0 + 3);
    assert_int_equal(respcache_count(c, T0 + 10), 3);

    put(c, "d", "D", T0 + 10);
    assert_int_equal(respcache_count(c, T0 + 10), 3);
    assert_miss(c, "a", T0 + 11);
    assert_body(c, "b", T0 + 11, "B");
    assert_body(c, "c", T0 + 11, "C");
    assert_body(c, "d", T0 + 11, "D");

    /* the next one pushes out b, now the oldest */
    put(c, "e", "E", T0 + 12);
    assert_miss(c, "b", T0 + 13);
    assert_body(c, "c", T0 + 13, "C");
    respcache_free(c);
}

static void a_full_cache_reuses_an_expired_slot_before_evicting_a_live_one(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(TTL, 2);
    put(c, "old", "O", T0);
    put(c, "live", "L", T0 + TTL / 2);
    /* at T0 + TTL "old" is expired while "live" (generated later) is fresh */
    put(c, "new", "N", T0 + TTL);
    assert_body(c, "live", T0 + TTL + 1, "L");
    assert_body(c, "new", T0 + TTL + 1, "N");
    assert_miss(c, "old", T0 + TTL + 1);
    respcache_free(c);
}

static void bad_keys_and_oversized_bodies_are_refused_and_change_nothing(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(TTL, 2);
    char long_key[RESPCACHE_KEY_MAX + 2];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    assert_int_equal(respcache_put(c, long_key, "x", 1, T0), IPS_ERR_INVALID);
    assert_int_equal(respcache_put(c, "", "x", 1, T0), IPS_ERR_INVALID);
    char *big = calloc(1, RESPCACHE_BODY_MAX + 1);
    assert_non_null(big);
    assert_int_equal(respcache_put(c, "big", big, RESPCACHE_BODY_MAX + 1, T0), IPS_ERR_TOO_LARGE);
    free(big);
    assert_int_equal(respcache_count(c, T0), 0);

    /* the longest key and an empty body are fine */
    long_key[RESPCACHE_KEY_MAX] = '\0';
    assert_int_equal(respcache_put(c, long_key, "", 0, T0), IPS_OK);
    assert_body(c, long_key, T0, "");
    respcache_free(c);
}

static void a_ttl_of_zero_means_no_cache_that_keeps_nothing(void **state)
{
    (void)state;
    struct respcache *c = respcache_new(0, 64);
    assert_null(c);
    assert_int_equal(respcache_ttl_ms(c), 0);
    assert_int_equal(respcache_put(c, "k", "body", 4, T0), IPS_OK);
    assert_miss(c, "k", T0);
    assert_int_equal(respcache_count(c, T0), 0);
    respcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stored_body_is_served_with_its_generation_time_until_it_expires),
        cmocka_unit_test(a_clock_that_went_back_by_the_ttl_is_a_miss),
        cmocka_unit_test(distinct_keys_keep_distinct_bodies_and_a_put_replaces_its_key),
        cmocka_unit_test(a_full_cache_evicts_the_oldest_entry),
        cmocka_unit_test(a_full_cache_reuses_an_expired_slot_before_evicting_a_live_one),
        cmocka_unit_test(bad_keys_and_oversized_bodies_are_refused_and_change_nothing),
        cmocka_unit_test(a_ttl_of_zero_means_no_cache_that_keeps_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

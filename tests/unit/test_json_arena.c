/*
 * test_json_arena.c — unit tests of src/core/json_arena.h: jansson values
 * bump-allocated in a region reset as a whole (the catalog import's parsed
 * lines).
 *
 * A file of its own: the first arena replaces jansson's allocator for the
 * whole process. Under AddressSanitizer arenas are off (json_arena_new
 * fails) and every test but the one that checks that is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_arena.h"

static const char line[] =
    "{\"id\":\"L-1\",\"seller_id\":\"S-1\",\"title\":\"steel watch\",\"price\":\"12.50\","
    "\"images\":[\"https://img.example.test/a.jpg\",\"https://img.example.test/b.jpg\"],"
    "\"units_sold\":7,\"nested\":{\"a\":[1,2,{\"b\":null}],\"c\":true}}";

/* A new arena, or skip the test where arenas are off (sanitised build). */
static struct json_arena *arena_or_skip(size_t reserve)
{
    struct json_arena *a = NULL;
    ips_status st = json_arena_new(reserve, &a);
    if (st == IPS_ERR_INTERNAL)
        skip();
    assert_int_equal(st, IPS_OK);
    assert_non_null(a);
    return a;
}

static void a_line_parsed_in_an_arena_equals_the_heap_parse(void **state)
{
    (void)state;
    struct json_arena *a = arena_or_skip(1 << 20);
    json_error_t je;
    bool whole = false;
    json_t *heap = json_loadb(line, strlen(line), JSON_REJECT_DUPLICATES, &je);
    json_t *in = json_arena_loadb(a, line, strlen(line), JSON_REJECT_DUPLICATES, &je, &whole);
    assert_non_null(heap);
    assert_non_null(in);
    assert_true(whole);
    assert_true(json_equal(heap, in));
    assert_string_equal(json_string_value(json_object_get(in, "title")), "steel watch");
    /* the same errors as json_loadb: a duplicate key, a truncated line */
    assert_null(json_arena_loadb(a, "{\"a\":1,\"a\":2}", 13, JSON_REJECT_DUPLICATES, &je, &whole));
    assert_null(json_arena_loadb(a, line, 20, JSON_REJECT_DUPLICATES, &je, &whole));
    json_decref(in); /* harmless on arena values: their frees are no-ops */
    json_decref(heap);
    json_arena_free(a);
}

static void a_reset_arena_hands_out_its_memory_again(void **state)
{
    (void)state;
    struct json_arena *a = arena_or_skip(1 << 20);
    json_error_t je;
    bool whole;
    json_t *first = json_arena_loadb(a, line, strlen(line), 0, &je, &whole);
    json_t *second = json_arena_loadb(a, line, strlen(line), 0, &je, &whole);
    assert_non_null(first);
    assert_non_null(second);
    assert_ptr_not_equal(first, second); /* bumped on */
    json_arena_reset(a);
    json_t *again = json_arena_loadb(a, line, strlen(line), 0, &je, &whole);
    assert_ptr_equal(again, first); /* from the region's start again */
    assert_true(whole);
    assert_true(json_equal(again, second));
    json_arena_free(a);
}

static void a_full_arena_falls_back_to_the_heap(void **state)
{
    (void)state;
    struct json_arena *a = arena_or_skip(4096); /* one page */
    size_t n = 20000;
    char *big = malloc(n + 16);
    assert_non_null(big);
    memset(big, 'x', n + 16);
    memcpy(big, "{\"s\":\"", 6);
    memcpy(big + n - 2, "\"}", 2);
    json_error_t je;
    bool whole = true;
    json_t *v = json_arena_loadb(a, big, n, 0, &je, &whole);
    assert_non_null(v);
    assert_false(whole); /* so the caller must json_decref it */
    assert_int_equal(json_string_length(json_object_get(v, "s")), n - 8);
    json_decref(v);
    json_arena_reset(a);
    json_t *small = json_arena_loadb(a, "[1]", 3, 0, &je, &whole);
    assert_true(whole);
    json_decref(small);
    free(big);
    json_arena_free(a);
}

/* Values made outside json_arena_loadb, on this thread or another, come
 * from the heap and are freed as ever, while an arena is in use. */
struct churn {
    atomic_bool stop;
    long made;
};

static void *churn_run(void *arg)
{
    struct churn *c = arg;
    while (!atomic_load(&c->stop)) {
        json_t *o = json_pack("{s:s, s:[i,i]}", "k", "value", "l", 1, 2);
        assert_non_null(o);
        json_decref(o);
        c->made++;
    }
    return NULL;
}

static void values_made_elsewhere_stay_heap_values(void **state)
{
    (void)state;
    struct json_arena *a = arena_or_skip(1 << 24);
    struct churn c = {.made = 0};
    atomic_init(&c.stop, false);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, churn_run, &c), 0);
    json_error_t je;
    bool whole;
    json_t *keep = json_object();
    for (int i = 0; i < 2000; i++) {
        json_t *v = json_arena_loadb(a, line, strlen(line), 0, &je, &whole);
        assert_non_null(v);
        assert_true(whole);
        /* a heap value built from an arena value's text outlives the reset */
        if (i == 0)
            json_object_set_new(keep, "title",
                                json_string(json_string_value(json_object_get(v, "title"))));
    }
    atomic_store(&c.stop, true);
    assert_int_equal(pthread_join(th, NULL), 0);
    json_arena_reset(a);
    json_arena_loadb(a, "{\"title\":\"overwritten\"}", 23, 0, &je, &whole);
    assert_string_equal(json_string_value(json_object_get(keep, "title")), "steel watch");
    json_decref(keep);
    json_arena_free(a);
}

static void at_most_json_arena_max_arenas_live_at_once(void **state)
{
    (void)state;
    struct json_arena *a[JSON_ARENA_MAX + 1] = {0};
    a[0] = arena_or_skip(4096);
    int n = 1;
    while (n <= JSON_ARENA_MAX && json_arena_new(4096, &a[n]) == IPS_OK)
        n++;
    assert_int_equal(n, JSON_ARENA_MAX);
    json_arena_free(a[3]);
    assert_int_equal(json_arena_new(4096, &a[3]), IPS_OK);
    for (int i = 0; i < n; i++)
        json_arena_free(a[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_line_parsed_in_an_arena_equals_the_heap_parse),
        cmocka_unit_test(a_reset_arena_hands_out_its_memory_again),
        cmocka_unit_test(a_full_arena_falls_back_to_the_heap),
        cmocka_unit_test(values_made_elsewhere_stay_heap_values),
        cmocka_unit_test(at_most_json_arena_max_arenas_live_at_once),
    };
    return cmocka_run_group_tests_name("json_arena", tests, NULL, NULL);
}

/*
 * test_json_fast.c — unit tests of src/core/json_fast.h: json_fast_loadb
 * gives json_loadb's value, or fails where it fails, for the import's
 * flags (JSON_REJECT_DUPLICATES and 0); its documented differences; and
 * its error positions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_fast.h"

struct text {
    const char *s;
    size_t n; /* 0: strlen(s) */
};

#define T(lit) {lit, sizeof lit - 1}

/* Texts json_loadb accepts; json_fast_loadb must give equal values. */
static const struct text valid[] = {
    T("{}"),
    T("[]"),
    T(" \t\r\n{ \"a\" : 1 }\n"),
    T("{\"id\":\"L-1\",\"price\":\"12.50\",\"images\":[\"https://x.test/a.jpg\"],\"n\":7}"),
    T("[1,-1,0,-0,9223372036854775807,-9223372036854775808]"),
    T("[1.5,-0.0,1e10,1E-3,2.5e+3,1e-400,0.1e1]"),
    T("[true,false,null,\"\",[],{}]"),
    T("{\"esc\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"u\":\"\\u00e9\\u4e2d\",\"pair\":\"\\ud83d\\ude00\"}"),
    T("{\"utf8\":\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\"}"),
    T("{\"k\xc3\xa9y\":{\"nested\":[[[{\"deep\":[1,{\"x\":null}]}]]]}}"),
    T("{\"a\":1,\"b\":{\"a\":2}}"), /* the same key in two objects */
    T("[\"a\\u0041\"]"),
    T("[\"\\\\ud800\"]"), /* an escaped backslash, then text: not a surrogate */
};

/* Texts json_loadb refuses with JSON_REJECT_DUPLICATES; so must json_fast_loadb. */
static const struct text invalid[] = {
    T(""),
    T("   "),
    T("5"),
    T("\"x\""),
    T("null"),
    T("{"),
    T("[1,"),
    T("[1,]"),
    T("{\"a\":}"),
    T("{\"a\" 1}"),
    T("{a:1}"),
    T("{'a':1}"),
    T("{} x"),
    T("{}{}"),
    T("{}[]"),
    T("[] \"abc"), /* an unfinished token after the value */
    T("[]\"1,1,[[1,[[0,\xdd\x8e"),
    T("{} 12"),
    T("{} tru"),
    T("[] \"x]"),
    T("{/*c*/}"),
    T("[01]"),
    T("[+1]"),
    T("[.5]"),
    T("[1.]"),
    T("[0x10]"),
    T("[NaN]"),
    T("[Infinity]"),
    T("[9223372036854775808]"),
    T("[-9223372036854775809]"),
    T("[1e400]"),
    T("[-1e400]"),
    T("{\"a\":1,\"a\":2}"),
    T("{\"a\":\"x\\u0000y\"}"),
    T("{\"a\\u0000b\":1}"),
    T("[\"\xc3\x28\"]"),         /* a lead byte without its continuation */
    T("[\"\xc0\xaf\"]"),         /* overlong */
    T("[\"\xed\xa0\x80\"]"),     /* a surrogate encoded as UTF-8 */
    T("[\"\xf4\x90\x80\x80\"]"), /* above U+10FFFF */
    T("[\"a\tb\"]"),             /* a raw control character in a string */
    T("[\"\\x\"]"),
    T("[\"\\u12\"]"),
    T("[\"unterminated]"),
    T("{\"a\":1}\x00"),
};

/* Texts yajl alone reads otherwise than jansson (json_fast.h): the outcome
 * must be json_loadb's, whatever it is. */
static const struct text otherwise[] = {
    T("[\"\\ud800\"]"),
    T("[\"\\udc00x\"]"),
    T("[\"\\uD800\\u0041\"]"),
    T("[1,\f2]"),
    T("[1,\v2]"),
    T("[1\x00]"),
    T("{\"a\":1}\x00 x"),
    T("[\"\\ud83d\\ude00\"]"),
};

static json_t *fast(const struct text *t, size_t flags, json_error_t *e)
{
    return json_fast_loadb(t->s, t->n, flags, e);
}

static void same_values_as_json_loadb(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        for (int d = 0; d < 2; d++) {
            size_t flags = d ? JSON_REJECT_DUPLICATES : 0;
            json_error_t e1, e2;
            json_t *want = json_loadb(valid[i].s, valid[i].n, flags, &e1);
            json_t *got = fast(&valid[i], flags, &e2);
            if (!want)
                fail_msg("text %zu: json_loadb refused it: %s", i, e1.text);
            if (!got)
                fail_msg("text %zu: refused: %s", i, e2.text);
            if (!json_equal(want, got))
                fail_msg("text %zu: another value", i);
            /* integers stay integers, reals reals */
            char *a = json_dumps(want, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT);
            assert_string_equal(a, b);
            free(a);
            free(b);
            json_decref(want);
            json_decref(got);
        }
    }
}

static void refuses_what_json_loadb_refuses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        json_error_t e1, e2;
        json_t *want = json_loadb(invalid[i].s, invalid[i].n, JSON_REJECT_DUPLICATES, &e1);
        if (want)
            fail_msg("text %zu: json_loadb accepted it", i);
        memset(&e2, 0xff, sizeof e2);
        json_t *got = fast(&invalid[i], JSON_REJECT_DUPLICATES, &e2);
        if (got)
            fail_msg("text %zu: accepted", i);
        /* a reason, and a position inside the text (or at its end) */
        assert_non_null(memchr(e2.text, '\0', sizeof e2.text));
        assert_true(strlen(e2.text) > 0);
        assert_true(e2.line >= 1);
        assert_true(e2.column >= 1);
        assert_true(e2.position >= 0 && (size_t)e2.position <= invalid[i].n);
    }
}

static void what_yajl_reads_otherwise_is_json_loadbs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof otherwise / sizeof *otherwise; i++) {
        json_error_t e1, e2;
        json_t *want = json_loadb(otherwise[i].s, otherwise[i].n, JSON_REJECT_DUPLICATES, &e1);
        json_t *got = fast(&otherwise[i], JSON_REJECT_DUPLICATES, &e2);
        if ((want == NULL) != (got == NULL) || (want && !json_equal(want, got)))
            fail_msg("text %zu: another outcome than json_loadb's", i);
        json_decref(want);
        json_decref(got);
    }
}

/* Without JSON_REJECT_DUPLICATES the last value of a repeated key stands,
 * as in json_loadb. */
static void duplicates_are_kept_without_the_flag(void **state)
{
    (void)state;
    const struct text t = T("{\"a\":1,\"a\":2}");
    json_error_t e;
    json_t *want = json_loadb(t.s, t.n, 0, &e), *got = fast(&t, 0, &e);
    assert_non_null(want);
    assert_non_null(got);
    assert_true(json_equal(want, got));
    assert_int_equal(json_integer_value(json_object_get(got, "a")), 2);
    json_decref(want);
    json_decref(got);
}

/* jansson's depth limit: JSON_FAST_DEPTH_MAX nested arrays parse, one more
 * does not. */
static void nesting_is_limited_as_in_json_loadb(void **state)
{
    (void)state;
    for (size_t depth = JSON_FAST_DEPTH_MAX; depth <= JSON_FAST_DEPTH_MAX + 1; depth++) {
        char *s = malloc(2 * depth);
        assert_non_null(s);
        memset(s, '[', depth);
        memset(s + depth, ']', depth);
        json_error_t e;
        json_t *want = json_loadb(s, 2 * depth, 0, &e), *got = json_fast_loadb(s, 2 * depth, 0, &e);
        assert_int_equal(want != NULL, depth == JSON_FAST_DEPTH_MAX);
        assert_int_equal(got != NULL, want != NULL);
        json_decref(want);
        json_decref(got);
        free(s);
    }
}

/* Long keys and number texts (past the small buffers) and many members. */
static void long_keys_and_numbers(void **state)
{
    (void)state;
    size_t n = 4000;
    char *s = malloc(3 * n + 100);
    assert_non_null(s);
    size_t o = 0;
    o += (size_t)sprintf(s + o, "{\"");
    memset(s + o, 'k', n);
    o += n;
    o += (size_t)sprintf(s + o, "\":0.");
    memset(s + o, '5', n);
    o += n;
    o += (size_t)sprintf(s + o, ",\"i\":");
    memset(s + o, '0', 1);
    o += 1;
    o += (size_t)sprintf(s + o, "}");
    json_error_t e;
    json_t *want = json_loadb(s, o, JSON_REJECT_DUPLICATES, &e);
    json_t *got = json_fast_loadb(s, o, JSON_REJECT_DUPLICATES, &e);
    assert_non_null(want);
    assert_non_null(got);
    assert_true(json_equal(want, got));
    json_decref(want);
    json_decref(got);
    free(s);
}

/* Where the parse stopped: line and column of the byte, 1-based. */
static void errors_point_at_the_place(void **state)
{
    (void)state;
    json_error_t e;
    const char one[] = "{\"a\":1,\"b\":x}";
    assert_null(json_fast_loadb(one, sizeof one - 1, 0, &e));
    assert_int_equal(e.line, 1);
    assert_true(e.column >= 12 && e.column <= 13); /* at the x */
    const char two[] = "{\"a\":1,\n\"b\":x}";
    assert_null(json_fast_loadb(two, sizeof two - 1, 0, &e));
    assert_int_equal(e.line, 2);
    assert_true(e.column >= 5 && e.column <= 6);
    const char dup[] = "{\"a\":1,\"a\":2}";
    assert_null(json_fast_loadb(dup, sizeof dup - 1, JSON_REJECT_DUPLICATES, &e));
    assert_non_null(strstr(e.text, "duplicate"));
    assert_null(json_fast_loadb("{}", 2, JSON_DECODE_ANY, &e)); /* a flag it does not take */
    assert_non_null(strstr(e.text, "flags"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_values_as_json_loadb),
        cmocka_unit_test(refuses_what_json_loadb_refuses),
        cmocka_unit_test(what_yajl_reads_otherwise_is_json_loadbs),
        cmocka_unit_test(duplicates_are_kept_without_the_flag),
        cmocka_unit_test(nesting_is_limited_as_in_json_loadb),
        cmocka_unit_test(long_keys_and_numbers),
        cmocka_unit_test(errors_point_at_the_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

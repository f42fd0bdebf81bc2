/*
 * test_core.c — unit tests of src/core: status table, ids, RFC 3339 time,
 * JSON helpers, bounded buffers, arenas and configuration.
 *
 * Configuration tests change IPRSHIELD_* environment variables; each of
 * them starts by clearing all of them, so test order does not matter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/id.h"
#include "core/json.h"
#include "core/status.h"
#include "core/timeutil.h"

/* ---- status ------------------------------------------------------------------ */

static void ok_is_zero_and_maps_to_http_200_and_exit_0(void **state)
{
    (void)state;
    assert_int_equal(IPS_OK, 0);
    assert_string_equal(ips_status_slug(IPS_OK), "ok");
    assert_int_equal(ips_status_http(IPS_OK), 200);
    assert_int_equal(ips_status_exit_code(IPS_OK), 0);
}

static void every_status_has_a_unique_slug_a_message_an_http_code_and_an_exit_code(void **state)
{
    (void)state;
    for (int i = 0; i < IPS__STATUS_COUNT; i++) {
        ips_status st = (ips_status)i;
        const char *slug = ips_status_slug(st);
        assert_non_null(slug);
        assert_true(strlen(slug) > 0);
        for (const char *c = slug; *c; c++)
            assert_true(islower((unsigned char)*c) || *c == '-');
        assert_true(strlen(ips_status_name(st)) > 0);
        assert_true(strlen(ips_status_message(st)) > 0);
        int http = ips_status_http(st);
        assert_true(http >= 200 && http <= 599);
        int exitc = ips_status_exit_code(st);
        assert_true(exitc >= 0 && exitc <= 125);
        if (st != IPS_OK) {
            assert_true(http >= 400);
            assert_true(exitc != 0);
        }
        for (int j = 0; j < i; j++)
            assert_string_not_equal(slug, ips_status_slug((ips_status)j));
    }
    assert_string_equal(ips_status_name(IPS_ERR_NOT_FOUND), "ERR_NOT_FOUND");
    assert_int_equal(ips_status_http(IPS_ERR_NOT_FOUND), 404);
    assert_int_equal(ips_status_http(IPS_ERR_CONFLICT), 409);
}

static void an_out_of_range_status_reads_as_internal_error(void **state)
{
    (void)state;
    assert_string_equal(ips_status_slug((ips_status)IPS__STATUS_COUNT),
                        ips_status_slug(IPS_ERR_INTERNAL));
    assert_string_equal(ips_status_slug((ips_status)-1), ips_status_slug(IPS_ERR_INTERNAL));
}

/* ---- ids ------------------------------------------------------------------------ */

static void a_new_id_is_26_valid_characters(void **state)
{
    (void)state;
    char id[ID_SIZE];
    id_new(id);
    assert_int_equal(strlen(id), ID_LEN);
    assert_true(id_is_valid(id));
}

static void ids_strictly_increase_over_ten_thousand_calls(void **state)
{
    (void)state;
    char prev[ID_SIZE], cur[ID_SIZE];
    id_new(prev);
    for (int i = 0; i < 10000; i++) {
        id_new(cur);
        assert_true(id_is_valid(cur));
        if (strcmp(prev, cur) >= 0)
            fail_msg("id %d not increasing: %s then %s", i, prev, cur);
        memcpy(prev, cur, ID_SIZE);
    }
}

static void id_is_valid_rejects_bad_ids(void **state)
{
    (void)state;
    char good[ID_SIZE];
    id_new(good);
    assert_false(id_is_valid(NULL));
    assert_false(id_is_valid(""));
    assert_false(id_is_valid("01J0000000000000000000000"));   /* 25 */
    assert_false(id_is_valid("01J000000000000000000000000")); /* 27 */
    assert_false(id_is_valid("01j00000000000000000000000"));  /* lower case */
    assert_false(id_is_valid("01I00000000000000000000000"));  /* I, L, O, U are not Crockford */
    assert_false(id_is_valid("01L00000000000000000000000"));
    assert_false(id_is_valid("01O00000000000000000000000"));
    assert_false(id_is_valid("01U00000000000000000000000"));
    assert_false(id_is_valid("01-00000000000000000000000"));
    assert_false(id_is_valid("80000000000000000000000000")); /* more than 128 bits */
    assert_true(id_is_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
    char bad[ID_SIZE];
    memcpy(bad, good, ID_SIZE);
    bad[ID_LEN - 1] = ' ';
    assert_false(id_is_valid(bad));
}

/* ---- time ------------------------------------------------------------------------ */

static void rfc3339_format_and_parse_round_trip(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *text;
    } cases[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {1764435600123, "2025-11-29T17:00:00.123Z"},
        {951782400000, "2000-02-29T00:00:00.000Z"},
        {1709164800999, "2024-02-29T00:00:00.999Z"},
        {253402300799999, "9999-12-31T23:59:59.999Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[TIME_RFC3339_LEN];
        int64_t back = -1;
        assert_int_equal(time_format_rfc3339(cases[i].ms, out, sizeof out), IPS_OK);
        assert_string_equal(out, cases[i].text);
        assert_int_equal(time_parse_rfc3339(out, &back), IPS_OK);
        assert_int_equal(back, cases[i].ms);
    }
    char now[TIME_RFC3339_LEN];
    int64_t before = time_now_ms(), parsed = 0;
    time_now_rfc3339(now, sizeof now);
    assert_int_equal(time_parse_rfc3339(now, &parsed), IPS_OK);
    assert_true(parsed >= before - 1 && parsed <= time_now_ms());
}

static void rfc3339_format_refuses_small_buffers_and_negative_times(void **state)
{
    (void)state;
    char out[TIME_RFC3339_LEN];
    assert_int_equal(time_format_rfc3339(0, out, TIME_RFC3339_LEN - 1), IPS_ERR_INVALID);
    assert_int_equal(time_format_rfc3339(-1, out, sizeof out), IPS_ERR_INVALID);
    assert_int_equal(time_format_rfc3339(253402300800000, out, sizeof out), IPS_ERR_INVALID);
    char small[4] = "abc";
    time_now_rfc3339(small, sizeof small);
    assert_string_equal(small, "");
}

static void a_deadline_lies_the_given_time_ahead_and_is_normalised(void **state)
{
    (void)state;
    struct timespec before;
    clock_gettime(CLOCK_MONOTONIC, &before);
    for (int64_t ms = 0; ms <= 3000; ms += 999) {
        struct timespec d = time_deadline(CLOCK_MONOTONIC, ms);
        assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
        int64_t ahead = ((int64_t)d.tv_sec - before.tv_sec) * 1000 +
                        (d.tv_nsec - before.tv_nsec) / 1000000;
        assert_true(ahead >= ms); /* never earlier than asked */
    }
}

static void rfc3339_parse_applies_offsets_and_fractions(void **state)
{
    (void)state;
    int64_t z = 0, v = 0;
    assert_int_equal(time_parse_rfc3339("2026-11-29T17:00:00.123Z", &z), IPS_OK);
    assert_int_equal(time_parse_rfc3339("2026-11-29T18:00:00.123+01:00", &v), IPS_OK);
    assert_int_equal(v, z);
    assert_int_equal(time_parse_rfc3339("2026-11-29T12:30:00.123-04:30", &v), IPS_OK);
    assert_int_equal(v, z);
    assert_int_equal(time_parse_rfc3339("2026-11-29t17:00:00.123z", &v), IPS_OK);
    assert_int_equal(v, z);
    assert_int_equal(time_parse_rfc3339("2026-11-29T17:00:00.123456Z", &v), IPS_OK);
    assert_int_equal(v, z); /* beyond milliseconds is truncated */
    assert_int_equal(time_parse_rfc3339("2026-11-29T17:00:00.1Z", &v), IPS_OK);
    assert_int_equal(v, z - 23);
    assert_int_equal(time_parse_rfc3339("2026-11-29T17:00:00Z", &v), IPS_OK);
    assert_int_equal(v, z - 123);
}

static void rfc3339_parse_rejects_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "not a timestamp at all",
        "2026-13-01T00:00:00Z",          /* month 13 */
        "2026-00-10T00:00:00Z",          /* month 0 */
        "2026-02-30T00:00:00Z",          /* Feb 30 */
        "2025-02-29T00:00:00Z",          /* not a leap year */
        "2026-04-31T00:00:00Z",          /* April has 30 days */
        "2026-11-29T17:00:00",           /* missing zone */
        "2026-11-29T17:00:00.123",       /* missing zone after a fraction */
        "2026-11-29T17:00:00Zjunk",      /* trailing garbage */
        "2026-11-29T17:00:00+01:00junk", /* trailing garbage after an offset */
        "2026-11-29T17:00:00.Z",         /* empty fraction */
        "2026-11-29T24:00:00Z",          /* hour 24 */
        "2026-11-29T17:60:00Z",          /* minute 60 */
        "2026-11-29X17:00:00Z",          /* bad separator */
        "2026/11/29T17:00:00Z",          /* bad date separators */
        "2026-11-29T17:00:00+0100",      /* offset without colon */
        "2026-11-29T17:00:00+24:00",     /* offset hour out of range */
        "1969-12-31T23:59:59Z",          /* before the epoch */
        "20a6-11-29T17:00:00Z",          /* letter in the year */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 4711;
        if (time_parse_rfc3339(bad[i], &v) != IPS_ERR_MALFORMED)
            fail_msg("accepted malformed timestamp '%s'", bad[i]);
        assert_int_equal(v, 4711); /* untouched */
    }
    int64_t v = 0;
    assert_int_equal(time_parse_rfc3339(NULL, &v), IPS_ERR_MALFORMED);
}

/* A timestamp cut off right after its offset sign must be refused without
 * reading past the end of the string (heap copies of the exact size let
 * AddressSanitizer see any over-read). */
static void rfc3339_parse_rejects_truncated_offsets_without_overreading(void **state)
{
    (void)state;
    static const char *const cut[] = {
        "2026-11-29T17:00:00+",
        "2026-11-29T17:00:00+0",
        "2026-11-29T17:00:00+01",
        "2026-11-29T17:00:00+01:",
        "2026-11-29T17:00:00+01:0",
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        size_t n = strlen(cut[i]) + 1;
        char *copy = malloc(n);
        assert_non_null(copy);
        memcpy(copy, cut[i], n);
        int64_t v = 0;
        ips_status st = time_parse_rfc3339(copy, &v);
        free(copy);
        if (st != IPS_ERR_MALFORMED)
            fail_msg("accepted truncated timestamp '%s'", cut[i]);
    }
}

/* ---- json ----------------------------------------------------------------------------- */

/* True when errors holds an entry {"field": field, "message": message}. */
static bool has_error(json_t *errors, const char *field, const char *message)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *f = json_string_value(json_object_get(e, "field"));
        const char *m = json_string_value(json_object_get(e, "message"));
        if (f && m && strcmp(f, field) == 0 && strcmp(m, message) == 0)
            return true;
    }
    return false;
}

static void json_parse_errors_name_line_and_column(void **state)
{
    (void)state;
    const char *text = "{\n  \"a\": 1,\n  \"b\": }";
    char err[160] = "";
    json_t *v = (json_t *)1;
    assert_int_equal(json_parse_bytes(text, strlen(text), &v, err, sizeof err),
                     IPS_ERR_MALFORMED);
    assert_null(v);
    assert_non_null(strstr(err, "line 3, column "));
}

static void json_parse_rejects_garbage_bad_utf8_nul_and_duplicate_keys(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{} trailing", "{\"a\": 1}}", "\"\xff\xfe\"", "\"a\\u0000b\"", "{\"a\": 1, \"a\": 2}",
        "", "{\"a\": tru}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v = NULL;
        char err[160];
        if (json_parse_bytes(bad[i], strlen(bad[i]), &v, err, sizeof err) != IPS_ERR_MALFORMED)
            fail_msg("accepted bad JSON '%s'", bad[i]);
        assert_null(v);
    }
    json_t *v = NULL;
    assert_int_equal(json_parse_bytes("42", 2, &v, NULL, 0), IPS_OK);
    assert_true(json_is_integer(v));
    json_decref(v);
}

static void json_parse_object_refuses_arrays_and_scalars(void **state)
{
    (void)state;
    json_t *v = (json_t *)1;
    char err[160] = "";
    assert_int_equal(json_parse_object("[1, 2]", 6, &v, err, sizeof err), IPS_ERR_INVALID);
    assert_null(v);
    assert_non_null(strstr(err, "object"));
    assert_int_equal(json_parse_object("\"x\"", 3, &v, err, sizeof err), IPS_ERR_INVALID);
    assert_int_equal(json_parse_object("[1,", 3, &v, err, sizeof err), IPS_ERR_MALFORMED);
    assert_int_equal(json_parse_object("{\"k\": []}", 9, &v, err, sizeof err), IPS_OK);
    assert_true(json_is_object(v));
    json_decref(v);
}

static void json_field_string_reports_required_type_empty_and_length_errors(void **state)
{
    (void)state;
    json_t *obj = json_pack("{s:s, s:i, s:s, s:s, s:n}", "name", "hello", "num", 5, "empty", "",
                            "long", "abcdef", "nothing");
    assert_non_null(obj);
    json_object_set_new(obj, "nul", json_stringn("a\0b", 3));
    json_t *errors = json_array();
    const char *out = "unset";

    assert_true(json_field_string(obj, "name", true, 10, &out, errors));
    assert_string_equal(out, "hello");
    assert_true(json_field_string(obj, "absent", false, 10, &out, errors));
    assert_null(out);
    assert_int_equal(json_array_size(errors), 0);

    assert_false(json_field_string(obj, "absent", true, 10, &out, errors));
    assert_true(has_error(errors, "absent", "is required"));
    assert_false(json_field_string(obj, "nothing", true, 10, &out, errors));
    assert_true(has_error(errors, "nothing", "is required"));
    assert_false(json_field_string(obj, "num", true, 10, &out, errors));
    assert_true(has_error(errors, "num", "must be a string"));
    assert_false(json_field_string(obj, "empty", true, 10, &out, errors));
    assert_true(has_error(errors, "empty", "must not be empty"));
    assert_false(json_field_string(obj, "long", true, 3, &out, errors));
    assert_true(has_error(errors, "long", "must be at most 3 bytes"));
    assert_false(json_field_string(obj, "nul", true, 10, &out, errors));
    assert_true(has_error(errors, "nul", "must not contain NUL characters"));
    assert_int_equal(json_array_size(errors), 6);

    assert_true(json_field_string(obj, "empty", false, 10, &out, errors));
    assert_string_equal(out, "");
    json_decref(errors);
    json_decref(obj);
}

static void json_field_int_reports_required_type_and_range_errors(void **state)
{
    (void)state;
    json_t *obj = json_pack("{s:i, s:s, s:f, s:i}", "days", 7, "text", "7", "real", 1.5, "big",
                            1000);
    json_t *errors = json_array();
    int64_t out = -1;
    bool present = false;

    assert_true(json_field_int(obj, "days", true, 1, 365, &out, &present, errors));
    assert_int_equal(out, 7);
    assert_true(present);
    out = -1;
    assert_true(json_field_int(obj, "absent", false, 1, 365, &out, &present, errors));
    assert_false(present);
    assert_int_equal(out, -1); /* untouched */
    assert_int_equal(json_array_size(errors), 0);

    assert_false(json_field_int(obj, "absent", true, 1, 365, &out, &present, errors));
    assert_true(has_error(errors, "absent", "is required"));
    assert_false(json_field_int(obj, "text", true, 1, 365, &out, &present, errors));
    assert_true(has_error(errors, "text", "must be an integer"));
    assert_false(json_field_int(obj, "real", true, 1, 365, &out, &present, errors));
    assert_true(has_error(errors, "real", "must be an integer"));
    assert_false(json_field_int(obj, "big", true, 1, 365, &out, NULL, errors));
    assert_true(has_error(errors, "big", "must be between 1 and 365"));
    assert_int_equal(json_array_size(errors), 4);
    json_decref(errors);
    json_decref(obj);
}

static void json_reject_unknown_names_every_unknown_field(void **state)
{
    (void)state;
    json_t *obj = json_pack("{s:s, s:s, s:s, s:i}", "name", "a", "nmae", "b", "kind", "seller",
                            "extra", 1);
    json_t *errors = json_array();
    static const char *const allowed[] = {"name", "kind", NULL};
    json_reject_unknown(obj, allowed, errors);
    assert_int_equal(json_array_size(errors), 2);
    assert_true(has_error(errors, "nmae", "is not a known field"));
    assert_true(has_error(errors, "extra", "is not a known field"));
    json_decref(errors);
    json_decref(obj);
}

static void json_dump_compact_keeps_insertion_order(void **state)
{
    (void)state;
    json_t *obj = json_object();
    json_object_set_new(obj, "b", json_integer(1));
    json_object_set_new(obj, "a", json_string("x"));
    char *text = json_dump_compact(obj);
    assert_string_equal(text, "{\"b\":1,\"a\":\"x\"}");
    free(text);
    json_decref(obj);
}

/* ---- buf ------------------------------------------------------------------------------- */

static void buf_enforces_its_maximum_and_is_unchanged_after_a_refusal(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "hello", 5), IPS_OK);
    assert_int_equal(buf_append(&b, "world!", 6), IPS_ERR_TOO_LARGE);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    assert_int_equal(buf_appendf(&b, "%s", "123456"), IPS_ERR_TOO_LARGE);
    assert_string_equal(b.data, "hello");
    assert_int_equal(buf_append(&b, "world", 5), IPS_OK); /* exactly max */
    assert_string_equal(b.data, "helloworld");
    assert_int_equal(buf_append(&b, "", 0), IPS_OK);
    assert_int_equal(buf_append(&b, "!", 1), IPS_ERR_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= b.max + 1);
    buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void buf_appendf_formats_long_text(void **state)
{
    (void)state;
    struct buf b;
    char big[1001];
    memset(big, 'q', 1000);
    big[1000] = '\0';
    buf_init(&b, 4096);
    assert_int_equal(buf_appendf(&b, "<%s>%d", big, 42), IPS_OK);
    assert_int_equal(b.len, 1004);
    assert_int_equal(b.data[0], '<');
    assert_string_equal(b.data + 1001, ">42");
    size_t len = 0;
    char *owned = buf_detach(&b, &len);
    assert_int_equal(len, 1004);
    assert_null(b.data);
    free(owned);
    owned = buf_detach(&b, &len); /* empty buffers detach as "" */
    assert_string_equal(owned, "");
    assert_int_equal(len, 0);
    free(owned);
}

/* ---- arena ---------------------------------------------------------------------------- */

static void arena_refuses_allocations_past_its_limit(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1000);
    assert_non_null(arena_alloc(&a, 600));
    assert_null(arena_alloc(&a, 500));
    assert_non_null(arena_alloc(&a, 400)); /* exactly the limit */
    assert_null(arena_alloc(&a, 1));
    assert_null(arena_alloc(&a, SIZE_MAX));
    arena_release(&a);
}

static void arena_serves_big_and_small_allocations_zeroed_and_apart(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 20);
    unsigned char *small1 = arena_alloc(&a, 24);
    unsigned char *big = arena_alloc(&a, 100000); /* larger than a chunk */
    unsigned char *small2 = arena_alloc(&a, 3);
    unsigned char *big2 = arena_alloc(&a, 20000);
    unsigned char *p[] = {small1, big, small2, big2};
    size_t n[] = {24, 100000, 3, 20000};
    for (int i = 0; i < 4; i++) {
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % alignof(max_align_t), 0);
        for (size_t j = 0; j < n[i]; j++)
            assert_int_equal(p[i][j], 0);
    }
    for (int i = 0; i < 4; i++)
        memset(p[i], 0x11 * (i + 1), n[i]);
    for (int i = 0; i < 4; i++)
        for (size_t j = 0; j < n[i]; j++)
            assert_int_equal(p[i][j], 0x11 * (i + 1)); /* no overlap */
    char *s = arena_strdup(&a, "copied");
    assert_string_equal(s, "copied");
    assert_null(arena_strdup(&a, NULL));
    arena_release(&a);
}

static void arena_release_makes_the_whole_limit_available_again(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    assert_non_null(arena_alloc(&a, 4096));
    assert_null(arena_alloc(&a, 1));
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    for (int round = 0; round < 3; round++) {
        char *p = arena_alloc(&a, 4096);
        assert_non_null(p);
        memset(p, 'x', 4096);
        arena_release(&a);
    }
}

/* ---- config ----------------------------------------------------------------------------- */

/* Unset IPRSHIELD_CONFIG and the variable of every setting. */
static void clear_config_env(void)
{
    static const char *const keys[] = {
#define KEY(field, key, kind, def, help) key,
        IPS_CONFIG_MAP(KEY)
#undef KEY
    };
    unsetenv("IPRSHIELD_CONFIG");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char name[64];
        int n = snprintf(name, sizeof name, "IPRSHIELD_%s", keys[i]);
        assert_true(n > 0 && (size_t)n < sizeof name);
        for (char *c = name; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        unsetenv(name);
    }
}

struct cfg_fixture {
    char dir[64];
    char path[128];
};

static int cfg_setup(void **state)
{
    struct cfg_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/ips-core-test-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/iprshield.conf", f->dir);
    clear_config_env();
    *state = f;
    return 0;
}

static int cfg_teardown(void **state)
{
    struct cfg_fixture *f = *state;
    clear_config_env();
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static const char *cfg_write(void **state, const char *text)
{
    struct cfg_fixture *f = *state;
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    return f->path;
}

static void config_defaults_apply_without_file_or_environment(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_string_equal(c.db, "./var/iprshield.db");
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.log_level, "info");
    assert_int_equal(c.threads, 32);
    assert_int_equal(c.body_max, 1048576);
    assert_int_equal(c.login_max_failures, 5);
    assert_int_equal(c.login_window, 900);
    assert_false(c.secure_cookies);
    config_release(&c);
}

static void config_environment_overrides_defaults(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    setenv("IPRSHIELD_LISTEN", "0.0.0.0:9000", 1);
    setenv("IPRSHIELD_THREADS", "8", 1);
    setenv("IPRSHIELD_SECURE_COOKIES", "yes", 1);
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(c.threads, 8);
    assert_true(c.secure_cookies);
    assert_string_equal(c.db, "./var/iprshield.db");
    config_release(&c);
}

static void config_environment_with_a_bad_integer_is_refused(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    setenv("IPRSHIELD_THREADS", "many", 1);
    assert_int_equal(config_load(&c, err, sizeof err), IPS_ERR_INVALID);
    assert_non_null(strstr(err, "IPRSHIELD_THREADS"));
    config_release(&c);
}

static void config_file_is_parsed_with_comments_blanks_and_spaces(void **state)
{
    const char *path = cfg_write(state, "# iprshield test configuration\n"
                                        "\n"
                                        "listen = 10.0.0.1:8443   # trailing comment\n"
                                        "threads=16\n"
                                        "   secure_cookies   =   true   \n"
                                        "db = /srv/ips/data.db\n");
    struct config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_int_equal(config_load_file(&c, path, err, sizeof err), IPS_OK);
    assert_string_equal(c.listen, "10.0.0.1:8443");
    assert_int_equal(c.threads, 16);
    assert_true(c.secure_cookies);
    assert_string_equal(c.db, "/srv/ips/data.db");
    assert_string_equal(c.log_level, "info"); /* untouched */
    config_release(&c);
}

static void config_environment_wins_over_the_file(void **state)
{
    const char *path = cfg_write(state, "listen = 10.0.0.1:1\nthreads = 2\n");
    setenv("IPRSHIELD_CONFIG", path, 1);
    setenv("IPRSHIELD_LISTEN", "10.0.0.2:2", 1);
    struct config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_string_equal(c.listen, "10.0.0.2:2");
    assert_int_equal(c.threads, 2);
    config_release(&c);
}

/* Load text as a config file and expect IPS_ERR_INVALID with an error
 * message containing each of the given fragments. */
static void expect_file_error(void **state, const char *text, const char *frag1,
                              const char *frag2)
{
    const char *path = cfg_write(state, text);
    struct config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_int_equal(config_load_file(&c, path, err, sizeof err), IPS_ERR_INVALID);
    if (!strstr(err, frag1) || !strstr(err, frag2))
        fail_msg("error '%s' lacks '%s' or '%s'", err, frag1, frag2);
    config_release(&c);
}

static void config_file_errors_name_the_line(void **state)
{
    expect_file_error(state, "# ok\nlisten = 1.2.3.4:5\nthis line has no equals sign\n", ":3:",
                      "expected key = value");
}

static void config_file_with_an_unknown_key_is_refused(void **state)
{
    expect_file_error(state, "threads = 2\ncolour = blue\n", ":2:", "unknown setting 'colour'");
}

static void config_file_with_a_bad_integer_is_refused(void **state)
{
    expect_file_error(state, "threads = four\n", ":1:", "not a non-negative integer");
    expect_file_error(state, "threads = -1\n", ":1:", "not a non-negative integer");
    expect_file_error(state, "threads = 12abc\n", ":1:", "not a non-negative integer");
    expect_file_error(state, "secure_cookies = maybe\n", ":1:", "not true or false");
}

static void config_missing_file_is_an_io_error(void **state)
{
    struct cfg_fixture *f = *state;
    struct config c;
    char err[256] = "";
    char missing[160];
    snprintf(missing, sizeof missing, "%s/absent.conf", f->dir);
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_int_equal(config_load_file(&c, missing, err, sizeof err), IPS_ERR_IO);
    assert_non_null(strstr(err, "absent.conf"));
    config_release(&c);

    setenv("IPRSHIELD_CONFIG", missing, 1);
    assert_int_equal(config_load(&c, err, sizeof err), IPS_ERR_IO);
    config_release(&c);
}

static void config_set_refuses_an_unknown_key(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, err, sizeof err), IPS_OK);
    assert_int_equal(config_set(&c, "nope", "1", err, sizeof err), IPS_ERR_INVALID);
    assert_non_null(strstr(err, "unknown setting 'nope'"));
    assert_int_equal(config_set(&c, "threads", "3", err, sizeof err), IPS_OK);
    assert_int_equal(c.threads, 3);
    config_release(&c);
}

static void config_help_lists_every_setting(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    assert_non_null(fp);
    config_print_help(fp);
    fclose(fp);
#define CHECK_KEY(field, key, kind, def, help) assert_non_null(strstr(text, key));
    IPS_CONFIG_MAP(CHECK_KEY)
#undef CHECK_KEY
    free(text);
}

#define T(name) cmocka_unit_test(name)
#define T_CFG(name) cmocka_unit_test_setup_teardown(name, cfg_setup, cfg_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ok_is_zero_and_maps_to_http_200_and_exit_0),
        T(every_status_has_a_unique_slug_a_message_an_http_code_and_an_exit_code),
        T(an_out_of_range_status_reads_as_internal_error),
        T(a_new_id_is_26_valid_characters),
        T(ids_strictly_increase_over_ten_thousand_calls),
        T(id_is_valid_rejects_bad_ids),
        T(rfc3339_format_and_parse_round_trip),
        T(rfc3339_format_refuses_small_buffers_and_negative_times),
        T(a_deadline_lies_the_given_time_ahead_and_is_normalised),
        T(rfc3339_parse_applies_offsets_and_fractions),
        T(rfc3339_parse_rejects_malformed_text),
        T(rfc3339_parse_rejects_truncated_offsets_without_overreading),
        T(json_parse_errors_name_line_and_column),
        T(json_parse_rejects_garbage_bad_utf8_nul_and_duplicate_keys),
        T(json_parse_object_refuses_arrays_and_scalars),
        T(json_field_string_reports_required_type_empty_and_length_errors),
        T(json_field_int_reports_required_type_and_range_errors),
        T(json_reject_unknown_names_every_unknown_field),
        T(json_dump_compact_keeps_insertion_order),
        T(buf_enforces_its_maximum_and_is_unchanged_after_a_refusal),
        T(buf_appendf_formats_long_text),
        T(arena_refuses_allocations_past_its_limit),
        T(arena_serves_big_and_small_allocations_zeroed_and_apart),
        T(arena_release_makes_the_whole_limit_available_again),
        T_CFG(config_defaults_apply_without_file_or_environment),
        T_CFG(config_environment_overrides_defaults),
        T_CFG(config_environment_with_a_bad_integer_is_refused),
        T_CFG(config_file_is_parsed_with_comments_blanks_and_spaces),
        T_CFG(config_environment_wins_over_the_file),
        T_CFG(config_file_errors_name_the_line),
        T_CFG(config_file_with_an_unknown_key_is_refused),
        T_CFG(config_file_with_a_bad_integer_is_refused),
        T_CFG(config_missing_file_is_an_io_error),
        T_CFG(config_set_refuses_an_unknown_key),
        T_CFG(config_help_lists_every_setting),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

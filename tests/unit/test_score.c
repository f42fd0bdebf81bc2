/* test_score.c — signals to score and action by policy, policy overrides,
 * and the batch verdicts of issue 5 item 7 (signals, rightholder names,
 * authorised sellers, prices, bad listings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static const char profiles[] =
    "{\"profiles\":[{\"rightholder\":\"Gucci SpA\",\"terms\":[\"Gucci\",\"古驰\"],"
    "\"reference_prices\":[{\"category\":\"bags\",\"currency\":\"USD\",\"min\":300}],"
    "\"authorized_sellers\":[\"s1\"]},"
    "{\"rightholder\":\"Apple Inc\",\"terms\":[\"Apple\",\"iPhone\"]}]}";

static void no_signal_means_allow_with_score_zero(void **state)
{
    (void)state;
    struct detect_policy p;
    detect_policy_default(&p);
    bool present[DETECT_SIG_COUNT] = {false};
    double score = 1;
    enum detect_action a = DETECT_BLOCK;
    detect_policy_apply(&p, present, NULL, &score, &a);
    assert_true(score == 0.0);
    assert_int_equal(a, DETECT_ALLOW);
}

static void signals_add_up_to_stronger_actions(void **state)
{
    (void)state;
    struct detect_policy p;
    detect_policy_default(&p);
    bool present[DETECT_SIG_COUNT] = {false};
    double score, prev = 0;
    enum detect_action a;
    present[DETECT_SIG_BRAND_TERM] = true;
    detect_policy_apply(&p, present, NULL, &score, &a);
    assert_int_equal(a, DETECT_ALLOW);
    prev = score;
    present[DETECT_SIG_CUE_PHRASE] = true;
    detect_policy_apply(&p, present, NULL, &score, &a);
    assert_true(score > prev);
    assert_int_equal(a, DETECT_REVIEW);
    present[DETECT_SIG_UNAUTHORISED_SELLER] = true;
    present[DETECT_SIG_PRICE_BELOW_REFERENCE] = true;
    detect_policy_apply(&p, present, NULL, &score, &a);
    assert_int_equal(a, DETECT_BLOCK);
}

static void without_a_brand_nothing_is_blocked(void **state)
{
    (void)state;
    struct detect_policy p;
    detect_policy_default(&p);
    bool present[DETECT_SIG_COUNT] = {false};
    double strength[DETECT_SIG_COUNT] = {0};
    for (int t = 0; t < DETECT_SIG_COUNT; t++)
        strength[t] = 1;
    present[DETECT_SIG_CUE_PHRASE] = present[DETECT_SIG_UNAUTHORISED_SELLER] =
        present[DETECT_SIG_PRICE_BELOW_REFERENCE] = true;
    double score;
    enum detect_action a;
    detect_policy_apply(&p, present, strength, &score, &a);
    assert_true(score >= p.block_at);
    assert_int_equal(a, DETECT_REVIEW);
}

static void policy_json_overrides_and_refuses_bad_values(void **state)
{
    (void)state;
    struct detect_policy p;
    detect_policy_default(&p);
    char err[200];
    json_t *j = json_loads("{\"weights\":{\"cue_phrase\":0.9},\"block\":0.8}", 0, NULL);
    assert_int_equal(detect_policy_from_json(&p, j, err, sizeof err), IPS_OK);
    assert_true(p.weight[DETECT_SIG_CUE_PHRASE] == 0.9 && p.block_at == 0.8);
    json_decref(j);
    struct detect_policy before = p;
    static const char *const bad[] = {"{\"block\":2}", "{\"weights\":{\"nope\":0.1}}",
                                      "{\"review\":0.9,\"block\":0.5}", "{\"colour\":1}", "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = json_loads(bad[i], 0, NULL);
        assert_int_equal(detect_policy_from_json(&p, j, err, sizeof err), IPS_ERR_INVALID);
        assert_memory_equal(&p, &before, sizeof p);
        json_decref(j);
    }
}

struct fx {
    struct detect_batch *b;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char err[300];
    assert_int_equal(detect_batch_new(profiles, strlen(profiles), NULL, NULL, &f->b, err, sizeof err), IPS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    detect_batch_free(f->b);
    free(f);
    return 0;
}

static json_t *verdict(struct fx *f, const char *listing)
{
    json_t *l = json_loads(listing, 0, NULL);
    assert_non_null(l);
    json_t *v = NULL;
    char err[300];
    assert_int_equal(detect_batch_verdict(f->b, l, &v, err, sizeof err), IPS_OK);
    json_decref(l);
    return v;
}

/* Number of signals of type in v (and, when rh is set, of that rightholder). */
static size_t count(json_t *v, const char *type, const char *rh)
{
    size_t n = 0, i;
    json_t *s;
    json_array_foreach(json_object_get(v, "signals"), i, s)
    {
        if (!strcmp(json_string_value(json_object_get(s, "type")), type) &&
            (!rh || !strcmp(json_string_value(json_object_get(s, "rightholder")), rh)))
            n++;
    }
    return n;
}

static void a_cheap_replica_from_an_unauthorised_seller_is_blocked(void **state)
{
    json_t *v = verdict(*state, "{\"id\":\"L1\",\"seller_id\":\"s9\",\"title\":\"G.u.c.c.i bag 1:1 replica\","
                                "\"price\":25,\"currency\":\"USD\",\"category\":\"bags\"}");
    assert_string_equal(json_string_value(json_object_get(v, "action")), "block");
    assert_int_equal(count(v, "brand_term", "Gucci SpA"), 1);
    assert_int_equal(count(v, "cue_phrase", NULL), 2);
    assert_int_equal(count(v, "unauthorised_seller", "Gucci SpA"), 1);
    assert_int_equal(count(v, "price_below_reference", "Gucci SpA"), 1);
    json_t *b = json_array_get(json_object_get(v, "signals"), 0);
    assert_string_equal(json_string_value(json_object_get(b, "field")), "title");
    assert_int_equal(json_integer_value(json_object_get(b, "start")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "end")), 9);
    json_decref(v);
}

static void an_authorised_seller_mentioning_its_brand_is_allowed(void **state)
{
    json_t *v = verdict(*state, "{\"id\":\"L2\",\"seller_id\":\"s1\",\"title\":\"Gucci Marmont bag\","
                                "\"price\":1200,\"currency\":\"USD\",\"category\":\"bags\"}");
    assert_string_equal(json_string_value(json_object_get(v, "action")), "allow");
    assert_int_equal(json_array_size(json_object_get(v, "signals")), 0);
    json_decref(v);
}

static void a_brand_inside_another_word_is_no_signal(void **state)
{
    json_t *v = verdict(*state, "{\"id\":\"L3\",\"title\":\"pineapple sample\",\"description\":\"go to bed\"}");
    assert_string_equal(json_string_value(json_object_get(v, "action")), "allow");
    assert_int_equal(json_array_size(json_object_get(v, "signals")), 0);
    json_decref(v);
}

static void a_brand_without_authorised_list_gets_a_brand_signal_only(void **state)
{
    json_t *v = verdict(*state, "{\"id\":\"L4\",\"seller_id\":\"s2\",\"title\":\"case for iPhone\","
                                "\"description\":\"fits Аpple phones\"}");
    assert_int_equal(count(v, "brand_term", "Apple Inc"), 2);
    assert_int_equal(count(v, "unauthorised_seller", NULL), 0);
    json_decref(v);
}

static void bad_lines_get_error_verdicts_and_the_scan_goes_on(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {"{not json", "[1,2]", "{\"id\":\"L5\"}",
                                      "{\"id\":\"L6\",\"title\":\"x\",\"price\":\"cheap\"}",
                                      "{\"id\":\"bad id!\",\"title\":\"x\"}",
                                      "{\"id\":\"L7\",\"title\":\"x\",\"images\":\"a.jpg\"}"};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool was_error = false;
        assert_int_equal(detect_batch_scan_line(f->b, bad[i], strlen(bad[i]), (int64_t)i + 1, out, &was_error), IPS_OK);
        assert_true(was_error);
    }
    bool was_error = true;
    const char *good = "{\"id\":\"L8\",\"title\":\"Gucci\"}";
    assert_int_equal(detect_batch_scan_line(f->b, good, strlen(good), 7, out, &was_error), IPS_OK);
    assert_false(was_error);
    fclose(out);
    assert_non_null(strstr(buf, "{\"line\":1,\"error\":\"malformed JSON"));
    assert_non_null(strstr(buf, "{\"line\":3,\"id\":\"L5\",\"error\":\"title"));
    assert_non_null(strstr(buf, "{\"id\":\"L8\","));
    free(buf);
}

/* The verdict line b writes for line (not an error verdict), its length in
 * *len (newline included); free it. */
static char *scan_one(struct detect_batch *b, const char *line, size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);
    bool was_error = true;
    assert_int_equal(detect_batch_scan_line(b, line, strlen(line), 1, out, &was_error), IPS_OK);
    fclose(out);
    assert_false(was_error);
    return buf;
}

/* Verdicts with signals are written directly, not through jansson: the bytes
 * are still those json_dumps wrote (expected lines: the jansson-based writer's
 * output), on the fast path and on the general path (a nested object sends
 * the line there): escapes in names and matched text, control characters as
 * \\u00XX, reals in jansson's %.6g form with its exponent spelling. */
static void verdict_lines_keep_the_bytes_jansson_wrote(void **state)
{
    (void)state;
    static const char prof[] = "{\"profiles\":[{\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"terms\":[\"Zorbo\",\"Ka\\\"lo\"],\"reference_prices\":[{\"category\":\"c\",\"currency\":\"EUR\",\"min\":1e9},{\"category\":\"c\",\"currency\":\"EUR\",\"min\":0.0003}],\"authorized_sellers\":[\"ok\"]},{\"rightholder\":\"Second\",\"terms\":[\"Zorbo\"]}]}";
    static const char *const lines[] = {"{\"id\":\"U1\",\"title\":\"Z\\to\\tr\\tb\\to cheap\",\"price\":1234567.5,\"currency\":\"EUR\",\"category\":\"C\"}", "{\"id\":\"U2\",\"title\":\"Z\\u0001o\\u0001r\\u0001b\\u0001o\",\"price\":0.0000123,\"currency\":\"EUR\",\"category\":\"c\"}", "{\"id\":\"U1\",\"title\":\"Z\\to\\tr\\tb\\to cheap\",\"price\":1234567.5,\"currency\":\"EUR\",\"category\":\"C\",\"x\":{\"nested\":true}}"};
    static const char *const want[] = {"{\"id\":\"U1\",\"score\":0.814,\"action\":\"review\",\"signals\":[{\"type\":\"brand_term\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"term\":\"Zorbo\",\"field\":\"title\",\"start\":0,\"end\":9,\"match\":\"Z\\to\\tr\\tb\\to\"},{\"type\":\"brand_term\",\"rightholder\":\"Second\",\"term\":\"Zorbo\",\"field\":\"title\",\"start\":0,\"end\":9,\"match\":\"Z\\to\\tr\\tb\\to\"},{\"type\":\"unauthorised_seller\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\"},{\"type\":\"price_below_reference\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"category\":\"c\",\"currency\":\"EUR\",\"price\":1.23457e6,\"reference_min\":1e9,\"below\":0.999}]}", "{\"id\":\"U2\",\"score\":0.814,\"action\":\"review\",\"signals\":[{\"type\":\"brand_term\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"term\":\"Zorbo\",\"field\":\"title\",\"start\":0,\"end\":9,\"match\":\"Z\\u0001o\\u0001r\\u0001b\\u0001o\"},{\"type\":\"brand_term\",\"rightholder\":\"Second\",\"term\":\"Zorbo\",\"field\":\"title\",\"start\":0,\"end\":9,\"match\":\"Z\\u0001o\\u0001r\\u0001b\\u0001o\"},{\"type\":\"unauthorised_seller\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\"},{\"type\":\"price_below_reference\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"category\":\"c\",\"currency\":\"EUR\",\"price\":1.23e-5,\"reference_min\":1e9,\"below\":1.0},{\"type\":\"price_below_reference\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"category\":\"c\",\"currency\":\"EUR\",\"price\":1.23e-5,\"reference_min\":0.0003,\"below\":0.959}]}", "{\"id\":\"U1\",\"score\":0.814,\"action\":\"review\",\"signals\":[{\"type\":\"brand_term\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"term\":\"Zorbo\",\"field\":\"title\",\"start\":0,\"end\":9,\"match\":\"Z\\to\\tr\\tb\\to\"},{\"type\":\"brand_term\",\"rightholder\":\"Second\",\"term\":\"Zorbo\",\"field\":\"title\",\"start\":0,\"end\":9,\"match\":\"Z\\to\\tr\\tb\\to\"},{\"type\":\"unauthorised_seller\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\"},{\"type\":\"price_below_reference\",\"rightholder\":\"Q\\\"uote \\\\ Co\\u0007\",\"category\":\"c\",\"currency\":\"EUR\",\"price\":1.23457e6,\"reference_min\":1e9,\"below\":0.999}]}"};
    struct detect_batch *b = NULL;
    char err[300] = "";
    assert_int_equal(detect_batch_new(prof, strlen(prof), NULL, NULL, &b, err, sizeof err), IPS_OK);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t len = 0;
        char *buf = scan_one(b, lines[i], &len);
        assert_int_equal(len, strlen(want[i]) + 1);
        assert_memory_equal(buf, want[i], len - 1);
        free(buf);
    }
    detect_batch_free(b);
}

/* Reals written without snprintf (k / 1000 below 1000) and with it: the
 * verdict line is what jansson writes for the same values. */
static void prices_are_written_as_jansson_writes_them(void **state)
{
    (void)state;
    static const char prof[] = "{\"profiles\":[{\"rightholder\":\"R\",\"terms\":[\"Zorbo\"],"
                               "\"reference_prices\":[{\"category\":\"c\",\"currency\":\"EUR\","
                               "\"min\":1e9}]}]}";
    static const char *const prices[] = {"0",       "12",     "299.99",   "999.999", "0.001",
                                         "45.5",    "123.4567", "1000",   "999.9995", "0.0005",
                                         "100.1",   "7.25",   "\"19.999\"", "0.1"};
    struct detect_batch *b = NULL;
    char err[300] = "";
    assert_int_equal(detect_batch_new(prof, strlen(prof), NULL, NULL, &b, err, sizeof err), IPS_OK);
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        char line[200];
        snprintf(line, sizeof line,
                 "{\"id\":\"P%zu\",\"title\":\"zorbo bag\",\"price\":%s,\"currency\":\"EUR\","
                 "\"category\":\"c\"}",
                 i, prices[i]);
        size_t len = 0;
        char *buf = scan_one(b, line, &len);
        assert_true(len > 1 && buf[len - 1] == '\n');
        assert_non_null(strstr(buf, "price_below_reference"));
        json_error_t je;
        json_t *v = json_loadb(buf, len - 1, 0, &je);
        assert_non_null(v);
        char *again = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(6) | JSON_PRESERVE_ORDER);
        assert_non_null(again);
        if (strlen(again) != len - 1 || memcmp(again, buf, len - 1) != 0)
            fail_msg("price %s: wrote %.*s, jansson %s", prices[i], (int)(len - 1), buf, again);
        free(again);
        json_decref(v);
        free(buf);
    }
    detect_batch_free(b);
}

/* The verdict writer copies the plain stretches of a string 16 bytes at a
 * time and escapes the rest: quotes, backslashes, control characters and
 * UTF-8 at every position of names and matched text up to 40 bytes long are
 * written as json_dumps writes them (the line parsed and dumped again by
 * jansson gives the same bytes). */
static void long_strings_are_escaped_as_jansson_escapes_them(void **state)
{
    (void)state;
    static const char *const special[] = {"\\\"",    "\\\\",    "\\u0001", "\\n",
                                          "\\u00e9", "\\u007f", "\\t"};
    const size_t ns = sizeof special / sizeof special[0];
    char prof[16384];
    size_t o = (size_t)snprintf(prof, sizeof prof, "{\"profiles\":[");
    for (size_t k = 0; k < 40; k++) { /* a name with a special byte at offset k */
        char name[64];
        memset(name, 'a' + (int)(k % 26), k);
        name[k] = '\0';
        o += (size_t)snprintf(prof + o, sizeof prof - o,
                              "%s{\"rightholder\":\"%s%s%.*s\",\"terms\":[\"Zorbotronic\"]}",
                              k ? "," : "", name, special[k % ns], (int)(k % 23),
                              "bcdefghijklmnopqrstuvwx");
    }
    snprintf(prof + o, sizeof prof - o, "]}");
    struct detect_batch *b = NULL;
    char err[300] = "";
    assert_int_equal(detect_batch_new(prof, strlen(prof), NULL, NULL, &b, err, sizeof err), IPS_OK);
    static const char *const sep[] = {"\\t", ".", "\\u0002", "\\n", " ", "-", "\\r", "\\\\"};
    const size_t nsep = sizeof sep / sizeof sep[0];
    for (size_t i = 0; i < 64; i++) {
        /* "Zorbotronic" spread with separators: a match of 21 bytes and more,
         * with escapes at varying offsets */
        static const char term[] = "Zorbotronic";
        char title[256];
        size_t t = 0;
        for (size_t c = 0; term[c]; c++)
            t += (size_t)snprintf(title + t, sizeof title - t, "%s%c",
                                  c ? sep[(i + c * (i % 5 + 1)) % nsep] : "", term[c]);
        char line[512];
        snprintf(line, sizeof line,
                 "{\"id\":\"E%zu\",\"title\":\"%s%s\",\"description\":\"plain %zu\"}", i,
                 i % 3 ? "" : "new ", title, i);
        size_t len = 0;
        char *buf = scan_one(b, line, &len);
        assert_true(len > 1 && buf[len - 1] == '\n');
        json_error_t je;
        json_t *v = json_loadb(buf, len - 1, 0, &je);
        if (!v)
            fail_msg("%s: not JSON: %s", line, je.text);
        assert_int_equal(json_array_size(json_object_get(v, "signals")), 40);
        char *again = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(6) | JSON_PRESERVE_ORDER);
        assert_non_null(again);
        if (strlen(again) != len - 1 || memcmp(again, buf, len - 1) != 0)
            fail_msg("%s\nwrote:   %.*s\njansson: %s", line, (int)(len - 1), buf, again);
        free(again);
        json_decref(v);
        free(buf);
    }
    detect_batch_free(b);
}

/* The fast path scans title and description once, joined, and judges a line
 * with a hit from those hits (a field without one is not normalised again);
 * the general path (detect_batch_verdict) scans each field on its own. Both
 * must write the same verdict: random ASCII lines with terms and cue phrases
 * in the title, the description, both, repeated, spread and with "m" words. */
static void the_one_scan_of_both_fields_gives_the_per_field_verdicts(void **state)
{
    (void)state;
    static const char prof[] =
        "{\"profiles\":[{\"rightholder\":\"Zorbo Co\",\"terms\":[\"Zorbo\",\"Mirra Lux\"],"
        "\"authorized_sellers\":[\"ok\"],\"reference_prices\":[{\"category\":\"bags\","
        "\"currency\":\"USD\",\"min\":300}]},{\"rightholder\":\"Kalo\",\"terms\":[\"kalo\",\"zorbo\"]}]}";
    static const char *const words[] = {"bag",   "women", "small", "zorbo", "Z.O.R.B.O", "replica",
                                        "1:1",   "kalo",  "mirra", "lux",   "original",   "quality",
                                        "m",     "x",     "Mirra Lux", "new  ", "-", "kaloo"};
    const size_t nw = sizeof words / sizeof words[0];
    struct detect_batch *b = NULL;
    char err[300] = "";
    assert_int_equal(detect_batch_new(prof, strlen(prof), NULL, NULL, &b, err, sizeof err), IPS_OK);
    uint64_t r = 88172645463325252ull;
    size_t hits = 0;
    for (int i = 0; i < 3000; i++) {
        char title[200], desc[400], line[800];
        size_t to = 0, d = 0;
        title[0] = desc[0] = '\0';
        for (int w = 0; w < 1 + i % 7; w++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            to += (size_t)snprintf(title + to, sizeof title - to, "%s%s", w ? " " : "", words[r % nw]);
        }
        for (int w = 0; w < i % 13; w++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            d += (size_t)snprintf(desc + d, sizeof desc - d, "%s%s", w ? " " : "", words[r % nw]);
        }
        snprintf(line, sizeof line,
                 "{\"id\":\"R%d\",\"seller_id\":\"%s\",\"title\":\"%s\",\"description\":\"%s\","
                 "\"price\":%d,\"currency\":\"USD\",\"category\":\"bags\"}",
                 i, i % 5 ? "s9" : "ok", title, desc, (int)(r % 500));
        size_t len = 0;
        char *buf = scan_one(b, line, &len);
        json_error_t je;
        json_t *l = json_loads(line, 0, &je), *v = NULL;
        assert_non_null(l);
        assert_int_equal(detect_batch_verdict(b, l, &v, err, sizeof err), IPS_OK);
        char *want = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(6) | JSON_PRESERVE_ORDER);
        assert_non_null(want);
        if (strlen(want) != len - 1 || memcmp(want, buf, len - 1) != 0)
            fail_msg("%s\nfast:    %.*s\ngeneral: %s", line, (int)(len - 1), buf, want);
        hits += strstr(want, "\"signals\":[]") == NULL;
        free(want);
        json_decref(v);
        json_decref(l);
        free(buf);
    }
    assert_true(hits > 1000 && hits < 2900); /* both kinds of line were there */
    detect_batch_free(b);
}

static void bad_profiles_are_refused_with_a_reason(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{}", "{\"profiles\":[{\"terms\":[\"x\"]}]}", "{\"profiles\":[{\"rightholder\":\"A\",\"terms\":[]}]}",
        "{\"profiles\":[{\"rightholder\":\"A\",\"terms\":[\"--\"]}]}",
        "{\"profiles\":[{\"rightholder\":\"A\",\"terms\":[\"a\"],\"image_hashes\":[\"zz\"]}]}",
        "{\"profiles\":[{\"rightholder\":\"A\",\"terms\":[\"a\"],\"colour\":1}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct detect_batch *b = NULL;
        char err[300] = "";
        assert_int_not_equal(detect_batch_new(bad[i], strlen(bad[i]), NULL, NULL, &b, err, sizeof err), IPS_OK);
        assert_null(b);
        assert_true(strlen(err) > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_signal_means_allow_with_score_zero),
        cmocka_unit_test(signals_add_up_to_stronger_actions),
        cmocka_unit_test(without_a_brand_nothing_is_blocked),
        cmocka_unit_test(policy_json_overrides_and_refuses_bad_values),
        cmocka_unit_test_setup_teardown(a_cheap_replica_from_an_unauthorised_seller_is_blocked, setup, teardown),
        cmocka_unit_test_setup_teardown(an_authorised_seller_mentioning_its_brand_is_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(a_brand_inside_another_word_is_no_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(a_brand_without_authorised_list_gets_a_brand_signal_only, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_lines_get_error_verdicts_and_the_scan_goes_on, setup, teardown),
        cmocka_unit_test(bad_profiles_are_refused_with_a_reason),
        cmocka_unit_test(verdict_lines_keep_the_bytes_jansson_wrote),
        cmocka_unit_test(prices_are_written_as_jansson_writes_them),
        cmocka_unit_test(the_one_scan_of_both_fields_gives_the_per_field_verdicts),
        cmocka_unit_test(long_strings_are_escaped_as_jansson_escapes_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

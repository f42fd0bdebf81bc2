/* test_matcher.c — normalisation and the one-pass matcher against every
 * evasion class, positive and negative, from the data-driven case file
 * tests/data/detect/matcher.cases, plus the offset map and the cue list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

static const char *const brands[] = {"Gucci", "Apple", "Louis Vuitton", "Amazon", "Nike", "古驰", "3M"};
#define NBRANDS (sizeof brands / sizeof brands[0])

struct fixture {
    struct detect_normaliser *norm;
    struct detect_matcher *m;
    struct detect_scanner *sc;
    struct detect_pattern_in pats[200];
    size_t npats;
    struct detect_text t;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_int_equal(detect_normaliser_new(&f->norm), IPS_OK);
    for (size_t i = 0; i < NBRANDS; i++)
        f->pats[f->npats++] = (struct detect_pattern_in){brands[i], DETECT_PATTERN_BRAND, (int)i};
    for (size_t k = 0; detect_cue_phrases[k]; k++)
        f->pats[f->npats++] = (struct detect_pattern_in){detect_cue_phrases[k], DETECT_PATTERN_CUE, -1};
    char err[200];
    assert_int_equal(detect_matcher_build(f->norm, f->pats, f->npats, &f->m, NULL, err, sizeof err), IPS_OK);
    assert_int_equal(detect_scanner_new(f->m, &f->sc), IPS_OK);
    detect_text_init(&f->t);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    detect_text_release(&f->t);
    detect_scanner_free(f->sc);
    detect_matcher_free(f->m);
    detect_normaliser_free(f->norm);
    free(f);
    return 0;
}

/* The hits of text as "pattern@start-end;..." or "-". */
static void hits_of(struct fixture *f, const char *text, size_t len, char *out, size_t cap)
{
    assert_int_equal(detect_normalise(f->norm, text, len, &f->t), IPS_OK);
    const struct detect_match *m;
    size_t n;
    assert_int_equal(detect_scan_text(f->sc, &f->t, &m, &n), IPS_OK);
    size_t o = 0;
    out[0] = '\0';
    if (n == 0)
        snprintf(out, cap, "-");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s@%u-%u", i ? ";" : "", f->pats[m[i].pattern].text,
                              m[i].start, m[i].end);
}

/* Undo \xHH escapes of the case file in place; returns the new length. */
static size_t unescape(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] && s[i + 3]) {
            char hex[3] = {s[i + 2], s[i + 3], 0};
            s[o++] = (char)strtol(hex, NULL, 16);
            i += 3;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
    return o;
}

static void every_case_of_the_case_file_matches_exactly(void **state)
{
    struct fixture *f = *state;
    char path[1024];
    const char *src = __FILE__;
    const char *cut = strstr(src, "tests/unit/");
    assert_non_null(cut);
    snprintf(path, sizeof path, "%.*stests/data/detect/matcher.cases", (int)(cut - src), src);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[4096];
    int cases = 0, failures = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2) {
            fail_msg("matcher.cases: a line without two tabs: %s", line);
            continue; /* not reached: fail_msg ends the test */
        }
        *t1 = *t2 = '\0';
        char *text = t1 + 1, *want = t2 + 1, got[2048];
        size_t len = unescape(text);
        hits_of(f, text, len, got, sizeof got);
        cases++;
        if (strcmp(got, want) != 0) {
            failures++;
            print_error("case %s [%s]: want %s, got %s (normal form [%s])\n", line, text, want, got,
                        f->t.s ? f->t.s : "");
        }
    }
    fclose(in);
    assert_true(cases >= 50);
    assert_int_equal(failures, 0);
}

static void spans_point_into_the_original_text(void **state)
{
    struct fixture *f = *state;
    const char *text = "Genuine ＧＵＣＣＩ and G.u.c.c.i bags";
    assert_int_equal(detect_normalise(f->norm, text, strlen(text), &f->t), IPS_OK);
    const struct detect_match *m;
    size_t n;
    assert_int_equal(detect_scan_text(f->sc, &f->t, &m, &n), IPS_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(text + m[0].start, "ＧＵＣＣＩ", m[0].end - m[0].start);
    assert_memory_equal(text + m[1].start, "G.u.c.c.i", m[1].end - m[1].start);
}

static void normal_form_puts_one_space_around_every_word(void **state)
{
    struct fixture *f = *state;
    const char *text = "  Hello,   WORLD!! ";
    assert_int_equal(detect_normalise(f->norm, text, strlen(text), &f->t), IPS_OK);
    assert_string_equal(f->t.s, " hello world ");
    for (size_t i = 0; i < f->t.len; i++)
        assert_true(f->t.oend[i] <= strlen(text));
}

static void words_of_two_letters_or_more_never_join(void **state)
{
    struct fixture *f = *state;
    const char *text = "go to bed a b";
    assert_int_equal(detect_normalise(f->norm, text, strlen(text), &f->t), IPS_OK);
    assert_string_equal(f->t.s, " go to bed a b ");
}

static void no_two_cue_phrases_share_a_normal_form(void **state)
{
    struct fixture *f = *state;
    size_t ncues = 0;
    while (detect_cue_phrases[ncues])
        ncues++;
    for (size_t i = NBRANDS; i < f->npats; i++)
        for (size_t j = i + 1; j < f->npats; j++)
            if (!strcmp(detect_matcher_pattern_text(f->m, (uint32_t)i),
                        detect_matcher_pattern_text(f->m, (uint32_t)j)))
                fail_msg("cue phrases '%s' and '%s' normalise alike", f->pats[i].text, f->pats[j].text);
    assert_true(ncues >= 20);
}

static void a_term_without_letters_is_refused(void **state)
{
    struct fixture *f = *state;
    struct detect_pattern_in p[2] = {{"Gucci", DETECT_PATTERN_BRAND, 0}, {" -- ", DETECT_PATTERN_BRAND, 0}};
    struct detect_matcher *m = NULL;
    size_t bad = 99;
    char err[200];
    assert_int_equal(detect_matcher_build(f->norm, p, 2, &m, &bad, err, sizeof err), IPS_ERR_INVALID);
    assert_null(m);
    assert_int_equal(bad, 1);
}

static void oversized_text_is_refused_and_leaves_an_empty_form(void **state)
{
    struct fixture *f = *state;
    size_t n = DETECT_TEXT_MAX + 1;
    char *big = malloc(n);
    memset(big, 'a', n);
    assert_int_equal(detect_normalise(f->norm, big, n, &f->t), IPS_ERR_TOO_LARGE);
    assert_int_equal(f->t.len, 0);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_case_of_the_case_file_matches_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(spans_point_into_the_original_text, setup, teardown),
        cmocka_unit_test_setup_teardown(normal_form_puts_one_space_around_every_word, setup, teardown),
        cmocka_unit_test_setup_teardown(words_of_two_letters_or_more_never_join, setup, teardown),
        cmocka_unit_test_setup_teardown(no_two_cue_phrases_share_a_normal_form, setup, teardown),
        cmocka_unit_test_setup_teardown(a_term_without_letters_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_text_is_refused_and_leaves_an_empty_form, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

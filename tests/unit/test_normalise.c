/* test_normalise.c — the text normal form on its own: each evasion class
 * reduces to the plain brand's normal form, ordinary text is left alone,
 * and the offset map stays inside the original. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/detect_internal.h"

struct fixture {
    struct detect_normaliser *n;
    struct detect_text t;
    char buf[512];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_int_equal(detect_normaliser_new(&f->n), IPS_OK);
    detect_text_init(&f->t);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    detect_text_release(&f->t);
    detect_normaliser_free(f->n);
    free(f);
    return 0;
}

static const char *norm(struct fixture *f, const char *s)
{
    assert_int_equal(detect_normalise(f->n, s, strlen(s), &f->t), IPS_OK);
    for (size_t i = 0; i < f->t.len; i++) {
        assert_true(f->t.ostart[i] <= f->t.oend[i]);
        assert_true(f->t.oend[i] <= strlen(s));
    }
    snprintf(f->buf, sizeof f->buf, "%s", f->t.s);
    return f->buf;
}

static void every_look_alike_of_gucci_has_the_plain_normal_form(void **state)
{
    struct fixture *f = *state;
    static const char *const forms[] = {
        "GUCCI", "gucci", "Guссi" /* Cyrillic es */, "Ｇｕｃｃｉ", "𝐆𝐮𝐜𝐜𝐢", "ⒼⓊⒸⒸⒾ", "Gu\u200bcci",
        "G\u0332u\u0332c\u0332c\u0332i\u0332", "Gucc1", "G u c c i", "G.u.c.c.i", "G-u-c-c-i",
        "G\u00adu\u00adcci",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        assert_string_equal(norm(f, forms[i]), " guccl ");
}

static void greek_and_cyrillic_capitals_map_to_latin(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, "ΝΙΚΕ"), " nlke ");
    assert_string_equal(norm(f, "АРРLЕ"), " apple ");
}

/* Found by `iprshield eval` on `demo generate` data: these have no NFKC
 * decomposition and a non-Latin TR39 skeleton. */
static void negative_enclosed_and_regional_letters_map_to_latin(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, "\U0001F176\U0001F184\U0001F172\U0001F172\U0001F178"), " guccl ");
    assert_string_equal(norm(f, "\U0001F156\U0001F164\U0001F152\U0001F152\U0001F158"), " guccl ");
    assert_string_equal(norm(f, "\U0001F1EC\U0001F1FA\U0001F1E8\U0001F1E8\U0001F1EE"), " guccl ");
    assert_string_equal(norm(f, "\u03bainet \u039a\u0399\u039d\u0395\u03a4"), " klnet klnet ");
}

static void digits_in_numbers_stay_digits(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, "4505 pcs, 2024"), " 4505 pcs 2024 ");
    assert_string_equal(norm(f, "$5 @ home"), " 5 horne ");
}

static void long_digit_runs_inside_words_are_not_substituted(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, "Gucci2024"), " guccl2024 ");
}

static void unspaced_scripts_form_runs_and_split_from_latin(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, "高仿Gucci包"), " 高仿 guccl 包 ");
    assert_string_equal(norm(f, "原单 复刻"), " 原单复刻 ");
}

static void nothing_but_separators_is_empty(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, " -- ... "), "");
    assert_string_equal(norm(f, ""), "");
}

static void invalid_utf8_acts_as_a_separator(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(norm(f, "Gucci\xff\xfe" "bag"), " guccl bag ");
}

/* The ASCII normalisers (detect_internal.h: the batch scan's map-free one,
 * and the one with the map that detect_normalise takes for ASCII text)
 * write exactly what the general path (detect__normalise_general) writes,
 * on random ASCII text made of the characters every rule looks at. */
static void map_free_ascii_normaliser_agrees_with_detect_normalise(void **state)
{
    struct fixture *f = *state;
    static const char alphabet[] = "abmilGUCI0134579@$!|.-_ /,:";
    /* mostly letters and single spaces: the 16-byte word runs of the fast path */
    static const char words[] = "abcdefghijklnopqrstuvwxyzABCIJKLQXYZ     m1.";
    uint64_t x = 0x2545F4914F6CDD1DULL;
    char in[160], out[3 * sizeof in + 2]; /* long enough for runs of 16-byte runs */
    struct detect_text m;
    detect_text_init(&m);
    for (int round = 0; round < 20000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = (size_t)(x % (sizeof in - 1));
        for (size_t k = 0; k < len; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            in[k] = round % 2 ? alphabet[x % (sizeof alphabet - 1)] : words[x % (sizeof words - 1)];
        }
        in[len] = '\0';
        size_t n = detect__normalise_ascii(in, len, out);
        assert_int_equal(detect__normalise_general(f->n, in, len, &f->t), IPS_OK);
        if (n != f->t.len || memcmp(out, f->t.s, n) != 0)
            fail_msg("\"%s\": fast \"%s\" general \"%s\"", in, out, f->t.s);
        /* the variant with the offset map: same text, same map */
        assert_int_equal(detect__normalise_ascii_map(in, len, &m), IPS_OK);
        assert_int_equal(m.len, f->t.len);
        assert_memory_equal(m.s, f->t.s, m.len);
        for (size_t k = 0; k < m.len; k++)
            if (m.ostart[k] != f->t.ostart[k] || m.oend[k] != f->t.oend[k])
                fail_msg("\"%s\": byte %zu maps to [%u,%u), general [%u,%u)", in, k, m.ostart[k],
                         m.oend[k], f->t.ostart[k], f->t.oend[k]);
    }
    detect_text_release(&m);
    assert_int_equal(detect__normalise_ascii("G.u.c.c.i bag", 13, out), strlen(" guccl bag "));
    assert_string_equal(out, " guccl bag ");
}

static void ascii_fast_path_agrees_with_the_general_path(void **state)
{
    struct fixture *f = *state;
    /* the same word with one non-ASCII separator takes the general path */
    char a[64], b[64];
    snprintf(a, sizeof a, "%s", norm(f, "Mirror quality AAA"));
    snprintf(b, sizeof b, "%s", norm(f, "Mirror\u00a0quality\u00a0AAA"));
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_look_alike_of_gucci_has_the_plain_normal_form, setup, teardown),
        cmocka_unit_test_setup_teardown(greek_and_cyrillic_capitals_map_to_latin, setup, teardown),
        cmocka_unit_test_setup_teardown(negative_enclosed_and_regional_letters_map_to_latin, setup, teardown),
        cmocka_unit_test_setup_teardown(digits_in_numbers_stay_digits, setup, teardown),
        cmocka_unit_test_setup_teardown(long_digit_runs_inside_words_are_not_substituted, setup, teardown),
        cmocka_unit_test_setup_teardown(unspaced_scripts_form_runs_and_split_from_latin, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_but_separators_is_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_utf8_acts_as_a_separator, setup, teardown),
        cmocka_unit_test_setup_teardown(ascii_fast_path_agrees_with_the_general_path, setup, teardown),
        cmocka_unit_test_setup_teardown(map_free_ascii_normaliser_agrees_with_detect_normalise, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

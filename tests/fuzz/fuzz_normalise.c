/*
 * fuzz_normalise.c — text normalisation (src/detect/detect.h,
 * detect_normalise): listing titles and descriptions and brand terms, any
 * bytes, through UTF-8 decoding, NFKC, case folding, ICU confusable
 * skeletons and the original-span map the matcher reports with.
 *
 * Invariants checked: the normal form is NUL-terminated at len and valid
 * UTF-8; every byte maps to an original span inside the input, with start
 * <= end; normalising twice (with the
 * same normaliser, as a scanner does) gives the same text; ASCII input,
 * which detect_normalise hands to its table-driven form, gives the text and
 * map the general path (detect__normalise_general) gives.
 */
#include <stdbool.h>

#include "detect/detect.h"
#include "detect/detect_internal.h"
#include "fuzz.h"

static struct detect_normaliser *fuzz__norm;
static struct detect_text fuzz__t; /* reused across inputs, as a scanner does */
static struct detect_text fuzz__g; /* the general path's text of ASCII inputs */

static void fuzz__cleanup(void)
{
    detect_text_release(&fuzz__t);
    detect_text_release(&fuzz__g);
    detect_normaliser_free(fuzz__norm);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (detect_normaliser_new(&fuzz__norm) != IPS_OK)
        abort();
    detect_text_init(&fuzz__t);
    detect_text_init(&fuzz__g);
    atexit(fuzz__cleanup);
    return 0;
}

/* True when s[0..n) is well-formed UTF-8 (RFC 3629). */
static bool fuzz__utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
                                : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (k == 9 || (k == 1 && c < 0xc2) || (k == 3 && c > 0xf4) || i + k >= n + (k ? 0 : 1))
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    const char *in = (const char *)data;
    if (detect_normalise(fuzz__norm, in, size, &fuzz__t) != IPS_OK)
        return 0;
    struct detect_text *t = &fuzz__t;
    FUZZ_CHECK(t->s != NULL && t->s[t->len] == '\0');
    FUZZ_CHECK(fuzz__utf8((const unsigned char *)t->s, t->len));
    for (size_t k = 0; k < t->len; k++)
        FUZZ_CHECK(t->ostart[k] <= t->oend[k] && t->oend[k] <= size);
    char *first = fuzz_strndup((const uint8_t *)t->s, t->len);
    size_t first_len = t->len;
    FUZZ_CHECK(detect_normalise(fuzz__norm, in, size, &fuzz__t) == IPS_OK);
    FUZZ_CHECK(t->len == first_len && memcmp(t->s, first, first_len) == 0);
    free(first);
    size_t k = 0;
    while (k < size && data[k] < 0x80)
        k++;
    if (k == size) {
        FUZZ_CHECK(detect__normalise_general(fuzz__norm, in, size, &fuzz__g) == IPS_OK);
        FUZZ_CHECK(fuzz__g.len == t->len && memcmp(fuzz__g.s, t->s, t->len) == 0);
        for (size_t j = 0; j < t->len; j++)
            FUZZ_CHECK(fuzz__g.ostart[j] == t->ostart[j] && fuzz__g.oend[j] == t->oend[j]);
    }
    return 0;
}

/*
 * fuzz_json_fast.c — src/core/json_fast.h against jansson's own parser:
 * for any text, json_fast_loadb and json_loadb (JSON_REJECT_DUPLICATES,
 * then no flags) both refuse it or both give equal values; a refusal
 * points inside the text (or at its end). The catalog import parses every line with
 * json_fast_loadb, the rest of the program with json_loadb.
 */
#include <jansson.h>

#include "core/json_fast.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    for (int d = 0; d < 2; d++) {
        size_t flags = d == 0 ? JSON_REJECT_DUPLICATES : 0;
        json_error_t e1, e2;
        json_t *want = json_loadb(text, size, flags, &e1);
        json_t *got = json_fast_loadb(text, size, flags, &e2);
        FUZZ_CHECK((want == NULL) == (got == NULL));
        if (got) {
            FUZZ_CHECK(json_equal(want, got));
            FUZZ_CHECK(json_typeof(want) == json_typeof(got));
        } else {
            FUZZ_CHECK(memchr(e2.text, '\0', sizeof e2.text) != NULL);
            FUZZ_CHECK(e2.position >= 0 && (size_t)e2.position <= size);
        }
        json_decref(want);
        json_decref(got);
    }
    return 0;
}

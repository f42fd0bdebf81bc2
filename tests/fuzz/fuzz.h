/*
 * fuzz.h — what the libFuzzer harnesses of tests/fuzz/ share.
 *
 * Every harness defines LLVMFuzzerTestOneInput (and, when it needs state
 * that outlives one input, LLVMFuzzerInitialize). The same harness links
 * either with libFuzzer (-fsanitize=fuzzer, IPRSHIELD_FUZZ=ON) or with
 * replay.c, whose main feeds it every file of a corpus directory (the
 * fuzz-replay/<parser> ctest tests of every normal build).
 *
 * A harness must be deterministic for one input, must not leak, and must
 * treat any crash, sanitizer report or failed FUZZ_CHECK as a bug of the
 * code under test.
 */
#ifndef IPS_TESTS_FUZZ_H
#define IPS_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the code under test: report and abort (libFuzzer saves
 * the input as a crash). */
#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* data[0..size) as a new NUL-terminated string (inner NULs kept), or abort
 * on OOM. Caller frees. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif

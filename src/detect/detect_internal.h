/*
 * detect_internal.h — what the files of src/detect/ share and nothing else
 * may use.
 */
#ifndef IPS_DETECT_DETECT_INTERNAL_H
#define IPS_DETECT_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* True for code points of scripts written without spaces between words
 * (Han, kana, Hangul, Thai, Lao): terms of them match without boundaries. */
bool detect__unspaced(uint32_t c);

/* The normal form of ASCII text in[0..len) (every byte < 0x80) without the
 * offset map, byte for byte what detect_normalise writes into t->s (a
 * normaliser must have been created once: it builds the ASCII table). out
 * holds at least 3 * len + 2 bytes. Returns the length (out NUL-terminated). */
size_t detect__normalise_ascii(const char *in, size_t len, char *out);

struct detect_text;
struct detect_normaliser;
/* detect_normalise's algorithm for any text (UTF-8, code point by code
 * point through the normaliser's ICU skeletons and cache); detect_normalise
 * hands ASCII text to detect__normalise_ascii_map instead, which must write
 * the same. Failure: as detect_normalise. */
ips_status detect__normalise_general(struct detect_normaliser *n, const char *in, size_t len,
                                     struct detect_text *t);

/* detect_normalise for ASCII text in[0..len) (every byte < 0x80): the same
 * t->s and the same offset map, without the per-code-point units.
 * Failure: IPS_ERR_TOO_LARGE past DETECT_TEXT_MAX, IPS_ERR_NOMEM. */
ips_status detect__normalise_ascii_map(const char *in, size_t len, struct detect_text *t);

struct detect_scanner;
/* Whether any pattern occurs in s[0..len) (a normal form), stopping at the
 * first hit. OUT *hit. Failure: IPS_ERR_INTERNAL. */
ips_status detect__scan_any(struct detect_scanner *sc, const char *s, size_t len, bool *hit);

#define DETECT__MATCHES_MAX 4096 /* hits kept per scan; the rest are dropped */

/* Every pattern occurrence in s[0..len) (a normal form, or several joined
 * with their spaces: no pattern spans two spaces in a row), unsorted, as
 * {pattern, 0, end offset in s}; valid until the scanner's next call.
 * *count == DETECT__MATCHES_MAX: some may have been dropped. OUT *raw,
 * *count. Failure: IPS_ERR_NOMEM, IPS_ERR_INTERNAL. */
struct detect_match;
ips_status detect__scan_raw(struct detect_scanner *sc, const char *s, size_t len,
                            const struct detect_match **raw, size_t *count);

/* What detect_scan_text gives for t when t->s is s[off..off + t->len) of a
 * detect__scan_raw scan that returned raw[0..n) (n below
 * DETECT__MATCHES_MAX; raw not in the scanner's own buffer): the hits
 * ending inside t, as original spans, sorted and unique, without scanning
 * again. Failure: IPS_ERR_NOMEM. */
ips_status detect__scan_raw_text(struct detect_scanner *sc, const struct detect_text *t,
                                 const struct detect_match *raw, size_t n, size_t off,
                                 const struct detect_match **matches, size_t *count);

#endif

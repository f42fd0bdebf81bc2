/*
 * json_fast.h — jansson values from a JSON text lexed by yajl, for bulk
 * parsing (the catalog import's JSON Lines).
 *
 * Why: jansson's own parser reads its input through a callback per byte
 * and appends strings a byte at a time: ~80,000 instructions for a
 * 600-byte listing line, two thirds of the import's parsing thread
 * (docs/benchmarks.md, "Catalog import", stop 22). yajl's lexer walks the
 * same text in ~0.75 µs and hands over whole strings and number texts;
 * the values are then made with jansson's constructors, so every reader of
 * them (src/catalog/parse.c) is unchanged, and they come from whatever
 * allocator jansson has at the time (a core/json_arena region or the heap).
 *
 * Contract: json_fast_loadb(text, len, flags, err) returns what
 * json_loadb(text, len, flags, err) returns for the same text, for flags 0
 * or JSON_REJECT_DUPLICATES (others: NULL, "unsupported flags"):
 *   - one array or object, nothing but white space after it; a scalar at
 *     the top, comments, trailing garbage or a second value are errors;
 *   - integers (no '.', 'e' or 'E') as json_integer, an integer outside
 *     json_int_t an error; other numbers as json_real, an infinite one an
 *     error;
 *   - strings checked as UTF-8 by jansson (json_stringn); "\u0000" in a
 *     string or object key is an error (json_loadb without
 *     JSON_ALLOW_NUL); with JSON_REJECT_DUPLICATES a repeated key is an
 *     error;
 *   - nesting deeper than JSON_FAST_DEPTH_MAX (jansson's parser limit) is
 *     an error.
 * A text with what yajl reads otherwise than jansson (a form feed,
 * vertical tab or NUL byte, which yajl takes for white space or a token's
 * end; a surrogate escape
 * "\uD800".."\uDFFF", which yajl decodes even when ill-paired) is handed
 * to json_loadb itself (and err is then json_loadb's). Otherwise the error
 * texts are not jansson's: err->text says what went wrong (yajl's message
 * for a lexical or grammar error), err->line, err->column (1-based) and
 * err->position point at the byte where the parse stopped. tests/unit/test_json_fast.c and the fuzz_json_fast target
 * compare the two parsers.
 */
#ifndef IPS_CORE_JSON_FAST_H
#define IPS_CORE_JSON_FAST_H

#include <jansson.h>
#include <stddef.h>

#define JSON_FAST_DEPTH_MAX 2048

json_t *json_fast_loadb(const char *text, size_t len, size_t flags, json_error_t *err);

#endif

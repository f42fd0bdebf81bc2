/*
 * json_fast.c — json_fast_loadb: yajl's lexer and parser driving jansson's
 * constructors (contract: json_fast.h).
 *
 * The parser's callbacks keep a stack of the open arrays and objects; a
 * finished value is added to the innermost one (under the key the last
 * map_key callback copied) or becomes the result. A callback that refuses
 * (duplicate key, NUL, out-of-range number, too deep, out of memory)
 * leaves its reason in the context and cancels the parse.
 */
#include "core/json_fast.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

struct json_fast__ctx {
    size_t flags;
    json_t *root;
    json_t **stack; /* the open containers: stack_small, or the heap past its size */
    size_t depth, stack_cap;
    json_t *stack_small[32];
    char *key; /* the pending object key, a copy (yajl's pointer lives only during its callback) */
    size_t key_len, key_cap;
    char key_small[128];
    const char *why; /* a callback's reason for cancelling the parse */
};

static int json_fast__fail(struct json_fast__ctx *c, const char *why)
{
    c->why = why;
    return 0;
}

/* Add v (consumed) to the open container, or make it the result. */
static int json_fast__add(struct json_fast__ctx *c, json_t *v)
{
    if (!v)
        return json_fast__fail(c, "out of memory");
    if (c->depth == 0) {
        c->root = v;
        return 1;
    }
    json_t *top = c->stack[c->depth - 1];
    if (json_is_array(top)) {
        if (json_array_append_new(top, v) == 0)
            return 1;
        return json_fast__fail(c, "out of memory");
    }
    if ((c->flags & JSON_REJECT_DUPLICATES) && json_object_getn(top, c->key, c->key_len)) {
        json_decref(v);
        return json_fast__fail(c, "duplicate object key");
    }
    if (json_object_setn_new(top, c->key, c->key_len, v) == 0)
        return 1;
    return json_fast__fail(c, "invalid object key or out of memory");
}

static int json_fast__open(struct json_fast__ctx *c, json_t *v)
{
    if (!v)
        return json_fast__fail(c, "out of memory");
    if (c->depth == JSON_FAST_DEPTH_MAX) {
        json_decref(v);
        return json_fast__fail(c, "maximum parsing depth reached");
    }
    if (c->depth == c->stack_cap) {
        size_t cap = 2 * c->stack_cap;
        json_t **st = c->stack == c->stack_small ? malloc(cap * sizeof *st)
                                                 : realloc(c->stack, cap * sizeof *st);
        if (!st) {
            json_decref(v);
            return json_fast__fail(c, "out of memory");
        }
        if (c->stack == c->stack_small)
            memcpy(st, c->stack_small, sizeof c->stack_small);
        c->stack = st;
        c->stack_cap = cap;
    }
    json_incref(v); /* one reference held by its parent (or the result), one by the stack */
    if (!json_fast__add(c, v)) {
        json_decref(v);
        return 0;
    }
    c->stack[c->depth++] = v;
    return 1;
}

static int json_fast__close(void *ctx)
{
    struct json_fast__ctx *c = ctx;
    json_decref(c->stack[--c->depth]);
    return 1;
}

static int json_fast__null(void *ctx)
{
    return json_fast__add(ctx, json_null());
}

static int json_fast__boolean(void *ctx, int b)
{
    return json_fast__add(ctx, json_boolean(b));
}

/* A number's text: an integer unless it has a fraction or an exponent. */
static int json_fast__number(void *ctx, const char *s, size_t n)
{
    struct json_fast__ctx *c = ctx;
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return json_fast__fail(c, "out of memory");
    memcpy(buf, s, n);
    buf[n] = '\0';
    bool real = memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n);
    json_t *v = NULL;
    const char *why = NULL;
    errno = 0;
    if (real) {
        double d = strtod(buf, NULL);
        if (errno == ERANGE && isinf(d))
            why = "real number overflow";
        else
            v = json_real(d);
    } else {
        long long i = strtoll(buf, NULL, 10);
        if (errno == ERANGE)
            why = buf[0] == '-' ? "too big negative integer" : "too big integer";
        else
            v = json_integer((json_int_t)i);
    }
    if (buf != small)
        free(buf);
    return why ? json_fast__fail(c, why) : json_fast__add(c, v);
}

static int json_fast__string(void *ctx, const unsigned char *s, size_t n)
{
    struct json_fast__ctx *c = ctx;
    if (memchr(s, '\0', n))
        return json_fast__fail(c, "\\u0000 is not allowed without JSON_ALLOW_NUL");
    json_t *v = json_stringn((const char *)s, n); /* checks the UTF-8 */
    return v ? json_fast__add(c, v) : json_fast__fail(c, "invalid UTF-8 in a string");
}

static int json_fast__start_map(void *ctx)
{
    return json_fast__open(ctx, json_object());
}

static int json_fast__map_key(void *ctx, const unsigned char *s, size_t n)
{
    struct json_fast__ctx *c = ctx;
    if (memchr(s, '\0', n))
        return json_fast__fail(c, "NUL byte in object key not supported");
    if (n + 1 > c->key_cap) {
        char *k = c->key == c->key_small ? malloc(n + 1) : realloc(c->key, n + 1);
        if (!k)
            return json_fast__fail(c, "out of memory");
        c->key = k;
        c->key_cap = n + 1;
    }
    memcpy(c->key, s, n);
    c->key[n] = '\0';
    c->key_len = n;
    return 1;
}

static int json_fast__start_array(void *ctx)
{
    return json_fast__open(ctx, json_array());
}

static const yajl_callbacks json_fast__callbacks = {
    .yajl_null = json_fast__null,
    .yajl_boolean = json_fast__boolean,
    .yajl_number = json_fast__number,
    .yajl_string = json_fast__string,
    .yajl_start_map = json_fast__start_map,
    .yajl_map_key = json_fast__map_key,
    .yajl_end_map = json_fast__close,
    .yajl_start_array = json_fast__start_array,
    .yajl_end_array = json_fast__close,
};

/* err for a parse that stopped at byte offset of text, for reason why. */
static void json_fast__error(json_error_t *err, const char *text, size_t len, size_t offset,
                             const char *why)
{
    if (!err)
        return;
    if (offset > len)
        offset = len;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++)
        if (text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    memset(err, 0, sizeof *err);
    err->line = line;
    err->column = (int)(offset - line_start) + 1;
    err->position = (int)offset;
    snprintf(err->text, sizeof err->text - 1, "%s", why);
    snprintf(err->source, sizeof err->source, "<buffer>");
}

/* Whether text holds what yajl reads otherwise than jansson: a form feed,
 * vertical tab or NUL byte (white space or a token's end to yajl, an error
 * to jansson) or a "\uD800" to "\uDFFF" escape (yajl decodes a lone or
 * ill-paired surrogate into some other character, jansson refuses it).
 * Rare in real input; such a text is parsed by json_loadb itself. An
 * escaped backslash before "ud8.." is a false alarm, which only costs the
 * slower parse. */
static bool json_fast__needs_jansson(const char *text, size_t len)
{
    if (memchr(text, '\f', len) || memchr(text, '\v', len) || memchr(text, '\0', len))
        return true;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\\', (size_t)(end - p)));
         p++) {
        if (end - p >= 4 && p[1] == 'u' && (p[2] == 'd' || p[2] == 'D') &&
            strchr("89abcdefABCDEF", p[3]) && p[3] != '\0')
            return true;
    }
    return false;
}

json_t *json_fast_loadb(const char *text, size_t len, size_t flags, json_error_t *err)
{
    if (flags & ~(size_t)JSON_REJECT_DUPLICATES) {
        json_fast__error(err, text, len, 0, "unsupported flags");
        return NULL;
    }
    if (json_fast__needs_jansson(text, len))
        return json_loadb(text, len, flags, err);
    struct json_fast__ctx ctx, *c = &ctx;
    c->flags = flags;
    c->root = NULL;
    c->stack = c->stack_small;
    c->stack_cap = sizeof c->stack_small / sizeof *c->stack_small;
    c->depth = 0;
    c->key = c->key_small;
    c->key_len = 0;
    c->key_cap = sizeof c->key_small;
    c->why = NULL;
    yajl_handle h = yajl_alloc(&json_fast__callbacks, NULL, c);
    if (!h) {
        json_fast__error(err, text, len, 0, "out of memory");
        return NULL;
    }
    /* jansson checks the UTF-8 of every string itself (json_stringn).
     * yajl's own trailing-garbage check lets an unfinished token after the
     * value through ("[] \"abc" parses); with the check off, the parse stops
     * right after the value, and only white space may follow it. */
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_config(h, yajl_allow_trailing_garbage, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
    size_t end = yajl_get_bytes_consumed(h);
    bool at_end = st == yajl_status_ok; /* the text ended early (found by complete_parse) */
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    json_t *v = c->root;
    if (st == yajl_status_ok) {
        while (end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' ||
                             text[end] == '\r'))
            end++;
        if (end < len) {
            json_fast__error(err, text, len, end, "trailing garbage");
            json_decref(v);
            v = NULL;
        }
    } else {
        size_t at = at_end ? len : end;
        if (c->why) {
            json_fast__error(err, text, len, at, c->why);
        } else {
            unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
            json_fast__error(err, text, len, at, msg ? (const char *)msg : "invalid JSON");
            yajl_free_error(h, msg);
        }
        while (c->depth > 0)
            json_fast__close(c);
        json_decref(v);
        v = NULL;
    }
    if (v && !json_is_object(v) && !json_is_array(v)) {
        json_fast__error(err, text, len, 0, "'[' or '{' expected");
        json_decref(v);
        v = NULL;
    }
    yajl_free(h);
    if (c->key != c->key_small)
        free(c->key);
    if (c->stack != c->stack_small)
        free(c->stack);
    return v;
}

/*
 * profile_text.c — text checks shared by the profile and alliance modules:
 * UTF-8 validation without control characters (profile_text_clean) and ISO
 * 4217 currency codes (profile_currency_valid). Contracts: profile.h.
 *
 * UTF-8 is checked by hand because there is no Unicode library in the build
 * yet (utf8proc is planned, DESIGN.md §5); the rules are RFC 3629 §4's
 * well-formed byte sequences, which excludes overlong forms, the surrogates
 * U+D800..U+DFFF and anything past U+10FFFF.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "core/log.h"
#include "profile/profile.h"

/* Where Debian's iso-codes package keeps the ISO 4217 list (installed by
 * scripts/install-deps.sh). */
#define PROFILE__ISO4217_PATH "/usr/share/iso-codes/json/iso_4217.json"
#define PROFILE__CURRENCIES_MAX 400

/*
 * Decode one UTF-8 sequence at s[0..n) (n >= 1). OUT *cp: the code point,
 * *used: its length in bytes. Returns false for an ill-formed sequence
 * (RFC 3629 §4: no overlongs, no surrogates, nothing past U+10FFFF).
 */
static bool profile__utf8_next(const unsigned char *s, size_t n, uint32_t *cp, size_t *used)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        *used = 1;
        return true;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return false;
    }
    if (n < len)
        return false;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return false;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return false;
    *cp = v;
    *used = len;
    return true;
}

/* See profile.h. */
const char *profile_text_clean(const char *in, size_t len, size_t max, char *out, size_t cap)
{
    if (!in)
        return "is required";
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t used;
        if (!profile__utf8_next(s + i, len - i, &cp, &used))
            return "must be valid UTF-8";
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            return "must not contain control characters";
        i += used;
    }
    size_t start = 0, end = len;
    while (start < end && s[start] == ' ')
        start++;
    while (end > start && s[end - 1] == ' ')
        end--;
    if (end == start)
        return "must not be empty";
    if (end - start > max || end - start >= cap)
        return "is too long";
    memcpy(out, in + start, end - start);
    out[end - start] = '\0';
    return NULL;
}

static char profile__currencies[PROFILE__CURRENCIES_MAX][4];
static size_t profile__n_currencies;
static pthread_once_t profile__currencies_once = PTHREAD_ONCE_INIT;

/* Load the alpha-3 codes of the ISO 4217 list once per process; on any
 * failure the list stays empty and profile_currency_valid checks the shape
 * only (logged once here). */
static void profile__currencies_load(void)
{
    json_error_t je;
    json_t *root = json_load_file(PROFILE__ISO4217_PATH, 0, &je);
    json_t *list = root ? json_object_get(root, "4217") : NULL;
    size_t i;
    json_t *v;
    if (!json_is_array(list)) {
        log_warn("profile: ISO 4217 list unavailable, checking currency codes by shape only",
                 "path", PROFILE__ISO4217_PATH, "error", root ? "no \"4217\" array" : je.text);
        goto out_root;
    }
    json_array_foreach(list, i, v)
    {
        const char *code = json_string_value(json_object_get(v, "alpha_3"));
        if (!code || strlen(code) != 3 || profile__n_currencies >= PROFILE__CURRENCIES_MAX)
            continue;
        memcpy(profile__currencies[profile__n_currencies++], code, 4);
    }
out_root:
    json_decref(root);
}

/* See profile.h. */
bool profile_currency_valid(const char *code)
{
    if (!code || strlen(code) != 3)
        return false;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return false;
    pthread_once(&profile__currencies_once, profile__currencies_load);
    if (profile__n_currencies == 0)
        return true;
    for (size_t i = 0; i < profile__n_currencies; i++)
        if (memcmp(profile__currencies[i], code, 4) == 0)
            return true;
    return false;
}

/*
 * parse.c — validation of catalog input (listing and seller objects, as API
 * bodies or JSON Lines lines), identifier normalisation and hashing, prices,
 * and the escaping of search text into FTS5 queries. Pure functions, except
 * catalog_identifier_key, which reads (and may create) the server key.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "catalog/catalog_internal.h"
#include "core/buf.h"
#include "core/json.h"

/* ---- small validators -------------------------------------------------------- */

bool catalog_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > STORE_LISTING_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
            return false;
    }
    return true;
}

static const char *const catalog__states[] = {"live", "blocked", "taken_down", "reinstated"};

bool catalog_state_valid(const char *state)
{
    for (size_t i = 0; state && i < sizeof catalog__states / sizeof catalog__states[0]; i++)
        if (strcmp(state, catalog__states[i]) == 0)
            return true;
    return false;
}

bool catalog_state_transition_allowed(const char *from, const char *to)
{
    static const struct {
        const char *from, *to;
    } allowed[] = {
        {"live", "blocked"},      {"live", "taken_down"}, {"taken_down", "reinstated"},
        {"blocked", "live"},      {"reinstated", "taken_down"},
    };
    for (size_t i = 0; from && to && i < sizeof allowed / sizeof allowed[0]; i++)
        if (strcmp(from, allowed[i].from) == 0 && strcmp(to, allowed[i].to) == 0)
            return true;
    return false;
}

/* True when s holds a control character (C0 or DEL); tabs and line breaks
 * pass when allow_space_controls. */
static bool catalog__has_controls(const char *s, bool allow_space_controls)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x7f)
            return true;
        if (*p < 0x20 && !(allow_space_controls && (*p == '\t' || *p == '\n' || *p == '\r')))
            return true;
    }
    return false;
}

void catalog__first_error(json_t *errors, char *out, size_t cap)
{
    json_t *e = json_array_get(errors, 0);
    if (!e) {
        snprintf(out, cap, "invalid");
        return;
    }
    snprintf(out, cap, "%s: %s", json_string_value(json_object_get(e, "field")),
             json_string_value(json_object_get(e, "message")));
}

/* ---- prices (ISO 4217 minor units) -------------------------------------------- */

int catalog_currency_exponent(const char *currency)
{
    /* ISO 4217 currencies whose minor unit is not 1/100 (list one, 2024). */
    static const char zero[][4] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                   "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
    static const char three[][4] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    static const char four[][4] = {"CLF", "UYW"};
    for (size_t i = 0; currency && i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(currency, zero[i]) == 0)
            return 0;
    for (size_t i = 0; currency && i < sizeof three / sizeof three[0]; i++)
        if (strcmp(currency, three[i]) == 0)
            return 3;
    for (size_t i = 0; currency && i < sizeof four / sizeof four[0]; i++)
        if (strcmp(currency, four[i]) == 0)
            return 4;
    return 2;
}

void catalog_price_format(int64_t price_minor, const char *currency, char *out, size_t cap)
{
    int e = catalog_currency_exponent(currency);
    int64_t scale = 1;
    for (int i = 0; i < e; i++)
        scale *= 10;
    if (e == 0)
        snprintf(out, cap, "%" PRId64, price_minor);
    else
        snprintf(out, cap, "%" PRId64 ".%0*" PRId64, price_minor / scale, e, price_minor % scale);
}

/* Largest accepted price in major units: far above any real listing, far
 * below int64 overflow at four decimals. */
#define CATALOG__PRICE_MAJOR_MAX 1000000000000LL

/* Parse a decimal price in major units (JSON number or string) into minor
 * units of currency. Returns false with an error added. */
static bool catalog__price_parse(json_t *v, const char *currency, int64_t *out, json_t *errors)
{
    int e = catalog_currency_exponent(currency);
    int64_t scale = 1;
    for (int i = 0; i < e; i++)
        scale *= 10;
    char msg[96];
    if (!v || json_is_null(v)) {
        json_error_add(errors, "price", "is required");
        return false;
    }
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0 || x > CATALOG__PRICE_MAJOR_MAX)
            goto out_range;
        *out = (int64_t)x * scale;
        return true;
    }
    if (json_is_real(v)) {
        double x = json_real_value(v);
        if (!isfinite(x) || x < 0 || x > (double)CATALOG__PRICE_MAJOR_MAX)
            goto out_range;
        /* x >= 0: rounding by truncation of x + 0.5 (no libm needed) */
        double scaled = x * (double)scale;
        int64_t r = (int64_t)(scaled + 0.5);
        double diff = scaled - (double)r;
        if (diff < 0)
            diff = -diff;
        if (diff > 1e-6 * (r > 1 ? (double)r : 1.0))
            goto out_decimals;
        *out = r;
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        int64_t major = 0, minor = 0;
        int digits = 0, decimals = 0;
        const char *p = s;
        for (; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits >= 13)
                goto out_range;
            major = major * 10 + (*p - '0');
        }
        if (digits == 0)
            goto out_format;
        if (*p == '.') {
            p++;
            if (!(*p >= '0' && *p <= '9'))
                goto out_format;
            for (; *p >= '0' && *p <= '9'; p++) {
                if (decimals < e) {
                    minor = minor * 10 + (*p - '0');
                    decimals++;
                } else if (*p != '0') {
                    goto out_decimals;
                }
            }
        }
        if (*p != '\0')
            goto out_format;
        if (major > CATALOG__PRICE_MAJOR_MAX)
            goto out_range;
        for (; decimals < e; decimals++)
            minor *= 10;
        *out = major * scale + minor;
        return true;
    }
out_format:
    json_error_add(errors, "price", "must be a decimal number or a string such as \"19.99\"");
    return false;
out_range:
    json_error_add(errors, "price", "must be between 0 and 1000000000000");
    return false;
out_decimals:
    snprintf(msg, sizeof msg, "has more decimals than %s allows (%d)", currency, e);
    json_error_add(errors, "price", msg);
    return false;
}

bool catalog_price_parse(json_t *v, const char *currency, int64_t *out, json_t *errors)
{
    return catalog__price_parse(v, currency, out, errors);
}

/* ---- listings ------------------------------------------------------------------ */

/* One image reference: an http(s) URL or a SHA-256 hex digest. */
static bool catalog__image_valid(const char *s, size_t n)
{
    if (n == 64) {
        bool hex = true;
        for (size_t i = 0; i < n && hex; i++)
            hex = isxdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]);
        if (hex)
            return true;
    }
    if (n > CATALOG_IMAGE_URL_MAX)
        return false;
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    if (n <= 8)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
            return false;
    }
    return true;
}

/* Add a length-prefixed field to a content hash. */
static void catalog__hash_field(crypto_generichash_state *h, const char *s)
{
    size_t n = strlen(s);
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_update(h, len, sizeof len);
    crypto_generichash_update(h, (const uint8_t *)s, n);
}

static void catalog__content_hash(struct catalog__in *in)
{
    static const char domain[] = "iprshield listing v1";
    crypto_generichash_state h;
    char num[32];
    crypto_generichash_init(&h, NULL, 0, STORE_HASH_LEN);
    crypto_generichash_update(&h, (const uint8_t *)domain, sizeof domain);
    catalog__hash_field(&h, in->title);
    catalog__hash_field(&h, in->description);
    snprintf(num, sizeof num, "%" PRId64, in->price_minor);
    catalog__hash_field(&h, num);
    catalog__hash_field(&h, in->currency);
    catalog__hash_field(&h, in->category);
    catalog__hash_field(&h, in->images);
    catalog__hash_field(&h, in->ship_from);
    snprintf(num, sizeof num, "%" PRId64, in->units_sold);
    catalog__hash_field(&h, num);
    crypto_generichash_final(&h, in->hash, STORE_HASH_LEN);
}

/* Validate and copy an optional jurisdiction member into out ("" when
 * absent). */
static bool catalog__ship_from(json_t *obj, char out[GEO_CODE_MAX + 1], json_t *errors)
{
    const char *s;
    out[0] = '\0';
    if (!json_field_string(obj, "ship_from", false, 16, &s, errors))
        return false;
    if (!s || !*s)
        return true;
    if (!geo_code_normalize(s, out) || !geo_valid(out)) {
        out[0] = '\0';
        json_error_add(errors, "ship_from",
                       "must be an ISO 3166-2 subdivision (e.g. CN-GD) or ISO 3166-1 country code");
        return false;
    }
    return true;
}

bool catalog__listing_parse(json_t *obj, enum catalog__mode mode, struct catalog__in *in,
                            json_t *errors)
{
    static const char *const allowed_import[] = {"id",       "seller_id", "title",     "description",
                                                 "price",    "currency",  "category",  "images",
                                                 "ship_from", "units_sold", NULL};
    memset(in, 0, sizeof *in);
    bool ok = true;
    if (!json_is_object(obj)) {
        json_error_add(errors, "", "must be a JSON object");
        return false;
    }
    /* API bodies are checked for unknown members by the handler (which
     * knows its route's fields); import lines are checked here. */
    if (mode == CATALOG__IMPORT) {
        size_t before = json_array_size(errors);
        json_reject_unknown(obj, allowed_import, errors);
        ok = json_array_size(errors) == before;
    }
    const char *cur = NULL;
    if (mode != CATALOG__UPDATE) {
        ok = json_field_string(obj, "id", mode == CATALOG__IMPORT, STORE_LISTING_ID_MAX, &in->id,
                               errors) && ok;
        if (in->id && !catalog_id_valid(in->id)) {
            json_error_add(errors, "id", "must be 1-64 characters of A-Z a-z 0-9 . _ : -");
            ok = false;
        }
    } else if (json_object_get(obj, "id")) {
        json_error_add(errors, "id", "is given by the path and cannot change");
        ok = false;
    }
    if (mode == CATALOG__IMPORT) {
        ok = json_field_string(obj, "seller_id", true, STORE_SELLER_EXT_MAX, &in->seller_id,
                               errors) && ok;
        if (in->seller_id && !catalog_id_valid(in->seller_id)) {
            json_error_add(errors, "seller_id", "must be 1-64 characters of A-Z a-z 0-9 . _ : -");
            ok = false;
        }
    }
    ok = json_field_string(obj, "title", true, STORE_LISTING_TITLE_MAX, &in->title, errors) && ok;
    if (in->title && catalog__has_controls(in->title, false)) {
        json_error_add(errors, "title", "must not contain control characters");
        ok = false;
    }
    ok = json_field_string(obj, "description", false, STORE_LISTING_DESC_MAX, &in->description,
                           errors) && ok;
    if (in->description && catalog__has_controls(in->description, true)) {
        json_error_add(errors, "description", "must not contain control characters");
        ok = false;
    }
    ok = json_field_string(obj, "category", false, STORE_LISTING_CATEGORY_MAX, &in->category,
                           errors) && ok;
    if (in->category && catalog__has_controls(in->category, false)) {
        json_error_add(errors, "category", "must not contain control characters");
        ok = false;
    }
    bool cur_ok = json_field_string(obj, "currency", true, 8, &cur, errors);
    if (cur_ok && cur) {
        bool shape = strlen(cur) == 3;
        for (int i = 0; shape && i < 3; i++)
            shape = isalpha((unsigned char)cur[i]) != 0;
        if (shape) {
            for (int i = 0; i < 3; i++)
                in->currency[i] = (char)toupper((unsigned char)cur[i]);
            in->currency[3] = '\0';
        } else {
            json_error_add(errors, "currency", "must be an ISO 4217 code of three letters");
            cur_ok = false;
        }
    }
    ok = cur_ok && ok;
    if (cur_ok && !catalog__price_parse(json_object_get(obj, "price"), in->currency,
                                        &in->price_minor, errors))
        ok = false;
    bool present = false;
    ok = json_field_int(obj, "units_sold", false, 0, INT64_C(1000000000000), &in->units_sold,
                        &present, errors) && ok;
    ok = catalog__ship_from(obj, in->ship_from, errors) && ok;

    json_t *images = json_object_get(obj, "images");
    if (images && !json_is_null(images)) {
        if (!json_is_array(images) || json_array_size(images) > CATALOG_IMAGES_MAX) {
            json_error_add(errors, "images", "must be an array of at most 20 image references");
            ok = false;
        } else {
            size_t i;
            json_t *it;
            json_array_foreach(images, i, it)
            {
                if (!json_is_string(it) ||
                    !catalog__image_valid(json_string_value(it), json_string_length(it)) ||
                    strlen(json_string_value(it)) != json_string_length(it)) {
                    json_error_add(errors, "images",
                                   "each must be an http(s) URL of at most 400 bytes or a "
                                   "SHA-256 in lower-case hex");
                    ok = false;
                    break;
                }
            }
        }
    }
    if (!ok)
        return false;
    if (!in->description)
        in->description = "";
    if (!in->category)
        in->category = "";
    in->images = images && json_is_array(images) ? json_dumps(images, JSON_COMPACT)
                                                 : strdup("[]");
    if (!in->images || strlen(in->images) > STORE_LISTING_IMAGES_MAX) {
        json_error_add(errors, "images", in->images ? "are too long" : "out of memory");
        catalog__in_release(in);
        return false;
    }
    catalog__content_hash(in);
    return true;
}

void catalog__in_release(struct catalog__in *in)
{
    free(in->images);
    in->images = NULL;
}

void catalog__in_fill(const struct catalog__in *in, struct store_listing_version *v)
{
    str_copy(v->title, sizeof v->title, in->title);
    str_copy(v->description, sizeof v->description, in->description);
    v->price_minor = in->price_minor;
    str_copy(v->currency, sizeof v->currency, in->currency);
    str_copy(v->category, sizeof v->category, in->category);
    str_copy(v->images, sizeof v->images, in->images);
    str_copy(v->ship_from, sizeof v->ship_from, in->ship_from);
    v->units_sold = in->units_sold;
    memcpy(v->content_hash, in->hash, STORE_HASH_LEN);
}

/* ---- identifiers ---------------------------------------------------------------- */

static const char *const catalog__ident_kinds[] = {"phone", "email", "address",
                                                   "payment_account", "device_id"};
#define CATALOG__N_KINDS (sizeof catalog__ident_kinds / sizeof catalog__ident_kinds[0])

bool catalog_identifier_kind_valid(const char *kind)
{
    for (size_t i = 0; kind && i < CATALOG__N_KINDS; i++)
        if (strcmp(kind, catalog__ident_kinds[i]) == 0)
            return true;
    return false;
}

/* Trim ASCII white space: *start and *len describe the trimmed text. */
static void catalog__trim(const char *s, const char **start, size_t *len)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    *start = s;
    *len = n;
}

/*
 * An address of n bytes at s into out[cap]: NFKC with case folding
 * (utf8proc), so fullwidth digits and letters, ligatures and case variants
 * hash alike; then every run of white space (ASCII, or a Unicode space
 * separator that NFKC left, e.g. U+1680) becomes one space, trimmed. False
 * for invalid UTF-8, other control characters, an empty result or one that
 * does not fit.
 */
static bool catalog__address_normalize(const char *s, size_t n, char *out, size_t cap)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                                        &folded, UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                     UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    bool ok = len > 0;
    size_t o = 0;
    bool space = false;
    for (utf8proc_ssize_t pos = 0; ok && pos < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(folded + pos, len - pos, &cp);
        if (step <= 0) {
            ok = false;
            break;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if ((cp < 0x80 && isspace(cp)) || cat == UTF8PROC_CATEGORY_ZS ||
            cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP) {
            space = o > 0; /* leading space is trimmed */
        } else if (cat == UTF8PROC_CATEGORY_CC) {
            ok = false;
        } else {
            size_t need = (size_t)step + (space ? 1 : 0);
            if (o + need >= cap) {
                ok = false;
                break;
            }
            if (space)
                out[o++] = ' ';
            space = false;
            memcpy(out + o, folded + pos, (size_t)step);
            o += (size_t)step;
        }
        pos += step;
    }
    if (folded && len > 0)
        sodium_memzero(folded, (size_t)len); /* an identifier: leave no copy behind */
    free(folded);
    if (ok && cap > 0)
        out[o] = '\0';
    return ok && o > 0;
}

bool catalog_identifier_normalize(const char *kind, const char *raw, char *out, size_t cap)
{
    if (!raw || !out || cap == 0 || !catalog_identifier_kind_valid(kind))
        return false;
    const char *s;
    size_t n, o = 0;
    catalog__trim(raw, &s, &n);
    if (n == 0 || n > CATALOG_IDENT_MAX)
        return false;
    if (strcmp(kind, "phone") == 0) {
        size_t i = 0, digits = 0;
        if (s[0] == '+')
            i = 1;
        else if (n > 2 && s[0] == '0' && s[1] == '0')
            i = 2; /* international call prefix */
        if (cap < 2)
            return false;
        out[o++] = '+';
        for (; i < n; i++) {
            if (s[i] >= '0' && s[i] <= '9') {
                if (o + 1 >= cap)
                    return false;
                out[o++] = s[i];
                digits++;
            } else if (!strchr(" -.()/", s[i])) {
                return false; /* letters or other marks: not a phone number */
            }
        }
        out[o] = '\0';
        return digits >= 4 && digits <= 20;
    }
    if (strcmp(kind, "email") == 0) {
        if (n + 1 > cap)
            return false;
        int at = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c <= 0x20 || c == 0x7f)
                return false;
            at += c == '@';
            out[o++] = (char)tolower(c);
        }
        out[o] = '\0';
        const char *a = strchr(out, '@');
        return at == 1 && a != out && a[1] != '\0';
    }
    if (strcmp(kind, "address") == 0)
        return catalog__address_normalize(s, n, out, cap);
    /* payment_account, device_id: trimmed only */
    if (n + 1 > cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

void catalog_identifier_hash(const uint8_t key[32], const char *kind, const char *normalized,
                             uint8_t out[STORE_HASH_LEN])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, key, 32, STORE_HASH_LEN);
    crypto_generichash_update(&h, (const uint8_t *)kind, strlen(kind) + 1); /* with its NUL */
    crypto_generichash_update(&h, (const uint8_t *)normalized, strlen(normalized));
    crypto_generichash_final(&h, out, STORE_HASH_LEN);
}

#define CATALOG__KEY_META "identifier_hash_key"

/* Read the key, creating it when absent; runs inside a transaction. */
static ips_status catalog__key_tx(struct store *s, void *arg)
{
    uint8_t *key = arg;
    char hex[65];
    size_t len = 0;
    ips_status st = store_meta_get(s, CATALOG__KEY_META, hex, sizeof hex);
    if (st == IPS_ERR_NOT_FOUND) {
        randombytes_buf(key, 32);
        sodium_bin2hex(hex, sizeof hex, key, 32);
        st = store_meta_set(s, CATALOG__KEY_META, hex);
        sodium_memzero(hex, sizeof hex);
        return st;
    }
    if (st)
        return st == IPS_ERR_TOO_LARGE ? IPS_ERR_INTEGRITY : st;
    if (strlen(hex) != 64 || sodium_hex2bin(key, 32, hex, 64, NULL, &len, NULL) != 0 || len != 32)
        st = IPS_ERR_INTEGRITY;
    sodium_memzero(hex, sizeof hex);
    return st;
}

ips_status catalog_identifier_key(struct store *s, uint8_t key[32])
{
    uint8_t tmp[32];
    /* Inside the caller's transaction the read-or-create is atomic already;
     * outside, an IMMEDIATE transaction keeps two processes from creating
     * two keys. */
    ips_status st = store_in_tx(s) ? catalog__key_tx(s, tmp) : store_tx_run(s, catalog__key_tx, tmp);
    if (st == IPS_OK)
        memcpy(key, tmp, 32);
    sodium_memzero(tmp, sizeof tmp);
    return st;
}

/* ---- sellers ------------------------------------------------------------------------ */

bool catalog__seller_parse(json_t *obj, const uint8_t key[32], struct catalog__seller_in *in,
                           json_t *errors)
{
    static const char *const allowed[] = {"id", "name", "ship_from", "identifiers", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(obj)) {
        json_error_add(errors, "", "must be a JSON object");
        return false;
    }
    size_t before = json_array_size(errors);
    json_reject_unknown(obj, allowed, errors);
    bool ok = json_array_size(errors) == before;
    ok = json_field_string(obj, "id", true, STORE_SELLER_EXT_MAX, &in->id, errors) && ok;
    if (in->id && !catalog_id_valid(in->id)) {
        json_error_add(errors, "id", "must be 1-64 characters of A-Z a-z 0-9 . _ : -");
        ok = false;
    }
    ok = json_field_string(obj, "name", true, STORE_NAME_MAX, &in->name, errors) && ok;
    if (in->name && catalog__has_controls(in->name, false)) {
        json_error_add(errors, "name", "must not contain control characters");
        ok = false;
    }
    ok = catalog__ship_from(obj, in->ship_from, errors) && ok;
    json_t *ids = json_object_get(obj, "identifiers");
    if (!ids || json_is_null(ids))
        return ok;
    if (!json_is_object(ids)) {
        json_error_add(errors, "identifiers", "must be an object of kind: value or [values]");
        return false;
    }
    const char *k;
    json_t *val;
    char norm[CATALOG_IDENT_MAX + 1];
    char field[64];
    json_object_foreach(ids, k, val)
    {
        snprintf(field, sizeof field, "identifiers.%.40s", k);
        if (!catalog_identifier_kind_valid(k)) {
            json_error_add(errors, field,
                           "is not phone, email, address, payment_account or device_id");
            ok = false;
            continue;
        }
        size_t count = json_is_array(val) ? json_array_size(val) : 1;
        for (size_t i = 0; i < count; i++) {
            json_t *one = json_is_array(val) ? json_array_get(val, i) : val;
            if (json_is_null(one))
                continue;
            if (!json_is_string(one) ||
                strlen(json_string_value(one)) != json_string_length(one) ||
                !catalog_identifier_normalize(k, json_string_value(one), norm, sizeof norm)) {
                /* the reason names the kind, never the value */
                json_error_add(errors, field, "is not a valid identifier of this kind");
                ok = false;
                continue;
            }
            if (in->n_idents >= CATALOG__IDENTS_MAX) {
                json_error_add(errors, "identifiers", "at most 16 identifiers per seller");
                ok = false;
                break;
            }
            /* the kind string must outlive obj: use the static table's */
            for (size_t j = 0; j < CATALOG__N_KINDS; j++)
                if (strcmp(k, catalog__ident_kinds[j]) == 0)
                    in->ident_kind[in->n_idents] = catalog__ident_kinds[j];
            catalog_identifier_hash(key, k, norm, in->ident_hash[in->n_idents]);
            in->n_idents++;
        }
    }
    sodium_memzero(norm, sizeof norm);
    return ok;
}

/* ---- search -------------------------------------------------------------------------- */

ips_status catalog_fts_query(const char *query, char *out, size_t cap)
{
    if (!query || !out || cap == 0)
        return IPS_ERR_INVALID;
    size_t qn = strlen(query);
    if (qn > CATALOG_QUERY_MAX || catalog__has_controls(query, true))
        return IPS_ERR_INVALID;
    size_t o = 0;
    int terms = 0;
    const char *p = query;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - start);
        bool prefix = n > 1 && start[n - 1] == '*';
        if (prefix)
            n--;
        if (++terms > CATALOG_QUERY_TERMS)
            return IPS_ERR_INVALID;
        /* worst case: separator, quotes, doubled quotes, star, NUL */
        if (o + 2 * n + 5 > cap)
            return IPS_ERR_TOO_LARGE;
        if (o)
            out[o++] = ' ';
        out[o++] = '"';
        for (size_t i = 0; i < n; i++) {
            if (start[i] == '"')
                out[o++] = '"';
            out[o++] = start[i];
        }
        out[o++] = '"';
        if (prefix)
            out[o++] = '*';
    }
    if (terms == 0)
        return IPS_ERR_INVALID;
    out[o] = '\0';
    return IPS_OK;
}

/*
 * scan_batch.c — the batch mode of the detection engine (issue 5, item 7):
 * profiles from PROFILES.json compiled once, then one verdict per listing
 * line, with no server and no database.
 *
 * Signals per listing (weights and actions: score.c):
 *   brand_term            a term of a profile in the title or description,
 *                         unless the seller is among that profile's
 *                         authorised sellers and no cue phrase is present;
 *   cue_phrase            a curated counterfeit cue phrase (matcher.c);
 *   unauthorised_seller   a profile whose brand (term or image) the listing
 *                         carries lists authorised sellers, and the seller
 *                         is not among them;
 *   price_below_reference the listing carries a profile's brand and its
 *                         price is below that profile's reference minimum
 *                         for the listing's category and currency;
 *   image_hash            (with an image root) a listing image's PDQ hash,
 *                         of quality >= 50, within distance 31 of a profile
 *                         image hash in any of its 8 dihedral variants.
 * Offsets are UTF-8 byte offsets into the field, end exclusive.
 *
 * Ownership: a batch owns its parsed profiles (the JSON document), its
 * matcher, scanner, normaliser, index and texts; one thread at a time.
 */
#if defined(__SSE2__)
#include <emmintrin.h> /* baseline on x86-64: no runtime check needed */
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/json.h"
#include "detect/detect.h"
#include "detect/detect_internal.h"

#define BATCH__SIGNALS_MAX 64 /* text signals reported per listing */
#define BATCH__NAME_MAX 200

struct batch__price {
    const char *category;
    const char *currency;
    double min;
};

struct batch__profile {
    const char *rightholder;
    size_t rightholder_len;
    json_t *terms;   /* borrowed from the document */
    json_t *sellers; /* borrowed; NULL when none */
    struct batch__price *prices;
    size_t nprices;
};

/* What one listing has per profile while its verdict is built. */
struct batch__hit {
    bool brand, image;
};

struct detect_batch {
    json_t *doc;
    struct batch__profile *profiles;
    size_t nprofiles;
    struct detect_pattern_in *pats;
    uint32_t *pat_len; /* strlen of each pattern's text */
    size_t npats;
    struct detect_normaliser *norm;
    struct detect_matcher *matcher;
    struct detect_scanner *scanner;
    struct detect_index *index;
    uint32_t *index_owner; /* index id -> profile */
    size_t index_cap;
    struct detect_policy policy;
    char *image_root;
    struct detect_text text;
    struct batch__hit *hits; /* per profile, for the listing being judged (all false between) */
    uint32_t *hit_list;      /* the profiles with a true member in hits, first hit first */
    size_t nhit;
    struct batch__sig *sigs; /* the listing's signals (batch__judge) */
    size_t nsigs, sigs_cap;
    struct buf out, warn; /* the verdict line, its warnings */
    char *fast_norm, *fast_dec; /* fast path scratch (batch__fast) */
    size_t fast_norm_cap, fast_dec_cap;
    struct detect_match *raw; /* fast path: the hits of its one scan (batch__listing.raw) */
    size_t raw_cap;
};

/* ---- profiles ---------------------------------------------------------------- */

static bool batch__str(json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= max;
}

/* Validate profile i of the document into p; a sentence in err on false. */
static bool batch__profile_parse(json_t *o, size_t i, struct batch__profile *p, char *err,
                                 size_t errcap)
{
    static const char *const allowed[] = {"rightholder",    "terms",       "reference_prices",
                                          "authorized_sellers", "authorised_sellers",
                                          "image_hashes",   NULL};
    if (!json_is_object(o)) {
        snprintf(err, errcap, "profiles[%zu] must be an object", i);
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool ok = false;
        for (int k = 0; allowed[k]; k++)
            ok = ok || !strcmp(key, allowed[k]);
        if (!ok) {
            snprintf(err, errcap, "profiles[%zu]: unknown field '%s'", i, key);
            return false;
        }
    }
    json_t *rh = json_object_get(o, "rightholder");
    if (!batch__str(rh, BATCH__NAME_MAX)) {
        snprintf(err, errcap, "profiles[%zu].rightholder must be a string of 1-%d bytes", i,
                 BATCH__NAME_MAX);
        return false;
    }
    p->rightholder = json_string_value(rh);
    p->rightholder_len = strlen(p->rightholder);
    p->terms = json_object_get(o, "terms");
    if (!json_is_array(p->terms) || json_array_size(p->terms) == 0) {
        snprintf(err, errcap, "profiles[%zu].terms must be a non-empty array of strings", i);
        return false;
    }
    size_t k;
    json_array_foreach(p->terms, k, v)
    {
        if (!batch__str(v, DETECT_TERM_MAX)) {
            snprintf(err, errcap, "profiles[%zu].terms[%zu] must be a string of 1-%d bytes", i, k,
                     DETECT_TERM_MAX);
            return false;
        }
    }
    p->sellers = json_object_get(o, "authorized_sellers");
    if (!p->sellers)
        p->sellers = json_object_get(o, "authorised_sellers");
    if (p->sellers) {
        if (!json_is_array(p->sellers)) {
            snprintf(err, errcap, "profiles[%zu].authorized_sellers must be an array of strings", i);
            return false;
        }
        json_array_foreach(p->sellers, k, v)
        {
            if (!batch__str(v, BATCH__NAME_MAX)) {
                snprintf(err, errcap, "profiles[%zu].authorized_sellers[%zu] must be a string", i, k);
                return false;
            }
        }
    }
    json_t *prices = json_object_get(o, "reference_prices");
    if (prices) {
        if (!json_is_array(prices)) {
            snprintf(err, errcap, "profiles[%zu].reference_prices must be an array", i);
            return false;
        }
        p->prices = calloc(json_array_size(prices) + 1, sizeof *p->prices);
        if (!p->prices) {
            snprintf(err, errcap, "out of memory");
            return false;
        }
        json_array_foreach(prices, k, v)
        {
            json_t *cat = json_object_get(v, "category"), *cur = json_object_get(v, "currency"),
                   *min = json_object_get(v, "min");
            if (!json_is_object(v) || !batch__str(cat, BATCH__NAME_MAX) || !batch__str(cur, 3) ||
                json_string_length(cur) != 3 || !json_is_number(min) || json_number_value(min) < 0) {
                snprintf(err, errcap,
                         "profiles[%zu].reference_prices[%zu] must be {\"category\": string, "
                         "\"currency\": 3 letters, \"min\": number >= 0}",
                         i, k);
                return false;
            }
            p->prices[p->nprices++] = (struct batch__price){json_string_value(cat),
                                                            json_string_value(cur),
                                                            json_number_value(min)};
        }
    }
    json_t *hashes = json_object_get(o, "image_hashes");
    if (hashes) {
        if (!json_is_array(hashes)) {
            snprintf(err, errcap, "profiles[%zu].image_hashes must be an array", i);
            return false;
        }
        struct detect_pdq h;
        json_array_foreach(hashes, k, v)
        {
            if (!json_is_string(v) || !detect_pdq_parse(json_string_value(v), &h)) {
                snprintf(err, errcap, "profiles[%zu].image_hashes[%zu] must be 64 hex digits", i, k);
                return false;
            }
        }
    }
    return true;
}

/* Add the image hashes of profile i to the index. */
static ips_status batch__index_profile(struct detect_batch *b, json_t *o, size_t i)
{
    json_t *hashes = json_object_get(o, "image_hashes");
    size_t k;
    json_t *v;
    json_array_foreach(hashes, k, v)
    {
        struct detect_pdq h;
        uint32_t id;
        detect_pdq_parse(json_string_value(v), &h);
        ips_status rc = detect_index_add(b->index, &h, &id);
        if (rc)
            return rc;
        if (id >= b->index_cap) {
            size_t cap = b->index_cap ? b->index_cap * 2 : 64;
            uint32_t *own = realloc(b->index_owner, cap * sizeof *own);
            if (!own)
                return IPS_ERR_NOMEM;
            b->index_owner = own;
            b->index_cap = cap;
        }
        b->index_owner[id] = (uint32_t)i;
    }
    return IPS_OK;
}

ips_status detect_batch_new(const char *data, size_t len, const struct detect_policy *policy,
                            const char *image_root, struct detect_batch **out, char *err,
                            size_t errcap)
{
    ips_status rc = IPS_OK;
    *out = NULL;
    err[0] = '\0';
    struct detect_batch *b = calloc(1, sizeof *b);
    if (!b)
        return IPS_ERR_NOMEM;
    detect_text_init(&b->text);
    buf_init(&b->out, (size_t)1 << 30);
    buf_init(&b->warn, (size_t)1 << 30);
    if (policy)
        b->policy = *policy;
    else
        detect_policy_default(&b->policy);
    if (image_root && !(b->image_root = strdup(image_root))) {
        rc = IPS_ERR_NOMEM;
        goto out_fail;
    }
    char perr[200];
    rc = json_parse_bytes(data, len, &b->doc, perr, sizeof perr);
    if (rc) {
        snprintf(err, errcap, "profiles: %s", perr);
        goto out_fail;
    }
    json_t *profiles = json_object_get(b->doc, "profiles");
    if (!json_is_object(b->doc) || !json_is_array(profiles)) {
        snprintf(err, errcap, "profiles: expected an object {\"profiles\": [...]}");
        rc = IPS_ERR_INVALID;
        goto out_fail;
    }
    b->nprofiles = json_array_size(profiles);
    b->profiles = calloc(b->nprofiles + 1, sizeof *b->profiles);
    b->hits = calloc(b->nprofiles + 1, sizeof *b->hits);
    b->hit_list = calloc(b->nprofiles + 1, sizeof *b->hit_list);
    if (!b->profiles || !b->hits || !b->hit_list) {
        rc = IPS_ERR_NOMEM;
        goto out_fail;
    }
    rc = detect_index_new(&b->index);
    if (rc)
        goto out_fail;
    size_t nterms = 0;
    for (size_t i = 0; i < b->nprofiles; i++) {
        json_t *o = json_array_get(profiles, i);
        if (!batch__profile_parse(o, i, &b->profiles[i], err, errcap)) {
            rc = IPS_ERR_INVALID;
            goto out_fail;
        }
        nterms += json_array_size(b->profiles[i].terms);
        rc = batch__index_profile(b, o, i);
        if (rc)
            goto out_fail;
    }
    size_t ncues = 0;
    while (detect_cue_phrases[ncues])
        ncues++;
    b->pats = calloc(nterms + ncues, sizeof *b->pats);
    b->pat_len = calloc(nterms + ncues, sizeof *b->pat_len);
    if (!b->pats || !b->pat_len) {
        rc = IPS_ERR_NOMEM;
        goto out_fail;
    }
    for (size_t i = 0; i < b->nprofiles; i++) {
        size_t k;
        json_t *v;
        json_array_foreach(b->profiles[i].terms, k, v)
        {
            b->pats[b->npats++] = (struct detect_pattern_in){json_string_value(v),
                                                             DETECT_PATTERN_BRAND, (int)i};
        }
    }
    for (size_t k = 0; k < ncues; k++)
        b->pats[b->npats++] = (struct detect_pattern_in){detect_cue_phrases[k], DETECT_PATTERN_CUE, -1};
    for (size_t k = 0; k < b->npats; k++)
        b->pat_len[k] = (uint32_t)strlen(b->pats[k].text);
    rc = detect_normaliser_new(&b->norm);
    if (rc) {
        snprintf(err, errcap, "cannot open the Unicode confusables data (ICU)");
        goto out_fail;
    }
    size_t bad = 0;
    char merr[200];
    rc = detect_matcher_build(b->norm, b->pats, b->npats, &b->matcher, &bad, merr, sizeof merr);
    if (rc) {
        if (rc == IPS_ERR_INVALID && bad < b->npats && b->pats[bad].kind == DETECT_PATTERN_BRAND)
            snprintf(err, errcap, "profiles: the term \"%s\" of %s has no letters or digits",
                     b->pats[bad].text, b->profiles[b->pats[bad].owner].rightholder);
        else
            snprintf(err, errcap, "compiling the matcher: %s", merr);
        goto out_fail;
    }
    rc = detect_scanner_new(b->matcher, &b->scanner);
    if (rc)
        goto out_fail;
    *out = b;
    return IPS_OK;
out_fail:
    if (!err[0])
        snprintf(err, errcap, "%s", ips_status_message(rc));
    detect_batch_free(b);
    return rc;
}

void detect_batch_free(struct detect_batch *b)
{
    if (!b)
        return;
    detect_scanner_free(b->scanner);
    detect_matcher_free(b->matcher);
    detect_normaliser_free(b->norm);
    detect_index_free(b->index);
    if (b->profiles)
        for (size_t i = 0; i < b->nprofiles; i++)
            free(b->profiles[i].prices);
    free(b->profiles);
    free(b->hits);
    free(b->hit_list);
    free(b->sigs);
    buf_release(&b->out);
    buf_release(&b->warn);
    free(b->pats);
    free(b->pat_len);
    free(b->index_owner);
    free(b->image_root);
    detect_text_release(&b->text);
    free(b->fast_norm);
    free(b->fast_dec);
    free(b->raw);
    json_decref(b->doc);
    free(b);
}

size_t detect_batch_profiles(const struct detect_batch *b)
{
    return b->nprofiles;
}

size_t detect_batch_patterns(const struct detect_batch *b)
{
    return b->npats;
}

/* ---- one listing ---------------------------------------------------------------- */

/* Profile owner's entry in b->hits, listed in b->hit_list on first use. */
static struct batch__hit *batch__hit_of(struct detect_batch *b, size_t owner)
{
    struct batch__hit *h = &b->hits[owner];
    if (!h->brand && !h->image)
        b->hit_list[b->nhit++] = (uint32_t)owner;
    return h;
}

static int batch__u32_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
    return a < c ? -1 : a > c;
}

/* A listing's fields as the verdict needs them, from a jansson object (the
 * general path) or read in place (the fast path). Strings are NUL-terminated
 * except title and desc (lengths given); NULL when absent. */
struct batch__listing {
    const char *id;
    const char *title, *desc;
    size_t title_len, desc_len;
    const char *seller, *currency, *category;
    bool has_price;
    double price;
    json_t *images; /* NULL: no image to hash */
    /* The fast path's one scan over " title  description " (both ASCII):
     * its hits (detect__scan_raw) and where the description's normal form
     * begins; NULL: each field is scanned on its own. */
    const struct detect_match *raw;
    size_t nraw, desc_off;
};

/* One signal of the listing being judged, kept until the score is known. */
struct batch__sig {
    enum detect_signal_type type;
    uint32_t owner;            /* profile; not for cue phrases */
    uint32_t pattern;          /* brand term, cue phrase: index into b->pats */
    const char *field, *text;  /* brand term, cue phrase: field name, its text */
    size_t field_len;
    uint32_t start, end;       /* ... and the span in text */
    const char *image;         /* image hash */
    int distance, variant, quality;
    const struct batch__price *price; /* price below reference */
    double below;
};

/* A new zeroed signal at the end of b->sigs; NULL when out of memory. */
static struct batch__sig *batch__sig_add(struct detect_batch *b)
{
    if (b->nsigs == b->sigs_cap) {
        size_t cap = b->sigs_cap ? 2 * b->sigs_cap : BATCH__SIGNALS_MAX;
        struct batch__sig *s = realloc(b->sigs, cap * sizeof *s);
        if (!s)
            return NULL;
        b->sigs = s;
        b->sigs_cap = cap;
    }
    struct batch__sig *s = &b->sigs[b->nsigs++];
    memset(s, 0, sizeof *s);
    return s;
}

static void batch__buf_clear(struct buf *o)
{
    o->len = 0;
    if (o->data)
        o->data[0] = '\0';
}

static size_t batch__plain_run(const char *p, const char *end);

/* s[0..n) (UTF-8) as a JSON string, the bytes jansson's json_dumps writes:
 * '"' and '\\' escaped, \b \f \n \r \t by name, other bytes below 0x20 as
 * \u00XX with upper-case hex, everything else as it is. */
static ips_status batch__put_str(struct buf *o, const char *s, size_t n)
{
    static const char named[0x20] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
                                     ['\t'] = 't'};
    ips_status rc = buf_append(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        i += batch__plain_run(s + i, s + n); /* printable ASCII, 16 bytes at a time */
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue; /* UTF-8 is written as it is */
        char esc[7];
        if (c >= 0x20 || named[c])
            snprintf(esc, sizeof esc, "\\%c", c >= 0x20 ? (char)c : named[c]);
        else
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
        rc = buf_append(o, s + run, i - run);
        rc = rc ? rc : buf_append(o, esc, strlen(esc));
        run = i + 1;
    }
    rc = rc ? rc : buf_append(o, s + run, n - run);
    return rc ? rc : buf_append(o, "\"", 1);
}

/* Decimal digits of v appended to o (what "%u" writes). */
static ips_status batch__put_uint(struct buf *o, uint32_t v)
{
    char s[10];
    size_t n = sizeof s;
    do {
        s[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return buf_append(o, s + n, sizeof s - n);
}

/* A real as json_dumps writes it with JSON_REAL_PRECISION(6): "%.6g", then
 * ".0" when that has neither '.' nor 'e', and the exponent without '+' or
 * leading zeros ("1e+06" -> "1e6", "1e-05" -> "1e-5"). */
static ips_status batch__put_real(struct buf *o, double v)
{
    /* The common case without snprintf: v is k / 1000 (as a double) for an
     * integer k below 10^6 — scores, and prices with at most three
     * decimals below 1000. "%.6g" then writes k / 1000's decimal digits
     * exactly (at most six significant digits, no exponent since v >= 0.001
     * or v == 0), without trailing zeros. */
    double k = round(v * 1000);
    if (!signbit(v) && v < 1000 && k / 1000 == v) {
        uint32_t ki = (uint32_t)k, frac = ki % 1000;
        ips_status rc = batch__put_uint(o, ki / 1000);
        if (rc || frac == 0)
            return rc ? rc : buf_append(o, ".0", 2);
        char d[4] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                     (char)('0' + frac % 10)};
        size_t n = 4;
        while (d[n - 1] == '0')
            n--;
        return buf_append(o, d, n);
    }
    char s[48];
    int n = snprintf(s, sizeof s, "%.6g", v);
    if (n < 0 || (size_t)n + 3 > sizeof s)
        return IPS_ERR_INTERNAL;
    if (!strchr(s, '.') && !strchr(s, 'e'))
        memcpy(s + n, ".0", 3);
    char *e = strchr(s, 'e');
    if (e) {
        char *from = e + 2, *to = e + 1;
        if (*to == '-')
            to++;
        while (*from == '0')
            from++;
        memmove(to, from, strlen(from) + 1);
    }
    return buf_append(o, s, strlen(s));
}

struct batch__img_ctx {
    struct detect_batch *b;
    int best_dist;
    uint32_t best_id;
};

static void batch__on_image(uint32_t id, int distance, void *arg)
{
    struct batch__img_ctx *c = arg;
    if (distance < c->best_dist) {
        c->best_dist = distance;
        c->best_id = id;
    }
}

/* Text signals of one field into b->sigs (at most BATCH__SIGNALS_MAX text
 * signals per listing). raw (may be NULL): the hits of l->raw's scan, the
 * field's normal form at [off, end) of it: no scan, and no normalising
 * when none of them ends there. */
static ips_status batch__scan_field(struct detect_batch *b, const char *field, const char *text,
                                    size_t len, bool *cue_seen, const struct batch__listing *l,
                                    size_t off, size_t end)
{
    if (l->raw) {
        bool any = false;
        for (size_t i = 0; i < l->nraw && !any; i++)
            any = l->raw[i].end > off && l->raw[i].end <= end;
        if (!any)
            return IPS_OK;
    }
    ips_status rc = detect_normalise(b->norm, text, len, &b->text);
    if (rc)
        return rc;
    const struct detect_match *m;
    size_t n;
    rc = l->raw ? detect__scan_raw_text(b->scanner, &b->text, l->raw, l->nraw, off, &m, &n)
                : detect_scan_text(b->scanner, &b->text, &m, &n);
    if (rc)
        return rc;
    size_t field_len = strlen(field);
    for (size_t i = 0; i < n && b->nsigs < BATCH__SIGNALS_MAX; i++) {
        const struct detect_pattern_in *p = &b->pats[m[i].pattern];
        struct batch__sig *s = batch__sig_add(b);
        if (!s)
            return IPS_ERR_NOMEM;
        s->pattern = m[i].pattern;
        s->field = field;
        s->field_len = field_len;
        s->text = text;
        s->start = m[i].start;
        s->end = m[i].end;
        if (p->kind == DETECT_PATTERN_BRAND) {
            s->type = DETECT_SIG_BRAND_TERM;
            s->owner = (uint32_t)p->owner;
            batch__hit_of(b, (size_t)p->owner)->brand = true;
        } else {
            s->type = DETECT_SIG_CUE_PHRASE;
            *cue_seen = true;
        }
    }
    return IPS_OK;
}

/* Whether seller is in profile p's authorised list. */
static bool batch__authorised(const struct batch__profile *p, const char *seller)
{
    if (!p->sellers || !seller)
        return false;
    size_t k;
    json_t *v;
    json_array_foreach(p->sellers, k, v)
    {
        if (!strcmp(json_string_value(v), seller))
            return true;
    }
    return false;
}

/* A price member: a number or a decimal string. false when neither. */
static bool batch__price(json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return *out >= 0 && isfinite(*out);
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        if (!*s)
            return false;
        double d = strtod(s, &end);
        if (*end || !isfinite(d) || d < 0)
            return false;
        *out = d;
        return true;
    }
    return false;
}

/* One warning {"image", "error"[, "quality"]} appended to b->warn. */
static ips_status batch__warn(struct detect_batch *b, const char *img, const char *error,
                              int quality)
{
    struct buf *w = &b->warn;
    ips_status rc = buf_append(w, w->len ? ",{\"image\":" : "{\"image\":", w->len ? 10 : 9);
    rc = rc ? rc : batch__put_str(w, img, strlen(img));
    rc = rc ? rc : buf_append(w, ",\"error\":", 9);
    rc = rc ? rc : batch__put_str(w, error, strlen(error));
    if (!rc && quality >= 0)
        rc = buf_appendf(w, ",\"quality\":%d", quality);
    return rc ? rc : buf_append(w, "}", 1);
}

/* Image signals: every non-URL image, read under the image root. */
static ips_status batch__scan_images(struct detect_batch *b, json_t *images)
{
    size_t k;
    json_t *v;
    ips_status rc = IPS_OK;
    json_array_foreach(images, k, v)
    {
        const char *img = json_string_value(v);
        if (!strncmp(img, "http://", 7) || !strncmp(img, "https://", 8))
            continue;
        if (img[0] == '/' || strstr(img, "..")) {
            rc = batch__warn(b, img, "image paths must be relative to the image root", -1);
            if (rc)
                return rc;
            continue;
        }
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", b->image_root, img) >= sizeof path)
            continue;
        struct detect_pdq h[DETECT_DIH_COUNT];
        int quality;
        char err[200];
        rc = detect_pdq_file(path, h, &quality, err, sizeof err);
        if (rc == IPS_ERR_NOMEM)
            return rc;
        if (rc || quality < DETECT_PDQ_MIN_QUALITY) {
            rc = rc ? batch__warn(b, img, err, -1)
                    : batch__warn(b, img, "quality below 50: not used for matching", quality);
            if (rc)
                return rc;
            continue;
        }
        struct batch__img_ctx c = {b, DETECT_PDQ_MATCH_DISTANCE + 1, 0};
        int best_variant = -1;
        for (int d = 0; d < DETECT_DIH_COUNT; d++) {
            int before = c.best_dist;
            detect_index_query(b->index, &h[d], DETECT_PDQ_MATCH_DISTANCE, batch__on_image, &c);
            if (c.best_dist < before)
                best_variant = d;
        }
        if (best_variant < 0)
            continue;
        uint32_t owner = b->index_owner[c.best_id];
        batch__hit_of(b, owner)->image = true;
        struct batch__sig *s = batch__sig_add(b);
        if (!s)
            return IPS_ERR_NOMEM;
        s->type = DETECT_SIG_IMAGE_HASH;
        s->owner = owner;
        s->image = img;
        s->distance = c.best_dist;
        s->variant = best_variant;
        s->quality = quality;
    }
    return IPS_OK;
}

/* Signal s as a JSON object appended to b->out (key order: what the
 * verdicts have always had). */
static ips_status batch__put_sig(struct detect_batch *b, const struct batch__listing *l,
                                 const struct batch__sig *s)
{
    struct buf *o = &b->out;
    const char *rh = b->profiles[s->owner].rightholder;
    size_t rh_len = b->profiles[s->owner].rightholder_len;
    ips_status rc = IPS_OK;
    switch (s->type) {
    case DETECT_SIG_BRAND_TERM:
    case DETECT_SIG_CUE_PHRASE: {
        const char *pt = b->pats[s->pattern].text;
        if (s->type == DETECT_SIG_BRAND_TERM) {
            rc = buf_append(o, "{\"type\":\"brand_term\",\"rightholder\":", 35);
            rc = rc ? rc : batch__put_str(o, rh, rh_len);
            rc = rc ? rc : buf_append(o, ",\"term\":", 8);
        } else {
            rc = buf_append(o, "{\"type\":\"cue_phrase\",\"phrase\":", 30);
        }
        rc = rc ? rc : batch__put_str(o, pt, b->pat_len[s->pattern]);
        rc = rc ? rc : buf_append(o, ",\"field\":\"", 10);
        rc = rc ? rc : buf_append(o, s->field, s->field_len);
        rc = rc ? rc : buf_append(o, "\",\"start\":", 10);
        rc = rc ? rc : batch__put_uint(o, s->start);
        rc = rc ? rc : buf_append(o, ",\"end\":", 7);
        rc = rc ? rc : batch__put_uint(o, s->end);
        rc = rc ? rc : buf_append(o, ",\"match\":", 9);
        rc = rc ? rc : batch__put_str(o, s->text + s->start, s->end - s->start);
        break;
    }
    case DETECT_SIG_IMAGE_HASH:
        rc = buf_append(o, "{\"type\":\"image_hash\",\"rightholder\":", 35);
        rc = rc ? rc : batch__put_str(o, rh, rh_len);
        rc = rc ? rc : buf_append(o, ",\"image\":", 9);
        rc = rc ? rc : batch__put_str(o, s->image, strlen(s->image));
        rc = rc ? rc : buf_appendf(o, ",\"distance\":%d,\"variant\":\"%s\",\"quality\":%d", s->distance,
                                   detect_dihedral_name((enum detect_dihedral)s->variant), s->quality);
        break;
    case DETECT_SIG_UNAUTHORISED_SELLER:
        rc = buf_append(o, "{\"type\":\"unauthorised_seller\",\"rightholder\":", 44);
        rc = rc ? rc : batch__put_str(o, rh, rh_len);
        if (!rc && l->seller) {
            rc = buf_append(o, ",\"seller_id\":", 13);
            rc = rc ? rc : batch__put_str(o, l->seller, strlen(l->seller));
        }
        break;
    default: /* DETECT_SIG_PRICE_BELOW_REFERENCE */
        rc = buf_append(o, "{\"type\":\"price_below_reference\",\"rightholder\":", 46);
        rc = rc ? rc : batch__put_str(o, rh, rh_len);
        rc = rc ? rc : buf_append(o, ",\"category\":", 12);
        rc = rc ? rc : batch__put_str(o, s->price->category, strlen(s->price->category));
        rc = rc ? rc : buf_append(o, ",\"currency\":", 12);
        rc = rc ? rc : batch__put_str(o, s->price->currency, strlen(s->price->currency));
        rc = rc ? rc : buf_append(o, ",\"price\":", 9);
        rc = rc ? rc : batch__put_real(o, l->price);
        rc = rc ? rc : buf_append(o, ",\"reference_min\":", 17);
        rc = rc ? rc : batch__put_real(o, s->price->min);
        rc = rc ? rc : buf_append(o, ",\"below\":", 9);
        rc = rc ? rc : batch__put_real(o, round(s->below * 1000) / 1000);
        break;
    }
    return rc ? rc : buf_append(o, "}", 1);
}

/* The verdict on listing l as one JSON line (without the newline) in b->out.
 * Failure: IPS_ERR_TOO_LARGE (a sentence in err), IPS_ERR_NOMEM, others. */
static ips_status batch__judge(struct detect_batch *b, const struct batch__listing *l, char *err,
                               size_t errcap)
{
    b->nsigs = 0;
    batch__buf_clear(&b->out);
    batch__buf_clear(&b->warn);
    bool cue = false;
    ips_status rc = batch__scan_field(b, "title", l->title, l->title_len, &cue, l, 0, l->desc_off);
    if (!rc && l->desc)
        rc = batch__scan_field(b, "description", l->desc, l->desc_len, &cue, l, l->desc_off,
                               SIZE_MAX);
    if (!rc && l->images && b->image_root && detect_index_size(b->index) > 0)
        rc = batch__scan_images(b, l->images);
    if (rc) {
        if (rc == IPS_ERR_TOO_LARGE)
            snprintf(err, errcap, "a text field is longer than %d bytes", DETECT_TEXT_MAX);
        goto out;
    }
    bool present[DETECT_SIG_COUNT] = {false};
    double strength[DETECT_SIG_COUNT] = {0};
    /* text and image signals, dropping an authorised seller's own brand
     * mentions when nothing else is suspicious */
    size_t keep = 0;
    for (size_t i = 0; i < b->nsigs; i++) {
        const struct batch__sig *s = &b->sigs[i];
        if (s->type == DETECT_SIG_BRAND_TERM && !cue &&
            batch__authorised(&b->profiles[s->owner], l->seller))
            continue;
        present[s->type] = true;
        strength[s->type] = 1.0;
        b->sigs[keep++] = *s;
    }
    b->nsigs = keep;
    qsort(b->hit_list, b->nhit, sizeof *b->hit_list, batch__u32_cmp); /* profile order */
    for (size_t h = 0; h < b->nhit; h++) {
        const struct batch__profile *p = &b->profiles[b->hit_list[h]];
        bool auth = batch__authorised(p, l->seller);
        if (p->sellers && json_array_size(p->sellers) > 0 && !auth) {
            struct batch__sig *s = batch__sig_add(b);
            if (!s) {
                rc = IPS_ERR_NOMEM;
                goto out;
            }
            s->type = DETECT_SIG_UNAUTHORISED_SELLER;
            s->owner = b->hit_list[h];
            present[DETECT_SIG_UNAUTHORISED_SELLER] = true;
            strength[DETECT_SIG_UNAUTHORISED_SELLER] = 1.0;
        }
        if (auth || !l->has_price || !l->currency || !l->category)
            continue;
        for (size_t r = 0; r < p->nprices; r++) {
            const struct batch__price *rp = &p->prices[r];
            if (strcasecmp(rp->category, l->category) || strcasecmp(rp->currency, l->currency) ||
                !(l->price < rp->min))
                continue;
            double below = rp->min > 0 ? 1.0 - l->price / rp->min : 0;
            double st = 0.6 + below;
            struct batch__sig *s = batch__sig_add(b);
            if (!s) {
                rc = IPS_ERR_NOMEM;
                goto out;
            }
            s->type = DETECT_SIG_PRICE_BELOW_REFERENCE;
            s->owner = b->hit_list[h];
            s->price = rp;
            s->below = below;
            present[DETECT_SIG_PRICE_BELOW_REFERENCE] = true;
            if (st > strength[DETECT_SIG_PRICE_BELOW_REFERENCE])
                strength[DETECT_SIG_PRICE_BELOW_REFERENCE] = st > 1 ? 1 : st;
        }
    }
    double score;
    enum detect_action action;
    detect_policy_apply(&b->policy, present, strength, &score, &action);
    struct buf *o = &b->out;
    rc = buf_append(o, "{\"id\":", 6);
    rc = rc ? rc : batch__put_str(o, l->id, strlen(l->id));
    rc = rc ? rc : buf_append(o, ",\"score\":", 9);
    rc = rc ? rc : batch__put_real(o, round(score * 1000) / 1000);
    const char *an = detect_action_name(action);
    rc = rc ? rc : buf_append(o, ",\"action\":\"", 11);
    rc = rc ? rc : buf_append(o, an, strlen(an));
    rc = rc ? rc : buf_append(o, "\",\"signals\":[", 13);
    for (size_t i = 0; i < b->nsigs && !rc; i++) {
        if (i)
            rc = buf_append(o, ",", 1);
        rc = rc ? rc : batch__put_sig(b, l, &b->sigs[i]);
    }
    rc = rc ? rc : buf_append(o, "]", 1);
    if (!rc && b->warn.len) {
        rc = buf_append(o, ",\"warnings\":[", 13);
        rc = rc ? rc : buf_append(o, b->warn.data, b->warn.len);
        rc = rc ? rc : buf_append(o, "]", 1);
    }
    rc = rc ? rc : buf_append(o, "}", 1);
out:
    for (size_t i = 0; i < b->nhit; i++)
        b->hits[b->hit_list[i]] = (struct batch__hit){false, false};
    b->nhit = 0;
    if (rc && !err[0])
        snprintf(err, errcap, "%s", ips_status_message(rc));
    return rc;
}

/* The fields of a listing object, checked. false: a sentence in err. */
static bool batch__listing_of(json_t *listing, struct batch__listing *l, char *err, size_t errcap)
{
    if (!json_is_object(listing)) {
        snprintf(err, errcap, "a listing must be a JSON object");
        return false;
    }
    json_t *id = json_object_get(listing, "id"), *title = json_object_get(listing, "title"),
           *desc = json_object_get(listing, "description"),
           *seller = json_object_get(listing, "seller_id"), *price = json_object_get(listing, "price"),
           *currency = json_object_get(listing, "currency"),
           *category = json_object_get(listing, "category"),
           *images = json_object_get(listing, "images");
    if (!json_is_string(id) || !catalog_id_valid(json_string_value(id))) {
        snprintf(err, errcap, "id must be a string of 1-64 characters of [A-Za-z0-9._:-]");
        return false;
    }
    if (!json_is_string(title) || json_string_length(title) == 0) {
        snprintf(err, errcap, "title must be a non-empty string");
        return false;
    }
    if ((desc && !json_is_null(desc) && !json_is_string(desc)) ||
        (seller && !json_is_string(seller)) || (currency && !json_is_string(currency)) ||
        (category && !json_is_string(category))) {
        snprintf(err, errcap, "description, seller_id, currency and category must be strings");
        return false;
    }
    *l = (struct batch__listing){.id = json_string_value(id),
                                 .title = json_string_value(title),
                                 .title_len = json_string_length(title),
                                 .desc = json_string_value(desc),
                                 .desc_len = json_string_length(desc),
                                 .seller = json_string_value(seller),
                                 .currency = json_string_value(currency),
                                 .category = json_string_value(category),
                                 .images = images};
    if (price && !json_is_null(price)) {
        if (!batch__price(price, &l->price)) {
            snprintf(err, errcap, "price must be a number >= 0 or a decimal string");
            return false;
        }
        l->has_price = true;
    }
    if (images) {
        size_t k;
        json_t *im;
        if (!json_is_array(images)) {
            snprintf(err, errcap, "images must be an array of strings");
            return false;
        }
        json_array_foreach(images, k, im)
        {
            if (!json_is_string(im) || json_string_length(im) == 0) {
                snprintf(err, errcap, "images must be an array of strings");
                return false;
            }
        }
    }
    return true;
}

ips_status detect_batch_verdict(struct detect_batch *b, json_t *listing, json_t **verdict,
                                char *err, size_t errcap)
{
    struct batch__listing l;
    *verdict = NULL;
    err[0] = '\0';
    if (!batch__listing_of(listing, &l, err, errcap))
        return IPS_ERR_INVALID;
    ips_status rc = batch__judge(b, &l, err, errcap);
    if (rc)
        return rc;
    char perr[200];
    rc = json_parse_bytes(b->out.data, b->out.len, verdict, perr, sizeof perr);
    if (rc)
        snprintf(err, errcap, "%s", ips_status_message(rc));
    return rc;
}

/* Write one JSON value as a line. */
static ips_status batch__write(FILE *out, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (!s)
        return IPS_ERR_NOMEM;
    bool ok = fputs(s, out) >= 0 && fputc('\n', out) != EOF;
    free(s);
    return ok ? IPS_OK : IPS_ERR_IO;
}

/* Write b->out as a line. */
static ips_status batch__write_out(struct detect_batch *b, FILE *out)
{
    if (buf_append(&b->out, "\n", 1))
        return IPS_ERR_NOMEM;
    return fwrite_unlocked(b->out.data, 1, b->out.len, out) == b->out.len ? IPS_OK : IPS_ERR_IO;
}

/* ---- the fast path ---------------------------------------------------------------
 *
 * Most listings carry no brand, no cue phrase and no image to look at: their
 * verdict is the constant "allow" with no signals. For them the general path
 * (a jansson DOM per line, the normal form with its offset map, a verdict
 * object) is mostly overhead. batch__fast reads the line with a small
 * validating scanner, normalises title and description (ASCII text without
 * the offset map) into one buffer, asks Hyperscan once whether anything
 * matches, and writes the allow verdict itself. A line with a match is judged
 * from the scanner's fields by batch__judge, the general path's own code
 * (signals kept as C structs, the verdict written directly, not through a
 * jansson tree). Whenever anything is not plainly fine — an image to hash,
 * a field of the wrong type, a duplicate or escaped key,
 * a number jansson might refuse, invalid UTF-8, deep nesting — it declines
 * and the general path handles the line, so verdicts (and error verdicts)
 * are byte for byte those of the general path. (Checked when written by
 * diffing against the general-path-only binary over `demo generate` data,
 * the benchmark's data and tricky lines; tests/e2e/scan.test.mjs keeps the
 * tricky lines: escapes, duplicate and escaped keys, NUL, surrogates, big
 * numbers, invalid UTF-8, trailing bytes.)
 */

enum { BF_ID, BF_TITLE, BF_DESC, BF_SELLER, BF_PRICE, BF_CURRENCY, BF_CATEGORY, BF_IMAGES, BF_N };
static const char *const batch__fkeys[BF_N] = {"id",    "title",    "description", "seller_id",
                                                "price", "currency", "category",    "images"};
static const unsigned char batch__fklen[BF_N] = {2, 5, 11, 9, 5, 8, 8, 6};
enum { BK_ABSENT, BK_STR, BK_NUM, BK_NULL, BK_ARR, BK_OTHER };

struct batch__fval {
    const char *p; /* string contents (raw, between the quotes) or number text */
    size_t len;
    int kind;
    bool esc, ascii;
    size_t items;     /* BK_ARR: strings in it */
    bool empty_item;  /* BK_ARR: an empty string among them */
};

struct batch__fs {
    const char *p, *end;
};

#define BATCH__FAST_KEYS 32
#define BATCH__FAST_DEPTH 16

static void batch__fws(struct batch__fs *s)
{
    /* one compare for the usual case, a byte above ' ' (no white space) */
    while (s->p < s->end && (unsigned char)*s->p <= ' ' &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int batch__hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* \uXXXX at p (p points at 'u'); -1 when malformed. */
static long batch__u4(const char *p, const char *end)
{
    if (end - p < 5)
        return -1;
    long v = 0;
    for (int k = 1; k <= 4; k++) {
        int h = batch__hex(p[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 if invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t batch__utf8(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (n == 0 || c > 0xF4 || (size_t)(end - p) < n)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] >= 0x90))
        return 0;
    return n;
}

/* How many bytes from p (before end) are plain string bytes: printable
 * ASCII other than '"' and '\\'. Sixteen at a time where SSE2 is there. */
static size_t batch__plain_run(const char *p, const char *end)
{
    const char *q = p;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20);
    while (end - q >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        /* signed compare: bytes >= 0x80 are negative, so below 0x20 too */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bsl)),
                                 _mm_cmplt_epi8(x, sp));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return (size_t)(q - p) + (size_t)__builtin_ctz(mask);
        q += 16;
    }
#endif
    while (q < end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' &&
           *q != '\\')
        q++;
    return (size_t)(q - p);
}

/* A string at s->p (on its opening quote). OUT v->p/len (raw contents),
 * v->esc, v->ascii. false: not plainly valid. */
static bool batch__fstring(struct batch__fs *s, struct batch__fval *v)
{
    if (s->p >= s->end || *s->p != '"')
        return false;
    const char *p = ++s->p;
    v->esc = false;
    v->ascii = true;
    while (p < s->end) {
        p += batch__plain_run(p, s->end);
        if (p >= s->end)
            break;
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            v->p = s->p;
            v->len = (size_t)(p - s->p);
            s->p = p + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            v->esc = true;
            if (p + 1 >= s->end)
                return false;
            char e = p[1];
            if (e == 'u') {
                long u = batch__u4(p + 1, s->end);
                if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
                    return false; /* NUL or a lone low surrogate */
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (s->end - p < 12 || p[6] != '\\' || p[7] != 'u')
                        return false;
                    long lo = batch__u4(p + 7, s->end);
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return false;
                    p += 6;
                }
                if (u >= 0x80)
                    v->ascii = false;
                p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return false;
            p += 2;
            continue;
        }
        if (c >= 0x80) {
            size_t n = batch__utf8((const unsigned char *)p, (const unsigned char *)s->end);
            if (n == 0)
                return false;
            v->ascii = false;
            p += n;
            continue;
        }
        p++;
    }
    return false;
}

/* A number jansson surely accepts as it is: JSON grammar, at most 15
 * characters, no exponent. */
static bool batch__fnumber(struct batch__fs *s, struct batch__fval *v)
{
    const char *p = s->p;
    if (p < s->end && *p == '-')
        p++;
    if (p >= s->end || *p < '0' || *p > '9')
        return false;
    if (*p == '0')
        p++;
    else
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    if (p < s->end && *p == '.') {
        p++;
        if (p >= s->end || *p < '0' || *p > '9')
            return false;
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < s->end && (*p == 'e' || *p == 'E'))
        return false;
    if (p - s->p > 15)
        return false;
    v->p = s->p;
    v->len = (size_t)(p - s->p);
    s->p = p;
    return true;
}

static bool batch__fword(struct batch__fs *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

/* Which known key s->p is on (its opening quote), taking the key and its
 * closing quote; -1 (nothing taken) for any other key. A known key has no
 * escapes and no special bytes, so the raw bytes decide. */
static int batch__fknown(struct batch__fs *s)
{
    const char *p = s->p;
    if (s->end - p < 4)
        return -1;
    int which;
    switch (p[1]) {
    case 'i': which = p[2] == 'd' ? BF_ID : BF_IMAGES; break;
    case 't': which = BF_TITLE; break;
    case 'd': which = BF_DESC; break;
    case 's': which = BF_SELLER; break;
    case 'p': which = BF_PRICE; break;
    case 'c': which = p[2] == 'u' ? BF_CURRENCY : BF_CATEGORY; break;
    default: return -1;
    }
    size_t n = batch__fklen[which];
    if ((size_t)(s->end - p) < n + 2)
        return -1;
#if defined(__SSE2__)
    if (s->end - p >= 16) { /* the quoted key against the next 16 bytes */
        static const char quoted[BF_N][16] = {"\"id\"",        "\"title\"",    "\"description\"",
                                              "\"seller_id\"", "\"price\"",    "\"currency\"",
                                              "\"category\"",  "\"images\""};
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i k = _mm_loadu_si128((const __m128i *)(const void *)quoted[which]);
        unsigned want = (1u << (n + 2)) - 1;
        if (((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, k)) & want) != want)
            return -1;
        s->p = p + n + 2;
        return which;
    }
#endif
    if (memcmp(p + 1, batch__fkeys[which], n) != 0 || p[n + 1] != '"')
        return -1;
    s->p = p + n + 2;
    return which;
}

static bool batch__fskip(struct batch__fs *s, int depth, struct batch__fval *v);

/* An array at s->p (on its '['), items validated and skipped. strings_only
 * (images): every item must be a string; OUT v->items, v->empty_item. */
static bool batch__farray(struct batch__fs *s, int depth, bool strings_only, struct batch__fval *v)
{
    struct batch__fval it;
    v->items = 0;
    v->empty_item = false;
    s->p++; /* '[' */
    batch__fws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return true;
    }
    for (;;) {
        if (!batch__fskip(s, depth + 1, &it) || (strings_only && it.kind != BK_STR))
            return false;
        v->items++;
        v->empty_item = v->empty_item || (it.kind == BK_STR && it.len == 0);
        batch__fws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == ']') {
            s->p++;
            return true;
        }
        if (*s->p != ',')
            return false;
        s->p++;
        batch__fws(s);
    }
}

/* Any value but an object (validated, then skipped); OUT v->kind. Nested
 * objects decline: duplicate keys in them are jansson's to judge. */
static bool batch__fskip(struct batch__fs *s, int depth, struct batch__fval *v)
{
    if (s->p >= s->end || depth > BATCH__FAST_DEPTH)
        return false;
    char c = *s->p;
    v->kind = BK_OTHER;
    if (c == '"') {
        v->kind = BK_STR;
        return batch__fstring(s, v);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        v->kind = BK_NUM;
        return batch__fnumber(s, v);
    }
    if (c == 'n') {
        v->kind = BK_NULL;
        return batch__fword(s, "null");
    }
    if (c == 't')
        return batch__fword(s, "true");
    if (c == 'f')
        return batch__fword(s, "false");
    return c == '[' && batch__farray(s, depth, false, v);
}

/* Decode the JSON string contents v (validated by batch__fstring) into out
 * (at least v->len + 1 bytes). Returns the decoded length. */
static size_t batch__unescape(const struct batch__fval *v, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < v->len;) {
        char c = v->p[i];
        if (c != '\\') {
            out[o++] = c;
            i++;
            continue;
        }
        char e = v->p[i + 1];
        if (e != 'u') {
            out[o++] = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r'
                       : e == 't' ? '\t' : e;
            i += 2;
            continue;
        }
        long u = batch__u4(v->p + i + 1, v->p + v->len);
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = batch__u4(v->p + i + 1, v->p + v->len);
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        }
        if (u < 0x80) {
            out[o++] = (char)u;
        } else if (u < 0x800) {
            out[o++] = (char)(0xC0 | (u >> 6));
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            out[o++] = (char)(0xE0 | (u >> 12));
            out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (u >> 18));
            out[o++] = (char)(0x80 | ((u >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        }
    }
    out[o] = '\0';
    return o;
}

static bool batch__grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    char *p = realloc(*buf, c);
    if (!p)
        return false;
    *buf = p;
    *cap = c;
    return true;
}

/* The text of the string field v: in place when it has no escapes, else
 * decoded into dec (at least v->len + 1 bytes, NUL-terminated). OUT *len. */
static const char *batch__ftext(const struct batch__fval *v, char *dec, size_t *len)
{
    if (!v->esc) {
        *len = v->len;
        return v->p;
    }
    *len = batch__unescape(v, dec);
    return dec;
}

/* Append the normal form of text[0..len) to b->fast_norm at *at (title and
 * description end up in one buffer, " t1 t2  d1 d2 ": no pattern holds two
 * spaces in a row, so none can match across the fields). false: decline. */
static bool batch__fast_field(struct detect_batch *b, const char *text, size_t len, bool ascii,
                              size_t *at)
{
    if (len > DETECT_TEXT_MAX)
        return false;
    if (ascii) {
        if (!batch__grow(&b->fast_norm, &b->fast_norm_cap, *at + 3 * len + 2))
            return false;
        *at += detect__normalise_ascii(text, len, b->fast_norm + *at);
        return true;
    }
    if (detect_normalise(b->norm, text, len, &b->text) != IPS_OK ||
        !batch__grow(&b->fast_norm, &b->fast_norm_cap, *at + b->text.len + 1))
        return false;
    memcpy(b->fast_norm + *at, b->text.s, b->text.len + 1);
    *at += b->text.len;
    return true;
}

/* A line with a hit, read in place: the verdict of the general path from the
 * scanner's fields (dec: room for the decoded seller, currency, category).
 * false: decline (the general path will say why). */
static bool batch__fast_judge(struct detect_batch *b, const struct batch__fval *f,
                              struct batch__listing *l, char *dec, FILE *out, ips_status *st)
{
    const char **dst[3] = {&l->seller, &l->currency, &l->category};
    for (int i = 0; i < 3; i++) {
        const struct batch__fval *v = &f[BF_SELLER + (i ? i + 1 : 0)]; /* skips BF_PRICE */
        if (v->kind != BK_STR)
            continue;
        size_t n;
        const char *t = batch__ftext(v, dec, &n);
        if (t != dec) {
            memcpy(dec, t, n);
            dec[n] = '\0';
        }
        *dst[i] = dec;
        dec += n + 1;
    }
    if (f[BF_PRICE].kind == BK_NUM) {
        char num[16]; /* batch__fnumber: at most 15 characters */
        memcpy(num, f[BF_PRICE].p, f[BF_PRICE].len);
        num[f[BF_PRICE].len] = '\0';
        l->price = strtod(num, NULL);
        l->has_price = true;
    }
    char err[300];
    err[0] = '\0';
    if (batch__judge(b, l, err, sizeof err) != IPS_OK)
        return false;
    *st = batch__write_out(b, out);
    return true;
}

/* 1: the allow verdict was written (or *st says why not: IPS_ERR_IO);
 * 0: declined, use the general path. */
static int batch__fast(struct detect_batch *b, const char *line, size_t len, FILE *out,
                       ips_status *st)
{
    struct batch__fs s = {line, line + len};
    struct batch__fval f[BF_N];
    struct {
        const char *p;
        size_t len;
    } keys[BATCH__FAST_KEYS]; /* the other keys, for the duplicate check */
    size_t nkeys = 0;
    unsigned known = 0; /* the known keys seen, a bit each */
    /* the rest of a field is read only once its kind is set */
    for (int i = 0; i < BF_N; i++)
        f[i].kind = BK_ABSENT;
    batch__fws(&s);
    if (s.p >= s.end || *s.p != '{')
        return 0;
    s.p++;
    batch__fws(&s);
    if (s.p < s.end && *s.p == '}')
        return 0; /* no id: the general path writes the error */
    for (;;) {
        if (s.p >= s.end || *s.p != '"')
            return 0;
        int which = batch__fknown(&s);
        if (which >= 0) {
            if (known & (1u << which))
                return 0; /* duplicate: jansson refuses the line */
            known |= 1u << which;
        } else {
            /* not a known key (unescaped, so not one spelled otherwise) */
            struct batch__fval k;
            if (nkeys == BATCH__FAST_KEYS || !batch__fstring(&s, &k) || k.esc)
                return 0;
            for (size_t i = 0; i < nkeys; i++)
                if (keys[i].len == k.len && !memcmp(keys[i].p, k.p, k.len))
                    return 0;
            keys[nkeys].p = k.p;
            keys[nkeys++].len = k.len;
        }
        batch__fws(&s);
        if (s.p >= s.end || *s.p != ':')
            return 0;
        s.p++;
        batch__fws(&s);
        struct batch__fval tmp;
        struct batch__fval *v = which >= 0 ? &f[which] : &tmp;
        bool ok;
        if (which == BF_IMAGES && s.p < s.end && *s.p == '[') {
            v->kind = BK_ARR;
            ok = batch__farray(&s, 0, true, v);
        } else if (s.p < s.end && *s.p == '"') { /* most values: batch__fskip's string case */
            v->kind = BK_STR;
            ok = batch__fstring(&s, v);
        } else {
            ok = batch__fskip(&s, 0, v);
        }
        if (!ok)
            return 0;
        batch__fws(&s);
        if (s.p >= s.end)
            return 0;
        if (*s.p == '}') {
            s.p++;
            break;
        }
        if (*s.p != ',')
            return 0;
        s.p++;
        batch__fws(&s);
    }
    batch__fws(&s);
    if (s.p != s.end)
        return 0;
    /* the checks of batch__listing_of; any doubt: decline */
    char id[65];
    if (f[BF_ID].kind != BK_STR || f[BF_ID].esc || f[BF_ID].len >= sizeof id)
        return 0;
    memcpy(id, f[BF_ID].p, f[BF_ID].len);
    id[f[BF_ID].len] = '\0';
    if (!catalog_id_valid(id))
        return 0;
    if (f[BF_TITLE].kind != BK_STR || f[BF_TITLE].len == 0)
        return 0;
    if (f[BF_DESC].kind != BK_ABSENT && f[BF_DESC].kind != BK_NULL && f[BF_DESC].kind != BK_STR)
        return 0;
    for (int i = BF_SELLER; i <= BF_CATEGORY; i++)
        if (i != BF_PRICE && f[i].kind != BK_ABSENT && f[i].kind != BK_STR)
            return 0;
    if (f[BF_PRICE].kind != BK_ABSENT && f[BF_PRICE].kind != BK_NULL &&
        (f[BF_PRICE].kind != BK_NUM || f[BF_PRICE].p[0] == '-'))
        return 0;
    if (f[BF_IMAGES].kind != BK_ABSENT &&
        (f[BF_IMAGES].kind != BK_ARR || f[BF_IMAGES].empty_item ||
         (f[BF_IMAGES].items > 0 && b->image_root && detect_index_size(b->index) > 0)))
        return 0;
    size_t need = 1;
    for (int i = BF_TITLE; i <= BF_CATEGORY; i++)
        need += f[i].kind == BK_STR ? f[i].len + 1 : 0;
    if (!batch__grow(&b->fast_dec, &b->fast_dec_cap, need))
        return 0;
    struct batch__listing l = {.id = id};
    char *dec = b->fast_dec;
    l.title = batch__ftext(&f[BF_TITLE], dec, &l.title_len);
    dec += f[BF_TITLE].len + 1;
    if (f[BF_DESC].kind == BK_STR) {
        l.desc = batch__ftext(&f[BF_DESC], dec, &l.desc_len);
        dec += f[BF_DESC].len + 1;
    }
    bool hit = false;
    size_t nl = 0;
    if (!batch__fast_field(b, l.title, l.title_len, f[BF_TITLE].ascii, &nl))
        return 0;
    l.desc_off = nl;
    if (l.desc && !batch__fast_field(b, l.desc, l.desc_len, f[BF_DESC].ascii, &nl))
        return 0;
    if (f[BF_TITLE].ascii && (!l.desc || f[BF_DESC].ascii)) {
        /* all hits at once: a line with a hit is not scanned again, and a
         * field without one is not normalised again (batch__scan_field) */
        const struct detect_match *raw;
        if (detect__scan_raw(b->scanner, b->fast_norm, nl, &raw, &l.nraw) != IPS_OK ||
            l.nraw >= DETECT__MATCHES_MAX)
            return 0;
        if (l.nraw > b->raw_cap) {
            size_t cap = l.nraw < 64 ? 64 : 2 * l.nraw;
            struct detect_match *r = realloc(b->raw, cap * sizeof *r);
            if (!r)
                return 0;
            b->raw = r;
            b->raw_cap = cap;
        }
        if (l.nraw)
            memcpy(b->raw, raw, l.nraw * sizeof *raw);
        l.raw = b->raw;
        hit = l.nraw > 0;
    } else if (detect__scan_any(b->scanner, b->fast_norm, nl, &hit) != IPS_OK) {
        return 0;
    }
    if (hit)
        return batch__fast_judge(b, f, &l, dec, out, st) ? 1 : 0;
    static const char head[] = "{\"id\":\"", tail[] = "\",\"score\":0.0,\"action\":\"allow\",\"signals\":[]}\n";
    char line_out[sizeof head + sizeof id + sizeof tail];
    size_t o = sizeof head - 1;
    memcpy(line_out, head, o);
    memcpy(line_out + o, id, f[BF_ID].len);
    o += f[BF_ID].len;
    memcpy(line_out + o, tail, sizeof tail - 1);
    o += sizeof tail - 1;
    if (fwrite_unlocked(line_out, 1, o, out) != o)
        *st = IPS_ERR_IO;
    return 1;
}

ips_status detect_batch_scan_line(struct detect_batch *b, const char *line, size_t len,
                                  int64_t line_no, FILE *out, bool *was_error)
{
    ips_status rc = IPS_OK;
    json_t *obj = NULL;
    char err[300];
    err[0] = '\0';
    if (was_error)
        *was_error = false;
    if (len > CATALOG_LINE_MAX) {
        snprintf(err, sizeof err, "line longer than %d bytes", CATALOG_LINE_MAX);
        goto out_error;
    }
    ips_status fst = IPS_OK;
    if (batch__fast(b, line, len, out, &fst))
        return fst;
    char perr[200];
    if (json_parse_bytes(line, len, &obj, perr, sizeof perr) != IPS_OK) {
        snprintf(err, sizeof err, "malformed JSON: %s", perr);
        goto out_error;
    }
    struct batch__listing l;
    if (!batch__listing_of(obj, &l, err, sizeof err))
        goto out_error;
    rc = batch__judge(b, &l, err, sizeof err);
    if (rc == IPS_ERR_NOMEM)
        goto out;
    if (rc)
        goto out_error;
    rc = batch__write_out(b, out);
    goto out;
out_error:
    if (was_error)
        *was_error = true;
    json_t *id = json_is_object(obj) ? json_object_get(obj, "id") : NULL;
    json_t *ev = json_pack("{s:I, s:O*, s:s}", "line", (json_int_t)line_no, "id",
                           json_is_string(id) ? id : NULL, "error", err);
    rc = ev ? batch__write(out, ev) : IPS_ERR_NOMEM;
    json_decref(ev);
out:
    json_decref(obj);
    return rc;
}

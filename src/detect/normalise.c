/*
 * normalise.c — the text normal form of the detection engine (see detect.h
 * for the rules and docs/internals/detect.md for why).
 *
 * Two phases. Phase 1 turns every original code point into zero or more
 * "units" (a normalised code point, its class, and the original byte span it
 * came from): ASCII through a fixed table, anything else through utf8proc
 * (NFKC, case fold, marks and ignorables stripped) and ICU's TR39 skeleton,
 * memoised per code point. Phase 2 groups units into words, applies the
 * digit/symbol substitutions, joins separator-spread letters and unspaced
 * script runs, and writes " w1 w2 ... " with the offset map.
 *
 * Invariants: every byte of t->s has an original span inside [0, len]; the
 * output begins and ends with a space and never holds two spaces in a row.
 */
#if defined(__SSE2__)
#include <emmintrin.h> /* baseline on x86-64: no runtime check needed */
#endif
#include <stdlib.h>
#include <string.h>
#include <unicode/uspoof.h>
#include <utf8proc.h>

#include "detect/detect.h"
#include "detect/detect_internal.h"

enum detect__cls { U_SEP = 0, U_LETTER, U_DIGIT, U_WEAK, U_UNSPACED };

struct detect__unit {
    uint32_t cp;
    uint32_t os, oe;
    uint8_t cls;
};

#define DETECT__MAP_MAX 6        /* code points cached per entry */
#define DETECT__CACHE_SLOTS 8192 /* power of two */

struct detect__cache_entry {
    uint32_t key; /* original code point; 0 = empty (0 is ASCII, never cached) */
    uint8_t n;
    uint8_t cls[DETECT__MAP_MAX];
    uint32_t cp[DETECT__MAP_MAX];
};

struct detect_normaliser {
    USpoofChecker *spoof;
    struct detect__cache_entry cache[DETECT__CACHE_SLOTS];
};

/* ASCII fast path: class and up to two output bytes per input byte. */
struct detect__ascii {
    uint8_t cls;
    uint8_t n;
    char out[2];
};
static struct detect__ascii detect__ascii_tab[128];
static bool detect__ascii_ready;

/* Build the ASCII table once (idempotent; called from detect_normaliser_new). */
static void detect__ascii_init(void)
{
    if (detect__ascii_ready)
        return;
    for (int c = 0; c < 128; c++) {
        struct detect__ascii *a = &detect__ascii_tab[c];
        a->cls = U_SEP;
        a->n = 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            char lc = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            a->cls = U_LETTER;
            if (lc == 'm') { /* TR39 skeleton: m -> rn */
                a->n = 2;
                a->out[0] = 'r';
                a->out[1] = 'n';
            } else {
                a->n = 1;
                a->out[0] = lc == 'i' ? 'l' : lc; /* i/l/1/| fold to one letter */
            }
        } else if (c >= '0' && c <= '9') {
            a->cls = U_DIGIT;
            a->n = 1;
            a->out[0] = (char)c;
        } else if (c == '@' || c == '$' || c == '!' || c == '|') {
            a->cls = U_WEAK;
            a->n = 1;
            a->out[0] = (char)c;
        }
    }
    detect__ascii_ready = true;
}

ips_status detect_normaliser_new(struct detect_normaliser **out)
{
    ips_status rc = IPS_OK;
    *out = NULL;
    detect__ascii_init();
    struct detect_normaliser *n = calloc(1, sizeof *n);
    if (!n)
        return IPS_ERR_NOMEM;
    UErrorCode st = U_ZERO_ERROR;
    n->spoof = uspoof_open(&st);
    if (U_FAILURE(st) || !n->spoof) {
        rc = IPS_ERR_INTERNAL;
        goto out_free;
    }
    *out = n;
    return IPS_OK;
out_free:
    free(n);
    return rc;
}

void detect_normaliser_free(struct detect_normaliser *n)
{
    if (!n)
        return;
    if (n->spoof)
        uspoof_close(n->spoof);
    free(n);
}

void detect_text_init(struct detect_text *t)
{
    memset(t, 0, sizeof *t);
}

void detect_text_release(struct detect_text *t)
{
    free(t->s);
    free(t->ostart);
    free(t->oend);
    free(t->units);
    detect_text_init(t);
}

/* ---- phase 1: code points to units ------------------------------------------------ */

bool detect__unspaced(uint32_t c)
{
    return (c >= 0x0E00 && c <= 0x0EFF)     /* Thai, Lao */
           || (c >= 0x1100 && c <= 0x11FF)  /* Hangul jamo */
           || (c >= 0x2E80 && c <= 0x9FFF)  /* CJK radicals .. unified ideographs, kana */
           || (c >= 0xA960 && c <= 0xA97F)  /* Hangul jamo ext. A */
           || (c >= 0xAC00 && c <= 0xD7FF)  /* Hangul syllables, jamo ext. B */
           || (c >= 0xF900 && c <= 0xFAFF)  /* CJK compatibility ideographs */
           || (c >= 0xFF66 && c <= 0xFFDC)  /* halfwidth kana and Hangul */
           || (c >= 0x20000 && c <= 0x3FFFF); /* CJK ext. B and beyond */
}

/* Class of a non-ASCII normalised code point; -1 = drop it. */
static int detect__class_of(uint32_t c)
{
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    switch (cat) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:
        return -1;
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return detect__unspaced(c) ? U_UNSPACED : U_LETTER;
    default:
        return U_SEP;
    }
}

/* A small list of (code point, class) built while mapping one code point. */
struct detect__seq {
    uint32_t cp[32];
    uint8_t cls[32];
    int n;
    bool overflow;
};

static void detect__seq_push(struct detect__seq *q, uint32_t cp, int cls)
{
    if (q->n >= (int)(sizeof q->cp / sizeof q->cp[0])) {
        q->overflow = true;
        return;
    }
    q->cp[q->n] = cp;
    q->cls[q->n] = (uint8_t)cls;
    q->n++;
}

/* Append the ASCII table's output for c. */
static void detect__seq_ascii(struct detect__seq *q, uint32_t c)
{
    const struct detect__ascii *a = &detect__ascii_tab[c];
    if (a->cls == U_SEP) {
        detect__seq_push(q, ' ', U_SEP);
        return;
    }
    for (int k = 0; k < a->n; k++)
        detect__seq_push(q, (uint32_t)(unsigned char)a->out[k], a->cls);
}

/* The skeleton of the single code point c as code points. OUT sk[0..*n)
 * (at most cap); false when ICU fails. */
static bool detect__skeleton(struct detect_normaliser *n, uint32_t c, uint32_t *sk, int cap, int *count)
{
    char in[8], out[64];
    utf8proc_ssize_t il = utf8proc_encode_char((utf8proc_int32_t)c, (utf8proc_uint8_t *)in);
    UErrorCode st = U_ZERO_ERROR;
    int32_t ol = uspoof_getSkeletonUTF8(n->spoof, 0, in, (int32_t)il, out, (int32_t)sizeof out, &st);
    if (U_FAILURE(st) || ol < 0 || ol >= (int32_t)sizeof out)
        return false;
    int k = 0;
    utf8proc_ssize_t pos = 0;
    while (pos < ol && k < cap) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)out + pos, ol - pos, &cp);
        if (r <= 0)
            return false;
        sk[k++] = (uint32_t)cp;
        pos += r;
    }
    *count = k;
    return pos >= ol;
}

/* Map a non-ASCII code point decomposed (NFKC pieces) into q (see the file comment). */
static void detect__map_piece(struct detect_normaliser *n, uint32_t c, struct detect__seq *q)
{
    if (c < 128) {
        detect__seq_ascii(q, c);
        return;
    }
    int cls = detect__class_of(c);
    if (cls < 0)
        return;
    if (cls == U_UNSPACED) { /* skeletons of ideographs are themselves or radicals: keep */
        detect__seq_push(q, c, cls);
        return;
    }
    uint32_t sk[16];
    int nsk = 0;
    /* 1. the skeleton of the code point as written: an upper-case look-alike
     *    (Cyrillic 'М') maps to the ASCII letter it imitates */
    if (detect__skeleton(n, c, sk, 16, &nsk)) {
        bool ascii = nsk > 0;
        for (int k = 0; k < nsk; k++)
            if (sk[k] >= 128 && detect__class_of(sk[k]) >= 0)
                ascii = false;
        if (ascii) {
            for (int k = 0; k < nsk; k++)
                if (sk[k] < 128)
                    detect__seq_ascii(q, sk[k]);
            return;
        }
    }
    /* 2. case fold, then the skeleton of each folded piece */
    utf8proc_int32_t cf[8];
    int bc = 0;
    utf8proc_ssize_t ncf = utf8proc_decompose_char((utf8proc_int32_t)c, cf, 8,
                                                   UTF8PROC_CASEFOLD | UTF8PROC_COMPAT |
                                                       UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                                       UTF8PROC_IGNORE,
                                                   &bc);
    if (ncf < 0 || ncf > 8) {
        detect__seq_push(q, c, cls);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < ncf; i++) {
        uint32_t f = (uint32_t)cf[i];
        if (f < 128) {
            detect__seq_ascii(q, f);
            continue;
        }
        if (detect__class_of(f) < 0)
            continue;
        if (!detect__skeleton(n, f, sk, 16, &nsk)) {
            detect__seq_push(q, f, detect__class_of(f));
            continue;
        }
        for (int k = 0; k < nsk; k++) {
            if (sk[k] < 128) {
                detect__seq_ascii(q, sk[k]);
                continue;
            }
            int kc = detect__class_of(sk[k]);
            if (kc < 0)
                continue;
            detect__seq_push(q, (uint32_t)utf8proc_tolower((utf8proc_int32_t)sk[k]), kc);
        }
    }
}

/* Latin look-alikes that neither NFKC nor the TR39 skeleton turn into ASCII
 * (found by `iprshield eval`): negative circled and negative squared
 * capitals and regional indicator symbols (category So, no decomposition),
 * and Greek small kappa, whose skeleton is kra (U+0138), not 'k'. The
 * ASCII letter, or 0. */
static uint32_t detect__letterlike(uint32_t c)
{
    if (c >= 0x1F150 && c <= 0x1F169)
        return 'a' + (c - 0x1F150);
    if (c >= 0x1F170 && c <= 0x1F189)
        return 'a' + (c - 0x1F170);
    if (c >= 0x1F1E6 && c <= 0x1F1FF)
        return 'a' + (c - 0x1F1E6);
    if (c == 0x03BA || c == 0x03F0 || c == 0x0138) /* κ ϰ ĸ */
        return 'k';
    return 0;
}

/* Map original non-ASCII code point c into q, through the cache. */
static void detect__map_cp(struct detect_normaliser *n, uint32_t c, struct detect__seq *q)
{
    uint32_t slot = (c * 2654435761u) & (DETECT__CACHE_SLOTS - 1);
    struct detect__cache_entry *e = &n->cache[slot];
    if (e->key == c) {
        for (int k = 0; k < e->n; k++)
            detect__seq_push(q, e->cp[k], e->cls[k]);
        return;
    }
    struct detect__seq tmp;
    tmp.n = 0;
    tmp.overflow = false;
    utf8proc_int32_t d[18];
    int bc = 0;
    uint32_t lk = detect__letterlike(c);
    /* NFKC pieces (compatibility decomposition; marks stripped, ignorables gone) */
    utf8proc_ssize_t nd = utf8proc_decompose_char((utf8proc_int32_t)c, d, 18,
                                                  UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                                      UTF8PROC_STRIPMARK | UTF8PROC_IGNORE,
                                                  &bc);
    if (lk) {
        detect__seq_ascii(&tmp, lk);
    } else if (nd < 0 || nd > 18) {
        detect__seq_push(&tmp, c, U_SEP);
    } else {
        for (utf8proc_ssize_t i = 0; i < nd; i++)
            detect__map_piece(n, (uint32_t)d[i], &tmp);
    }
    if (!tmp.overflow && tmp.n <= DETECT__MAP_MAX) {
        e->key = c;
        e->n = (uint8_t)tmp.n;
        for (int k = 0; k < tmp.n; k++) {
            e->cp[k] = tmp.cp[k];
            e->cls[k] = tmp.cls[k];
        }
    }
    for (int k = 0; k < tmp.n; k++)
        detect__seq_push(q, tmp.cp[k], tmp.cls[k]);
}

/* Make room for need units in t's scratch. */
static bool detect__units_reserve(struct detect_text *t, size_t need)
{
    if (need <= t->units_cap)
        return true;
    size_t cap = t->units_cap ? t->units_cap : 256;
    while (cap < need)
        cap *= 2;
    void *p = realloc(t->units, cap * sizeof(struct detect__unit));
    if (!p)
        return false;
    t->units = p;
    t->units_cap = cap;
    return true;
}

/* ---- phase 2: words, substitutions, joins, output ----------------------------------- */

static bool detect__out_reserve(struct detect_text *t, size_t need)
{
    if (need + 1 <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < need + 1)
        cap *= 2;
    char *s = realloc(t->s, cap);
    if (!s)
        return false;
    t->s = s;
    uint32_t *a = realloc(t->ostart, cap * sizeof *a);
    if (!a)
        return false;
    t->ostart = a;
    uint32_t *b = realloc(t->oend, cap * sizeof *b);
    if (!b)
        return false;
    t->oend = b;
    t->cap = cap;
    return true;
}

/* Append code point cp (UTF-8) with original span [os, oe); room reserved. */
static void detect__emit(struct detect_text *t, uint32_t cp, uint32_t os, uint32_t oe)
{
    if (cp < 128) {
        t->s[t->len] = (char)cp;
        t->ostart[t->len] = os;
        t->oend[t->len] = oe;
        t->len++;
        return;
    }
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)cp, buf);
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        t->s[t->len] = (char)buf[i];
        t->ostart[t->len] = os;
        t->oend[t->len] = oe;
        t->len++;
    }
}

/* Append one space unless the output already ends with one. */
static void detect__space(struct detect_text *t, uint32_t at)
{
    if (t->len > 0 && t->s[t->len - 1] == ' ')
        return;
    t->s[t->len] = ' ';
    t->ostart[t->len] = at;
    t->oend[t->len] = at;
    t->len++;
}

struct detect__tok {
    size_t ub, ue; /* units [ub, ue) */
    bool unspaced, single;
};

/* Substitute for a digit inside a word; 0 = none. */
static uint32_t detect__digit_sub(uint32_t c)
{
    switch (c) {
    case '0': return 'o';
    case '1': return 'l';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    default: return 0;
    }
}

/* Emit the word made of units [ub, ue) (one token or several joined). */
/* Whether units [ub, ue) hold a letter. */
static bool detect__has_letter(const struct detect__unit *u, size_t ub, size_t ue)
{
    for (size_t i = ub; i < ue; i++)
        if (u[i].cls == U_LETTER || u[i].cls == U_UNSPACED)
            return true;
    return false;
}

/* Emit the units [ub, ue) of one token; has_letter: whether the word the
 * token belongs to (itself, or a spread word) holds a letter. */
static void detect__emit_word(struct detect_text *t, const struct detect__unit *u, size_t ub,
                              size_t ue, bool has_letter)
{
    /* first and last non-weak unit: weak symbols outside them are edges */
    size_t first = ue, last = ub;
    for (size_t i = ub; i < ue; i++) {
        if (u[i].cls != U_WEAK) {
            if (first == ue)
                first = i;
            last = i;
        }
    }
    for (size_t i = ub; i < ue; i++) {
        const struct detect__unit *x = &u[i];
        uint32_t cp = x->cp;
        if (x->cls == U_DIGIT && has_letter) {
            size_t a = i, b = i;
            while (a > ub && u[a - 1].cls == U_DIGIT)
                a--;
            while (b + 1 < ue && u[b + 1].cls == U_DIGIT)
                b++;
            uint32_t s = detect__digit_sub(cp);
            if (b - a + 1 <= 2 && s)
                cp = s;
        } else if (x->cls == U_WEAK) {
            if (!has_letter)
                continue;
            bool interior = first < i && i < last;
            if (cp == '@')
                cp = 'a';
            else if (cp == '$')
                cp = 's';
            else if (interior)
                cp = 'l';
            else
                continue;
        }
        detect__emit(t, cp, x->os, x->oe);
    }
}

/* See detect_internal.h: the algorithm for any text, code point by code point. */
ips_status detect__normalise_general(struct detect_normaliser *n, const char *in, size_t len,
                                     struct detect_text *t)
{
    ips_status rc = IPS_OK;
    struct detect__tok *toks = NULL;
    t->len = 0;
    if (len > DETECT_TEXT_MAX) {
        rc = IPS_ERR_TOO_LARGE;
        goto out_empty;
    }
    /* phase 1 */
    size_t nu = 0;
    if (!detect__units_reserve(t, len + 16)) {
        rc = IPS_ERR_NOMEM;
        goto out_empty;
    }
    size_t pos = 0;
    struct detect__seq q;
    while (pos < len) {
        unsigned char c = (unsigned char)in[pos];
        uint32_t os = (uint32_t)pos;
        q.n = 0;
        q.overflow = false;
        if (c < 128) {
            pos++;
            const struct detect__ascii *a = &detect__ascii_tab[c];
            if (nu + 2 > t->units_cap && !detect__units_reserve(t, nu + 2)) {
                rc = IPS_ERR_NOMEM;
                goto out_empty;
            }
            struct detect__unit *u = t->units;
            if (a->cls == U_SEP) {
                u[nu++] = (struct detect__unit){' ', os, os + 1, U_SEP};
                continue;
            }
            for (int k = 0; k < a->n; k++)
                u[nu++] = (struct detect__unit){(unsigned char)a->out[k], os, os + 1, a->cls};
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)in + pos,
                                              (utf8proc_ssize_t)(len - pos), &cp);
        if (r <= 0) { /* invalid UTF-8: one byte, a separator */
            pos++;
            detect__seq_push(&q, ' ', U_SEP);
        } else {
            pos += (size_t)r;
            detect__map_cp(n, (uint32_t)cp, &q);
        }
        if (!detect__units_reserve(t, nu + (size_t)q.n + 1)) {
            rc = IPS_ERR_NOMEM;
            goto out_empty;
        }
        struct detect__unit *u = t->units;
        if (q.n == 0 && nu > 0 && u[nu - 1].cls != U_SEP && u[nu - 1].oe == os) {
            /* a dropped mark or zero-width character belongs to the word
             * before it: widen that character's span over it */
            uint32_t prev = u[nu - 1].os;
            for (size_t k = nu; k > 0 && u[k - 1].os == prev; k--)
                u[k - 1].oe = (uint32_t)pos;
        }
        for (int k = 0; k < q.n; k++)
            u[nu++] = (struct detect__unit){q.cp[k], os, (uint32_t)pos, q.cls[k]};
    }
    const struct detect__unit *u = t->units;

    /* tokens */
    size_t ntok = 0;
    toks = malloc((nu + 1) * sizeof *toks);
    if (!toks) {
        rc = IPS_ERR_NOMEM;
        goto out_empty;
    }
    for (size_t i = 0; i < nu;) {
        if (u[i].cls == U_SEP) {
            i++;
            continue;
        }
        size_t j = i;
        bool unsp = u[i].cls == U_UNSPACED;
        while (j < nu && u[j].cls != U_SEP && (u[j].cls == U_UNSPACED) == unsp)
            j++;
        bool single = true;
        for (size_t k = i + 1; k < j; k++)
            if (u[k].os != u[i].os)
                single = false;
        /* a lone weak symbol is not a letter of a spread word */
        if (single && u[i].cls == U_WEAK)
            single = false;
        toks[ntok++] = (struct detect__tok){i, j, unsp, single};
        i = j;
    }

    /* output: at most 4 bytes per unit plus one space per token plus two */
    if (!detect__out_reserve(t, nu * 4 + ntok + 2)) {
        rc = IPS_ERR_NOMEM;
        goto out_empty;
    }
    for (size_t i = 0; i < ntok;) {
        size_t j = i;
        if (toks[i].unspaced) {
            while (j + 1 < ntok && toks[j + 1].unspaced)
                j++;
        } else if (toks[i].single) {
            while (j + 1 < ntok && !toks[j + 1].unspaced && toks[j + 1].single)
                j++;
            if (j - i + 1 < 3)
                j = i; /* too short to be a spread word: one letter alone */
        }
        detect__space(t, u[toks[i].ub].os);
        /* one word: a token, an unspaced run, or a spread word (the tokens'
         * units without the separators between them) */
        bool has_letter = false;
        for (size_t k = i; k <= j; k++)
            has_letter = has_letter || detect__has_letter(u, toks[k].ub, toks[k].ue);
        for (size_t k = i; k <= j; k++)
            detect__emit_word(t, u, toks[k].ub, toks[k].ue, has_letter);
        i = j + 1;
    }
    detect__space(t, (uint32_t)len);
    if (t->len == 1 && t->s[0] == ' ') { /* nothing but separators */
        t->len = 0;
    }
    t->s[t->len] = '\0';
    free(toks);
    return IPS_OK;
out_empty:
    free(toks);
    t->len = 0;
    if (t->s)
        t->s[0] = '\0';
    return rc;
}

/* ---- ASCII fast path: the normal form without the offset map ------------------------ */

/* Whether byte c is a one-character token that may join a spread word
 * (a letter or digit; a lone weak symbol never joins). */
static bool detect__ascii_joins(unsigned char c)
{
    return detect__ascii_tab[c].cls == U_LETTER || detect__ascii_tab[c].cls == U_DIGIT;
}

/* Emit token in[b..e) as detect__emit_word would (ASCII only); src (may be
 * NULL) gets each output byte's input index. */
static size_t detect__ascii_word(const char *in, size_t b, size_t e, bool has_letter, char *out,
                                 uint32_t *src, size_t o)
{
    size_t o0 = o;
    size_t first = e, last = b;
    for (size_t i = b; i < e; i++) {
        if (detect__ascii_tab[(unsigned char)in[i]].cls != U_WEAK) {
            if (first == e)
                first = i;
            last = i;
        }
    }
    for (size_t i = b; i < e; i++) {
        unsigned char c = (unsigned char)in[i];
        const struct detect__ascii *a = &detect__ascii_tab[c];
        if (src)
            for (; o0 < o; o0++)
                src[o0] = (uint32_t)(i - 1); /* the bytes of the previous input byte */
        if (a->cls == U_LETTER) {
            out[o++] = a->out[0];
            if (a->n == 2)
                out[o++] = a->out[1];
        } else if (a->cls == U_DIGIT) {
            char d = (char)c;
            if (has_letter) {
                size_t x = i, y = i;
                while (x > b && detect__ascii_tab[(unsigned char)in[x - 1]].cls == U_DIGIT)
                    x--;
                while (y + 1 < e && detect__ascii_tab[(unsigned char)in[y + 1]].cls == U_DIGIT)
                    y++;
                uint32_t s = detect__digit_sub(c);
                if (y - x + 1 <= 2 && s)
                    d = (char)s;
            }
            out[o++] = d;
        } else { /* weak */
            if (!has_letter)
                continue;
            if (c == '@')
                out[o++] = 'a';
            else if (c == '$')
                out[o++] = 's';
            else if (first < i && i < last)
                out[o++] = 'l';
        }
    }
    if (src)
        for (; o0 < o; o0++)
            src[o0] = (uint32_t)(e - 1);
    return o;
}

/* At a word start in[i] with 16 bytes to read: the common run of words of
 * two or more letters each followed by ONE space, written into out as it
 * maps (lower case, i -> l, m -> rn) — out needs 48 bytes of room, which
 * 3 * len + 2 leaves whenever 16 input bytes are left. Returns the bytes
 * taken, up to and including the run's last space, and *wrote the bytes
 * written; 0 when the run is empty (then the byte-wise code decides). */
static size_t detect__ascii_run16(const char *in, char *out, size_t *wrote)
{
#if defined(__SSE2__)
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)in);
    __m128i y = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* letters to lower case */
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(y, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(y, _mm_set1_epi8('z' + 1)));
    unsigned l = (unsigned)_mm_movemask_epi8(letter);
    unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
    unsigned bad = ~(l | sp) & 0xFFFFu;
    unsigned lim = bad ? (1u << __builtin_ctz(bad)) - 1 : 0xFFFFu; /* bytes before the first other */
    unsigned s = sp & lim;
    if (!s)
        return 0;
    unsigned last = 31u - (unsigned)__builtin_clz(s), take = (2u << last) - 1; /* to the last space */
    unsigned starts = l & ~(l << 1), ends = l & (sp >> 1);
    if ((sp & (sp >> 1) & take) || (starts & ends & take))
        return 0; /* two spaces in a row or a one-letter word: byte-wise */
    __m128i ii = _mm_and_si128(_mm_cmpeq_epi8(y, _mm_set1_epi8('i')), _mm_set1_epi8('i' ^ 'l'));
    __m128i z = _mm_xor_si128(y, ii);
    unsigned mm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(y, _mm_set1_epi8('m'))) & l & take;
    if (!mm) {
        _mm_storeu_si128((__m128i *)(void *)out, z);
        *wrote = (size_t)last + 1;
        return (size_t)last + 1;
    }
    /* each m: "rn", then the bytes after it again, one further on (16-byte
     * stores: up to 48 bytes of room used, the normal form is longer) */
    char t[32];
    _mm_storeu_si128((__m128i *)(void *)t, z);
    _mm_storeu_si128((__m128i *)(void *)(t + 16), _mm_setzero_si128());
    _mm_storeu_si128((__m128i *)(void *)out, z);
    size_t shift = 0;
    while (mm) {
        unsigned j = (unsigned)__builtin_ctz(mm);
        mm &= mm - 1;
        out[j + shift] = 'r';
        shift++;
        out[j + shift] = 'n';
        _mm_storeu_si128((__m128i *)(void *)(out + j + shift + 1),
                         _mm_loadu_si128((const __m128i *)(const void *)(t + j + 1)));
    }
    *wrote = (size_t)last + 1 + shift;
    return (size_t)last + 1;
#else
    (void)in;
    (void)out;
    (void)wrote;
    return 0;
#endif
}

/* The ASCII normal form; src (NULL: not wanted) gets each output byte's
 * input index (a space: the index of the word after it, or len). */
static inline __attribute__((always_inline)) size_t detect__ascii_form(const char *in, size_t len,
                                                                     char *out, uint32_t *src)
{
    size_t o = 0;
    size_t i = 0;
    while (i < len) {
        if (detect__ascii_tab[(unsigned char)in[i]].cls == U_SEP) {
            i++;
            continue;
        }
        /* the common word: two or more letters up to a separator or the end
         * (no spread-word join, no substitution), written in one pass; any
         * other word is written again below from o */
        size_t so = o, e = i;
        if (so == 0 || out[so - 1] != ' ') {
            if (src)
                src[so] = (uint32_t)i;
            out[so++] = ' ';
        }
        size_t w;
        if (!src && len - i >= 16) {
            size_t k = detect__ascii_run16(in + i, out + so, &w);
            if (k) {
                o = so + w;
                i += k;
                /* the run ended on one space: while a letter follows, the
                 * next run starts there without the checks above */
                while (len - i >= 16 && detect__ascii_tab[(unsigned char)in[i]].cls == U_LETTER &&
                       (k = detect__ascii_run16(in + i, out + o, &w)) != 0) {
                    o += w;
                    i += k;
                }
                continue;
            }
        } else if (!src) {
            /* the last words: the same run over a copy with a space for the
             * end of the text (the normal form ends in one), then NULs
             * (neither letter nor space: the run stops there) */
            char tin[32] = {0}, tout[48];
            size_t r = len - i; /* < 16 */
            const char *t = tin + 16 - r;
            if (len >= 16)
                memcpy(tin, in + len - 16, 16); /* a fixed size: no call */
            else
                memcpy(tin + 16 - r, in + i, r);
            tin[16] = ' ';
            size_t k = detect__ascii_run16(t, tout, &w);
            if (k) {
                memcpy(out + so, tout, w);
                o = so + w;
                i = k > r ? len : i + k;
                continue;
            }
        }
        for (const struct detect__ascii *a;
             e < len && (a = &detect__ascii_tab[(unsigned char)in[e]])->cls == U_LETTER; e++) {
            out[so] = a->out[0];
            out[so + 1] = a->out[1]; /* within the 3 * len + 2 bytes; kept only when n == 2 */
            if (src)
                src[so] = src[so + 1] = (uint32_t)e;
            so += a->n;
        }
        if (e - i >= 2 && (e == len || detect__ascii_tab[(unsigned char)in[e]].cls == U_SEP)) {
            o = so;
            i = e;
            continue;
        }
        e = i;
        while (e < len && detect__ascii_tab[(unsigned char)in[e]].cls != U_SEP)
            e++;
        /* a run of >= 3 one-character tokens separated only by separators
         * is one spread word */
        size_t count = 0, k = i, last_end = e;
        while (k < len) {
            size_t te = k;
            while (te < len && detect__ascii_tab[(unsigned char)in[te]].cls != U_SEP)
                te++;
            if (te - k != 1 || !detect__ascii_joins((unsigned char)in[k]))
                break;
            count++;
            last_end = te;
            k = te;
            while (k < len && detect__ascii_tab[(unsigned char)in[k]].cls == U_SEP)
                k++;
        }
        if (o == 0 || out[o - 1] != ' ') {
            if (src)
                src[o] = (uint32_t)i;
            out[o++] = ' ';
        }
        if (count >= 3) {
            bool has_letter = false;
            for (size_t x = i; x < last_end; x++)
                has_letter = has_letter || detect__ascii_tab[(unsigned char)in[x]].cls == U_LETTER;
            for (size_t x = i; x < last_end; x++)
                if (detect__ascii_tab[(unsigned char)in[x]].cls != U_SEP)
                    o = detect__ascii_word(in, x, x + 1, has_letter, out, src, o);
            i = last_end;
        } else {
            bool has_letter = false;
            for (size_t x = i; x < e; x++)
                has_letter = has_letter || detect__ascii_tab[(unsigned char)in[x]].cls == U_LETTER;
            o = detect__ascii_word(in, i, e, has_letter, out, src, o);
            i = e;
        }
    }
    if (o == 0 || out[o - 1] != ' ') {
        if (src)
            src[o] = (uint32_t)len;
        out[o++] = ' ';
    }
    if (o == 1)
        o = 0;
    out[o] = '\0';
    return o;
}

size_t detect__normalise_ascii(const char *in, size_t len, char *out)
{
    return detect__ascii_form(in, len, out, NULL);
}

ips_status detect__normalise_ascii_map(const char *in, size_t len, struct detect_text *t)
{
    t->len = 0;
    if (len > DETECT_TEXT_MAX)
        return IPS_ERR_TOO_LARGE;
    if (!detect__out_reserve(t, 3 * len + 2)) {
        if (t->s && t->cap)
            t->s[0] = '\0';
        return IPS_ERR_NOMEM;
    }
    t->len = detect__ascii_form(in, len, t->s, t->ostart);
    for (size_t k = 0; k < t->len; k++)
        t->oend[k] = t->ostart[k] + (t->s[k] != ' ');
    return IPS_OK;
}

/* ASCII text (most listings) takes the table-driven form, which writes the
 * same text and map as the general path (tests/unit/test_normalise.c)
 * without a unit per byte and a token array per call. */
ips_status detect_normalise(struct detect_normaliser *n, const char *in, size_t len,
                            struct detect_text *t)
{
    size_t k = 0;
    while (k < len && (unsigned char)in[k] < 0x80)
        k++;
    return k == len ? detect__normalise_ascii_map(in, len, t)
                    : detect__normalise_general(n, in, len, t);
}

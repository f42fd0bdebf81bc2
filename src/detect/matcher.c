/*
 * matcher.c — ONE Hyperscan literal database for every brand term of every
 * profile and every counterfeit cue phrase, run over normalised text.
 *
 * A pattern is the normal form of its text (normalise.c) with a leading
 * space when it begins with a spaced-script character and a trailing space
 * when it ends with one: the normal form puts exactly one space around every
 * word, so the spaces ARE the word boundaries ("apple" cannot match inside
 * " pineapple "). Matches are mapped back to original byte spans through the
 * text's offset map.
 *
 * Ownership: the matcher owns its database and copies of the normal forms;
 * a scanner borrows its matcher (free the scanners first).
 */
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "detect/detect.h"
#include "detect/detect_internal.h"

/* Curated counterfeit cue phrases. Kept short and specific: each is said by
 * sellers of copies and rarely by anyone else ("copy" alone is not here). */
const char *const detect_cue_phrases[] = {
    /* English */
    "replica", "replicas", "1:1", "1 to 1", "aaa", "aaaaa", "mirror quality",
    "mirror image quality", "high copy", "super copy", "top copy", "original quality",
    "same as original", "inspired by", "dupe", "knockoff", "knock off",
    "counterfeit", "unbranded replica", "factory seconds", "oem quality", "grade aaa",
    /* Chinese */
    "高仿", "复刻", "原单", "精仿", "仿品", "仿牌", "A货", "超A", "一比一", "1比1", "顶级复刻",
    "莆田", "原厂尾单", "尾单", "复制品", "高仿品",
    /* Japanese, Korean */
    "スーパーコピー", "コピー品", "N級", "레플리카", "이미테이션", "짝퉁",
    /* Spanish, Portuguese, French, Italian, German */
    "imitación", "copia exacta", "primeira linha", "réplique", "contrefaçon",
    "imitazione", "falso d'autore", "replik", "nachbildung", "imitat",
    /* Russian, Turkish, Vietnamese, Indonesian */
    "реплика", "копия", "подделка", "çakma", "hàng fake", "hàng nhái", "barang kw",
    "kw super",
    NULL,
};

struct detect__pat {
    char *norm;         /* normal form without boundary spaces (owned) */
    size_t lit_len;     /* length of the compiled literal */
    bool left, right;   /* boundary spaces carried */
};

struct detect_matcher {
    hs_database_t *db;
    struct detect__pat *pats;
    size_t n;
};

struct detect_scanner {
    const struct detect_matcher *m;
    hs_scratch_t *scratch;
    struct detect_match *hits;
    size_t nhits, cap;
    const struct detect_text *text; /* during a scan */
};

/* Whether the code point at s needs a word boundary beside it. */
static bool detect__needs_boundary(const char *s, size_t len, bool at_end)
{
    utf8proc_int32_t cp = 0;
    if (!at_end) {
        utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    } else {
        size_t k = len;
        while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0)
            k--;
        utf8proc_iterate((const utf8proc_uint8_t *)s + k, (utf8proc_ssize_t)(len - k), &cp);
    }
    return cp < 0 || !detect__unspaced((uint32_t)cp);
}

static void detect__matcher_release(struct detect_matcher *m)
{
    if (m->pats)
        for (size_t i = 0; i < m->n; i++)
            free(m->pats[i].norm);
    free(m->pats);
    if (m->db)
        hs_free_database(m->db);
}

ips_status detect_matcher_build(struct detect_normaliser *norm,
                                const struct detect_pattern_in *pats, size_t n,
                                struct detect_matcher **out, size_t *bad, char *err,
                                size_t errcap)
{
    ips_status rc = IPS_OK;
    struct detect_text t;
    detect_text_init(&t);
    char **lits = NULL;
    size_t *lens = NULL;
    unsigned *ids = NULL, *flags = NULL;
    struct detect_matcher *m = NULL;
    *out = NULL;
    if (err && errcap)
        err[0] = '\0';
    if (n == 0 || n > DETECT_PATTERNS_MAX) {
        rc = n == 0 ? IPS_ERR_INVALID : IPS_ERR_TOO_LARGE;
        if (err)
            snprintf(err, errcap, "%s", n == 0 ? "no patterns" : "too many patterns");
        goto out;
    }
    m = calloc(1, sizeof *m);
    lits = calloc(n, sizeof *lits);
    lens = calloc(n, sizeof *lens);
    ids = calloc(n, sizeof *ids);
    flags = calloc(n, sizeof *flags);
    if (!m || !lits || !lens || !ids || !flags || !(m->pats = calloc(n, sizeof *m->pats))) {
        rc = IPS_ERR_NOMEM;
        goto out;
    }
    m->n = n;
    for (size_t i = 0; i < n; i++) {
        size_t tl = pats[i].text ? strlen(pats[i].text) : 0;
        if (tl > DETECT_TERM_MAX) {
            rc = IPS_ERR_TOO_LARGE;
            if (bad)
                *bad = i;
            if (err)
                snprintf(err, errcap, "pattern %zu is longer than %d bytes", i, DETECT_TERM_MAX);
            goto out;
        }
        rc = detect_normalise(norm, pats[i].text ? pats[i].text : "", tl, &t);
        if (rc)
            goto out;
        if (t.len < 3) { /* " x " at least */
            rc = IPS_ERR_INVALID;
            if (bad)
                *bad = i;
            if (err)
                snprintf(err, errcap, "pattern %zu has no letters or digits", i);
            goto out;
        }
        const char *core = t.s + 1;
        size_t cl = t.len - 2;
        struct detect__pat *p = &m->pats[i];
        p->norm = strndup(core, cl);
        lits[i] = malloc(cl + 3);
        if (!p->norm || !lits[i]) {
            rc = IPS_ERR_NOMEM;
            goto out;
        }
        p->left = detect__needs_boundary(core, cl, false);
        p->right = detect__needs_boundary(core, cl, true);
        size_t k = 0;
        if (p->left)
            lits[i][k++] = ' ';
        memcpy(lits[i] + k, core, cl);
        k += cl;
        if (p->right)
            lits[i][k++] = ' ';
        lits[i][k] = '\0';
        p->lit_len = k;
        lens[i] = k;
        ids[i] = (unsigned)i;
        flags[i] = 0;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_lit_multi((const char *const *)lits, flags, ids, lens, (unsigned)n,
                             HS_MODE_BLOCK, NULL, &m->db, &cerr) != HS_SUCCESS) {
        rc = IPS_ERR_INTERNAL;
        if (err)
            snprintf(err, errcap, "hyperscan: %s", cerr && cerr->message ? cerr->message : "?");
        if (bad && cerr && cerr->expression >= 0)
            *bad = (size_t)cerr->expression;
        hs_free_compile_error(cerr);
        goto out;
    }
    *out = m;
    m = NULL;
out:
    if (lits)
        for (size_t i = 0; i < n; i++)
            free(lits[i]);
    free(lits);
    free(lens);
    free(ids);
    free(flags);
    if (m) {
        detect__matcher_release(m);
        free(m);
    }
    detect_text_release(&t);
    return rc;
}

void detect_matcher_free(struct detect_matcher *m)
{
    if (!m)
        return;
    detect__matcher_release(m);
    free(m);
}

const char *detect_matcher_pattern_text(const struct detect_matcher *m, uint32_t pattern)
{
    return pattern < m->n ? m->pats[pattern].norm : NULL;
}

ips_status detect_scanner_new(const struct detect_matcher *m, struct detect_scanner **out)
{
    *out = NULL;
    struct detect_scanner *sc = calloc(1, sizeof *sc);
    if (!sc)
        return IPS_ERR_NOMEM;
    sc->m = m;
    if (hs_alloc_scratch(m->db, &sc->scratch) != HS_SUCCESS) {
        free(sc);
        return IPS_ERR_NOMEM;
    }
    *out = sc;
    return IPS_OK;
}

void detect_scanner_free(struct detect_scanner *sc)
{
    if (!sc)
        return;
    if (sc->scratch)
        hs_free_scratch(sc->scratch);
    free(sc->hits);
    free(sc);
}

/* Record one hit: as an original span of sc->text, or (no text: a raw scan)
 * as the pattern and the end offset in the scanned bytes. 1: out of memory. */
static int detect__record(struct detect_scanner *sc, unsigned int id, unsigned long long to)
{
    const struct detect__pat *p = &sc->m->pats[id];
    const struct detect_text *t = sc->text;
    size_t b = 0, e = 0;
    if (t) {
        if (to < p->lit_len || to > t->len)
            return 0;
        b = (size_t)to - p->lit_len + (p->left ? 1 : 0);
        e = (size_t)to - (p->right ? 1 : 0);
        if (e <= b)
            return 0;
    }
    if (sc->nhits == sc->cap) {
        if (sc->cap >= DETECT__MATCHES_MAX)
            return 0;
        size_t cap = sc->cap ? sc->cap * 2 : 16;
        struct detect_match *h = realloc(sc->hits, cap * sizeof *h);
        if (!h)
            return 1; /* stop: reported as out of memory */
        sc->hits = h;
        sc->cap = cap;
    }
    sc->hits[sc->nhits++] = t ? (struct detect_match){id, t->ostart[b], t->oend[e - 1]}
                              : (struct detect_match){id, 0, (uint32_t)to};
    return 0;
}

/* Hyperscan callback: detect__record. */
static int detect__on_match(unsigned int id, unsigned long long from, unsigned long long to,
                            unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    return detect__record(ctx, id, to);
}

static int detect__match_cmp(const void *a, const void *b)
{
    const struct detect_match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->pattern != y->pattern)
        return x->pattern < y->pattern ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static void detect__sort_hits(struct detect_scanner *sc);

ips_status detect_scan_text(struct detect_scanner *sc, const struct detect_text *t,
                            const struct detect_match **matches, size_t *count)
{
    sc->nhits = 0;
    *matches = sc->hits;
    *count = 0;
    if (t->len == 0)
        return IPS_OK;
    sc->text = t;
    hs_error_t e = hs_scan(sc->m->db, t->s, (unsigned)t->len, 0, sc->scratch, detect__on_match, sc);
    sc->text = NULL;
    if (e == HS_SCAN_TERMINATED)
        return IPS_ERR_NOMEM;
    if (e != HS_SUCCESS)
        return IPS_ERR_INTERNAL;
    detect__sort_hits(sc);
    *matches = sc->hits;
    *count = sc->nhits;
    return IPS_OK;
}

ips_status detect__scan_raw(struct detect_scanner *sc, const char *s, size_t len,
                            const struct detect_match **raw, size_t *count)
{
    sc->nhits = 0;
    *raw = sc->hits;
    *count = 0;
    if (len == 0)
        return IPS_OK;
    sc->text = NULL;
    hs_error_t e = hs_scan(sc->m->db, s, (unsigned)len, 0, sc->scratch, detect__on_match, sc);
    if (e == HS_SCAN_TERMINATED)
        return IPS_ERR_NOMEM;
    if (e != HS_SUCCESS)
        return IPS_ERR_INTERNAL;
    *raw = sc->hits;
    *count = sc->nhits;
    return IPS_OK;
}

ips_status detect__scan_raw_text(struct detect_scanner *sc, const struct detect_text *t,
                                 const struct detect_match *raw, size_t n, size_t off,
                                 const struct detect_match **matches, size_t *count)
{
    sc->nhits = 0;
    sc->text = t;
    for (size_t i = 0; i < n; i++) {
        if (raw[i].end <= off || raw[i].end - off > t->len)
            continue;
        if (detect__record(sc, raw[i].pattern, raw[i].end - off)) {
            sc->text = NULL;
            return IPS_ERR_NOMEM;
        }
    }
    sc->text = NULL;
    detect__sort_hits(sc);
    *matches = sc->hits;
    *count = sc->nhits;
    return IPS_OK;
}

static void detect__sort_hits(struct detect_scanner *sc)
{
    if (sc->nhits > 1) {
        qsort(sc->hits, sc->nhits, sizeof *sc->hits, detect__match_cmp);
        size_t k = 1;
        for (size_t i = 1; i < sc->nhits; i++)
            if (detect__match_cmp(&sc->hits[i], &sc->hits[k - 1]) != 0)
                sc->hits[k++] = sc->hits[i];
        sc->nhits = k;
    }
}

static int detect__on_any(unsigned int id, unsigned long long from, unsigned long long to,
                          unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    *(bool *)ctx = true;
    return 1; /* one hit is enough */
}

ips_status detect__scan_any(struct detect_scanner *sc, const char *s, size_t len, bool *hit)
{
    *hit = false;
    if (len == 0)
        return IPS_OK;
    hs_error_t e = hs_scan(sc->m->db, s, (unsigned)len, 0, sc->scratch, detect__on_any, hit);
    return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? IPS_OK : IPS_ERR_INTERNAL;
}

/*
 * demo_generate.c — `iprshield demo generate`: a synthetic marketplace with
 * labelled counterfeits, so that the detection engine's quality is measured
 * (`iprshield eval`), not guessed (issue 5, item 8).
 *
 * What is written (DIR defaults to "."):
 *   PROFILES.json   twelve made-up brands, each with its term (and for some
 *                   a Chinese term), a reference minimum price for its
 *                   category, two authorised sellers and the PDQ hash of its
 *                   procedurally drawn logo;
 *   LISTINGS.jsonl  N listings in the import format (id, seller_id, title,
 *                   description, price, currency, category, images[]);
 *   LABELS.jsonl    per listing: id, counterfeit (bool), class, rightholder
 *                   (or null) and the signals the engine is expected to
 *                   report, as {"type","rightholder"} pairs;
 *   images/NNN.png  logo copies (rescaled, mirrored, rotated) and unrelated
 *                   pictures; scan with `--images DIR`.
 *
 * Classes. Half the listings are counterfeits, spread evenly over one class
 * per evasion of issue 5 item 1 (see gen_classes[]); the other half are
 * clean and chosen to be hard: a brand's letters inside another word
 * ("sample" for "Ample"), its letters joined across two words ("I am
 * pleased"), an authorised reseller naming its brand at a normal price, a
 * cue word in an innocent sense ("AAA batteries": a cue alone only
 * monitors), cheap unbranded goods, and unrelated product photos.
 * Policy choice (documented in docs/internals/detect.md): a brand named by a
 * seller who is not authorised for it is a signal whatever the wording, so
 * "case for Ample phones" by a stranger is NOT generated as a clean listing.
 *
 * Determinism: everything comes from one splitmix64 stream seeded by S, in a
 * fixed order; no clock, no locale, no hash-table order.
 */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "cli/demo_generate.h"
#include "detect/detect.h"

#define GEN_LISTINGS_MAX 10000000L
#define GEN_IMG 256 /* logo side in pixels */
#define GEN_TEXT_MAX 1024

/* ---- deterministic randomness ------------------------------------------------- */

struct gen_rng {
    uint64_t s;
};

static uint64_t gen_next(struct gen_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t gen_below(struct gen_rng *r, uint32_t n)
{
    return (uint32_t)(gen_next(r) % n);
}

#define GEN_PICK(r, arr) ((arr)[gen_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- the brands ------------------------------------------------------------------ */

struct gen_brand {
    const char *name, *rightholder, *zh, *category;
    int ref_min;           /* reference minimum price, USD */
    const char *inside[3]; /* ordinary words holding the name inside */
    const char *across;    /* ordinary words whose letters join into the name */
};

static const struct gen_brand gen_brands[] = {
    {"Ample",
     "Ample Audio Ltd",
     "安朴",
     "electronics",
     150,
     {"sample", "example", "trampled"},
     "I am pleased"},
    {"Vanta",
     "Vanta Outdoor AG",
     "梵塔",
     "bags",
     300,
     {"advantage", "advantageous", "advantages"},
     "caravan tax"},
    {"Lumin",
     "Lumin Optics Inc",
     NULL,
     "watches",
     400,
     {"illuminated", "aluminum", "luminous"},
     "plum in syrup"},
    {"Tempo",
     "Tempo Sportswear SA",
     "节拍",
     "shoes",
     120,
     {"temporary", "contemporary", "extempore"},
     "item posted"},
    {"Nova",
     "Nova Cosmetics BV",
     NULL,
     "beauty",
     60,
     {"innovation", "renovated", "casanova"},
     "casino valet"},
    {"Arco",
     "Arco Tools GmbH",
     NULL,
     "tools",
     90,
     {"barcode", "parcours", "sarcophagus"},
     "car collection"},
    {"Kinet",
     "Kinet Fitness Corp",
     "凯耐",
     "electronics",
     200,
     {"kinetic", "kinetics", "pumpkinette"},
     "napkin etiquette"},
    {"Marin",
     "Marin Eyewear Srl",
     NULL,
     "accessories",
     180,
     {"marine", "submarine", "marinade"},
     "grammar in use"},
    {"Zenit",
     "Zenit Watches SA",
     "天顶",
     "watches",
     500,
     {"zenith", "zeniths", "zenithal"},
     "frozen items"},
    {"Velo",
     "Velo Bikes Ltd",
     NULL,
     "sports",
     250,
     {"develop", "velour", "velocity"},
     "novel options"},
    {"Ceram", "Ceram Home Oy", NULL, "home", 70, {"ceramic", "ceramics", "ceramist"}, "ice ramp"},
    {"Solen",
     "Solen Apparel Ltd",
     "索伦",
     "apparel",
     110,
     {"insolent", "insolence", "consolence"},
     "also lengthy"},
};
#define GEN_NBRANDS (sizeof gen_brands / sizeof gen_brands[0])

static const char *gen_product(const char *category)
{
    static const struct {
        const char *cat, *en;
    } p[] = {
        {"electronics", "wireless speaker"}, {"bags", "leather handbag"},
        {"watches", "chronograph watch"},    {"shoes", "running shoes"},
        {"beauty", "lipstick set"},          {"tools", "cordless drill"},
        {"accessories", "sunglasses"},       {"sports", "road bike"},
        {"home", "dinner plates"},           {"apparel", "hooded jacket"},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (!strcmp(p[i].cat, category))
            return p[i].en;
    return "item";
}

static const char *gen_product_zh(const char *category)
{
    static const struct {
        const char *cat, *zh;
    } p[] = {
        {"electronics", "蓝牙音箱"}, {"bags", "包包"},     {"watches", "手表"},
        {"shoes", "运动鞋"},         {"beauty", "口红"},   {"tools", "电钻"},
        {"accessories", "墨镜"},     {"sports", "自行车"}, {"home", "餐盘"},
        {"apparel", "外套"},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (!strcmp(p[i].cat, category))
            return p[i].zh;
    return "商品";
}

/* Filler words: checked by hand to hold no brand and no cue phrase. */
static const char *const gen_filler[] = {
    "new",      "black",    "white", "classic", "premium", "gift",   "box",   "fast",
    "shipping", "warranty", "size",  "large",   "small",   "women",  "men",   "sport",
    "daily",    "travel",   "soft",  "durable", "limited", "season", "model", "style",
    "design",   "blue",     "green", "summer",  "winter",  "light",
};

/* ---- text building ---------------------------------------------------------------- */

struct gen_text {
    char s[GEN_TEXT_MAX];
    size_t n;
};

static void gen_put(struct gen_text *t, const char *s)
{
    size_t l = strlen(s);
    if (t->n + l >= sizeof t->s)
        l = sizeof t->s - 1 - t->n;
    memcpy(t->s + t->n, s, l);
    t->n += l;
    t->s[t->n] = '\0';
}

static void gen_cp(struct gen_text *t, uint32_t cp)
{
    utf8proc_uint8_t b[4];
    utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)cp, b);
    if (k <= 0 || t->n + (size_t)k >= sizeof t->s)
        return;
    memcpy(t->s + t->n, b, (size_t)k);
    t->n += (size_t)k;
    t->s[t->n] = '\0';
}

static void gen_fillers(struct gen_rng *r, struct gen_text *t, int n)
{
    for (int i = 0; i < n; i++) {
        if (t->n)
            gen_put(t, " ");
        gen_put(t, GEN_PICK(r, gen_filler));
    }
}

/* The brand's name in a random case style: Title, lower or UPPER. */
static void gen_case(struct gen_rng *r, const char *name, char *out, size_t cap, int style)
{
    if (style < 0)
        style = (int)gen_below(r, 3);
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++) {
        char c = name[i];
        if (style == 1 || (style == 0 && i > 0))
            c = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        else
            c = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        out[i] = c;
    }
    out[i] = '\0';
}

/* Look-alike of ASCII letter c in a table of pairs; 0 = none. */
static uint32_t gen_lookup(const uint32_t (*tab)[2], size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i][0] == (uint32_t)(unsigned char)c)
            return tab[i][1];
    return 0;
}

static const uint32_t gen_cyrillic[][2] = {
    {'a', 0x0430}, {'c', 0x0441}, {'e', 0x0435}, {'o', 0x043E}, {'p', 0x0440}, {'x', 0x0445},
    {'y', 0x0443}, {'s', 0x0455}, {'i', 0x0456}, {'j', 0x0458}, {'h', 0x04BB}, {'A', 0x0410},
    {'B', 0x0412}, {'C', 0x0421}, {'E', 0x0415}, {'H', 0x041D}, {'K', 0x041A}, {'M', 0x041C},
    {'O', 0x041E}, {'P', 0x0420}, {'T', 0x0422}, {'X', 0x0425}, {'S', 0x0405}, {'I', 0x0406},
};
static const uint32_t gen_greek[][2] = {
    {'A', 0x0391}, {'B', 0x0392}, {'E', 0x0395}, {'Z', 0x0396}, {'H', 0x0397}, {'I', 0x0399},
    {'K', 0x039A}, {'M', 0x039C}, {'N', 0x039D}, {'O', 0x039F}, {'P', 0x03A1}, {'T', 0x03A4},
    {'Y', 0x03A5}, {'X', 0x03A7}, {'o', 0x03BF}, {'a', 0x03B1}, {'v', 0x03BD}, {'i', 0x03B9},
    {'k', 0x03BA}, {'p', 0x03C1}, {'u', 0x03C5},
};

enum gen_class {
    /* counterfeits */
    GC_UNAUTHORISED,
    GC_CYRILLIC,
    GC_GREEK,
    GC_FULLWIDTH,
    GC_MATH,
    GC_CIRCLED,
    GC_ZERO_WIDTH,
    GC_COMBINING,
    GC_DIGIT_SYMBOL,
    GC_SPREAD,
    GC_CUE_EN,
    GC_CUE_ZH,
    GC_BRAND_ZH,
    GC_PRICE,
    GC_IMAGE_COPY,
    GC_IMAGE_MIRROR,
    GC_IMAGE_ROTATE,
    GC__CLEAN, /* clean from here on */
    GC_CLEAN_GENERIC = GC__CLEAN,
    GC_CLEAN_INSIDE,
    GC_CLEAN_ACROSS,
    GC_CLEAN_AUTHORISED,
    GC_CLEAN_CUE_CONTEXT,
    GC_CLEAN_CHEAP,
    GC_CLEAN_IMAGE,
    GC__COUNT
};

static const char *const gen_class_names[GC__COUNT] = {
    "unauthorised_seller",
    "homoglyph_cyrillic",
    "homoglyph_greek",
    "fullwidth",
    "math_alphanumeric",
    "circled",
    "zero_width",
    "combining_marks",
    "digit_symbol",
    "separator_spread",
    "cue_phrase_en",
    "cue_phrase_zh",
    "brand_chinese",
    "price_below_reference",
    "image_copy",
    "image_mirror",
    "image_rotate",
    "clean_generic",
    "clean_brand_inside_word",
    "clean_brand_across_words",
    "clean_authorised_reseller",
    "clean_cue_context",
    "clean_cheap_unbranded",
    "clean_other_image",
};

/* The brand's name written with the evasion of class c. */
static void gen_evade(struct gen_rng *r, const char *name, enum gen_class c, struct gen_text *t)
{
    char w[64];
    size_t len = strlen(name);
    switch (c) {
    case GC_CYRILLIC:
    case GC_GREEK: {
        const uint32_t(*tab)[2] = c == GC_CYRILLIC ? gen_cyrillic : gen_greek;
        size_t ntab = c == GC_CYRILLIC ? sizeof gen_cyrillic / sizeof gen_cyrillic[0]
                                       : sizeof gen_greek / sizeof gen_greek[0];
        gen_case(r, name, w, sizeof w, -1);
        size_t can = 0;
        for (size_t i = 0; w[i]; i++)
            can += gen_lookup(tab, ntab, w[i]) != 0;
        if (can == 0) { /* no look-alike in this case: capitals have the most */
            gen_case(r, name, w, sizeof w, 2);
            for (size_t i = 0; w[i]; i++)
                can += gen_lookup(tab, ntab, w[i]) != 0;
        }
        size_t forced = can ? gen_below(r, (uint32_t)can) : 0; /* always replaced */
        size_t seen = 0;
        for (size_t i = 0; w[i]; i++) {
            uint32_t alt = gen_lookup(tab, ntab, w[i]);
            bool use = alt && (seen == forced || gen_below(r, 2) == 0);
            seen += alt != 0;
            gen_cp(t, use ? alt : (uint32_t)(unsigned char)w[i]);
        }
        return;
    }
    case GC_FULLWIDTH:
    case GC_MATH:
    case GC_CIRCLED: {
        /* mathematical styles without holes: bold, bold italic, sans-serif,
         * sans-serif bold, monospace (capital A of each; small a = +26);
         * enclosed forms: circled, parenthesized (small only), squared,
         * negative circled, negative squared (capitals only) */
        static const uint32_t math[] = {0x1D400, 0x1D468, 0x1D5A0, 0x1D5D4, 0x1D670};
        static const uint32_t encl_up[] = {0x24B6, 0x24B6, 0x1F130, 0x1F150, 0x1F170};
        uint32_t style = gen_below(r, 5);
        gen_case(r, name, w, sizeof w, c == GC_CIRCLED && style >= 2 ? 2 : -1);
        for (size_t i = 0; w[i]; i++) {
            bool up = w[i] >= 'A' && w[i] <= 'Z';
            uint32_t k = (uint32_t)(up ? w[i] - 'A' : w[i] - 'a');
            uint32_t cp;
            if (c == GC_FULLWIDTH)
                cp = (up ? 0xFF21 : 0xFF41) + k;
            else if (c == GC_MATH)
                cp = math[style] + (up ? 0 : 26) + k;
            else if (!up)
                cp = (style == 1 ? 0x249C : 0x24D0) + k;
            else
                cp = encl_up[style] + k;
            gen_cp(t, cp);
        }
        return;
    }
    case GC_ZERO_WIDTH: {
        static const uint32_t zw[] = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD};
        gen_case(r, name, w, sizeof w, -1);
        size_t at = 1 + gen_below(r, (uint32_t)(len - 1));
        for (size_t i = 0; w[i]; i++) {
            if (i == at || (i > 0 && gen_below(r, 4) == 0))
                gen_cp(t, GEN_PICK(r, zw));
            gen_cp(t, (uint32_t)(unsigned char)w[i]);
        }
        return;
    }
    case GC_COMBINING: {
        static const uint32_t marks[] = {0x0301, 0x0308, 0x0332, 0x0336, 0x0327, 0x0303};
        gen_case(r, name, w, sizeof w, -1);
        size_t at = gen_below(r, (uint32_t)len);
        for (size_t i = 0; w[i]; i++) {
            gen_cp(t, (uint32_t)(unsigned char)w[i]);
            if (i == at || gen_below(r, 3) == 0)
                gen_cp(t, GEN_PICK(r, marks));
        }
        return;
    }
    case GC_DIGIT_SYMBOL: {
        gen_case(r, name, w, sizeof w, -1);
        /* substitutable positions; at most two substituted, never all letters */
        size_t done = 0;
        size_t first = gen_below(r, (uint32_t)len);
        for (size_t k = 0; k < len && done < 2; k++) {
            size_t i = (first + k) % len;
            char lc = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
            bool interior = i > 0 && i + 1 < len;
            const char *opts = lc == 'a'   ? "4@"
                               : lc == 'e' ? "3"
                               : lc == 'o' ? "0"
                               : lc == 's' ? "5$"
                               : lc == 't' ? "7"
                               : lc == 'i' ? (interior ? "1!|" : "1")
                               : lc == 'l' ? (interior ? "1|" : "1")
                                           : NULL;
            if (!opts)
                continue;
            w[i] = opts[gen_below(r, (uint32_t)strlen(opts))];
            done++;
            k++; /* never two substitutions side by side */
        }
        gen_put(t, w);
        return;
    }
    case GC_SPREAD: {
        static const char *const seps[] = {".", " ", "-", "_", "*", "/", " . ", "\u00b7", "~"};
        const char *sep = GEN_PICK(r, seps);
        bool mixed = gen_below(r, 4) == 0;
        gen_case(r, name, w, sizeof w, -1);
        for (size_t i = 0; w[i]; i++) {
            if (i)
                gen_put(t, mixed ? GEN_PICK(r, seps) : sep);
            gen_cp(t, (uint32_t)(unsigned char)w[i]);
        }
        return;
    }
    default:
        gen_case(r, name, w, sizeof w, -1);
        gen_put(t, w);
        return;
    }
}

/* ---- images ------------------------------------------------------------------------ */

struct gen_img {
    int w, h;
    uint8_t *px; /* RGB */
};

/* Soften edges as a renderer's anti-aliasing does: a 5 x 5 box blur, twice.
 * (Hard-edged synthetic art aliases badly in PDQ's 64 x 64 decimation, so a
 * small rescale would move its hash more than any real logo's.) */
static void gen_soften(struct gen_img *m)
{
    size_t n = (size_t)m->w * (size_t)m->h * 3;
    uint8_t *tmp = malloc(n);
    if (!tmp)
        return; /* sharp edges then: still a valid picture */
    for (int pass = 0; pass < 4; pass++) {
        bool horiz = pass % 2 == 0;
        uint8_t *src = horiz ? m->px : tmp, *dst = horiz ? tmp : m->px;
        for (int y = 0; y < m->h; y++)
            for (int x = 0; x < m->w; x++)
                for (int c = 0; c < 3; c++) {
                    unsigned sum = 0, cnt = 0;
                    for (int k = -2; k <= 2; k++) {
                        int xx = horiz ? x + k : x, yy = horiz ? y : y + k;
                        if (xx < 0 || yy < 0 || xx >= m->w || yy >= m->h)
                            continue;
                        sum += src[((size_t)yy * (size_t)m->w + (size_t)xx) * 3 + (size_t)c];
                        cnt++;
                    }
                    dst[((size_t)y * (size_t)m->w + (size_t)x) * 3 + (size_t)c] =
                        (uint8_t)(sum / cnt);
                }
    }
    free(tmp);
}

/* A procedural picture: a gradient and asymmetric shapes (PDQ hashes of
 * mirror-symmetric pictures are unstable under mirroring; see detect.md). */
static bool gen_picture(struct gen_rng *r, struct gen_img *m)
{
    m->w = m->h = GEN_IMG;
    m->px = malloc((size_t)GEN_IMG * GEN_IMG * 3);
    if (!m->px)
        return false;
    int base[3], gx[3], gy[3];
    for (int c = 0; c < 3; c++) {
        base[c] = (int)gen_below(r, 128);
        gx[c] = (int)gen_below(r, 64);
        gy[c] = (int)gen_below(r, 64);
    }
    for (int y = 0; y < GEN_IMG; y++)
        for (int x = 0; x < GEN_IMG; x++)
            for (int c = 0; c < 3; c++)
                m->px[((size_t)y * GEN_IMG + (size_t)x) * 3 + (size_t)c] =
                    (uint8_t)(base[c] + gx[c] * x / GEN_IMG + gy[c] * y / GEN_IMG);
    int nshapes = 4 + (int)gen_below(r, 4);
    for (int s = 0; s < nshapes; s++) {
        int x0 = (int)gen_below(r, GEN_IMG), y0 = (int)gen_below(r, GEN_IMG);
        int rw = 20 + (int)gen_below(r, 100), rh = 20 + (int)gen_below(r, 100);
        bool ellipse = gen_below(r, 2) == 0;
        uint8_t col[3] = {(uint8_t)gen_below(r, 256), (uint8_t)gen_below(r, 256),
                          (uint8_t)gen_below(r, 256)};
        for (int y = y0 - rh; y <= y0 + rh; y++) {
            for (int x = x0 - rw; x <= x0 + rw; x++) {
                if (x < 0 || y < 0 || x >= GEN_IMG || y >= GEN_IMG)
                    continue;
                double dx = (double)(x - x0) / rw, dy = (double)(y - y0) / rh;
                if (ellipse && dx * dx + dy * dy > 1)
                    continue;
                memcpy(&m->px[((size_t)y * GEN_IMG + (size_t)x) * 3], col, 3);
            }
        }
    }
    gen_soften(m);
    return true;
}

/* dst = src transformed: kind 0 rescale to side, 1 mirror, 2 rotate by quarter turns. */
static bool gen_transform(const struct gen_img *src, int kind, int arg, struct gen_img *dst)
{
    int w = src->w, h = src->h;
    int ow = kind == 0 ? arg : (kind == 2 && arg % 2 ? h : w);
    int oh = kind == 0 ? arg * h / w : (kind == 2 && arg % 2 ? w : h);
    dst->w = ow;
    dst->h = oh;
    dst->px = malloc((size_t)ow * (size_t)oh * 3);
    if (!dst->px)
        return false;
    for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
            int sx = x, sy = y;
            if (kind == 0) { /* area average, as any real resizer filters */
                int x0 = x * w / ow, x1 = (x + 1) * w / ow, y0 = y * h / oh, y1 = (y + 1) * h / oh;
                x1 = x1 > x0 ? x1 : x0 + 1;
                y1 = y1 > y0 ? y1 : y0 + 1;
                for (int c = 0; c < 3; c++) {
                    unsigned sum = 0;
                    for (int yy = y0; yy < y1; yy++)
                        for (int xx = x0; xx < x1; xx++)
                            sum += src->px[((size_t)yy * (size_t)w + (size_t)xx) * 3 + (size_t)c];
                    dst->px[((size_t)y * (size_t)ow + (size_t)x) * 3 + (size_t)c] =
                        (uint8_t)(sum / (unsigned)((x1 - x0) * (y1 - y0)));
                }
                continue;
            } else if (kind == 1) {
                if (arg == 0)
                    sx = w - 1 - x; /* horizontal flip */
                else
                    sy = h - 1 - y; /* vertical flip */
            } else if (arg == 1) {  /* 90 degrees clockwise */
                sx = y;
                sy = h - 1 - x;
            } else if (arg == 2) {
                sx = w - 1 - x;
                sy = h - 1 - y;
            } else { /* 270 */
                sx = w - 1 - y;
                sy = x;
            }
            memcpy(&dst->px[((size_t)y * (size_t)ow + (size_t)x) * 3],
                   &src->px[((size_t)sy * (size_t)w + (size_t)sx) * 3], 3);
        }
    }
    return true;
}

static bool gen_png_write(const char *path, const struct gen_img *m)
{
    png_image p;
    memset(&p, 0, sizeof p);
    p.version = PNG_IMAGE_VERSION;
    p.width = (png_uint_32)m->w;
    p.height = (png_uint_32)m->h;
    p.format = PNG_FORMAT_RGB;
    int ok = png_image_write_to_file(&p, path, 0, m->px, 0, NULL);
    png_image_free(&p);
    return ok != 0;
}

/* Smallest distance between h and any of the 8 variants in v. */
static int gen_min_dist(const struct detect_pdq *h, const struct detect_pdq v[DETECT_DIH_COUNT])
{
    int best = 256;
    for (int d = 0; d < DETECT_DIH_COUNT; d++) {
        int k = detect_pdq_distance(h, &v[d]);
        best = k < best ? k : best;
    }
    return best;
}

struct gen_logo {
    struct gen_img img;
    struct detect_pdq h[DETECT_DIH_COUNT];
};

/* Draw logo i: a picture of good PDQ quality, far from its own mirrored and
 * rotated variants and from every earlier logo (so a copy matches one brand).
 * Tries a bounded number of pictures and keeps the last. */
static bool gen_make_logo(struct gen_rng *r, struct gen_logo *logos, size_t i)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        free(logos[i].img.px);
        if (!gen_picture(r, &logos[i].img))
            return false;
        int q = 0;
        if (detect_pdq_pixels(logos[i].img.px, GEN_IMG, GEN_IMG, 3, logos[i].h, &q) != IPS_OK)
            return false;
        bool ok = q >= 70;
        for (int d = 1; ok && d < DETECT_DIH_COUNT; d++)
            ok = detect_pdq_distance(&logos[i].h[0], &logos[i].h[d]) > 80;
        for (size_t j = 0; ok && j < i; j++)
            ok = gen_min_dist(&logos[i].h[0], logos[j].h) > 80;
        if (ok)
            return true;
    }
    return true;
}

/* ---- one listing --------------------------------------------------------------------- */

struct gen_state {
    struct gen_rng r;
    const char *dir;
    struct gen_logo logos[GEN_NBRANDS];
    FILE *listings, *labels;
    char path[4096];
};

static void gen_expect(json_t *exp, const char *type, const char *rightholder)
{
    json_array_append_new(
        exp, rightholder ? json_pack("{s:s, s:s}", "type", type, "rightholder", rightholder)
                         : json_pack("{s:s}", "type", type));
}

/* A picture for an unrelated product, at least 32 bits from every logo variant. */
static bool gen_other_picture(struct gen_state *g, struct gen_img *m)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        free(m->px);
        if (!gen_picture(&g->r, m))
            return false;
        struct detect_pdq h[DETECT_DIH_COUNT];
        int q = 0;
        if (detect_pdq_pixels(m->px, m->w, m->h, 3, h, &q) != IPS_OK)
            return false;
        bool far = true;
        for (size_t b = 0; far && b < GEN_NBRANDS; b++)
            far = gen_min_dist(&h[0], g->logos[b].h) > DETECT_PDQ_MATCH_DISTANCE + 16;
        if (far)
            return true;
    }
    return true;
}

static int gen_listing(struct gen_state *g, long i)
{
    struct gen_rng *r = &g->r;
    enum gen_class c;
    if (gen_below(r, 2) == 0)
        c = (enum gen_class)gen_below(r, GC__CLEAN);
    else
        c = (enum gen_class)(GC__CLEAN + gen_below(r, GC__COUNT - GC__CLEAN));
    size_t bi = gen_below(r, GEN_NBRANDS);
    if (c == GC_BRAND_ZH)
        while (!gen_brands[bi].zh)
            bi = (bi + 1) % GEN_NBRANDS;
    const struct gen_brand *b = &gen_brands[bi];
    char id[32], seller[48], img_rel[64] = "";
    snprintf(id, sizeof id, "L%07ld", i + 1);
    bool authorised = c == GC_CLEAN_AUTHORISED;
    if (authorised)
        snprintf(seller, sizeof seller, "auth-%s-%u", b->name, 1 + gen_below(r, 2));
    else
        snprintf(seller, sizeof seller, "s%05u", gen_below(r, 5000));
    const char *category = b->category;
    int price = b->ref_min + (int)gen_below(r, (uint32_t)b->ref_min * 2 + 1);
    struct gen_text title = {{0}, 0}, desc = {{0}, 0};
    json_t *exp = json_array();
    bool counterfeit = c < GC__CLEAN;
    bool branded = counterfeit || c == GC_CLEAN_AUTHORISED;
    if (c >= GC_IMAGE_COPY && c <= GC_IMAGE_ROTATE) {
        /* the logo on an unbranded title */
        gen_fillers(r, &title, 1);
        gen_put(&title, " ");
        gen_put(&title, gen_product(category));
        gen_fillers(r, &title, 1);
        gen_expect(exp, "image_hash", b->rightholder);
        gen_expect(exp, "unauthorised_seller", b->rightholder);
    } else if (c == GC_BRAND_ZH) {
        gen_put(&title, b->zh);
        gen_put(&title, gen_product_zh(category));
        gen_fillers(r, &title, 2);
    } else if (branded) {
        if (gen_below(r, 3) == 0) {
            gen_fillers(r, &title, 1);
            gen_put(&title, " ");
        }
        if (c == GC_CUE_ZH && gen_below(r, 2) == 0) {
            static const char *const cues_zh[] = {"高仿", "复刻", "A货",     "一比一",
                                                  "原单", "精仿", "顶级复刻"};
            gen_put(&title, GEN_PICK(r, cues_zh));
            gen_evade(r, b->name, GC_UNAUTHORISED, &title);
            gen_put(&title, " ");
            gen_put(&title, gen_product(category));
        } else {
            gen_evade(r, b->name, c, &title);
            gen_put(&title, " ");
            gen_put(&title, gen_product(category));
            if (c == GC_CUE_EN) {
                static const char *const cues[] = {
                    "replica",          "1:1",        "AAA",      "mirror quality", "high copy",
                    "original quality", "super copy", "top copy", "1:1 replica"};
                gen_put(&title, " ");
                gen_put(&title, GEN_PICK(r, cues));
            } else if (c == GC_CUE_ZH) {
                static const char *const cues_zh[] = {"高仿",   "复刻", "A货",
                                                      "一比一", "原单", "精仿"};
                gen_put(&title, " ");
                gen_put(&title, GEN_PICK(r, cues_zh));
            }
        }
        gen_fillers(r, &title, 1 + (int)gen_below(r, 2));
    } else if (c == GC_CLEAN_INSIDE) {
        gen_fillers(r, &title, 1);
        gen_put(&title, " ");
        gen_put(&title, b->inside[gen_below(r, 3)]);
        gen_put(&title, " ");
        gen_put(&title, gen_product(category));
    } else if (c == GC_CLEAN_ACROSS) {
        gen_put(&title, b->across);
        gen_put(&title, " ");
        gen_put(&title, gen_product(category));
    } else if (c == GC_CLEAN_CUE_CONTEXT) {
        static const char *const innocent[] = {
            "AAA batteries pack of 24", "AAA rated hotel voucher", "wall art inspired by the ocean",
            "AAA size rechargeable cells"};
        gen_put(&title, GEN_PICK(r, innocent));
        category = "home";
        gen_expect(exp, "cue_phrase", NULL);
    } else {
        gen_fillers(r, &title, 2);
        gen_put(&title, " ");
        gen_put(&title, gen_product(category));
        if (c == GC_CLEAN_CHEAP)
            price = 1 + (int)gen_below(r, 9);
    }
    if (branded && c != GC_CLEAN_AUTHORISED && !(c >= GC_IMAGE_COPY && c <= GC_IMAGE_ROTATE)) {
        gen_expect(exp, "brand_term", b->rightholder);
        gen_expect(exp, "unauthorised_seller", b->rightholder);
        if (c == GC_CUE_EN || c == GC_CUE_ZH)
            gen_expect(exp, "cue_phrase", NULL);
    }
    if (c == GC_PRICE) {
        price = 1 + b->ref_min * (5 + (int)gen_below(r, 25)) / 100;
        gen_expect(exp, "price_below_reference", b->rightholder);
    }
    gen_fillers(r, &desc, 8 + (int)gen_below(r, 8));
    /* images */
    if ((c >= GC_IMAGE_COPY && c <= GC_IMAGE_ROTATE) || c == GC_CLEAN_IMAGE) {
        struct gen_img m = {0, 0, NULL};
        bool ok;
        if (c == GC_IMAGE_COPY)
            ok = gen_transform(&g->logos[bi].img, 0, 160 + (int)gen_below(r, 320), &m);
        else if (c == GC_IMAGE_MIRROR)
            ok = gen_transform(&g->logos[bi].img, 1, (int)gen_below(r, 2), &m);
        else if (c == GC_IMAGE_ROTATE)
            ok = gen_transform(&g->logos[bi].img, 2, 1 + (int)gen_below(r, 3), &m);
        else
            ok = gen_other_picture(g, &m);
        snprintf(img_rel, sizeof img_rel, "images/%s.png", id);
        snprintf(g->path, sizeof g->path, "%s/%s", g->dir, img_rel);
        ok = ok && gen_png_write(g->path, &m);
        free(m.px);
        if (!ok) {
            fprintf(stderr, "iprshield: cannot write %s\n", g->path);
            json_decref(exp);
            return 5;
        }
    }
    json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:[]}", "id", id, "seller_id",
                          seller, "title", title.s, "description", desc.s, "price", price,
                          "currency", "USD", "category", category, "images");
    if (l && img_rel[0])
        json_array_append_new(json_object_get(l, "images"), json_string(img_rel));
    json_t *lab = json_pack("{s:s, s:b, s:s, s:s?, s:O}", "id", id, "counterfeit", counterfeit,
                            "class", gen_class_names[c], "rightholder",
                            (counterfeit || authorised) ? b->rightholder : NULL, "expected", exp);
    json_decref(exp);
    char *ls = l ? json_dumps(l, JSON_COMPACT) : NULL,
         *bs = lab ? json_dumps(lab, JSON_COMPACT) : NULL;
    json_decref(l);
    json_decref(lab);
    int rc = 0;
    if (!ls || !bs || fprintf(g->listings, "%s\n", ls) < 0 || fprintf(g->labels, "%s\n", bs) < 0) {
        fprintf(stderr, "iprshield: cannot write the listings or labels\n");
        rc = 5;
    }
    free(ls);
    free(bs);
    return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

void cli_demo_generate_usage(FILE *f)
{
    fprintf(f,
            "       iprshield demo generate --listings N --seed S [--out DIR]\n\n"
            "'generate' writes a synthetic marketplace with labelled counterfeits into DIR\n"
            "(default .): PROFILES.json (12 made-up brands), LISTINGS.jsonl (N listings, half of\n"
            "them counterfeits using every evasion: Cyrillic/Greek/fullwidth/mathematical/\n"
            "circled look-alikes, zero-width and combining marks, digit and symbol\n"
            "substitutions, separator-spread names, English and Chinese cue phrases, Chinese\n"
            "brand names, prices far below the reference, copied/mirrored/rotated logos,\n"
            "unauthorised sellers; the other half hard clean cases), LABELS.jsonl (id,\n"
            "counterfeit, class, expected signals) and images/*.png. The same N and S give\n"
            "the same files. Then: iprshield scan --profiles DIR/PROFILES.json --listings\n"
            "DIR/LISTINGS.jsonl --images DIR --out V.jsonl; iprshield eval --labels\n"
            "DIR/LABELS.jsonl --verdicts V.jsonl.\n");
}

struct gen_args {
    long listings;
    unsigned long long seed;
    bool have_listings, have_seed;
    const char *out;
};

static int gen_option(int c, const char *arg, void *state)
{
    struct gen_args *a = state;
    char *end = NULL;
    errno = 0;
    switch (c) {
    case 'l':
        a->listings = strtol(arg, &end, 10);
        if (errno || !end || end == arg || *end || a->listings < 1 ||
            a->listings > GEN_LISTINGS_MAX) {
            fprintf(stderr, "iprshield: --listings must be 1-%ld\n", GEN_LISTINGS_MAX);
            return 2;
        }
        a->have_listings = true;
        return 0;
    case 's':
        a->seed = strtoull(arg, &end, 10);
        if (errno || !end || end == arg || *end || arg[0] == '-') {
            fprintf(stderr, "iprshield: --seed must be a non-negative integer\n");
            return 2;
        }
        a->have_seed = true;
        return 0;
    case 'o':
        a->out = arg;
        return 0;
    default:
        return 2;
    }
}

static void gen_usage_full(FILE *f)
{
    fprintf(f, "usage: iprshield demo generate --listings N --seed S [--out DIR]\n\n");
    cli_demo_generate_usage(f);
}

/* Write PROFILES.json; 0 or an exit code. */
static int gen_profiles(struct gen_state *g)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < GEN_NBRANDS; i++) {
        const struct gen_brand *b = &gen_brands[i];
        char hex[65], s1[48], s2[48];
        detect_pdq_format(&g->logos[i].h[0], hex);
        snprintf(s1, sizeof s1, "auth-%s-1", b->name);
        snprintf(s2, sizeof s2, "auth-%s-2", b->name);
        json_t *terms = json_pack("[s]", b->name);
        if (b->zh)
            json_array_append_new(terms, json_string(b->zh));
        json_array_append_new(arr, json_pack("{s:s, s:o, s:[{s:s, s:s, s:i}], s:[s,s], s:[s]}",
                                             "rightholder", b->rightholder, "terms", terms,
                                             "reference_prices", "category", b->category,
                                             "currency", "USD", "min", b->ref_min,
                                             "authorized_sellers", s1, s2, "image_hashes", hex));
    }
    json_t *doc = json_pack("{s:o}", "profiles", arr);
    snprintf(g->path, sizeof g->path, "%s/PROFILES.json", g->dir);
    int rc = json_dump_file(doc, g->path, JSON_INDENT(2)) == 0 ? 0 : 5;
    if (rc)
        fprintf(stderr, "iprshield: cannot write %s\n", g->path);
    json_decref(doc);
    return rc;
}

static FILE *gen_open(struct gen_state *g, const char *name)
{
    snprintf(g->path, sizeof g->path, "%s/%s", g->dir, name);
    FILE *f = fopen(g->path, "wb");
    if (!f)
        fprintf(stderr, "iprshield: cannot create %s: %s\n", g->path, strerror(errno));
    return f;
}

int cli_demo_generate(int argc, char **argv)
{
    static const struct option opts[] = {{"listings", required_argument, 0, 'l'},
                                         {"seed", required_argument, 0, 's'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct gen_args a = {0, 0, false, false, "."};
    int rc = cli_begin(argc, argv, opts, NULL, gen_option, &a, gen_usage_full, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!a.have_listings || !a.have_seed) {
        fprintf(stderr, "iprshield: demo generate needs --listings and --seed\n\n");
        gen_usage_full(stderr);
        return 2;
    }
    struct gen_state *g = calloc(1, sizeof *g);
    if (!g)
        return 5;
    g->r.s = a.seed;
    g->dir = a.out;
    rc = 0;
    snprintf(g->path, sizeof g->path, "%s/images", g->dir);
    if ((mkdir(g->dir, 0777) != 0 && errno != EEXIST) ||
        (mkdir(g->path, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "iprshield: cannot create %s: %s\n", g->path, strerror(errno));
        rc = 5;
        goto out;
    }
    for (size_t i = 0; i < GEN_NBRANDS; i++) {
        if (!gen_make_logo(&g->r, g->logos, i)) {
            rc = 5;
            goto out;
        }
    }
    rc = gen_profiles(g);
    if (rc)
        goto out;
    g->listings = gen_open(g, "LISTINGS.jsonl");
    g->labels = gen_open(g, "LABELS.jsonl");
    if (!g->listings || !g->labels) {
        rc = 5;
        goto out;
    }
    for (long i = 0; i < a.listings && rc == 0; i++)
        rc = gen_listing(g, i);
    if (rc == 0)
        fprintf(stderr, "iprshield: wrote %ld listings, %zu profiles and their labels to %s\n",
                a.listings, GEN_NBRANDS, g->dir);
out:
    if (g->listings && fclose(g->listings) != 0 && rc == 0)
        rc = 5;
    if (g->labels && fclose(g->labels) != 0 && rc == 0)
        rc = 5;
    for (size_t i = 0; i < GEN_NBRANDS; i++)
        free(g->logos[i].img.px);
    free(g);
    return rc;
}

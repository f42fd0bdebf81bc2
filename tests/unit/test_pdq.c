/* test_pdq.c — PDQ hashes of synthetic images and their transformed copies
 * (resize, JPEG re-encode, grayscale, PNG and WebP round trips, mirror and
 * rotations through the dihedral hashes), quality, corrupt files, the text
 * form, and the multi-index Hamming index against brute force. Images are
 * generated here; nothing is downloaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include <jpeglib.h>
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>

#include "detect/detect.h"

struct img {
    int w, h;
    uint8_t *px; /* RGB */
};

static struct img img_new(int w, int h)
{
    struct img m = {w, h, calloc((size_t)w * (size_t)h * 3, 1)};
    assert_non_null(m.px);
    return m;
}

/* A picture with structure at several scales (so its quality is high). */
static struct img synthetic(int w, int h, int seed)
{
    struct img m = img_new(w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double u = (double)x / w, v = (double)y / h;
            double a = 0.5 + 0.25 * sin((12.0 + 5 * seed) * u + seed) * cos((9.0 + 3 * seed) * v) +
                       0.2 * sin(31.0 * u * v + seed);
            int block = ((int)(u * 5) + (int)(v * 4) + seed) % 3;
            uint8_t *p = m.px + ((size_t)y * (size_t)w + (size_t)x) * 3;
            p[0] = (uint8_t)(fmin(1, fmax(0, a)) * 255);
            p[1] = (uint8_t)(block * 90 + 20);
            p[2] = (uint8_t)(255 - p[0] / 2);
        }
    return m;
}

/* Nearest-neighbour resize. */
static struct img resized(const struct img *s, int w, int h)
{
    struct img m = img_new(w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            memcpy(m.px + ((size_t)y * (size_t)w + (size_t)x) * 3,
                   s->px + ((size_t)(y * s->h / h) * (size_t)s->w + (size_t)(x * s->w / w)) * 3, 3);
    return m;
}

enum tf { TF_MIRROR, TF_FLIP, TF_ROT90, TF_ROT180, TF_ROT270, TF_TRANSPOSE };

/* The pixel transform matching a dihedral variant (see detect.h). */
static struct img transformed(const struct img *s, enum tf t)
{
    bool swap = t == TF_ROT90 || t == TF_ROT270 || t == TF_TRANSPOSE;
    struct img m = img_new(swap ? s->h : s->w, swap ? s->w : s->h);
    for (int y = 0; y < m.h; y++)
        for (int x = 0; x < m.w; x++) {
            int sx = 0, sy = 0;
            switch (t) {
            case TF_MIRROR: sx = s->w - 1 - x; sy = y; break;
            case TF_FLIP: sx = x; sy = s->h - 1 - y; break;
            case TF_ROT180: sx = s->w - 1 - x; sy = s->h - 1 - y; break;
            case TF_TRANSPOSE: sx = y; sy = x; break;
            case TF_ROT90: sx = y; sy = s->h - 1 - x; break;  /* clockwise */
            case TF_ROT270: sx = s->w - 1 - y; sy = x; break; /* counter-clockwise */
            }
            memcpy(m.px + ((size_t)y * (size_t)m.w + (size_t)x) * 3,
                   s->px + ((size_t)sy * (size_t)s->w + (size_t)sx) * 3, 3);
        }
    return m;
}

static int hash_of(const struct img *m, struct detect_pdq h[DETECT_DIH_COUNT])
{
    int q = -1;
    assert_int_equal(detect_pdq_pixels(m->px, m->w, m->h, 3, h, &q), IPS_OK);
    return q;
}

static uint8_t *jpeg_encode(const struct img *m, int quality, size_t *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    unsigned char *out = NULL;
    unsigned long n = 0;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &out, &n);
    c.image_width = (JDIMENSION)m->w;
    c.image_height = (JDIMENSION)m->h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = m->px + (size_t)c.next_scanline * (size_t)m->w * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *len = n;
    return out;
}

static uint8_t *png_encode(const struct img *m, size_t *len)
{
    png_image p;
    memset(&p, 0, sizeof p);
    p.version = PNG_IMAGE_VERSION;
    p.width = (png_uint_32)m->w;
    p.height = (png_uint_32)m->h;
    p.format = PNG_FORMAT_RGB;
    png_alloc_size_t n = 0;
    assert_true(png_image_write_to_memory(&p, NULL, &n, 0, m->px, 0, NULL));
    uint8_t *buf = malloc(n);
    assert_true(png_image_write_to_memory(&p, buf, &n, 0, m->px, 0, NULL));
    *len = n;
    return buf;
}

static void resized_reencoded_and_grey_copies_stay_within_the_match_distance(void **state)
{
    (void)state;
    struct img orig = synthetic(640, 480, 1);
    struct detect_pdq h0[DETECT_DIH_COUNT], h[DETECT_DIH_COUNT];
    assert_true(hash_of(&orig, h0) >= DETECT_PDQ_MIN_QUALITY);

    struct img small = resized(&orig, 300, 225);
    hash_of(&small, h);
    assert_true(detect_pdq_distance(&h0[0], &h[0]) <= DETECT_PDQ_MATCH_DISTANCE);

    size_t len;
    uint8_t *jpg = jpeg_encode(&orig, 40, &len);
    int q;
    char err[200];
    assert_int_equal(detect_pdq_image(jpg, len, h, &q, err, sizeof err), IPS_OK);
    assert_true(detect_pdq_distance(&h0[0], &h[0]) <= DETECT_PDQ_MATCH_DISTANCE);

    struct img grey = img_new(orig.w, orig.h);
    for (size_t k = 0; k < (size_t)orig.w * (size_t)orig.h; k++) {
        const uint8_t *p = orig.px + k * 3;
        uint8_t y = (uint8_t)(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]);
        memset(grey.px + k * 3, y, 3);
    }
    hash_of(&grey, h);
    assert_true(detect_pdq_distance(&h0[0], &h[0]) <= DETECT_PDQ_MATCH_DISTANCE);

    struct img other = synthetic(640, 480, 7);
    hash_of(&other, h);
    assert_true(detect_pdq_distance(&h0[0], &h[0]) > DETECT_PDQ_MATCH_DISTANCE);
    free(jpg);
    free(orig.px);
    free(small.px);
    free(grey.px);
    free(other.px);
}

static void png_and_webp_files_hash_like_the_pixels(void **state)
{
    (void)state;
    struct img orig = synthetic(320, 240, 2);
    struct detect_pdq h0[DETECT_DIH_COUNT], h[DETECT_DIH_COUNT];
    hash_of(&orig, h0);
    size_t len;
    int q;
    char err[200];
    uint8_t *png = png_encode(&orig, &len);
    assert_int_equal(detect_pdq_image(png, len, h, &q, err, sizeof err), IPS_OK);
    assert_int_equal(detect_pdq_distance(&h0[0], &h[0]), 0);
    uint8_t *webp = NULL;
    size_t wl = WebPEncodeRGB(orig.px, orig.w, orig.h, orig.w * 3, 90, &webp);
    assert_true(wl > 0);
    assert_int_equal(detect_pdq_image(webp, wl, h, &q, err, sizeof err), IPS_OK);
    assert_true(detect_pdq_distance(&h0[0], &h[0]) <= DETECT_PDQ_MATCH_DISTANCE);
    WebPFree(webp);
    free(png);
    free(orig.px);
}

static void mirrored_and_rotated_copies_match_through_the_dihedral_hashes(void **state)
{
    (void)state;
    static const struct {
        enum tf t;
        enum detect_dihedral d;
    } cases[] = {
        {TF_MIRROR, DETECT_DIH_FLIP_H}, {TF_FLIP, DETECT_DIH_FLIP_V},
        {TF_ROT90, DETECT_DIH_ROT90},   {TF_ROT180, DETECT_DIH_ROT180},
        {TF_ROT270, DETECT_DIH_ROT270}, {TF_TRANSPOSE, DETECT_DIH_TRANSPOSE},
    };
    struct img orig = synthetic(512, 384, 3);
    struct detect_pdq h0[DETECT_DIH_COUNT], h[DETECT_DIH_COUNT];
    hash_of(&orig, h0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct img t = transformed(&orig, cases[i].t);
        hash_of(&t, h);
        /* the copy is far from the original as it is ... */
        assert_true(detect_pdq_distance(&h0[0], &h[0]) > DETECT_PDQ_MATCH_DISTANCE);
        /* ... and close to the original's matching variant */
        int d = detect_pdq_distance(&h0[cases[i].d], &h[0]);
        if (d > DETECT_PDQ_MATCH_DISTANCE)
            fail_msg("transform %zu: distance %d to variant %s", i, d,
                     detect_dihedral_name(cases[i].d));
        free(t.px);
    }
    free(orig.px);
}

static void a_flat_image_has_low_quality(void **state)
{
    (void)state;
    struct img flat = img_new(200, 200);
    memset(flat.px, 128, (size_t)200 * 200 * 3);
    struct detect_pdq h[DETECT_DIH_COUNT];
    assert_true(hash_of(&flat, h) < DETECT_PDQ_MIN_QUALITY);
    struct img tiny = img_new(4, 4);
    assert_int_equal(hash_of(&tiny, h), 0);
    free(flat.px);
    free(tiny.px);
}

static void corrupt_and_truncated_files_are_refused(void **state)
{
    (void)state;
    struct img orig = synthetic(200, 150, 4);
    size_t len;
    struct detect_pdq h[DETECT_DIH_COUNT];
    int q;
    char err[200];
    uint8_t *jpg = jpeg_encode(&orig, 80, &len);
    assert_int_equal(detect_pdq_image(jpg, len / 2, h, &q, err, sizeof err), IPS_ERR_MALFORMED);
    assert_non_null(strstr(err, "JPEG"));
    uint8_t *png = png_encode(&orig, &len);
    assert_int_equal(detect_pdq_image(png, len / 2, h, &q, err, sizeof err), IPS_ERR_MALFORMED);
    assert_int_equal(detect_pdq_image((const uint8_t *)"GIF89a......", 12, h, &q, err, sizeof err),
                     IPS_ERR_MEDIA_TYPE);
    assert_int_equal(detect_pdq_image((const uint8_t *)"RIFF\0\0\0\0WEBPVP8 ", 16, h, &q, err, sizeof err),
                     IPS_ERR_MALFORMED);
    free(jpg);
    free(png);
    free(orig.px);
}

static void hex_form_round_trips_with_the_most_significant_word_first(void **state)
{
    (void)state;
    struct detect_pdq h = {{0, 0, 0, 0}}, g;
    h.w[0] = 1;                      /* bit 0 */
    h.w[3] = (uint64_t)1 << 63;      /* bit 255 */
    char hex[65];
    detect_pdq_format(&h, hex);
    assert_string_equal(hex, "8000000000000000000000000000000000000000000000000000000000000001");
    assert_true(detect_pdq_parse(hex, &g));
    assert_memory_equal(&g, &h, sizeof h);
    assert_false(detect_pdq_parse("xyz", &g));
    assert_false(detect_pdq_parse("g000000000000000000000000000000000000000000000000000000000000000", &g));
}

struct hits {
    uint32_t ids[4096];
    size_t n;
};

static void collect(uint32_t id, int distance, void *arg)
{
    (void)distance;
    struct hits *h = arg;
    if (h->n < 4096)
        h->ids[h->n++] = id;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void the_index_finds_exactly_what_brute_force_finds(void **state)
{
    (void)state;
    struct detect_index *ix;
    assert_int_equal(detect_index_new(&ix), IPS_OK);
    uint64_t s = 42;
    struct detect_pdq base[20];
    for (int i = 0; i < 20000; i++) {
        struct detect_pdq h;
        for (int w = 0; w < 4; w++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            h.w[w] = s ^ (s >> 29);
        }
        if (i < 20)
            base[i] = h;
        if (i >= 20 && i < 420) { /* near copies of the first 20, 1-40 bits flipped */
            h = base[i % 20];
            for (int k = 0; k <= (i % 40); k++)
                h.w[(k * 7) % 4] ^= (uint64_t)1 << ((k * 13 + i) % 64);
        }
        assert_int_equal(detect_index_add(ix, &h, NULL), IPS_OK);
    }
    /* radii across the pigeonhole split (r = 11q + s: 0, 10, 11, 21, 22, 31) */
    static const int radii[] = {0, 10, 11, 21, 22, 31};
    for (int qi = 0; qi < 20; qi++)
        for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++) {
            int r = radii[ri];
            struct hits a = {.n = 0}, b = {.n = 0};
            assert_int_equal(detect_index_query(ix, &base[qi], r, collect, &a), IPS_OK);
            detect_index_query_brute(ix, &base[qi], r, collect, &b);
            qsort(a.ids, a.n, sizeof a.ids[0], cmp_u32);
            qsort(b.ids, b.n, sizeof b.ids[0], cmp_u32);
            assert_int_equal(a.n, b.n);
            assert_memory_equal(a.ids, b.ids, a.n * sizeof a.ids[0]);
            assert_true(b.n >= 1);
        }
    assert_int_equal(detect_index_query(ix, &base[0], 32, collect, NULL), IPS_ERR_INVALID);
    detect_index_free(ix);
}

static void flip_bit(struct detect_pdq *h, int bit)
{
    h->w[bit / 64] ^= (uint64_t)1 << (bit % 64);
}

/* The substrings are 8 x 23 then 3 x 24 bits (mih.c); at distance 31 ten are
 * probed within 2 and the last within 1. A match with 3 bits off in each of
 * the first ten and 1 in the last (31) is found only through the last one;
 * with 2 in the last (32) it is out of range. Checked while the index grows
 * through several table widenings, against brute force each time. */
static void a_match_found_only_through_the_last_substring_survives_growth(void **state)
{
    (void)state;
    static const int off[11] = {0, 23, 46, 69, 92, 115, 138, 161, 184, 208, 232};
    struct detect_index *ix;
    assert_int_equal(detect_index_new(&ix), IPS_OK);
    struct detect_pdq q = {{0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL, 0x0F0F0F0F33333333ULL,
                            0x5555AAAA5555AAAAULL}};
    struct detect_pdq d31 = q, d32;
    for (int j = 0; j < 10; j++)
        for (int k = 0; k < 3; k++)
            flip_bit(&d31, off[j] + 7 * k + j % 2);
    flip_bit(&d31, off[10] + 23);
    d32 = d31;
    flip_bit(&d32, off[10]);
    assert_int_equal(detect_pdq_distance(&q, &d31), 31);
    assert_int_equal(detect_pdq_distance(&q, &d32), 32);
    uint32_t id31, id32;
    assert_int_equal(detect_index_add(ix, &d32, &id32), IPS_OK);
    assert_int_equal(detect_index_add(ix, &d31, &id31), IPS_OK);
    uint64_t s = 7;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 1500 << round; i++) {
            struct detect_pdq h;
            for (int w = 0; w < 4; w++) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                h.w[w] = s ^ (s >> 31);
            }
            assert_int_equal(detect_index_add(ix, &h, NULL), IPS_OK);
        }
        struct hits a = {.n = 0}, b = {.n = 0};
        assert_int_equal(detect_index_query(ix, &q, 31, collect, &a), IPS_OK);
        detect_index_query_brute(ix, &q, 31, collect, &b);
        assert_int_equal(b.n, 1);
        assert_int_equal(b.ids[0], id31);
        assert_int_equal(a.n, 1);
        assert_int_equal(a.ids[0], id31);
        assert_true(detect_index_bytes(ix) >= detect_index_size(ix) * sizeof(struct detect_pdq));
    }
    assert_memory_equal(detect_index_get(ix, id32), &d32, sizeof d32);
    assert_null(detect_index_get(ix, (uint32_t)detect_index_size(ix)));
    assert_memory_equal(detect_index_get(ix, id31), &d31, sizeof d31);
    detect_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resized_reencoded_and_grey_copies_stay_within_the_match_distance),
        cmocka_unit_test(png_and_webp_files_hash_like_the_pixels),
        cmocka_unit_test(mirrored_and_rotated_copies_match_through_the_dihedral_hashes),
        cmocka_unit_test(a_flat_image_has_low_quality),
        cmocka_unit_test(corrupt_and_truncated_files_are_refused),
        cmocka_unit_test(hex_form_round_trips_with_the_most_significant_word_first),
        cmocka_unit_test(the_index_finds_exactly_what_brute_force_finds),
        cmocka_unit_test(a_match_found_only_through_the_last_substring_survives_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

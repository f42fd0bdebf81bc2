/*
 * pdq.c — Meta's PDQ perceptual hash (256 bits + quality), written from
 * the published description ("The TMK+PDQF video-hashing algorithm and the
 * PDQ image similarity algorithm", facebook/ThreatExchange hashing docs):
 *
 *   1. luminance Y = 0.299 R + 0.587 G + 0.114 B, as float;
 *   2. a two-pass Jarosz filter (tent): twice a box filter along rows then
 *      along columns, window (dim + 127) / 128 per pass, the output at k
 *      averaging inputs k-(h-1) .. k+(w-h) clipped to the image, h=(w+2)/2;
 *   3. decimation to 64 x 64 taking the input sample at ((i + 0.5) * dim) / 64
 *      (a 64 x 64 input is used as it is);
 *   4. quality: the sum over vertical and horizontal neighbours of
 *      |trunc((u - v) * 100 / 255)|, divided by 90, at most 100;
 *   5. the 2-D DCT restricted to frequencies 1..16 on each axis:
 *      B = D A D^T with D[i][j] = sqrt(2/64) cos(pi/128 (i+1)(2j+1));
 *   6. bit i*16+j is set when B[i][j] is strictly greater than the median
 *      of the 256 coefficients (the 128th smallest, as Torben's method).
 * The 8 dihedral variants come from B by sign flips and a transpose:
 * mirroring x negates the even-indexed (odd-frequency) columns, mirroring y
 * the even-indexed rows; a transpose swaps i and j.
 * Images smaller than 5 pixels either way hash to zero with quality 0.
 *
 * Decoding (JPEG via libjpeg-turbo with scaled DCT, PNG via libpng's
 * simplified API, WebP via libwebp) lives here too; a libjpeg warning
 * (e.g. premature end of data) counts as a corrupt image.
 */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jpeglib.h>
#include <webp/decode.h>

#include "detect/detect.h"

#define PDQ__MIN_DIM 5

static const char *const detect__dih_names[DETECT_DIH_COUNT] = {
    "original", "rotate90", "rotate180", "rotate270",
    "flip_horizontal", "flip_vertical", "transpose", "anti_transpose",
};

const char *detect_dihedral_name(enum detect_dihedral d)
{
    return (unsigned)d < DETECT_DIH_COUNT ? detect__dih_names[d] : "?";
}

/* ---- the hash ---------------------------------------------------------------------- */

/* One box-filter pass over n values at in[0], in[stride], ... into out. */
static void pdq__box1d(const float *in, float *out, int n, int stride, int w)
{
    int h = (w + 2) / 2;
    int back = h - 1, fwd = w - h;
    double sum = 0;
    int lo = 0, hi = -1; /* current window [lo, hi] */
    for (int k = 0; k < n; k++) {
        int want_lo = k - back < 0 ? 0 : k - back;
        int want_hi = k + fwd > n - 1 ? n - 1 : k + fwd;
        while (hi < want_hi) {
            hi++;
            sum += in[(size_t)hi * (size_t)stride];
        }
        while (lo < want_lo) {
            sum -= in[(size_t)lo * (size_t)stride];
            lo++;
        }
        out[(size_t)k * (size_t)stride] = (float)(sum / (double)(hi - lo + 1));
    }
}

/* Jarosz filter in place on a (buffer), with b as scratch. */
static void pdq__jarosz(float *a, float *b, int rows, int cols)
{
    int wr = (cols + 128 - 1) / 128; /* along rows */
    int wc = (rows + 128 - 1) / 128; /* along columns */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < rows; i++)
            pdq__box1d(a + (size_t)i * (size_t)cols, b + (size_t)i * (size_t)cols, cols, 1, wr);
        for (int j = 0; j < cols; j++)
            pdq__box1d(b + j, a + j, rows, cols, wc);
    }
}

static float pdq__dct[16][64];
static bool pdq__dct_ready;

static void pdq__dct_init(void)
{
    if (pdq__dct_ready)
        return;
    const double scale = sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++)
            pdq__dct[i][j] = (float)(scale * cos((M_PI / 128.0) * (i + 1) * (2 * j + 1)));
    pdq__dct_ready = true;
}

static int pdq__float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Bits of B against its median. */
static void pdq__bits(float B[16][16], struct detect_pdq *h)
{
    float sorted[256];
    memcpy(sorted, B, sizeof sorted);
    qsort(sorted, 256, sizeof(float), pdq__float_cmp);
    float median = sorted[127];
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            if (B[i][j] > median) {
                int k = i * 16 + j;
                h->w[k / 64] |= (uint64_t)1 << (k % 64);
            }
}

/* Variant d of B into V. */
static void pdq__dihedral(float B[16][16], enum detect_dihedral d, float V[16][16])
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            /* sign for negating even-indexed columns (x mirror) and rows (y mirror) */
            float sx = (j & 1) ? 1.0f : -1.0f, sy = (i & 1) ? 1.0f : -1.0f;
            switch (d) {
            case DETECT_DIH_ORIGINAL: V[i][j] = B[i][j]; break;
            case DETECT_DIH_FLIP_H: V[i][j] = sx * B[i][j]; break;
            case DETECT_DIH_FLIP_V: V[i][j] = sy * B[i][j]; break;
            case DETECT_DIH_ROT180: V[i][j] = sx * sy * B[i][j]; break;
            case DETECT_DIH_TRANSPOSE: V[i][j] = B[j][i]; break;
            /* clockwise: transpose, then mirror x */
            case DETECT_DIH_ROT90: V[i][j] = sx * B[j][i]; break;
            /* counter-clockwise: transpose, then mirror y */
            case DETECT_DIH_ROT270: V[i][j] = sy * B[j][i]; break;
            case DETECT_DIH_ANTI_TRANSPOSE: V[i][j] = sx * sy * B[j][i]; break;
            default: V[i][j] = B[i][j]; break;
            }
        }
}

ips_status detect_pdq_pixels(const uint8_t *pix, int width, int height, int channels,
                             struct detect_pdq hashes[DETECT_DIH_COUNT], int *quality)
{
    ips_status rc = IPS_OK;
    float *a = NULL, *b = NULL;
    memset(hashes, 0, sizeof(struct detect_pdq) * DETECT_DIH_COUNT);
    *quality = 0;
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3 && channels != 4) ||
        (uint64_t)width * (uint64_t)height > DETECT_IMAGE_MAX_PIXELS)
        return IPS_ERR_INVALID;
    if (width < PDQ__MIN_DIM || height < PDQ__MIN_DIM)
        return IPS_OK;
    pdq__dct_init();
    size_t np = (size_t)width * (size_t)height;
    a = malloc(np * sizeof *a);
    b = malloc(np * sizeof *b);
    if (!a || !b) {
        rc = IPS_ERR_NOMEM;
        goto out_free;
    }
    for (size_t k = 0; k < np; k++) {
        const uint8_t *p = pix + k * (size_t)channels;
        a[k] = channels == 1 ? (float)p[0]
                             : 0.299f * (float)p[0] + 0.587f * (float)p[1] + 0.114f * (float)p[2];
    }
    float A[64][64];
    if (width == 64 && height == 64) {
        memcpy(A, a, sizeof A);
    } else {
        pdq__jarosz(a, b, height, width);
        for (int i = 0; i < 64; i++) {
            int ii = (int)(((i + 0.5) * height) / 64);
            for (int j = 0; j < 64; j++) {
                int jj = (int)(((j + 0.5) * width) / 64);
                A[i][j] = a[(size_t)ii * (size_t)width + (size_t)jj];
            }
        }
    }
    /* quality */
    int gsum = 0;
    for (int i = 0; i < 63; i++)
        for (int j = 0; j < 64; j++)
            gsum += abs((int)(((A[i][j] - A[i + 1][j]) * 100) / 255));
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 63; j++)
            gsum += abs((int)(((A[i][j] - A[i][j + 1]) * 100) / 255));
    *quality = gsum / 90 > 100 ? 100 : gsum / 90;
    /* DCT: T = D A (16 x 64), B = T D^T (16 x 16) */
    float T[16][64], B[16][16], V[16][16];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++) {
            float s = 0;
            for (int k = 0; k < 64; k++)
                s += pdq__dct[i][k] * A[k][j];
            T[i][j] = s;
        }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float s = 0;
            for (int k = 0; k < 64; k++)
                s += T[i][k] * pdq__dct[j][k];
            B[i][j] = s;
        }
    for (int d = 0; d < DETECT_DIH_COUNT; d++) {
        pdq__dihedral(B, (enum detect_dihedral)d, V);
        pdq__bits(V, &hashes[d]);
    }
out_free:
    free(a);
    free(b);
    return rc;
}

/* ---- text form and distance ------------------------------------------------------------- */

void detect_pdq_format(const struct detect_pdq *h, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int w = 3; w >= 0; w--)
        for (int s = 60; s >= 0; s -= 4)
            out[o++] = hex[(h->w[w] >> s) & 0xF];
    out[64] = '\0';
}

bool detect_pdq_parse(const char *hex, struct detect_pdq *out)
{
    struct detect_pdq h = {{0, 0, 0, 0}};
    if (!hex || strlen(hex) != 64)
        return false;
    for (int k = 0; k < 64; k++) {
        char c = hex[k];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return false;
        int w = 3 - k / 16;
        h.w[w] = (h.w[w] << 4) | (uint64_t)v;
    }
    *out = h;
    return true;
}

int detect_pdq_distance(const struct detect_pdq *a, const struct detect_pdq *b)
{
    return __builtin_popcountll(a->w[0] ^ b->w[0]) + __builtin_popcountll(a->w[1] ^ b->w[1]) +
           __builtin_popcountll(a->w[2] ^ b->w[2]) + __builtin_popcountll(a->w[3] ^ b->w[3]);
}

/* ---- decoding ------------------------------------------------------------------------------ */

struct pdq__jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
};

static void pdq__jpeg_fail(j_common_ptr c)
{
    struct pdq__jerr *e = (struct pdq__jerr *)c->err;
    (*c->err->format_message)(c, e->msg);
    longjmp(e->jb, 1);
}

/* Warnings (level -1) are corruption: a truncated file only warns. */
static void pdq__jpeg_message(j_common_ptr c, int level)
{
    if (level < 0)
        pdq__jpeg_fail(c);
}

static ips_status pdq__jpeg(const uint8_t *data, size_t len, struct detect_pdq *hashes,
                            int *quality, char *err, size_t errcap)
{
    struct jpeg_decompress_struct cinfo;
    struct pdq__jerr jerr;
    uint8_t *volatile pix = NULL;
    volatile ips_status rc = IPS_OK;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = pdq__jpeg_fail;
    jerr.pub.emit_message = pdq__jpeg_message;
    jerr.msg[0] = '\0';
    if (setjmp(jerr.jb)) {
        snprintf(err, errcap, "corrupt or truncated JPEG: %s", jerr.msg);
        rc = IPS_ERR_MALFORMED;
        goto out_destroy;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if ((uint64_t)cinfo.image_width * cinfo.image_height > (uint64_t)DETECT_IMAGE_MAX_PIXELS * 64) {
        snprintf(err, errcap, "image too large");
        rc = IPS_ERR_TOO_LARGE;
        goto out_destroy;
    }
    unsigned shorter = cinfo.image_width < cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    unsigned denom = 1;
    while (denom < 8 && shorter / (denom * 2) >= 512)
        denom *= 2;
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    if (w * h > DETECT_IMAGE_MAX_PIXELS) {
        snprintf(err, errcap, "image too large");
        rc = IPS_ERR_TOO_LARGE;
        goto out_destroy;
    }
    pix = malloc(w * h * 3);
    if (!pix) {
        rc = IPS_ERR_NOMEM;
        goto out_destroy;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pix + (size_t)cinfo.output_scanline * w * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    rc = detect_pdq_pixels(pix, (int)w, (int)h, 3, hashes, quality);
out_destroy:
    jpeg_destroy_decompress(&cinfo);
    free(pix);
    return rc;
}

static ips_status pdq__png(const uint8_t *data, size_t len, struct detect_pdq *hashes,
                           int *quality, char *err, size_t errcap)
{
    ips_status rc = IPS_OK;
    uint8_t *pix = NULL;
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, data, len)) {
        snprintf(err, errcap, "corrupt PNG: %s", img.message);
        return IPS_ERR_MALFORMED;
    }
    if ((uint64_t)img.width * img.height > DETECT_IMAGE_MAX_PIXELS) {
        png_image_free(&img);
        snprintf(err, errcap, "image too large");
        return IPS_ERR_TOO_LARGE;
    }
    img.format = PNG_FORMAT_RGB;
    pix = malloc(PNG_IMAGE_SIZE(img));
    if (!pix) {
        png_image_free(&img);
        return IPS_ERR_NOMEM;
    }
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&img, &white, pix, 0, NULL)) {
        snprintf(err, errcap, "corrupt or truncated PNG: %s", img.message);
        rc = IPS_ERR_MALFORMED;
        goto out_free;
    }
    rc = detect_pdq_pixels(pix, (int)img.width, (int)img.height, 3, hashes, quality);
out_free:
    png_image_free(&img);
    free(pix);
    return rc;
}

static ips_status pdq__webp(const uint8_t *data, size_t len, struct detect_pdq *hashes,
                            int *quality, char *err, size_t errcap)
{
    int w = 0, h = 0;
    if (!WebPGetInfo(data, len, &w, &h)) {
        snprintf(err, errcap, "corrupt WebP header");
        return IPS_ERR_MALFORMED;
    }
    if ((uint64_t)w * (uint64_t)h > DETECT_IMAGE_MAX_PIXELS) {
        snprintf(err, errcap, "image too large");
        return IPS_ERR_TOO_LARGE;
    }
    uint8_t *pix = WebPDecodeRGB(data, len, &w, &h);
    if (!pix) {
        snprintf(err, errcap, "corrupt or truncated WebP");
        return IPS_ERR_MALFORMED;
    }
    ips_status rc = detect_pdq_pixels(pix, w, h, 3, hashes, quality);
    WebPFree(pix);
    return rc;
}

ips_status detect_pdq_image(const uint8_t *data, size_t len,
                            struct detect_pdq hashes[DETECT_DIH_COUNT], int *quality, char *err,
                            size_t errcap)
{
    err[0] = '\0';
    memset(hashes, 0, sizeof(struct detect_pdq) * DETECT_DIH_COUNT);
    *quality = 0;
    if (len > DETECT_IMAGE_MAX_BYTES) {
        snprintf(err, errcap, "file larger than %u bytes", DETECT_IMAGE_MAX_BYTES);
        return IPS_ERR_TOO_LARGE;
    }
    if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return pdq__jpeg(data, len, hashes, quality, err, errcap);
    if (len >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
        return pdq__png(data, len, hashes, quality, err, errcap);
    if (len >= 12 && !memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WEBP", 4))
        return pdq__webp(data, len, hashes, quality, err, errcap);
    snprintf(err, errcap, "not a JPEG, PNG or WebP image");
    return IPS_ERR_MEDIA_TYPE;
}

ips_status detect_pdq_file(const char *path, struct detect_pdq hashes[DETECT_DIH_COUNT],
                           int *quality, char *err, size_t errcap)
{
    ips_status rc = IPS_OK;
    uint8_t *buf = NULL;
    err[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "cannot open: %s", strerror(errno));
        return IPS_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errcap, "not a regular file");
        rc = IPS_ERR_IO;
        goto out_close;
    }
    if ((uint64_t)sb.st_size > DETECT_IMAGE_MAX_BYTES) {
        snprintf(err, errcap, "file larger than %u bytes", DETECT_IMAGE_MAX_BYTES);
        rc = IPS_ERR_TOO_LARGE;
        goto out_close;
    }
    size_t len = (size_t)sb.st_size;
    buf = malloc(len ? len : 1);
    if (!buf) {
        rc = IPS_ERR_NOMEM;
        goto out_close;
    }
    if (fread(buf, 1, len, f) != len) {
        snprintf(err, errcap, "read error");
        rc = IPS_ERR_IO;
        goto out_close;
    }
    rc = detect_pdq_image(buf, len, hashes, quality, err, errcap);
out_close:
    free(buf);
    fclose(f);
    return rc;
}

/* test_blob.c — content-addressed blobs: typing by content (libmagic),
 * SHA-256 naming, storing identical bytes once, the limits, and rolling back
 * with the caller's transaction. A fresh SQLite database per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob/blob.h"
#include "core/config.h"
#include "store/store_blob.h"
#include "testdb.h"

/* A complete 1x1 RGBA PNG. */
static const unsigned char png_1x1[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};

static const char pdf_tiny[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                               "trailer\n<< /Root 1 0 R >>\n%%EOF\n";

static void a_png_is_typed_image_png_by_its_content(void **state)
{
    (void)state;
    char mime[BLOB_MIME_MAX + 1];
    assert_int_equal(blob_sniff(png_1x1, sizeof png_1x1, mime), IPS_OK);
    assert_string_equal(mime, "image/png");
}

static void a_pdf_is_typed_application_pdf(void **state)
{
    (void)state;
    char mime[BLOB_MIME_MAX + 1];
    assert_int_equal(blob_sniff(pdf_tiny, strlen(pdf_tiny), mime), IPS_OK);
    assert_string_equal(mime, "application/pdf");
}

static void a_stored_blob_is_named_by_the_sha256_of_its_bytes(void **state)
{
    struct testdb *f = *state;
    struct blob_info b;
    assert_int_equal(blob_put(&f->ctx, png_1x1, sizeof png_1x1, BLOB_TYPES_IMAGE, &b), IPS_OK);
    uint8_t d[32];
    char hex[65];
    crypto_hash_sha256(d, png_1x1, sizeof png_1x1);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    assert_string_equal(b.sha256, hex);
    assert_string_equal(b.mime, "image/png");
    assert_int_equal(b.size, sizeof png_1x1);

    void *data = NULL;
    size_t len = 0;
    assert_int_equal(blob_read(&f->ctx, b.sha256, &data, &len), IPS_OK);
    assert_int_equal(len, sizeof png_1x1);
    assert_memory_equal(data, png_1x1, len);
    free(data);
    struct blob_info again;
    assert_int_equal(blob_info_get(&f->ctx, b.sha256, &again), IPS_OK);
    assert_string_equal(again.mime, "image/png");
}

static void identical_bytes_are_stored_once(void **state)
{
    struct testdb *f = *state;
    struct blob_info a, b;
    assert_int_equal(blob_put(&f->ctx, pdf_tiny, strlen(pdf_tiny), BLOB_TYPES_DOCUMENT, &a),
                     IPS_OK);
    bool inserted = true;
    struct store_blob rec;
    memset(&rec, 0, sizeof rec);
    memcpy(rec.sha256, a.sha256, sizeof rec.sha256);
    memcpy(rec.mime, a.mime, sizeof rec.mime);
    rec.size = a.size;
    rec.created_ms = a.created_ms + 1000;
    /* a second put of the same bytes changes nothing: the first row stays */
    assert_int_equal(store_blob_put(f->s, &rec, pdf_tiny, strlen(pdf_tiny), &inserted), IPS_OK);
    assert_false(inserted);
    assert_int_equal(blob_put(&f->ctx, pdf_tiny, strlen(pdf_tiny), BLOB_TYPES_ANY, &b), IPS_OK);
    assert_string_equal(a.sha256, b.sha256);
    assert_int_equal(a.created_ms, b.created_ms);
}

static void an_empty_file_is_refused(void **state)
{
    struct testdb *f = *state;
    struct blob_info b;
    assert_int_equal(blob_put(&f->ctx, "", 0, BLOB_TYPES_ANY, &b), IPS_ERR_INVALID);
    assert_non_null(strstr(f->ctx.detail, "empty"));
}

static void a_text_file_is_refused_where_only_images_are_allowed(void **state)
{
    struct testdb *f = *state;
    static const char text[] = "just some words, not an image at all\n";
    struct blob_info b;
    assert_int_equal(blob_put(&f->ctx, text, strlen(text), BLOB_TYPES_IMAGE, &b),
                     IPS_ERR_MEDIA_TYPE);
    assert_non_null(strstr(f->ctx.detail, "text/plain"));
    uint8_t d[32];
    char hex[65];
    crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    assert_int_equal(blob_info_get(&f->ctx, hex, &b), IPS_ERR_NOT_FOUND);
}

static void a_pdf_is_refused_where_only_images_are_allowed(void **state)
{
    struct testdb *f = *state;
    struct blob_info b;
    assert_int_equal(blob_put(&f->ctx, pdf_tiny, strlen(pdf_tiny), BLOB_TYPES_IMAGE, &b),
                     IPS_ERR_MEDIA_TYPE);
    assert_non_null(strstr(f->ctx.detail, "application/pdf"));
}

static void a_file_over_the_size_limit_is_refused(void **state)
{
    struct testdb *f = *state;
    size_t n = (size_t)BLOB_MAX_BYTES + 1;
    unsigned char *big = calloc(1, n);
    assert_non_null(big);
    memcpy(big, png_1x1, sizeof png_1x1);
    struct blob_info b;
    assert_int_equal(blob_put(&f->ctx, big, n, BLOB_TYPES_ANY, &b), IPS_ERR_TOO_LARGE);
    /* exactly at the limit is accepted */
    assert_int_equal(blob_put(&f->ctx, big, n - 1, BLOB_TYPES_IMAGE, &b), IPS_OK);
    assert_int_equal(b.size, BLOB_MAX_BYTES);
    free(big);
}

static void unknown_and_malformed_names_are_not_found(void **state)
{
    struct testdb *f = *state;
    struct blob_info b;
    void *data = NULL;
    size_t len = 0;
    char zeros[65];
    memset(zeros, '0', 64);
    zeros[64] = '\0';
    assert_int_equal(blob_info_get(&f->ctx, zeros, &b), IPS_ERR_NOT_FOUND);
    assert_int_equal(blob_read(&f->ctx, zeros, &data, &len), IPS_ERR_NOT_FOUND);
    assert_int_equal(blob_read(&f->ctx, "../etc/passwd", &data, &len), IPS_ERR_NOT_FOUND);
    assert_int_equal(blob_info_get(&f->ctx, "ABCDEF", &b), IPS_ERR_NOT_FOUND);
    assert_null(data);
}

/* store_blob_read refuses a blob longer than the caller's max (before
 * allocating) and reads one of exactly max bytes. */
static void a_read_over_the_callers_max_is_too_large(void **state)
{
    struct testdb *f = *state;
    struct blob_info b;
    assert_int_equal(blob_put(&f->ctx, png_1x1, sizeof png_1x1, BLOB_TYPES_IMAGE, &b), IPS_OK);
    void *data = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_read(f->s, b.sha256, sizeof png_1x1 - 1, &data, &len),
                     IPS_ERR_TOO_LARGE);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_int_equal(store_blob_read(f->s, b.sha256, sizeof png_1x1, &data, &len), IPS_OK);
    assert_int_equal(len, sizeof png_1x1);
    assert_memory_equal(data, png_1x1, len);
    free(data);
}

struct put_in_tx {
    struct ips_ctx *ctx;
    struct blob_info info;
};

static ips_status put_then_fail(struct store *s, void *arg)
{
    struct put_in_tx *a = arg;
    (void)s;
    ips_status st = blob_put(a->ctx, png_1x1, sizeof png_1x1, BLOB_TYPES_IMAGE, &a->info);
    return st ? st : IPS_ERR_INVALID; /* the caller's transaction then rolls back */
}

static void a_put_inside_a_transaction_rolls_back_with_it(void **state)
{
    struct testdb *f = *state;
    struct put_in_tx a;
    memset(&a, 0, sizeof a);
    a.ctx = &f->ctx;
    assert_int_equal(store_tx_run(f->s, put_then_fail, &a), IPS_ERR_INVALID);
    assert_string_equal(a.info.mime, "image/png");
    struct blob_info b;
    assert_int_equal(blob_info_get(&f->ctx, a.info.sha256, &b), IPS_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_png_is_typed_image_png_by_its_content),
        cmocka_unit_test(a_pdf_is_typed_application_pdf),
        cmocka_unit_test_setup_teardown(a_stored_blob_is_named_by_the_sha256_of_its_bytes, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(identical_bytes_are_stored_once, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(an_empty_file_is_refused, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_text_file_is_refused_where_only_images_are_allowed, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_pdf_is_refused_where_only_images_are_allowed, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_file_over_the_size_limit_is_refused, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(unknown_and_malformed_names_are_not_found, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_put_inside_a_transaction_rolls_back_with_it, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(a_read_over_the_callers_max_is_too_large, testdb_setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_pdq_image.c — image decoding for PDQ (src/detect/detect.h,
 * detect_pdq_image): JPEG, PNG and WebP as uploaded evidence and registered
 * works arrive, decoded by libjpeg, libpng and libwebp behind the project's
 * signature sniffing, size limits and error handling.
 *
 * Invariants checked: a success has a quality in 0..100 and its hashes
 * format to 64 hex digits that parse back; a failure leaves a
 * NUL-terminated reason.
 */
#include "detect/detect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* large inputs only slow the fuzzer down; the limits are unit-tested */
    if (size > 512 * 1024)
        return 0;
    struct detect_pdq h[DETECT_DIH_COUNT];
    int quality = -1;
    char err[256];
    err[0] = '\0';
    ips_status st = detect_pdq_image(data, size, h, &quality, err, sizeof err);
    if (st == IPS_OK) {
        FUZZ_CHECK(quality >= 0 && quality <= 100);
        char hex[65];
        struct detect_pdq back;
        detect_pdq_format(&h[0], hex);
        FUZZ_CHECK(strlen(hex) == 64);
        FUZZ_CHECK(detect_pdq_parse(hex, &back));
        FUZZ_CHECK(detect_pdq_distance(&back, &h[0]) == 0);
    } else {
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    }
    return 0;
}

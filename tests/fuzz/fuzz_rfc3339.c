/*
 * fuzz_rfc3339.c — RFC 3339 timestamps (src/core/timeutil.h), as query
 * parameters and JSON members carry them.
 *
 * Invariants checked: whatever time_parse_rfc3339 accepts formats (when in
 * the printable range) to a text that parses back to the same instant.
 */
#include "core/timeutil.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char *s = fuzz_strndup(data, size);
    int64_t ms = 0;
    if (time_parse_rfc3339(s, &ms) == IPS_OK) {
        char text[TIME_RFC3339_LEN];
        if (time_format_rfc3339(ms, text, sizeof text) == IPS_OK) {
            int64_t back = -1;
            FUZZ_CHECK(time_parse_rfc3339(text, &back) == IPS_OK);
            FUZZ_CHECK(back == ms);
        }
    }
    free(s);
    return 0;
}

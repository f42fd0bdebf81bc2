/*
 * fuzz_json.c — JSON request bodies (src/core/json.h): json_parse_object as
 * every handler's http_body_object runs it, then the field validators over
 * the members a handler would read, the unknown-member check, and the
 * compact dump a response would make.
 *
 * Invariants checked: a parsed value is an object; a body that parsed
 * dumps and re-parses to an equal value; a string the validator accepted
 * holds no NUL and fits its maximum; an accepted integer is in range.
 */
#include <jansson.h>

#include "core/json.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"name", "kind", "email", "limit", "title", NULL};
    static const char *const keys[] = {"name", "kind", "email", "title", "id", ""};
    char err[160];
    json_t *obj = NULL;
    ips_status st = json_parse_object((const char *)data, size, &obj, err, sizeof err);
    if (st != IPS_OK) {
        FUZZ_CHECK(obj == NULL);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        return 0;
    }
    FUZZ_CHECK(json_is_object(obj));
    json_t *errors = json_array();
    if (!errors)
        abort();
    json_reject_unknown(obj, allowed, errors);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = NULL;
        size_t max = i == 0 ? 200 : 16;
        if (json_field_string(obj, keys[i], i == 1, max, &s, errors) && s) {
            FUZZ_CHECK(strlen(s) <= max);
            FUZZ_CHECK(strlen(s) == json_string_length(json_object_get(obj, keys[i])));
        }
    }
    int64_t v = 0;
    bool present = false;
    if (json_field_int(obj, "limit", false, -5, 200, &v, &present, errors) && present)
        FUZZ_CHECK(v >= -5 && v <= 200);
    char *dump = json_dump_compact(obj);
    if (dump) {
        json_t *again = NULL;
        FUZZ_CHECK(json_parse_object(dump, strlen(dump), &again, err, sizeof err) == IPS_OK);
        FUZZ_CHECK(json_equal(obj, again));
        json_decref(again);
        free(dump);
    }
    char *errs = json_dump_compact(errors);
    free(errs);
    json_decref(errors);
    json_decref(obj);
    return 0;
}

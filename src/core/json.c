/* json.c — see json.h. */
#include "core/json.h"

#include <stdio.h>
#include <string.h>

ips_status json_parse_bytes(const char *data, size_t len, json_t **out, char *err,
                            size_t errcap)
{
    json_error_t je;
    *out = NULL;
    json_t *v = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v) {
        if (err && errcap)
            snprintf(err, errcap, "line %d, column %d: %s", je.line, je.column, je.text);
        return IPS_ERR_MALFORMED;
    }
    *out = v;
    return IPS_OK;
}

ips_status json_parse_object(const char *data, size_t len, json_t **out, char *err,
                             size_t errcap)
{
    ips_status st = json_parse_bytes(data, len, out, err, errcap);
    if (st)
        return st;
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        if (err && errcap)
            snprintf(err, errcap, "the request body must be a JSON object");
        return IPS_ERR_INVALID;
    }
    return IPS_OK;
}

void json_error_add(json_t *errors, const char *field, const char *message)
{
    if (!errors)
        return;
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

bool json_field_string(json_t *obj, const char *key, bool required, size_t maxlen,
                       const char **out, json_t *errors)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            json_error_add(errors, key, "is required");
        return !required;
    }
    if (!json_is_string(v)) {
        json_error_add(errors, key, "must be a string");
        return false;
    }
    size_t n = json_string_length(v);
    if (required && n == 0) {
        json_error_add(errors, key, "must not be empty");
        return false;
    }
    if (n > maxlen) {
        char msg[64];
        snprintf(msg, sizeof msg, "must be at most %zu bytes", maxlen);
        json_error_add(errors, key, msg);
        return false;
    }
    if (strlen(json_string_value(v)) != n) {
        json_error_add(errors, key, "must not contain NUL characters");
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool json_field_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                    int64_t *out, bool *present, json_t *errors)
{
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = false;
    if (!v || json_is_null(v)) {
        if (required)
            json_error_add(errors, key, "is required");
        return !required;
    }
    if (!json_is_integer(v)) {
        json_error_add(errors, key, "must be an integer");
        return false;
    }
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be between %lld and %lld", (long long)min,
                 (long long)max);
        json_error_add(errors, key, msg);
        return false;
    }
    *out = x;
    if (present)
        *present = true;
    return true;
}

void json_reject_unknown(json_t *obj, const char *const *allowed, json_t *errors)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, k) == 0)
                ok = true;
        if (!ok)
            json_error_add(errors, k, "is not a known field");
    }
}

char *json_dump_compact(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

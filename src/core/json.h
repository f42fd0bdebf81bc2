/*
 * json.h — helpers on jansson for request bodies and responses.
 *
 * Ownership follows jansson: functions named *_new return a new reference
 * the caller must json_decref; getters return borrowed references.
 *
 * Validation helpers append {"field": ..., "message": ...} objects to an
 * errors array instead of stopping at the first problem, so an API answer
 * can list everything that is wrong with a request at once.
 */
#ifndef IPS_CORE_JSON_H
#define IPS_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Parse exactly one JSON value from data[0..len). On failure returns
 * IPS_ERR_MALFORMED and writes "line L, column C: reason" into err.
 * Rejects invalid UTF-8, NUL bytes in strings and trailing garbage.
 * OUT *out: new reference on success, NULL otherwise. */
ips_status json_parse_bytes(const char *data, size_t len, json_t **out, char *err,
                            size_t errcap);

/* Parse a request body that must be an object (IPS_ERR_INVALID otherwise). */
ips_status json_parse_object(const char *data, size_t len, json_t **out, char *err,
                             size_t errcap);

/* Append a validation error {"field","message"} to errors (an array). */
void json_error_add(json_t *errors, const char *field, const char *message);

/* Fetch a string member. Missing: *out = NULL and, if required, an error is
 * added. Wrong type, empty when required, longer than maxlen bytes: error
 * added. Returns true when the member is usable (or absent and optional). */
bool json_field_string(json_t *obj, const char *key, bool required, size_t maxlen,
                       const char **out, json_t *errors);

/* Fetch an integer member within [min, max]; same conventions. *present tells
 * whether the member was there. */
bool json_field_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                    int64_t *out, bool *present, json_t *errors);

/* Add an error for every member of obj whose name is not in allowed
 * (NULL-terminated), so typos in field names do not pass silently. */
void json_reject_unknown(json_t *obj, const char *const *allowed, json_t *errors);

/* Dump compactly, keys in insertion order; caller frees. NULL on OOM. */
char *json_dump_compact(const json_t *v);

#endif

/*
 * status.h — the one error convention of iprshield.
 *
 * Every function that can fail returns an ips_status. IPS_OK is zero so
 * `if (rc)` reads as "if failed". Names, messages, the HTTP status the API
 * maps a status to, and the CLI exit code all come from one X-macro, so they
 * cannot drift apart.
 *
 * Invariant: a function returning non-OK has left its OUT parameters
 * untouched or set to a value documented in its contract (usually NULL).
 */
#ifndef IPS_CORE_STATUS_H
#define IPS_CORE_STATUS_H

/*            name                 slug                   http  exit  message */
#define IPS_STATUS_MAP(X)                                                               \
    X(OK,                  "ok",                  200, 0, "success")                    \
    X(ERR_NOMEM,           "out-of-memory",       503, 5, "out of memory")              \
    X(ERR_MALFORMED,       "malformed",           400, 4, "malformed input")            \
    X(ERR_INVALID,         "invalid",             422, 4, "invalid input")              \
    X(ERR_UNAUTHENTICATED, "unauthenticated",     401, 6, "authentication required")    \
    X(ERR_FORBIDDEN,       "forbidden",           403, 6, "not permitted")              \
    X(ERR_CSRF,            "csrf",                403, 6, "missing or invalid CSRF token") \
    X(ERR_NOT_FOUND,       "not-found",           404, 3, "not found")                  \
    X(ERR_METHOD,          "method-not-allowed",  405, 2, "method not allowed")         \
    X(ERR_CONFLICT,        "conflict",            409, 4, "conflicts with existing data") \
    X(ERR_TOO_LARGE,       "too-large",           413, 4, "input too large")            \
    X(ERR_MEDIA_TYPE,      "unsupported-media-type", 415, 4, "unsupported media type")  \
    X(ERR_RATE_LIMITED,    "rate-limited",        429, 7, "too many attempts")          \
    X(ERR_IO,              "io",                  500, 5, "input/output error")         \
    X(ERR_DB,              "database",            500, 5, "database error")             \
    X(ERR_BUSY,            "busy",                503, 5, "resource busy, retry")       \
    X(ERR_INTEGRITY,       "integrity",           500, 1, "integrity check failed")     \
    X(ERR_USAGE,           "usage",               400, 2, "usage error")                \
    X(ERR_INTERNAL,        "internal",            500, 5, "internal error")

typedef enum ips_status {
#define IPS__ENUM(name, slug, http, exitc, msg) IPS_##name,
    IPS_STATUS_MAP(IPS__ENUM)
#undef IPS__ENUM
        IPS__STATUS_COUNT
} ips_status;

/* Short stable identifier, e.g. "not-found" (used in problem+json "type"). */
const char *ips_status_slug(ips_status st);
/* Upper-case enum name without prefix, e.g. "ERR_NOT_FOUND". */
const char *ips_status_name(ips_status st);
/* Human-readable message. */
const char *ips_status_message(ips_status st);
/* HTTP status code the API answers with. */
int ips_status_http(ips_status st);
/* Process exit code the CLI exits with. */
int ips_status_exit_code(ips_status st);

#endif

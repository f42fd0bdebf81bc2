/*
 * router.c — the route table of the API and the matcher.
 * Patterns are literal segments and {name} segments matching one non-empty
 * segment. The table is the single list of API routes: /metrics labels, the
 * OpenAPI check in the tests and the authorisation matrix all read it.
 */
#include "http/http_internal.h"

#include <string.h>

const struct http_route http_routes[] = {
    {"GET", "/healthz", h_healthz, AUTH_PUBLIC, BODY_JSON},
    {"GET", "/metrics", h_metrics, AUTH_PUBLIC, BODY_JSON},
    {"GET", "/api/v1/openapi.json", h_openapi, AUTH_PUBLIC, BODY_JSON},
    {"POST", "/api/v1/auth/login", h_login, AUTH_PUBLIC, BODY_JSON},
    {"POST", "/api/v1/auth/logout", h_logout, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/me", h_me, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/orgs", h_orgs_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/orgs", h_orgs_create, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/orgs/{id}", h_orgs_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/users", h_users_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/users", h_users_create, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/users/{id}", h_users_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/tokens", h_tokens_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/tokens", h_tokens_create, AUTH_REQUIRED, BODY_JSON},
    {"DELETE", "/api/v1/tokens/{id}", h_tokens_revoke, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/audit", h_audit_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/audit/verify", h_audit_verify, AUTH_REQUIRED, BODY_JSON},
    {NULL, NULL, NULL, AUTH_PUBLIC, BODY_JSON},
};

size_t http_route_count(void)
{
    return sizeof http_routes / sizeof http_routes[0] - 1;
}

int http_route_index(const struct http_route *r)
{
    return r ? (int)(r - http_routes) : -1;
}

/* Match path against pattern; path segments are copied into scratch so that
 * params point at NUL-terminated strings. */
static bool router__match(const char *pattern, const char *path,
                          const char *params[HTTP_MAX_PARAMS], int *n_params, char *scratch,
                          size_t cap)
{
    const char *p = pattern, *u = path;
    size_t used = 0;
    int n = 0;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return false;
        p++;
        u++;
        const char *pe = strchr(p, '/');
        const char *ue = strchr(u, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t ulen = ue ? (size_t)(ue - u) : strlen(u);
        if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
            if (ulen == 0 || n >= HTTP_MAX_PARAMS || used + ulen + 1 > cap)
                return false;
            memcpy(scratch + used, u, ulen);
            scratch[used + ulen] = '\0';
            params[n++] = scratch + used;
            used += ulen + 1;
        } else if (plen != ulen || memcmp(p, u, plen) != 0) {
            return false;
        }
        p += plen;
        u += ulen;
    }
    if (*p || *u)
        return false;
    *n_params = n;
    return true;
}

const struct http_route *http_route_match(const char *method, const char *path,
                                          const char *params[HTTP_MAX_PARAMS], int *n_params,
                                          char *scratch, size_t scratch_cap, bool *path_known)
{
    *path_known = false;
    for (const struct http_route *r = http_routes; r->method; r++) {
        if (!router__match(r->pattern, path, params, n_params, scratch, scratch_cap))
            continue;
        if (strcmp(r->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
            return r;
        *path_known = true;
    }
    return NULL;
}

/*
 * router.c — the route table of the API and the matcher.
 * Patterns are literal segments and {name} segments matching one non-empty
 * segment. The table is the single list of API routes: /metrics labels, the
 * OpenAPI check in the tests and the authorisation matrix all read it.
 */
#include "http/http.h"
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
    {"POST", "/api/v1/rightholders/apply", h_rightholders_apply, AUTH_PUBLIC, BODY_JSON},
    {"GET", "/api/v1/rightholders", h_rightholders_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/rightholders/{org_id}", h_rightholders_get, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/rightholders/{org_id}/decision", h_rightholders_decide, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/agents/authorisations", h_agent_auths_file, AUTH_REQUIRED, BODY_MULTIPART},
    {"GET", "/api/v1/agents/authorisations", h_agent_auths_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/agents/authorisations/{id}", h_agent_auths_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/agents/authorisations/{id}/document", h_agent_auths_document, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/agents/authorisations/{id}/decision", h_agent_auths_decide, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/agents/authorisations/{id}/revoke", h_agent_auths_revoke, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/rights", h_rights_register, AUTH_REQUIRED, BODY_MULTIPART},
    {"GET", "/api/v1/rights", h_rights_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/rights/{id}", h_rights_get, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/rights/{id}/decision", h_rights_decide, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/rights/{id}/files/{sha256}", h_rights_file, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/profiles/{org_id}", h_profiles_get, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/profiles/{org_id}/terms", h_profiles_terms_put, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/profiles/{org_id}/prices", h_profiles_prices_put, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/profiles/{org_id}/authorised-sellers", h_profiles_sellers_put, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/profiles/{org_id}/images", h_profiles_image_add, AUTH_REQUIRED, BODY_MULTIPART},
    {"DELETE", "/api/v1/profiles/{org_id}/images/{sha256}", h_profiles_image_delete, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/profiles/{org_id}/images/{sha256}", h_profiles_image_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/alliance", h_alliance_members_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/alliance/members", h_alliance_join, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/alliance/members/{org_id}", h_alliance_member_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/alliance/me", h_alliance_me, AUTH_REQUIRED, BODY_JSON},
    {"DELETE", "/api/v1/alliance/members/{org_id}", h_alliance_leave, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/alliance/members/{org_id}/suspend", h_alliance_suspend, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/alliance/members/{org_id}/reinstate", h_alliance_reinstate, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/alliance/reports", h_alliance_reports_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/alliance/reports", h_alliance_report_create, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/alliance/sellers", h_alliance_sellers_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/listings", h_listings_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/listings", h_listings_create, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/listings/{id}", h_listings_get, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/listings/{id}", h_listings_update, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/ledger/registrations", h_ledger_register, AUTH_REQUIRED, BODY_MULTIPART},
    {"GET", "/api/v1/ledger/registrations", h_ledger_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/ledger/receipts/{leaf_index}", h_ledger_receipt, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/ledger/checkpoint", h_ledger_checkpoint, AUTH_PUBLIC, BODY_JSON},
    {"GET", "/api/v1/ledger/consistency", h_ledger_consistency, AUTH_PUBLIC, BODY_JSON},
    {"GET", "/api/v1/ledger/key", h_ledger_key, AUTH_PUBLIC, BODY_JSON},
    {"POST", "/api/v1/ledger/prior-art", h_ledger_prior_art, AUTH_REQUIRED, BODY_MULTIPART},
    /* notice and action (h_notices.c, h_webhooks.c): fixed paths before {id} */
    {"POST", "/api/v1/notices", h_notices_create, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/notices/upload", h_notices_upload, AUTH_REQUIRED, BODY_MULTIPART},
    {"GET", "/api/v1/notices", h_notices_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/notices/queue", h_notices_queue, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/notices/accuracy", h_notices_accuracy, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/notices/{id}", h_notices_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/notices/{id}/items", h_notices_items, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/notices/{id}/statements", h_notices_statements, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/notices/{id}/decision", h_notices_decide, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/notices/{id}/items/{listing_id}/counter-notice", h_notices_counter, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/notices/{id}/items/{listing_id}/counter-decision", h_notices_counter_decide, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/notices/{id}/items/{listing_id}/appeal", h_notices_appeal, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/notices/{id}/items/{listing_id}/appeal-decision", h_notices_appeal_decide, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/inbox", h_inbox_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/strikes", h_strikes_list, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/orgs/{id}/webhook", h_webhook_put, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/webhooks/deliveries", h_webhook_deliveries, AUTH_REQUIRED, BODY_JSON},
    /* server-side detection (h_detections.c): fixed paths before {id} */
    {"GET", "/api/v1/detections", h_detections_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/detections/precision", h_detections_precision, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/detections/rules", h_detections_rules, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/detections/rescan", h_detections_rescan, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/detections/{id}", h_detections_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/detections/{id}/images/{sha256}", h_detections_image, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/detections/{id}/confirm", h_detections_confirm, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/detections/{id}/dismiss", h_detections_dismiss, AUTH_REQUIRED, BODY_JSON},
    /* enforcement (h_enforce.c) */
    {"GET", "/api/v1/sellers/{org_id}/enforcement", h_enforce_seller_get, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/sellers/{org_id}/strikes", h_enforce_strike_add, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/sellers/{org_id}/network", h_enforce_network_get, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/sellers/{org_id}/network/ban", h_enforce_network_ban, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/penalties/{id}/lift", h_enforce_penalty_lift, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/evasion-flags", h_enforce_flags_list, AUTH_REQUIRED, BODY_JSON},
    /* agencies and referrals (h_referrals.c) */
    {"GET", "/api/v1/agencies", h_agencies_list, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/agencies/{org_id}", h_agencies_get, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/agencies/{org_id}", h_agencies_put, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/referrals", h_referrals_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/referrals", h_referrals_create, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/referrals/{id}", h_referrals_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/referrals/{id}/evidence", h_referrals_evidence, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/referrals/{id}/approvals", h_referrals_approve, AUTH_REQUIRED, BODY_JSON},
    {"PUT", "/api/v1/referrals/{id}/tlp", h_referrals_tlp, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/referrals/{id}/route", h_referrals_route, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/referrals/{id}/updates", h_referrals_update, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/referrals/{id}/files", h_referrals_file, AUTH_REQUIRED, BODY_MULTIPART},
    /* litigation files (h_litigation.c) */
    {"GET", "/api/v1/litigation", h_litigation_list, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/litigation", h_litigation_open, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/litigation/{id}", h_litigation_get, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/litigation/{id}/bundle", h_litigation_bundle, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/litigation/{id}/damages", h_litigation_damages, AUTH_REQUIRED, BODY_JSON},
    {"POST", "/api/v1/litigation/{id}/status", h_litigation_status, AUTH_REQUIRED, BODY_JSON},
    /* reports (h_reports.c): the transparency report is public aggregate numbers */
    {"GET", "/api/v1/reports/metrics", h_reports_metrics, AUTH_REQUIRED, BODY_JSON},
    {"GET", "/api/v1/reports/transparency", h_reports_transparency, AUTH_PUBLIC, BODY_JSON},
    {"GET", "/api/v1/reports/statements", h_reports_statements, AUTH_REQUIRED, BODY_JSON},
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

json_t *http_routes_json(void)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (const struct http_route *r = http_routes; r->method; r++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "method", r->method, "pattern", r->pattern,
                              "auth", r->auth == AUTH_PUBLIC ? "public" : "required", "body",
                              r->body == BODY_MULTIPART ? "multipart" : "json");
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

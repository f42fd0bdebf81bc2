/*
 * http_internal.h — what the server, the router and the handlers share.
 *
 * One request = one struct http_req (input) and one struct http_resp
 * (output). Handlers are `void h(struct http_req *, struct http_resp *)`:
 * they read the request, call ONE domain function per action, and fill the
 * response with http_json() or http_fail(). They never talk SQL, never
 * decide access themselves (the domain calls access_authorize), and never
 * touch libmicrohttpd: the server does that around them.
 *
 * Memory: everything a handler allocates for the request comes from
 * rq->arena, freed in one call when the request completes; the response body
 * is a struct buf owned by the response.
 */
#ifndef IPS_HTTP_INTERNAL_H
#define IPS_HTTP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8
#define HTTP_PAGE_DEFAULT 50
#define HTTP_PAGE_MAX 200
#define HTTP_MAX_PARTS 16

/* One field of a multipart/form-data body (RFC 7578). name, filename and
 * content_type live in the request arena; data is owned by the request. */
struct http_part {
    const char *name;
    const char *filename;     /* NULL for plain fields; never trust it for the type */
    const char *content_type; /* as the client claimed it; never trust it either */
    struct buf data;
};

struct MHD_Connection;
struct http_route;
struct respcache;

struct http_req {
    const char *method;
    const char *path;
    struct MHD_Connection *conn;
    const char *body; /* NUL-terminated, body_len bytes (may hold NULs) */
    size_t body_len;
    const struct http_route *route;
    const char *params[HTTP_MAX_PARAMS]; /* {name} segments of the route, in order */
    int n_params;
    struct http_part parts[HTTP_MAX_PARTS]; /* BODY_MULTIPART routes only */
    int n_parts;
    char addr[64]; /* client address */
    struct arena arena;
    struct access_principal principal; /* via VIA_NONE when anonymous */
    struct ips_ctx ctx;                /* store, actor = &principal, cfg, addr */
    struct respcache *report_cache;    /* the server's transparency report cache; NULL: off */
};

struct http_header {
    const char *name;
    char *value; /* owned (malloc) */
};

struct http_resp {
    int status;
    const char *content_type;
    struct buf body;
    struct http_header headers[HTTP_MAX_HEADERS];
    int n_headers;
    bool cacheable; /* static assets may be cached; API answers are no-store unless the
                       handler adds its own Cache-Control header (h_reports.c) */
};

typedef void (*http_handler)(struct http_req *rq, struct http_resp *rs);

enum http_auth { AUTH_PUBLIC, AUTH_REQUIRED };

/* What a route's body must be: JSON (at most body_max bytes) or
 * multipart/form-data (at most upload_max bytes, parsed into rq->parts
 * before the handler runs). */
enum http_body { BODY_JSON, BODY_MULTIPART };

struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/orgs/{id}" */
    http_handler handler;
    enum http_auth auth;
    enum http_body body;
};

/* ---- router (router.c) ---------------------------------------------------- */

/* The route table, ending with a {NULL} row; also read by /metrics. */
extern const struct http_route http_routes[];
size_t http_route_count(void);
/* Find the route for method+path. OUT params/n_params filled on match.
 * Returns the route, or NULL with *path_known telling whether another method
 * would have matched (405 rather than 404). */
const struct http_route *http_route_match(const char *method, const char *path,
                                          const char *params[HTTP_MAX_PARAMS], int *n_params,
                                          char *scratch, size_t scratch_cap, bool *path_known);
/* Index of a route in http_routes (for metrics); -1 for NULL. */
int http_route_index(const struct http_route *r);

/* ---- responses (response.c) ----------------------------------------------------- */

/* Body = compact JSON of v (reference stolen), status as given. */
void http_json(struct http_resp *rs, int status, json_t *v);
/* RFC 9457 problem+json for st, with detail and optional errors array
 * (reference stolen; may be NULL). */
void http_problem(struct http_resp *rs, ips_status st, const char *detail, json_t *errors);
/* Problem from a domain status, taking detail and errors from rq->ctx. */
void http_fail(struct http_req *rq, struct http_resp *rs, ips_status st);
/* The usual end of a handler: http_json(rs, status, v) when st is IPS_OK,
 * else http_fail(rq, rs, st). v (reference stolen, may be NULL) is the view
 * of a record the domain filled only on success, so callers build it only
 * then: `http_reply(rq, rs, st, 200, st ? NULL : view(&rec))`. */
void http_reply(struct http_req *rq, struct http_resp *rs, ips_status st, int status, json_t *v);
/* Add a response header (value copied). Silently ignored past the maximum. */
void http_header_add(struct http_resp *rs, const char *name, const char *value);
/* Answer 200 with data[0..len) (ownership taken, freed here) as an
 * attachment of type mime named filename (at most 100 bytes used). */
void http_send_file(struct http_req *rq, struct http_resp *rs, void *data, size_t len,
                    const char *mime, const char *filename);
/* Answer 200 with data[0..len) (ownership taken, freed here) of type mime,
 * inline. Returns false (a 503 problem written) when out of memory. */
bool http_send_body(struct http_req *rq, struct http_resp *rs, void *data, size_t len,
                    const char *mime);
void http_resp_release(struct http_resp *rs);

/* ---- request helpers (request.c) -------------------------------------------------- */

/* Query parameter or NULL. */
const char *http_query(struct http_req *rq, const char *key);
/* Request header or NULL. */
const char *http_header(struct http_req *rq, const char *name);
/* Parse the body as a JSON object that may only contain `allowed` members.
 * On failure the problem is already written to rs and false is returned.
 * OUT *out: new reference on success. */
bool http_body_object(struct http_req *rq, struct http_resp *rs, const char *const *allowed,
                      json_t **out);
/* Parse ?limit= and ?cursor=. On failure writes a 422 problem and returns
 * false. cursor_out is NULL when absent. */
bool http_page(struct http_req *rq, struct http_resp *rs, int *limit_out,
               const char **cursor_out);
/* Parse rq->body (multipart/form-data, boundary from the request's
 * Content-Type on rq->conn) into rq->parts with libmicrohttpd's post
 * processor; each part's data is limited to rq->ctx.cfg->upload_max and the
 * caller releases it (buf_release) also on failure. IPS_ERR_MALFORMED when
 * the body is not well-formed, has no field or more than HTTP_MAX_PARTS.
 * The server runs it before a BODY_MULTIPART handler; tests/fuzz/
 * fuzz_multipart.c drives it through an in-process daemon. */
ips_status http_multipart_parse(struct http_req *rq);
/* The multipart field called name, or NULL. */
const struct http_part *http_part_get(const struct http_req *rq, const char *name);
/* Its data as a NUL-terminated string (plain fields), or NULL if absent. */
const char *http_part_text(const struct http_req *rq, const char *name);

/* http_page for lists whose cursor is an id: a cursor that is not one is a
 * 422 (written to rs; false returned). */
bool http_page_by_id(struct http_req *rq, struct http_resp *rs, int *limit_out,
                     const char **cursor_out);
/* Write the 422 for a cursor this API did not give out. */
void http_bad_cursor(struct http_resp *rs);

/* The first step of a handler whose action only some roles may take:
 * access_precheck(act) on the request path; on a refusal writes its
 * problem (401/403) and returns false. Call it before reading the body. */
bool http_precheck(struct http_req *rq, struct http_resp *rs, enum access_action act);
/* Path parameter i if it is a well-formed id; otherwise writes 404, NULL. */
const char *http_param_id(struct http_req *rq, struct http_resp *rs, int i);

/* Parse a {decision, reason} body (both required strings, nothing else)
 * where decision is `yes` or `no`; OUT *out_yes tells which. OUT *body: new
 * reference on success (reason points into it; the caller releases it).
 * On failure the problem (field errors included) is written to rs, *body
 * is NULL and false is returned. */
bool http_body_decision(struct http_req *rq, struct http_resp *rs, const char *yes, const char *no,
                        bool *out_yes, json_t **body, const char **reason);

/* ---- JSON views of domain records (views.c) ------------------------------------------ */

json_t *http_view_org(const struct store_org *o);
json_t *http_view_user(const struct store_user *u);
json_t *http_view_token(const struct store_token *t);
json_t *http_view_time(int64_t ms); /* RFC 3339 string, or null for 0 */

/* A page being collected. Handlers ask the store for limit + 1 rows and
 * offer each to http_page_take(): the first `limit` are kept, a further one
 * only proves that another page exists. */
struct http_page_acc {
    json_t *items;
    char last[ID_SIZE + 24]; /* cursor of the last kept item */
    int count, limit;
    bool more;
};
void http_page_begin(struct http_page_acc *acc, int limit);
/* Offer one item (reference stolen) with its cursor; false once the page is full. */
bool http_page_take(struct http_page_acc *acc, json_t *item, const char *cursor);
/* Finish a page: {"items": [...], "next_cursor": cursor or null}. */
json_t *http_page_finish(struct http_page_acc *acc);
/* Answer with the page (200) when st is IPS_OK, else with st's problem; the
 * page is consumed either way. */
void http_page_respond(struct http_req *rq, struct http_resp *rs, struct http_page_acc *acc,
                       ips_status st);
/* The start of a list whose cursor is an id: http_page_by_id, then
 * http_page_begin(acc, limit); ask the store for acc->limit + 1 rows. On
 * failure the problem is written to rs, acc is left unbegun (nothing to
 * release) and false is returned. */
bool http_page_open(struct http_req *rq, struct http_resp *rs, struct http_page_acc *acc,
                    const char **cursor_out);

/* ---- metrics (metrics.c) -------------------------------------------------------------- */

void http_metrics_init(void);
/* Record one finished request; route may be NULL (unmatched or static). */
void http_metrics_observe(const struct http_route *route, bool is_static, int status,
                          int64_t duration_ns);
/* Prometheus text exposition into b. */
void http_metrics_render(struct buf *b);

/* ---- handlers (h_*.c) --------------------------------------------------------------------- */

void h_healthz(struct http_req *rq, struct http_resp *rs);
void h_metrics(struct http_req *rq, struct http_resp *rs);
void h_openapi(struct http_req *rq, struct http_resp *rs);
/* Serve an embedded portal file for a GET outside /api; false if none. */
bool h_static(const char *path, struct http_resp *rs);

void h_login(struct http_req *rq, struct http_resp *rs);
void h_logout(struct http_req *rq, struct http_resp *rs);
void h_me(struct http_req *rq, struct http_resp *rs);

void h_orgs_list(struct http_req *rq, struct http_resp *rs);
void h_orgs_create(struct http_req *rq, struct http_resp *rs);
void h_orgs_get(struct http_req *rq, struct http_resp *rs);

void h_users_list(struct http_req *rq, struct http_resp *rs);
void h_users_create(struct http_req *rq, struct http_resp *rs);
void h_users_get(struct http_req *rq, struct http_resp *rs);

void h_tokens_list(struct http_req *rq, struct http_resp *rs);
void h_tokens_create(struct http_req *rq, struct http_resp *rs);
void h_tokens_revoke(struct http_req *rq, struct http_resp *rs);

void h_audit_list(struct http_req *rq, struct http_resp *rs);
void h_audit_verify(struct http_req *rq, struct http_resp *rs);

/* the rights registry: onboarding, agents, rights (h_rights.c) */
void h_rightholders_apply(struct http_req *rq, struct http_resp *rs);
void h_rightholders_list(struct http_req *rq, struct http_resp *rs);
void h_rightholders_get(struct http_req *rq, struct http_resp *rs);
void h_rightholders_decide(struct http_req *rq, struct http_resp *rs);
void h_agent_auths_file(struct http_req *rq, struct http_resp *rs);
void h_agent_auths_list(struct http_req *rq, struct http_resp *rs);
void h_agent_auths_get(struct http_req *rq, struct http_resp *rs);
void h_agent_auths_document(struct http_req *rq, struct http_resp *rs);
void h_agent_auths_decide(struct http_req *rq, struct http_resp *rs);
void h_agent_auths_revoke(struct http_req *rq, struct http_resp *rs);
void h_rights_register(struct http_req *rq, struct http_resp *rs);
void h_rights_list(struct http_req *rq, struct http_resp *rs);
void h_rights_get(struct http_req *rq, struct http_resp *rs);
void h_rights_decide(struct http_req *rq, struct http_resp *rs);
void h_rights_file(struct http_req *rq, struct http_resp *rs);

/* protection profiles (h_profiles.c) */
void h_profiles_get(struct http_req *rq, struct http_resp *rs);
void h_profiles_terms_put(struct http_req *rq, struct http_resp *rs);
void h_profiles_prices_put(struct http_req *rq, struct http_resp *rs);
void h_profiles_sellers_put(struct http_req *rq, struct http_resp *rs);
void h_profiles_image_add(struct http_req *rq, struct http_resp *rs);
void h_profiles_image_delete(struct http_req *rq, struct http_resp *rs);
void h_profiles_image_get(struct http_req *rq, struct http_resp *rs);

/* the anti-counterfeiting alliance (h_alliance.c) */
void h_alliance_members_list(struct http_req *rq, struct http_resp *rs);
void h_alliance_join(struct http_req *rq, struct http_resp *rs);
void h_alliance_member_get(struct http_req *rq, struct http_resp *rs);
void h_alliance_me(struct http_req *rq, struct http_resp *rs);
void h_alliance_leave(struct http_req *rq, struct http_resp *rs);
void h_alliance_suspend(struct http_req *rq, struct http_resp *rs);
void h_alliance_reinstate(struct http_req *rq, struct http_resp *rs);
void h_alliance_reports_list(struct http_req *rq, struct http_resp *rs);
void h_alliance_report_create(struct http_req *rq, struct http_resp *rs);
void h_alliance_sellers_list(struct http_req *rq, struct http_resp *rs);

/* the marketplace catalog (h_catalog.c) */
void h_listings_list(struct http_req *rq, struct http_resp *rs);
void h_listings_create(struct http_req *rq, struct http_resp *rs);
void h_listings_get(struct http_req *rq, struct http_resp *rs);
void h_listings_update(struct http_req *rq, struct http_resp *rs);

/* the original-work ledger (h_ledger.c) */
void h_ledger_register(struct http_req *rq, struct http_resp *rs);
void h_ledger_list(struct http_req *rq, struct http_resp *rs);
void h_ledger_receipt(struct http_req *rq, struct http_resp *rs);
void h_ledger_checkpoint(struct http_req *rq, struct http_resp *rs);
void h_ledger_consistency(struct http_req *rq, struct http_resp *rs);
void h_ledger_key(struct http_req *rq, struct http_resp *rs);
void h_ledger_prior_art(struct http_req *rq, struct http_resp *rs);

/* agencies and referrals (h_referrals.c) */
void h_agencies_list(struct http_req *rq, struct http_resp *rs);
void h_agencies_get(struct http_req *rq, struct http_resp *rs);
void h_agencies_put(struct http_req *rq, struct http_resp *rs);
void h_referrals_list(struct http_req *rq, struct http_resp *rs);
void h_referrals_create(struct http_req *rq, struct http_resp *rs);
void h_referrals_get(struct http_req *rq, struct http_resp *rs);
void h_referrals_evidence(struct http_req *rq, struct http_resp *rs);
void h_referrals_approve(struct http_req *rq, struct http_resp *rs);
void h_referrals_tlp(struct http_req *rq, struct http_resp *rs);
void h_referrals_route(struct http_req *rq, struct http_resp *rs);
void h_referrals_update(struct http_req *rq, struct http_resp *rs);
void h_referrals_file(struct http_req *rq, struct http_resp *rs);
/* Send the signed archive read(ctx, {id}) gives as <prefix>-<id>.tar.gz, or
 * the problem of its status (referral evidence, litigation bundles). */
struct blob_info;
typedef ips_status (*evidence_read_fn)(struct ips_ctx *ctx, const char *id, void **data,
                                       size_t *len, struct blob_info *info);
void h_evidence_send(struct http_req *rq, struct http_resp *rs, evidence_read_fn read,
                     const char *prefix);
/* litigation files (h_litigation.c) */
void h_litigation_list(struct http_req *rq, struct http_resp *rs);
void h_litigation_open(struct http_req *rq, struct http_resp *rs);
void h_litigation_get(struct http_req *rq, struct http_resp *rs);
void h_litigation_bundle(struct http_req *rq, struct http_resp *rs);
void h_litigation_damages(struct http_req *rq, struct http_resp *rs);
void h_litigation_status(struct http_req *rq, struct http_resp *rs);

/* reports (h_reports.c) */
void h_reports_metrics(struct http_req *rq, struct http_resp *rs);
void h_reports_transparency(struct http_req *rq, struct http_resp *rs);
void h_reports_statements(struct http_req *rq, struct http_resp *rs);

/* notice and action, inbox, strikes (h_notices.c); webhooks (h_webhooks.c) */
void h_notices_create(struct http_req *rq, struct http_resp *rs);
void h_notices_upload(struct http_req *rq, struct http_resp *rs);
void h_notices_list(struct http_req *rq, struct http_resp *rs);
void h_notices_queue(struct http_req *rq, struct http_resp *rs);
void h_notices_accuracy(struct http_req *rq, struct http_resp *rs);
void h_notices_get(struct http_req *rq, struct http_resp *rs);
void h_notices_items(struct http_req *rq, struct http_resp *rs);
void h_notices_statements(struct http_req *rq, struct http_resp *rs);
void h_notices_decide(struct http_req *rq, struct http_resp *rs);
void h_notices_counter(struct http_req *rq, struct http_resp *rs);
void h_notices_counter_decide(struct http_req *rq, struct http_resp *rs);
void h_notices_appeal(struct http_req *rq, struct http_resp *rs);
void h_notices_appeal_decide(struct http_req *rq, struct http_resp *rs);
void h_inbox_list(struct http_req *rq, struct http_resp *rs);
void h_strikes_list(struct http_req *rq, struct http_resp *rs);
void h_webhook_put(struct http_req *rq, struct http_resp *rs);
void h_webhook_deliveries(struct http_req *rq, struct http_resp *rs);

/* server-side detection (h_detections.c) */
void h_detections_list(struct http_req *rq, struct http_resp *rs);
void h_detections_precision(struct http_req *rq, struct http_resp *rs);
void h_detections_rules(struct http_req *rq, struct http_resp *rs);
void h_detections_rescan(struct http_req *rq, struct http_resp *rs);
void h_detections_get(struct http_req *rq, struct http_resp *rs);
void h_detections_image(struct http_req *rq, struct http_resp *rs);
void h_detections_confirm(struct http_req *rq, struct http_resp *rs);
void h_detections_dismiss(struct http_req *rq, struct http_resp *rs);

/* enforcement: strikes, penalties, networks (h_enforce.c) */
void h_enforce_seller_get(struct http_req *rq, struct http_resp *rs);
void h_enforce_strike_add(struct http_req *rq, struct http_resp *rs);
void h_enforce_penalty_lift(struct http_req *rq, struct http_resp *rs);
void h_enforce_network_get(struct http_req *rq, struct http_resp *rs);
void h_enforce_network_ban(struct http_req *rq, struct http_resp *rs);
void h_enforce_flags_list(struct http_req *rq, struct http_resp *rs);

#endif

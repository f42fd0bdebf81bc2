/*
 * alliance.h — the anti-counterfeiting alliance: right-holder organisations
 * join, and members share reports of known counterfeit sellers with each
 * other and with the platform.
 *
 * Membership states (one row per org, src/store/store_alliance.h):
 *
 *     (none) --join--> active --leave--> left --join--> active
 *                      active --suspend (reviewer/admin, reason)--> suspended
 *                   suspended --reinstate (reviewer/admin, reason)--> active
 *
 * Every other transition answers IPS_ERR_CONFLICT with a sentence in
 * ctx->detail: joining while active or suspended, leaving or being suspended
 * while not active (a suspended member cannot leave and re-join to shed its
 * suspension), reinstating a member that is not suspended. A re-join sets a
 * new join date. Transitions of an org that never joined are
 * IPS_ERR_NOT_FOUND.
 *
 * Who may:
 *   join, leave     a member of the right-holder org itself (or its authorised
 *                   agent, or an admin); a non-right-holder org gets
 *                   IPS_ERR_FORBIDDEN; another org IPS_ERR_NOT_FOUND
 *   suspend,
 *   reinstate       reviewers and admins (others IPS_ERR_FORBIDDEN)
 *   read (members, reports, watch list)
 *                   reviewers, admins, auditors, and right holders whose org is
 *                   an ACTIVE member; everyone else IPS_ERR_FORBIDDEN
 *   share a report  right holders whose org is an active member
 *   one membership  its own org and platform readers (others NOT_FOUND)
 *
 * Reports stay when their member leaves or is suspended. Every write runs in
 * one store transaction with its audit event; refusals are audited.
 *
 * Ownership: json_t arguments are borrowed; records passed to callbacks are
 * valid only during the call.
 */
#ifndef IPS_ALLIANCE_ALLIANCE_H
#define IPS_ALLIANCE_ALLIANCE_H

#include <jansson.h>

#include "access/access.h"
#include "store/store_alliance.h"

#define ALLIANCE_URLS_MAX 10      /* evidence URLs per report */
#define ALLIANCE_URL_MAX 1000     /* bytes of one URL */
#define ALLIANCE_LISTINGS_MAX 50  /* listing ids per report */
#define ALLIANCE_LISTING_ID_MAX 64

/* org_id joins (see the state diagram). OUT *out (may be NULL). */
ips_status alliance_member_join(struct ips_ctx *ctx, const char *org_id,
                                struct store_alliance_member *out);
/* org_id leaves. OUT *out (may be NULL). */
ips_status alliance_member_leave(struct ips_ctx *ctx, const char *org_id,
                                 struct store_alliance_member *out);
/* Suspend an active member; reason 1..STORE_ALLIANCE_REASON_MAX bytes of
 * UTF-8 without control characters. OUT *out (may be NULL). */
ips_status alliance_member_suspend(struct ips_ctx *ctx, const char *org_id, const char *reason,
                                   struct store_alliance_member *out);
/* Reinstate a suspended member; reason as for suspend. OUT *out (may be NULL). */
ips_status alliance_member_reinstate(struct ips_ctx *ctx, const char *org_id,
                                     const char *reason, struct store_alliance_member *out);
/* One membership. OUT *out. IPS_ERR_NOT_FOUND when it never joined or the
 * actor may not see it. */
ips_status alliance_member_get(struct ips_ctx *ctx, const char *org_id,
                               struct store_alliance_member *out);
/* The acting user's own organisation's membership, for any signed-in role
 * (GET /api/v1/alliance/me). OUT *out, *joined: false when the org never
 * joined — then IPS_OK with out->org_id and out->org_name set, status
 * "none", everything else zero: "not a member" is an answer here, not a
 * missing object. IPS_ERR_NOT_FOUND only for a principal without an org
 * (the system). */
ips_status alliance_member_mine(struct ips_ctx *ctx, struct store_alliance_member *out,
                                bool *joined);
/* Memberships of every status, by org id after `after`, at most limit. */
ips_status alliance_member_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_alliance_member_cb cb, void *arg);

/*
 * Share a report as the actor's org. req (borrowed): {"seller_org_id":
 * id of a seller org, "reason": text 1..1000 bytes, "evidence_urls":
 * [http(s) URL, ...] optional, at most ALLIANCE_URLS_MAX, "listing_ids":
 * [string, ...] optional, at most ALLIANCE_LISTINGS_MAX of [A-Za-z0-9._:-]}.
 * IPS_ERR_FORBIDDEN unless the actor is a right holder of an active member;
 * IPS_ERR_INVALID with field errors. OUT *out (may be NULL).
 */
ips_status alliance_report_share(struct ips_ctx *ctx, json_t *req,
                                 struct store_alliance_report *out);
/* Reports by id after `after`, at most limit; only_seller filters (a
 * malformed id simply matches nothing). */
ips_status alliance_report_list(struct ips_ctx *ctx, const char *only_seller, const char *after,
                                int limit, store_alliance_report_cb cb, void *arg);
/* The watch list: reported sellers with report and member counts. */
ips_status alliance_seller_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_alliance_seller_cb cb, void *arg);

#endif

/*
 * agents.c — agents (law firms and other representatives) acting for right
 * holders, on the strength of a signed authorisation document that a
 * reviewer verified (contract: rights.h).
 *
 * States: pending -> verified | rejected (reviewer); pending | verified ->
 * revoked (the principal or an admin). Active = verified and today within
 * [valid_from, valid_to]; rights_agent_authorised answers exactly that, so
 * an authorisation that ran out stops working the next day with no job.
 */
#include "rights/rights_internal.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

ips_status rights_agent_authorised(struct ips_ctx *ctx, const char *principal_org_id, bool *out)
{
    const char *mine = rights__actor_org(ctx);
    if (!mine || !principal_org_id || strcmp(mine, principal_org_id) == 0) {
        *out = false;
        return IPS_OK;
    }
    char today[STORE_DATE_MAX + 1];
    rights_today(today);
    return store_rights_auth_active(ctx->store, principal_org_id, mine, today, out);
}

struct agents__tx {
    const struct access_principal *actor;
    struct ips_ctx *ctx;
    struct store_agent_auth *auth;
    const char *action;
    const void *doc; /* file only */
    size_t doc_len;
};

/* store_tx_fn for filing: the document blob, the row, the audit event. */
static ips_status agents__file_tx(struct store *s, void *arg)
{
    struct agents__tx *a = arg;
    struct blob_info b;
    ips_status st = blob_put(a->ctx, a->doc, a->doc_len, BLOB_TYPES_DOCUMENT, &b);
    if (st)
        return st;
    memcpy(a->auth->document_sha256, b.sha256, sizeof a->auth->document_sha256);
    if ((st = store_rights_auth_insert(s, a->auth)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "agent_auth:%s", a->auth->id);
    snprintf(detail, sizeof detail, "principal=%s agent=%s %s..%s document=%s",
             a->auth->principal_org_id, a->auth->agent_org_id, a->auth->valid_from,
             a->auth->valid_to, b.sha256);
    return audit_append(s, access_principal_actor(a->actor), a->action, object, AUDIT_OK,
                        detail);
}

/* store_tx_fn for a change of state: the update and its audit event. */
static ips_status agents__update_tx(struct store *s, void *arg)
{
    struct agents__tx *a = arg;
    ips_status st = store_rights_auth_update(s, a->auth);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "agent_auth:%s", a->auth->id);
    return audit_append(s, access_principal_actor(a->actor), a->action, object, AUDIT_OK,
                        a->auth->reason);
}

ips_status rights_auth_file(struct ips_ctx *ctx, json_t *meta, const void *doc, size_t doc_len,
                            struct store_agent_auth *out)
{
    ips_status st = rights__check(ctx, ACT_AGENT_AUTH_FILE, NULL, "agent_auth:new");
    if (st)
        return st;
    const char *principal = rights__actor_org(ctx);
    if (!principal) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "only a right holder's user can authorise an agent for its organisation");
        return IPS_ERR_FORBIDDEN;
    }
    bool approved = false;
    if ((st = rights_holder_approved(ctx, principal, &approved)))
        return st;
    if (!approved) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "your organisation's application has not been approved, so it cannot "
                 "authorise agents yet");
        return IPS_ERR_FORBIDDEN;
    }
    if (!json_is_object(meta)) {
        json_error_add(ctx->errors, "meta", "must be a JSON object");
        snprintf(ctx->detail, sizeof ctx->detail, "the authorisation is not valid");
        return IPS_ERR_INVALID;
    }
    static const char *const allowed[] = {"agent_org_id", "valid_from", "valid_to", NULL};
    bool bad = rights__reject_unknown(meta, allowed, ctx->errors) > 0;
    const char *agent = NULL, *from = NULL, *to = NULL;
    if (!json_field_string(meta, "agent_org_id", true, ID_LEN, &agent, ctx->errors))
        bad = true;
    if (!rights__field_date(meta, "valid_from", true, &from, ctx->errors))
        bad = true;
    if (!rights__field_date(meta, "valid_to", true, &to, ctx->errors))
        bad = true;
    if (from && to && strcmp(from, to) > 0) {
        json_error_add(ctx->errors, "valid_to", "must not be before valid_from");
        bad = true;
    }
    if (agent) {
        struct store_org o;
        st = id_is_valid(agent) ? store_org_get(ctx->store, agent, &o) : IPS_ERR_NOT_FOUND;
        if (st == IPS_ERR_NOT_FOUND) {
            json_error_add(ctx->errors, "agent_org_id", "no such organisation");
            bad = true;
        } else if (st) {
            return st;
        } else if (strcmp(o.kind, "rightholder") != 0) {
            json_error_add(ctx->errors, "agent_org_id",
                           "an agent must be a right-holder organisation");
            bad = true;
        } else if (strcmp(o.id, principal) == 0) {
            json_error_add(ctx->errors, "agent_org_id",
                           "an organisation cannot be its own agent");
            bad = true;
        } else {
            bool agent_ok = false;
            if ((st = rights_holder_approved(ctx, o.id, &agent_ok)))
                return st;
            if (!agent_ok) {
                json_error_add(ctx->errors, "agent_org_id",
                               "the agent organisation has not been approved");
                bad = true;
            }
        }
    }
    if (!doc) {
        json_error_add(ctx->errors, "document", "the signed authorisation is required");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the authorisation is not valid");
        return IPS_ERR_INVALID;
    }

    struct store_agent_auth a;
    memset(&a, 0, sizeof a);
    id_new(a.id);
    memcpy(a.principal_org_id, principal, sizeof a.principal_org_id);
    memcpy(a.agent_org_id, agent, sizeof a.agent_org_id);
    memcpy(a.valid_from, from, sizeof a.valid_from);
    memcpy(a.valid_to, to, sizeof a.valid_to);
    snprintf(a.status, sizeof a.status, "pending");
    memcpy(a.filed_by, ctx->actor->user_id, sizeof a.filed_by);
    a.created_ms = time_now_ms();
    struct agents__tx t = {ctx->actor, ctx, &a, "agent_auth.file", doc, doc_len};
    st = store_tx_run(ctx->store, agents__file_tx, &t);
    if (st == IPS_ERR_MEDIA_TYPE || st == IPS_ERR_TOO_LARGE || st == IPS_ERR_INVALID) {
        char why[sizeof ctx->detail];
        memcpy(why, ctx->detail, sizeof why);
        snprintf(ctx->detail, sizeof ctx->detail, "document: %.200s", why);
        if (st == IPS_ERR_INVALID) /* field errors go with validation failures only */
            json_error_add(ctx->errors, "document", why);
    }
    if (st)
        return st;
    /* read back for the orgs' names (read-only columns); the row is committed
     * either way, so a failed read only leaves the names empty */
    struct store_agent_auth named;
    if (store_rights_auth_get(ctx->store, a.id, &named) == IPS_OK)
        a = named;
    if (out)
        *out = a;
    return IPS_OK;
}

ips_status rights_auth_decide(struct ips_ctx *ctx, const char *id, bool verify,
                              const char *reason, struct store_agent_auth *out)
{
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "agent_auth:%s", id ? id : "");
    ips_status st = rights__check(ctx, ACT_AGENT_AUTH_DECIDE, NULL, object);
    if (st)
        return st;
    if (!rights__reason_ok(ctx, reason, true))
        return IPS_ERR_INVALID;
    struct store_agent_auth a;
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    if ((st = store_rights_auth_get(ctx->store, id, &a)))
        return st;
    if (strcmp(a.status, "pending") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "the authorisation was %s already", a.status);
        return IPS_ERR_CONFLICT;
    }
    snprintf(a.status, sizeof a.status, "%s", verify ? "verified" : "rejected");
    snprintf(a.reason, sizeof a.reason, "%s", reason);
    snprintf(a.decided_by, sizeof a.decided_by, "%s", access_principal_actor(ctx->actor));
    a.decided_ms = time_now_ms();
    struct agents__tx t = {ctx->actor, ctx, &a, verify ? "agent_auth.verify" : "agent_auth.reject",
                           NULL, 0};
    if ((st = store_tx_run(ctx->store, agents__update_tx, &t)))
        return st;
    if (out)
        *out = a;
    return IPS_OK;
}

ips_status rights_auth_revoke(struct ips_ctx *ctx, const char *id, const char *reason,
                              struct store_agent_auth *out)
{
    struct store_agent_auth a;
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_rights_auth_get(ctx->store, id, &a);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "agent_auth:%s", a.id);
    struct access_object obj = {a.principal_org_id, NULL, false};
    if ((st = rights__check(ctx, ACT_AGENT_AUTH_REVOKE, &obj, object)))
        return st;
    if (!rights__reason_ok(ctx, reason, false))
        return IPS_ERR_INVALID;
    if (strcmp(a.status, "pending") != 0 && strcmp(a.status, "verified") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "the authorisation was %s already", a.status);
        return IPS_ERR_CONFLICT;
    }
    snprintf(a.status, sizeof a.status, "revoked");
    snprintf(a.reason, sizeof a.reason, "%s",
             reason && *reason ? reason : "revoked by the right holder");
    snprintf(a.decided_by, sizeof a.decided_by, "%s", access_principal_actor(ctx->actor));
    a.decided_ms = time_now_ms();
    struct agents__tx t = {ctx->actor, ctx, &a, "agent_auth.revoke", NULL, 0};
    if ((st = store_tx_run(ctx->store, agents__update_tx, &t)))
        return st;
    if (out)
        *out = a;
    return IPS_OK;
}

ips_status rights_auth_get(struct ips_ctx *ctx, const char *id, struct store_agent_auth *out)
{
    struct store_agent_auth a;
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_rights_auth_get(ctx->store, id, &a);
    if (st)
        return st;
    /* the principal's members, then the agent's: either may read it */
    struct access_object principal = {a.principal_org_id, NULL, false};
    if (access_authorize(ctx->actor, ACT_AGENT_AUTH_READ, &principal) != IPS_OK) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "agent_auth:%s", a.id);
        struct access_object agent = {a.agent_org_id, NULL, false};
        if ((st = rights__check(ctx, ACT_AGENT_AUTH_READ, &agent, object)))
            return st;
    }
    *out = a;
    return IPS_OK;
}

ips_status rights_auth_list(struct ips_ctx *ctx, const char *only_status, const char *after,
                            int limit, store_agent_auth_cb cb, void *arg)
{
    ips_status st = rights__check(ctx, ACT_AGENT_AUTH_LIST, NULL, "agent_auths");
    if (st)
        return st;
    static const char *const statuses[] = {"pending", "verified", "rejected", "revoked", NULL};
    bool known = !only_status;
    for (size_t i = 0; only_status && statuses[i]; i++)
        known = known || strcmp(statuses[i], only_status) == 0;
    if (!known) {
        json_error_add(ctx->errors, "status", "must be pending, verified, rejected or revoked");
        snprintf(ctx->detail, sizeof ctx->detail, "the filter is not valid");
        return IPS_ERR_INVALID;
    }
    const char *involving = NULL;
    if (access_authorize(ctx->actor, ACT_AGENT_AUTH_LIST_ALL, NULL) != IPS_OK) {
        involving = rights__actor_org(ctx);
        if (!involving)
            return IPS_ERR_FORBIDDEN;
    }
    return store_rights_auth_list(ctx->store, involving, only_status, after, limit, cb, arg);
}

ips_status rights_auth_document_read(struct ips_ctx *ctx, const char *id, void **data,
                                     size_t *len, struct blob_info *info)
{
    struct store_agent_auth a;
    ips_status st = rights_auth_get(ctx, id, &a);
    if (st)
        return st;
    struct blob_info b;
    if ((st = blob_info_get(ctx, a.document_sha256, &b)) ||
        (st = blob_read(ctx, a.document_sha256, data, len)))
        return st;
    *info = b;
    return IPS_OK;
}

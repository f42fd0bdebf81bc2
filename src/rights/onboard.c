/*
 * onboard.c — right-holder onboarding: the public application, its review,
 * and the "may this org register rights" question (contract: rights.h).
 *
 * An application is the only write of the module made by an anonymous
 * actor: it creates an organisation (kind rightholder), its first user (role
 * rightholder) and a pending application in ONE transaction, audited as
 * "anonymous". The application status lives in rightholder_applications,
 * not in orgs: an org without a row was created by an administrator and
 * counts as approved.
 */
#include "rights/rights_internal.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "geo/geo.h"

#include <stdio.h>
#include <string.h>

/* True when s looks like an http(s) URL of printable ASCII without spaces. */
static bool onboard__website_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    const char *host = s + (s[4] == 's' ? 8 : 7);
    if (!*host || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

struct onboard__apply_tx {
    const struct store_org *org;
    const struct store_user *user;
    const struct store_rh_application *app;
};

/* store_tx_fn: org, user, application and the audit event. */
static ips_status onboard__apply_tx(struct store *s, void *arg)
{
    struct onboard__apply_tx *a = arg;
    ips_status st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    if ((st = store_org_insert(s, a->org)) || (st = store_user_insert(s, a->user)) ||
        (st = store_rights_application_insert(s, a->app)))
        return st;
    snprintf(object, sizeof object, "org:%s", a->org->id);
    snprintf(detail, sizeof detail, "country=%s user=%s", a->app->country, a->user->id);
    return audit_append(s, "anonymous", "rightholder.apply", object, AUDIT_OK, detail);
}

ips_status rights_holder_apply(struct ips_ctx *ctx, const struct rights_apply_req *req,
                               struct store_org *org, struct store_user *user,
                               struct store_rh_application *app)
{
    bool bad = false;
    struct store_org o;
    struct store_user u;
    struct store_rh_application a;
    memset(&o, 0, sizeof o);
    memset(&u, 0, sizeof u);
    memset(&a, 0, sizeof a);

    size_t n = req->org_name ? strlen(req->org_name) : 0;
    if (n == 0 || n > STORE_NAME_MAX) {
        json_error_add(ctx->errors, "org_name", "must be 1 to 200 bytes");
        bad = true;
    } else {
        memcpy(o.name, req->org_name, n + 1);
    }
    n = req->email ? strlen(req->email) : 0;
    if (n == 0 || n > STORE_EMAIL_MAX) {
        json_error_add(ctx->errors, "email", "must be an email address of at most 254 bytes");
        bad = true;
    } else {
        memcpy(u.email, req->email, n + 1);
        if (!access_email_normalize(u.email)) {
            json_error_add(ctx->errors, "email", "is not an email address");
            bad = true;
        }
    }
    n = req->password ? strlen(req->password) : 0;
    if (n < ACCESS_PASSWORD_MIN || n > ACCESS_PASSWORD_MAX) {
        json_error_add(ctx->errors, "password", "must be 12 to 256 bytes");
        bad = true;
    }
    if (req->website && *req->website) {
        n = strlen(req->website);
        if (n > STORE_RH_TEXT_MAX || !onboard__website_ok(req->website)) {
            json_error_add(ctx->errors, "website",
                           "must be an http:// or https:// address of at most 200 bytes");
            bad = true;
        } else {
            memcpy(a.website, req->website, n + 1);
        }
    }
    if (!req->country || strlen(req->country) != 2 || !geo_valid(req->country) ||
        geo_is_subdivision(req->country)) {
        json_error_add(ctx->errors, "country",
                       "must be an ISO 3166-1 alpha-2 country code in upper case, e.g. \"CN\"");
        bad = true;
    } else {
        memcpy(a.country, req->country, 3);
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the application is not valid");
        return IPS_ERR_INVALID;
    }

    /* Duplicates get a precise answer; the unique keys still decide races. */
    struct store_org existing_org;
    struct store_user existing_user;
    ips_status st = store_org_get_by_name(ctx->store, o.name, &existing_org);
    if (st == IPS_OK) {
        snprintf(ctx->detail, sizeof ctx->detail, "an organisation with this name exists");
        return IPS_ERR_CONFLICT;
    }
    if (st != IPS_ERR_NOT_FOUND)
        return st;
    st = store_user_get_by_email(ctx->store, u.email, &existing_user);
    if (st == IPS_OK) {
        snprintf(ctx->detail, sizeof ctx->detail, "a user with this email exists");
        return IPS_ERR_CONFLICT;
    }
    if (st != IPS_ERR_NOT_FOUND)
        return st;

    int64_t now = time_now_ms();
    id_new(o.id);
    memcpy(a.org_name, o.name, sizeof a.org_name); /* read only: the answer shows it */
    snprintf(o.kind, sizeof o.kind, "rightholder");
    o.created_ms = now;
    id_new(u.id);
    memcpy(u.org_id, o.id, sizeof u.org_id);
    snprintf(u.role, sizeof u.role, "rightholder");
    u.created_ms = now;
    if ((st = access_password_hash(req->password, u.pw_hash)))
        return st;
    memcpy(a.org_id, o.id, sizeof a.org_id);
    snprintf(a.status, sizeof a.status, "pending");
    memcpy(a.email, u.email, sizeof a.email);
    a.created_ms = now;

    struct onboard__apply_tx t = {&o, &u, &a};
    st = store_tx_run(ctx->store, onboard__apply_tx, &t);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail,
                 "an organisation with this name or a user with this email exists");
    if (st)
        return st;
    if (org)
        *org = o;
    if (user)
        *user = u;
    if (app)
        *app = a;
    return IPS_OK;
}

struct onboard__decide_tx {
    const struct access_principal *actor;
    const struct store_rh_application *app;
};

/* store_tx_fn: the new state and its audit event. */
static ips_status onboard__decide_tx(struct store *s, void *arg)
{
    struct onboard__decide_tx *a = arg;
    ips_status st = store_rights_application_update(s, a->app);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", a->app->org_id);
    return audit_append(s, access_principal_actor(a->actor),
                        strcmp(a->app->status, "approved") == 0 ? "rightholder.approve"
                                                                 : "rightholder.reject",
                        object, AUDIT_OK, a->app->reason);
}

ips_status rights_holder_decide(struct ips_ctx *ctx, const char *org_id, bool approve,
                                const char *reason, struct store_rh_application *out)
{
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", org_id ? org_id : "");
    ips_status st = rights__check(ctx, ACT_RH_DECIDE, NULL, object);
    if (st)
        return st;
    if (!rights__reason_ok(ctx, reason, true))
        return IPS_ERR_INVALID;
    struct store_rh_application a;
    if (!org_id || !id_is_valid(org_id))
        return IPS_ERR_NOT_FOUND;
    if ((st = store_rights_application_get(ctx->store, org_id, &a)))
        return st;
    if (strcmp(a.status, "pending") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "the application was %s already", a.status);
        return IPS_ERR_CONFLICT;
    }
    snprintf(a.status, sizeof a.status, "%s", approve ? "approved" : "rejected");
    snprintf(a.reason, sizeof a.reason, "%s", reason);
    snprintf(a.decided_by, sizeof a.decided_by, "%s", access_principal_actor(ctx->actor));
    a.decided_ms = time_now_ms();
    struct onboard__decide_tx t = {ctx->actor, &a};
    if ((st = store_tx_run(ctx->store, onboard__decide_tx, &t)))
        return st;
    if (out)
        *out = a;
    return IPS_OK;
}

ips_status rights_holder_get(struct ips_ctx *ctx, const char *org_id,
                             struct store_rh_application *out)
{
    struct store_rh_application a;
    if (!org_id || !id_is_valid(org_id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_rights_application_get(ctx->store, org_id, &a);
    if (st)
        return st;
    struct access_object obj = {a.org_id, NULL, false};
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", a.org_id);
    if ((st = rights__check(ctx, ACT_RH_READ, &obj, object)))
        return st;
    *out = a;
    return IPS_OK;
}

ips_status rights_holder_list(struct ips_ctx *ctx, const char *only_status, const char *after,
                              int limit, store_rh_application_cb cb, void *arg)
{
    ips_status st = rights__check(ctx, ACT_RH_LIST, NULL, "rightholders");
    if (st)
        return st;
    if (only_status && strcmp(only_status, "pending") != 0 &&
        strcmp(only_status, "approved") != 0 && strcmp(only_status, "rejected") != 0) {
        json_error_add(ctx->errors, "status", "must be pending, approved or rejected");
        snprintf(ctx->detail, sizeof ctx->detail, "the filter is not valid");
        return IPS_ERR_INVALID;
    }
    const char *only_org = NULL;
    if (access_authorize(ctx->actor, ACT_RH_LIST_ALL, NULL) != IPS_OK) {
        only_org = rights__actor_org(ctx);
        if (!only_org)
            return IPS_ERR_FORBIDDEN;
    }
    return store_rights_application_list(ctx->store, only_status, only_org, after, limit, cb,
                                         arg);
}

ips_status rights_holder_approved(struct ips_ctx *ctx, const char *org_id, bool *out)
{
    struct store_rh_application a;
    ips_status st = store_rights_application_get(ctx->store, org_id, &a);
    if (st == IPS_ERR_NOT_FOUND) {
        *out = true; /* made by an administrator: approved by construction */
        return IPS_OK;
    }
    if (st)
        return st;
    *out = strcmp(a.status, "approved") == 0;
    return IPS_OK;
}

/*
 * access.c — authorisation, passwords, sessions, tokens, orgs and users.
 * See access.h for the contract. Every write runs in one store transaction
 * with its audit event; refused writes are audited on their own.
 */
#include "access/access.h"
#include "audit/audit.h"
#include "core/config.h"
#include "core/json.h"
#include "core/id.h"
#include "core/log.h"
#include "core/timeutil.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- roles, kinds, actions --------------------------------------------------- */

static const struct {
    const char *name, *kind;
} roles[] = {
#define ACCESS__ROLE_ROW(e, name, kind) {name, kind},
    ACCESS_ROLE_MAP(ACCESS__ROLE_ROW)
#undef ACCESS__ROLE_ROW
};

static const struct {
    const char *name;
    unsigned roles;
    enum access_scope scope;
} actions[] = {
#define ACCESS__ACT_ROW(e, name, r, scope) {name, r, scope},
    ACCESS_ACTION_MAP(ACCESS__ACT_ROW)
#undef ACCESS__ACT_ROW
};

const char *access_role_name(enum access_role r)
{
    return (unsigned)r < ROLE__COUNT ? roles[r].name : "unknown";
}

bool access_role_parse(const char *name, enum access_role *out)
{
    for (int i = 0; name && i < ROLE__COUNT; i++) {
        if (strcmp(roles[i].name, name) == 0) {
            *out = (enum access_role)i;
            return true;
        }
    }
    return false;
}

const char *access_role_org_kind(enum access_role r)
{
    return (unsigned)r < ROLE__COUNT ? roles[r].kind : "";
}

bool access_org_kind_valid(const char *kind)
{
    static const char *const kinds[] = {"platform", "rightholder", "seller", "agency"};
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i], kind) == 0)
            return true;
    return false;
}

const char *access_action_name(enum access_action a)
{
    return (unsigned)a < ACT__COUNT ? actions[a].name : "unknown";
}

void access_principal_system(struct access_principal *p)
{
    memset(p, 0, sizeof *p);
    p->via = VIA_SYSTEM;
    p->role = ROLE_ADMIN;
}

const char *access_principal_actor(const struct access_principal *p)
{
    if (!p || p->via == VIA_NONE)
        return "anonymous";
    if (p->via == VIA_SYSTEM)
        return "system";
    return p->user_id;
}

/* The one decision behind access_authorize and access_authorize_tlp:
 * label and share matter only for SCOPE_TLP actions. The two enums are
 * numbered so that label n needs share n or more. */
static ips_status access__decide(const struct access_principal *p, enum access_action act,
                                 const struct access_object *obj, enum access_tlp label,
                                 enum access_share share)
{
    if ((unsigned)act >= ACT__COUNT)
        return IPS_ERR_INTERNAL;
    if (!p || p->via == VIA_NONE)
        return IPS_ERR_UNAUTHENTICATED;
    if (p->via == VIA_SYSTEM)
        return IPS_OK;
    if ((unsigned)p->role >= ROLE__COUNT)
        return IPS_ERR_FORBIDDEN;
    if (actions[act].roles & (1u << p->role))
        return IPS_OK;
    switch (actions[act].scope) {
    case SCOPE_ORG:
        if (obj && obj->org_id && strcmp(obj->org_id, p->org_id) == 0)
            return IPS_OK;
        return obj && obj->org_id && obj->agent_authorised ? IPS_OK : IPS_ERR_NOT_FOUND;
    case SCOPE_USER:
        return obj && obj->owner_user_id && strcmp(obj->owner_user_id, p->user_id) == 0
                   ? IPS_OK
                   : IPS_ERR_NOT_FOUND;
    case SCOPE_TLP:
        return label != TLP_NONE && (int)share >= (int)label ? IPS_OK : IPS_ERR_NOT_FOUND;
    case SCOPE_NONE:
        break;
    }
    return IPS_ERR_FORBIDDEN;
}

ips_status access_authorize(const struct access_principal *p, enum access_action act,
                            const struct access_object *obj)
{
    return access__decide(p, act, obj, TLP_NONE, SHARE_NONE);
}

ips_status access_authorize_tlp(const struct access_principal *p, enum access_action act,
                                enum access_tlp label, enum access_share share)
{
    return access__decide(p, act, NULL, label, share);
}

/* Audit a refusal st of act on object as denied; returns st. */
static ips_status access__refusal(struct ips_ctx *ctx, enum access_action act, const char *object,
                                  ips_status st)
{
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object ? object : "", AUDIT_DENIED, ips_status_slug(st));
    return st;
}

ips_status access_check(struct ips_ctx *ctx, enum access_action act,
                        const struct access_object *obj, const char *object)
{
    return access__refusal(ctx, act, object, access_authorize(ctx->actor, act, obj));
}

ips_status access_check_tlp(struct ips_ctx *ctx, enum access_action act, enum access_tlp label,
                            enum access_share share, const char *object)
{
    return access__refusal(ctx, act, object, access_authorize_tlp(ctx->actor, act, label, share));
}

/* Authorise and, when refused, audit the refusal. */
static ips_status access__check(struct ips_ctx *ctx, enum access_action act,
                                const struct access_object *obj, const char *object)
{
    return access_check(ctx, act, obj, object);
}

ips_status access_precheck(struct ips_ctx *ctx, enum access_action act, const char *object)
{
    ips_status st = access_authorize(ctx->actor, act, NULL);
    if (st == IPS_ERR_NOT_FOUND) /* only the object's scope can tell */
        return IPS_OK;
    if (st == IPS_ERR_FORBIDDEN) {
        snprintf(ctx->detail, sizeof ctx->detail, "your role may not %s",
                 access_action_name(act));
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object ? object : "", AUDIT_DENIED, ips_status_slug(st));
    }
    return st;
}

/* ---- secrets ------------------------------------------------------------------ */

static void access__secret_new(const char *prefix, char out[64])
{
    uint8_t raw[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, 64, "%s%s", prefix, b64);
    sodium_memzero(raw, sizeof raw);
}

static void access__secret_hash(const char *secret, uint8_t out[STORE_HASH_LEN])
{
    static const char domain[] = "iprshield secret v1";
    crypto_generichash(out, STORE_HASH_LEN, (const uint8_t *)secret, strlen(secret),
                       (const uint8_t *)domain, sizeof domain - 1);
}

/* CSRF token of a session: a keyed hash of the session secret, so it needs no
 * storage, dies with the session, and cannot be computed without the cookie. */
static void access__csrf_derive(const char *secret, char out[64])
{
    static const char msg[] = "iprshield csrf v1";
    uint8_t h[32];
    size_t klen = strlen(secret);
    if (klen > crypto_generichash_KEYBYTES_MAX)
        klen = crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(h, sizeof h, (const uint8_t *)msg, sizeof msg - 1,
                       (const uint8_t *)secret, klen);
    sodium_bin2base64(out, 64, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool access_csrf_valid(const struct access_principal *p, const char *token)
{
    if (!p || p->via != VIA_SESSION || !token)
        return false;
    size_t n = strlen(p->csrf);
    if (strlen(token) != n || n == 0)
        return false;
    return sodium_memcmp(p->csrf, token, n) == 0;
}

/* ---- passwords -------------------------------------------------------------- */

ips_status access_password_hash(const char *password, char *out)
{
    char tmp[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(tmp, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return IPS_ERR_NOMEM;
    size_t n = strlen(tmp);
    if (n > STORE_PWHASH_MAX)
        return IPS_ERR_INTERNAL;
    memcpy(out, tmp, n + 1);
    return IPS_OK;
}

bool access_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash verified against when the email is unknown, so that a wrong email
 * costs the same time as a wrong password. */
static char dummy_hash[STORE_PWHASH_MAX + 1];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void access__dummy_init(void)
{
    if (access_password_hash("iprshield-dummy-password", dummy_hash) != IPS_OK)
        dummy_hash[0] = '\0';
}

bool access_email_normalize(char *email)
{
    size_t n = strlen(email);
    if (n < 3 || n > STORE_EMAIL_MAX)
        return false;
    const char *at = NULL;
    for (char *c = email; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u <= 0x20 || u == 0x7f || u == '<' || u == '>' || u == ',' || u == ';')
            return false;
        if (u == '@') {
            if (at)
                return false;
            at = c;
        }
        *c = (char)tolower(u);
    }
    if (!at || at == email || !strchr(at, '.') || at[1] == '.' || email[n - 1] == '.')
        return false;
    return true;
}

static ips_status access__principal_fill(struct store *s, const char *user_id,
                                         struct access_principal *p)
{
    struct store_user u;
    ips_status st = store_user_get(s, user_id, &u);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_ERR_UNAUTHENTICATED;
    if (st)
        return st;
    if (u.disabled || !access_role_parse(u.role, &p->role))
        return IPS_ERR_UNAUTHENTICATED;
    memcpy(p->user_id, u.id, sizeof p->user_id);
    memcpy(p->org_id, u.org_id, sizeof p->org_id);
    memcpy(p->email, u.email, sizeof p->email);
    return IPS_OK;
}

/* ---- login, logout, resolution ------------------------------------------------ */

struct login_tx {
    struct ips_ctx *ctx;
    const char *email;
    const struct store_user *user; /* NULL when the email is unknown */
    bool ok;
    const char *secret;
    struct store_session *session;
};

/* After a failed attempt (already recorded): lock the email when it has
 * login_lockout_failures failures within login_window, and start counting
 * afresh, so that after the lock an attacker again has that many tries. */
static ips_status access__lockout_tx(struct store *s, struct login_tx *a, const char *object,
                                     int64_t now)
{
    const struct config *cfg = a->ctx->cfg;
    int by_email = 0;
    if (cfg->login_lockout_failures <= 0)
        return IPS_OK;
    ips_status st = store_login_failures(s, a->email, a->ctx->addr,
                                         now - cfg->login_window * 1000, &by_email, NULL);
    if (st || by_email < cfg->login_lockout_failures)
        return st;
    if ((st = store_login_lock_set(s, a->email, now, now + cfg->login_lockout_seconds * 1000)) ||
        (st = store_login_failures_clear(s, a->email)))
        return st;
    char detail[96];
    snprintf(detail, sizeof detail, "locked for %lld s after %d failed logins",
             (long long)cfg->login_lockout_seconds, by_email);
    return audit_append(s, a->user ? a->user->id : "anonymous", "auth.lockout", object, AUDIT_OK,
                        detail);
}

static ips_status access__login_tx(struct store *s, void *arg)
{
    struct login_tx *a = arg;
    int64_t now = time_now_ms();
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "user:%s", a->user ? a->user->id : "unknown");
    ips_status st = store_login_attempt_add(s, a->email, a->ctx->addr, a->ok, now);
    if (st)
        return st;
    if (!a->ok) {
        st = audit_append(s, a->user ? a->user->id : "anonymous", "auth.login", object,
                          AUDIT_FAILED, "wrong email or password");
        return st ? st : access__lockout_tx(s, a, object, now);
    }
    if ((st = store_login_failures_clear(s, a->email)) ||
        (st = store_login_lock_set(s, a->email, now, 0)))
        return st;
    st = store_session_insert(s, a->session);
    if (st)
        return st;
    return audit_append(s, a->user->id, "auth.login", object, AUDIT_OK, NULL);
}

/* Refuse a login of a locked account or from a throttled address: 429 with
 * Retry-After; the same answer whether or not an account has the email. */
static ips_status access__login_refuse(struct ips_ctx *ctx, int retry_after_s, const char *why)
{
    snprintf(ctx->detail, sizeof ctx->detail,
             "too many failed logins; try again in %d seconds", retry_after_s);
    audit_record(ctx->store, "anonymous", "auth.login", "user:throttled", AUDIT_DENIED, why);
    return IPS_ERR_RATE_LIMITED;
}

ips_status access_login(struct ips_ctx *ctx, const char *email_in, const char *password,
                        char secret_out[64], struct access_principal *p, int *retry_after_s)
{
    char email[STORE_EMAIL_MAX + 1];
    size_t n = strlen(email_in);
    pthread_once(&dummy_once, access__dummy_init);
    if (n > STORE_EMAIL_MAX) {
        snprintf(ctx->detail, sizeof ctx->detail, "wrong email or password");
        return IPS_ERR_UNAUTHENTICATED;
    }
    memcpy(email, email_in, n + 1);
    if (!access_email_normalize(email)) {
        snprintf(ctx->detail, sizeof ctx->detail, "wrong email or password");
        return IPS_ERR_UNAUTHENTICATED;
    }

    /* A locked account is refused before its password is checked: even the
     * right password does not get in until the lock ends. */
    int64_t now = time_now_ms();
    int64_t locked_until = 0;
    ips_status st = store_login_lock_get(ctx->store, email, &locked_until);
    if (st)
        return st;
    if (locked_until > now) {
        *retry_after_s = (int)((locked_until - now + 999) / 1000);
        return access__login_refuse(ctx, *retry_after_s, "locked");
    }
    int by_addr = 0;
    int64_t window_ms = ctx->cfg->login_window * 1000;
    st = store_login_failures(ctx->store, email, ctx->addr, now - window_ms, NULL, &by_addr);
    if (st)
        return st;
    if (by_addr >= ctx->cfg->login_max_failures) {
        *retry_after_s = (int)ctx->cfg->login_window;
        return access__login_refuse(ctx, *retry_after_s, "throttled");
    }

    struct store_user u;
    bool known = false;
    st = store_user_get_by_email(ctx->store, email, &u);
    if (st == IPS_OK)
        known = true;
    else if (st != IPS_ERR_NOT_FOUND)
        return st;
    bool ok = known ? access_password_verify(u.pw_hash, password)
                    : (access_password_verify(dummy_hash, password) && false);
    if (ok && u.disabled)
        ok = false;

    struct store_session se;
    memset(&se, 0, sizeof se);
    char secret[64] = "";
    if (ok) {
        id_new(se.id);
        memcpy(se.user_id, u.id, sizeof se.user_id);
        access__secret_new("sess_", secret);
        access__secret_hash(secret, se.token_hash);
        se.created_ms = now;
        se.expires_ms = now + ctx->cfg->session_ttl * 1000;
    }
    struct login_tx a = {ctx, email, known ? &u : NULL, ok, secret, &se};
    st = store_tx_run(ctx->store, access__login_tx, &a);
    if (st)
        return st;
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "wrong email or password");
        return IPS_ERR_UNAUTHENTICATED;
    }
    memset(p, 0, sizeof *p);
    st = access__principal_fill(ctx->store, u.id, p);
    if (st)
        return st;
    p->via = VIA_SESSION;
    memcpy(p->session_id, se.id, sizeof p->session_id);
    access__csrf_derive(secret, p->csrf);
    memcpy(secret_out, secret, sizeof secret);
    sodium_memzero(secret, sizeof secret);
    return IPS_OK;
}

struct logout_tx {
    const struct access_principal *p;
};

static ips_status access__logout_tx(struct store *s, void *arg)
{
    struct logout_tx *a = arg;
    ips_status st = store_session_delete(s, a->p->session_id);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "session:%s", a->p->session_id);
    return audit_append(s, a->p->user_id, "auth.logout", object, AUDIT_OK, NULL);
}

ips_status access_logout(struct ips_ctx *ctx)
{
    ips_status st = access_authorize(ctx->actor, ACT_SESSION_END, NULL);
    if (st)
        return st;
    if (ctx->actor->via != VIA_SESSION) {
        snprintf(ctx->detail, sizeof ctx->detail, "logout ends cookie sessions only");
        return IPS_ERR_INVALID;
    }
    struct logout_tx a = {ctx->actor};
    return store_tx_run(ctx->store, access__logout_tx, &a);
}

ips_status access_session_resolve(struct store *s, const char *secret,
                                  struct access_principal *p)
{
    if (!secret || strlen(secret) >= 64 || strncmp(secret, "sess_", 5) != 0)
        return IPS_ERR_UNAUTHENTICATED;
    uint8_t h[STORE_HASH_LEN];
    struct store_session se;
    access__secret_hash(secret, h);
    ips_status st = store_session_get_by_hash(s, h, &se);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_ERR_UNAUTHENTICATED;
    if (st)
        return st;
    if (se.expires_ms <= time_now_ms())
        return IPS_ERR_UNAUTHENTICATED;
    memset(p, 0, sizeof *p);
    st = access__principal_fill(s, se.user_id, p);
    if (st)
        return st;
    p->via = VIA_SESSION;
    memcpy(p->session_id, se.id, sizeof p->session_id);
    access__csrf_derive(secret, p->csrf);
    return IPS_OK;
}

ips_status access_token_resolve(struct store *s, const char *secret, struct access_principal *p)
{
    if (!secret || strlen(secret) >= 64 || strncmp(secret, "iprs_", 5) != 0)
        return IPS_ERR_UNAUTHENTICATED;
    uint8_t h[STORE_HASH_LEN];
    struct store_token t;
    access__secret_hash(secret, h);
    ips_status st = store_token_get_by_hash(s, h, &t);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_ERR_UNAUTHENTICATED;
    if (st)
        return st;
    int64_t now = time_now_ms();
    if (t.revoked_ms || (t.expires_ms && t.expires_ms <= now))
        return IPS_ERR_UNAUTHENTICATED;
    memset(p, 0, sizeof *p);
    st = access__principal_fill(s, t.user_id, p);
    if (st)
        return st;
    p->via = VIA_TOKEN;
    memcpy(p->token_id, t.id, sizeof p->token_id);
    return IPS_OK;
}

/* ---- organisations --------------------------------------------------------------- */

struct org_tx {
    const struct access_principal *actor;
    const struct store_org *org;
};

static ips_status access__org_create_tx(struct store *s, void *arg)
{
    struct org_tx *a = arg;
    ips_status st = store_org_insert(s, a->org);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", a->org->id);
    return audit_append(s, access_principal_actor(a->actor), "org.create", object, AUDIT_OK,
                        a->org->kind);
}

ips_status access_org_create(struct ips_ctx *ctx, const char *name, const char *kind,
                             struct store_org *out)
{
    ips_status st = access__check(ctx, ACT_ORG_CREATE, NULL, "org:new");
    if (st)
        return st;
    size_t n = name ? strlen(name) : 0;
    bool bad = false;
    if (n == 0 || n > STORE_NAME_MAX) {
        json_error_add(ctx->errors, "name", "must be 1 to 200 bytes");
        bad = true;
    }
    if (!access_org_kind_valid(kind)) {
        json_error_add(ctx->errors, "kind", "must be platform, rightholder, seller or agency");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the organisation is not valid");
        return IPS_ERR_INVALID;
    }
    struct store_org o;
    memset(&o, 0, sizeof o);
    id_new(o.id);
    memcpy(o.name, name, n + 1);
    snprintf(o.kind, sizeof o.kind, "%s", kind);
    o.created_ms = time_now_ms();
    struct org_tx a = {ctx->actor, &o};
    st = store_tx_run(ctx->store, access__org_create_tx, &a);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "an organisation with this name exists");
    if (st == IPS_OK)
        *out = o;
    return st;
}

ips_status access_org_get(struct ips_ctx *ctx, const char *id, struct store_org *out)
{
    struct store_org o;
    ips_status st = store_org_get(ctx->store, id, &o);
    if (st)
        return st;
    struct access_object obj = {o.id, NULL, false};
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", o.id);
    st = access__check(ctx, ACT_ORG_READ, &obj, object);
    if (st)
        return st;
    *out = o;
    return IPS_OK;
}

ips_status access_org_list(struct ips_ctx *ctx, const char *after, int limit, store_org_cb cb,
                           void *arg)
{
    ips_status st = access_authorize(ctx->actor, ACT_ORG_LIST_ALL, NULL);
    if (st == IPS_OK)
        return store_org_list(ctx->store, NULL, after, limit, cb, arg);
    if (st != IPS_ERR_FORBIDDEN)
        return st;
    /* others see their own organisation only */
    return store_org_list(ctx->store, ctx->actor->org_id, after, limit, cb, arg);
}

/* ---- users ------------------------------------------------------------------------ */

struct user_tx {
    const struct access_principal *actor;
    const struct store_user *user;
    const char *action;
};

static ips_status access__user_write_tx(struct store *s, void *arg)
{
    struct user_tx *a = arg;
    ips_status st = strcmp(a->action, "user.create") == 0
                        ? store_user_insert(s, a->user)
                        : store_user_set_password(s, a->user->id, a->user->pw_hash);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "user:%s", a->user->id);
    return audit_append(s, access_principal_actor(a->actor), a->action, object, AUDIT_OK,
                        a->user->role);
}

static bool access__password_ok(struct ips_ctx *ctx, const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n < ACCESS_PASSWORD_MIN || n > ACCESS_PASSWORD_MAX) {
        json_error_add(ctx->errors, "password", "must be 12 to 256 bytes");
        return false;
    }
    return true;
}

ips_status access_user_create(struct ips_ctx *ctx, const char *email, const char *password,
                              const char *role, const char *org_id, struct store_user *out)
{
    ips_status st = access__check(ctx, ACT_USER_CREATE, NULL, "user:new");
    if (st)
        return st;
    struct store_user u;
    memset(&u, 0, sizeof u);
    bool bad = false;
    size_t n = email ? strlen(email) : 0;
    if (n == 0 || n > STORE_EMAIL_MAX) {
        json_error_add(ctx->errors, "email", "must be an email address of at most 254 bytes");
        bad = true;
    } else {
        memcpy(u.email, email, n + 1);
        if (!access_email_normalize(u.email)) {
            json_error_add(ctx->errors, "email", "is not an email address");
            bad = true;
        }
    }
    if (!access__password_ok(ctx, password))
        bad = true;
    enum access_role r = ROLE_ADMIN; /* set by access_role_parse when role_ok */
    bool role_ok = access_role_parse(role, &r);
    if (!role_ok) {
        json_error_add(ctx->errors, "role",
                       "must be admin, reviewer, rightholder, seller, officer or auditor");
        bad = true;
    }
    struct store_org o;
    if (!org_id || !id_is_valid(org_id)) {
        json_error_add(ctx->errors, "org_id", "is not an organisation id");
        bad = true;
    } else {
        st = store_org_get(ctx->store, org_id, &o);
        if (st == IPS_ERR_NOT_FOUND) {
            json_error_add(ctx->errors, "org_id", "no such organisation");
            bad = true;
        } else if (st) {
            return st;
        } else if (role_ok && strcmp(o.kind, access_role_org_kind(r)) != 0) {
            char msg[128];
            snprintf(msg, sizeof msg, "a %s must belong to a %s organisation, not a %s one",
                     access_role_name(r), access_role_org_kind(r), o.kind);
            json_error_add(ctx->errors, "role", msg);
            bad = true;
        }
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the user is not valid");
        return IPS_ERR_INVALID;
    }
    id_new(u.id);
    memcpy(u.org_id, o.id, sizeof u.org_id);
    snprintf(u.role, sizeof u.role, "%s", access_role_name(r));
    u.created_ms = time_now_ms();
    st = access_password_hash(password, u.pw_hash);
    if (st)
        return st;
    struct user_tx a = {ctx->actor, &u, "user.create"};
    st = store_tx_run(ctx->store, access__user_write_tx, &a);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "a user with this email exists");
    if (st == IPS_OK)
        *out = u;
    return st;
}

ips_status access_user_set_password(struct ips_ctx *ctx, const char *user_id,
                                    const char *password)
{
    ips_status st = access__check(ctx, ACT_USER_CREATE, NULL, "user:password");
    if (st)
        return st;
    if (!access__password_ok(ctx, password)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the password is not valid");
        return IPS_ERR_INVALID;
    }
    struct store_user u;
    st = store_user_get(ctx->store, user_id, &u);
    if (st)
        return st;
    st = access_password_hash(password, u.pw_hash);
    if (st)
        return st;
    struct user_tx a = {ctx->actor, &u, "user.set_password"};
    return store_tx_run(ctx->store, access__user_write_tx, &a);
}

struct unlock_tx {
    const struct access_principal *actor;
    const struct store_user *user;
    bool was_locked;
};

static ips_status access__unlock_tx(struct store *s, void *arg)
{
    struct unlock_tx *a = arg;
    int64_t now = time_now_ms(), until = 0;
    ips_status st;
    if ((st = store_login_lock_get(s, a->user->email, &until)) ||
        (st = store_login_lock_set(s, a->user->email, now, 0)) ||
        (st = store_login_failures_clear(s, a->user->email)))
        return st;
    a->was_locked = until > now;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "user:%s", a->user->id);
    return audit_append(s, access_principal_actor(a->actor), "user.unlock", object, AUDIT_OK,
                        a->was_locked ? "was locked" : "was not locked");
}

ips_status access_user_unlock(struct ips_ctx *ctx, const char *email_in, bool *was_locked)
{
    ips_status st = access__check(ctx, ACT_USER_UNLOCK, NULL, "user:unlock");
    if (st)
        return st;
    char email[STORE_EMAIL_MAX + 1];
    struct store_user u;
    if (strlen(email_in) > STORE_EMAIL_MAX)
        return IPS_ERR_NOT_FOUND;
    memcpy(email, email_in, strlen(email_in) + 1);
    if (!access_email_normalize(email))
        return IPS_ERR_NOT_FOUND;
    if ((st = store_user_get_by_email(ctx->store, email, &u)))
        return st;
    struct unlock_tx a = {ctx->actor, &u, false};
    if ((st = store_tx_run(ctx->store, access__unlock_tx, &a)))
        return st;
    if (was_locked)
        *was_locked = a.was_locked;
    return IPS_OK;
}

ips_status access_user_get(struct ips_ctx *ctx, const char *id, struct store_user *out)
{
    struct store_user u;
    ips_status st = store_user_get(ctx->store, id, &u);
    if (st)
        return st;
    struct access_object obj = {u.org_id, u.id, false};
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "user:%s", u.id);
    st = access__check(ctx, ACT_USER_READ, &obj, object);
    if (st)
        return st;
    *out = u;
    return IPS_OK;
}

ips_status access_user_list(struct ips_ctx *ctx, const char *after, int limit,
                            store_user_cb cb, void *arg)
{
    ips_status st = access__check(ctx, ACT_USER_LIST, NULL, "users");
    if (st)
        return st;
    return store_user_list(ctx->store, NULL, after, limit, cb, arg);
}

/* ---- API tokens ---------------------------------------------------------------------- */

struct token_tx {
    const struct access_principal *actor;
    const struct store_token *token;
    const char *action;
};

static ips_status access__token_tx(struct store *s, void *arg)
{
    struct token_tx *a = arg;
    ips_status st = strcmp(a->action, "token.create") == 0
                        ? store_token_insert(s, a->token)
                        : store_token_revoke(s, a->token->id, time_now_ms());
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "token:%s", a->token->id);
    return audit_append(s, access_principal_actor(a->actor), a->action, object, AUDIT_OK,
                        NULL);
}

ips_status access_token_create(struct ips_ctx *ctx, const char *for_user_id, const char *name,
                               int64_t expires_in_days, struct store_token *out,
                               char secret_out[64])
{
    ips_status st = access__check(ctx, ACT_TOKEN_CREATE, NULL, "token:new");
    if (st)
        return st;
    const char *user_id = ctx->actor->via == VIA_SYSTEM ? for_user_id : ctx->actor->user_id;
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > STORE_NAME_MAX) {
        json_error_add(ctx->errors, "name", "must be 1 to 200 bytes");
        snprintf(ctx->detail, sizeof ctx->detail, "the token is not valid");
        return IPS_ERR_INVALID;
    }
    if (expires_in_days < 0 || expires_in_days > 3650) {
        json_error_add(ctx->errors, "expires_in_days", "must be between 1 and 3650");
        snprintf(ctx->detail, sizeof ctx->detail, "the token is not valid");
        return IPS_ERR_INVALID;
    }
    if (!user_id || !*user_id)
        return IPS_ERR_INVALID;
    struct store_token t;
    memset(&t, 0, sizeof t);
    char secret[64];
    id_new(t.id);
    memcpy(t.user_id, user_id, sizeof t.user_id);
    memcpy(t.name, name, n + 1);
    t.created_ms = time_now_ms();
    t.expires_ms = expires_in_days ? t.created_ms + expires_in_days * 86400000LL : 0;
    access__secret_new("iprs_", secret);
    access__secret_hash(secret, t.token_hash);
    struct token_tx a = {ctx->actor, &t, "token.create"};
    st = store_tx_run(ctx->store, access__token_tx, &a);
    if (st == IPS_OK) {
        *out = t;
        memcpy(secret_out, secret, sizeof secret);
    }
    sodium_memzero(secret, sizeof secret);
    return st;
}

ips_status access_token_list(struct ips_ctx *ctx, const char *after, int limit,
                             store_token_cb cb, void *arg)
{
    ips_status st = access_authorize(ctx->actor, ACT_TOKEN_LIST, NULL);
    if (st)
        return st;
    const char *only = ctx->actor->via == VIA_SYSTEM ? NULL : ctx->actor->user_id;
    return store_token_list(ctx->store, only, after, limit, cb, arg);
}

ips_status access_token_revoke(struct ips_ctx *ctx, const char *id)
{
    struct store_token t;
    ips_status st = store_token_get(ctx->store, id, &t);
    if (st)
        return st;
    struct access_object obj = {NULL, t.user_id, false};
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "token:%s", t.id);
    st = access__check(ctx, ACT_TOKEN_REVOKE, &obj, object);
    if (st)
        return st;
    if (t.revoked_ms)
        return IPS_OK; /* revoking twice is not an error */
    struct token_tx a = {ctx->actor, &t, "token.revoke"};
    return store_tx_run(ctx->store, access__token_tx, &a);
}

/* ---- the audit log, as people read it ---------------------------------------------- */

ips_status access_audit_list(struct ips_ctx *ctx, int64_t before, int limit,
                             store_audit_cb cb, void *arg)
{
    ips_status st = access__check(ctx, ACT_AUDIT_READ, NULL, "audit");
    if (st)
        return st;
    return store_audit_list(ctx->store, true, before, limit, cb, arg);
}

ips_status access_audit_verify(struct ips_ctx *ctx, struct audit_verify_result *res)
{
    ips_status st = access__check(ctx, ACT_AUDIT_READ, NULL, "audit");
    if (st)
        return st;
    return audit_verify(ctx->store, res);
}

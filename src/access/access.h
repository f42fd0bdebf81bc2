/*
 * access.h — who may do what: organisations, users, passwords, login
 * sessions, API tokens, and THE authorisation function.
 *
 * Every read and write of every module is decided by access_authorize():
 * handlers and CLI commands never compare roles themselves. Its answer is
 * IPS_OK (allowed), IPS_ERR_UNAUTHENTICATED (nobody is acting),
 * IPS_ERR_FORBIDDEN (the role may never do this) or IPS_ERR_NOT_FOUND (the
 * object belongs to another organisation or user: callers answer exactly as
 * for a missing object, so its existence does not leak).
 *
 * Secrets: passwords are kept only as argon2id strings (libsodium
 * crypto_pwhash_str); session and API token secrets only as keyed BLAKE2b
 * hashes. A secret is returned to the caller once, at creation, and the
 * caller must not log it.
 *
 * Writes run in one store transaction together with their audit event;
 * refused attempts (denied, failed) are audited as well.
 */
#ifndef IPS_ACCESS_ACCESS_H
#define IPS_ACCESS_ACCESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

/* ---- roles and organisation kinds ------------------------------------------ */

/*        enum          name           org kind it belongs to */
#define ACCESS_ROLE_MAP(X)                          \
    X(ADMIN,       "admin",       "platform")       \
    X(REVIEWER,    "reviewer",    "platform")       \
    X(RIGHTHOLDER, "rightholder", "rightholder")    \
    X(SELLER,      "seller",      "seller")         \
    X(OFFICER,     "officer",     "agency")         \
    X(AUDITOR,     "auditor",     "platform")

enum access_role {
#define ACCESS__ROLE_ENUM(e, name, kind) ROLE_##e,
    ACCESS_ROLE_MAP(ACCESS__ROLE_ENUM)
#undef ACCESS__ROLE_ENUM
        ROLE__COUNT
};

/* Name <-> enum; parse returns false for unknown names. */
const char *access_role_name(enum access_role r);
bool access_role_parse(const char *name, enum access_role *out);
/* The org kind a role must belong to. */
const char *access_role_org_kind(enum access_role r);
bool access_org_kind_valid(const char *kind);

/* ---- principal: who is acting -------------------------------------------- */

enum access_via { VIA_NONE, VIA_SESSION, VIA_TOKEN, VIA_SYSTEM };

struct access_principal {
    enum access_via via;
    enum access_role role; /* meaningful unless via is VIA_NONE or VIA_SYSTEM */
    char user_id[ID_SIZE];
    char org_id[ID_SIZE];
    char email[STORE_EMAIL_MAX + 1];
    char session_id[ID_SIZE]; /* VIA_SESSION */
    char csrf[64];            /* VIA_SESSION: the expected CSRF token */
    char token_id[ID_SIZE];   /* VIA_TOKEN */
};

/* The operator at the command line: allowed everything, audited as "system". */
void access_principal_system(struct access_principal *p);
/* Audit actor text: user id, "system" or "anonymous". */
const char *access_principal_actor(const struct access_principal *p);

/* ---- the authorisation function ------------------------------------------- */

/* The policy, one row per action: which roles may always do it, and whom
 * else the object's scope lets in (SCOPE_NONE: nobody else, answer FORBIDDEN;
 * SCOPE_ORG: members of the object's org; SCOPE_USER: the object's owner;
 * others get NOT_FOUND). */
#define ACCESS_R(role) (1u << ROLE_##role)
#define ACCESS_R_ALL ((1u << ROLE__COUNT) - 1)
#define ACCESS_R_PLATFORM_READ (ACCESS_R(ADMIN) | ACCESS_R(REVIEWER) | ACCESS_R(AUDITOR))

/*      enum          name              roles always allowed      scope for others */
#define ACCESS_ACTION_MAP(X)                                                       \
    X(ME_READ,      "me.read",        ACCESS_R_ALL,                 SCOPE_NONE)     \
    X(SESSION_END,  "session.end",    ACCESS_R_ALL,                 SCOPE_NONE)     \
    X(ORG_CREATE,   "org.create",     ACCESS_R(ADMIN),              SCOPE_NONE)     \
    X(ORG_READ,     "org.read",       ACCESS_R_PLATFORM_READ,       SCOPE_ORG)      \
    X(ORG_LIST_ALL, "org.list_all",   ACCESS_R_PLATFORM_READ,       SCOPE_NONE)     \
    X(USER_CREATE,  "user.create",    ACCESS_R(ADMIN),              SCOPE_NONE)     \
    X(USER_LIST,    "user.list",      ACCESS_R(ADMIN),              SCOPE_NONE)     \
    X(USER_READ,    "user.read",      ACCESS_R(ADMIN),              SCOPE_USER)     \
    X(USER_UNLOCK,  "user.unlock",    ACCESS_R(ADMIN),              SCOPE_NONE)     \
    X(TOKEN_CREATE, "token.create",   ACCESS_R_ALL,                 SCOPE_NONE)     \
    X(TOKEN_LIST,   "token.list",     ACCESS_R_ALL,                 SCOPE_NONE)     \
    X(TOKEN_REVOKE, "token.revoke",   ACCESS_R(ADMIN),              SCOPE_USER)     \
    /* rights (src/rights): onboarding, agents, rights; *_MANAGE / *_READ are the */ \
    /* org checks (members and authorised agents), *_ALL say "every org's"          */ \
    X(RH_DECIDE,      "rightholder.decide",   ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(RH_READ,        "rightholder.read",     ACCESS_R_PLATFORM_READ, SCOPE_ORG)    \
    X(RH_LIST,        "rightholder.list",     ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(RH_LIST_ALL,    "rightholder.list_all", ACCESS_R_PLATFORM_READ, SCOPE_NONE)   \
    X(AGENT_AUTH_FILE,   "agent_auth.file",   ACCESS_R(RIGHTHOLDER),  SCOPE_NONE)   \
    X(AGENT_AUTH_DECIDE, "agent_auth.decide", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(AGENT_AUTH_REVOKE, "agent_auth.revoke", ACCESS_R(ADMIN),        SCOPE_ORG)    \
    X(AGENT_AUTH_READ,   "agent_auth.read",   ACCESS_R_PLATFORM_READ, SCOPE_ORG)    \
    X(AGENT_AUTH_LIST,   "agent_auth.list",   ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(AGENT_AUTH_LIST_ALL, "agent_auth.list_all", ACCESS_R_PLATFORM_READ, SCOPE_NONE) \
    X(RIGHT_REGISTER, "right.register",       ACCESS_R(RIGHTHOLDER),  SCOPE_NONE)   \
    X(RIGHT_MANAGE,   "right.manage",         0,                      SCOPE_ORG)    \
    X(RIGHT_DECIDE,   "right.decide",         ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(RIGHT_READ,     "right.read",           ACCESS_R_PLATFORM_READ, SCOPE_ORG)    \
    X(RIGHT_LIST,     "right.list",           ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(RIGHT_LIST_ALL, "right.list_all",       ACCESS_R_PLATFORM_READ, SCOPE_NONE)   \
    X(RIGHT_CITE,     "right.cite",           ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_ORG) \
    /* protection profiles (src/profile): the holder's members, its agents, admins write */ \
    X(PROFILE_READ,  "profile.read",  ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_ORG) \
    X(PROFILE_WRITE, "profile.write", ACCESS_R(ADMIN),              SCOPE_ORG)      \
    /* the alliance (src/alliance): READ and SHARE also need an active membership */ \
    X(ALLIANCE_JOIN,   "alliance.join",   ACCESS_R(ADMIN),          SCOPE_ORG)      \
    X(ALLIANCE_LEAVE,  "alliance.leave",  ACCESS_R(ADMIN),          SCOPE_ORG)      \
    X(ALLIANCE_MODERATE, "alliance.moderate", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(ALLIANCE_MEMBER_READ, "alliance.member_read", ACCESS_R_PLATFORM_READ, SCOPE_ORG) \
    X(ALLIANCE_READ,  "alliance.read",  ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(ALLIANCE_SHARE, "alliance.share", ACCESS_R(RIGHTHOLDER),      SCOPE_NONE)     \
    /* the catalog (src/catalog): sellers write their own listings; the platform */ \
    /* and right holders read all; LISTING_OWN is the org check for sellers */      \
    X(LISTING_READ_ALL, "listing.read_all", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER) | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    /* listings of a suspended or terminated seller (hidden from the rest) */       \
    X(LISTING_READ_HIDDEN, "listing.read_hidden", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(LISTING_WRITE,  "listing.write",  ACCESS_R(SELLER),           SCOPE_NONE)     \
    X(LISTING_OWN,    "listing.own",    0,                          SCOPE_ORG)      \
    X(LISTING_STATE,  "listing.state",  ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(CATALOG_IMPORT, "catalog.import", ACCESS_R(ADMIN),            SCOPE_NONE)     \
    /* the original-work ledger (src/ledger): a holder registers for its own org; */ \
    /* receipts are read by the owner and the platform (key, checkpoint, */            \
    /* consistency proofs are public and need no action) */                            \
    X(LEDGER_REGISTER, "ledger.register", 0,                        SCOPE_ORG)      \
    X(LEDGER_READ,  "ledger.read",    ACCESS_R_PLATFORM_READ,       SCOPE_ORG)      \
    X(LEDGER_PRIOR_ART, "ledger.prior_art", ACCESS_R_ALL,           SCOPE_NONE)     \
    /* notice and action (src/notices): NOTICE_READ/ACCURACY are the notifier's */     \
    /* org checks, NOTICE_SELLER the seller's, NOTICE_APPEAL either party's */          \
    X(NOTICE_SUBMIT,   "notice.submit",   ACCESS_R(RIGHTHOLDER),      SCOPE_NONE)     \
    X(NOTICE_LIST,     "notice.list",     ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER) | ACCESS_R(SELLER), SCOPE_NONE) \
    X(NOTICE_READ,     "notice.read",     ACCESS_R_PLATFORM_READ,     SCOPE_ORG)      \
    X(NOTICE_SELLER,   "notice.seller",   0,                          SCOPE_ORG)      \
    X(NOTICE_DECIDE,   "notice.decide",   ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(NOTICE_APPEAL,   "notice.appeal",   0,                          SCOPE_ORG)      \
    X(NOTICE_ACCURACY, "notice.accuracy", ACCESS_R_PLATFORM_READ,     SCOPE_ORG)      \
    X(INBOX_READ,      "inbox.read",      ACCESS_R_ALL,               SCOPE_NONE)     \
    X(WEBHOOK_SET,     "webhook.set",     ACCESS_R(ADMIN),            SCOPE_NONE)     \
    X(WEBHOOK_READ,    "webhook.read",    ACCESS_R(ADMIN) | ACCESS_R(AUDITOR), SCOPE_ORG) \
    /* enforcement (src/enforce): ENFORCE_READ is also the seller's own org check */   \
    X(ENFORCE_READ,       "enforce.read",       ACCESS_R_PLATFORM_READ, SCOPE_ORG)   \
    X(ENFORCE_STRIKE_ADD, "enforce.strike_add", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(ENFORCE_LIFT,       "enforce.lift",       ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(NETWORK_READ,       "network.read",       ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(NETWORK_BAN,        "network.ban",        ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(NETWORK_REBUILD,    "network.rebuild",    ACCESS_R(ADMIN),            SCOPE_NONE)     \
    /* server-side detection (src/detections): the platform reads every verdict; a */ \
    /* right holder reads and decides those of its own brands (DETECTION_READ and  */ \
    /* DETECTION_DECIDE are its org checks, agents included) */                      \
    X(DETECTION_LIST,   "detection.list",   ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(DETECTION_READ,   "detection.read",   ACCESS_R_PLATFORM_READ,   SCOPE_ORG)      \
    X(DETECTION_DECIDE, "detection.decide", 0,                        SCOPE_ORG)      \
    X(DETECTION_RESCAN, "detection.rescan", ACCESS_R(ADMIN),          SCOPE_NONE)     \
    /* referrals (src/referrals): agencies are managed by admins and read by the  */ \
    /* platform and officers; referrals are read through their TLP label (SCOPE_TLP); */ \
    /* REFERRAL_WORK is the routed agency's org check; REFERRAL_SHARE approves sharing */ \
    /* across borders and changes labels */                                             \
    X(AGENCY_MANAGE,   "agency.manage",   ACCESS_R(ADMIN),            SCOPE_NONE)     \
    X(AGENCY_READ,     "agency.read",     ACCESS_R_PLATFORM_READ | ACCESS_R(OFFICER), SCOPE_NONE) \
    X(REFERRAL_CREATE, "referral.create", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(REFERRAL_SHARE,  "referral.share",  ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_NONE) \
    X(REFERRAL_LIST,   "referral.list",   ACCESS_R_ALL & ~ACCESS_R(SELLER), SCOPE_NONE)  \
    X(REFERRAL_READ,   "referral.read",   ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_TLP) \
    X(EVIDENCE_READ,   "evidence.read",   ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_TLP) \
    X(REFERRAL_WORK,   "referral.work",   0,                          SCOPE_ORG)      \
    /* litigation files (src/litigation): right holders open them (LITIGATION_OPEN, */ \
    /* then LITIGATION_OWN, the org check of the holder named, agents included); */     \
    /* the holder and its agents read its own, the platform's reviewers and admins all */ \
    X(LITIGATION_OPEN, "litigation.open", ACCESS_R(RIGHTHOLDER),      SCOPE_NONE)     \
    X(LITIGATION_OWN,  "litigation.own",  0,                          SCOPE_ORG)      \
    X(LITIGATION_LIST, "litigation.list", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER) | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(LITIGATION_READ, "litigation.read", ACCESS_R(ADMIN) | ACCESS_R(REVIEWER), SCOPE_ORG) \
    /* the holder (and its agents) records a file's status and outcome */            \
    X(LITIGATION_UPDATE, "litigation.update", 0,                      SCOPE_ORG)      \
    /* reports (src/reports): METRICS lets a role ask at all; ALL reads every org's */ \
    /* numbers (and the DSA export); a reader without ALL gets its own org's numbers */ \
    /* in the sections its REPORT_<section> row allows */                              \
    X(REPORT_METRICS,     "report.metrics",     ACCESS_R_ALL,           SCOPE_NONE)  \
    X(REPORT_ALL,         "report.all",         ACCESS_R_PLATFORM_READ, SCOPE_NONE)  \
    X(REPORT_NOTICES,     "report.notices",     ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER) | ACCESS_R(SELLER), SCOPE_NONE) \
    X(REPORT_DETECTIONS,  "report.detections",  ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(REPORT_ENFORCEMENT, "report.enforcement", ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER) | ACCESS_R(SELLER), SCOPE_NONE) \
    X(REPORT_REFERRALS,   "report.referrals",   ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER) | ACCESS_R(OFFICER), SCOPE_NONE) \
    X(REPORT_ALLIANCE,    "report.alliance",    ACCESS_R_PLATFORM_READ | ACCESS_R(RIGHTHOLDER), SCOPE_NONE) \
    X(AUDIT_READ,   "audit.read",     ACCESS_R(ADMIN) | ACCESS_R(AUDITOR), SCOPE_NONE)

enum access_scope { SCOPE_NONE, SCOPE_ORG, SCOPE_USER, SCOPE_TLP };

enum access_action {
#define ACCESS__ACT_ENUM(e, name, roles, scope) ACT_##e,
    ACCESS_ACTION_MAP(ACCESS__ACT_ENUM)
#undef ACCESS__ACT_ENUM
        ACT__COUNT
};

const char *access_action_name(enum access_action a);

/* TLP 2.0 labels (FIRST), most open first; TLP_NONE (0) = unlabelled, which
 * SCOPE_TLP never lets anyone through. */
enum access_tlp { TLP_NONE, TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED };

/* How close an actor's organisation stands to a labelled object, farthest
 * first. A label needs at least: CLEAR -> SHARE_PUBLIC, GREEN ->
 * SHARE_COMMUNITY, AMBER -> SHARE_CLIENT, AMBER+STRICT -> SHARE_ORG, RED ->
 * SHARE_RECIPIENT. SHARE_NONE (the object's subject, e.g. the seller a
 * referral is about) never reaches any label. */
enum access_share {
    SHARE_NONE,
    SHARE_PUBLIC,    /* anyone signed in who is not the subject */
    SHARE_COMMUNITY, /* the community the object belongs to (alliance members) */
    SHARE_CLIENT,    /* the clients concerned (right holders whose rights are at stake) */
    SHARE_ORG,       /* a recipient organisation (an agency the case was shared with) */
    SHARE_RECIPIENT, /* the named recipient (the routed agency) */
};

/* The object an action is about; NULL (or zeroed fields) when the action is
 * not about one object (create, list). */
struct access_object {
    const char *org_id;        /* owning organisation, if any */
    const char *owner_user_id; /* owning user, if any */
    /* Set by the caller when the actor's organisation holds a verified, valid
     * authorisation to act for org_id (an agent such as a law firm acting for
     * a right holder): SCOPE_ORG then lets the actor in as if a member. */
    bool agent_authorised;
};

/* Decide. See the file comment for the answers. Pure: no I/O. */
ips_status access_authorize(const struct access_principal *p, enum access_action act,
                            const struct access_object *obj);
/* Decide an action on an object carrying a TLP 2.0 label (referrals): the
 * same table and answers as access_authorize; for SCOPE_TLP the actor is let
 * in when share — how close its organisation stands to the object, as the
 * caller found it — reaches what label requires (enum access_share).
 * access_authorize itself answers IPS_ERR_NOT_FOUND for SCOPE_TLP to anyone
 * outside the action's roles: it knows no label. Pure: no I/O. */
ips_status access_authorize_tlp(const struct access_principal *p, enum access_action act,
                                enum access_tlp label, enum access_share share);

/* ---- the domain context every domain call takes ----------------------------- */

struct config;

struct ips_ctx {
    struct store *store;
    const struct access_principal *actor;
    const struct config *cfg;
    const char *addr; /* client address for throttling, or "cli" */
    json_t *errors;   /* optional: validation errors are appended here */
    char detail[256]; /* OUT: a sentence explaining a refusal */
};

/* Refuse, before any input is read, an actor whose role may never do act,
 * whatever the object: IPS_ERR_UNAUTHENTICATED, or IPS_ERR_FORBIDDEN
 * (audited as denied on `object`, with ctx->detail set). IPS_OK otherwise —
 * also when only the action's scope could let the actor in: the domain
 * function then decides with the object. Handlers call it first, so that a
 * refused caller never learns anything from the validation of its input. */
ips_status access_precheck(struct ips_ctx *ctx, enum access_action act, const char *object);

/* access_authorize / access_authorize_tlp for ctx->actor, auditing a refusal
 * (FORBIDDEN, NOT_FOUND) as outcome "denied" on object (may be NULL) in a
 * transaction of its own. Returns the decision. */
ips_status access_check(struct ips_ctx *ctx, enum access_action act,
                        const struct access_object *obj, const char *object);
ips_status access_check_tlp(struct ips_ctx *ctx, enum access_action act, enum access_tlp label,
                            enum access_share share, const char *object);

/* ---- passwords ----------------------------------------------------------------- */

#define ACCESS_PASSWORD_MIN 12
#define ACCESS_PASSWORD_MAX 256

/* argon2id (interactive limits) into out[STORE_PWHASH_MAX + 1]. */
ips_status access_password_hash(const char *password, char *out);
bool access_password_verify(const char *hash, const char *password);

/* ---- login sessions ---------------------------------------------------------- */

#define ACCESS_SECRET_LEN 48 /* text length of a session or token secret, incl. prefix */

/* Check throttling, verify the password, open a session. On success writes
 * the cookie secret (NUL-terminated, < 64 bytes) into secret_out and fills p.
 * IPS_ERR_UNAUTHENTICATED for a wrong email or password (same answer for
 * both), IPS_ERR_RATE_LIMITED when throttled (*retry_after_s set). */
ips_status access_login(struct ips_ctx *ctx, const char *email, const char *password,
                        char secret_out[64], struct access_principal *p, int *retry_after_s);
/* End the session the principal came with. */
ips_status access_logout(struct ips_ctx *ctx);
/* Resolve a cookie secret into a principal; IPS_ERR_UNAUTHENTICATED if it
 * is unknown or expired. */
ips_status access_session_resolve(struct store *s, const char *secret,
                                  struct access_principal *p);
/* Resolve a bearer token; IPS_ERR_UNAUTHENTICATED if unknown, revoked or
 * expired, or its user is disabled. */
ips_status access_token_resolve(struct store *s, const char *secret,
                                struct access_principal *p);
/* Constant-time check of a CSRF token against the principal's session. */
bool access_csrf_valid(const struct access_principal *p, const char *token);

/* ---- organisations and users --------------------------------------------------- */

ips_status access_org_create(struct ips_ctx *ctx, const char *name, const char *kind,
                             struct store_org *out);
ips_status access_org_get(struct ips_ctx *ctx, const char *id, struct store_org *out);
/* Orgs the actor may see, after cursor `after`, at most limit. */
ips_status access_org_list(struct ips_ctx *ctx, const char *after, int limit, store_org_cb cb,
                           void *arg);

/* Validate and create a user; email is lower-cased. IPS_ERR_INVALID (with
 * ctx->errors) for a bad email, short password or a role that does not fit
 * the org kind; IPS_ERR_NOT_FOUND for an unknown org; IPS_ERR_CONFLICT when
 * the email exists. */
ips_status access_user_create(struct ips_ctx *ctx, const char *email, const char *password,
                              const char *role, const char *org_id, struct store_user *out);
ips_status access_user_get(struct ips_ctx *ctx, const char *id, struct store_user *out);
ips_status access_user_list(struct ips_ctx *ctx, const char *after, int limit,
                            store_user_cb cb, void *arg);
/* Set a user's password (actor must be allowed USER_CREATE, i.e. admin or
 * system). Ends nothing else. */
ips_status access_user_set_password(struct ips_ctx *ctx, const char *user_id,
                                    const char *password);
/* Lift the login lockout of the account with this email (admin or system:
 * USER_UNLOCK) and forget its failed attempts; audited as user.unlock.
 * OUT *was_locked (may be NULL): whether a lock was in force.
 * Failure: IPS_ERR_FORBIDDEN; IPS_ERR_NOT_FOUND when no account has the
 * email; store errors. Nothing changes on failure. */
ips_status access_user_unlock(struct ips_ctx *ctx, const char *email, bool *was_locked);

/* ---- API tokens ---------------------------------------------------------------- */

/* Create a token for the acting user (or for `for_user_id` when the actor is
 * the system). expires_in_days 0 = never. secret_out receives the token once. */
ips_status access_token_create(struct ips_ctx *ctx, const char *for_user_id, const char *name,
                               int64_t expires_in_days, struct store_token *out,
                               char secret_out[64]);
ips_status access_token_list(struct ips_ctx *ctx, const char *after, int limit,
                             store_token_cb cb, void *arg);
ips_status access_token_revoke(struct ips_ctx *ctx, const char *id);

/* ---- the audit log, as people read it ---------------------------------------------- */

struct audit_verify_result;
/* Audit events (AUDIT_READ), newest first, with seq < before (0 = newest). */
ips_status access_audit_list(struct ips_ctx *ctx, int64_t before, int limit,
                             store_audit_cb cb, void *arg);
/* Recompute the chain (AUDIT_READ). IPS_OK intact, IPS_ERR_INTEGRITY broken
 * (res says where), other statuses for storage failures. */
ips_status access_audit_verify(struct ips_ctx *ctx, struct audit_verify_result *res);

/* Lower-case an email in place and check its shape: one '@', a non-empty
 * local part and a domain with a dot, no spaces or control characters. */
bool access_email_normalize(char *email);

#endif

/*
 * rights.h — the rights registry: right-holder onboarding, agents acting for
 * right holders, and the rights (trademarks, copyrights, design patents)
 * that right holders prove and reviewers verify.
 *
 * States.
 *   application (a right-holder org that applied through the public route):
 *       pending -> approved | rejected. An org with no application (made by
 *       an administrator or `iprshield user add`) counts as approved. Only an
 *       approved org may register rights or authorise agents.
 *   agent authorisation: pending -> verified | rejected (reviewer);
 *       pending | verified -> revoked (the principal). It is *active* when
 *       verified and today lies within [valid_from, valid_to].
 *   right: pending -> verified | rejected (reviewer, with a reason). Expiry
 *       is not a state: a right whose valid_to lies before today reads as
 *       status_effective "expired" and cannot be cited, with no job needed.
 *
 * Access. Every function takes a struct ips_ctx, calls access_authorize and
 * audits refusals. An agent org with an active authorisation from a right
 * holder passes SCOPE_ORG checks for that right holder's rights
 * (access_object.agent_authorised). Another org's object answers
 * IPS_ERR_NOT_FOUND, as for a missing one.
 *
 * Validation errors are appended to ctx->errors (field, message) with a
 * sentence in ctx->detail and answer IPS_ERR_INVALID; bad input changes
 * nothing. Every change runs in one store transaction with its audit event.
 *
 * Ownership: records are plain structs owned by the caller; json_t
 * arguments are borrowed; bytes from rights_file_read are malloc'ed and
 * freed by the caller.
 */
#ifndef IPS_RIGHTS_RIGHTS_H
#define IPS_RIGHTS_RIGHTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "access/access.h"
#include "blob/blob.h"
#include "store/store_rights.h"

#define RIGHTS_LOGOS_MAX 4
#define RIGHTS_IMAGES_MAX 8
#define RIGHTS_FILES_MAX (1 + RIGHTS_LOGOS_MAX + RIGHTS_IMAGES_MAX)

/* ---- onboarding ------------------------------------------------------------------ */

struct rights_apply_req {
    const char *org_name;
    const char *email;
    const char *password;
    const char *website; /* optional: NULL */
    const char *country; /* ISO 3166-1 alpha-2, upper case */
};

/* A right holder applies (public: any actor, including anonymous). Creates a
 * rightholder org, its first user (role rightholder) and a pending
 * application, in one transaction. OUT *org, *user, *app (each may be NULL).
 * IPS_ERR_INVALID with field errors; IPS_ERR_CONFLICT when the org name or
 * the email is taken. */
ips_status rights_holder_apply(struct ips_ctx *ctx, const struct rights_apply_req *req,
                               struct store_org *org, struct store_user *user,
                               struct store_rh_application *app);

/* Approve (approve true) or reject a pending application (reviewer/admin).
 * reason required (1..500 bytes). IPS_ERR_NOT_FOUND for an org without an
 * application; IPS_ERR_CONFLICT when it was decided already. OUT *out. */
ips_status rights_holder_decide(struct ips_ctx *ctx, const char *org_id, bool approve,
                                const char *reason, struct store_rh_application *out);

/* One application: reviewers/admins any, a right holder its own. */
ips_status rights_holder_get(struct ips_ctx *ctx, const char *org_id,
                             struct store_rh_application *out);

/* Applications: reviewers/admins/auditors all (only_status may filter), a
 * right holder its own; others IPS_ERR_FORBIDDEN. */
ips_status rights_holder_list(struct ips_ctx *ctx, const char *only_status, const char *after,
                              int limit, store_rh_application_cb cb, void *arg);

/* OUT *out: whether org_id may register rights (no application, or an
 * approved one). */
ips_status rights_holder_approved(struct ips_ctx *ctx, const char *org_id, bool *out);

/* ---- agents ------------------------------------------------------------------------ */

/* The principal's right-holder user authorises agent_org_id (a rightholder
 * org) for [valid_from, valid_to] with a signed document (PDF or image,
 * typed by content). meta: {agent_org_id, valid_from, valid_to} (borrowed).
 * IPS_ERR_INVALID (field errors), IPS_ERR_MEDIA_TYPE, IPS_ERR_TOO_LARGE,
 * IPS_ERR_FORBIDDEN (not a right holder, or the org is not approved). */
ips_status rights_auth_file(struct ips_ctx *ctx, json_t *meta, const void *doc, size_t doc_len,
                            struct store_agent_auth *out);
/* Reviewer verifies (verify true) or rejects a pending authorisation. */
ips_status rights_auth_decide(struct ips_ctx *ctx, const char *id, bool verify,
                              const char *reason, struct store_agent_auth *out);
/* The principal (or an admin) revokes a pending or verified authorisation. */
ips_status rights_auth_revoke(struct ips_ctx *ctx, const char *id, const char *reason,
                              struct store_agent_auth *out);
/* One authorisation: platform readers, the principal and the agent. */
ips_status rights_auth_get(struct ips_ctx *ctx, const char *id, struct store_agent_auth *out);
/* The signed document of an authorisation (access as rights_auth_get).
 * OUT *data (malloc'ed, caller frees), *len, *info. */
ips_status rights_auth_document_read(struct ips_ctx *ctx, const char *id, void **data,
                                     size_t *len, struct blob_info *info);
/* Platform readers: all; a right holder: those it is principal or agent of. */
ips_status rights_auth_list(struct ips_ctx *ctx, const char *only_status, const char *after,
                            int limit, store_agent_auth_cb cb, void *arg);

/* OUT *out: true when the acting user's org holds a verified authorisation
 * from principal_org_id that is valid today. False for the system actor,
 * anonymous actors and for the principal itself (members need no
 * authorisation). Fails only on storage errors. */
ips_status rights_agent_authorised(struct ips_ctx *ctx, const char *principal_org_id, bool *out);

/* ---- rights ---------------------------------------------------------------------- */

struct rights_file {
    struct blob_info blob;
    char role[STORE_KIND_MAX + 1]; /* certificate | logo | image */
    int position;
};

struct rights_right {
    struct store_right rec;           /* as stored */
    char status_effective[STORE_KIND_MAX + 1]; /* rec.status, or "expired" */
    struct rights_file files[RIGHTS_FILES_MAX];
    int n_files;
};

/* An uploaded file of a registration: role "certificate", "logo" or "image". */
struct rights_upload {
    const char *role;
    const void *data;
    size_t len;
};

/* Register a right. meta (borrowed): the JSON metadata, validated here —
 * unknown members, wrong types and bad values are listed in ctx->errors.
 * {kind, for_org_id?} plus, per kind:
 *   trademark     {mark_text, registration_number, office, nice_classes, valid_from, valid_to}
 *   copyright     {title, work_kind, registration_number | evidence_description, created_on}
 *   design_patent {patent_number, office, title, valid_from, valid_to}
 * files: certificate (PDF or image; required for trademark and
 * design_patent), logo (trademark, images, 0..4), image (design_patent,
 * images, 1..8). The owner is for_org_id (the actor must be its member or
 * its authorised agent) or the actor's org. Answers: IPS_ERR_FORBIDDEN (not
 * a right holder, or the owner's application is not approved: detail says
 * so), IPS_ERR_NOT_FOUND (for_org_id not visible), IPS_ERR_INVALID,
 * IPS_ERR_MEDIA_TYPE (a file of the wrong type: detail names the type),
 * IPS_ERR_TOO_LARGE. OUT *out (status pending). */
ips_status rights_right_register(struct ips_ctx *ctx, json_t *meta,
                                 const struct rights_upload *files, int n_files,
                                 struct rights_right *out);

/* Verify (verify true) or reject a pending right (reviewer/admin/system),
 * reason required. IPS_ERR_CONFLICT when already decided. OUT *out. */
ips_status rights_right_decide(struct ips_ctx *ctx, const char *id, bool verify,
                               const char *reason, struct rights_right *out);

/* One right with its files (platform readers; the owner org; its agents). */
ips_status rights_right_get(struct ips_ctx *ctx, const char *id, struct rights_right *out);

typedef ips_status (*rights_right_cb)(const struct rights_right *r, void *arg);
/* Rights the actor may see: platform readers all (f->org_id etc. filter), a
 * right holder its own and its principals'; others IPS_ERR_FORBIDDEN. The
 * records given to cb carry status_effective but no files (n_files 0).
 * f->status filters by EFFECTIVE status: "expired" lists rights past their
 * valid_to (unless rejected), and "verified"/"pending" then leave those out.
 * f->visible_to_org and f->today are set here (the caller's are ignored).
 * IPS_ERR_INVALID for an unknown status or kind, or a malformed org_id. */
ips_status rights_right_list(struct ips_ctx *ctx, const struct store_right_filter *f,
                             const char *after, int limit, rights_right_cb cb, void *arg);

/* The bytes of one file of a right (access as for rights_right_get;
 * NOT_FOUND when the blob is not linked to that right). OUT *data
 * (malloc'ed), *len, *info. */
ips_status rights_file_read(struct ips_ctx *ctx, const char *right_id, const char *sha256,
                            void **data, size_t *len, struct blob_info *info);

/* For the notice flow: IPS_OK when the actor may cite the right (its org
 * owns it or is its authorised agent; platform users and system may cite
 * any) and it is verified and valid today; IPS_ERR_INVALID with ctx->detail
 * saying "expired", "not verified" (pending) or "rejected" otherwise;
 * IPS_ERR_NOT_FOUND for a missing right or one the actor may not cite.
 * OUT *out (may be NULL). */
ips_status rights_citable(struct ips_ctx *ctx, const char *right_id, struct rights_right *out);
/* rights_citable's checks of the right's status and dates, on a record the
 * caller has read and whose citing it has authorised itself (the notice
 * submission, src/notices/submit.c, which reads the right once in its
 * transaction): IPS_ERR_INVALID as rights_citable answers it, else IPS_OK.
 * Reads nothing. */
ips_status rights_citable_record(struct ips_ctx *ctx, const struct store_right *rec);

/* Today's date in UTC as "YYYY-MM-DD" into out[11]. */
void rights_today(char out[STORE_DATE_MAX + 1]);

#endif

/*
 * store_rights.h — persistence of the rights domain: right-holder
 * applications (onboarding), agent authorisations, rights and the files
 * linked to them. The blobs themselves are store_blob.h.
 *
 * Rules as in store.h: records are plain structs with fixed-size text
 * fields owned by the caller; text longer than its field is
 * IPS_ERR_TOO_LARGE; OUT parameters are written only on IPS_OK; listings
 * are id-cursor pages (limit <= 0: STORE_LIST_DEFAULT_LIMIT) with a
 * callback that may re-enter the store. Dates are "YYYY-MM-DD" text (they
 * compare as strings); "" means "not given".
 */
#ifndef IPS_STORE_STORE_RIGHTS_H
#define IPS_STORE_STORE_RIGHTS_H

#include "store/store.h"

#define STORE_DATE_MAX 10      /* YYYY-MM-DD */
#define STORE_RH_TEXT_MAX 200  /* titles, mark texts, numbers, websites */
#define STORE_RH_LONG_MAX 2000 /* evidence descriptions */
#define STORE_RH_REASON_MAX 500
#define STORE_RH_OFFICE_MAX 8  /* "CN", "EUIPO" */
#define STORE_RH_CLASSES_MAX 160 /* "1,2,3,...": 45 classes need at most 125 bytes */
#define STORE_SHA_HEX_MAX 64

/* ---- right-holder applications ------------------------------------------------ */

/* One per organisation that applied through the public route. An
 * organisation with no row was made by an administrator and counts as
 * approved. */
struct store_rh_application {
    char org_id[ID_SIZE];
    char org_name[STORE_NAME_MAX + 1]; /* read only: the org's name (not written) */
    char status[STORE_KIND_MAX + 1]; /* pending | approved | rejected */
    char email[STORE_EMAIL_MAX + 1]; /* the contact that applied */
    char website[STORE_RH_TEXT_MAX + 1];
    char country[3];                 /* ISO 3166-1 alpha-2 */
    char reason[STORE_RH_REASON_MAX + 1];
    char decided_by[STORE_OBJECT_MAX + 1];
    int64_t decided_ms;
    int64_t created_ms;
};

/* CONFLICT when the org already has one; NOT_FOUND when the org is missing. */
ips_status store_rights_application_insert(struct store *s, const struct store_rh_application *a);
/* OUT *out; NOT_FOUND when the org has no application. */
ips_status store_rights_application_get(struct store *s, const char *org_id,
                                        struct store_rh_application *out);
/* Set status, reason, decided_by, decided_ms of the row of a->org_id.
 * NOT_FOUND when it has none. */
ips_status store_rights_application_update(struct store *s, const struct store_rh_application *a);
typedef ips_status (*store_rh_application_cb)(const struct store_rh_application *a, void *arg);
/* By org id after `after`; only_status / only_org restrict when non-NULL. */
ips_status store_rights_application_list(struct store *s, const char *only_status,
                                         const char *only_org, const char *after, int limit,
                                         store_rh_application_cb cb, void *arg);

/* ---- agent authorisations -------------------------------------------------------- */

struct store_agent_auth {
    char id[ID_SIZE];
    char principal_org_id[ID_SIZE]; /* the right holder */
    char agent_org_id[ID_SIZE];     /* who may act for it */
    char principal_name[STORE_NAME_MAX + 1]; /* read only: the orgs' names (not written) */
    char agent_name[STORE_NAME_MAX + 1];
    char valid_from[STORE_DATE_MAX + 1];
    char valid_to[STORE_DATE_MAX + 1];
    char document_sha256[STORE_SHA_HEX_MAX + 1]; /* the signed authorisation (a blob) */
    char status[STORE_KIND_MAX + 1]; /* pending | verified | rejected | revoked */
    char reason[STORE_RH_REASON_MAX + 1];
    char filed_by[ID_SIZE];          /* user id */
    char decided_by[STORE_OBJECT_MAX + 1];
    int64_t decided_ms;
    int64_t created_ms;
};

/* NOT_FOUND when an org or the blob is missing. */
ips_status store_rights_auth_insert(struct store *s, const struct store_agent_auth *a);
ips_status store_rights_auth_get(struct store *s, const char *id, struct store_agent_auth *out);
/* Set status, reason, decided_by, decided_ms of a->id. NOT_FOUND if absent. */
ips_status store_rights_auth_update(struct store *s, const struct store_agent_auth *a);
/* OUT *found: whether a verified authorisation of agent_org by principal_org
 * covers the day `today` (valid_from <= today <= valid_to). */
ips_status store_rights_auth_active(struct store *s, const char *principal_org,
                                    const char *agent_org, const char *today, bool *found);
typedef ips_status (*store_agent_auth_cb)(const struct store_agent_auth *a, void *arg);
/* By id after `after`. involving_org non-NULL: only those where that org is
 * the principal or the agent; only_status non-NULL: that status only. */
ips_status store_rights_auth_list(struct store *s, const char *involving_org,
                                  const char *only_status, const char *after, int limit,
                                  store_agent_auth_cb cb, void *arg);

/* ---- rights ------------------------------------------------------------------------ */

struct store_right {
    char id[ID_SIZE];
    char org_id[ID_SIZE];             /* the owner: always the principal right holder */
    char filed_by[ID_SIZE];           /* user who filed it (may be an agent's user) */
    char filed_by_org[ID_SIZE];       /* that user's org */
    char kind[STORE_KIND_MAX + 1];    /* trademark | copyright | design_patent */
    char status[STORE_KIND_MAX + 1];  /* pending | verified | rejected */
    char mark_text[STORE_RH_TEXT_MAX + 1];           /* trademark */
    char title[STORE_RH_TEXT_MAX + 1];               /* copyright, design_patent */
    char registration_number[STORE_RH_TEXT_MAX + 1]; /* trademark, copyright */
    char patent_number[STORE_RH_TEXT_MAX + 1];       /* design_patent */
    char office[STORE_RH_OFFICE_MAX + 1];            /* trademark, design_patent */
    char nice_classes[STORE_RH_CLASSES_MAX + 1];     /* trademark: "9,25" ascending */
    char work_kind[STORE_KIND_MAX + 1];              /* copyright */
    char evidence_description[STORE_RH_LONG_MAX + 1];/* copyright */
    char created_on[STORE_DATE_MAX + 1];             /* copyright */
    char valid_from[STORE_DATE_MAX + 1];
    char valid_to[STORE_DATE_MAX + 1];               /* "" = no end (copyright) */
    char reason[STORE_RH_REASON_MAX + 1];
    char decided_by[STORE_OBJECT_MAX + 1];
    int64_t decided_ms;
    int64_t created_ms;
};

/* A file of a right: role certificate | logo | image, and its place. */
struct store_right_file {
    char right_id[ID_SIZE];
    char sha256[STORE_SHA_HEX_MAX + 1];
    char role[STORE_KIND_MAX + 1];
    int position;
};

/* NOT_FOUND when the org is missing. */
ips_status store_rights_right_insert(struct store *s, const struct store_right *r);
ips_status store_rights_right_get(struct store *s, const char *id, struct store_right *out);
/* Set status, reason, decided_by, decided_ms of r->id. NOT_FOUND if absent. */
ips_status store_rights_right_update(struct store *s, const struct store_right *r);

/* Filter of a listing; NULL members do not filter. visible_to_org: rights
 * owned by that org or by an org that holds a verified authorisation of it
 * valid on `today`. */
struct store_right_filter {
    const char *status;
    const char *kind;
    const char *org_id;
    const char *visible_to_org;
    const char *today;
};
typedef ips_status (*store_right_cb)(const struct store_right *r, void *arg);
ips_status store_rights_right_list(struct store *s, const struct store_right_filter *f,
                                   const char *after, int limit, store_right_cb cb, void *arg);

/* Link a blob to a right (a second identical link is ignored). NOT_FOUND
 * when the right or the blob is missing. */
ips_status store_rights_file_insert(struct store *s, const struct store_right_file *f);
typedef ips_status (*store_right_file_cb)(const struct store_right_file *f, void *arg);
/* The files of one right, by role then position. */
ips_status store_rights_file_list(struct store *s, const char *right_id,
                                  store_right_file_cb cb, void *arg);

#endif

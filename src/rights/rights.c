/*
 * rights.c — the rights themselves: registration with certificates and
 * images, verification, reading, listing, citing (contract: rights.h), and
 * the helpers the module's files share (rights_internal.h).
 *
 * Expiry is computed, never stored: status_effective is "expired" when a
 * right that was not rejected has a valid_to before today (UTC). So a right
 * stops being citable on the first day after its validity, with no job.
 *
 * Files: every upload goes through blob_put, which types it by content
 * (libmagic) against the list accepted for its role and stores it once by
 * SHA-256, inside the registration's transaction — a refused file leaves
 * neither the right nor any blob behind.
 */
#include "rights/rights_internal.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "geo/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ----------------------------------------------------------- */

ips_status rights__check(struct ips_ctx *ctx, enum access_action act,
                         const struct access_object *obj, const char *object)
{
    ips_status st = access_authorize(ctx->actor, act, obj);
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object ? object : "", AUDIT_DENIED, ips_status_slug(st));
    return st;
}

void rights_today(char out[STORE_DATE_MAX + 1])
{
    char ts[TIME_RFC3339_LEN];
    time_now_rfc3339(ts, sizeof ts);
    memcpy(out, ts, STORE_DATE_MAX);
    out[STORE_DATE_MAX] = '\0';
}

bool rights__date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool rights__field_date(json_t *obj, const char *key, bool required, const char **out,
                        json_t *errors)
{
    const char *v = NULL;
    *out = NULL;
    if (!json_field_string(obj, key, required, STORE_DATE_MAX, &v, errors))
        return false;
    if (v && *v && !rights__date_valid(v)) {
        json_error_add(errors, key, "must be a date written YYYY-MM-DD");
        return false;
    }
    if (v && !*v) {
        if (required) {
            json_error_add(errors, key, "must not be empty");
            return false;
        }
        v = NULL;
    }
    *out = v;
    return true;
}

bool rights__reason_ok(struct ips_ctx *ctx, const char *reason, bool required)
{
    size_t n = reason ? strlen(reason) : 0;
    if ((required && n == 0) || n > STORE_RH_REASON_MAX) {
        json_error_add(ctx->errors, "reason",
                       required ? "is required: 1 to 500 bytes" : "must be at most 500 bytes");
        snprintf(ctx->detail, sizeof ctx->detail, "the decision needs a reason");
        return false;
    }
    return true;
}

int rights__reject_unknown(json_t *obj, const char *const *allowed, json_t *errors)
{
    const char *k;
    json_t *v;
    int unknown = 0;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k) == 0;
        if (!ok) {
            json_error_add(errors, k, "is not a known field");
            unknown++;
        }
    }
    return unknown;
}

const char *rights__actor_org(const struct ips_ctx *ctx)
{
    const struct access_principal *p = ctx->actor;
    if (!p || p->via == VIA_NONE || p->via == VIA_SYSTEM || !p->org_id[0])
        return NULL;
    return p->org_id;
}

/* ---- reading ----------------------------------------------------------------------- */

/* Past its valid_to (a rejected right stays rejected). */
static bool rights__expired(const struct store_right *x, const char *today)
{
    return strcmp(x->status, "rejected") != 0 && x->valid_to[0] && strcmp(x->valid_to, today) < 0;
}

/* Fill status_effective of r from its record and today. */
static void rights__effective(struct rights_right *r, const char *today)
{
    snprintf(r->status_effective, sizeof r->status_effective, "%s",
             rights__expired(&r->rec, today) ? "expired" : r->rec.status);
}

/* store_right_file_cb: append a file (with its blob's metadata) to a right. */
static ips_status rights__file_add(const struct store_right_file *f, void *arg);

struct rights__files_arg {
    struct ips_ctx *ctx;
    struct rights_right *r;
};

static ips_status rights__file_add(const struct store_right_file *f, void *arg)
{
    struct rights__files_arg *a = arg;
    if (a->r->n_files >= RIGHTS_FILES_MAX)
        return IPS_OK; /* registration never links more; ignore anything beyond */
    struct rights_file *out = &a->r->files[a->r->n_files];
    memset(out, 0, sizeof *out);
    ips_status st = blob_info_get(a->ctx, f->sha256, &out->blob);
    if (st)
        return st;
    memcpy(out->role, f->role, sizeof out->role);
    out->position = f->position;
    a->r->n_files++;
    return IPS_OK;
}

/* Load a right with its files and effective status (no access decision). */
static ips_status rights__load(struct ips_ctx *ctx, const char *id, struct rights_right *out)
{
    if (!id || !id_is_valid(id))
        return IPS_ERR_NOT_FOUND;
    char key[ID_SIZE]; /* id may point into *out, which is cleared below */
    memcpy(key, id, sizeof key);
    memset(out, 0, sizeof *out);
    ips_status st = store_rights_right_get(ctx->store, key, &out->rec);
    if (st)
        return st;
    char today[STORE_DATE_MAX + 1];
    rights_today(today);
    rights__effective(out, today);
    struct rights__files_arg a = {ctx, out};
    return store_rights_file_list(ctx->store, key, rights__file_add, &a);
}

/* Authorise `act` on a right: members of its org, its authorised agents,
 * and whoever the action's roles let in. */
static ips_status rights__check_right(struct ips_ctx *ctx, enum access_action act,
                                      const struct store_right *r)
{
    bool agent = false;
    ips_status st = rights_agent_authorised(ctx, r->org_id, &agent);
    if (st)
        return st;
    struct access_object obj = {r->org_id, NULL, agent};
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "right:%s", r->id);
    return rights__check(ctx, act, &obj, object);
}

ips_status rights_right_get(struct ips_ctx *ctx, const char *id, struct rights_right *out)
{
    struct rights_right *r = malloc(sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    ips_status st = rights__load(ctx, id, r);
    if (st == IPS_OK)
        st = rights__check_right(ctx, ACT_RIGHT_READ, &r->rec);
    if (st == IPS_OK)
        *out = *r;
    free(r);
    return st;
}

struct rights__list_arg {
    rights_right_cb cb;
    void *arg;
    const char *today;
    struct rights_right r;
};

/* store_right_cb: add the effective status and hand the right on. */
static ips_status rights__list_one(const struct store_right *rec, void *arg)
{
    struct rights__list_arg *a = arg;
    memset(&a->r, 0, sizeof a->r);
    a->r.rec = *rec;
    rights__effective(&a->r, a->today);
    return a->cb(&a->r, a->arg);
}

ips_status rights_right_list(struct ips_ctx *ctx, const struct store_right_filter *f,
                             const char *after, int limit, rights_right_cb cb, void *arg)
{
    ips_status st = rights__check(ctx, ACT_RIGHT_LIST, NULL, "rights");
    if (st)
        return st;
    static const char *const statuses[] = {"pending", "verified", "rejected", "expired", NULL};
    static const char *const kinds[] = {"trademark", "copyright", "design_patent", NULL};
    bool bad = false;
    bool known = !f->status;
    for (size_t i = 0; f->status && statuses[i]; i++)
        known = known || strcmp(statuses[i], f->status) == 0;
    if (!known) {
        json_error_add(ctx->errors, "status", "must be pending, verified, rejected or expired");
        bad = true;
    }
    known = !f->kind;
    for (size_t i = 0; f->kind && kinds[i]; i++)
        known = known || strcmp(kinds[i], f->kind) == 0;
    if (!known) {
        json_error_add(ctx->errors, "kind", "must be trademark, copyright or design_patent");
        bad = true;
    }
    if (f->org_id && !id_is_valid(f->org_id)) {
        json_error_add(ctx->errors, "org_id", "is not an organisation id");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the filter is not valid");
        return IPS_ERR_INVALID;
    }
    char today[STORE_DATE_MAX + 1];
    rights_today(today);
    struct store_right_filter g = *f;
    g.today = today;
    g.visible_to_org = NULL;
    if (access_authorize(ctx->actor, ACT_RIGHT_LIST_ALL, NULL) != IPS_OK) {
        g.visible_to_org = rights__actor_org(ctx);
        if (!g.visible_to_org)
            return IPS_ERR_FORBIDDEN;
    }
    struct rights__list_arg *a = malloc(sizeof *a);
    if (!a)
        return IPS_ERR_NOMEM;
    a->cb = cb;
    a->arg = arg;
    a->today = today;
    st = store_rights_right_list(ctx->store, &g, after, limit, rights__list_one, a);
    free(a);
    return st;
}

ips_status rights_file_read(struct ips_ctx *ctx, const char *right_id, const char *sha256,
                            void **data, size_t *len, struct blob_info *info)
{
    struct rights_right *r = malloc(sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    ips_status st = rights_right_get(ctx, right_id, r);
    if (st)
        goto out_right;
    const struct rights_file *found = NULL;
    for (int i = 0; i < r->n_files && !found; i++)
        if (sha256 && strcmp(r->files[i].blob.sha256, sha256) == 0)
            found = &r->files[i];
    if (!found) {
        st = IPS_ERR_NOT_FOUND;
        goto out_right;
    }
    if ((st = blob_read(ctx, found->blob.sha256, data, len)))
        goto out_right;
    *info = found->blob;
out_right:
    free(r);
    return st;
}

ips_status rights_citable(struct ips_ctx *ctx, const char *right_id, struct rights_right *out)
{
    struct rights_right *r = malloc(sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    ips_status st = rights__load(ctx, right_id, r);
    if (st == IPS_OK)
        st = rights__check_right(ctx, ACT_RIGHT_CITE, &r->rec);
    if (st == IPS_OK)
        st = rights_citable_record(ctx, &r->rec);
    if (st == IPS_OK && out)
        *out = *r;
    free(r);
    return st;
}

ips_status rights_citable_record(struct ips_ctx *ctx, const struct store_right *rec)
{
    char today[STORE_DATE_MAX + 1];
    rights_today(today);
    ips_status st = IPS_OK;
    if (rights__expired(rec, today)) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the right expired on %s and can no longer be cited", rec->valid_to);
        st = IPS_ERR_INVALID;
    } else if (strcmp(rec->status, "rejected") == 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "the right was rejected and cannot be cited");
        st = IPS_ERR_INVALID;
    } else if (strcmp(rec->status, "verified") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the right is not verified yet and cannot be cited");
        st = IPS_ERR_INVALID;
    } else if (rec->valid_from[0] && strcmp(rec->valid_from, today) > 0) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the right is not valid before %s and cannot be cited yet", rec->valid_from);
        st = IPS_ERR_INVALID;
    }
    if (st == IPS_ERR_INVALID)
        json_error_add(ctx->errors, "right_id", ctx->detail);
    return st;
}

/* ---- deciding ---------------------------------------------------------------------- */

struct rights__decide_tx {
    const struct access_principal *actor;
    const struct store_right *rec;
};

/* store_tx_fn: the new state and its audit event. */
static ips_status rights__decide_tx(struct store *s, void *arg)
{
    struct rights__decide_tx *a = arg;
    ips_status st = store_rights_right_update(s, a->rec);
    if (st)
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "right:%s", a->rec->id);
    return audit_append(s, access_principal_actor(a->actor),
                        strcmp(a->rec->status, "verified") == 0 ? "right.verify" : "right.reject",
                        object, AUDIT_OK, a->rec->reason);
}

ips_status rights_right_decide(struct ips_ctx *ctx, const char *id, bool verify,
                               const char *reason, struct rights_right *out)
{
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "right:%s", id ? id : "");
    ips_status st = rights__check(ctx, ACT_RIGHT_DECIDE, NULL, object);
    if (st)
        return st;
    if (!rights__reason_ok(ctx, reason, true))
        return IPS_ERR_INVALID;
    struct rights_right *r = malloc(sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    if ((st = rights__load(ctx, id, r)))
        goto out_right;
    if (strcmp(r->rec.status, "pending") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "the right was %s already", r->rec.status);
        st = IPS_ERR_CONFLICT;
        goto out_right;
    }
    snprintf(r->rec.status, sizeof r->rec.status, "%s", verify ? "verified" : "rejected");
    snprintf(r->rec.reason, sizeof r->rec.reason, "%s", reason);
    snprintf(r->rec.decided_by, sizeof r->rec.decided_by, "%s",
             access_principal_actor(ctx->actor));
    r->rec.decided_ms = time_now_ms();
    struct rights__decide_tx t = {ctx->actor, &r->rec};
    if ((st = store_tx_run(ctx->store, rights__decide_tx, &t)))
        goto out_right;
    char today[STORE_DATE_MAX + 1];
    rights_today(today);
    rights__effective(r, today);
    if (out)
        *out = *r;
out_right:
    free(r);
    return st;
}

/* ---- registering ------------------------------------------------------------------- */

/* True for an office: an ISO 3166-1 alpha-2 country or a regional office. */
static bool rights__office_valid(const char *s)
{
    static const char *const regional[] = {"EUIPO", "WIPO", "BOIP", "OAPI", "ARIPO", NULL};
    for (size_t i = 0; regional[i]; i++)
        if (strcmp(regional[i], s) == 0)
            return true;
    return strlen(s) == 2 && geo_valid(s) && !geo_is_subdivision(s);
}

/* Copy a validated string member into a record field (absent: ""). */
static void rights__copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}
#define RIGHTS__COPY(field, src) rights__copy((field), sizeof(field), (src))

/* Read nice_classes: an array of 1..45 distinct integers in [1, 45], written
 * into out as an ascending comma-separated list. */
static bool rights__nice_classes(json_t *meta, char out[STORE_RH_CLASSES_MAX + 1],
                                 json_t *errors)
{
    json_t *v = json_object_get(meta, "nice_classes");
    if (!v || json_is_null(v)) {
        json_error_add(errors, "nice_classes", "is required");
        return false;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 45) {
        json_error_add(errors, "nice_classes",
                       "must be an array of 1 to 45 Nice classes (integers 1 to 45)");
        return false;
    }
    bool seen[46] = {false};
    size_t i;
    json_t *c;
    json_array_foreach(v, i, c)
    {
        json_int_t n = json_is_integer(c) ? json_integer_value(c) : 0;
        if (n < 1 || n > 45) {
            json_error_add(errors, "nice_classes", "each class must be an integer from 1 to 45");
            return false;
        }
        if (seen[n]) {
            json_error_add(errors, "nice_classes", "a class is listed twice");
            return false;
        }
        seen[n] = true;
    }
    size_t len = 0;
    out[0] = '\0';
    for (int n = 1; n <= 45; n++) {
        if (!seen[n])
            continue;
        int w = snprintf(out + len, STORE_RH_CLASSES_MAX + 1 - len, "%s%d", len ? "," : "", n);
        if (w < 0 || (size_t)w >= STORE_RH_CLASSES_MAX + 1 - len)
            return false; /* cannot happen: 45 classes need 125 bytes */
        len += (size_t)w;
    }
    return true;
}

/* Validate the kind-specific members of meta into r. Returns false (with
 * field errors) when anything is wrong. */
static bool rights__validate_meta(struct ips_ctx *ctx, json_t *meta, struct store_right *r)
{
    static const char *const trademark[] = {"kind",       "for_org_id", "mark_text",
                                            "registration_number", "office", "nice_classes",
                                            "valid_from", "valid_to",   NULL};
    static const char *const copyright[] = {"kind",      "for_org_id", "title",
                                            "work_kind", "registration_number",
                                            "evidence_description", "created_on", NULL};
    static const char *const design[] = {"kind",  "for_org_id", "patent_number", "office",
                                         "title", "valid_from", "valid_to",      NULL};
    static const char *const work_kinds[] = {"literary", "artistic", "photographic",
                                             "software", "audiovisual", "musical",
                                             "design",   "other",       NULL};
    json_t *e = ctx->errors;
    const char *kind = NULL, *s = NULL, *from = NULL, *to = NULL;
    bool ok = json_field_string(meta, "kind", true, STORE_KIND_MAX, &kind, e);
    if (!kind)
        return false;
    const char *const *allowed = strcmp(kind, "trademark") == 0       ? trademark
                                 : strcmp(kind, "copyright") == 0     ? copyright
                                 : strcmp(kind, "design_patent") == 0 ? design
                                                                      : NULL;
    if (!allowed) {
        json_error_add(e, "kind", "must be trademark, copyright or design_patent");
        return false;
    }
    RIGHTS__COPY(r->kind, kind);
    if (rights__reject_unknown(meta, allowed, e) > 0)
        ok = false;

    if (allowed == copyright) {
        if (!json_field_string(meta, "title", true, STORE_RH_TEXT_MAX, &s, e))
            ok = false;
        RIGHTS__COPY(r->title, s);
        if (!json_field_string(meta, "work_kind", true, STORE_KIND_MAX, &s, e)) {
            ok = false;
        } else {
            bool known = false;
            for (size_t i = 0; work_kinds[i] && !known; i++)
                known = strcmp(work_kinds[i], s) == 0;
            if (!known) {
                json_error_add(e, "work_kind",
                               "must be literary, artistic, photographic, software, "
                               "audiovisual, musical, design or other");
                ok = false;
            }
            RIGHTS__COPY(r->work_kind, s);
        }
        const char *reg = NULL, *ev = NULL;
        if (!json_field_string(meta, "registration_number", false, STORE_RH_TEXT_MAX, &reg, e))
            ok = false;
        if (!json_field_string(meta, "evidence_description", false, STORE_RH_LONG_MAX, &ev, e))
            ok = false;
        if (ok && (!reg || !*reg) && (!ev || !*ev)) {
            json_error_add(e, "registration_number",
                           "a copyright needs a registration_number or an evidence_description");
            ok = false;
        }
        RIGHTS__COPY(r->registration_number, reg);
        RIGHTS__COPY(r->evidence_description, ev);
        if (!rights__field_date(meta, "created_on", true, &s, e))
            ok = false;
        RIGHTS__COPY(r->created_on, s);
        return ok;
    }

    if (allowed == trademark) {
        if (!json_field_string(meta, "mark_text", true, STORE_RH_TEXT_MAX, &s, e))
            ok = false;
        RIGHTS__COPY(r->mark_text, s);
        if (!json_field_string(meta, "registration_number", true, STORE_RH_TEXT_MAX, &s, e))
            ok = false;
        RIGHTS__COPY(r->registration_number, s);
        if (!rights__nice_classes(meta, r->nice_classes, e))
            ok = false;
    } else {
        if (!json_field_string(meta, "patent_number", true, STORE_RH_TEXT_MAX, &s, e))
            ok = false;
        RIGHTS__COPY(r->patent_number, s);
        if (!json_field_string(meta, "title", true, STORE_RH_TEXT_MAX, &s, e))
            ok = false;
        RIGHTS__COPY(r->title, s);
    }
    if (!json_field_string(meta, "office", true, STORE_RH_OFFICE_MAX + 8, &s, e)) {
        ok = false;
    } else if (strlen(s) > STORE_RH_OFFICE_MAX || !rights__office_valid(s)) {
        json_error_add(e, "office",
                       "must be an ISO 3166-1 alpha-2 code such as \"CN\" or one of EUIPO, "
                       "WIPO, BOIP, OAPI, ARIPO");
        ok = false;
    } else {
        RIGHTS__COPY(r->office, s);
    }
    if (!rights__field_date(meta, "valid_from", true, &from, e))
        ok = false;
    if (!rights__field_date(meta, "valid_to", true, &to, e))
        ok = false;
    if (from && to && strcmp(from, to) > 0) {
        json_error_add(e, "valid_to", "must not be before valid_from");
        ok = false;
    }
    RIGHTS__COPY(r->valid_from, from);
    RIGHTS__COPY(r->valid_to, to);
    return ok;
}

/* Check the uploads' roles and counts against the kind. */
static bool rights__validate_files(struct ips_ctx *ctx, const char *kind,
                                   const struct rights_upload *files, int n_files)
{
    int cert = 0, logos = 0, images = 0;
    bool ok = true;
    for (int i = 0; i < n_files; i++) {
        const char *role = files[i].role ? files[i].role : "";
        if (strcmp(role, "certificate") == 0) {
            cert++;
        } else if (strcmp(role, "logo") == 0) {
            logos++;
        } else if (strcmp(role, "image") == 0) {
            images++;
        } else {
            json_error_add(ctx->errors, role, "is not a known file field");
            ok = false;
        }
    }
    bool tm = strcmp(kind, "trademark") == 0, dp = strcmp(kind, "design_patent") == 0;
    if (cert > 1) {
        json_error_add(ctx->errors, "certificate", "give at most one certificate");
        ok = false;
    }
    if (cert == 0 && (tm || dp)) {
        json_error_add(ctx->errors, "certificate",
                       "is required for a trademark or a design patent (PDF or image)");
        ok = false;
    }
    if (logos > 0 && !tm) {
        json_error_add(ctx->errors, "logo", "only a trademark has logos");
        ok = false;
    } else if (logos > RIGHTS_LOGOS_MAX) {
        json_error_add(ctx->errors, "logo", "give at most 4 logos");
        ok = false;
    }
    if (images > 0 && !dp) {
        json_error_add(ctx->errors, "image", "only a design patent has images");
        ok = false;
    } else if (dp && (images < 1 || images > RIGHTS_IMAGES_MAX)) {
        json_error_add(ctx->errors, "image", "a design patent needs 1 to 8 images");
        ok = false;
    }
    return ok;
}

struct rights__register_tx {
    struct ips_ctx *ctx;
    const struct store_right *rec;
    const struct rights_upload *files;
    int n_files;
    int failed_file; /* OUT: index of the file blob_put refused, or -1 */
};

/* store_tx_fn: the right, its files (typed and stored by blob_put), and the
 * audit event. Repeatable: nothing accumulates outside the database except
 * failed_file, reset at the start. */
static ips_status rights__register_tx(struct store *s, void *arg)
{
    struct rights__register_tx *a = arg;
    a->failed_file = -1;
    ips_status st = store_rights_right_insert(s, a->rec);
    if (st)
        return st;
    int pos_logo = 0, pos_image = 0;
    for (int i = 0; i < a->n_files; i++) {
        const struct rights_upload *u = &a->files[i];
        bool cert = strcmp(u->role, "certificate") == 0;
        struct blob_info b;
        st = blob_put(a->ctx, u->data, u->len, cert ? BLOB_TYPES_DOCUMENT : BLOB_TYPES_IMAGE,
                      &b);
        if (st) {
            a->failed_file = i;
            return st;
        }
        struct store_right_file f;
        memset(&f, 0, sizeof f);
        memcpy(f.right_id, a->rec->id, sizeof f.right_id);
        memcpy(f.sha256, b.sha256, sizeof f.sha256);
        snprintf(f.role, sizeof f.role, "%s", u->role);
        f.position = cert ? 0 : strcmp(u->role, "logo") == 0 ? pos_logo++ : pos_image++;
        if ((st = store_rights_file_insert(s, &f)))
            return st;
    }
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "right:%s", a->rec->id);
    snprintf(detail, sizeof detail, "kind=%s owner=%s filed_by_org=%s files=%d", a->rec->kind,
             a->rec->org_id, a->rec->filed_by_org, a->n_files);
    return audit_append(s, access_principal_actor(a->ctx->actor), "right.register", object,
                        AUDIT_OK, detail);
}

ips_status rights_right_register(struct ips_ctx *ctx, json_t *meta,
                                 const struct rights_upload *files, int n_files,
                                 struct rights_right *out)
{
    ips_status st = rights__check(ctx, ACT_RIGHT_REGISTER, NULL, "right:new");
    if (st)
        return st;
    if (!json_is_object(meta)) {
        json_error_add(ctx->errors, "right", "must be a JSON object");
        snprintf(ctx->detail, sizeof ctx->detail, "the right is not valid");
        return IPS_ERR_INVALID;
    }
    if (n_files < 0 || n_files > RIGHTS_FILES_MAX + 3) {
        snprintf(ctx->detail, sizeof ctx->detail, "too many files");
        return IPS_ERR_INVALID;
    }

    /* Whose right: for_org_id, or the actor's own organisation. */
    const char *owner = NULL;
    if (!json_field_string(meta, "for_org_id", false, ID_LEN, &owner, ctx->errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the right is not valid");
        return IPS_ERR_INVALID;
    }
    if (!owner || !*owner)
        owner = rights__actor_org(ctx);
    if (!owner) {
        json_error_add(ctx->errors, "for_org_id", "is required when acting as the system");
        snprintf(ctx->detail, sizeof ctx->detail, "the right is not valid");
        return IPS_ERR_INVALID;
    }
    struct store_org org;
    st = id_is_valid(owner) ? store_org_get(ctx->store, owner, &org) : IPS_ERR_NOT_FOUND;
    if (st == IPS_OK) {
        bool agent = false;
        if ((st = rights_agent_authorised(ctx, org.id, &agent)))
            return st;
        struct access_object obj = {org.id, NULL, agent};
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "org:%s", org.id);
        st = rights__check(ctx, ACT_RIGHT_MANAGE, &obj, object);
    }
    if (st == IPS_ERR_NOT_FOUND) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "no right holder with this id that you may act for (an agent needs a "
                 "verified authorisation valid today)");
        return st;
    }
    if (st)
        return st;
    if (strcmp(org.kind, "rightholder") != 0) {
        json_error_add(ctx->errors, "for_org_id", "rights belong to right-holder organisations");
        snprintf(ctx->detail, sizeof ctx->detail, "the right is not valid");
        return IPS_ERR_INVALID;
    }
    bool approved = false;
    if ((st = rights_holder_approved(ctx, org.id, &approved)))
        return st;
    if (!approved) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the right holder's application has not been approved; rights can be "
                 "registered once a reviewer approves it");
        return IPS_ERR_FORBIDDEN;
    }

    struct rights_right *r = calloc(1, sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    bool ok = rights__validate_meta(ctx, meta, &r->rec);
    if (r->rec.kind[0] && !rights__validate_files(ctx, r->rec.kind, files, n_files))
        ok = false;
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "the right is not valid");
        st = IPS_ERR_INVALID;
        goto out_right;
    }
    id_new(r->rec.id);
    memcpy(r->rec.org_id, org.id, sizeof r->rec.org_id);
    const char *filer_org = rights__actor_org(ctx);
    RIGHTS__COPY(r->rec.filed_by, ctx->actor->via == VIA_SYSTEM ? "system" : ctx->actor->user_id);
    RIGHTS__COPY(r->rec.filed_by_org, filer_org ? filer_org : org.id);
    snprintf(r->rec.status, sizeof r->rec.status, "pending");
    r->rec.created_ms = time_now_ms();

    struct rights__register_tx t = {ctx, &r->rec, files, n_files, -1};
    st = store_tx_run(ctx->store, rights__register_tx, &t);
    if (st && t.failed_file >= 0) {
        /* name the part the refused file came in */
        char why[sizeof ctx->detail];
        memcpy(why, ctx->detail, sizeof why);
        snprintf(ctx->detail, sizeof ctx->detail, "%s: %.200s", files[t.failed_file].role, why);
        if (st == IPS_ERR_INVALID) /* field errors go with validation failures only */
            json_error_add(ctx->errors, files[t.failed_file].role, why);
    }
    if (st)
        goto out_right;
    /* read back with files and effective status */
    st = rights__load(ctx, r->rec.id, r);
    if (st == IPS_OK && out)
        *out = *r;
out_right:
    free(r);
    return st;
}

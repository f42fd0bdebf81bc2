/*
 * pg_rights.c — the PostgreSQL implementation of store_rights.h (tables
 * rightholder_applications, agent_authorisations, rights and right_files of
 * migration 0002_rights.sql).
 *
 * Expiry is computed in SQL only for filtering a listing by effective
 * status; the rule is the domain's (rights.c): a right that is not rejected
 * and whose valid_to lies before today reads as "expired".
 *
 * An optional filter is bound as text or NULL and tested as
 * "$N::text IS NULL": the cast gives the server the parameter's type, which
 * IS NULL alone would not.
 */
#include "store/pg_internal.h"
#include "store/store_rights_backend.h"


/* ---- applications ------------------------------------------------------------ */

#define APP_COLS                                                                             \
    "org_id, status, email, website, country, reason, decided_by, decided_ms, created_ms"

static const char q_app_insert[] =
    "INSERT INTO rightholder_applications (" APP_COLS ")"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
/* selects add the org's name after APP_COLS (decode_app reads it) */
#define APP_SELECT                                                                           \
    "SELECT " APP_COLS ", (SELECT o.name FROM orgs o"                                        \
    " WHERE o.id = rightholder_applications.org_id) FROM rightholder_applications"
static const char q_app_get[] = APP_SELECT " WHERE org_id = $1";
static const char q_app_update[] =
    "UPDATE rightholder_applications SET status = $2, reason = $3, decided_by = $4,"
    " decided_ms = $5 WHERE org_id = $1";
static const char q_app_list[] =
    APP_SELECT " WHERE ($1::text IS NULL OR status = $1) AND org_id > $2"
               " AND ($4::text IS NULL OR org_id = $4)"
    " ORDER BY org_id LIMIT $3";

/* pg__decode_fn for APP_SELECT: APP_COLS and the org's name. */
static ips_status decode_app(const struct pg__row *st, void *row)
{
    struct store_rh_application *a = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, a->org_id)) ||
        (result = PG__COL_FIELD(st, 1, a->status)) ||
        (result = PG__COL_FIELD(st, 2, a->email)) ||
        (result = PG__COL_FIELD(st, 3, a->website)) ||
        (result = PG__COL_FIELD(st, 4, a->country)) ||
        (result = PG__COL_FIELD(st, 5, a->reason)) ||
        (result = PG__COL_FIELD(st, 6, a->decided_by)) ||
        (result = PG__COL_FIELD(st, 9, a->org_name)))
        return result;
    a->decided_ms = pg__col_int64(st, 7);
    a->created_ms = pg__col_int64(st, 8);
    return IPS_OK;
}

PG__EMIT(emit_app, struct store_rh_application, store_rh_application_cb)

/* pg__bind_fn for q_app_insert: every column of APP_COLS. */
static ips_status bind_app_insert(struct pg__stmt *q, const void *arg)
{
    const struct store_rh_application *a = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, a->org_id)) ||
        (result = PG__BIND_FIELD(q, 2, a->status)) ||
        (result = PG__BIND_FIELD(q, 3, a->email)) ||
        (result = PG__BIND_FIELD(q, 4, a->website)) ||
        (result = PG__BIND_FIELD(q, 5, a->country)) ||
        (result = PG__BIND_FIELD(q, 6, a->reason)) ||
        (result = PG__BIND_FIELD(q, 7, a->decided_by)) ||
        (result = pg__bind_int64(q, 8, a->decided_ms)))
        return result;
    return pg__bind_int64(q, 9, a->created_ms);
}

/* Bind the decision columns every "UPDATE ... SET status = $2, reason = $3,
 * decided_by = $4, decided_ms = $5 WHERE <key> = $1" of this file shares.
 * Fields are passed with their sizes (PG__BIND_FIELD's rule). */
static ips_status bind_decision(struct pg__stmt *q, const char *key, size_t key_size,
                                const char *status, size_t status_size, const char *reason,
                                size_t reason_size, const char *decided_by,
                                size_t decided_by_size, int64_t decided_ms)
{
    ips_status result;
    if ((result = pg__bind_field(q, 1, key, key_size)) ||
        (result = pg__bind_field(q, 2, status, status_size)) ||
        (result = pg__bind_field(q, 3, reason, reason_size)) ||
        (result = pg__bind_field(q, 4, decided_by, decided_by_size)))
        return result;
    return pg__bind_int64(q, 5, decided_ms);
}
#define BIND_DECISION(q, rec, key)                                                           \
    bind_decision((q), (rec)->key, sizeof (rec)->key, (rec)->status, sizeof (rec)->status,   \
                  (rec)->reason, sizeof (rec)->reason, (rec)->decided_by,                    \
                  sizeof (rec)->decided_by, (rec)->decided_ms)

static ips_status bind_app_update(struct pg__stmt *q, const void *arg)
{
    const struct store_rh_application *a = arg;
    return BIND_DECISION(q, a, org_id);
}

static ips_status application_insert(struct store *s, const struct store_rh_application *a)
{
    return pg__write(pg__from(s), q_app_insert, bind_app_insert, a, false);
}

static ips_status application_get(struct store *s, const char *org_id,
                                  struct store_rh_application *out)
{
    struct store_rh_application tmp;
    return pg__get_key(pg__from(s), q_app_get, org_id, decode_app, &tmp, out, sizeof tmp);
}

static ips_status application_update(struct store *s, const struct store_rh_application *a)
{
    return pg__write(pg__from(s), q_app_update, bind_app_update, a, true);
}

static ips_status application_list(struct store *s, const char *only_status,
                                   const char *only_org, const char *after, int limit,
                                   store_rh_application_cb cb, void *arg)
{
    struct pg__stmt q;
    struct store_rh_application a;
    ips_status result = pg__stmt_sql(pg__from(s), q_app_list, &q);
    if (result || (result = pg__bind_page(&q, only_status, after, limit)) ||
        (result = pg__bind_text(&q, 4, only_org)))
        goto out_stmt;
    result = pg__each(&q, decode_app, &a, sizeof a, emit_app, &(struct emit_app){cb, arg});
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* ---- agent authorisations ------------------------------------------------------- */

#define AUTH_COLS                                                                            \
    "id, principal_org_id, agent_org_id, valid_from, valid_to, document_sha256, status,"    \
    " reason, filed_by, decided_by, decided_ms, created_ms"

static const char q_auth_insert[] =
    "INSERT INTO agent_authorisations (" AUTH_COLS ")"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
/* selects add both orgs' names after AUTH_COLS (decode_auth reads them) */
#define AUTH_SELECT                                                                          \
    "SELECT " AUTH_COLS ","                                                                  \
    " (SELECT o.name FROM orgs o WHERE o.id = agent_authorisations.principal_org_id),"       \
    " (SELECT o.name FROM orgs o WHERE o.id = agent_authorisations.agent_org_id)"            \
    " FROM agent_authorisations"
static const char q_auth_get[] = AUTH_SELECT " WHERE id = $1";
static const char q_auth_update[] =
    "UPDATE agent_authorisations SET status = $2, reason = $3, decided_by = $4,"
    " decided_ms = $5 WHERE id = $1";
static const char q_auth_active[] =
    "SELECT 1 FROM agent_authorisations WHERE principal_org_id = $1 AND agent_org_id = $2"
    " AND status = 'verified' AND valid_from <= $3 AND valid_to >= $3 LIMIT 1";
static const char q_auth_list[] =
    AUTH_SELECT " WHERE ($1::text IS NULL OR status = $1) AND id > $2"
    " AND ($4::text IS NULL OR principal_org_id = $4 OR agent_org_id = $4)"
    " ORDER BY id LIMIT $3";

/* pg__decode_fn for AUTH_SELECT: AUTH_COLS and the two names. */
static ips_status decode_auth(const struct pg__row *st, void *row)
{
    struct store_agent_auth *a = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, a->id)) ||
        (result = PG__COL_FIELD(st, 1, a->principal_org_id)) ||
        (result = PG__COL_FIELD(st, 2, a->agent_org_id)) ||
        (result = PG__COL_FIELD(st, 3, a->valid_from)) ||
        (result = PG__COL_FIELD(st, 4, a->valid_to)) ||
        (result = PG__COL_FIELD(st, 5, a->document_sha256)) ||
        (result = PG__COL_FIELD(st, 6, a->status)) ||
        (result = PG__COL_FIELD(st, 7, a->reason)) ||
        (result = PG__COL_FIELD(st, 8, a->filed_by)) ||
        (result = PG__COL_FIELD(st, 9, a->decided_by)) ||
        (result = PG__COL_FIELD(st, 12, a->principal_name)) ||
        (result = PG__COL_FIELD(st, 13, a->agent_name)))
        return result;
    a->decided_ms = pg__col_int64(st, 10);
    a->created_ms = pg__col_int64(st, 11);
    return IPS_OK;
}

PG__EMIT(emit_auth, struct store_agent_auth, store_agent_auth_cb)

/* pg__bind_fn for q_auth_insert: every column of AUTH_COLS. */
static ips_status bind_auth_insert(struct pg__stmt *q, const void *arg)
{
    const struct store_agent_auth *a = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, a->id)) ||
        (result = PG__BIND_FIELD(q, 2, a->principal_org_id)) ||
        (result = PG__BIND_FIELD(q, 3, a->agent_org_id)) ||
        (result = PG__BIND_FIELD(q, 4, a->valid_from)) ||
        (result = PG__BIND_FIELD(q, 5, a->valid_to)) ||
        (result = PG__BIND_FIELD(q, 6, a->document_sha256)) ||
        (result = PG__BIND_FIELD(q, 7, a->status)) ||
        (result = PG__BIND_FIELD(q, 8, a->reason)) ||
        (result = PG__BIND_FIELD(q, 9, a->filed_by)) ||
        (result = PG__BIND_FIELD(q, 10, a->decided_by)) ||
        (result = pg__bind_int64(q, 11, a->decided_ms)))
        return result;
    return pg__bind_int64(q, 12, a->created_ms);
}

static ips_status bind_auth_update(struct pg__stmt *q, const void *arg)
{
    const struct store_agent_auth *a = arg;
    return BIND_DECISION(q, a, id);
}

static ips_status auth_insert(struct store *s, const struct store_agent_auth *a)
{
    return pg__write(pg__from(s), q_auth_insert, bind_auth_insert, a, false);
}

static ips_status auth_get(struct store *s, const char *id, struct store_agent_auth *out)
{
    struct store_agent_auth tmp;
    return pg__get_key(pg__from(s), q_auth_get, id, decode_auth, &tmp, out, sizeof tmp);
}

static ips_status auth_update(struct store *s, const struct store_agent_auth *a)
{
    return pg__write(pg__from(s), q_auth_update, bind_auth_update, a, true);
}

static ips_status auth_active(struct store *s, const char *principal_org, const char *agent_org,
                              const char *today, bool *found)
{
    struct pg__stmt q;
    bool row = false;
    ips_status result = pg__stmt_sql(pg__from(s), q_auth_active, &q);
    if (result || (result = pg__bind_text(&q, 1, principal_org)) ||
        (result = pg__bind_text(&q, 2, agent_org)) ||
        (result = pg__bind_text(&q, 3, today)) || (result = pg__step(&q, &row)))
        goto out_stmt;
    *found = row;
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status auth_list(struct store *s, const char *involving_org, const char *only_status,
                            const char *after, int limit, store_agent_auth_cb cb, void *arg)
{
    struct pg__stmt q;
    struct store_agent_auth a;
    ips_status result = pg__stmt_sql(pg__from(s), q_auth_list, &q);
    if (result || (result = pg__bind_page(&q, only_status, after, limit)) ||
        (result = pg__bind_text(&q, 4, involving_org)))
        goto out_stmt;
    result = pg__each(&q, decode_auth, &a, sizeof a, emit_auth, &(struct emit_auth){cb, arg});
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* ---- rights ------------------------------------------------------------------------ */

#define RIGHT_COLS                                                                           \
    "id, org_id, filed_by, filed_by_org, kind, status, mark_text, title,"                   \
    " registration_number, patent_number, office, nice_classes, work_kind,"                 \
    " evidence_description, created_on, valid_from, valid_to, reason, decided_by,"          \
    " decided_ms, created_ms"

static const char q_right_insert[] =
    "INSERT INTO rights (" RIGHT_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";
static const char q_right_get[] = "SELECT " RIGHT_COLS " FROM rights WHERE id = $1";
static const char q_right_update[] =
    "UPDATE rights SET status = $2, reason = $3, decided_by = $4, decided_ms = $5 WHERE id = $1";
/* $1 effective status, $2 cursor, $3 limit, $4 kind, $5 owner org, $6 the
 * org whose own and principals' rights are visible, $7 today. */
static const char q_right_list[] =
    "SELECT " RIGHT_COLS " FROM rights"
    " WHERE ($1::text IS NULL OR (CASE WHEN status <> 'rejected' AND valid_to <> ''"
    "                            AND valid_to < $7 THEN 'expired' ELSE status END) = $1)"
    " AND id > $2 AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR org_id = $5)"
    " AND ($6::text IS NULL OR org_id = $6 OR org_id IN"
    "      (SELECT principal_org_id FROM agent_authorisations WHERE agent_org_id = $6"
    "       AND status = 'verified' AND valid_from <= $7 AND valid_to >= $7))"
    " ORDER BY id LIMIT $3";

/* pg__decode_fn for RIGHT_COLS. */
static ips_status decode_right(const struct pg__row *st, void *row)
{
    struct store_right *r = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, r->id)) ||
        (result = PG__COL_FIELD(st, 1, r->org_id)) ||
        (result = PG__COL_FIELD(st, 2, r->filed_by)) ||
        (result = PG__COL_FIELD(st, 3, r->filed_by_org)) ||
        (result = PG__COL_FIELD(st, 4, r->kind)) ||
        (result = PG__COL_FIELD(st, 5, r->status)) ||
        (result = PG__COL_FIELD(st, 6, r->mark_text)) ||
        (result = PG__COL_FIELD(st, 7, r->title)) ||
        (result = PG__COL_FIELD(st, 8, r->registration_number)) ||
        (result = PG__COL_FIELD(st, 9, r->patent_number)) ||
        (result = PG__COL_FIELD(st, 10, r->office)) ||
        (result = PG__COL_FIELD(st, 11, r->nice_classes)) ||
        (result = PG__COL_FIELD(st, 12, r->work_kind)) ||
        (result = PG__COL_FIELD(st, 13, r->evidence_description)) ||
        (result = PG__COL_FIELD(st, 14, r->created_on)) ||
        (result = PG__COL_FIELD(st, 15, r->valid_from)) ||
        (result = PG__COL_FIELD(st, 16, r->valid_to)) ||
        (result = PG__COL_FIELD(st, 17, r->reason)) ||
        (result = PG__COL_FIELD(st, 18, r->decided_by)))
        return result;
    r->decided_ms = pg__col_int64(st, 19);
    r->created_ms = pg__col_int64(st, 20);
    return IPS_OK;
}

PG__EMIT(emit_right, struct store_right, store_right_cb)

/* pg__bind_fn for q_right_insert: every column of RIGHT_COLS. */
static ips_status bind_right_insert(struct pg__stmt *q, const void *arg)
{
    const struct store_right *r = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, r->id)) ||
        (result = PG__BIND_FIELD(q, 2, r->org_id)) ||
        (result = PG__BIND_FIELD(q, 3, r->filed_by)) ||
        (result = PG__BIND_FIELD(q, 4, r->filed_by_org)) ||
        (result = PG__BIND_FIELD(q, 5, r->kind)) ||
        (result = PG__BIND_FIELD(q, 6, r->status)) ||
        (result = PG__BIND_FIELD(q, 7, r->mark_text)) ||
        (result = PG__BIND_FIELD(q, 8, r->title)) ||
        (result = PG__BIND_FIELD(q, 9, r->registration_number)) ||
        (result = PG__BIND_FIELD(q, 10, r->patent_number)) ||
        (result = PG__BIND_FIELD(q, 11, r->office)) ||
        (result = PG__BIND_FIELD(q, 12, r->nice_classes)) ||
        (result = PG__BIND_FIELD(q, 13, r->work_kind)) ||
        (result = PG__BIND_FIELD(q, 14, r->evidence_description)) ||
        (result = PG__BIND_FIELD(q, 15, r->created_on)) ||
        (result = PG__BIND_FIELD(q, 16, r->valid_from)) ||
        (result = PG__BIND_FIELD(q, 17, r->valid_to)) ||
        (result = PG__BIND_FIELD(q, 18, r->reason)) ||
        (result = PG__BIND_FIELD(q, 19, r->decided_by)) ||
        (result = pg__bind_int64(q, 20, r->decided_ms)))
        return result;
    return pg__bind_int64(q, 21, r->created_ms);
}

static ips_status bind_right_update(struct pg__stmt *q, const void *arg)
{
    const struct store_right *r = arg;
    return BIND_DECISION(q, r, id);
}

static ips_status right_insert(struct store *s, const struct store_right *r)
{
    return pg__write(pg__from(s), q_right_insert, bind_right_insert, r, false);
}

static ips_status right_get(struct store *s, const char *id, struct store_right *out)
{
    struct store_right tmp;
    return pg__get_key(pg__from(s), q_right_get, id, decode_right, &tmp, out, sizeof tmp);
}

static ips_status right_update(struct store *s, const struct store_right *r)
{
    return pg__write(pg__from(s), q_right_update, bind_right_update, r, true);
}

static ips_status right_list(struct store *s, const struct store_right_filter *f,
                             const char *after, int limit, store_right_cb cb, void *arg)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_right_list, &q);
    if (result || (result = pg__bind_page(&q, f->status, after, limit)) ||
        (result = pg__bind_text(&q, 4, f->kind)) ||
        (result = pg__bind_text(&q, 5, f->org_id)) ||
        (result = pg__bind_text(&q, 6, f->visible_to_org)) ||
        (result = pg__bind_text(&q, 7, f->today)))
        goto out_stmt;
    /* a right record is several kilobytes: keep it off the stack of a
     * callback chain that may re-enter the store (row NULL: on the heap) */
    result = pg__each(&q, decode_right, NULL, sizeof(struct store_right), emit_right,
                      &(struct emit_right){cb, arg});
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* ---- files of a right -------------------------------------------------------------- */

static const char q_file_insert[] =
    "INSERT INTO right_files (right_id, sha256, role, position) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (right_id, role, sha256) DO NOTHING";
static const char q_file_list[] =
    "SELECT right_id, sha256, role, position FROM right_files WHERE right_id = $1"
    " ORDER BY role, position";

PG__EMIT(emit_file, struct store_right_file, store_right_file_cb)

/* pg__decode_fn for the columns of q_file_list. */
static ips_status decode_file(const struct pg__row *st, void *row)
{
    struct store_right_file *f = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, f->right_id)) ||
        (result = PG__COL_FIELD(st, 1, f->sha256)) ||
        (result = PG__COL_FIELD(st, 2, f->role)))
        return result;
    f->position = pg__col_int(st, 3);
    return IPS_OK;
}

/* pg__bind_fn for q_file_insert. */
static ips_status bind_file_insert(struct pg__stmt *q, const void *arg)
{
    const struct store_right_file *f = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, f->right_id)) ||
        (result = PG__BIND_FIELD(q, 2, f->sha256)) ||
        (result = PG__BIND_FIELD(q, 3, f->role)))
        return result;
    return pg__bind_int64(q, 4, f->position);
}

static ips_status file_insert(struct store *s, const struct store_right_file *f)
{
    return pg__write(pg__from(s), q_file_insert, bind_file_insert, f, false);
}

static ips_status file_list(struct store *s, const char *right_id, store_right_file_cb cb,
                            void *arg)
{
    struct store_right_file f;
    return pg__list(pg__from(s), q_file_list, pg__bind_key, right_id, decode_file,
                    &f, sizeof f, emit_file, &(struct emit_file){cb, arg});
}

const struct store_rights_ops pg__rights_ops = {
    .application_insert = application_insert,
    .application_get = application_get,
    .application_update = application_update,
    .application_list = application_list,
    .auth_insert = auth_insert,
    .auth_get = auth_get,
    .auth_update = auth_update,
    .auth_active = auth_active,
    .auth_list = auth_list,
    .right_insert = right_insert,
    .right_get = right_get,
    .right_update = right_update,
    .right_list = right_list,
    .file_insert = file_insert,
    .file_list = file_list,
};

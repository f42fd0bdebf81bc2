/*
 * pg_litigation.c — PostgreSQL implementation of store_litigation.h (tables
 * of migrations_pg/0013_litigation_case_files.sql and the status columns of
 * 0017; read-only lookups in the notice and detection tables). Contracts:
 * store_litigation.h. The statements are those of sqlite_litigation.c; the
 * optional filter of the listing is typed ($1::text IS NULL) and the status
 * update numbers its parameters densely, as a prepared statement must use
 * every parameter it is given.
 */
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_litigation_backend.h"

/* ---- files ---------------------------------------------------------------------------- */

#define FILE_COLUMNS                                                                               \
    "id, rightholder_org_id, seller_org_id, opened_by, opened_by_org, title, court,"               \
    " period_from, period_to, listings, evidence_sha256, manifest_sha256, created_ms,"         \
    " status, outcome, outcome_amount_minor, outcome_currency, status_ms"

static const char q_file_insert[] =
    "INSERT INTO litigation_files (" FILE_COLUMNS ")"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
static const char q_file_set_status[] =
    "UPDATE litigation_files SET status = $2, outcome = $3, outcome_amount_minor = $4,"
    " outcome_currency = $5, status_ms = $6 WHERE id = $1";
static const char q_file_update[] =
    "UPDATE litigation_files SET listings = $2, evidence_sha256 = $3, manifest_sha256 = $4"
    " WHERE id = $1";
static const char q_file_get[] = "SELECT " FILE_COLUMNS " FROM litigation_files WHERE id = $1";
static const char q_file_list[] =
    "SELECT " FILE_COLUMNS " FROM litigation_files"
    " WHERE ($1::text IS NULL OR rightholder_org_id = $1 OR opened_by_org = $1)"
    " AND id > $2 ORDER BY id LIMIT $3";

static ips_status decode_file(const struct pg__row *st, void *row)
{
    struct store_litigation *f = row;
    ips_status r;
    memset(f, 0, sizeof *f);
    if ((r = PG__COL_FIELD(st, 0, f->id)) ||
        (r = PG__COL_FIELD(st, 1, f->rightholder_org_id)) ||
        (r = PG__COL_FIELD(st, 2, f->seller_org_id)) ||
        (r = PG__COL_FIELD(st, 3, f->opened_by)) ||
        (r = PG__COL_FIELD(st, 4, f->opened_by_org)) ||
        (r = PG__COL_FIELD(st, 5, f->title)) || (r = PG__COL_FIELD(st, 6, f->court)) ||
        (r = PG__COL_FIELD(st, 7, f->period_from)) ||
        (r = PG__COL_FIELD(st, 8, f->period_to)) ||
        (r = PG__COL_FIELD(st, 10, f->evidence_sha256)) ||
        (r = PG__COL_FIELD(st, 11, f->manifest_sha256)) ||
        (r = PG__COL_FIELD(st, 13, f->status)) || (r = PG__COL_FIELD(st, 14, f->outcome)) ||
        (r = PG__COL_FIELD(st, 16, f->outcome_currency)))
        return r;
    f->listings = pg__col_int64(st, 9);
    f->created_ms = pg__col_int64(st, 12);
    f->outcome_amount_minor = pg__col_int64(st, 15);
    f->status_ms = pg__col_int64(st, 17);
    return IPS_OK;
}

/* $first..$first+4: the status and outcome of f (from $14 in q_file_insert,
 * from $2 in q_file_set_status). */
static ips_status bind_file_status(struct pg__stmt *q, int first, const struct store_litigation *f)
{
    ips_status r;
    if ((r = PG__BIND_FIELD(q, first, f->status)) ||
        (r = PG__BIND_FIELD(q, first + 1, f->outcome)) ||
        (r = pg__bind_int64(q, first + 2, f->outcome_amount_minor)) ||
        (r = PG__BIND_FIELD(q, first + 3, f->outcome_currency)))
        return r;
    return pg__bind_int64(q, first + 4, f->status_ms);
}

static ips_status bind_file(struct pg__stmt *q, const void *arg)
{
    const struct store_litigation *f = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, f->id)) ||
        (r = PG__BIND_FIELD(q, 2, f->rightholder_org_id)) ||
        (r = PG__BIND_FIELD(q, 3, f->seller_org_id)) ||
        (r = PG__BIND_FIELD(q, 4, f->opened_by)) ||
        (r = PG__BIND_FIELD(q, 5, f->opened_by_org)) ||
        (r = PG__BIND_FIELD(q, 6, f->title)) || (r = PG__BIND_FIELD(q, 7, f->court)) ||
        (r = PG__BIND_FIELD(q, 8, f->period_from)) ||
        (r = PG__BIND_FIELD(q, 9, f->period_to)) ||
        (r = pg__bind_int64(q, 10, f->listings)) ||
        (r = PG__BIND_FIELD(q, 11, f->evidence_sha256)) ||
        (r = PG__BIND_FIELD(q, 12, f->manifest_sha256)) ||
        (r = pg__bind_int64(q, 13, f->created_ms)))
        return r;
    return bind_file_status(q, 14, f);
}

static ips_status file_insert(struct store *s, const struct store_litigation *f)
{
    return pg__write(pg__from(s), q_file_insert, bind_file, f, false);
}

static ips_status bind_file_update(struct pg__stmt *q, const void *arg)
{
    const struct store_litigation *f = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, f->id)) || (r = pg__bind_int64(q, 2, f->listings)) ||
        (r = PG__BIND_FIELD(q, 3, f->evidence_sha256)))
        return r;
    return PG__BIND_FIELD(q, 4, f->manifest_sha256);
}

static ips_status file_update(struct store *s, const struct store_litigation *f)
{
    return pg__write(pg__from(s), q_file_update, bind_file_update, f, true);
}

static ips_status bind_file_set_status(struct pg__stmt *q, const void *arg)
{
    const struct store_litigation *f = arg;
    ips_status r = PG__BIND_FIELD(q, 1, f->id);
    return r ? r : bind_file_status(q, 2, f);
}

static ips_status file_set_status(struct store *s, const struct store_litigation *f)
{
    return pg__write(pg__from(s), q_file_set_status, bind_file_set_status, f, true);
}

static ips_status file_get(struct store *s, const char *id, struct store_litigation *out)
{
    struct store_litigation tmp;
    return pg__get_key(pg__from(s), q_file_get, id, decode_file, &tmp, out, sizeof tmp);
}

PG__EMIT(emit_file, struct store_litigation, store_litigation_cb)

static ips_status file_list(struct store *s, const char *only_org, const char *after, int limit,
                            store_litigation_cb cb, void *arg)
{
    struct store_litigation row;
    struct pg__page page = {only_org, after, limit};
    return pg__list(pg__from(s), q_file_list, pg__bind_page_fn, &page, decode_file,
                        &row, sizeof row, emit_file, &(struct emit_file){cb, arg});
}

/* ---- damages -------------------------------------------------------------------------- */

static const char q_damage_insert[] =
    "INSERT INTO litigation_damages (file_id, seq, listing_id, title, basis, currency,"
    " price_minor, units, amount_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char q_damage_list[] =
    "SELECT file_id, seq, listing_id, title, basis, currency, price_minor, units, amount_minor"
    " FROM litigation_damages WHERE file_id = $1 ORDER BY seq";

static ips_status decode_damage(const struct pg__row *st, void *row)
{
    struct store_litigation_damage *d = row;
    ips_status r;
    memset(d, 0, sizeof *d);
    if ((r = PG__COL_FIELD(st, 0, d->file_id)) ||
        (r = PG__COL_FIELD(st, 2, d->listing_id)) || (r = PG__COL_FIELD(st, 3, d->title)) ||
        (r = PG__COL_FIELD(st, 4, d->basis)) || (r = PG__COL_FIELD(st, 5, d->currency)))
        return r;
    d->seq = pg__col_int64(st, 1);
    d->price_minor = pg__col_int64(st, 6);
    d->units = pg__col_int64(st, 7);
    d->amount_minor = pg__col_int64(st, 8);
    return IPS_OK;
}

static ips_status bind_damage(struct pg__stmt *q, const void *arg)
{
    const struct store_litigation_damage *d = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, d->file_id)) || (r = pg__bind_int64(q, 2, d->seq)) ||
        (r = PG__BIND_FIELD(q, 3, d->listing_id)) || (r = PG__BIND_FIELD(q, 4, d->title)) ||
        (r = PG__BIND_FIELD(q, 5, d->basis)) || (r = PG__BIND_FIELD(q, 6, d->currency)) ||
        (r = pg__bind_int64(q, 7, d->price_minor)) || (r = pg__bind_int64(q, 8, d->units)))
        return r;
    return pg__bind_int64(q, 9, d->amount_minor);
}

static ips_status damage_insert(struct store *s, const struct store_litigation_damage *d)
{
    return pg__write(pg__from(s), q_damage_insert, bind_damage, d, false);
}

PG__EMIT(emit_damage, struct store_litigation_damage, store_litigation_damage_cb)

static ips_status damage_list(struct store *s, const char *file_id, store_litigation_damage_cb cb,
                              void *arg)
{
    struct store_litigation_damage row;
    return pg__list(pg__from(s), q_damage_list, pg__bind_key, file_id, decode_damage,
                        &row, sizeof row, emit_damage, &(struct emit_damage){cb, arg});
}

/* ---- infringing listings ------------------------------------------------------------------ */

/* Upheld items of notices citing the holder's rights, and verdicts the
 * holder confirmed, on the seller's listings. */
static const char q_infringing[] =
    "SELECT i.listing_id, 'notice', i.notice_id FROM notice_items i"
    " JOIN notices n ON n.id = i.notice_id"
    " WHERE i.seller_org_id = $2 AND i.state = 'upheld' AND n.right_org_id = $1"
    " UNION"
    " SELECT v.listing_id, 'detection', v.id FROM detection_verdict_orgs o"
    " JOIN detection_verdicts v ON v.id = o.verdict_id JOIN listings l ON l.id = v.listing_id"
    " WHERE o.org_id = $1 AND o.decision = 'confirmed' AND l.seller_org_id = $2"
    " ORDER BY 1, 2, 3";

struct basis_row {
    char listing_id[STORE_LISTING_ID_MAX + 1];
    char kind[16];
    char ref[ID_SIZE];
};

static ips_status decode_basis(const struct pg__row *st, void *row)
{
    struct basis_row *b = row;
    ips_status r;
    if ((r = PG__COL_FIELD(st, 0, b->listing_id)) || (r = PG__COL_FIELD(st, 1, b->kind)))
        return r;
    return PG__COL_FIELD(st, 2, b->ref);
}

struct emit_basis {
    store_litigation_basis_cb cb;
    void *arg;
};

static ips_status emit_basis(const void *row, void *ctx)
{
    const struct emit_basis *e = ctx;
    const struct basis_row *b = row;
    return e->cb(b->listing_id, b->kind, b->ref, e->arg);
}

struct two_keys {
    const char *a, *b;
};

static ips_status bind_two(struct pg__stmt *q, const void *arg)
{
    const struct two_keys *k = arg;
    ips_status r = pg__bind_text(q, 1, k->a);
    return r ? r : pg__bind_text(q, 2, k->b);
}

static ips_status infringing(struct store *s, const char *holder_org_id, const char *seller_org_id,
                             store_litigation_basis_cb cb, void *arg)
{
    struct basis_row row;
    return pg__list(pg__from(s), q_infringing, bind_two,
                        &(struct two_keys){holder_org_id, seller_org_id}, decode_basis, &row,
                        sizeof row, emit_basis, &(struct emit_basis){cb, arg});
}

const struct store_litigation_ops pg__litigation_ops = {
    .file_insert = file_insert,
    .file_update = file_update,
    .file_set_status = file_set_status,
    .file_get = file_get,
    .file_list = file_list,
    .damage_insert = damage_insert,
    .damage_list = damage_list,
    .infringing = infringing,
};

/*
 * pg_referrals.c — PostgreSQL implementation of store_referrals.h (tables of
 * migrations_pg/0009_referrals.sql and the referral_files table of 0013).
 * Contracts: store_referrals.h. The statements are those of
 * sqlite_referrals.c in PostgreSQL's dialect: typed NULL tests of the
 * optional filters, ON CONFLICT DO NOTHING for the idempotent inserts, and
 * the updates bind exactly the parameters they use.
 */
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_referrals_backend.h"

/* ---- agencies -------------------------------------------------------------------- */

#define AGENCY_SELECT                                                                              \
    "SELECT a.org_id, o.name, a.country, a.cross_border, a.mou_ref, a.mou_from, a.mou_until,"      \
    " a.created_ms, a.updated_ms FROM agencies a JOIN orgs o ON o.id = a.org_id"

static const char q_agency_put[] =
    "INSERT INTO agencies (org_id, country, cross_border, mou_ref, mou_from, mou_until,"
    " created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    " ON CONFLICT (org_id) DO UPDATE SET country = excluded.country,"
    " cross_border = excluded.cross_border, mou_ref = excluded.mou_ref,"
    " mou_from = excluded.mou_from, mou_until = excluded.mou_until,"
    " updated_ms = excluded.updated_ms";
static const char q_agency_get[] = AGENCY_SELECT " WHERE a.org_id = $1";
static const char q_agency_list[] = AGENCY_SELECT " WHERE ($1::text IS NULL OR a.org_id = $1)"
                                                  " AND a.org_id > $2 ORDER BY a.org_id LIMIT $3";
static const char q_agency_exists[] = "SELECT org_id FROM agencies WHERE org_id = $1";
static const char q_juris_clear[] = "DELETE FROM agency_jurisdictions WHERE agency_org_id = $1";
static const char q_juris_add[] =
    "INSERT INTO agency_jurisdictions (agency_org_id, code) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING";
static const char q_juris_list[] =
    "SELECT code FROM agency_jurisdictions WHERE agency_org_id = $1 ORDER BY code";

static ips_status decode_agency(const struct pg__row *st, void *row)
{
    struct store_agency *a = row;
    ips_status r;
    memset(a, 0, sizeof *a);
    if ((r = PG__COL_FIELD(st, 0, a->org_id)) || (r = PG__COL_FIELD(st, 1, a->name)) ||
        (r = PG__COL_FIELD(st, 2, a->country)) || (r = PG__COL_FIELD(st, 4, a->mou_ref)) ||
        (r = PG__COL_FIELD(st, 5, a->mou_from)) || (r = PG__COL_FIELD(st, 6, a->mou_until)))
        return r;
    a->cross_border = pg__col_int64(st, 3) != 0;
    a->created_ms = pg__col_int64(st, 7);
    a->updated_ms = pg__col_int64(st, 8);
    return IPS_OK;
}

static ips_status bind_agency(struct pg__stmt *q, const void *arg)
{
    const struct store_agency *a = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, a->org_id)) || (r = PG__BIND_FIELD(q, 2, a->country)) ||
        (r = pg__bind_int64(q, 3, a->cross_border)) ||
        (r = PG__BIND_FIELD(q, 4, a->mou_ref)) || (r = PG__BIND_FIELD(q, 5, a->mou_from)) ||
        (r = PG__BIND_FIELD(q, 6, a->mou_until)) ||
        (r = pg__bind_int64(q, 7, a->created_ms)))
        return r;
    return pg__bind_int64(q, 8, a->updated_ms);
}

static ips_status agency_put(struct store *s, const struct store_agency *a)
{
    return pg__write(pg__from(s), q_agency_put, bind_agency, a, false);
}

static ips_status agency_get(struct store *s, const char *org_id, struct store_agency *out)
{
    struct store_agency tmp;
    return pg__get_key(pg__from(s), q_agency_get, org_id, decode_agency, &tmp, out,
                           sizeof tmp);
}

PG__EMIT(emit_agency, struct store_agency, store_agency_cb)

static ips_status agency_list(struct store *s, const char *after, int limit, store_agency_cb cb,
                              void *arg)
{
    struct store_agency row;
    struct pg__page page = {NULL, after, limit};
    return pg__list(pg__from(s), q_agency_list, pg__bind_page_fn, &page, decode_agency,
                        &row, sizeof row, emit_agency, &(struct emit_agency){cb, arg});
}

/* One text column, for the code and id lists. */
struct code_row {
    char text[ID_SIZE + 8];
};

static ips_status decode_code(const struct pg__row *st, void *row)
{
    struct code_row *c = row;
    return PG__COL_FIELD(st, 0, c->text);
}

struct emit_code {
    store_code_cb cb;
    void *arg;
};

static ips_status emit_code(const void *row, void *ctx)
{
    const struct emit_code *e = ctx;
    return e->cb(((const struct code_row *)row)->text, e->arg);
}

/* List a one-column query keyed by key at $1 into cb. */
static ips_status list_codes(struct store *s, const char *sql, const char *key, store_code_cb cb,
                             void *arg)
{
    struct code_row row;
    return pg__list(pg__from(s), sql, pg__bind_key, key, decode_code, &row, sizeof row,
                        emit_code, &(struct emit_code){cb, arg});
}

/* Two text keys at $1 and $2. */
struct pair {
    const char *a, *b;
};

static ips_status bind_pair(struct pg__stmt *q, const void *arg)
{
    const struct pair *p = arg;
    ips_status r = pg__bind_text(q, 1, p->a);
    return r ? r : pg__bind_text(q, 2, p->b);
}

static ips_status jurisdictions_set(struct store *s, const char *org_id, const char *const *codes,
                                    size_t n)
{
    struct pg_store *ss = pg__from(s);
    struct code_row found;
    ips_status r =
        pg__get_key(ss, q_agency_exists, org_id, decode_code, &found, &found, sizeof found);
    if (r || (r = pg__write(ss, q_juris_clear, pg__bind_key, org_id, false)))
        return r;
    for (size_t i = 0; i < n && !r; i++)
        r = pg__write(ss, q_juris_add, bind_pair, &(struct pair){org_id, codes[i]}, false);
    return r;
}

static ips_status jurisdiction_list(struct store *s, const char *org_id, store_code_cb cb,
                                    void *arg)
{
    return list_codes(s, q_juris_list, org_id, cb, arg);
}

/* ---- referrals ------------------------------------------------------------------- */

#define REFERRAL_COLS                                                                              \
    "id, seller_org_id, network_id, created_by, summary, tlp, ship_from, route_note,"              \
    " buyer_countries, status, result, raid_date, arrests, units_seized, value_seized_minor,"      \
    " value_currency, units_sold, evidence_sha256, manifest_sha256, feedback_ms, created_ms,"      \
    " updated_ms"

static const char q_referral_insert[] =
    "INSERT INTO referrals (" REFERRAL_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
    " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";
static const char q_referral_get[] = "SELECT " REFERRAL_COLS " FROM referrals WHERE id = $1";
static const char q_referral_update[] =
    "UPDATE referrals SET tlp = $2, route_note = $3, status = $4, result = $5,"
    " raid_date = $6, arrests = $7, units_seized = $8, value_seized_minor = $9,"
    " value_currency = $10, units_sold = $11, evidence_sha256 = $12, manifest_sha256 = $13,"
    " feedback_ms = $14, updated_ms = $15"
    " WHERE id = $1";
static const char q_referral_list[] =
    "SELECT " REFERRAL_COLS " FROM referrals r WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM"
    " referral_recipients x WHERE x.referral_id = r.id AND x.agency_org_id = $1))"
    " AND r.id > $2 ORDER BY r.id LIMIT $3";

static ips_status decode_referral(const struct pg__row *st, void *row)
{
    struct store_referral *f = row;
    ips_status r;
    memset(f, 0, sizeof *f);
    if ((r = PG__COL_FIELD(st, 0, f->id)) || (r = PG__COL_FIELD(st, 1, f->seller_org_id)) ||
        (r = PG__COL_FIELD(st, 2, f->network_id)) ||
        (r = PG__COL_FIELD(st, 3, f->created_by)) ||
        (r = PG__COL_FIELD(st, 4, f->summary)) || (r = PG__COL_FIELD(st, 5, f->tlp)) ||
        (r = PG__COL_FIELD(st, 6, f->ship_from)) ||
        (r = PG__COL_FIELD(st, 7, f->route_note)) ||
        (r = PG__COL_FIELD(st, 8, f->buyer_countries)) ||
        (r = PG__COL_FIELD(st, 9, f->status)) || (r = PG__COL_FIELD(st, 10, f->result)) ||
        (r = PG__COL_FIELD(st, 11, f->raid_date)) ||
        (r = PG__COL_FIELD(st, 15, f->value_currency)) ||
        (r = PG__COL_FIELD(st, 17, f->evidence_sha256)) ||
        (r = PG__COL_FIELD(st, 18, f->manifest_sha256)))
        return r;
    f->arrests = pg__col_int64(st, 12);
    f->units_seized = pg__col_int64(st, 13);
    f->value_seized_minor = pg__col_int64(st, 14);
    f->units_sold = pg__col_int64(st, 16);
    f->feedback_ms = pg__col_int64(st, 19);
    f->created_ms = pg__col_int64(st, 20);
    f->updated_ms = pg__col_int64(st, 21);
    return IPS_OK;
}

/* Binds every column in REFERRAL_COLS order, for the insert. */
static ips_status bind_referral(struct pg__stmt *q, const void *arg)
{
    const struct store_referral *f = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, f->id)) || (r = PG__BIND_FIELD(q, 2, f->seller_org_id)) ||
        (r = PG__BIND_FIELD(q, 3, f->network_id)) ||
        (r = PG__BIND_FIELD(q, 4, f->created_by)) ||
        (r = PG__BIND_FIELD(q, 5, f->summary)) || (r = PG__BIND_FIELD(q, 6, f->tlp)) ||
        (r = PG__BIND_FIELD(q, 7, f->ship_from)) ||
        (r = PG__BIND_FIELD(q, 8, f->route_note)) ||
        (r = PG__BIND_FIELD(q, 9, f->buyer_countries)) ||
        (r = PG__BIND_FIELD(q, 10, f->status)) || (r = PG__BIND_FIELD(q, 11, f->result)) ||
        (r = PG__BIND_FIELD(q, 12, f->raid_date)) ||
        (r = pg__bind_int64(q, 13, f->arrests)) ||
        (r = pg__bind_int64(q, 14, f->units_seized)) ||
        (r = pg__bind_int64(q, 15, f->value_seized_minor)) ||
        (r = PG__BIND_FIELD(q, 16, f->value_currency)) ||
        (r = pg__bind_int64(q, 17, f->units_sold)) ||
        (r = PG__BIND_FIELD(q, 18, f->evidence_sha256)) ||
        (r = PG__BIND_FIELD(q, 19, f->manifest_sha256)) ||
        (r = pg__bind_int64(q, 20, f->feedback_ms)) ||
        (r = pg__bind_int64(q, 21, f->created_ms)))
        return r;
    return pg__bind_int64(q, 22, f->updated_ms);
}

static ips_status referral_insert(struct store *s, const struct store_referral *f)
{
    return pg__write(pg__from(s), q_referral_insert, bind_referral, f, false);
}

static ips_status referral_get(struct store *s, const char *id, struct store_referral *out)
{
    struct store_referral tmp;
    return pg__get_key(pg__from(s), q_referral_get, id, decode_referral, &tmp, out,
                           sizeof tmp);
}

/* Binds the id and the columns an update may change, in q_referral_update's
 * numbering: a prepared statement must use every parameter it is given (the
 * server cannot type an unused text parameter). */
static ips_status bind_referral_update(struct pg__stmt *q, const void *arg)
{
    const struct store_referral *f = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, f->id)) || (r = PG__BIND_FIELD(q, 2, f->tlp)) ||
        (r = PG__BIND_FIELD(q, 3, f->route_note)) || (r = PG__BIND_FIELD(q, 4, f->status)) ||
        (r = PG__BIND_FIELD(q, 5, f->result)) || (r = PG__BIND_FIELD(q, 6, f->raid_date)) ||
        (r = pg__bind_int64(q, 7, f->arrests)) || (r = pg__bind_int64(q, 8, f->units_seized)) ||
        (r = pg__bind_int64(q, 9, f->value_seized_minor)) ||
        (r = PG__BIND_FIELD(q, 10, f->value_currency)) ||
        (r = pg__bind_int64(q, 11, f->units_sold)) ||
        (r = PG__BIND_FIELD(q, 12, f->evidence_sha256)) ||
        (r = PG__BIND_FIELD(q, 13, f->manifest_sha256)) ||
        (r = pg__bind_int64(q, 14, f->feedback_ms)))
        return r;
    return pg__bind_int64(q, 15, f->updated_ms);
}

static ips_status referral_update(struct store *s, const struct store_referral *f)
{
    return pg__write(pg__from(s), q_referral_update, bind_referral_update, f, true);
}

PG__EMIT(emit_referral, struct store_referral, store_referral_cb)

static ips_status referral_list(struct store *s, const char *only_agency, const char *after,
                                int limit, store_referral_cb cb, void *arg)
{
    struct pg__page page = {only_agency, after, limit};
    return pg__list(pg__from(s), q_referral_list, pg__bind_page_fn, &page,
                        decode_referral, NULL, sizeof(struct store_referral), emit_referral,
                        &(struct emit_referral){cb, arg});
}

/* ---- recipients ------------------------------------------------------------------ */

static const char q_recipient_insert[] =
    "INSERT INTO referral_recipients (referral_id, agency_org_id, kind, needs_approval,"
    " approved_by, approved_ms) VALUES ($1, $2, $3, $4, $5, $6)";
static const char q_recipient_clear[] = "DELETE FROM referral_recipients WHERE referral_id = $1";
static const char q_recipient_approve[] =
    "UPDATE referral_recipients SET approved_by = $3, approved_ms = $4"
    " WHERE referral_id = $1 AND agency_org_id = $2";
static const char q_recipient_list[] =
    "SELECT x.referral_id, x.agency_org_id, o.name, x.kind, x.needs_approval, x.approved_by,"
    " x.approved_ms FROM referral_recipients x JOIN orgs o ON o.id = x.agency_org_id"
    " WHERE x.referral_id = $1 ORDER BY x.kind DESC, x.agency_org_id";

static ips_status decode_recipient(const struct pg__row *st, void *row)
{
    struct store_referral_recipient *x = row;
    ips_status r;
    memset(x, 0, sizeof *x);
    if ((r = PG__COL_FIELD(st, 0, x->referral_id)) ||
        (r = PG__COL_FIELD(st, 1, x->agency_org_id)) ||
        (r = PG__COL_FIELD(st, 2, x->agency_name)) || (r = PG__COL_FIELD(st, 3, x->kind)) ||
        (r = PG__COL_FIELD(st, 5, x->approved_by)))
        return r;
    x->needs_approval = pg__col_int64(st, 4) != 0;
    x->approved_ms = pg__col_int64(st, 6);
    return IPS_OK;
}

static ips_status bind_recipient(struct pg__stmt *q, const void *arg)
{
    const struct store_referral_recipient *x = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, x->referral_id)) ||
        (r = PG__BIND_FIELD(q, 2, x->agency_org_id)) ||
        (r = PG__BIND_FIELD(q, 3, x->kind)) ||
        (r = pg__bind_int64(q, 4, x->needs_approval)) ||
        (r = PG__BIND_FIELD(q, 5, x->approved_by)))
        return r;
    return pg__bind_int64(q, 6, x->approved_ms);
}

static ips_status recipient_insert(struct store *s, const struct store_referral_recipient *x)
{
    return pg__write(pg__from(s), q_recipient_insert, bind_recipient, x, false);
}

static ips_status recipient_clear(struct store *s, const char *referral_id)
{
    return pg__write(pg__from(s), q_recipient_clear, pg__bind_key, referral_id, false);
}

/* The key and the approval, in q_recipient_approve's numbering (every
 * parameter of a prepared statement must be used). */
static ips_status bind_approval(struct pg__stmt *q, const void *arg)
{
    const struct store_referral_recipient *x = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, x->referral_id)) ||
        (r = PG__BIND_FIELD(q, 2, x->agency_org_id)) || (r = PG__BIND_FIELD(q, 3, x->approved_by)))
        return r;
    return pg__bind_int64(q, 4, x->approved_ms);
}

static ips_status recipient_approve(struct store *s, const struct store_referral_recipient *x)
{
    return pg__write(pg__from(s), q_recipient_approve, bind_approval, x, true);
}

PG__EMIT(emit_recipient, struct store_referral_recipient, store_recipient_cb)

static ips_status recipient_list(struct store *s, const char *referral_id, store_recipient_cb cb,
                                 void *arg)
{
    struct store_referral_recipient row;
    return pg__list(pg__from(s), q_recipient_list, pg__bind_key, referral_id,
                        decode_recipient, &row, sizeof row, emit_recipient,
                        &(struct emit_recipient){cb, arg});
}

/* ---- sellers, right holders ------------------------------------------------------ */

static const char q_seller_add[] =
    "INSERT INTO referral_sellers (referral_id, seller_org_id) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING";
static const char q_seller_list[] =
    "SELECT seller_org_id FROM referral_sellers WHERE referral_id = $1 ORDER BY seller_org_id";
static const char q_rh_add[] =
    "INSERT INTO referral_rightholders (referral_id, org_id) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING";
static const char q_rh_list[] =
    "SELECT org_id FROM referral_rightholders WHERE referral_id = $1 ORDER BY org_id";
static const char q_rh_has[] =
    "SELECT org_id FROM referral_rightholders WHERE referral_id = $1 AND org_id = $2";

static ips_status seller_add(struct store *s, const char *referral_id, const char *seller_org_id)
{
    return pg__write(pg__from(s), q_seller_add, bind_pair,
                         &(struct pair){referral_id, seller_org_id}, false);
}

static ips_status seller_list(struct store *s, const char *referral_id, store_code_cb cb, void *arg)
{
    return list_codes(s, q_seller_list, referral_id, cb, arg);
}

static ips_status rightholder_add(struct store *s, const char *referral_id, const char *org_id)
{
    return pg__write(pg__from(s), q_rh_add, bind_pair, &(struct pair){referral_id, org_id},
                         false);
}

static ips_status rightholder_list(struct store *s, const char *referral_id, store_code_cb cb,
                                   void *arg)
{
    return list_codes(s, q_rh_list, referral_id, cb, arg);
}

static ips_status rightholder_has(struct store *s, const char *referral_id, const char *org_id,
                                  bool *found)
{
    struct code_row tmp, out;
    ips_status r =
        pg__get_one(pg__from(s), q_rh_has, bind_pair, &(struct pair){referral_id, org_id},
                        decode_code, &tmp, &out, sizeof out);
    if (r && r != IPS_ERR_NOT_FOUND)
        return r;
    *found = r == IPS_OK;
    return IPS_OK;
}

/* ---- case updates ---------------------------------------------------------------- */

static const char q_update_insert[] =
    "INSERT INTO referral_updates (id, referral_id, actor, status, note, created_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char q_update_list[] =
    "SELECT id, referral_id, actor, status, note, created_ms FROM referral_updates"
    " WHERE referral_id = $1 ORDER BY id";

static ips_status decode_update(const struct pg__row *st, void *row)
{
    struct store_referral_update *u = row;
    ips_status r;
    memset(u, 0, sizeof *u);
    if ((r = PG__COL_FIELD(st, 0, u->id)) || (r = PG__COL_FIELD(st, 1, u->referral_id)) ||
        (r = PG__COL_FIELD(st, 2, u->actor)) || (r = PG__COL_FIELD(st, 3, u->status)) ||
        (r = PG__COL_FIELD(st, 4, u->note)))
        return r;
    u->created_ms = pg__col_int64(st, 5);
    return IPS_OK;
}

static ips_status bind_update(struct pg__stmt *q, const void *arg)
{
    const struct store_referral_update *u = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, u->id)) || (r = PG__BIND_FIELD(q, 2, u->referral_id)) ||
        (r = PG__BIND_FIELD(q, 3, u->actor)) || (r = PG__BIND_FIELD(q, 4, u->status)) ||
        (r = PG__BIND_FIELD(q, 5, u->note)))
        return r;
    return pg__bind_int64(q, 6, u->created_ms);
}

static ips_status update_insert(struct store *s, const struct store_referral_update *u)
{
    return pg__write(pg__from(s), q_update_insert, bind_update, u, false);
}

PG__EMIT(emit_update, struct store_referral_update, store_referral_update_cb)

static ips_status update_list(struct store *s, const char *referral_id, store_referral_update_cb cb,
                              void *arg)
{
    return pg__list(pg__from(s), q_update_list, pg__bind_key, referral_id,
                        decode_update, NULL, sizeof(struct store_referral_update), emit_update,
                        &(struct emit_update){cb, arg});
}

/* ---- linked sellers (evidence) ------------------------------------------------------ */

static const char q_linked[] = "SELECT DISTINCT b.seller_org_id, a.kind FROM seller_identifiers a"
                               " JOIN seller_identifiers b ON b.kind = a.kind AND b.hash = a.hash"
                               " WHERE a.seller_org_id = $1 AND b.seller_org_id <> $1"
                               " ORDER BY b.seller_org_id, a.kind LIMIT 1000";

struct link_row {
    char seller[ID_SIZE];
    char kind[STORE_KIND_MAX + 1];
};

static ips_status decode_link(const struct pg__row *st, void *row)
{
    struct link_row *l = row;
    ips_status r = PG__COL_FIELD(st, 0, l->seller);
    return r ? r : PG__COL_FIELD(st, 1, l->kind);
}

struct emit_link {
    store_link_cb cb;
    void *arg;
};

static ips_status emit_link(const void *row, void *ctx)
{
    const struct emit_link *e = ctx;
    const struct link_row *l = row;
    return e->cb(l->seller, l->kind, e->arg);
}

static ips_status linked_sellers(struct store *s, const char *seller_org_id, store_link_cb cb,
                                 void *arg)
{
    struct link_row row;
    return pg__list(pg__from(s), q_linked, pg__bind_key, seller_org_id, decode_link,
                        &row, sizeof row, emit_link, &(struct emit_link){cb, arg});
}

/* ---- case files ------------------------------------------------------------------------ */

static const char q_file_insert[] =
    "INSERT INTO referral_files (referral_id, sha256, name, mime, size, note, added_by,"
    " created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char q_file_list[] =
    "SELECT referral_id, sha256, name, mime, size, note, added_by, created_ms"
    " FROM referral_files WHERE referral_id = $1 ORDER BY created_ms, sha256";

static ips_status decode_file(const struct pg__row *st, void *row)
{
    struct store_referral_file *f = row;
    ips_status r;
    memset(f, 0, sizeof *f);
    if ((r = PG__COL_FIELD(st, 0, f->referral_id)) ||
        (r = PG__COL_FIELD(st, 1, f->sha256)) || (r = PG__COL_FIELD(st, 2, f->name)) ||
        (r = PG__COL_FIELD(st, 3, f->mime)) || (r = PG__COL_FIELD(st, 5, f->note)) ||
        (r = PG__COL_FIELD(st, 6, f->added_by)))
        return r;
    f->size = pg__col_int64(st, 4);
    f->created_ms = pg__col_int64(st, 7);
    return IPS_OK;
}

static ips_status bind_file(struct pg__stmt *q, const void *arg)
{
    const struct store_referral_file *f = arg;
    ips_status r;
    if ((r = PG__BIND_FIELD(q, 1, f->referral_id)) ||
        (r = PG__BIND_FIELD(q, 2, f->sha256)) || (r = PG__BIND_FIELD(q, 3, f->name)) ||
        (r = PG__BIND_FIELD(q, 4, f->mime)) || (r = pg__bind_int64(q, 5, f->size)) ||
        (r = PG__BIND_FIELD(q, 6, f->note)) || (r = PG__BIND_FIELD(q, 7, f->added_by)))
        return r;
    return pg__bind_int64(q, 8, f->created_ms);
}

static ips_status file_insert(struct store *s, const struct store_referral_file *f)
{
    return pg__write(pg__from(s), q_file_insert, bind_file, f, false);
}

PG__EMIT(emit_file, struct store_referral_file, store_referral_file_cb)

static ips_status file_list(struct store *s, const char *referral_id, store_referral_file_cb cb,
                            void *arg)
{
    struct store_referral_file row;
    return pg__list(pg__from(s), q_file_list, pg__bind_key, referral_id, decode_file,
                        &row, sizeof row, emit_file, &(struct emit_file){cb, arg});
}

const struct store_referrals_ops pg__referrals_ops = {
    .agency_put = agency_put,
    .agency_get = agency_get,
    .agency_list = agency_list,
    .jurisdictions_set = jurisdictions_set,
    .jurisdiction_list = jurisdiction_list,
    .referral_insert = referral_insert,
    .referral_get = referral_get,
    .referral_update = referral_update,
    .referral_list = referral_list,
    .recipient_insert = recipient_insert,
    .recipient_clear = recipient_clear,
    .recipient_approve = recipient_approve,
    .recipient_list = recipient_list,
    .seller_add = seller_add,
    .seller_list = seller_list,
    .rightholder_add = rightholder_add,
    .rightholder_list = rightholder_list,
    .rightholder_has = rightholder_has,
    .update_insert = update_insert,
    .update_list = update_list,
    .linked_sellers = linked_sellers,
    .file_insert = file_insert,
    .file_list = file_list,
};

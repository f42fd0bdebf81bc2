/*
 * sqlite_catalog.c — the SQLite implementation of store_catalog.h.
 *
 * listings_fts (FTS5, external content over listing_versions) indexes the
 * current version of each listing only, by its row listing_versions.vrow;
 * it is updated by the same functions that change the current version, so
 * it is always in step inside the caller's transaction.
 */
#include <string.h>

#include "store/sqlite_internal.h"
#include "store/store_catalog_backend.h"

#include "core/log.h"

/* ---- SQL ------------------------------------------------------------------- */

#define SELLER_COLS "org_id, external_id, display_name, ship_from, created_ms, updated_ms"
#define LISTING_COLS                                                                         \
    "l.id, l.seller_org_id, l.state, l.current_version, l.current_hash, l.created_ms, "     \
    "l.updated_ms"
#define VERSION_COLS                                                                         \
    "v.listing_id, v.version, v.title, v.description, v.price_minor, v.currency, "          \
    "v.category, v.images, v.ship_from, v.units_sold, v.content_hash, v.created_ms"
#define LISTING_NCOLS 7

static const char q_seller_insert[] = "INSERT INTO seller_profiles (" SELLER_COLS
                                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_seller_update[] =
    "UPDATE seller_profiles SET display_name = ?2, ship_from = ?3, updated_ms = ?4"
    " WHERE org_id = ?1";
static const char q_seller_get[] = "SELECT " SELLER_COLS " FROM seller_profiles WHERE org_id = ?1";
static const char q_seller_get_ext[] =
    "SELECT " SELLER_COLS " FROM seller_profiles WHERE external_id = ?1";

static const char q_ident_add[] =
    "INSERT OR IGNORE INTO seller_identifiers (seller_org_id, kind, hash, created_ms)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char q_ident_sellers[] =
    "SELECT seller_org_id FROM seller_identifiers WHERE kind = ?1 AND hash = ?2"
    " AND seller_org_id > ?3 ORDER BY seller_org_id LIMIT ?4";
static const char q_ident_count[] =
    "SELECT count(*) FROM seller_identifiers WHERE seller_org_id = ?1";

static const char q_listing_insert[] =
    "INSERT INTO listings (id, seller_org_id, state, current_version, current_hash,"
    " current_vrow, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char q_version_insert[] =
    "INSERT INTO listing_versions (listing_id, version, title, description, price_minor,"
    " currency, category, images, ship_from, units_sold, content_hash, created_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char q_fts_insert[] =
    "INSERT INTO listings_fts (rowid, title, description) VALUES (?1, ?2, ?3)";
/* external content: removing a row from the index takes its indexed text */
static const char q_fts_delete[] =
    "INSERT INTO listings_fts (listings_fts, rowid, title, description)"
    " SELECT 'delete', vrow, title, description FROM listing_versions WHERE vrow = ?1";
static const char q_listing_head[] =
    "SELECT current_vrow, current_version FROM listings WHERE id = ?1";
static const char q_listing_make_current[] =
    "UPDATE listings SET current_version = ?2, current_hash = ?3, current_vrow = ?4,"
    " updated_ms = ?5 WHERE id = ?1";
static const char q_listing_set_state[] =
    "UPDATE listings SET state = ?2, updated_ms = ?3 WHERE id = ?1";
static const char q_listing_get[] = "SELECT " LISTING_COLS " FROM listings l WHERE l.id = ?1";
static const char q_version_get[] =
    "SELECT " VERSION_COLS " FROM listing_versions v WHERE v.listing_id = ?1 AND v.version = ?2";
static const char q_listing_list[] =
    "SELECT " LISTING_COLS ", " VERSION_COLS " FROM listings l"
    " JOIN listing_versions v ON v.listing_id = l.id AND v.version = l.current_version"
    " WHERE (?1 IS NULL OR l.seller_org_id = ?1) AND l.id > ?2 ORDER BY l.id LIMIT ?3";
static const char q_listing_search[] =
    "SELECT " LISTING_COLS ", " VERSION_COLS " FROM listings_fts f"
    " JOIN listing_versions v ON v.vrow = f.rowid"
    " JOIN listings l ON l.id = v.listing_id"
    " WHERE listings_fts MATCH ?1 AND (?2 IS NULL OR l.seller_org_id = ?2)"
    " ORDER BY bm25(listings_fts, 3.0, 1.0), v.vrow LIMIT ?3 OFFSET ?4";
static const char q_version_list[] =
    "SELECT " VERSION_COLS " FROM listing_versions v WHERE v.listing_id = ?1"
    " AND (?2 <= 0 OR v.version < ?2) ORDER BY v.version DESC LIMIT ?3";

/* ---- decoding ---------------------------------------------------------------- */

static ips_status decode_seller(sqlite3_stmt *st, void *row)
{
    struct store_seller *sp = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, sp->org_id)) ||
        (result = SQLITE__COL_FIELD(st, 1, sp->external_id)) ||
        (result = SQLITE__COL_FIELD(st, 2, sp->display_name)) ||
        (result = SQLITE__COL_FIELD(st, 3, sp->ship_from)))
        return result;
    sp->created_ms = sqlite3_column_int64(st, 4);
    sp->updated_ms = sqlite3_column_int64(st, 5);
    return IPS_OK;
}

/* Columns base.. of LISTING_COLS into *l. */
static ips_status decode_listing_at(sqlite3_stmt *st, int b, struct store_listing *l)
{
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, b + 0, l->id)) ||
        (result = SQLITE__COL_FIELD(st, b + 1, l->seller_org_id)) ||
        (result = SQLITE__COL_FIELD(st, b + 2, l->state)))
        return result;
    l->current_version = sqlite3_column_int64(st, b + 3);
    if ((result = sqlite__col_hash(st, b + 4, l->current_hash)))
        return result;
    l->created_ms = sqlite3_column_int64(st, b + 5);
    l->updated_ms = sqlite3_column_int64(st, b + 6);
    return IPS_OK;
}

/* Columns base.. of VERSION_COLS into *v. */
static ips_status decode_version_at(sqlite3_stmt *st, int b, struct store_listing_version *v)
{
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, b + 0, v->listing_id)))
        return result;
    v->version = sqlite3_column_int64(st, b + 1);
    if ((result = SQLITE__COL_FIELD(st, b + 2, v->title)) ||
        (result = SQLITE__COL_FIELD(st, b + 3, v->description)))
        return result;
    v->price_minor = sqlite3_column_int64(st, b + 4);
    if ((result = SQLITE__COL_FIELD(st, b + 5, v->currency)) ||
        (result = SQLITE__COL_FIELD(st, b + 6, v->category)) ||
        (result = SQLITE__COL_FIELD(st, b + 7, v->images)) ||
        (result = SQLITE__COL_FIELD(st, b + 8, v->ship_from)))
        return result;
    v->units_sold = sqlite3_column_int64(st, b + 9);
    if ((result = sqlite__col_hash(st, b + 10, v->content_hash)))
        return result;
    v->created_ms = sqlite3_column_int64(st, b + 11);
    return IPS_OK;
}

static ips_status decode_listing(sqlite3_stmt *st, void *row)
{
    return decode_listing_at(st, 0, row);
}

static ips_status decode_version(sqlite3_stmt *st, void *row)
{
    return decode_version_at(st, 0, row);
}

/* ---- sellers ------------------------------------------------------------------ */

static ips_status seller_insert(struct store *s, const struct store_seller *sp)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_seller_insert, &q);
    if (result || (result = SQLITE__BIND_FIELD(&q, 1, sp->org_id)) ||
        (result = SQLITE__BIND_FIELD(&q, 2, sp->external_id)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, sp->display_name)) ||
        (result = SQLITE__BIND_FIELD(&q, 4, sp->ship_from)) ||
        (result = sqlite__bind_int64(&q, 5, sp->created_ms)) ||
        (result = sqlite__bind_int64(&q, 6, sp->updated_ms)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status seller_update(struct store *s, const struct store_seller *sp)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_seller_update, &q);
    if (result || (result = SQLITE__BIND_FIELD(&q, 1, sp->org_id)) ||
        (result = SQLITE__BIND_FIELD(&q, 2, sp->display_name)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, sp->ship_from)) ||
        (result = sqlite__bind_int64(&q, 4, sp->updated_ms)))
        goto out_stmt;
    result = sqlite__run(&q, &changes);
    if (result == IPS_OK && changes == 0)
        result = IPS_ERR_NOT_FOUND;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status seller_fetch(struct store *s, const char *sql, const char *key,
                               struct store_seller *out)
{
    struct sqlite__stmt q;
    struct store_seller tmp;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), sql, &q);
    if (result || (result = sqlite__bind_text(&q, 1, key)))
        goto out_stmt;
    result = sqlite__fetch_one(&q, decode_seller, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status seller_get(struct store *s, const char *org_id, struct store_seller *out)
{
    return seller_fetch(s, q_seller_get, org_id, out);
}

static ips_status seller_get_by_external(struct store *s, const char *external_id,
                                         struct store_seller *out)
{
    return seller_fetch(s, q_seller_get_ext, external_id, out);
}

/* ---- identifiers ------------------------------------------------------------------ */

static ips_status identifier_add(struct store *s, const char *seller_org_id, const char *kind,
                                 const uint8_t hash[STORE_HASH_LEN], int64_t now_ms, bool *added)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_ident_add, &q);
    if (result || (result = sqlite__bind_text(&q, 1, seller_org_id)) ||
        (result = sqlite__bind_text_max(&q, 2, kind, STORE_KIND_MAX)) ||
        (result = sqlite__bind_hash(&q, 3, hash)) || (result = sqlite__bind_int64(&q, 4, now_ms)))
        goto out_stmt;
    result = sqlite__run(&q, &changes);
    if (result == IPS_OK && added)
        *added = changes > 0;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status identifier_sellers(struct store *s, const char *kind,
                                     const uint8_t hash[STORE_HASH_LEN], const char *after,
                                     int limit, store_seller_id_cb cb, void *arg)
{
    struct sqlite__stmt q;
    bool row = false;
    char org_id[ID_SIZE];
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_ident_sellers, &q);
    if (result || (result = sqlite__bind_text(&q, 1, kind)) ||
        (result = sqlite__bind_hash(&q, 2, hash)) ||
        (result = sqlite__bind_text(&q, 3, after ? after : "")) ||
        (result = sqlite__bind_int64(&q, 4, sqlite__page_limit(limit))))
        goto out_stmt;
    while ((result = sqlite__step(&q, &row)) == IPS_OK && row) {
        if ((result = SQLITE__COL_FIELD(q.st, 0, org_id)) || (result = cb(org_id, arg)))
            break;
    }
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status identifier_count(struct store *s, const char *seller_org_id, int64_t *count)
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_ident_count, &q);
    if (result || (result = sqlite__bind_text(&q, 1, seller_org_id)) ||
        (result = sqlite__step(&q, &row)))
        goto out_stmt;
    *count = row ? sqlite3_column_int64(q.st, 0) : 0;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* ---- listings -------------------------------------------------------------------- */

/* Insert one version row. OUT *vrow: its rowid. */
static ips_status version_insert(struct sqlite_store *ss, const struct store_listing_version *v,
                                 int64_t *vrow)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(ss, q_version_insert, &q);
    if (result || (result = SQLITE__BIND_FIELD(&q, 1, v->listing_id)) ||
        (result = sqlite__bind_int64(&q, 2, v->version)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, v->title)) ||
        (result = SQLITE__BIND_FIELD(&q, 4, v->description)) ||
        (result = sqlite__bind_int64(&q, 5, v->price_minor)) ||
        (result = SQLITE__BIND_FIELD(&q, 6, v->currency)) ||
        (result = SQLITE__BIND_FIELD(&q, 7, v->category)) ||
        (result = SQLITE__BIND_FIELD(&q, 8, v->images)) ||
        (result = SQLITE__BIND_FIELD(&q, 9, v->ship_from)) ||
        (result = sqlite__bind_int64(&q, 10, v->units_sold)) ||
        (result = sqlite__bind_hash(&q, 11, v->content_hash)) ||
        (result = sqlite__bind_int64(&q, 12, v->created_ms)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
    if (result == IPS_OK)
        *vrow = sqlite3_last_insert_rowid(ss->db);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* Index version row vrow (its title and description, as stored). */
static ips_status fts_insert(struct sqlite_store *ss, int64_t vrow,
                             const struct store_listing_version *v)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(ss, q_fts_insert, &q);
    if (result || (result = sqlite__bind_int64(&q, 1, vrow)) ||
        (result = SQLITE__BIND_FIELD(&q, 2, v->title)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, v->description)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* Point listing id at version v, stored as row vrow. */
static ips_status make_current(struct sqlite_store *ss, const char *id,
                               const struct store_listing_version *v, int64_t vrow)
{
    struct sqlite__stmt q;
    ips_status result = sqlite__stmt_sql(ss, q_listing_make_current, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)) ||
        (result = sqlite__bind_int64(&q, 2, v->version)) ||
        (result = sqlite__bind_hash(&q, 3, v->content_hash)) ||
        (result = sqlite__bind_int64(&q, 4, vrow)) ||
        (result = sqlite__bind_int64(&q, 5, v->created_ms)))
        goto out_stmt;
    result = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status listing_insert(struct store *s, const struct store_listing *l,
                                 const struct store_listing_version *v)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__stmt q;
    int64_t vrow = 0;
    memset(&q, 0, sizeof q);
    /* the version first, for its rowid (its foreign key to the listing is
     * checked at commit) */
    ips_status result = version_insert(ss, v, &vrow);
    if (result || (result = sqlite__stmt_sql(ss, q_listing_insert, &q)) ||
        (result = SQLITE__BIND_FIELD(&q, 1, l->id)) ||
        (result = SQLITE__BIND_FIELD(&q, 2, l->seller_org_id)) ||
        (result = SQLITE__BIND_FIELD(&q, 3, l->state)) ||
        (result = sqlite__bind_int64(&q, 4, l->current_version)) ||
        (result = sqlite__bind_hash(&q, 5, l->current_hash)) ||
        (result = sqlite__bind_int64(&q, 6, vrow)) ||
        (result = sqlite__bind_int64(&q, 7, l->created_ms)) ||
        (result = sqlite__bind_int64(&q, 8, l->updated_ms)) || (result = sqlite__run(&q, NULL)))
        goto out_stmt;
    result = fts_insert(ss, vrow, v);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status listing_add_version(struct store *s, const struct store_listing_version *v)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__stmt q, d;
    bool row = false;
    int64_t vrow = 0;
    memset(&d, 0, sizeof d);
    ips_status result = sqlite__stmt_sql(ss, q_listing_head, &q);
    if (result || (result = SQLITE__BIND_FIELD(&q, 1, v->listing_id)) ||
        (result = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row) {
        result = IPS_ERR_NOT_FOUND;
        goto out_stmt;
    }
    int64_t old_vrow = sqlite3_column_int64(q.st, 0);
    int64_t current = sqlite3_column_int64(q.st, 1);
    sqlite__stmt_put(&q);
    if (v->version != current + 1) {
        result = IPS_ERR_CONFLICT;
        goto out_stmt;
    }
    /* take the old current version out of the index, put the new one in */
    if ((result = sqlite__stmt_sql(ss, q_fts_delete, &d)) ||
        (result = sqlite__bind_int64(&d, 1, old_vrow)) || (result = sqlite__run(&d, NULL)))
        goto out_stmt;
    if ((result = version_insert(ss, v, &vrow)) || (result = fts_insert(ss, vrow, v)))
        goto out_stmt;
    result = make_current(ss, v->listing_id, v, vrow);
out_stmt:
    sqlite__stmt_put(&d);
    sqlite__stmt_put(&q);
    return result;
}

static ips_status listing_set_state(struct store *s, const char *id, const char *state,
                                    int64_t now_ms)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_listing_set_state, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)) ||
        (result = sqlite__bind_text_max(&q, 2, state, STORE_STATE_MAX)) ||
        (result = sqlite__bind_int64(&q, 3, now_ms)))
        goto out_stmt;
    result = sqlite__run(&q, &changes);
    if (result == IPS_OK && changes == 0)
        result = IPS_ERR_NOT_FOUND;
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status listing_get(struct store *s, const char *id, struct store_listing *out)
{
    struct sqlite__stmt q;
    struct store_listing tmp;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_listing_get, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)))
        goto out_stmt;
    result = sqlite__fetch_one(&q, decode_listing, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status version_get(struct store *s, const char *id, int64_t version,
                              struct store_listing_version *out)
{
    struct sqlite__stmt q;
    struct store_listing_version tmp;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_version_get, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)) ||
        (result = sqlite__bind_int64(&q, 2, version)))
        goto out_stmt;
    result = sqlite__fetch_one(&q, decode_version, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

/* Scratch for one listing row: a listing and its version (too big to put
 * two on every stack frame of a re-entrant callback chain casually). */
struct listing_row {
    struct store_listing l;
    struct store_listing_version v;
};

/* Step q to its end, decoding listing + version rows into *r for cb. */
static ips_status listing_rows(struct sqlite__stmt *q, struct listing_row *r, store_listing_cb cb,
                               void *arg)
{
    bool row = false;
    ips_status result;
    while ((result = sqlite__step(q, &row)) == IPS_OK && row) {
        if ((result = decode_listing_at(q->st, 0, &r->l)) ||
            (result = decode_version_at(q->st, LISTING_NCOLS, &r->v)) ||
            (result = cb(&r->l, &r->v, arg)))
            break;
    }
    return result;
}

static ips_status listing_list(struct store *s, const char *only_seller, const char *after,
                               int limit, store_listing_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct listing_row r;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_listing_list, &q);
    if (result || (result = sqlite__bind_page(&q, only_seller, after, limit)))
        goto out_stmt;
    result = listing_rows(&q, &r, cb, arg);
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status listing_search(struct store *s, const char *fts_query, const char *only_seller,
                                 int64_t offset, int limit, store_listing_cb cb, void *arg)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__stmt q;
    struct listing_row r;
    ips_status result = sqlite__stmt_sql(ss, q_listing_search, &q);
    if (result || (result = sqlite__bind_text(&q, 1, fts_query)) ||
        (result = sqlite__bind_text(&q, 2, only_seller)) ||
        (result = sqlite__bind_int64(&q, 3, sqlite__page_limit(limit))) ||
        (result = sqlite__bind_int64(&q, 4, offset)))
        goto out_stmt;
    for (;;) {
        int rc = sqlite3_step(q.st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            /* FTS5 reports a query it cannot parse as a plain SQLITE_ERROR:
             * bad input, not a database failure. */
            if (rc == SQLITE_ERROR) {
                log_debug("catalog: fts query refused", "error", sqlite3_errmsg(ss->db));
                result = IPS_ERR_INVALID;
            } else {
                result = sqlite__status(ss, rc, q_listing_search);
            }
            break;
        }
        if ((result = decode_listing_at(q.st, 0, &r.l)) ||
            (result = decode_version_at(q.st, LISTING_NCOLS, &r.v)) ||
            (result = cb(&r.l, &r.v, arg)))
            break;
    }
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status version_list(struct store *s, const char *id, int64_t before, int limit,
                               store_version_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_listing_version v;
    bool row = false;
    ips_status result = sqlite__stmt_sql(sqlite__from(s), q_version_list, &q);
    if (result || (result = sqlite__bind_text(&q, 1, id)) ||
        (result = sqlite__bind_int64(&q, 2, before)) ||
        (result = sqlite__bind_int64(&q, 3, sqlite__page_limit(limit))))
        goto out_stmt;
    while ((result = sqlite__step(&q, &row)) == IPS_OK && row) {
        if ((result = decode_version(q.st, &v)) || (result = cb(&v, arg)))
            break;
    }
out_stmt:
    sqlite__stmt_put(&q);
    return result;
}

static ips_status bulk_begin(struct store *s)
{
    return sqlite__exec(sqlite__from(s), "PRAGMA cache_size = -131072", "catalog bulk cache");
}

const struct store_catalog_ops sqlite__catalog_ops = {
    .seller_insert = seller_insert,
    .seller_update = seller_update,
    .seller_get = seller_get,
    .seller_get_by_external = seller_get_by_external,
    .identifier_add = identifier_add,
    .identifier_sellers = identifier_sellers,
    .identifier_count = identifier_count,
    .listing_insert = listing_insert,
    .listing_add_version = listing_add_version,
    .listing_set_state = listing_set_state,
    .listing_get = listing_get,
    .version_get = version_get,
    .listing_list = listing_list,
    .listing_search = listing_search,
    .version_list = version_list,
    .bulk_begin = bulk_begin,
};

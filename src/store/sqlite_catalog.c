/*
 * sqlite_catalog.c — the SQLite implementation of store_catalog.h.
 *
 * listings_fts (FTS5, external content over listing_versions) indexes the
 * current version of each listing only, by its row listing_versions.vrow;
 * it is updated by the same functions that change the current version, so
 * it is always in step inside the caller's transaction.
 *
 * Statements go through the sqlite__get_one / sqlite__write / sqlite__list
 * helpers with a binder per statement; two keep their own loop: the
 * identifier insert (it needs the change count of an INSERT OR IGNORE, which
 * sqlite__write folds into NOT_FOUND together with a foreign-key failure)
 * and the search (FTS5 reports a query it cannot parse as SQLITE_ERROR,
 * which is bad input there, not a database failure).
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"
#include "store/store_catalog_backend.h"

#include "core/log.h"

/* ---- SQL ------------------------------------------------------------------- */

#define SELLER_COLS "org_id, external_id, display_name, ship_from, created_ms, updated_ms"
/* the last column is read only: the seller org's name */
#define LISTING_COLS                                                                         \
    "l.id, l.seller_org_id, l.state, l.current_version, l.current_hash, l.created_ms, "     \
    "l.updated_ms, (SELECT o.name FROM orgs o WHERE o.id = l.seller_org_id)"
#define VERSION_COLS                                                                         \
    "v.listing_id, v.version, v.title, v.description, v.price_minor, v.currency, "          \
    "v.category, v.images, v.ship_from, v.units_sold, v.content_hash, v.created_ms"
#define LISTING_NCOLS 8
/* Hidden listings (store_catalog.h, 0017): the seller's penalty of rank 4
 * or 5 in force at ?9, one lookup in the partial index penalties_hiding.
 * Every listing row (LISTING_PAGE) ends with HIDDEN_COL, the reason or ''
 * (?9 = 0, no time given: never hidden); ?10 true keeps hidden rows. */
#define HIDING_TERMS                                                                         \
    " AND p.ended_ms = 0 AND p.rank >= 4 AND p.from_ms <= ?9"                               \
    " AND (p.until_ms = 0 OR p.until_ms > ?9)"
#define HIDING_PENALTY "p.seller_org_id = l.seller_org_id" HIDING_TERMS
#define HIDDEN_SELECT                                                                        \
    "SELECT CASE max(p.rank) WHEN 4 THEN 'seller_suspended' WHEN 5 THEN"                    \
    " 'seller_terminated' ELSE '' END FROM penalties p WHERE "
#define HIDDEN_COL "(" HIDDEN_SELECT HIDING_PENALTY ")"
#define NOT_HIDDEN " (?10 OR NOT EXISTS (SELECT 1 FROM penalties p WHERE " HIDING_PENALTY "))"
#define ROW_COLS LISTING_COLS ", " VERSION_COLS ", " HIDDEN_COL
#define ROW_HIDDEN_COL (LISTING_NCOLS + 12)

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
/* the seller column (0019): the org id of listing ?4's seller */
static const char q_fts_insert[] = "INSERT INTO listings_fts (rowid, title, description, seller)"
                                   " SELECT ?1, ?2, ?3, seller_org_id FROM listings WHERE id = ?4";
/* external content: removing a row from the index takes its indexed text */
static const char q_fts_delete[] =
    "INSERT INTO listings_fts (listings_fts, rowid, title, description, seller)"
    " SELECT 'delete', vrow, title, description, seller FROM listings_fts_rows WHERE vrow = ?1";
/* A bulk import's batch (bulk_index): the current versions written after
 * row ?1, in one statement, so that FTS5 builds them in its pending-terms
 * hash and writes one segment (per-row inserts inside a transaction flush
 * a segment at every statement savepoint). Walks the new versions by rowid
 * and looks each listing up by its key. */
static const char q_fts_index_after[] =
    "INSERT INTO listings_fts (rowid, title, description, seller)"
    " SELECT v.vrow, v.title, v.description, l.seller_org_id"
    " FROM listing_versions v CROSS JOIN listings l ON l.id = v.listing_id"
    " WHERE v.vrow > ?1 AND l.current_vrow = v.vrow ORDER BY v.vrow";
static const char q_version_last[] = "SELECT coalesce(max(vrow), 0) FROM listing_versions";
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
/* Pages in id order after the cursor ?2 (keyset): every listing (?1 NULL) by
 * the primary key, or one seller's (?1) by listings_seller. Two statements:
 * "?1 IS NULL OR seller = ?1" would make SQLite walk the primary key for a
 * seller too, i.e. the whole catalog for a seller with few listings.
 * Leaving hidden listings out (NOT_HIDDEN) costs an index lookup per row
 * walked; a seller's own list never leaves any out. */
#define LISTING_PAGE                                                                         \
    "SELECT " ROW_COLS " FROM listings l"                                                    \
    " JOIN listing_versions v ON v.listing_id = l.id AND v.version = l.current_version"
static const char q_listing_list[] =
    LISTING_PAGE " WHERE ?1 IS NULL AND l.id > ?2 AND" NOT_HIDDEN " ORDER BY l.id LIMIT ?3";
static const char q_listing_list_seller[] =
    LISTING_PAGE " WHERE l.seller_org_id = ?1 AND l.id > ?2 ORDER BY l.id LIMIT ?3";
/* Every search runs an FTS5 query made by search_match: the caller's
 * limited to the title and description columns, and for a seller's search
 * ANDed with its org id in the seller column (0019), so FTS5 intersects
 * the seller's posting list with the query's inside the index. bm25 weighs
 * seller 0 (its token never scores).
 * A seller's search ranks all its matches in the index and joins only the
 * page's rows (?3 rows after ?4): joining every catalog-wide match to its
 * listing to filter by seller cost seconds for a common word
 * (docs/benchmarks.md). The catalog-wide one ranks in the FTS5 index alone
 * (q_listing_search_all: the hits, best first) and reads only the rows it
 * walks, one by one (q_listing_search_row). ?2 bounds the ranking (a top-N
 * sort) when nothing is left out; -1 when hidden hits are skipped, whose
 * number is unknown. */
#define SEARCH_SCORE "bm25(listings_fts, 3.0, 1.0, 0.0)"
static const char q_listing_search[] =
    "SELECT " ROW_COLS " FROM (SELECT f.rowid AS hit, " SEARCH_SCORE " AS score"
    " FROM listings_fts f WHERE listings_fts MATCH ?1 ORDER BY score, hit LIMIT ?3 OFFSET ?4) h"
    " JOIN listing_versions v ON v.vrow = h.hit"
    " JOIN listings l ON l.id = v.listing_id ORDER BY h.score, h.hit";
/* The ranking is bounded: bm25 is computed for the newest SEARCH_RANKED
 * matches only (the index walked in descending rowid order, which needs no
 * sort), so a word in 150,000 listings costs what one in 10,000 does
 * (docs/benchmarks.md); a query with fewer matches is ranked whole, as
 * before. store_catalog.h documents the bound. */
#define SEARCH_RANKED "10000"
static const char q_listing_search_all[] =
    "SELECT hit FROM (SELECT rowid AS hit, " SEARCH_SCORE " AS score"
    " FROM listings_fts WHERE listings_fts MATCH ?1 ORDER BY rowid DESC LIMIT " SEARCH_RANKED
    ") ORDER BY score, hit LIMIT ?2";
static const char q_listing_search_row[] =
    "SELECT " ROW_COLS " FROM listing_versions v JOIN listings l ON l.id = v.listing_id"
    " WHERE v.vrow = ?1";
static const char q_seller_hidden[] = HIDDEN_SELECT "p.seller_org_id = ?1" HIDING_TERMS;
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
    l->hidden[0] = '\0'; /* set by the listing row statements (HIDDEN_COL) */
    return SQLITE__COL_FIELD(st, b + 7, l->seller_name);
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

/* sqlite__bind_fn for q_seller_insert: every column of SELLER_COLS. */
static ips_status bind_seller_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct store_seller *sp = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, sp->org_id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, sp->external_id)) ||
        (result = SQLITE__BIND_FIELD(q, 3, sp->display_name)) ||
        (result = SQLITE__BIND_FIELD(q, 4, sp->ship_from)) ||
        (result = sqlite__bind_int64(q, 5, sp->created_ms)))
        return result;
    return sqlite__bind_int64(q, 6, sp->updated_ms);
}

/* sqlite__bind_fn for q_seller_update. */
static ips_status bind_seller_update(struct sqlite__stmt *q, const void *arg)
{
    const struct store_seller *sp = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, sp->org_id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, sp->display_name)) ||
        (result = SQLITE__BIND_FIELD(q, 3, sp->ship_from)))
        return result;
    return sqlite__bind_int64(q, 4, sp->updated_ms);
}

static ips_status seller_insert(struct store *s, const struct store_seller *sp)
{
    return sqlite__write(sqlite__from(s), q_seller_insert, bind_seller_insert, sp, false);
}

static ips_status seller_update(struct store *s, const struct store_seller *sp)
{
    return sqlite__write(sqlite__from(s), q_seller_update, bind_seller_update, sp, true);
}

static ips_status seller_get(struct store *s, const char *org_id, struct store_seller *out)
{
    struct store_seller tmp;
    return sqlite__get_key(sqlite__from(s), q_seller_get, org_id, decode_seller, &tmp, out,
                           sizeof tmp);
}

static ips_status seller_get_by_external(struct store *s, const char *external_id,
                                         struct store_seller *out)
{
    struct store_seller tmp;
    return sqlite__get_key(sqlite__from(s), q_seller_get_ext, external_id, decode_seller, &tmp,
                           out, sizeof tmp);
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

/* The parameters of q_ident_sellers. */
struct ident_page {
    const char *kind;
    const uint8_t *hash;
    const char *after;
    int limit;
};

static ips_status bind_ident_page(struct sqlite__stmt *q, const void *arg)
{
    const struct ident_page *p = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, p->kind)) || (result = sqlite__bind_hash(q, 2, p->hash)) ||
        (result = sqlite__bind_text(q, 3, p->after ? p->after : "")))
        return result;
    return sqlite__bind_int64(q, 4, sqlite__page_limit(p->limit));
}

/* sqlite__decode_fn: column 0, an org id, into a char[ID_SIZE]. */
static ips_status decode_org_id(sqlite3_stmt *st, void *row)
{
    return sqlite__col_text(st, 0, row, ID_SIZE);
}

SQLITE__EMIT(emit_seller_id, char, store_seller_id_cb)

static ips_status identifier_sellers(struct store *s, const char *kind,
                                     const uint8_t hash[STORE_HASH_LEN], const char *after,
                                     int limit, store_seller_id_cb cb, void *arg)
{
    char org_id[ID_SIZE];
    struct ident_page p = {kind, hash, after, limit};
    return sqlite__list(sqlite__from(s), q_ident_sellers, bind_ident_page, &p, decode_org_id,
                        org_id, sizeof org_id, emit_seller_id,
                        &(struct emit_seller_id){cb, arg});
}

static ips_status identifier_count(struct store *s, const char *seller_org_id, int64_t *count)
{
    int64_t tmp;
    /* count(*) always yields one row */
    return sqlite__get_key(sqlite__from(s), q_ident_count, seller_org_id, sqlite__decode_int64,
                           &tmp, count, sizeof tmp);
}

/* ---- listings -------------------------------------------------------------------- */

/* sqlite__bind_fn for q_version_insert: a whole version record. */
static ips_status bind_version_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct store_listing_version *v = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, v->listing_id)) ||
        (result = sqlite__bind_int64(q, 2, v->version)) ||
        (result = SQLITE__BIND_FIELD(q, 3, v->title)) ||
        (result = SQLITE__BIND_FIELD(q, 4, v->description)) ||
        (result = sqlite__bind_int64(q, 5, v->price_minor)) ||
        (result = SQLITE__BIND_FIELD(q, 6, v->currency)) ||
        (result = SQLITE__BIND_FIELD(q, 7, v->category)) ||
        (result = SQLITE__BIND_FIELD(q, 8, v->images)) ||
        (result = SQLITE__BIND_FIELD(q, 9, v->ship_from)) ||
        (result = sqlite__bind_int64(q, 10, v->units_sold)) ||
        (result = sqlite__bind_hash(q, 11, v->content_hash)))
        return result;
    return sqlite__bind_int64(q, 12, v->created_ms);
}

/* Insert one version row. OUT *vrow: its rowid. */
static ips_status version_insert(struct sqlite_store *ss, const struct store_listing_version *v,
                                 int64_t *vrow)
{
    ips_status result = sqlite__write(ss, q_version_insert, bind_version_insert, v, false);
    if (result == IPS_OK)
        *vrow = sqlite3_last_insert_rowid(ss->db);
    return result;
}

/* A version record with the row it is stored as: the parameters of the
 * index insert and of making a version current. */
struct version_row {
    const struct store_listing_version *v;
    int64_t vrow;
};

static ips_status bind_fts_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct version_row *r = arg;
    ips_status result;
    if ((result = sqlite__bind_int64(q, 1, r->vrow)) ||
        (result = SQLITE__BIND_FIELD(q, 2, r->v->title)) ||
        (result = SQLITE__BIND_FIELD(q, 3, r->v->description)))
        return result;
    return SQLITE__BIND_FIELD(q, 4, r->v->listing_id);
}

/* Index version row vrow (its title and description, as stored, and its
 * listing's seller: the listing row must exist). */
static ips_status fts_insert(struct sqlite_store *ss, int64_t vrow,
                             const struct store_listing_version *v)
{
    struct version_row r = {v, vrow};
    return sqlite__write(ss, q_fts_insert, bind_fts_insert, &r, false);
}

static ips_status bind_make_current(struct sqlite__stmt *q, const void *arg)
{
    const struct version_row *r = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, r->v->listing_id)) ||
        (result = sqlite__bind_int64(q, 2, r->v->version)) ||
        (result = sqlite__bind_hash(q, 3, r->v->content_hash)) ||
        (result = sqlite__bind_int64(q, 4, r->vrow)))
        return result;
    return sqlite__bind_int64(q, 5, r->v->created_ms);
}

/* The parameters of q_listing_insert: the listing and its first version's row. */
struct listing_new {
    const struct store_listing *l;
    int64_t vrow;
};

static ips_status bind_listing_insert(struct sqlite__stmt *q, const void *arg)
{
    const struct listing_new *n = arg;
    const struct store_listing *l = n->l;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, l->id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, l->seller_org_id)) ||
        (result = SQLITE__BIND_FIELD(q, 3, l->state)) ||
        (result = sqlite__bind_int64(q, 4, l->current_version)) ||
        (result = sqlite__bind_hash(q, 5, l->current_hash)) ||
        (result = sqlite__bind_int64(q, 6, n->vrow)) ||
        (result = sqlite__bind_int64(q, 7, l->created_ms)))
        return result;
    return sqlite__bind_int64(q, 8, l->updated_ms);
}

static ips_status listing_insert(struct store *s, const struct store_listing *l,
                                 const struct store_listing_version *v)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct listing_new n = {l, 0};
    /* the version first, for its rowid (its foreign key to the listing is
     * checked at commit) */
    ips_status result = version_insert(ss, v, &n.vrow);
    if (result || (result = sqlite__write(ss, q_listing_insert, bind_listing_insert, &n, false)))
        return result;
    return ss->fts_deferred ? IPS_OK : fts_insert(ss, n.vrow, v);
}

/* sqlite__bind_fn binding arg, a const int64_t *, to ?1. */
static ips_status bind_int64_1(struct sqlite__stmt *q, const void *arg)
{
    return sqlite__bind_int64(q, 1, *(const int64_t *)arg);
}

/* The current row and version of a listing (q_listing_head). */
struct listing_head {
    int64_t vrow, version;
};

static ips_status decode_head(sqlite3_stmt *st, void *row)
{
    struct listing_head *h = row;
    h->vrow = sqlite3_column_int64(st, 0);
    h->version = sqlite3_column_int64(st, 1);
    return IPS_OK;
}

static ips_status listing_add_version(struct store *s, const struct store_listing_version *v)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct listing_head head, tmp;
    struct version_row r = {v, 0};
    ips_status result = sqlite__get_key(ss, q_listing_head, v->listing_id, decode_head, &tmp,
                                        &head, sizeof tmp);
    if (result)
        return result;
    if (v->version != head.version + 1)
        return IPS_ERR_CONFLICT;
    /* take the old current version out of the index, put the new one in
     * (a bulk import's batch indexes its versions at its end, bulk_index:
     * a version written in the batch is not in the index yet) */
    if (ss->fts_deferred) {
        if ((head.vrow <= ss->fts_after &&
             (result = sqlite__write(ss, q_fts_delete, bind_int64_1, &head.vrow, false))) ||
            (result = version_insert(ss, v, &r.vrow)))
            return result;
    } else if ((result = sqlite__write(ss, q_fts_delete, bind_int64_1, &head.vrow, false)) ||
               (result = version_insert(ss, v, &r.vrow)) || (result = fts_insert(ss, r.vrow, v)))
        return result;
    return sqlite__write(ss, q_listing_make_current, bind_make_current, &r, false);
}

/* The parameters of q_listing_set_state. */
struct listing_state {
    const char *id, *state;
    int64_t now_ms;
};

static ips_status bind_listing_state(struct sqlite__stmt *q, const void *arg)
{
    const struct listing_state *a = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, a->id)) ||
        (result = sqlite__bind_text_max(q, 2, a->state, STORE_STATE_MAX)))
        return result;
    return sqlite__bind_int64(q, 3, a->now_ms);
}

static ips_status listing_set_state(struct store *s, const char *id, const char *state,
                                    int64_t now_ms)
{
    struct listing_state a = {id, state, now_ms};
    return sqlite__write(sqlite__from(s), q_listing_set_state, bind_listing_state, &a, true);
}

static ips_status listing_get(struct store *s, const char *id, struct store_listing *out)
{
    struct store_listing tmp;
    return sqlite__get_key(sqlite__from(s), q_listing_get, id, decode_listing, &tmp, out,
                           sizeof tmp);
}

/* The parameters of q_version_get and q_version_list. */
struct version_key {
    const char *id;
    int64_t version; /* get: the version; list: before (<= 0: from the newest) */
    int limit;       /* list only */
};

static ips_status bind_version_key(struct sqlite__stmt *q, const void *arg)
{
    const struct version_key *k = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, k->id)) || (result = sqlite__bind_int64(q, 2, k->version)))
        return result;
    return k->limit ? sqlite__bind_int64(q, 3, sqlite__page_limit(k->limit)) : IPS_OK;
}

static ips_status version_get(struct store *s, const char *id, int64_t version,
                              struct store_listing_version *out)
{
    struct version_key k = {id, version, 0};
    struct store_listing_version tmp;
    return sqlite__get_one(sqlite__from(s), q_version_get, bind_version_key, &k, decode_version,
                           &tmp, out, sizeof tmp);
}

/* A listing row: a listing and its current version. */
struct listing_row {
    struct store_listing l;
    struct store_listing_version v;
};

static ips_status decode_listing_row(sqlite3_stmt *st, void *row)
{
    struct listing_row *r = row;
    ips_status result = decode_listing_at(st, 0, &r->l);
    if (result || (result = decode_version_at(st, LISTING_NCOLS, &r->v)))
        return result;
    return SQLITE__COL_FIELD(st, ROW_HIDDEN_COL, r->l.hidden);
}

/* sqlite__emit_fn for listing rows: store_listing_cb takes two records. */
struct emit_listing {
    store_listing_cb cb;
    void *arg;
};

static ips_status emit_listing(const void *row, void *ctx)
{
    const struct listing_row *r = row;
    const struct emit_listing *e = ctx;
    return e->cb(&r->l, &r->v, e->arg);
}

/* ?9 and ?10 of a listing row statement (HIDDEN_COL, and NOT_HIDDEN in the
 * statements that may leave rows out) for view (NULL: no time, keep all). */
static ips_status bind_view(struct sqlite__stmt *q, const struct store_listing_view *view)
{
    ips_status result = sqlite__bind_int64(q, 9, view ? view->now_ms : 0);
    if (result || sqlite3_bind_parameter_count(q->st) < 10)
        return result;
    return sqlite__bind_int64(q, 10, view && view->hide ? 0 : 1);
}

/* The parameters of q_listing_list and q_listing_list_seller. */
struct listing_page {
    struct sqlite__page pg;
    const struct store_listing_view *view;
};

static ips_status bind_listing_page(struct sqlite__stmt *q, const void *arg)
{
    const struct listing_page *p = arg;
    ips_status result = sqlite__bind_page_fn(q, &p->pg);
    return result ? result : bind_view(q, p->view);
}

static ips_status listing_list(struct store *s, const char *only_seller, const char *after,
                               int limit, const struct store_listing_view *view,
                               store_listing_cb cb, void *arg)
{
    struct listing_page p = {{only_seller, after, limit}, view};
    /* row NULL: a heap row, the callbacks may re-enter the store */
    return sqlite__list(sqlite__from(s), only_seller ? q_listing_list_seller : q_listing_list,
                        bind_listing_page, &p, decode_listing_row, NULL,
                        sizeof(struct listing_row), emit_listing,
                        &(struct emit_listing){cb, arg});
}

/* The parameters of q_listing_search_row. */
struct search_row {
    int64_t vrow;
    const struct store_listing_view *view;
};

static ips_status bind_search_row(struct sqlite__stmt *q, const void *arg)
{
    const struct search_row *a = arg;
    ips_status result = sqlite__bind_int64(q, 1, a->vrow);
    return result ? result : bind_view(q, a->view);
}

/* The catalog-wide search: walk the ranked hits, read each one's row (a
 * vanished row, or a hidden one when view->hide, is skipped and not
 * counted), skip `offset` rows and emit `limit`. Without hiding, the first
 * `offset` hits are skipped unread. */
static ips_status search_all(struct sqlite_store *ss, struct sqlite__stmt *q, int64_t offset,
                             int limit, const struct store_listing_view *view,
                             struct listing_row *r, struct emit_listing *e)
{
    bool hide = view && view->hide;
    int64_t skipped = 0, emitted = 0, want = sqlite__page_limit(limit);
    ips_status result = IPS_OK;
    while (emitted < want) {
        int rc = sqlite3_step(q->st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            return rc == SQLITE_ERROR ? IPS_ERR_INVALID : sqlite__status(ss, rc, "search");
        if (!hide && skipped < offset) {
            skipped++;
            continue;
        }
        struct search_row a = {sqlite3_column_int64(q->st, 0), view};
        struct listing_row tmp;
        result = sqlite__get_one(ss, q_listing_search_row, bind_search_row, &a,
                                 decode_listing_row, &tmp, r, sizeof tmp);
        if (result == IPS_ERR_NOT_FOUND || (result == IPS_OK && hide && r->l.hidden[0]))
            continue;
        if (result)
            return result;
        if (skipped < offset) {
            skipped++;
            continue;
        }
        if ((result = emit_listing(r, e)))
            return result;
        emitted++;
    }
    return result == IPS_ERR_NOT_FOUND ? IPS_OK : result;
}

/* The FTS5 query of a search (q_listing_search*): fts_query limited to the
 * title and description, and, for only_seller, ANDed with the seller's org
 * id in the seller column (a phrase: quotes doubled). Caller frees *out. */
static ips_status search_match(const char *fts_query, const char *only_seller, char **out)
{
    static const char cols[] = "{title description} : (";
    static const char seller[] = "seller : \"";
    /* the caller's parentheses must pair (outside its quoted strings), or
     * its text could close ours: "a) OR (b" would search every column */
    int depth = 0;
    bool quoted = false;
    for (const char *p = fts_query; *p && depth >= 0; p++)
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted)
            depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
    if (depth != 0 || quoted)
        return IPS_ERR_INVALID;
    size_t qn = strlen(fts_query), sn = only_seller ? strlen(only_seller) : 0;
    char *m = malloc(sizeof seller + 2 * sn + sizeof "\" AND " + sizeof cols + qn + 2);
    if (!m)
        return IPS_ERR_NOMEM;
    size_t o = 0;
    if (only_seller) {
        memcpy(m, seller, sizeof seller - 1);
        o = sizeof seller - 1;
        for (size_t i = 0; i < sn; i++) {
            if (only_seller[i] == '"')
                m[o++] = '"';
            m[o++] = only_seller[i];
        }
        memcpy(m + o, "\" AND ", sizeof "\" AND " - 1);
        o += sizeof "\" AND " - 1;
    }
    memcpy(m + o, cols, sizeof cols - 1);
    o += sizeof cols - 1;
    memcpy(m + o, fts_query, qn);
    o += qn;
    m[o++] = ')';
    m[o] = '\0';
    *out = m;
    return IPS_OK;
}

static ips_status listing_search(struct store *s, const char *fts_query, const char *only_seller,
                                 int64_t offset, int limit, const struct store_listing_view *view,
                                 store_listing_cb cb, void *arg)
{
    struct sqlite_store *ss = sqlite__from(s);
    struct sqlite__stmt q;
    struct emit_listing e = {cb, arg};
    struct listing_row *r = malloc(sizeof *r);
    char *match = NULL;
    const char *sql = only_seller ? q_listing_search : q_listing_search_all;
    ips_status result = r ? search_match(fts_query, only_seller, &match) : IPS_ERR_NOMEM;
    if (result == IPS_OK)
        result = sqlite__stmt_sql(ss, sql, &q);
    else
        memset(&q, 0, sizeof q);
    if (result || (result = sqlite__bind_text(&q, 1, match)))
        goto out_stmt;
    if (!only_seller) {
        /* the ranking's bound: offset + limit hits, unless hidden ones are skipped */
        int64_t bound = view && view->hide ? -1 : offset + sqlite__page_limit(limit);
        if ((result = sqlite__bind_int64(&q, 2, bound)) == IPS_OK)
            result = search_all(ss, &q, offset, limit, view, r, &e);
        goto out_stmt;
    }
    if ((result = sqlite__bind_int64(&q, 3, sqlite__page_limit(limit))) ||
        (result = sqlite__bind_int64(&q, 4, offset)) || (result = bind_view(&q, view)))
        goto out_stmt;
    for (;;) {
        int rc = sqlite3_step(q.st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            /* FTS5 reports a query it cannot parse as a plain SQLITE_ERROR:
             * bad input, not a database failure. */
            result = rc == SQLITE_ERROR ? IPS_ERR_INVALID : sqlite__status(ss, rc, sql);
            break;
        }
        if ((result = decode_listing_row(q.st, r)) || (result = emit_listing(r, &e)))
            break;
    }
out_stmt:
    if (result == IPS_ERR_INVALID)
        log_debug("catalog: fts query refused", "error", sqlite3_errmsg(ss->db));
    sqlite__stmt_put(&q);
    free(match);
    free(r);
    return result;
}

static ips_status decode_hidden(sqlite3_stmt *st, void *row)
{
    return sqlite__col_text(st, 0, row, STORE_HIDDEN_MAX + 1);
}

/* The parameters of q_seller_hidden. */
struct seller_time {
    const char *seller;
    int64_t now_ms;
};

static ips_status bind_seller_hidden(struct sqlite__stmt *q, const void *arg)
{
    const struct seller_time *b = arg;
    ips_status result = sqlite__bind_text(q, 1, b->seller);
    return result ? result : sqlite__bind_int64(q, 9, b->now_ms);
}

static ips_status seller_hidden(struct store *s, const char *seller_org_id, int64_t now_ms,
                                char out[STORE_HIDDEN_MAX + 1])
{
    struct seller_time b = {seller_org_id, now_ms};
    char tmp[STORE_HIDDEN_MAX + 1];
    return sqlite__get_one(sqlite__from(s), q_seller_hidden, bind_seller_hidden, &b, decode_hidden,
                           tmp, out, sizeof tmp);
}

SQLITE__EMIT(emit_version, struct store_listing_version, store_version_cb)

static ips_status version_list(struct store *s, const char *id, int64_t before, int limit,
                               store_version_cb cb, void *arg)
{
    struct version_key k = {id, before, limit > 0 ? limit : -1};
    return sqlite__list(sqlite__from(s), q_version_list, bind_version_key, &k, decode_version,
                        NULL, sizeof(struct store_listing_version), emit_version,
                        &(struct emit_version){cb, arg});
}

/* The import connection's page cache: 16 MiB. It holds a 5,000-row batch's
 * dirty pages (about 5.5 MiB) and the B-trees' upper levels; beyond it
 * pcache1 recycles its least recently used clean page instead of
 * allocating (and first-touching) a new one for every page the import
 * adds, which a cache the size of the whole database (128 MiB before)
 * did: about 15% less CPU per 100,000 rows (docs/benchmarks.md, "Catalog
 * import", sixth pass; 8 and 32 MiB measured the same as 16). */
static ips_status bulk_begin(struct store *s)
{
    return sqlite__exec(sqlite__from(s), "PRAGMA cache_size = -16384", "catalog bulk cache");
}

/* Inside a transaction: from now on listing_insert and listing_add_version
 * leave listings_fts alone; bulk_index fills it for the versions written
 * after the last row that exists now. */
static ips_status bulk_defer(struct store *s)
{
    struct sqlite_store *ss = sqlite__from(s);
    int64_t last, tmp;
    ips_status result = sqlite__get_one(ss, q_version_last, NULL, NULL, sqlite__decode_int64, &tmp,
                                        &last, sizeof last);
    if (result == IPS_OK) {
        ss->fts_after = last;
        ss->fts_deferred = true;
    }
    return result;
}

static ips_status bulk_index(struct store *s, bool index)
{
    struct sqlite_store *ss = sqlite__from(s);
    if (!ss->fts_deferred)
        return IPS_OK;
    ss->fts_deferred = false;
    return index ? sqlite__write(ss, q_fts_index_after, bind_int64_1, &ss->fts_after, false)
                 : IPS_OK;
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
    .seller_hidden = seller_hidden,
    .version_list = version_list,
    .bulk_begin = bulk_begin,
    .bulk_defer = bulk_defer,
    .bulk_index = bulk_index,
};

/*
 * pg_catalog.c — the PostgreSQL implementation of store_catalog.h (tables of
 * migrations_pg/0003_catalog.sql).
 *
 * The full-text index is the table listings_fts (vrow, doc tsvector, GIN
 * index): one row per listing, for its CURRENT version only, written by the
 * same functions that change the current version, so it is always in step
 * inside the caller's transaction (as SQLite's external-content FTS5 table).
 *
 * Tokens are made here, not by a PostgreSQL text search configuration, so
 * that both backends find the same rows: as FTS5's unicode61 tokenizer with
 * remove_diacritics 2 does, a token is a run of letters, digits and private
 * use characters, lower-cased and without diacritics (utf8proc); everything
 * else separates tokens. The title's tokens carry weight A and the
 * description's weight D, and ts_rank weighs them 3 : 1 as bm25 does in the
 * SQLite statements. The query arrives in the FTS5 subset that
 * catalog_fts_query builds (quoted strings, a '*' after one for a prefix,
 * ANDed); fts_tsquery turns it into a tsquery of the same tokens (a string
 * of several tokens is a phrase, <->), bound as a parameter.
 *
 * Statements go through the pg__get_one / pg__write / pg__list helpers with
 * a binder per statement; the catalog-wide search keeps its own loop (it
 * reads each ranked hit's row on its own).
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/pg_internal.h"
#include "store/store_catalog_backend.h"

/* ---- SQL ------------------------------------------------------------------- */

#define SELLER_COLS "org_id, external_id, display_name, ship_from, created_ms, updated_ms"
/* the last column is read only: the seller org's name */
#define LISTING_COLS                                                                               \
    "l.id, l.seller_org_id, l.state, l.current_version, l.current_hash, l.created_ms, "            \
    "l.updated_ms, (SELECT o.name FROM orgs o WHERE o.id = l.seller_org_id)"
#define VERSION_COLS                                                                               \
    "v.listing_id, v.version, v.title, v.description, v.price_minor, v.currency, "                 \
    "v.category, v.images, v.ship_from, v.units_sold, v.content_hash, v.created_ms"
#define LISTING_NCOLS 8
/* Hidden listings (store_catalog.h, 0017): the seller's penalty of rank 4
 * or 5 in force at time T (a parameter), one lookup in the partial index
 * penalties_hiding. Every listing row (LISTING_PAGE) ends with HIDDEN_COL(T),
 * the reason or '' (T = 0, no time given: never hidden); in
 * NOT_HIDDEN(T, K), K <> 0 keeps hidden rows. Each statement numbers T and K
 * after its own parameters (PostgreSQL must know every parameter's type, so
 * a statement leaves no number unused). */
#define HIDING_TERMS(T)                                                                            \
    " AND p.ended_ms = 0 AND p.rank >= 4 AND p.from_ms <= " T                                      \
    " AND (p.until_ms = 0 OR p.until_ms > " T ")"
#define HIDING_PENALTY(T) "p.seller_org_id = l.seller_org_id" HIDING_TERMS(T)
#define HIDDEN_SELECT                                                                              \
    "SELECT CASE max(p.rank) WHEN 4 THEN 'seller_suspended' WHEN 5 THEN"                           \
    " 'seller_terminated' ELSE '' END FROM penalties p WHERE "
#define HIDDEN_COL(T) "(" HIDDEN_SELECT HIDING_PENALTY(T) ")"
#define NOT_HIDDEN(T, K)                                                                           \
    " (" K " <> 0 OR NOT EXISTS (SELECT 1 FROM penalties p WHERE " HIDING_PENALTY(T) "))"
#define ROW_COLS(T) LISTING_COLS ", " VERSION_COLS ", " HIDDEN_COL(T)
#define ROW_HIDDEN_COL (LISTING_NCOLS + 12)

static const char q_seller_insert[] =
    "INSERT INTO seller_profiles (" SELLER_COLS ") VALUES ($1, $2, $3, $4, $5, $6)";
static const char q_seller_update[] =
    "UPDATE seller_profiles SET display_name = $2, ship_from = $3, updated_ms = $4"
    " WHERE org_id = $1";
static const char q_seller_get[] = "SELECT " SELLER_COLS " FROM seller_profiles WHERE org_id = $1";
static const char q_seller_get_ext[] =
    "SELECT " SELLER_COLS " FROM seller_profiles WHERE external_id = $1";

static const char q_ident_add[] =
    "INSERT INTO seller_identifiers (seller_org_id, kind, hash, created_ms)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
static const char q_ident_sellers[] =
    "SELECT seller_org_id FROM seller_identifiers WHERE kind = $1 AND hash = $2"
    " AND seller_org_id > $3 ORDER BY seller_org_id LIMIT $4";
static const char q_ident_count[] =
    "SELECT count(*) FROM seller_identifiers WHERE seller_org_id = $1";

static const char q_listing_insert[] =
    "INSERT INTO listings (id, seller_org_id, state, current_version, current_hash,"
    " current_vrow, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char q_version_insert[] =
    "INSERT INTO listing_versions (listing_id, version, title, description, price_minor,"
    " currency, category, images, ship_from, units_sold, content_hash, created_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING vrow";
/* $2: the document in tsvector's text form, made by fts_document */
/* $3: the listing, whose seller the row keeps (0019) */
static const char q_fts_insert[] =
    "INSERT INTO listings_fts (vrow, doc, seller_org_id)"
    " SELECT $1, $2::tsvector, seller_org_id FROM listings WHERE id = $3";
static const char q_fts_delete[] = "DELETE FROM listings_fts WHERE vrow = $1";
static const char q_listing_head[] =
    "SELECT current_vrow, current_version FROM listings WHERE id = $1";
static const char q_listing_make_current[] =
    "UPDATE listings SET current_version = $2, current_hash = $3, current_vrow = $4,"
    " updated_ms = $5 WHERE id = $1";
static const char q_listing_set_state[] =
    "UPDATE listings SET state = $2, updated_ms = $3 WHERE id = $1";
static const char q_listing_get[] = "SELECT " LISTING_COLS " FROM listings l WHERE l.id = $1";
static const char q_version_get[] =
    "SELECT " VERSION_COLS " FROM listing_versions v WHERE v.listing_id = $1 AND v.version = $2";
/* Pages in id order after the cursor $2 (keyset): every listing ($1 NULL) by
 * the primary key, or one seller's ($1) by listings_seller. Two statements,
 * so that each has a plan that fits: a seller's page walks listings_seller,
 * not the whole catalog. Leaving hidden listings out (NOT_HIDDEN) costs an
 * index lookup per row walked; a seller's own list never leaves any out.
 * $4 is the time hidden listings are judged at, $5 keeps them (<> 0). */
/* clang-format off */
#define LISTING_PAGE                                                                               \
    "SELECT " ROW_COLS("$4") " FROM listings l"                                                    \
    " JOIN listing_versions v ON v.listing_id = l.id AND v.version = l.current_version"
static const char q_listing_list[] = LISTING_PAGE
    " WHERE $1::text IS NULL AND l.id > $2 AND" NOT_HIDDEN("$4", "$5") " ORDER BY l.id LIMIT $3";
static const char q_listing_list_seller[] =
    LISTING_PAGE " WHERE l.seller_org_id = $1 AND l.id > $2 ORDER BY l.id LIMIT $3";
/* ts_rank's weights of the classes {D, C, B, A}: the description (D) 1, the
 * title (A) 3, as bm25(listings_fts, 3.0, 1.0) on SQLite; normalisation 1
 * divides by 1 + log(document length), favouring short documents as bm25
 * does. */
#define RANK(doc) "ts_rank('{0.333333, 0, 0, 1}', " doc ", $1::tsquery, 1)"
/* A seller's search ranks its own rows of listings_fts (0019: each row
 * keeps its seller, indexed) and joins only the page's ($1 the tsquery, $2
 * the seller, $3 limit, $4 offset, $5 the time). The catalog-wide one
 * ranks in listings_fts alone (q_listing_search_all: the hits, best
 * first) and reads only the rows it walks, one by one
 * (q_listing_search_row). $2 bounds the ranking (a top-N sort) when nothing
 * is left out; NULL when hidden hits are skipped, whose number is unknown.
 * Ties go to the older version row, as on SQLite. */
static const char q_listing_search[] =
    "SELECT " ROW_COLS("$5") " FROM (SELECT f.vrow AS hit, " RANK("f.doc") " AS score"
    " FROM listings_fts f WHERE f.seller_org_id = $2 AND f.doc @@ $1::tsquery"
    " ORDER BY score DESC, hit LIMIT $3 OFFSET $4) AS h"
    " JOIN listing_versions v ON v.vrow = h.hit"
    " JOIN listings l ON l.id = v.listing_id ORDER BY h.score DESC, h.hit";
/* The ranking is bounded: ts_rank is computed for the newest SEARCH_RANKED
 * matches only, so a word in 150,000 listings costs about what one in
 * 10,000 does; a query with fewer matches is ranked whole. store_catalog.h
 * documents the bound. */
#define SEARCH_RANKED "10000"
static const char q_listing_search_all[] =
    "SELECT hit FROM (SELECT vrow AS hit, " RANK("doc") " AS score"
    " FROM listings_fts WHERE doc @@ $1::tsquery ORDER BY vrow DESC LIMIT " SEARCH_RANKED
    ") AS ranked ORDER BY score DESC, hit LIMIT $2";
static const char q_listing_search_row[] =
    "SELECT " ROW_COLS("$2") " FROM listing_versions v JOIN listings l ON l.id = v.listing_id"
    " WHERE v.vrow = $1";
static const char q_seller_hidden[] = HIDDEN_SELECT "p.seller_org_id = $1" HIDING_TERMS("$2");
/* clang-format on */
static const char q_version_list[] =
    "SELECT " VERSION_COLS " FROM listing_versions v WHERE v.listing_id = $1"
    " AND ($2 <= 0 OR v.version < $2) ORDER BY v.version DESC LIMIT $3";

/* ---- full-text documents and queries -------------------------------------------------- */

/* Longest token kept, in bytes: PostgreSQL refuses longer lexemes (2 KB);
 * a longer run of letters is neither indexed nor searched for. */
#define FTS_TOKEN_MAX 2046
/* Highest position tsvector stores. */
#define FTS_POS_MAX 16383

/* Called with each token of a text, in order. */
typedef ips_status (*fts_token_fn)(const char *tok, size_t len, void *ctx);

/* A token character of unicode61: letters, digits, private use. */
static bool fts_token_char(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_CO:
        return true;
    default:
        return false;
    }
}

/* Split len bytes of UTF-8 text into tokens (see the file comment) and
 * call fn for each. Failure: IPS_ERR_INVALID for text that is not UTF-8;
 * IPS_ERR_NOMEM; fn's status. */
static ips_status fts_tokens(const char *text, size_t len, fts_token_fn fn, void *ctx)
{
    utf8proc_uint8_t *plain = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &plain,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (n < 0)
        return n == UTF8PROC_ERROR_NOMEM ? IPS_ERR_NOMEM : IPS_ERR_INVALID;
    char tok[FTS_TOKEN_MAX + 4];
    size_t used = 0;
    bool too_long = false;
    ips_status result = IPS_OK;
    for (utf8proc_ssize_t i = 0; i <= n && result == IPS_OK;) {
        utf8proc_int32_t cp = -1;
        if (i < n) {
            utf8proc_ssize_t k = utf8proc_iterate(plain + i, n - i, &cp);
            i += k > 0 ? k : 1;
        } else {
            i++;
        }
        if (cp >= 0 && fts_token_char(cp)) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t e = utf8proc_encode_char(utf8proc_tolower(cp), enc);
            if (used + (size_t)e > FTS_TOKEN_MAX)
                too_long = true;
            else
                memcpy(tok + used, enc, (size_t)e), used += (size_t)e;
            continue;
        }
        if (used && !too_long)
            result = fn(tok, used, ctx);
        used = 0;
        too_long = false;
    }
    free(plain);
    return result;
}

/* The tsvector text being made by fts_document. */
struct fts_doc {
    struct buf b;
    int pos;     /* position of the last token */
    char weight; /* 'A' for the title, 0 for the description (weight D) */
};

/* fts_token_fn: append 'token':position[weight]. */
static ips_status fts_doc_token(const char *tok, size_t len, void *ctx)
{
    struct fts_doc *d = ctx;
    if (d->pos < FTS_POS_MAX)
        d->pos++;
    ips_status result = buf_append(&d->b, d->b.len ? " '" : "'", d->b.len ? 2 : 1);
    if (result || (result = buf_append(&d->b, tok, len)))
        return result;
    return d->weight ? buf_appendf(&d->b, "':%d%c", d->pos, d->weight)
                     : buf_appendf(&d->b, "':%d", d->pos);
}

/* The document of a listing version, in tsvector's text form: the title's
 * tokens (weight A), then the description's (weight D) after a gap, so that
 * no phrase spans the two. OUT d->b (the caller releases it; data NULL when
 * there is no token). */
static ips_status fts_document(const struct store_listing_version *v, struct fts_doc *d)
{
    buf_init(&d->b, (size_t)64 * 1024 * 1024);
    d->pos = 0;
    d->weight = 'A';
    ips_status result = fts_tokens(v->title, strlen(v->title), fts_doc_token, d);
    d->pos += d->pos < FTS_POS_MAX ? 1 : 0;
    d->weight = 0;
    if (result == IPS_OK)
        result = fts_tokens(v->description, strlen(v->description), fts_doc_token, d);
    return result;
}

/* The tsquery being made by fts_tsquery: the current string's tokens. */
struct fts_query {
    struct buf b;
    int in_term; /* tokens of the current string so far */
};

/* fts_token_fn: append a token to the current string's phrase. */
static ips_status fts_query_token(const char *tok, size_t len, void *ctx)
{
    struct fts_query *q = ctx;
    ips_status result;
    if (q->in_term == 0)
        result = buf_append(&q->b, q->b.len ? " & ( '" : "( '", q->b.len ? 6 : 3);
    else
        result = buf_append(&q->b, "' <-> '", 7);
    q->in_term++;
    return result ? result : buf_append(&q->b, tok, len);
}

/* pg__fts_string_fn: one string's tokens as a phrase, the last a prefix if starred. */
static ips_status fts_query_string(const char *str, size_t len, bool prefix, void *ctx)
{
    struct fts_query *q = ctx;
    q->in_term = 0;
    ips_status result = fts_tokens(str, len, fts_query_token, q);
    if (result == IPS_OK && q->in_term)
        result = buf_append(&q->b, prefix ? "':* )" : "' )", prefix ? 5 : 3);
    return result;
}

/*
 * Turn fts_query, FTS5 syntax as catalog_fts_query makes it (strings in
 * double quotes with inner quotes doubled, each optionally followed by '*',
 * separated by spaces; a bare word counts as a string), into tsquery text:
 * each string's tokens as a phrase, its last token a prefix when starred,
 * the strings ANDed. A string without tokens is left out, as FTS5 does.
 * OUT q->b (the caller releases it; empty when no string has a token: the
 * query matches nothing).
 * Failure: IPS_ERR_INVALID for other syntax or text that is not UTF-8.
 */
static ips_status fts_tsquery(const char *fts_query, struct fts_query *q)
{
    buf_init(&q->b, (size_t)1024 * 1024);
    return pg__fts_strings(fts_query, fts_query_string, q);
}

/* ---- decoding ---------------------------------------------------------------- */

static ips_status decode_seller(const struct pg__row *st, void *row)
{
    struct store_seller *sp = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, sp->org_id)) ||
        (result = PG__COL_FIELD(st, 1, sp->external_id)) ||
        (result = PG__COL_FIELD(st, 2, sp->display_name)) ||
        (result = PG__COL_FIELD(st, 3, sp->ship_from)))
        return result;
    sp->created_ms = pg__col_int64(st, 4);
    sp->updated_ms = pg__col_int64(st, 5);
    return IPS_OK;
}

/* Columns base.. of LISTING_COLS into *l. */
static ips_status decode_listing_at(const struct pg__row *st, int b, struct store_listing *l)
{
    ips_status result;
    if ((result = PG__COL_FIELD(st, b + 0, l->id)) ||
        (result = PG__COL_FIELD(st, b + 1, l->seller_org_id)) ||
        (result = PG__COL_FIELD(st, b + 2, l->state)))
        return result;
    l->current_version = pg__col_int64(st, b + 3);
    if ((result = pg__col_hash(st, b + 4, l->current_hash)))
        return result;
    l->created_ms = pg__col_int64(st, b + 5);
    l->updated_ms = pg__col_int64(st, b + 6);
    l->hidden[0] = '\0'; /* set by the listing row statements (HIDDEN_COL) */
    return PG__COL_FIELD(st, b + 7, l->seller_name);
}

/* Columns base.. of VERSION_COLS into *v. */
static ips_status decode_version_at(const struct pg__row *st, int b,
                                    struct store_listing_version *v)
{
    ips_status result;
    if ((result = PG__COL_FIELD(st, b + 0, v->listing_id)))
        return result;
    v->version = pg__col_int64(st, b + 1);
    if ((result = PG__COL_FIELD(st, b + 2, v->title)) ||
        (result = PG__COL_FIELD(st, b + 3, v->description)))
        return result;
    v->price_minor = pg__col_int64(st, b + 4);
    if ((result = PG__COL_FIELD(st, b + 5, v->currency)) ||
        (result = PG__COL_FIELD(st, b + 6, v->category)) ||
        (result = PG__COL_FIELD(st, b + 7, v->images)) ||
        (result = PG__COL_FIELD(st, b + 8, v->ship_from)))
        return result;
    v->units_sold = pg__col_int64(st, b + 9);
    if ((result = pg__col_hash(st, b + 10, v->content_hash)))
        return result;
    v->created_ms = pg__col_int64(st, b + 11);
    return IPS_OK;
}

static ips_status decode_listing(const struct pg__row *st, void *row)
{
    return decode_listing_at(st, 0, row);
}

static ips_status decode_version(const struct pg__row *st, void *row)
{
    return decode_version_at(st, 0, row);
}

/* ---- sellers ------------------------------------------------------------------ */

/* pg__bind_fn for q_seller_insert: every column of SELLER_COLS. */
static ips_status bind_seller_insert(struct pg__stmt *q, const void *arg)
{
    const struct store_seller *sp = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, sp->org_id)) ||
        (result = PG__BIND_FIELD(q, 2, sp->external_id)) ||
        (result = PG__BIND_FIELD(q, 3, sp->display_name)) ||
        (result = PG__BIND_FIELD(q, 4, sp->ship_from)) ||
        (result = pg__bind_int64(q, 5, sp->created_ms)))
        return result;
    return pg__bind_int64(q, 6, sp->updated_ms);
}

/* pg__bind_fn for q_seller_update. */
static ips_status bind_seller_update(struct pg__stmt *q, const void *arg)
{
    const struct store_seller *sp = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, sp->org_id)) ||
        (result = PG__BIND_FIELD(q, 2, sp->display_name)) ||
        (result = PG__BIND_FIELD(q, 3, sp->ship_from)))
        return result;
    return pg__bind_int64(q, 4, sp->updated_ms);
}

static ips_status seller_insert(struct store *s, const struct store_seller *sp)
{
    return pg__write(pg__from(s), q_seller_insert, bind_seller_insert, sp, false);
}

static ips_status seller_update(struct store *s, const struct store_seller *sp)
{
    return pg__write(pg__from(s), q_seller_update, bind_seller_update, sp, true);
}

static ips_status seller_get(struct store *s, const char *org_id, struct store_seller *out)
{
    struct store_seller tmp;
    return pg__get_key(pg__from(s), q_seller_get, org_id, decode_seller, &tmp, out, sizeof tmp);
}

static ips_status seller_get_by_external(struct store *s, const char *external_id,
                                         struct store_seller *out)
{
    struct store_seller tmp;
    return pg__get_key(pg__from(s), q_seller_get_ext, external_id, decode_seller, &tmp, out,
                       sizeof tmp);
}

/* ---- identifiers ------------------------------------------------------------------ */

static ips_status identifier_add(struct store *s, const char *seller_org_id, const char *kind,
                                 const uint8_t hash[STORE_HASH_LEN], int64_t now_ms, bool *added)
{
    struct pg__stmt q;
    int changes = 0;
    ips_status result = pg__stmt_sql(pg__from(s), q_ident_add, &q);
    if (result || (result = pg__bind_text(&q, 1, seller_org_id)) ||
        (result = pg__bind_text_max(&q, 2, kind, STORE_KIND_MAX)) ||
        (result = pg__bind_hash(&q, 3, hash)) || (result = pg__bind_int64(&q, 4, now_ms)))
        goto out_stmt;
    result = pg__run(&q, &changes);
    if (result == IPS_OK && added)
        *added = changes > 0;
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* The parameters of q_ident_sellers. */
struct ident_page {
    const char *kind;
    const uint8_t *hash;
    const char *after;
    int limit;
};

static ips_status bind_ident_page(struct pg__stmt *q, const void *arg)
{
    const struct ident_page *p = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, p->kind)) || (result = pg__bind_hash(q, 2, p->hash)) ||
        (result = pg__bind_text(q, 3, p->after ? p->after : "")))
        return result;
    return pg__bind_int64(q, 4, pg__page_limit(p->limit));
}

/* pg__decode_fn: column 0, an org id, into a char[ID_SIZE]. */
static ips_status decode_org_id(const struct pg__row *st, void *row)
{
    return pg__col_text(st, 0, row, ID_SIZE);
}

PG__EMIT(emit_seller_id, char, store_seller_id_cb)

static ips_status identifier_sellers(struct store *s, const char *kind,
                                     const uint8_t hash[STORE_HASH_LEN], const char *after,
                                     int limit, store_seller_id_cb cb, void *arg)
{
    char org_id[ID_SIZE];
    struct ident_page p = {kind, hash, after, limit};
    return pg__list(pg__from(s), q_ident_sellers, bind_ident_page, &p, decode_org_id, org_id,
                    sizeof org_id, emit_seller_id, &(struct emit_seller_id){cb, arg});
}

static ips_status identifier_count(struct store *s, const char *seller_org_id, int64_t *count)
{
    int64_t tmp;
    /* count(*) always yields one row */
    return pg__get_key(pg__from(s), q_ident_count, seller_org_id, pg__decode_int64, &tmp, count,
                       sizeof tmp);
}

/* ---- listings -------------------------------------------------------------------- */

/* pg__bind_fn for q_version_insert: a whole version record. */
static ips_status bind_version_insert(struct pg__stmt *q, const void *arg)
{
    const struct store_listing_version *v = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, v->listing_id)) ||
        (result = pg__bind_int64(q, 2, v->version)) || (result = PG__BIND_FIELD(q, 3, v->title)) ||
        (result = PG__BIND_FIELD(q, 4, v->description)) ||
        (result = pg__bind_int64(q, 5, v->price_minor)) ||
        (result = PG__BIND_FIELD(q, 6, v->currency)) ||
        (result = PG__BIND_FIELD(q, 7, v->category)) ||
        (result = PG__BIND_FIELD(q, 8, v->images)) ||
        (result = PG__BIND_FIELD(q, 9, v->ship_from)) ||
        (result = pg__bind_int64(q, 10, v->units_sold)) ||
        (result = pg__bind_hash(q, 11, v->content_hash)))
        return result;
    return pg__bind_int64(q, 12, v->created_ms);
}

/* Insert one version row. OUT *vrow: its generated vrow (RETURNING). */
static ips_status version_insert(struct pg_store *ss, const struct store_listing_version *v,
                                 int64_t *vrow)
{
    int64_t tmp;
    return pg__get_one(ss, q_version_insert, bind_version_insert, v, pg__decode_int64, &tmp, vrow,
                       sizeof tmp);
}

/* A version record with the row it is stored as: the parameters of the
 * index insert and of making a version current. */
struct version_row {
    const struct store_listing_version *v;
    int64_t vrow;
};

/* The parameters of q_fts_insert. */
struct fts_row {
    int64_t vrow;
    const char *doc, *listing_id;
};

static ips_status bind_fts_insert(struct pg__stmt *q, const void *arg)
{
    const struct fts_row *r = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, r->vrow)) || (result = pg__bind_text(q, 2, r->doc)))
        return result;
    return pg__bind_text(q, 3, r->listing_id);
}

/* Index version row vrow (its title and description, as stored, and its
 * listing's seller: the listing row must exist). */
static ips_status fts_insert(struct pg_store *ss, int64_t vrow,
                             const struct store_listing_version *v)
{
    struct fts_doc d;
    ips_status result = fts_document(v, &d);
    if (result == IPS_OK) {
        struct fts_row r = {vrow, d.b.data ? d.b.data : "", v->listing_id}; /* "": no token */
        result = pg__write(ss, q_fts_insert, bind_fts_insert, &r, false);
    }
    buf_release(&d.b);
    return result;
}

static ips_status bind_make_current(struct pg__stmt *q, const void *arg)
{
    const struct version_row *r = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, r->v->listing_id)) ||
        (result = pg__bind_int64(q, 2, r->v->version)) ||
        (result = pg__bind_hash(q, 3, r->v->content_hash)) ||
        (result = pg__bind_int64(q, 4, r->vrow)))
        return result;
    return pg__bind_int64(q, 5, r->v->created_ms);
}

/* The parameters of q_listing_insert: the listing and its first version's row. */
struct listing_new {
    const struct store_listing *l;
    int64_t vrow;
};

static ips_status bind_listing_insert(struct pg__stmt *q, const void *arg)
{
    const struct listing_new *n = arg;
    const struct store_listing *l = n->l;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, l->id)) ||
        (result = PG__BIND_FIELD(q, 2, l->seller_org_id)) ||
        (result = PG__BIND_FIELD(q, 3, l->state)) ||
        (result = pg__bind_int64(q, 4, l->current_version)) ||
        (result = pg__bind_hash(q, 5, l->current_hash)) ||
        (result = pg__bind_int64(q, 6, n->vrow)) || (result = pg__bind_int64(q, 7, l->created_ms)))
        return result;
    return pg__bind_int64(q, 8, l->updated_ms);
}

static ips_status listing_insert(struct store *s, const struct store_listing *l,
                                 const struct store_listing_version *v)
{
    struct pg_store *ss = pg__from(s);
    struct listing_new n = {l, 0};
    /* the version first, for its vrow (its foreign key to the listing is
     * checked at commit) */
    ips_status result = version_insert(ss, v, &n.vrow);
    if (result || (result = pg__write(ss, q_listing_insert, bind_listing_insert, &n, false)))
        return result;
    return fts_insert(ss, n.vrow, v);
}

/* pg__bind_fn binding arg, a const int64_t *, to $1. */
static ips_status bind_int64_1(struct pg__stmt *q, const void *arg)
{
    return pg__bind_int64(q, 1, *(const int64_t *)arg);
}

/* The current row and version of a listing (q_listing_head). */
struct listing_head {
    int64_t vrow, version;
};

static ips_status decode_head(const struct pg__row *st, void *row)
{
    struct listing_head *h = row;
    h->vrow = pg__col_int64(st, 0);
    h->version = pg__col_int64(st, 1);
    return IPS_OK;
}

static ips_status listing_add_version(struct store *s, const struct store_listing_version *v)
{
    struct pg_store *ss = pg__from(s);
    struct listing_head head, tmp;
    struct version_row r = {v, 0};
    ips_status result =
        pg__get_key(ss, q_listing_head, v->listing_id, decode_head, &tmp, &head, sizeof tmp);
    if (result)
        return result;
    if (v->version != head.version + 1)
        return IPS_ERR_CONFLICT;
    /* take the old current version out of the index, put the new one in */
    if ((result = pg__write(ss, q_fts_delete, bind_int64_1, &head.vrow, false)) ||
        (result = version_insert(ss, v, &r.vrow)) || (result = fts_insert(ss, r.vrow, v)))
        return result;
    return pg__write(ss, q_listing_make_current, bind_make_current, &r, false);
}

/* The parameters of q_listing_set_state. */
struct listing_state {
    const char *id, *state;
    int64_t now_ms;
};

static ips_status bind_listing_state(struct pg__stmt *q, const void *arg)
{
    const struct listing_state *a = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, a->id)) ||
        (result = pg__bind_text_max(q, 2, a->state, STORE_STATE_MAX)))
        return result;
    return pg__bind_int64(q, 3, a->now_ms);
}

static ips_status listing_set_state(struct store *s, const char *id, const char *state,
                                    int64_t now_ms)
{
    struct listing_state a = {id, state, now_ms};
    return pg__write(pg__from(s), q_listing_set_state, bind_listing_state, &a, true);
}

static ips_status listing_get(struct store *s, const char *id, struct store_listing *out)
{
    struct store_listing tmp;
    return pg__get_key(pg__from(s), q_listing_get, id, decode_listing, &tmp, out, sizeof tmp);
}

/* The parameters of q_version_get and q_version_list. */
struct version_key {
    const char *id;
    int64_t version; /* get: the version; list: before (<= 0: from the newest) */
    int limit;       /* list only */
};

static ips_status bind_version_key(struct pg__stmt *q, const void *arg)
{
    const struct version_key *k = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, k->id)) || (result = pg__bind_int64(q, 2, k->version)))
        return result;
    return k->limit ? pg__bind_int64(q, 3, pg__page_limit(k->limit)) : IPS_OK;
}

static ips_status version_get(struct store *s, const char *id, int64_t version,
                              struct store_listing_version *out)
{
    struct version_key k = {id, version, 0};
    struct store_listing_version tmp;
    return pg__get_one(pg__from(s), q_version_get, bind_version_key, &k, decode_version, &tmp, out,
                       sizeof tmp);
}

/* A listing row: a listing and its current version. */
struct listing_row {
    struct store_listing l;
    struct store_listing_version v;
};

static ips_status decode_listing_row(const struct pg__row *st, void *row)
{
    struct listing_row *r = row;
    ips_status result = decode_listing_at(st, 0, &r->l);
    if (result || (result = decode_version_at(st, LISTING_NCOLS, &r->v)))
        return result;
    return PG__COL_FIELD(st, ROW_HIDDEN_COL, r->l.hidden);
}

/* pg__emit_fn for listing rows: store_listing_cb takes two records. */
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

/* The time (parameter t) and the keep flag (parameter keep, 0: the
 * statement has none) of a listing row statement (HIDDEN_COL, and
 * NOT_HIDDEN in the statements that may leave rows out) for view (NULL: no
 * time, keep all). */
static ips_status bind_view(struct pg__stmt *q, const struct store_listing_view *view, int t,
                            int keep)
{
    ips_status result = pg__bind_int64(q, t, view ? view->now_ms : 0);
    if (result || !keep)
        return result;
    return pg__bind_int64(q, keep, view && view->hide ? 0 : 1);
}

/* The parameters of q_listing_list and q_listing_list_seller. */
struct listing_page {
    struct pg__page pg;
    const struct store_listing_view *view;
};

static ips_status bind_listing_page(struct pg__stmt *q, const void *arg)
{
    const struct listing_page *p = arg;
    ips_status result = pg__bind_page_fn(q, &p->pg);
    return result ? result : bind_view(q, p->view, 4, p->pg.only ? 0 : 5);
}

static ips_status listing_list(struct store *s, const char *only_seller, const char *after,
                               int limit, const struct store_listing_view *view,
                               store_listing_cb cb, void *arg)
{
    struct listing_page p = {{only_seller, after, limit}, view};
    /* row NULL: a heap row, the callbacks may re-enter the store */
    return pg__list(pg__from(s), only_seller ? q_listing_list_seller : q_listing_list,
                    bind_listing_page, &p, decode_listing_row, NULL, sizeof(struct listing_row),
                    emit_listing, &(struct emit_listing){cb, arg});
}

/* The parameters of q_listing_search_row. */
struct search_row {
    int64_t vrow;
    const struct store_listing_view *view;
};

static ips_status bind_search_row(struct pg__stmt *q, const void *arg)
{
    const struct search_row *a = arg;
    ips_status result = pg__bind_int64(q, 1, a->vrow);
    return result ? result : bind_view(q, a->view, 2, 0);
}

/* The catalog-wide search: walk the ranked hits, read each one's row (a
 * vanished row, or a hidden one when view->hide, is skipped and not
 * counted), skip `offset` rows and emit `limit`. Without hiding, the first
 * `offset` hits are skipped unread. The hits are fetched whole before the
 * first row is read, so the reads may use the connection. */
static ips_status search_all(struct pg_store *ss, struct pg__stmt *q, int64_t offset, int limit,
                             const struct store_listing_view *view, struct listing_row *r,
                             struct emit_listing *e)
{
    bool hide = view && view->hide;
    int64_t skipped = 0, emitted = 0, want = pg__page_limit(limit);
    ips_status result = IPS_OK;
    while (emitted < want) {
        bool more = false;
        if ((result = pg__step(q, &more)) || !more)
            return result;
        if (!hide && skipped < offset) {
            skipped++;
            continue;
        }
        struct search_row a = {pg__col_int64(q->st, 0), view};
        struct listing_row tmp;
        result = pg__get_one(ss, q_listing_search_row, bind_search_row, &a, decode_listing_row,
                             &tmp, r, sizeof tmp);
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

static ips_status listing_search(struct store *s, const char *fts_query, const char *only_seller,
                                 int64_t offset, int limit, const struct store_listing_view *view,
                                 store_listing_cb cb, void *arg)
{
    struct pg_store *ss = pg__from(s);
    struct pg__stmt q;
    struct emit_listing e = {cb, arg};
    struct fts_query tq;
    struct listing_row *r = malloc(sizeof *r);
    const char *sql = only_seller ? q_listing_search : q_listing_search_all;
    memset(&q, 0, sizeof q);
    ips_status result = r ? fts_tsquery(fts_query, &tq) : IPS_ERR_NOMEM;
    if (result == IPS_ERR_INVALID)
        log_debug("catalog: fts query refused");
    /* no string with a token: nothing matches (nor would on FTS5) */
    if (result || !tq.b.data || (result = pg__stmt_sql(ss, sql, &q)) ||
        (result = pg__bind_text(&q, 1, tq.b.data)))
        goto out_stmt;
    if (!only_seller) {
        /* the ranking's bound: offset + limit hits, unless hidden ones are skipped */
        int64_t bound = view && view->hide ? 0 : offset + pg__page_limit(limit);
        if ((result = pg__bind_limit(&q, 2, bound)) == IPS_OK)
            result = search_all(ss, &q, offset, limit, view, r, &e);
        goto out_stmt;
    }
    if ((result = pg__bind_text(&q, 2, only_seller)) ||
        (result = pg__bind_int64(&q, 3, pg__page_limit(limit))) ||
        (result = pg__bind_int64(&q, 4, offset)) || (result = bind_view(&q, view, 5, 0)))
        goto out_stmt;
    result = pg__each(&q, decode_listing_row, r, sizeof *r, emit_listing, &e);
out_stmt:
    pg__stmt_put(&q);
    if (r)
        buf_release(&tq.b);
    free(r);
    return result;
}

static ips_status decode_hidden(const struct pg__row *st, void *row)
{
    return pg__col_text(st, 0, row, STORE_HIDDEN_MAX + 1);
}

/* The parameters of q_seller_hidden. */
struct seller_time {
    const char *seller;
    int64_t now_ms;
};

static ips_status bind_seller_hidden(struct pg__stmt *q, const void *arg)
{
    const struct seller_time *b = arg;
    ips_status result = pg__bind_text(q, 1, b->seller);
    return result ? result : pg__bind_int64(q, 2, b->now_ms);
}

static ips_status seller_hidden(struct store *s, const char *seller_org_id, int64_t now_ms,
                                char out[STORE_HIDDEN_MAX + 1])
{
    struct seller_time b = {seller_org_id, now_ms};
    char tmp[STORE_HIDDEN_MAX + 1];
    return pg__get_one(pg__from(s), q_seller_hidden, bind_seller_hidden, &b, decode_hidden, tmp,
                       out, sizeof tmp);
}

PG__EMIT(emit_version, struct store_listing_version, store_version_cb)

static ips_status version_list(struct store *s, const char *id, int64_t before, int limit,
                               store_version_cb cb, void *arg)
{
    struct version_key k = {id, before, limit > 0 ? limit : -1};
    return pg__list(pg__from(s), q_version_list, bind_version_key, &k, decode_version, NULL,
                    sizeof(struct store_listing_version), emit_version,
                    &(struct emit_version){cb, arg});
}

/* A bulk import inserts into the GIN index of listings_fts: let this
 * session's inserts gather in the index's pending list up to 64 MiB (the
 * default is 4 MiB) before they are merged, fewer and larger merges. */
static ips_status bulk_begin(struct store *s)
{
    return pg__exec(pg__from(s), "SET gin_pending_list_limit = 65536", "catalog bulk gin list");
}

const struct store_catalog_ops pg__catalog_ops = {
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
};

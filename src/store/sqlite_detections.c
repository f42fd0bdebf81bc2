/*
 * sqlite_detections.c — SQLite implementation of store_detections.h (tables
 * of migration 0007_detections.sql, plus read-only lookups in the catalog,
 * alliance and notices tables for the seller signal). Contracts:
 * store_detections.h.
 *
 * "The listing's current verdict" is the row with is_current = 1: inserting
 * a verdict clears the flag of the previous one in the same transaction, so
 * a flagged action's list reads one index (detection_verdicts_queue) and
 * never groups.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/sqlite_internal.h"
#include "store/store_detections_backend.h"

/* ---- rules ------------------------------------------------------------------------ */

#define RULES_COLS                                                                           \
    "version, stamp, source_ms, profiles, patterns, images, reason, created_ms,"             \
    " rescan_after, rescanned, changed"

static const char q_rules_current[] =
    "SELECT " RULES_COLS " FROM detection_rules ORDER BY version DESC LIMIT 1";
static const char q_rules_insert[] = "INSERT INTO detection_rules (" RULES_COLS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 0)";
static const char q_rules_progress[] =
    "UPDATE detection_rules SET rescan_after = ?2, rescanned = rescanned + ?3,"
    " changed = changed + ?4 WHERE version = ?1";
static const char q_profiles_changed[] = "SELECT coalesce(max(updated_ms), 0) FROM profiles";
static const char q_profile_orgs[] = "SELECT org_id FROM profiles ORDER BY org_id";

static ips_status decode_rules(sqlite3_stmt *st, void *row)
{
    struct store_detection_rules *r = row;
    ips_status result;
    memset(r, 0, sizeof *r);
    r->version = sqlite3_column_int64(st, 0);
    if ((result = SQLITE__COL_FIELD(st, 1, r->stamp)) ||
        (result = SQLITE__COL_FIELD(st, 6, r->reason)))
        return result;
    r->source_ms = sqlite3_column_int64(st, 2);
    r->profiles = sqlite3_column_int64(st, 3);
    r->patterns = sqlite3_column_int64(st, 4);
    r->images = sqlite3_column_int64(st, 5);
    r->created_ms = sqlite3_column_int64(st, 7);
    r->rescan_done = sqlite3_column_type(st, 8) == SQLITE_NULL;
    if (!r->rescan_done && (result = SQLITE__COL_FIELD(st, 8, r->rescan_after)))
        return result;
    r->rescanned = sqlite3_column_int64(st, 9);
    r->changed = sqlite3_column_int64(st, 10);
    return IPS_OK;
}

static ips_status rules_current(struct store *s, struct store_detection_rules *out)
{
    struct store_detection_rules tmp;
    return sqlite__get_one(sqlite__from(s), q_rules_current, NULL, NULL, decode_rules, &tmp, out,
                           sizeof tmp);
}

static ips_status bind_rules(struct sqlite__stmt *q, const void *arg)
{
    const struct store_detection_rules *r = arg;
    ips_status result;
    if ((result = sqlite__bind_int64(q, 1, r->version)) ||
        (result = SQLITE__BIND_FIELD(q, 2, r->stamp)) ||
        (result = sqlite__bind_int64(q, 3, r->source_ms)) ||
        (result = sqlite__bind_int64(q, 4, r->profiles)) ||
        (result = sqlite__bind_int64(q, 5, r->patterns)) ||
        (result = sqlite__bind_int64(q, 6, r->images)) ||
        (result = SQLITE__BIND_FIELD(q, 7, r->reason)) ||
        (result = sqlite__bind_int64(q, 8, r->created_ms)))
        return result;
    return r->rescan_done ? sqlite__bind_null(q, 9) : SQLITE__BIND_FIELD(q, 9, r->rescan_after);
}

static ips_status rules_insert(struct store *s, const struct store_detection_rules *r)
{
    return sqlite__write(sqlite__from(s), q_rules_insert, bind_rules, r, false);
}

struct progress_args {
    int64_t version;
    const char *after;
    int64_t rescanned, changed;
};

static ips_status bind_progress(struct sqlite__stmt *q, const void *arg)
{
    const struct progress_args *a = arg;
    ips_status result;
    if ((result = sqlite__bind_int64(q, 1, a->version)) ||
        (result = sqlite__bind_text(q, 2, a->after)) ||
        (result = sqlite__bind_int64(q, 3, a->rescanned)) ||
        (result = sqlite__bind_int64(q, 4, a->changed)))
        return result;
    return IPS_OK;
}

static ips_status rules_progress(struct store *s, int64_t version, const char *after,
                                 int64_t rescanned, int64_t changed)
{
    struct progress_args a = {version, after, rescanned, changed};
    return sqlite__write(sqlite__from(s), q_rules_progress, bind_progress, &a, true);
}

static ips_status profiles_changed(struct store *s, int64_t *ms)
{
    int64_t tmp;
    return sqlite__get_one(sqlite__from(s), q_profiles_changed, NULL, NULL, sqlite__decode_int64,
                           &tmp, ms, sizeof tmp);
}

/* One id column, for store_detection_id_cb listings. */
struct id_row {
    char id[STORE_LISTING_ID_MAX + 1];
};

static ips_status decode_id(sqlite3_stmt *st, void *row)
{
    struct id_row *r = row;
    return SQLITE__COL_FIELD(st, 0, r->id);
}

struct emit_id_ctx {
    store_detection_id_cb cb;
    void *arg;
};

static ips_status emit_id(const void *row, void *ctx)
{
    const struct emit_id_ctx *e = ctx;
    return e->cb(((const struct id_row *)row)->id, e->arg);
}

static ips_status profile_orgs(struct store *s, store_detection_id_cb cb, void *arg)
{
    struct id_row r;
    return sqlite__list(sqlite__from(s), q_profile_orgs, NULL, NULL, decode_id, &r, sizeof r,
                        emit_id, &(struct emit_id_ctx){cb, arg});
}

/* ---- medians ------------------------------------------------------------------------ */

static const char q_prices[] =
    "SELECT v.category, v.currency, v.price_minor FROM listings l"
    " JOIN listing_versions v ON v.vrow = l.current_vrow"
    " WHERE l.state IN ('live', 'reinstated') AND v.category <> ''"
    " ORDER BY v.category, v.currency, v.price_minor";
static const char q_medians_clear[] = "DELETE FROM detection_medians";
static const char q_median_insert[] =
    "INSERT INTO detection_medians (category, currency, median_minor, samples, rules_version)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char q_median_list[] =
    "SELECT category, currency, median_minor, samples FROM detection_medians"
    " ORDER BY category, currency";

struct price_row {
    char category[STORE_LISTING_CATEGORY_MAX + 1];
    char currency[STORE_CURRENCY_LEN + 1];
    int64_t price;
};

static ips_status decode_price(sqlite3_stmt *st, void *row)
{
    struct price_row *r = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, r->category)) ||
        (result = SQLITE__COL_FIELD(st, 1, r->currency)))
        return result;
    r->price = sqlite3_column_int64(st, 2);
    return IPS_OK;
}

struct emit_price_ctx {
    store_detection_price_cb cb;
    void *arg;
};

static ips_status emit_price(const void *row, void *ctx)
{
    const struct emit_price_ctx *e = ctx;
    const struct price_row *r = row;
    return e->cb(r->category, r->currency, r->price, e->arg);
}

static ips_status prices(struct store *s, store_detection_price_cb cb, void *arg)
{
    struct price_row r;
    return sqlite__list(sqlite__from(s), q_prices, NULL, NULL, decode_price, &r, sizeof r,
                        emit_price, &(struct emit_price_ctx){cb, arg});
}

static ips_status medians_clear(struct store *s)
{
    return sqlite__write(sqlite__from(s), q_medians_clear, NULL, NULL, false);
}

struct median_args {
    const struct store_detection_median *m;
    int64_t version;
};

static ips_status bind_median(struct sqlite__stmt *q, const void *arg)
{
    const struct median_args *a = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, a->m->category)) ||
        (result = SQLITE__BIND_FIELD(q, 2, a->m->currency)) ||
        (result = sqlite__bind_int64(q, 3, a->m->median_minor)) ||
        (result = sqlite__bind_int64(q, 4, a->m->samples)) ||
        (result = sqlite__bind_int64(q, 5, a->version)))
        return result;
    return IPS_OK;
}

static ips_status median_insert(struct store *s, const struct store_detection_median *m,
                                int64_t rules_version)
{
    struct median_args a = {m, rules_version};
    return sqlite__write(sqlite__from(s), q_median_insert, bind_median, &a, false);
}

static ips_status decode_median(sqlite3_stmt *st, void *row)
{
    struct store_detection_median *m = row;
    ips_status result;
    memset(m, 0, sizeof *m);
    if ((result = SQLITE__COL_FIELD(st, 0, m->category)) ||
        (result = SQLITE__COL_FIELD(st, 1, m->currency)))
        return result;
    m->median_minor = sqlite3_column_int64(st, 2);
    m->samples = sqlite3_column_int64(st, 3);
    return IPS_OK;
}

SQLITE__EMIT(emit_median, struct store_detection_median, store_detection_median_cb)

static ips_status median_list(struct store *s, store_detection_median_cb cb, void *arg)
{
    struct store_detection_median m;
    return sqlite__list(sqlite__from(s), q_median_list, NULL, NULL, decode_median, &m, sizeof m,
                        emit_median, &(struct emit_median){cb, arg});
}

/* ---- image hashes -------------------------------------------------------------------- */

static const char q_image_get[] = "SELECT sha256, pdq, quality, error, created_ms"
                                  " FROM detection_image_hashes WHERE sha256 = ?1";
static const char q_image_put[] =
    "INSERT OR REPLACE INTO detection_image_hashes (sha256, pdq, quality, error, created_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";

static ips_status decode_image(sqlite3_stmt *st, void *row)
{
    struct store_detection_image *im = row;
    ips_status result;
    memset(im, 0, sizeof *im);
    if ((result = SQLITE__COL_FIELD(st, 0, im->sha256)) ||
        (result = SQLITE__COL_FIELD(st, 1, im->pdq)) ||
        (result = SQLITE__COL_FIELD(st, 3, im->error)))
        return result;
    im->quality = sqlite3_column_int(st, 2);
    im->created_ms = sqlite3_column_int64(st, 4);
    return IPS_OK;
}

static ips_status image_get(struct store *s, const char *sha256, struct store_detection_image *out)
{
    struct store_detection_image tmp;
    return sqlite__get_key(sqlite__from(s), q_image_get, sha256, decode_image, &tmp, out,
                           sizeof tmp);
}

static ips_status bind_image(struct sqlite__stmt *q, const void *arg)
{
    const struct store_detection_image *im = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, im->sha256)) ||
        (result = SQLITE__BIND_FIELD(q, 2, im->pdq)) ||
        (result = sqlite__bind_int64(q, 3, im->quality)) ||
        (result = SQLITE__BIND_FIELD(q, 4, im->error)) ||
        (result = sqlite__bind_int64(q, 5, im->created_ms)))
        return result;
    return IPS_OK;
}

static ips_status image_put(struct store *s, const struct store_detection_image *im)
{
    return sqlite__write(sqlite__from(s), q_image_put, bind_image, im, false);
}

/* ---- listing images by URL ------------------------------------------------------------- */

static const char q_fetch_get[] = "SELECT url, sha256, state, attempts, error, updated_ms"
                                  " FROM image_fetches WHERE url = ?1";
static const char q_fetch_put[] =
    "INSERT OR REPLACE INTO image_fetches (url, sha256, state, attempts, error, updated_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_fetch_cursor[] = "SELECT after_vrow FROM image_fetch_cursor WHERE id = 1";
static const char q_fetch_cursor_set[] = "UPDATE image_fetch_cursor SET after_vrow = ?1 WHERE id = 1";
static const char q_fetch_versions[] =
    "SELECT vrow, listing_id, version, images FROM listing_versions WHERE vrow > ?1"
    " ORDER BY vrow LIMIT ?2";

static ips_status decode_fetch(sqlite3_stmt *st, void *row)
{
    struct store_image_fetch *f = row;
    ips_status result;
    memset(f, 0, sizeof *f);
    if ((result = SQLITE__COL_FIELD(st, 0, f->url)) ||
        (result = SQLITE__COL_FIELD(st, 1, f->sha256)) ||
        (result = SQLITE__COL_FIELD(st, 2, f->state)) ||
        (result = SQLITE__COL_FIELD(st, 4, f->error)))
        return result;
    f->attempts = sqlite3_column_int64(st, 3);
    f->updated_ms = sqlite3_column_int64(st, 5);
    return IPS_OK;
}

static ips_status fetch_get(struct store *s, const char *url, struct store_image_fetch *out)
{
    struct store_image_fetch tmp;
    return sqlite__get_key(sqlite__from(s), q_fetch_get, url, decode_fetch, &tmp, out,
                           sizeof tmp);
}

static ips_status bind_fetch(struct sqlite__stmt *q, const void *arg)
{
    const struct store_image_fetch *f = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, f->url)) ||
        (result = SQLITE__BIND_FIELD(q, 2, f->sha256)) ||
        (result = SQLITE__BIND_FIELD(q, 3, f->state)) ||
        (result = sqlite__bind_int64(q, 4, f->attempts)) ||
        (result = SQLITE__BIND_FIELD(q, 5, f->error)) ||
        (result = sqlite__bind_int64(q, 6, f->updated_ms)))
        return result;
    return IPS_OK;
}

static ips_status fetch_put(struct store *s, const struct store_image_fetch *f)
{
    return sqlite__write(sqlite__from(s), q_fetch_put, bind_fetch, f, false);
}

static ips_status fetch_cursor(struct store *s, int64_t *after_vrow)
{
    int64_t tmp;
    return sqlite__get_one(sqlite__from(s), q_fetch_cursor, NULL, NULL, sqlite__decode_int64, &tmp,
                           after_vrow, sizeof tmp);
}

static ips_status bind_int64_1(struct sqlite__stmt *q, const void *arg)
{
    return sqlite__bind_int64(q, 1, *(const int64_t *)arg);
}

static ips_status fetch_cursor_set(struct store *s, int64_t after_vrow)
{
    return sqlite__write(sqlite__from(s), q_fetch_cursor_set, bind_int64_1, &after_vrow, true);
}

struct fetch_page {
    int64_t after;
    int limit;
};

static ips_status bind_fetch_page(struct sqlite__stmt *q, const void *arg)
{
    const struct fetch_page *p = arg;
    ips_status result;
    if ((result = sqlite__bind_int64(q, 1, p->after)) ||
        (result = sqlite__bind_int64(q, 2, p->limit)))
        return result;
    return IPS_OK;
}

static ips_status decode_fetch_version(sqlite3_stmt *st, void *row)
{
    struct store_image_fetch_version *v = row;
    ips_status result;
    v->vrow = sqlite3_column_int64(st, 0);
    v->version = sqlite3_column_int64(st, 2);
    if ((result = SQLITE__COL_FIELD(st, 1, v->listing_id)) ||
        (result = SQLITE__COL_FIELD(st, 3, v->images)))
        return result;
    return IPS_OK;
}

SQLITE__EMIT(emit_fetch_version, struct store_image_fetch_version, store_image_fetch_version_cb)

static ips_status fetch_versions(struct store *s, int64_t after_vrow, int limit,
                                 store_image_fetch_version_cb cb, void *arg)
{
    struct fetch_page p = {after_vrow, limit};
    return sqlite__list(sqlite__from(s), q_fetch_versions, bind_fetch_page, &p,
                        decode_fetch_version, NULL, sizeof(struct store_image_fetch_version),
                        emit_fetch_version, &(struct emit_fetch_version){cb, arg});
}

/* ---- verdicts ------------------------------------------------------------------------ */

#define VERDICT_COLS                                                                         \
    "id, listing_id, listing_version, rules_version, checked_version, score_milli, action,"  \
    " applied, status, signals, outcome_key, is_current, created_ms"

static const char q_verdict_uncurrent[] =
    "UPDATE detection_verdicts SET is_current = 0 WHERE listing_id = ?1 AND is_current = 1";
static const char q_verdict_insert[] =
    "INSERT INTO detection_verdicts (" VERDICT_COLS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char q_verdict_get[] = "SELECT " VERDICT_COLS " FROM detection_verdicts WHERE id = ?1";
static const char q_verdict_current[] = "SELECT " VERDICT_COLS " FROM detection_verdicts"
                                        " WHERE listing_id = ?1 AND is_current = 1";
static const char q_verdict_checked[] =
    "UPDATE detection_verdicts SET checked_version = ?2 WHERE id = ?1";
static const char q_verdict_status[] = "UPDATE detection_verdicts SET status = ?2 WHERE id = ?1";
/* The reviewers' and right holders' lists, newest first, keyset on id. Four
 * texts of one shape; in each the filter that drives it is written as a
 * plain term (not "?n IS NULL OR ...", which no index serves), so that a
 * page reads its own rows and not the catalog's (a million current
 * verdicts: bench_portal.mjs; plans checked by e2e/queryplan):
 * - a listing's: detection_verdicts_version (listing_id, listing_version),
 *   then its few rows sorted;
 * - an org's (a right holder's detections): its rows of
 *   detection_verdict_orgs in verdict order (detection_verdict_orgs_org);
 * - a flagged action's: detection_verdicts_queue (action, id), partial
 *   (0034: current flagged verdicts only), whose WHERE the text repeats;
 * - the allow action's: the primary key newest first, keeping the current
 *   allow rows (most verdicts are; 0034 keeps them out of every index but
 *   the primary key and detection_verdicts_version, for the import);
 * - no filter (every flagged verdict, the default view): the partial index
 *   detection_verdicts_flagged (0026), named (INDEXED BY: without statistics
 *   the planner prefers the queue index and sorts every flagged verdict),
 *   whose WHERE the text repeats word for word.
 * The first page's cursor is STORE_DETECTION_ID_TOP, above every id, so that
 * the keyset bound is a plain range on the index in each text. */
#define VERDICT_LIST(FROM, ID, ACTION, ORG, LISTING)                                               \
    "SELECT " VERDICT_COLS " FROM " FROM " WHERE d.is_current = 1" ACTION                          \
    " AND (?2 IS NULL OR d.status = ?2)" ORG LISTING " AND " ID " < ?5"                            \
    " ORDER BY " ID " DESC LIMIT ?6"
#define VERDICT_ANY_ACTION " AND (?1 IS NULL AND d.action <> 'allow' OR d.action = ?1)"
#define VERDICT_ANY_ORG                                                                            \
    " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM detection_verdict_orgs o"                           \
    "      WHERE o.verdict_id = d.id AND o.org_id = ?3))"
#define VERDICT_ANY_LISTING " AND (?4 IS NULL OR d.listing_id = ?4)"
static const char q_verdict_list_listing[] =
    VERDICT_LIST("detection_verdicts d", "d.id", VERDICT_ANY_ACTION, VERDICT_ANY_ORG,
                 " AND d.listing_id = ?4");
static const char q_verdict_list_org[] =
    VERDICT_LIST("detection_verdict_orgs o JOIN detection_verdicts d ON d.id = o.verdict_id",
                 "o.verdict_id", VERDICT_ANY_ACTION, " AND o.org_id = ?3", VERDICT_ANY_LISTING);
static const char q_verdict_list_action[] =
    VERDICT_LIST("detection_verdicts d INDEXED BY detection_verdicts_queue", "d.id",
                 " AND d.action <> 'allow' AND d.action = ?1", VERDICT_ANY_ORG, VERDICT_ANY_LISTING);
static const char q_verdict_list_allowed[] = VERDICT_LIST(
    "detection_verdicts d", "d.id", " AND d.action = ?1", VERDICT_ANY_ORG, VERDICT_ANY_LISTING);
static const char q_verdict_list_flagged[] =
    VERDICT_LIST("detection_verdicts d INDEXED BY detection_verdicts_flagged", "d.id",
                 " AND d.action <> 'allow' AND ?1 IS NULL", VERDICT_ANY_ORG, VERDICT_ANY_LISTING);

static const char *const verdict_lists[STORE_DETECTIONS__LIST_COUNT] = {
    [STORE_DETECTIONS__LIST_LISTING] = q_verdict_list_listing,
    [STORE_DETECTIONS__LIST_ORG] = q_verdict_list_org,
    [STORE_DETECTIONS__LIST_ACTION] = q_verdict_list_action,
    [STORE_DETECTIONS__LIST_ALLOWED] = q_verdict_list_allowed,
    [STORE_DETECTIONS__LIST_FLAGGED] = q_verdict_list_flagged,
};

static ips_status decode_verdict(sqlite3_stmt *st, void *row)
{
    struct store_detection *d = row;
    ips_status result;
    if ((result = SQLITE__COL_FIELD(st, 0, d->id)) ||
        (result = SQLITE__COL_FIELD(st, 1, d->listing_id)) ||
        (result = SQLITE__COL_FIELD(st, 6, d->action)) ||
        (result = SQLITE__COL_FIELD(st, 7, d->applied)) ||
        (result = SQLITE__COL_FIELD(st, 8, d->status)) ||
        (result = SQLITE__COL_FIELD(st, 9, d->signals)) ||
        (result = SQLITE__COL_FIELD(st, 10, d->outcome_key)))
        return result;
    d->listing_version = sqlite3_column_int64(st, 2);
    d->rules_version = sqlite3_column_int64(st, 3);
    d->checked_version = sqlite3_column_int64(st, 4);
    d->score_milli = sqlite3_column_int(st, 5);
    d->is_current = sqlite3_column_int(st, 11) != 0;
    d->created_ms = sqlite3_column_int64(st, 12);
    return IPS_OK;
}

/* d's columns, in VERDICT_COLS order, to parameters b+1 .. b+13. */
static ips_status bind_verdict_at(struct sqlite__stmt *q, int b, const struct store_detection *d)
{
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, b + 1, d->id)) ||
        (result = SQLITE__BIND_FIELD(q, b + 2, d->listing_id)) ||
        (result = sqlite__bind_int64(q, b + 3, d->listing_version)) ||
        (result = sqlite__bind_int64(q, b + 4, d->rules_version)) ||
        (result = sqlite__bind_int64(q, b + 5, d->checked_version)) ||
        (result = sqlite__bind_int64(q, b + 6, d->score_milli)) ||
        (result = SQLITE__BIND_FIELD(q, b + 7, d->action)) ||
        (result = SQLITE__BIND_FIELD(q, b + 8, d->applied)) ||
        (result = SQLITE__BIND_FIELD(q, b + 9, d->status)) ||
        (result = SQLITE__BIND_FIELD(q, b + 10, d->signals)) ||
        (result = SQLITE__BIND_FIELD(q, b + 11, d->outcome_key)) ||
        (result = sqlite__bind_int64(q, b + 12, d->is_current ? 1 : 0)))
        return result;
    return sqlite__bind_int64(q, b + 13, d->created_ms);
}

static ips_status bind_verdict(struct sqlite__stmt *q, const void *arg)
{
    return bind_verdict_at(q, 0, arg);
}

/* A verdict other than allow: its signals counted by type (migration 0025,
 * detection_verdict_signals; what the reports' SIGNALS reads). Written here
 * and not by a trigger: any trigger on detection_verdicts, even one whose
 * WHEN skips allow verdicts, makes SQLite run every verdict INSERT with a
 * statement journal, which cost the catalog import half again its CPU. */
static const char q_verdict_signals[] =
    "INSERT INTO detection_verdict_signals (created_ms, verdict_id, type, signals)"
    " SELECT ?3, ?1, coalesce(CASE WHEN s.type = 'object'"
    " THEN CAST(json_extract(s.value, '$.type') AS TEXT) END, ''), count(*)"
    " FROM json_each(CASE WHEN json_valid(?2) THEN ?2 ELSE '[]' END) s GROUP BY 3";

static ips_status bind_verdict_signals(struct sqlite__stmt *q, const void *arg)
{
    const struct store_detection *d = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, d->id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, d->signals)) ||
        (result = sqlite__bind_int64(q, 3, d->created_ms)))
        return result;
    return IPS_OK;
}

/* ---- verdicts held back by a bulk transaction ---------------------------------------
 *
 * A catalog import stores one verdict per listing version, nearly all of
 * them plain allow verdicts of new listings. One INSERT per verdict costs
 * SQLite a statement run (and a cursor on each of the table's six B-trees,
 * the partial ones included) per row; one INSERT of 32 rows costs it once:
 * 24.8k against 14.3k instructions per verdict (callgrind of the statement
 * alone, docs/benchmarks.md "Catalog import", stop 22). So inside
 * store_tx_run_bulk such a verdict is kept in ss->vbuf, and written 32 at a
 * time, and before COMMIT, and before any statement that names a
 * detection_verdict* table (store_sqlite.c, sqlite__stmt_sql), so no read
 * on the connection misses it and nothing refers to it before it exists. */

#define VERDICT_TUPLE "(?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define VERDICT_TUPLES4 VERDICT_TUPLE "," VERDICT_TUPLE "," VERDICT_TUPLE "," VERDICT_TUPLE
#define VERDICT_TUPLES16 VERDICT_TUPLES4 "," VERDICT_TUPLES4 "," VERDICT_TUPLES4 "," VERDICT_TUPLES4
static const char q_verdict_insert_32[] =
    "INSERT INTO detection_verdicts (" VERDICT_COLS ") VALUES " VERDICT_TUPLES16 "," VERDICT_TUPLES16;
_Static_assert(SQLITE__VBUF_ROWS == 32, "q_verdict_insert_32 has 32 rows");

/* The held verdicts, to the 32 tuples of q_verdict_insert_32. */
static ips_status bind_verdict_rows(struct sqlite__stmt *q, const void *arg)
{
    const struct store_detection *rows = arg;
    ips_status result = IPS_OK;
    for (int i = 0; i < SQLITE__VBUF_ROWS && !result; i++)
        result = bind_verdict_at(q, 13 * i, &rows[i]);
    return result;
}

ips_status sqlite__verdicts_flush(struct sqlite_store *ss)
{
    int n = ss->vbuf_n;
    if (n == 0)
        return IPS_OK;
    ss->vbuf_n = 0;
    ss->vbuf_flushing = true;
    ips_status result = IPS_OK;
    if (n == SQLITE__VBUF_ROWS)
        result = sqlite__write(ss, q_verdict_insert_32, bind_verdict_rows, ss->vbuf, false);
    else
        for (int i = 0; i < n && !result; i++)
            result = sqlite__write(ss, q_verdict_insert, bind_verdict, &ss->vbuf[i], false);
    ss->vbuf_flushing = false;
    return result;
}

/* Keep d back when it is a plain allow verdict (no current verdict to
 * replace, no signal rows) of a bulk transaction: true when kept. The
 * columns are copied (d is the scan's scratch), each text to its length. */
static bool verdict_hold(struct store *s, const struct store_detection *d, bool replaces,
                         ips_status *result)
{
    struct sqlite_store *ss = sqlite__from(s);
    if (!s->bulk || replaces || strcmp(d->action, "allow") != 0)
        return false;
    if (!ss->vbuf && !(ss->vbuf = malloc(SQLITE__VBUF_ROWS * sizeof *ss->vbuf))) {
        *result = IPS_ERR_NOMEM;
        return true;
    }
    struct store_detection *r = &ss->vbuf[ss->vbuf_n++];
    memcpy(r->id, d->id, ID_SIZE);
    str_copy(r->listing_id, sizeof r->listing_id, d->listing_id);
    r->listing_version = d->listing_version;
    r->rules_version = d->rules_version;
    r->checked_version = d->checked_version;
    r->score_milli = d->score_milli;
    str_copy(r->action, sizeof r->action, d->action);
    str_copy(r->applied, sizeof r->applied, d->applied);
    str_copy(r->status, sizeof r->status, d->status);
    str_copy(r->signals, sizeof r->signals, d->signals);
    str_copy(r->outcome_key, sizeof r->outcome_key, d->outcome_key);
    r->is_current = d->is_current;
    r->created_ms = d->created_ms;
    *result = ss->vbuf_n == SQLITE__VBUF_ROWS ? sqlite__verdicts_flush(ss) : IPS_OK;
    return true;
}

static ips_status verdict_insert(struct store *s, const struct store_detection *d, bool replaces)
{
    struct sqlite_store *ss = sqlite__from(s);
    ips_status held;
    if (verdict_hold(s, d, replaces, &held))
        return held;
    ips_status result = replaces && d->is_current
                            ? sqlite__write(ss, q_verdict_uncurrent, sqlite__bind_key,
                                            d->listing_id, false)
                            : IPS_OK;
    if (!result)
        result = sqlite__write(ss, q_verdict_insert, bind_verdict, d, false);
    if (!result && strcmp(d->action, "allow") != 0)
        result = sqlite__write(ss, q_verdict_signals, bind_verdict_signals, d, false);
    return result;
}

static ips_status verdict_get(struct store *s, const char *id, struct store_detection *out)
{
    /* the record is large: decode into heap scratch, copy on success */
    struct store_detection *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return IPS_ERR_NOMEM;
    ips_status result =
        sqlite__get_key(sqlite__from(s), q_verdict_get, id, decode_verdict, tmp, out, sizeof *tmp);
    free(tmp);
    return result;
}

static ips_status verdict_current(struct store *s, const char *listing_id,
                                  struct store_detection *out)
{
    struct store_detection *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return IPS_ERR_NOMEM;
    ips_status result = sqlite__get_key(sqlite__from(s), q_verdict_current, listing_id,
                                        decode_verdict, tmp, out, sizeof *tmp);
    free(tmp);
    return result;
}

struct id_int_args {
    const char *id;
    int64_t v;
    const char *text;
};

static ips_status bind_id_int(struct sqlite__stmt *q, const void *arg)
{
    const struct id_int_args *a = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, a->id)))
        return result;
    return a->text ? sqlite__bind_text(q, 2, a->text) : sqlite__bind_int64(q, 2, a->v);
}

static ips_status verdict_checked(struct store *s, const char *id, int64_t version)
{
    struct id_int_args a = {id, version, NULL};
    return sqlite__write(sqlite__from(s), q_verdict_checked, bind_id_int, &a, true);
}

static ips_status verdict_status(struct store *s, const char *id, const char *status)
{
    struct id_int_args a = {id, 0, status};
    return sqlite__write(sqlite__from(s), q_verdict_status, bind_id_int, &a, true);
}

struct list_args {
    const struct store_detection_filter *f;
    const char *before;
    int limit;
};

/* NULL for an absent or empty filter member. */
static const char *opt(const char *v)
{
    return v && v[0] ? v : NULL;
}

static ips_status bind_list(struct sqlite__stmt *q, const void *arg)
{
    const struct list_args *a = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, opt(a->f->action))) ||
        (result = sqlite__bind_text(q, 2, opt(a->f->status))) ||
        (result = sqlite__bind_text(q, 3, opt(a->f->org_id))) ||
        (result = sqlite__bind_text(q, 4, opt(a->f->listing))) ||
        (result = sqlite__bind_text(q, 5, opt(a->before) ? a->before : STORE_DETECTION_ID_TOP)) ||
        (result = sqlite__bind_int64(q, 6, sqlite__page_limit(a->limit))))
        return result;
    return IPS_OK;
}

SQLITE__EMIT(emit_verdict, struct store_detection, store_detection_cb)

static ips_status verdict_list(struct store *s, const struct store_detection_filter *f,
                               const char *before, int limit, store_detection_cb cb, void *arg)
{
    struct list_args a = {f, before, limit};
    const char *sql = store_detections__list_text(f, verdict_lists);
    return sqlite__list(sqlite__from(s), sql, bind_list, &a, decode_verdict, NULL,
                        sizeof(struct store_detection), emit_verdict,
                        &(struct emit_verdict){cb, arg});
}

/* ---- right holders of a verdict ------------------------------------------------------ */

#define ORG_COLS "verdict_id, org_id, decision, decided_by, decided_ms, reason, notice_id"

static const char q_org_insert[] =
    "INSERT INTO detection_verdict_orgs (" ORG_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char q_org_get[] =
    "SELECT " ORG_COLS " FROM detection_verdict_orgs WHERE verdict_id = ?1 AND org_id = ?2";
static const char q_org_decide[] =
    "UPDATE detection_verdict_orgs SET decision = ?3, decided_by = ?4, decided_ms = ?5,"
    " reason = ?6, notice_id = ?7 WHERE verdict_id = ?1 AND org_id = ?2";
static const char q_org_list[] =
    "SELECT " ORG_COLS " FROM detection_verdict_orgs WHERE verdict_id = ?1 ORDER BY org_id";
static const char q_precision[] =
    "SELECT o.org_id, g.name, sum(o.decision = 'confirmed'), sum(o.decision = 'dismissed'),"
    " sum(o.decision = 'open') FROM detection_verdict_orgs o JOIN orgs g ON g.id = o.org_id"
    " WHERE ?1 IS NULL OR o.org_id = ?1 GROUP BY o.org_id ORDER BY o.org_id";

static ips_status decode_org(sqlite3_stmt *st, void *row)
{
    struct store_detection_org *o = row;
    ips_status result;
    memset(o, 0, sizeof *o);
    if ((result = SQLITE__COL_FIELD(st, 0, o->verdict_id)) ||
        (result = SQLITE__COL_FIELD(st, 1, o->org_id)) ||
        (result = SQLITE__COL_FIELD(st, 2, o->decision)) ||
        (result = SQLITE__COL_FIELD(st, 3, o->decided_by)) ||
        (result = SQLITE__COL_FIELD(st, 5, o->reason)) ||
        (result = SQLITE__COL_FIELD(st, 6, o->notice_id)))
        return result;
    o->decided_ms = sqlite3_column_int64(st, 4);
    return IPS_OK;
}

static ips_status bind_org(struct sqlite__stmt *q, const void *arg)
{
    const struct store_detection_org *o = arg;
    ips_status result;
    if ((result = SQLITE__BIND_FIELD(q, 1, o->verdict_id)) ||
        (result = SQLITE__BIND_FIELD(q, 2, o->org_id)) ||
        (result = SQLITE__BIND_FIELD(q, 3, o->decision)) ||
        (result = SQLITE__BIND_FIELD(q, 4, o->decided_by)) ||
        (result = sqlite__bind_int64(q, 5, o->decided_ms)) ||
        (result = SQLITE__BIND_FIELD(q, 6, o->reason)) ||
        (result = SQLITE__BIND_FIELD(q, 7, o->notice_id)))
        return result;
    return IPS_OK;
}

static ips_status org_insert(struct store *s, const struct store_detection_org *o)
{
    return sqlite__write(sqlite__from(s), q_org_insert, bind_org, o, false);
}

struct two_keys {
    const char *a, *b;
};

static ips_status bind_two_keys(struct sqlite__stmt *q, const void *arg)
{
    const struct two_keys *k = arg;
    ips_status result = sqlite__bind_text(q, 1, k->a);
    return result ? result : sqlite__bind_text(q, 2, k->b);
}

static ips_status org_get(struct store *s, const char *verdict_id, const char *org_id,
                          struct store_detection_org *out)
{
    struct store_detection_org tmp;
    struct two_keys k = {verdict_id, org_id};
    return sqlite__get_one(sqlite__from(s), q_org_get, bind_two_keys, &k, decode_org, &tmp, out,
                           sizeof tmp);
}

static ips_status org_decide(struct store *s, const struct store_detection_org *o)
{
    return sqlite__write(sqlite__from(s), q_org_decide, bind_org, o, true);
}

SQLITE__EMIT(emit_org, struct store_detection_org, store_detection_org_cb)

static ips_status org_list(struct store *s, const char *verdict_id, store_detection_org_cb cb,
                           void *arg)
{
    struct store_detection_org o;
    return sqlite__list(sqlite__from(s), q_org_list, sqlite__bind_key, verdict_id, decode_org, &o,
                        sizeof o, emit_org, &(struct emit_org){cb, arg});
}

static ips_status decode_precision(sqlite3_stmt *st, void *row)
{
    struct store_detection_precision *p = row;
    ips_status result;
    memset(p, 0, sizeof *p);
    if ((result = SQLITE__COL_FIELD(st, 0, p->org_id)) ||
        (result = SQLITE__COL_FIELD(st, 1, p->org_name)))
        return result;
    p->confirmed = sqlite3_column_int64(st, 2);
    p->dismissed = sqlite3_column_int64(st, 3);
    p->open = sqlite3_column_int64(st, 4);
    return IPS_OK;
}

SQLITE__EMIT(emit_precision, struct store_detection_precision, store_detection_precision_cb)

static ips_status precision(struct store *s, const char *only_org, store_detection_precision_cb cb,
                            void *arg)
{
    struct store_detection_precision p;
    return sqlite__list(sqlite__from(s), q_precision, sqlite__bind_key, only_org,
                        decode_precision, &p, sizeof p, emit_precision,
                        &(struct emit_precision){cb, arg});
}

/* ---- dismissals ------------------------------------------------------------------------ */

static const char q_dismissal_insert[] =
    "INSERT OR IGNORE INTO detection_dismissals (listing_id, listing_version, org_id,"
    " verdict_id, reason, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_dismissed_orgs[] = "SELECT org_id FROM detection_dismissals"
                                       " WHERE listing_id = ?1 AND listing_version = ?2"
                                       " ORDER BY org_id";

struct dismissal_args {
    const char *listing_id;
    int64_t version;
    const char *org_id, *verdict_id, *reason;
    int64_t now_ms;
};

static ips_status bind_dismissal(struct sqlite__stmt *q, const void *arg)
{
    const struct dismissal_args *a = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, a->listing_id)) ||
        (result = sqlite__bind_int64(q, 2, a->version)) ||
        (a->org_id && (result = sqlite__bind_text(q, 3, a->org_id))) ||
        (a->verdict_id && (result = sqlite__bind_text(q, 4, a->verdict_id))) ||
        (a->reason && (result = sqlite__bind_text(q, 5, a->reason))) ||
        (a->org_id && (result = sqlite__bind_int64(q, 6, a->now_ms))))
        return result;
    return IPS_OK;
}

static ips_status dismissal_insert(struct store *s, const char *listing_id,
                                   int64_t listing_version, const char *org_id,
                                   const char *verdict_id, const char *reason, int64_t now_ms)
{
    struct dismissal_args a = {listing_id, listing_version, org_id, verdict_id, reason, now_ms};
    return sqlite__write(sqlite__from(s), q_dismissal_insert, bind_dismissal, &a, false);
}

static ips_status dismissed_orgs(struct store *s, const char *listing_id, int64_t listing_version,
                                 store_detection_id_cb cb, void *arg)
{
    struct dismissal_args a = {listing_id, listing_version, NULL, NULL, NULL, 0};
    struct id_row r;
    return sqlite__list(sqlite__from(s), q_dismissed_orgs, bind_dismissal, &a, decode_id, &r,
                        sizeof r, emit_id, &(struct emit_id_ctx){cb, arg});
}

/* ---- seller lookups ---------------------------------------------------------------------- */

static const char q_seller_reports[] =
    "SELECT count(*), count(DISTINCT member_org_id) FROM alliance_reports"
    " WHERE seller_org_id = ?1";
static const char q_seller_strikes[] =
    "SELECT count(*) FROM strikes WHERE seller_org_id = ?1 AND revoked_ms = 0"
    " AND expires_ms > ?2";
/* The seller signal runs for each seller of each import batch and each
 * listing written, and most sellers have no reports or identifiers: two
 * plain counts on the sellers' indexes answer those (a few thousand
 * instructions each), before the statements above and below, whose
 * DISTINCT, ORDER BY and ephemeral tables cost ~30k and ~55k instructions
 * even when they find nothing (callgrind, docs/benchmarks.md "Catalog
 * import", stop 22). */
static const char q_seller_has_reports[] =
    "SELECT EXISTS (SELECT 1 FROM alliance_reports WHERE seller_org_id = ?1)";
static const char q_seller_has_identifiers[] =
    "SELECT EXISTS (SELECT 1 FROM seller_identifiers WHERE seller_org_id = ?1)";
static const char q_seller_links[] =
    "SELECT o.seller_org_id, (SELECT count(*) FROM strikes t WHERE t.seller_org_id ="
    " o.seller_org_id AND t.revoked_ms = 0 AND t.expires_ms > ?2) AS n"
    " FROM (SELECT DISTINCT b.seller_org_id FROM seller_identifiers a"
    "       JOIN seller_identifiers b ON b.kind = a.kind AND b.hash = a.hash"
    "       WHERE a.seller_org_id = ?1 AND b.seller_org_id <> ?1) o"
    " WHERE n > 0 ORDER BY o.seller_org_id LIMIT ?3";

struct pair_row {
    int64_t a, b;
};

static ips_status decode_pair(sqlite3_stmt *st, void *row)
{
    struct pair_row *r = row;
    r->a = sqlite3_column_int64(st, 0);
    r->b = sqlite3_column_int64(st, 1);
    return IPS_OK;
}

static ips_status seller_reports(struct store *s, const char *seller_org_id, int64_t *reports,
                                 int64_t *members)
{
    struct pair_row tmp, out = {0, 0};
    int64_t any = 0, t;
    ips_status result = sqlite__get_key(sqlite__from(s), q_seller_has_reports, seller_org_id,
                                        sqlite__decode_int64, &t, &any, sizeof t);
    if (result || (any && (result = sqlite__get_key(sqlite__from(s), q_seller_reports,
                                                    seller_org_id, decode_pair, &tmp, &out,
                                                    sizeof tmp))))
        return result;
    *reports = out.a;
    *members = out.b;
    return IPS_OK;
}

struct seller_args {
    const char *seller;
    int64_t now_ms;
    int limit;
};

static ips_status bind_seller(struct sqlite__stmt *q, const void *arg)
{
    const struct seller_args *a = arg;
    ips_status result;
    if ((result = sqlite__bind_text(q, 1, a->seller)) ||
        (result = sqlite__bind_int64(q, 2, a->now_ms)) ||
        (a->limit && (result = sqlite__bind_int64(q, 3, a->limit))))
        return result;
    return IPS_OK;
}

static ips_status seller_strikes(struct store *s, const char *seller_org_id, int64_t now_ms,
                                 int64_t *strikes)
{
    struct seller_args a = {seller_org_id, now_ms, 0};
    int64_t tmp;
    return sqlite__get_one(sqlite__from(s), q_seller_strikes, bind_seller, &a, sqlite__decode_int64,
                           &tmp, strikes, sizeof tmp);
}

struct link_row {
    char org_id[ID_SIZE];
    int64_t strikes;
};

static ips_status decode_link(sqlite3_stmt *st, void *row)
{
    struct link_row *r = row;
    r->strikes = sqlite3_column_int64(st, 1);
    return SQLITE__COL_FIELD(st, 0, r->org_id);
}

struct emit_link_ctx {
    store_detection_link_cb cb;
    void *arg;
};

static ips_status emit_link(const void *row, void *ctx)
{
    const struct emit_link_ctx *e = ctx;
    const struct link_row *r = row;
    return e->cb(r->org_id, r->strikes, e->arg);
}

static ips_status seller_links(struct store *s, const char *seller_org_id, int64_t now_ms,
                               int limit, store_detection_link_cb cb, void *arg)
{
    struct seller_args a = {seller_org_id, now_ms, sqlite__page_limit(limit)};
    struct link_row r;
    int64_t any = 0, t;
    ips_status result = sqlite__get_key(sqlite__from(s), q_seller_has_identifiers, seller_org_id,
                                        sqlite__decode_int64, &t, &any, sizeof t);
    if (result || !any)
        return result;
    return sqlite__list(sqlite__from(s), q_seller_links, bind_seller, &a, decode_link, &r,
                        sizeof r, emit_link, &(struct emit_link_ctx){cb, arg});
}

const struct store_detections_ops sqlite__detections_ops = {
    .rules_current = rules_current,
    .rules_insert = rules_insert,
    .rules_progress = rules_progress,
    .profiles_changed = profiles_changed,
    .profile_orgs = profile_orgs,
    .prices = prices,
    .medians_clear = medians_clear,
    .median_insert = median_insert,
    .median_list = median_list,
    .image_get = image_get,
    .image_put = image_put,
    .fetch_get = fetch_get,
    .fetch_put = fetch_put,
    .fetch_cursor = fetch_cursor,
    .fetch_cursor_set = fetch_cursor_set,
    .fetch_versions = fetch_versions,
    .verdict_insert = verdict_insert,
    .verdict_get = verdict_get,
    .verdict_current = verdict_current,
    .verdict_checked = verdict_checked,
    .verdict_status = verdict_status,
    .verdict_list = verdict_list,
    .org_insert = org_insert,
    .org_get = org_get,
    .org_decide = org_decide,
    .org_list = org_list,
    .precision = precision,
    .dismissal_insert = dismissal_insert,
    .dismissed_orgs = dismissed_orgs,
    .seller_reports = seller_reports,
    .seller_strikes = seller_strikes,
    .seller_links = seller_links,
};

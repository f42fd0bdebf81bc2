/*
 * pg_detections.c — PostgreSQL implementation of store_detections.h (tables
 * of migrations_pg/0007_detections.sql, plus read-only lookups in the
 * catalog, alliance and notices tables for the seller signal). Contracts:
 * store_detections.h. The statements are those of sqlite_detections.c in
 * PostgreSQL's dialect.
 *
 * "The listing's current verdict" is the row with is_current = 1: inserting
 * a verdict clears the flag of the previous one in the same transaction, so
 * a flagged action's list reads one index (detection_verdicts_queue) and
 * never groups.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_detections_backend.h"

/* ---- rules ------------------------------------------------------------------------ */

#define RULES_COLS                                                                                 \
    "version, stamp, source_ms, profiles, patterns, images, reason, created_ms,"                   \
    " rescan_after, rescanned, changed"

static const char q_rules_current[] =
    "SELECT " RULES_COLS " FROM detection_rules ORDER BY version DESC LIMIT 1";
static const char q_rules_insert[] = "INSERT INTO detection_rules (" RULES_COLS
                                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0)";
static const char q_rules_progress[] =
    "UPDATE detection_rules SET rescan_after = $2, rescanned = rescanned + $3,"
    " changed = changed + $4 WHERE version = $1";
static const char q_profiles_changed[] = "SELECT coalesce(max(updated_ms), 0) FROM profiles";
static const char q_profile_orgs[] = "SELECT org_id FROM profiles ORDER BY org_id";

static ips_status decode_rules(const struct pg__row *st, void *row)
{
    struct store_detection_rules *r = row;
    ips_status result;
    memset(r, 0, sizeof *r);
    r->version = pg__col_int64(st, 0);
    if ((result = PG__COL_FIELD(st, 1, r->stamp)) || (result = PG__COL_FIELD(st, 6, r->reason)))
        return result;
    r->source_ms = pg__col_int64(st, 2);
    r->profiles = pg__col_int64(st, 3);
    r->patterns = pg__col_int64(st, 4);
    r->images = pg__col_int64(st, 5);
    r->created_ms = pg__col_int64(st, 7);
    r->rescan_done = pg__col_is_null(st, 8);
    if (!r->rescan_done && (result = PG__COL_FIELD(st, 8, r->rescan_after)))
        return result;
    r->rescanned = pg__col_int64(st, 9);
    r->changed = pg__col_int64(st, 10);
    return IPS_OK;
}

static ips_status rules_current(struct store *s, struct store_detection_rules *out)
{
    struct store_detection_rules tmp;
    return pg__get_one(pg__from(s), q_rules_current, NULL, NULL, decode_rules, &tmp, out,
                       sizeof tmp);
}

static ips_status bind_rules(struct pg__stmt *q, const void *arg)
{
    const struct store_detection_rules *r = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, r->version)) || (result = PG__BIND_FIELD(q, 2, r->stamp)) ||
        (result = pg__bind_int64(q, 3, r->source_ms)) ||
        (result = pg__bind_int64(q, 4, r->profiles)) ||
        (result = pg__bind_int64(q, 5, r->patterns)) ||
        (result = pg__bind_int64(q, 6, r->images)) || (result = PG__BIND_FIELD(q, 7, r->reason)) ||
        (result = pg__bind_int64(q, 8, r->created_ms)))
        return result;
    return r->rescan_done ? pg__bind_null(q, 9) : PG__BIND_FIELD(q, 9, r->rescan_after);
}

static ips_status rules_insert(struct store *s, const struct store_detection_rules *r)
{
    return pg__write(pg__from(s), q_rules_insert, bind_rules, r, false);
}

struct progress_args {
    int64_t version;
    const char *after;
    int64_t rescanned, changed;
};

static ips_status bind_progress(struct pg__stmt *q, const void *arg)
{
    const struct progress_args *a = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, a->version)) || (result = pg__bind_text(q, 2, a->after)) ||
        (result = pg__bind_int64(q, 3, a->rescanned)) ||
        (result = pg__bind_int64(q, 4, a->changed)))
        return result;
    return IPS_OK;
}

static ips_status rules_progress(struct store *s, int64_t version, const char *after,
                                 int64_t rescanned, int64_t changed)
{
    struct progress_args a = {version, after, rescanned, changed};
    return pg__write(pg__from(s), q_rules_progress, bind_progress, &a, true);
}

static ips_status profiles_changed(struct store *s, int64_t *ms)
{
    int64_t tmp;
    return pg__get_one(pg__from(s), q_profiles_changed, NULL, NULL, pg__decode_int64, &tmp, ms,
                       sizeof tmp);
}

/* One id column, for store_detection_id_cb listings. */
struct id_row {
    char id[STORE_LISTING_ID_MAX + 1];
};

static ips_status decode_id(const struct pg__row *st, void *row)
{
    struct id_row *r = row;
    return PG__COL_FIELD(st, 0, r->id);
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
    return pg__list(pg__from(s), q_profile_orgs, NULL, NULL, decode_id, &r, sizeof r, emit_id,
                    &(struct emit_id_ctx){cb, arg});
}

/* ---- medians ------------------------------------------------------------------------ */

static const char q_prices[] = "SELECT v.category, v.currency, v.price_minor FROM listings l"
                               " JOIN listing_versions v ON v.vrow = l.current_vrow"
                               " WHERE l.state IN ('live', 'reinstated') AND v.category <> ''"
                               " ORDER BY v.category, v.currency, v.price_minor";
static const char q_medians_clear[] = "DELETE FROM detection_medians";
static const char q_median_insert[] =
    "INSERT INTO detection_medians (category, currency, median_minor, samples, rules_version)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char q_median_list[] =
    "SELECT category, currency, median_minor, samples FROM detection_medians"
    " ORDER BY category, currency";

struct price_row {
    char category[STORE_LISTING_CATEGORY_MAX + 1];
    char currency[STORE_CURRENCY_LEN + 1];
    int64_t price;
};

static ips_status decode_price(const struct pg__row *st, void *row)
{
    struct price_row *r = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, r->category)) ||
        (result = PG__COL_FIELD(st, 1, r->currency)))
        return result;
    r->price = pg__col_int64(st, 2);
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
    return pg__list(pg__from(s), q_prices, NULL, NULL, decode_price, &r, sizeof r, emit_price,
                    &(struct emit_price_ctx){cb, arg});
}

static ips_status medians_clear(struct store *s)
{
    return pg__write(pg__from(s), q_medians_clear, NULL, NULL, false);
}

struct median_args {
    const struct store_detection_median *m;
    int64_t version;
};

static ips_status bind_median(struct pg__stmt *q, const void *arg)
{
    const struct median_args *a = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, a->m->category)) ||
        (result = PG__BIND_FIELD(q, 2, a->m->currency)) ||
        (result = pg__bind_int64(q, 3, a->m->median_minor)) ||
        (result = pg__bind_int64(q, 4, a->m->samples)) ||
        (result = pg__bind_int64(q, 5, a->version)))
        return result;
    return IPS_OK;
}

static ips_status median_insert(struct store *s, const struct store_detection_median *m,
                                int64_t rules_version)
{
    struct median_args a = {m, rules_version};
    return pg__write(pg__from(s), q_median_insert, bind_median, &a, false);
}

static ips_status decode_median(const struct pg__row *st, void *row)
{
    struct store_detection_median *m = row;
    ips_status result;
    memset(m, 0, sizeof *m);
    if ((result = PG__COL_FIELD(st, 0, m->category)) ||
        (result = PG__COL_FIELD(st, 1, m->currency)))
        return result;
    m->median_minor = pg__col_int64(st, 2);
    m->samples = pg__col_int64(st, 3);
    return IPS_OK;
}

PG__EMIT(emit_median, struct store_detection_median, store_detection_median_cb)

static ips_status median_list(struct store *s, store_detection_median_cb cb, void *arg)
{
    struct store_detection_median m;
    return pg__list(pg__from(s), q_median_list, NULL, NULL, decode_median, &m, sizeof m,
                    emit_median, &(struct emit_median){cb, arg});
}

/* ---- image hashes -------------------------------------------------------------------- */

static const char q_image_get[] = "SELECT sha256, pdq, quality, error, created_ms"
                                  " FROM detection_image_hashes WHERE sha256 = $1";
/* a second hashing of the same image (a retry) replaces its row */
static const char q_image_put[] =
    "INSERT INTO detection_image_hashes (sha256, pdq, quality, error, created_ms)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO UPDATE SET pdq = excluded.pdq,"
    " quality = excluded.quality, error = excluded.error, created_ms = excluded.created_ms";

static ips_status decode_image(const struct pg__row *st, void *row)
{
    struct store_detection_image *im = row;
    ips_status result;
    memset(im, 0, sizeof *im);
    if ((result = PG__COL_FIELD(st, 0, im->sha256)) || (result = PG__COL_FIELD(st, 1, im->pdq)) ||
        (result = PG__COL_FIELD(st, 3, im->error)))
        return result;
    im->quality = pg__col_int(st, 2);
    im->created_ms = pg__col_int64(st, 4);
    return IPS_OK;
}

static ips_status image_get(struct store *s, const char *sha256, struct store_detection_image *out)
{
    struct store_detection_image tmp;
    return pg__get_key(pg__from(s), q_image_get, sha256, decode_image, &tmp, out, sizeof tmp);
}

static ips_status bind_image(struct pg__stmt *q, const void *arg)
{
    const struct store_detection_image *im = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, im->sha256)) || (result = PG__BIND_FIELD(q, 2, im->pdq)) ||
        (result = pg__bind_int64(q, 3, im->quality)) ||
        (result = PG__BIND_FIELD(q, 4, im->error)) ||
        (result = pg__bind_int64(q, 5, im->created_ms)))
        return result;
    return IPS_OK;
}

static ips_status image_put(struct store *s, const struct store_detection_image *im)
{
    return pg__write(pg__from(s), q_image_put, bind_image, im, false);
}

/* ---- listing images by URL ------------------------------------------------------------- */

static const char q_fetch_get[] = "SELECT url, sha256, state, attempts, error, updated_ms"
                                  " FROM image_fetches WHERE url = $1";
static const char q_fetch_put[] =
    "INSERT INTO image_fetches (url, sha256, state, attempts, error, updated_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO UPDATE SET sha256 = excluded.sha256,"
    " state = excluded.state, attempts = excluded.attempts, error = excluded.error,"
    " updated_ms = excluded.updated_ms";
static const char q_fetch_cursor[] = "SELECT after_vrow FROM image_fetch_cursor WHERE id = 1";
static const char q_fetch_cursor_set[] = "UPDATE image_fetch_cursor SET after_vrow = $1 WHERE id = 1";
static const char q_fetch_versions[] =
    "SELECT vrow, listing_id, version, images FROM listing_versions WHERE vrow > $1"
    " ORDER BY vrow LIMIT $2";

static ips_status decode_fetch(const struct pg__row *st, void *row)
{
    struct store_image_fetch *f = row;
    ips_status result;
    memset(f, 0, sizeof *f);
    if ((result = PG__COL_FIELD(st, 0, f->url)) || (result = PG__COL_FIELD(st, 1, f->sha256)) ||
        (result = PG__COL_FIELD(st, 2, f->state)) || (result = PG__COL_FIELD(st, 4, f->error)))
        return result;
    f->attempts = pg__col_int64(st, 3);
    f->updated_ms = pg__col_int64(st, 5);
    return IPS_OK;
}

static ips_status fetch_get(struct store *s, const char *url, struct store_image_fetch *out)
{
    struct store_image_fetch tmp;
    return pg__get_key(pg__from(s), q_fetch_get, url, decode_fetch, &tmp, out, sizeof tmp);
}

static ips_status bind_fetch(struct pg__stmt *q, const void *arg)
{
    const struct store_image_fetch *f = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, f->url)) || (result = PG__BIND_FIELD(q, 2, f->sha256)) ||
        (result = PG__BIND_FIELD(q, 3, f->state)) ||
        (result = pg__bind_int64(q, 4, f->attempts)) ||
        (result = PG__BIND_FIELD(q, 5, f->error)) ||
        (result = pg__bind_int64(q, 6, f->updated_ms)))
        return result;
    return IPS_OK;
}

static ips_status fetch_put(struct store *s, const struct store_image_fetch *f)
{
    return pg__write(pg__from(s), q_fetch_put, bind_fetch, f, false);
}

static ips_status fetch_cursor(struct store *s, int64_t *after_vrow)
{
    int64_t tmp;
    return pg__get_one(pg__from(s), q_fetch_cursor, NULL, NULL, pg__decode_int64, &tmp, after_vrow,
                       sizeof tmp);
}

static ips_status bind_int64_1(struct pg__stmt *q, const void *arg)
{
    return pg__bind_int64(q, 1, *(const int64_t *)arg);
}

static ips_status fetch_cursor_set(struct store *s, int64_t after_vrow)
{
    return pg__write(pg__from(s), q_fetch_cursor_set, bind_int64_1, &after_vrow, true);
}

struct fetch_page {
    int64_t after;
    int limit;
};

static ips_status bind_fetch_page(struct pg__stmt *q, const void *arg)
{
    const struct fetch_page *p = arg;
    ips_status result;
    if ((result = pg__bind_int64(q, 1, p->after)) || (result = pg__bind_int64(q, 2, p->limit)))
        return result;
    return IPS_OK;
}

static ips_status decode_fetch_version(const struct pg__row *st, void *row)
{
    struct store_image_fetch_version *v = row;
    ips_status result;
    v->vrow = pg__col_int64(st, 0);
    v->version = pg__col_int64(st, 2);
    if ((result = PG__COL_FIELD(st, 1, v->listing_id)) ||
        (result = PG__COL_FIELD(st, 3, v->images)))
        return result;
    return IPS_OK;
}

PG__EMIT(emit_fetch_version, struct store_image_fetch_version, store_image_fetch_version_cb)

static ips_status fetch_versions(struct store *s, int64_t after_vrow, int limit,
                                 store_image_fetch_version_cb cb, void *arg)
{
    struct fetch_page p = {after_vrow, limit};
    return pg__list(pg__from(s), q_fetch_versions, bind_fetch_page, &p, decode_fetch_version,
                    NULL, sizeof(struct store_image_fetch_version), emit_fetch_version,
                    &(struct emit_fetch_version){cb, arg});
}

/* ---- verdicts ------------------------------------------------------------------------ */

#define VERDICT_COLS                                                                               \
    "id, listing_id, listing_version, rules_version, checked_version, score_milli, action,"        \
    " applied, status, signals, outcome_key, is_current, created_ms"

#define VERDICT_INSERT                                                                             \
    "INSERT INTO detection_verdicts (" VERDICT_COLS                                                \
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $12)"
static const char q_verdict_insert[] = VERDICT_INSERT;
/* A verdict that replaces the listing's current one: the old one loses
 * is_current in the same statement (one round trip); both parts see one
 * snapshot, so the UPDATE never touches the row inserted */
static const char q_verdict_replace[] =
    "WITH uncurrent AS (UPDATE detection_verdicts SET is_current = 0"
    " WHERE listing_id = $2 AND is_current = 1) " VERDICT_INSERT;
static const char q_verdict_get[] = "SELECT " VERDICT_COLS " FROM detection_verdicts WHERE id = $1";
static const char q_verdict_current[] = "SELECT " VERDICT_COLS " FROM detection_verdicts"
                                        " WHERE listing_id = $1 AND is_current = 1";
static const char q_verdict_checked[] =
    "UPDATE detection_verdicts SET checked_version = $2 WHERE id = $1";
static const char q_verdict_status[] = "UPDATE detection_verdicts SET status = $2 WHERE id = $1";
/* The lists, in five texts as in sqlite_detections.c (which says why): each
 * driven by its own index through a plain term, the first page's cursor
 * STORE_DETECTION_ID_TOP. */
#define VERDICT_LIST(FROM, ID, ACTION, ORG, LISTING)                                               \
    "SELECT " VERDICT_COLS " FROM " FROM " WHERE d.is_current = 1" ACTION                          \
    " AND ($2::text IS NULL OR d.status = $2)" ORG LISTING " AND " ID " < $5"                      \
    " ORDER BY " ID " DESC LIMIT $6"
#define VERDICT_ANY_ACTION " AND ($1::text IS NULL AND d.action <> 'allow' OR d.action = $1)"
#define VERDICT_ANY_ORG                                                                            \
    " AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM detection_verdict_orgs o"                     \
    "      WHERE o.verdict_id = d.id AND o.org_id = $3))"
#define VERDICT_ANY_LISTING " AND ($4::text IS NULL OR d.listing_id = $4)"
static const char q_verdict_list_listing[] =
    VERDICT_LIST("detection_verdicts d", "d.id", VERDICT_ANY_ACTION, VERDICT_ANY_ORG,
                 " AND d.listing_id = $4");
static const char q_verdict_list_org[] =
    VERDICT_LIST("detection_verdict_orgs o JOIN detection_verdicts d ON d.id = o.verdict_id",
                 "o.verdict_id", VERDICT_ANY_ACTION, " AND o.org_id = $3", VERDICT_ANY_LISTING);
static const char q_verdict_list_action[] =
    VERDICT_LIST("detection_verdicts d", "d.id", " AND d.action <> 'allow' AND d.action = $1",
                 VERDICT_ANY_ORG, VERDICT_ANY_LISTING);
static const char q_verdict_list_allowed[] = VERDICT_LIST(
    "detection_verdicts d", "d.id", " AND d.action = $1", VERDICT_ANY_ORG, VERDICT_ANY_LISTING);
static const char q_verdict_list_flagged[] =
    VERDICT_LIST("detection_verdicts d", "d.id", " AND d.action <> 'allow' AND $1::text IS NULL",
                 VERDICT_ANY_ORG, VERDICT_ANY_LISTING);

static const char *const verdict_lists[STORE_DETECTIONS__LIST_COUNT] = {
    [STORE_DETECTIONS__LIST_LISTING] = q_verdict_list_listing,
    [STORE_DETECTIONS__LIST_ORG] = q_verdict_list_org,
    [STORE_DETECTIONS__LIST_ACTION] = q_verdict_list_action,
    [STORE_DETECTIONS__LIST_ALLOWED] = q_verdict_list_allowed,
    [STORE_DETECTIONS__LIST_FLAGGED] = q_verdict_list_flagged,
};

static ips_status decode_verdict(const struct pg__row *st, void *row)
{
    struct store_detection *d = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, d->id)) || (result = PG__COL_FIELD(st, 1, d->listing_id)) ||
        (result = PG__COL_FIELD(st, 6, d->action)) || (result = PG__COL_FIELD(st, 7, d->applied)) ||
        (result = PG__COL_FIELD(st, 8, d->status)) || (result = PG__COL_FIELD(st, 9, d->signals)) ||
        (result = PG__COL_FIELD(st, 10, d->outcome_key)))
        return result;
    d->listing_version = pg__col_int64(st, 2);
    d->rules_version = pg__col_int64(st, 3);
    d->checked_version = pg__col_int64(st, 4);
    d->score_milli = pg__col_int(st, 5);
    d->is_current = pg__col_int(st, 11) != 0;
    d->created_ms = pg__col_int64(st, 12);
    return IPS_OK;
}

static ips_status bind_verdict(struct pg__stmt *q, const void *arg)
{
    const struct store_detection *d = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, d->id)) || (result = PG__BIND_FIELD(q, 2, d->listing_id)) ||
        (result = pg__bind_int64(q, 3, d->listing_version)) ||
        (result = pg__bind_int64(q, 4, d->rules_version)) ||
        (result = pg__bind_int64(q, 5, d->checked_version)) ||
        (result = pg__bind_int64(q, 6, d->score_milli)) ||
        (result = PG__BIND_FIELD(q, 7, d->action)) || (result = PG__BIND_FIELD(q, 8, d->applied)) ||
        (result = PG__BIND_FIELD(q, 9, d->status)) ||
        (result = PG__BIND_FIELD(q, 10, d->signals)) ||
        (result = PG__BIND_FIELD(q, 11, d->outcome_key)) ||
        (result = pg__bind_int64(q, 12, d->created_ms)) ||
        (result = pg__bind_int64(q, 13, d->is_current ? 1 : 0)))
        return result;
    return IPS_OK;
}

/* A verdict other than allow: its signals counted by type (migration 0025,
 * detection_verdict_signals; what the reports' SIGNALS reads), read from the
 * JSON as SIGNALS used to (ips_json_array of 0014). Written here, as in
 * sqlite_detections.c, rather than by a trigger. */
static const char q_verdict_signals[] =
    "INSERT INTO detection_verdict_signals (created_ms, verdict_id, type, signals)"
    " SELECT $3::bigint, $1::text, coalesce(s.value ->> 'type', ''), count(*)"
    " FROM jsonb_array_elements(ips_json_array($2::text)) s GROUP BY 3";

static ips_status bind_verdict_signals(struct pg__stmt *q, const void *arg)
{
    const struct store_detection *d = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, d->id)) || (result = PG__BIND_FIELD(q, 2, d->signals)) ||
        (result = pg__bind_int64(q, 3, d->created_ms)))
        return result;
    return IPS_OK;
}

static ips_status verdict_insert(struct store *s, const struct store_detection *d, bool replaces)
{
    ips_status result =
        pg__write(pg__from(s), replaces && d->is_current ? q_verdict_replace : q_verdict_insert,
                  bind_verdict, d, false);
    if (!result && strcmp(d->action, "allow") != 0)
        result = pg__write(pg__from(s), q_verdict_signals, bind_verdict_signals, d, false);
    return result;
}

static ips_status verdict_get(struct store *s, const char *id, struct store_detection *out)
{
    /* the record is large: decode into heap scratch, copy on success */
    struct store_detection *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return IPS_ERR_NOMEM;
    ips_status result =
        pg__get_key(pg__from(s), q_verdict_get, id, decode_verdict, tmp, out, sizeof *tmp);
    free(tmp);
    return result;
}

static ips_status verdict_current(struct store *s, const char *listing_id,
                                  struct store_detection *out)
{
    struct store_detection *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return IPS_ERR_NOMEM;
    ips_status result = pg__get_key(pg__from(s), q_verdict_current, listing_id, decode_verdict, tmp,
                                    out, sizeof *tmp);
    free(tmp);
    return result;
}

struct id_int_args {
    const char *id;
    int64_t v;
    const char *text;
};

static ips_status bind_id_int(struct pg__stmt *q, const void *arg)
{
    const struct id_int_args *a = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, a->id)))
        return result;
    return a->text ? pg__bind_text(q, 2, a->text) : pg__bind_int64(q, 2, a->v);
}

static ips_status verdict_checked(struct store *s, const char *id, int64_t version)
{
    struct id_int_args a = {id, version, NULL};
    return pg__write(pg__from(s), q_verdict_checked, bind_id_int, &a, true);
}

static ips_status verdict_status(struct store *s, const char *id, const char *status)
{
    struct id_int_args a = {id, 0, status};
    return pg__write(pg__from(s), q_verdict_status, bind_id_int, &a, true);
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

static ips_status bind_list(struct pg__stmt *q, const void *arg)
{
    const struct list_args *a = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, opt(a->f->action))) ||
        (result = pg__bind_text(q, 2, opt(a->f->status))) ||
        (result = pg__bind_text(q, 3, opt(a->f->org_id))) ||
        (result = pg__bind_text(q, 4, opt(a->f->listing))) ||
        (result = pg__bind_text(q, 5, opt(a->before) ? a->before : STORE_DETECTION_ID_TOP)) ||
        (result = pg__bind_int64(q, 6, pg__page_limit(a->limit))))
        return result;
    return IPS_OK;
}

PG__EMIT(emit_verdict, struct store_detection, store_detection_cb)

static ips_status verdict_list(struct store *s, const struct store_detection_filter *f,
                               const char *before, int limit, store_detection_cb cb, void *arg)
{
    struct list_args a = {f, before, limit};
    const char *sql = store_detections__list_text(f, verdict_lists);
    return pg__list(pg__from(s), sql, bind_list, &a, decode_verdict, NULL,
                    sizeof(struct store_detection), emit_verdict, &(struct emit_verdict){cb, arg});
}

/* ---- right holders of a verdict ------------------------------------------------------ */

#define ORG_COLS "verdict_id, org_id, decision, decided_by, decided_ms, reason, notice_id"

static const char q_org_insert[] =
    "INSERT INTO detection_verdict_orgs (" ORG_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char q_org_get[] =
    "SELECT " ORG_COLS " FROM detection_verdict_orgs WHERE verdict_id = $1 AND org_id = $2";
static const char q_org_decide[] =
    "UPDATE detection_verdict_orgs SET decision = $3, decided_by = $4, decided_ms = $5,"
    " reason = $6, notice_id = $7 WHERE verdict_id = $1 AND org_id = $2";
static const char q_org_list[] =
    "SELECT " ORG_COLS " FROM detection_verdict_orgs WHERE verdict_id = $1 ORDER BY org_id";
/* Decisions counted with FILTER (a boolean does not sum); the org's name is
 * grouped too, as PostgreSQL requires of a selected column. */
static const char q_precision[] =
    "SELECT o.org_id, g.name, count(*) FILTER (WHERE o.decision = 'confirmed'),"
    " count(*) FILTER (WHERE o.decision = 'dismissed'),"
    " count(*) FILTER (WHERE o.decision = 'open')"
    " FROM detection_verdict_orgs o JOIN orgs g ON g.id = o.org_id"
    " WHERE $1::text IS NULL OR o.org_id = $1 GROUP BY o.org_id, g.name ORDER BY o.org_id";

static ips_status decode_org(const struct pg__row *st, void *row)
{
    struct store_detection_org *o = row;
    ips_status result;
    memset(o, 0, sizeof *o);
    if ((result = PG__COL_FIELD(st, 0, o->verdict_id)) ||
        (result = PG__COL_FIELD(st, 1, o->org_id)) ||
        (result = PG__COL_FIELD(st, 2, o->decision)) ||
        (result = PG__COL_FIELD(st, 3, o->decided_by)) ||
        (result = PG__COL_FIELD(st, 5, o->reason)) || (result = PG__COL_FIELD(st, 6, o->notice_id)))
        return result;
    o->decided_ms = pg__col_int64(st, 4);
    return IPS_OK;
}

static ips_status bind_org(struct pg__stmt *q, const void *arg)
{
    const struct store_detection_org *o = arg;
    ips_status result;
    if ((result = PG__BIND_FIELD(q, 1, o->verdict_id)) ||
        (result = PG__BIND_FIELD(q, 2, o->org_id)) ||
        (result = PG__BIND_FIELD(q, 3, o->decision)) ||
        (result = PG__BIND_FIELD(q, 4, o->decided_by)) ||
        (result = pg__bind_int64(q, 5, o->decided_ms)) ||
        (result = PG__BIND_FIELD(q, 6, o->reason)) || (result = PG__BIND_FIELD(q, 7, o->notice_id)))
        return result;
    return IPS_OK;
}

static ips_status org_insert(struct store *s, const struct store_detection_org *o)
{
    return pg__write(pg__from(s), q_org_insert, bind_org, o, false);
}

struct two_keys {
    const char *a, *b;
};

static ips_status bind_two_keys(struct pg__stmt *q, const void *arg)
{
    const struct two_keys *k = arg;
    ips_status result = pg__bind_text(q, 1, k->a);
    return result ? result : pg__bind_text(q, 2, k->b);
}

static ips_status org_get(struct store *s, const char *verdict_id, const char *org_id,
                          struct store_detection_org *out)
{
    struct store_detection_org tmp;
    struct two_keys k = {verdict_id, org_id};
    return pg__get_one(pg__from(s), q_org_get, bind_two_keys, &k, decode_org, &tmp, out,
                       sizeof tmp);
}

static ips_status org_decide(struct store *s, const struct store_detection_org *o)
{
    return pg__write(pg__from(s), q_org_decide, bind_org, o, true);
}

PG__EMIT(emit_org, struct store_detection_org, store_detection_org_cb)

static ips_status org_list(struct store *s, const char *verdict_id, store_detection_org_cb cb,
                           void *arg)
{
    struct store_detection_org o;
    return pg__list(pg__from(s), q_org_list, pg__bind_key, verdict_id, decode_org, &o, sizeof o,
                    emit_org, &(struct emit_org){cb, arg});
}

static ips_status decode_precision(const struct pg__row *st, void *row)
{
    struct store_detection_precision *p = row;
    ips_status result;
    memset(p, 0, sizeof *p);
    if ((result = PG__COL_FIELD(st, 0, p->org_id)) || (result = PG__COL_FIELD(st, 1, p->org_name)))
        return result;
    p->confirmed = pg__col_int64(st, 2);
    p->dismissed = pg__col_int64(st, 3);
    p->open = pg__col_int64(st, 4);
    return IPS_OK;
}

PG__EMIT(emit_precision, struct store_detection_precision, store_detection_precision_cb)

static ips_status precision(struct store *s, const char *only_org, store_detection_precision_cb cb,
                            void *arg)
{
    struct store_detection_precision p;
    return pg__list(pg__from(s), q_precision, pg__bind_key, only_org, decode_precision, &p,
                    sizeof p, emit_precision, &(struct emit_precision){cb, arg});
}

/* ---- dismissals ------------------------------------------------------------------------ */

static const char q_dismissal_insert[] =
    "INSERT INTO detection_dismissals (listing_id, listing_version, org_id,"
    " verdict_id, reason, created_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING";
static const char q_dismissed_orgs[] = "SELECT org_id FROM detection_dismissals"
                                       " WHERE listing_id = $1 AND listing_version = $2"
                                       " ORDER BY org_id";

struct dismissal_args {
    const char *listing_id;
    int64_t version;
    const char *org_id, *verdict_id, *reason;
    int64_t now_ms;
};

static ips_status bind_dismissal(struct pg__stmt *q, const void *arg)
{
    const struct dismissal_args *a = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, a->listing_id)) ||
        (result = pg__bind_int64(q, 2, a->version)) ||
        (a->org_id && (result = pg__bind_text(q, 3, a->org_id))) ||
        (a->verdict_id && (result = pg__bind_text(q, 4, a->verdict_id))) ||
        (a->reason && (result = pg__bind_text(q, 5, a->reason))) ||
        (a->org_id && (result = pg__bind_int64(q, 6, a->now_ms))))
        return result;
    return IPS_OK;
}

static ips_status dismissal_insert(struct store *s, const char *listing_id, int64_t listing_version,
                                   const char *org_id, const char *verdict_id, const char *reason,
                                   int64_t now_ms)
{
    struct dismissal_args a = {listing_id, listing_version, org_id, verdict_id, reason, now_ms};
    return pg__write(pg__from(s), q_dismissal_insert, bind_dismissal, &a, false);
}

static ips_status dismissed_orgs(struct store *s, const char *listing_id, int64_t listing_version,
                                 store_detection_id_cb cb, void *arg)
{
    struct dismissal_args a = {listing_id, listing_version, NULL, NULL, NULL, 0};
    struct id_row r;
    return pg__list(pg__from(s), q_dismissed_orgs, bind_dismissal, &a, decode_id, &r, sizeof r,
                    emit_id, &(struct emit_id_ctx){cb, arg});
}

/* ---- seller lookups ---------------------------------------------------------------------- */

static const char q_seller_reports[] =
    "SELECT count(*), count(DISTINCT member_org_id) FROM alliance_reports"
    " WHERE seller_org_id = $1";
static const char q_seller_strikes[] =
    "SELECT count(*) FROM strikes WHERE seller_org_id = $1 AND revoked_ms = 0"
    " AND expires_ms > $2";
/* The strike count of each linked seller is a column of a derived table so
 * that the outer WHERE can test it (a select-list alias cannot be). */
static const char q_seller_links[] =
    "SELECT seller_org_id, n FROM (SELECT o.seller_org_id, (SELECT count(*) FROM strikes t"
    "  WHERE t.seller_org_id = o.seller_org_id AND t.revoked_ms = 0 AND t.expires_ms > $2) AS n"
    "  FROM (SELECT DISTINCT b.seller_org_id FROM seller_identifiers a"
    "        JOIN seller_identifiers b ON b.kind = a.kind AND b.hash = a.hash"
    "        WHERE a.seller_org_id = $1 AND b.seller_org_id <> $1) o) c"
    " WHERE n > 0 ORDER BY seller_org_id LIMIT $3";

struct pair_row {
    int64_t a, b;
};

static ips_status decode_pair(const struct pg__row *st, void *row)
{
    struct pair_row *r = row;
    r->a = pg__col_int64(st, 0);
    r->b = pg__col_int64(st, 1);
    return IPS_OK;
}

static ips_status seller_reports(struct store *s, const char *seller_org_id, int64_t *reports,
                                 int64_t *members)
{
    struct pair_row tmp, out;
    ips_status result = pg__get_key(pg__from(s), q_seller_reports, seller_org_id, decode_pair, &tmp,
                                    &out, sizeof tmp);
    if (result)
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

static ips_status bind_seller(struct pg__stmt *q, const void *arg)
{
    const struct seller_args *a = arg;
    ips_status result;
    if ((result = pg__bind_text(q, 1, a->seller)) || (result = pg__bind_int64(q, 2, a->now_ms)) ||
        (a->limit && (result = pg__bind_int64(q, 3, a->limit))))
        return result;
    return IPS_OK;
}

static ips_status seller_strikes(struct store *s, const char *seller_org_id, int64_t now_ms,
                                 int64_t *strikes)
{
    struct seller_args a = {seller_org_id, now_ms, 0};
    int64_t tmp;
    return pg__get_one(pg__from(s), q_seller_strikes, bind_seller, &a, pg__decode_int64, &tmp,
                       strikes, sizeof tmp);
}

struct link_row {
    char org_id[ID_SIZE];
    int64_t strikes;
};

static ips_status decode_link(const struct pg__row *st, void *row)
{
    struct link_row *r = row;
    r->strikes = pg__col_int64(st, 1);
    return PG__COL_FIELD(st, 0, r->org_id);
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
    struct seller_args a = {seller_org_id, now_ms, pg__page_limit(limit)};
    struct link_row r;
    return pg__list(pg__from(s), q_seller_links, bind_seller, &a, decode_link, &r, sizeof r,
                    emit_link, &(struct emit_link_ctx){cb, arg});
}

const struct store_detections_ops pg__detections_ops = {
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

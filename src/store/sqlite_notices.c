/*
 * sqlite_notices.c — SQLite implementation of store_notices.h (tables of
 * migration 0006_notices.sql). Contracts are in store_notices.h; every
 * function borrows cached statements (sqlite__stmt_sql) and gives them back
 * on every path.
 */
#include <stdlib.h>
#include <string.h>

#include "store/notices_sql.h"
#include "store/sqlite_internal.h"
#include "store/store_notices_backend.h"

/* ---- notices ------------------------------------------------------------------ */

#define NOTICE_COLS                                                                                \
    "id, notifier_org_id, submitted_by, right_id, right_org_id, kind, explanation, "               \
    "notifier_name, notifier_email, on_behalf_of, signature, good_faith, accuracy, "               \
    "evidence, fast_track, state, outcome, risk, items_total, review_deadline_ms, "                \
    "sla_breached, decided_by, decision_reason, created_ms, decided_ms, updated_ms"
#define NOTICE_COLS_N                                                                              \
    "n.id, n.notifier_org_id, n.submitted_by, n.right_id, n.right_org_id, n.kind, "                \
    "n.explanation, n.notifier_name, n.notifier_email, n.on_behalf_of, n.signature, "              \
    "n.good_faith, n.accuracy, n.evidence, n.fast_track, n.state, n.outcome, n.risk, "             \
    "n.items_total, n.review_deadline_ms, n.sla_breached, n.decided_by, n.decision_reason, "       \
    "n.created_ms, n.decided_ms, n.updated_ms"

static const char q_notice_insert[] =
    "INSERT INTO notices (" NOTICE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)";
static const char q_notice_get[] = "SELECT " NOTICE_COLS " FROM notices WHERE id = ?1";
static const char q_notice_update[] =
    "UPDATE notices SET state = ?2, outcome = ?3, review_deadline_ms = ?4, sla_breached = ?5, "
    "decided_by = ?6, decision_reason = ?7, decided_ms = ?8, updated_ms = ?9 WHERE id = ?1";
/*
 * Notice pages, id order after the cursor ?2 (keyset). Filters: ?1 notifier
 * org, ?4 state, ?5 seller org (an item of its), ?6 FTS5 query. One
 * statement per driving index, so that a page reads about a page of rows
 * whatever the table's size: a search is driven by notices_fts, a seller's
 * list by notice_items_seller, a notifier's by notices_notifier, the rest by
 * the primary key. ("?1 IS NULL OR ..." alone would make SQLite walk the
 * primary key for every filter.) Each binds ?1-?6.
 */
#define NOTICE_PAGE_FILTERS                                                                        \
    " AND (?1 IS NULL OR n.notifier_org_id = ?1) AND (?4 IS NULL OR n.state = ?4)"                 \
    " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = n.id"            \
    " AND i.seller_org_id = ?5))"
#define NOTICE_PAGE_ORDER " ORDER BY n.id LIMIT ?3"
static const char q_notice_list[] = "SELECT " NOTICE_COLS_N " FROM notices n WHERE ?6 IS NULL"
                                    " AND n.id > ?2" NOTICE_PAGE_FILTERS NOTICE_PAGE_ORDER;
static const char q_notice_list_notifier[] =
    "SELECT " NOTICE_COLS_N " FROM notices n WHERE ?6 IS NULL AND n.notifier_org_id = ?1"
    " AND n.id > ?2" NOTICE_PAGE_FILTERS NOTICE_PAGE_ORDER;
static const char q_notice_list_seller[] =
    "SELECT " NOTICE_COLS_N " FROM notices n WHERE ?6 IS NULL AND n.id IN (SELECT i.notice_id"
    " FROM notice_items i WHERE i.seller_org_id = ?5 AND i.notice_id > ?2)" NOTICE_PAGE_FILTERS
        NOTICE_PAGE_ORDER;
static const char q_notice_search[] =
    "SELECT " NOTICE_COLS_N " FROM notices n WHERE n.id IN (SELECT s.notice_id FROM notices_fts f"
    " JOIN notice_search s ON s.srow = f.rowid WHERE notices_fts MATCH ?6 AND s.notice_id > "
    "?2)" NOTICE_PAGE_FILTERS NOTICE_PAGE_ORDER;
static const char q_queue_list[] =
    "SELECT " NOTICE_COLS " FROM notices WHERE review_deadline_ms > 0"
    " AND (?1 IS NULL OR review_deadline_ms > ?2 OR (review_deadline_ms = ?2 AND"
    " (risk < ?3 OR (risk = ?3 AND id > ?1))))"
    " ORDER BY review_deadline_ms, risk DESC, id LIMIT ?4";
static const char q_sla_due[] =
    "SELECT " NOTICE_COLS " FROM notices WHERE review_deadline_ms > 0 AND sla_breached = 0"
    " AND review_deadline_ms <= ?1 ORDER BY review_deadline_ms LIMIT ?2";
static const char q_open_for_listing[] =
    "SELECT notice_id FROM notice_items WHERE listing_id = ?1 AND notifier_org_id = ?2"
    " AND state IN ('pending', 'taken_down', 'counter_noticed') LIMIT 1";
/* A notifier's record since ?2 (ms; ?3 its UTC day, ?4 the next day's first
 * ms): the kept per-day counters of the whole days after ?3 (notifier_days,
 * migration 0024, kept by triggers) plus the base rows of day ?3 from ?2 on. */
static const char q_counts[] =
    "SELECT d.decided + n.decided, d.upheld + n.upheld, d.rejected + n.rejected,"
    " d.partially + n.partially, d.takedowns + i.takedowns, d.reversed + i.reversed FROM"
    " (SELECT coalesce(sum(decided), 0) AS decided, coalesce(sum(upheld), 0) AS upheld,"
    " coalesce(sum(rejected), 0) AS rejected, coalesce(sum(partially), 0) AS partially,"
    " coalesce(sum(takedowns), 0) AS takedowns, coalesce(sum(reversed), 0) AS reversed"
    " FROM notifier_days WHERE org_id = ?1 AND day > ?3) AS d,"
    " (SELECT count(*) AS decided, coalesce(sum(outcome = 'upheld'), 0) AS upheld,"
    " coalesce(sum(outcome = 'rejected'), 0) AS rejected,"
    " coalesce(sum(outcome = 'partially'), 0) AS partially FROM notices"
    " WHERE notifier_org_id = ?1 AND state = 'decided' AND decided_ms >= ?2"
    " AND decided_ms < ?4) AS n,"
    " (SELECT count(*) AS takedowns, coalesce(sum(state = 'reinstated'), 0) AS reversed"
    " FROM notice_items WHERE notifier_org_id = ?1 AND taken_down_ms > 0"
    " AND taken_down_ms >= ?2 AND taken_down_ms < ?4) AS i";

static ips_status decode_notice(sqlite3_stmt *st, void *row)
{
    struct store_notice *n = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, n->id)) ||
        (r = SQLITE__COL_FIELD(st, 1, n->notifier_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 2, n->submitted_by)) ||
        (r = SQLITE__COL_FIELD(st, 3, n->right_id)) ||
        (r = SQLITE__COL_FIELD(st, 4, n->right_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 5, n->kind)) || (r = SQLITE__COL_FIELD(st, 6, n->explanation)) ||
        (r = SQLITE__COL_FIELD(st, 7, n->notifier_name)) ||
        (r = SQLITE__COL_FIELD(st, 8, n->notifier_email)) ||
        (r = SQLITE__COL_FIELD(st, 9, n->on_behalf_of)) ||
        (r = SQLITE__COL_FIELD(st, 10, n->signature)) ||
        (r = SQLITE__COL_FIELD(st, 13, n->evidence)) || (r = SQLITE__COL_FIELD(st, 15, n->state)) ||
        (r = SQLITE__COL_FIELD(st, 16, n->outcome)) ||
        (r = SQLITE__COL_FIELD(st, 21, n->decided_by)) ||
        (r = SQLITE__COL_FIELD(st, 22, n->decision_reason)))
        return r;
    n->good_faith = sqlite3_column_int64(st, 11) != 0;
    n->accuracy = sqlite3_column_int64(st, 12) != 0;
    n->fast_track = sqlite3_column_int64(st, 14) != 0;
    n->risk = sqlite3_column_int64(st, 17);
    n->items_total = sqlite3_column_int64(st, 18);
    n->review_deadline_ms = sqlite3_column_int64(st, 19);
    n->sla_breached = sqlite3_column_int64(st, 20) != 0;
    n->created_ms = sqlite3_column_int64(st, 23);
    n->decided_ms = sqlite3_column_int64(st, 24);
    n->updated_ms = sqlite3_column_int64(st, 25);
    return IPS_OK;
}

static ips_status notice_insert(struct store *s, const struct store_notice *n)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_notice_insert, &q);
    if (r || (r = SQLITE__BIND_FIELD(&q, 1, n->id)) ||
        (r = SQLITE__BIND_FIELD(&q, 2, n->notifier_org_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 3, n->submitted_by)) ||
        (r = SQLITE__BIND_FIELD(&q, 4, n->right_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 5, n->right_org_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 6, n->kind)) ||
        (r = SQLITE__BIND_FIELD(&q, 7, n->explanation)) ||
        (r = SQLITE__BIND_FIELD(&q, 8, n->notifier_name)) ||
        (r = SQLITE__BIND_FIELD(&q, 9, n->notifier_email)) ||
        (r = SQLITE__BIND_FIELD(&q, 10, n->on_behalf_of)) ||
        (r = SQLITE__BIND_FIELD(&q, 11, n->signature)) ||
        (r = sqlite__bind_int64(&q, 12, n->good_faith)) ||
        (r = sqlite__bind_int64(&q, 13, n->accuracy)) ||
        (r = SQLITE__BIND_FIELD(&q, 14, n->evidence)) ||
        (r = sqlite__bind_int64(&q, 15, n->fast_track)) ||
        (r = SQLITE__BIND_FIELD(&q, 16, n->state)) ||
        (r = SQLITE__BIND_FIELD(&q, 17, n->outcome)) || (r = sqlite__bind_int64(&q, 18, n->risk)) ||
        (r = sqlite__bind_int64(&q, 19, n->items_total)) ||
        (r = sqlite__bind_int64(&q, 20, n->review_deadline_ms)) ||
        (r = sqlite__bind_int64(&q, 21, n->sla_breached)) ||
        (r = SQLITE__BIND_FIELD(&q, 22, n->decided_by)) ||
        (r = SQLITE__BIND_FIELD(&q, 23, n->decision_reason)) ||
        (r = sqlite__bind_int64(&q, 24, n->created_ms)) ||
        (r = sqlite__bind_int64(&q, 25, n->decided_ms)) ||
        (r = sqlite__bind_int64(&q, 26, n->updated_ms)))
        goto out_stmt;
    r = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status notice_get(struct store *s, const char *id, struct store_notice *out)
{
    static _Thread_local struct store_notice tmp; /* large: kept off the stack */
    return sqlite__get_key(sqlite__from(s), q_notice_get, id, decode_notice, &tmp, out, sizeof tmp);
}

/* sqlite__bind_fn for q_notice_update. */
static ips_status bind_notice_update(struct sqlite__stmt *q, const void *arg)
{
    const struct store_notice *n = arg;
    ips_status r;
    if ((r = SQLITE__BIND_FIELD(q, 1, n->id)) || (r = SQLITE__BIND_FIELD(q, 2, n->state)) ||
        (r = SQLITE__BIND_FIELD(q, 3, n->outcome)) ||
        (r = sqlite__bind_int64(q, 4, n->review_deadline_ms)) ||
        (r = sqlite__bind_int64(q, 5, n->sla_breached)) ||
        (r = SQLITE__BIND_FIELD(q, 6, n->decided_by)) ||
        (r = SQLITE__BIND_FIELD(q, 7, n->decision_reason)) ||
        (r = sqlite__bind_int64(q, 8, n->decided_ms)))
        return r;
    return sqlite__bind_int64(q, 9, n->updated_ms);
}

static ips_status notice_update(struct store *s, const struct store_notice *n)
{
    return sqlite__write(sqlite__from(s), q_notice_update, bind_notice_update, n, true);
}

/* Step through a bound notice SELECT, offering each row to cb. The row
 * buffer is heap-allocated: a notice is ~14 KiB and callbacks re-enter. */
SQLITE__EMIT(emit_notice, struct store_notice, store_notice_cb)

static ips_status scan_notices(struct sqlite__stmt *q, store_notice_cb cb, void *arg)
{
    return sqlite__each(q, decode_notice, NULL, sizeof(struct store_notice), emit_notice,
                        &(struct emit_notice){cb, arg});
}

static ips_status notice_list(struct store *s, const struct store_notice_filter *f,
                              const char *after, int limit, store_notice_cb cb, void *arg)
{
    struct sqlite__stmt q;
    const char *sql = !f                   ? q_notice_list
                      : f->fts_query       ? q_notice_search
                      : f->seller_org_id   ? q_notice_list_seller
                      : f->notifier_org_id ? q_notice_list_notifier
                                           : q_notice_list;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), sql, &q);
    if (r || (r = sqlite__bind_page(&q, f ? f->notifier_org_id : NULL, after, limit)) ||
        (r = sqlite__bind_text(&q, 4, f ? f->state : NULL)) ||
        (r = sqlite__bind_text(&q, 5, f ? f->seller_org_id : NULL)) ||
        (r = sqlite__bind_text(&q, 6, f ? f->fts_query : NULL)))
        goto out_stmt;
    r = scan_notices(&q, cb, arg);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status queue_list(struct store *s, int64_t after_deadline, int64_t after_risk,
                             const char *after_id, int limit, store_notice_cb cb, void *arg)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_queue_list, &q);
    if (r || (r = sqlite__bind_text(&q, 1, after_id)) ||
        (r = sqlite__bind_int64(&q, 2, after_deadline)) ||
        (r = sqlite__bind_int64(&q, 3, after_risk)) ||
        (r = sqlite__bind_int64(&q, 4, sqlite__page_limit(limit))))
        goto out_stmt;
    r = scan_notices(&q, cb, arg);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status sla_due(struct store *s, int64_t now_ms, int limit, store_notice_cb cb, void *arg)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_sla_due, &q);
    if (r || (r = sqlite__bind_int64(&q, 1, now_ms)) ||
        (r = sqlite__bind_int64(&q, 2, sqlite__page_limit(limit))))
        goto out_stmt;
    r = scan_notices(&q, cb, arg);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status open_for_listing(struct store *s, const char *notifier_org_id,
                                   const char *listing_id, char notice_id[ID_SIZE])
{
    struct sqlite__stmt q;
    bool row = false;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_open_for_listing, &q);
    if (r || (r = sqlite__bind_text(&q, 1, listing_id)) ||
        (r = sqlite__bind_text(&q, 2, notifier_org_id)) || (r = sqlite__step(&q, &row)))
        goto out_stmt;
    if (!row) {
        r = IPS_ERR_NOT_FOUND;
        goto out_stmt;
    }
    r = sqlite__col_text(q.st, 0, notice_id, ID_SIZE);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status counts(struct store *s, const char *notifier_org_id, int64_t since_ms,
                         struct store_notice_counts *out)
{
    struct sqlite__stmt q;
    struct store_notice_counts c;
    bool row = false;
    memset(&c, 0, sizeof c);
    /* every counted time is > 0: an earlier start counts the same rows; a UTC
     * day of migration 0024 is ms / 86400000 */
    int64_t since = since_ms > 0 ? since_ms : 0, day = since / INT64_C(86400000);
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_counts, &q);
    if (r || (r = sqlite__bind_text(&q, 1, notifier_org_id)) ||
        (r = sqlite__bind_int64(&q, 2, since)) || (r = sqlite__bind_int64(&q, 3, day)) ||
        (r = sqlite__bind_int64(&q, 4, (day + 1) * INT64_C(86400000))) ||
        (r = sqlite__step(&q, &row)))
        goto out_stmt;
    if (row) {
        c.decided = sqlite3_column_int64(q.st, 0);
        c.upheld = sqlite3_column_int64(q.st, 1);
        c.rejected = sqlite3_column_int64(q.st, 2);
        c.partially = sqlite3_column_int64(q.st, 3);
        c.takedowns = sqlite3_column_int64(q.st, 4);
        c.reversed = sqlite3_column_int64(q.st, 5);
    }
    *out = c;
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

/* ---- items ------------------------------------------------------------------------ */

#define ITEM_COLS                                                                                  \
    "notice_id, listing_id, seller_org_id, notifier_org_id, state, content_version, "              \
    "taken_down_ms, counter_deadline_ms, counter_explanation, counter_evidence, counter_by, "      \
    "counter_ms, decided_by, decision_reason, decided_ms, appeal_state, appeal_by_org, "           \
    "appeal_explanation, appeal_decided_by, appeal_ms, updated_ms"

/* The facts the report numbers read from the item alone (migration 0025):
 * received_ms, its notice's receipt time, written with the item; version_sold,
 * the units sold of the taken-down version while the item is taken down
 * (NULL otherwise or without that version), looked up when the takedown is
 * written and kept by later updates of the same takedown. */
#define ITEM_VERSION_SOLD                                                                          \
    "CASE WHEN ?7 > 0 THEN (SELECT v.units_sold FROM listing_versions v"                           \
    " WHERE v.listing_id = ?2 AND v.version = ?6) END"
#define ITEM_FACTS_NEW                                                                             \
    "coalesce((SELECT n.created_ms FROM notices n WHERE n.id = ?1), 0), " ITEM_VERSION_SOLD

static const char q_item_insert[] =
    "INSERT INTO notice_items (" ITEM_COLS ", received_ms, version_sold) VALUES (?1, ?2, ?3, ?4,"
    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
    " ?21, " ITEM_FACTS_NEW ")";
static const char q_item_get[] =
    "SELECT " ITEM_COLS " FROM notice_items WHERE notice_id = ?1 AND listing_id = ?2";
static const char q_item_update[] =
    "UPDATE notice_items SET state = ?5, content_version = ?6, taken_down_ms = ?7,"
    " counter_deadline_ms = ?8, counter_explanation = ?9, counter_evidence = ?10,"
    " counter_by = ?11, counter_ms = ?12, decided_by = ?13, decision_reason = ?14,"
    " decided_ms = ?15, appeal_state = ?16, appeal_by_org = ?17, appeal_explanation = ?18,"
    " appeal_decided_by = ?19, appeal_ms = ?20, updated_ms = ?21, version_sold = CASE WHEN ?7 > 0"
    " AND taken_down_ms = ?7 AND content_version = ?6 THEN version_sold ELSE " ITEM_VERSION_SOLD
    " END WHERE notice_id = ?1 AND listing_id = ?2 AND ?3 IS NOT NULL AND ?4 IS NOT NULL";
static const char q_item_list[] =
    "SELECT " ITEM_COLS " FROM notice_items WHERE notice_id = ?4"
    " AND (?1 IS NULL OR seller_org_id = ?1) AND listing_id > ?2 ORDER BY listing_id LIMIT ?3";
static const char q_item_due[] =
    "SELECT " ITEM_COLS " FROM notice_items WHERE state = 'taken_down'"
    " AND counter_deadline_ms <= ?1 ORDER BY counter_deadline_ms LIMIT ?2";

static ips_status decode_item(sqlite3_stmt *st, void *row)
{
    struct store_notice_item *it = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, it->notice_id)) ||
        (r = SQLITE__COL_FIELD(st, 1, it->listing_id)) ||
        (r = SQLITE__COL_FIELD(st, 2, it->seller_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 3, it->notifier_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 4, it->state)) ||
        (r = SQLITE__COL_FIELD(st, 8, it->counter_explanation)) ||
        (r = SQLITE__COL_FIELD(st, 9, it->counter_evidence)) ||
        (r = SQLITE__COL_FIELD(st, 10, it->counter_by)) ||
        (r = SQLITE__COL_FIELD(st, 12, it->decided_by)) ||
        (r = SQLITE__COL_FIELD(st, 13, it->decision_reason)) ||
        (r = SQLITE__COL_FIELD(st, 15, it->appeal_state)) ||
        (r = SQLITE__COL_FIELD(st, 16, it->appeal_by_org)) ||
        (r = SQLITE__COL_FIELD(st, 17, it->appeal_explanation)) ||
        (r = SQLITE__COL_FIELD(st, 18, it->appeal_decided_by)))
        return r;
    it->content_version = sqlite3_column_int64(st, 5);
    it->taken_down_ms = sqlite3_column_int64(st, 6);
    it->counter_deadline_ms = sqlite3_column_int64(st, 7);
    it->counter_ms = sqlite3_column_int64(st, 11);
    it->decided_ms = sqlite3_column_int64(st, 14);
    it->appeal_ms = sqlite3_column_int64(st, 19);
    it->updated_ms = sqlite3_column_int64(st, 20);
    return IPS_OK;
}

/* Bind all 21 item columns in ITEM_COLS order. */
static ips_status bind_item(struct sqlite__stmt *q, const struct store_notice_item *it)
{
    ips_status r;
    if ((r = SQLITE__BIND_FIELD(q, 1, it->notice_id)) ||
        (r = SQLITE__BIND_FIELD(q, 2, it->listing_id)) ||
        (r = SQLITE__BIND_FIELD(q, 3, it->seller_org_id)) ||
        (r = SQLITE__BIND_FIELD(q, 4, it->notifier_org_id)) ||
        (r = SQLITE__BIND_FIELD(q, 5, it->state)) ||
        (r = sqlite__bind_int64(q, 6, it->content_version)) ||
        (r = sqlite__bind_int64(q, 7, it->taken_down_ms)) ||
        (r = sqlite__bind_int64(q, 8, it->counter_deadline_ms)) ||
        (r = SQLITE__BIND_FIELD(q, 9, it->counter_explanation)) ||
        (r = SQLITE__BIND_FIELD(q, 10, it->counter_evidence)) ||
        (r = SQLITE__BIND_FIELD(q, 11, it->counter_by)) ||
        (r = sqlite__bind_int64(q, 12, it->counter_ms)) ||
        (r = SQLITE__BIND_FIELD(q, 13, it->decided_by)) ||
        (r = SQLITE__BIND_FIELD(q, 14, it->decision_reason)) ||
        (r = sqlite__bind_int64(q, 15, it->decided_ms)) ||
        (r = SQLITE__BIND_FIELD(q, 16, it->appeal_state)) ||
        (r = SQLITE__BIND_FIELD(q, 17, it->appeal_by_org)) ||
        (r = SQLITE__BIND_FIELD(q, 18, it->appeal_explanation)) ||
        (r = SQLITE__BIND_FIELD(q, 19, it->appeal_decided_by)) ||
        (r = sqlite__bind_int64(q, 20, it->appeal_ms)) ||
        (r = sqlite__bind_int64(q, 21, it->updated_ms)))
        return r;
    return IPS_OK;
}

/* bind_item as a sqlite__bind_fn (arg: const struct store_notice_item *). */
static ips_status bind_item_fn(struct sqlite__stmt *q, const void *arg)
{
    return bind_item(q, arg);
}

static ips_status item_insert(struct store *s, const struct store_notice_item *it)
{
    return sqlite__write(sqlite__from(s), q_item_insert, bind_item_fn, it, false);
}

/* store_notices_search_put (notices_sql.h) */
static const char q_search_put[] = NOTICES_SQL_SEARCH_PUT("group_concat", "?1");

static ips_status search_put(struct store *s, const char *notice_id)
{
    return sqlite__write(sqlite__from(s), q_search_put, sqlite__bind_key, notice_id, true);
}

static ips_status item_get(struct store *s, const char *notice_id, const char *listing_id,
                           struct store_notice_item *out)
{
    struct sqlite__stmt q;
    static _Thread_local struct store_notice_item tmp; /* large: kept off the stack */
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_item_get, &q);
    if (r || (r = sqlite__bind_text(&q, 1, notice_id)) ||
        (r = sqlite__bind_text(&q, 2, listing_id)))
        goto out_stmt;
    r = sqlite__fetch_one(&q, decode_item, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status item_update(struct store *s, const struct store_notice_item *it)
{
    return sqlite__write(sqlite__from(s), q_item_update, bind_item_fn, it, true);
}

SQLITE__EMIT(emit_item, struct store_notice_item, store_notice_item_cb)

static ips_status scan_items(struct sqlite__stmt *q, store_notice_item_cb cb, void *arg)
{
    return sqlite__each(q, decode_item, NULL, sizeof(struct store_notice_item), emit_item,
                        &(struct emit_item){cb, arg});
}

static ips_status item_list(struct store *s, const char *notice_id, const char *only_seller,
                            const char *after, int limit, store_notice_item_cb cb, void *arg)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_item_list, &q);
    if (r || (r = sqlite__bind_page(&q, only_seller, after, limit)) ||
        (r = sqlite__bind_text(&q, 4, notice_id)))
        goto out_stmt;
    r = scan_items(&q, cb, arg);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status item_due(struct store *s, int64_t now_ms, int limit, store_notice_item_cb cb,
                           void *arg)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_item_due, &q);
    if (r || (r = sqlite__bind_int64(&q, 1, now_ms)) ||
        (r = sqlite__bind_int64(&q, 2, sqlite__page_limit(limit))))
        goto out_stmt;
    r = scan_items(&q, cb, arg);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

/* ---- notifier status -------------------------------------------------------------- */

#define NOTIFIER_COLS                                                                              \
    "org_id, fast_track, admitted_ms, lost_ms, cooldown_until_ms, suspended_until_ms, "            \
    "suspension_open, updated_ms"

static const char q_notifier_get[] =
    "SELECT " NOTIFIER_COLS " FROM notifier_status WHERE org_id = ?1";
static const char q_notifier_put[] = "INSERT OR REPLACE INTO notifier_status (" NOTIFIER_COLS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char q_notifier_due[] =
    "SELECT " NOTIFIER_COLS " FROM notifier_status WHERE suspension_open = 1"
    " AND suspended_until_ms <= ?1 ORDER BY suspended_until_ms LIMIT ?2";

static ips_status decode_notifier(sqlite3_stmt *st, void *row)
{
    struct store_notifier *n = row;
    ips_status r = SQLITE__COL_FIELD(st, 0, n->org_id);
    if (r)
        return r;
    n->fast_track = sqlite3_column_int64(st, 1) != 0;
    n->admitted_ms = sqlite3_column_int64(st, 2);
    n->lost_ms = sqlite3_column_int64(st, 3);
    n->cooldown_until_ms = sqlite3_column_int64(st, 4);
    n->suspended_until_ms = sqlite3_column_int64(st, 5);
    n->suspension_open = sqlite3_column_int64(st, 6) != 0;
    n->updated_ms = sqlite3_column_int64(st, 7);
    return IPS_OK;
}

static ips_status notifier_get(struct store *s, const char *org_id, struct store_notifier *out)
{
    struct sqlite__stmt q;
    struct store_notifier tmp;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_notifier_get, &q);
    if (r || (r = sqlite__bind_text(&q, 1, org_id)))
        goto out_stmt;
    r = sqlite__fetch_one(&q, decode_notifier, &tmp, out, sizeof tmp);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status notifier_put(struct store *s, const struct store_notifier *n)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_notifier_put, &q);
    if (r || (r = SQLITE__BIND_FIELD(&q, 1, n->org_id)) ||
        (r = sqlite__bind_int64(&q, 2, n->fast_track)) ||
        (r = sqlite__bind_int64(&q, 3, n->admitted_ms)) ||
        (r = sqlite__bind_int64(&q, 4, n->lost_ms)) ||
        (r = sqlite__bind_int64(&q, 5, n->cooldown_until_ms)) ||
        (r = sqlite__bind_int64(&q, 6, n->suspended_until_ms)) ||
        (r = sqlite__bind_int64(&q, 7, n->suspension_open)) ||
        (r = sqlite__bind_int64(&q, 8, n->updated_ms)))
        goto out_stmt;
    r = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status notifier_suspension_due(struct store *s, int64_t now_ms, int limit,
                                          store_notifier_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_notifier n;
    bool row = false;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_notifier_due, &q);
    if (r || (r = sqlite__bind_int64(&q, 1, now_ms)) ||
        (r = sqlite__bind_int64(&q, 2, sqlite__page_limit(limit))))
        goto out_stmt;
    while ((r = sqlite__step(&q, &row)) == IPS_OK && row) {
        if ((r = decode_notifier(q.st, &n)) || (r = cb(&n, arg)))
            break;
    }
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

/* ---- strikes ------------------------------------------------------------------------ */

#define STRIKE_COLS                                                                                \
    "id, seller_org_id, notice_id, listing_id, reason, created_ms, expires_ms, revoked_ms"

static const char q_strike_insert[] =
    "INSERT INTO strikes (" STRIKE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char q_strike_revoke[] =
    "UPDATE strikes SET revoked_ms = ?3 WHERE notice_id = ?1 AND listing_id = ?2"
    " AND revoked_ms = 0";
static const char q_strike_list[] =
    "SELECT " STRIKE_COLS " FROM strikes WHERE (?1 IS NULL OR seller_org_id = ?1) AND id > ?2"
    " ORDER BY id LIMIT ?3";

static ips_status strike_insert(struct store *s, const struct store_strike *st)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_strike_insert, &q);
    if (r || (r = SQLITE__BIND_FIELD(&q, 1, st->id)) ||
        (r = SQLITE__BIND_FIELD(&q, 2, st->seller_org_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 3, st->notice_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 4, st->listing_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 5, st->reason)) ||
        (r = sqlite__bind_int64(&q, 6, st->created_ms)) ||
        (r = sqlite__bind_int64(&q, 7, st->expires_ms)) ||
        (r = sqlite__bind_int64(&q, 8, st->revoked_ms)))
        goto out_stmt;
    r = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status strike_revoke(struct store *s, const char *notice_id, const char *listing_id,
                                int64_t now_ms)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_strike_revoke, &q);
    if (r || (r = sqlite__bind_text(&q, 1, notice_id)) ||
        (r = sqlite__bind_text(&q, 2, listing_id)) || (r = sqlite__bind_int64(&q, 3, now_ms)))
        goto out_stmt;
    r = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status strike_list(struct store *s, const char *only_seller, const char *after,
                              int limit, store_strike_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_strike st;
    bool row = false;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_strike_list, &q);
    if (r || (r = sqlite__bind_page(&q, only_seller, after, limit)))
        goto out_stmt;
    while ((r = sqlite__step(&q, &row)) == IPS_OK && row) {
        if ((r = SQLITE__COL_FIELD(q.st, 0, st.id)) ||
            (r = SQLITE__COL_FIELD(q.st, 1, st.seller_org_id)) ||
            (r = SQLITE__COL_FIELD(q.st, 2, st.notice_id)) ||
            (r = SQLITE__COL_FIELD(q.st, 3, st.listing_id)) ||
            (r = SQLITE__COL_FIELD(q.st, 4, st.reason)))
            break;
        st.created_ms = sqlite3_column_int64(q.st, 5);
        st.expires_ms = sqlite3_column_int64(q.st, 6);
        st.revoked_ms = sqlite3_column_int64(q.st, 7);
        if ((r = cb(&st, arg)))
            break;
    }
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

/* ---- inbox ---------------------------------------------------------------------------- */

static const char q_inbox_insert[] =
    "INSERT INTO inbox (id, org_id, kind, notice_id, subject, body, created_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char q_inbox_list[] =
    "SELECT id, org_id, kind, notice_id, subject, body, created_ms FROM inbox"
    " WHERE org_id = ?1 AND (?2 IS NULL OR ?2 = '' OR id < ?2) ORDER BY id DESC LIMIT ?3";

static ips_status inbox_insert(struct store *s, const struct store_inbox_msg *m)
{
    struct sqlite__stmt q;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_inbox_insert, &q);
    if (r || (r = SQLITE__BIND_FIELD(&q, 1, m->id)) || (r = SQLITE__BIND_FIELD(&q, 2, m->org_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 3, m->kind)) || (r = SQLITE__BIND_FIELD(&q, 4, m->notice_id)) ||
        (r = SQLITE__BIND_FIELD(&q, 5, m->subject)) || (r = SQLITE__BIND_FIELD(&q, 6, m->body)) ||
        (r = sqlite__bind_int64(&q, 7, m->created_ms)))
        goto out_stmt;
    r = sqlite__run(&q, NULL);
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

static ips_status inbox_list(struct store *s, const char *org_id, const char *before, int limit,
                             store_inbox_cb cb, void *arg)
{
    struct sqlite__stmt q;
    struct store_inbox_msg *m = malloc(sizeof *m);
    bool row = false;
    ips_status r;
    if (!m)
        return IPS_ERR_NOMEM;
    r = sqlite__stmt_sql(sqlite__from(s), q_inbox_list, &q);
    if (r || (r = sqlite__bind_text(&q, 1, org_id)) || (r = sqlite__bind_text(&q, 2, before)) ||
        (r = sqlite__bind_int64(&q, 3, sqlite__page_limit(limit))))
        goto out_stmt;
    while ((r = sqlite__step(&q, &row)) == IPS_OK && row) {
        if ((r = SQLITE__COL_FIELD(q.st, 0, m->id)) ||
            (r = SQLITE__COL_FIELD(q.st, 1, m->org_id)) ||
            (r = SQLITE__COL_FIELD(q.st, 2, m->kind)) ||
            (r = SQLITE__COL_FIELD(q.st, 3, m->notice_id)) ||
            (r = SQLITE__COL_FIELD(q.st, 4, m->subject)) ||
            (r = SQLITE__COL_FIELD(q.st, 5, m->body)))
            break;
        m->created_ms = sqlite3_column_int64(q.st, 6);
        if ((r = cb(m, arg)))
            break;
    }
out_stmt:
    sqlite__stmt_put(&q);
    free(m);
    return r;
}

const struct store_notices_ops sqlite__notices_ops = {
    .notice_insert = notice_insert,
    .notice_get = notice_get,
    .notice_update = notice_update,
    .notice_list = notice_list,
    .queue_list = queue_list,
    .sla_due = sla_due,
    .open_for_listing = open_for_listing,
    .counts = counts,
    .item_insert = item_insert,
    .search_put = search_put,
    .item_get = item_get,
    .item_update = item_update,
    .item_list = item_list,
    .item_due = item_due,
    .notifier_get = notifier_get,
    .notifier_put = notifier_put,
    .notifier_suspension_due = notifier_suspension_due,
    .strike_insert = strike_insert,
    .strike_revoke = strike_revoke,
    .strike_list = strike_list,
    .inbox_insert = inbox_insert,
    .inbox_list = inbox_list,
};

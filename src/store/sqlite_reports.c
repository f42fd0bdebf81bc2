/*
 * sqlite_reports.c — SQLite implementation of store_reports.h: the
 * aggregate queries of the reporting layer, read-only. The queries
 * themselves are written once, in reports_sql.h, shared with pg_reports.c;
 * this file gives them SQLite's dialect, binds and decodes.
 *
 * Every query takes the same numbered parameters, so one binder serves all:
 *   ?1 from_ms  ?2 to_ms  ?3 right-holder scope  ?4 jurisdiction
 *   ?5 seller scope  ?6 agency scope  ?7 brand  ?8 limit (STATEMENTS)
 * A query binds only the parameters up to the highest one it uses
 * (sqlite3_bind_parameter_count); NULL means "not restricted".
 * Result columns: four text keys, then up to eight integers.
 */
#include <string.h>

#include "store/sqlite_internal.h"
#include "store/store_reports_backend.h"

/* ---- the dialect (reports_sql.h) -------------------------------------------------------- */

#define P1 "?1"
#define P2 "?2"
#define P3 "?3"
#define P4 "?4"
#define P5 "?5"
#define P6 "?6"
#define P7 "?7"
#define P8 "?8"
/* CROSS JOIN: SQLite keeps the left table as the outer loop. */
#define JOIN_IN_ORDER "CROSS JOIN"
#define TERM_IS(p) "term = " p " COLLATE NOCASE"
#define UNDER(col, p) "(" col " = " p " OR " col " LIKE " p " || '-%')"
#define SIGNAL_EACH "json_each(CASE WHEN json_valid(d.signals) THEN d.signals ELSE '[]' END)"
#define SIGNAL_TYPE "coalesce(json_extract(s.value, '$.type'), '')"

#include "store/reports_sql.h"

/* ---- binding and decoding -------------------------------------------------------------------- */

static ips_status reports__bind(struct sqlite__stmt *q, const void *arg)
{
    const struct store_reports_filter *f = arg;
    int n = sqlite3_bind_parameter_count(q->st);
    const char *text[] = {NULL, NULL, f->rightholder, f->jurisdiction, f->seller, f->agency,
                          f->brand};
    ips_status result = IPS_OK;
    for (int i = 1; i <= n && !result; i++) {
        if (i == 1)
            result = sqlite__bind_int64(q, i, f->from_ms);
        else if (i == 2)
            result = sqlite__bind_int64(q, i, f->to_ms);
        else if (i == 8)
            result = sqlite__bind_int64(q, i, f->limit > 0 ? f->limit : 1);
        else if (i < 8)
            result = sqlite__bind_text(q, i, text[i - 1]);
    }
    return result;
}

static ips_status reports__decode(sqlite3_stmt *st, void *row)
{
    struct store_reports_row *r = row;
    int n = sqlite3_column_count(st);
    ips_status result;
    memset(r, 0, sizeof *r);
    for (int c = 0; c < n && c < STORE_REPORTS_KEYS; c++)
        if ((result = SQLITE__COL_FIELD(st, c, r->k[c])))
            return result;
    for (int c = STORE_REPORTS_KEYS; c < n && c < STORE_REPORTS_KEYS + STORE_REPORTS_VALUES; c++)
        r->v[c - STORE_REPORTS_KEYS] = sqlite3_column_int64(st, c);
    return IPS_OK;
}

SQLITE__EMIT(reports__emit, struct store_reports_row, store_reports_cb)

static ips_status reports_query(struct store *s, enum store_reports_query q,
                                const struct store_reports_filter *f, store_reports_cb cb,
                                void *arg)
{
    struct store_reports_row row;
    const char *sql = store_reports__text(q, f, reports__sql, reports__sql_rh, reports__sql_seller,
                                          reports__sql_all);
    return sqlite__list(sqlite__from(s), sql, reports__bind, f, reports__decode, &row,
                        sizeof row, reports__emit, &(struct reports__emit){cb, arg});
}

const struct store_reports_ops sqlite__reports_ops = {
    .query = reports_query,
};

/*
 * pg_reports.c — PostgreSQL implementation of store_reports.h: the
 * aggregate queries of the reporting layer, read-only. The queries are
 * those of reports_sql.h (shared with sqlite_reports.c) in PostgreSQL's
 * dialect (and 0014_reports.sql's function ips_json_array); this file binds
 * and decodes.
 *
 * Every query takes the same numbered parameters, so one binder serves all:
 *   $1 from_ms  $2 to_ms  $3 right-holder scope  $4 jurisdiction
 *   $5 seller scope  $6 agency scope  $7 brand  $8 limit (STATEMENTS)
 * Every query is given all eight, typed (bigint, text), also those it does
 * not name: the server cannot infer the type of a parameter a statement
 * does not use. NULL means "not restricted".
 * Result columns: four text keys, then up to eight integers.
 */
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_reports_backend.h"

/* ---- the dialect (reports_sql.h) -------------------------------------------------------- */

#define P1 "$1"
#define P2 "$2"
#define P3 "$3"
#define P4 "$4"
#define P5 "$5"
#define P6 "$6"
#define P7 "$7"
#define P8 "$8"
/* The planner picks the join order (SQLite's CROSS JOIN hint has no counterpart). */
#define JOIN_IN_ORDER "JOIN"
/* lower() under the database's C ctype, as SQLite's NOCASE; ILIKE as SQLite's LIKE. */
#define TERM_IS(p) "lower(term) = lower(" p ")"
#define UNDER(col, p) "(" col " = " p " OR " col " ILIKE (" p " || '-%'))"
#define SIGNAL_EACH "jsonb_array_elements(ips_json_array(d.signals))"
#define SIGNAL_TYPE "coalesce(s.value ->> 'type', '')"

#include "store/reports_sql.h"

/* ---- binding and decoding -------------------------------------------------------------------- */

/* Type OID of text (pg_type.h): the text parameters are declared text, as
 * a statement may leave some unused (see the head of this file). */
#define REPORTS__OID_TEXT 25

static ips_status reports__bind(struct pg__stmt *q, const void *arg)
{
    const struct store_reports_filter *f = arg;
    const char *text[] = {NULL, NULL, f->rightholder, f->jurisdiction, f->seller, f->agency,
                          f->brand};
    ips_status result = IPS_OK;
    for (int i = 1; i <= 8 && !result; i++) {
        if (i == 1)
            result = pg__bind_int64(q, i, f->from_ms);
        else if (i == 2)
            result = pg__bind_int64(q, i, f->to_ms);
        else if (i == 8)
            result = pg__bind_int64(q, i, f->limit > 0 ? f->limit : 1);
        else if ((result = pg__bind_text(q, i, text[i - 1])) == IPS_OK)
            q->types[i - 1] = REPORTS__OID_TEXT;
    }
    return result;
}

static ips_status reports__decode(const struct pg__row *st, void *row)
{
    struct store_reports_row *r = row;
    int n = PQnfields(st->res);
    ips_status result;
    memset(r, 0, sizeof *r);
    for (int c = 0; c < n && c < STORE_REPORTS_KEYS; c++)
        if ((result = PG__COL_FIELD(st, c, r->k[c])))
            return result;
    for (int c = STORE_REPORTS_KEYS; c < n && c < STORE_REPORTS_KEYS + STORE_REPORTS_VALUES; c++)
        r->v[c - STORE_REPORTS_KEYS] = pg__col_int64(st, c);
    return IPS_OK;
}

PG__EMIT(reports__emit, struct store_reports_row, store_reports_cb)

static ips_status reports_query(struct store *s, enum store_reports_query q,
                                const struct store_reports_filter *f, store_reports_cb cb,
                                void *arg)
{
    struct store_reports_row row;
    const char *sql = store_reports__text(q, f, reports__sql, reports__sql_rh, reports__sql_seller,
                                          reports__sql_all);
    return pg__list(pg__from(s), sql, reports__bind, f, reports__decode, &row,
                        sizeof row, reports__emit, &(struct reports__emit){cb, arg});
}

const struct store_reports_ops pg__reports_ops = {
    .query = reports_query,
};

/*
 * statements.c — the statements of reasons of a period as the DSA
 * Transparency Database takes them (its API's statement object: field names
 * and enumerated values as documented by the database), one JSON object per
 * line.
 *
 * Each statement is notices_statement_of() (src/notices, the one place the
 * statement's content is decided), reduced to the database's own fields:
 * what the notices module adds for the seller (redress routes, our notice
 * and listing ids) stays out, and absent optional fields are left out rather
 * than sent as null. The PUID ("<notice id>:<listing id>") links each line
 * back to our records.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/json.h"
#include "notices/notices.h"
#include "reports/reports_internal.h"
#include "store/store_catalog.h"
#include "store/store_notices.h"

/* Room for the export: REPORTS_STATEMENTS_MAX statements of a few KiB. */
#define REPORTS__NDJSON_MAX ((size_t)REPORTS_STATEMENTS_MAX * 8192u)

/* The statement fields of the DSA Transparency Database that we fill. */
static const char *const reports__tdb_fields[] = {
    "puid",
    "decision_visibility",
    "decision_ground",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "content_type",
    "category",
    "category_specification",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "territorial_scope",
    "end_date_visibility_restriction",
    NULL,
};

struct reports__export {
    struct store *s;
    struct store_notice *n; /* the notice of the previous row (rows come grouped by time) */
    struct store_notice_item *it;
    struct buf b;
    size_t count;
};

static ips_status reports__statement_cb(const struct store_reports_row *r, void *arg)
{
    struct reports__export *a = arg;
    struct store_listing l;
    ips_status st;
    if (++a->count > REPORTS_STATEMENTS_MAX)
        return IPS_ERR_TOO_LARGE;
    if (strcmp(a->n->id, r->k[0]) != 0 &&
        (st = store_notices_notice_get(a->s, r->k[0], a->n)))
        return st;
    if ((st = store_notices_item_get(a->s, r->k[0], r->k[1], a->it)))
        return st;
    int64_t created = store_catalog_listing_get(a->s, r->k[1], &l) == IPS_OK ? l.created_ms : 0;
    json_t *full = notices_statement_of(a->n, a->it, created), *tdb = json_object();
    for (size_t i = 0; full && tdb && reports__tdb_fields[i]; i++) {
        json_t *v = json_object_get(full, reports__tdb_fields[i]);
        if (v && !json_is_null(v))
            json_object_set(tdb, reports__tdb_fields[i], v);
    }
    char *line = full && tdb ? json_dump_compact(tdb) : NULL;
    json_decref(full);
    json_decref(tdb);
    if (!line)
        return IPS_ERR_NOMEM;
    st = buf_appendf(&a->b, "%s\n", line);
    free(line);
    return st;
}

ips_status reports_statements(struct ips_ctx *ctx, const struct reports_filter *f, char **out,
                              size_t *len, size_t *count)
{
    ips_status st = access_check(ctx, ACT_REPORT_ALL, NULL, "reports:statements");
    if (st)
        return st;
    struct store_reports_filter sf = reports__store_filter(f);
    sf.limit = REPORTS_STATEMENTS_MAX + 1;
    struct reports__export a = {ctx->store, calloc(1, sizeof *a.n), calloc(1, sizeof *a.it),
                                {0}, 0};
    buf_init(&a.b, REPORTS__NDJSON_MAX);
    st = a.n && a.it ? store_reports_query(ctx->store, STORE_REPORTS_STATEMENTS, &sf,
                                           reports__statement_cb, &a)
                     : IPS_ERR_NOMEM;
    if (st == IPS_ERR_TOO_LARGE)
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the period holds more than %d statements of reasons (or more than %zu "
                 "bytes); export a shorter period",
                 REPORTS_STATEMENTS_MAX, REPORTS__NDJSON_MAX);
    if (!st && !(*out = a.b.len ? buf_detach(&a.b, len) : calloc(1, 1)))
        st = IPS_ERR_NOMEM;
    if (!st && a.count == 0)
        *len = 0;
    if (!st)
        *count = a.count;
    buf_release(&a.b);
    free(a.n);
    free(a.it);
    return st;
}

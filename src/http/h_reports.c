/*
 * h_reports.c — /api/v1/reports: the metrics of a period, the public
 * transparency report (JSON or CSV) and the DSA Transparency Database export
 * of statements of reasons (NDJSON) (src/reports/reports.h). Handlers parse
 * the query, call one reports_* function and render; access, scope and
 * validation are the domain's.
 */
#include "http/http_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "reports/reports.h"

/* The filter of ?from=&to=&brand=&jurisdiction=; on failure the problem is
 * written and false returned. */
static bool h__filter(struct http_req *rq, struct http_resp *rs, struct reports_filter *f)
{
    ips_status st = reports_filter_parse(&rq->ctx, http_query(rq, "from"), http_query(rq, "to"),
                                         http_query(rq, "brand"),
                                         http_query(rq, "jurisdiction"), f);
    if (st)
        http_fail(rq, rs, st);
    return st == IPS_OK;
}

void h_reports_metrics(struct http_req *rq, struct http_resp *rs)
{
    struct reports_filter f;
    json_t *doc = NULL;
    if (!http_precheck(rq, rs, ACT_REPORT_METRICS) || !h__filter(rq, rs, &f))
        return;
    ips_status st = reports_metrics(&rq->ctx, &f, &doc);
    http_reply(rq, rs, st, 200, doc);
}

void h_reports_transparency(struct http_req *rq, struct http_resp *rs)
{
    struct reports_filter f;
    json_t *doc = NULL;
    const char *format = http_query(rq, "format");
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0) {
        json_error_add(rq->ctx.errors, "format", "must be json or csv");
        http_fail(rq, rs, IPS_ERR_INVALID);
        return;
    }
    if (!h__filter(rq, rs, &f))
        return;
    ips_status st = reports_transparency(&rq->ctx, &f, &doc);
    if (st || !csv) {
        http_reply(rq, rs, st, 200, doc);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    st = reports_transparency_csv(doc, &text, &len);
    json_decref(doc);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    http_send_file(rq, rs, text, len, "text/csv; charset=utf-8", "transparency-report.csv");
}

void h_reports_statements(struct http_req *rq, struct http_resp *rs)
{
    struct reports_filter f;
    if (!http_precheck(rq, rs, ACT_REPORT_ALL) || !h__filter(rq, rs, &f))
        return;
    char *text = NULL, count[32];
    size_t len = 0, n = 0;
    ips_status st = reports_statements(&rq->ctx, &f, &text, &len, &n);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    http_send_file(rq, rs, text, len, "application/x-ndjson", "statements-of-reasons.ndjson");
    snprintf(count, sizeof count, "%zu", n);
    http_header_add(rs, "X-Statement-Count", count);
}

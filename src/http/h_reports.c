/*
 * h_reports.c — /api/v1/reports: the metrics of a period, the public
 * transparency report (JSON or CSV) and the DSA Transparency Database export
 * of statements of reasons (NDJSON) (src/reports/reports.h). Handlers parse
 * the query, call one reports_* function and render; access, scope and
 * validation are the domain's. The public report's rendered bodies are kept
 * in the server's cache (respcache.h, transparency_cache_seconds) so that
 * anonymous traffic does not recompute it per request.
 */
#include "http/http_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "http/respcache.h"
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

/* The cache key of a transparency query: the format and the period as
 * asked — the times when given, "now"/"default" when not, so that the
 * common query without a period hits the cache although its period moves
 * with the clock. brand and jurisdiction are not part of it: the public
 * report ignores them (reports.h). */
static void h__transparency_key(struct http_req *rq, const struct reports_filter *f, bool csv,
                                char key[RESPCACHE_KEY_MAX + 1])
{
    const char *from = http_query(rq, "from"), *to = http_query(rq, "to");
    char from_k[24] = "default", to_k[24] = "now";
    if (from && from[0])
        snprintf(from_k, sizeof from_k, "%lld", (long long)f->from_ms);
    if (to && to[0])
        snprintf(to_k, sizeof to_k, "%lld", (long long)f->to_ms);
    snprintf(key, RESPCACHE_KEY_MAX + 1, "%s|%s|%s", csv ? "csv" : "json", from_k, to_k);
}

/* Answer with the report body text (ownership taken) generated at
 * generated_ms: X-Generated-At says when, and Cache-Control lets shared
 * caches keep it max_age_s more seconds (no-store, the default, when
 * max_age_s < 0: caching is off). */
static void h__transparency_send(struct http_req *rq, struct http_resp *rs, bool csv, char *text,
                                 size_t len, int64_t generated_ms, int64_t max_age_s)
{
    char when[TIME_RFC3339_LEN], cc[48];
    if (csv)
        http_send_file(rq, rs, text, len, "text/csv; charset=utf-8", "transparency-report.csv");
    else
        http_send_body(rq, rs, text, len, "application/json");
    if (rs->status != 200)
        return;
    if (time_format_rfc3339(generated_ms, when, sizeof when) == IPS_OK)
        http_header_add(rs, "X-Generated-At", when);
    if (max_age_s >= 0) {
        snprintf(cc, sizeof cc, "public, max-age=%lld", (long long)max_age_s);
        http_header_add(rs, "Cache-Control", cc);
    }
}

void h_reports_transparency(struct http_req *rq, struct http_resp *rs)
{
    struct reports_filter f;
    struct respcache_hit hit;
    json_t *doc = NULL;
    char key[RESPCACHE_KEY_MAX + 1], *text = NULL;
    size_t len = 0;
    int64_t generated_ms = 0;
    const char *format = http_query(rq, "format");
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0) {
        json_error_add(rq->ctx.errors, "format", "must be json or csv");
        http_fail(rq, rs, IPS_ERR_INVALID);
        return;
    }
    if (!h__filter(rq, rs, &f))
        return;
    h__transparency_key(rq, &f, csv, key);
    int64_t now = time_now_ms();
    if (respcache_get(rq->report_cache, key, now, &hit)) {
        h__transparency_send(rq, rs, csv, hit.body, hit.len, hit.generated_ms,
                             (hit.expires_ms - now) / 1000);
        return;
    }
    ips_status st = reports_transparency(&rq->ctx, &f, &doc);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    if (time_parse_rfc3339(json_string_value(json_object_get(doc, "generated_at")),
                           &generated_ms) != IPS_OK)
        generated_ms = now;
    if (csv) {
        st = reports_transparency_csv(doc, &text, &len);
    } else {
        text = json_dump_compact(doc);
        len = text ? strlen(text) : 0;
        st = text ? IPS_OK : IPS_ERR_NOMEM;
    }
    json_decref(doc);
    if (st) {
        http_fail(rq, rs, st);
        return;
    }
    /* A body the cache refuses (out of memory) is still sent, only uncached. */
    bool cached =
        respcache_put(rq->report_cache, key, text, len, generated_ms) == IPS_OK && rq->report_cache;
    h__transparency_send(rq, rs, csv, text, len, generated_ms,
                         cached ? respcache_ttl_ms(rq->report_cache) / 1000 : -1);
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

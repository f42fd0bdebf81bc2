/*
 * transparency.c — the public transparency report (in the spirit of DSA
 * Art. 15 and 24 and the marketplaces' annual IP-protection reports) and its
 * CSV form.
 *
 * The report is the metrics document computed unscoped over the whole
 * platform, without the members that name organisations (referrals by
 * agency, alliance members): aggregate numbers only, no personal data, so it
 * is served to anyone (docs/internals/reports.md).
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "reports/reports_internal.h"

/* Largest CSV made (the report has a few hundred numbers at most). */
#define REPORTS__CSV_MAX (1u << 20)

ips_status reports_transparency(struct ips_ctx *ctx, const struct reports_filter *f,
                                json_t **out)
{
    char now[TIME_RFC3339_LEN];
    struct reports_filter all = *f;
    all.brand[0] = all.jurisdiction[0] = '\0'; /* platform-wide only */
    struct store_reports_filter sf = reports__store_filter(&all);
    time_now_rfc3339(now, sizeof now);
    json_t *doc = json_pack("{s:s, s:s, s:o}", "report", "iprshield transparency report",
                            "generated_at", now, "period", reports__period(&all));
    if (!doc)
        return IPS_ERR_NOMEM;
    ips_status st = reports__sections(ctx, &sf, true, doc);
    if (st) {
        json_decref(doc);
        return st;
    }
    *out = doc;
    return IPS_OK;
}

/* ---- CSV ------------------------------------------------------------------------------------------- */

/* One RFC 4180 field: quoted when it holds a comma, quote or line break. */
static ips_status reports__csv_field(struct buf *b, const char *s, const char *end)
{
    ips_status st;
    if (!strpbrk(s, ",\"\r\n"))
        return buf_appendf(b, "%s%s", s, end);
    if ((st = buf_append(b, "\"", 1)))
        return st;
    for (const char *p = s; *p; p++)
        if ((st = buf_append(b, p, 1)) || (*p == '"' && (st = buf_append(b, "\"", 1))))
            return st;
    return buf_appendf(b, "\"%s", end);
}

/* One line section,metric,key,value; value a JSON number or null. */
static ips_status reports__csv_line(struct buf *b, const char *section, const char *metric,
                                    const char *key, const json_t *value)
{
    char num[40];
    if (json_is_integer(value))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(value));
    else if (json_is_real(value))
        snprintf(num, sizeof num, "%.4f", json_real_value(value));
    else if (json_is_string(value))
        snprintf(num, sizeof num, "%.39s", json_string_value(value));
    else
        num[0] = '\0';
    ips_status st;
    if ((st = reports__csv_field(b, section, ",")) || (st = reports__csv_field(b, metric, ",")) ||
        (st = reports__csv_field(b, key, ",")))
        return st;
    return reports__csv_field(b, num, "\r\n");
}

/* The lines of one metric: a number, an object of numbers, or an array of
 * {currency, minor} amounts. */
static ips_status reports__csv_metric(struct buf *b, const char *section, const char *metric,
                                      const json_t *v)
{
    const char *key;
    const json_t *e;
    size_t i;
    ips_status st = IPS_OK;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, e)
        {
            if ((st = reports__csv_line(b, section, metric, key, e)))
                return st;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if ((st = reports__csv_line(b, section, metric,
                                        json_string_value(json_object_get(e, "currency")),
                                        json_object_get(e, "minor"))))
                return st;
        }
    } else {
        st = reports__csv_line(b, section, metric, "", v);
    }
    return st;
}

ips_status reports_transparency_csv(const json_t *report, char **out, size_t *len)
{
    struct buf b;
    const char *section, *metric;
    json_t *sec, *v;
    const json_t *period = json_object_get(report, "period");
    if (!json_is_object(period))
        return IPS_ERR_INVALID;
    buf_init(&b, REPORTS__CSV_MAX);
    ips_status st = buf_appendf(&b, "section,metric,key,value\r\n");
    if (!st)
        st = reports__csv_line(&b, "period", "from", "", json_object_get(period, "from"));
    if (!st)
        st = reports__csv_line(&b, "period", "to", "", json_object_get(period, "to"));
    json_object_foreach((json_t *)report, section, sec)
    {
        if (st || !json_is_object(sec) || sec == period)
            continue;
        json_object_foreach(sec, metric, v)
        {
            if (!st)
                st = reports__csv_metric(&b, section, metric, v);
        }
    }
    if (st) {
        buf_release(&b);
        return st;
    }
    *out = buf_detach(&b, len);
    return *out ? IPS_OK : IPS_ERR_NOMEM;
}

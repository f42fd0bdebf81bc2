/*
 * reports.h — the reporting layer: metrics over a period, the public
 * transparency report (JSON and CSV) and the DSA Transparency Database
 * export of statements of reasons. Design note: docs/internals/reports.md.
 *
 * Everything here reads; nothing is written and nothing is audited except
 * refusals (access_check). The numbers come from store_reports.h, computed
 * from the other domains' rows at the time of the call.
 *
 * Who sees what (ACCESS_ACTION_MAP, the REPORT_* rows):
 *   - report.all (admin, reviewer, auditor, the CLI operator): every org's
 *     numbers, optionally filtered by brand and jurisdiction; the DSA export.
 *   - everyone else signed in: only their own organisation's numbers — a
 *     right holder its notices, detections, the strikes and referrals its
 *     notices led to and its alliance reports; a seller the notices against
 *     its listings and its own strikes and penalties; an officer the
 *     referrals shared with its agency — in the sections report.<section>
 *     allows its role. A brand filter narrows a scoped reader's numbers
 *     further; it never widens them.
 *   - the transparency report carries platform-wide totals only (no org,
 *     user, seller or listing named, no free text) and needs nobody signed
 *     in (DSA Art. 15/24 reports are public).
 *
 * Ownership: JSON results are new references the caller releases; text
 * exports are malloc'ed buffers the caller frees.
 */
#ifndef IPS_REPORTS_REPORTS_H
#define IPS_REPORTS_REPORTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "geo/geo.h"
#include "store/store.h"

/* A period longer than this is refused (10 years, in days). */
#define REPORTS_PERIOD_MAX_DAYS 3660
/* The default period when from is not given: this many days before to. */
#define REPORTS_DEFAULT_DAYS 30
/* At most this many statements in one export; narrow the period for more. */
#define REPORTS_STATEMENTS_MAX 50000

struct reports_filter {
    int64_t from_ms; /* inclusive */
    int64_t to_ms;   /* exclusive */
    char brand[STORE_NAME_MAX + 1];         /* org id or brand term, "" = all */
    char jurisdiction[GEO_CODE_MAX + 1];    /* ISO 3166-1/-2 code, "" = all */
};

/*
 * Build a filter from text (query parameters or CLI options; NULL or "" =
 * absent): from and to are RFC 3339 times (to defaults to now, from to
 * REPORTS_DEFAULT_DAYS before to); brand is an org id or a brand term of at
 * most STORE_NAME_MAX bytes; jurisdiction a known ISO 3166-1 or -2 code
 * (case-insensitive). OUT *out on IPS_OK.
 * Failure: IPS_ERR_INVALID with one {field, message} per problem appended to
 * ctx->errors (a bad time, from not before to, a period longer than
 * REPORTS_PERIOD_MAX_DAYS, an unknown jurisdiction, a brand too long).
 */
ips_status reports_filter_parse(struct ips_ctx *ctx, const char *from, const char *to,
                                const char *brand, const char *jurisdiction,
                                struct reports_filter *out);

/*
 * The metrics of the period for ctx->actor (see the file comment for the
 * scope). OUT *out: a new object {period, filters, scope, notices, actions,
 * removals, misuse, detections, enforcement, referrals, alliance} holding the
 * sections the reader may see (docs/schemas/metrics.schema.json).
 * Failure: IPS_ERR_UNAUTHENTICATED, IPS_ERR_FORBIDDEN (audited), store
 * statuses, IPS_ERR_NOMEM.
 */
ips_status reports_metrics(struct ips_ctx *ctx, const struct reports_filter *f, json_t **out);

/*
 * The public transparency report of the period (brand and jurisdiction are
 * ignored: platform-wide only). Needs no actor. OUT *out: a new object
 * (docs/schemas/transparency.schema.json).
 */
ips_status reports_transparency(struct ips_ctx *ctx, const struct reports_filter *f,
                                json_t **out);

/*
 * The transparency report as CSV (RFC 4180): a header line
 * "section,metric,key,value" and one line per number, in the order of the
 * JSON document. OUT *out (malloc'ed, caller frees) and *len.
 * Failure: IPS_ERR_NOMEM; IPS_ERR_INVALID when report is not one made by
 * reports_transparency.
 */
ips_status reports_transparency_csv(const json_t *report, char **out, size_t *len);

/*
 * The statements of reasons of every takedown in the period (under the
 * filter's brand and jurisdiction), as the DSA Transparency Database's API
 * takes them: NDJSON, one object per line with its documented field names
 * and values (docs/schemas/statement.schema.json), oldest takedown first.
 * Needs report.all. OUT *out (malloc'ed, caller frees), *len, *count (the
 * number of statements).
 * Failure: IPS_ERR_UNAUTHENTICATED, IPS_ERR_FORBIDDEN; IPS_ERR_TOO_LARGE
 * (ctx->detail says so) when the period holds more than
 * REPORTS_STATEMENTS_MAX; store statuses; IPS_ERR_NOMEM.
 */
ips_status reports_statements(struct ips_ctx *ctx, const struct reports_filter *f, char **out,
                              size_t *len, size_t *count);

#endif

/*
 * store_reports.h — read-only aggregates over the tables of the other
 * domains (notices, notice items, strikes, penalties, detections, referrals,
 * the alliance, the audit log) for the reporting layer (src/reports/,
 * docs/internals/reports.md). Indexes: migration 0014_reports.sql.
 *
 * Shape: one function, store_reports_query(), runs one of a fixed set of
 * named aggregate queries (STORE_REPORTS_QUERY_MAP) under one filter and
 * hands each result row to a callback. Every row has the same shape — up to
 * four text keys and up to eight integer values — and each query documents
 * what its keys and values mean. So adding a metric is one line in the map,
 * one SQL text in each backend, and no new function pointer.
 *
 * The filter: a period [from_ms, to_ms) applied to the time of the event
 * each query counts (a notice's receipt, a takedown, a strike, ...); scopes
 * (an organisation whose own numbers alone are wanted: a right holder, a
 * seller, an agency) and filters (a brand: an org id or one of its profile's
 * brand terms; a jurisdiction: an ISO 3166-1 country, which also matches its
 * ISO 3166-2 subdivisions, or one subdivision, compared with the seller's
 * ship-from). NULL means "not restricted". Where a restriction does not
 * apply to a query the query says so. A scope a query cannot apply (a
 * seller scope on REFERRALS, an agency scope on anything but REFERRALS, a
 * seller scope on ALLIANCE, SHARED or MISUSE) yields no rows at all — never
 * everyone's numbers.
 *
 * Same rules as store.h: rows owned by the store for the duration of the
 * callback only; a non-OK callback result stops the scan and is returned.
 * Nothing is written.
 */
#ifndef IPS_STORE_STORE_REPORTS_H
#define IPS_STORE_STORE_REPORTS_H

#include <stdint.h>

#include "store/store.h"

/*
 * The queries. Keys k[0..3], values v[0..7]; unused ones are "" and 0.
 *   NOTICES    notices received in the period (created_ms): k0 kind,
 *              k1 "1" fast track / "0" standard; v0 notices.
 *   TIMES      notice items first acted on in the period (taken down, or
 *              decided without takedown), one row: v0 items, v1 median and
 *              v2 90th percentile (nearest rank) of action - receipt in ms.
 *   ITEMS      notice items, one row, each value counting events in the
 *              period: v0 takedowns (taken_down_ms), v1 counter-notices
 *              (counter_ms), v2 reinstatements, v3 rejections, v4 takedowns
 *              upheld after a counter-notice (decided_ms), v5 appeals filed
 *              (appeal_ms).
 *   APPEALS    appeals filed in the period by k0 state (open | upheld |
 *              rejected); v0 appeals.
 *   REMOVALS   removals in the period by k0 origin: "notice" (items taken
 *              down on a right holder's notice), "detection" (listings
 *              blocked by a detection verdict, and items of notices filed
 *              from a confirmed detection); v0 removals, v1 of them removed
 *              before any unit of the removed version was sold.
 *   SIGNALS    detection verdicts (action other than allow) made in the
 *              period by k0 signal type; v0 signals, v1 verdicts with it.
 *   VERDICTS   the same verdicts by k0 action and k1 status; v0 verdicts.
 *   STRIKES    strikes given in the period by k0 source kind; v0 strikes,
 *              v1 of them revoked since. Brand scope/filter: strikes from
 *              the brand's notices only.
 *   PENALTIES  penalties that started in the period by k0 level and k1
 *              source; v0 penalties. Brand scope/filter: sellers struck on
 *              the brand's notices.
 *   REFERRALS  referrals made in the period by k0 primary agency org id
 *              ("" = not routed), k1 its name, k2 outcome (the result when
 *              known, else the status), k3 currency of the value seized;
 *              v0 referrals, v1 arrests, v2 units seized, v3 value seized
 *              (minor units). Agency scope: referrals shared with it. Right
 *              holder scope: referrals concerning it labelled TLP CLEAR,
 *              GREEN or AMBER (the labels that reach the clients concerned).
 *   ALLIANCE   alliance members by k0 org id, k1 name, k2 status (today);
 *              v0 reports shared in the period, v1 distinct sellers they
 *              named, v2 1 when the member joined in the period.
 *   SHARED     reports shared in the period, one row: v0 reports, v1
 *              distinct sellers reported.
 *   MISUSE     k0 "rejected": notices whose outcome (decided in the period)
 *              was rejected; k0 "suspended": notifiers suspended for misuse
 *              (DSA Art. 23, audit event notifier.suspended) in the period;
 *              v0 count.
 *   STATEMENTS notice items taken down in the period, one row each in
 *              takedown order: k0 notice id, k1 listing id; at most
 *              limit rows (the filter's limit).
 */
#define STORE_REPORTS_QUERY_MAP(X)                                                          \
    X(NOTICES)                                                                              \
    X(TIMES)                                                                                \
    X(ITEMS)                                                                                \
    X(APPEALS)                                                                              \
    X(REMOVALS)                                                                             \
    X(SIGNALS)                                                                              \
    X(VERDICTS)                                                                             \
    X(STRIKES)                                                                              \
    X(PENALTIES)                                                                            \
    X(REFERRALS)                                                                            \
    X(ALLIANCE)                                                                             \
    X(SHARED)                                                                               \
    X(MISUSE)                                                                               \
    X(STATEMENTS)

enum store_reports_query {
#define STORE__REPORTS_ENUM(name) STORE_REPORTS_##name,
    STORE_REPORTS_QUERY_MAP(STORE__REPORTS_ENUM)
#undef STORE__REPORTS_ENUM
        STORE_REPORTS__COUNT
};

#define STORE_REPORTS_KEYS 4
#define STORE_REPORTS_VALUES 8

struct store_reports_row {
    char k[STORE_REPORTS_KEYS][STORE_NAME_MAX + 1];
    int64_t v[STORE_REPORTS_VALUES];
};

struct store_reports_filter {
    int64_t from_ms; /* inclusive */
    int64_t to_ms;   /* exclusive */
    /* scopes: only this organisation's own numbers (NULL: every org's) */
    const char *rightholder; /* notices it filed or that cite its rights */
    const char *seller;      /* its listings, strikes and penalties */
    const char *agency;      /* referrals shared with it */
    /* filters */
    const char *brand;        /* a right-holder org id or a brand term */
    const char *jurisdiction; /* ISO 3166-1/-2 code of the seller's ship-from */
    int limit;                /* STATEMENTS only: at most this many rows (> 0) */
};

typedef ips_status (*store_reports_cb)(const struct store_reports_row *row, void *arg);

/* The scopes a query can apply, a mask of STORE_REPORTS_SCOPE_* (0 for an
 * unknown query), and the scopes a filter asks for. */
#define STORE_REPORTS_SCOPE_RIGHTHOLDER 1u
#define STORE_REPORTS_SCOPE_SELLER 2u
#define STORE_REPORTS_SCOPE_AGENCY 4u
unsigned store_reports_scopes(enum store_reports_query q);
unsigned store_reports_filter_scopes(const struct store_reports_filter *f);

/* Run query q under f, calling cb once per row (rows in no documented order
 * except for STATEMENTS). Failure: IPS_ERR_INVALID for an unknown query or
 * from_ms > to_ms; the mapped database status; cb's non-OK result;
 * TIMES: IPS_ERR_TOO_LARGE past 2^27 items in the period (it holds one
 * 8-byte time per item to rank them), IPS_ERR_NOMEM. */
ips_status store_reports_query(struct store *s, enum store_reports_query q,
                               const struct store_reports_filter *f, store_reports_cb cb,
                               void *arg);

#endif

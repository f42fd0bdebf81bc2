/*
 * store_reports.c — the public function of store_reports.h: argument checks
 * (a NULL where a value is required is a caller bug: IPS_ERR_INTERNAL,
 * logged; a bad query or period is IPS_ERR_INVALID) and dispatch to struct
 * store_reports_ops.
 */
#include "store/store_backend.h"
#include "store/store_reports.h"
#include "store/store_reports_backend.h"

/* The scopes each query knows how to apply (store_reports.h). */
#define SC_RH STORE_REPORTS_SCOPE_RIGHTHOLDER
#define SC_SELLER STORE_REPORTS_SCOPE_SELLER
#define SC_AGENCY STORE_REPORTS_SCOPE_AGENCY
static const unsigned store__reports_scopes[STORE_REPORTS__COUNT] = {
    [STORE_REPORTS_NOTICES] = SC_RH | SC_SELLER,  [STORE_REPORTS_TIMES] = SC_RH | SC_SELLER,
    [STORE_REPORTS_ITEMS] = SC_RH | SC_SELLER,    [STORE_REPORTS_APPEALS] = SC_RH | SC_SELLER,
    [STORE_REPORTS_REMOVALS] = SC_RH | SC_SELLER, [STORE_REPORTS_SIGNALS] = SC_RH | SC_SELLER,
    [STORE_REPORTS_VERDICTS] = SC_RH | SC_SELLER, [STORE_REPORTS_STRIKES] = SC_RH | SC_SELLER,
    [STORE_REPORTS_PENALTIES] = SC_RH | SC_SELLER, [STORE_REPORTS_REFERRALS] = SC_RH | SC_AGENCY,
    [STORE_REPORTS_ALLIANCE] = SC_RH,             [STORE_REPORTS_SHARED] = SC_RH,
    [STORE_REPORTS_MISUSE] = SC_RH,               [STORE_REPORTS_STATEMENTS] = SC_RH | SC_SELLER,
};

unsigned store_reports_scopes(enum store_reports_query q)
{
    return (int)q >= 0 && q < STORE_REPORTS__COUNT ? store__reports_scopes[q] : 0u;
}

unsigned store_reports_filter_scopes(const struct store_reports_filter *f)
{
    return (f->rightholder ? SC_RH : 0u) | (f->seller ? SC_SELLER : 0u) |
           (f->agency ? SC_AGENCY : 0u);
}

ips_status store_reports_query(struct store *s, enum store_reports_query q,
                               const struct store_reports_filter *f, store_reports_cb cb,
                               void *arg)
{
    STORE__REQUIRE(s && f && cb);
    if ((int)q < 0 || q >= STORE_REPORTS__COUNT || f->from_ms > f->to_ms)
        return IPS_ERR_INVALID;
    if (store_reports_filter_scopes(f) & ~store__reports_scopes[q])
        return IPS_OK; /* a scope the query cannot apply: nobody's numbers, not everyone's */
    return s->ops->reports->query(s, q, f, cb, arg);
}

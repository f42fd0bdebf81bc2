/*
 * store_reports.c — the public function of store_reports.h: argument checks
 * (a NULL where a value is required is a caller bug: IPS_ERR_INTERNAL,
 * logged; a bad query or period is IPS_ERR_INVALID) and dispatch to struct
 * store_reports_ops.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
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

const char *store_reports__text(enum store_reports_query q, const struct store_reports_filter *f,
                                const char *const *sql, const char *const *rh,
                                const char *const *seller, const char *const *all)
{
    if (f->rightholder && rh[q])
        return rh[q];
    if (f->seller && seller[q])
        return seller[q];
    if (!store_reports_filter_scopes(f) && !f->brand && !f->jurisdiction && all[q])
        return all[q];
    return sql[q];
}

/* TIMES: the backend hands over one row per item, v0 its time to action;
 * they are collected here, sorted once, and ranked (the nearest-rank
 * percentile: the smallest d whose rank rn, from 1 in ascending order, has
 * rn * 100 >= count * p). At most STORE__TIMES_MAX items in one period. */
#define STORE__TIMES_MAX ((size_t)1 << 27)

static ips_status store__times_add(const struct store_reports_row *row, void *arg)
{
    return buf_append(arg, &row->v[0], sizeof row->v[0]);
}

static int store__times_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t store__times_rank(const int64_t *d, size_t n, size_t p)
{
    size_t rn = (n * p + 99) / 100;
    return n ? d[rn ? rn - 1 : 0] : 0;
}

static ips_status store__times(struct store *s, const struct store_reports_filter *f,
                               store_reports_cb cb, void *arg)
{
    struct buf b;
    struct store_reports_row row;
    buf_init(&b, STORE__TIMES_MAX * sizeof(int64_t));
    ips_status result = s->ops->reports->query(s, STORE_REPORTS_TIMES, f, store__times_add, &b);
    if (!result) {
        size_t n = b.len / sizeof(int64_t);
        const int64_t *d = (const int64_t *)(void *)b.data;
        if (n)
            qsort(b.data, n, sizeof(int64_t), store__times_cmp);
        memset(&row, 0, sizeof row);
        row.v[0] = (int64_t)n;
        row.v[1] = store__times_rank(d, n, 50);
        row.v[2] = store__times_rank(d, n, 90);
        result = cb(&row, arg);
    }
    buf_release(&b);
    return result;
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
    if (q == STORE_REPORTS_TIMES)
        return store__times(s, f, cb, arg);
    return s->ops->reports->query(s, q, f, cb, arg);
}

/*
 * pg_alliance.c — PostgreSQL implementation of store_alliance.h (tables of
 * migration 0005_profiles.sql). Contracts: store_alliance.h.
 *
 * Counts (reports per member, reports and distinct members per seller) are
 * computed by the queries, from the indexes alliance_reports_member and
 * alliance_reports_seller, never stored: they cannot drift. The seller
 * summary groups by the org's name too, as PostgreSQL wants every selected
 * column grouped (one name per seller id: it changes nothing).
 */
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_alliance_backend.h"

#define MEMBER_SELECT                                                                        \
    "SELECT m.org_id, m.status, m.joined_ms, m.status_ms, m.status_reason, o.name,"          \
    " (SELECT count(*) FROM alliance_reports r WHERE r.member_org_id = m.org_id)"            \
    " FROM alliance_members m JOIN orgs o ON o.id = m.org_id"

static const char q_member_get[] = MEMBER_SELECT " WHERE m.org_id = $1";
static const char q_member_list[] =
    MEMBER_SELECT " WHERE ($1::text IS NULL OR m.org_id = $1) AND m.org_id > $2"
                  " ORDER BY m.org_id LIMIT $3";
static const char q_member_put[] =
    "INSERT INTO alliance_members (org_id, status, joined_ms, status_ms, status_reason)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO UPDATE SET status = excluded.status,"
    " joined_ms = excluded.joined_ms, status_ms = excluded.status_ms,"
    " status_reason = excluded.status_reason";

static const char q_report_insert[] =
    "INSERT INTO alliance_reports (id, member_org_id, seller_org_id, reporter_id, reason,"
    " evidence_urls, listing_ids, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char q_report_list[] =
    "SELECT r.id, r.member_org_id, r.seller_org_id, r.reporter_id, r.reason, r.evidence_urls,"
    " r.listing_ids, r.created_ms, m.name, s.name FROM alliance_reports r"
    " JOIN orgs m ON m.id = r.member_org_id JOIN orgs s ON s.id = r.seller_org_id"
    " WHERE ($1::text IS NULL OR r.seller_org_id = $1) AND r.id > $2 ORDER BY r.id LIMIT $3";
static const char q_seller_list[] =
    "SELECT r.seller_org_id, o.name, count(*), count(DISTINCT r.member_org_id),"
    " min(r.created_ms), max(r.created_ms) FROM alliance_reports r"
    " JOIN orgs o ON o.id = r.seller_org_id"
    " WHERE ($1::text IS NULL OR r.seller_org_id = $1) AND r.seller_org_id > $2"
    " GROUP BY r.seller_org_id, o.name ORDER BY r.seller_org_id LIMIT $3";

static ips_status decode_member(const struct pg__row *st, void *row)
{
    struct store_alliance_member *m = row;
    ips_status result;
    memset(m, 0, sizeof *m);
    if ((result = PG__COL_FIELD(st, 0, m->org_id)) ||
        (result = PG__COL_FIELD(st, 1, m->status)) ||
        (result = PG__COL_FIELD(st, 4, m->status_reason)) ||
        (result = PG__COL_FIELD(st, 5, m->org_name)))
        return result;
    m->joined_ms = pg__col_int64(st, 2);
    m->status_ms = pg__col_int64(st, 3);
    m->reports = pg__col_int64(st, 6);
    return IPS_OK;
}

static ips_status member_get(struct store *s, const char *org_id,
                             struct store_alliance_member *out)
{
    struct pg__stmt q;
    struct store_alliance_member tmp;
    ips_status result = pg__stmt_sql(pg__from(s), q_member_get, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)))
        goto out_stmt;
    result = pg__fetch_one(&q, decode_member, &tmp, out, sizeof tmp);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status member_put(struct store *s, const struct store_alliance_member *m)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_member_put, &q);
    if (result || (result = PG__BIND_FIELD(&q, 1, m->org_id)) ||
        (result = PG__BIND_FIELD(&q, 2, m->status)) ||
        (result = pg__bind_int64(&q, 3, m->joined_ms)) ||
        (result = pg__bind_int64(&q, 4, m->status_ms)) ||
        (result = PG__BIND_FIELD(&q, 5, m->status_reason)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status member_list(struct store *s, const char *after, int limit,
                              store_alliance_member_cb cb, void *arg)
{
    struct pg__stmt q;
    struct store_alliance_member m;
    bool row = false;
    ips_status result = pg__stmt_sql(pg__from(s), q_member_list, &q);
    if (result || (result = pg__bind_page(&q, NULL, after, limit)))
        goto out_stmt;
    while ((result = pg__step(&q, &row)) == IPS_OK && row) {
        if ((result = decode_member(q.st, &m)) || (result = cb(&m, arg)))
            break;
    }
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status report_insert(struct store *s, const struct store_alliance_report *r)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_report_insert, &q);
    if (result || (result = PG__BIND_FIELD(&q, 1, r->id)) ||
        (result = PG__BIND_FIELD(&q, 2, r->member_org_id)) ||
        (result = PG__BIND_FIELD(&q, 3, r->seller_org_id)) ||
        (result = PG__BIND_FIELD(&q, 4, r->reporter_id)) ||
        (result = PG__BIND_FIELD(&q, 5, r->reason)) ||
        (result = PG__BIND_FIELD(&q, 6, r->evidence_urls)) ||
        (result = PG__BIND_FIELD(&q, 7, r->listing_ids)) ||
        (result = pg__bind_int64(&q, 8, r->created_ms)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* Decode a report row; the record is about 16 KiB, so callers keep one. */
static ips_status decode_report(const struct pg__row *st, struct store_alliance_report *r)
{
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, r->id)) ||
        (result = PG__COL_FIELD(st, 1, r->member_org_id)) ||
        (result = PG__COL_FIELD(st, 2, r->seller_org_id)) ||
        (result = PG__COL_FIELD(st, 3, r->reporter_id)) ||
        (result = PG__COL_FIELD(st, 4, r->reason)) ||
        (result = PG__COL_FIELD(st, 5, r->evidence_urls)) ||
        (result = PG__COL_FIELD(st, 6, r->listing_ids)) ||
        (result = PG__COL_FIELD(st, 8, r->member_name)) ||
        (result = PG__COL_FIELD(st, 9, r->seller_name)))
        return result;
    r->created_ms = pg__col_int64(st, 7);
    return IPS_OK;
}

static ips_status report_list(struct store *s, const char *only_seller, const char *after,
                              int limit, store_alliance_report_cb cb, void *arg)
{
    struct pg__stmt q;
    struct store_alliance_report r;
    bool row = false;
    ips_status result = pg__stmt_sql(pg__from(s), q_report_list, &q);
    if (result || (result = pg__bind_page(&q, only_seller, after, limit)))
        goto out_stmt;
    while ((result = pg__step(&q, &row)) == IPS_OK && row) {
        if ((result = decode_report(q.st, &r)) || (result = cb(&r, arg)))
            break;
    }
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status seller_list(struct store *s, const char *after, int limit,
                              store_alliance_seller_cb cb, void *arg)
{
    struct pg__stmt q;
    struct store_alliance_seller se;
    bool row = false;
    ips_status result = pg__stmt_sql(pg__from(s), q_seller_list, &q);
    if (result || (result = pg__bind_page(&q, NULL, after, limit)))
        goto out_stmt;
    while ((result = pg__step(&q, &row)) == IPS_OK && row) {
        memset(&se, 0, sizeof se);
        if ((result = PG__COL_FIELD(q.st, 0, se.seller_org_id)) ||
            (result = PG__COL_FIELD(q.st, 1, se.seller_name)))
            break;
        se.reports = pg__col_int64(q.st, 2);
        se.members = pg__col_int64(q.st, 3);
        se.first_ms = pg__col_int64(q.st, 4);
        se.last_ms = pg__col_int64(q.st, 5);
        if ((result = cb(&se, arg)))
            break;
    }
out_stmt:
    pg__stmt_put(&q);
    return result;
}

const struct store_alliance_ops pg__alliance_ops = {
    .member_get = member_get,
    .member_put = member_put,
    .member_list = member_list,
    .report_insert = report_insert,
    .report_list = report_list,
    .seller_list = seller_list,
};

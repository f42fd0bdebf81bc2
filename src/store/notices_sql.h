/*
 * notices_sql.h — notices SQL written once for both backends (private to
 * sqlite_notices.c and pg_notices.c). Each statement is a macro of the
 * pieces in which the dialects differ, which the includer passes:
 *
 *   AGG   the aggregate joining texts with a separator ("group_concat" /
 *         "string_agg": both take (expression, separator))
 *   P1    the first parameter ("?1" / "$1")
 */
#ifndef IPS_STORE_NOTICES_SQL_H
#define IPS_STORE_NOTICES_SQL_H

/* store_notices_search_put: the search row of one notice (the text of
 * 0015's initial fill: kind, explanation, notifier, and the id and current
 * title of each item's listing); an existing row is updated, and the
 * backend's index follows (SQLite: notice_search_au re-indexes notices_fts;
 * PostgreSQL: the GIN expression index). */
#define NOTICES_SQL_SEARCH_PUT(AGG, P1)                                                            \
    "INSERT INTO notice_search (notice_id, kind, explanation, notifier, listings)"                 \
    " SELECT n.id, n.kind, n.explanation,"                                                         \
    " trim(n.notifier_name || ' ' || n.on_behalf_of || ' ' ||"                                     \
    " coalesce((SELECT o.name FROM orgs o WHERE o.id = n.notifier_org_id), '')),"                  \
    " coalesce((SELECT " AGG "(i.listing_id || ' ' || coalesce(v.title, ''), ' ')"                 \
    " FROM notice_items i LEFT JOIN listings l ON l.id = i.listing_id"                             \
    " LEFT JOIN listing_versions v ON v.vrow = l.current_vrow WHERE i.notice_id = n.id), '')"      \
    " FROM notices n WHERE n.id = " P1 " ON CONFLICT (notice_id) DO UPDATE SET"                    \
    " kind = excluded.kind, explanation = excluded.explanation,"                                   \
    " notifier = excluded.notifier, listings = excluded.listings"

#endif

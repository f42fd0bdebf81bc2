/*
 * reports_sql.h — the SQL of the report queries (store_reports.h), written
 * once for both backends, over the tables of migrations 0001-0009 with the
 * indexes of 0014_reports.sql, 0018 and 0023_report_covering_indexes.sql and
 * the facts 0025_report_stored_facts.sql stores with the rows (a verdict's
 * signal types, an item's receipt time and units sold). sqlite_reports.c
 * and pg_reports.c each include it once, after defining the pieces in
 * which their dialects differ:
 *
 *   P1 .. P8          the parameters, as string literals ("?1" / "$1"):
 *                     1 from_ms  2 to_ms  3 right-holder scope  4 jurisdiction
 *                     5 seller scope  6 agency scope  7 brand  8 limit
 *                     (NULL means "not restricted")
 *   JOIN_IN_ORDER     a join whose left side drives (SQLite's CROSS JOIN;
 *                     PostgreSQL's planner picks the order itself: JOIN)
 *   TERM_IS(p)        a profile term equal to p ignoring ASCII case
 *   UNDER(col, p)     ship-from col is jurisdiction p or one of its
 *                     subdivisions ("CN" matches "CN-GD"), ASCII case ignored
 *   SIGNAL_EACH       a table function of a verdict's signals JSON (alias s)
 *   SIGNAL_TYPE       the type of signal s as text ('' when it has none)
 *
 * and defines the four tables of texts, reports__sql, reports__sql_rh,
 * reports__sql_seller and reports__sql_all (store_reports__text picks one).
 * Contracts and the meaning of each query's keys and values: store_reports.h.
 * Private to those two files.
 */
#ifndef IPS_STORE_REPORTS_SQL_H
#define IPS_STORE_REPORTS_SQL_H

#include "store/store_reports.h"

/* ---- SQL fragments ---------------------------------------------------------------------- */

#define PERIOD(col) "(" col " >= " P1 " AND " col " < " P2 ")"
#define CNT(cond) "count(CASE WHEN " cond " THEN 1 END)"
/* The orgs a brand filter names: the org itself, or the holders of the term. */
#define BRAND_SET                                                                                  \
    "(SELECT id FROM orgs WHERE id = " P7                                                          \
    " UNION SELECT org_id FROM profile_terms WHERE " TERM_IS(P7) ")"
#define BRAND(col) "(" P7 " IS NULL OR " col " IN " BRAND_SET ")"
/* A right holder's own notices: those citing its rights or filed by it (an agent). */
#define RH_NOTICE "(" P3 " IS NULL OR n.right_org_id = " P3 " OR n.notifier_org_id = " P3 ")"
/* A seller's ship-from in the jurisdiction: a country matches its subdivisions. */
#define JUR(seller)                                                                                \
    "(" P4 " IS NULL OR EXISTS (SELECT 1 FROM seller_profiles sp WHERE sp.org_id = " seller        \
    " AND " UNDER("sp.ship_from", P4) "))"
#define SELLER(col) "(" P5 " IS NULL OR " col " = " P5 ")"
/* A notice (alias n) under every restriction; seller and jurisdiction through
 * at least one of its items. */
#define NOTICE_WHERE                                                                               \
    RH_NOTICE " AND " BRAND("n.right_org_id")                                                      \
              " AND ((" P5 " IS NULL AND " P4 " IS NULL) OR EXISTS (SELECT 1 FROM notice_items ni" \
              " WHERE ni.notice_id = n.id AND " SELLER("ni.seller_org_id") " AND "                 \
              JUR("ni.seller_org_id") "))"
/* A notice item (alias i) of notice n under every restriction. ITEM_FROM
 * lets the planner drive by the period's index on the item's event time;
 * ITEM_FROM_RH (a right-holder scope, parameter 3 set) walks the holder's own
 * notices (RH_NOTICES: notices_right, notices_notifier) and their items,
 * a tenth of the rows instead of every item of the period filtered one by
 * one. The rows counted are the same (ITEM_WHERE still holds). */
#define ITEM_FROM " FROM notice_items i JOIN notices n ON n.id = i.notice_id"
#define RH_NOTICES                                                                                 \
    "(SELECT id FROM notices WHERE right_org_id = " P3                                             \
    " UNION SELECT id FROM notices WHERE notifier_org_id = " P3 ")"
#define ITEM_FROM_RH                                                                               \
    " FROM notices n " JOIN_IN_ORDER " notice_items i ON i.notice_id = n.id AND n.id IN " RH_NOTICES
/* A seller scope (parameter 5 set): the seller's own items (index notice_items_seller),
 * each joined to its notice, instead of every item of the period. */
#define ITEM_FROM_SELLER                                                                           \
    " FROM notice_items i " JOIN_IN_ORDER " notices n ON n.id = i.notice_id"                       \
    " AND i.seller_org_id = " P5
#define ITEM_WHERE                                                                                 \
    RH_NOTICE " AND " BRAND("n.right_org_id") " AND " SELLER("i.seller_org_id") " AND "            \
        JUR("i.seller_org_id")
/* A verdict (alias d) on listing l: the seller's, and concerning the holder.
 * VERDICT_FROM_RH (parameter 3 set) walks the holder's rows of detection_verdict_orgs
 * (index detection_verdict_orgs_org; one per verdict and org) instead of
 * every verdict of the period. */
#define VERDICT_FROM " FROM detection_verdicts d JOIN listings l ON l.id = d.listing_id"
#define VERDICT_FROM_RH                                                                            \
    " FROM detection_verdict_orgs h " JOIN_IN_ORDER " detection_verdicts d ON d.id = h.verdict_id" \
    " AND h.org_id = " P3 " JOIN listings l ON l.id = d.listing_id"
/* VERDICT_FROM_SELLER (parameter 5 set) walks the seller's listings (listings_seller)
 * and their verdicts (detection_verdicts_version) instead of every verdict of
 * the period: a seller's dashboard over a million-listing catalog. */
#define VERDICT_FROM_SELLER                                                                        \
    " FROM listings l " JOIN_IN_ORDER " detection_verdicts d ON d.listing_id = l.id"               \
    " AND l.seller_org_id = " P5
#define VERDICT_WHERE                                                                              \
    SELLER("l.seller_org_id") " AND " JUR("l.seller_org_id")                                       \
    " AND ((" P3 " IS NULL AND " P7 " IS NULL) OR EXISTS (SELECT 1 FROM detection_verdict_orgs o"  \
    " WHERE o.verdict_id = d.id AND (" P3 " IS NULL OR o.org_id = " P3 ") AND "                    \
    BRAND("o.org_id") "))"
/* Strikes or sellers attributable to the brand: through its notices. */
#define BRAND_STRIKE "(n.id IS NOT NULL AND " RH_NOTICE " AND " BRAND("n.right_org_id") ")"

/* Every org with no scope and no filter (the platform's dashboard, the
 * transparency report): every restriction above is NULL, so the texts of
 * reports__sql_all leave them out (ALL) and with them the joins only they
 * need — a notice item's notice, a verdict's listing. 0023's covering
 * indexes then answer most of these from an index alone. */
#define ITEM_FROM_ALL " FROM notice_items i"
#define VERDICT_FROM_ALL " FROM detection_verdicts d"
#define ALL "TRUE"

/* Each query that reads notice items or verdicts is written once, as a
 * macro of its FROM clause(s) and restriction(s), and compiled three times:
 * for every org under a filter, for a right holder's scope
 * (reports__sql_rh) and for every org unfiltered (reports__sql_all). */

/* ---- the queries --------------------------------------------------------------------------- */

static const char q_notices[] =
    "SELECT n.kind, CAST(n.fast_track AS TEXT), '', '', count(*) FROM notices n"
    " WHERE " PERIOD("n.created_ms") " AND " NOTICE_WHERE " GROUP BY n.kind, n.fast_track";

/* Two indexed halves (taken down; decided without takedown), one row per
 * item with v0 its time to action, unsorted: store_reports.c sorts them once
 * and ranks them (a window function over the rows cost twice the join). The
 * receipt time is the item's copy of its notice's (received_ms, 0025). */
#define Q_TIMES(FROM, W)                                                                           \
    "SELECT '', '', '', '', i.taken_down_ms - i.received_ms" FROM                                  \
    " WHERE i.taken_down_ms > 0 AND " PERIOD("i.taken_down_ms") " AND " W                          \
    " UNION ALL SELECT '', '', '', '', i.decided_ms - i.received_ms" FROM                          \
    " WHERE i.taken_down_ms = 0 AND i.decided_ms > 0 AND " PERIOD("i.decided_ms") " AND " W
/* The same rows for a scope, in one pass over the scope's items (the two
 * halves above are disjoint: taken down, or decided without takedown). */
#define Q_TIMES_ONE_PASS(FROM, W)                                                                  \
    "SELECT '', '', '', '', CASE WHEN i.taken_down_ms > 0 THEN i.taken_down_ms"                    \
    " ELSE i.decided_ms END - i.received_ms" FROM                                                  \
    " WHERE (i.taken_down_ms > 0 AND " PERIOD("i.taken_down_ms")                                   \
    " OR i.taken_down_ms = 0 AND i.decided_ms > 0 AND " PERIOD("i.decided_ms") ") AND " W
static const char q_times[] = Q_TIMES(ITEM_FROM, ITEM_WHERE);
static const char q_times_rh[] = Q_TIMES_ONE_PASS(ITEM_FROM_RH, ITEM_WHERE);
static const char q_times_seller[] = Q_TIMES_ONE_PASS(ITEM_FROM_SELLER, ITEM_WHERE);
static const char q_times_all[] = Q_TIMES(ITEM_FROM_ALL, ALL);

/* One indexed pass per event time (0014's partial indexes), then counted. */
#define Q_ITEMS(FROM, W)                                                                           \
    "SELECT '', '', '', '', " CNT("k = 0") ", " CNT("k = 1") ", " CNT("k = 2") ", "                \
    CNT("k = 3") ", " CNT("k = 4") ", " CNT("k = 5") " FROM ("                                     \
    "SELECT 0 AS k" FROM " WHERE i.taken_down_ms > 0 AND " PERIOD("i.taken_down_ms")               \
    " AND " W                                                                                      \
    " UNION ALL SELECT 1" FROM " WHERE i.counter_ms > 0 AND " PERIOD("i.counter_ms") " AND "       \
    W                                                                                              \
    " UNION ALL SELECT CASE i.state WHEN 'reinstated' THEN 2 WHEN 'rejected' THEN 3 ELSE 4"        \
    " END" FROM " WHERE i.decided_ms > 0 AND " PERIOD("i.decided_ms")                              \
    " AND (i.state IN ('reinstated', 'rejected') OR (i.state = 'upheld' AND i.counter_ms > 0))"    \
    " AND " W                                                                                      \
    " UNION ALL SELECT 5" FROM " WHERE i.appeal_ms > 0 AND i.appeal_state <> '' AND "              \
    PERIOD("i.appeal_ms") " AND " W ") e"
/* A scope's items (a right holder's or a seller's) in ONE pass, each item
 * tested for each count: the same numbers as Q_ITEMS, whose four passes are
 * each driven by an event-time index of every org's items, but which under
 * a scope would walk the scope's notices and items four times over. */
#define ITEM_DECIDED "i.decided_ms > 0 AND " PERIOD("i.decided_ms")
#define Q_ITEMS_ONE_PASS(FROM, W)                                                                  \
    "SELECT '', '', '', '', "                                                                      \
    CNT("i.taken_down_ms > 0 AND " PERIOD("i.taken_down_ms")) ", "                                 \
    CNT("i.counter_ms > 0 AND " PERIOD("i.counter_ms")) ", "                                       \
    CNT(ITEM_DECIDED " AND i.state = 'reinstated'") ", "                                           \
    CNT(ITEM_DECIDED " AND i.state = 'rejected'") ", "                                             \
    CNT(ITEM_DECIDED " AND i.state = 'upheld' AND i.counter_ms > 0") ", "                          \
    CNT("i.appeal_ms > 0 AND i.appeal_state <> '' AND " PERIOD("i.appeal_ms")) FROM                \
    " WHERE " W
static const char q_items[] = Q_ITEMS(ITEM_FROM, ITEM_WHERE);
static const char q_items_rh[] = Q_ITEMS_ONE_PASS(ITEM_FROM_RH, ITEM_WHERE);
static const char q_items_seller[] = Q_ITEMS_ONE_PASS(ITEM_FROM_SELLER, ITEM_WHERE);
static const char q_items_all[] = Q_ITEMS(ITEM_FROM_ALL, ALL);

#define Q_APPEALS(FROM, W)                                                                         \
    "SELECT i.appeal_state, '', '', '', count(*)" FROM                                             \
    " WHERE i.appeal_ms > 0 AND i.appeal_state <> '' AND " PERIOD("i.appeal_ms") " AND " W         \
    " GROUP BY i.appeal_state"
static const char q_appeals[] = Q_APPEALS(ITEM_FROM, ITEM_WHERE);
static const char q_appeals_rh[] = Q_APPEALS(ITEM_FROM_RH, ITEM_WHERE);
static const char q_appeals_seller[] = Q_APPEALS(ITEM_FROM_SELLER, ITEM_WHERE);
static const char q_appeals_all[] = Q_APPEALS(ITEM_FROM_ALL, ALL);

/* (the EXISTS names o.notice_id <> '' for the partial index of 0014; an
 * item's units sold are its copy of the taken-down version's, version_sold
 * of 0025) */
#define Q_REMOVALS(FROM, W, VFROM, VW)                                                             \
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM detection_verdict_orgs o"                              \
    " WHERE o.notice_id = i.notice_id AND o.notice_id <> '')"                                      \
    " THEN 'detection' ELSE 'notice' END AS origin, '', '', '', count(*), "                        \
    CNT("i.version_sold = 0") FROM                                                                 \
    " WHERE i.taken_down_ms > 0 AND " PERIOD("i.taken_down_ms") " AND " W                          \
    " GROUP BY origin"                                                                             \
    " UNION ALL SELECT 'detection', '', '', '', count(*), " CNT("v.units_sold = 0") VFROM          \
    " LEFT JOIN listing_versions v ON v.listing_id = d.listing_id"                                 \
    " AND v.version = d.listing_version"                                                           \
    " WHERE d.applied = 'blocked' AND d.action <> 'allow' AND " PERIOD("d.created_ms")             \
    " AND " VW
static const char q_removals[] = Q_REMOVALS(ITEM_FROM, ITEM_WHERE, VERDICT_FROM, VERDICT_WHERE);
static const char q_removals_rh[] =
    Q_REMOVALS(ITEM_FROM_RH, ITEM_WHERE, VERDICT_FROM_RH, VERDICT_WHERE);
static const char q_removals_seller[] =
    Q_REMOVALS(ITEM_FROM_SELLER, ITEM_WHERE, VERDICT_FROM_SELLER, VERDICT_WHERE);
static const char q_removals_all[] = Q_REMOVALS(ITEM_FROM_ALL, ALL, VERDICT_FROM_ALL, ALL);

/* Under a scope or filter, each verdict's signals JSON is read (a tenth of
 * the verdicts or fewer; joining the stored types below instead measured
 * slower for a right holder's numbers). Every org: the signal types stored
 * with each verdict other than allow (0025's detection_verdict_signals, one
 * row per verdict and type, keyed by the verdict's created_ms), a range of
 * that table and no JSON; one row per verdict, so count(*) counts verdicts.
 * test_reports checks the two against each other (every org = the sum of
 * each seller's). */
#define Q_SIGNALS(VFROM, VW)                                                                       \
    "SELECT " SIGNAL_TYPE ", '', '', '', count(*),"                                                \
    " count(DISTINCT d.id)" VFROM                                                                  \
    ", " SIGNAL_EACH " s"                                                                          \
    " WHERE d.action <> 'allow' AND " PERIOD("d.created_ms") " AND " VW " GROUP BY 1"
static const char q_signals[] = Q_SIGNALS(VERDICT_FROM, VERDICT_WHERE);
static const char q_signals_rh[] = Q_SIGNALS(VERDICT_FROM_RH, VERDICT_WHERE);
static const char q_signals_seller[] = Q_SIGNALS(VERDICT_FROM_SELLER, VERDICT_WHERE);
static const char q_signals_all[] =
    "SELECT g.type, '', '', '', sum(g.signals), count(*) FROM detection_verdict_signals g"
    " WHERE " PERIOD("g.created_ms") " GROUP BY g.type";

#define Q_VERDICTS(VFROM, VW)                                                                      \
    "SELECT d.action, d.status, '', '', count(*)" VFROM " WHERE d.action <> 'allow' AND "          \
    PERIOD("d.created_ms") " AND " VW " GROUP BY d.action, d.status"
static const char q_verdicts[] = Q_VERDICTS(VERDICT_FROM, VERDICT_WHERE);
static const char q_verdicts_rh[] = Q_VERDICTS(VERDICT_FROM_RH, VERDICT_WHERE);
static const char q_verdicts_seller[] = Q_VERDICTS(VERDICT_FROM_SELLER, VERDICT_WHERE);
static const char q_verdicts_all[] = Q_VERDICTS(VERDICT_FROM_ALL, ALL);

static const char q_strikes[] =
    "SELECT s.source_kind, '', '', '', count(*), " CNT("s.revoked_ms > 0")
    " FROM strikes s LEFT JOIN notices n ON n.id = s.notice_id WHERE " PERIOD("s.created_ms")
    " AND " SELLER("s.seller_org_id") " AND " JUR("s.seller_org_id")
    " AND ((" P3 " IS NULL AND " P7 " IS NULL) OR " BRAND_STRIKE ") GROUP BY s.source_kind";

/* The sellers struck on the brand's notices, found once (not per penalty). */
static const char q_penalties[] =
    "SELECT p.level, p.source, '', '', count(*) FROM penalties p WHERE " PERIOD("p.from_ms")
    " AND " SELLER("p.seller_org_id") " AND " JUR("p.seller_org_id")
    " AND ((" P3 " IS NULL AND " P7 " IS NULL) OR p.seller_org_id IN (SELECT s.seller_org_id"
    " FROM strikes s JOIN notices n ON n.id = s.notice_id WHERE " BRAND_STRIKE "))"
    " GROUP BY p.level, p.source";

static const char q_referrals[] =
    "SELECT coalesce(rc.agency_org_id, ''), coalesce(o.name, ''),"
    " CASE WHEN r.result <> '' THEN r.result ELSE r.status END, r.value_currency, count(*),"
    " sum(r.arrests), sum(r.units_seized), sum(r.value_seized_minor) FROM referrals r"
    " LEFT JOIN referral_recipients rc ON rc.referral_id = r.id AND rc.kind = 'primary'"
    " LEFT JOIN orgs o ON o.id = rc.agency_org_id WHERE " PERIOD("r.created_ms")
    " AND (" P6 " IS NULL OR EXISTS (SELECT 1 FROM referral_recipients x WHERE x.referral_id = r.id"
    " AND x.agency_org_id = " P6 " AND (x.needs_approval = 0 OR x.approved_ms > 0)))"
    " AND (" P3 " IS NULL OR (r.tlp IN ('CLEAR', 'GREEN', 'AMBER') AND EXISTS (SELECT 1"
    " FROM referral_rightholders h WHERE h.referral_id = r.id AND h.org_id = " P3 ")))"
    " AND (" P7 " IS NULL OR EXISTS (SELECT 1 FROM referral_rightholders h"
    " WHERE h.referral_id = r.id AND " BRAND("h.org_id") "))"
    " AND (" P4 " IS NULL OR " UNDER("r.ship_from", P4) ")"
    " GROUP BY 1, 2, 3, 4";

static const char q_alliance[] =
    "SELECT m.org_id, o.name, m.status, '',"
    " (SELECT count(*) FROM alliance_reports r WHERE r.member_org_id = m.org_id AND "
    PERIOD("r.created_ms") "),"
    " (SELECT count(DISTINCT r.seller_org_id) FROM alliance_reports r"
    " WHERE r.member_org_id = m.org_id AND " PERIOD("r.created_ms") "),"
    " " PERIOD("m.joined_ms") " FROM alliance_members m JOIN orgs o ON o.id = m.org_id"
    " WHERE (" P3 " IS NULL OR m.org_id = " P3 ") AND " BRAND("m.org_id");

static const char q_shared[] =
    "SELECT '', '', '', '', count(*), count(DISTINCT r.seller_org_id) FROM alliance_reports r"
    " WHERE " PERIOD("r.created_ms") " AND (" P3 " IS NULL OR r.member_org_id = " P3 ") AND "
    BRAND("r.member_org_id");

static const char q_misuse[] =
    "SELECT 'rejected', '', '', '', count(*) FROM notices n WHERE n.outcome = 'rejected' AND "
    PERIOD("n.decided_ms") " AND " NOTICE_WHERE
    " UNION ALL SELECT 'suspended', '', '', '', count(*) FROM audit_events a"
    " WHERE a.action = 'notifier.suspended' AND a.outcome = 'ok' AND " PERIOD("a.ts_ms")
    " AND (" P3 " IS NULL OR a.object = 'org:' || " P3 ")"
    " AND (" P7 " IS NULL OR substr(a.object, 5) IN " BRAND_SET ")";

static const char q_statements[] =
    "SELECT i.notice_id, i.listing_id, '', '', i.taken_down_ms" ITEM_FROM
    " WHERE i.taken_down_ms > 0 AND " PERIOD("i.taken_down_ms") " AND " ITEM_WHERE
    " ORDER BY i.taken_down_ms, i.notice_id, i.listing_id LIMIT " P8;

static const char *const reports__sql[STORE_REPORTS__COUNT] = {
    [STORE_REPORTS_NOTICES] = q_notices,     [STORE_REPORTS_TIMES] = q_times,
    [STORE_REPORTS_ITEMS] = q_items,         [STORE_REPORTS_APPEALS] = q_appeals,
    [STORE_REPORTS_REMOVALS] = q_removals,   [STORE_REPORTS_SIGNALS] = q_signals,
    [STORE_REPORTS_VERDICTS] = q_verdicts,   [STORE_REPORTS_STRIKES] = q_strikes,
    [STORE_REPORTS_PENALTIES] = q_penalties, [STORE_REPORTS_REFERRALS] = q_referrals,
    [STORE_REPORTS_ALLIANCE] = q_alliance,   [STORE_REPORTS_SHARED] = q_shared,
    [STORE_REPORTS_MISUSE] = q_misuse,       [STORE_REPORTS_STATEMENTS] = q_statements,
};
/* A right holder's scope: the holder-driven texts where there is one. */
static const char *const reports__sql_rh[STORE_REPORTS__COUNT] = {
    [STORE_REPORTS_TIMES] = q_times_rh,       [STORE_REPORTS_ITEMS] = q_items_rh,
    [STORE_REPORTS_APPEALS] = q_appeals_rh,   [STORE_REPORTS_REMOVALS] = q_removals_rh,
    [STORE_REPORTS_SIGNALS] = q_signals_rh,   [STORE_REPORTS_VERDICTS] = q_verdicts_rh,
};
/* A seller's scope: the seller-driven texts. */
static const char *const reports__sql_seller[STORE_REPORTS__COUNT] = {
    [STORE_REPORTS_TIMES] = q_times_seller,     [STORE_REPORTS_ITEMS] = q_items_seller,
    [STORE_REPORTS_APPEALS] = q_appeals_seller, [STORE_REPORTS_REMOVALS] = q_removals_seller,
    [STORE_REPORTS_SIGNALS] = q_signals_seller, [STORE_REPORTS_VERDICTS] = q_verdicts_seller,
};
/* Every org, no filter: the texts without the restrictions where there is one. */
static const char *const reports__sql_all[STORE_REPORTS__COUNT] = {
    [STORE_REPORTS_TIMES] = q_times_all,       [STORE_REPORTS_ITEMS] = q_items_all,
    [STORE_REPORTS_APPEALS] = q_appeals_all,   [STORE_REPORTS_REMOVALS] = q_removals_all,
    [STORE_REPORTS_SIGNALS] = q_signals_all,   [STORE_REPORTS_VERDICTS] = q_verdicts_all,
};

#endif /* IPS_STORE_REPORTS_SQL_H */

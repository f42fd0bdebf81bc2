-- 0023_report_covering_indexes.sql — covering indexes for every org's
-- report numbers (src/store/sqlite_reports.c, reports__sql_all;
-- docs/benchmarks.md, "Reports"). The metrics of a period read, per notice
-- item or verdict, a few small columns of rows much wider than them
-- (a notice's explanation and evidence, a listing version's title and
-- description, a verdict's signals): each index below holds those columns,
-- so a report reads the index alone instead of one table row per item.
-- Indexes only: the reports are still computed from the domains' rows.

-- (1) Items taken down in a period, with what REMOVALS, TIMES, ITEMS and
-- STATEMENTS read of each (replaces 0014's index of the same name).
DROP INDEX notice_items_taken_down;
CREATE INDEX notice_items_taken_down ON notice_items
    (taken_down_ms, notice_id, listing_id, content_version, seller_org_id)
    WHERE taken_down_ms > 0;

-- (2) Items decided in a period, with what TIMES and ITEMS read (replaces
-- 0014's index of the same name).
DROP INDEX notice_items_decided;
CREATE INDEX notice_items_decided ON notice_items
    (decided_ms, taken_down_ms, state, counter_ms, notice_id, seller_org_id)
    WHERE decided_ms > 0;

-- (3) Verdicts made in a period, with what VERDICTS reads and REMOVALS
-- tests (replaces the index of the same name of 0014/0022). Kept narrow:
-- every stored verdict, most of them "allow" during a catalog import,
-- writes one entry.
DROP INDEX detection_verdicts_created;
CREATE INDEX detection_verdicts_created ON detection_verdicts
    (created_ms, action, status, applied);

-- (4) No covering index of a notice's receipt time (id, created_ms,
-- right_org_id, notifier_org_id): it took every org's TIMES from 0.27 to
-- 0.20 s at 100,000 notices, but every notice submission would write one
-- more B-tree, and the submission is the hot path of the fast track
-- (docs/benchmarks.md, "Reports").

-- (5) A listing version's units sold by listing and version (REMOVALS:
-- removed before any unit of the removed version was sold).
CREATE INDEX listing_versions_sold ON listing_versions (listing_id, version, units_sold);

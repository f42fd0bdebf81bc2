-- 0032_notice_checks.sql — nothing to change on PostgreSQL. The SQLite twin
-- rebuilds notices and notice_items to write their CHECK (x IN (...))
-- constraints as x = 'a' OR x = 'b' OR ..., because SQLite 3.40 builds a
-- temporary B-tree of the list for every inserted row; PostgreSQL evaluates
-- an IN list of constants directly, so its constraints stay as 0006 wrote
-- them (as for 0022 and 0030). This migration keeps the two backends'
-- version numbers equal.
SELECT 1;

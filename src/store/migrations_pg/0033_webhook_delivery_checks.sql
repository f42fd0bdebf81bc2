-- 0033_webhook_delivery_checks.sql — nothing to change on PostgreSQL. The
-- SQLite twin rebuilds webhook_deliveries to write its CHECK (state IN
-- (...)) as state = 'pending' OR ..., because SQLite 3.40 builds a
-- temporary B-tree of the list for every inserted or updated row;
-- PostgreSQL evaluates an IN list of constants directly, so its constraint
-- stays as 0006 wrote it (as for 0022, 0030 and 0032). This migration keeps
-- the two backends' version numbers equal.
SELECT 1;

-- 0030_listing_state_check.sql — nothing to change on PostgreSQL. The
-- SQLite twin rebuilds listings to write CHECK (state IN (...)) as
-- state = 'live' OR state = 'blocked' OR ..., because SQLite 3.40 builds a
-- temporary B-tree of the list for every inserted row; PostgreSQL evaluates
-- an IN list of constants directly, so its constraint stays as 0003 wrote
-- it (as for 0022). This migration keeps the two backends' version numbers
-- equal.
SELECT 1;

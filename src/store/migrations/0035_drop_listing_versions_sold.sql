-- 0035_drop_listing_versions_sold.sql — one fewer B-tree entry per listing
-- version written (issue 3, catalog import throughput; docs/benchmarks.md,
-- "Catalog import").
--
-- 0023 made listing_versions_sold (listing_id, version, units_sold) so that
-- REMOVALS read a removed version's units sold from an index. Since 0025 a
-- taken-down notice item carries them itself (notice_items.version_sold),
-- and the index served only REMOVALS' other branch: the listings blocked by
-- a verdict, a few per thousand versions. Those now read the version row
-- through the index of UNIQUE (listing_id, version); every version an
-- import writes no longer pays an index entry for them.

DROP INDEX listing_versions_sold;

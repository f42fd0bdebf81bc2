-- 0018 (PostgreSQL): the same schema change as migrations/0018_search_and_reports.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0018_search_and_reports.sql — (1) rebuild the listing search index with
-- the size of each row stored (FTS5's default columnsize=1); (2) an index of
-- notices by right holder for a right holder's own report numbers.
--
-- 0003 made listings_fts with columnsize=0: bm25() then tokenized each
-- match's title and description again, read from listing_versions, to know
-- its length, which made ranking a common word slow (docs/benchmarks.md).
-- The sizes cost one small row per listing (listings_fts_docsize).
--
-- Same table, same columns, same tokenizer, same external content, so the
-- store's statements (src/store/sqlite_catalog.c) do not change. The index
-- holds the CURRENT version of each listing only, as before: it is filled
-- from listings.current_vrow, not with 'rebuild' (which would index every
-- version of listing_versions).

-- (1) PostgreSQL: nothing to rebuild. listings_fts of migrations_pg 0003 is
-- a tsvector per listing, whose length ts_rank reads from the row itself.

-- (2) src/store/sqlite_reports.c walks a right holder's own notices (those
-- citing its rights, or filed by it: notices_notifier) instead of every
-- notice item of the period (docs/benchmarks.md, "Reports").
CREATE INDEX notices_right ON notices (right_org_id, id);

-- 0028_notices_fts_columnsize.sql — nothing to do on PostgreSQL.
--
-- The SQLite twin drops the per-document column sizes of the FTS5 index
-- notices_fts (a B-tree written per notice that no query reads). The
-- PostgreSQL search index (0015, the GIN index notice_search_fts) keeps no
-- such sizes, so this version only keeps the two migration lists in step.

SELECT 1;

-- 0028_notices_fts_columnsize.sql — one B-tree less per notice (issue 4).
--
-- notices_fts (0015) kept FTS5's per-document column sizes in its own
-- B-tree, notices_fts_docsize: every notice wrote a page of it (and the
-- item trigger's update of the search row deleted and re-inserted its
-- entry). The sizes serve only ranking functions (bm25, xColumnSize), and
-- no query ranks notices: the search (sqlite_notices.c, q_notice_search)
-- matches and orders by notice id. columnsize=0 drops the table; the
-- index is rebuilt from notice_search, its external content, so it holds
-- what it held. The triggers of 0015 name the index only by its name and
-- keep it up to date as before.

DROP TABLE notices_fts;

CREATE VIRTUAL TABLE notices_fts USING fts5 (
    kind, explanation, notifier, listings,
    content = 'notice_search', content_rowid = 'srow', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO notices_fts (notices_fts) VALUES ('rebuild');

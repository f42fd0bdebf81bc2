-- 0031_notice_search_once.sql — a notice's search text written once, after
-- its items (issue 4: the bulk notice and the fast track).
--
-- 0015 kept notice_search in step with triggers: the notice's insert added
-- its row, and EVERY item's insert appended the listing to the row's
-- listings text, which notice_search_au mirrors into notices_fts as a
-- delete and a re-insert of the whole, growing document. A notice of N
-- listings so re-indexed N documents of up to N listings: quadratic (one
-- notice of 4,000 items took 3.45 s in the sqlite3 shell, 1,000 took 0.21
-- s; the issue allows 10,000), inside the group transaction that every
-- other writer waits for. A one-listing fast-track notice paid three FTS5
-- operations (insert, delete, insert), each flushing its own segment.
--
-- Now the notice code writes the row once, after the notice and all its
-- items, with store_notices_search_put (sqlite_notices.c, q_search_put):
-- one FTS5 insert per new notice. The delete trigger of notices and the
-- notice_search -> notices_fts triggers stay. Rows already there hold what
-- the triggers wrote, which is what the new statement writes (the same
-- words; the listings in key order rather than insertion order, which no
-- match depends on), so nothing is rebuilt.

DROP TRIGGER notices_search_ai;
DROP TRIGGER notice_items_search_ai;

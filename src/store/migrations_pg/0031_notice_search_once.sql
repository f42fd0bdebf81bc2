-- 0031_notice_search_once.sql — the PostgreSQL twin of the SQLite
-- migration of the same name: a notice's search text is written once, after
-- its items, by store_notices_search_put (pg_notices.c), instead of by a
-- trigger on the notice and an UPDATE of the row per item, which rewrote a
-- growing row (and its GIN entries) once per listing of a bulk notice.

DROP TRIGGER notices_search_ai ON notices;
DROP FUNCTION ips_notices_search_ai();
DROP TRIGGER notice_items_search_ai ON notice_items;
DROP FUNCTION ips_notice_items_search_ai();

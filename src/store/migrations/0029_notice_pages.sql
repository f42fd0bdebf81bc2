-- 0029_notice_pages.sql — one B-tree less written per fast-track notice
-- (issue 4, item 8; docs/benchmarks.md, "stop 19, notices helper").
--
-- notices_queue (0006) holds only the notices in the review queue:
-- review_deadline_ms > 0 is the queue (store_notices.h), and both
-- statements that read the index (q_queue_list and q_sla_due in
-- sqlite_notices.c / pg_notices.c) say so in their WHERE, so the partial
-- index serves them as the full one did. A fast-track notice is decided at
-- once with review_deadline_ms = 0 and no longer writes a page of the
-- index; a reviewed notice leaves it when its deadline goes back to 0. The
-- index is rebuilt from the table, so it holds every queued notice.
-- Same statement in the PostgreSQL twin.

DROP INDEX notices_queue;
CREATE INDEX notices_queue ON notices (review_deadline_ms, risk) WHERE review_deadline_ms > 0;

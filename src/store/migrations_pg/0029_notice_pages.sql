-- 0029_notice_pages.sql — the PostgreSQL twin of the SQLite migration:
-- notices_queue holds only the notices in the review queue
-- (review_deadline_ms > 0, which both statements reading it, q_queue_list
-- and q_sla_due in pg_notices.c, state in their WHERE), so a fast-track
-- notice, decided at once with review_deadline_ms = 0, no longer writes an
-- entry of it. Rebuilt from the table: every queued notice is in it.

DROP INDEX notices_queue;
CREATE INDEX notices_queue ON notices (review_deadline_ms, risk) WHERE review_deadline_ms > 0;

-- 0034 (PostgreSQL): the same schema change as
-- migrations/0034_verdict_write_indexes.sql in PostgreSQL's dialect
-- (pg_detections.c's q_verdict_list_action repeats the partial WHERE).

DROP INDEX detection_verdicts_listing;
DROP INDEX detection_verdicts_queue;
CREATE INDEX detection_verdicts_queue ON detection_verdicts (action, id)
    WHERE is_current = 1 AND action <> 'allow';

-- 0027 (PostgreSQL): the same schema change as migrations/0027_verdict_time_flagged.sql in
-- PostgreSQL's dialect.

DROP INDEX detection_verdicts_created;
CREATE INDEX detection_verdicts_created ON detection_verdicts
    (created_ms, action, status, applied)
    WHERE action <> 'allow';

-- 0026 (PostgreSQL): the same schema change as migrations/0026_detections_flagged.sql in
-- PostgreSQL's dialect (here the planner picks the partial index by itself;
-- pg_detections.c's q_verdict_list_flagged repeats its WHERE).

CREATE INDEX detection_verdicts_flagged ON detection_verdicts (id)
    WHERE is_current = 1 AND action <> 'allow';

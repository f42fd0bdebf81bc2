-- 0027_verdict_time_flagged.sql — the verdict time index of 0023 holds the
-- flagged verdicts only (issue 8: metrics at catalog scale; issue 3: the
-- import's writes).
-- Every reader of detection_verdicts by created_ms counts verdicts other
-- than allow: VERDICTS and SIGNALS say so, and REMOVALS' detection half
-- (applied = 'blocked', which only a block verdict gets: detections/scan.c)
-- now says so too, so that SQLite may use a partial index (it does when the
-- query's terms imply the index's WHERE). With a million verdicts of which
-- 13% are flagged, every org's metrics walked a million index entries per
-- query for 132,200 counted; and each allow verdict — most of a catalog
-- import — wrote an entry nobody reads. Same name and columns, now partial.

DROP INDEX detection_verdicts_created;
CREATE INDEX detection_verdicts_created ON detection_verdicts
    (created_ms, action, status, applied)
    WHERE action <> 'allow';

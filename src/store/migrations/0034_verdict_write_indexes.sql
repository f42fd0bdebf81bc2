-- 0034_verdict_write_indexes.sql — two fewer B-tree entries per stored
-- verdict (issue 3, catalog import throughput; docs/benchmarks.md, "Catalog
-- import"). A catalog import stores one verdict per listing version, most of
-- them "allow", and every index of detection_verdicts is one more B-tree
-- insert on the import's single writer (4-5k instructions each).
--
-- (1) detection_verdicts_listing (listing_id, is_current) goes: the index
-- of 0016, detection_verdicts_version (listing_id, listing_version), has the
-- same first column, and a listing has a handful of verdicts, so "the
-- listing's current verdict" reads them through it and tests is_current in
-- the row. Clearing is_current then changes no index but the partial ones.
--
-- (2) detection_verdicts_queue (is_current, action, id) becomes partial:
-- (action, id) of the current FLAGGED verdicts only, like
-- detection_verdicts_flagged (0026). An allow verdict, the bulk of an
-- import, writes neither. A reviewer's list of one flagged action walks it
-- (sqlite_detections.c's q_verdict_list_action repeats its WHERE); the list
-- of allow verdicts walks the primary key newest first and keeps the
-- current allow rows, which are most of the verdicts (q_verdict_list_allowed).

DROP INDEX detection_verdicts_listing;
DROP INDEX detection_verdicts_queue;
CREATE INDEX detection_verdicts_queue ON detection_verdicts (action, id)
    WHERE is_current = 1 AND action <> 'allow';

-- 0026_detections_flagged.sql — the reviewers' default detections list at
-- catalog scale (issue 8, "pages that stay fast with a million listings";
-- bench/bench_portal.mjs, docs/benchmarks.md "Portal lists").
-- GET /api/v1/detections without an action lists every flagged current
-- verdict (action other than allow), newest first. No index served it: the
-- queue index (is_current, action, id) gives id order only within one
-- action, so every flagged verdict was read and sorted for each page (1.6 s
-- with 132,200 of them among a million). This partial index holds the
-- flagged current verdicts in id order; sqlite_detections.c's
-- q_verdict_list_flagged names it and repeats its WHERE. A verdict enters
-- it when written flagged and leaves it when a newer verdict of its listing
-- makes it not current: one more B-tree entry per flagged verdict only.

CREATE INDEX detection_verdicts_flagged ON detection_verdicts (id)
    WHERE is_current = 1 AND action <> 'allow';

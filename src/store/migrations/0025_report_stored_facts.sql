-- 0025_report_stored_facts.sql — the facts every org's report numbers need,
-- stored with the rows they describe when those rows are written, so that
-- the metrics of a period read one index range instead of parsing JSON or
-- probing a second table per row (src/store/sqlite_reports.c; issue 8;
-- docs/benchmarks.md, "Reports"; docs/internals/reports.md).
--
-- (1) detection_verdict_signals: one row per verdict (action other than
--     allow: the only ones SIGNALS counts) and signal type, with the number
--     of signals of that type in the verdict's `signals` array, read as
--     SIGNALS used to read it at report time (json_each over the array; a
--     non-object element has type ''). Written by the store with the verdict
--     (sqlite_detections.c, verdict_insert: one more statement for a verdict
--     other than allow; an allow verdict, most of a catalog import, writes
--     nothing) and backfilled below. Not by a trigger: any trigger on
--     detection_verdicts, even one whose WHEN skips allow verdicts, makes
--     SQLite run every verdict INSERT with a statement journal — measured,
--     the catalog import's CPU rose by half (docs/benchmarks.md, "Reports").
--     A verdict's action, signals and created_ms never change and verdicts
--     are never deleted, so the rows never need updating. The key leads with
--     the verdict's created_ms: a period is a range of the table itself
--     (WITHOUT ROWID, no second B-tree), and a given verdict's rows are at
--     (created_ms, id).
CREATE TABLE detection_verdict_signals (
    created_ms INTEGER NOT NULL, -- the verdict's
    verdict_id TEXT NOT NULL,    -- detection_verdicts.id
    type       TEXT NOT NULL,    -- the signal type ('' for a signal without one)
    signals    INTEGER NOT NULL CHECK (signals >= 1),
    PRIMARY KEY (created_ms, verdict_id, type)
) WITHOUT ROWID;

INSERT INTO detection_verdict_signals (created_ms, verdict_id, type, signals)
SELECT d.created_ms, d.id,
       coalesce(CASE WHEN s.type = 'object' THEN CAST(json_extract(s.value, '$.type') AS TEXT)
                END, ''), count(*)
FROM detection_verdicts d,
     json_each(CASE WHEN json_valid(d.signals) THEN d.signals ELSE '[]' END) s
WHERE d.action <> 'allow'
GROUP BY d.created_ms, d.id, 3;

-- (2) notice_items.received_ms: the item's notice's receipt time
--     (notices.created_ms, which never changes), written by the item INSERT
--     (sqlite_notices.c) — TIMES subtracts it from the time of action.
-- (3) notice_items.version_sold: units sold of the taken-down version
--     (listing_versions.units_sold of content_version; versions are never
--     updated or deleted) while the item is taken down (taken_down_ms > 0),
--     NULL otherwise or when there is no such version; written by the item
--     INSERT and UPDATE (the takedown) — REMOVALS counts the removals before
--     any sale (version_sold = 0).
ALTER TABLE notice_items ADD COLUMN received_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_items ADD COLUMN version_sold INTEGER;
UPDATE notice_items
SET received_ms = coalesce((SELECT n.created_ms FROM notices n WHERE n.id = notice_items.notice_id),
                           0),
    version_sold = CASE WHEN taken_down_ms > 0 THEN
        (SELECT v.units_sold FROM listing_versions v
         WHERE v.listing_id = notice_items.listing_id AND v.version = notice_items.content_version)
    END;

-- (4) 0023's covering indexes of the item event times, with the two
--     columns: every org's TIMES and REMOVALS read these alone.
DROP INDEX notice_items_taken_down;
CREATE INDEX notice_items_taken_down ON notice_items
    (taken_down_ms, notice_id, listing_id, content_version, seller_org_id, received_ms,
     version_sold)
    WHERE taken_down_ms > 0;
DROP INDEX notice_items_decided;
CREATE INDEX notice_items_decided ON notice_items
    (decided_ms, taken_down_ms, state, counter_ms, notice_id, seller_org_id, received_ms)
    WHERE decided_ms > 0;

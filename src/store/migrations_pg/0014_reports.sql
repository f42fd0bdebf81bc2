-- 0014 (PostgreSQL): the same schema change as migrations/0014_reports.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0014_reports.sql — indexes for the reporting layer (src/reports,
-- docs/internals/reports.md): every metric counts events whose time falls in
-- a period, so each event time it filters on gets an index. No new tables:
-- the reports are computed from the other domains' rows and cannot drift.

CREATE INDEX IF NOT EXISTS notices_created ON notices (created_ms);
CREATE INDEX IF NOT EXISTS notices_decided_ms ON notices (decided_ms) WHERE outcome = 'rejected';
CREATE INDEX IF NOT EXISTS notice_items_taken_down ON notice_items (taken_down_ms) WHERE taken_down_ms > 0;
CREATE INDEX IF NOT EXISTS notice_items_decided ON notice_items (decided_ms) WHERE decided_ms > 0;
CREATE INDEX IF NOT EXISTS notice_items_countered ON notice_items (counter_ms) WHERE counter_ms > 0;
CREATE INDEX IF NOT EXISTS notice_items_appealed ON notice_items (appeal_ms) WHERE appeal_ms > 0;
CREATE INDEX IF NOT EXISTS detection_verdicts_created ON detection_verdicts (created_ms);
CREATE INDEX IF NOT EXISTS detection_verdict_orgs_notice ON detection_verdict_orgs (notice_id)
    WHERE notice_id <> '';
CREATE INDEX IF NOT EXISTS strikes_created ON strikes (created_ms);
CREATE INDEX IF NOT EXISTS penalties_from ON penalties (from_ms);
CREATE INDEX IF NOT EXISTS referrals_created ON referrals (created_ms);
CREATE INDEX IF NOT EXISTS alliance_reports_created ON alliance_reports (created_ms);
CREATE INDEX IF NOT EXISTS audit_events_action ON audit_events (action, ts_ms);

-- The signals of a detection verdict (TEXT, a JSON array) as a jsonb array
-- for jsonb_array_elements in the signals report (src/store/pg_reports.c):
-- '[]' for text that is not JSON or not an array, where SQLite's query
-- guards json_each with json_valid.
CREATE FUNCTION ips_json_array(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    j jsonb;
BEGIN
    BEGIN
        j := t::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        RETURN '[]'::jsonb;
    END;
    RETURN CASE WHEN jsonb_typeof(j) = 'array' THEN j ELSE '[]'::jsonb END;
END
$$;

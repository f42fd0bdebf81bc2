-- 0016_scan_queue.sql — queued scanning (issue 9, src/scanq): when the
-- server is configured with NATS (nats_url), a listing version is not
-- scanned inside its write; the write adds a row here in the same
-- transaction (a transactional outbox), and the server's publisher moves
-- the rows to the JetStream work queue in seq order, deleting them once
-- JetStream acknowledged them. A crash between the publish and the delete
-- publishes a row twice: the message id (listing id and version) lets
-- JetStream drop the copy, and the workers judge a version only once.
CREATE TABLE scan_outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_ms INTEGER NOT NULL
);

-- "Has this listing version a verdict?" — the workers' idempotence check.
CREATE INDEX detection_verdicts_version ON detection_verdicts (listing_id, listing_version);

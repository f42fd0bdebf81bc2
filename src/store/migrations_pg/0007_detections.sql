-- 0007 (PostgreSQL): the same schema change as migrations/0007_detections.sql in PostgreSQL's
-- dialect (BIGINT integers; the rules version is always given by the writer, so it is a
-- plain key, not an identity; the initial stamp is 32 random hex digits from md5).
-- 0007_detections.sql — proactive detection on the server (issue 5):
-- compiled rule versions, category medians, cached PDQ hashes of images,
-- verdicts per listing version with the right holders they concern, their
-- confirmations and dismissals.

-- One row per compiled rule set. The stamp (random) names the compiled set
-- in the process-wide cache, so two databases never share one by accident.
-- source_ms: the newest profiles.updated_ms the set was built from (the job
-- rebuilds when a profile is newer). rescan_after: the listing-id cursor of
-- the rescan under this version ('' = not started), NULL when finished.
CREATE TABLE detection_rules (
    version      BIGINT PRIMARY KEY CHECK (version >= 1),
    stamp        TEXT NOT NULL UNIQUE,
    source_ms    BIGINT NOT NULL,
    profiles     BIGINT NOT NULL,
    patterns     BIGINT NOT NULL,
    images       BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    rescan_after TEXT,
    rescanned    BIGINT NOT NULL DEFAULT 0,
    changed      BIGINT NOT NULL DEFAULT 0
);
INSERT INTO detection_rules (version, stamp, source_ms, profiles, patterns, images, reason,
                             created_ms, rescan_after)
VALUES (1, md5(random()::text || clock_timestamp()::text), 0, 0, 0, 0, 'initial', 0, NULL);

-- Median price of the current listing versions per (category, currency),
-- recomputed when the rules are rebuilt.
CREATE TABLE detection_medians (
    category      TEXT NOT NULL,
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    median_minor  BIGINT NOT NULL CHECK (median_minor >= 0),
    samples       BIGINT NOT NULL CHECK (samples > 0),
    rules_version BIGINT NOT NULL,
    PRIMARY KEY (category, currency)
);

-- PDQ of a stored image (blob sha256): computed once. pdq holds the 8
-- dihedral hashes (64 hex digits each, detect.h order); '' when the image
-- could not be hashed (error says why).
CREATE TABLE detection_image_hashes (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    pdq        TEXT NOT NULL,
    quality    BIGINT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    created_ms BIGINT NOT NULL
);

-- A verdict on one listing version under one rules version. Exactly one
-- verdict per listing is current (the latest). outcome_key (the action and
-- the set of signal type/org pairs) decides whether a rescan changed the
-- outcome; checked_version is the newest rules version that confirmed it.
CREATE TABLE detection_verdicts (
    id              TEXT PRIMARY KEY,
    listing_id      TEXT NOT NULL REFERENCES listings (id),
    listing_version BIGINT NOT NULL CHECK (listing_version >= 1),
    rules_version   BIGINT NOT NULL,
    checked_version BIGINT NOT NULL,
    score_milli     BIGINT NOT NULL CHECK (score_milli BETWEEN 0 AND 1000),
    action          TEXT NOT NULL CHECK (action IN ('allow', 'monitor', 'review', 'block')),
    applied         TEXT NOT NULL CHECK (applied IN ('none', 'blocked', 'unblocked')),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
    signals         TEXT NOT NULL,
    outcome_key     TEXT NOT NULL,
    is_current      BIGINT NOT NULL CHECK (is_current IN (0, 1)),
    created_ms      BIGINT NOT NULL
);
CREATE INDEX detection_verdicts_listing ON detection_verdicts (listing_id, is_current);
CREATE INDEX detection_verdicts_queue ON detection_verdicts (is_current, action, id);

-- The right holders a verdict concerns (a brand term, image or price of
-- their profile), each with its own decision.
CREATE TABLE detection_verdict_orgs (
    verdict_id  TEXT NOT NULL REFERENCES detection_verdicts (id),
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    decision    TEXT NOT NULL DEFAULT 'open' CHECK (decision IN ('open', 'confirmed', 'dismissed')),
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_ms  BIGINT NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT '',
    notice_id   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (verdict_id, org_id)
);
CREATE INDEX detection_verdict_orgs_org ON detection_verdict_orgs (org_id, verdict_id);

-- Remembered dismissals: this listing version is not flagged for this
-- right holder again.
CREATE TABLE detection_dismissals (
    listing_id      TEXT NOT NULL REFERENCES listings (id),
    listing_version BIGINT NOT NULL,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    verdict_id      TEXT NOT NULL REFERENCES detection_verdicts (id),
    reason          TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    PRIMARY KEY (listing_id, listing_version, org_id)
);

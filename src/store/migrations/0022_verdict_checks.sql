-- 0022_verdict_checks.sql — the same constraints on detection_verdicts and
-- detection_verdict_orgs, written so that SQLite checks them without a
-- temporary table: a CHECK (x IN ('a', 'b', 'c')) of three or more values
-- makes SQLite 3.40 build an ephemeral B-tree of the list for every
-- inserted row (OpenEphemeral in EXPLAIN), which was the largest single
-- cost of storing a verdict during an import (docs/benchmarks.md, "Catalog
-- import"). x = 'a' OR x = 'b' OR x = 'c' is the same constraint and
-- compiles to plain comparisons. Lists of two values are left alone (they
-- compile to comparisons already).
--
-- The tables are rebuilt with their data and every index (0007, 0014,
-- 0016). The migration runs inside one transaction with foreign keys ON
-- (store_sqlite.c): so the two child tables are emptied into temporary
-- copies before detection_verdicts is dropped (a DROP deletes its rows
-- first and would fail on children) and refilled after the rebuilt table
-- took its name. detection_verdict_orgs is a child too, and one with an IN
-- constraint: it is rebuilt rather than refilled.

CREATE TABLE detection_verdicts_0022 (
    id              TEXT PRIMARY KEY,
    listing_id      TEXT NOT NULL REFERENCES listings (id),
    listing_version INTEGER NOT NULL CHECK (listing_version >= 1),
    rules_version   INTEGER NOT NULL,
    checked_version INTEGER NOT NULL,
    score_milli     INTEGER NOT NULL CHECK (score_milli BETWEEN 0 AND 1000),
    action          TEXT NOT NULL CHECK (action = 'allow' OR action = 'monitor' OR
                                         action = 'review' OR action = 'block'),
    applied         TEXT NOT NULL CHECK (applied = 'none' OR applied = 'blocked' OR
                                         applied = 'unblocked'),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'confirmed' OR
                                                        status = 'dismissed'),
    signals         TEXT NOT NULL,
    outcome_key     TEXT NOT NULL,
    is_current      INTEGER NOT NULL CHECK (is_current IN (0, 1)),
    created_ms      INTEGER NOT NULL
);
INSERT INTO detection_verdicts_0022 (rowid, id, listing_id, listing_version, rules_version,
                                     checked_version, score_milli, action, applied, status,
                                     signals, outcome_key, is_current, created_ms)
SELECT rowid, id, listing_id, listing_version, rules_version, checked_version, score_milli, action,
       applied, status, signals, outcome_key, is_current, created_ms
FROM detection_verdicts;

CREATE TEMP TABLE m0022_verdict_orgs AS SELECT * FROM detection_verdict_orgs;
CREATE TEMP TABLE m0022_dismissals AS SELECT * FROM detection_dismissals;
DELETE FROM detection_dismissals;
DROP TABLE detection_verdict_orgs;
DROP TABLE detection_verdicts;
ALTER TABLE detection_verdicts_0022 RENAME TO detection_verdicts;

CREATE INDEX detection_verdicts_listing ON detection_verdicts (listing_id, is_current);
CREATE INDEX detection_verdicts_queue ON detection_verdicts (is_current, action, id);
CREATE INDEX detection_verdicts_created ON detection_verdicts (created_ms);
CREATE INDEX detection_verdicts_version ON detection_verdicts (listing_id, listing_version);

CREATE TABLE detection_verdict_orgs (
    verdict_id  TEXT NOT NULL REFERENCES detection_verdicts (id),
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    decision    TEXT NOT NULL DEFAULT 'open' CHECK (decision = 'open' OR decision = 'confirmed' OR
                                                    decision = 'dismissed'),
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_ms  INTEGER NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT '',
    notice_id   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (verdict_id, org_id)
);
CREATE INDEX detection_verdict_orgs_org ON detection_verdict_orgs (org_id, verdict_id);
CREATE INDEX detection_verdict_orgs_notice ON detection_verdict_orgs (notice_id)
    WHERE notice_id <> '';

INSERT INTO detection_verdict_orgs (verdict_id, org_id, decision, decided_by, decided_ms, reason,
                                    notice_id)
SELECT verdict_id, org_id, decision, decided_by, decided_ms, reason, notice_id
FROM temp.m0022_verdict_orgs;
INSERT INTO detection_dismissals (listing_id, listing_version, org_id, verdict_id, reason,
                                  created_ms)
SELECT listing_id, listing_version, org_id, verdict_id, reason, created_ms
FROM temp.m0022_dismissals;
DROP TABLE temp.m0022_verdict_orgs;
DROP TABLE temp.m0022_dismissals;

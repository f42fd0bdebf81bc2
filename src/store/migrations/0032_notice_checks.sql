-- 0032_notice_checks.sql — notices and notice_items checked without
-- temporary tables (issue 4: the fast track's writer).
--
-- As 0030 found for listings.state: CHECK (x IN ('a', 'b', ...)) makes
-- SQLite 3.40 build an ephemeral B-tree of the list for every row inserted.
-- A fast-track notice's insert built three (kind, state, outcome: three
-- OpenEphemeral in EXPLAIN INSERT INTO notices), each item's insert two
-- (state, appeal_state). In the writer's profile the temporary B-trees'
-- open and close were about a seventh of the notice insert, which runs in
-- the group transaction every other writer waits for (src/notices/submit.c).
-- Written x = 'a' OR x = 'b' OR ... each is the same constraint, compiled
-- to comparisons.
--
-- A CHECK cannot be altered, so both tables are rebuilt with their rows,
-- then their indexes and triggers (0006, 0014, 0015, 0024, 0025, 0026,
-- 0029) are created again as they were. notices is a parent
-- (notice_items, strikes) and the migration runs in one transaction with
-- foreign keys ON, so, as in 0030, the keys are deferred to the commit: no
-- child refers to notices with an ON DELETE action, and nothing refers to
-- notice_items. DROP TABLE drops a table's triggers before it empties it,
-- and the rows are copied back before the triggers are created again, so
-- notifier_days (0024) and notice_search (0015, 0031) stay as they are.
-- Neither table's rowid is referred to (notices_fts follows notice_search's
-- srow).

PRAGMA defer_foreign_keys = ON;

-- notices
CREATE TABLE m0032_notices AS SELECT * FROM notices;
DROP TABLE notices;
CREATE TABLE notices (
    id                 TEXT PRIMARY KEY,
    notifier_org_id    TEXT NOT NULL REFERENCES orgs (id),
    submitted_by       TEXT NOT NULL,               -- user id or "system"
    right_id           TEXT NOT NULL REFERENCES rights (id),
    right_org_id       TEXT NOT NULL REFERENCES orgs (id),
    kind               TEXT NOT NULL
                       CHECK (kind = 'counterfeit' OR kind = 'trademark_misuse' OR
                              kind = 'copyright' OR kind = 'design'),
    explanation        TEXT NOT NULL,
    notifier_name      TEXT NOT NULL,
    notifier_email     TEXT NOT NULL,
    on_behalf_of       TEXT NOT NULL,               -- '' when the holder files itself
    signature          TEXT NOT NULL,
    good_faith         INTEGER NOT NULL CHECK (good_faith = 1),
    accuracy           INTEGER NOT NULL CHECK (accuracy = 1),
    evidence           TEXT NOT NULL,               -- JSON array
    fast_track         INTEGER NOT NULL CHECK (fast_track = 0 OR fast_track = 1),
    state              TEXT NOT NULL
                       CHECK (state = 'submitted' OR state = 'under_review' OR state = 'decided'),
    outcome            TEXT NOT NULL
                       CHECK (outcome = '' OR outcome = 'upheld' OR outcome = 'rejected' OR
                              outcome = 'partially'),
    risk               INTEGER NOT NULL,
    items_total        INTEGER NOT NULL,
    review_deadline_ms INTEGER NOT NULL,            -- > 0 while something awaits a reviewer
    sla_breached       INTEGER NOT NULL CHECK (sla_breached = 0 OR sla_breached = 1),
    decided_by         TEXT NOT NULL,
    decision_reason    TEXT NOT NULL,
    created_ms         INTEGER NOT NULL,
    decided_ms         INTEGER NOT NULL,
    updated_ms         INTEGER NOT NULL
);
INSERT INTO notices SELECT * FROM m0032_notices;
DROP TABLE m0032_notices;

CREATE INDEX notices_created ON notices (created_ms);

CREATE INDEX notices_decided ON notices (notifier_org_id, decided_ms);

CREATE INDEX notices_decided_ms ON notices (decided_ms) WHERE outcome = 'rejected';

CREATE INDEX notices_notifier ON notices (notifier_org_id, id);

CREATE INDEX notices_queue ON notices (review_deadline_ms, risk) WHERE review_deadline_ms > 0;

CREATE INDEX notices_right ON notices (right_org_id, id);

CREATE TRIGGER notices_search_ad AFTER DELETE ON notices BEGIN
    DELETE FROM notice_search WHERE notice_id = OLD.id;
END;

CREATE TRIGGER notifier_days_notice_ad AFTER DELETE ON notices
WHEN OLD.state = 'decided' BEGIN
    INSERT INTO notifier_days_change VALUES (OLD.notifier_org_id, OLD.decided_ms / 86400000, -1,
        -(OLD.outcome = 'upheld'), -(OLD.outcome = 'rejected'), -(OLD.outcome = 'partially'), 0, 0);
END;

CREATE TRIGGER notifier_days_notice_ai AFTER INSERT ON notices
WHEN NEW.state = 'decided' BEGIN
    INSERT INTO notifier_days_change VALUES (NEW.notifier_org_id, NEW.decided_ms / 86400000, 1,
        NEW.outcome = 'upheld', NEW.outcome = 'rejected', NEW.outcome = 'partially', 0, 0);
END;

CREATE TRIGGER notifier_days_notice_au
AFTER UPDATE OF notifier_org_id, state, outcome, decided_ms ON notices
WHEN (OLD.state = 'decided' OR NEW.state = 'decided')
    AND (OLD.state, OLD.outcome, OLD.notifier_org_id, OLD.decided_ms / 86400000)
        IS NOT (NEW.state, NEW.outcome, NEW.notifier_org_id, NEW.decided_ms / 86400000) BEGIN
    INSERT INTO notifier_days_change
    SELECT OLD.notifier_org_id, OLD.decided_ms / 86400000, -1, -(OLD.outcome = 'upheld'),
           -(OLD.outcome = 'rejected'), -(OLD.outcome = 'partially'), 0, 0
    WHERE OLD.state = 'decided';
    INSERT INTO notifier_days_change
    SELECT NEW.notifier_org_id, NEW.decided_ms / 86400000, 1, NEW.outcome = 'upheld',
           NEW.outcome = 'rejected', NEW.outcome = 'partially', 0, 0
    WHERE NEW.state = 'decided';
END;

-- notice_items
CREATE TABLE m0032_notice_items AS SELECT * FROM notice_items;
DROP TABLE notice_items;
CREATE TABLE notice_items (
    notice_id           TEXT NOT NULL REFERENCES notices (id),
    listing_id          TEXT NOT NULL REFERENCES listings (id),
    seller_org_id       TEXT NOT NULL REFERENCES orgs (id),
    notifier_org_id     TEXT NOT NULL REFERENCES orgs (id),
    state               TEXT NOT NULL CHECK (state = 'pending' OR state = 'taken_down' OR
                           state = 'counter_noticed' OR state = 'upheld' OR
                           state = 'reinstated' OR state = 'rejected'),
    content_version     INTEGER NOT NULL,
    taken_down_ms       INTEGER NOT NULL,
    counter_deadline_ms INTEGER NOT NULL,
    counter_explanation TEXT NOT NULL,
    counter_evidence    TEXT NOT NULL,              -- JSON array
    counter_by          TEXT NOT NULL,
    counter_ms          INTEGER NOT NULL,
    decided_by          TEXT NOT NULL,              -- reviewer of the last decision
    decision_reason     TEXT NOT NULL,
    decided_ms          INTEGER NOT NULL,
    appeal_state        TEXT NOT NULL CHECK (appeal_state = '' OR appeal_state = 'open' OR
                           appeal_state = 'upheld' OR appeal_state = 'rejected'),
    appeal_by_org       TEXT NOT NULL,
    appeal_explanation  TEXT NOT NULL,
    appeal_decided_by   TEXT NOT NULL,
    appeal_ms           INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL,
    received_ms         INTEGER NOT NULL DEFAULT 0,  -- 0025
    version_sold        INTEGER,                     -- 0026
    PRIMARY KEY (notice_id, listing_id)
);
INSERT INTO notice_items SELECT * FROM m0032_notice_items;
DROP TABLE m0032_notice_items;

CREATE INDEX notice_items_appealed ON notice_items (appeal_ms) WHERE appeal_ms > 0;

CREATE INDEX notice_items_countered ON notice_items (counter_ms) WHERE counter_ms > 0;

CREATE INDEX notice_items_deadline ON notice_items (state, counter_deadline_ms);

CREATE INDEX notice_items_decided ON notice_items
    (decided_ms, taken_down_ms, state, counter_ms, notice_id, seller_org_id, received_ms)
    WHERE decided_ms > 0;

CREATE INDEX notice_items_listing ON notice_items (listing_id, notifier_org_id, state);

CREATE INDEX notice_items_notifier ON notice_items (notifier_org_id, taken_down_ms);

CREATE INDEX notice_items_seller ON notice_items (seller_org_id, notice_id);

CREATE INDEX notice_items_taken_down ON notice_items
    (taken_down_ms, notice_id, listing_id, content_version, seller_org_id, received_ms,
     version_sold)
    WHERE taken_down_ms > 0;

CREATE TRIGGER notifier_days_item_ad AFTER DELETE ON notice_items
WHEN OLD.taken_down_ms > 0 BEGIN
    INSERT INTO notifier_days_change VALUES (OLD.notifier_org_id, OLD.taken_down_ms / 86400000,
        0, 0, 0, 0, -1, -(OLD.state = 'reinstated'));
END;

CREATE TRIGGER notifier_days_item_ai AFTER INSERT ON notice_items
WHEN NEW.taken_down_ms > 0 BEGIN
    INSERT INTO notifier_days_change VALUES (NEW.notifier_org_id, NEW.taken_down_ms / 86400000,
        0, 0, 0, 0, 1, NEW.state = 'reinstated');
END;

CREATE TRIGGER notifier_days_item_au
AFTER UPDATE OF notifier_org_id, state, taken_down_ms ON notice_items
WHEN (OLD.taken_down_ms > 0 OR NEW.taken_down_ms > 0)
    AND (OLD.taken_down_ms > 0, OLD.state = 'reinstated', OLD.notifier_org_id,
         OLD.taken_down_ms / 86400000)
        IS NOT (NEW.taken_down_ms > 0, NEW.state = 'reinstated', NEW.notifier_org_id,
                NEW.taken_down_ms / 86400000) BEGIN
    INSERT INTO notifier_days_change
    SELECT OLD.notifier_org_id, OLD.taken_down_ms / 86400000, 0, 0, 0, 0, -1,
           -(OLD.state = 'reinstated')
    WHERE OLD.taken_down_ms > 0;
    INSERT INTO notifier_days_change
    SELECT NEW.notifier_org_id, NEW.taken_down_ms / 86400000, 0, 0, 0, 0, 1,
           NEW.state = 'reinstated'
    WHERE NEW.taken_down_ms > 0;
END;

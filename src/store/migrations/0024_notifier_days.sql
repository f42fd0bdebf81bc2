-- 0024_notifier_days.sql — a notifier's accuracy record from kept per-day
-- counters (issue 4; docs/internals/notices.md, "The notifier's record").
-- notices__notifier_evaluate reads a notifier's record over a rolling window
-- after every decision; counting the window's decided notices and taken-down
-- items again each time scans every one of them. notifier_days keeps, per
-- notifier org and UTC day (day = ms / 86400000):
--   decided, upheld, rejected, partially: notices in state 'decided', by the
--     day of decided_ms and their outcome;
--   takedowns, reversed: items with taken_down_ms > 0, by the day of
--     taken_down_ms; reversed = those in state 'reinstated'.
-- The triggers below keep it: on every insert, update (of the columns that
-- decide a row's contribution) and delete they subtract the old row's
-- contribution and add the new row's (through notifier_days_change), so
-- every code path is covered. A row
-- that does not count (a notice not decided, an item not taken down) and an
-- update that leaves the contribution as it was write nothing (WHEN). A
-- fast-track submission (a notice inserted decided, its items taken down)
-- makes one upsert per notice and one per item, on one row per day.
-- The store (sqlite_notices.c, counts) sums the rows of the whole days after
-- the window start's day and counts the start's own day from the base rows.

CREATE TABLE notifier_days (
    org_id    TEXT NOT NULL,
    day       INTEGER NOT NULL,                    -- ms / 86400000 (UTC)
    decided   INTEGER NOT NULL,
    upheld    INTEGER NOT NULL,
    rejected  INTEGER NOT NULL,
    partially INTEGER NOT NULL,
    takedowns INTEGER NOT NULL,
    reversed  INTEGER NOT NULL,
    PRIMARY KEY (org_id, day)
) WITHOUT ROWID;

INSERT INTO notifier_days (org_id, day, decided, upheld, rejected, partially, takedowns, reversed)
SELECT org_id, day, sum(decided), sum(upheld), sum(rejected), sum(partially), sum(takedowns),
       sum(reversed)
FROM (SELECT notifier_org_id AS org_id, decided_ms / 86400000 AS day, 1 AS decided,
             outcome = 'upheld' AS upheld, outcome = 'rejected' AS rejected,
             outcome = 'partially' AS partially, 0 AS takedowns, 0 AS reversed
      FROM notices WHERE state = 'decided'
      UNION ALL
      SELECT notifier_org_id, taken_down_ms / 86400000, 0, 0, 0, 0, 1, state = 'reinstated'
      FROM notice_items WHERE taken_down_ms > 0)
GROUP BY org_id, day;

-- One row's contribution added to (or, negated, taken from) its day: an
-- insert into this view (never a row of its own) is an upsert of the counters.
CREATE VIEW notifier_days_change AS SELECT * FROM notifier_days WHERE 0;
CREATE TRIGGER notifier_days_change_apply INSTEAD OF INSERT ON notifier_days_change BEGIN
    INSERT INTO notifier_days (org_id, day, decided, upheld, rejected, partially, takedowns,
                               reversed)
    VALUES (NEW.org_id, NEW.day, NEW.decided, NEW.upheld, NEW.rejected, NEW.partially,
            NEW.takedowns, NEW.reversed)
    ON CONFLICT (org_id, day) DO UPDATE SET decided = decided + excluded.decided,
        upheld = upheld + excluded.upheld, rejected = rejected + excluded.rejected,
        partially = partially + excluded.partially, takedowns = takedowns + excluded.takedowns,
        reversed = reversed + excluded.reversed;
END;

-- notices: a decided notice counts once on its notifier's decided_ms day.
-- An update changes the counters only when the contribution changes.
CREATE TRIGGER notifier_days_notice_ai AFTER INSERT ON notices
WHEN NEW.state = 'decided' BEGIN
    INSERT INTO notifier_days_change VALUES (NEW.notifier_org_id, NEW.decided_ms / 86400000, 1,
        NEW.outcome = 'upheld', NEW.outcome = 'rejected', NEW.outcome = 'partially', 0, 0);
END;
CREATE TRIGGER notifier_days_notice_ad AFTER DELETE ON notices
WHEN OLD.state = 'decided' BEGIN
    INSERT INTO notifier_days_change VALUES (OLD.notifier_org_id, OLD.decided_ms / 86400000, -1,
        -(OLD.outcome = 'upheld'), -(OLD.outcome = 'rejected'), -(OLD.outcome = 'partially'), 0, 0);
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

-- notice_items: an item taken down counts once on its notifier's
-- taken_down_ms day, as reversed too while it is 'reinstated'.
CREATE TRIGGER notifier_days_item_ai AFTER INSERT ON notice_items
WHEN NEW.taken_down_ms > 0 BEGIN
    INSERT INTO notifier_days_change VALUES (NEW.notifier_org_id, NEW.taken_down_ms / 86400000,
        0, 0, 0, 0, 1, NEW.state = 'reinstated');
END;
CREATE TRIGGER notifier_days_item_ad AFTER DELETE ON notice_items
WHEN OLD.taken_down_ms > 0 BEGIN
    INSERT INTO notifier_days_change VALUES (OLD.notifier_org_id, OLD.taken_down_ms / 86400000,
        0, 0, 0, 0, -1, -(OLD.state = 'reinstated'));
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

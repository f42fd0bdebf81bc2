-- 0024 (PostgreSQL): the same schema change as migrations/0024_notifier_days.sql in
-- PostgreSQL's dialect (plpgsql trigger functions; one trigger per event, its WHEN
-- clause the same filter as SQLite's).
-- 0024_notifier_days.sql — a notifier's accuracy record from kept per-day
-- counters (issue 4; docs/internals/notices.md, "The notifier's record").
-- notifier_days keeps, per notifier org and UTC day (day = ms / 86400000):
--   decided, upheld, rejected, partially: notices in state 'decided', by the
--     day of decided_ms and their outcome;
--   takedowns, reversed: items with taken_down_ms > 0, by the day of
--     taken_down_ms; reversed = those in state 'reinstated'.
-- The triggers subtract the old row's contribution and add the new row's on
-- every insert, update (of the columns that decide the contribution) and
-- delete; a row that does not count, and an update that leaves the
-- contribution as it was, write nothing (WHEN). The store (pg_notices.c,
-- counts) sums the rows of the whole days after the window start's day and
-- counts the start's own day from the base rows.

CREATE TABLE notifier_days (
    org_id    TEXT NOT NULL,
    day       BIGINT NOT NULL,                     -- ms / 86400000 (UTC)
    decided   BIGINT NOT NULL,
    upheld    BIGINT NOT NULL,
    rejected  BIGINT NOT NULL,
    partially BIGINT NOT NULL,
    takedowns BIGINT NOT NULL,
    reversed  BIGINT NOT NULL,
    PRIMARY KEY (org_id, day)
);

INSERT INTO notifier_days (org_id, day, decided, upheld, rejected, partially, takedowns, reversed)
SELECT org_id, day, sum(decided), sum(upheld), sum(rejected), sum(partially), sum(takedowns),
       sum(reversed)
FROM (SELECT notifier_org_id AS org_id, decided_ms / 86400000 AS day, 1 AS decided,
             (outcome = 'upheld')::int AS upheld, (outcome = 'rejected')::int AS rejected,
             (outcome = 'partially')::int AS partially, 0 AS takedowns, 0 AS reversed
      FROM notices WHERE state = 'decided'
      UNION ALL
      SELECT notifier_org_id, taken_down_ms / 86400000, 0, 0, 0, 0, 1,
             (state = 'reinstated')::int
      FROM notice_items WHERE taken_down_ms > 0) AS c
GROUP BY org_id, day;

-- Add (sign 1) or subtract (sign -1) one row's contribution to its day.
CREATE FUNCTION ips_notifier_days_add(p_org TEXT, p_day BIGINT, p_sign BIGINT, p_decided BIGINT,
                                      p_outcome TEXT, p_takedowns BIGINT, p_reversed BIGINT)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifier_days AS d (org_id, day, decided, upheld, rejected, partially, takedowns,
                                    reversed)
    VALUES (p_org, p_day, p_sign * p_decided, p_sign * (p_outcome = 'upheld')::int,
            p_sign * (p_outcome = 'rejected')::int, p_sign * (p_outcome = 'partially')::int,
            p_sign * p_takedowns, p_sign * p_reversed)
    ON CONFLICT (org_id, day) DO UPDATE SET decided = d.decided + EXCLUDED.decided,
        upheld = d.upheld + EXCLUDED.upheld, rejected = d.rejected + EXCLUDED.rejected,
        partially = d.partially + EXCLUDED.partially,
        takedowns = d.takedowns + EXCLUDED.takedowns, reversed = d.reversed + EXCLUDED.reversed;
END
$$;

-- notices: a decided notice counts once on its notifier's decided_ms day.
CREATE FUNCTION ips_notifier_days_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.state = 'decided' THEN
            PERFORM ips_notifier_days_add(OLD.notifier_org_id, OLD.decided_ms / 86400000, -1, 1,
                                          OLD.outcome, 0, 0);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.state = 'decided' THEN
            PERFORM ips_notifier_days_add(NEW.notifier_org_id, NEW.decided_ms / 86400000, 1, 1,
                                          NEW.outcome, 0, 0);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER notifier_days_notice_ai AFTER INSERT ON notices
    FOR EACH ROW WHEN (NEW.state = 'decided') EXECUTE FUNCTION ips_notifier_days_notice();
CREATE TRIGGER notifier_days_notice_ad AFTER DELETE ON notices
    FOR EACH ROW WHEN (OLD.state = 'decided') EXECUTE FUNCTION ips_notifier_days_notice();
CREATE TRIGGER notifier_days_notice_au
    AFTER UPDATE OF notifier_org_id, state, outcome, decided_ms ON notices
    FOR EACH ROW WHEN ((OLD.state = 'decided' OR NEW.state = 'decided') AND
                       (OLD.state, OLD.outcome, OLD.notifier_org_id, OLD.decided_ms / 86400000)
                       IS DISTINCT FROM
                       (NEW.state, NEW.outcome, NEW.notifier_org_id, NEW.decided_ms / 86400000))
    EXECUTE FUNCTION ips_notifier_days_notice();

-- notice_items: an item taken down counts once on its notifier's
-- taken_down_ms day, as reversed too while it is 'reinstated'.
CREATE FUNCTION ips_notifier_days_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.taken_down_ms > 0 THEN
            PERFORM ips_notifier_days_add(OLD.notifier_org_id, OLD.taken_down_ms / 86400000, -1,
                                          0, '', 1, (OLD.state = 'reinstated')::int);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.taken_down_ms > 0 THEN
            PERFORM ips_notifier_days_add(NEW.notifier_org_id, NEW.taken_down_ms / 86400000, 1,
                                          0, '', 1, (NEW.state = 'reinstated')::int);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER notifier_days_item_ai AFTER INSERT ON notice_items
    FOR EACH ROW WHEN (NEW.taken_down_ms > 0) EXECUTE FUNCTION ips_notifier_days_item();
CREATE TRIGGER notifier_days_item_ad AFTER DELETE ON notice_items
    FOR EACH ROW WHEN (OLD.taken_down_ms > 0) EXECUTE FUNCTION ips_notifier_days_item();
CREATE TRIGGER notifier_days_item_au
    AFTER UPDATE OF notifier_org_id, state, taken_down_ms ON notice_items
    FOR EACH ROW WHEN ((OLD.taken_down_ms > 0 OR NEW.taken_down_ms > 0) AND
                       (OLD.taken_down_ms > 0, OLD.state = 'reinstated', OLD.notifier_org_id,
                        OLD.taken_down_ms / 86400000)
                       IS DISTINCT FROM
                       (NEW.taken_down_ms > 0, NEW.state = 'reinstated', NEW.notifier_org_id,
                        NEW.taken_down_ms / 86400000))
    EXECUTE FUNCTION ips_notifier_days_item();

-- 0033_webhook_delivery_checks.sql — webhook_deliveries checked without a
-- temporary table (issue 4: the takedown's signed webhook).
--
-- As 0030 (listings) and 0032 (notices, notice_items): CHECK (state IN
-- (...)) makes SQLite 3.40 build an ephemeral B-tree of the list for every
-- row inserted or whose state is updated. A delivery is inserted in the
-- transaction of every takedown whose seller (or notifier) has a webhook
-- endpoint, the group transaction every other writer waits for
-- (src/notices/submit.c, src/webhook/webhook.c), and updated at each
-- attempt. Written state = 'pending' OR ... it is the same constraint,
-- compiled to comparisons.
--
-- The table is rebuilt with its rows and its indexes (0006). Its one child,
-- webhook_attempts, refers to it without an ON DELETE action, through its
-- primary key (delivery_id, n), so, as in 0030, the keys are deferred to
-- the commit of the migration's transaction. It has no triggers, and
-- nothing refers to its rowid.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE m0033_webhook_deliveries AS SELECT * FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL
                    CHECK (state = 'pending' OR state = 'delivered' OR state = 'failed'),
    attempts        INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    last_status     INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
INSERT INTO webhook_deliveries SELECT * FROM m0033_webhook_deliveries;
DROP TABLE m0033_webhook_deliveries;

CREATE INDEX webhook_deliveries_org ON webhook_deliveries (org_id, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);

-- 0006 (PostgreSQL): the same schema change as migrations/0006_notices.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0006_notices.sql — notice and action (issue 4): notices and their items
-- (one per listing), counter-notices and appeals (columns of the item), the
-- notifiers' fast-track / suspension status, seller strikes, the inbox, and
-- the signed outbound webhooks with their delivery log.
-- State machines: docs/internals/notices.md. Times: ms since the epoch.

CREATE TABLE notices (
    id                 TEXT PRIMARY KEY,
    notifier_org_id    TEXT NOT NULL REFERENCES orgs (id),
    submitted_by       TEXT NOT NULL,               -- user id or "system"
    right_id           TEXT NOT NULL REFERENCES rights (id),
    right_org_id       TEXT NOT NULL REFERENCES orgs (id),
    kind               TEXT NOT NULL
                       CHECK (kind IN ('counterfeit', 'trademark_misuse', 'copyright', 'design')),
    explanation        TEXT NOT NULL,
    notifier_name      TEXT NOT NULL,
    notifier_email     TEXT NOT NULL,
    on_behalf_of       TEXT NOT NULL,               -- '' when the holder files itself
    signature          TEXT NOT NULL,
    good_faith         BIGINT NOT NULL CHECK (good_faith = 1),
    accuracy           BIGINT NOT NULL CHECK (accuracy = 1),
    evidence           TEXT NOT NULL,               -- JSON array
    fast_track         BIGINT NOT NULL CHECK (fast_track IN (0, 1)),
    state              TEXT NOT NULL CHECK (state IN ('submitted', 'under_review', 'decided')),
    outcome            TEXT NOT NULL CHECK (outcome IN ('', 'upheld', 'rejected', 'partially')),
    risk               BIGINT NOT NULL,
    items_total        BIGINT NOT NULL,
    review_deadline_ms BIGINT NOT NULL,            -- > 0 while something awaits a reviewer
    sla_breached       BIGINT NOT NULL CHECK (sla_breached IN (0, 1)),
    decided_by         TEXT NOT NULL,
    decision_reason    TEXT NOT NULL,
    created_ms         BIGINT NOT NULL,
    decided_ms         BIGINT NOT NULL,
    updated_ms         BIGINT NOT NULL
);
CREATE INDEX notices_notifier ON notices (notifier_org_id, id);
CREATE INDEX notices_queue ON notices (review_deadline_ms, risk);
CREATE INDEX notices_decided ON notices (notifier_org_id, decided_ms);

CREATE TABLE notice_items (
    notice_id           TEXT NOT NULL REFERENCES notices (id),
    listing_id          TEXT NOT NULL REFERENCES listings (id),
    seller_org_id       TEXT NOT NULL REFERENCES orgs (id),
    notifier_org_id     TEXT NOT NULL REFERENCES orgs (id),
    state               TEXT NOT NULL CHECK (state IN ('pending', 'taken_down', 'counter_noticed',
                                                       'upheld', 'reinstated', 'rejected')),
    content_version     BIGINT NOT NULL,
    taken_down_ms       BIGINT NOT NULL,
    counter_deadline_ms BIGINT NOT NULL,
    counter_explanation TEXT NOT NULL,
    counter_evidence    TEXT NOT NULL,              -- JSON array
    counter_by          TEXT NOT NULL,
    counter_ms          BIGINT NOT NULL,
    decided_by          TEXT NOT NULL,              -- reviewer of the last decision
    decision_reason     TEXT NOT NULL,
    decided_ms          BIGINT NOT NULL,
    appeal_state        TEXT NOT NULL CHECK (appeal_state IN ('', 'open', 'upheld', 'rejected')),
    appeal_by_org       TEXT NOT NULL,
    appeal_explanation  TEXT NOT NULL,
    appeal_decided_by   TEXT NOT NULL,
    appeal_ms           BIGINT NOT NULL,
    updated_ms          BIGINT NOT NULL,
    PRIMARY KEY (notice_id, listing_id)
);
CREATE INDEX notice_items_listing ON notice_items (listing_id, notifier_org_id, state);
CREATE INDEX notice_items_seller ON notice_items (seller_org_id, notice_id);
CREATE INDEX notice_items_deadline ON notice_items (state, counter_deadline_ms);
CREATE INDEX notice_items_notifier ON notice_items (notifier_org_id, taken_down_ms);

CREATE TABLE notifier_status (
    org_id             TEXT PRIMARY KEY REFERENCES orgs (id),
    fast_track         BIGINT NOT NULL CHECK (fast_track IN (0, 1)),
    admitted_ms        BIGINT NOT NULL,
    lost_ms            BIGINT NOT NULL,
    cooldown_until_ms  BIGINT NOT NULL,
    suspended_until_ms BIGINT NOT NULL,
    suspension_open    BIGINT NOT NULL CHECK (suspension_open IN (0, 1)),
    updated_ms         BIGINT NOT NULL
);
CREATE INDEX notifier_status_suspension ON notifier_status (suspension_open, suspended_until_ms);

CREATE TABLE strikes (
    id            TEXT PRIMARY KEY,
    seller_org_id TEXT NOT NULL REFERENCES orgs (id),
    notice_id     TEXT NOT NULL REFERENCES notices (id),
    listing_id    TEXT NOT NULL REFERENCES listings (id),
    reason        TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    expires_ms    BIGINT NOT NULL,
    revoked_ms    BIGINT NOT NULL
);
CREATE INDEX strikes_seller ON strikes (seller_org_id, id);
CREATE INDEX strikes_notice ON strikes (notice_id, listing_id);

CREATE TABLE inbox (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    kind       TEXT NOT NULL,
    notice_id  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,                       -- JSON object
    created_ms BIGINT NOT NULL
);
CREATE INDEX inbox_org ON inbox (org_id, id);

CREATE TABLE webhook_endpoints (
    org_id     TEXT PRIMARY KEY REFERENCES orgs (id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,                       -- HMAC key; must be readable to sign
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    last_status     BIGINT NOT NULL,
    last_error      TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_org ON webhook_deliveries (org_id, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    n           BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    http_status BIGINT NOT NULL,                   -- 0 when no answer
    error       TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, n)
);

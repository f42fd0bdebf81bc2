-- 0009 (PostgreSQL): the same schema change as migrations/0009_referrals.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0009_referrals.sql — law-enforcement agencies (jurisdictions, cross-border
-- bodies, cooperation agreements) and case referrals with their recipients,
-- sellers, right holders concerned and the officers' case updates (issue 7).
-- Dates of agreements are 'YYYY-MM-DD' text ('' = open); times are ms.

-- An agency is an organisation of kind 'agency' (orgs, 0001) with one row here.
CREATE TABLE agencies (
    org_id       TEXT PRIMARY KEY REFERENCES orgs (id),
    country      TEXT NOT NULL,                  -- ISO 3166-1 home country, '' for a cross-border body
    cross_border BIGINT NOT NULL CHECK (cross_border IN (0, 1)),
    mou_ref      TEXT NOT NULL,                  -- the cooperation agreement, '' = none
    mou_from     TEXT NOT NULL,                  -- in force from (inclusive)
    mou_until    TEXT NOT NULL,                  -- in force until (inclusive), '' = open-ended
    created_ms   BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL
);

-- ISO 3166-1 countries and ISO 3166-2 subdivisions an agency covers.
CREATE TABLE agency_jurisdictions (
    agency_org_id TEXT NOT NULL REFERENCES agencies (org_id),
    code          TEXT NOT NULL,
    PRIMARY KEY (agency_org_id, code)
);
CREATE INDEX agency_jurisdictions_code ON agency_jurisdictions (code, agency_org_id);

CREATE TABLE referrals (
    id                  TEXT PRIMARY KEY,
    seller_org_id       TEXT NOT NULL REFERENCES orgs (id),   -- the seller the case is about
    network_id          TEXT NOT NULL,                        -- '' for a single seller
    created_by          TEXT NOT NULL,
    summary             TEXT NOT NULL,
    tlp                 TEXT NOT NULL
                        CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    ship_from           TEXT NOT NULL,                        -- the seller's, at creation
    route_note          TEXT NOT NULL,                        -- why it went where it went
    buyer_countries     TEXT NOT NULL,                        -- JSON array
    status              TEXT NOT NULL
                        CHECK (status IN ('received', 'investigating', 'raid', 'prosecuted', 'closed')),
    result              TEXT NOT NULL CHECK (result IN ('', 'confirmed', 'unfounded')),
    raid_date           TEXT NOT NULL,
    arrests             BIGINT NOT NULL CHECK (arrests >= 0),
    units_seized        BIGINT NOT NULL CHECK (units_seized >= 0),
    value_seized_minor  BIGINT NOT NULL CHECK (value_seized_minor >= 0),
    value_currency      TEXT NOT NULL,
    units_sold          BIGINT NOT NULL,
    evidence_sha256     TEXT NOT NULL,                        -- the archive blob
    manifest_sha256     TEXT NOT NULL,
    feedback_ms         BIGINT NOT NULL,                     -- when a confirmed outcome was fed back
    created_ms          BIGINT NOT NULL,
    updated_ms          BIGINT NOT NULL
);
CREATE INDEX referrals_seller ON referrals (seller_org_id, id);

-- Every seller in the case (the seller itself, or all members of a network).
CREATE TABLE referral_sellers (
    referral_id   TEXT NOT NULL REFERENCES referrals (id),
    seller_org_id TEXT NOT NULL REFERENCES orgs (id),
    PRIMARY KEY (referral_id, seller_org_id)
);
CREATE INDEX referral_sellers_seller ON referral_sellers (seller_org_id, referral_id);

-- The agencies a referral went to: the primary agency with jurisdiction and
-- the cross-border body. Sharing across borders waits for a reviewer's
-- approval (needs_approval = 1 and approved_ms = 0: not shared yet).
CREATE TABLE referral_recipients (
    referral_id    TEXT NOT NULL REFERENCES referrals (id),
    agency_org_id  TEXT NOT NULL REFERENCES agencies (org_id),
    kind           TEXT NOT NULL CHECK (kind IN ('primary', 'cross_border')),
    needs_approval BIGINT NOT NULL CHECK (needs_approval IN (0, 1)),
    approved_by    TEXT NOT NULL,
    approved_ms    BIGINT NOT NULL,
    PRIMARY KEY (referral_id, agency_org_id)
);
CREATE INDEX referral_recipients_agency ON referral_recipients (agency_org_id, referral_id);

-- The right holders concerned (AMBER and wider let them see the case).
CREATE TABLE referral_rightholders (
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    PRIMARY KEY (referral_id, org_id)
);
CREATE INDEX referral_rightholders_org ON referral_rightholders (org_id, referral_id);

-- The case history: every status change or note by an officer (or reviewer).
CREATE TABLE referral_updates (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    actor       TEXT NOT NULL,
    status      TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX referral_updates_referral ON referral_updates (referral_id, id);

-- 0013 (PostgreSQL): the same schema change as migrations/0013_litigation_case_files.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0013_litigation_case_files.sql — civil litigation files (issue 7, item
-- 6): a right holder's case against one seller over a period, with the
-- signed evidence bundle (a blob, the referral archive format) and the
-- damages table computed when the file is opened
-- (docs/internals/litigation.md); and the files officers attach to a
-- referral's case (docs/internals/referrals.md).

CREATE TABLE litigation_files (
    id                 TEXT PRIMARY KEY,
    rightholder_org_id TEXT NOT NULL REFERENCES orgs (id),
    seller_org_id      TEXT NOT NULL REFERENCES orgs (id),
    opened_by          TEXT NOT NULL,               -- user id or "system"
    opened_by_org      TEXT NOT NULL,               -- the holder itself or its agent; '' for system
    title              TEXT NOT NULL,
    court              TEXT NOT NULL DEFAULT '',
    period_from        TEXT NOT NULL CHECK (length(period_from) = 10),  -- YYYY-MM-DD (UTC)
    period_to          TEXT NOT NULL CHECK (length(period_to) = 10),
    listings           BIGINT NOT NULL DEFAULT 0,  -- infringing listings found
    evidence_sha256    TEXT NOT NULL DEFAULT '',
    manifest_sha256    TEXT NOT NULL DEFAULT '',
    created_ms         BIGINT NOT NULL
);
CREATE INDEX litigation_files_holder ON litigation_files (rightholder_org_id, id);
CREATE INDEX litigation_files_opener ON litigation_files (opened_by_org, id);

-- The damages inputs: one row per listing and price (and currency) in force
-- while units were sold in the period: units x price = amount, minor units.
CREATE TABLE litigation_damages (
    file_id      TEXT NOT NULL REFERENCES litigation_files (id),
    seq          BIGINT NOT NULL,
    listing_id   TEXT NOT NULL,
    title        TEXT NOT NULL,
    basis        TEXT NOT NULL,                     -- the upheld notices / confirmed detections
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    price_minor  BIGINT NOT NULL CHECK (price_minor >= 0),
    units        BIGINT NOT NULL CHECK (units >= 0),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (file_id, seq)
);

-- Files an officer of the routed agency attaches to a referral's case:
-- content-addressed blobs (src/blob), listed in the case and packaged in the
-- evidence archive rebuilt when one is added. One row per content per case.
CREATE TABLE referral_files (
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    name        TEXT NOT NULL,                      -- the file name as given, for people
    mime        TEXT NOT NULL,                      -- typed by content (libmagic)
    size        BIGINT NOT NULL CHECK (size > 0),
    note        TEXT NOT NULL DEFAULT '',
    added_by    TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (referral_id, sha256)
);

-- 0002 (PostgreSQL): the same schema change as migrations/0002_rights.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0002_rights.sql — blobs (content-addressed files), right-holder
-- onboarding, agent authorisations, rights and their files.
-- Dates of rights and authorisations are 'YYYY-MM-DD' text (they compare as
-- text); '' means "not given". Times are integer milliseconds.

-- Files, named by the lower-case hex SHA-256 of their bytes: stored once.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    mime       TEXT NOT NULL,
    size       BIGINT NOT NULL CHECK (size > 0),
    data       BYTEA NOT NULL,
    created_ms BIGINT NOT NULL
);

-- Right-holder organisations that applied through the public route. An org
-- without a row was made by an administrator and counts as approved.
CREATE TABLE rightholder_applications (
    org_id     TEXT PRIMARY KEY REFERENCES orgs (id),
    status     TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    email      TEXT NOT NULL,
    website    TEXT NOT NULL DEFAULT '',
    country    TEXT NOT NULL CHECK (length(country) = 2),
    reason     TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_ms BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);
CREATE INDEX rightholder_applications_status ON rightholder_applications (status, org_id);

-- An agent (e.g. a law firm) authorised by a principal right holder.
CREATE TABLE agent_authorisations (
    id               TEXT PRIMARY KEY,
    principal_org_id TEXT NOT NULL REFERENCES orgs (id),
    agent_org_id     TEXT NOT NULL REFERENCES orgs (id),
    valid_from       TEXT NOT NULL,
    valid_to         TEXT NOT NULL,
    document_sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'revoked')),
    reason           TEXT NOT NULL DEFAULT '',
    filed_by         TEXT NOT NULL,
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_ms       BIGINT NOT NULL DEFAULT 0,
    created_ms       BIGINT NOT NULL,
    CHECK (principal_org_id <> agent_org_id)
);
CREATE INDEX agent_authorisations_principal ON agent_authorisations (principal_org_id, id);
CREATE INDEX agent_authorisations_agent ON agent_authorisations (agent_org_id, principal_org_id);
CREATE INDEX agent_authorisations_document ON agent_authorisations (document_sha256);

-- Rights. org_id is the owner (the principal right holder) even when an
-- agent filed it (filed_by, filed_by_org).
CREATE TABLE rights (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES orgs (id),
    filed_by             TEXT NOT NULL,
    filed_by_org         TEXT NOT NULL REFERENCES orgs (id),
    kind                 TEXT NOT NULL CHECK (kind IN ('trademark', 'copyright', 'design_patent')),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
    mark_text            TEXT NOT NULL DEFAULT '',
    title                TEXT NOT NULL DEFAULT '',
    registration_number  TEXT NOT NULL DEFAULT '',
    patent_number        TEXT NOT NULL DEFAULT '',
    office               TEXT NOT NULL DEFAULT '',
    nice_classes         TEXT NOT NULL DEFAULT '',
    work_kind            TEXT NOT NULL DEFAULT '',
    evidence_description TEXT NOT NULL DEFAULT '',
    created_on           TEXT NOT NULL DEFAULT '',
    valid_from           TEXT NOT NULL DEFAULT '',
    valid_to             TEXT NOT NULL DEFAULT '',
    reason               TEXT NOT NULL DEFAULT '',
    decided_by           TEXT NOT NULL DEFAULT '',
    decided_ms           BIGINT NOT NULL DEFAULT 0,
    created_ms           BIGINT NOT NULL
);
CREATE INDEX rights_org ON rights (org_id, id);
CREATE INDEX rights_status ON rights (status, id);
CREATE INDEX rights_filed_by_org ON rights (filed_by_org, id);

-- Files of a right: certificate, logo or image, each a blob.
CREATE TABLE right_files (
    right_id TEXT NOT NULL REFERENCES rights (id),
    sha256   TEXT NOT NULL REFERENCES blobs (sha256),
    role     TEXT NOT NULL CHECK (role IN ('certificate', 'logo', 'image')),
    position BIGINT NOT NULL,
    PRIMARY KEY (right_id, role, sha256)
);
CREATE INDEX right_files_sha256 ON right_files (sha256);

-- 0010 (PostgreSQL): the same schema change as migrations/0010_ledger_tiles.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0010_ledger_tiles.sql — the original-work ledger (issue 6), second step:
-- agents registering for their principals, and the perceptual-hash (PDQ)
-- lookup behind prior-art searches. Design note: docs/internals/ledger.md.

-- The organisation that registered the work on the owner's behalf (an
-- agent holding a verified authorisation from org_id at registration), or
-- NULL when a member of org_id (or the operator) registered it. The leaf
-- bytes carry it too ("agent_org_id"); this column is for listings.
ALTER TABLE ledger_registrations ADD COLUMN agent_org_id TEXT REFERENCES orgs (id);

-- Image works: the prior-art index (src/ledger, in memory, built from this
-- table) loads the registrations that have a PDQ hash, in log order, and
-- then only those after the last one it saw.
CREATE INDEX ledger_registrations_pdq ON ledger_registrations (leaf_index) WHERE pdq IS NOT NULL;

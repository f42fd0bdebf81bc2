-- 0004 (PostgreSQL): the same schema change as migrations/0004_ledger.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs). leaf_index and tree_size are
-- plain keys: the ledger assigns them (log positions), nothing generates them.
-- The node table ledger_nodes of the SQLite layout is not created: migration
-- 0011 replaced it with tiles, and no PostgreSQL database predates 0011, so
-- there is never a node table to convert (store_ledger_legacy_present
-- answers false).
-- 0004_ledger.sql — the original-work ledger (issue 6): an append-only
-- RFC 9162 Merkle log of work registrations with signed checkpoints.
-- Design note: docs/internals/ledger.md.
--
-- One registration = one leaf. A registration, its tree nodes and the
-- checkpoint that covers it are written in ONE transaction, so a committed
-- leaf always has a committed checkpoint and the stored tree never holds a
-- leaf that no checkpoint covers. Both tables are append-only: the
-- triggers below refuse UPDATE and DELETE.

-- leaf_index is the position in the log (0-based); leaf is the canonical
-- encoding of the record (RFC 8785 JSON, see the design note) whose
-- SHA-256(0x00 || leaf) is the level-0 node of the tree.
CREATE TABLE ledger_registrations (
    leaf_index    BIGINT PRIMARY KEY CHECK (leaf_index >= 0),
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    work_sha256   TEXT NOT NULL CHECK (length(work_sha256) = 64),
    pdq           BYTEA CHECK (pdq IS NULL OR length(pdq) = 32),
    title         TEXT NOT NULL,
    created_on    TEXT NOT NULL, -- declared creation date, YYYY-MM-DD
    registered_ms BIGINT NOT NULL,
    leaf          BYTEA NOT NULL
);
CREATE INDEX ledger_registrations_org ON ledger_registrations (org_id, leaf_index);
CREATE INDEX ledger_registrations_work ON ledger_registrations (work_sha256, leaf_index);

-- Signed checkpoints (C2SP tlog-checkpoint notes), one per committed batch.
CREATE TABLE ledger_checkpoints (
    tree_size  BIGINT PRIMARY KEY CHECK (tree_size > 0),
    root       BYTEA NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TRIGGER ledger_registrations_no_update BEFORE UPDATE ON ledger_registrations
    FOR EACH ROW EXECUTE FUNCTION ips_append_only();
CREATE TRIGGER ledger_registrations_no_delete BEFORE DELETE ON ledger_registrations
    FOR EACH ROW EXECUTE FUNCTION ips_append_only();
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ips_append_only();
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ips_append_only();

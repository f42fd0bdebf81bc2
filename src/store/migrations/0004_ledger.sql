-- 0004_ledger.sql — the original-work ledger (issue 6): an append-only
-- RFC 9162 Merkle log of work registrations with signed checkpoints.
-- Design note: docs/internals/ledger.md.
--
-- One registration = one leaf. A registration, its tree nodes and the
-- checkpoint that covers it are written in ONE transaction, so a committed
-- leaf always has a committed checkpoint and the stored tree never holds a
-- leaf that no checkpoint covers. All three tables are append-only: the
-- triggers below refuse UPDATE and DELETE.

-- leaf_index is the position in the log (0-based); leaf is the canonical
-- encoding of the record (RFC 8785 JSON, see the design note) whose
-- SHA-256(0x00 || leaf) is the level-0 node of the tree.
CREATE TABLE ledger_registrations (
    leaf_index    INTEGER PRIMARY KEY CHECK (leaf_index >= 0),
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    work_sha256   TEXT NOT NULL CHECK (length(work_sha256) = 64),
    pdq           BLOB CHECK (pdq IS NULL OR length(pdq) = 32),
    title         TEXT NOT NULL,
    created_on    TEXT NOT NULL, -- declared creation date, YYYY-MM-DD
    registered_ms INTEGER NOT NULL,
    leaf          BLOB NOT NULL
);
CREATE INDEX ledger_registrations_org ON ledger_registrations (org_id, leaf_index);
CREATE INDEX ledger_registrations_work ON ledger_registrations (work_sha256, leaf_index);

-- Complete subtrees of the tree: (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level). Level 0 holds the leaf hashes. A node
-- is written once, when its last leaf is appended, and never changes.
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Signed checkpoints (C2SP tlog-checkpoint notes), one per committed batch.
CREATE TABLE ledger_checkpoints (
    tree_size  INTEGER PRIMARY KEY CHECK (tree_size > 0),
    root       BLOB NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE TRIGGER ledger_registrations_no_update BEFORE UPDATE ON ledger_registrations
BEGIN SELECT RAISE(ABORT, 'ledger_registrations is append-only'); END;
CREATE TRIGGER ledger_registrations_no_delete BEFORE DELETE ON ledger_registrations
BEGIN SELECT RAISE(ABORT, 'ledger_registrations is append-only'); END;
CREATE TRIGGER ledger_nodes_no_update BEFORE UPDATE ON ledger_nodes
BEGIN SELECT RAISE(ABORT, 'ledger_nodes is append-only'); END;
CREATE TRIGGER ledger_nodes_no_delete BEFORE DELETE ON ledger_nodes
BEGIN SELECT RAISE(ABORT, 'ledger_nodes is append-only'); END;
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger_checkpoints is append-only'); END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger_checkpoints is append-only'); END;

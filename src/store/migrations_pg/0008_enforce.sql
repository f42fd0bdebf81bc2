-- 0008 (PostgreSQL): the same schema change as migrations/0008_enforce.sql in PostgreSQL's
-- dialect (BIGINT integers). strikes is rebuilt as on SQLite (rather than ALTER ... DROP NOT
-- NULL) so that both backends end with the same columns in the same order.
-- 0008_enforce.sql — repeat-infringer enforcement and counterfeit networks
-- (src/enforce, docs/internals/enforce.md): strikes from any source,
-- penalties with their escalation level, seller networks (clusters of
-- sellers sharing an identifier hash) with their bans, and ban-evasion flags.
-- Times: ms since the epoch; 0 means "not set".

-- Strikes gain a source (a notice, a confirmed detection, a reviewer) so that
-- one table holds every strike: notice_id and listing_id become optional.
-- The table is rebuilt; nothing refers to it.
CREATE TABLE strikes_v8 (
    id            TEXT PRIMARY KEY,
    seller_org_id TEXT NOT NULL REFERENCES orgs (id),
    notice_id     TEXT REFERENCES notices (id),        -- NULL unless from a notice
    listing_id    TEXT REFERENCES listings (id),       -- NULL when no listing is concerned
    reason        TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    expires_ms    BIGINT NOT NULL,
    revoked_ms    BIGINT NOT NULL,
    source_kind   TEXT NOT NULL DEFAULT 'notice',      -- notice | detection | reviewer | ...
    source_id     TEXT NOT NULL DEFAULT ''             -- '' for a notice: notice_id says
);
INSERT INTO strikes_v8 (id, seller_org_id, notice_id, listing_id, reason, created_ms, expires_ms,
                        revoked_ms, source_kind, source_id)
    SELECT id, seller_org_id, notice_id, listing_id, reason, created_ms, expires_ms, revoked_ms,
           'notice', ''
    FROM strikes;
DROP TABLE strikes;
ALTER TABLE strikes_v8 RENAME TO strikes;
CREATE INDEX strikes_seller ON strikes (seller_org_id, id);
CREATE INDEX strikes_notice ON strikes (notice_id, listing_id);
CREATE INDEX strikes_listing ON strikes (listing_id);
CREATE INDEX strikes_expiry ON strikes (seller_org_id, expires_ms) WHERE revoked_ms = 0;

-- A penalty: the escalation level a seller was put at, why, on which strikes,
-- from when until when. The seller's level is the highest rank among its
-- penalties in force (ended_ms = 0).
CREATE TABLE penalties (
    id            TEXT PRIMARY KEY,
    seller_org_id TEXT NOT NULL REFERENCES orgs (id),
    level         TEXT NOT NULL CHECK (level IN ('warning', 'listing_removal',
                      'posting_restriction', 'suspension', 'termination')),
    rank          BIGINT NOT NULL CHECK (rank BETWEEN 1 AND 5),
    source        TEXT NOT NULL CHECK (source IN ('strikes', 'evasion', 'network_ban')),
    reason        TEXT NOT NULL,
    strike_ids    TEXT NOT NULL DEFAULT '[]',          -- JSON array of strike ids
    network_id    TEXT NOT NULL DEFAULT '',
    from_ms       BIGINT NOT NULL,
    until_ms      BIGINT NOT NULL,                    -- 0: until lifted, or for good
    ended_ms      BIGINT NOT NULL,                    -- 0 while in force
    ended_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX penalties_seller ON penalties (seller_org_id, id);
CREATE INDEX penalties_due ON penalties (until_ms) WHERE ended_ms = 0 AND source = 'strikes';

-- A network: a cluster of sellers linked by shared identifier hashes. Each
-- seller with an identifier belongs to exactly one; merging two relabels
-- the smaller (union by size). banned_ms > 0: joining it is ban evasion.
CREATE TABLE networks (
    id              TEXT PRIMARY KEY,
    size            BIGINT NOT NULL CHECK (size >= 0),
    banned_ms       BIGINT NOT NULL,
    ban_kind        TEXT NOT NULL DEFAULT '' CHECK (ban_kind IN ('', 'member_terminated', 'banned')),
    ban_reason      TEXT NOT NULL DEFAULT '',
    ban_source_kind TEXT NOT NULL DEFAULT '',
    ban_source_id   TEXT NOT NULL DEFAULT '',
    merged_into     TEXT NOT NULL DEFAULT '',          -- set (size 0) once merged away
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE TABLE network_members (
    seller_org_id TEXT PRIMARY KEY REFERENCES orgs (id),
    network_id    TEXT NOT NULL REFERENCES networks (id),
    joined_ms     BIGINT NOT NULL
);
CREATE INDEX network_members_network ON network_members (network_id, seller_org_id);

-- A seller that joined a banned network (a new seller or a new identifier).
CREATE TABLE evasion_flags (
    id            TEXT PRIMARY KEY,
    seller_org_id TEXT NOT NULL REFERENCES orgs (id),
    network_id    TEXT NOT NULL REFERENCES networks (id),
    kinds         TEXT NOT NULL,                       -- shared identifier kinds, comma-separated
    reason        TEXT NOT NULL,
    created_ms    BIGINT NOT NULL
);
CREATE INDEX evasion_flags_seller ON evasion_flags (seller_org_id, id);

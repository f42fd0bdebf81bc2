-- 0011 (PostgreSQL): the same schema change as migrations/0011_ledger_tile_store.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0011_ledger_tile_store.sql — the original-work ledger (issue 6): the
-- Merkle tree stored as tiles instead of one row per node, so that a proof
-- reads about ceil(log2(n) / 8) rows instead of log2(n). Design note:
-- docs/internals/ledger.md ("The tree in the store").
--
-- A tile is the complete binary subtree of height 8 under one node: tile
-- (level L, idx T) holds the tree nodes of levels 8L .. 8L+7 over the
-- level-8L nodes [256 T, 256 T + 256), in post-order (the order in which
-- appending leaves completes them), 32 bytes each: 510 hashes (16,320 bytes)
-- for a full tile. A tile on the right edge of the tree is partial: its
-- hashes are a prefix of what the full tile will hold, and it is rewritten
-- (extended) as the tree grows. The node of level 8L+8 that a full tile
-- completes is the next tile level's entry.
--
-- (PostgreSQL: the SQLite migration's note on converting the node table of
-- 0004 does not apply, migrations_pg 0004 creates no node table.)
CREATE TABLE ledger_tiles (
    level  BIGINT NOT NULL CHECK (level >= 0 AND level < 8),
    idx    BIGINT NOT NULL CHECK (idx >= 0),
    hashes BYTEA NOT NULL CHECK (length(hashes) >= 32 AND length(hashes) <= 16320
                                AND length(hashes) % 32 = 0),
    PRIMARY KEY (level, idx)
);

-- Append-only, as the node table was: a tile may only grow, keeping every
-- hash it held in place; it is never deleted.
CREATE FUNCTION ips_ledger_tiles_grow_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.level <> OLD.level OR NEW.idx <> OLD.idx
       OR length(NEW.hashes) < length(OLD.hashes)
       OR substr(NEW.hashes, 1, length(OLD.hashes)) <> OLD.hashes THEN
        RAISE EXCEPTION 'ledger_tiles only grow';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER ledger_tiles_grow_only BEFORE UPDATE ON ledger_tiles
    FOR EACH ROW EXECUTE FUNCTION ips_ledger_tiles_grow_only();
CREATE TRIGGER ledger_tiles_no_delete BEFORE DELETE ON ledger_tiles
    FOR EACH ROW EXECUTE FUNCTION ips_append_only();

-- No query reads registrations by file digest (listings go by org and leaf
-- index, prior art by PDQ), while this index's random keys cost a page
-- write per registration — the largest single cost of registering, see
-- docs/benchmarks.md. A "who registered this file" lookup would add it back.
DROP INDEX ledger_registrations_work;

-- 0030_listing_state_check.sql — listings.state checked without a
-- temporary table (issue #3, the catalog import).
--
-- CHECK (state IN ('live', 'blocked', 'taken_down', 'reinstated')) makes
-- SQLite 3.40 build an ephemeral B-tree of the four words for every row
-- inserted (OpenEphemeral in EXPLAIN INSERT INTO listings; 0022 did the same
-- for the verdict tables): 2-3 us of the import writer's CPU per new
-- listing (docs/benchmarks.md, "Catalog import", stop 19). Written
-- state = 'live' OR state = 'blocked' OR ... it is the same constraint and
-- compiles to four comparisons.
--
-- A CHECK cannot be altered, so the table is rebuilt with its rows and its
-- index (0003). listings is a parent (listing_versions, notice_items,
-- strikes, detection_dismissals, detection_verdicts refer to it) and the
-- migration runs in one transaction with foreign keys ON (store_sqlite.c),
-- so the keys are deferred to the commit for this transaction only: the
-- DROP deletes the old rows first (counting a deferred violation per child
-- row), and inserting the same keys into the new table finds those children
-- again (each found child takes its violation back), so the commit sees
-- none. Each child has an index starting with listing_id, so both passes
-- are index lookups. The view listings_fts_rows (0019) and the children
-- name the table, not its storage: they refer to the new table.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE m0030_listings AS SELECT * FROM listings;
DROP TABLE listings;

CREATE TABLE listings (
    id              TEXT PRIMARY KEY,          -- the marketplace's listing id
    seller_org_id   TEXT NOT NULL REFERENCES orgs (id),
    state           TEXT NOT NULL DEFAULT 'live'
                    CHECK (state = 'live' OR state = 'blocked' OR state = 'taken_down' OR
                           state = 'reinstated'),
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    current_hash    BLOB NOT NULL CHECK (length(current_hash) = 32),
    current_vrow    INTEGER NOT NULL,          -- rowid of the current listing_versions row
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO listings (id, seller_org_id, state, current_version, current_hash, current_vrow,
                      created_ms, updated_ms)
SELECT id, seller_org_id, state, current_version, current_hash, current_vrow, created_ms,
       updated_ms
FROM m0030_listings ORDER BY id;
CREATE INDEX listings_seller ON listings (seller_org_id, id);
DROP TABLE m0030_listings;

-- 0003_catalog.sql — the marketplace catalog: seller profiles, seller
-- identifiers (keyed hashes only), listings with versions, and the FTS5 index
-- over the current title and description of every listing.
--
-- A seller is an organisation of kind 'seller' (orgs, 0001) with one profile
-- row here. Listings are keyed by the marketplace's own listing id (TEXT).
-- The FTS5 index refers to listing versions by their INTEGER PRIMARY KEY
-- vrow (only an INTEGER PRIMARY KEY keeps a rowid stable across VACUUM).

CREATE TABLE seller_profiles (
    org_id       TEXT PRIMARY KEY REFERENCES orgs (id),
    external_id  TEXT NOT NULL UNIQUE,         -- the marketplace's seller id
    display_name TEXT NOT NULL,
    ship_from    TEXT NOT NULL DEFAULT '',     -- ISO 3166-2 subdivision or ISO 3166-1 country, '' unknown
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL
);

-- Identifiers are stored only as keyed BLAKE2b-256 hashes of their
-- normalised text (key: meta 'identifier_hash_key'); never in plain text.
CREATE TABLE seller_identifiers (
    seller_org_id TEXT NOT NULL REFERENCES seller_profiles (org_id),
    kind          TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'address', 'payment_account', 'device_id')),
    hash          BLOB NOT NULL CHECK (length(hash) = 32),
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (seller_org_id, kind, hash)
);
-- Network detection looks sellers up by identifier.
CREATE INDEX seller_identifiers_kind_hash ON seller_identifiers (kind, hash);

CREATE TABLE listings (
    id              TEXT PRIMARY KEY,          -- the marketplace's listing id
    seller_org_id   TEXT NOT NULL REFERENCES orgs (id),
    state           TEXT NOT NULL DEFAULT 'live'
                    CHECK (state IN ('live', 'blocked', 'taken_down', 'reinstated')),
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    current_hash    BLOB NOT NULL CHECK (length(current_hash) = 32),
    current_vrow    INTEGER NOT NULL,          -- rowid of the current listing_versions row
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX listings_seller ON listings (seller_org_id, id);

-- Versions are never changed once written (the full-text index below reads
-- its text from them). Their INTEGER rowid is what listings_fts indexes.
CREATE TABLE listing_versions (
    vrow         INTEGER PRIMARY KEY,          -- stable rowid (listings_fts)
    -- deferred: a listing and its first version are inserted together
    listing_id   TEXT NOT NULL REFERENCES listings (id) DEFERRABLE INITIALLY DEFERRED,
    version      INTEGER NOT NULL CHECK (version >= 1),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    category     TEXT NOT NULL,
    images       TEXT NOT NULL DEFAULT '[]',   -- JSON array of URLs or sha256 hex
    ship_from    TEXT NOT NULL DEFAULT '',
    units_sold   INTEGER NOT NULL DEFAULT 0 CHECK (units_sold >= 0),
    content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
    created_ms   INTEGER NOT NULL,
    UNIQUE (listing_id, version)
);

-- Full-text index of the CURRENT version of each listing: an external-
-- content FTS5 table over listing_versions (rowid = vrow), so the text is
-- stored once. The store adds the new current version and removes the old
-- one ('delete' command) in the writing transaction; columnsize=0 saves a
-- row per listing (bm25 then reads sizes from the content).
CREATE VIRTUAL TABLE listings_fts USING fts5 (
    title, description,
    content = 'listing_versions', content_rowid = 'vrow', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- 0003 (PostgreSQL): the same schema change as migrations/0003_catalog.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, an identity column for vrow), with a
-- tsvector table and a GIN index in place of the FTS5 table.
-- 0003_catalog.sql — the marketplace catalog: seller profiles, seller
-- identifiers (keyed hashes only), listings with versions, and the full-text
-- index over the current title and description of every listing.
--
-- A seller is an organisation of kind 'seller' (orgs, 0001) with one profile
-- row here. Listings are keyed by the marketplace's own listing id (TEXT).
-- The full-text index refers to listing versions by their generated key vrow.

CREATE TABLE seller_profiles (
    org_id       TEXT PRIMARY KEY REFERENCES orgs (id),
    external_id  TEXT NOT NULL UNIQUE,         -- the marketplace's seller id
    display_name TEXT NOT NULL,
    ship_from    TEXT NOT NULL DEFAULT '',     -- ISO 3166-2 subdivision or ISO 3166-1 country, '' unknown
    created_ms   BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL
);

-- Identifiers are stored only as keyed BLAKE2b-256 hashes of their
-- normalised text (key: meta 'identifier_hash_key'); never in plain text.
CREATE TABLE seller_identifiers (
    seller_org_id TEXT NOT NULL REFERENCES seller_profiles (org_id),
    kind          TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'address', 'payment_account', 'device_id')),
    hash          BYTEA NOT NULL CHECK (length(hash) = 32),
    created_ms    BIGINT NOT NULL,
    PRIMARY KEY (seller_org_id, kind, hash)
);
-- Network detection looks sellers up by identifier.
CREATE INDEX seller_identifiers_kind_hash ON seller_identifiers (kind, hash);

CREATE TABLE listings (
    id              TEXT PRIMARY KEY,          -- the marketplace's listing id
    seller_org_id   TEXT NOT NULL REFERENCES orgs (id),
    state           TEXT NOT NULL DEFAULT 'live'
                    CHECK (state IN ('live', 'blocked', 'taken_down', 'reinstated')),
    current_version BIGINT NOT NULL CHECK (current_version >= 1),
    current_hash    BYTEA NOT NULL CHECK (length(current_hash) = 32),
    current_vrow    BIGINT NOT NULL,          -- rowid of the current listing_versions row
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX listings_seller ON listings (seller_org_id, id);

-- Versions are never changed once written. Their vrow is what listings_fts
-- indexes.
CREATE TABLE listing_versions (
    vrow         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- listings_fts
    -- deferred: a listing and its first version are inserted together
    listing_id   TEXT NOT NULL REFERENCES listings (id) DEFERRABLE INITIALLY DEFERRED,
    version      BIGINT NOT NULL CHECK (version >= 1),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    price_minor  BIGINT NOT NULL CHECK (price_minor >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    category     TEXT NOT NULL,
    images       TEXT NOT NULL DEFAULT '[]',   -- JSON array of URLs or sha256 hex
    ship_from    TEXT NOT NULL DEFAULT '',
    units_sold   BIGINT NOT NULL DEFAULT 0 CHECK (units_sold >= 0),
    content_hash BYTEA NOT NULL CHECK (length(content_hash) = 32),
    created_ms   BIGINT NOT NULL,
    UNIQUE (listing_id, version)
);

-- Full-text index of the CURRENT version of each listing: one row per
-- listing, keyed by its current version's vrow. The store
-- (src/store/pg_catalog.c) writes doc, the version's title (weight A) and
-- description (weight D) as tokens made the way SQLite's FTS5 tokenizer
-- makes them (unicode61, diacritics removed), and replaces the row in the
-- transaction that changes the current version; search is doc @@ a tsquery
-- over the same tokens, ranked with ts_rank.
CREATE TABLE listings_fts (
    vrow BIGINT PRIMARY KEY REFERENCES listing_versions (vrow),
    doc  tsvector NOT NULL
);
CREATE INDEX listings_fts_doc ON listings_fts USING gin (doc);


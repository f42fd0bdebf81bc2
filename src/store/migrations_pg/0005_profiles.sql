-- 0005 (PostgreSQL): the same schema change as migrations/0005_profiles.sql in PostgreSQL's
-- dialect (BIGINT integers, BYTEA blobs, identity columns for rowids).
-- 0005_profiles.sql — protection profiles of right holders and the
-- anti-counterfeiting alliance.
--
-- A protection profile is what the detection engine and the notice flow read
-- about one right-holder organisation: brand terms with their known variants,
-- official product and logo images, reference minimum prices per category
-- and currency, and the sellers it has authorised. Every list is replaced as
-- a whole by its owner (the domain layer deletes and re-inserts inside one
-- transaction), so positions are dense and start at 0.
--
-- Images refer to blobs by their SHA-256 (lower-case hex, the blob id) and
-- keep the media type libmagic found, so a profile reads without a join on
-- the blob table.
--
-- The alliance: one membership row per right-holder org (active, suspended
-- or left; a member that leaves and joins again reuses its row) and the
-- reports of known counterfeit sellers its members share. Reports stay when
-- their member leaves or is suspended: what was shared remains on record.

CREATE TABLE profiles (
    org_id     TEXT PRIMARY KEY REFERENCES orgs (id),
    updated_ms BIGINT NOT NULL
);

CREATE TABLE profile_terms (
    org_id TEXT NOT NULL REFERENCES profiles (org_id),
    pos    BIGINT NOT NULL CHECK (pos >= 0),
    term   TEXT NOT NULL CHECK (length(term) > 0),
    PRIMARY KEY (org_id, pos),
    UNIQUE (org_id, term)
);

CREATE TABLE profile_term_variants (
    org_id   TEXT NOT NULL,
    term_pos BIGINT NOT NULL,
    pos      BIGINT NOT NULL CHECK (pos >= 0),
    variant  TEXT NOT NULL CHECK (length(variant) > 0),
    PRIMARY KEY (org_id, term_pos, pos),
    FOREIGN KEY (org_id, term_pos) REFERENCES profile_terms (org_id, pos) ON DELETE CASCADE
);
-- Which holders use a given variant (collisions between brands, matcher
-- diagnostics).
CREATE INDEX profile_term_variants_variant ON profile_term_variants (variant);

CREATE TABLE profile_images (
    org_id     TEXT NOT NULL REFERENCES profiles (org_id),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    kind       TEXT NOT NULL CHECK (kind IN ('product', 'logo')),
    label      TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       BIGINT NOT NULL CHECK (size > 0),
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (org_id, sha256)
);
CREATE INDEX profile_images_sha256 ON profile_images (sha256);

CREATE TABLE profile_prices (
    org_id    TEXT NOT NULL REFERENCES profiles (org_id),
    category  TEXT NOT NULL CHECK (length(category) > 0),
    currency  TEXT NOT NULL CHECK (length(currency) = 3),
    min_minor BIGINT NOT NULL CHECK (min_minor > 0),
    pos       BIGINT NOT NULL,
    PRIMARY KEY (org_id, category, currency)
);

CREATE TABLE profile_sellers (
    org_id        TEXT NOT NULL REFERENCES profiles (org_id),
    seller_org_id TEXT NOT NULL REFERENCES orgs (id),
    pos           BIGINT NOT NULL,
    PRIMARY KEY (org_id, seller_org_id)
);
CREATE INDEX profile_sellers_seller ON profile_sellers (seller_org_id);

CREATE TABLE alliance_members (
    org_id        TEXT PRIMARY KEY REFERENCES orgs (id),
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'left')),
    joined_ms     BIGINT NOT NULL,
    status_ms     BIGINT NOT NULL,
    status_reason TEXT NOT NULL DEFAULT ''
);

CREATE TABLE alliance_reports (
    id             TEXT PRIMARY KEY,
    member_org_id  TEXT NOT NULL REFERENCES alliance_members (org_id),
    seller_org_id  TEXT NOT NULL REFERENCES orgs (id),
    reporter_id    TEXT NOT NULL,             -- user id of the member's user who shared it
    reason         TEXT NOT NULL CHECK (length(reason) > 0),
    evidence_urls  TEXT NOT NULL DEFAULT '[]', -- JSON array of http(s) URLs
    listing_ids    TEXT NOT NULL DEFAULT '[]', -- JSON array of listing id strings
    created_ms     BIGINT NOT NULL
);
CREATE INDEX alliance_reports_seller ON alliance_reports (seller_org_id, id);
CREATE INDEX alliance_reports_member ON alliance_reports (member_org_id, id);

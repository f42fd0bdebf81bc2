-- 0019 (PostgreSQL): the same change as migrations/0019_seller_search.sql
-- in PostgreSQL's dialect: a seller's search of its own listings without
-- joining every catalog-wide match to its listing.
--
-- listings_fts (0003) gets the seller's org id of each indexed version
-- (a listing never changes seller) and an index on it: a seller's search
-- (src/store/pg_catalog.c) filters listings_fts by seller_org_id and
-- matches the tsvector of those rows only (or intersects the seller's rows
-- with the GIN match, as the planner finds cheaper), then joins the page's
-- rows. Filled from the listings of the indexed versions.

ALTER TABLE listings_fts ADD COLUMN seller_org_id TEXT;

UPDATE listings_fts f SET seller_org_id = l.seller_org_id
    FROM listing_versions v JOIN listings l ON l.id = v.listing_id
    WHERE v.vrow = f.vrow;

ALTER TABLE listings_fts ALTER COLUMN seller_org_id SET NOT NULL;

CREATE INDEX listings_fts_seller ON listings_fts (seller_org_id, vrow);

-- 0019_seller_search.sql — a seller's search of its own listings inside
-- the full-text index: listings_fts rebuilt with a third column, seller,
-- holding the listing's seller org id (one token: a ULID).
--
-- Until 0018 a seller's search joined every catalog-wide match to its
-- listing to keep the seller's own (2.8 s for a common word at a million
-- listings, docs/benchmarks.md). With the seller indexed, the store asks
-- FTS5 for  seller : "<org id>" AND {title description} : (<query>)  and
-- FTS5 intersects the two posting lists itself. The seller's org id comes
-- from the server (the actor's org), never from the query text, and every
-- query is limited to the title and description columns, so no search
-- matches an org id (src/store/sqlite_catalog.c). bm25 gives seller the
-- weight 0: the seller's own token never changes a score.
--
-- External content as before, now over a view of the CURRENT version of
-- each listing (the rows the index holds, 0018) with its listing's seller
-- (a listing never changes seller). A row is found by vrow through the
-- version's primary key and its listing's; FTS5's 'integrity-check' and
-- 'rebuild' read the current versions only.

DROP TABLE listings_fts;

CREATE VIEW listings_fts_rows AS
    SELECT v.vrow AS vrow, v.title AS title, v.description AS description,
           l.seller_org_id AS seller
    FROM listing_versions v JOIN listings l ON l.id = v.listing_id
    WHERE l.current_vrow = v.vrow;

CREATE VIRTUAL TABLE listings_fts USING fts5 (
    title, description, seller,
    content = 'listings_fts_rows', content_rowid = 'vrow',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO listings_fts (rowid, title, description, seller)
    SELECT v.vrow, v.title, v.description, l.seller_org_id
    FROM listings l JOIN listing_versions v ON v.vrow = l.current_vrow
    ORDER BY v.vrow;

-- 0035 (PostgreSQL): the same schema change as
-- migrations/0035_drop_listing_versions_sold.sql in PostgreSQL's dialect.

DROP INDEX listing_versions_sold;

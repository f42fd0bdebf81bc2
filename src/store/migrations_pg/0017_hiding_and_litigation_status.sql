-- 0017 (PostgreSQL): the same schema change as migrations/0017_hiding_and_litigation_status.sql
-- in PostgreSQL's dialect (BIGINT integers).
-- 0017_hiding_and_litigation_status.sql — (1) a suspended or terminated
-- seller's listings are off the marketplace while the penalty is in force;
-- (2) the status and outcome of a civil litigation file.
--
-- (1) docs/internals/enforce.md "Hidden listings". Nothing is stored per
-- listing: the catalog's lists and searches ask, for each listing they
-- return, whether its seller has a penalty of rank 4 (suspension) or 5
-- (termination) in force at the time of the read (ended_ms = 0,
-- from_ms <= now, until_ms 0 or > now), so a suspension that lapses shows
-- the listings again at once, without a tick. This index makes that
-- question one short index lookup per listing.
CREATE INDEX penalties_hiding ON penalties (seller_org_id, until_ms)
    WHERE ended_ms = 0 AND rank >= 4;

-- (2) docs/internals/litigation.md "Status and outcome": open -> filed ->
-- settled | judgment -> closed (and open/filed -> closed when dropped), with
-- the outcome (text, and an amount in a currency's minor units) recorded at
-- settlement or judgment. Existing files are open.
ALTER TABLE litigation_files ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'filed', 'settled', 'judgment', 'closed'));
ALTER TABLE litigation_files ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE litigation_files ADD COLUMN outcome_amount_minor BIGINT NOT NULL DEFAULT 0
    CHECK (outcome_amount_minor >= 0);
ALTER TABLE litigation_files ADD COLUMN outcome_currency TEXT NOT NULL DEFAULT ''
    CHECK (outcome_currency = '' OR length(outcome_currency) = 3);
ALTER TABLE litigation_files ADD COLUMN status_ms BIGINT NOT NULL DEFAULT 0;

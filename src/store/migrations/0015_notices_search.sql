-- 0015_notices_search.sql — full-text search over notices (issue 8): the
-- kind, the explanation, who filed it (the person, on whose behalf, the
-- notifier organisation's name) and the listings it names (their ids and
-- the titles they had when the notice was filed).
--
-- notice_search holds the searchable text once per notice under a stable
-- INTEGER PRIMARY KEY (srow); notices_fts is an external-content FTS5 index
-- over it. Triggers keep both in step inside the writing transaction: a new
-- notice adds its row, each new notice item appends its listing's id and
-- current title, and the notice_search triggers mirror every change into
-- the index. The text of a notice never changes after it is filed (decisions
-- only write state columns), so no UPDATE trigger on notices is needed.

CREATE TABLE notice_search (
    srow        INTEGER PRIMARY KEY,           -- stable rowid (notices_fts)
    notice_id   TEXT NOT NULL UNIQUE,          -- notices.id
    kind        TEXT NOT NULL,
    explanation TEXT NOT NULL,
    notifier    TEXT NOT NULL,
    listings    TEXT NOT NULL DEFAULT ''
);

CREATE VIRTUAL TABLE notices_fts USING fts5 (
    kind, explanation, notifier, listings,
    content = 'notice_search', content_rowid = 'srow',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER notice_search_ai AFTER INSERT ON notice_search BEGIN
    INSERT INTO notices_fts (rowid, kind, explanation, notifier, listings)
    VALUES (NEW.srow, NEW.kind, NEW.explanation, NEW.notifier, NEW.listings);
END;
CREATE TRIGGER notice_search_ad AFTER DELETE ON notice_search BEGIN
    INSERT INTO notices_fts (notices_fts, rowid, kind, explanation, notifier, listings)
    VALUES ('delete', OLD.srow, OLD.kind, OLD.explanation, OLD.notifier, OLD.listings);
END;
CREATE TRIGGER notice_search_au AFTER UPDATE ON notice_search BEGIN
    INSERT INTO notices_fts (notices_fts, rowid, kind, explanation, notifier, listings)
    VALUES ('delete', OLD.srow, OLD.kind, OLD.explanation, OLD.notifier, OLD.listings);
    INSERT INTO notices_fts (rowid, kind, explanation, notifier, listings)
    VALUES (NEW.srow, NEW.kind, NEW.explanation, NEW.notifier, NEW.listings);
END;

-- Notices filed before this migration.
INSERT INTO notice_search (notice_id, kind, explanation, notifier, listings)
SELECT n.id, n.kind, n.explanation,
       trim(n.notifier_name || ' ' || n.on_behalf_of || ' ' ||
            coalesce((SELECT o.name FROM orgs o WHERE o.id = n.notifier_org_id), '')),
       coalesce((SELECT group_concat(i.listing_id || ' ' || coalesce(v.title, ''), ' ')
                 FROM notice_items i
                 LEFT JOIN listings l ON l.id = i.listing_id
                 LEFT JOIN listing_versions v ON v.vrow = l.current_vrow
                 WHERE i.notice_id = n.id), '')
FROM notices n ORDER BY n.id;

CREATE TRIGGER notices_search_ai AFTER INSERT ON notices BEGIN
    INSERT INTO notice_search (notice_id, kind, explanation, notifier)
    VALUES (NEW.id, NEW.kind, NEW.explanation,
            trim(NEW.notifier_name || ' ' || NEW.on_behalf_of || ' ' ||
                 coalesce((SELECT o.name FROM orgs o WHERE o.id = NEW.notifier_org_id), '')));
END;
CREATE TRIGGER notices_search_ad AFTER DELETE ON notices BEGIN
    DELETE FROM notice_search WHERE notice_id = OLD.id;
END;
CREATE TRIGGER notice_items_search_ai AFTER INSERT ON notice_items BEGIN
    UPDATE notice_search
    SET listings = ltrim(listings || ' ' || NEW.listing_id || ' ' ||
                         coalesce((SELECT v.title FROM listings l
                                   JOIN listing_versions v ON v.vrow = l.current_vrow
                                   WHERE l.id = NEW.listing_id), ''))
    WHERE notice_id = NEW.notice_id;
END;

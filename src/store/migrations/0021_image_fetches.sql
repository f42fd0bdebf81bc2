-- 0021_image_fetches.sql — listing images given by URL, fetched by the
-- server (src/detections/fetch.c; setting image_fetch, off by default) so
-- that the image signal covers them too. One row per URL ever tried: the
-- blob it became (content-addressed, like uploads) or the last error. The
-- job walks listing versions in vrow order from a cursor of its own, so the
-- write path of listings is unchanged.
CREATE TABLE image_fetches (
    url        TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('fetched', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT '',
    updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE image_fetch_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    after_vrow INTEGER NOT NULL
);
INSERT INTO image_fetch_cursor (id, after_vrow) VALUES (1, 0);

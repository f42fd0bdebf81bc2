-- 0021_image_fetches.sql — listing images given by URL, fetched by the
-- server (see the SQLite twin of this migration).
CREATE TABLE image_fetches (
    url        TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('fetched', 'failed')),
    attempts   BIGINT NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT '',
    updated_ms BIGINT NOT NULL
);

CREATE TABLE image_fetch_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    after_vrow BIGINT NOT NULL
);
INSERT INTO image_fetch_cursor (id, after_vrow) VALUES (1, 0);

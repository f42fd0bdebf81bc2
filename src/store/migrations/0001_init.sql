-- 0001_init.sql — the foundation schema: settings, organisations, users,
-- login sessions, API tokens, login throttling and the audit log.
--
-- Applied by store_migrate() inside one transaction together with its row in
-- schema_migrations. Times are integer milliseconds since the epoch (UTC).
-- Secrets are never stored: sessions and tokens keep only a 32-byte hash.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('platform', 'rightholder', 'seller', 'agency')),
    created_ms INTEGER NOT NULL
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    email      TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL
               CHECK (role IN ('admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor')),
    pw_hash    TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0
);
-- Foreign-key columns are indexed so that listing by org and checking the
-- parent side of a foreign key do not scan the whole table.
CREATE INDEX users_org_id ON users (org_id, id);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_ms ON sessions (expires_ms);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL DEFAULT 0, -- 0 = never
    revoked_ms INTEGER NOT NULL DEFAULT 0  -- 0 = not revoked
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id, id);

CREATE TABLE login_attempts (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    addr  TEXT NOT NULL,
    ok    INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at_ms);
CREATE INDEX login_attempts_addr ON login_attempts (addr, at_ms);

-- The audit log is a hash chain (hash = H(prev_hash || event)); seq is
-- assigned by the caller as head + 1. The rows are append-only: the
-- triggers below refuse every UPDATE and DELETE, so even a bug in the
-- application cannot rewrite history. (store_audit_tamper, which exists only
-- so that tests can prove tamper detection, drops and re-creates the update
-- trigger inside one transaction; it keeps the trigger text it found.)
CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    ts_ms     INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '',
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB NOT NULL CHECK (length(hash) = 32)
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

-- 0012 (PostgreSQL): account lockout after repeated failed logins; the same
-- table as migrations/0012_login_lockouts.sql.
CREATE TABLE login_lockouts (
    email     TEXT PRIMARY KEY,
    locked_ms BIGINT NOT NULL, -- when the lock was set
    until_ms  BIGINT NOT NULL  -- the lock holds while now < until_ms
);

-- 0012: account lockout after repeated failed logins (issue #10).
-- One row per normalised email that is or was locked, whether or not an
-- account has that email: a lockout must not reveal which accounts exist.
-- A row whose until_ms has passed is no longer a lock; the next lock
-- replaces it, an admin unlock or a successful login deletes it.
CREATE TABLE login_lockouts (
    email     TEXT PRIMARY KEY,
    locked_ms INTEGER NOT NULL, -- when the lock was set
    until_ms  INTEGER NOT NULL  -- the lock holds while now < until_ms
);

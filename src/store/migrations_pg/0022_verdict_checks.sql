-- 0022_verdict_checks.sql — nothing to change on PostgreSQL. The SQLite
-- twin rebuilds detection_verdicts and detection_verdict_orgs to write
-- their CHECK (x IN ('a', 'b', 'c')) constraints as x = 'a' OR x = 'b' ...,
-- because SQLite 3.40 builds a temporary B-tree of the list for every
-- inserted row; PostgreSQL evaluates an IN list of constants directly
-- (ScalarArrayOpExpr), so its constraints stay as 0007 wrote them. This
-- migration exists to keep the two backends' version numbers equal.
SELECT 1;

#!/bin/sh
# bench_notifier_counts.sh — a notifier's accuracy record (store counts(),
# src/store/sqlite_notices.c) at fast-track volume, before and after the
# per-day counters of migration 0024, with the sqlite3 shell.
#   usage: bench/bench_notifier_counts.sh IPRSHIELD_BIN [ROWS] [RUNS]
# Makes two databases with `iprshield db migrate` in a temporary directory
# and fills each with ROWS (200000) decided notices and ROWS taken-down items
# of one notifier spread over 90 days: "counters" as migrated, "baseline"
# with the 0024 triggers dropped (what the fill cost before them). Then runs,
# RUNS (20) times each, the two statements of the old counts() (every row of
# the window) and the one of the new (counter rows plus the start's day),
# and checks that both give the same numbers. Prints the sqlite3 shell's
# user+sys CPU seconds and real seconds per phase.
set -eu
bin=${1:?usage: bench_notifier_counts.sh IPRSHIELD_BIN [ROWS] [RUNS]}
rows=${2:-200000}
runs=${3:-20}
dir=$(mktemp -d /tmp/ips-bench-counts-XXXXXX)
trap 'rm -rf "$dir"' EXIT
day=86400000
t0=$((20000 * day))                      # the window's first day
since=$((t0 + day / 2))                  # the window starts mid-day
step=$((90 * day / rows))

fill() {
    cat <<SQL
PRAGMA journal_mode = WAL;
INSERT INTO orgs (id, kind, name, created_ms) VALUES ('ORG', 'rightholder', 'Brand', 1);
.timer on
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $rows)
INSERT INTO notices SELECT printf('N%08d', i), 'ORG', 'u', 'R', 'ORG', 'counterfeit', 'x', 'n',
    'e', '', 's', 1, 1, '[]', 1, 'decided',
    CASE i % 10 WHEN 0 THEN 'rejected' WHEN 1 THEN 'partially' ELSE 'upheld' END, 0, 1, 0, 0,
    'r', '', $t0 + i * $step, $t0 + i * $step, $t0 + i * $step FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $rows)
INSERT INTO notice_items SELECT printf('N%08d', i), 'L', 'S', 'ORG',
    CASE WHEN i % 20 = 0 THEN 'reinstated' ELSE 'taken_down' END, 1, $t0 + i * $step, 0, '',
    '[]', '', 0, '', '', 0, '', '', '', '', 0, 0 FROM n;
COMMIT;
.timer off
ANALYZE;
SQL
}

repeat() { # $1: SQL, run $runs times under the timer
    echo ".timer on"
    i=0
    while [ $i -lt "$runs" ]; do echo "$1"; i=$((i + 1)); done
    echo ".timer off"
}

old_sql="SELECT count(*), sum(outcome = 'upheld'), sum(outcome = 'rejected'),\
 sum(outcome = 'partially') FROM notices WHERE notifier_org_id = 'ORG' AND state = 'decided'\
 AND decided_ms >= $since; SELECT count(*), sum(state = 'reinstated') FROM notice_items\
 WHERE notifier_org_id = 'ORG' AND taken_down_ms > 0 AND taken_down_ms >= $since;"
d=$((since / day))
next=$(((d + 1) * day))
# the statement of counts() in src/store/sqlite_notices.c, parameters inlined
new_sql="SELECT d.decided + n.decided, d.upheld + n.upheld, d.rejected + n.rejected,\
 d.partially + n.partially, d.takedowns + i.takedowns, d.reversed + i.reversed FROM\
 (SELECT coalesce(sum(decided), 0) AS decided, coalesce(sum(upheld), 0) AS upheld,\
 coalesce(sum(rejected), 0) AS rejected, coalesce(sum(partially), 0) AS partially,\
 coalesce(sum(takedowns), 0) AS takedowns, coalesce(sum(reversed), 0) AS reversed\
 FROM notifier_days WHERE org_id = 'ORG' AND day > $d) AS d,\
 (SELECT count(*) AS decided, coalesce(sum(outcome = 'upheld'), 0) AS upheld,\
 coalesce(sum(outcome = 'rejected'), 0) AS rejected,\
 coalesce(sum(outcome = 'partially'), 0) AS partially FROM notices\
 WHERE notifier_org_id = 'ORG' AND state = 'decided' AND decided_ms >= $since\
 AND decided_ms < $next) AS n,\
 (SELECT count(*) AS takedowns, coalesce(sum(state = 'reinstated'), 0) AS reversed\
 FROM notice_items WHERE notifier_org_id = 'ORG' AND taken_down_ms > 0\
 AND taken_down_ms >= $since AND taken_down_ms < $next) AS i;"

# sums the "Run Time: real R user U sys S" lines of the shell on stdin
sum_times() {
    awk -v what="$1" '/^Run Time:/ { r += $4; c += $6 + $8; n++ }
        END { printf "%-34s cpu %8.3f s  real %8.3f s\n", what, c, r }'
}

for db in baseline counters; do
    "$bin" db migrate --db "$dir/$db.db" >/dev/null 2>&1
done
for t in notice_ai notice_ad notice_au item_ai item_ad item_au; do
    echo "DROP TRIGGER notifier_days_$t;"
done | sqlite3 "$dir/baseline.db"
echo "$rows notices + $rows items of one notifier over 90 days; the window starts mid-day"
fill | sqlite3 "$dir/baseline.db" | sum_times "fill, without the 0024 triggers"
fill | sqlite3 "$dir/counters.db" | sum_times "fill, with the 0024 triggers"
repeat "$old_sql" | sqlite3 "$dir/counters.db" | sum_times "old counts() x $runs (2 statements)"
repeat "$new_sql" | sqlite3 "$dir/counters.db" | sum_times "new counts() x $runs (1 statement)"
old=$(echo "$old_sql" | sqlite3 "$dir/counters.db" | tr '\n' '|')
new=$(echo "$new_sql" | sqlite3 "$dir/counters.db")
echo "old: $old  new: $new"
[ "$(echo "$old" | awk -F'|' '{ print $1 "|" $2 "|" $3 "|" $4 "|" $5 "|" $6 }')" = "$new" ] ||
    { echo "the two counts differ" >&2; exit 1; }
echo "counter rows: $(sqlite3 "$dir/counters.db" 'SELECT count(*) FROM notifier_days')"

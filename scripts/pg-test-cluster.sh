#!/usr/bin/env bash
# pg-test-cluster.sh — a throw-away PostgreSQL cluster for the tests, on
# loopback only, with its own data directory (docs/testing.md, "PostgreSQL").
#
#   pg-test-cluster.sh start STATE   initdb + start on a free port of 127.0.0.1;
#                                    writes STATE/url (a libpq URI of a fresh
#                                    database with the C collation) and STATE/datadir
#   pg-test-cluster.sh run STATE CMD...   run CMD with IPRSHIELD_TEST_PG set from STATE/url
#   pg-test-cluster.sh stop STATE    stop the server and remove its data directory
#
# The server binaries come from Debian's postgresql-15 (scripts/install-deps.sh).
# initdb refuses to run as root, so as root the cluster runs as the system
# user postgres (created by the Debian package). Durability settings are off:
# the cluster is thrown away after the run, and the tests kill iprshield,
# never the server.
set -euo pipefail
cmd=${1:?usage: pg-test-cluster.sh start|run|stop STATE [CMD...]}
state=${2:?usage: pg-test-cluster.sh start|run|stop STATE [CMD...]}
shift 2

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  [ -n "$bindir" ] || { echo "pg-test-cluster: PostgreSQL server not installed (scripts/install-deps.sh)" >&2; exit 1; }
  if [ -f "$state/datadir" ]; then "$0" stop "$state" || true; fi
  mkdir -p "$state"
  data=$(mktemp -d /tmp/ips-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  echo "$data" > "$state/datadir"
  as_pg "$bindir/initdb" -D "$data/db" -U postgres -A trust --no-locale -E UTF8 --no-sync \
    > "$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
  for port in $(seq 55432 55531); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    if as_pg "$bindir/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
         start > /dev/null; then
      as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres -T template0 \
        --locale=C -E UTF8 iprshield_test
      echo "postgresql://postgres@127.0.0.1:$port/iprshield_test" > "$state/url"
      echo "pg-test-cluster: started on 127.0.0.1:$port ($data)"
      exit 0
    fi
  done
  cat "$data/server.log" >&2 || true
  echo "pg-test-cluster: no port could be used" >&2
  exit 1
  ;;
run)
  IPRSHIELD_TEST_PG=$(cat "$state/url")
  export IPRSHIELD_TEST_PG
  exec "$@"
  ;;
stop)
  [ -f "$state/datadir" ] || exit 0
  data=$(cat "$state/datadir")
  as_pg "$bindir/pg_ctl" -D "$data/db" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$data" "$state/url" "$state/datadir"
  echo "pg-test-cluster: stopped"
  ;;
*)
  echo "pg-test-cluster: unknown command $cmd" >&2
  exit 2
  ;;
esac

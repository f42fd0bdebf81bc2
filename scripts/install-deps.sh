#!/usr/bin/env bash
# install-deps.sh — install every Debian and npm package iprshield needs.
# Idempotent: when everything is present it only checks and returns at once.
# Needs root (or sudo) only when a Debian package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  build-essential cmake pkg-config git curl ca-certificates
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
  libyajl-dev  # the catalog import's JSON Lines lexer (src/core/json_fast.c)
  libmagic-dev libcmocka-dev libcurl4-openssl-dev
  libarchive-dev  # evidence packages of referrals (src/referrals/evidence.c)
  libnats-dev nats-server  # distributed scanning on NATS JetStream (src/scanq) and its cluster test
  libhyperscan-dev libutf8proc-dev libicu-dev libjpeg62-turbo-dev libpng-dev libwebp-dev
  ripgrep
  libpq-dev  # the PostgreSQL backend (src/store/store_postgres.c, pg_*.c)
  postgresql-15  # its tests: a throw-away cluster on loopback (scripts/pg-test-cluster.sh)
  sqlite3  # the sqlite3 shell: query-plan test (tests/e2e/queryplan.test.mjs) and benchmark baselines
  iso-codes  # ISO 4217 currency list (/usr/share/iso-codes/json/iso_4217.json), read by src/profile
  librsvg2-bin  # rsvg-convert: renders the simple-icons logos of `demo seed --brands` to PNG
  chromium
  clang libclang-rt-14-dev  # libFuzzer harnesses (make fuzz-smoke, docs/fuzzing.md): clang-14 + its fuzzer runtime
  wrk  # load and soak benchmark (bench/load, docs/benchmarks.md)
  libfaiss-dev  # FAISS IndexBinaryFlat, bench_detect's second Hamming baseline (optional in CMake; bench/faiss_binary.cc)
)
# Node.js 18+ with npm runs the e2e and browser tests; Debian's own packages
# serve when the machine has no node yet.
command -v node >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || DEBIAN_PACKAGES+=(npm)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postgresql package would create and start a system cluster on
  # port 5432; the tests start their own (scripts/pg-test-cluster.sh), so
  # none is created unless the machine's administrator asked for one.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null
fi

# npm packages (pinned by package-lock.json). Never let a tool fetch a browser:
# the browser tests drive Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "install-deps: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
exit 0

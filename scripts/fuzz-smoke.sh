#!/usr/bin/env bash
# fuzz-smoke.sh — run every libFuzzer harness of BUILD/fuzz/ for a bounded
# time (docs/fuzzing.md). Each starts from a copy of its seed corpus
# (tests/fuzz/corpus/<parser>/, never modified here) with its dictionary
# when there is one; a crash input is saved under OUT/<parser>/ and fails
# the run. Usage: scripts/fuzz-smoke.sh [BUILD] [SECONDS] [OUT]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
secs=${2:-20}
out=${3:-test-output/fuzz}
if ! ls "$build"/fuzz/fuzz_* >/dev/null 2>&1; then
  echo "fuzz-smoke: no harnesses in $build/fuzz (build with -DIPRSHIELD_FUZZ=ON, target fuzz)" >&2
  exit 1
fi
mkdir -p "$out"
work=$(mktemp -d /tmp/ips-fuzz-smoke-XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=()
for bin in "$build"/fuzz/fuzz_*; do
  name=$(basename "$bin"); parser=${name#fuzz_}
  seeds=tests/fuzz/corpus/$parser
  mkdir -p "$work/$parser" "$out/$parser"
  dict=()
  [ -f "tests/fuzz/$parser.dict" ] && dict=(-dict="tests/fuzz/$parser.dict")
  echo "== fuzz $parser (${secs}s)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$out/$parser/" "${dict[@]}" \
    "$work/$parser" "$seeds" >"$out/$parser.log" 2>&1
  rc=$?
  tail -n 12 "$out/$parser.log" | grep -E 'stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY' || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz-smoke: $parser FAILED (exit $rc); log $out/$parser.log; crash input in $out/$parser/"
    failed+=("$parser")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: ${#failed[@]} harness(es) failed: ${failed[*]}"
  exit 1
fi
echo "fuzz-smoke: every harness ran ${secs}s without a finding"

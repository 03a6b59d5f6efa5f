#!/usr/bin/env bash
# Runs fuzz targets one after another on one core and logs the CPU time each
# got in fuzz/LOG.md (the running total per target is what the issues ask for).
#   scripts/fuzz-campaign.sh SECONDS TARGET...     e.g. 300 fuzz_gzip fuzz_tar
# Crashes land in fuzz/artifacts/; fix them and add each input to the corpus.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
secs=$1; shift
build="$here/build-fuzz-campaign"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang cmake -S "$here" -B "$build" -DIOTCOP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j1 >/dev/null
mkdir -p "$here/fuzz/artifacts"
for t in "$@"; do
  work="$here/fuzz/work/$t"
  mkdir -p "$work" "$here/fuzz/corpus/$t"
  log=$(mktemp)
  # -max_total_time is wall time; GNU time gives the CPU time actually spent.
  /usr/bin/time -f '%U %S' -o "$log.cpu" "$build/fuzz/$t" -max_total_time="$secs" \
    -max_len=1048576 -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$here/fuzz/artifacts/$t-" "$work" "$here/fuzz/corpus/$t" >"$log" 2>&1 || true
  took=$(awk '{printf "%d", $1 + $2}' "$log.cpu"); rm -f "$log.cpu"
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  crashed=$(grep -cE 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|SUMMARY: ' "$log" || true)
  printf '| %s | %s | %s CPU s | %s execs | %s |\n' "$(date -u +%F)" "$t" "$took" "${execs:-0}" \
    "$([ "$crashed" = 0 ] && echo clean || echo "FOUND A PROBLEM: see fuzz/artifacts")" >>"$here/fuzz/LOG.md"
  rm -f "$log"
done

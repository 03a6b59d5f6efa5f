#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs one (or all) of them.
#   scripts/fuzz.sh NAME [SECONDS] [JOBS]   e.g. scripts/fuzz.sh fuzz_gzip 300
#   scripts/fuzz.sh all [SECONDS]
# New inputs go to fuzz/corpus/NAME (minimised before you commit them with
# scripts/fuzz.sh --merge NAME); crashes to fuzz/artifacts/ — add each crash
# input to the corpus once fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-fuzz"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang cmake -S "$here" -B "$build" -DIOTCOP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$here/fuzz/artifacts"
if [ "${1:-}" = "--merge" ]; then
  name=$2; tmp=$(mktemp -d)
  "$build/fuzz/$name" -merge=1 "$tmp" "$here/fuzz/corpus/$name" >/dev/null 2>&1
  rm -rf "$here/fuzz/corpus/$name"; mv "$tmp" "$here/fuzz/corpus/$name"
  echo "$name: $(ls "$here/fuzz/corpus/$name" | wc -l) inputs after merge"; exit 0
fi
run_one() {
  local name=$1 secs=$2 jobs=${3:-1}
  mkdir -p "$here/fuzz/corpus/$name" "$here/fuzz/work/$name"
  echo "== $name for ${secs}s x $jobs"
  local parallel=()
  # -jobs makes libFuzzer write fuzz-N.log into the current folder: only when asked for.
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  "$build/fuzz/$name" -max_total_time="$secs" -max_len=1048576 -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$here/fuzz/artifacts/$name-" "${parallel[@]}" \
    "$here/fuzz/work/$name" "$here/fuzz/corpus/$name" 2>&1 | grep -E 'DONE|ERROR|SUMMARY|stat::' | tail -5 || true
}
if [ "${1:-all}" = all ]; then
  for t in "$build"/fuzz/fuzz_*; do run_one "$(basename "$t")" "${2:-60}"; done
else
  run_one "$1" "${2:-60}" "${3:-1}"
fi

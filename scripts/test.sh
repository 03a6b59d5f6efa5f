#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with
# warnings as errors, builds the fixtures from real Debian packages, runs
# ctest; then builds and runs everything again under ASan+UBSan.
#   IOTCOP_SKIP_ASAN=1  skip the sanitizer pass (quicker local runs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)

bash scripts/install-deps.sh
bash scripts/check-banned.sh

cmake -S . -B build -DIOTCOP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
bash tests/fixtures/build-all.sh "$root/build/fixtures"
# One real binary per component signature (tests/unit/test_components_debs.c).
bash tests/fixtures/fetch-component-debs.sh
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 1500

if [ "${IOTCOP_SKIP_ASAN:-0}" != 1 ]; then
  cmake -S . -B build-asan -DIOTCOP_WERROR=ON -DIOTCOP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
        -DIOTCOP_FIXTURES_DIR="$root/build/fixtures" >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 2400
fi

#!/usr/bin/env bash
# From a fresh Debian 12 machine: installs the build dependencies, builds
# iotcop, builds the bundled sample firmware from real Debian armhf/mipsel
# binaries and runs iotcop on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
bash tests/fixtures/build-all.sh "$PWD/build/fixtures"
image=build/fixtures/sample/firmware.uimage
echo "== iotcop unpack $image"
./build/iotcop unpack "$image"
echo
echo "== iotcop firmware $image"
# Findings are expected on this sample (it is built with planted problems):
# without --fail-on they do not change the exit status.
./build/iotcop firmware "$image"

#!/usr/bin/env bash
# Sibling parts of a container (a multi-file uImage's kernel and root file
# system, a FIT's images, UBI volumes, TP-Link kernel and rootfs) and strong
# signature hits further on in a carved blob (the vendor image's SquashFS
# while its raw-LZMA kernel decodes) are unpacked side by side on --jobs
# threads. The result must not depend on it: the layers (ids, order,
# offsets, sizes, info), the diagnostics and every file listed are the same
# with one thread and with four, also when a limit stops the unpack midway.
set -euo pipefail
: "${IOTCOP_BIN:?}"
F="${IOTCOP_FIXTURES:-}"
[ -f "$F/sample/firmware.uimage" ] || { echo "no fixtures: skipping"; exit 77; }
T=$(mktemp -d "${IOTCOP_TMP:-/tmp}/threads.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
checked=0
for img in "$F/sample/firmware.uimage" "$F/clean/firmware.uimage" "$F/formats/image.fit" \
  "$F/formats/image-signed.fit" "$F/ubi/firmware.ubi" "$F/ubi/firmware-badpeb.ubi" \
  "$F/vendor/tplink-v1.bin" "$F/vendor/ubnt.bin" "$F/sample/vendor.bin"; do
  [ -f "$img" ] || continue
  for j in 1 4; do
    "$IOTCOP_BIN" unpack -j "$j" -f json "$img" >"$T/layers.$j" || true
    "$IOTCOP_BIN" unpack -j "$j" --list -f json "$img" >"$T/list.$j" || true
  done
  # Parts side by side only happen where a layer declares two or more.
  parts=$(python3 -c '
import collections, json, sys
layers = json.load(open(sys.argv[1]))["summary"]["layers"]
children = collections.Counter(l["parent"] for l in layers if l.get("parent") is not None)
print(max(children.values(), default=0))' "$T/layers.1")
  if [ "$parts" -lt 2 ]; then
    echo "FAIL: $(basename "$img"): no layer with two parts (the test would prove nothing)"
    fail=1
  fi
  for what in layers list; do
    cmp -s "$T/$what.1" "$T/$what.4" ||
      { echo "FAIL: $(basename "$img"): $what differ between -j 1 and -j 4"; diff "$T/$what.1" "$T/$what.4" | head -5; fail=1; }
  done
  checked=$((checked + 1))
done
# A total-bytes limit reached while parts are unpacked ahead: the serial
# result, the same limit diagnostic at the same place.
for limit in 12M; do
  for j in 1 4; do
    "$IOTCOP_BIN" unpack -j "$j" --limit total-bytes=$limit -f json "$F/sample/vendor.bin" \
      >"$T/limit.$j" || true
  done
  grep -q '"E_LIMIT_BYTES"' "$T/limit.1" ||
    { echo "FAIL: vendor.bin with total-bytes=$limit did not reach the limit"; fail=1; }
  cmp -s "$T/limit.1" "$T/limit.4" ||
    { echo "FAIL: vendor.bin with total-bytes=$limit differs between -j 1 and -j 4"; diff "$T/limit.1" "$T/limit.4" | head -5; fail=1; }
done
[ "$checked" -ge 4 ] || { echo "FAIL: only $checked images checked"; fail=1; }
[ "$fail" = 0 ] && echo "ok: $checked images unpack the same on 1 and 4 threads"
exit "$fail"

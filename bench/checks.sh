#!/usr/bin/env bash
# What the checks add to the unpack, side by side in one run:
#   iotcop unpack IMAGE          (the unpack alone, in memory)
#   iotcop firmware IMAGE        (unpack + every check family)
# on the bundled sample, the clean fixture and the Debian root of
# tests/cli/debian_root.sh when it has been built. Prints medians, the
# ratio firmware/unpack (goal: at most 1.5) and the content-scan throughput:
# bytes of file content in the image's file trees divided by the time the
# checks add (firmware minus unpack).
#
#   bench/checks.sh [RUNS]    (default 5; needs hyperfine: IOTCOP_BENCH=1
#                              bash scripts/install-deps.sh)
# IOTCOP_BUILD and IOTCOP_FIXTURES override the build and fixture folders.
# Writes bench/out/checks.json.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
build="${IOTCOP_BUILD:-$here/build}"
fixtures="${IOTCOP_FIXTURES:-$build/fixtures}"
out="$here/bench/out"
mkdir -p "$out"
iotcop="$build/iotcop"
[ -x "$iotcop" ] || { echo "build iotcop first"; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine: IOTCOP_BENCH=1 bash scripts/install-deps.sh"; exit 1; }

images=("sample:$fixtures/sample/firmware.uimage" "clean:$fixtures/clean/firmware.uimage")
[ ! -f "$fixtures/debian-root/debian-root.squashfs" ] ||
  images+=("debian-root:$fixtures/debian-root/debian-root.squashfs")

for pair in "${images[@]}"; do
  name=${pair%%:*} image=${pair#*:}
  echo "== $name ($(stat -c %s "$image") bytes)"
  "$iotcop" unpack --list --format json "$image" |
    python3 -c 'import json,sys
total=0
for line in sys.stdin:
    o=json.loads(line)
    if "summary" not in o and o.get("type") == "file": total += o.get("size", 0)
print(total)' >"$out/checks-$name.bytes"
  hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$out/checks-$name.json" \
    -n unpack "$iotcop unpack $image > /dev/null" \
    -n firmware "$iotcop firmware --format json $image > /dev/null" >/dev/null
done

python3 - "$out" "${images[@]}" <<'PY'
import json, os, sys
out = sys.argv[1]
summary = {}
print(f"{'image':12} {'unpack s':>9} {'firmware s':>11} {'firmware/unpack':>16} {'file MB':>8} {'scan MB/s':>10}")
for pair in sys.argv[2:]:
    name = pair.split(":", 1)[0]
    data = json.load(open(os.path.join(out, f"checks-{name}.json")))
    med = {r["command"]: r["median"] for r in data["results"]}
    u, f = med["unpack"], med["firmware"]
    mb = int(open(os.path.join(out, f"checks-{name}.bytes")).read()) / 1e6
    added = max(f - u, 1e-9)
    summary[name] = {"unpack_s": u, "firmware_s": f, "firmware_over_unpack": f / u,
                     "file_bytes_mb": mb, "scan_mb_per_s": mb / added}
    print(f"{name:12} {u:9.3f} {f:11.3f} {f/u:16.2f} {mb:8.1f} {mb/added:10.1f}")
json.dump(summary, open(os.path.join(out, "checks.json"), "w"), indent=2)
PY

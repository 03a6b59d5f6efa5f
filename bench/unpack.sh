#!/usr/bin/env bash
# Unpack speed, side by side in one run:
#   iotcop unpack (in memory) and iotcop unpack -C (extract to disk)
#   binwalk -Me --run-as=root (Debian's binwalk, recursive extraction)
#   the bare decompression of the same layers: unsquashfs on the bare
#   SquashFS plus xz on the raw-LZMA kernel
# on the bundled sample (uImage), the vendor-shaped image (no header) and a
# large image (>= 30 MiB expanded: all bookworm armhf+mipsel packages of the
# fixtures in one SquashFS, with the sample kernel, in a uImage).
#
#   bench/unpack.sh [RUNS]      (default 5; needs hyperfine and binwalk:
#                                IOTCOP_BENCH=1 scripts/install-deps.sh)
# Prints wall-clock medians and mean CPU time (user+system, children
# included) in seconds, and the ratios; writes bench/out/unpack.json.
# IOTCOP_BUILD and IOTCOP_FIXTURES override the build and fixture folders.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
build="${IOTCOP_BUILD:-$here/build}"
fixtures="${IOTCOP_FIXTURES:-$build/fixtures}"
out="$here/bench/out"
work=$(mktemp -d /tmp/iotcop-bench.XXXXXX)
trap 'rm -rf "$work" "$extract_root"' EXIT
# Every side extracts to tmpfs (IOTCOP_BENCH_OUT=DIR picks another place):
# on ext4, creating the same files right after deleting the last run's takes
# 0.4 to 1.1 s by turns (kernel time in inode allocation), which measures the
# disk rather than the tools.
extract_root=$(mktemp -d "${IOTCOP_BENCH_OUT:-/dev/shm}/iotcop-bench-out.XXXXXX" 2>/dev/null ||
  mktemp -d /tmp/iotcop-bench-out.XXXXXX)
mkdir -p "$out"
iotcop="$build/iotcop"
[ -x "$iotcop" ] || { echo "build iotcop first (cmake --build build)"; exit 1; }
[ -f "$fixtures/sample/firmware.uimage" ] || bash "$here/tests/fixtures/build-all.sh" "$fixtures"
command -v hyperfine >/dev/null && command -v binwalk >/dev/null ||
  { echo "needs hyperfine and binwalk: IOTCOP_BENCH=1 bash scripts/install-deps.sh"; exit 1; }

# The large image: every non-kernel package of the fixtures, both architectures.
large="$work/large"
mkdir -p "$large/root"
for deb in "${IOTCOP_CACHE:-$HOME/.cache/iotcop}"/debs/bookworm/{armhf,mipsel}/*.deb; do
  case $deb in *linux-image* | *u-boot*) continue ;; esac
  arch=$(basename "$(dirname "$deb")")
  mkdir -p "$large/root/$arch"
  dpkg-deb -x "$deb" "$large/root/$arch"
done
mksquashfs "$large/root" "$large/rootfs.squashfs" -comp xz -all-root -no-progress -quiet >/dev/null
mkimage -A mips -O linux -T multi -C lzma -n large \
  -d "$fixtures/sample/kernel.lzma:$large/rootfs.squashfs" "$large/firmware.uimage" >/dev/null
expanded=$(du -sb "$large/root" | cut -f1)
echo "large image: $(stat -c %s "$large/firmware.uimage") bytes, $((expanded / 1048576)) MiB expanded"

bench_one() { # name image squashfs kernel
  local name=$1 image=$2 sqfs=$3 kernel=$4 d="$extract_root/x"
  echo "== $name ($(stat -c %s "$image") bytes)"
  hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$out/unpack-$name.json" \
    --prepare "rm -rf $d; mkdir -p $d" \
    -n iotcop-memory "$iotcop unpack $image > /dev/null" \
    -n iotcop-extract "$iotcop unpack -C $d/iotcop $image > /dev/null" \
    -n binwalk "binwalk -Me --run-as=root -q -C $d/binwalk $image > /dev/null 2>&1" \
    -n bare "unsquashfs -no-progress -d $d/sq $sqfs > /dev/null && xz -dc --format=lzma $kernel > $d/kernel" \
    >/dev/null
}

# Wall times mean little on a shared machine: say how loaded it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
bench_one sample "$fixtures/sample/firmware.uimage" "$fixtures/sample/rootfs.squashfs" "$fixtures/sample/kernel.lzma"
bench_one vendor "$fixtures/sample/vendor.bin" "$fixtures/sample/rootfs.squashfs" "$fixtures/sample/kernel.lzma"
bench_one large "$large/firmware.uimage" "$large/rootfs.squashfs" "$fixtures/sample/kernel.lzma"

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
rows = []
print(f"{'image':8} {'iotcop mem':>11} {'iotcop -C':>10} {'binwalk':>9} {'bare':>8} {'binwalk/iotcop-C':>17} {'iotcop-C/bare':>14} {'iotcop mem/bare':>16}")
summary = {}
for name in ("sample", "vendor", "large"):
    data = json.load(open(os.path.join(out, f"unpack-{name}.json")))
    med = {r["command"]: r["median"] for r in data["results"]}
    m, c, b, bare = med["iotcop-memory"], med["iotcop-extract"], med["binwalk"], med["bare"]
    summary[name] = {"iotcop_memory_s": m, "iotcop_extract_s": c, "binwalk_s": b, "bare_s": bare,
                     "binwalk_over_iotcop": b / c, "iotcop_extract_over_bare": c / bare,
                     "iotcop_memory_over_bare": m / bare}
    print(f"{name:8} {m:11.3f} {c:10.3f} {b:9.3f} {bare:8.3f} {b/c:17.1f} {c/bare:14.2f} {m/bare:16.2f}")
    cpu = {r["command"]: r["user"] + r["system"] for r in data["results"]}
    summary[name]["cpu_s"] = cpu
    print(f"{'  cpu':8} {cpu['iotcop-memory']:11.3f} {cpu['iotcop-extract']:10.3f} {cpu['binwalk']:9.3f} {cpu['bare']:8.3f} "
          f"{cpu['binwalk']/cpu['iotcop-extract']:17.1f} {cpu['iotcop-extract']/cpu['bare']:14.2f} {cpu['iotcop-memory']/cpu['bare']:16.2f}")
json.dump(summary, open(os.path.join(out, "unpack.json"), "w"), indent=2)
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

#!/usr/bin/env bash
# SquashFS 3 speed, side by side in one run: the same content (every
# bookworm mipsel package of the fixtures, unpacked) as
#   SquashFS 3.1 gzip (tests/fixtures/gen-squashfs3.py), against
#   SquashFS 4.0 gzip made by mksquashfs and read by unsquashfs;
#   SquashFS 3.1 with Broadcom-framed LZMA (gen-squashfs3.py --comp
#   lzma-header5), against SquashFS 4.0 lzma made by mksquashfs and read by
#   unsquashfs (Debian's unsquashfs reads no vendor LZMA, so the standard
#   repack is the peer).
# Both with 64 KiB blocks. iotcop runs in memory (unpack --list --sha256:
# every file decompressed and hashed) and to disk (unpack -C);
# unsquashfs extracts to disk (-d), with its default thread count.
#
#   bench/squashfs3.sh [RUNS]      (default 5; needs hyperfine)
# Prints wall-clock medians, mean CPU time (user+system, children included)
# and the ratios iotcop / unsquashfs (goal: 1.5 at most); writes
# bench/out/squashfs3.json. IOTCOP_BUILD overrides the build
# folder, IOTCOP_CACHE the package cache (filled by tests/fixtures/fetch-debs.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
build="${IOTCOP_BUILD:-$here/build}"
out="$here/bench/out"
work=$(mktemp -d /tmp/iotcop-bench-sq3.XXXXXX)
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
command -v hyperfine >/dev/null || { echo "needs hyperfine: IOTCOP_BENCH=1 bash scripts/install-deps.sh"; exit 1; }
debs="${IOTCOP_CACHE:-$HOME/.cache/iotcop}/debs/bookworm/mipsel"
ls "$debs"/*.deb >/dev/null 2>&1 || bash "$here/tests/fixtures/fetch-debs.sh" bookworm:mipsel

root="$work/root"
mkdir -p "$root"
for deb in "$debs"/*.deb; do
  case $deb in *linux-image* | *u-boot*) continue ;; esac
  dpkg-deb -x "$deb" "$root"
done
expanded=$(du -sb "$root" | cut -f1)
echo "content: $((expanded / 1048576)) MiB in $(find "$root" | wc -l) entries"
gen="$here/tests/fixtures/gen-squashfs3.py"
python3 "$gen" "$root" "$work/v3-gzip.sqfs3" --version 3 --comp gzip --block-size 65536
python3 "$gen" "$root" "$work/v3-lzma.sqfs3" --version 3 --endian be --comp lzma-header5 --block-size 65536
mksquashfs "$root" "$work/v4-gzip.sqfs" -comp gzip -b 65536 -no-progress -quiet -noappend >/dev/null
mksquashfs "$root" "$work/v4-lzma.sqfs" -comp lzma -b 65536 -no-progress -quiet -noappend >/dev/null
for f in v3-gzip.sqfs3 v3-lzma.sqfs3 v4-gzip.sqfs v4-lzma.sqfs; do
  echo "  $f: $(stat -c %s "$work/$f") bytes"
done

bench_one() { # name v3-image v4-image
  local name=$1 v3=$2 v4=$3 d="$extract_root/x"
  echo "== $name"
  hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$out/squashfs3-$name.json" \
    --prepare "rm -rf $d; mkdir -p $d" \
    -n iotcop-memory "$iotcop unpack --list --sha256 $v3 > /dev/null" \
    -n iotcop-extract "$iotcop unpack -C $d/iotcop $v3 > /dev/null" \
    -n unsquashfs "unsquashfs -no-progress -q -d $d/sq $v4 > /dev/null" \
    >/dev/null
}
bench_one gzip "$work/v3-gzip.sqfs3" "$work/v4-gzip.sqfs"
bench_one lzma "$work/v3-lzma.sqfs3" "$work/v4-lzma.sqfs"

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
summary = {}
print(f"{'image':6} {'iotcop mem':>11} {'iotcop -C':>10} {'unsquashfs':>11} {'mem/unsq':>9} {'-C/unsq':>8}")
for name in ("gzip", "lzma"):
    data = json.load(open(os.path.join(out, f"squashfs3-{name}.json")))
    med = {r["command"]: r["median"] for r in data["results"]}
    m, c, u = med["iotcop-memory"], med["iotcop-extract"], med["unsquashfs"]
    summary[name] = {"iotcop_memory_s": m, "iotcop_extract_s": c, "unsquashfs_s": u,
                     "iotcop_memory_over_unsquashfs": m / u, "iotcop_extract_over_unsquashfs": c / u}
    print(f"{name:6} {m:11.3f} {c:10.3f} {u:11.3f} {m/u:9.2f} {c/u:8.2f}")
    # CPU time (user+system, children included): steadier on a loaded machine.
    cpu = {r["command"]: r["user"] + r["system"] for r in data["results"]}
    cm, cc, cu = cpu["iotcop-memory"], cpu["iotcop-extract"], cpu["unsquashfs"]
    summary[name]["cpu_s"] = cpu
    summary[name]["cpu_iotcop_memory_over_unsquashfs"] = cm / cu
    summary[name]["cpu_iotcop_extract_over_unsquashfs"] = cc / cu
    print(f"{'  cpu':6} {cm:11.3f} {cc:10.3f} {cu:11.3f} {cm/cu:9.2f} {cc/cu:8.2f}")
json.dump(summary, open(os.path.join(out, "squashfs3.json"), "w"), indent=2)
PY

#!/usr/bin/env bash
# Flash file system unpack speed, side by side in one run, on JFFS2 and
# UBIFS images of every non-kernel bookworm armhf and mipsel package of the
# fixtures (real Debian binaries, >= 30 MiB expanded):
#   iotcop unpack --list (in memory: every file's content is produced, as
#     the engine looks into each file) and iotcop unpack -C (extract to disk)
#   Debian's jffs2reader (mtd-utils) reading every file with -f (JFFS2 only:
#     Debian has no UBIFS reader outside the kernel). It reads the whole
#     image again for each file and does not find /armhf in this image at
#     all, so it runs once, over the files of /mipsel, and its time is also
#     given per file
#   the decompression floor: bench/flash_floor.c decompressing the same data
#     nodes with zlib/LZO/zstd and nothing else
# Images: JFFS2 (mkfs.jffs2, zlib, 128 KiB erase blocks) and UBIFS
# (mkfs.ubifs, LZO and zlib, 2048-byte pages, 126976-byte LEBs).
#
#   bench/flashfs.sh [RUNS]     (default 5; needs hyperfine: IOTCOP_BENCH=1
#                                scripts/install-deps.sh)
# Prints wall-clock medians in seconds and the ratios to the floor; writes
# bench/out/flashfs-*.json. IOTCOP_BUILD overrides the build folder.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
build="${IOTCOP_BUILD:-$here/build}"
out="$here/bench/out"
work=$(mktemp -d /tmp/iotcop-flashbench.XXXXXX)
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
for tool in hyperfine mkfs.jffs2 mkfs.ubifs jffs2reader fakeroot jq cc; do
  command -v "$tool" >/dev/null || { echo "missing $tool: IOTCOP_BENCH=1 bash scripts/install-deps.sh"; exit 1; }
done
cc -O2 -o "$work/flash_floor" "$here/bench/flash_floor.c" -lz -llzo2 -lzstd

# The tree: every non-kernel package of the fixtures, both architectures.
root="$work/root"
mkdir -p "$root"
for deb in "${IOTCOP_CACHE:-$HOME/.cache/iotcop}"/debs/bookworm/{armhf,mipsel}/*.deb; do
  case $deb in *linux-image* | *u-boot*) continue ;; esac
  arch=$(basename "$(dirname "$deb")")
  mkdir -p "$root/$arch"
  dpkg-deb -x "$deb" "$root/$arch"
done
expanded=$(du -sb "$root" | cut -f1)
files=$(find "$root" -type f | wc -l)
echo "tree: $((expanded / 1048576)) MiB expanded, $files files"
[ "$expanded" -ge $((30 << 20)) ] || { echo "tree smaller than 30 MiB: fetch the fixtures first"; exit 1; }

fakeroot bash -c '
  mkfs.jffs2 -r "$1" -o "$2/image.jffs2" -l -e 0x20000
  mkfs.ubifs -x lzo -m 2048 -e 126976 -c 4096 -r "$1" -o "$2/image-lzo.ubifs"
  mkfs.ubifs -x zlib -m 2048 -e 126976 -c 4096 -r "$1" -o "$2/image-zlib.ubifs"' _ "$root" "$work"
(cd "$root" && find ./mipsel -type f | sed 's|^\.||') >"$work/files.txt"
cat >"$work/jffs2reader-all.sh" <<'EOF'
while IFS= read -r f; do jffs2reader "$1" -f "$f" >/dev/null; done <"$2"
EOF

results=()
bench_one() { # name kind image
  local name=$1 kind=$2 image=$3 d="$extract_root/x"
  echo "== $name ($(stat -c %s "$image") bytes): $("$work/flash_floor" "$kind" "$image")"
  hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$out/flashfs-$name.json" \
    --prepare "rm -rf $d; mkdir -p $d" \
    -n iotcop-list "$iotcop unpack --list $image > /dev/null" \
    -n iotcop-extract "$iotcop unpack -C $d/iotcop $image > /dev/null" \
    -n floor "$work/flash_floor $kind $image > /dev/null" >/dev/null
  results+=("$name")
}

# Wall times mean little on a shared machine: say how loaded it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
bench_one jffs2-zlib jffs2 "$work/image.jffs2"
hyperfine --runs 1 --style basic --export-json "$out/flashfs-jffs2reader.json" \
  -n jffs2reader "bash $work/jffs2reader-all.sh $work/image.jffs2 $work/files.txt" >/dev/null
bench_one ubifs-lzo ubifs "$work/image-lzo.ubifs"
bench_one ubifs-zlib ubifs "$work/image-zlib.ubifs"

jr=$(jq '.results[0].median' "$out/flashfs-jffs2reader.json")
n=$(wc -l <"$work/files.txt")
printf '\njffs2reader -f over the %s files of /mipsel: %.1f s (%.3f s per file)\n' "$n" "$jr" \
  "$(awk -v a="$jr" -v b="$n" 'BEGIN { print a / b }')"
# Wall-clock medians, and CPU time (user+system, children included: the
# machine may be shared, and CPU time is what a busy one distorts least).
printf '\n%-12s %-15s %9s %8s %8s %8s\n' image command median_s x_floor cpu_s x_floor
for name in "${results[@]}"; do
  jq -r --arg n "$name" '
    (.results[] | select(.command == "floor")) as $f
    | ($f.user + $f.system) as $fcpu
    | .results[] | (.user + .system) as $cpu
    | [$n, .command, (.median * 1000 | round / 1000), ((.median / $f.median) * 100 | round / 100),
       ($cpu * 1000 | round / 1000), (($cpu / $fcpu) * 100 | round / 100)]
    | @tsv' "$out/flashfs-$name.json" |
    awk -F'\t' '{ printf "%-12s %-15s %9s %8s %8s %8s\n", $1, $2, $3, $4, $5, $6 }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

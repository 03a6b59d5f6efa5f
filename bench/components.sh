#!/usr/bin/env bash
# Component identification speed on the bundled sample's tree, side by side
# in one run:
#   iotcop: ic_components_identify() over the unpacked tree in memory (every
#     file read once before timing, so unpacking is not counted), one thread
#     and one per core (bench/components_speed.c);
#   strings+grep: `strings -a -n 4` over the same files extracted to disk
#     (iotcop unpack -C), piped to `grep -E` with every printable version
#     prefix of data/components.json: the floor a script-based identifier
#     (cve-bin-tool style) cannot go below, and which still has no versions.
#
#   bench/components.sh [RUNS]     (default 5)
# Prints MB/s of each and the ratio; writes bench/out/components.json.
# IOTCOP_BUILD and IOTCOP_FIXTURES override the build and fixture folders.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
build="${IOTCOP_BUILD:-$here/build}"
fixtures="${IOTCOP_FIXTURES:-$build/fixtures}"
image="$fixtures/sample/firmware.uimage"
out="$here/bench/out"
work=$(mktemp -d /tmp/iotcop-bench-comp.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
[ -x "$build/iotcop" ] && [ -f "$build/libiotcop.a" ] || { echo "build iotcop first (cmake --build build)"; exit 1; }
[ -f "$image" ] || bash "$here/tests/fixtures/build-all.sh" "$fixtures"

# shellcheck disable=SC2046
cc -O2 -I"$here/include" -o "$work/components_speed" "$here/bench/components_speed.c" \
  "$build/libiotcop.a" $(pkg-config --libs libhs libarchive libsquashfs1 ext2fs zlib liblzma \
  libzstd liblz4 lzo2 libcrypto libssl libseccomp sqlite3 libcurl libssh libcrypt) -lbz2 -lpthread -lm

# The same files on disk: every file of every file tree, and the content of
# every layer that is not a file system (the kernel), as identification reads.
# A layer's content is read without the stretches its children cover; on
# disk a .bin holds all of it, so only the .bin files of layers that are
# neither file systems nor mostly covered by children are listed.
"$build/iotcop" unpack -C "$work/x" "$image" >/dev/null
"$build/iotcop" unpack -f json "$image" >"$work/summary.json"
: >"$work/files"
find "$work/x" -mindepth 2 -type f -print0 >>"$work/files"
python3 - "$work/summary.json" "$work/x" <<'PY' >>"$work/files"
import json, os, sys
layers = json.load(open(sys.argv[1]))["summary"]["layers"]
for l in layers:
    covered = sum(c["size"] for c in layers if c.get("parent") == l["id"])
    path = os.path.join(sys.argv[2], l["id"] + ".bin")
    if os.path.isfile(path) and not os.path.isdir(os.path.join(sys.argv[2], l["id"])) \
            and covered < l["size"] / 2:
        sys.stdout.write(path + "\0")
PY
bytes=$(xargs -0 cat <"$work/files" | wc -c)
pattern=$(python3 - "$here/data/components.json" <<'PY'
import json, re, sys
prefixes = set()
for c in json.load(open(sys.argv[1]))["components"]:
    for v in c.get("versions", []):
        p = v["prefix"]
        if "\\x" not in p and p.strip():
            prefixes.add(re.escape(p))
    for a in c.get("anchors", []):
        prefixes.add(re.escape(a))
print("|".join(sorted(prefixes)))
PY
)
echo "sample tree: $(tr -cd '\0' <"$work/files" | wc -c) files, $bytes bytes"

strings_grep() {
  xargs -0 strings -a -n 4 <"$work/files" | grep -E -c -- "$pattern" >/dev/null || true
}
best=999999
for _ in $(seq "$runs"); do
  t0=$(date +%s.%N); strings_grep; t1=$(date +%s.%N)
  best=$(python3 -c "print(min($best, $t1 - $t0))")
done
sg_mbs=$(python3 -c "print(round($bytes / 1e6 / $best, 1))")
one=$("$work/components_speed" "$image" "$runs" 1)
all=$("$work/components_speed" "$image" "$runs" 0)
python3 - "$one" "$all" "$bytes" "$best" "$sg_mbs" "$out/components.json" <<'PY'
import json, sys
one, allc = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bytes_, sg_s, sg_mbs, path = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
res = {"iotcop_1_thread": one, "iotcop_all_threads": allc,
       "strings_grep": {"bytes": bytes_, "seconds": round(sg_s, 6), "mb_per_s": sg_mbs}}
json.dump(res, open(path, "w"), indent=2)
print("iotcop (1 thread):    %8.1f MB/s  (%d bytes in %.3f s, %d components)" %
      (one["mb_per_s"], one["bytes"], one["seconds"], one["components"]))
print("iotcop (all threads): %8.1f MB/s  (%.3f s)" % (allc["mb_per_s"], allc["seconds"]))
print("strings+grep:         %8.1f MB/s  (%d bytes in %.3f s, no versions)" % (sg_mbs, bytes_, sg_s))
print("ratio iotcop/strings+grep: %.1fx (1 thread), %.1fx (all threads)" %
      (one["mb_per_s"] / sg_mbs, allc["mb_per_s"] / sg_mbs))
PY

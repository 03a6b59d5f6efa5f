#!/usr/bin/env bash
# UBI, UBIFS and raw NAND dumps: iotcop's listing (unpack --in-process --list
# --format json --sha256) against what went in.
#  - the fixtures of tests/fixtures/make-ubi.sh (real mkfs.ubifs and ubinize
#    from a staging root of real Debian armhf binaries): UBIFS with each
#    compressor, a three-volume UBI image (static kernel, dynamic rootfs and
#    rootfs_data), the same as a NAND dump with 64 spare bytes per 2048-byte
#    page, and with one erase block damaged; each against its find/stat
#    manifest, layers at their offsets, volume contents against ubi.json;
#  - the shared samples (fact-extractor) against what the publishing project's
#    own tests expect: fkie-cad/fact_extractor
#    fact_extractor/plugins/unpacking/ubi/test/test_plugin_ubifs.py (test.ubifs
#    gives the "standard unpack set" of test/unit/unpacker/test_unpacker.py:
#    testfile1, testfile2, "generic folder/test file 3_.txt") and
#    .../test_plugin_ubi_image.py (ubi.img gives one file: its volume);
#  - extraction with -C, an image embedded between other bytes, and damaged
#    images (truncated, master nodes wiped, bytes flipped) ending normally.
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ] || [ -z "${IOTCOP_SOURCE:-}" ] || [ -z "${IOTCOP_FIXTURES:-}" ]; then
  echo "IOTCOP_SHARED, IOTCOP_SOURCE or IOTCOP_FIXTURES unset: skipping"; exit 77
fi
fx="$IOTCOP_FIXTURES/ubi"
if [ ! -f "$fx/ubi.json" ]; then
  echo "no UBI fixtures in $fx (tests/fixtures/build-all.sh): skipping"; exit 77
fi
for tool in jq python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/ubi.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib="$IOTCOP_SOURCE/tests/cli/lib"
fail=0

check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
jqtest() { jq "$@" >/dev/null; }
list() { "$IOTCOP_BIN" unpack --in-process --list --format json --sha256 "$@"; }
fsize() { stat -c %s "$1"; }
layer_id() { # listing format name -> id of the first layer of that format (and name)
  jq -sr --arg f "$2" --arg n "${3:-}" \
    '[.[-1].summary.layers[] | select(.format == $f and ($n == "" or .name == $n))][0].id' "$1"
}
manifest="$fx/manifests/rootfs.manifest.jsonl"
devices='["/dev/console 5:1", "/dev/mtd0 90:0", "/dev/mtdblock0 31:0", "/dev/mtdblock1 31:1", "/dev/null 1:3", "/dev/random 1:8", "/dev/tty 5:0", "/dev/ttyS0 4:64", "/dev/urandom 1:9", "/dev/zero 1:5"]'

# ---- UBIFS, one image per compressor ------------------------------------------------
for img in "$fx"/rootfs-*.ubifs; do
  name=$(basename "$img")
  list "$img" >"$tmp/$name.json"
  check "$name: files = manifest" \
    python3 "$lib/compare_listing.py" "$manifest" "$tmp/$name.json" --layer-format ubifs --hash
  check "$name: one ubifs layer covering the image, no diagnostics" \
    jqtest -se --argjson size "$(fsize "$img")" \
      '.[-1].summary | ([.layers[] | select(.format == "ubifs")] | length == 1 and .[0].offset == 0 and .[0].size == $size) and (.diagnostics == [])' \
      "$tmp/$name.json"
  check "$name: device numbers" \
    jqtest -se --argjson want "$devices" '[.[] | select(.path? and (.type == "chardev" or .type == "blockdev")) | "\(.path) \(.major):\(.minor)"] | sort == $want' \
      "$tmp/$name.json"
  check "$name: the hard link" \
    jqtest -se '[.[] | select(.path? == "/etc/passwd.bak" or .path? == "/etc/passwd") | .type] | sort == ["file", "hardlink"]' \
      "$tmp/$name.json"
done
check "a UBIFS with each compressor mkfs.ubifs has (lzo zlib zstd none)" \
  test -f "$fx/rootfs-lzo.ubifs" -a -f "$fx/rootfs-zlib.ubifs" -a -f "$fx/rootfs-zstd.ubifs" -a -f "$fx/rootfs-none.ubifs"

# ---- the three-volume UBI image ----------------------------------------------------------
meta="$fx/ubi.json"
list "$fx/firmware.ubi" >"$tmp/ubi.json"
check "firmware.ubi: one ubi layer covering the image, no diagnostics" \
  jqtest -se --argjson size "$(fsize "$fx/firmware.ubi")" \
    '.[-1].summary | ([.layers[] | select(.format == "ubi")] | length == 1 and .[0].offset == 0 and .[0].size == $size) and (.diagnostics == [])' \
    "$tmp/ubi.json"
check "firmware.ubi: the volumes in order, named, back to back" \
  jqtest -se --slurpfile m "$meta" '
    ($m[0].geometry.leb) as $leb
    | [.[-1].summary.layers[] | select(.format == "ubivolume")] as $v
    | ($v | map(.name)) == ["kernel", "rootfs", "rootfs_data"]
      and $v[0].offset == 0 and $v[0].size == $m[0].volumes[0].size
      and $v[1].offset == $v[0].size and $v[1].size % $leb == 0
      and $v[1].size >= $m[0].volumes[1].ubifs_size
      and $v[2].offset == $v[1].offset + $v[1].size' "$tmp/ubi.json"
check "firmware.ubi: the kernel volume holds the LZMA kernel" \
  jqtest -se --arg k "$(layer_id "$tmp/ubi.json" ubivolume kernel)" \
    '[.[-1].summary.layers[] | select(.parent == $k and .format == "lzma" and .offset == 0)] | length == 1' \
    "$tmp/ubi.json"
rootfs=$(layer_id "$tmp/ubi.json" ubivolume rootfs)
data=$(layer_id "$tmp/ubi.json" ubivolume rootfs_data)
check "firmware.ubi: rootfs = manifest" \
  python3 "$lib/compare_listing.py" "$manifest" "$tmp/ubi.json" --layer "$rootfs.1" --hash
check "firmware.ubi: rootfs_data = its manifest" \
  python3 "$lib/compare_listing.py" "$fx/manifests/rootfs_data.manifest.jsonl" "$tmp/ubi.json" --layer "$data.1" --hash

# Extracted: the static volume is the kernel byte for byte, files as listed.
"$IOTCOP_BIN" unpack --in-process -C "$tmp/x" "$fx/firmware.ubi" >/dev/null
kid=$(layer_id "$tmp/ubi.json" ubivolume kernel)
check "-C: $kid.bin is the kernel that went in" \
  test "$(sha256sum <"$tmp/x/$kid.bin" | cut -d' ' -f1)" = "$(jq -r '.volumes[0].sha256' "$meta")"
check "-C: modification times kept" \
  test "$(stat -c %Y "$tmp/x/$rootfs.1/etc/inittab")" = "$(jq .build.mtime "$meta")"
check "-C: the rootfs files have their manifest contents" \
  python3 - "$manifest" "$tmp/x/$rootfs.1" <<'PY'
import hashlib, json, os, sys
bad = 0
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] != "file":
        continue
    p = sys.argv[2] + e["path"]
    if hashlib.sha256(open(p, "rb").read()).hexdigest() != e["sha256"]:
        print("differs:", e["path"]); bad += 1
    n += 1
print(n, "files compared")
sys.exit(1 if bad or n == 0 else 0)
PY

# ---- the NAND dump with spare bytes ---------------------------------------------------------
list "$fx/firmware-nand.bin" >"$tmp/nand.json"
check "firmware-nand.bin: a nand layer (2048+64) over the dump, ubi at 0 inside, no diagnostics" \
  jqtest -se --argjson size "$(fsize "$fx/firmware-nand.bin")" --argjson ubi "$(fsize "$fx/firmware.ubi")" '
    .[-1].summary as $s
    | ([$s.layers[] | select(.format == "nand")] | length == 1 and .[0].offset == 0 and .[0].size == $size
       and (.[0].info | test("2048\\+64")))
      and ([$s.layers[] | select(.format == "ubi")] | .[0].parent == "0.1" and .[0].offset == 0 and .[0].size == $ubi)
      and $s.diagnostics == []' "$tmp/nand.json"
check "firmware-nand.bin: rootfs = manifest" \
  python3 "$lib/compare_listing.py" "$manifest" "$tmp/nand.json" \
    --layer "$(layer_id "$tmp/nand.json" ubivolume rootfs).1" --hash

# The same image read from a small-page chip (512+16): 256 x 528 = 64 x 2112
# bytes per erase block, so only the data tells the two geometries apart.
python3 "$IOTCOP_SOURCE/tests/fixtures/gen-nand.py" oob --page 512 --spare 16 "$fx/firmware.ubi" "$tmp/nand512.bin"
list "$tmp/nand512.bin" >"$tmp/nand512.json"
check "512+16 NAND dump: geometry found, no diagnostics" \
  jqtest -se '.[-1].summary | ([.layers[] | select(.format == "nand")][0].info | test("512\\+16")) and .diagnostics == []' \
    "$tmp/nand512.json"
check "512+16 NAND dump: rootfs = manifest" \
  python3 "$lib/compare_listing.py" "$manifest" "$tmp/nand512.json" \
    --layer "$(layer_id "$tmp/nand512.json" ubivolume rootfs).1" --hash

# ---- one damaged erase block -----------------------------------------------------------------
peb=$(jq -r .damaged.peb "$meta")
rc=0
list "$fx/firmware-badpeb.ubi" >"$tmp/bad.json" || rc=$?
check "firmware-badpeb.ubi: exit 0" test "$rc" = 0
check "firmware-badpeb.ubi: a diagnostic names PEB $peb and its offset" \
  jqtest -se --arg want "PEB $peb at 0x$(printf %x $((peb * $(jq .geometry.peb "$meta"))))" \
    '[.[-1].summary.diagnostics[] | select(.message | startswith($want))] | length >= 1' "$tmp/bad.json"
check "firmware-badpeb.ubi: every file of the intact blocks comes out intact" \
  python3 - "$manifest" "$tmp/bad.json" "$(layer_id "$tmp/bad.json" ubivolume rootfs).1" <<'PY'
import json, sys
want = {json.loads(l)["path"]: json.loads(l) for l in open(sys.argv[1])}
rows = [json.loads(l) for l in open(sys.argv[2])]
layer = sys.argv[3]
diags = [d for d in rows[-1]["summary"]["diagnostics"] if d["layer"] == layer]
named = {d["message"].split(": ")[0] for d in diags}
got = {r["path"]: r for r in rows[:-1] if r.get("layer") == layer}
bad = 0
files = [p for p, e in want.items() if e["type"] == "file"]
for p in files:
    g = got.get(p)
    if g is None:
        # Gone with its directory entry: the directory must be named.
        if not any(p.startswith(d.rstrip("/") + "/") for d in named):
            print("missing without a diagnostic:", p); bad += 1
    elif g["type"] == "file" and g.get("sha256") != want[p]["sha256"] and p not in named:
        print("content differs without a diagnostic:", p); bad += 1
intact = sum(1 for p in files if p in got and got[p].get("sha256") == want[p]["sha256"])
print(f"{intact} of {len(files)} files intact, {len(files) - intact} named as damaged")
sys.exit(1 if bad or intact < len(files) * 0.8 or intact == len(files) else 0)
PY

# ---- the shared samples ------------------------------------------------------------------------
samples="$IOTCOP_SHARED/samples/fact-extractor/ubi"
list "$samples/test.ubifs" >"$tmp/sample-ubifs.json"
check "sample test.ubifs: the three files fact_extractor's test expects" \
  jqtest -se '[.[] | select(.type? == "file") | .path] | sort == ["/generic folder/test file 3_.txt", "/testfile1", "/testfile2"]' \
    "$tmp/sample-ubifs.json"
check "sample test.ubifs: no diagnostics" jqtest -se '.[-1].summary.diagnostics == []' "$tmp/sample-ubifs.json"
list "$samples/ubi.img" >"$tmp/sample-ubi.json"
check "sample ubi.img: one volume (fact_extractor's test: one file), no diagnostics" \
  jqtest -se '.[-1].summary | ([.layers[] | select(.format == "ubivolume")] | length == 1) and .diagnostics == []' \
    "$tmp/sample-ubi.json"
"$IOTCOP_BIN" unpack --in-process -C "$tmp/xs" "$samples/ubi.img" >/dev/null
check "sample ubi.img: its volume is test.ubifs byte for byte" \
  cmp -s "$tmp/xs/$(layer_id "$tmp/sample-ubi.json" ubivolume).bin" "$samples/test.ubifs"
check "sample ubi.img: the UBIFS in it lists as test.ubifs does" \
  python3 "$lib/compare_listing.py" <(jq -c 'select(.path?) | del(.layer)' "$tmp/sample-ubifs.json") \
    "$tmp/sample-ubi.json" --layer-format ubifs --hash

# ---- embedded between other bytes -------------------------------------------------------------
{ head -c 65536 /dev/urandom; cat "$fx/firmware.ubi"; head -c 100000 /dev/urandom; } >"$tmp/embedded.bin"
list "$tmp/embedded.bin" >"$tmp/embedded.json"
check "embedded UBI at 65536 with its own length" \
  jqtest -se --argjson size "$(fsize "$fx/firmware.ubi")" \
    '[.[-1].summary.layers[] | select(.format == "ubi")] | length == 1 and .[0].offset == 65536 and .[0].size == $size' \
    "$tmp/embedded.json"

# ---- damaged images: a normal end, partial results, diagnostics ---------------------------------
leb=$(jq .geometry.leb "$meta")
cp "$fx/rootfs-zlib.ubifs" "$tmp/nomaster.ubifs"
dd if=/dev/zero of="$tmp/nomaster.ubifs" bs="$leb" seek=1 count=2 conv=notrunc status=none
list "$tmp/nomaster.ubifs" >"$tmp/nomaster.json"
check "master nodes wiped: the main area is scanned, every file still there" \
  python3 "$lib/compare_listing.py" "$manifest" "$tmp/nomaster.json" --layer-format ubifs --hash
check "master nodes wiped: said so" \
  jqtest -se '[.[-1].summary.diagnostics[] | select(.message | test("no valid master node"))] | length == 1' \
    "$tmp/nomaster.json"
size=$(fsize "$fx/firmware.ubi")
head -c $((size * 3 / 4)) "$fx/firmware.ubi" >"$tmp/trunc.ubi"  # the rootfs volume cut
head -c $(($(fsize "$fx/rootfs-lzo.ubifs") / 2)) "$fx/rootfs-lzo.ubifs" >"$tmp/trunc.ubifs"
cp "$fx/rootfs-lzo.ubifs" "$tmp/flip.ubifs"
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); 
for off in range(3*126976, 6*126976, 4099): f.seek(off); f.write(b"\x5a")' "$tmp/flip.ubifs"
for bad in trunc.ubi trunc.ubifs flip.ubifs; do
  rc=0
  "$IOTCOP_BIN" unpack --list --format json "$tmp/$bad" >"$tmp/$bad.json" 2>"$tmp/$bad.err" || rc=$?
  check "$bad: exit 0 with a layer, files and diagnostics" \
    bash -c '[ "$1" = 0 ] && jq -se "(.[-1].summary.layers | length) >= 2 and (.[-1].summary.files > 10) and (.[-1].summary.diagnostics | length) >= 1" "$2" >/dev/null' \
    _ "$rc" "$tmp/$bad.json"
done
exit $fail

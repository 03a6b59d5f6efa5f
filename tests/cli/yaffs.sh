#!/usr/bin/env bash
# YAFFS2, Android sparse and Android boot images: iotcop's listing (unpack --list --format
# json --sha256) against what the real tools read.
#  - the YAFFS2 samples (fact-extractor little- and big-endian, binwalk's)
#    against what unyaffs extracts (unyaffs reads no big-endian image: the
#    big-endian sample holds the same tree as the little-endian one), found
#    by plain `iotcop unpack` and by `--as yaffs2`, embedded between other
#    bytes at their offset;
#  - Android sparse images made here by img2simg from an ext4 image (mke2fs
#    -d) and the fact-extractor sample: the ext4 inside must list exactly
#    as the image simg2img expands, and the expanded size be the raw size;
#  - Android boot images from mkbootimg (header v0-v3): sections where
#    unpack_bootimg finds them, the ramdisk's files listed;
#  - damaged images end normally with diagnostics.
# (Debian has no mkyaffs2image: geometries, rewrites and deletions are
# covered by tests/unit/test_yaffs.c.)
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ] || [ -z "${IOTCOP_SOURCE:-}" ]; then
  echo "IOTCOP_SHARED or IOTCOP_SOURCE unset: skipping"; exit 77
fi
for tool in unyaffs img2simg simg2img mke2fs mkbootimg unpack_bootimg cpio gzip fakeroot jq python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/yaffs.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib="$IOTCOP_SOURCE/tests/cli/lib"
common="$IOTCOP_SOURCE/tests/fixtures/lib/common.sh"
fail=0

check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
jqtest() { jq "$@" >/dev/null; }
list() { "$IOTCOP_BIN" unpack --in-process --list --format json --sha256 "$@"; }

# ---- YAFFS2 samples against unyaffs ----------------------------------------------------
samples="$IOTCOP_SHARED/samples"
unyaffs_manifest() { # image dir -> manifest on stdout
  fakeroot bash -c '. "$1"; unyaffs "$2" "$3" >/dev/null && manifest_tsv "$3" | manifest_json' _ \
    "$common" "$1" "$2"
}
unyaffs_manifest "$samples/fact-extractor/yaffs/yaffs2_le.img" "$tmp/x-le" >"$tmp/le.manifest"
unyaffs_manifest "$samples/binwalk/inputs/yaffs2.bin" "$tmp/x-bw" >"$tmp/bw.manifest"
for s in fact-extractor/yaffs/yaffs2_le.img:le fact-extractor/yaffs/yaffs2_be.img:le binwalk/inputs/yaffs2.bin:bw; do
  img="$samples/${s%:*}"
  manifest="$tmp/${s#*:}.manifest"
  name=$(basename "$img")
  list "$img" >"$tmp/$name.json"
  check "sample $name = unyaffs ($(wc -l <"$manifest") entries)" \
    python3 "$lib/compare_listing.py" "$manifest" "$tmp/$name.json" --layer-format yaffs2 --hash
  check "sample $name: one yaffs2 layer covering the file, no diagnostics" \
    jqtest -se --argjson size "$(stat -c %s "$img")" \
      '.[-1].summary | ([.layers[] | select(.format == "yaffs2")] | length == 1 and .[0].offset == 0 and .[0].size == $size) and (.diagnostics == [])' \
      "$tmp/$name.json"
  list --as yaffs2 "$img" >"$tmp/$name.as.json"
  check "sample $name with --as yaffs2 = unyaffs" \
    python3 "$lib/compare_listing.py" "$manifest" "$tmp/$name.as.json" --layer-format yaffs2 --hash
done
check "the big-endian sample's geometry is named" \
  jqtest -se '[.[-1].summary.layers[] | select(.format == "yaffs2") | .info] | .[0] | test("big-endian, 2048\\+64")' \
    "$tmp/yaffs2_be.img.json"
for want in '"/testfile1"' '"/testfile2"' '"/generic folder/test file 3_.txt"'; do
  check "yaffs2_be.img has $want" grep -q "\"path\":$want" "$tmp/yaffs2_be.img.json"
done

# Embedded between other bytes: at its offset, with its own length.
{ head -c 12345 /dev/urandom; cat "$samples/fact-extractor/yaffs/yaffs2_be.img"; head -c 5000 /dev/urandom; } >"$tmp/embedded.bin"
list "$tmp/embedded.bin" >"$tmp/embedded.json"
check "embedded YAFFS2 at 12345 with its own length" \
  jqtest -se --argjson size "$(stat -c %s "$samples/fact-extractor/yaffs/yaffs2_be.img")" \
    '[.[-1].summary.layers[] | select(.format == "yaffs2")] | length == 1 and .[0].offset == 12345 and .[0].size == $size' \
    "$tmp/embedded.json"

# ---- Android sparse images ----------------------------------------------------------------
src="$tmp/root"
cat >"$tmp/build.sh" <<'EOF'
set -eu
src=$1 out=$2
mkdir -p "$src/etc/init.d" "$src/bin" "$src/data"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$src/etc/passwd"
printf '#!/bin/sh\ntelnetd -l /bin/sh\n' >"$src/etc/init.d/S50telnet"
chmod 0750 "$src/etc/init.d/S50telnet"
head -c 300000 /dev/urandom >"$src/bin/busybox"
chmod 4755 "$src/bin/busybox"
ln -s busybox "$src/bin/sh"
seq 1 50000 >"$src/data/numbers"
chown -R 1000:1000 "$src/data"
mke2fs -q -t ext4 -b 4096 -d "$src" "$out/rootfs.ext4" 16M
EOF
fakeroot bash "$tmp/build.sh" "$src" "$tmp" || { echo "FAIL: building the ext4 image"; exit 1; }
img2simg "$tmp/rootfs.ext4" "$tmp/rootfs.simg"
img2simg "$tmp/rootfs.ext4" "$tmp/rootfs-16k.simg" 16384
cp "$samples/fact-extractor/android_simg/simg.img" "$tmp/sample.simg"
for simg in rootfs.simg rootfs-16k.simg sample.simg; do
  simg2img "$tmp/$simg" "$tmp/$simg.raw"
  list "$tmp/$simg.raw" | jq -c 'select(.path?) | {path, type, mode, uid, gid, size, link, sha256} | with_entries(select(.value != null))' >"$tmp/$simg.manifest"
  list "$tmp/$simg" >"$tmp/$simg.json"
  check "$simg: the ext4 inside = the ext4 simg2img expands ($(wc -l <"$tmp/$simg.manifest") entries)" \
    python3 "$lib/compare_listing.py" "$tmp/$simg.manifest" "$tmp/$simg.json" --layer-format ext --hash
  check "$simg: one androidsparse layer covering the file, expanded to the raw size" \
    jqtest -se --argjson size "$(stat -c %s "$tmp/$simg")" --argjson raw "$(stat -c %s "$tmp/$simg.raw")" \
      '.[-1].summary | ([.layers[] | select(.format == "androidsparse")] | length == 1 and .[0].offset == 0 and .[0].size == $size) and
        ([.layers[] | select(.format == "ext")] | length == 1 and .[0].size <= $raw) and (.diagnostics == [])' \
      "$tmp/$simg.json"
done
check "sample.simg holds the publisher's files" \
  jqtest -se '[.[] | select(.path?) | .path] | index("/get_files_test/generic folder/test file 3_.txt") != null' \
    "$tmp/sample.simg.json"

# ---- Android boot images (mkbootimg, header v0-v3) -------------------------------------------
# The kernel is a gzip stream, the ramdisk a gzip'd newc cpio of a small
# tree: iotcop must find the sections where unpack_bootimg finds them (its
# own extraction, byte for byte) and list the ramdisk's files.
mkdir -p "$tmp/rd/etc" "$tmp/rd/sbin"
printf 'root::0:0:root:/root:/bin/sh\n' >"$tmp/rd/etc/passwd"
head -c 20000 /dev/urandom >"$tmp/rd/sbin/adbd"
(cd "$tmp/rd" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -n >"$tmp/ramdisk.gz")
{ head -c 3000 /dev/urandom; seq 1 20000; } | gzip -n >"$tmp/kernel.gz"
# Sections as gzip streams, so that each becomes a layer that names its section.
{ head -c 2000 /dev/urandom; echo second; } | gzip -n >"$tmp/second.bin"
{ head -c 1000 /dev/urandom; echo dtb; } | gzip -n >"$tmp/dtb.bin"
# Debian's mkbootimg (1:10.0.0) divides page counts with "/" and then cannot
# pack the v1/v2 recovery DTBO offset: run a copy with integer division.
sed 's#page_size - 1) / page_size#page_size - 1) // page_size#' "$(command -v mkbootimg)" >"$tmp/mkbootimg.py"
for v in 0 1 2 3; do  # Debian's mkbootimg writes no v4
  extra=()
  case $v in
    0) extra=(--second "$tmp/second.bin" --pagesize 2048 --board iotcop-test) ;;
    1) extra=(--recovery_dtbo "$tmp/dtb.bin" --pagesize 4096) ;;
    2) extra=(--dtb "$tmp/dtb.bin" --pagesize 2048) ;;
  esac
  img="$tmp/boot-v$v.img"
  python3 "$tmp/mkbootimg.py" --header_version $v --kernel "$tmp/kernel.gz" --ramdisk "$tmp/ramdisk.gz" \
    --cmdline "console=ttyS0 androidboot.selinux=permissive" "${extra[@]}" -o "$img"
  rm -rf "$tmp/ub"
  unpack_bootimg --boot_img "$img" --out "$tmp/ub" >/dev/null
  list "$img" >"$tmp/boot-v$v.json"
  check "boot-v$v.img: one androidboot layer covering the file" \
    jqtest -se --argjson size "$(stat -c %s "$img")" \
      '[.[-1].summary.layers[] | select(.format == "androidboot")] | length == 1 and .[0].offset == 0 and .[0].size == $size' \
      "$tmp/boot-v$v.json"
  check "boot-v$v.img: the ramdisk's files are listed" \
    jqtest -se '[.[] | select(.path?) | .path] | (index("/etc/passwd") != null) and (index("/sbin/adbd") != null)' \
      "$tmp/boot-v$v.json"
  # Each section unpack_bootimg wrote sits, byte for byte, at the offset iotcop gives it.
  for sec in kernel ramdisk second dtb recovery_dtbo; do
    [ -s "$tmp/ub/$sec" ] || continue
    off=$(jq -se --arg n "$sec" '[.[-1].summary.layers[] | select(.name == $n) | .offset] | .[0] // -1' "$tmp/boot-v$v.json")
    check "boot-v$v.img: $sec at $off = unpack_bootimg's" \
      cmp -s -n "$(stat -c %s "$tmp/ub/$sec")" "$tmp/ub/$sec" <(tail -c +$((off + 1)) "$img")
  done
done

# ---- damaged images: a normal end, partial results, diagnostics --------------------------
damage() { # image offset bytes -> copy with bytes overwritten
  cp "$1" "$4"
  printf "$3" | dd of="$4" bs=1 seek="$2" conv=notrunc status=none
}
le="$samples/fact-extractor/yaffs/yaffs2_le.img"
head -c 9000 "$le" >"$tmp/trunc.yaffs2"
damage "$le" $((2112 * 3 + 2048 + 2)) '\x00\x01\x02\x03\x04\x05\x06\x07' "$tmp/flip.yaffs2"
size=$(stat -c %s "$tmp/rootfs.simg")
head -c $((size / 2)) "$tmp/rootfs.simg" >"$tmp/trunc.simg"
damage "$tmp/rootfs.simg" 32 '\x77\x77\x77\x77\x00\x00\x00\x10' "$tmp/flip.simg"
head -c 6000 "$tmp/boot-v2.img" >"$tmp/trunc.bootimg"
for bad in trunc.yaffs2 flip.yaffs2 trunc.simg flip.simg trunc.bootimg; do
  rc=0
  "$IOTCOP_BIN" unpack --list --format json "$tmp/$bad" >"$tmp/$bad.json" 2>"$tmp/$bad.err" || rc=$?
  check "$bad: exit 0 with a layer and diagnostics" \
    bash -c '[ "$1" = 0 ] && jq -se "(.[-1].summary.layers | length) >= 2 and (.[-1].summary.diagnostics | length) >= 1" "$2" >/dev/null' \
    _ "$rc" "$tmp/$bad.json"
done
exit $fail

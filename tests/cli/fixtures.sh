#!/usr/bin/env bash
# Every fixture built from real Debian packages unpacks to exactly what went
# in: the file listing (paths, types, modes, owners, sizes, link targets and
# content hashes) equals the manifest recorded with find/stat when the
# fixture was built, and every layer sits at the offset it was built at.
set -euo pipefail
: "${IOTCOP_BIN:?}" "${IOTCOP_SOURCE:?}" "${IOTCOP_TMP:?}"
fx=${IOTCOP_FIXTURES:-}
if [ -z "$fx" ] || [ ! -f "$fx/sample/firmware.uimage" ]; then
  echo "fixtures not built (tests/fixtures/build-all.sh \$IOTCOP_FIXTURES)"; exit 77
fi
lib="$IOTCOP_SOURCE/tests/cli/lib"
out="$IOTCOP_TMP/fixtures.$$"
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
fail=0

listing() { # image -> $out/<name>.jsonl
  local name
  name=$(echo "$1" | tr '/' '_')
  "$IOTCOP_BIN" unpack --list --format json --sha256 "$1" >"$out/$name.jsonl"
  echo "$out/$name.jsonl"
}

check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

for dir in sample clean old; do
  d="$fx/$dir"
  [ -d "$d" ] || { echo "FAIL: fixture $d missing"; fail=1; continue; }
  for image in firmware.uimage vendor.bin; do
    l=$(listing "$d/$image")
    check "$dir/$image files = manifest" \
      python3 "$lib/compare_listing.py" "$d/rootfs.squashfs.manifest.jsonl" "$l" --layer-format squashfs --hash
    check "$dir/$image layers at their offsets" \
      python3 "$lib/check_layers.py" "$l" "$d/layers.json" files "$image" layers
  done
done

f="$fx/formats"
for sq in "$f"/rootfs-*.squashfs; do
  l=$(listing "$sq")
  check "$(basename "$sq") files = manifest" \
    python3 "$lib/compare_listing.py" "$sq.manifest.jsonl" "$l" --layer-format squashfs --hash
done
l=$(listing "$f/initramfs.cpio.gz")
check "initramfs.cpio.gz files = manifest" \
  python3 "$lib/compare_listing.py" "$f/initramfs.cpio.gz.manifest.jsonl" "$l" --layer-format cpio --hash
l=$(listing "$f/update.tar.gz")
check "update.tar.gz files = manifest" \
  python3 "$lib/compare_listing.py" "$f/update.tar.gz.manifest.jsonl" "$l" --layer-format tar --hash
l=$(listing "$f/rootfs.ext4")
check "rootfs.ext4 files = manifest" \
  python3 "$lib/compare_listing.py" "$f/rootfs.ext4.manifest.jsonl" "$l" --layer-format ext --hash
l=$(listing "$f/trx-in.zip")
check "trx-in.zip members = manifest" \
  python3 "$lib/compare_listing.py" "$f/trx-in.zip.manifest.jsonl" "$l" --layer-format zip --hash
check "trx-in.zip: the TRX's squashfs = manifest" \
  python3 "$lib/compare_listing.py" "$f/rootfs-xz.squashfs.manifest.jsonl" "$l" --layer-format squashfs --hash
for fit in image.fit image-signed.fit; do
  l=$(listing "$f/$fit")
  check "$fit layers at their offsets" python3 "$lib/check_layers.py" "$l" "$f/formats.json" files "$fit" layers
  check "$fit rootfs = manifest" \
    python3 "$lib/compare_listing.py" "$f/rootfs-xz.squashfs.manifest.jsonl" "$l" --layer-format squashfs --hash
done

# Single compressed files: the decompressed layer is the original busybox.
for c in gz xz lzma bz2 zst lz4 lzo; do
  img="$f/busybox.$c"
  "$IOTCOP_BIN" unpack -C "$out/x-$c" "$img" >/dev/null
  want=$(python3 -c "import json,sys; print(json.load(open('$f/formats.json'))['files']['busybox.$c']['uncompressed_sha256'])")
  got=$(sha256sum "$out/x-$c/0.1.bin" | cut -d' ' -f1)
  check "busybox.$c decompresses to the original" [ "$want" = "$got" ]
done
exit $fail

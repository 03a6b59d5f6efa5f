#!/usr/bin/env bash
# Every fixture built from real Debian packages unpacks to exactly what went
# in: the file listing (paths, types, modes, owners, sizes, link targets and
# content hashes) equals the manifest recorded with find/stat when the
# fixture was built, and every layer sits at the offset it was built at.
# The two releases differ only where they were built to differ, and the
# clean fixture's release image (the signed FIT) gives no finding above info
# from the firmware checks (known-CVE findings of the vuln family aside).
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

for dir in sample clean old release-v1 release-v2; do
  d="$fx/$dir"
  [ -d "$d" ] || { echo "FAIL: fixture $d missing"; fail=1; continue; }
  images="firmware.uimage vendor.bin"
  [ ! -f "$d/firmware.fit" ] || images="$images firmware.fit"
  for image in $images; do
    l=$(listing "$d/$image")
    check "$dir/$image files = manifest" \
      python3 "$lib/compare_listing.py" "$d/rootfs.squashfs.manifest.jsonl" "$l" --layer-format squashfs --hash
    check "$dir/$image layers at their offsets" \
      python3 "$lib/check_layers.py" "$l" "$d/layers.json" files "$image" layers
  done
done

# release-v1 -> v2: telnetd gone from inittab, busybox 1.30.1 -> 1.35.0 (and
# its setuid copy); nothing else.
check "release-v1 and release-v2 differ in inittab and busybox only" python3 - \
  "$fx/release-v1" "$fx/release-v2" <<'PY'
import json, sys
v1, v2 = sys.argv[1:3]
def manifest(d):
    return {e["path"]: e for e in map(json.loads, open(d + "/rootfs.squashfs.manifest.jsonl"))}
m1, m2 = manifest(v1), manifest(v2)
changed = sorted(p for p in set(m1) | set(m2) if m1.get(p) != m2.get(p))
errors = []
if changed != ["/bin/busybox", "/etc/inittab", "/usr/bin/bb-suid"]:
    errors.append(f"changed: {changed}")
l1, l2 = (json.load(open(d + "/layers.json")) for d in (v1, v2))
bb = [next(p["version"] for p in l["packages"] if p["role"] == "busybox") for l in (l1, l2)]
if [v.split(":")[-1].split("-")[0] for v in bb] != ["1.30.1", "1.35.0"]:
    errors.append(f"busybox versions {bb}")
others = [{p["role"]: p["version"] for p in l["packages"] if p["role"] != "busybox"} for l in (l1, l2)]
if others[0] != others[1]:
    errors.append("other packages differ")
if (l1["build"]["telnet"], l2["build"]["telnet"]) != ("on", "off"):
    errors.append(f"telnet {l1['build']['telnet']} -> {l2['build']['telnet']}")
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY

# The clean fixture is clean: its signed FIT gives nothing above info; the
# legacy uImage of the same kernel and rootfs only the missing signature.
for image in firmware.fit firmware.uimage; do
  "$IOTCOP_BIN" firmware --format json -o "$out/clean-$image.json" "$fx/clean/$image" ||
    { echo "FAIL: firmware clean/$image exited $?"; fail=1; }
done
check "clean: nothing above info (firmware.fit), only integrity.unsigned-image (firmware.uimage)" \
  python3 - "$out/clean-firmware.fit.json" "$out/clean-firmware.uimage.json" <<'PY'
import json, sys
fit, uimage = (json.load(open(p)) for p in sys.argv[1:3])
def above_info(r):
    return sorted(f"{f['severity']} {f['rule']} {f['location'].get('path')}" for f in r["findings"]
                  if f["severity"] != "info" and not f["rule"].startswith("vuln."))
errors = []
if above_info(fit):
    errors.append(f"firmware.fit: {above_info(fit)}")
if above_info(uimage) != ["low integrity.unsigned-image None"]:
    errors.append(f"firmware.uimage: {above_info(uimage)}")
if not any(f["rule"] == "integrity.signed-image" for f in fit["findings"]):
    errors.append("firmware.fit: the signed FIT is not seen")
if not any(f["rule"] == "elf.hardening-summary" for f in fit["findings"]):
    errors.append("firmware.fit: the root file system was not audited")
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY

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

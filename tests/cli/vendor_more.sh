#!/usr/bin/env bash
# More vendor containers, on the real samples of fkie-cad/fact_extractor
# with what its own tests expect: TP-Link VxWorks IMG0, DrayTek Vigor 167,
# Broadcom SAO, Alpha Networks, MaxLinear unified images, Tenvis PK2, Bosch
# .fw and Buffalo's bgn prefix; then damaged, cut and encrypted copies.
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ]; then
  echo "IOTCOP_SHARED unset: skipping"; exit 77
fi
for tool in jq python3 unsquashfs openssl xxd; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/vendor_more.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
samples="$IOTCOP_SHARED/samples/fact-extractor"
fail=0

eq() { # description expected actual
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fail=1; fi
}
check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
jqe() { jq -e "$@" >/dev/null; }
list() { # image out: OUT.jsonl (entries) and OUT.json (summary)
  local rc=0
  "$IOTCOP_BIN" unpack --list --format json --sha256 "$1" >"$2.jsonl" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then echo "FAIL: $1: iotcop unpack exited $rc"; fail=1; fi
  tail -n 1 "$2.jsonl" | jq -c '.summary' >"$2.json"
}
field() { jq -r --arg f "$3" "[.layers[] | select($2)][0][\$f] // \"\"" "$1"; }
has_diag() { jqe --arg l "$2" --arg c "$3" 'any(.diagnostics[]; .layer == $l and .code == $c)' "$1"; }
no_diag() { ! has_diag "$@"; }
file_sha() { jq -r --arg p "$2" 'select(.path == $p) | .sha256' "$1"; }
file_paths() { jq -r 'select(.type == "file" and .layer == "0.1") | .path' "$1" | sort | tr '\n' ' '; }
sha_of() { sha256sum | cut -d' ' -f1; }
range_sha() { # file start [end]
  python3 -c 'import sys, hashlib; d = open(sys.argv[1], "rb").read(); e = int(sys.argv[3]) if len(sys.argv) > 3 else len(d); print(hashlib.sha256(d[int(sys.argv[2]):e]).hexdigest())' "$@"
}
patch() { # file offset hexbytes: writes bytes in place
  python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); f.write(bytes.fromhex(sys.argv[3]))' "$@"
}
flip() { python3 -c 'import sys; f = open(sys.argv[1], "r+b"); o = int(sys.argv[2]); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0x5a]))' "$@"; }
cut_to() { head -c "$2" "$1" >"$3"; }

# ---- TP-Link VxWorks IMG0: tpl/wr.fw ---------------------------------------------------------
# plugins/unpacking/tpwr702n/test: the MD5 a1ea03bf... after the 4-byte word,
# IMG0 of 1539104 bytes (device 0x0702, English 0x1101) at 20, a sub-header of
# 1276832 bytes, the OS (LZMA) at 262420, and main.7z / main.owfs with these
# hashes: the OS section runs up to the "owowowow" file system, which runs to
# the end.
img="$samples/tpl/wr.fw"
list "$img" "$tmp/img0"
j="$tmp/img0.json"
eq "wr.fw: IMG0 over the whole file" "tplinkimg0 0 1539124" \
  "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' offset) $(field "$j" '.id=="0.1"' size)"
check "wr.fw: info names device, language and the prefix MD5" \
  jqe '.layers[1].info | test("device 0x0702, language English \\(0x1101\\).*prefix MD5 a1ea03bf7466517aa545779640e01acd")' "$j"
inner_off=$(field "$j" '.id=="0.1.1"' offset)
eq "wr.fw: nested IMG0 at 0x40094 (fact_extractor's sub_header), 1276832 bytes" "tplinkimg0 $((0x40094)) 1276832" \
  "$(field "$j" '.id=="0.1.1"' format) $inner_off $(field "$j" '.id=="0.1.1"' size)"
os_off=$((inner_off + $(field "$j" '.name=="os"' offset)))
eq "wr.fw: OS (LZMA) at 262420 (os_offset)" "lzma 262420" "$(field "$j" '.name=="os"' format) $os_off"
fs_off=$((inner_off + $(jq '[.regions[] | select(.layer == "0.1.1" and .offset > 0)][0].offset' "$j")))
eq "wr.fw: main.7z = OS section up to the file system" \
  099491872fcab8a4f05f18f1e3566150f3049bf1f3d9d6354437e5e371251e66 "$(range_sha "$img" "$os_off" "$fs_off")"
eq "wr.fw: main.owfs = the file system section to the end" \
  c14d965a60f1b388120695951fed05425e025af6f204332ea2eeca5b9427065d "$(range_sha "$img" "$fs_off")"
"$IOTCOP_BIN" unpack -C "$tmp/img0-x" "$img" >/dev/null
os_id=$(field "$j" '.name=="os"' id)
eq "wr.fw: the OS decompressed as Python's lzma decodes it" \
  "$(python3 -c 'import sys, lzma, hashlib; d = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]; print(hashlib.sha256(lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(d)).hexdigest())' "$img" "$os_off")" \
  "$(sha_of <"$tmp/img0-x/$os_id.bin")"
cut_to "$img" 1000000 "$tmp/cut-wr.fw"
list "$tmp/cut-wr.fw" "$tmp/cut-img0"
eq "wr.fw cut to 1000000 bytes: IMG0 over what is left" "tplinkimg0 1000000" \
  "$(field "$tmp/cut-img0.json" '.id=="0.1"' format) $(field "$tmp/cut-img0.json" '.id=="0.1"' size)"
check "wr.fw cut: E_TRUNCATED" jqe 'any(.diagnostics[]; .code == "E_TRUNCATED")' "$tmp/cut-img0.json"
# The 20-byte prefix is only read at the start of a layer: the bare nested
# IMG0 on its own is one IMG0 of three sections.
dd if="$img" of="$tmp/inner.img0" bs=4 skip=$((0x40094 / 4)) status=none
list "$tmp/inner.img0" "$tmp/inner"
eq "wr.fw's nested IMG0 alone: no prefix, three sections, OS first" "tplinkimg0 0 lzma 128" \
  "$(field "$tmp/inner.json" '.id=="0.1"' format) $(field "$tmp/inner.json" '.id=="0.1"' offset) $(field "$tmp/inner.json" '.name=="os"' format) $(field "$tmp/inner.json" '.name=="os"' offset)"

# ---- DrayTek Vigor 167 ----------------------------------------------------------------------
# test_draytek_vigor_167.py: the SquashFS (squashfs_root) is 73b648f4... and
# follows the 256-byte header and the kernel (0 bytes here).
d="$samples/draytek_vigor_167"
list "$d/valid_draytekvigor167_image.bin" "$tmp/dray"
j="$tmp/dray.json"
eq "valid DrayTek: over the file, header + rootfs + trailer" "draytek 4401" \
  "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
eq "valid DrayTek: SquashFS rootfs at 256" "squashfs 256" \
  "$(field "$j" '.name=="rootfs"' format) $(field "$j" '.name=="rootfs"' offset)"
eq "valid DrayTek: squashfs_root as fact_extractor hashes it" \
  73b648f484ab0a34ce00729ce8b7ef183885b4b5c540344a8451d18fe94cc2fa "$(range_sha "$d/valid_draytekvigor167_image.bin" 256 4352)"
unsquashfs -lln -o 256 "$d/valid_draytekvigor167_image.bin" | awk '{print $NF}' | sed 's|^squashfs-root||; s|^$|/|' | sort >"$tmp/dray-unsq"
eq "valid DrayTek: SquashFS paths = unsquashfs -lln" "$(tr '\n' ' ' <"$tmp/dray-unsq")" \
  "$(jq -r 'select(.path) | .path' "$tmp/dray.jsonl" | sort | tr '\n' ' ')"
# The test sample's CRC and MD5 are placeholders: both mismatch.
check "valid DrayTek: the sample's placeholder CRC and MD5 reported" \
  jqe '[.diagnostics[] | select(.code == "E_CHECKSUM")] | length == 2' "$j"
# Fixed as DrayTek's packer writes them (CRC-32 from ffffffff without the
# final inversion over kernel and rootfs; MD5 of everything before the trailer).
cp "$d/valid_draytekvigor167_image.bin" "$tmp/dray-fixed.bin"
python3 - "$tmp/dray-fixed.bin" <<'EOF'
import hashlib, struct, sys, zlib
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
kernel, rootfs = struct.unpack(">II", d[0x50:0x58])
end = 256 + kernel + rootfs
d[12:16] = struct.pack(">I", zlib.crc32(bytes(d[256:end])) ^ 0xffffffff)
d[end + 16:end + 48] = hashlib.md5(bytes(d[:end])).hexdigest().encode()
open(p, "wb").write(d)
EOF
list "$tmp/dray-fixed.bin" "$tmp/dray-fixed"
check "DrayTek with the right CRC and MD5: no E_CHECKSUM" no_diag "$tmp/dray-fixed.json" 0.1 E_CHECKSUM
cp "$tmp/dray-fixed.bin" "$tmp/dray-bad.bin"
flip "$tmp/dray-bad.bin" 3000
list "$tmp/dray-bad.bin" "$tmp/dray-bad"
check "DrayTek with a changed rootfs byte: CRC and MD5 mismatch, SquashFS still read" \
  jqe '([.diagnostics[] | select(.code == "E_CHECKSUM")] | length == 2) and any(.layers[]; .format == "squashfs")' "$tmp/dray-bad.json"
list "$d/invalid_draytekvigor167_image_struct_error.bin" "$tmp/dray-inv"
check "invalid DrayTek (fact_extractor: not recognised): trailer damaged and image cut reported" \
  jqe 'any(.diagnostics[]; .code == "E_FORMAT" and (.message | test("DrayTekImageMD5"))) and any(.diagnostics[]; .code == "E_TRUNCATED")' "$tmp/dray-inv.json"
cut_to "$d/valid_draytekvigor167_image.bin" 200 "$tmp/dray-cut.bin"
list "$tmp/dray-cut.bin" "$tmp/dray-cut"
eq "DrayTek cut inside the header: still recognised, E_TRUNCATED" "draytek 200 true" \
  "$(field "$tmp/dray-cut.json" '.id=="0.1"' format) $(field "$tmp/dray-cut.json" '.id=="0.1"' size) $(jq 'any(.diagnostics[]; .code == "E_TRUNCATED")' "$tmp/dray-cut.json")"
cp "$tmp/dray-fixed.bin" "$tmp/dray-enc.bin"
patch "$tmp/dray-enc.bin" $((0x8c)) 0100000012345678
list "$tmp/dray-enc.bin" "$tmp/dray-enc"
check "DrayTek with the encryption flag: E_ENCRYPTED naming the scheme, nothing carved" \
  jqe 'any(.diagnostics[]; .code == "E_ENCRYPTED" and .offset == 256 and (.message | test("DrayTek Vigor 167.*ChaCha20")))
       and (.layers[1].info | test("^encrypted: DrayTek")) and (.layers | length == 2)' "$tmp/dray-enc.json"
# Encrypted as DrayTek's tool does (ChaCha20, key "Vigor167" + bytes 8..31,
# nonce: the word at 0x90 + bytes 4..11), here by openssl: decrypted with
# the published key; a changed ciphertext byte leaves it reported encrypted.
cp "$tmp/dray-fixed.bin" "$tmp/dray-chacha.bin"
patch "$tmp/dray-chacha.bin" $((0x8c)) 01000000cafef00d
head -c 256 "$tmp/dray-chacha.bin" >"$tmp/dray-chacha-head"
tail -c +257 "$tmp/dray-chacha.bin" |
  openssl enc -chacha20 -K "$(printf 'Vigor167' | xxd -p)08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" \
    -iv 00000000cafef00d0405060708090a0b >"$tmp/dray-chacha-tail"
cat "$tmp/dray-chacha-head" "$tmp/dray-chacha-tail" >"$tmp/dray-chacha.bin"
list "$tmp/dray-chacha.bin" "$tmp/dray-chacha"
check "DrayTek encrypted with the published key: decrypted, SquashFS read, CRC and MD5 hold" \
  jqe '(.layers[1].info | test("decrypted with the published ChaCha20 key")) and any(.layers[]; .format == "squashfs" and .name == "rootfs")
       and ([.diagnostics[] | select(.code == "E_CHECKSUM" or .code == "E_ENCRYPTED" or .code == "E_FORMAT")] | length == 0)' "$tmp/dray-chacha.json"
eq "DrayTek decrypted: same SquashFS entries as the plain image" "$(jq -r 'select(.path) | "\(.path) \(.sha256 // "")"' "$tmp/dray-fixed.jsonl" | sort | sha_of)" \
  "$(jq -r 'select(.path) | "\(.path) \(.sha256 // "")"' "$tmp/dray-chacha.jsonl" | sort | sha_of)"
flip "$tmp/dray-chacha.bin" 1000
list "$tmp/dray-chacha.bin" "$tmp/dray-chacha-bad"
check "DrayTek encrypted, a ciphertext byte changed: reported encrypted, key unknown" \
  jqe 'any(.diagnostics[]; .code == "E_ENCRYPTED" and (.message | test("key unknown"))) and (.layers | length == 2)' "$tmp/dray-chacha-bad.json"

# ---- Broadcom SAO ------------------------------------------------------------------------------
# test_plugin_broadcom_sao.py: four files, META, DTBB, KRNL, RTFS.
img="$samples/broadcom/broadcom-sao.bin"
list "$img" "$tmp/sao"
j="$tmp/sao.json"
eq "broadcom-sao.bin: SAO over the file" "broadcomsao 4540" "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
eq "broadcom-sao.bin: the four objects" "/DTBB /KRNL /META /RTFS " "$(file_paths "$tmp/sao.jsonl")"
while read -r path at size; do
  eq "broadcom-sao.bin: $path = $size bytes at $at" "$(range_sha "$img" "$at" $((at + size)))" "$(file_sha "$tmp/sao.jsonl" "$path")"
done <<'EOF'
/META 64 29
/DTBB 157 119
/KRNL 340 40
/RTFS 444 4096
EOF
check "broadcom-sao.bin: data CRCs hold" no_diag "$j" 0.1 E_CHECKSUM
check "broadcom-sao.bin: the RTFS object is a SquashFS, the DTBB a device tree" \
  jqe 'any(.layers[]; .format == "squashfs" and .path == "/RTFS") and any(.layers[]; .format == "fit" and .path == "/DTBB")' "$j"
cp "$img" "$tmp/sao-bad.bin"; flip "$tmp/sao-bad.bin" 350
list "$tmp/sao-bad.bin" "$tmp/sao-bad"
check "broadcom-sao.bin with a changed KRNL byte: E_CHECKSUM naming KRNL, all four objects kept" \
  jqe 'any(.diagnostics[]; .code == "E_CHECKSUM" and (.message | test("KRNL")))' "$tmp/sao-bad.json"
eq "broadcom-sao.bin with a changed byte: four objects" "/DTBB /KRNL /META /RTFS " "$(file_paths "$tmp/sao-bad.jsonl")"
cut_to "$img" 2000 "$tmp/sao-cut.bin"
list "$tmp/sao-cut.bin" "$tmp/sao-cut"
check "broadcom-sao.bin cut to 2000: E_TRUNCATED, RTFS cut, the others whole" \
  jqe 'any(.diagnostics[]; .code == "E_TRUNCATED" and (.message | test("RTFS")))' "$tmp/sao-cut.json"
eq "broadcom-sao.bin cut: META still whole" "$(file_sha "$tmp/sao.jsonl" /META)" "$(file_sha "$tmp/sao-cut.jsonl" /META)"
cp "$img" "$tmp/sao-enc.bin"; patch "$tmp/sao-enc.bin" $((0x114 + 26)) 80
list "$tmp/sao-enc.bin" "$tmp/sao-enc"
check "broadcom-sao.bin with KRNL marked encrypted: E_ENCRYPTED at its data, no KRNL file" \
  jqe 'any(.diagnostics[]; .code == "E_ENCRYPTED" and .offset == 340 and (.message | test("Broadcom SAO")))' "$tmp/sao-enc.json"
eq "broadcom-sao.bin encrypted KRNL: three files" "/DTBB /META /RTFS " "$(file_paths "$tmp/sao-enc.jsonl")"

# ---- Alpha Networks ------------------------------------------------------------------------
# test_plugin_alphanetworks.py: script.sh, ddPack.elf (starts "foobar") and
# firmware.bin ("firmware_foobar\n"); the inverted sample: script.sh and
# firmware.bin ending in "fw_foobar".
d="$samples/alphanetworks"
list "$d/test_sample" "$tmp/alpha"
eq "alphanetworks test_sample: three files" "/ddPack.elf /firmware.bin /script.sh " "$(file_paths "$tmp/alpha.jsonl")"
eq "alphanetworks test_sample: firmware.bin" "$(printf 'firmware_foobar\n' | sha_of)" "$(file_sha "$tmp/alpha.jsonl" /firmware.bin)"
eq "alphanetworks test_sample: ddPack.elf decoded from base64" "$(printf 'foobar1234' | sha_of)" "$(file_sha "$tmp/alpha.jsonl" /ddPack.elf)"
eq "alphanetworks test_sample: script.sh up to the ddPack boundary" "$(head -c 56 "$d/test_sample" | sha_of)" "$(file_sha "$tmp/alpha.jsonl" /script.sh)"
list "$d/test_sample_inverted" "$tmp/alpha-inv"
eq "alphanetworks inverted: two files" "/firmware.bin /script.sh " "$(file_paths "$tmp/alpha-inv.jsonl")"
"$IOTCOP_BIN" unpack -C "$tmp/alpha-x" "$d/test_sample_inverted" >/dev/null
eq "alphanetworks inverted: firmware.bin inverted back, ends in fw_foobar" "REDSONIC fw_foobar" \
  "$(head -c 8 "$tmp/alpha-x/0.1/firmware.bin") $(tail -c 9 "$tmp/alpha-x/0.1/firmware.bin")"
printf '#!/bin/sh\necho hello\n=== Firmware Boundaries ===\n' >"$tmp/plain.sh"
list "$tmp/plain.sh" "$tmp/plain"
eq "a plain shell script is not an Alpha Networks update" 1 "$(jq '.layers | length' "$tmp/plain.json")"

# ---- MaxLinear unified image ---------------------------------------------------------------
# test_plugin_maxlinear_uimage.py: atomkernel.img, atomrootfs.hsqs,
# armkernel.img, armrootfs.hsqs (four parts of 128 bytes after the 160-byte header).
img="$samples/maxlinear/maxlinear-uimage-v2.bin"
list "$img" "$tmp/mxl"
eq "maxlinear-uimage-v2.bin: over the file" "maxlinear 672" "$(field "$tmp/mxl.json" '.id=="0.1"' format) $(field "$tmp/mxl.json" '.id=="0.1"' size)"
eq "maxlinear-uimage-v2.bin: the four parts" "/armkernel.img /armrootfs.hsqs /atomkernel.img /atomrootfs.hsqs " "$(file_paths "$tmp/mxl.jsonl")"
at=160
for p in atomkernel.img atomrootfs.hsqs armkernel.img armrootfs.hsqs; do
  eq "maxlinear-uimage-v2.bin: /$p at $at" "$(range_sha "$img" $at $((at + 128)))" "$(file_sha "$tmp/mxl.jsonl" "/$p")"
  at=$((at + 128))
done
cut_to "$img" 400 "$tmp/mxl-cut.bin"
list "$tmp/mxl-cut.bin" "$tmp/mxl-cut"
check "maxlinear cut to 400: E_TRUNCATED" \
  jqe 'any(.diagnostics[]; .code == "E_TRUNCATED")' "$tmp/mxl-cut.json"
eq "maxlinear cut to 400: parts present" "/atomkernel.img /atomrootfs.hsqs " "$(file_paths "$tmp/mxl-cut.jsonl")"
# test_plugin_maxlinear_puma_8_vendor_image.py: signature.der (the DER at 0),
# kernel, rootfs (uImages) and puma8.dtb. The signature's first certificate
# as openssl names it.
img="$samples/maxlinear/maxlinear-puma-8-vendor-image.bin"
list "$img" "$tmp/puma8"
j="$tmp/puma8.json"
eq "puma-8 vendor image: DOCSIS code file over the file" "docsiscode 3581" "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
der_len=$((4 + 0x$(head -c 4 "$img" | tail -c 2 | xxd -p)))
subject=$(head -c "$der_len" "$img" | openssl pkcs7 -inform DER -print_certs -noout | grep -m1 '^subject=')
cn=$(sed -n 's/.*CN = \(.*\)$/\1/p' <<<"$subject"); org=$(sed -n 's/.*O = \([^,]*\),.*/\1/p' <<<"$subject")
check "puma-8 vendor image: signature of $der_len bytes, first certificate '$cn' of '$org'" \
  jqe --arg i "SignedData of $der_len bytes, 2 certificates, first '$cn' of '$org'" '.layers[1].info | contains($i)' "$j"
check "puma-8 vendor image: kernel and rootfs uImages and the device tree inside the signed image" \
  jqe '[.layers[] | select(.parent == "0.1") | .info] | (any(test("Junk Kernel.*Kernel Image")) and any(test("Junk RootFS.*Filesystem Image")) and any(test("device tree")))' "$j"
head -c "$der_len" "$img" >"$tmp/puma8-sig.der"
list "$tmp/puma8-sig.der" "$tmp/puma8-sig"
eq "the signature alone is not a code file" 1 "$(jq '.layers | length' "$tmp/puma8-sig.json")"

# ---- Tenvis PK2 -------------------------------------------------------------------------------
# test_tenvis_pk2.py: files foo ("foobar\n") and bar, a CMD 'echo "foobar"';
# broken.pk2 fails at offset 91 with no file.
d="$samples/tenvis_pk2"
list "$d/test.pk2" "$tmp/pk2"
j="$tmp/pk2.json"
eq "test.pk2: PK2 over the file" "tenvispk2 158" "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
eq "test.pk2: files foo and bar" "/bar /foo " "$(file_paths "$tmp/pk2.jsonl")"
eq "test.pk2: foo decoded" "$(printf 'foobar\n' | sha_of)" "$(file_sha "$tmp/pk2.jsonl" /foo)"
eq "test.pk2: bar decoded" "$(printf 'test\n1234\n' | sha_of)" "$(file_sha "$tmp/pk2.jsonl" /bar)"
check "test.pk2: the command is named, MD5s hold" \
  jqe '(.layers[1].info | test("1 command \\(first: .echo .foobar")) and ([.diagnostics[] | select(.code == "E_CHECKSUM")] | length == 0)' "$j"
list "$d/broken.pk2" "$tmp/pk2-broken"
check "broken.pk2: cut at 91, no file" jqe 'any(.diagnostics[]; .code == "E_TRUNCATED" and .offset == 91)' "$tmp/pk2-broken.json"
eq "broken.pk2: no file" "" "$(file_paths "$tmp/pk2-broken.jsonl")"
cp "$d/test.pk2" "$tmp/pk2-bad.pk2"; flip "$tmp/pk2-bad.pk2" 150
list "$tmp/pk2-bad.pk2" "$tmp/pk2-bad"
check "test.pk2 with a changed data byte: E_CHECKSUM, both files kept" \
  jqe 'any(.diagnostics[]; .code == "E_CHECKSUM" and .offset == 135)' "$tmp/pk2-bad.json"

# ---- Bosch .fw --------------------------------------------------------------------------------
# test_boschtool.py: test_file_1.txt and test_file_2.txt, both with "test
# file!"; a sub-header at 1024.
img="$samples/boschtool/test.fw"
list "$img" "$tmp/bosch"
j="$tmp/bosch.json"
eq "test.fw: Bosch over the file" "bosch 2292" "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
eq "test.fw: the two files" "/test_file_1.txt /test_file_2.txt " "$(file_paths "$tmp/bosch.jsonl")"
"$IOTCOP_BIN" unpack -C "$tmp/bosch-x" "$img" >/dev/null
check "test.fw: both say 'test file!'" grep -q 'test file!' "$tmp/bosch-x/0.1/test_file_1.txt" "$tmp/bosch-x/0.1/test_file_2.txt"
eq "test.fw: test_file_1.txt" "$(printf 'this is a test file!\n\n\0' | sha_of)" "$(file_sha "$tmp/bosch.jsonl" /test_file_1.txt)"
check "test.fw: one image in an outer header" jqe '.layers[1].info | test("1 image in an outer header, 2 files")' "$j"
cp "$img" "$tmp/bosch-enc.fw"; patch "$tmp/bosch-enc.fw" $((1024 + 588)) 01
list "$tmp/bosch-enc.fw" "$tmp/bosch-enc"
check "test.fw with a wrapped key: E_ENCRYPTED at 2048, no file" \
  jqe 'any(.diagnostics[]; .code == "E_ENCRYPTED" and .offset == 2048 and (.message | test("Bosch")))' "$tmp/bosch-enc.json"
eq "test.fw with a wrapped key: no file" "" "$(file_paths "$tmp/bosch-enc.jsonl")"
cut_to "$img" 2150 "$tmp/bosch-cut.fw"
list "$tmp/bosch-cut.fw" "$tmp/bosch-cut"
check "test.fw cut to 2150: E_TRUNCATED, the first file kept" \
  jqe 'any(.diagnostics[]; .code == "E_TRUNCATED")' "$tmp/bosch-cut.json"
eq "test.fw cut to 2150: first file" "/test_file_1.txt " "$(file_paths "$tmp/bosch-cut.jsonl")"

# ---- Buffalo bgn prefix -------------------------------------------------------------------
img="$samples/buffalo/buffalo.bin"
list "$img" "$tmp/bgn"
eq "buffalo.bin: bgn prefix over the file, buffalo-enc image at 20" "buffalobgn 80 buffalo 20" \
  "$(field "$tmp/bgn.json" '.id=="0.1"' format) $(field "$tmp/bgn.json" '.id=="0.1"' size) $(field "$tmp/bgn.json" '.name=="image"' format) $(field "$tmp/bgn.json" '.name=="image"' offset)"
cut_to "$img" 70 "$tmp/bgn-cut.bin"
list "$tmp/bgn-cut.bin" "$tmp/bgn-cut"
check "buffalo.bin cut to 70: bgn prefix with E_TRUNCATED" \
  jqe '(.layers[1].format == "buffalobgn") and any(.diagnostics[]; .code == "E_TRUNCATED" and .layer == "0.1")' "$tmp/bgn-cut.json"

exit $fail

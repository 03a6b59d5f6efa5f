#!/usr/bin/env bash
# Firmware containers (uImage, FIT, device trees, TRX): the layers iotcop
# reports, compared with what U-Boot's dumpimage/mkimage and dtc's fdtdump
# report for the same bytes. Images are the shared samples and images made
# here with mkimage and dtc. Every part dumpimage extracts (-p N) must be the
# exact bytes iotcop places at the child layer's offset and size.
set -euo pipefail

[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
for tool in mkimage dumpimage dtc fdtdump jq gzip xz openssl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/install-deps.sh" >&2; exit 1; }
done
SAMPLES="$IOTCOP_SHARED/samples/fact-extractor"
for s in uboot/uboot.image_with_header uboot/fit.itb uboot/uboot.dtb trx/trx.img; do
  [ -f "$SAMPLES/$s" ] || { echo "sample $SAMPLES/$s is missing" >&2; exit 1; }
done

mkdir -p "${IOTCOP_TMP:-/tmp}"
work=$(mktemp -d "${IOTCOP_TMP:-/tmp}/containers.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check_eq() { # what expected actual
  if [ "$2" != "$3" ]; then fail "$1: expected '$2', got '$3'"; fi
}
check_contains() { # what haystack needle
  case $2 in *"$3"*) ;; *) fail "$1: '$2' does not contain '$3'" ;; esac
}

# The summary of an unpack as JSON (last line of the JSON Lines output).
summarise() {
  local rc=0
  "$IOTCOP_BIN" unpack -f json "$1" >"$1.jsonl" || rc=$?
  [ "$rc" -eq 0 ] || fail "$1: iotcop unpack exited $rc"
  tail -n 1 "$1.jsonl" | jq -c '.summary' >"$1.json"
}
# Field of the first layer matching a jq condition, e.g. layer_field X.json '.format=="fit"' size
layer_field() {
  jq -r --arg f "$3" "[.layers[] | select($2)][0][\$f] // \"\"" "$1"
}
# Whether any diagnostic of layer ID has CODE.
has_diag() {
  jq -e --arg l "$2" --arg c "$3" 'any(.diagnostics[]; .layer == $l and .code == $c)' "$1" >/dev/null
}
slice() { tail -c +$(($2 + 1)) "$1" | head -c "$3"; }
# Checks that the child of PARENT_ID named by a jq condition holds exactly the
# bytes of PART (a file dumpimage extracted) at its offset.
check_part() { # label json image parent_offset cond part
  local label=$1 json=$2 image=$3 base=$4 cond=$5 part=$6 off size
  off=$(layer_field "$json" "$cond" offset)
  size=$(layer_field "$json" "$cond" size)
  if [ -z "$off" ]; then fail "$label: no layer for $cond"; return; fi
  check_eq "$label size" "$(stat -c %s "$part")" "$size"
  if ! cmp -s <(slice "$image" $((base + off)) "$size") "$part"; then
    fail "$label: bytes at $((base + off)) differ from dumpimage's part"
  fi
}

# ---- uImage: the real sample ----------------------------------------------
# The sample has 0xff padding and another LZMA stream after the image, which
# dumpimage counts as data (its data CRC fails); cut at iotcop's extent, it
# must then pass dumpimage's own header and data CRC checks.
img="$work/sample.uimage"
cp "$SAMPLES/uboot/uboot.image_with_header" "$img"
summarise "$img"
j="$img.json"
extent=$(layer_field "$j" '.format=="uimage"' size)
check_eq "sample uImage offset" 0 "$(layer_field "$j" '.format=="uimage"' offset)"
head -c "$extent" "$img" >cut.uimage
dumpimage -T kernel -l cut.uimage >cut.txt || fail "dumpimage rejects the image cut at iotcop's extent"
check_eq "sample uImage data size" "$(sed -n 's/^Data Size: *\([0-9]*\) Bytes.*/\1/p' cut.txt)" $((extent - 64))
info=$(layer_field "$j" '.format=="uimage"' info)
check_contains "sample uImage type" "$info" "$(sed -n 's/^Image Type: *//p' cut.txt)"
check_contains "sample uImage name" "$info" "'$(sed -n 's/^Image Name: *//p' cut.txt)'"
dumpimage -T kernel -p 0 -o cut.part0 cut.uimage >/dev/null
check_part "sample uImage payload" "$j" "$img" 0 '.parent=="0.1" and .offset==64' cut.part0
check_eq "sample uImage payload format" lzma "$(layer_field "$j" '.parent=="0.1" and .offset==64' format)"

# ---- uImage: made with mkimage ----------------------------------------------
printf 'kernel payload for the container tests\n%.0s' {1..64} >kernel.bin
gzip -9nc kernel.bin >kernel.gz
xz --format=lzma -c kernel.bin >kernel.lzma
printf 'ramdisk bytes\n%.0s' {1..50} | gzip -9nc >ramdisk.gz
cat >board.dts <<'EOF'
/dts-v1/;
/ {
	model = "iotcop container test board";
	compatible = "iotcop,container-test";
	#address-cells = <1>;
	#size-cells = <1>;
	memory@80000000 { device_type = "memory"; reg = <0x80000000 0x4000000>; };
	chosen { bootargs = "console=ttyS0,115200"; };
};
EOF
dtc -I dts -O dtb -o board.dtb board.dts 2>/dev/null

# name arch os type comp payload expected-child-format
while read -r name arch comp payload child; do
  image="single-$comp.uimage"
  mkimage -A "$arch" -O linux -T kernel -C "$comp" -a 0x80008000 -e 0x80008000 -n "$name" \
    -d "$payload" "$image" >/dev/null
  summarise "$image"
  j="$image.json"
  dumpimage -l "$image" >"$image.txt"
  check_eq "$image size" "$(stat -c %s "$image")" "$(layer_field "$j" '.format=="uimage"' size)"
  info=$(layer_field "$j" '.format=="uimage"' info)
  check_contains "$image type" "$info" "$(sed -n 's/^Image Type: *//p' "$image.txt")"
  check_contains "$image name" "$info" "'$name'"
  dumpimage -T kernel -p 0 -o "$image.part0" "$image" >/dev/null
  check_part "$image payload" "$j" "$image" 0 '.parent=="0.1"' "$image.part0"
  check_eq "$image payload format" "$child" "$(layer_field "$j" '.parent=="0.1"' format)"
  check_eq "$image diagnostics" 0 "$(jq '.diagnostics | length' "$j")"
done <<'EOF'
Linux-6.1 mips gzip kernel.gz gzip
Linux-lzma arm lzma kernel.lzma lzma
plain arm64 none ramdisk.gz gzip
EOF

# Multi-file: kernel, ramdisk and device tree, each part 4-byte aligned.
mkimage -A arm -O linux -T multi -C gzip -a 0x80008000 -e 0x80008000 -n "multi test" \
  -d kernel.gz:ramdisk.gz:board.dtb multi.uimage >/dev/null
summarise multi.uimage
j=multi.uimage.json
dumpimage -l multi.uimage >multi.txt
parts=$(grep -c '^ *Image [0-9]*:' multi.txt)
check_eq "multi part count" 3 "$parts"
check_contains "multi info" "$(layer_field "$j" '.format=="uimage"' info)" "$parts parts"
formats=(gzip gzip fit)
for i in $(seq 0 $((parts - 1))); do
  dumpimage -T kernel -p "$i" -o "multi.part$i" multi.uimage >/dev/null
  check_eq "multi part $i size (dumpimage -l)" \
    "$(sed -n "s/^ *Image $i: *\([0-9]*\) Bytes.*/\1/p" multi.txt)" "$(stat -c %s "multi.part$i")"
  cond="[.layers[] | select(.parent==\"0.1\")] | sort_by(.offset) | .[$i]"
  off=$(jq -r "$cond | .offset" "$j")
  check_part "multi part $i" "$j" multi.uimage 0 ".parent==\"0.1\" and .offset==$off" "multi.part$i"
  check_eq "multi part $i format" "${formats[$i]}" "$(jq -r "$cond | .format" "$j")"
done

# Hostile: a changed header byte (dumpimage refuses it too); a 4 GiB size.
cp single-gzip.uimage badhdr.uimage
printf 'X' | dd of=badhdr.uimage bs=1 seek=40 conv=notrunc 2>/dev/null
if dumpimage -T kernel -l badhdr.uimage >/dev/null 2>&1; then fail "dumpimage accepts a bad header"; fi
"$IOTCOP_BIN" unpack -f json badhdr.uimage | tail -n 1 | jq -c .summary >badhdr.json || true
check_eq "bad header CRC refused" "" "$(layer_field badhdr.json '.format=="uimage"' id)"
python3 - <<'EOF'
import struct, zlib
h = bytearray(struct.pack('>7I4B32s', 0x27051956, 0, 0, 0xffffffff, 0, 0, 0, 5, 5, 2, 0, b'huge'))
struct.pack_into('>I', h, 4, zlib.crc32(bytes(h)))
open('huge.uimage', 'wb').write(bytes(h) + b'\x5a' * 1000)
EOF
summarise huge.uimage
check_eq "4 GiB size: extent" 1064 "$(layer_field huge.uimage.json '.format=="uimage"' size)"
has_diag huge.uimage.json 0.1 E_TRUNCATED || fail "4 GiB size: no E_TRUNCATED diagnostic"

# ---- the device tree inside fact-extractor's uboot.dtb ------------------------
# It starts with a uImage header whose CRC is wrong (dumpimage refuses it);
# the device tree at the offset iotcop reports must be what fdtdump reads.
img="$work/uboot.dtb"
cp "$SAMPLES/uboot/uboot.dtb" "$img"
summarise "$img"
j="$img.json"
check_eq "uboot.dtb: no uImage" "" "$(layer_field "$j" '.format=="uimage"' id)"
off=$(layer_field "$j" '.format=="fit"' offset)
if [ -z "$off" ]; then
  fail "uboot.dtb: no device tree layer"
else
  tail -c +$((off + 1)) "$img" >dt.dtb
  total=$(fdtdump dt.dtb 2>/dev/null | sed -n 's/^\/\/ totalsize:.*(\([0-9]*\)).*/\1/p')
  check_eq "uboot.dtb tree size" "$total" "$(layer_field "$j" '.format=="fit"' size)"
  nodes=$(dtc -I dtb -O dts dt.dtb 2>/dev/null | grep -c '{')
  check_contains "uboot.dtb node count" "$(layer_field "$j" '.format=="fit"' info)" "$nodes nodes"
fi

# ---- a plain device tree made with dtc ----------------------------------------
summarise board.dtb
total=$(fdtdump board.dtb 2>/dev/null | sed -n 's/^\/\/ totalsize:.*(\([0-9]*\)).*/\1/p')
check_eq "board.dtb size" "$total" "$(layer_field board.dtb.json '.format=="fit"' size)"
check_contains "board.dtb info" "$(layer_field board.dtb.json '.format=="fit"' info)" \
  "device tree, model 'iotcop container test board', $(dtc -I dtb -O dts board.dtb 2>/dev/null | grep -c '{') nodes"
check_eq "board.dtb children" 1 "$(jq '.layers | length - 1' board.dtb.json)"

# ---- FIT images: the sample and mkimage's embedded, external, placed, signed ------
cat >fit.its <<'EOF'
/dts-v1/;
/ {
	description = "iotcop container test FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "kernel";
			data = /incbin/("kernel.gz");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip";
			load = <0x80008000>; entry = <0x80008000>;
			hash-1 { algo = "crc32"; };
		};
		kernel-2 {
			description = "lzma kernel";
			data = /incbin/("kernel.lzma");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "lzma";
			load = <0x80008000>; entry = <0x80008000>;
			hash-1 { algo = "sha1"; };
		};
		fdt-1 {
			description = "board";
			data = /incbin/("board.dtb");
			type = "flat_dt"; arch = "arm"; compression = "none";
			hash-1 { algo = "sha256"; };
		};
		ramdisk-1 {
			description = "ramdisk";
			data = /incbin/("ramdisk.gz");
			type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none";
			hash-1 { algo = "sha256"; };
		};
	};
	configurations {
		default = "conf-1";
		conf-1 {
			kernel = "kernel-1"; fdt = "fdt-1"; ramdisk = "ramdisk-1";
			signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; sign-images = "kernel", "fdt", "ramdisk"; };
		};
	};
};
EOF
mkdir -p keys
openssl genrsa -out keys/dev.key 2048 2>/dev/null
openssl req -batch -new -x509 -key keys/dev.key -out keys/dev.crt -subj /CN=dev 2>/dev/null
mkimage -f fit.its embedded.itb >/dev/null
mkimage -E -f fit.its external.itb >/dev/null
mkimage -E -p 0x2000 -f fit.its placed.itb >/dev/null
mkimage -f fit.its -k keys signed.itb >/dev/null
cp "$SAMPLES/uboot/fit.itb" sample.itb

for image in sample.itb embedded.itb external.itb placed.itb signed.itb; do
  summarise "$image"
  j="$image.json"
  dumpimage -l "$image" >"$image.txt"
  check_eq "$image offset" 0 "$(layer_field "$j" '.format=="fit"' offset)"
  info=$(layer_field "$j" '.format=="fit"' info)
  count=$(grep -c '^ Image [0-9]* (' "$image.txt")
  check_contains "$image image count" "$info" "FIT: $count images"
  check_contains "$image description" "$info" "description '$(sed -n 's/^FIT description: *//p' "$image.txt")'"
  hashes=$(grep -c '^  Hash algo:' "$image.txt" || true)
  if [ "$hashes" -gt 0 ]; then
    check_contains "$image hashes" "$info" "hashes on $hashes of $count images"
  else
    check_contains "$image hashes" "$info" "no hashes"
  fi
  if grep -q '^  Sign value: *[0-9a-f]' "$image.txt"; then
    check_contains "$image signature" "$info" "signed (configurations)"
  else
    check_contains "$image signature" "$info" "unsigned"
  fi
  # Each image's data: name, size and bytes as dumpimage extracts them.
  for i in $(seq 0 $((count - 1))); do
    name=$(sed -n "s/^ Image $i (\(.*\))\$/\1/p" "$image.txt")
    size=$(awk -v n="$i" '$1 == "Image" && $2 == n { on = 1; next } /^ Image / { on = 0 }
                          on && /Data Size:/ { print $3; exit }' "$image.txt")
    dumpimage -T flat_dt -p "$i" -o "$image.part$i" "$image" >/dev/null
    check_eq "$image image $i size" "$size" "$(stat -c %s "$image.part$i")"
    check_part "$image image $i ($name)" "$j" "$image" 0 ".parent==\"0.1\" and .name==\"$name\"" \
      "$image.part$i"
  done
  case $image in
    sample.itb) expect="kernel=gzip fdt=fit rootfs=gzip" ;;
    *) expect="kernel-1=gzip kernel-2=lzma fdt-1=fit ramdisk-1=gzip" ;;
  esac
  for pair in $expect; do
    check_eq "$image ${pair%%=*} format" "${pair#*=}" \
      "$(layer_field "$j" ".parent==\"0.1\" and .name==\"${pair%%=*}\"" format)"
  done
  # The extent covers the tree and any data after it, up to the end of the file.
  check_eq "$image extent" "$(stat -c %s "$image")" "$(layer_field "$j" '.format=="fit"' size)"
  check_eq "$image diagnostics" 0 "$(jq '[.diagnostics[] | select(.layer | startswith("0.1"))] | length' "$j")"
done

# Hostile FIT: external data said to run far past the end of the file.
python3 - <<'EOF'
data = bytearray(open('external.itb', 'rb').read())
# The first data-size value in the tree (big-endian 0x3f..): grow it to ~4 GiB.
import struct
magic, total = struct.unpack('>II', data[:8])
assert magic == 0xd00dfeed
off_struct, off_strings = struct.unpack('>II', data[8:16])
strings = data[off_strings:]
nameoff = strings.index(b'data-size\0')
pos = off_struct
while True:
    tok = struct.unpack('>I', data[pos:pos + 4])[0]
    if tok == 3:
        ln, no = struct.unpack('>II', data[pos + 4:pos + 12])
        if no == nameoff:
            struct.pack_into('>I', data, pos + 12, 0xfffffff0)
            break
        pos += 12 + ((ln + 3) & ~3)
    elif tok == 1:
        end = data.index(b'\0', pos + 4)
        pos = (end + 1 + 3) & ~3
    else:
        pos += 4
open('hostile.itb', 'wb').write(bytes(data))
EOF
summarise hostile.itb
has_diag hostile.itb.json 0.1 E_TRUNCATED || fail "hostile FIT: no E_TRUNCATED diagnostic"
check_eq "hostile FIT extent" "$(stat -c %s hostile.itb)" "$(layer_field hostile.itb.json '.format=="fit"' size)"

# ---- TRX ----------------------------------------------------------------------------
# The sample: v1, one partition (a zip archive) at 0x1c, CRC correct.
cp "$SAMPLES/trx/trx.img" sample.trx
summarise sample.trx
j=sample.trx.json
check_eq "sample TRX size" 4096 "$(layer_field "$j" '.format=="trx"' size)"
check_contains "sample TRX info" "$(layer_field "$j" '.format=="trx"' info)" "TRX v1, 1 partition"
if has_diag "$j" 0.1 E_CHECKSUM; then fail "sample TRX: CRC reported wrong"; fi
# TRX v1 and v2 written here as Broadcom's tools do (CRC-32 from the flags
# field on, without the final inversion), partitions out of order.
python3 - <<'EOF'
import struct, zlib
def pad(b): return b + b'\0' * (-len(b) % 4)
parts = [pad(open(n, 'rb').read()) for n in ('kernel.lzma', 'kernel.gz', 'ramdisk.gz', 'board.dtb')]
for version in (1, 2):
    slots = 3 if version == 1 else 4
    header = 16 + 4 * slots
    body, offsets = b'', []
    for p in parts[:slots]:
        offsets.append(header + len(body)); body += p
    order = [offsets[-1]] + offsets[:-1]   # slot 0 holds the last partition
    rest = struct.pack('<HH', 0, version) + struct.pack('<%dI' % slots, *order) + body
    length = header + len(body)
    crc = zlib.crc32(rest) ^ 0xffffffff
    open('v%d.trx' % version, 'wb').write(b'HDR0' + struct.pack('<II', length, crc) + rest)
    with open('v%d.expect' % version, 'w') as f:
        for slot, off in enumerate(order):
            f.write('partition%d %d\n' % (slot, off))
EOF
for v in 1 2; do
  summarise "v$v.trx"
  j="v$v.trx.json"
  check_eq "TRX v$v size" "$(stat -c %s "v$v.trx")" "$(layer_field "$j" '.format=="trx"' size)"
  if has_diag "$j" 0.1 E_CHECKSUM; then fail "TRX v$v: CRC reported wrong"; fi
  while read -r name off; do
    check_eq "TRX v$v $name offset" "$off" "$(layer_field "$j" ".parent==\"0.1\" and .name==\"$name\"" offset)"
  done <"v$v.expect"
done
check_eq "TRX v2 kernel.gz size" "$(stat -c %s kernel.gz)" \
  "$(layer_field v2.trx.json '.parent=="0.1" and .format=="gzip"' size)"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "containers: all checks passed"

#!/usr/bin/env bash
# Vendor firmware containers and encrypted vendor images.
#  - the real samples from fkie-cad/fact_extractor, with the layers their
#    own tests (and the tools those tests run) expect;
#  - the fixtures of tests/fixtures/make-vendor.sh (the real kernel and
#    SquashFS wrapped by gen-vendor.py): each container at 0 over the whole
#    file, the kernel and the SquashFS at the offsets they were written at,
#    every file of the SquashFS listed as the manifest says;
#  - damaged copies: a changed byte gives a checksum diagnostic and the
#    payload is still unwrapped; a cut image or header gives E_TRUNCATED.
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ] || [ -z "${IOTCOP_SOURCE:-}" ]; then
  echo "IOTCOP_SHARED or IOTCOP_SOURCE unset: skipping"; exit 77
fi
for tool in jq python3 unsquashfs unzip; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/vendor.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib="$IOTCOP_SOURCE/tests/cli/lib"
samples="$IOTCOP_SHARED/samples/fact-extractor"
fail=0

check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
eq() { # description expected actual
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fail=1; fi
}
# iotcop's listing of IMAGE into OUT.jsonl and its summary into OUT.json; the
# run must end normally (0, or 3 when nothing at all is recognised).
list() { # image out
  local rc=0
  "$IOTCOP_BIN" unpack --list --format json --sha256 "$1" >"$2.jsonl" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    echo "FAIL: $1: iotcop unpack exited $rc"; fail=1
  fi
  tail -n 1 "$2.jsonl" | jq -c '.summary' >"$2.json"
}
# Field of the first layer matching a jq condition.
field() { jq -r --arg f "$3" "[.layers[] | select($2)][0][\$f] // \"\"" "$1"; }
has_diag() { # summary layer code
  jqe --arg l "$2" --arg c "$3" 'any(.diagnostics[]; .layer == $l and .code == $c)' "$1" >/dev/null
}
no_diag() { ! has_diag "$@"; }
jqe() { jq -e "$@" >/dev/null; }
# Absolute offset in the input of the first layer matching a jq condition,
# following parents whose content is a slice of theirs (containers).
abs_offset() { # summary condition
  python3 - "$1" "$2" <<'EOF'
import json, subprocess, sys
summary, cond = sys.argv[1], sys.argv[2]
s = json.load(open(summary))
ids = subprocess.run(["jq", "-r", f"[.layers[] | select({cond})][0].id // empty", summary],
                     capture_output=True, text=True).stdout.strip()
layers = {l["id"]: l for l in s["layers"]}
SLICES = {"input", "tplink", "netgearchk", "seama", "ubnt", "dlinkmh01", "uimage", "trx",
          "linksys", "gemtek", "linksyschdr", "belkin", "buffalobgn"}
off, lid = 0, ids
while lid and layers[lid]["parent"] is not None:
    l = layers[lid]
    off += l["offset"]
    if layers[l["parent"]]["format"] not in SLICES:
        print("derived"); sys.exit()
    lid = l["parent"]
print(off if ids else "")
EOF
}
# Absolute offsets of the E_ENCRYPTED diagnostics, one a line.
encrypted_at() { # summary
  local id off
  jq -r '.diagnostics[] | select(.code == "E_ENCRYPTED") | "\(.layer) \(.offset)"' "$1" |
    while read -r id off; do
      echo $(($(abs_offset "$1" ".id==\"$id\"") + off))
    done
}
flip() { # file offset: changes one byte in place
  python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0x5a]))" "$1" "$2"
}

# ---- TP-Link: fact_extractor's tpl/test.tpl ---------------------------------------------
# fact_extractor's plugins/unpacking/tpl/test/test_tpl.py expects tpl-tool to
# split it into header, bootldr, kernel and rootfs. tpl-tool's layout: a
# header with a boot loader puts the boot loader at 0x200 and a whole inner
# image at 0x20200, whose kernel (0x200) and rootfs (0x100000) offsets count
# from the inner header; tpl-tool reports both MD5s valid.
img="$samples/tpl/test.tpl"
list "$img" "$tmp/tpl"
j="$tmp/tpl.json"
eq "test.tpl: outer TP-Link header over the file" "0 4063744" \
  "$(field "$j" '.id=="0.1"' offset) $(field "$j" '.id=="0.1" and .format=="tplink"' size)"
eq "test.tpl: inner image at 0x20200" "tplink $((0x20200))" \
  "$(field "$j" '.name=="image"' format) $(abs_offset "$j" '.name=="image"')"
eq "test.tpl: kernel (LZMA) at 0x20400" "$((0x20400))" "$(abs_offset "$j" '.format=="lzma" and .name=="kernel"')"
eq "test.tpl: rootfs (SquashFS) at 0x120200" "$((0x120200))" "$(abs_offset "$j" '.format=="squashfs"')"
# The boot loader region holds the U-Boot image binwalk finds at 0x3c80.
eq "test.tpl: boot loader's uImage at 0x3c80" "$((0x3c80))" "$(abs_offset "$j" '.format=="uimage"')"
check "test.tpl: both MD5s hold (tpl-tool: Valid)" no_diag "$j" 0.1 E_CHECKSUM
check "test.tpl: inner MD5 holds" no_diag "$j" "$(field "$j" '.name=="image"' id)" E_CHECKSUM
# The rootfs lists what unsquashfs lists of the same bytes (rootfs_len 0x1000).
dd if="$img" of="$tmp/tpl-rootfs.sqsh" bs=512 skip=$((0x120200 / 512)) count=8 status=none
unsquashfs -lln "$tmp/tpl-rootfs.sqsh" | python3 -c '
import json, sys
types = {"d": "dir", "-": "file", "l": "symlink"}
for line in sys.stdin:
    perm, owner, size, _, _, path = line.rstrip("\n").split(None, 5)
    path = path[len("squashfs-root"):] or "/"
    uid, gid = owner.split("/")
    bits = sum(1 << (8 - i) for i, ch in enumerate(perm[1:10]) if ch != "-")
    print(json.dumps({"path": path, "type": types[perm[0]], "mode": "%04o" % bits, "uid": int(uid),
                      "gid": int(gid), "size": int(size) if perm[0] != "d" else 0}))
' >"$tmp/tpl-unsquashfs.jsonl"
check "test.tpl: rootfs files = unsquashfs -lln" python3 "$lib/compare_listing.py" "$tmp/tpl-unsquashfs.jsonl" \
  "$tmp/tpl.jsonl" --layer-format squashfs --fields path,type,mode,uid,gid,size

# ---- D-Link encrypted images ------------------------------------------------------------
# plugins/unpacking/dlink/test/test_dlink_shrs.py decrypts dlink/test.dec with
# DecryptorLink.py, which first checks the SHA-512 of the ciphertext (0x6dc,
# length at 8) against the digest at 0x9c: it must hold here too.
list "$samples/dlink/test.dec" "$tmp/shrs"
j="$tmp/shrs.json"
eq "test.dec: D-Link SHRS over the file" "dlinkshrs 0 1788" \
  "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' offset) $(field "$j" '.id=="0.1"' size)"
check "test.dec: reported encrypted at 0x6dc" \
  jqe 'any(.diagnostics[]; .layer == "0.1" and .code == "E_ENCRYPTED" and .offset == 1756 and (.message | test("D-Link SHRS")))' "$j"
check "test.dec: info names the scheme" jqe '.layers[1].info | test("^encrypted: D-Link SHRS, AES-128-CBC")' "$j"
check "test.dec: ciphertext digest holds" no_diag "$j" 0.1 E_CHECKSUM
check "test.dec: no unidentified region" jqe '.regions | length == 0' "$j"
# test_dlink_encrpted_img.py: unblob's D-Link encrpted_img handler decrypts the
# 32 bytes after the 16-byte header.
list "$samples/dlink/testfile.encrpted_img" "$tmp/encimg"
j="$tmp/encimg.json"
eq "testfile.encrpted_img: over the file" "dlinkencimg 48" "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
check "testfile.encrpted_img: reported encrypted at 16" \
  jqe 'any(.diagnostics[]; .layer == "0.1" and .code == "E_ENCRYPTED" and .offset == 16 and (.message | test("encrpted_img")))' "$j"
# test_dlink_mh01.py: the outer MH01 holds an inner MH01 and a 256-byte
# signature (Sig2.bin); the inner one the IV and the encrypted firmware.
list "$samples/dlink/fw_mh01_test.bin" "$tmp/mh01"
j="$tmp/mh01.json"
eq "fw_mh01_test.bin: outer MH01 over the file" "dlinkmh01 641" "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
check "fw_mh01_test.bin: outer signature of 256 bytes" jqe '.layers[1].info | test("signature 256 bytes")' "$j"
eq "fw_mh01_test.bin: inner MH01 at 16, 369 bytes" "dlinkmh01 16 369" \
  "$(field "$j" '.name=="image"' format) $(field "$j" '.name=="image"' offset) $(field "$j" '.name=="image"' size)"
check "fw_mh01_test.bin: inner payload reported encrypted" \
  jqe 'any(.diagnostics[]; .layer == "0.1.1" and .code == "E_ENCRYPTED" and (.message | test("D-Link MH01")))' "$j"
# The IV is 0x21 bytes of text: the "Salted__" ciphertext starts at 16 + 16 + 0x21.
eq "fw_mh01_test.bin: ciphertext at 0x41" "$((0x41))" "$(encrypted_at "$j")"

# ---- Xiaomi HDR1: fact_extractor's xiaomi_hdr/test.hdr1 ------------------------------------
# plugins/unpacking/xiaomi_hdr/test/test_hdr.py: unblob's HDR extractor gives
# fact_extractor's standard unpack set (test/unit/unpacker/test_unpacker.py:
# testfile1, testfile2, "generic folder/test file 3_.txt"), each blob's data
# after its 48-byte header at the offsets the header lists (0x30, 0x74, 0xe2).
img="$samples/xiaomi_hdr/test.hdr1"
list "$img" "$tmp/hdr1"
j="$tmp/hdr1.json"
eq "test.hdr1: Xiaomi HDR1 up to the end of the signature block (302 + 272)" "xiaomihdr 574" \
  "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
check "test.hdr1: CRC holds" no_diag "$j" 0.1 E_CHECKSUM
while IFS=: read -r path at size; do
  want=$(dd if="$img" bs=1 skip=$((at + 48)) count="$size" status=none | sha256sum | cut -d' ' -f1)
  eq "test.hdr1: $path = blob at $at" "$size $want" \
    "$(jq -r --arg p "$path" 'select(.path == $p and .layer == "0.1") | "\(.size) \(.sha256)"' "$tmp/hdr1.jsonl")"
done <<'EOF'
/generic folder/test file 3_.txt:48:20
/testfile1:116:62
/testfile2:226:28
EOF
eq "test.hdr1: just the standard unpack set" 3 "$(jq -r 'select(.type == "file" and .layer == "0.1") | .path' "$tmp/hdr1.jsonl" | wc -l)"

# ---- Dahua: fact_extractor's dahua/dh.bin --------------------------------------------------------
# plugins/unpacking/dahua/test/test_dahua.py: with "PK" put back it is a zip
# holding the standard unpack set below get_files_test/. unzip (which reads
# the central directory) gives each member's bytes.
img="$samples/dahua/dh.bin"
list "$img" "$tmp/dahua"
j="$tmp/dahua.json"
eq "dh.bin: Dahua over the file, a zip inside" "dahua 787 zip" \
  "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size) $(field "$j" '.parent=="0.1"' format)"
for m in "get_files_test/testfile1" "get_files_test/testfile2" "get_files_test/generic folder/test file 3_.txt"; do
  eq "dh.bin: /$m as unzip -p gives it" "$(unzip -p "$img" "$m" | sha256sum | cut -d' ' -f1)" \
    "$(jq -r --arg p "/$m" 'select(.path == $p) | .sha256' "$tmp/dahua.jsonl")"
done

# ---- Instar BNEG: fact_extractor's bneg/test.bneg -----------------------------------------------
# plugins/unpacking/bneg/test/test_bneg.py: partition_1.bin is "foobar\n",
# partition_2.bin "test123\n" (sizes 7 and 8 in the header).
list "$samples/bneg/test.bneg" "$tmp/bneg"
eq "test.bneg: BNEG over the file" "bneg 35" "$(field "$tmp/bneg.json" '.id=="0.1"' format) $(field "$tmp/bneg.json" '.id=="0.1"' size)"
eq "test.bneg: partition_1.bin" "$(printf 'foobar\n' | sha256sum | cut -d' ' -f1)" \
  "$(jq -r 'select(.path == "/partition_1.bin") | .sha256' "$tmp/bneg.jsonl")"
eq "test.bneg: partition_2.bin" "$(printf 'test123\n' | sha256sum | cut -d' ' -f1)" \
  "$(jq -r 'select(.path == "/partition_2.bin") | .sha256' "$tmp/bneg.jsonl")"

# ---- Buffalo: fact_extractor's buffalo/buffalo.bin ------------------------------------------
# plugins/unpacking/buffalo/test/test_plugin_buffalo_bgn.py: buffalo-enc -d
# finds the "start" header (at 20, after a 20-byte "bgn" prefix) and gives
# one file, "foobar 123 test\n", with "test-product" in its output.
img="$samples/buffalo/buffalo.bin"
list "$img" "$tmp/buffalo"
j="$tmp/buffalo.json"
eq "buffalo.bin: buffalo-enc header at 20 up to the end (60 bytes)" "buffalo 20 60" \
  "$(field "$j" '.format=="buffalo"' format) $(abs_offset "$j" '.format=="buffalo"') $(field "$j" '.format=="buffalo"' size)"
check "buffalo.bin: decrypted with the published key, product test-product" \
  jqe '[.layers[] | select(.format == "buffalo")][0].info | test("decrypted with the published key .*product .test-product.")' "$j"
"$IOTCOP_BIN" unpack -C "$tmp/buffalo-x" "$img" >/dev/null
eq "buffalo.bin: the plain data is foobar 123 test" "$(printf 'foobar 123 test\n' | sha256sum | cut -d' ' -f1)" \
  "$(sha256sum <"$tmp/buffalo-x/$(field "$j" '.format=="buffalo"' id).bin" | cut -d' ' -f1)"

# ---- Senao: fact_extractor's senao/testfw_1.enc ---------------------------------------------
# plugins/unpacking/senao/test/test_plugin_senao.py (the senao-v2b variant):
# one file of 44 bytes starting "foobar" once decoded.
img="$samples/senao/testfw_1.enc"
list "$img" "$tmp/senao"
eq "testfw_1.enc: Senao v2 over the file" "senao 0 172" \
  "$(field "$tmp/senao.json" '.id=="0.1"' format) $(field "$tmp/senao.json" '.id=="0.1"' offset) $(field "$tmp/senao.json" '.id=="0.1"' size)"
"$IOTCOP_BIN" unpack -C "$tmp/senao-x" "$img" >/dev/null
eq "testfw_1.enc: 44 bytes decoded, starting foobar" "44 foobar" \
  "$(wc -c <"$tmp/senao-x/0.1.bin") $(head -c 6 "$tmp/senao-x/0.1.bin")"

# ---- generated fixtures -------------------------------------------------------------------
fx="${IOTCOP_FIXTURES:-}/vendor"
if [ -z "${IOTCOP_FIXTURES:-}" ] || [ ! -f "$fx/layers.json" ]; then
  echo "vendor fixtures not built (tests/fixtures/build-all.sh): generated images not tested"
else
  L="$fx/layers.json"
  used=$(jq -r '.pieces.rootfs.bytes_used' "$L")
  for image in $(jq -r '.files | keys[]' "$L"); do
    fmt=$(jq -r --arg i "$image" '.files[$i].format' "$L")
    size=$(jq -r --arg i "$image" '.files[$i].size' "$L")
    list "$fx/$image" "$tmp/$image"
    j="$tmp/$image.json"
    if [ "$fmt" = linksystrailer ]; then # a trailer after the image it covers
      read -r toff tsize < <(jq -r --arg i "$image" '.files[$i].layers[] | select(.format == "linksystrailer") | "\(.offset) \(.size)"' "$L")
      eq "$image: $fmt at $toff, $tsize bytes" "$fmt $toff $tsize" \
        "$fmt $(abs_offset "$j" '.format=="linksystrailer"') $(field "$j" '.format=="linksystrailer"' size)"
    else
      eq "$image: $fmt at 0 over the file" "$fmt 0 $size" \
        "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' offset) $(field "$j" '.id=="0.1"' size)"
    fi
    check "$image: no checksum diagnostic" jqe 'all(.diagnostics[]; .code != "E_CHECKSUM")' "$j"
    n=$(jq -r --arg i "$image" '.files[$i].layers | length' "$L")
    for k in $(seq 0 $((n - 1))); do
      read -r name lfmt off lsize < <(jq -r --arg i "$image" --argjson k "$k" \
        '.files[$i].layers[$k] | "\(.name) \(.format) \(.offset) \(.size)"' "$L")
      lpath=$(jq -r --arg i "$image" --argjson k "$k" '.files[$i].layers[$k].path // ""' "$L")
      if [ -n "$lpath" ]; then # a named blob: a file of the container's tree
        eq "$image: $name is $lpath ($lfmt)" "$lfmt" \
          "$(field "$j" ".path==\"$lpath\" and .parent==\"0.1\"" format)"
        jq -r "select(.path == \"$lpath\" and .layer == \"0.1\") | \"\(.size) \(.sha256)\"" "$tmp/$image.jsonl" >"$tmp/blob"
        eq "$image: $lpath size and hash" "$lsize $(jq -r --arg i "$image" --argjson k "$k" '.files[$i].layers[$k].sha256' "$L")" "$(cat "$tmp/blob")"
        continue
      fi
      case $lfmt in
        lzma)
          eq "$image: $name (lzma) at $off" "$off" "$(abs_offset "$j" '.format=="lzma" and .parent=="0.1" or .format=="lzma" and .parent=="0.1.1"')" ;;
        squashfs)
          eq "$image: $name (squashfs) at $off, $used bytes used" "$off $used" \
            "$(abs_offset "$j" '.format=="squashfs"') $(field "$j" '.format=="squashfs"' size)" ;;
        aes-*)
          eq "$image: $name reported encrypted at $off" "$off" "$(encrypted_at "$j")"
          check "$image: ciphertext is no unidentified region" jqe '.regions | length == 0' "$j" ;;
        trx|uimage)
          eq "$image: $name ($lfmt) at $off, $lsize bytes" "$off $lsize" \
            "$(abs_offset "$j" ".format==\"$lfmt\"") $(field "$j" ".format==\"$lfmt\"" size)" ;;
        mh01)
          eq "$image: inner MH01 at $off" "dlinkmh01 $off $lsize" \
            "$(field "$j" '.name=="image"' format) $(abs_offset "$j" '.name=="image"') $(field "$j" '.name=="image"' size)" ;;
      esac
    done
    if jqe --arg i "$image" '.files[$i].layers | any(.format == "squashfs")' "$L" >/dev/null; then
      check "$image: SquashFS files = manifest" \
        python3 "$lib/compare_listing.py" "$fx/rootfs.squashfs.manifest.jsonl" "$tmp/$image.jsonl" --layer-format squashfs --hash
    fi
  done
  # buffalo-enc and Senao: the rootfs decrypted or decoded is derived content.
  for image in buffalo.bin buffalo-long.bin senao.bin; do
    jqe --arg i "$image" '.files[$i]' "$L" || continue
    check "$image: decoded, the SquashFS files = manifest" \
      python3 "$lib/compare_listing.py" "$fx/rootfs.squashfs.manifest.jsonl" "$tmp/$image.jsonl" --layer-format squashfs --hash
    case $image in
      buffalo*.bin)
        state=short; [ "$image" = buffalo.bin ] || state=long
        check "$image: info names the state and product" \
          jqe --arg s "$state" '.layers[1].info | test("published key \\(" + $s + " state\\): product .WZR-HP-G300NH.")' "$tmp/$image.json" ;;
      senao.bin)
        check "$image: info names the version, the CAPWAP model and the key" \
          jqe '.layers[1].info | test("version .1.2.34., type 0 \\(combo\\), model ENS620EXT, XOR key 0x12345678")' "$tmp/$image.json" ;;
    esac
  done
  if jqe '.files["buffalo.bin"]' "$L"; then
    cp "$fx/buffalo.bin" "$tmp/bad-buffalo.bin"
    flip "$tmp/bad-buffalo.bin" 5000
    list "$tmp/bad-buffalo.bin" "$tmp/bad-buffalo"
    check "buffalo.bin with a changed ciphertext byte: reported encrypted (key unknown), nothing carved" \
      jqe 'any(.diagnostics[]; .layer == "0.1" and .code == "E_ENCRYPTED" and (.message | test("buffalo-enc")))
           and ([.layers[] | select(.format == "squashfs")] | length == 0)' "$tmp/bad-buffalo.json"
  fi

  eq "seama-sealed.bin: the sealed entity at 48" "seama 48" \
    "$(field "$tmp/seama-sealed.bin.json" '.name=="sealed"' format) $(abs_offset "$tmp/seama-sealed.bin.json" '.name=="sealed"')"

  # Damaged copies: one changed byte where only the checksum covers it.
  #   image          byte changed        what          format of the layer with the diagnostic
  #                                                    (none: the container at 0.1)
  rootfs_at() { jq --arg i "$1" '.files[$i].layers[] | select(.format == "squashfs") | .offset' "$L"; }
  while read -r image where what diagfmt; do
    [ -n "$image" ] || continue
    cp "$fx/$image" "$tmp/bad-$image"
    flip "$tmp/bad-$image" "$where"
    list "$tmp/bad-$image" "$tmp/bad-$image"
    j="$tmp/bad-$image.json"
    lid=0.1
    [ -z "${diagfmt:-}" ] || lid=$(field "$j" ".format==\"$diagfmt\"" id)
    check "$image with a changed byte ($what): E_CHECKSUM on ${diagfmt:-0.1}" has_diag "$j" "$lid" E_CHECKSUM
    if [ "$image" != shrs.bin ]; then
      check "$image with a changed byte: SquashFS still unwrapped" \
        python3 "$lib/compare_listing.py" "$fx/rootfs.squashfs.manifest.jsonl" "$tmp/bad-$image.jsonl" --layer-format squashfs --hash
    fi
  done <<EOF
tplink-v1.bin $(($(jq '.files["tplink-v1.bin"].layers[2].offset' "$L") - 1)) padding-before-rootfs
tplink-v2.bin $((0x1c)) version-string
$(jq -e '.files["senao.bin"]' "$L" >/dev/null && echo "senao.bin 20 version-string-(header-sum)")
netgear.chk 9 region-and-version
seama.bin $(($(jq '.files["seama.bin"].layers[2].offset' "$L") - 1)) padding-before-rootfs
ubnt.bin $((268 + 30)) kernel-part-pad
ubnt.bin 100 version-string
shrs.bin $((0x6dc + 100)) ciphertext
xiaomi.hdr1 $((48 + 4)) kernel-blob-flash-offset
$(jq -e '.files["linksys.bin"]' "$L" >/dev/null || exit 0
  for f in linksys.bin:trx gemtek.bin chdr.bin belkin.bin linksys-trailer.bin:linksystrailer gemtek-trailer.bin:linksystrailer; do
    echo "${f%%:*} $(($(rootfs_at "${f%%:*}") - 1)) padding-before-rootfs $([ "${f#*:}" = "$f" ] || echo "${f#*:}")"
  done)
EOF

  # Cut images: the container is still recognised, with E_TRUNCATED.
  while read -r image keep; do
    head -c "$keep" "$fx/$image" >"$tmp/cut-$image"
    list "$tmp/cut-$image" "$tmp/cut-$image"
    j="$tmp/cut-$image.json"
    fmt=$(jq -r --arg i "$image" '.files[$i].format' "$L")
    eq "$image cut to $keep bytes: $fmt over what is left" "$fmt $keep" \
      "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
    check "$image cut to $keep bytes: E_TRUNCATED" \
      jqe 'any(.diagnostics[]; (.layer | startswith("0.1")) and .code == "E_TRUNCATED")' "$j"
  done <<EOF
tplink-v1.bin 3000000
tplink-v1.bin 300
netgear.chk 5000000
netgear.chk 50
seama.bin 6000000
seama-sealed.bin 40
ubnt.bin 4000000
ubnt.bin 200
shrs.bin 1000
shrs.bin 2000000
encimg.bin 1000
mh01.bin 100000
xiaomi.hdr1 6000000
$(jq -e '.files["linksys.bin"]' "$L" >/dev/null && printf '%s\n' "linksys.bin 3000000" "gemtek.bin 3000000" "gemtek.bin 20" "chdr.bin 3000000" "chdr.bin 10" "belkin.bin 3000000")
$(jq -e '.files["buffalo.bin"]' "$L" >/dev/null && printf '%s\n' "buffalo.bin 1000000" "buffalo.bin 30" "senao.bin 1000000" "senao.bin 140")
EOF

  # A trailer cut short is still recognised, with E_TRUNCATED; the image it covers is still read.
  if jqe '.files["linksys-trailer.bin"]' "$L"; then
    image=linksys-trailer.bin
    keep=$(($(stat -c %s "$fx/$image") - 100))
    head -c "$keep" "$fx/$image" >"$tmp/cut-$image"
    list "$tmp/cut-$image" "$tmp/cut-$image"
    j="$tmp/cut-$image.json"
    toff=$(jq '.files["linksys-trailer.bin"].layers[] | select(.format == "linksystrailer") | .offset' "$L")
    eq "$image cut by 100 bytes: trailer over what is left" "$toff $((keep - toff))" \
      "$(abs_offset "$j" '.format=="linksystrailer"') $(field "$j" '.format=="linksystrailer"' size)"
    check "$image cut by 100 bytes: E_TRUNCATED" \
      jqe 'any(.diagnostics[]; .code == "E_TRUNCATED")' "$j"
    check "$image cut by 100 bytes: SquashFS still read" \
      python3 "$lib/compare_listing.py" "$fx/rootfs.squashfs.manifest.jsonl" "$tmp/cut-$image.jsonl" --layer-format squashfs --hash
  fi
fi

# ---- hostile headers: lengths far past the end, nothing crashes ------------------------------
python3 - "$tmp" <<'EOF'
import struct, sys
d = sys.argv[1]
tpl = bytearray(0x200)
tpl[0:24] = b"\x01\x00\x00\x00TP-LINK Technologies"
struct.pack_into(">9I", tpl, 0x74, 0, 0, 0xFFFFFFFF, 0x200, 0xFFFFFF00, 0xFFFFFFF0, 0xFFFF, 0, 0)
open(f"{d}/huge.tpl", "wb").write(bytes(tpl) + b"\x5a" * 1000)
chk = struct.pack(">II8s6I", 0x2A23245E, 40, b"", 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0)
open(f"{d}/huge.chk", "wb").write(chk + b"\x5a" * 1000)
seama = struct.pack(">IHHI", 0x5EA3A417, 0, 0, 0) + struct.pack(">IHHI", 0x5EA3A417, 0, 0xFFFC, 0xFFFFFFFF)
open(f"{d}/huge.seama", "wb").write(seama + b"\0" * 100)
ubnt = b"UBNT" + b"hostile.v1".ljust(256, b"\0") + b"\0" * 8 + b"PART" + b"kernel".ljust(28, b"\0") + struct.pack(">6I", 0, 0, 0, 0, 0xFFFFFFF0, 0)
open(f"{d}/huge.ubnt", "wb").write(ubnt + b"\x5a" * 100)
gemtek = b"GMTK1007" + struct.pack("<IIII", 1, 0xFFFFFFF0, 0, 0) + b"2\0\0\0EN\0\0"
open(f"{d}/huge.gemtek", "wb").write(gemtek + b"\x5a" * 100)
chdr = b"CHDR" + struct.pack("<III", 0xFFFFFFF0, 0, 1)
open(f"{d}/huge.chdr", "wb").write(chdr + b"\x5a" * 100)
belkin = b"RT18\x01\x18\x07\x0f\x01\x09\x09\x09" + struct.pack(">II", 0, 0xFFFFFF00) * 2 + b"\x5c\x78\0\0"
open(f"{d}/huge.belkin", "wb").write(belkin + b"\x5a" * 100)
EOF
for f in huge.tpl:tplink huge.chk:netgearchk huge.seama:seama huge.ubnt:ubnt huge.gemtek:gemtek huge.chdr:linksyschdr \
  huge.belkin:belkin; do
  list "$tmp/${f%:*}" "$tmp/${f%:*}"
  j="$tmp/${f%:*}.json"
  eq "${f%:*}: ${f#*:} over the file" "${f#*:} $(stat -c %s "$tmp/${f%:*}")" \
    "$(field "$j" '.id=="0.1"' format) $(field "$j" '.id=="0.1"' size)"
  check "${f%:*}: E_TRUNCATED" jqe 'any(.diagnostics[]; (.layer | startswith("0.1")) and .code == "E_TRUNCATED")' "$j"
done

if [ "$fail" -ne 0 ]; then echo "vendor: some checks failed"; exit 1; fi
echo "vendor: all checks passed"

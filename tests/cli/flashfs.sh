#!/usr/bin/env bash
# JFFS2 and CramFS: iotcop's listing (unpack --list --format json --sha256)
# against what went in.
#  - a tree made here under fakeroot (setuid file, symlinks, hard links, a
#    FIFO, device nodes, empty file and directory, a 1 MiB file) is packed
#    by the real mkfs.jffs2 (mtd-utils: both byte orders, erase sizes, no
#    cleanmarkers, every compressor, padding, summary nodes from sumtool)
#    and mkfs.cramfs (util-linux: both byte orders, 512-byte pad, explicit
#    holes, other block sizes, cramfsswap) and compared with a find/stat
#    manifest of the tree;
#  - the shared samples against what jffs2dump/jffs2reader and fsck.cramfs read;
#  - an image embedded between other bytes sits at its offset with its extent;
#  - JFFS2 in raw NAND dumps with the spare bytes after every page
#    (gen-nand.py), read through the nand layer;
#  - damaged images end normally with diagnostics.
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ] || [ -z "${IOTCOP_SOURCE:-}" ]; then
  echo "IOTCOP_SHARED or IOTCOP_SOURCE unset: skipping"; exit 77
fi
for tool in mkfs.jffs2 sumtool jffs2reader mkfs.cramfs fsck.cramfs cramfsswap fakeroot jq python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/flashfs.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib="$IOTCOP_SOURCE/tests/cli/lib"
# shellcheck source=../fixtures/lib/common.sh
. "$IOTCOP_SOURCE/tests/fixtures/lib/common.sh"
fail=0

check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
jqtest() { jq "$@" >/dev/null; }
list() { "$IOTCOP_BIN" unpack --in-process --list --format json --sha256 "$1" >"$2"; }

# ---- the source tree, its manifest and every image, in one fakeroot session ----
src="$tmp/root"
cat >"$tmp/build.sh" <<'EOF'
set -eu
src=$1 out=$2
mkdir -p "$src/bin" "$src/etc/init.d" "$src/dev" "$src/empty-dir" "$src/deep/a/b/c" "$src/www"
chmod 0755 "$src"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$src/etc/passwd"
printf '#!/bin/sh\ntelnetd -l /bin/sh\n' >"$src/etc/init.d/S50telnet"
chmod 0750 "$src/etc/init.d/S50telnet"
head -c 70000 /dev/urandom >"$src/bin/busybox"
chmod 4755 "$src/bin/busybox"
seq 1 40000 >"$src/www/index.txt"                 # compressible, several pages
head -c 1048576 /dev/urandom >"$src/big.bin"       # 1 MiB, incompressible
{ head -c 40000 /dev/zero; echo tail; } >"$src/sparse"   # zero pages: holes for mkfs.cramfs -z
: >"$src/empty"
ln -s busybox "$src/bin/sh"
ln -s /etc/passwd "$src/passwd-link"
ln -s "$(printf 'x%.0s' $(seq 1 250))" "$src/long-link"  # mkfs.jffs2 keeps 254 at most
ln "$src/etc/passwd" "$src/etc/passwd.hard"
ln "$src/bin/busybox" "$src/deep/a/b/c/bb"
echo deep >"$src/deep/a/b/c/file"
mknod -m 0600 "$src/dev/console" c 5 1
mknod -m 0666 "$src/dev/null" c 1 3
mknod -m 0640 "$src/dev/mtdblock3" b 31 3
mknod -m 0660 "$src/dev/ttyS0" c 4 64
mkfifo -m 0600 "$src/dev/initctl"
chown -h 1000:100 "$src/www" "$src/www/index.txt" "$src/passwd-link"
chown 0:5 "$src/dev/ttyS0" "$src/dev/mtdblock3"
chmod 1777 "$src/empty-dir"
chmod 2755 "$src/deep"
. "$3"
manifest_tsv "$src" | manifest_json >"$out/manifest.jsonl"
mkfs.jffs2 -r "$src" -o "$out/le-64k.jffs2" -l -e 0x10000
mkfs.jffs2 -r "$src" -o "$out/be-128k-nocm.jffs2" -b -e 0x20000 -n
mkfs.jffs2 -r "$src" -o "$out/le-lzo.jffs2" -l -e 0x4000 -X lzo -x zlib -x rtime
mkfs.jffs2 -r "$src" -o "$out/be-rtime.jffs2" -b -e 0x10000 -x zlib
mkfs.jffs2 -r "$src" -o "$out/le-none.jffs2" -l -m none -e 0x8000
mkfs.jffs2 -r "$src" -o "$out/nand-le-16k.jffs2" -l -e 0x4000 -n
mkfs.jffs2 -r "$src" -o "$out/nand-le-256k.jffs2" -l -e 0x40000 -n
mkfs.jffs2 -r "$src" -o "$out/be-pad.jffs2" -b -e 0x20000 -p
mkfs.jffs2 -r "$src" -o "$out/plain.jffs2" -l -e 0x10000
sumtool -i "$out/plain.jffs2" -o "$out/le-summary.jffs2" -e 0x10000 -l
mkfs.cramfs "$src" "$out/le.cramfs" >/dev/null
mkfs.cramfs -N big "$src" "$out/be.cramfs" >/dev/null
mkfs.cramfs -p -z "$src" "$out/le-pad-holes.cramfs" >/dev/null
mkfs.cramfs -N big -b 16384 "$src" "$out/be-16k.cramfs" >/dev/null
cramfsswap "$out/le.cramfs" "$out/swapped-be.cramfs" >/dev/null
EOF
mkdir -p "$tmp/img"
fakeroot bash "$tmp/build.sh" "$src" "$tmp/img" "$IOTCOP_SOURCE/tests/fixtures/lib/common.sh" ||
  { echo "FAIL: building the images"; exit 1; }
rm -f "$tmp/img/plain.jffs2"

for img in "$tmp"/img/*.jffs2 "$tmp"/img/*.cramfs; do
  name=$(basename "$img")
  fmt=${name##*.}
  list "$img" "$tmp/$name.json"
  check "$name: files = manifest" \
    python3 "$lib/compare_listing.py" "$tmp/img/manifest.jsonl" "$tmp/$name.json" --layer-format "$fmt" --hash
  check "$name: one $fmt layer covering the image, no diagnostics" \
    jqtest -se --arg f "$fmt" --argjson size "$(stat -c %s "$img")" \
      '.[-1].summary | ([.layers[] | select(.format == $f)] | length == 1 and .[0].offset == 0 and .[0].size == $size) and (.diagnostics == [])' \
      "$tmp/$name.json"
  # Device numbers are not in the manifest: compare them with what went in.
  check "$name: device numbers" \
    jqtest -se '[.[] | select(.path? and (.type == "chardev" or .type == "blockdev")) | "\(.path) \(.major):\(.minor)"] | sort ==
      ["/dev/console 5:1", "/dev/mtdblock3 31:3", "/dev/null 1:3", "/dev/ttyS0 4:64"]' "$tmp/$name.json"
done

# ---- embedded between other bytes: offset and extent --------------------------
{ head -c 65536 /dev/urandom; cat "$tmp/img/be-128k-nocm.jffs2"; head -c 100000 /dev/urandom; } >"$tmp/embedded.bin"
list "$tmp/embedded.bin" "$tmp/embedded.json"
check "embedded JFFS2 at 65536 with its own length" \
  jqtest -se --argjson size "$(stat -c %s "$tmp/img/be-128k-nocm.jffs2")" \
    '[.[-1].summary.layers[] | select(.format == "jffs2")] | length == 1 and .[0].offset == 65536 and .[0].size == $size' \
    "$tmp/embedded.json"
{ head -c 4000 /dev/urandom; cat "$tmp/img/le-pad-holes.cramfs" "$tmp/img/be.cramfs"; head -c 3000 /dev/urandom; } >"$tmp/embedded2.bin"
list "$tmp/embedded2.bin" "$tmp/embedded2.json"
check "two embedded CramFS (one padded) at their offsets" \
  jqtest -se --argjson a "$(stat -c %s "$tmp/img/le-pad-holes.cramfs")" --argjson b "$(stat -c %s "$tmp/img/be.cramfs")" \
    '[.[-1].summary.layers[] | select(.format == "cramfs") | [.offset, .size]] == [[4000, $a], [4000 + $a, $b]]' \
    "$tmp/embedded2.json"

# ---- JFFS2 in a raw NAND dump: each page followed by its spare bytes ------------
# Images made for NAND (no cleanmarkers: NAND keeps them in the spare area)
# turned into what a chip programmer reads by tests/fixtures/gen-nand.py: a
# nand layer over the whole dump, the JFFS2 read from its pages alone, every
# file as it went in; the JFFS2 reader must not take the raw dump itself.
while read -r image page spare pages; do
  nand="$tmp/$image-$page+$spare.nand"
  python3 "$IOTCOP_SOURCE/tests/fixtures/gen-nand.py" oob --page "$page" --spare "$spare" "$tmp/img/$image" "$nand"
  list "$nand" "$nand.json"
  check "$image in a NAND dump ($page+$spare): files = manifest" \
    python3 "$lib/compare_listing.py" "$tmp/img/manifest.jsonl" "$nand.json" --layer-format jffs2 --hash
  check "$image in a NAND dump ($page+$spare): nand over the dump, JFFS2 from its pages, no diagnostics" \
    jqtest -se --argjson size "$(stat -c %s "$nand")" --arg geo "$page+$spare-byte pages, $pages pages per erase block" \
      '.[-1].summary | ([.layers[] | select(.format == "nand")] | length == 1 and .[0].offset == 0 and .[0].size == $size
        and (.[0].info | startswith("NAND dump of JFFS2, " + $geo)))
        and ([.layers[] | select(.format == "jffs2")] | length == 1 and .[0].parent == "0.1" and .[0].offset == 0)
        and (.diagnostics == [])' "$nand.json"
done <<'EOF'
be-128k-nocm.jffs2 2048 64 64
nand-le-16k.jffs2 512 16 32
nand-le-256k.jffs2 4096 224 64
EOF

# ---- the shared samples -----------------------------------------------------------
# JFFS2 (fact-extractor, both byte orders): jffs2reader reads neither the
# big-endian image nor an entry of version 0, so the tree (newest entry per
# name, newest inode size) is rebuilt from jffs2dump's node listing, and the
# contents come from jffs2reader -f on a little-endian copy (jffs2dump -e).
jffs2_manifest() { # image -b|-l -> manifest on stdout
  local img=$1 order=$2 le="$tmp/le-copy.img"
  if [ "$order" = -b ]; then jffs2dump -b -r -e "$le" "$img" >/dev/null; else cp "$img" "$le"; fi
  jffs2dump "$order" -c "$img" | python3 "$tmp/jffs2ref.py" "$le"
}
cat >"$tmp/jffs2ref.py" <<'PY'
import hashlib, json, re, subprocess, sys
le = sys.argv[1]
dirents, inodes = {}, {}
for line in sys.stdin:
    m = re.search(r'Dirent +node at \S+, totlen \S+, #pino +(\d+), version +(\d+), #ino +(\d+), nsize +\d+, name (.*)$', line)
    if m:
        pino, ver, ino, name = int(m[1]), int(m[2]), int(m[3]), m[4]
        if (pino, name) not in dirents or dirents[(pino, name)][0] <= ver:
            dirents[(pino, name)] = (ver, ino)
        continue
    m = re.search(r'Inode +node at \S+, totlen \S+, #ino +(\d+), version +(\d+), isize +(\d+)', line)
    if m:
        ino, ver, isize = int(m[1]), int(m[2]), int(m[3])
        if ino not in inodes or inodes[ino][0] <= ver:
            inodes[ino] = (ver, isize)
children = {}
for (pino, name), (ver, ino) in dirents.items():
    if ino:
        children.setdefault(pino, []).append((name, ino))
out, todo = [], [(1, '')]
while todo:
    ino, path = todo.pop()
    for name, child in children.get(ino, []):
        p = path + '/' + name
        e = {'path': p, 'size': 0}
        if child in children:
            e['type'] = 'dir'
            todo.append((child, p))
        else:
            e['type'] = 'file'
            e['size'] = inodes[child][1]
            r = subprocess.run(['jffs2reader', le, '-f', p], capture_output=True)
            if r.returncode == 0 and len(r.stdout) == e['size']:
                e['sha256'] = hashlib.sha256(r.stdout).hexdigest()
        out.append(e)
for e in sorted(out, key=lambda e: e['path']):
    print(json.dumps(e))
PY
for s in jffs2_le jffs2_be; do
  img="$IOTCOP_SHARED/samples/fact-extractor/jffs2/$s.img"
  order=-l; [ "$s" = jffs2_be ] && order=-b
  jffs2_manifest "$img" "$order" >"$tmp/$s.manifest"
  list "$img" "$tmp/$s.json"
  check "sample $s.img = jffs2reader ($(wc -l <"$tmp/$s.manifest") entries)" \
    python3 "$lib/compare_listing.py" "$tmp/$s.manifest" "$tmp/$s.json" --layer-format jffs2 --hash \
      --fields path,type,size
done
# The names the publisher's own test expects.
for want in '"/testfile1"' '"/testfile2"' '"/generic folder/test file 3_.txt"'; do
  check "jffs2_be.img has $want" grep -q "\"path\":$want" "$tmp/jffs2_be.json"
done
# CramFS samples: what fsck.cramfs --extract extracts, with owners and modes as it sets them.
for s in fact-extractor/sevenz/cramfs.img binwalk/inputs/cramfs.bin; do
  img="$IOTCOP_SHARED/samples/$s"
  name=$(echo "$s" | tr '/' '_')
  rm -rf "$tmp/x"
  fakeroot bash -c '. "$1"; fsck.cramfs --extract="$2" "$3" >/dev/null && manifest_tsv "$2" | manifest_json' _ \
    "$IOTCOP_SOURCE/tests/fixtures/lib/common.sh" "$tmp/x" "$img" >"$tmp/$name.manifest" ||
    { echo "FAIL: fsck.cramfs --extract $s"; fail=1; continue; }
  list "$img" "$tmp/$name.json"
  check "sample $s = fsck.cramfs --extract ($(wc -l <"$tmp/$name.manifest") entries)" \
    python3 "$lib/compare_listing.py" "$tmp/$name.manifest" "$tmp/$name.json" --layer-format cramfs --hash
done

# ---- damaged images: a normal end, partial results, diagnostics --------------------
damage() { # image offset bytes -> copy with bytes overwritten
  cp "$1" "$4"
  printf "$3" | dd of="$4" bs=1 seek="$2" conv=notrunc status=none
}
for img in le-64k.jffs2 be.cramfs; do
  size=$(stat -c %s "$tmp/img/$img")
  head -c $((size / 2)) "$tmp/img/$img" >"$tmp/trunc-$img"
  damage "$tmp/img/$img" $((size / 3)) '\x00\x01\x02\x03\x04\x05\x06\x07' "$tmp/flip-$img"
  for bad in "trunc-$img" "flip-$img"; do
    rc=0
    "$IOTCOP_BIN" unpack --list --format json "$tmp/$bad" >"$tmp/$bad.json" 2>"$tmp/$bad.err" || rc=$?
    check "$bad: exit 0 with a layer and diagnostics" \
      bash -c '[ "$1" = 0 ] && jq -se "(.[-1].summary.layers | length) >= 2 and (.[-1].summary.diagnostics | length) >= 1" "$2" >/dev/null' \
      _ "$rc" "$tmp/$bad.json"
  done
done
exit $fail

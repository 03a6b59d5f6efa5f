#!/usr/bin/env bash
# SquashFS 2.x/3.x and the vendor variants: iotcop's listing
# (unpack --list --format json --sha256) against what went in.
#  - the fixtures of make-squashfs3.sh (real Debian mipsel busybox/dropbear
#    root; v2/v3, both byte orders, gzip and every vendor LZMA framing and
#    magic) against the find/stat manifest of that root (the gzip images'
#    manifests are also checked by Debian's unsquashfs at build time);
#  - the shared samples: fkie-cad/fact_extractor's squashFS/ v2/v3 images
#    (its plugins/unpacking/squashFS/test/test_plugin_squashfs.py expects
#    testfile1, testfile2 and "generic folder/test file 3_.txt" from every one;
#    listing and contents from unsquashfs where it reads them, the zlib ones),
#    its avm_be.sqfs4 (big-endian SquashFS 4) against avm_le.sqfs4,
#    its avm_sqfs_fake/fake.sqfs (plugins/unpacking/avm_sqfs_fake test: the
#    bytes after the 256-byte header are "Test File"), binwalk's
#    inputs/squashfs_v2.bin (listing from unsquashfs -lln, which reads its
#    plain metadata; its Broadcom-LZMA contents must all decode) and
#    legacy-input-vectors/firmware.squashfs (SquashFS 4 with vendor LZMA);
#  - a standard SquashFS 4 under the vendor magics;
#  - big-endian SquashFS 4 with gzip, lzo, lz4, zstd and xz: mksquashfs images
#    byte-swapped by tests/fixtures/squashfs4-to-be.py, against unsquashfs's
#    reading of the originals;
#  - an image embedded between other bytes sits at its offset with its extent;
#  - damaged images end normally with diagnostics and partial results.
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ] || [ -z "${IOTCOP_SOURCE:-}" ]; then
  echo "IOTCOP_SHARED or IOTCOP_SOURCE unset: skipping"; exit 77
fi
for tool in unsquashfs jq python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/squashfs3.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib="$IOTCOP_SOURCE/tests/cli/lib"
samples="$IOTCOP_SHARED/samples"
fail=0
# The listing prints the hash of no bytes for a file whose content was not read.
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

check() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
jqtest() { jq -e "$@" >/dev/null; }
list() { "$IOTCOP_BIN" unpack --in-process --list --format json --sha256 "$1" >"$2"; }

# unsquashfs -lln (and sha256 of an unsquashfs extraction, when it can
# extract) as a manifest in compare_listing.py's keys.
unsquashfs_manifest() { # IMAGE OUT [extract]
  local img=$1 out=$2 x="$tmp/unsq.$$"
  rm -rf "$x"
  unsquashfs -lln "$img" >"$tmp/lln.txt" 2>/dev/null
  if [ "${3:-}" = extract ]; then
    unsquashfs -no-xattrs -q -n -d "$x" "$img" >/dev/null 2>&1 || return 1
  fi
  python3 - "$tmp/lln.txt" "$x" >"$out" <<'EOF'
import hashlib, json, os, re, sys
types = {'-': 'file', 'd': 'dir', 'l': 'symlink', 'c': 'chardev', 'b': 'blockdev',
         'p': 'fifo', 's': 'socket'}
line_re = re.compile(r'^(\S)(\S{9}) (\d+)/(\d+) +(\d+|\d+, *\d+) \S+ \S+ squashfs-root(.*?)(?: -> (.*))?$')
for line in open(sys.argv[1], encoding='utf-8', errors='surrogateescape'):
    m = line_re.match(line.rstrip('\n'))
    if not m:
        continue
    t, perms, uid, gid, size, path, link = m.groups()
    bits = 0
    for i, ch in enumerate(perms):
        if ch not in '-ST':
            bits |= 0o400 >> i
    bits |= (0o4000 if perms[2] in 'sS' else 0) | (0o2000 if perms[5] in 'sS' else 0)
    bits |= 0o1000 if perms[8] in 'tT' else 0
    bits &= ~((0o100 if perms[2] == 'S' else 0) | (0o10 if perms[5] == 'S' else 0)
              | (0o1 if perms[8] == 'T' else 0))
    e = {'path': path or '/', 'type': types[t], 'mode': '%04o' % bits, 'uid': int(uid),
         'gid': int(gid), 'size': int(size) if types[t] in ('file', 'symlink') else 0}
    if link is not None:
        e['link'] = link
    full = os.path.join(sys.argv[2], path.lstrip('/'))
    if types[t] == 'file' and os.path.isfile(full):
        e['sha256'] = hashlib.sha256(open(full, 'rb').read()).hexdigest()
    print(json.dumps(e))
EOF
  rm -rf "$x"
}

# ---- 1. the fixtures against the manifest of their root -----------------------
fix="${IOTCOP_FIXTURES:-}/squashfs3"
if [ ! -f "$fix/squashfs3.json" ]; then
  echo "FAIL: fixtures missing in $fix (tests/fixtures/build-all.sh)"; fail=1
else
  while IFS=$'\t' read -r file version endian comp magic manifest; do
    list "$fix/$file" "$tmp/$file.json"
    check "$file: listing and contents match the root's manifest" \
      python3 "$lib/compare_listing.py" "$fix/$manifest" "$tmp/$file.json" \
      --layer-format squashfs3 --hash
    case $comp in
      gzip) want=gzip ;; lzma) want='lzma,' ;; lzma-header5) want='Broadcom' ;;
      lzma-ddwrt) want='DD-WRT' ;; lzma-bare) want='bare stream' ;;
    esac
    e=little; [ "$endian" = be ] && e=big
    check "$file: one layer at 0 with its size, named SquashFS $version.x $comp $endian $magic, no diagnostics" \
      jqtest --argjson size "$(stat -c %s "$fix/$file")" --arg v "SquashFS $version." \
      --arg want "$want" --arg e "$e-endian" --arg magic "$magic" \
      '.summary | select(.layers != null)
        | ([.layers[] | select(.format == "squashfs3")] | length == 1)
          and ([.layers[] | select(.format == "squashfs3")][0]
               | .offset == 0 and .size <= $size and .size > $size - 4096
                 and (.info | startswith($v)) and (.info | contains($want))
                 and (.info | contains($e))
                 and (if $magic == "hsqs" or $magic == "sqsh" then (.info | contains("vendor") | not)
                      else (.info | contains("\"" + $magic + "\"")) end))
          and .diagnostics == []' "$tmp/$file.json"
  done < <(jq -r '[.file, .version, .endian, .comp, .magic, .manifest] | @tsv' "$fix/squashfs3.json")

  # Sparse block, hard link and exact two blocks: contents agree (checked
  # above by hash) and the hard link shares its inode's content.
  check "hard link and its target share one content" \
    jqtest -s '[.[] | select(.path == "/etc/passwd" or .path == "/etc/passwd.bak") | .sha256]
               | length == 2 and .[0] == .[1] and .[0] != null' "$tmp/v3-le-gzip.sqfs3.json"

  # ---- 2. embedded at an offset -------------------------------------------------
  { head -c 70001 /dev/urandom; cat "$fix/v3-be-broadcom.sqfs3"; head -c 5000 /dev/urandom; } >"$tmp/embedded.bin"
  list "$tmp/embedded.bin" "$tmp/embedded.json"
  check "embedded v3 big-endian Broadcom image at 70001 with its own length and every file" \
    jqtest -s --argjson size "$(stat -c %s "$fix/v3-be-broadcom.sqfs3")" \
    '([.[-1].summary.layers[] | select(.format == "squashfs3")] | length == 1
       and .[0].offset == 70001 and .[0].size <= $size and .[0].size > $size - 4096)
     and ([.[] | select(.layer != null)] | length) == ([.[-1].summary.layers[] | select(.format == "squashfs3")][0].entries)' \
    "$tmp/embedded.json"
  check "embedded image lists the same files as the manifest" \
    python3 "$lib/compare_listing.py" "$fix/v3-le-gzip.sqfs3.manifest.jsonl" "$tmp/embedded.json" \
    --layer-format squashfs3 --hash

  # ---- 3. extraction to disk -------------------------------------------------------
  "$IOTCOP_BIN" unpack --in-process -C "$tmp/x" "$fix/v2-be-broadcom.sqfs2" >/dev/null
  check "-C writes the v2 Broadcom image's busybox byte for byte" \
    cmp -s "$tmp/x/0.1/bin/busybox" <(unsquashfs -q -cat "$fix/v2-le-gzip.sqfs2" /bin/busybox)

  # ---- 4. damaged ------------------------------------------------------------------
  # The last 30 bytes cut: the fragment index and the owner tables are gone;
  # files made of whole blocks still read, the others are listed and diagnosed.
  bytes_used=$(od -An -tu8 -j 63 -N 8 "$fix/v3-le-lzma.sqfs3" | tr -d ' ')
  head -c $((bytes_used - 30)) "$fix/v3-le-lzma.sqfs3" >"$tmp/cut.sqfs3"
  rc=0; "$IOTCOP_BIN" unpack --in-process --list --format json --sha256 "$tmp/cut.sqfs3" >"$tmp/cut.json" || rc=$?
  check "truncated image: exit 0, every entry listed, E_TRUNCATED, whole-block files still read" \
    jqtest -s --argjson rc "$rc" --slurpfile m "$fix/v3-le-gzip.sqfs3.manifest.jsonl" \
    '$rc == 0 and (.[-1].summary.diagnostics | any(.code == "E_TRUNCATED"))
      and ([.[] | select(.layer != null)] | length) == ($m | length)
      and ([.[] | select(.path == "/www/two-blocks.bin")][0].sha256
           == ($m[] | select(.path == "/www/two-blocks.bin") | .sha256))' "$tmp/cut.json"
  # 100 KB of data zeroed: the files there fail to decompress, the rest read.
  python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[600000:700000] = bytes(100000); open(sys.argv[2], "wb").write(d)' \
    "$fix/v3-le-lzma.sqfs3" "$tmp/zeroed.sqfs3"
  list "$tmp/zeroed.sqfs3" "$tmp/zeroed.json"
  check "zeroed data: a decompression diagnostic, the other files still match" \
    jqtest -s --slurpfile m "$fix/v3-le-gzip.sqfs3.manifest.jsonl" \
    '(.[-1].summary.diagnostics | length > 0 and all(.code == "E_DECOMPRESS"))
      and ([.[] | select(.path == "/etc/passwd")][0].sha256
           == ($m[] | select(.path == "/etc/passwd") | .sha256))' "$tmp/zeroed.json"
fi

python3 "$IOTCOP_SOURCE/tests/fixtures/gen-squashfs3.py" --hostile "$tmp/hostile.sqfs3"
rc=0; "$IOTCOP_BIN" unpack --in-process --list --format json "$tmp/hostile.sqfs3" >"$tmp/hostile.json" || rc=$?
check "hostile image (1 TiB file, directory loop, inode far outside the table): exit 0, every sane entry, a diagnostic for each" \
  jqtest -s --argjson rc "$rc" '$rc == 0
    and ([.[] | select(.layer != null) | .path] | sort == ["/", "/big", "/link", "/loop"])
    and (.[-1].summary.diagnostics | map(.code) | sort == ["E_LIMIT_FILE_SIZE", "E_LOOP", "E_TRUNCATED"])' \
  "$tmp/hostile.json"
"$IOTCOP_BIN" unpack --in-process --list --format json --limit file-size=2048G "$tmp/hostile.sqfs3" >"$tmp/hostile2.json"
check "a 1 TiB file under a 2 TiB limit: its block list cannot fit, diagnosed, no content" \
  jqtest -s '(.[-1].summary.diagnostics | any(.code == "E_FORMAT" and (.message | contains("/big"))))
    and ([.[] | select(.path == "/big")][0].size == 1099511627776)' "$tmp/hostile2.json"
# Every byte of a small image flipped in turn: no crash, no hang.
python3 - "$tmp/hostile.sqfs3" "$tmp/flip" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], 'rb').read()[:300])
for i in range(0, len(data), 6):
    d = bytearray(data)
    d[i] ^= 0xA5
    open('%s.%03d' % (sys.argv[2], i), 'wb').write(d)
EOF
bad=0
for f in "$tmp"/flip.*; do
  rc=0; "$IOTCOP_BIN" unpack --in-process --list --format json "$f" >/dev/null 2>&1 || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "  $f: exit $rc"; bad=1; }
done
check "50 damaged variants of the hostile image end with exit status 0 or 3" test "$bad" = 0

# ---- 5. the fact_extractor samples ----------------------------------------------
sq="$samples/fact-extractor/squashFS"
for s in zlib_le.sqfs3 zlib_be.sqfs3; do
  unsquashfs_manifest "$sq/$s" "$tmp/$s.ref" extract
  list "$sq/$s" "$tmp/$s.json"
  check "fact_extractor $s: listing and contents as unsquashfs reads them" \
    python3 "$lib/compare_listing.py" "$tmp/$s.ref" "$tmp/$s.json" --layer-format squashfs3 --hash
done
for s in lzma1_le.sqfs3 lzma1_be.sqfs3 lzma_le.sqfs2 lzma_be.sqfs2; do
  list "$sq/$s" "$tmp/$s.json"
  # Same files, made by the publisher from the same test set as the zlib ones.
  check "fact_extractor $s: the three test files with the contents unsquashfs reads from zlib_le.sqfs3" \
    python3 "$lib/compare_listing.py" "$tmp/zlib_le.sqfs3.ref" "$tmp/$s.json" --layer-format squashfs3 --hash
  check "fact_extractor $s: no diagnostics" jqtest -s '.[-1].summary.diagnostics == []' "$tmp/$s.json"
done
check "the publisher's three file names are there" \
  jqtest -s '[.[] | select(.type == "file") | .path] | sort == ["/generic folder/test file 3_.txt", "/testfile1", "/testfile2"]' \
  "$tmp/lzma_be.sqfs2.json"

# AVM's big-endian SquashFS 4 (fact_extractor expects the standard set from
# it with sasquatch-v4be): the same files as its little-endian twin, which
# unsquashfs reads.
unsquashfs_manifest "$sq/avm_le.sqfs4" "$tmp/avm_le.ref" extract
list "$sq/avm_be.sqfs4" "$tmp/avm_be.json"
check "fact_extractor avm_be.sqfs4 (big-endian SquashFS 4, xz): the files and contents unsquashfs reads from avm_le.sqfs4" \
  python3 "$lib/compare_listing.py" "$tmp/avm_le.ref" "$tmp/avm_be.json" --layer-format squashfs3 --hash
check "fact_extractor avm_be.sqfs4: named big-endian SquashFS 4.0 xz, no diagnostics" \
  jqtest -s '(.[-1].summary.layers[] | select(.format == "squashfs3") | .info
              | startswith("SquashFS 4.0 xz, big-endian")) and .[-1].summary.diagnostics == []' \
  "$tmp/avm_be.json"

# A standard SquashFS 4 under a vendor magic is read by libsquashfs all the same.
if [ -f "${IOTCOP_FIXTURES:-}/formats/rootfs-xz.squashfs" ]; then
  for magic in shsq qshs hsqt; do
    { printf '%s' "$magic"; tail -c +5 "$IOTCOP_FIXTURES/formats/rootfs-xz.squashfs"; } >"$tmp/v4-$magic.sqfs"
    list "$tmp/v4-$magic.sqfs" "$tmp/v4-$magic.json"
    check "SquashFS 4 with magic $magic: listing and contents as the manifest, magic named" \
      python3 "$lib/compare_listing.py" "$IOTCOP_FIXTURES/formats/rootfs-xz.squashfs.manifest.jsonl" \
      "$tmp/v4-$magic.json" --layer-format squashfs --hash
    check "SquashFS 4 with magic $magic: the info names it" \
      jqtest -s --arg m "$magic" '.[-1].summary.layers[] | select(.format == "squashfs") | .info | contains("\"" + $m + "\"")' \
      "$tmp/v4-$magic.json"
  done
else
  echo "FAIL: $IOTCOP_FIXTURES/formats/rootfs-xz.squashfs missing"; fail=1
fi

# Big-endian SquashFS 4 with every compressor: mksquashfs cannot write it, so
# tests/fixtures/squashfs4-to-be.py byte-swaps what mksquashfs wrote (metadata
# left uncompressed so nothing moves; data blocks compressed). The files and
# contents must be what unsquashfs reads from the little-endian original.
if [ -f "${IOTCOP_FIXTURES:-}/formats/rootfs-xz.squashfs" ] && command -v mksquashfs >/dev/null; then
  unsquashfs -q -n -d "$tmp/be-root" "$IOTCOP_FIXTURES/formats/rootfs-xz.squashfs" >/dev/null 2>&1
  for comp in gzip lzo lz4 zstd xz lzma; do
    le="$tmp/le-$comp.sqfs" be="$tmp/be-$comp.sqfs"
    mksquashfs "$tmp/be-root" "$le" -noappend -comp "$comp" -noI -noF -no-xattrs -no-exports \
      -quiet >/dev/null 2>&1 || { echo "mksquashfs has no $comp here: skipped"; continue; }
    python3 "$IOTCOP_SOURCE/tests/fixtures/squashfs4-to-be.py" "$le" "$be"
    unsquashfs_manifest "$le" "$tmp/le-$comp.ref" extract
    list "$be" "$tmp/be-$comp.json"
    check "big-endian SquashFS 4 $comp: the files and contents unsquashfs reads from the little-endian original" \
      python3 "$lib/compare_listing.py" "$tmp/le-$comp.ref" "$tmp/be-$comp.json" --layer-format squashfs3 --hash
    check "big-endian SquashFS 4 $comp: named, no diagnostics" \
      jqtest -s --arg c "$comp" '(.[-1].summary.layers[] | select(.format == "squashfs3") | .info
              | startswith("SquashFS 4.0 " + $c + ", big-endian")) and .[-1].summary.diagnostics == []' \
      "$tmp/be-$comp.json"
    # One data block damaged: a diagnostic, the other files still listed.
    cp "$be" "$tmp/bad-be-$comp.sqfs"
    python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(200); b=f.read(64); f.seek(200); f.write(bytes(x ^ 0xa5 for x in b))" "$tmp/bad-be-$comp.sqfs"
    list "$tmp/bad-be-$comp.sqfs" "$tmp/bad-be-$comp.json"
    check "big-endian SquashFS 4 $comp with a damaged data block: still every entry listed" \
      python3 "$lib/compare_listing.py" "$tmp/le-$comp.ref" "$tmp/bad-be-$comp.json" --layer-format squashfs3 \
      --fields path,type,mode,uid,gid,size,link
    check "big-endian SquashFS 4 $comp with a damaged data block: E_DECOMPRESS names the file" \
      jqtest -s 'any(.[-1].summary.diagnostics[]; .code == "E_DECOMPRESS" and (.message | test("^content of /")))' \
      "$tmp/bad-be-$comp.json"
  done
else
  echo "FAIL: $IOTCOP_FIXTURES/formats/rootfs-xz.squashfs or mksquashfs missing"; fail=1
fi

# AVM's fake SquashFS: the bytes behind the 256-byte header are the image.
"$IOTCOP_BIN" unpack --in-process -C "$tmp/avm" "$samples/fact-extractor/avm_sqfs_fake/fake.sqfs" >/dev/null
check "avm_sqfs_fake/fake.sqfs: an avm-fake-squashfs layer whose content is \"Test File\"" \
  test "$(cat "$tmp/avm/0.1.bin")" = "Test File"
"$IOTCOP_BIN" unpack --in-process --format json "$samples/fact-extractor/avm_sqfs_fake/fake.sqfs" >"$tmp/avm.json"
check "avm_sqfs_fake/fake.sqfs: the layer is named" \
  jqtest '[.unpack.layers[]? // .summary.layers[]? | select(.format == "avm-fake-squashfs")] | length == 1' "$tmp/avm.json"

# ---- 6. binwalk's samples ------------------------------------------------------------
v2="$samples/binwalk/inputs/squashfs_v2.bin"
unsquashfs_manifest "$v2" "$tmp/v2.ref"
list "$v2" "$tmp/v2.json"
check "binwalk squashfs_v2.bin: listing as unsquashfs -lln reads it" \
  python3 "$lib/compare_listing.py" "$tmp/v2.ref" "$tmp/v2.json" --layer-format squashfs3
check "binwalk squashfs_v2.bin: SquashFS 2.0 big-endian Broadcom LZMA, every file's content read, no diagnostics" \
  jqtest -s --arg empty "$EMPTY" '(.[-1].summary.layers[] | select(.format == "squashfs3") | .info
              | startswith("SquashFS 2.0") and contains("Broadcom") and contains("big-endian"))
    and ([.[] | select(.type == "file" and .size > 0 and .sha256 == $empty)] | length == 0)
    and .[-1].summary.diagnostics == []' "$tmp/v2.json"
"$IOTCOP_BIN" unpack --in-process -C "$tmp/v2x" "$v2" >/dev/null
check "binwalk squashfs_v2.bin: /bin/busybox is a big-endian MIPS ELF" \
  test "$(head -c 16 "$tmp/v2x/0.1/bin/busybox" | od -An -tx1 | tr -d ' \n')" = 7f454c46010201000000000000000000 -a \
  "$(od -An -tx1 -j 18 -N 2 "$tmp/v2x/0.1/bin/busybox" | tr -d ' \n')" = 0008

fw="$samples/binwalk/legacy-input-vectors/firmware.squashfs"
list "$fw" "$tmp/fw.json"
check "binwalk firmware.squashfs (SquashFS 4, vendor LZMA): every file read, no diagnostics" \
  jqtest -s --arg empty "$EMPTY" '([.[-1].summary.layers[] | select(.format == "squashfs")] | length == 1)
    and ([.[] | select(.type == "file" and .size > 0 and .sha256 == $empty)] | length == 0)
    and ([.[] | select(.path == "/bin/busybox" and .type == "file")] | length == 1)
    and .[-1].summary.diagnostics == []' "$tmp/fw.json"

exit $fail

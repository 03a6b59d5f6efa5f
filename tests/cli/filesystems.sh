#!/usr/bin/env bash
# SquashFS 4 and ext2/3/4: iotcop's listing (unpack --list --format json)
# against what the real tools say about the same image:
#  - every standard SquashFS 4 sample in the shared samples vs unsquashfs -lln;
#  - images built here with mksquashfs (every compressor it has) and
#    mkfs.ext2/ext4 -d vs unsquashfs -lln and a find(1) manifest of the source;
#  - hostile images: iotcop must end normally, with diagnostics.
set -euo pipefail
: "${IOTCOP_BIN:?}"
if [ -z "${IOTCOP_SHARED:-}" ]; then
  echo "IOTCOP_SHARED unset: skipping"; exit 77
fi
for tool in unsquashfs mksquashfs mkfs.ext4 mkfs.ext2 debugfs python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)"; exit 1; }
done
tmp=$(mktemp -d "${IOTCOP_TMP:-/tmp}/filesystems.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

list() { "$IOTCOP_BIN" unpack --in-process --list --format json "$1"; }

# compare.py KIND REFERENCE IOTCOP_JSON [LAYER_FORMAT]
#   KIND unsquashfs: REFERENCE is `unsquashfs -lln` output
#   KIND find:       REFERENCE is `find -printf` output (see make_manifest)
cat >"$tmp/compare.py" <<'EOF'
import json, re, sys
kind, ref_path, ours_path = sys.argv[1:4]
layer_format = sys.argv[4] if len(sys.argv) > 4 else None
types = {'-': 'file', 'd': 'dir', 'l': 'symlink', 'c': 'chardev', 'b': 'blockdev',
         'p': 'fifo', 's': 'socket', 'f': 'file'}

def perm_bits(s):
    bits = 0
    for i, ch in enumerate(s):
        if ch not in '-ST':
            bits |= 0o400 >> i
    if s[2] in 'sS': bits |= 0o4000
    if s[5] in 'sS': bits |= 0o2000
    if s[8] in 'tT': bits |= 0o1000
    if s[2] == 'S': bits &= ~0o100
    if s[5] == 'S': bits &= ~0o010
    if s[8] == 'T': bits &= ~0o001
    return bits

ref = {}
if kind == 'unsquashfs':
    line_re = re.compile(r'^(\S)(\S{9}) (\d+)/(\d+) +(\d+|\d+, *\d+) \d{4}-\d\d-\d\d \d\d:\d\d '
                         r'squashfs-root(.*?)(?: -> (.*))?$')
    for line in open(ref_path, encoding='utf-8', errors='surrogateescape'):
        line = line.rstrip('\n')
        m = line_re.match(line)
        if not m:
            continue
        t, perms, uid, gid, size, path, link = m.groups()
        e = {'type': types[t], 'mode': '%04o' % perm_bits(perms), 'uid': int(uid),
             'gid': int(gid)}
        if ',' in size:
            major, minor = (int(v) for v in size.split(','))
            e['major'], e['minor'] = major, minor
        elif types[t] in ('file', 'symlink'):
            e['size'] = int(size)
        if link is not None:
            e['link'] = link
        ref[path or '/'] = e
else:  # find -printf '%y\t%m\t%U\t%G\t%s\t%P\t%l\n'
    for line in open(ref_path, encoding='utf-8', errors='surrogateescape'):
        t, mode, uid, gid, size, path, link = line.rstrip('\n').split('\t')
        e = {'type': types[t], 'mode': '%04o' % int(mode, 8), 'uid': int(uid), 'gid': int(gid)}
        if types[t] in ('file', 'symlink'):
            e['size'] = int(size)
        if t == 'l':
            e['link'] = link
        ref['/' + path if path else '/'] = e

ours, layers = {}, {}
for line in open(ours_path):
    o = json.loads(line)
    if 'summary' in o:
        layers = {l['id']: l for l in o['summary']['layers']}
        diags = o['summary']['diagnostics']
        continue
    ours.setdefault(o['layer'], {})[o['path']] = o
fs_layers = [lid for lid in ours if layer_format is None or layers[lid]['format'] == layer_format]
if len(fs_layers) != 1:
    sys.exit('expected one %s layer, found %r' % (layer_format, sorted(ours)))
mine = ours[fs_layers[0]]
if kind == 'find':
    mine.pop('/lost+found', None)
problems = []
for path in sorted(set(ref) | set(mine)):
    if path not in mine:
        problems.append('missing in iotcop: ' + path); continue
    if path not in ref:
        problems.append('only in iotcop: ' + path); continue
    r, o = ref[path], mine[path]
    if r.get('major', 0) > 0xfff:
        # unsquashfs -lln prints devno >> 8 and devno & 0xff; the kernel (and iotcop)
        # decode the Linux encoding into 12/20-bit major/minor. Compare the raw number.
        theirs = (r.pop('major') << 8) | r.pop('minor')
        ma, mi = o.get('major', -1), o.get('minor', -1)
        if (mi & 0xff) | (ma << 8) | ((mi & ~0xff) << 12) != theirs:
            problems.append('%s: device %r:%r is not devno %d' % (path, ma, mi, theirs))
    for key, want in r.items():
        if path == '/' and key in ('mode', 'uid', 'gid') and kind == 'find':
            continue  # mkfs -d keeps the root's own attributes only sometimes
        if o.get(key) != want:
            problems.append('%s: %s is %r, reference says %r' % (path, key, o.get(key), want))
for p in problems[:40]:
    print('  ' + p)
if problems:
    sys.exit(1)
print('  %d entries agree' % len(ref))
EOF

check_unsquashfs() {  # IMAGE LABEL
  local img=$1 label=$2
  unsquashfs -lln "$img" >"$tmp/ref.txt" 2>"$tmp/ref.err" || {
    echo "FAIL $label: unsquashfs cannot read it"; cat "$tmp/ref.err"; fail=1; return; }
  list "$img" >"$tmp/ours.json"
  echo "$label"
  if ! python3 "$tmp/compare.py" unsquashfs "$tmp/ref.txt" "$tmp/ours.json" squashfs; then
    echo "FAIL $label"; fail=1
  fi
}

# ---- 1. the shared SquashFS 4 samples ---------------------------------------
samples=(
  fact-extractor/squashFS/gzip.sqfs fact-extractor/squashFS/lzma.sqfs
  fact-extractor/squashFS/lzo.sqfs fact-extractor/squashFS/xz.sqfs
  fact-extractor/squashFS/lz4.sqfs fact-extractor/squashFS/zstd.sqfs
  binwalk/inputs/squashfs.bin fact-core/file_system_metadata/squashfs.img
)
for s in "${samples[@]}"; do
  path="$IOTCOP_SHARED/samples/$s"
  [ -f "$path" ] || { echo "FAIL missing sample $path"; fail=1; continue; }
  check_unsquashfs "$path" "sample $s"
done
# The publisher's test expects these names in every fact-extractor image.
list "$IOTCOP_SHARED/samples/fact-extractor/squashFS/lzo.sqfs" >"$tmp/lzo.json"
for want in '"/testfile1"' '"/testfile2"' '"/generic folder/test file 3_.txt"'; do
  grep -q "\"path\":$want" "$tmp/lzo.json" || { echo "FAIL lzo sample lacks $want"; fail=1; }
done

# ---- 2. images built here -------------------------------------------------------
src="$tmp/src"
mkdir -p "$src/bin" "$src/etc/init.d" "$src/empty-dir" "$src/deep/a/b/c/d"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$src/etc/passwd"
printf '#!/bin/sh\necho start\n' >"$src/etc/init.d/S50app"
head -c 5000 /dev/urandom >"$src/bin/busybox"
chmod 4755 "$src/bin/busybox"
head -c 700 /dev/urandom >"$src/bin/sgid"; chmod 2711 "$src/bin/sgid"
chmod 1777 "$src/empty-dir"
ln -s busybox "$src/bin/sh"
ln -s /etc/../etc/passwd "$src/abs-link"
ln -s "$(printf 'x%.0s' $(seq 1 200))" "$src/long-link"
ln "$src/etc/passwd" "$src/etc/passwd.hardlink"
mkfifo "$src/fifo"
: >"$src/empty-file"
# 3 MiB with data blocks, a hole and a tail that goes to a fragment.
head -c 1048576 /dev/urandom >"$src/big"
truncate -s 2097152 "$src/big"
head -c 1000000 /dev/urandom >>"$src/big"
printf 'tail' >>"$src/deep/a/b/c/d/file"
chown 1234:5678 "$src/etc/init.d/S50app" 2>/dev/null || true
chown 70000:80000 "$src/bin/sgid" 2>/dev/null || true
chmod 0600 "$src/etc/passwd"
if [ "$(id -u)" = 0 ]; then  # real device nodes for mkfs -d (mksquashfs gets pseudo ones too)
  mknod "$src/bin/null" c 1 3 && mknod -m 0640 "$src/bin/sda1" b 8 1
fi

pseudo=(-p 'dev d 755 0 0' -p 'dev/console c 600 0 5 5 1' -p 'dev/mtdblock0 b 640 0 6 31 0'
        -p 'dev/log i 666 0 0 s' -p 'dev/initctl i 600 0 0 f'
        -p 'dev/big-major c 600 0 0 300 70000')
for comp in gzip lzo lz4 xz zstd lzma; do
  img="$tmp/built-$comp.sqfs"
  if ! mksquashfs "$src" "$img" -comp "$comp" -noappend -quiet -no-progress "${pseudo[@]}" \
       >"$tmp/mk.log" 2>&1; then
    echo "FAIL mksquashfs -comp $comp"; cat "$tmp/mk.log"; fail=1; continue
  fi
  check_unsquashfs "$img" "built squashfs $comp"
done
# Small blocks, no fragments, uncompressed metadata: other code paths.
mksquashfs "$src" "$tmp/small.sqfs" -b 4096 -no-fragments -noI -noappend -quiet -no-progress \
  "${pseudo[@]}" >/dev/null 2>&1
check_unsquashfs "$tmp/small.sqfs" "built squashfs 4K blocks, no fragments, -noI"
# A squashfs inside padding: the carver finds it at its offset.
{ head -c 12345 /dev/zero; cat "$tmp/built-xz.sqfs"; head -c 999 /dev/urandom; } >"$tmp/wrapped.bin"
list "$tmp/wrapped.bin" >"$tmp/wrapped.json"
python3 - "$tmp/wrapped.json" <<'EOF' || { echo "FAIL carved squashfs"; fail=1; }
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]['summary']
l = [x for x in s['layers'] if x['format'] == 'squashfs']
assert len(l) == 1 and l[0]['offset'] == 12345, l
print('  carved at offset', l[0]['offset'], 'size', l[0]['size'])
EOF

# ext: iotcop against the source tree (find) and against debugfs on the image.
(cd "$src" && find . -mindepth 1 -printf '%y\t%m\t%U\t%G\t%s\t%P\t%l\n') >"$tmp/manifest.txt"
printf 'd\t755\t0\t0\t0\t\t\n' >>"$tmp/manifest.txt"
for variant in "ext2:mkfs.ext2" "ext4:mkfs.ext4" "ext4-4k:mkfs.ext4 -b 4096" "ext3:mkfs.ext4 -t ext3"; do
  name=${variant%%:*}; mkfs=${variant#*:}
  img="$tmp/built-$name.img"
  if ! $mkfs -q -F -d "$src" "$img" 16M >"$tmp/mk.log" 2>&1; then
    echo "FAIL $mkfs"; cat "$tmp/mk.log"; fail=1; continue
  fi
  list "$img" >"$tmp/ours.json"
  echo "built $name"
  python3 "$tmp/compare.py" find "$tmp/manifest.txt" "$tmp/ours.json" ext || { echo "FAIL built $name"; fail=1; }
  # debugfs says the same about owners, modes and sizes of the root directory's entries.
  debugfs -R 'ls -l /' "$img" 2>/dev/null | awk 'NF>=9 && $NF!="." && $NF!=".." {print $NF, $2, $4, $5}' \
    | sort >"$tmp/debugfs.txt"
  python3 - "$tmp/ours.json" <<'EOF' | sort >"$tmp/ours-root.txt"
import json, sys
kinds = {'file': 0o100000, 'dir': 0o40000, 'symlink': 0o120000, 'fifo': 0o10000,
         'chardev': 0o20000, 'blockdev': 0o60000, 'socket': 0o140000}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if 'path' in o and o['path'].count('/') == 1 and o['path'] != '/':
        print(o['path'][1:], '%o' % (kinds[o['type']] | int(o['mode'], 8)), o['uid'], o['gid'])
EOF
  if ! diff -u "$tmp/debugfs.txt" "$tmp/ours-root.txt"; then
    echo "FAIL built $name: root directory differs from debugfs"; fail=1
  fi
done

# ---- 3. hostile images: no crash, no hang, diagnostics ------------------------------
hostile() {  # IMAGE LABEL FORMAT
  local out rc=0
  out=$(timeout 60 "$IOTCOP_BIN" unpack --in-process --list --format json "$1" 2>&1) || rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
    echo "FAIL $2: exit status $rc"; echo "$out" | tail -3; fail=1; return
  fi
  if ! printf '%s\n' "$out" | tail -1 | grep -q "\"format\":\"$3\".*\"diagnostics\":\[{"; then
    echo "FAIL $2: expected a $3 layer with diagnostics"; printf '%s\n' "$out" | tail -1; fail=1
    return
  fi
  echo "$2: accepted with diagnostics"
}
base="$tmp/built-gzip.sqfs"
size=$(stat -c %s "$base")
head -c $((size / 2)) "$base" >"$tmp/truncated.sqfs"
hostile "$tmp/truncated.sqfs" "truncated squashfs" squashfs
python3 - "$base" "$tmp/inode-outside.sqfs" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<Q', d, 64, 0x7fffffff00)  # inode_table_start far past the end
open(sys.argv[2], 'wb').write(d)
EOF
hostile "$tmp/inode-outside.sqfs" "squashfs inode table outside" squashfs
base="$tmp/built-ext4.img"
head -c 3000000 "$base" >"$tmp/truncated.ext4"
hostile "$tmp/truncated.ext4" "truncated ext4" ext
# A directory that contains its own ancestor.
cp "$tmp/built-ext2.img" "$tmp/loop.ext2"
debugfs -w -R 'link / deep/a/b/loop' "$tmp/loop.ext2" >/dev/null 2>&1
hostile "$tmp/loop.ext2" "ext2 directory loop" ext

exit $fail

#!/usr/bin/env bash
# Archive formats read through libarchive (tar, cpio, zip, 7z, ISO 9660, ar):
# iotcop's listing is compared with the listing of an independent real tool
# (GNU tar, GNU cpio, zipinfo, 7z, isoinfo, binutils ar) on the shared
# samples and on archives built here from a tree with a setuid file, a
# symlink, a hard link, a fifo and nested directories. Extents are checked by
# embedding archives at odd offsets in random bytes.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
S="$IOTCOP_SHARED/samples"
for tool in tar bsdtar cpio zip zipinfo 7z genisoimage isoinfo ar dpkg-deb python3 jq; do
  command -v "$tool" >/dev/null || { echo "missing tool $tool (scripts/install-deps.sh)"; exit 1; }
done
T="${IOTCOP_TMP:-/tmp}/cli-archives.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
sample() {
  [ -f "$S/$1" ] || { echo "FAIL: sample $S/$1 is missing"; exit 1; }
  echo "$S/$1"
}
list() { "$IOTCOP_BIN" unpack --list --format json --in-process "$1"; }

# compare KIND LISTING_FILE TOOL_OUTPUT_FILE FORMAT [PARENT]
# Checks that the entries of the first FORMAT layer (child of PARENT, default
# "0") are exactly those the tool lists, with the same type, permissions,
# owner, size and link target wherever the tool shows them.
compare() {
  python3 - "$@" <<'PY' || return 1
import json, re, sys
kind, listing, tool_out, fmt = sys.argv[1:5]
parent = sys.argv[5] if len(sys.argv) > 5 else "0"
lines = [json.loads(l) for l in open(listing) if l.strip()]
summary = lines[-1]["summary"]
if parent.startswith("path:"):  # the layer made of the file at that path in some tree
    holders = [l["id"] for l in summary["layers"] if l.get("path") == parent[5:]]
    parent = holders[0] if holders else "?"
layers = [l for l in summary["layers"] if l["format"] == fmt and l.get("parent") == parent]
if not layers:
    sys.exit(f"{kind}: no {fmt} layer under {parent}: {summary['layers']}")
layer = layers[0]["id"]
ours = {e["path"]: e for e in lines[:-1] if e["layer"] == layer}

def mode_bits(s):
    bits = 0
    for i, (ch, bit) in enumerate(zip(s[-9:], [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 4, 2, 1])):
        if ch not in "-ST":
            bits |= bit
    if s[-7] in "sS": bits = (bits & ~0o100) | 0o4000 | (0o100 if s[-7] == "s" else 0)
    if s[-4] in "sS": bits = (bits & ~0o10) | 0o2000 | (0o10 if s[-4] == "s" else 0)
    if s[-1] in "tT": bits = (bits & ~1) | 0o1000 | (1 if s[-1] == "t" else 0)
    return bits

TYPES = {"-": "file", "d": "dir", "l": "symlink", "h": "hardlink", "c": "chardev",
         "b": "blockdev", "p": "fifo", "f": "fifo", "s": "socket"}

def norm(p):
    p = p.strip()
    while p.startswith("./"): p = p[2:]
    p = "/" + p.strip("/")
    return "/" if p in ("/", "/.") else p

theirs = {}
text = open(tool_out, errors="replace").read().splitlines()
if kind == "tar":      # GNU tar -tv --numeric-owner
    for l in text:
        m = re.match(r"^(\S{10}) (\d+)/(\d+)\s+([\d,]+) \S+ \S+ (.*)$", l)
        if not m: continue
        perm, uid, gid, size, name = m.groups()
        e = {"type": TYPES[perm[0]], "mode": mode_bits(perm), "uid": int(uid), "gid": int(gid)}
        if perm[0] == "l": name, e["link"] = name.split(" -> ", 1)
        if perm[0] == "h": name, e["link"] = name.split(" link to ", 1); e["link"] = norm(e["link"])
        if perm[0] == "-": e["size"] = int(size)
        if perm[0] in "cb": e["dev"] = tuple(int(x) for x in size.split(","))
        theirs[norm(name)] = e
elif kind == "cpio":   # GNU cpio -itv --numeric-uid-gid
    for l in text:
        m = re.match(r"^(\S{10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+(?:,\s*\d+)?)\s+\S+\s+\S+\s+\S+ (.*)$", l)
        if not m: continue
        perm, nlink, uid, gid, size, name = m.groups()
        e = {"type": TYPES[perm[0]], "mode": mode_bits(perm), "uid": int(uid), "gid": int(gid),
             "nlink": int(nlink)}
        if perm[0] == "l": name, e["link"] = name.split(" -> ", 1)
        if perm[0] == "-": e["size"] = int(size)
        theirs[norm(name)] = e
elif kind == "zip":    # zipinfo
    for l in text:
        m = re.match(r"^(\S{7,10})\s+\S+\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s+\S+ (.*)$", l)
        if not m: continue
        perm, system, size, name = m.groups()
        if system == "unx":
            e = {"type": TYPES[perm[0]], "mode": mode_bits(perm)}
        else:  # DOS attributes: only the name tells a directory
            e = {"type": "dir" if name.endswith("/") else "file"}
        if e["type"] in ("file", "symlink"): e["size"] = int(size)
        theirs[norm(name)] = e
elif kind == "7z":     # 7z l -slt
    block = {}
    for l in text + [""]:
        if " = " in l:
            k, v = l.split(" = ", 1); block[k] = v
        elif not l.strip() and "Path" in block and "Attributes" in block:
            attrs = block["Attributes"].split()
            e = {"type": "dir" if attrs and "D" in attrs[0] else "file"}
            if len(attrs) > 1 and len(attrs[1]) == 10:
                e["type"] = TYPES[attrs[1][0]]; e["mode"] = mode_bits(attrs[1])
            if e["type"] in ("file", "symlink"): e["size"] = int(block.get("Size") or 0)
            theirs[norm(block["Path"])] = e
            block = {}
        elif not l.strip():
            block = {}
elif kind == "iso":    # isoinfo -R -l
    cwd = "/"
    for l in text:
        m = re.match(r"^Directory listing of (.*)$", l)
        if m: cwd = m.group(1); continue
        m = re.match(r"^(\S{10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s+\[\s*\d+\s+\d+\]\s+(.*?)\s*$", l)
        if not m: continue
        perm, nlink, uid, gid, size, name = m.groups()
        if name in (".", ".."): continue
        e = {"type": TYPES[perm[0]], "mode": mode_bits(perm) & 0o777, "uid": int(uid),
             "gid": int(gid), "nlink": int(nlink), "mode_mask": 0o777}
        if perm[0] == "l": name, e["link"] = name.split(" -> ", 1)
        if perm[0] == "-": e["size"] = int(size)
        if perm[1:] == "---------":  # no Rock Ridge: the image records no permissions
            del e["mode"]
        if "link" not in e:  # plain ISO 9660 names carry a version (";1") and maybe a lone dot
            name = re.sub(r"\.?;\d+$", "", name)
        theirs[norm(cwd + name)] = e
elif kind == "ar":     # ar tv
    for l in text:
        m = re.match(r"^(\S{9}) (\d+)/(\d+)\s+(\d+) \S+\s+\S+ \S+ \S+ (.*)$", l)
        if not m: continue
        perm, uid, gid, size, name = m.groups()
        theirs[norm(name)] = {"type": "file", "mode": mode_bits("-" + perm), "uid": int(uid),
                              "gid": int(gid), "size": int(size)}
if not theirs:
    sys.exit(f"{kind}: the tool listed nothing")
if "/" not in theirs:
    ours.pop("/", None)
errors = []
# Directories the tree adds because an entry implies them (0755, root).
for path in sorted(set(ours) - set(theirs)):
    o = ours[path]
    if (o["type"] == "dir" and o["mode"] == "0755" and o["uid"] == 0 and
            any(p.startswith(path + "/") for p in theirs)):
        del ours[path]
if set(ours) != set(theirs):
    errors.append(f"paths only in iotcop: {sorted(set(ours) - set(theirs))}; "
                  f"only in the tool: {sorted(set(theirs) - set(ours))}")
for path in sorted(set(ours) & set(theirs)):
    o, t = ours[path], theirs[path]
    linked = o["type"] == "hardlink" or t.get("nlink", 1) > 1 or t["type"] == "hardlink"
    if o["type"] != t["type"] and not (linked and {o["type"], t["type"]} <= {"file", "hardlink"}):
        errors.append(f"{path}: type {o['type']} != {t['type']}")
    if "mode" in t and (int(o["mode"], 8) & t.get("mode_mask", 0o7777)) != t["mode"]:
        errors.append(f"{path}: mode {o['mode']} != {t['mode']:04o}")
    for k in ("uid", "gid", "link"):
        if k in t and o.get(k) != t[k]:
            errors.append(f"{path}: {k} {o.get(k)} != {t[k]}")
    if "size" in t and o["size"] != t["size"]:
        # cpio keeps a multiply-linked file's data with one of its names only
        if not (linked and t["size"] == 0):
            errors.append(f"{path}: size {o['size']} != {t['size']}")
    if "dev" in t and (o.get("major"), o.get("minor")) != t["dev"]:
        errors.append(f"{path}: device {o.get('major')},{o.get('minor')} != {t['dev']}")
if errors:
    sys.exit(f"{kind} {listing}:\n  " + "\n  ".join(errors))
print(f"ok {kind}: {len(theirs)} entries match ({tool_out})")
PY
}

check() { # check KIND FORMAT ARCHIVE [PARENT]
  local kind=$1 fmt=$2 archive=$3 parent=${4:-0} out tool
  out="$T/$(basename "$archive").json"; tool="$T/$(basename "$archive").tool"
  list "$archive" >"$out" || { fail "iotcop failed on $archive"; return; }
  case $kind in
    tar) tar -tvf "$archive" --numeric-owner >"$tool" ;;
    cpio) cpio -itv --numeric-uid-gid <"$archive" >"$tool" 2>/dev/null ;;
    zip) zipinfo "$archive" >"$tool" || true ;;
    7z) 7z l -slt "$archive" >"$tool" || true ;;
    iso) isoinfo -R -l -i "$archive" >"$tool" ;;
    ar) ar tv "$archive" >"$tool" ;;
    deb) dpkg-deb --fsys-tarfile "$archive" | tar -tv --numeric-owner >"$tool"; kind=tar ;;
  esac
  compare "$kind" "$out" "$tool" "$fmt" "$parent" || fail "$kind listing of $archive"
}

# --- the shared samples --------------------------------------------------
check tar tar "$(sample fact-extractor/patool/test.tar)"
check tar tar "$(sample binwalk/legacy-input-vectors/dirtraversal.tar)"
check tar tar "$(sample fact-core/file_system_metadata/test.tar)"
check cpio cpio "$(sample fact-extractor/patool/test.cpio)"
check ar ar "$(sample fact-extractor/patool/test.a)"
check ar ar "$(sample fact-extractor/patool/test.deb)"
# The .deb's data.tar.xz member: an xz layer holding the tar (xz is another reader).
check deb tar "$(sample fact-extractor/patool/test.deb)" path:/data.tar.xz
check zip zip "$(sample fact-extractor/patool/test.jar)"
check zip zip "$(sample fact-extractor/fact_extractor/container/test.zip)"
check zip zip "$(sample binwalk/inputs/zip.bin)"
check 7z sevenzip "$(sample binwalk/inputs/7z.bin)"
check 7z sevenzip "$(sample fact-extractor/sevenz/test.7z)"
check iso iso9660 "$(sample fact-extractor/sevenz/test.iso)"
check iso iso9660 "$(sample fact-extractor/sevenz/test_zisofs.iso)"

# The traversal symlinks are listed as they are; nothing lands outside the tree.
out="$T/dirtraversal.json"
list "$(sample binwalk/legacy-input-vectors/dirtraversal.tar)" >"$out"
[ "$(jq -r 'select(.path == "/foo") | "\(.type) \(.link)"' "$out")" = "symlink ../../" ] ||
  fail "dirtraversal: /foo is not the symlink to ../../"
[ "$(jq -r 'select(.path == "/bar") | "\(.type) \(.link)"' "$out")" = "symlink /etc/passwd" ] ||
  fail "dirtraversal: /bar is not the symlink to /etc/passwd"
[ "$(jq -r 'select(.path != null) | .path' "$out" | grep -c -e '\.\.' -e '^/etc/')" = 0 ] ||
  fail "dirtraversal: an entry outside the tree"

# A truncated zip: the entries before the cut, and a diagnostic.
out="$T/zip_truncated.json"
list "$(sample binwalk/inputs/zip_truncated.bin)" >"$out"
7z l -slt "$(sample binwalk/inputs/zip_truncated.bin)" >"$T/zip_truncated.tool" 2>&1 || true
compare 7z "$out" "$T/zip_truncated.tool" zip || fail "truncated zip listing"
jq -e 'select(.summary) | .summary.diagnostics[] | select(.code == "E_TRUNCATED")' "$out" >/dev/null ||
  fail "truncated zip without an E_TRUNCATED diagnostic"

# Encrypted entries are listed, with E_ENCRYPTED naming each.
out="$T/password.json"
list "$(sample fact-extractor/sevenz/test_password.zip)" >"$out"
zipinfo "$(sample fact-extractor/sevenz/test_password.zip)" >"$T/password.tool"
compare zip "$out" "$T/password.tool" zip || fail "encrypted zip listing"
zipinfo -1 "$(sample fact-extractor/sevenz/test_password.zip)" | grep -v '/$' >"$T/password.names"
while IFS= read -r name; do
  jq -e --arg n "$name" 'select(.summary) | .summary.diagnostics[] |
      select(.code == "E_ENCRYPTED" and (.message | contains("\u0027" + $n + "\u0027")))' \
    "$out" >/dev/null || fail "no E_ENCRYPTED diagnostic for $name"
done <"$T/password.names"

# --- archives built here -------------------------------------------------
src="$T/tree"
mkdir -p "$src/etc/init.d" "$src/bin" "$src/dev" "$src/usr/share/deep/er/still"
printf 'root::0:0:root:/root:/bin/sh\n' >"$src/etc/passwd"
printf '#!/bin/sh\ntelnetd -l /bin/sh\n' >"$src/etc/init.d/rcS"
chmod 755 "$src/etc/init.d/rcS"
head -c 70000 /dev/urandom >"$src/bin/busybox"
chmod 4755 "$src/bin/busybox"
ln -s busybox "$src/bin/sh"
ln -s ../../../../../../etc/shadow "$src/usr/share/deep/er/still/escape"
ln "$src/bin/busybox" "$src/bin/su"
mkfifo "$src/dev/initctl"
printf 'x\n' >"$src/usr/share/deep/er/still/file with space.txt"
chmod 2750 "$src/usr/share/deep"
find "$src" -exec touch -h -d @1686355200 {} +

b="$T/built"; mkdir -p "$b"
(cd "$src" && tar --format=gnu -cf "$b/gnu.tar" . && tar --format=posix -cf "$b/pax.tar" . &&
  bsdtar --format ustar -cf "$b/ustar.tar" . &&
  find . | cpio -o -H newc --quiet >"$b/newc.cpio" && find . | cpio -o -H odc --quiet >"$b/odc.cpio" &&
  find . | cpio -o -H crc --quiet >"$b/crc.cpio" && find . | cpio -o -H bin --quiet >"$b/bin.cpio" &&
  zip -q -r -y "$b/tree.zip" . && 7z a -bd -snl "$b/tree.7z" . >/dev/null &&
  genisoimage -quiet -R -o "$b/tree.iso" . && ar rc "$b/tree.a" etc/passwd bin/busybox etc/init.d/rcS &&
  zip -q -r -fz "$b/zip64.zip" etc && zip -q "$b/stream.zip" - <etc/passwd)
# Device nodes need root: made under fakeroot, which records them in the archive only.
command -v fakeroot >/dev/null || { echo "missing tool fakeroot (scripts/install-deps.sh)"; exit 1; }
cp -a "$src" "$T/devtree"
fakeroot sh -c "mknod '$T/devtree/dev/null' c 1 3 && mknod '$T/devtree/dev/mtdblock0' b 31 0 &&
  chown 0:5 '$T/devtree/dev/null' && cd '$T/devtree' && tar --format=gnu -cf '$b/dev.tar' . &&
  find . | cpio -o -H newc --quiet >'$b/dev.cpio'"
check tar tar "$b/dev.tar"
check cpio cpio "$b/dev.cpio"
list "$b/dev.cpio" >"$T/dev.cpio.list"
[ "$(jq -r 'select(.path == "/dev/mtdblock0") | "\(.type) \(.major) \(.minor)"' "$T/dev.cpio.list")" = "blockdev 31 0" ] ||
  fail "cpio: /dev/mtdblock0 is not block device 31,0"
for f in gnu pax ustar; do check tar tar "$b/$f.tar"; done
for f in newc odc crc bin; do check cpio cpio "$b/$f.cpio"; done
check zip zip "$b/tree.zip"
check zip zip "$b/zip64.zip"
check zip zip "$b/stream.zip"
check 7z sevenzip "$b/tree.7z"
check iso iso9660 "$b/tree.iso"
check ar ar "$b/tree.a"
# What the tools above do not show: setuid/setgid bits in the ISO, hard links.
out="$T/tree.iso.json"; list "$b/tree.iso" >"$out"
[ "$(jq -r 'select(.path == "/bin/busybox") | .mode' "$out")" = 4755 ] || fail "iso: setuid bit lost"
[ "$(jq -r 'select(.path == "/usr/share/deep") | .mode' "$out")" = 2750 ] || fail "iso: setgid bit lost"
for f in gnu.tar newc.cpio; do
  list "$b/$f" >"$T/$f.links"
  [ "$(jq -r 'select(.type == "hardlink") | "\(.link) \(.size)"' "$T/$f.links")" = "/bin/busybox 70000" ] ||
    [ "$(jq -r 'select(.type == "hardlink") | "\(.link) \(.size)"' "$T/$f.links")" = "/bin/su 70000" ] ||
    fail "$f: the hard link does not share the file's 70000 bytes"
done

# --- exact extents: each archive at an odd offset in random bytes ----------
head -c 1237 /dev/urandom >"$T/pre"
head -c 3001 /dev/urandom >"$T/post"
for f in gnu.tar pax.tar ustar.tar newc.cpio odc.cpio crc.cpio bin.cpio tree.zip zip64.zip stream.zip \
  tree.7z tree.iso tree.a; do
  case $f in *.tar) fmt=tar ;; *.cpio) fmt=cpio ;; *.zip) fmt=zip ;; *.7z) fmt=sevenzip ;;
    *.iso) fmt=iso9660 ;; *.a) fmt=ar ;; esac
  cat "$T/pre" "$b/$f" "$T/post" "$b/gnu.tar" >"$T/embedded"
  size=$(stat -c %s "$b/$f")
  got=$("$IOTCOP_BIN" unpack --format json --in-process "$T/embedded" |
    jq -r --arg f "$fmt" '(.layers // .summary.layers // .unpack.layers)[] | select(.parent == "0") | "\(.format) \(.offset) \(.size)"' |
    head -2 | tr '\n' ' ')
  # The tar after the random tail must be found exactly where it starts.
  want="$fmt 1237 $size tar $((1237 + size + 3001)) $(stat -c %s "$b/gnu.tar") "
  [ "$got" = "$want" ] || fail "extent of $f: got '$got', want '$want'"
done

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"; exit 1
fi
echo "all archive checks passed"

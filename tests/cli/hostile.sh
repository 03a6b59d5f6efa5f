#!/usr/bin/env bash
# Hostile inputs: `iotcop unpack -C DIR` never writes outside DIR (path
# traversal, absolute names, writing through a symbolic link, device nodes,
# setuid bits), and bombs and slow inputs end in a limit diagnostic, not in
# an exhausted machine or a hung run.
#
# Every escape attempt aims at a name unique to this run, so that a
# regression leaves a file this test finds (and removes), never one that
# overwrites anything. The tar parts need the tar reader; without it they
# are skipped and the script ends with 77 after the other parts pass.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
command -v python3 >/dev/null || { echo "missing python3"; exit 1; }
command -v jq >/dev/null || { echo "missing jq"; exit 1; }
T="${IOTCOP_TMP:-/tmp}/cli-hostile.$$"
TAG="iotcop-hostile-$$"
rm -rf "$T"; mkdir -p "$T"
cleanup() {
  rm -rf "$T"
  rm -f "/tmp/$TAG-abs" "/$TAG-pwned" "/$TAG-dir/deeper" 2>/dev/null || true
  rmdir "/$TAG-dir" 2>/dev/null || true
}
trap cleanup EXIT
failures=0
skipped=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# Everything below $1 except $2 and what is in it. Extraction never
# overwrites (O_EXCL), so an escape shows as a new name here; time stamps
# would not do, as extracted files carry the archive's.
outside_of() { find "$1" -mindepth 1 ! -path "$2" ! -path "$2/*" -print | sort; }

has_tar=1
"$IOTCOP_BIN" unpack --as tar /dev/null >/dev/null 2>&1 || [ $? -ne 2 ] || has_tar=0

# ---- binwalk's dirtraversal.tar: foo -> ../../ and bar -> /etc/passwd ------
if [ $has_tar = 1 ]; then
  sample="$IOTCOP_SHARED/samples/binwalk/legacy-input-vectors/dirtraversal.tar"
  [ -f "$sample" ] || { echo "FAIL: missing $sample"; exit 1; }
  base="$T/dt"; mkdir -p "$base/sentinel"; before=$(outside_of "$base" "$base/out")
  rc=0; "$IOTCOP_BIN" unpack -C "$base/out" "$sample" >"$T/dt.txt" 2>&1 || rc=$?
  [ $rc = 0 ] || fail "dirtraversal.tar: exit $rc: $(cat "$T/dt.txt")"
  after=$(outside_of "$base" "$base/out")
  [ "$before" = "$after" ] || fail "dirtraversal.tar wrote outside DIR: $(diff <(echo "$before") <(echo "$after"))"
  [ -z "$(ls -A "$base/sentinel")" ] || fail "dirtraversal.tar: sentinel not empty"
  [ -L "$base/out/0.1/foo" ] && [ "$(readlink "$base/out/0.1/foo")" = "../../" ] ||
    fail "dirtraversal.tar: foo is not the link ../../"
  [ -L "$base/out/0.1/bar" ] && [ "$(readlink "$base/out/0.1/bar")" = "/etc/passwd" ] ||
    fail "dirtraversal.tar: bar is not the link /etc/passwd"
  [ -f "$base/out/0.1/subdir/ls2" ] || fail "dirtraversal.tar: subdir/ls2 not extracted"
  grep -q "^extracted to $base/out: 4 files" "$T/dt.txt" || fail "dirtraversal.tar: summary: $(cat "$T/dt.txt")"
  [ $failures != 0 ] || ok "dirtraversal.tar stays in DIR"
else
  echo "SKIP: no tar reader: dirtraversal.tar not tested"; skipped=1
fi

# ---- a tar made to escape, with a device node and a setuid file -----------
if [ $has_tar = 1 ]; then
  base="$T/evil"; mkdir -p "$base/sentinel"
  python3 - "$T/evil.tar" "$TAG" "$base/sentinel" <<'PY'
import io, sys, tarfile
out, tag, sentinel = sys.argv[1:4]
def member(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.linkname, ti.size = kind, mode, link, len(data)
    ti.mtime = 1700000000
    if kind == tarfile.CHRTYPE:
        ti.devmajor, ti.devminor = 1, 3
    return ti, io.BytesIO(data) if data else None
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
    for ti, f in [
        member("normal.txt", data=b"normal\n"),
        member("../../" + tag + "-escape.txt", data=b"escaped\n"),
        member("/tmp/" + tag + "-abs", data=b"absolute\n"),
        member("link", tarfile.SYMTYPE, link="/"),
        member("link/" + tag + "-pwned", data=b"pwned\n"),
        member("link/" + tag + "-dir/deeper", data=b"deeper\n"),
        member("sent", tarfile.SYMTYPE, link=sentinel),
        member("sent/through", data=b"through\n"),
        member("dev/evil", tarfile.CHRTYPE, mode=0o666),
        member("dev/disk", tarfile.BLKTYPE, mode=0o660),
        member("suid", data=b"#!/bin/sh\n", mode=0o4755),
    ]:
        t.addfile(ti, f)
PY
  # Without the sandbox first: the extraction code's own guarantees.
  before=$(outside_of "$base" "$base/out")
  rc=0; "$IOTCOP_BIN" unpack --no-sandbox -f json -C "$base/out" "$T/evil.tar" >"$T/evil.json" 2>"$T/evil.err" || rc=$?
  [ $rc = 0 ] || fail "evil.tar: exit $rc: $(cat "$T/evil.err")"
  after=$(outside_of "$base" "$base/out")
  [ "$before" = "$after" ] || fail "evil.tar wrote outside DIR: $(diff <(echo "$before") <(echo "$after"))"
  [ -z "$(ls -A "$base/sentinel")" ] || fail "evil.tar: wrote through the link into the sentinel"
  escapes() {
    for escaped in "/tmp/$TAG-abs" "/$TAG-pwned" "/$TAG-dir" "$T/$TAG-escape.txt" "$base/$TAG-escape.txt"; do
      [ ! -e "$escaped" ] || fail "evil.tar: $escaped was created"
    done
  }
  escapes
  [ -f "$base/out/0.1/normal.txt" ] || fail "evil.tar: normal.txt missing"
  [ "$(cat "$base/out/0.1/tmp/$TAG-abs" 2>/dev/null)" = absolute ] ||
    fail "evil.tar: the absolute member is not below DIR/0.1/tmp"
  [ -z "$(find "$base/out" \( -type c -o -type b -o -type p -o -type s \) -print)" ] ||
    fail "evil.tar: a special file was created"
  [ -z "$(find "$base/out" -perm /6000 -print)" ] || fail "evil.tar: a setuid/setgid file was created"
  [ "$(stat -c %a "$base/out/0.1/suid" 2>/dev/null)" = 755 ] || fail "evil.tar: suid not written as 0755"
  # Each refusal is named in the output.
  jq -se --arg t "$TAG" '[.[] | select(.summary) | .summary.diagnostics[]
      | select(.code == "E_UNSAFE_PATH" and (.message | contains($t + "-escape.txt")))] | length > 0' \
    "$T/evil.json" >/dev/null || fail "evil.tar: no diagnostic names the ../../ member"
  note() { # CODE PATH [LEVEL]
    jq -se --arg c "$1" --arg p "$2" --arg l "${3:-error}" '[.[] | select(.extract) | .extract.notes[]
        | select(.code == $c and .path == $p and .level == $l)] | length > 0' "$T/evil.json" >/dev/null ||
      fail "evil.tar: no $1 note for $2: $(jq -c 'select(.extract)' "$T/evil.json")"
  }
  note E_UNSAFE_PATH "/link/$TAG-pwned"
  note E_UNSAFE_PATH "/link/$TAG-dir/deeper"
  note E_UNSAFE_PATH "/sent/through"
  note E_UNSUPPORTED /dev/evil warning
  note E_UNSUPPORTED /dev/disk warning
  [ "$(jq 'select(.extract) | .extract.skipped' "$T/evil.json")" = 2 ] || fail "evil.tar: skipped count"
  [ "$(jq -r 'select(.extract) | .extract.files' "$T/evil.json")" = 3 ] || fail "evil.tar: file count"
  [ "$(tail -n1 "$T/evil.json" | jq -r 'has("summary")')" = true ] || fail "evil.tar: summary is not last"
  # The same in the sandbox and in text form: each refusal on its own line.
  before=$(outside_of "$base" "$base/out2")
  "$IOTCOP_BIN" unpack -C "$base/out2" "$T/evil.tar" >"$T/evil.txt" 2>&1 || fail "evil.tar (text) failed"
  after=$(outside_of "$base" "$base/out2")
  [ "$before" = "$after" ] || fail "evil.tar (sandbox) wrote outside DIR: $(diff <(echo "$before") <(echo "$after"))"
  grep -q "error: 0.1 /link/$TAG-pwned: /link is a symbolic link" "$T/evil.txt" ||
    fail "evil.tar text: no refusal line for the link: $(cat "$T/evil.txt")"
  grep -q "warning: 0.1 /dev/evil: chardev 1,3 not created" "$T/evil.txt" ||
    fail "evil.tar text: no line for the device"
  escapes
  [ $failures != 0 ] || ok "evil.tar: traversal, absolute, through-link, devices, setuid"
else
  echo "SKIP: no tar reader: hand-made hostile tar not tested"; skipped=1
fi

# ---- the same tricks in zip and cpio ------------------------------------------
has_format() {
  local rc=0
  "$IOTCOP_BIN" unpack --as "$1" /dev/null >/dev/null 2>&1 || rc=$?
  [ $rc != 2 ]
}
for kind in zip cpio; do
  if ! has_format $kind; then
    echo "SKIP: no $kind reader"; skipped=1; continue
  fi
  base="$T/$kind"; mkdir -p "$base/sentinel"
  python3 - "$kind" "$base/evil.$kind" "$TAG" "$base/sentinel" <<'PY'
import sys, zipfile
kind, out, tag, sentinel = sys.argv[1:5]
if kind == "zip":
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("normal.txt", "normal\n")
        z.writestr("../../" + tag + "-escape.txt", "escaped\n")
        link = zipfile.ZipInfo("lnk")
        link.create_system, link.external_attr = 3, 0o120777 << 16
        z.writestr(link, sentinel)
        z.writestr("lnk/through", "through\n")
else:  # cpio "newc", written by hand so that any name can go in
    def entry(name, mode, data=b"", rdev=(0, 0)):
        name = name.encode() + b"\0"
        fields = [0, mode, 0, 0, 1, 1700000000, len(data), 0, 0, rdev[0], rdev[1], len(name), 0]
        head = b"070701" + b"".join(b"%08X" % v for v in fields) + name
        head += b"\0" * (-len(head) % 4)
        return head + data + b"\0" * (-len(data) % 4)
    with open(out, "wb") as f:
        f.write(entry("normal.txt", 0o100644, b"normal\n"))
        f.write(entry("../../" + tag + "-escape.txt", 0o100644, b"escaped\n"))
        f.write(entry("lnk", 0o120777, sentinel.encode()))
        f.write(entry("lnk/through", 0o100644, b"through\n"))
        f.write(entry("dev/evil", 0o020666, rdev=(1, 3)))
        f.write(entry("TRAILER!!!", 0))
        f.write(b"\0" * (-f.tell() % 512))
PY
  before=$(outside_of "$base" "$base/out")
  rc=0; "$IOTCOP_BIN" unpack --no-sandbox -f json -C "$base/out" "$base/evil.$kind" \
    >"$T/$kind.json" 2>"$T/$kind.err" || rc=$?
  [ $rc = 0 ] || fail "$kind: exit $rc: $(cat "$T/$kind.err")"
  after=$(outside_of "$base" "$base/out")
  [ "$before" = "$after" ] || fail "$kind wrote outside DIR: $(diff <(echo "$before") <(echo "$after"))"
  [ -z "$(ls -A "$base/sentinel")" ] || fail "$kind: wrote through the link into the sentinel"
  [ ! -e "$T/$TAG-escape.txt" ] || fail "$kind: ../../ escaped"
  [ "$(cat "$base/out/0.1/normal.txt" 2>/dev/null)" = normal ] || fail "$kind: normal.txt not extracted"
  [ "$(readlink "$base/out/0.1/lnk")" = "$base/sentinel" ] || fail "$kind: lnk is not the verbatim link"
  [ -z "$(find "$base/out" \( -type c -o -type b \) -print)" ] || fail "$kind: a device was created"
  jq -se '[.[] | select(.summary) | .summary.diagnostics[] | select(.code == "E_UNSAFE_PATH")]
      | length > 0' "$T/$kind.json" >/dev/null || fail "$kind: the ../../ member is not reported"
  jq -se '[.[] | select(.extract) | .extract.notes[]
      | select(.code == "E_UNSAFE_PATH" and .path == "/lnk/through")] | length > 0' \
    "$T/$kind.json" >/dev/null || fail "$kind: no refusal for /lnk/through: $(head -n1 "$T/$kind.json")"
  [ $failures != 0 ] || ok "$kind: traversal and through-link refused"
done

# ---- -C DIR itself ------------------------------------------------------------
printf 'x%.0s' {1..100} | gzip >"$T/small.gz"
ln -s "$T" "$T/dirlink"
rc=0; "$IOTCOP_BIN" unpack -C "$T/dirlink" "$T/small.gz" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "-C to a symbolic link: exit $rc, expected 2"
mkdir -p "$T/full"; touch "$T/full/x"
rc=0; "$IOTCOP_BIN" unpack -C "$T/full" "$T/small.gz" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "-C to a non-empty directory: exit $rc, expected 2"
rc=0; "$IOTCOP_BIN" unpack -C "$T/no/such/parent" "$T/small.gz" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] && [ ! -e "$T/no" ] || fail "-C with a missing parent: exit $rc, expected 2 and nothing made"
"$IOTCOP_BIN" unpack -C "$T/fresh" "$T/small.gz" >/dev/null || fail "-C to a new directory failed"
[ "$(cat "$T/fresh/0.1.bin" 2>/dev/null)" = "$(printf 'x%.0s' {1..100})" ] ||
  fail "-C: the decompressed stream is not DIR/0.1.bin"
ok "-C DIR checks"

# ---- a gzip bomb: 4 GiB of zeros in about 4 MB ---------------------------------
python3 - "$T/bomb.gz" <<'PY'
import struct, sys, zlib
chunk, count = bytes(1 << 20), 4096
c = zlib.compressobj(9, zlib.DEFLATED, 31)
first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
# After a full flush every identical chunk compresses to identical bytes.
repeat = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
end = c.flush(zlib.Z_FINISH)[:-8]
crc = 0
for _ in range(count):
    crc = zlib.crc32(chunk, crc)
with open(sys.argv[1], "wb") as f:
    f.write(first)
    for _ in range(count - 1):
        f.write(repeat)
    f.write(end + struct.pack("<II", crc, (count * len(chunk)) & 0xffffffff))
PY
bomb() { # NAME MAX_SECONDS MAX_RSS_MB EXPECTED_CODE ARGS...
  local name=$1 max_s=$2 max_mb=$3 code=$4 rc=0
  shift 4
  /usr/bin/time -f '%e %M' -o "$T/$name.time" "$IOTCOP_BIN" unpack -f json "$@" "$T/bomb.gz" \
    >"$T/$name.json" 2>"$T/$name.err" || rc=$?
  read -r secs kb < <(tail -n1 "$T/$name.time") || true
  [ $rc = 0 ] || [ $rc = 3 ] || fail "bomb $name: exit $rc: $(cat "$T/$name.err")"
  tail -n1 "$T/$name.json" | jq -e --arg c "$code" '[.summary.diagnostics[] | select(.code == $c)]
    | length > 0' >/dev/null || fail "bomb $name: no $code diagnostic: $(tail -n1 "$T/$name.json")"
  awk -v s="$secs" -v m="$max_s" 'BEGIN { exit !(s + 0 <= m + 0) }' || fail "bomb $name: took $secs s"
  [ "$((kb / 1024))" -le "$max_mb" ] || fail "bomb $name: used $((kb / 1024)) MB"
  echo "bomb $name: $code in $secs s, $((kb / 1024)) MB"
}
if command -v /usr/bin/time >/dev/null; then
  # Default limits stop the stream at the 2 GiB per-file limit.
  bomb default 120 3000 E_LIMIT_FILE_SIZE
  bomb total-64M 20 400 E_LIMIT_BYTES --limit total-bytes=64M
  bomb extract-64M 20 400 E_LIMIT_BYTES --limit total-bytes=64M -C "$T/bomb-out"
  [ "$(stat -c %s "$T/bomb-out/0.1.bin" 2>/dev/null || echo 0)" -le $((64 << 20)) ] ||
    fail "bomb: more than 64 MiB written"
  # The time limit: the engine stops at 1 s, the worker would at 1 + 5 s.
  bomb time-1 8 3000 E_LIMIT_TIME --limit time=1
else
  echo "SKIP: /usr/bin/time missing: bombs not measured"; skipped=1
fi

[ $failures = 0 ] || { echo "$failures failure(s)"; exit 1; }
[ $skipped = 0 ] || exit 77
echo "all hostile-input checks passed"

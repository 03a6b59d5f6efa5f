#!/usr/bin/env bash
# Binary hardening against Debian's checksec, on every ELF of the fixtures.
#
# 1. Every fixture image is extracted with `iotcop unpack -C`; every ELF
#    file in it (file-system files and decompressed layers) goes through
#    `checksec --format=json --file=F` and through iotcop's ELF reader
#    (the unit-test program's `--checksec` mode, which prints
#    ic_elf_checksec()); all ten fields must agree exactly: relro, canary,
#    nx, pie, rpath, runpath, symbols, fortify_source, fortified,
#    fortify-able. The two counts depend on the list of fortified functions
#    of the C library checksec reads on this machine; the test first checks
#    that list equals iotcop's built-in one (and says so if it does not).
# 2. `iotcop firmware` on the sample (mipsel: Debian's MIPS binaries ask for
#    an executable stack) must report one elf.exec-stack finding per file
#    system whose count is the number of files checksec calls "NX disabled"
#    and whose listed files are all among them, and elf.no-pie only for
#    files checksec calls "No PIE".
# 3. On the clean image (Debian armhf, the dynamic PIE busybox) no finding
#    of the hardening and input families is above info.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] || exit 77
for fx in sample clean old; do
  [ -f "$IOTCOP_FIXTURES/$fx/firmware.uimage" ] || exit 77
done
[ -d "$IOTCOP_FIXTURES/formats" ] || exit 77
command -v python3 >/dev/null || { echo "missing tool python3"; exit 1; }
command -v checksec >/dev/null || { echo "missing tool checksec (scripts/install-deps.sh installs it)"; exit 1; }
command -v readelf >/dev/null || { echo "missing tool readelf"; exit 1; }
HELPER="$(dirname "$IOTCOP_BIN")/tests/test_elf"
[ -x "$HELPER" ] || { echo "missing $HELPER (built with the unit tests)"; exit 1; }
T="${IOTCOP_TMP:-/tmp}/cli-hardening.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- 1. field by field against checksec -------------------------------------------------
images=("$IOTCOP_FIXTURES/sample/firmware.uimage" "$IOTCOP_FIXTURES/clean/firmware.uimage"
        "$IOTCOP_FIXTURES/old/firmware.uimage")
for f in "$IOTCOP_FIXTURES"/formats/*; do
  case "$f" in *.json | *.jsonl | *.dtb) continue ;; esac
  images+=("$f")
done
: >"$T/elves.txt"
n=0
for img in "${images[@]}"; do
  n=$((n + 1))
  d="$T/x/$n"
  mkdir -p "$d"
  "$IOTCOP_BIN" unpack -C "$d" "$img" >/dev/null || fail "unpack -C of $img exited $?"
  before=$(wc -l <"$T/elves.txt")
  find "$d" -type f -print0 | sort -z | while IFS= read -r -d '' f; do
    if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
      printf '%s\n' "$f" >>"$T/elves.txt"
    fi
  done
  after=$(wc -l <"$T/elves.txt")
  [ "$after" -gt "$before" ] || fail "no ELF file extracted from $img"
done
count=$(wc -l <"$T/elves.txt")
echo "comparing $count ELF files with checksec"
[ "$count" -ge 100 ] || fail "only $count ELF files in the fixtures"

# The list of fortified functions checksec takes from this machine's C library.
libc=""
for c in /lib/libc.so.6 /lib/libc.so.7 /lib/libc.so /lib64/libc.so.6 /lib/i386-linux-gnu/libc.so.6 \
         /lib/x86_64-linux-gnu/libc.so.6 /lib/arm-linux-gnueabihf/libc.so.6 \
         /lib/aarch64-linux-gnu/libc.so.6; do
  [ -e "$c" ] && { libc=$c; break; }
done
compare_counts=1
if [ -n "$libc" ]; then
  readelf -W -s "$libc" | sed -ne 's/.*__\(.*_chk\)@@.*/\1/p' | sort -u >"$T/host-chk.txt"
  "$HELPER" --fortify-list | sort -u >"$T/our-chk.txt"
  if ! cmp -s "$T/host-chk.txt" "$T/our-chk.txt"; then
    echo "note: this machine's C library ($libc) has another list of fortified functions than"
    echo "      iotcop's built-in glibc 2.36 list; 'fortified' and 'fortify-able' are not compared:"
    diff "$T/our-chk.txt" "$T/host-chk.txt" | head -20 || true
    compare_counts=0
  fi
fi

while IFS= read -r f; do
  checksec --format=json --file="$f"
  echo
done <"$T/elves.txt" >"$T/checksec.jsonl" 2>"$T/checksec.err" || fail "checksec failed"
tr '\n' '\0' <"$T/elves.txt" | xargs -0 "$HELPER" --checksec >"$T/iotcop.jsonl" ||
  fail "iotcop's reader failed on some file"
python3 - "$T/checksec.jsonl" "$T/iotcop.jsonl" "$compare_counts" <<'PY' || fail "checksec comparison"
import json, sys
theirs = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        for k, v in json.loads(line).items():
            theirs[k] = v
ours = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
fields = ["relro", "canary", "nx", "pie", "rpath", "runpath", "symbols", "fortify_source"]
if sys.argv[3] == "1":
    fields += ["fortified", "fortify-able"]
errors = []
if len(ours) != len(theirs):
    errors.append(f"{len(ours)} results from iotcop, {len(theirs)} from checksec")
seen = {}
for o in ours:
    c = theirs.get(o["file"])
    if c is None:
        errors.append(f"{o['file']}: checksec gave nothing")
        continue
    if "error" in o:
        errors.append(f"{o['file']}: iotcop: {o['error']}")
        continue
    for k in fields:
        seen.setdefault(k, set()).add(c[k])
        if c[k] != o.get(k):
            errors.append(f"{o['file']}: {k}: checksec {c[k]!r}, iotcop {o.get(k)!r}")
    if o.get("damaged"):
        errors.append(f"{o['file']}: iotcop found {o['damaged']} damaged tables in a valid file")
# the comparison covers both answers of every yes/no field that varies here
print("values seen:", {k: sorted(v) for k, v in seen.items() if k not in ("fortified", "fortify-able")})
for k in ("relro", "canary", "nx", "pie", "fortify_source"):
    if len(seen.get(k, ())) < 2:
        errors.append(f"{k}: only {sorted(seen.get(k, ()))} in the fixtures: the comparison would not show a disagreement")
for e in errors[:50]:
    print(e)
print(f"{len(ours)} files, {len(errors)} disagreements")
sys.exit(1 if errors else 0)
PY

# ---- 2. the family's findings agree with checksec on the sample -------------------------
"$IOTCOP_BIN" unpack --list --format json "$IOTCOP_FIXTURES/sample/firmware.uimage" >"$T/sample-list.jsonl" ||
  fail "unpack --list on the sample exited $?"
"$IOTCOP_BIN" firmware --format json "$IOTCOP_FIXTURES/sample/firmware.uimage" >"$T/sample.json" ||
  fail "firmware on the sample exited $?"
python3 - "$T/sample.json" "$T/sample-list.jsonl" "$T/checksec.jsonl" "$T/x/1" <<'PY' || fail "sample: findings against checksec"
import json, re, sys
r = json.load(open(sys.argv[1]))
entries = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
cs = {}
for line in open(sys.argv[3]):
    line = line.strip()
    if line:
        for k, v in json.loads(line).items():
            cs[k] = v
root = sys.argv[4]
errors = []
files = {(e["layer"], e["path"]) for e in entries if "path" in e and e.get("type") == "file"}
def verdicts(field, value):
    out = set()
    for (layer, path) in files:
        c = cs.get(f"{root}/{layer}{path}")
        if c and c[field] == value:
            out.add((layer, path))
    return out
fs = [f for f in r["findings"] if f["rule"].startswith(("elf.", "kernel.", "input."))]
want = verdicts("nx", "no")
if not want:
    errors.append("checksec finds no executable stack in the mipsel sample: the check would show nothing")
# one finding per file system: "N of M programs and libraries (...) have an
# executable stack: ...: /a, /b, ... and K more"
for layer in sorted({l for l, _ in want}):
    mine = [f for f in fs if f["rule"] == "elf.exec-stack" and f["location"]["layer"] == layer]
    expect = {p for l, p in want if l == layer}
    if len(mine) != 1:
        errors.append(f"layer {layer}: {len(mine)} elf.exec-stack findings, want 1 for {len(expect)} files")
        continue
    f = mine[0]
    m = re.match(r"(\d+) of \d+ programs and libraries", f["evidence"])
    if not m or int(m.group(1)) != len(expect):
        errors.append(f"layer {layer}: checksec says NX disabled on {len(expect)} files: {f['evidence'][:120]}")
    listed = re.sub(r" and \d+ more$", "", f["evidence"].rsplit(": ", 1)[-1]).split(", ")
    if len(listed) != min(len(expect), 25) or not set(listed) <= expect:
        errors.append(f"layer {layer}: listed {sorted(set(listed) - expect)[:5]} that checksec does not "
                      f"call NX disabled, or not {min(len(expect), 25)} files")
    if f["severity"] != "medium":
        errors.append(f"elf.exec-stack severity {f['severity']}")
if len([f for f in fs if f["rule"] == "elf.exec-stack"]) != len({l for l, _ in want}):
    errors.append("elf.exec-stack on a file system where checksec finds no executable stack")
nopie = [f for f in fs if f["rule"] == "elf.no-pie"]
no_pie_files = verdicts("pie", "no")
if len(nopie) != (1 if no_pie_files else 0):
    errors.append(f"{len(nopie)} elf.no-pie findings, checksec says No PIE for {sorted(no_pie_files)}")
for f in nopie:
    for layer, path in no_pie_files:
        if path not in f["evidence"]:
            errors.append(f"elf.no-pie does not list {path}: {f['evidence']}")
summaries = [f for f in fs if f["rule"] == "elf.hardening-summary"]
if not summaries or "MIPS ELF32 LE" not in summaries[0]["evidence"]:
    errors.append(f"hardening summary: {[s['evidence'] for s in summaries]}")
prov = {p["id"]: p for p in r["provisions"]}
if prov["5.6-8"]["status"] != "fail":
    errors.append(f"5.6-8 is {prov['5.6-8']['status']} with executable stacks")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY

# ---- 3. the clean image: nothing above info ----------------------------------------------
"$IOTCOP_BIN" firmware --format json "$IOTCOP_FIXTURES/clean/firmware.uimage" >"$T/clean.json" ||
  fail "firmware on the clean image exited $?"
python3 - "$T/clean.json" <<'PY' || fail "clean: hardening and input findings"
import json, sys
r = json.load(open(sys.argv[1]))
fs = [f for f in r["findings"] if f["rule"].startswith(("elf.", "kernel.", "input."))]
errors = []
order = ["info", "low", "medium", "high", "critical"]
for f in fs:
    print(f"  {f['severity']} {f['rule']} {f['location'].get('path', '-')}: {f['evidence'][:150]}")
    if order.index(f["severity"]) > order.index("info"):
        errors.append(f"{f['rule']} is {f['severity']} on the clean image")
s = [f for f in fs if f["rule"] == "elf.hardening-summary"]
if not s:
    errors.append("no hardening summary: the family did not look at the ELF files")
else:
    import re
    m = re.search(r"NX (\d+)/(\d+); PIE (\d+)/(\d+) programs", s[0]["evidence"])
    if not m or m.group(1) != m.group(2) or m.group(3) != m.group(4) or m.group(4) == "0":
        errors.append(f"clean: not every file has NX and every program PIE: {s[0]['evidence']}")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "hardening: ok"

#!/usr/bin/env bash
# iotcop firmware over a corpus (docs/corpus.md): 23 images generated here
# (tar, tar.gz, cpio, SquashFS, ext2, zip, CramFS from varied trees, some
# with planted problems, one corrupt, one that hits --limit time) audited
# from a directory with --parallel 2 into --output-dir. The run is killed
# (SIGKILL to its whole process group) once some reports exist; the restart
# finishes the rest without redoing the completed ones (same inode and
# mtime), and summary.jsonl / summary.html list every image with its outcome.
set -euo pipefail
: "${IOTCOP_BIN:?}"
for tool in mksquashfs mke2fs cpio zip mkfs.cramfs xz setsid; do
  command -v "$tool" >/dev/null || { echo "no $tool: skipping"; exit 77; }
done
T=$(mktemp -d "${IOTCOP_TMP:-/tmp}/corpus.XXXXXX" 2>/dev/null || mktemp -d)
PGID=
cleanup() { [ -z "$PGID" ] || kill -KILL -- "-$PGID" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- the corpus ----------------------------------------------------------
C="$T/corpus"
mkdir -p "$C/vendor-a" "$C/vendor-b/old" "$T/trees"
formats=(tar tar.gz cpio squashfs ext2 zip cramfs)
head -c 256 /dev/urandom | base64 >"$T/noise"
for i in $(seq 1 20); do
  r="$T/trees/$i"
  mkdir -p "$r/etc/init.d" "$r/bin" "$r/www" "$r/usr/share/doc/app$i"
  printf 'root:x:0:0:root:/root:/bin/sh\nuser%d:x:1000:1000::/home/u:/bin/sh\n' "$i" >"$r/etc/passwd"
  printf 'root:*:19000:0:99999:7:::\n' >"$r/etc/shadow"
  printf '::sysinit:/etc/init.d/rcS\n' >"$r/etc/inittab"
  printf '#!/bin/sh\necho release %d\n' "$i" >"$r/etc/init.d/rcS"
  chmod 755 "$r/etc/init.d/rcS"
  printf 'firmware %d.%d\n' "$i" "$((i * 7))" >"$r/etc/version"
  head -c $((i * 300)) "$T/noise" >"$r/usr/share/doc/app$i/notes.txt"
  # Planted problems on some: an empty root password, a telnet shell at boot,
  # a world-writable init script.
  if [ $((i % 3)) -eq 0 ]; then printf 'root::19000:0:99999:7:::\n' >"$r/etc/shadow"; fi
  if [ $((i % 4)) -eq 0 ]; then printf '::respawn:/usr/sbin/telnetd -F -l /bin/sh\n' >>"$r/etc/inittab"; fi
  if [ $((i % 5)) -eq 0 ]; then chmod 777 "$r/etc/init.d/rcS"; fi
  fmt=${formats[$((i % ${#formats[@]}))]}
  dir="$C/vendor-a"; [ $((i % 2)) -eq 0 ] && dir="$C/vendor-b"; [ $((i % 6)) -eq 0 ] && dir="$C/vendor-b/old"
  out="$dir/fw-$i.$fmt"
  case $fmt in
    tar) tar -C "$r" -cf "$out" . ;;
    tar.gz) tar -C "$r" -czf "$out" . ;;
    cpio) (cd "$r" && find . | cpio -o -H newc --quiet >"$out") ;;
    squashfs) mksquashfs "$r" "$out" -noappend -quiet -all-root >/dev/null ;;
    ext2) mke2fs -q -t ext2 -d "$r" -b 1024 "$out" 2048 >/dev/null 2>&1 ;;
    zip) (cd "$r" && zip -qr "$out" .) ;;
    cramfs) mkfs.cramfs "$r" "$out" >/dev/null ;;
  esac
done
# One corrupt image: a SquashFS cut in half, random bytes after the cut.
cp -r "$T/trees/1" "$T/big"
head -c 300000 /dev/urandom >"$T/big/etc/blob"
mksquashfs "$T/big" "$T/whole.sqfs" -noappend -quiet -all-root >/dev/null
head -c "$(($(stat -c %s "$T/whole.sqfs") / 2))" "$T/whole.sqfs" >"$C/vendor-a/corrupt.squashfs"
head -c 500 /dev/urandom >>"$C/vendor-a/corrupt.squashfs"
# One that takes longer than the time limit: 2 GB of zeros in a small xz
# stream (here about 350 MB/s are decompressed before the limit).
head -c 2G /dev/zero | xz -1 -T1 >"$C/zz-slow.xz"
# Another image with the base name of one above: the two reports are told
# apart by the images' SHA-256.
echo "another build" >"$T/trees/1/etc/build-note"
tar -C "$T/trees/1" -cf "$C/vendor-b/old/fw-7.tar" .
# Not images: a symbolic link and a FIFO are skipped.
ln -s vendor-a/fw-1.tar "$C/link-to-fw1"
mkfifo "$C/fifo"
TOTAL=$(find "$C" -type f | wc -l)
[ "$TOTAL" -eq 23 ] || fail "generated $TOTAL images, not 23"

OUT="$T/reports"
# The ratio and file-size limits are raised so that the time limit is what
# stops the slow image.
ARGS=(firmware --parallel 2 --limit time=1 --limit ratio=100000 --limit file-size=4G -f json
  --output-dir "$OUT" --no-progress "$C")

# ---- a run killed midway ---------------------------------------------------
setsid "$IOTCOP_BIN" "${ARGS[@]}" >"$T/run1.out" 2>"$T/run1.err" &
PGID=$!
for _ in $(seq 1 600); do
  done_now=$({ find "$OUT/.iotcop" -name '*.done' 2>/dev/null || true; } | wc -l)
  [ "$done_now" -ge 4 ] && break
  sleep 0.05
done
kill -KILL -- "-$PGID" 2>/dev/null || true
wait "$PGID" 2>/dev/null || true
PGID=
completed=$(find "$OUT/.iotcop" -name '*.done' | wc -l)
[ "$completed" -ge 1 ] || fail "no report completed before the kill"
[ "$completed" -lt "$TOTAL" ] || fail "all $TOTAL images were done before the kill (not midway)"
echo "killed after $completed of $TOTAL images"
[ ! -e "$OUT/summary.jsonl" ] || fail "a summary exists after a killed run"
# Every report that exists is complete (renamed into place only when done).
for f in "$OUT"/*.json; do
  [ -e "$f" ] || continue
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null ||
    fail "$(basename "$f") is an incomplete report left by the killed run"
done
# Inode and modification time of each completed report.
(cd "$OUT/.iotcop" && for d in *.done; do stat -c '%n %i %y' "../${d%.done}"; done) | sort >"$T/before"

# ---- the restart -------------------------------------------------------------
rc=0
"$IOTCOP_BIN" "${ARGS[@]}" >"$T/run2.out" 2>"$T/run2.err" || rc=$?
(cd "$OUT/.iotcop" && for d in $(sed 's|^\.\./||; s| .*||' "$T/before"); do stat -c '%n %i %y' "../$d"; done) |
  sort >"$T/after"
diff "$T/before" "$T/after" >/dev/null || fail "completed reports were redone: $(diff "$T/before" "$T/after" | head -4)"
[ "$(find "$OUT/.iotcop" -name '*.done' | wc -l)" -eq "$TOTAL" ] || fail "not every image has a completion record"

python3 - "$OUT" "$C" "$TOTAL" "$rc" <<'PY' || failures=$((failures + 1))
import json, os, sys
out, corpus, total, rc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
errors = []
lines = [json.loads(l) for l in open(f"{out}/summary.jsonl") if l.strip()]
images = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs
                if os.path.isfile(os.path.join(d, f)) and not os.path.islink(os.path.join(d, f)))
if sorted(l["image"] for l in lines) != images:
    errors.append(f"summary lists {len(lines)} images, the corpus has {len(images)}: "
                  f"missing {sorted(set(images) - {l['image'] for l in lines})[:3]}")
order = ["info", "low", "medium", "high", "critical"]
outcomes = {}
for l in lines:
    name = os.path.basename(l["image"])
    outcomes[name] = l["outcome"]
    path = os.path.join(out, l["report"] or "")
    if not l["report"] or not os.path.isfile(path):
        errors.append(f"{name}: report {l['report']} missing")
        continue
    r = json.load(open(path))
    if r["target"]["sha256"] != l["sha256"]:
        errors.append(f"{name}: summary sha256 differs from its report's")
    counts = {s: 0 for s in order}
    for f in r["findings"]:
        if "suppressed" not in f:
            counts[f["severity"]] += 1
    if l["counts"] and any(l["counts"][s] != counts[s] for s in order):
        errors.append(f"{name}: counts {l['counts']} but the report has {counts}")
    worst = max((f["severity"] for f in r["findings"]), key=order.index, default=None)
    if l["worst"] != worst:
        errors.append(f"{name}: worst {l['worst']}, report {worst}")
    want = {g["id"]: g["status"] for g in r["guidelines"]}
    if l["guidelines"] != want:
        errors.append(f"{name}: guideline verdicts differ from the report")
    diag = [d["code"] for d in r["unpack"]["diagnostics"] if d["level"] == "error"]
    if name == "zz-slow.xz":
        if l["outcome"] != "partial" or "E_LIMIT_TIME" not in diag:
            errors.append(f"slow image: outcome {l['outcome']}, diagnostics {diag}")
    elif name == "corrupt.squashfs":
        if l["outcome"] not in ("partial", "unreadable") or not diag:
            errors.append(f"corrupt image: outcome {l['outcome']}, diagnostics {diag}")
    else:
        if l["outcome"] != "complete":
            errors.append(f"{name}: outcome {l['outcome']} ({diag})")
        i = int(name.split("-")[1].split(".")[0])
        planted = i % 3 == 0 or i % 4 == 0
        if planted and order.index(worst or "info") < order.index("high"):
            errors.append(f"{name}: planted problems, but the worst finding is {worst}")
        rules = {f["rule"] for f in r["findings"]}
        if i % 4 == 0 and "cred.login-bypass" not in rules:
            errors.append(f"{name}: telnetd -l /bin/sh not found ({sorted(rules)})")
        if i % 3 == 0 and "cred.empty-password" not in rules:
            errors.append(f"{name}: empty root password not found")
twins = sorted(l["report"] for l in lines if os.path.basename(l["image"]) == "fw-7.tar")
if len(twins) != 2 or any(not r.startswith("fw-7.tar.") or len(r) != len("fw-7.tar.") + 12 + 5
                          for r in twins) or twins[0] == twins[1]:
    errors.append(f"two images named fw-7.tar: reports {twins}, expected fw-7.tar.SHA12.json each")
for l in lines:
    if os.path.basename(l["image"]) == "fw-7.tar" and not l["report"].startswith("fw-7.tar." + l["sha256"][:12]):
        errors.append(f"{l['image']}: report {l['report']} not keyed by its sha256 {l['sha256'][:12]}")
want_rc = 3 if "unreadable" in outcomes.values() else 0
if rc != want_rc:
    errors.append(f"restart exited {rc}, expected {want_rc} (outcomes {sorted(set(outcomes.values()))})")
page = open(f"{out}/summary.html").read()
for l in lines:
    if l["image"] not in page:
        errors.append(f"summary.html lacks {l['image']}")
        break
for bad in ("<script", "<link", " src=", "http://", "https://"):
    if bad in page:
        errors.append(f"summary.html: '{bad}' in a page that must load nothing")
if page.count("<tr class=") != len(lines):
    errors.append(f"summary.html has {page.count('<tr class=')} rows for {len(lines)} images")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY

# A third run does nothing again, and --no-resume redoes everything.
find "$OUT" -maxdepth 1 -name '*.json' -newer "$OUT/summary.html" -print >"$T/newer"
"$IOTCOP_BIN" "${ARGS[@]}" >/dev/null 2>&1 || true
[ -z "$(find "$OUT" -maxdepth 1 -name '*.json' -newer "$T/newer" -print)" ] ||
  fail "a run over a complete corpus rewrote reports"
[ "$(wc -l <"$OUT/summary.jsonl")" -eq "$TOTAL" ] || fail "summary of the third run is not complete"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: corpus"

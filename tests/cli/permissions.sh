#!/usr/bin/env bash
# The permissions family on the fixtures: the sample's planted setuid copy of
# BusyBox (/usr/bin/bb-suid, named so that no name gives it away) is a
# setuid shell (high), its world-writable init script is reported with the
# mode make-firmware.sh gave it, and the clean image has no permission
# finding at all. Modes are read from the fixture's manifest, not assumed.
set -euo pipefail
: "${IOTCOP_BIN:?}"
[ -f "${IOTCOP_FIXTURES:-}/sample/firmware.uimage" ] || { echo "no fixtures: skipping"; exit 77; }
T=$(mktemp -d "${IOTCOP_TMP:-/tmp}/permissions.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
for fx in sample clean; do
  "$IOTCOP_BIN" firmware --format json -o "$T/$fx.json" "$IOTCOP_FIXTURES/$fx/firmware.uimage" ||
    { echo "FAIL: firmware $fx exited $?"; exit 1; }
done
python3 - "$T/sample.json" "$T/clean.json" "$IOTCOP_FIXTURES/sample/rootfs.squashfs.manifest.jsonl" <<'PY'
import json, sys
sample, clean = (json.load(open(p)) for p in sys.argv[1:3])
manifest = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
errors = []
def mode_of(e):
    m = e.get("mode")
    return int(m, 8) if isinstance(m, str) else m
setuid = {e["path"] for e in manifest if e.get("type") == "file" and mode_of(e) & 0o6000}
writable = {e["path"] for e in manifest if e.get("type") == "file" and mode_of(e) & 0o002}
if "/usr/bin/bb-suid" not in setuid:
    errors.append("the sample manifest has no setuid /usr/bin/bb-suid (fixture changed?)")
by_path = {}
for f in sample["findings"]:
    if f["rule"].startswith("perm."):
        by_path.setdefault(f["location"].get("path"), []).append(f)
def expect(path, rule, severity):
    got = by_path.get(path, [])
    if not any(f["rule"] == rule and f["severity"] == severity and f["guideline"] == "CoP-6"
               and "5.6-7" in f["provisions"] for f in got):
        errors.append(f"{path}: want {rule} ({severity}, CoP-6, 5.6-7), got "
                      + (", ".join(f"{f['rule']} {f['severity']}" for f in got) or "nothing"))
for p in setuid:
    expect(p, "perm.setuid-shell" if p == "/usr/bin/bb-suid" else "perm.setuid", 
           "high" if p == "/usr/bin/bb-suid" else "medium")
for p in writable:
    expect(p, "perm.world-writable", "medium")
if not writable:
    errors.append("the sample manifest has no world-writable file (fixture changed?)")
extra = set(by_path) - setuid - writable
dirs = {e["path"] for e in manifest if e.get("type") == "dir" and mode_of(e) & 0o002 and not mode_of(e) & 0o1000}
if extra - dirs:
    errors.append("permission findings on files the manifest does not make special: " + ", ".join(sorted(extra - dirs)))
perm_clean = [f for f in clean["findings"] if f["rule"].startswith("perm.")]
if perm_clean:
    errors.append("clean image: " + ", ".join(f"{f['rule']} {f['location'].get('path')}" for f in perm_clean))
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
echo "ok: permissions"

#!/usr/bin/env bash
# iotcop diff between two releases of one product (fixtures release-v1 and
# release-v2: telnet on and BusyBox from bullseye, versus telnet off and
# BusyBox from bookworm). What should change is read from the fixtures'
# layers.json (build options, package versions), not typed in: the telnet
# findings fixed and nothing else new or fixed, BusyBox upgraded and no other
# component changed, and every verdict that changed follows from the fixed
# findings. Also: images and reports give the same diff, the exit statuses
# of --fail-on and --fail-on-guideline, usage and unreadable inputs, HTML.
set -euo pipefail
: "${IOTCOP_BIN:?}"
V1="${IOTCOP_FIXTURES:-}/release-v1"
V2="${IOTCOP_FIXTURES:-}/release-v2"
[ -f "$V1/firmware.uimage" ] && [ -f "$V2/firmware.uimage" ] || { echo "no release fixtures: skipping"; exit 77; }
T=$(mktemp -d "${IOTCOP_TMP:-/tmp}/diff.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # expect STATUS DESCRIPTION ARGS...
  local want=$1 what=$2; shift 2
  local rc=0
  "$IOTCOP_BIN" "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
  [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want ($(head -c 300 "$T/stderr"))"
}

for v in 1 2; do
  expect 0 "audit release-v$v" firmware -f json -o "$T/v$v.json" "${IOTCOP_FIXTURES}/release-v$v/firmware.uimage"
done
# Reports and images (audited by diff itself) give the same comparison.
expect 0 "diff reports" diff -f json -o "$T/diff.json" "$T/v1.json" "$T/v2.json"
expect 0 "diff images" diff -f json -o "$T/diff-images.json" "$V1/firmware.uimage" "$V2/firmware.uimage"
expect 0 "diff text" diff -o "$T/diff.txt" "$T/v1.json" "$T/v2.json"
expect 0 "diff html" diff -f html -o "$T/diff.html" "$T/v1.json" "$T/v2.json"

python3 - "$T" "$V1/layers.json" "$V2/layers.json" <<'PY' || failures=$((failures + 1))
import json, re, sys
T = sys.argv[1]
l1, l2 = (json.load(open(p)) for p in sys.argv[2:4])
r1, r2 = (json.load(open(f"{T}/v{v}.json")) for v in (1, 2))
d = json.load(open(f"{T}/diff.json"))
di = json.load(open(f"{T}/diff-images.json"))
errors = []
def upstream(v):  # 1:1.30.1-6+b3 -> 1.30.1
    return re.sub(r"-[^-]*$", "", v.split(":", 1)[-1])

# What the fixtures say changed.
b1, b2 = l1["build"], l2["build"]
if not (b1.get("telnet") == "on" and b2.get("telnet") == "off"):
    errors.append(f"fixtures: telnet {b1.get('telnet')} -> {b2.get('telnet')}, expected on -> off")
p1 = {p["role"]: upstream(p["version"]) for p in l1["packages"]}
p2 = {p["role"]: upstream(p["version"]) for p in l2["packages"]}
want_upgrades = {(role, p1[role], p2[role]) for role in p1 if role in p2 and p1[role] != p2[role]}
if ("busybox", "1.30.1", "1.35.0") not in want_upgrades:
    errors.append(f"fixtures: busybox not 1.30.1 -> 1.35.0: {sorted(want_upgrades)}")

# Findings: exactly the telnet ones fixed, none new.
telnet = {f["fingerprint"] for f in r1["findings"] if "telnetd" in f["evidence"]}
if not telnet:
    errors.append("release-v1 has no telnet finding")
fixed = {f["fingerprint"] for f in d["findings"]["fixed"]}
if fixed != telnet:
    errors.append(f"fixed: {sorted(f['rule'] for f in d['findings']['fixed'])}; expected the telnet findings "
                  f"{sorted(f['rule'] for f in r1['findings'] if f['fingerprint'] in telnet)}")
if d["findings"]["new"]:
    errors.append(f"new findings: {[(f['rule'], f['evidence'][:80]) for f in d['findings']['new']]}")
# Changed: one finding at one place whose evidence differs in numbers only.
for c in d["findings"]["changed"]:
    o, n = c["old"], c["new"]
    if (o["rule"], o["location"]) != (n["rule"], n["location"]) or \
            re.sub(r"\d+", "#", o["evidence"]) != re.sub(r"\d+", "#", n["evidence"]):
        errors.append(f"changed pair is not one finding: {o['rule']} {o['evidence'][:60]} / {n['rule']} {n['evidence'][:60]}")
fp1 = {f["fingerprint"] for f in r1["findings"]}
fp2 = {f["fingerprint"] for f in r2["findings"]}
unchanged = {f["fingerprint"] for f in d["findings"]["unchanged"]}
if unchanged != fp1 & fp2:
    errors.append("unchanged is not the findings both reports share")
if len(fixed) + len(d["findings"]["changed"]) + len(unchanged) != len(fp1):
    errors.append("old findings not all accounted for")
if len(d["findings"]["new"]) + len(d["findings"]["changed"]) + len(unchanged) != len(fp2):
    errors.append("new findings not all accounted for")

# Components: exactly the upgrades of the fixtures.
comp = d["components"]
got = {(c["name"], c["old"], c["new"]) for c in comp["upgraded"]}
if got != want_upgrades:
    errors.append(f"upgraded {sorted(got)}, expected {sorted(want_upgrades)}")
if comp["added"] or comp["removed"]:
    errors.append(f"components added {comp['added']} removed {comp['removed']}")

# Verdicts: the changed ones are exactly those that differ between the two
# reports, and each follows from a fixed finding's provisions or guideline.
def verdicts(r):
    out = {}
    for kind, key in (("guideline", "guidelines"), ("provision", "provisions"), ("psti", "psti")):
        for v in r[key]:
            out[(kind, v["id"])] = v["status"]
    return out
v1, v2 = verdicts(r1), verdicts(r2)
want = {k for k in v2 if v1.get(k) != v2[k]}
got = {(v["kind"], v["id"]) for v in d["verdicts"]}
if got != want:
    errors.append(f"verdicts changed {sorted(got)}, expected {sorted(want)}")
for v in d["verdicts"]:
    if (v["old"], v["new"]) != (v1.get((v["kind"], v["id"])), v2[(v["kind"], v["id"])]):
        errors.append(f"verdict {v['id']}: {v['old']} -> {v['new']} does not match the reports")
bearing = set()
for f in r1["findings"]:
    if f["fingerprint"] in telnet:
        bearing |= {("provision", p) for p in f["provisions"]} | {("guideline", f["guideline"])}
psti_provs = {p["id"]: set(p.get("provisions", [])) for p in r1["psti"]}
for kind, vid in got:
    if kind == "psti":
        ok = any(("provision", p) in bearing for p in psti_provs.get(vid, ()))
    else:
        ok = (kind, vid) in bearing
    if not ok:
        errors.append(f"verdict {kind} {vid} changed, but no fixed finding bears on it")
if not any(k == "provision" for k, _ in got):
    errors.append("no provision verdict changed although the telnet findings were fixed")

# Images and reports: the same lists.
def lists(x):
    return {k: sorted(f["fingerprint"] for f in x["findings"][k]) for k in ("new", "fixed", "unchanged")}, \
           sorted(tuple(sorted(c.items())) for c in x["components"]["upgraded"]), \
           sorted((v["kind"], v["id"], v["old"], v["new"]) for v in x["verdicts"])
if lists(d) != lists(di):
    errors.append("diff of the images differs from the diff of their reports")

# Text and HTML name the same changes.
text = open(f"{T}/diff.txt").read()
page = open(f"{T}/diff.html").read()
for what, doc in (("text", text), ("html", page)):
    for needle in ("busybox", "1.30.1", "1.35.0", "cred.login-bypass", "boot.telnet"):
        if needle not in doc:
            errors.append(f"{what}: '{needle}' missing")
if f"Findings: 0 new, {len(fixed)} fixed" not in text:
    errors.append("text: the findings line is wrong: " + next((l for l in text.splitlines() if l.startswith("Findings")), ""))
for bad in ("<script", "<link", " src="):
    if bad in page:
        errors.append(f"html: '{bad}' in a page that must load nothing")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY

# Gates: nothing new in v2, so even --fail-on info passes; backwards (v2 -> v1)
# the telnet findings are new, the worst of them critical.
expect 0 "--fail-on info v1 -> v2" diff --fail-on info "$T/v1.json" "$T/v2.json"
expect 1 "--fail-on critical v2 -> v1" diff --fail-on critical "$T/v2.json" "$T/v1.json"
# --fail-on-guideline: a guideline that passed before and fails now.
G=$(python3 -c 'import json,sys; print(next(g["id"] for g in json.load(open(sys.argv[1]))["guidelines"] if g["status"] == "fail"))' "$T/v2.json")
python3 - "$T/v2.json" "$T/v2-pass.json" "$G" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for g in r["guidelines"]:
    if g["id"] == sys.argv[3]:
        g["status"] = "pass"
json.dump(r, open(sys.argv[2], "w"))
PY
expect 1 "--fail-on-guideline $G newly failing" diff --fail-on-guideline "$G" "$T/v2-pass.json" "$T/v2.json"
expect 0 "--fail-on-guideline $G failing in both" diff --fail-on-guideline "$G" "$T/v1.json" "$T/v2.json"
# Usage and unreadable inputs.
expect 2 "one argument" diff "$T/v1.json"
expect 2 "bad format" diff -f sarif "$T/v1.json" "$T/v2.json"
expect 3 "missing input" diff "$T/v1.json" "$T/missing.json"
echo '{"schema": "other/1", "findings": []}' >"$T/other.json"
expect 3 "not a report" diff "$T/v1.json" "$T/other.json"
head -c 3000 "$T/v2.json" >"$T/cut.json"
expect 3 "truncated report" diff "$T/v1.json" "$T/cut.json"
grep -q "cut.json" "$T/stderr" || fail "truncated report: the diagnostic does not name the file"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: diff"

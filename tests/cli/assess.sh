#!/usr/bin/env bash
# `iotcop assess`: the bundled sample's firmware report, a device report made
# by `iotcop device` against busybox telnetd in the live lab's namespaces
# (tests/live/lab.sh: root's password is the dictionary's first telnet pair)
# and a declaration, combined into one verdict per guideline and provision:
# - a fail in either report fails the provision, citing the reports that
#   failed it (a pass one report establishes settling a provision the other
#   leaves unverified is pinned by tests/unit/test_assess.c: the sample
#   and the lab device pass nothing by test);
#   what only the declaration settles is "declared", citing the file;
# - the declared 5.1-1 is contradicted by both reports, in JSON and text;
# - findings keep the fingerprints of the reports they came from;
# - text, HTML and SARIF (valid against the SARIF 2.1.0 schema) outputs;
#   exit statuses per DESIGN.md (0, 1 with --fail-on, 2 usage, 3 when a
#   report cannot be read, the rest still combined).
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] &&
  [ -n "${IOTCOP_SHARED:-}" ] || exit 77
SAMPLE="$IOTCOP_FIXTURES/sample/firmware.uimage"
[ -f "$SAMPLE" ] || { echo "fixtures not built (tests/fixtures/build-all.sh)"; exit 77; }
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx telnetd ||
  { echo "SKIP: busybox-static (with telnetd) is not installed"; exit 77; }
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
T="$LAB_DIR"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- the evidence --------------------------------------------------------
WEAK=$(python3 - "$IOTCOP_SOURCE/data/default-credentials.tsv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
telnet = [r for r in rows if r[0] == "telnet"]
telnet.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(next(r[2] for r in telnet if r[1] == "root" and r[2]))
PY
)
mkdir -p "$T/bin"; ln -s /bin/busybox "$T/bin/login"
lab_passwd "$T/weak" "$WEAK"
H2=$(lab_host 2)
lab_jail "$H2" "$T/weak" /bin/busybox telnetd -F -p 23 -l "$T/bin/login"
lab_wait_port "$H2" 10.213.0.2 23
lab_iotcop device -f json --ports 23 10.213.0.2 >"$T/device.json" || fail "device exited $?"
"$IOTCOP_BIN" firmware -f json -o "$T/firmware.json" "$SAMPLE" || fail "firmware exited $?"
cat > "$T/decl.yaml" <<'EOF'
product: {name: Example Camera, model: EHC-100, type: camera, batch: "2025"}
manufacturer: {name: Example Ltd, address: "1 Example Street, London"}
support_period: {end: 2030-12-31}
provisions:
  5.1-1: {status: implemented, justification: unique passwords per unit}
  5.3-13: {status: implemented, justification: published on the product page}
EOF

# ---- combined ------------------------------------------------------------
cd "$T"
"$IOTCOP_BIN" assess --declaration decl.yaml -f json -o assess.json firmware.json device.json \
  || fail "assess exited $?"
python3 - <<'EOF' || fail "combined JSON"
import json
a = json.load(open("assess.json"))
fw = json.load(open("firmware.json"))
dev = json.load(open("device.json"))
def check(cond, what):
    if not cond:
        raise SystemExit("assess: " + what)
check(a["target"]["kind"] == "product" and a["target"]["name"] == "Example Camera EHC-100", "target")
check([(i["report"], i["kind"]) for i in a["target"]["inputs"]] ==
      [("firmware.json", "firmware"), ("device.json", "device")], "inputs")
P = {p["id"]: p for p in a["provisions"]}
F = {p["id"]: p for p in fw["provisions"]}
D = {p["id"]: p for p in dev["provisions"]}
# Both reports fail 5.1-1: cited together, and the declaration is contradicted.
check(F["5.1-1"]["status"] == "fail" and D["5.1-1"]["status"] == "fail", "both inputs fail 5.1-1")
p = P["5.1-1"]
check(p["status"] == "fail" and p["settled_by"] == "firmware.json, device.json", "5.1-1: %s" % p)
check(p.get("contradiction") is True and [c["provision"] for c in a["contradictions"]] == ["5.1-1"],
      "contradiction of 5.1-1")
# Every provision that failed in one report fails here, citing the ones that failed it.
for pid in P:
    failed = [n for n, r in (("firmware.json", F), ("device.json", D)) if r[pid]["status"] == "fail"]
    if failed:
        check(P[pid]["status"] == "fail", "%s failed in %s but is %s" % (pid, failed, P[pid]["status"]))
        check(P[pid]["settled_by"] == ", ".join(failed), "%s settled by %s" % (pid, P[pid].get("settled_by")))
# A pass one report established and the other did not fail settles it, citing that report
# (none with today's sample and lab device; tests/unit/test_assess.c pins it).
passes = [pid for pid in P if F[pid]["status"] == "pass" and D[pid]["status"] != "fail"]
for pid in passes:
    check(P[pid]["status"] == "pass" and "firmware.json" in P[pid]["settled_by"], "pass %s" % pid)
# Only the declaration settles 5.3-13.
check(P["5.3-13"]["status"] == "pass" and P["5.3-13"]["source"] == "declared"
      and P["5.3-13"]["settled_by"] == "decl.yaml", "5.3-13 declared: %s" % P["5.3-13"])
# A guideline that fails in either report fails here.
G = {g["id"]: g["status"] for g in a["guidelines"]}
for src in (fw, dev):
    for g in src["guidelines"]:
        if g["status"] == "fail":
            check(G[g["id"]] == "fail", "%s fails in an input, %s here" % (g["id"], G[g["id"]]))
# Findings of both, with the fingerprints they had.
fps = {f["fingerprint"] for f in a["findings"]}
want = {f["fingerprint"] for f in fw["findings"]} | {f["fingerprint"] for f in dev["findings"]}
check(fps == want, "findings: %d missing, %d extra" % (len(want - fps), len(fps - want)))
check(any(f["rule"] == "device.default-credentials" for f in a["findings"]), "device finding kept")
check(any(s["port"] == 23 and s["service"] == "telnet" for s in a["services"]), "device service kept")
check(len(a["components"]) == len(fw["components"]), "firmware components kept")
check(a["psti_statement"]["items"][0]["value"] == "camera; 2025", "statement from the declaration")
EOF

"$IOTCOP_BIN" assess --declaration decl.yaml -o assess.txt firmware.json device.json \
  || fail "assess text exited $?"
head -5 assess.txt | grep -q "^Product Example Camera EHC-100, combined from 2 reports" \
  || fail "text: product header: $(head -3 assess.txt)"
grep -q "CONTRADICTED DECLARATION" assess.txt || fail "text: contradiction"
grep -Eq '^  5\.1-1 +fail +test +firmware\.json, device\.json' assess.txt \
  || fail "text: 5.1-1 settled by both reports"
grep -Eq '^  5\.3-13 +pass +declared +decl\.yaml' assess.txt || fail "text: 5.3-13 declared"
"$IOTCOP_BIN" assess --declaration decl.yaml -f html -o assess.html firmware.json device.json \
  || fail "assess html exited $?"
grep -q '<title>Product security assessment: Example Camera EHC-100' assess.html || fail "html title"
grep -q 'id="contradictions"' assess.html || fail "html banner"
grep -q 'Settled by: firmware.json, device.json' assess.html || fail "html settled by"
"$IOTCOP_BIN" assess --declaration decl.yaml -f sarif -o assess.sarif firmware.json device.json \
  || fail "assess sarif exited $?"
python3 "$IOTCOP_SOURCE/tests/cli/lib/validate_schema.py" "$IOTCOP_SHARED/schemas" sarif assess.sarif \
  || fail "assess SARIF schema"
python3 -c 'import json; r=json.load(open("assess.sarif"))["runs"][0]; p=r["properties"]; assert p["target"]["kind"]=="product" and p["contradictions"]==1; assert any(x["ruleId"]=="iotcop.declaration-contradicted" for x in r["results"])' \
  || fail "assess SARIF: product target and the contradiction"

# ---- exit statuses -------------------------------------------------------
rc=0; "$IOTCOP_BIN" assess --fail-on critical -q firmware.json device.json >/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "--fail-on critical exited $rc, not 1"
rc=0; "$IOTCOP_BIN" assess -q device.json >/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "one report exited $rc, not 0"
printf 'not json' > broken.json
head -c 2000 firmware.json > truncated.json
rc=0; "$IOTCOP_BIN" assess -f json -o partial.json device.json broken.json truncated.json \
  2>partial.err || rc=$?
[ "$rc" -eq 3 ] || fail "unreadable reports exited $rc, not 3"
grep -q "truncated.json" partial.err || fail "no diagnostic for truncated.json"
python3 -c 'import json; d=json.load(open("partial.json")); assert [i["report"] for i in d["target"]["inputs"]] == ["device.json"]; assert len(d["run"]["diagnostics"]) == 2, d["run"]["diagnostics"]' \
  || fail "partial: the readable report combined, the others as diagnostics"
echo '{"schema": "iotcop-report/1", "target": {"kind": "toaster"}}' > toaster.json
rc=0; "$IOTCOP_BIN" assess -q toaster.json >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "a report of no known target exited $rc, not 3"
rc=0; "$IOTCOP_BIN" assess -q no-such.json >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "a missing report exited $rc, not 3"
rc=0; "$IOTCOP_BIN" assess >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "no report exited $rc, not 2"
rc=0; "$IOTCOP_BIN" assess -f cyclonedx device.json >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown format exited $rc, not 2"
printf 'provisions: [\n' > bad.yaml
rc=0; "$IOTCOP_BIN" assess --declaration bad.yaml device.json >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "a broken declaration exited $rc, not 2"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"

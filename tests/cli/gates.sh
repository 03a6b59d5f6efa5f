#!/usr/bin/env bash
# CI gates of `iotcop firmware` on the bundled sample (docs/gating.md):
# --fail-on, --fail-on-guideline, --baseline and --ignore, each with the exit
# status DESIGN.md gives it. Suppressed findings stay in the report, marked
# with their source and justification in JSON, text, SARIF and HTML, and
# keep failing their verdicts (suppressed_only) while the gates ignore them.
# What to expect is read from an ungated report of the same image.
set -euo pipefail
: "${IOTCOP_BIN:?}"
SAMPLE="${IOTCOP_FIXTURES:-}/sample/firmware.uimage"
[ -f "$SAMPLE" ] || { echo "no fixtures: skipping"; exit 77; }
T=$(mktemp -d "${IOTCOP_TMP:-/tmp}/gates.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run EXPECTED-STATUS DESCRIPTION ARGS...: iotcop firmware ARGS, status checked.
run() {
  local want=$1 what=$2; shift 2
  local rc=0
  "$IOTCOP_BIN" firmware "$@" "$SAMPLE" >"$T/stdout" 2>"$T/stderr" || rc=$?
  [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want ($(head -c 300 "$T/stderr"))"
}

run 0 "no gate" -f json -o "$T/base.json"
# The expectations, from the ungated report: the worst severity, a severity
# nothing reaches (if any), a failing guideline, every critical or high rule.
eval "$(python3 - "$T/base.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
order = ["info", "low", "medium", "high", "critical"]
sev = [f["severity"] for f in r["findings"]]
assert sev, "the sample has no finding"
worst = max(sev, key=order.index)
failing = [g["id"] for g in r["guidelines"] if g["status"] == "fail"]
serious = sorted({f["rule"] for f in r["findings"] if f["severity"] in ("critical", "high")})
print(f"WORST={worst}")
print(f"FAILING={failing[0]}")
print("SERIOUS='" + " ".join(serious) + "'")
crit = [f for f in r["findings"] if f["severity"] == "critical"]
print(f"CRIT_FP={crit[0]['fingerprint']}" if crit else "CRIT_FP=")
PY
)"
[ "$WORST" = critical ] || fail "the sample's worst finding is $WORST, not critical (fixture changed?)"

# --fail-on: 1 at or above the worst severity, and none when nothing counts.
run 1 "--fail-on $WORST" --fail-on "$WORST" -q
run 1 "--fail-on info" --fail-on info -q
run 2 "--fail-on bogus" --fail-on bogus -q
run 1 "--fail-on-guideline $FAILING" --fail-on-guideline "$FAILING" -q

# --baseline with the report itself: every finding suppressed, no gate trips,
# the verdicts stay honest.
run 0 "--fail-on info --baseline (all known)" --fail-on info --baseline "$T/base.json" \
  -f json -o "$T/baselined.json"
run 0 "--fail-on-guideline --baseline (all known)" --fail-on-guideline "$FAILING" \
  --baseline "$T/base.json" -q
# A baseline without one critical finding: that one is new and fails the gate.
python3 - "$T/base.json" "$T/older.json" "$CRIT_FP" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["findings"] = [f for f in r["findings"] if f["fingerprint"] != sys.argv[3]]
json.dump(r, open(sys.argv[2], "w"))
PY
run 1 "--fail-on critical --baseline (one new)" --fail-on critical --baseline "$T/older.json" \
  -f json -o "$T/one-new.json"
# JSON Lines baselines work too (one report per line).
{ python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$T/older.json"
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$T/older.json"; } \
  >"$T/older.jsonl"
run 1 "--baseline JSON Lines (one new)" --fail-on critical --baseline "$T/older.jsonl" -q
echo '{"schema": "something-else/1"}' >"$T/not-a-report.json"
run 2 "--baseline not a report" --baseline "$T/not-a-report.json" -q
run 2 "--baseline missing" --baseline "$T/missing.json" -q

# --ignore: every critical and high rule listed (one by rule:glob when it has
# a path), the critical finding of the baseline test also by fingerprint.
{
  echo "# accepted risks of the sample, reviewed by the test"
  echo "$CRIT_FP   accepted by fingerprint: test image only"
  for rule in $SERIOUS; do echo "$rule   accepted: planted on purpose in the sample"; done
} >"$T/ignore.txt"
run 0 "--fail-on high --ignore (all serious)" --fail-on high --ignore "$T/ignore.txt" \
  -f json -o "$T/ignored.json"
# Without the last entry, that rule's findings count again.
head -n -1 "$T/ignore.txt" >"$T/ignore-less.txt"
run 1 "--fail-on high --ignore (one rule left)" --fail-on high --ignore "$T/ignore-less.txt" -q
# An entry without a justification, or naming no known rule: usage error with the line.
printf '# reviewed\n\n%s\n' "${SERIOUS%% *}" >"$T/bad1.txt"
run 2 "--ignore without justification" --ignore "$T/bad1.txt" -q
grep -q "bad1.txt:3:" "$T/stderr" || fail "no line number for the entry without justification: $(cat "$T/stderr")"
printf 'no.such-rule:/etc/* because\n' >"$T/bad2.txt"
run 2 "--ignore unknown rule" --ignore "$T/bad2.txt" -q
grep -q "bad2.txt:1:" "$T/stderr" || fail "no line number for the unknown rule: $(cat "$T/stderr")"
# A rule with a path glob suppresses only the findings at matching paths.
printf 'cred.default-password:/etc/passwd  glob that matches nothing in /etc/shadow\n' >"$T/glob.txt"
run 0 "--ignore glob" --ignore "$T/glob.txt" -f json -o "$T/glob.json"

# Suppressions in the other formats.
run 0 "--ignore text" --ignore "$T/ignore.txt" -o "$T/ignored.txt" --no-colour
run 0 "--ignore sarif" --ignore "$T/ignore.txt" -f sarif -o "$T/ignored.sarif"
run 0 "--ignore html" --ignore "$T/ignore.txt" -f html -o "$T/ignored.html"

python3 - "$T" "$CRIT_FP" "$SERIOUS" <<'PY' || failures=$((failures + 1))
import html, json, sys
T, crit_fp, serious = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
errors = []
base = json.load(open(f"{T}/base.json"))
fps = [f["fingerprint"] for f in base["findings"]]
def load(name):
    return json.load(open(f"{T}/{name}"))
def by_fp(r):
    return {f["fingerprint"]: f for f in r["findings"]}

if any("suppressed" in f for f in base["findings"]):
    errors.append("ungated report has suppressed findings")
# Baseline: every finding kept and suppressed, source baseline.
b = load("baselined.json")
if sorted(by_fp(b)) != sorted(fps):
    errors.append("baseline: the findings are not the same as without it (suppressed ones must stay)")
for f in b["findings"]:
    s = f.get("suppressed")
    if not s or s.get("source") != "baseline" or not s.get("justification"):
        errors.append(f"baseline: {f['rule']} not suppressed with source baseline: {s}")
        break
# Verdicts stay honest: the same statuses, fails marked suppressed_only.
for kind in ("guidelines", "provisions"):
    for g0, g1 in zip(base[kind], b[kind]):
        if g0["status"] != g1["status"]:
            errors.append(f"baseline changed the verdict of {g1['id']}: {g0['status']} -> {g1['status']}")
        if g1["status"] == "fail" and not g1.get("suppressed_only"):
            errors.append(f"baseline: {g1['id']} fails only by suppressed findings but is not suppressed_only")
        if g0.get("suppressed_only"):
            errors.append(f"ungated: {g0['id']} is suppressed_only")
# One new: exactly the finding missing from the baseline is unsuppressed.
o = load("one-new.json")
loose = [f["fingerprint"] for f in o["findings"] if "suppressed" not in f]
if loose != [crit_fp]:
    errors.append(f"baseline minus one: unsuppressed {loose}, expected [{crit_fp}]")
# Ignore: the serious rules suppressed from the list with their justification.
i = load("ignored.json")
for f in i["findings"]:
    s = f.get("suppressed")
    want = f["rule"] in serious or f["fingerprint"] == crit_fp
    if want != bool(s):
        errors.append(f"ignore: {f['rule']} suppressed={bool(s)}, expected {want}")
    if s and (s.get("source") != "ignore" or not s["justification"].startswith("accepted")):
        errors.append(f"ignore: {f['rule']} suppression {s}")
crit = by_fp(i)[crit_fp]["suppressed"]["justification"]
if crit != "accepted by fingerprint: test image only":
    errors.append(f"ignore: the fingerprint entry (listed first) did not win: {crit!r}")
if len(i["findings"]) != len(fps):
    errors.append("ignore: findings were dropped")
# Glob: nothing matched, nothing suppressed.
if any("suppressed" in f for f in load("glob.json")["findings"]):
    errors.append("glob /etc/passwd suppressed a finding elsewhere")
# Text, SARIF and HTML show the suppressions.
text = open(f"{T}/ignored.txt").read()
if "suppressed (ignore): accepted: planted on purpose in the sample" not in text:
    errors.append("text: no 'suppressed (ignore): justification' line")
sarif = json.load(open(f"{T}/ignored.sarif"))
results = sarif["runs"][0]["results"]
sup = [r for r in results if r.get("suppressions")]
n_sup = sum(1 for f in i["findings"] if "suppressed" in f)
if len(sup) != n_sup or len(results) != len(fps):
    errors.append(f"sarif: {len(sup)} of {len(results)} results suppressed, expected {n_sup} of {len(fps)}")
for r in sup:
    s = r["suppressions"][0]
    if s.get("kind") != "external" or not s.get("justification", "").startswith("accepted") \
            or s.get("properties", {}).get("source") != "ignore":
        errors.append(f"sarif: suppression {s}")
        break
page = open(f"{T}/ignored.html").read()
if html.escape("accepted: planted on purpose in the sample", quote=True) not in page \
        and "accepted: planted on purpose in the sample" not in page:
    errors.append("html: the justification is not shown")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: gates"

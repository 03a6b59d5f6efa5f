#!/usr/bin/env bash
# `iotcop firmware --declaration FILE` on the bundled sample:
# - what only documents settle takes its verdict from the declaration
#   ("source": "declared"), a test verdict always wins over it;
# - the sample's cracked default password contradicts a declared 5.1-1, and
#   the report says so in every format: JSON ("contradictions" and the
#   provision), text (at the top, and in the --quiet line), HTML (a banner),
#   SARIF (a result, valid against the SARIF 2.1.0 schema); the HTML also as
#   headless Chromium renders it, with a screenshot;
# - YAML and JSON declarations give the same verdicts;
# - the draft PSTI statement is filled from the declaration, gaps listed;
# - bad declarations: exit 2 with the file's line for a syntax error, a
#   warning with line and key for a bad value (the run goes on).
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
SAMPLE="$IOTCOP_FIXTURES/sample/firmware.uimage"
[ -f "$SAMPLE" ] || { echo "fixtures not built (tests/fixtures/build-all.sh)"; exit 77; }
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
T="${IOTCOP_TMP:-/tmp}/cli-declaration"
rm -rf "$T"; mkdir -p "$T"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat > "$T/decl.yaml" <<'EOF'
schema: iotcop-declaration/1
product:
  name: Example Home Camera
  model: EHC-100
  type: Wi-Fi home security camera
  batch: firmware 1.0.x
manufacturer:
  name: Example Devices Ltd
  address: 1 Example Street, London
support_period:
  end: 2030-12-31
vulnerability_disclosure:
  contact: mailto:security@example.com
statement:
  prepared_by: manufacturer
  signatory: Jane Example
  function: Head of Product Security
  place: London
  date: 2025-06-01
provisions:
  5.1-1:
    status: implemented
    justification: every unit has its own random password
    reference: design doc 3.1
  5.3-13:
    status: implemented
    justification: support period on the product page
  5.13-1:
    status: not-applicable
    justification: no user input
EOF
# The same declaration as JSON.
python3 -c 'import sys, yaml, json; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))' \
  "$T/decl.yaml" > "$T/decl.json"

# ---- JSON ----------------------------------------------------------------
"$IOTCOP_BIN" firmware --declaration "$T/decl.yaml" -f json -o "$T/yaml.json" "$SAMPLE" \
  || fail "firmware --declaration (yaml) exited $?"
"$IOTCOP_BIN" firmware --declaration "$T/decl.json" -f json -o "$T/json.json" "$SAMPLE" \
  || fail "firmware --declaration (json) exited $?"
python3 - "$T/yaml.json" "$T/json.json" <<'EOF' || fail "JSON report"
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
prov = {p["id"]: p for p in a["provisions"]}
def check(cond, what):
    if not cond:
        print("JSON:", what); sys.exit(1)
# A test verdict wins: the cracked password fails the declared 5.1-1.
p = prov["5.1-1"]
check(p["status"] == "fail" and p["source"] == "test", "5.1-1 fails by test: %s" % p)
check(p.get("contradiction") is True, "5.1-1 is marked as a contradiction")
check("every unit has its own random password" in p.get("declared", ""), "5.1-1 keeps the statement")
check(p["findings"], "5.1-1 lists the findings behind it")
fps = {f["fingerprint"]: f for f in a["findings"]}
check(any(fps[x]["rule"] == "cred.default-password" for x in p["findings"]),
      "the cracked password is among 5.1-1's findings")
# Only documents settle 5.3-13 here: declared.
check(prov["5.3-13"]["status"] == "pass" and prov["5.3-13"]["source"] == "declared", "5.3-13 declared")
check(prov["5.13-1"]["status"] == "not-applicable" and prov["5.13-1"]["source"] == "declared",
      "5.13-1 declared not applicable")
# Without a declaration the same provision is not settled.
c = [x["provision"] for x in a["contradictions"]]
check(c == ["5.1-1"], "contradictions list exactly 5.1-1: %s" % c)
check(a["contradictions"][0]["findings"] == p["findings"], "the contradiction cites the findings")
check(a["scorecard"]["contradictions"] == 1, "scorecard counts the contradiction")
m = a["scorecard"]["en303645"]["mandatory"]
r = a["scorecard"]["en303645"]["recommended"]
check(m["total"] + r["total"] == len(a["provisions"]), "mandatory + recommended = every provision")
check(m["fail"] == sum(1 for x in a["provisions"] if x["status"] == "fail" and x["level"].startswith("M")),
      "mandatory fail count")
check(a["declaration"]["product"]["model"] == "EHC-100", "declaration echoed")
check(a["declaration"]["support_period"]["end"] == "2030-12-31", "support period echoed")
st = {i["id"]: i for i in a["psti_statement"]["items"]}
check(st["support-period"]["value"] == "2030-12-31", "statement support period")
check("gap" in st["compliance"] and "PSTI-1" in st["compliance"]["gap"],
      "statement: compliance not supported while PSTI-1 fails")
check(st["signatory"]["value"] == "Jane Example; Head of Product Security", "statement signatory")
check(a["psti_statement"]["gaps"] == 1 and a["psti_statement"]["complete"] is False, "one gap")
# YAML and JSON declarations: the same verdicts.
strip = lambda d: [(x["id"], x["status"], x["source"], x.get("contradiction")) for x in d["provisions"]]
check(strip(a) == strip(b), "YAML and JSON declarations give the same verdicts")
EOF

# ---- text, HTML, SARIF ---------------------------------------------------
"$IOTCOP_BIN" firmware --declaration "$T/decl.yaml" -o "$T/out.txt" "$SAMPLE" || fail "text exited $?"
# The contradiction comes before the first finding.
awk '/^CoP-/{exit} /CONTRADICTED DECLARATION/{c=1} c && /5\.1-1/{ok=1} END{exit !ok}' "$T/out.txt" \
  || fail "text: contradiction of 5.1-1 not at the top"
grep -q '^  Sch. 4(e) .*2030-12-31' "$T/out.txt" || fail "text: PSTI statement support period"
grep -q '^  mandatory ' "$T/out.txt" || fail "text: EN 303 645 mandatory counts"
q=$("$IOTCOP_BIN" firmware -q --declaration "$T/decl.yaml" "$SAMPLE") || fail "quiet exited $?"
case "$q" in *"the declaration is contradicted"*) ;; *) fail "quiet line: $q" ;; esac

mkdir -p "$T/html" "$T/sarif"
"$IOTCOP_BIN" firmware --declaration "$T/decl.yaml" -f html --output-dir "$T/html" "$SAMPLE" \
  || fail "html exited $?"
"$IOTCOP_BIN" firmware --declaration "$T/decl.yaml" -f sarif --output-dir "$T/sarif" "$SAMPLE" \
  || fail "sarif exited $?"
cat > "$T/banner.py" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.banner = None; self.items = []; self.order = []
        self.statement = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") in ("contradictions", "guideline-grid", "psti-statement"):
            self.order.append(a["id"])
        if a.get("id") == "contradictions":
            self.banner = a
        if tag == "li" and self.banner is not None and "data-provision" in a and "contradictions" in self.order and "guideline-grid" not in self.order:
            self.items.append(a["data-provision"])
        if tag == "tr" and "data-item" in a:
            self.statement[a["data-item"]] = a["data-complete"]
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
assert p.banner and p.banner.get("role") == "alert", "no banner"
assert p.order[0] == "contradictions", "the banner is not first: %s" % p.order
assert p.items == ["5.1-1"], p.items
assert p.statement.get("support-period") == "yes" and p.statement.get("compliance") == "no", p.statement
EOF
python3 "$T/banner.py" "$T/html/firmware.uimage.html" || fail "HTML banner"
# The same in the DOM Debian's headless Chromium renders (as root it needs
# --no-sandbox; no network: its own namespace when unshare works, name
# resolution off), with a screenshot of the banner under $T.
if command -v chromium >/dev/null; then
  NETNS=(); if unshare -n true 2>/dev/null; then NETNS=(unshare -n); fi
  chrome() {
    rm -rf "$T/profile"
    timeout 120 "${NETNS[@]}" chromium --headless --no-sandbox --disable-gpu --disable-quic \
      --no-first-run --disable-background-networking --disable-component-update --disable-sync \
      --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$T/profile" "$@" 2>>"$T/chromium.log"
  }
  chrome --dump-dom "file://$T/html/firmware.uimage.html" > "$T/dom.html" || fail "chromium exited $?"
  python3 "$T/banner.py" "$T/dom.html" || fail "rendered HTML banner"
  chrome --window-size=1280,900 --screenshot="$T/banner.png" "file://$T/html/firmware.uimage.html" \
    >/dev/null || fail "chromium --screenshot exited $?"
  rm -rf "$T/profile"
else
  echo "note: chromium not installed, the rendered DOM is not checked"
fi
python3 "$LIB/validate_schema.py" "$IOTCOP_SHARED/schemas" sarif "$T/sarif/firmware.uimage.sarif" \
  || fail "SARIF schema"
python3 - "$T/sarif/firmware.uimage.sarif" <<'EOF' || fail "SARIF contradiction"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
c = [r for r in run["results"] if r["ruleId"] == "iotcop.declaration-contradicted"]
assert [r["properties"]["provision"] for r in c] == ["5.1-1"], c
assert c[0]["level"] == "error" and "5.1-1" in c[0]["message"]["text"]
assert run["properties"]["contradictions"] == 1
EOF

# ---- no contradiction: nothing shown -------------------------------------
cat > "$T/quiet.yaml" <<'EOF'
provisions:
  5.3-13: implemented
EOF
"$IOTCOP_BIN" firmware --declaration "$T/quiet.yaml" -f json -o "$T/quiet.json" "$SAMPLE" \
  || fail "quiet declaration exited $?"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["contradictions"]==[] and d["scorecard"]["contradictions"]==0; s={i["id"]:i for i in d["psti_statement"]["items"]}; assert "support_period.end" in s["support-period"]["gap"]' \
  "$T/quiet.json" || fail "a declaration nobody contradicts: no contradiction, gaps listed"

# ---- bad declarations ----------------------------------------------------
printf 'product:\n  name: [unclosed\nprovisions: {}\n' > "$T/syntax.yaml"
rc=0; "$IOTCOP_BIN" firmware --declaration "$T/syntax.yaml" "$SAMPLE" >/dev/null 2>"$T/syntax.err" || rc=$?
[ "$rc" -eq 2 ] || fail "YAML syntax error exited $rc, not 2"
grep -q "syntax.yaml:[0-9]" "$T/syntax.err" || fail "syntax error without a line: $(cat "$T/syntax.err")"
printf '{"provisions": {"5.1-1": "implemented",}}' > "$T/syntax.json"
rc=0; "$IOTCOP_BIN" firmware --declaration "$T/syntax.json" "$SAMPLE" >/dev/null 2>"$T/syntaxj.err" || rc=$?
[ "$rc" -eq 2 ] || fail "JSON syntax error exited $rc, not 2"
grep -q "syntax.json:1: JSON" "$T/syntaxj.err" || fail "JSON error without its line: $(cat "$T/syntaxj.err")"
rc=0; "$IOTCOP_BIN" firmware --declaration "$T/missing.yaml" "$SAMPLE" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing declaration exited $rc, not 2"
cat > "$T/values.yaml" <<'EOF'
product:
  colour: red
support_period:
  end: 2030-02-30
provisions:
  9.9-9: implemented
  5.3-13:
    status: done
  5.2-1:
    status: implemented
EOF
rc=0; "$IOTCOP_BIN" firmware -q --declaration "$T/values.yaml" "$SAMPLE" >/dev/null 2>"$T/values.err" || rc=$?
[ "$rc" -eq 0 ] || fail "bad values exited $rc, not 0 (the rest is read)"
for want in "values.yaml:2: product.colour" "values.yaml:4: support_period.end" \
            "values.yaml:6: provisions.9.9-9" "values.yaml:8: provisions.5.3-13"; do
  grep -q "$want" "$T/values.err" || fail "no diagnostic '$want': $(cat "$T/values.err")"
done
printf '%s\n' 'a: &x [1]' 'b: *x' > "$T/alias.yaml"
rc=0; "$IOTCOP_BIN" firmware --declaration "$T/alias.yaml" "$SAMPLE" >/dev/null 2>"$T/alias.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "alias" "$T/alias.err" || fail "YAML alias accepted (rc $rc)"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"

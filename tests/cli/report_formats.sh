#!/usr/bin/env bash
# `iotcop firmware` on the bundled sample in every output format:
# - SARIF valid against the official SARIF 2.1.0 schema, CycloneDX against
#   1.5 (its referenced schemas resolved locally), SPDX against 2.3, and each
#   saying what the JSON report of the same input says (tests/cli/lib/
#   validate_schema.py, report_compare.py), the SBOMs' hashes and
#   dependencies matching sha256 and `readelf -d` of the extracted files;
# - the HTML page with nothing in it that can fetch, rendered in Debian's
#   headless Chromium (in a network namespace of its own when possible): the
#   DOM holds every guideline, PSTI and provision verdict of the JSON report,
#   the page makes no request (Chromium's net log; a control page with one
#   remote image proves the log shows requests), and a screenshot is saved
#   under $IOTCOP_TMP/cli-report_formats/;
# - exit statuses of --fail-on-guideline (DESIGN.md: 1, 0, 2) and SARIF's
#   record of them; --output-dir file names per format.
# Every run takes a few seconds (the password cracker's budget): runs are
# kept few.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
SAMPLE="$IOTCOP_FIXTURES/sample/firmware.uimage"
SCHEMAS="$IOTCOP_SHARED/schemas"
[ -f "$SAMPLE" ] || { echo "fixtures not built (tests/fixtures/build-all.sh)"; exit 77; }
[ -f "$SCHEMAS/sarif-schema-2.1.0.json" ] || { echo "no schemas in $SCHEMAS"; exit 77; }
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
for tool in python3 sha256sum readelf chromium; do
  command -v "$tool" >/dev/null || { echo "missing tool $tool (scripts/install-deps.sh)"; exit 1; }
done
python3 -c 'import jsonschema, referencing' || { echo "missing python3-jsonschema"; exit 1; }
# Kept after the run: the screenshot is part of the test's output.
T="${IOTCOP_TMP:-/tmp}/cli-report_formats"
rm -rf "$T"; mkdir -p "$T"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- every format ------------------------------------------------------
"$IOTCOP_BIN" firmware --format json -o "$T/sample.json" "$SAMPLE" || fail "json exited $?"
"$IOTCOP_BIN" guidelines --format json -o "$T/catalogue.json" || fail "guidelines exited $?"
rc=0; "$IOTCOP_BIN" firmware --format text -o "$T/sample.text" "$SAMPLE" || rc=$?
[ "$rc" -eq 0 ] && [ -s "$T/sample.text" ] || fail "--format text exited $rc"
# The other formats through --output-dir, which names each file by format.
for f in sarif:sarif html:html cyclonedx:cdx.json spdx:spdx.json; do
  rc=0
  "$IOTCOP_BIN" firmware --format "${f%%:*}" --output-dir "$T/dir" "$SAMPLE" || rc=$?
  [ "$rc" -eq 0 ] || fail "--format ${f%%:*} exited $rc"
  if [ -s "$T/dir/firmware.uimage.${f#*:}" ]; then
    cp "$T/dir/firmware.uimage.${f#*:}" "$T/sample.${f%%:*}"
  else
    fail "--format ${f%%:*} --output-dir did not write firmware.uimage.${f#*:}"
  fi
done
image_sha=$(sha256sum "$SAMPLE" | cut -d' ' -f1)

# ---- SARIF, CycloneDX, SPDX: schemas and content --------------------------
python3 "$LIB/validate_schema.py" "$SCHEMAS" sarif "$T/sample.sarif" || fail "SARIF schema"
python3 "$LIB/validate_schema.py" "$SCHEMAS" cyclonedx "$T/sample.cyclonedx" || fail "CycloneDX schema"
python3 "$LIB/validate_schema.py" "$SCHEMAS" spdx "$T/sample.spdx" || fail "SPDX schema"
python3 "$LIB/report_compare.py" sarif "$T/sample.json" "$T/sample.sarif" "$T/catalogue.json" 0 \
  || fail "SARIF differs from the JSON report"
python3 "$LIB/report_compare.py" cyclonedx "$T/sample.json" "$T/sample.cyclonedx" "$image_sha" \
  || fail "CycloneDX differs from the JSON report"
python3 "$LIB/report_compare.py" spdx "$T/sample.json" "$T/sample.spdx" "$image_sha" \
  || fail "SPDX differs from the JSON report"
# Hashes and dependencies against the files themselves (sha256, readelf -d).
"$IOTCOP_BIN" unpack -C "$T/files" "$SAMPLE" >/dev/null || fail "unpack -C exited $?"
python3 "$LIB/report_compare.py" sbom-files "$T/sample.json" "$T/sample.cyclonedx" "$T/sample.spdx" \
  "$T/files" || fail "SBOM hashes or dependencies differ from the files"
rm -rf "$T/files"
# The validator must be able to fail: a SARIF result with an invalid level.
python3 - "$T/sample.sarif" "$T/broken.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][0]["results"].append({"message": {"text": "x"}, "level": "fatal"})
json.dump(d, open(sys.argv[2], "w"))
PY
if python3 "$LIB/validate_schema.py" "$SCHEMAS" sarif "$T/broken.sarif" >/dev/null; then
  fail "the schema check accepted a broken SARIF file"
fi

# ---- HTML: static, then rendered ---------------------------------------
cp "$T/sample.html" "$T/report.html"
python3 "$LIB/html_check.py" static "$T/report.html" || fail "HTML can fetch"
cat > "$T/control.html" <<'EOF'
<!DOCTYPE html><html><body><p>control</p><img src="http://127.0.0.1:9/control.png"></body></html>
EOF
if python3 "$LIB/html_check.py" static "$T/control.html" >/dev/null; then
  fail "the static check missed a remote image"
fi

# Chromium as root needs --no-sandbox; a fresh profile each time; in a
# network namespace of its own (only loopback) when unshare works, and name
# resolution off either way, so its own background traffic goes nowhere.
NETNS=()
if unshare -n true 2>/dev/null; then NETNS=(unshare -n); fi
chrome() {
  local profile="$1"; shift
  rm -rf "$profile"
  timeout 120 "${NETNS[@]}" chromium --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$profile" "$@" 2>>"$T/chromium.log"
}
chrome "$T/profile-dom" --log-net-log="$T/report.netlog.json" --dump-dom "file://$T/report.html" \
  > "$T/report.dom.html" || fail "chromium --dump-dom exited $?"
python3 "$LIB/html_check.py" dom "$T/report.dom.html" "$T/sample.json" || fail "rendered DOM differs from the JSON"
python3 "$LIB/html_check.py" netlog "$T/report.netlog.json" || fail "the page made a request"
chrome "$T/profile-control" --log-net-log="$T/control.netlog.json" --dump-dom "file://$T/control.html" \
  > "$T/control.dom.html" || fail "chromium on the control page exited $?"
python3 "$LIB/html_check.py" netlog "$T/control.netlog.json" http://127.0.0.1:9/control.png \
  || fail "the net log does not show the control page's request"
# The DOM check must be able to fail: one guideline's verdict changed.
python3 - "$T/sample.json" "$T/altered.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["guidelines"][0]
g["status"] = "pass" if g["status"] != "pass" else "fail"
json.dump(r, open(sys.argv[2], "w"))
PY
if python3 "$LIB/html_check.py" dom "$T/report.dom.html" "$T/altered.json" >/dev/null; then
  fail "the DOM check accepted a changed verdict"
fi
chrome "$T/profile-shot" --window-size=1280,2000 --screenshot="$T/report.png" "file://$T/report.html" \
  >/dev/null || fail "chromium --screenshot exited $?"
if [ "$(head -c 8 "$T/report.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
  fail "no PNG screenshot at $T/report.png"
fi
rm -rf "$T"/profile-*

# ---- exit statuses ------------------------------------------------------
read -r failing passing < <(python3 - "$T/sample.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["guidelines"]
print(next((x["id"] for x in g if x["status"] == "fail"), "-"),
      next((x["id"] for x in g if x["status"] != "fail"), "-"))
PY
)
if [ "$failing" != - ]; then
  rc=0; "$IOTCOP_BIN" firmware --fail-on-guideline "$failing" -f sarif -o "$T/gate.sarif" "$SAMPLE" || rc=$?
  [ "$rc" -eq 1 ] || fail "--fail-on-guideline $failing (fails) exited $rc, not 1"
  python3 "$LIB/report_compare.py" sarif "$T/sample.json" "$T/gate.sarif" "$T/catalogue.json" 1 \
    || fail "SARIF of the gated run does not record exit status 1"
fi
if [ "$passing" != - ]; then
  rc=0; "$IOTCOP_BIN" firmware --fail-on-guideline "$passing" -o /dev/null "$SAMPLE" || rc=$?
  [ "$rc" -eq 0 ] || fail "--fail-on-guideline $passing (does not fail) exited $rc, not 0"
fi
rc=0; "$IOTCOP_BIN" firmware --fail-on-guideline CoP-14 -o /dev/null "$SAMPLE" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "--fail-on-guideline CoP-14 exited $rc, not 2"
rc=0; "$IOTCOP_BIN" firmware --format pdf -o /dev/null "$SAMPLE" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "--format pdf exited $rc, not 2"
rc=0; "$IOTCOP_BIN" firmware -f html "$SAMPLE" "$SAMPLE" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "two images as HTML without --output-dir exited $rc, not 2"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s); output in $T"
  exit 1
fi
echo "ok (screenshot: $T/report.png)"

#!/usr/bin/env bash
# The updates and evidence families on the bundled fixtures: the unsigned FIT
# (formats/image.fit) must give integrity.unsigned-image and fail 5.7-1; the
# signed one (formats/image-signed.fit) must give integrity.signed-image and
# leave 5.7-1 unverified; the sample (a legacy uImage) must show its update
# check in /etc/init.d/S90update without signature verification, the kernel
# build date, and only info findings from the evidence family; the clean
# fixture's signed FIT (clean/firmware.fit) must show its update script
# verifying the image with `openssl dgst -verify` against the public key in
# the image, no update finding above info, and integrity.signed-image.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] || exit 77
FIT="$IOTCOP_FIXTURES/formats/image.fit"
SFIT="$IOTCOP_FIXTURES/formats/image-signed.fit"
SAMPLE="$IOTCOP_FIXTURES/sample/firmware.uimage"
CLEAN="$IOTCOP_FIXTURES/clean/firmware.fit"
[ -f "$FIT" ] && [ -f "$SFIT" ] && [ -f "$SAMPLE" ] && [ -f "$CLEAN" ] || { echo "fixtures not built"; exit 77; }
T="${IOTCOP_TMP:-/tmp}/cli-updates.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
"$IOTCOP_BIN" firmware --format json -o "$T/fit.json" "$FIT" || fail "firmware image.fit exited $?"
"$IOTCOP_BIN" firmware --format json -o "$T/sfit.json" "$SFIT" || fail "firmware image-signed.fit exited $?"
"$IOTCOP_BIN" firmware --format json -o "$T/sample.json" "$SAMPLE" || fail "firmware sample exited $?"
"$IOTCOP_BIN" firmware --format json -o "$T/clean.json" "$CLEAN" || fail "firmware clean/firmware.fit exited $?"

python3 - "$T/fit.json" "$T/sfit.json" "$T/sample.json" "$T/clean.json" <<'PY' || fail "reports"
import json, sys
fit, sfit, sample, clean = (json.load(open(p)) for p in sys.argv[1:5])
errors = []
def find(r, rule, path=None, contains=None):
    return [f for f in r["findings"] if f["rule"] == rule
            and (path is None or f["location"].get("path") == path)
            and (contains is None or contains in f["evidence"])]
def prov(r, pid):
    return {p["id"]: p for p in r["provisions"]}[pid]["status"]
u = find(fit, "integrity.unsigned-image", contains="unsigned")
if len(u) != 1 or u[0]["guideline"] != "CoP-7" or u[0]["severity"] != "low":
    errors.append(f"image.fit integrity.unsigned-image: {u}")
if find(fit, "integrity.signed-image") or prov(fit, "5.7-1") != "fail":
    errors.append(f"image.fit 5.7-1 {prov(fit, '5.7-1')}")
s = find(sfit, "integrity.signed-image", contains="signed (configurations)")
if len(s) != 1 or s[0]["severity"] != "info":
    errors.append(f"image-signed.fit integrity.signed-image: {s}")
if find(sfit, "integrity.unsigned-image") or prov(sfit, "5.7-1") != "unverified":
    errors.append(f"image-signed.fit 5.7-1 {prov(sfit, '5.7-1')}")
m = find(sample, "update.mechanism", "/etc/init.d/S90update", "https://update.example.com/")
if len(m) != 1:
    errors.append(f"sample update.mechanism: {m}")
n = find(sample, "update.no-signature-check", "/etc/init.d/S90update")
if len(n) != 1 or n[0]["severity"] != "medium" or n[0]["provisions"] != ["5.3-9", "5.3-10"]:
    errors.append(f"sample update.no-signature-check: {n}")
if find(sample, "update.insecure-transport"):
    errors.append("sample: insecure transport reported for an https URL")
if len(find(sample, "integrity.unsigned-image", contains="legacy U-Boot image")) != 1:
    errors.append("sample: legacy uImage not reported as unsigned")
b = find(sample, "build.age", contains="Linux version")
if len(b) != 1 or "kernel built 20" not in b[0]["evidence"] or "newest file time stamp 20" not in b[0]["evidence"]:
    errors.append(f"sample build.age: {b}")
if prov(sample, "5.3-2") != "unverified" or prov(sample, "5.11-1") != "unverified":
    errors.append("sample 5.3-2/5.11-1 not unverified")
ev = [f for f in sample["findings"] if f["rule"].split(".")[0] in
      ("data", "resilience", "telemetry", "deletion")]
if any(f["severity"] != "info" for f in ev):
    errors.append("evidence family gave a finding above info")
if not find(sample, "telemetry.logging", "/etc/inittab", "syslogd"):
    errors.append("sample: syslogd not listed as logging")
if not find(sample, "data.endpoint", "/etc/init.d/S90update", "update.example.com"):
    errors.append("sample: update endpoint not listed")
m = find(clean, "update.mechanism", "/etc/init.d/S90update",
         "signature check: 'openssl dgst -sha256 -verify /etc/update/firmware-signing.pub")
if len(m) != 1 or "flashes with 'dd if=/tmp/fw.bin of=/dev/mtdblock1" not in m[0]["evidence"]:
    errors.append(f"clean update.mechanism: {m}")
up = [f for f in clean["findings"] if f["rule"].startswith(("update.", "integrity.", "build."))
      and f["severity"] != "info"]
if up:
    errors.append(f"clean: {[(f['rule'], f['severity']) for f in up]}")
if len(find(clean, "integrity.signed-image", contains="signed (configurations)")) != 1:
    errors.append("clean: the signed FIT is not reported as signed")
for pid in ("5.3-9", "5.3-10", "5.7-1"):
    if prov(clean, pid) == "fail":
        errors.append(f"clean: {pid} fails")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "updates: all checks passed"

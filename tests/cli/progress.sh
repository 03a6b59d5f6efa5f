#!/usr/bin/env bash
# The progress line of `iotcop firmware`: with --progress, stderr shows the
# unpacking and then a bar that ends at N/N check families, drawn in place
# (carriage returns) and cleared at the end, while stdout keeps the report
# alone; with --no-progress, and by default when stderr is not a terminal,
# stderr has none of it.
set -euo pipefail
: "${IOTCOP_BIN:?}"
[ -f "${IOTCOP_FIXTURES:-}/sample/firmware.uimage" ] || { echo "no fixtures: skipping"; exit 77; }
T=$(mktemp -d "${IOTCOP_TMP:-/tmp}/progress.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
img="$IOTCOP_FIXTURES/sample/firmware.uimage"
fail=0
"$IOTCOP_BIN" firmware --progress --format json "$img" >"$T/out.json" 2>"$T/err" || true
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out.json" ||
  { echo "FAIL: stdout is not the JSON report alone"; fail=1; }
tr '\r' '\n' <"$T/err" >"$T/lines"
grep -q 'firmware.uimage: unpacking, [0-9]* layers\? (' "$T/lines" || { echo "FAIL: no unpacking line"; fail=1; }
last=$(grep -o 'checks \[#*-*\] [0-9]*/[0-9]*' "$T/lines" | tail -1)
[[ $last =~ \[(#+)\]\ ([0-9]+)/([0-9]+)$ ]] && [ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[3]}" ] ||
  { echo "FAIL: the bar does not end full: '$last'"; fail=1; }
[ "$(tail -c 4 "$T/err" | od -An -c | tr -d ' ')" = '\r033[K' ] ||
  { echo "FAIL: the line is not cleared at the end"; fail=1; }
for opt in --no-progress ""; do
  "$IOTCOP_BIN" firmware $opt --format json "$img" >/dev/null 2>"$T/err2" || true
  if grep -q 'checks \[' "$T/err2"; then echo "FAIL: progress with '${opt:-no option}' and stderr a file"; fail=1; fi
done
[ "$fail" = 0 ] && echo "ok: progress line"
exit "$fail"

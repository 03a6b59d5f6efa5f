#!/usr/bin/env bash
# `iotcop device` targets: usage errors (bad ranges, ranges over /16 without
# --allow-large, bad ports, everything excluded); a CIDR range with one host
# excluded plus an IPv6-only host, audited in one run: one report per host
# that answered, and a packet capture on the lab's bridge shows not one
# packet to the excluded host; Ctrl-C ends the run with status 130 and a
# report of what was done.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] ||
  { echo "SKIP: mosquitto is not installed (scripts/install-deps.sh)"; exit 77; }
command -v tcpdump >/dev/null || [ -x /usr/bin/tcpdump ] ||
  { echo "SKIP: tcpdump is not installed (scripts/install-deps.sh)"; exit 77; }
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
ADV="$IOTCOP_SOURCE/tests/live/adversary.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- usage errors (nothing is sent: the client namespace has no route out) ----
usage() { # EXPECTED-MESSAGE ARGS...
  local want="$1" rc
  shift
  set +e
  lab_iotcop device "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "device $*: exit $rc, expected 2"
  grep -q -- "$want" "$LAB_DIR/err" || fail "device $*: no '$want' in: $(cat "$LAB_DIR/err")"
  [ ! -s "$LAB_DIR/out" ] || fail "device $*: wrote a report"
}
usage "at least one TARGET"
usage "not a valid address" 10.0.0.0/33
usage "not a valid address" 10.0.0.300
usage "allow-large" 10.0.0.0/15
usage "allow-large" fd00::/100
usage "--ports" --ports 0 10.213.0.9
usage "--ports" --ports 80-70 10.213.0.9
usage "every target is excluded" --exclude 10.213.0.0/24 10.213.0.9
usage "several hosts need" 10.213.0.9 10.213.0.10
usage "cannot resolve" no-such-host.invalid
"$IOTCOP_BIN" device --help | grep -q -- "--exclude" || fail "--help does not describe --exclude"

# ---- a range with one host excluded, and an IPv6-only host --------------------
H9=$(lab_host 9); H10=$(lab_host 10); H12=$(lab_host 12 v6only)
lab_run "$H9" python3 "$ADV" http-200 10.213.0.9 80
lab_run "$H10" python3 "$ADV" http-200 10.213.0.10 80
printf 'user root\nlistener 1883 fd00:213::12\nallow_anonymous true\npersistence false\n' >"$LAB_DIR/m.conf"
lab_run "$H12" mosquitto -c "$LAB_DIR/m.conf"
lab_wait_port "$H9" 10.213.0.9 80
lab_wait_port "$H10" 10.213.0.10 80
lab_wait_port "$H12" fd00:213::12 1883

ip netns exec "$LAB_CLIENT" tcpdump -i br0 -n -U -w "$LAB_DIR/capture.pcap" >/dev/null 2>&1 &
LAB_PIDS+=("$!")
TCPDUMP=$!
sleep 1
lab_iotcop device -f json --ports 80,1883,23 --connect-timeout 700 --retries 0 \
  --exclude 10.213.0.10 10.213.0.8/29 fd00:213::12 >"$LAB_DIR/range.jsonl" || fail "range: exit $?"
sleep 1
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true
python3 - "$LAB_DIR/range.jsonl" <<'PY' || fail "range: wrong reports"
import json, sys
reports = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [r["target"]["address"] for r in reports]
if got != ["10.213.0.9", "fd00:213::12"]:
    sys.exit(f"reports for {got}, expected 10.213.0.9 and fd00:213::12 in that order")
rules = {r["target"]["address"]: sorted(f["rule"] for f in r["findings"] if f["severity"] != "info")
         for r in reports}
if rules["fd00:213::12"] != ["device.mqtt-anonymous"]:
    sys.exit(f"IPv6 host findings {rules['fd00:213::12']}")
if rules["10.213.0.9"] != ["device.security-txt-missing"]:
    sys.exit(f"10.213.0.9 findings {rules['10.213.0.9']}")
PY
to_excluded=$(tcpdump -n -r "$LAB_DIR/capture.pcap" host 10.213.0.10 2>/dev/null | wc -l)
to_included=$(tcpdump -n -r "$LAB_DIR/capture.pcap" dst host 10.213.0.9 2>/dev/null | wc -l)
[ "$to_excluded" = 0 ] || fail "$to_excluded packets to or from the excluded host 10.213.0.10"
[ "$to_included" -gt 0 ] || fail "the capture saw nothing sent to 10.213.0.9 (capture broken?)"

# --output-dir: one file per host that answered, named after its address.
lab_iotcop device --output-dir "$LAB_DIR/reports" --ports 80,1883 --connect-timeout 700 \
  --retries 0 --exclude 10.213.0.10 10.213.0.8/29 fd00:213::12 >"$LAB_DIR/dir.out" ||
  fail "output-dir: exit $?"
[ "$(cd "$LAB_DIR/reports" && ls | tr '\n' ' ')" = "10.213.0.9.txt fd00_213__12.txt " ] ||
  fail "output-dir: files $(ls "$LAB_DIR/reports" | tr '\n' ' ')"
grep -q "device.mqtt-anonymous" "$LAB_DIR/reports/fd00_213__12.txt" ||
  fail "output-dir: the IPv6 host's report lacks its finding"
[ ! -s "$LAB_DIR/dir.out" ] || fail "output-dir: something written to standard output"

# A named host that answers on no port: a report with the diagnostic, status 3.
# (Text: the JSON writer does not carry a device report's diagnostics yet.)
set +e
lab_iotcop device --ports 81 --connect-timeout 300 --retries 0 10.213.0.13 >"$LAB_DIR/silent.txt"
rc=$?
set -e
[ "$rc" = 3 ] || fail "silent host: exit $rc, expected 3"
grep -q 'answered on none of the ports scanned \[E_NOT_FOUND\]' "$LAB_DIR/silent.txt" ||
  fail "silent host: no E_NOT_FOUND diagnostic in: $(cat "$LAB_DIR/silent.txt")"

# ---- Ctrl-C: status 130 and the report of what was done ------------------------
lab_run "$H9" python3 "$ADV" tarpit 10.213.0.9 23
lab_wait_port "$H9" 10.213.0.9 23
ip netns exec "$LAB_CLIENT" "$IOTCOP_BIN" device --ports 23,80 --timeout 20000 \
  10.213.0.9 >"$LAB_DIR/int.txt" &
pid=$!
sleep 3
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" = 130 ] || fail "interrupted run: exit $rc, expected 130"
grep -q '^error: interrupted.*\[E_INTERRUPTED\]' "$LAB_DIR/int.txt" ||
  fail "interrupted run: no E_INTERRUPTED diagnostic in: $(cat "$LAB_DIR/int.txt")"
grep -q 'tcp/23 open (telnet)' "$LAB_DIR/int.txt" && grep -q 'tcp/80 open (http)' "$LAB_DIR/int.txt" ||
  fail "interrupted run: the open ports found before the interrupt are not reported"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_targets: all cases pass"

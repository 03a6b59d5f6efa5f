#!/usr/bin/env bash
# `iotcop device` against servers built to mislead (tests/live/adversary.py),
# each in its own namespace of the lab: none may produce a false finding,
# and every run must end (a generous bound against hangs, not a speed test).
#   hash-banner   telnet-like, '#' and '$' everywhere, echoes input: no
#                 shell, no login found;
#   http-200      200 to everything: no login tested, security.txt missing
#                 (an HTML page is not a security.txt);
#   http-401-any  asks for basic auth, then accepts any pair: the random
#                 control pair is accepted, so no default credentials;
#   tarpit        accepts and never answers, on every port: nothing;
#   reset         resets every connection: nothing;
#   garbage       random bytes on every port: nothing.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
ADV="$IOTCOP_SOURCE/tests/live/adversary.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

serve() { # N MODE PORT...
  local n="$1" mode="$2" ns="${LAB_ID}h$1" port
  shift 2
  ip netns list | grep -q "^$ns\b" || lab_host "$n" >/dev/null
  for port in "$@"; do lab_run "$ns" python3 "$ADV" "$mode" "10.213.0.$n" "$port"; done
  for port in "$@"; do lab_wait_port "$ns" "10.213.0.$n" "$port"; done
}
serve 2 hash-banner 23
serve 3 http-200 80
serve 4 http-401-any 80
serve 5 tarpit 21 23 80 1883
serve 6 reset 21 23 80 1883
serve 8 garbage 21 23 80 1883

case_run() { # NAME ADDRESS MAX-SECONDS ARGS-FOR-EXPECT...
  local name="$1" addr="$2" budget="$3" start end
  shift 3
  start=$(date +%s)
  lab_iotcop device -f json --ports 21,23,80,1883 --timeout 1000 --connect-timeout 500 "$addr" \
    >"$LAB_DIR/$name.json" || fail "$name: exit $?"
  end=$(date +%s)
  [ $((end - start)) -le "$budget" ] || fail "$name: took $((end - start)) s (budget $budget s)"
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}
case_run hash-banner 10.213.0.2 120 --findings "" --service 23=telnet --guideline CoP-1=unverified
case_run http-200 10.213.0.3 120 --findings device.security-txt-missing@80 \
  --evidence "not a security.txt"
case_run http-401-any 10.213.0.4 120 --findings device.security-txt-missing@80 \
  --evidence "answered 401"
case_run tarpit 10.213.0.5 180 --findings ""
case_run reset 10.213.0.6 120 --findings ""
case_run garbage 10.213.0.8 120 --findings ""

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_adversarial: all cases pass"

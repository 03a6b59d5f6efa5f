#!/usr/bin/env bash
# The diagnostics of `iotcop device` runs land in the JSON report
# (run.diagnostics, DIAG objects as for firmware), each case in its own
# namespace of the lab:
#   tarpit       accepts on 23 and 80 and never answers: an E_LIMIT_TIME
#                warning per port, "never answered";
#   reset        resets every connection on 21 and 80 (300 ms after accepting
#                it, or at the client's first bytes): an E_IO warning per
#                port, "reset";
#   sound        Python's http.server: no diagnostic at all;
#   unreachable  an address with no route from the client: E_NOT_FOUND,
#                "no route to it", exit 3;
#   interrupted  SIGINT while the HTTP probe waits on the tarpit: exit 130,
#                and the report written says E_INTERRUPTED.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
ADV="$IOTCOP_SOURCE/tests/live/adversary.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

serve() { # N MODE PORT...
  local n="$1" mode="$2" ns port
  shift 2
  ns=$(lab_host "$n")
  for port in "$@"; do lab_run "$ns" python3 "$ADV" "$mode" "10.213.0.$n" "$port"; done
  for port in "$@"; do lab_wait_port "$ns" "10.213.0.$n" "$port"; done
}
serve 2 tarpit 23 80
# adversary.py's reset mode resets at once, which can beat the scan's connect
# (the port then looks closed); this one resets 300 ms after accepting, or
# at the client's first bytes, so the port is open and every probe is cut.
cat >"$LAB_DIR/late_reset.py" <<'PY'
import select, socket, struct, sys, threading
def serve(conn):
    select.select([conn], [], [], 0.3)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PY
H3=$(lab_host 3)
for port in 21 80; do lab_run "$H3" python3 "$LAB_DIR/late_reset.py" 10.213.0.3 "$port"; done
for port in 21 80; do lab_wait_port "$H3" 10.213.0.3 "$port"; done
H4=$(lab_host 4)
mkdir -p "$LAB_DIR/www"
echo "lab" >"$LAB_DIR/www/index.html"
lab_run "$H4" python3 -m http.server 80 --bind 10.213.0.4 --directory "$LAB_DIR/www"
lab_wait_port "$H4" 10.213.0.4 80

# diags NAME EXPECTED-STATUS [CODE:PORT:TEXT ...]: the report's diagnostics are
# exactly one per CODE:PORT:TEXT ("tcp/PORT" and TEXT in the message; PORT may be
# empty), nothing else.
diags() {
  python3 - "$LAB_DIR/$1.json" "${@:2}" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
got = r["run"].get("diagnostics", [])
want = [w.split(":", 2) for w in sys.argv[2:]]
errors = []
for d in got:
    if set(d) != {"level", "code", "layer", "message"} or d["level"] not in ("error", "warning"):
        errors.append(f"bad DIAG {d}")
for code, port, text in want:
    hits = [d for d in got if d["code"] == code and text in d["message"]
            and (not port or d["message"].startswith(f"tcp/{port} "))]
    if len(hits) != 1:
        errors.append(f"{len(hits)} diagnostics {code} tcp/{port} '{text}'")
if len(got) != len(want):
    errors.append(f"{len(got)} diagnostics, expected {len(want)}: {[d['message'] for d in got]}")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
}
audit() { # NAME EXPECTED-STATUS ARGS...
  local name="$1" want="$2" status=0
  shift 2
  lab_iotcop device -f json --no-udp --connect-timeout 500 --timeout 1000 "$@" \
    >"$LAB_DIR/$name.json" 2>"$LAB_DIR/$name.err" || status=$?
  [ "$status" = "$want" ] || fail "$name: exit $status, expected $want"
}

audit tarpit 0 --ports 23,80 10.213.0.2
diags tarpit E_LIMIT_TIME:23:"never answered" E_LIMIT_TIME:80:"never answered" ||
  fail "tarpit: diagnostics differ"

audit reset 0 --ports 21,80 10.213.0.3
diags reset E_IO:21:"reset" E_IO:80:"reset" || fail "reset: diagnostics differ"

audit sound 0 --ports 80 --timeout 5000 10.213.0.4 # a loaded machine is no tarpit
diags sound || fail "sound: diagnostics on a sound server"

audit unreachable 3 --ports 80 10.213.9.9
diags unreachable E_NOT_FOUND::"no route to it" || fail "unreachable: diagnostics differ"

# interrupted: SIGINT while the probes (telnet's prompt wait and HTTP) wait
# on the tarpit: the run stops at once rather than at the 20 s timeouts.
ip netns exec "$LAB_CLIENT" "$IOTCOP_BIN" device -f json --no-udp --timeout 20000 \
  --ports 23,80 10.213.0.2 >"$LAB_DIR/interrupted.json" 2>/dev/null &
pid=$!
sleep 3
kill -INT "$pid"
signalled=$(date +%s)
status=0
wait "$pid" || status=$?
[ "$status" = 130 ] || fail "interrupted: exit $status, expected 130"
[ $(($(date +%s) - signalled)) -lt 10 ] || fail "interrupted: still running 10 s after SIGINT"
python3 - "$LAB_DIR/interrupted.json" <<'PY' || fail "interrupted: no E_INTERRUPTED in the report"
import json, sys
r = json.loads(open(sys.argv[1]).read())
sys.exit(0 if any(d["code"] == "E_INTERRUPTED" and d["level"] == "error"
                  for d in r["run"].get("diagnostics", [])) else 1)
PY

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_diagnostics: all cases pass"

#!/usr/bin/env bash
# `iotcop device` against RTSP servers (tests/live/rtsp_server.py: Debian
# packages no standalone RTSP server with authentication), each in its own
# network namespace of the lab, with the findings each must give (and no
# other above "info"):
#   digest   digest auth with the dictionary's best-known http pair, :554:
#            default credentials (digest);
#   basic    basic auth with the same pair, :8554: default credentials (basic);
#   open     no auth at all: the stream is readable without credentials;
#   strong   digest auth with a random password: nothing;
#   any      asks for digest, then lets any pair in: nothing (proves nothing).
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
TSV="$IOTCOP_SOURCE/data/default-credentials.tsv"
SERVER="$IOTCOP_SOURCE/tests/live/rtsp_server.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # NAME ARGS-FOR-EXPECT...
  local name="$1"; shift
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}
# The best-known http-basic pair with a user and a password (tried first on RTSP).
PAIR=$(python3 - "$TSV" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r for r in rows if r[0] == "http-basic" and r[1] and r[2] and ":" not in r[1]]
rows.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(rows[0][1] + ":" + rows[0][2])
PY
)
U="${PAIR%%:*}" P="${PAIR#*:}"
rtsp() { # N MODE PORT [USER PASSWORD]
  local ns n="$1" mode="$2" port="$3"; shift 3
  ns=$(lab_host "$n")
  ip netns exec "$ns" python3 "$SERVER" "$mode" "10.213.0.$n" "$port" "$@" >"$LAB_DIR/rtsp$n.log" 2>&1 &
  LAB_PIDS+=("$!")
  lab_wait_port "$ns" "10.213.0.$n" "$port"
}
rtsp 2 digest 554 "$U" "$P"
rtsp 3 basic 8554 "$U" "$P"
rtsp 4 open 554
rtsp 5 digest 554 "$U" "Zq$(openssl rand -hex 8)"
rtsp 6 any 554

audit() { # NAME ADDRESS PORTS
  lab_iotcop device -f json --no-udp --ports "$3" "$2" >"$LAB_DIR/$1.json" || fail "$1: exit $?"
}
audit digest 10.213.0.2 554
check digest --service 554=rtsp --findings device.default-credentials@554 \
  --evidence "rtsp (digest) login accepted: user '$U', password '$P'" --evidence "LabRTSP/1.0" \
  --guideline CoP-1=fail
audit basic 10.213.0.3 8554
check basic --service 8554=rtsp --findings device.default-credentials@8554 \
  --evidence "rtsp (basic) login accepted: user '$U', password '$P'"
audit open 10.213.0.4 554
check open --service 554=rtsp --findings device.rtsp-unauthenticated@554 \
  --evidence "m=video 0 RTP/AVP 96" --guideline CoP-6=fail
audit strong 10.213.0.5 554
check strong --service 554=rtsp --findings ""
grep -q "DESCRIBE" "$LAB_DIR/rtsp5.log" || fail "strong: no DESCRIBE reached the server"
audit any 10.213.0.6 554
check any --service 554=rtsp --findings ""

[ -z "${IOTCOP_KEEP_REPORTS:-}" ] || cp "$LAB_DIR"/*.json "$IOTCOP_KEEP_REPORTS"/
[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_rtsp: all cases pass"

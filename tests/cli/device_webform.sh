#!/usr/bin/env bash
# `iotcop device` against web UIs with a login form (tests/live/web_login.py:
# a form with a CSRF token and a session cookie), each in its own network
# namespace of the lab, with the findings each must give (and no other above
# "info"); security.txt findings are left out (device_services.sh has them):
#   vendor   titled "Hikvision", the vendor's default pair: found through
#            the fingerprint (the pair is not in the short general list);
#   generic  an unknown UI with the dictionary's best-known http-form pair;
#   strong   a random password: nothing;
#   any      every login answered 200 with a welcome page: nothing;
#   http-200 tests/live/adversary.py answering 200 to everything: nothing.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
TSV="$IOTCOP_SOURCE/data/default-credentials.tsv"
APP="$IOTCOP_SOURCE/tests/live/web_login.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # NAME ARGS-FOR-EXPECT...
  local name="$1"; shift
  python3 - "$LAB_DIR/$name.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
r["findings"] = [f for f in r["findings"] if not f["rule"].startswith("device.security-txt")]
open(sys.argv[1], "w").write(json.dumps(r) + "\n")
PY
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}
PAIR=$(python3 - "$TSV" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r for r in rows if r[0] == "http-form" and r[1] and r[2] and ":" not in r[1]]
rows.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(rows[0][1] + ":" + rows[0][2])
PY
)
VENDOR_PAIR=$(awk -F'\t' '$1 == "Hikvision" && $2 == "title" { print $4; exit }' \
  "$IOTCOP_SOURCE/data/web-fingerprints.tsv")
app() { # N MODE TITLE [USER PASSWORD]
  local ns n="$1"; shift
  ns=$(lab_host "$n")
  ip netns exec "$ns" python3 "$APP" "$1" "10.213.0.$n" 80 "${@:2}" >"$LAB_DIR/web$n.log" 2>&1 &
  LAB_PIDS+=("$!")
  lab_wait_port "$ns" "10.213.0.$n" 80
}
app 2 form "Hikvision IP Camera" "${VENDOR_PAIR%%:*}" "${VENDOR_PAIR#*:}"
app 3 form "Lab Router" "${PAIR%%:*}" "${PAIR#*:}"
app 4 form "Lab Router" "${PAIR%%:*}" "Zq$(openssl rand -hex 8)"
app 5 any "Lab Router"
H6=$(lab_host 6)
ip netns exec "$H6" python3 "$IOTCOP_SOURCE/tests/live/adversary.py" http-200 10.213.0.6 80 \
  >"$LAB_DIR/web6.log" 2>&1 &
LAB_PIDS+=("$!")
lab_wait_port "$H6" 10.213.0.6 80

audit() { # NAME ADDRESS
  lab_iotcop device -f json --no-udp --ports 80 "$2" >"$LAB_DIR/$1.json" || fail "$1: exit $?"
}
audit vendor 10.213.0.2
check vendor --service 80=http --findings device.default-credentials@80 \
  --evidence "user '${VENDOR_PAIR%%:*}', password '${VENDOR_PAIR#*:}' (Hikvision default)" \
  --evidence "and set a cookie" --guideline CoP-1=fail
audit generic 10.213.0.3
check generic --findings device.default-credentials@80 \
  --evidence "http (form at /login.html) login accepted: user '${PAIR%%:*}', password '${PAIR#*:}'"
audit strong 10.213.0.4
check strong --findings ""
grep -q "POST /cgi-bin/login.cgi" "$LAB_DIR/web4.log" || fail "strong: no login reached the form"
audit any 10.213.0.5
check any --findings ""
audit http-200 10.213.0.6
check http-200 --findings ""

[ -z "${IOTCOP_KEEP_REPORTS:-}" ] || cp "$LAB_DIR"/*.json "$IOTCOP_KEEP_REPORTS"/
[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_webform: all cases pass"

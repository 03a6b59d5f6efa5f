#!/usr/bin/env bash
# `iotcop device` against busybox telnetd (Debian's busybox-static) in the
# lab's network namespaces, each with its own passwd/shadow:
#   weak     root's password is the dictionary's first telnet pair for root:
#            default credentials found, and telnet reported as plaintext;
#   strong   a random password: plaintext login only, no default credentials;
#   user     the same server with the right pair in --credentials: found,
#            and the password masked in the evidence;
#   shell    telnetd -l /bin/sh (no login at all): an open shell.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx telnetd ||
  { echo "SKIP: busybox-static (with telnetd) is not installed"; exit 77; }
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The first pair for root the audit will try on telnet: most-named first,
# file order on ties (how tools/gen_credentials.py orders the dictionary).
WEAK=$(python3 - "$IOTCOP_SOURCE/data/default-credentials.tsv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
telnet = [r for r in rows if r[0] == "telnet"]
telnet.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(next(r[2] for r in telnet if r[1] == "root" and r[2]))
PY
)
STRONG="Zq$(openssl rand -hex 12)"
mkdir -p "$LAB_DIR/bin"; ln -s /bin/busybox "$LAB_DIR/bin/login"
lab_passwd "$LAB_DIR/weak" "$WEAK"
lab_passwd "$LAB_DIR/strong" "$STRONG"
H2=$(lab_host 2); H3=$(lab_host 3); H4=$(lab_host 4)
lab_jail "$H2" "$LAB_DIR/weak" /bin/busybox telnetd -F -p 23 -l "$LAB_DIR/bin/login"
lab_jail "$H3" "$LAB_DIR/strong" /bin/busybox telnetd -F -p 23 -l "$LAB_DIR/bin/login"
lab_jail "$H4" "$LAB_DIR/strong" /bin/busybox telnetd -F -p 2323 -l /bin/sh
lab_wait_port "$H2" 10.213.0.2 23
lab_wait_port "$H3" 10.213.0.3 23
lab_wait_port "$H4" 10.213.0.4 2323

check() { # NAME ARGS-FOR-EXPECT... (report in $LAB_DIR/NAME.json)
  local name="$1"; shift
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}

lab_iotcop device -f json 10.213.0.2 >"$LAB_DIR/weak.json" || fail "weak: exit $?"
check weak --address 10.213.0.2 --service 23=telnet \
  --findings device.default-credentials@23,device.plaintext-login@23 \
  --evidence "user 'root', password '$WEAK'" --guideline CoP-1=fail --guideline CoP-5=fail \
  --provision 5.1-1=fail

lab_iotcop device -f json --ports 23 10.213.0.3 >"$LAB_DIR/strong.json" || fail "strong: exit $?"
check strong --findings device.plaintext-login@23 --provision 5.1-1=unverified

printf '# mine\nadmin:admin\nroot:%s\n' "$STRONG" >"$LAB_DIR/mine.txt"
lab_iotcop device -f json --ports 23 --credentials "$LAB_DIR/mine.txt" 10.213.0.3 \
  >"$LAB_DIR/user.json" || fail "user: exit $?"
check user --findings device.default-credentials@23,device.plaintext-login@23 \
  --evidence "from --credentials"
grep -q "$STRONG" "$LAB_DIR/user.json" && fail "user: the password from --credentials is in the report"

lab_iotcop device -f json --ports 2323 10.213.0.4 >"$LAB_DIR/shell.json" || fail "shell: exit $?"
check shell --service 2323=telnet --findings device.unauthenticated-shell@2323 --guideline CoP-1=fail

# --fail-on: the weak host's critical finding makes the status 1.
set +e
lab_iotcop device --ports 23 --fail-on critical -q 10.213.0.2 >"$LAB_DIR/q.txt"
rc=$?
set -e
[ "$rc" = 1 ] || fail "--fail-on critical exited $rc, expected 1"
grep -q "^10.213.0.2: 3 findings; guidelines: 2 fail" "$LAB_DIR/q.txt" || fail "quiet line: $(cat "$LAB_DIR/q.txt")"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_telnet: all cases pass"

#!/usr/bin/env bash
# `iotcop device --lockout` brute-force protection (5.1-5) against real
# servers from Debian, each in its own network namespace of the lab with its
# own passwd/shadow (random passwords: no login ever succeeds):
#   ftp-slow   vsftpd with delay_failed_login=1, max_login_fails=2 (and PAM's
#              own delay): the dictionary's failures were all delayed, so
#              5.1-5 passes with their timings and no series is sent;
#   ftp-fast   vsftpd with delay_failed_login=0 and pam_unix "nodelay" (a PAM
#              file of the test bound over /etc/pam.d/vsftpd in its mount
#              namespace): all 10 tries, device.no-login-throttling;
#   ftp-ends   the same with max_login_fails=3: the server ends the session
#              after 3 fast failures; fast answers still get all 10 tries
#              (the series goes on after each reconnect), a finding;
#   http       lighttpd basic auth (lighttpd delays failed logins by ~1 s; its
#              dictionary attempts are not timed): the series ends after 3
#              clearly delayed refusals, 5.1-5 passes with those 3 timings;
#   telnet     busybox telnetd + login (login waits after every failure):
#              5.1-5 passes on the dictionary's timings;
#   no-lockout ftp-fast without --lockout: no measurement at all.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
for tool in vsftpd lighttpd; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx telnetd ||
  { echo "SKIP: busybox-static (with telnetd) is not installed"; exit 77; }
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # NAME ARGS-FOR-EXPECT...
  local name="$1"; shift
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}
# The verdict of 5.1-5 must be STATUS and its reason contain TEXT.
provision() { # NAME STATUS TEXT
  python3 - "$LAB_DIR/$1.json" "$2" "$3" <<'PY' || fail "$1: 5.1-5 is not $2 with '$3'"
import json, sys
r = json.loads(open(sys.argv[1]).read())
p = {p["id"]: p for p in r["provisions"]}["5.1-5"]
print("  5.1-5:", p["status"], p.get("reason") or "")
sys.exit(0 if p["status"] == sys.argv[2] and sys.argv[3] in (p.get("reason") or "") else 1)
PY
}
# The 5.1-5 reason (or the finding) lists exactly COUNT refusal times.
timings() { # NAME COUNT
  python3 - "$LAB_DIR/$1.json" "$2" <<'PY' || fail "$1: not $2 refusal times in the 5.1-5 reason"
import json, re, sys
r = json.loads(open(sys.argv[1]).read())
reason = {p["id"]: p for p in r["provisions"]}["5.1-5"].get("reason") or ""
f = [x["evidence"] for x in r["findings"] if x["rule"] == "device.no-login-throttling"]
m = re.search(r"\(refusal times in ms: ([0-9,]+)[;)]|\(([0-9,]+)\); no delay", reason + " ".join(f))
n = len((m.group(1) or m.group(2)).split(",")) if m else 0
print("  refusal times:", n)
sys.exit(0 if n == int(sys.argv[2]) else 1)
PY
}
lab_passwd "$LAB_DIR/etc" "Zq$(openssl rand -hex 8)"
mkdir -p "$LAB_DIR/empty"

vsftpd_host() { # N DELAY MAX_FAILS [PAM-FILE]
  local ns conf="$LAB_DIR/vsftpd$1.conf"
  ns=$(lab_host "$1")
  cat >"$conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=10.213.0.$1
anonymous_enable=NO
local_enable=YES
write_enable=NO
delay_failed_login=$2
max_login_fails=$3
secure_chroot_dir=$LAB_DIR/empty
nopriv_user=nobody
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
background=NO
xferlog_enable=NO
CONF
  if [ -z "${4:-}" ]; then
    lab_jail "$ns" "$LAB_DIR/etc" /usr/sbin/vsftpd "$conf"
    return
  fi
  # As lab_jail, with one more bind: the PAM file.
  ip netns exec "$ns" unshare -m --propagation private sh -c '
    mount --bind "$0/passwd" /etc/passwd && mount --bind "$0/shadow" /etc/shadow &&
    mount --bind "$0/group" /etc/group && mount --bind "$1" /etc/pam.d/vsftpd &&
    exec /usr/sbin/vsftpd "$2"' "$LAB_DIR/etc" "$4" "$conf" >"$LAB_DIR/vsftpd$1.log" 2>&1 &
  LAB_PIDS+=("$!")
}
printf 'auth required pam_unix.so nodelay\naccount required pam_unix.so\nsession required pam_unix.so\n' \
  >"$LAB_DIR/pam-vsftpd"
vsftpd_host 2 1 2
vsftpd_host 3 0 100 "$LAB_DIR/pam-vsftpd"
vsftpd_host 6 0 3 "$LAB_DIR/pam-vsftpd"

H4=$(lab_host 4)
printf 'admin:%s\n' "Zq$(openssl rand -hex 8)" >"$LAB_DIR/users"
mkdir -p "$LAB_DIR/www"; echo "<html>camera</html>" >"$LAB_DIR/www/index.html"
cat >"$LAB_DIR/lighttpd.conf" <<CONF
server.modules = ("mod_auth", "mod_authn_file")
server.document-root = "$LAB_DIR/www"
server.bind = "10.213.0.4"
server.port = 80
server.errorlog = "$LAB_DIR/lighttpd.err"
auth.backend = "plain"
auth.backend.plain.userfile = "$LAB_DIR/users"
auth.require = ("/" => ("method" => "basic", "realm" => "camera", "require" => "valid-user"))
CONF
lab_run "$H4" /usr/sbin/lighttpd -D -f "$LAB_DIR/lighttpd.conf"

H5=$(lab_host 5)
mkdir -p "$LAB_DIR/bin"; ln -s /bin/busybox "$LAB_DIR/bin/login"
lab_jail "$H5" "$LAB_DIR/etc" /bin/busybox telnetd -F -p 23 -l "$LAB_DIR/bin/login"

lab_wait_port "${LAB_ID}h2" 10.213.0.2 21
lab_wait_port "${LAB_ID}h3" 10.213.0.3 21
lab_wait_port "${LAB_ID}h6" 10.213.0.6 21
lab_wait_port "$H4" 10.213.0.4 80
lab_wait_port "$H5" 10.213.0.5 23

audit() { # NAME ADDRESS PORTS [OPTIONS...]
  local name="$1" address="$2" ports="$3"; shift 3
  lab_iotcop device -f json --no-udp --ports "$ports" "$@" "$address" >"$LAB_DIR/$name.json" ||
    fail "$name: exit $?"
}
audit ftp-slow 10.213.0.2 21 --lockout
check ftp-slow --findings device.plaintext-login@21
# (on the dictionary's timings, or on a short series when a loaded machine
# made one of them look less than clearly delayed)
provision ftp-slow pass "ftp: wrong passwords"
provision ftp-slow pass "were answered only after a delay"

audit ftp-fast 10.213.0.3 21 --lockout
check ftp-fast --findings device.plaintext-login@21,device.no-login-throttling@21 \
  --evidence "ftp: 10 wrong passwords for 'admin' refused" --guideline CoP-1=fail
provision ftp-fast fail ""
timings ftp-fast 10

audit ftp-ends 10.213.0.6 21 --lockout
check ftp-ends --findings device.plaintext-login@21,device.no-login-throttling@21 \
  --evidence "only the session was ended now and then" --guideline CoP-1=fail
timings ftp-ends 10

audit http 10.213.0.4 80 --lockout
provision http pass "http: wrong passwords for 'admin' were answered only after a delay"
provision http pass "stopped after 3 clearly delayed refusals in a row"
timings http 3

audit telnet 10.213.0.5 23 --lockout
check telnet --findings device.plaintext-login@23
provision telnet pass "telnet: wrong passwords were answered only after a delay"
provision telnet pass "failed logins while the dictionary was tried"

audit no-lockout 10.213.0.3 21
check no-lockout --findings device.plaintext-login@21

[ -z "${IOTCOP_KEEP_REPORTS:-}" ] || cp "$LAB_DIR"/*.json "$IOTCOP_KEEP_REPORTS"/
[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_lockout: all cases pass"

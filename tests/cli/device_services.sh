#!/usr/bin/env bash
# `iotcop device` against real FTP, HTTP and MQTT servers from Debian, each
# in its own network namespace of the lab, with the findings each must give
# (and no other above "info"):
#   ftp        vsftpd, anonymous only: anonymous access, plaintext login;
#   web-auth   lighttpd, basic auth on :80 and digest on :8080 with the
#              dictionary's best-known http-basic pair, a valid security.txt:
#              default credentials on both ports, 5.2-1 passes;
#   web-expired / web-missing / web-invalid   lighttpd without auth whose
#              security.txt has expired / is absent / has no Contact;
#   mqtt-anon  mosquitto allowing anonymous clients: anonymous access;
#   mqtt-auth  mosquitto with a password file holding the first "any" pair
#              of the dictionary: default credentials, no anonymous access.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
for tool in vsftpd lighttpd mosquitto mosquitto_passwd; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
TSV="$IOTCOP_SOURCE/data/default-credentials.tsv"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # NAME ARGS-FOR-EXPECT...
  local name="$1"; shift
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}
# The best-known pair of a dictionary service with a user and a password.
first_pair() {
  python3 - "$TSV" "$1" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r for r in rows if r[0] == sys.argv[2] and r[1] and r[2] and ":" not in r[1]]
rows.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(rows[0][1] + ":" + rows[0][2])
PY
}

# ---- FTP: vsftpd with anonymous login only ---------------------------------------
H=$(lab_host 2)
lab_passwd "$LAB_DIR/etc" "Zq$(openssl rand -hex 8)"
mkdir -p "$LAB_DIR/ftp-root" "$LAB_DIR/empty"
echo "firmware notes" >"$LAB_DIR/ftp-root/readme.txt"
chmod 555 "$LAB_DIR/ftp-root"
cat >"$LAB_DIR/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=10.213.0.2
anonymous_enable=YES
local_enable=NO
write_enable=NO
anon_root=$LAB_DIR/ftp-root
secure_chroot_dir=$LAB_DIR/empty
ftp_username=ftp
nopriv_user=nobody
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
background=NO
xferlog_enable=NO
CONF
lab_jail "$H" "$LAB_DIR/etc" /usr/sbin/vsftpd "$LAB_DIR/vsftpd.conf"

# ---- HTTP: lighttpd ---------------------------------------------------------------
HTTP_PAIR=$(first_pair http-basic)
web() { # N DOCROOT AUTH(yes|no)
  local n="$1" root="$2" auth="$3" conf="$LAB_DIR/lighttpd$1.conf" ns
  ns=$(lab_host "$n")
  printf '%s\n' "$HTTP_PAIR" >"$LAB_DIR/users"
  {
    echo 'server.modules = ("mod_auth", "mod_authn_file")'
    echo "server.document-root = \"$root\""
    echo "server.bind = \"10.213.0.$n\""
    echo 'server.port = 80'
    echo 'index-file.names = ("index.html")'
    echo 'mimetype.assign = (".html" => "text/html", ".txt" => "text/plain")'
    echo "server.errorlog = \"$LAB_DIR/lighttpd$n.err\""
    echo 'auth.backend = "plain"'
    echo "auth.backend.plain.userfile = \"$LAB_DIR/users\""
    if [ "$auth" = yes ]; then
      echo "\$SERVER[\"socket\"] == \"10.213.0.$n:8080\" { \$HTTP[\"url\"] !~ \"^/\\.well-known/\" {"
      echo '  auth.require = ("/" => ("method" => "digest", "realm" => "camera", "require" => "valid-user")) } }'
      echo "\$SERVER[\"socket\"] == \"10.213.0.$n:80\" { \$HTTP[\"url\"] !~ \"^/\\.well-known/\" {"
      echo '  auth.require = ("/" => ("method" => "basic", "realm" => "camera", "require" => "valid-user")) } }'
    fi
  } >"$conf"
  lab_run "$ns" /usr/sbin/lighttpd -D -f "$conf"
}
docroot() { # NAME SECURITY.TXT-CONTENT (empty: none)
  local d="$LAB_DIR/www-$1"
  mkdir -p "$d/.well-known"
  echo "<html><body>camera</body></html>" >"$d/index.html"
  [ -z "$2" ] || printf '%s' "$2" >"$d/.well-known/security.txt"
  echo "$d"
}
FUTURE=$(date -u -d '+200 days' +%Y-%m-%dT%H:%M:%SZ)
PAST=$(date -u -d '-30 days' +%Y-%m-%dT%H:%M:%SZ)
web 3 "$(docroot valid "Contact: mailto:security@example.com
Expires: $FUTURE
")" yes
web 4 "$(docroot expired "Contact: mailto:security@example.com
Expires: $PAST
")" no
web 5 "$(docroot missing "")" no
web 8 "$(docroot invalid "Expires: $FUTURE
Policy: https://example.com/policy
")" no

# ---- MQTT: mosquitto ----------------------------------------------------------------
MQTT_PAIR=$(first_pair any)
H6=$(lab_host 6); H7=$(lab_host 7)
printf 'user root\nlistener 1883 10.213.0.6\nallow_anonymous true\npersistence false\n' >"$LAB_DIR/anon.conf"
: >"$LAB_DIR/mqtt-passwords"
mosquitto_passwd -b "$LAB_DIR/mqtt-passwords" "${MQTT_PAIR%%:*}" "${MQTT_PAIR#*:}"
printf 'user root\nlistener 1883 10.213.0.7\nallow_anonymous false\npassword_file %s\npersistence false\n' \
  "$LAB_DIR/mqtt-passwords" >"$LAB_DIR/auth.conf"
lab_run "$H6" mosquitto -c "$LAB_DIR/anon.conf"
lab_run "$H7" mosquitto -c "$LAB_DIR/auth.conf"

lab_wait_port "$H" 10.213.0.2 21
for n in 3 4 5 8; do lab_wait_port "${LAB_ID}h$n" "10.213.0.$n" 80; done
lab_wait_port "$H6" 10.213.0.6 1883
lab_wait_port "$H7" 10.213.0.7 1883

audit() { # NAME ADDRESS PORTS
  lab_iotcop device -f json --ports "$3" "$2" >"$LAB_DIR/$1.json" || fail "$1: exit $?"
}
audit ftp 10.213.0.2 21,80
check ftp --service 21=ftp --findings device.ftp-anonymous@21,device.plaintext-login@21 \
  --evidence "vsFTPd" --guideline CoP-6=fail --guideline CoP-5=fail

audit web-auth 10.213.0.3 80,8080
check web-auth --service 80=http --service 8080=http \
  --findings device.default-credentials@80,device.default-credentials@8080 \
  --evidence "http (basic) login accepted: user '${HTTP_PAIR%%:*}', password '${HTTP_PAIR#*:}'" \
  --evidence "http (digest) login accepted" --evidence "lighttpd/" \
  --provision 5.2-1=pass --guideline CoP-1=fail

audit web-expired 10.213.0.4 80
check web-expired --findings device.security-txt-expired@80 --guideline CoP-2=fail --evidence "$PAST"
audit web-missing 10.213.0.5 80
check web-missing --findings device.security-txt-missing@80 --evidence "answered 404"
audit web-invalid 10.213.0.8 80
check web-invalid --findings device.security-txt-invalid@80 --evidence "Contact"

audit mqtt-anon 10.213.0.6 1883
check mqtt-anon --service 1883=mqtt --findings device.mqtt-anonymous@1883 --guideline CoP-6=fail
audit mqtt-auth 10.213.0.7 1883
check mqtt-auth --findings device.default-credentials@1883 \
  --evidence "mqtt login accepted: user '${MQTT_PAIR%%:*}'"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_services: all cases pass"

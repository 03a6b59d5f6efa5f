#!/usr/bin/env bash
# `iotcop device` against real TLS servers (lighttpd with mod_openssl), each
# in its own network namespace of the lab, with the findings each must give
# (and no other above "info"):
#   weak      :443 self-signed 1024-bit RSA, TLS 1.0 and NULL/anonymous/3DES
#             suites allowed (security level 0), basic auth with the
#             dictionary's best-known pair, no security.txt: legacy
#             protocol, weak cipher, self-signed, weak key; over TLS the
#             default credentials and the missing security.txt;
#   good      :443 a 2048-bit certificate from the lab CA for camera.lab.test,
#             valid, TLS 1.2+ with Debian's defaults, a valid security.txt,
#             and mosquitto on :8883 (TLS) with the same certificate, reached
#             by that name: no finding, 5.2-1 passes over https;
#   wrongname the good server reached as other.lab.test: hostname mismatch;
#   expired   :443 a lab-CA certificate signed with SHA-1 that expired in
#             2021, :8443 one valid only from 2099: expired, weak signature,
#             not yet valid;
#   ftps      vsftpd, anonymous, AUTH TLS with a self-signed certificate:
#             self-signed through STARTTLS, besides the FTP findings;
#   weblogin  lighttpd with a lab-CA certificate: :443 a login form
#             (tests/live/web_login.py behind mod_proxy) with the dictionary's
#             best-known http-form pair, :8443 digest auth with the http-basic
#             one: both logins found over TLS;
#   sslv2     tests/live/sslv2_server.py on :993 (imaps): an SSLv2
#             SERVER-HELLO to an SSLv2 CLIENT-HELLO, TLS 1.0+ otherwise with a
#             self-signed certificate: SSLv2 and the legacy versions accepted;
#             on :8883 (mqtts) SSLv2 only, TLS hellos unanswered: still TLS,
#             SSLv2 alone accepted, the certificate read from the SERVER-HELLO;
#             (every real server above: SSLv2 refused, no tls.sslv2);
#   hostile   tests/live/adversary.py on the TLS ports: random bytes on 443,
#             a tarpit on 8443, resets on 8883, plain HTTP 200 on 4443:
#             no finding, and the run ends (a generous bound, not a speed test).
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
[ -e /usr/lib/lighttpd/mod_openssl.so ] && [ -x /usr/sbin/vsftpd ] && command -v mosquitto >/dev/null ||
  { echo "SKIP: lighttpd-mod-openssl, vsftpd or mosquitto is missing (scripts/install-deps.sh)"; exit 77; }
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
HTTP_PAIR=$(python3 - "$TSV" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r for r in rows if r[0] == "http-basic" and r[1] and r[2] and ":" not in r[1]]
rows.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(rows[0][1] + ":" + rows[0][2])
PY
)

# Only TCP is of interest here (--no-udp: the UDP probes have their own tests).

# ---- certificates -------------------------------------------------------------------
PKI="$LAB_DIR/pki"
lab_ca "$PKI"
openssl req -x509 -newkey rsa:1024 -nodes -sha256 -days 30 -subj "/CN=weak.lab.test" \
  -keyout "$PKI/weak.key" -out "$PKI/weak.crt" 2>/dev/null
NOW=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
SOON=$(date -u -d '+60 days' +%Y%m%d%H%M%SZ)
lab_cert "$PKI" camera.lab.test 2048 sha256 "$NOW" "$SOON"
lab_cert "$PKI" old.lab.test 2048 sha1 20200101000000Z 20210101000000Z
lab_cert "$PKI" future.lab.test 2048 sha256 20990101000000Z 20991231000000Z

# ---- servers ---------------------------------------------------------------------------
# https N NAME TLS-OPTIONS [8443-NAME [MORE-CONFIG]]: lighttpd on
# 10.213.0.N:443 with NAME's certificate (and on 8443 with another's), a
# valid security.txt unless MORE-CONFIG is given (the weak server's auth
# and suites: lighttpd applies ssl.cipher-list, not a CipherString command).
https() {
  local n="$1" cert="$2" opts="$3" cert2="${4:-}" more="${5:-}" ns root
  local conf="$LAB_DIR/lighttpd$1.conf"
  ns=$(lab_host "$n")
  root="$LAB_DIR/www$n"
  mkdir -p "$root/.well-known"
  echo "<html><body>camera</body></html>" >"$root/index.html"
  [ -n "$more" ] || printf 'Contact: mailto:security@example.com\nExpires: %s\n' "$FUTURE" \
    >"$root/.well-known/security.txt"
  {
    echo 'server.modules = ("mod_openssl", "mod_auth", "mod_authn_file")'
    echo "server.document-root = \"$root\""
    echo "server.bind = \"10.213.0.$n\""
    echo 'server.port = 443'
    echo 'index-file.names = ("index.html")'
    echo 'mimetype.assign = (".html" => "text/html", ".txt" => "text/plain")'
    echo "server.errorlog = \"$LAB_DIR/lighttpd$n.err\""
    echo 'ssl.engine = "enable"'
    echo "ssl.pemfile = \"$PKI/$cert.crt\""
    echo "ssl.privkey = \"$PKI/$cert.key\""
    echo "ssl.openssl.ssl-conf-cmd = ($opts)"
    if [ -n "$cert2" ]; then
      echo "\$SERVER[\"socket\"] == \"10.213.0.$n:8443\" {"
      echo '  ssl.engine = "enable"'
      echo "  ssl.pemfile = \"$PKI/$cert2.crt\""
      echo "  ssl.privkey = \"$PKI/$cert2.key\""
      echo '}'
    fi
    printf '%s\n' "$more"
  } >"$conf"
  lab_run "$ns" /usr/sbin/lighttpd -D -f "$conf"
}
FUTURE=$(date -u -d '+200 days' +%Y-%m-%dT%H:%M:%SZ)
printf '%s\n' "$HTTP_PAIR" >"$LAB_DIR/users"
AUTH="auth.backend = \"plain\"
auth.backend.plain.userfile = \"$LAB_DIR/users\"
auth.require = (\"/\" => (\"method\" => \"basic\", \"realm\" => \"camera\", \"require\" => \"valid-user\"))"
https 2 weak '"MinProtocol" => "TLSv1"' "" "$AUTH
ssl.cipher-list = \"ALL:eNULL:@SECLEVEL=0\""
https 3 camera.lab.test '"MinProtocol" => "TLSv1.2"'
https 4 old.lab.test '"CipherString" => "DEFAULT:@SECLEVEL=0"' future.lab.test
printf 'user root\nlistener 8883 10.213.0.3\ncertfile %s\nkeyfile %s\nallow_anonymous false\npersistence false\n' \
  "$PKI/camera.lab.test.crt" "$PKI/camera.lab.test.key" >"$LAB_DIR/mqtts.conf"
lab_run "${LAB_ID}h3" mosquitto -c "$LAB_DIR/mqtts.conf"

# ---- FTP with AUTH TLS: vsftpd ------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=ftp.lab.test" \
  -keyout "$PKI/ftp.key" -out "$PKI/ftp.crt" 2>/dev/null
H5=$(lab_host 5)
lab_passwd "$LAB_DIR/etc" "Zq$(openssl rand -hex 8)"
mkdir -p "$LAB_DIR/ftp-root" "$LAB_DIR/empty"
chmod 555 "$LAB_DIR/ftp-root"
cat >"$LAB_DIR/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=10.213.0.5
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
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
ssl_ciphers=HIGH
rsa_cert_file=$PKI/ftp.crt
rsa_private_key_file=$PKI/ftp.key
CONF
lab_jail "$H5" "$LAB_DIR/etc" /usr/sbin/vsftpd "$LAB_DIR/vsftpd.conf"

for n in 2 3 4; do lab_wait_port "${LAB_ID}h$n" "10.213.0.$n" 443; done
lab_wait_port "$H5" 10.213.0.5 21
lab_wait_port "${LAB_ID}h3" 10.213.0.3 8883

# ---- hostile servers on the TLS ports -------------------------------------------------------
H6=$(lab_host 6)
for spec in garbage:443 tarpit:8443 reset:8883 http-200:4443; do
  lab_run "$H6" python3 "$IOTCOP_SOURCE/tests/live/adversary.py" "${spec%%:*}" 10.213.0.6 "${spec#*:}"
done
for port in 443 8443 8883 4443; do lab_wait_port "$H6" 10.213.0.6 "$port"; done
lab_wait_port "${LAB_ID}h4" 10.213.0.4 8443

# ---- web logins over HTTPS: lighttpd terminating TLS -----------------------------------------
FORM_PAIR=$(python3 - "$TSV" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r for r in rows if r[0] == "http-form" and r[1] and r[2] and ":" not in r[1]]
rows.sort(key=lambda r: -len([s for s in r[3].split(",") if s]))
print(rows[0][1] + ":" + rows[0][2])
PY
)
H7=$(lab_host 7)
lab_run "$H7" python3 "$IOTCOP_SOURCE/tests/live/web_login.py" form 127.0.0.1 8080 "Lab Router" \
  "${FORM_PAIR%%:*}" "${FORM_PAIR#*:}"
HA1=$(printf '%s:camera:%s' "${HTTP_PAIR%%:*}" "${HTTP_PAIR#*:}" | md5sum | cut -d' ' -f1)
printf '%s:camera:%s\n' "${HTTP_PAIR%%:*}" "$HA1" >"$LAB_DIR/digest"
mkdir -p "$LAB_DIR/www7"
echo "<html><body>camera</body></html>" >"$LAB_DIR/www7/index.html"
cat >"$LAB_DIR/lighttpd7.conf" <<CONF
server.modules = ("mod_openssl", "mod_auth", "mod_authn_file", "mod_proxy")
server.document-root = "$LAB_DIR/www7"
server.bind = "10.213.0.7"
server.port = 443
index-file.names = ("index.html")
server.errorlog = "$LAB_DIR/lighttpd7.err"
ssl.engine = "enable"
ssl.pemfile = "$PKI/camera.lab.test.crt"
ssl.privkey = "$PKI/camera.lab.test.key"
\$SERVER["socket"] == "10.213.0.7:443" {
  ssl.engine = "enable"
  ssl.pemfile = "$PKI/camera.lab.test.crt"
  ssl.privkey = "$PKI/camera.lab.test.key"
  proxy.server = ("" => (("host" => "127.0.0.1", "port" => 8080)))
}
\$SERVER["socket"] == "10.213.0.7:8443" {
  ssl.engine = "enable"
  ssl.pemfile = "$PKI/camera.lab.test.crt"
  ssl.privkey = "$PKI/camera.lab.test.key"
  auth.backend = "htdigest"
  auth.backend.htdigest.userfile = "$LAB_DIR/digest"
  auth.require = ("/" => ("method" => "digest", "realm" => "camera", "require" => "valid-user"))
}
CONF
for i in $(seq 1 100); do # the form's app on the namespace's loopback, before its proxy
  ip netns exec "$H7" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null && break
  sleep 0.1
done
lab_run "$H7" /usr/sbin/lighttpd -D -f "$LAB_DIR/lighttpd7.conf"
lab_wait_port "$H7" 10.213.0.7 443
lab_wait_port "$H7" 10.213.0.7 8443

# ---- an old server that still answers SSLv2 ------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=old.lab.test" \
  -keyout "$PKI/sslv2.key" -out "$PKI/sslv2.crt" 2>/dev/null
H8=$(lab_host 8)
lab_run "$H8" python3 "$IOTCOP_SOURCE/tests/live/sslv2_server.py" 10.213.0.8 993 "$PKI/sslv2.crt" \
  "$PKI/sslv2.key"
lab_run "$H8" python3 "$IOTCOP_SOURCE/tests/live/sslv2_server.py" 10.213.0.8 8883 "$PKI/sslv2.crt" \
  "$PKI/sslv2.key" --sslv2-only
lab_wait_port "$H8" 10.213.0.8 993
lab_wait_port "$H8" 10.213.0.8 8883

printf '10.213.0.3 camera.lab.test other.lab.test\n' >"$LAB_DIR/hosts"
audit() { # NAME TARGET PORTS
  lab_iotcop_hosts "$LAB_DIR/hosts" device -f json --no-udp --ports "$3" "$2" >"$LAB_DIR/$1.json" ||
    fail "$1: exit $?"
}

audit weak 10.213.0.2 443
check weak --service 443=https \
  --findings tls.legacy-protocol@443,tls.weak-cipher@443,tls.self-signed@443,tls.weak-key@443,device.default-credentials@443,device.security-txt-missing@443 \
  --evidence "accepts the legacy TLSv1.0, TLSv1.1 (each" --evidence "1024-bit RSA key" \
  --evidence "(NULL encryption, TLSv1.2)" --evidence "(anonymous, TLSv1.2)" \
  --evidence "https (basic) login accepted: user '${HTTP_PAIR%%:*}'" \
  --guideline CoP-5=fail --guideline CoP-1=fail
python3 - "$LAB_DIR/weak.json" <<'PY' || fail "weak: the services' tls object"
import json, sys
s = [x for x in json.loads(open(sys.argv[1]).read())["services"] if x["port"] == 443][0]
t = s["tls"]
assert t["version"] == "TLSv1.3" or t["version"] == "TLSv1.2", t
assert t["self_signed"] is True and t["key_bits"] == 1024, t
assert t["subject"] == "CN=weak.lab.test" and t["issuer"] == "CN=weak.lab.test", t
# every version offered alone: SSLv2 and SSLv3 refused (Debian's OpenSSL has
# neither), TLS 1.0 upwards accepted; no upgrade command on an implicit-TLS port
assert t["versions"] == {"SSLv2": False, "SSLv3": False, "TLSv1.0": True, "TLSv1.1": True,
                         "TLSv1.2": True, "TLSv1.3": True}, t
assert list(t["versions"]) == ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"], t
assert "starttls" not in t, t
PY

audit good camera.lab.test 443,8883
check good --service 443=https --service 8883=mqtts --findings "" --provision 5.2-1=pass
python3 - "$LAB_DIR/good.json" <<'PY' || fail "good: the services' tls object"
import json, sys
for port in (443, 8883):
    s = [x for x in json.loads(open(sys.argv[1]).read())["services"] if x["port"] == port][0]
    t = s["tls"]
    assert t["version"] == "TLSv1.3" and t["cipher"].startswith("TLS_"), t
    assert t["self_signed"] is False and t["key_bits"] == 2048, t
    assert t["subject"] == "CN=camera.lab.test" and t["issuer"] == "CN=iotcop lab CA", t
    assert t["versions"] == {"SSLv2": False, "SSLv3": False, "TLSv1.0": False,
                             "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True}, t
PY

audit wrongname other.lab.test 443
check wrongname --findings tls.hostname-mismatch@443 --evidence "other.lab.test"

audit expired 10.213.0.4 443,8443
check expired --service 443=https --service 8443=https \
  --findings tls.expired-certificate@443,tls.weak-signature@443,tls.certificate-not-yet-valid@8443 \
  --evidence "expired at 2021-01-01T00:00:00Z" --evidence "sha1WithRSAEncryption" \
  --evidence "not valid before 2099-01-01T00:00:00Z"

audit ftps 10.213.0.5 21
check ftps --service 21=ftp \
  --findings device.ftp-anonymous@21,device.plaintext-login@21,tls.self-signed@21 \
  --evidence "subject 'CN=ftp.lab.test'"
python3 - "$LAB_DIR/ftps.json" <<'PY' || fail "ftps: the services' tls object"
import json, sys
s = [x for x in json.loads(open(sys.argv[1]).read())["services"] if x["port"] == 21][0]
assert s["tls"]["self_signed"] is True and s["tls"]["key_bits"] == 2048, s
assert s["tls"]["starttls"] == "AUTH TLS", s
v = s["tls"]["versions"]
assert v["TLSv1.2"] and v["TLSv1.3"] and not v["SSLv2"] and not v["SSLv3"], s
PY

audit weblogin 10.213.0.7 443,8443
check weblogin --service 443=https --service 8443=https \
  --findings device.default-credentials@443,device.default-credentials@8443,device.security-txt-missing@443,device.security-txt-missing@8443 \
  --evidence "https (form at /login.html) login accepted: user '${FORM_PAIR%%:*}', password '${FORM_PAIR#*:}'" \
  --evidence "https (digest) login accepted: user '${HTTP_PAIR%%:*}'" --guideline CoP-1=fail

audit sslv2 10.213.0.8 993,8883
check sslv2 --service 993=imaps --service 8883=mqtts \
  --findings tls.sslv2@993,tls.legacy-protocol@993,tls.self-signed@993,tls.sslv2@8883,tls.self-signed@8883 \
  --evidence "tcp/993 answers an SSLv2 CLIENT-HELLO with a SERVER-HELLO offering 3 cipher kind(s): SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5" \
  --evidence "accepted: SSLv2, TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3; refused: SSLv3)"
python3 - "$LAB_DIR/sslv2.json" <<'PY' || fail "sslv2: the services' tls object"
import json, sys
services = {s["port"]: s for s in json.loads(open(sys.argv[1]).read())["services"]}
t = services[993]["tls"]
assert t["versions"] == {"SSLv2": True, "SSLv3": False, "TLSv1.0": True, "TLSv1.1": True,
                         "TLSv1.2": True, "TLSv1.3": True}, t
assert t["subject"] == "CN=old.lab.test" and t["self_signed"] is True, t
t = services[8883]["tls"]
assert t["version"] == "SSLv2" and t["versions"] == {
    "SSLv2": True, "SSLv3": False, "TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": False,
    "TLSv1.3": False}, t
assert t["subject"] == "CN=old.lab.test" and t["self_signed"] is True, t
assert t["key_bits"] == 2048 and t["cipher"] == "unknown", t
PY
for name in weak good wrongname expired ftps weblogin; do
  grep -q '"tls.sslv2"' "$LAB_DIR/$name.json" && fail "$name: SSLv2 reported where OpenSSL serves"
done

start=$(date +%s)
lab_iotcop device -f json --no-udp --ports 443,8443,8883,4443 --timeout 1000 --connect-timeout 500 \
  10.213.0.6 >"$LAB_DIR/hostile.json" || fail "hostile: exit $?"
[ $(($(date +%s) - start)) -le 120 ] || fail "hostile: took more than 120 s"
check hostile --findings "" --service 443=https --service 8443=https # a reset port may look closed
python3 - "$LAB_DIR/hostile.json" <<'PY' || fail "hostile: a tls object where no TLS was spoken"
import json, sys
assert not [s for s in json.loads(open(sys.argv[1]).read())["services"] if "tls" in s]
PY

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_tls: all cases pass"

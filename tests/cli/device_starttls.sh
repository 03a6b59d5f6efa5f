#!/usr/bin/env bash
# `iotcop device` through STARTTLS: tests/live/mail_server.py (Python's ssl,
# i.e. Debian's OpenSSL) speaking SMTP, IMAP and POP3 in network namespaces
# of the lab, each with a self-signed certificate:
#   offers   SMTP :25 (TLS 1.0 allowed) and :587 (TLS 1.2+), IMAP :143 and
#            POP3 :110 (TLS 1.0 allowed), POP3 over implicit TLS :995
#            (TLS 1.2+): the same TLS findings as on an implicit-TLS port,
#            reached through EHLO/STARTTLS, CAPABILITY/STARTTLS and STLS;
#   plain    the same services offering no STARTTLS: IMAP and POP3 logins
#            in the clear, no TLS finding; and SMTP :587 whose go-ahead
#            carries injected plaintext: refused, no TLS spoken there.
# (vsftpd's AUTH TLS is in device_tls.sh.)
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
MAIL="$IOTCOP_SOURCE/tests/live/mail_server.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=mail.lab.test" \
  -keyout "$LAB_DIR/mail.key" -out "$LAB_DIR/mail.crt" 2>/dev/null
mail() { # NS ADDRESS PROTOCOL PORT [OPTIONS]
  local ns="$1" addr="$2" proto="$3" port="$4"; shift 4
  lab_run "$ns" python3 "$MAIL" "$proto" "$addr" "$port" "$LAB_DIR/mail.crt" "$LAB_DIR/mail.key" "$@"
}

H2=$(lab_host 2)
mail "$H2" 10.213.0.2 smtp 25 --min 1.0
mail "$H2" 10.213.0.2 smtp 587
mail "$H2" 10.213.0.2 imap 143 --min 1.0
mail "$H2" 10.213.0.2 pop3 110 --min 1.0
mail "$H2" 10.213.0.2 tls 995
H3=$(lab_host 3)
mail "$H3" 10.213.0.3 smtp 25 --no-tls
mail "$H3" 10.213.0.3 smtp 587 --inject
mail "$H3" 10.213.0.3 imap 143 --no-tls
mail "$H3" 10.213.0.3 pop3 110 --no-tls
for port in 25 587 143 110 995; do lab_wait_port "$H2" 10.213.0.2 "$port"; done
for port in 25 587 143 110; do lab_wait_port "$H3" 10.213.0.3 "$port"; done

PORTS=25,587,110,143,995
lab_iotcop device -f json --no-udp --ports "$PORTS" 10.213.0.2 >"$LAB_DIR/offers.json" ||
  fail "offers: exit $?"
python3 "$EXPECT" "$LAB_DIR/offers.json" \
  --service 25=smtp --service 587=smtp --service 143=imap --service 110=pop3 --service 995=pop3s \
  --findings tls.legacy-protocol@25,tls.self-signed@25,tls.self-signed@587,tls.legacy-protocol@143,tls.self-signed@143,tls.legacy-protocol@110,tls.self-signed@110,tls.self-signed@995 \
  --evidence "tcp/25 (STARTTLS) accepts the legacy TLSv1.0, TLSv1.1 (each" \
  --evidence "tcp/110 (STLS) accepts the legacy TLSv1.0, TLSv1.1 (each" \
  --evidence "subject 'CN=mail.lab.test'" \
  --guideline CoP-5=fail || fail "offers: the report differs from the lab's truth"
python3 - "$LAB_DIR/offers.json" <<'PY' || fail "offers: the services' tls objects"
import json, sys
services = {s["port"]: s for s in json.loads(open(sys.argv[1]).read())["services"]}
legacy = {"SSLv2": False, "SSLv3": False, "TLSv1.0": True, "TLSv1.1": True,
          "TLSv1.2": True, "TLSv1.3": True}
modern = dict(legacy, **{"TLSv1.0": False, "TLSv1.1": False})
for port, command, versions in ((25, "STARTTLS", legacy), (587, "STARTTLS", modern),
                                (143, "STARTTLS", legacy), (110, "STLS", legacy),
                                (995, None, modern)):
    t = services[port]["tls"]
    assert t.get("starttls") == command, (port, t)
    assert t["versions"] == versions, (port, t)
    assert t["version"] == "TLSv1.3" and t["self_signed"] is True and t["key_bits"] == 2048, t
    assert t["subject"] == "CN=mail.lab.test" and t["cipher"].startswith("TLS_"), t
PY

lab_iotcop device -f json --no-udp --ports "$PORTS" 10.213.0.3 >"$LAB_DIR/plain.json" ||
  fail "plain: exit $?"
python3 "$EXPECT" "$LAB_DIR/plain.json" \
  --service 25=smtp --service 587=smtp --service 143=imap --service 110=pop3 \
  --findings device.plaintext-login@143,device.plaintext-login@110 \
  --evidence "IMAP offers no STARTTLS: logins go in the clear; greeting '* OK lab IMAP4rev1 ready'" \
  --evidence "POP3 offers no STLS" || fail "plain: the report differs from the lab's truth"
python3 - "$LAB_DIR/plain.json" <<'PY' || fail "plain: a tls object where no TLS was spoken"
import json, sys
assert not [s for s in json.loads(open(sys.argv[1]).read())["services"] if "tls" in s]
PY

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_starttls: all cases pass"

#!/usr/bin/env bash
# The TLS audit of one port side by side with the peers that do the same:
# testssl.sh (Debian's package) and nmap's ssl-enum-ciphers + ssl-cert
# scripts, against the two HTTPS servers of tests/cli/device_tls.sh in
# network namespaces of the lab (tests/live/lab.sh; root needed):
#   weak  lighttpd, self-signed 1024-bit RSA, TLS 1.0+, NULL/anonymous suites
#   good  lighttpd, lab-CA 2048-bit certificate, TLS 1.2+ defaults
# Prints per tool and server the wall time, the TCP connections it opened
# (connect() calls, counted with strace -f) and which of the lab's four
# planted weaknesses its output names (legacy protocol, weak suite,
# self-signed, weak key). Wall time depends on the machine's load; iotcop's
# includes its connect scan (up to 1.2 s waiting for a banner on the silent
# port); testssl runs without DNS lookups (--nodns none: the lab has no DNS).
#   bench/device_tls.sh        (IOTCOP_BUILD=DIR picks the build, default build/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
IOTCOP_BIN="${IOTCOP_BUILD:-$here/build}/iotcop"
IOTCOP_SOURCE="$here"
for tool in testssl nmap strace; do
  command -v "$tool" >/dev/null || { echo "bench/device_tls.sh: needs $tool (apt-get install testssl.sh nmap strace)"; exit 1; }
done
source "$here/tests/live/lab.sh"
lab_init

PKI="$LAB_DIR/pki"
lab_ca "$PKI"
openssl req -x509 -newkey rsa:1024 -nodes -sha256 -days 30 -subj "/CN=weak.lab.test" \
  -keyout "$PKI/weak.key" -out "$PKI/weak.crt" 2>/dev/null
lab_cert "$PKI" camera.lab.test 2048 sha256 "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
  "$(date -u -d '+60 days' +%Y%m%d%H%M%SZ)"
server() { # N CERT MORE-CONFIG
  local ns conf="$LAB_DIR/lighttpd$1.conf"
  ns=$(lab_host "$1")
  mkdir -p "$LAB_DIR/www$1"
  printf '%s\n' 'server.modules = ("mod_openssl")' "server.document-root = \"$LAB_DIR/www$1\"" \
    "server.bind = \"10.213.0.$1\"" 'server.port = 443' 'ssl.engine = "enable"' \
    "ssl.pemfile = \"$PKI/$2.crt\"" "ssl.privkey = \"$PKI/$2.key\"" "$3" >"$conf"
  lab_run "$ns" /usr/sbin/lighttpd -D -f "$conf"
  lab_wait_port "$ns" "10.213.0.$1" 443
}
server 2 weak 'ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1")
ssl.cipher-list = "ALL:eNULL:@SECLEVEL=0"'
server 3 camera.lab.test 'ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2")'

# run NAME OUT COMMAND...: times COMMAND in the client namespace under strace.
run() {
  local name="$1" out="$2" start end
  shift 2
  start=$(date +%s.%N)
  ip netns exec "$LAB_CLIENT" strace -f -qq -e trace=connect -o "$out.strace" "$@" >"$out" 2>&1 || true
  end=$(date +%s.%N)
  printf '%s %s %s\n' "$name" "$(echo "$end - $start" | bc)" \
    "$(grep -c 'sin_port=htons(443)' "$out.strace" || true)"
}
# names OUT PATTERNS...: which weaknesses the output names (4 regexes, in order).
names() {
  local out="$1" found="" label
  shift
  for label in legacy weak-suite self-signed weak-key; do
    if grep -qiE "$1" "$out"; then found="$found $label"; fi
    shift
  done
  echo "${found:- none}"
}

printf '%-8s %-8s %8s %6s  %s\n' tool server wall_s conns "weaknesses named"
for n in 2 3; do
  what=$([ "$n" = 2 ] && echo weak || echo good)
  read -r _ wall conns < <(run iotcop "$LAB_DIR/iotcop$n" "$IOTCOP_BIN" device -f json --no-udp \
    --ports 443 "10.213.0.$n")
  printf '%-8s %-8s %8.2f %6s %s\n' iotcop "$what" "$wall" "$conns" "$(names "$LAB_DIR/iotcop$n" \
    'tls.legacy-protocol' 'tls.weak-cipher' 'tls.self-signed' 'tls.weak-key')"
  read -r _ wall conns < <(run testssl "$LAB_DIR/testssl$n" testssl --quiet --color 0 --nodns none \
    --warnings off --protocols --std --server-defaults "10.213.0.$n:443")
  printf '%-8s %-8s %8.2f %6s %s\n' testssl "$what" "$wall" "$conns" "$(names "$LAB_DIR/testssl$n" \
    'TLS 1(\.1)? +offered' 'NULL ciphers.*offered \(NOT ok\)|Anonymous NULL Ciphers.*offered \(NOT ok\)' \
    'self signed' 'RSA 1024 bits')"
  read -r _ wall conns < <(run nmap "$LAB_DIR/nmap$n" nmap -Pn -sT -n -p 443 \
    --script ssl-enum-ciphers,ssl-cert "10.213.0.$n")
  printf '%-8s %-8s %8.2f %6s %s\n' nmap "$what" "$wall" "$conns" "$(names "$LAB_DIR/nmap$n" \
    'TLSv1\.[01]:' '_NULL_|_anon_' 'Issuer: commonName=weak' 'Public Key bits: 1024')"
done

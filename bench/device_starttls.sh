#!/usr/bin/env bash
# The TLS audit through STARTTLS side by side with testssl.sh (Debian's
# package, --starttls), against tests/live/mail_server.py in a network
# namespace of the lab (tests/live/lab.sh; root needed): SMTP :25, IMAP
# :143 and POP3 :110, each with a self-signed certificate and TLS 1.0+.
# Prints per tool and service the wall time, the TCP connections it opened
# (connect() calls, counted with strace -f) and which of the two planted
# weaknesses its output names (legacy protocol, self-signed). iotcop's time
# includes its connect scan and banner read; testssl runs without DNS
# lookups (--nodns none: the lab has no DNS). Wall time depends on the
# machine's load.
#   bench/device_starttls.sh   (IOTCOP_BUILD=DIR picks the build, default build/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
IOTCOP_BIN="${IOTCOP_BUILD:-$here/build}/iotcop"
IOTCOP_SOURCE="$here"
for tool in testssl strace bc; do
  command -v "$tool" >/dev/null || { echo "bench/device_starttls.sh: needs $tool (apt-get install testssl.sh strace bc)"; exit 1; }
done
source "$here/tests/live/lab.sh"
lab_init

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=mail.lab.test" \
  -keyout "$LAB_DIR/mail.key" -out "$LAB_DIR/mail.crt" 2>/dev/null
NS=$(lab_host 2)
for spec in smtp:25 imap:143 pop3:110; do
  lab_run "$NS" python3 "$here/tests/live/mail_server.py" "${spec%%:*}" 10.213.0.2 "${spec#*:}" \
    "$LAB_DIR/mail.crt" "$LAB_DIR/mail.key" --min 1.0
  lab_wait_port "$NS" 10.213.0.2 "${spec#*:}"
done

# run OUT PORT COMMAND...: times COMMAND in the client namespace under strace.
run() {
  local out="$1" port="$2" start end
  shift 2
  start=$(date +%s.%N)
  ip netns exec "$LAB_CLIENT" strace -f -qq -e trace=connect -o "$out.strace" "$@" >"$out" 2>&1 || true
  end=$(date +%s.%N)
  printf '%s %s\n' "$(echo "$end - $start" | bc)" "$(grep -c "sin_port=htons($port)" "$out.strace" || true)"
}
names() { # OUT LEGACY-REGEX SELF-SIGNED-REGEX
  local found=""
  grep -qiE "$2" "$1" && found="$found legacy"
  grep -qiE "$3" "$1" && found="$found self-signed"
  echo "${found:- none}"
}

printf '%-8s %-6s %8s %6s  %s\n' tool service wall_s conns "weaknesses named"
for spec in smtp:25 imap:143 pop3:110; do
  proto=${spec%%:*} port=${spec#*:}
  read -r wall conns < <(run "$LAB_DIR/iotcop-$proto" "$port" "$IOTCOP_BIN" device -f json --no-udp \
    --ports "$port" 10.213.0.2)
  printf '%-8s %-6s %8.2f %6s %s\n' iotcop "$proto" "$wall" "$conns" \
    "$(names "$LAB_DIR/iotcop-$proto" 'tls.legacy-protocol' 'tls.self-signed')"
  read -r wall conns < <(run "$LAB_DIR/testssl-$proto" "$port" testssl --quiet --color 0 --nodns none \
    --warnings off --starttls "$proto" --protocols --std --server-defaults "10.213.0.2:$port")
  printf '%-8s %-6s %8.2f %6s %s\n' testssl "$proto" "$wall" "$conns" \
    "$(names "$LAB_DIR/testssl-$proto" 'TLS 1(\.1)? +offered' 'self signed')"
done

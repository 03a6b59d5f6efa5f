#!/usr/bin/env bash
# `iotcop device` UDP discovery against real servers from Debian, each in its
# own network namespace of the lab, with the findings each must give (and no
# other above "info"):
#   snmp-public  snmpd answering the community "public": default community
#                (over IPv4, and over IPv6 as snmp-v6);
#   snmp-strong  snmpd with a random community only: nothing at all;
#   coap         libcoap's coap-server: resources readable without auth;
#   mdns         avahi-daemon publishing an _http._tcp service: listed (info);
#   ssdp         a UPnP device (tests/live/ssdp_responder.py): its description
#                is fetched from the same host and reported;
#   ssdp-away    one whose LOCATION names another lab host: reported, and that
#                host's web server sees no request at all;
#   no-udp       the SNMP host with --no-udp: no UDP service.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
for tool in snmpd coap-server-notls avahi-daemon; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # NAME ARGS-FOR-EXPECT...
  local name="$1"; shift
  python3 "$EXPECT" "$LAB_DIR/$name.json" "$@" || fail "$name: the report differs from the lab's truth"
}
# lab_wait_udp NS LOG TEXT: waits until a server's log says it is ready (up to 10 s).
wait_log() {
  local i
  for i in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "lab: $1 never said '$2'" >&2; cat "$1" >&2 || true
  return 1
}

# ---- SNMP: net-snmp's snmpd ------------------------------------------------------
snmp() { # N COMMUNITY
  local ns conf="$LAB_DIR/snmpd$1.conf"
  ns=$(lab_host "$1")
  mkdir -p "$LAB_DIR/snmp$1"
  printf 'rocommunity %s default\nrocommunity6 %s default\nsysDescr Lab camera firmware 4.2.1\n' \
    "$2" "$2" >"$conf"
  ip netns exec "$ns" env SNMP_PERSISTENT_DIR="$LAB_DIR/snmp$1" MIBS= \
    snmpd -f -C -c "$conf" -Lf "$LAB_DIR/snmpd$1.log" -p "$LAB_DIR/snmpd$1.pid" \
    "udp:10.213.0.$1:161,udp6:[fd00:213::$1]:161" >/dev/null 2>&1 &
  LAB_PIDS+=("$!")
}
snmp 2 public
snmp 3 "Zq$(openssl rand -hex 10)"

# ---- CoAP: libcoap's example server ----------------------------------------------------
H4=$(lab_host 4)
lab_run "$H4" coap-server-notls -A 10.213.0.4

# ---- mDNS: avahi-daemon in a private mount namespace ----------------------------------
H5=$(lab_host 5)
lab_avahi "$H5" no

# ---- SSDP: a UPnP device, and one pointing elsewhere ------------------------------------
H6=$(lab_host 6); H7=$(lab_host 7); H8=$(lab_host 8)
RESPONDER="$IOTCOP_SOURCE/tests/live/ssdp_responder.py"
ip netns exec "$H6" python3 "$RESPONDER" 10.213.0.6 49152 >"$LAB_DIR/ssdp6.log" 2>&1 &
LAB_PIDS+=("$!")
ip netns exec "$H7" python3 "$RESPONDER" 10.213.0.7 49152 10.213.0.8 >"$LAB_DIR/ssdp7.log" 2>&1 &
LAB_PIDS+=("$!")
ip netns exec "$H8" python3 "$RESPONDER" 10.213.0.8 49152 >"$LAB_DIR/ssdp8.log" 2>&1 &
LAB_PIDS+=("$!")

wait_log "$LAB_DIR/avahi.log" "Server startup complete"
for n in 6 7 8; do lab_wait_port "${LAB_ID}h$n" "10.213.0.$n" 49152; done
sleep 0.5 # snmpd and coap-server bind at once; give them a moment

# IOTCOP_KEEP_REPORTS=DIR keeps the reports and a capture of the UDP traffic
# (DIR/udp.pcap: how the seeds of fuzz/corpus/fuzz_{snmp,coap,dns,ssdp} were taken).
[ -z "${IOTCOP_KEEP_REPORTS:-}" ] || { ip netns exec "$LAB_CLIENT" tcpdump -U -i br0 -w "$IOTCOP_KEEP_REPORTS/udp.pcap" udp >/dev/null 2>&1 & LAB_PIDS+=("$!"); sleep 1; }
audit() { # NAME ADDRESS [OPTIONS...]
  local name="$1" address="$2"; shift 2
  lab_iotcop device -f json --ports 80 "$@" "$address" >"$LAB_DIR/$name.json" || fail "$name: exit $?"
}
audit snmp-public 10.213.0.2
check snmp-public --service 161/udp=snmp --findings device.snmp-default-community@161 \
  --evidence "community 'public'" --evidence "Lab camera firmware 4.2.1" --guideline CoP-1=fail

audit snmp-v6 fd00:213::2
check snmp-v6 --service 161/udp=snmp --findings device.snmp-default-community@161 \
  --evidence "community 'public'"

audit snmp-strong 10.213.0.3
check snmp-strong --findings ""

audit coap 10.213.0.4
check coap --service 5683/udp=coap --findings device.coap-unauthenticated@5683 \
  --evidence "/time" --guideline CoP-6=fail

audit mdns 10.213.0.5
check mdns --service 5353/udp=mdns --findings "" --evidence "_http._tcp.local" \
  --evidence "Lab camera web._http._tcp.local"

audit ssdp 10.213.0.6
check ssdp --service 1900/udp=ssdp --findings device.upnp-exposed@1900 \
  --evidence "'Lab Router' by 'Lab Devices Ltd'" --evidence "WANIPConnection:1"
grep -q "GET /rootDesc.xml" "$LAB_DIR/ssdp6.log" || fail "ssdp: the description was not fetched"

audit ssdp-away 10.213.0.7
check ssdp-away --service 1900/udp=ssdp --findings device.upnp-exposed@1900 \
  --evidence "points to another host or scheme: reported, not followed"
if grep -q "http GET\|ssdp from" "$LAB_DIR/ssdp8.log"; then
  fail "ssdp-away: the audit sent something to 10.213.0.8, which it was never asked to"
fi

audit no-udp 10.213.0.2 --no-udp
python3 - "$LAB_DIR/no-udp.json" <<'PY' || fail "no-udp: UDP was probed"
import json, sys
r = json.loads(open(sys.argv[1]).read())
sys.exit(1 if any(s["protocol"] == "udp" for s in r["services"]) else 0)
PY

[ -z "${IOTCOP_KEEP_REPORTS:-}" ] || cp "$LAB_DIR"/*.json "$IOTCOP_KEEP_REPORTS"/
[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_udp: all cases pass"

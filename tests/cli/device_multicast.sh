#!/usr/bin/env bash
# `iotcop device --multicast IFACE`: multicast SSDP/mDNS discovery out of one
# named interface of the lab's client namespace (br0), against
#   10.213.0.2  tests/live/ssdp_responder.py --multicast (a UPnP device that
#               joined 239.255.255.250);
#   10.213.0.3  avahi-daemon publishing an _http._tcp service (IPv4 and IPv6);
#   10.213.0.4  the only target (nothing listens there).
# Cases:
#   multicast     the two responders are listed under "discovered" with what
#                 they announced (avahi twice: over IPv4 and over IPv6); a capture of what the client sent holds the
#                 M-SEARCH and the mDNS query to the groups and no TCP or UDP
#                 packet to either responder (listed, never contacted), and the
#                 LOCATION URL is not fetched;
#   text          the text report lists them too;
#   no-multicast  the same audit without --multicast: the capture holds no
#                 multicast datagram at all, and nothing is listed;
#   group-target  a multicast group named as a target (with a multicast route
#                 in place): no datagram is sent to it;
#   bad-iface     --multicast of an interface that does not exist: usage error.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
for tool in avahi-daemon tcpdump; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
wait_log() { # LOG TEXT: waits until a server's log says TEXT (up to 10 s)
  local i
  for i in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "lab: $1 never said '$2'" >&2; cat "$1" >&2 || true
  return 1
}

H2=$(lab_host 2); H3=$(lab_host 3); lab_host 4 >/dev/null
ip netns exec "$H2" python3 "$IOTCOP_SOURCE/tests/live/ssdp_responder.py" --multicast \
  10.213.0.2 49152 >"$LAB_DIR/ssdp2.log" 2>&1 &
LAB_PIDS+=("$!")

lab_avahi "$H3" yes
wait_log "$LAB_DIR/ssdp2.log" "ssdp joined"
wait_log "$LAB_DIR/avahi.log" "Server startup complete"
sleep 1 # avahi probes its names before it answers queries

# capture NAME: what the client namespace sends on br0, into $LAB_DIR/NAME.pcap.
CAPTURE_PID=""
capture() {
  ip netns exec "$LAB_CLIENT" tcpdump -n -U -Q out -i br0 -w "$LAB_DIR/$1.pcap" \
    2>"$LAB_DIR/$1.tcpdump" &
  CAPTURE_PID=$!
  LAB_PIDS+=("$CAPTURE_PID")
  wait_log "$LAB_DIR/$1.tcpdump" "listening on"
}
capture_end() {
  sleep 0.5
  kill -INT "$CAPTURE_PID" 2>/dev/null || true
  wait "$CAPTURE_PID" 2>/dev/null || true
}
count() { # NAME FILTER: packets of the capture matching FILTER
  tcpdump -n -r "$LAB_DIR/$1.pcap" "$2" 2>/dev/null | wc -l
}
AUDIT=(device --ports 80 --connect-timeout 500 --timeout 1000)

# ---- multicast ---------------------------------------------------------------------
capture multicast
lab_iotcop "${AUDIT[@]}" -f json --multicast br0 10.213.0.4 >"$LAB_DIR/multicast.json" ||
  fail "multicast: exit $?"
capture_end
[ "$(count multicast 'udp and dst host 239.255.255.250 and dst port 1900')" -ge 1 ] ||
  fail "multicast: no M-SEARCH to 239.255.255.250 in the capture"
[ "$(count multicast 'udp and dst host 224.0.0.251 and dst port 5353')" -ge 1 ] ||
  fail "multicast: no mDNS query to 224.0.0.251 in the capture"
[ "$(count multicast 'ip6 and udp and dst host ff02::c and dst port 1900')" -ge 1 ] ||
  fail "multicast: no M-SEARCH to ff02::c in the capture"
contacted=$(count multicast '(tcp or udp) and (dst host 10.213.0.2 or dst host 10.213.0.3 or dst host fd00:213::2 or dst host fd00:213::3)')
[ "$contacted" = 0 ] || fail "multicast: $contacted packet(s) sent to a responder that is no target"
grep -q "ssdp multicast from 10.213.0.1" "$LAB_DIR/ssdp2.log" ||
  fail "multicast: the responder saw no M-SEARCH on the group"
if grep -q "http GET\|^ssdp from" "$LAB_DIR/ssdp2.log"; then
  fail "multicast: the responder was contacted directly (or its LOCATION fetched)"
fi
python3 - "$LAB_DIR/multicast.json" <<'PY' || fail "multicast: the report does not list the responders"
import json, sys
r = json.loads(open(sys.argv[1]).read())
found = {(d["host"], d["protocol"]): d for d in r.get("discovered", [])}
errors = []
ssdp = found.get(("10.213.0.2", "ssdp"))
if not ssdp:
    errors.append("no ssdp responder 10.213.0.2")
else:
    want = {"interface": "br0", "port": 1900, "server": "Linux/5.10 UPnP/1.1 LabUPnP/2.3",
            "location": "http://10.213.0.2:49152/rootDesc.xml"}
    errors += [f"ssdp {k}: {ssdp.get(k)!r}" for k, v in want.items() if ssdp.get(k) != v]
    if "uuid:6a4c7e0e-1d55-4c3e-9d1b-0a0b0c0d0e0f" not in ssdp.get("usn", ""):
        errors.append(f"ssdp usn: {ssdp.get('usn')!r}")
    if "urn:schemas-upnp-org:service:WANIPConnection:1" not in ssdp["services"]:
        errors.append(f"ssdp services: {ssdp['services']}")
mdns = found.get(("10.213.0.3", "mdns"))
if not mdns:
    errors.append("no mdns responder 10.213.0.3")
else:
    if mdns["port"] != 5353 or "_http._tcp.local" not in mdns["services"]:
        errors.append(f"mdns: {mdns}")
    if "Lab camera web._http._tcp.local" not in mdns["names"]:
        errors.append(f"mdns names: {mdns['names']}")
# avahi answers the IPv6 query too (from its global or its link-local address).
v6 = [d for (host, proto), d in found.items()
      if proto == "mdns" and (host == "fd00:213::3" or host.startswith("fe80:"))]
if len(v6) != 1 or "Lab camera web._http._tcp.local" not in v6[0]["names"]:
    errors.append(f"no single mdns responder over IPv6: {v6}")
for key in found:
    if key[0] not in ("10.213.0.2", "10.213.0.3") and key not in {(d["host"], "mdns") for d in v6}:
        errors.append(f"unexpected responder {key}")
# Listed, not audited: nothing of theirs among the services and findings.
for s in r["services"]:
    if s["host"] != "10.213.0.4":
        errors.append(f"service of another host: {s}")
for f in r["findings"]:
    if f["location"]["host"] != "10.213.0.4":
        errors.append(f"finding at another host: {f['rule']} {f['location']}")
for d in r["run"].get("diagnostics", []):
    errors.append(f"diagnostic: {d}")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY

# ---- text ------------------------------------------------------------------------
lab_iotcop "${AUDIT[@]}" --no-udp --multicast br0 10.213.0.4 >"$LAB_DIR/text.txt" ||
  fail "text: exit $?"
grep -q "Discovered by multicast" "$LAB_DIR/text.txt" &&
  grep -q "10.213.0.2 udp/1900 ssdp on br0; SERVER 'Linux/5.10 UPnP/1.1 LabUPnP/2.3'" "$LAB_DIR/text.txt" &&
  grep -q "10.213.0.3 udp/5353 mdns on br0" "$LAB_DIR/text.txt" ||
  { fail "text: the responders are not listed"; cat "$LAB_DIR/text.txt"; }

# ---- no-multicast -------------------------------------------------------------------
before=$(grep -c "ssdp multicast from" "$LAB_DIR/ssdp2.log")
capture no-multicast
lab_iotcop "${AUDIT[@]}" -f json 10.213.0.4 >"$LAB_DIR/no-multicast.json" ||
  fail "no-multicast: exit $?"
capture_end
[ "$(count no-multicast 'dst host 10.213.0.4')" -ge 1 ] ||
  fail "no-multicast: the capture saw nothing of the audit (a broken capture?)"
sent=$(count no-multicast 'udp and (ip multicast or ip6 multicast)')
[ "$sent" = 0 ] || fail "no-multicast: $sent multicast datagram(s) sent without --multicast"
[ "$(grep -c "ssdp multicast from" "$LAB_DIR/ssdp2.log")" = "$before" ] ||
  fail "no-multicast: the responder saw an M-SEARCH"
python3 -c 'import json,sys; sys.exit("discovered" in json.load(open(sys.argv[1])))' \
  "$LAB_DIR/no-multicast.json" || fail "no-multicast: a discovered list"

# ---- group-target ---------------------------------------------------------------------
# A group named as a target is no way around --multicast: with a multicast
# route in place, the audit of 239.255.255.250 is refused as a usage error
# and sends it no datagram at all.
ip -n "$LAB_CLIENT" route add 224.0.0.0/4 dev br0
capture group-target
status=0
lab_iotcop "${AUDIT[@]}" -f json 239.255.255.250 >/dev/null 2>"$LAB_DIR/group.err" || status=$?
capture_end
[ "$status" = 2 ] || fail "group-target: exit $status, expected 2 (usage)"
grep -q "multicast or broadcast address" "$LAB_DIR/group.err" || fail "group-target: no message"
sent=$(count group-target 'udp and (ip multicast or ip6 multicast)')
[ "$sent" = 0 ] || fail "group-target: $sent multicast datagram(s) sent to a group named as a target"
ip -n "$LAB_CLIENT" route del 224.0.0.0/4 dev br0

# ---- bad-iface -----------------------------------------------------------------------
status=0
lab_iotcop device --multicast nosuch0 10.213.0.4 >/dev/null 2>"$LAB_DIR/bad.err" || status=$?
[ "$status" = 2 ] || fail "bad-iface: exit $status, expected 2"
grep -q "no network interface named 'nosuch0'" "$LAB_DIR/bad.err" || fail "bad-iface: no message"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_multicast: all cases pass"

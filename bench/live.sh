#!/usr/bin/env bash
# The live audit side by side with the nearest peer combination, on one lab
# of real servers (tests/live/lab.sh: network namespaces, jailed
# passwd/shadow), in one run:
#   iotcop   iotcop device --intrusive -f json HOSTS (the whole dictionary of
#            each service, then the lockout measurement)
#   peer     nmap -sV with the NSE scripts ftp-anon, mqtt-subscribe,
#            coap-resources, upnp-info, ssl-enum-ciphers and
#            http-default-accounts, then hydra on every telnet, ssh, ftp and
#            http port nmap found, with the pairs iotcop tries on that
#            service, in iotcop's order (see pairs() below), with hydra's
#            default 16 tasks (4 on SSH, as hydra advises; iotcop runs 16
#            login tasks per service, 3 on SSH, 4 on HTTP: see hydra_target).
# Both sides get the same hosts and TCP ports. nmap's telnet-brute,
# ftp-brute and ssh-brute are left out: hydra tries the same pairs, and
# running both would only make the peer slower.
#
# Measured per side and repetition: wall and CPU time (user+sys of the
# whole side, children included), connections opened (TCP SYNs and UDP
# datagrams sent from the client namespace, counted by tcpdump there;
# also the kernel's TcpActiveOpens, which a raw SYN scan does not move),
# and findings as (host, port, kind, credential), scored against TRUTH below
# (precision, recall). Prints a table; writes bench/out/live.json and
# every run's raw outputs (reports, nmap XML, hydra JSON, pcaps) in
# bench/out/live-runs/.
#
#   sudo bench/live.sh --score  (scores the runs kept in bench/out/live-runs
#                                again, without a lab)
#   sudo bench/live.sh [RUNS]   (default 3; needs root, nmap, hydra, tcpdump
#                                and the lab's servers: IOTCOP_BENCH=1 bash
#                                scripts/install-deps.sh)
# IOTCOP_BUILD overrides the build folder (default build/). LIVE_DEPTH (20)
# is how far down each service's list the planted pairs sit.
#
# Only the lab's own namespaces are ever targeted: every address below is
# 10.213.0.N inside them; nmap runs with -n (no DNS).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
score_only=0 runs=${1:-3}
if [ "$runs" = --score ]; then score_only=1; fi
build="${IOTCOP_BUILD:-$here/build}"
out="$here/bench/out"
depth=${LIVE_DEPTH:-20}
export IOTCOP_BIN="$build/iotcop"
[ -x "$IOTCOP_BIN" ] || { echo "build iotcop first ($IOTCOP_BIN)"; exit 1; }
for tool in nmap hydra tcpdump /bin/busybox /usr/sbin/dropbear /usr/sbin/vsftpd /usr/sbin/lighttpd \
  mosquitto mosquitto_passwd; do
  command -v "$tool" >/dev/null ||
    { echo "needs $tool: IOTCOP_BENCH=1 bash scripts/install-deps.sh"; exit 1; }
done
mkdir -p "$out"
results="$out/live-runs" # raw outputs of every run, kept for a look
[ "$score_only" = 0 ] || runs=$(find "$results" -mindepth 1 -maxdepth 1 -type d | wc -l)
TSV="$here/data/default-credentials.tsv"

# ---- The lab ------------------------------------------------------------------
# One row per device: host number (10.213.0.N), the function below that
# starts its servers. To add a service (TLS, SNMP, CoAP, UPnP, RTSP, web
# forms), add a lab_* function, a row here and its rows in TRUTH.
LAB="
2 lab_telnet_login
3 lab_telnet_shell
4 lab_ssh
5 lab_ftp_anonymous
6 lab_http_auth
7 lab_mqtt_anonymous
8 lab_mqtt_auth
"
# The TCP ports both sides scan: iotcop's default list (src/lib/live/audit.c).
PORTS="23,2323,22,80,8080,8000,8081,8888,443,8443,21,554,8554,1883,8883,7547,5555,502,81,49152,5000,9000,37777,34567"

# ---- The truth -------------------------------------------------------------------
# host port kind credential ("-": none). Kinds scored (anything else either
# side reports is left out of precision and recall):
#   default-credentials    a login with a dictionary pair works
#   anonymous-access       FTP anonymous login / MQTT without credentials
#   plaintext-login        telnet asking for a login, FTP greeting (CoP-5)
#   unauthenticated-shell  telnet straight into a shell
# $TELNET_PAIR etc. are the planted pairs, chosen in plant_pairs.
truth() {
  cat <<EOF
10.213.0.2 23 default-credentials $TELNET_PAIR
10.213.0.2 23 plaintext-login -
10.213.0.3 2323 unauthenticated-shell -
10.213.0.4 22 default-credentials $SSH_PAIR
10.213.0.5 21 anonymous-access -
10.213.0.5 21 plaintext-login -
10.213.0.6 80 default-credentials $HTTP_PAIR
10.213.0.6 8080 default-credentials $HTTP_PAIR
10.213.0.7 1883 anonymous-access -
10.213.0.8 1883 default-credentials $MQTT_PAIR
EOF
}
SCORED_KINDS="default-credentials anonymous-access plaintext-login unauthenticated-shell"

# ---- The pairs -------------------------------------------------------------------
# pairs DIR: DIR/SERVICE.txt (user:password per line) for telnet, ssh, ftp,
# http and mqtt, in the order iotcop tries them (src/lib/live/credentials.c):
# the dictionary grouped by service in order of first appearance, each group
# most-named first (ties in file order; tools/gen_credentials.py); then per
# probe its own rows ("http" also takes "http-basic") merged with the "any"
# rows, most-named first and its own first on ties, repeats dropped.
pairs() {
  python3 - "$TSV" "$1" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")][1:]
order = []
for r in rows:
    if r[0] not in order:
        order.append(r[0])
lists = lambda r: len([s for s in r[3].split(",") if s])
table = []
for svc in order:
    group = [r for r in rows if r[0] == svc]
    group.sort(key=lambda r: -lists(r))  # stable: file order on ties
    table += group
fits = {"http": ("http", "http-basic")}
for probe in ("telnet", "ssh", "ftp", "http", "mqtt"):
    own = sorted([r for r in table if r[0] in fits.get(probe, (probe,))], key=lambda r: -lists(r))
    anyp = sorted([r for r in table if r[0] == "any"], key=lambda r: -lists(r))
    out, seen, a, b = [], set(), 0, 0
    while a < len(own) or b < len(anyp):
        if b >= len(anyp) or (a < len(own) and lists(own[a]) >= lists(anyp[b])):
            r = own[a]; a += 1
        else:
            r = anyp[b]; b += 1
        if (r[1], r[2]) in seen:
            continue
        seen.add((r[1], r[2]))
        out.append((r[1], r[2]))
    with open("%s/%s.txt" % (sys.argv[2], probe), "w", encoding="utf-8") as f:
        for u, p in out:
            f.write("%s:%s\n" % (u, p))
PY
}

# plant SERVICE [USER]: the first pair at or after position $depth of the
# service's list (with USER if given) with a non-empty password and no ':',
# space or quote in it.
plant() {
  awk -F: -v d="$depth" -v u="${2:-}" 'NR > d && NF == 2 && $2 != "" && (u == "" || $1 == u) &&
    $1 != "" && $0 !~ /[ "\\'"'"']/ { print; exit }' "$PAIRS/$1.txt"
}

# ---- The lab's servers (functions named in LAB) --------------------------------
# Each is called with the host's namespace and address and sets `ports` to
# the TCP ports it listens on.
lab_telnet_login() { # busybox telnetd + login, root's password planted
  lab_passwd "$LAB_DIR/etc-telnet" "${TELNET_PAIR#*:}"
  mkdir -p "$LAB_DIR/bin"; ln -sf /bin/busybox "$LAB_DIR/bin/login"
  lab_jail "$1" "$LAB_DIR/etc-telnet" /bin/busybox telnetd -F -p 23 -l "$LAB_DIR/bin/login"
  ports="23"
}
lab_telnet_shell() { # busybox telnetd -l /bin/sh: no login at all
  lab_passwd "$LAB_DIR/etc-strong" "Zq$(openssl rand -hex 12)"
  lab_jail "$1" "$LAB_DIR/etc-strong" /bin/busybox telnetd -F -p 2323 -l /bin/sh
  ports="2323"
}
lab_ssh() { # dropbear, root's password planted
  lab_passwd "$LAB_DIR/etc-ssh" "${SSH_PAIR#*:}"
  dropbearkey -t ed25519 -f "$LAB_DIR/hostkey" >/dev/null 2>&1
  lab_jail "$1" "$LAB_DIR/etc-ssh" /usr/sbin/dropbear -F -E -r "$LAB_DIR/hostkey" -p "$2:22"
  ports="22"
}
lab_ftp_anonymous() { # vsftpd, anonymous only
  lab_passwd "$LAB_DIR/etc-ftp" "Zq$(openssl rand -hex 12)"
  mkdir -p "$LAB_DIR/ftp-root" "$LAB_DIR/empty"
  echo "firmware notes" >"$LAB_DIR/ftp-root/readme.txt"
  chmod 555 "$LAB_DIR/ftp-root"
  printf '%s\n' listen=YES listen_ipv6=NO "listen_address=$2" anonymous_enable=YES local_enable=NO \
    write_enable=NO "anon_root=$LAB_DIR/ftp-root" "secure_chroot_dir=$LAB_DIR/empty" ftp_username=ftp \
    nopriv_user=nobody seccomp_sandbox=NO isolate=NO isolate_network=NO background=NO \
    xferlog_enable=NO >"$LAB_DIR/vsftpd.conf"
  lab_jail "$1" "$LAB_DIR/etc-ftp" /usr/sbin/vsftpd "$LAB_DIR/vsftpd.conf"
  ports="21"
}
lab_http_auth() { # lighttpd: basic on :80, digest on :8080, the pair planted
  mkdir -p "$LAB_DIR/www"; echo "<html><body>camera</body></html>" >"$LAB_DIR/www/index.html"
  printf '%s\n' "$HTTP_PAIR" >"$LAB_DIR/users"
  cat >"$LAB_DIR/lighttpd.conf" <<CONF
server.modules = ("mod_auth", "mod_authn_file")
server.document-root = "$LAB_DIR/www"
server.bind = "$2"
server.port = 80
index-file.names = ("index.html")
server.errorlog = "$LAB_DIR/lighttpd.err"
auth.backend = "plain"
auth.backend.plain.userfile = "$LAB_DIR/users"
\$SERVER["socket"] == "$2:8080" {
  auth.require = ("/" => ("method" => "digest", "realm" => "camera", "require" => "valid-user")) }
\$SERVER["socket"] == "$2:80" {
  auth.require = ("/" => ("method" => "basic", "realm" => "camera", "require" => "valid-user")) }
CONF
  lab_run "$1" /usr/sbin/lighttpd -D -f "$LAB_DIR/lighttpd.conf"
  ports="80 8080"
}
lab_mqtt_anonymous() { # mosquitto allowing anonymous clients
  printf 'user root\nlistener 1883 %s\nallow_anonymous true\npersistence false\n' "$2" >"$LAB_DIR/anon.conf"
  lab_run "$1" mosquitto -c "$LAB_DIR/anon.conf"
  ports="1883"
}
lab_mqtt_auth() { # mosquitto with a password file holding the planted pair
  : >"$LAB_DIR/mqtt-passwords"
  mosquitto_passwd -b "$LAB_DIR/mqtt-passwords" "${MQTT_PAIR%%:*}" "${MQTT_PAIR#*:}"
  printf 'user root\nlistener 1883 %s\nallow_anonymous false\npassword_file %s\npersistence false\n' \
    "$2" "$LAB_DIR/mqtt-passwords" >"$LAB_DIR/auth.conf"
  lab_run "$1" mosquitto -c "$LAB_DIR/auth.conf"
  ports="1883"
}

# ---- Score and report ------------------------------------------------------------------
score() {
python3 - "$results/truth.txt" "$results" "$runs" "$out/live.json" "$SCORED_KINDS" <<'PY'
import json, os, re, statistics, sys, xml.etree.ElementTree as ET
truth_path, results, runs, out_path, kinds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5].split()
truth = set()
for line in open(truth_path):
    h, p, k, c = line.split()
    truth.add((h, int(p), k, None if c == "-" else c))

def iotcop_findings(d):
    kind = {"device.default-credentials": "default-credentials", "device.ftp-anonymous": "anonymous-access",
            "device.mqtt-anonymous": "anonymous-access", "device.plaintext-login": "plaintext-login",
            "device.unauthenticated-shell": "unauthenticated-shell"}
    got = set()
    for line in open(os.path.join(d, "iotcop.jsonl")):
        if not line.strip():
            continue
        r = json.loads(line)
        for f in r.get("findings", []):
            k = kind.get(f["rule"])
            if not k:
                continue
            cred = None
            m = re.search(r"user '([^']*)', password '([^']*)'", f.get("evidence", ""))
            if k == "default-credentials" and m:
                cred = m.group(1) + ":" + m.group(2)
            got.add((f["location"]["host"], int(f["location"]["port"]), k, cred))
    return got

def peer_findings(d):
    got = set()
    root = ET.parse(os.path.join(d, "nmap.xml")).getroot()
    for h in root.iter("host"):
        addr = h.find("address").get("addr")
        for p in h.iter("port"):
            st, sv = p.find("state"), p.find("service")
            if st is None or st.get("state") != "open":
                continue
            port, name = int(p.get("portid")), sv.get("name") if sv is not None else ""
            if name in ("telnet", "ftp"):
                got.add((addr, port, "plaintext-login", None))
            for s in p.iter("script"):
                o = s.get("output", "")
                if s.get("id") == "ftp-anon" and "Anonymous FTP login allowed" in o:
                    got.add((addr, port, "anonymous-access", None))
                if s.get("id") == "mqtt-subscribe" and not re.search(r"(?i)refused|rejected|not authori|error|failed", o):
                    got.add((addr, port, "anonymous-access", None))
                if s.get("id") == "http-default-accounts":
                    for m in re.finditer(r"^\s+(\S*):(\S*)\s*$", o, re.M):
                        got.add((addr, port, "default-credentials", m.group(1) + ":" + m.group(2)))
    for name in os.listdir(d):
        if name.startswith("hydra-") and name.endswith(".json"):
            try:
                doc = json.load(open(os.path.join(d, name)))
            except ValueError:
                continue
            for x in doc.get("results", []):
                user, pw = x.get("login", ""), x.get("password", "")
                if x.get("service") == "ftp" and user in ("anonymous", "ftp"):
                    got.add((x["host"], int(x["port"]), "anonymous-access", None))
                else:
                    got.add((x["host"], int(x["port"]), "default-credentials", user + ":" + pw))
    return got

def score(got):
    got = {g for g in got if g[2] in kinds}
    tp = got & truth
    return {"found": len(got), "true_positives": len(tp),
            "precision": len(tp) / len(got) if got else 1.0, "recall": len(tp) / len(truth),
            "false_positives": sorted("%s:%d %s %s" % (h, p, k, c or "-") for h, p, k, c in got - truth),
            "missed": sorted("%s:%d %s %s" % (h, p, k, c or "-") for h, p, k, c in truth - got)}, got

report = {"runs": runs, "truth": sorted("%s:%d %s %s" % (h, p, k, c or "-") for h, p, k, c in truth), "sides": {}}
seen = {}
for side, parse in (("iotcop", iotcop_findings), ("peer", peer_findings)):
    walls, cpus, syns, udps, opens, scores = [], [], [], [], [], []
    for r in range(1, runs + 1):
        d = os.path.join(results, str(r))
        w, u, s = map(float, open(os.path.join(d, side + ".time")).read().split())
        syn, udp, op = map(int, open(os.path.join(d, side + ".counts")).read().split())
        walls.append(w); cpus.append(u + s); syns.append(syn); udps.append(udp); opens.append(op)
        sc, got = score(parse(d))
        scores.append(sc)
        seen.setdefault(side, set()).update(got)
    report["sides"][side] = {"wall_s": walls, "cpu_s": cpus, "tcp_syns": syns, "udp_datagrams": udps,
                             "tcp_active_opens": opens, "median_wall_s": statistics.median(walls),
                             "median_cpu_s": statistics.median(cpus), "median_tcp_syns": statistics.median(syns),
                             "median_udp_datagrams": statistics.median(udps), "score_per_run": scores}
i, p = report["sides"]["iotcop"], report["sides"]["peer"]
report["wall_ratio_peer_over_iotcop"] = p["median_wall_s"] / i["median_wall_s"]
report["cpu_ratio_peer_over_iotcop"] = p["median_cpu_s"] / i["median_cpu_s"] if i["median_cpu_s"] else None
report["syn_ratio_peer_over_iotcop"] = p["median_tcp_syns"] / i["median_tcp_syns"] if i["median_tcp_syns"] else None
json.dump(report, open(out_path, "w"), indent=2)

print("\n%-8s %9s %8s %9s %7s %9s %9s" % ("side", "wall s", "cpu s", "TCP SYNs", "UDP", "precision", "recall"))
for side in ("iotcop", "peer"):
    x = report["sides"][side]
    last = x["score_per_run"][-1]
    print("%-8s %9.2f %8.2f %9d %7d %9.2f %9.2f" % (side, x["median_wall_s"], x["median_cpu_s"], x["median_tcp_syns"],
                                                    x["median_udp_datagrams"], min(s["precision"] for s in x["score_per_run"]),
                                                    min(s["recall"] for s in x["score_per_run"])))
print("peer/iotcop (medians): wall %.1fx, cpu %s, TCP SYNs %s" % (report["wall_ratio_peer_over_iotcop"],
      "%.1fx" % report["cpu_ratio_peer_over_iotcop"] if report["cpu_ratio_peer_over_iotcop"] else "-",
      "%.1fx" % report["syn_ratio_peer_over_iotcop"] if report["syn_ratio_peer_over_iotcop"] else "-"))
print("\nfindings (any run)                                   truth iotcop peer")
for t in sorted(truth | seen["iotcop"] | seen["peer"], key=lambda t: (t[0], t[1], t[2])):
    if t[2] not in kinds:
        continue
    mark = lambda s: "yes" if t in s else "-"
    print("%-52s %5s %6s %4s" % ("%s:%d %s %s" % (t[0], t[1], t[2], t[3] or ""), mark(truth), mark(seen["iotcop"]), mark(seen["peer"])))
print("(precision and recall: the worst run; bench/out/live.json has every run)")
phases = {}
for r in range(1, runs + 1):
    path = os.path.join(results, str(r), "peer.phases")
    for line in open(path) if os.path.exists(path) else []:
        name, sec = line.split()
        phases.setdefault(name, []).append(float(sec))
for side in ("iotcop", "peer"):
    spans = {}
    for r in range(1, runs + 1):
        path = os.path.join(results, str(r), side + ".hosts")
        for line in open(path) if os.path.exists(path) else []:
            h, last, n = line.split()
            spans.setdefault(h, []).append((float(last), int(n)))
    if spans:
        report["sides"][side]["per_host_last_syn_s_and_syns"] = spans
        print("%s per host (median s to last SYN / SYNs): " % side + ", ".join(
            "%s %.1f/%d" % (h.split(".")[-1], statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
            for h, v in sorted(spans.items())))
json.dump(report, open(out_path, "w"), indent=2)
if phases:
    print("peer phases (median s): " + ", ".join("%s %.1f" % (k, statistics.median(v)) for k, v in phases.items()))
    report["peer_phases_s"] = phases
    json.dump(report, open(out_path, "w"), indent=2)
PY
}

if [ "$score_only" = 1 ]; then score; exit 0; fi

# ---- Build the lab -----------------------------------------------------------------
source "$here/tests/live/lab.sh"
lab_init
PAIRS="$LAB_DIR/pairs"; mkdir -p "$PAIRS"
pairs "$PAIRS"
TELNET_PAIR=$(plant telnet root)
SSH_PAIR=$(plant ssh root)
HTTP_PAIR=$(plant http)
MQTT_PAIR=$(plant mqtt)
for p in TELNET_PAIR SSH_PAIR HTTP_PAIR MQTT_PAIR; do
  [ -n "${!p}" ] || { echo "no pair to plant for $p at depth $depth"; exit 1; }
done
truth >"$LAB_DIR/truth.txt"
hosts=() waits=()
while read -r n setup; do
  [ -n "$n" ] || continue
  ns=$(lab_host "$n")
  "$setup" "$ns" "10.213.0.$n"
  for port in $ports; do waits+=("$ns 10.213.0.$n $port"); done
  hosts+=("10.213.0.$n")
done <<<"$LAB"
for w in "${waits[@]}"; do lab_wait_port $w; done
echo "lab: ${#hosts[@]} hosts (${hosts[*]}); planted telnet $TELNET_PAIR, ssh $SSH_PAIR," \
  "http $HTTP_PAIR, mqtt $MQTT_PAIR; pairs per service:" \
  "$(for s in telnet ssh ftp http mqtt; do printf '%s %s ' "$s" "$(wc -l <"$PAIRS/$s.txt")"; done)"

# ---- The two sides -------------------------------------------------------------------
# Each writes its raw output into the directory given.
side_iotcop() {
  lab_iotcop device --intrusive --no-udp -f json --ports "$PORTS" "${hosts[@]}" >"$1/iotcop.jsonl" || true
}
# hydra's pair list, tasks, module and options for a service nmap named; empty:
# not a login hydra tries. Tasks: hydra's default (16), 4 for SSH as hydra
# itself advises (SSH servers drop unauthenticated connections beyond a few;
# iotcop runs 16 login tasks per service, 3 on SSH, 4 on HTTP as http.c asks).
hydra_target() { # SERVICE PORT
  case "$1" in
    telnet) echo "telnet 16 telnet" ;;
    ssh) echo "ssh 4 ssh" ;;
    ftp) echo "ftp 16 ftp" ;;
    http*) echo "http 16 http-get /" ;;
  esac
}
since() { awk -v now="$EPOCHREALTIME" -v t0="$1" 'BEGIN { printf "%.3f", now - t0 }'; }
side_peer() {
  local dir="$1" svc port list tasks module opt t0=$EPOCHREALTIME
  ip netns exec "$LAB_CLIENT" nmap -n -sV -p "$PORTS" \
    --script ftp-anon,mqtt-subscribe,coap-resources,upnp-info,ssl-enum-ciphers,http-default-accounts \
    -oX "$dir/nmap.xml" "${hosts[@]}" >"$dir/nmap.txt" 2>&1 || true
  echo "nmap $(since "$t0")" >"$dir/peer.phases"
  # Every open port nmap named as a login service, grouped by (service, port).
  python3 - "$dir/nmap.xml" >"$dir/logins.txt" <<'PY'
import sys, xml.etree.ElementTree as ET
for h in ET.parse(sys.argv[1]).getroot().iter("host"):
    addr = h.find("address").get("addr")
    for p in h.iter("port"):
        st, sv = p.find("state"), p.find("service")
        if st is not None and st.get("state") == "open" and sv is not None:
            print(sv.get("name"), p.get("portid"), addr)
PY
  while read -r svc port; do
    t0=$EPOCHREALTIME
    read -r list tasks module opt <<<"$(hydra_target "$svc" "$port")"
    [ -n "${module:-}" ] || continue
    awk -v s="$svc" -v p="$port" '$1 == s && $2 == p { print $3 }' "$dir/logins.txt" >"$dir/hosts-$svc-$port.txt"
    ip netns exec "$LAB_CLIENT" hydra -I -f -t "$tasks" -C "$PAIRS/$list.txt" -M "$dir/hosts-$svc-$port.txt" \
      -s "$port" -o "$dir/hydra-$svc-$port.json" -b json "$module" ${opt:-} \
      >>"$dir/hydra.txt" 2>&1 || true
    echo "hydra-$svc-$port $(since "$t0")" >>"$dir/peer.phases"
  done < <(awk '{ print $1, $2 }' "$dir/logins.txt" | sort -u)
}

# measure SIDE DIR: runs side_SIDE with tcpdump counting in the client
# namespace; writes DIR/SIDE.time (wall user sys) and DIR/SIDE.counts.
measure() {
  local side="$1" dir="$2" pid opens0 opens1
  ip netns exec "$LAB_CLIENT" tcpdump -i br0 -n -U -w "$dir/$side.pcap" \
    'src host 10.213.0.1 and (((tcp[tcpflags] & (tcp-syn|tcp-ack)) == tcp-syn) or udp)' \
    2>"$dir/$side.tcpdump.log" &
  pid=$!
  for _ in $(seq 1 50); do grep -qs listening "$dir/$side.tcpdump.log" && break; sleep 0.1; done
  opens0=$(ip netns exec "$LAB_CLIENT" awk '/^Tcp: [0-9]/ { print $6 }' /proc/net/snmp)
  local TIMEFORMAT='%R %U %S'
  { time "side_$side" "$dir" >"$dir/$side.log" 2>&1; } 2>"$dir/$side.time"
  opens1=$(ip netns exec "$LAB_CLIENT" awk '/^Tcp: [0-9]/ { print $6 }' /proc/net/snmp)
  sleep 0.5
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true
  local syn udp
  syn=$(tcpdump -n -r "$dir/$side.pcap" tcp 2>/dev/null | wc -l)
  udp=$(tcpdump -n -r "$dir/$side.pcap" udp 2>/dev/null | wc -l)
  echo "$syn $udp $((opens1 - opens0))" >"$dir/$side.counts"
  # Per host: seconds from the side's first packet to its last SYN to that
  # host, and SYNs sent to it (where each side spends its time).
  tcpdump -n -tt -r "$dir/$side.pcap" tcp 2>/dev/null | awk '{
      split($5, a, "."); h = a[1] "." a[2] "." a[3] "." a[4]
      if (t0 == "") t0 = $1
      last[h] = $1; n[h]++ }
    END { for (h in n) printf "%s %.1f %d\n", h, last[h] - t0, n[h] }' | sort >"$dir/$side.hosts"
}

rm -rf "$results"; mkdir -p "$results"
cp "$LAB_DIR/truth.txt" "$results/truth.txt"
for r in $(seq 1 "$runs"); do
  for side in iotcop peer; do
    mkdir -p "$results/$r"
    measure "$side" "$results/$r"
    echo "run $r $side: $(cat "$results/$r/$side.time") (wall user sys), $(cat "$results/$r/$side.counts") (SYNs UDP ActiveOpens)"
  done
done

score

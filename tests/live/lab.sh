# A lab of real servers for the live audit tests (sourced, not run).
#
# lab_init creates a client network namespace with a bridge; lab_host adds
# a "device" namespace on that bridge with a private IPv4 (10.213.0.N/24)
# and IPv6 (fd00:213::N/64) address. Nothing here touches the machine's own
# network: every address lives inside the namespaces, and iotcop runs in the
# client namespace (lab_iotcop). Login servers run in a mount namespace with
# their own /etc/passwd and /etc/shadow bind-mounted over the real ones
# (lab_jail), so no login ever reaches the machine's accounts. lab_cleanup
# (installed as an EXIT trap by lab_init) kills what the lab started and
# deletes the namespaces.
#
# Needs root, iproute2 and unshare; lab_init exits 77 (skip) with a message
# when namespaces cannot be created.

LAB_ID="ic$$"
LAB_CLIENT="${LAB_ID}c"
LAB_DIR=""
LAB_PIDS=()
LAB_NS=("$LAB_CLIENT")

lab_cleanup() {
  local pid ns
  for pid in "${LAB_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Every namespace named after this lab: lab_host runs in a command
  # substitution ($(lab_host N)), so LAB_NS alone misses the hosts.
  for ns in "${LAB_NS[@]}" $(ip netns list 2>/dev/null | awk -v id="$LAB_ID" 'index($1, id "h") == 1 { print $1 }'); do
    # Anything still running inside a namespace of ours.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  [ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
}

lab_init() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the live lab needs root for network namespaces"; exit 77; fi
  command -v ip >/dev/null && command -v unshare >/dev/null ||
    { echo "SKIP: the live lab needs ip (iproute2) and unshare"; exit 77; }
  if ! ip netns add "$LAB_CLIENT" 2>/dev/null; then
    echo "SKIP: cannot create network namespaces here"; exit 77
  fi
  trap lab_cleanup EXIT
  LAB_DIR="${IOTCOP_TMP:-/tmp}/lab.$LAB_ID"
  rm -rf "$LAB_DIR"; mkdir -p "$LAB_DIR"
  ip -n "$LAB_CLIENT" link set lo up
  ip -n "$LAB_CLIENT" link add br0 type bridge
  ip -n "$LAB_CLIENT" link set br0 up
  ip -n "$LAB_CLIENT" addr add 10.213.0.1/24 dev br0
  ip -n "$LAB_CLIENT" addr add fd00:213::1/64 dev br0 nodad
}

# lab_host N [v6only]: a device namespace at 10.213.0.N and fd00:213::N.
# Prints the namespace name.
lab_host() {
  local n="$1" mode="${2:-}" ns="${LAB_ID}h$1"
  ip netns add "$ns"
  LAB_NS+=("$ns")
  ip link add "${LAB_ID}v$n" netns "$LAB_CLIENT" type veth peer name eth0 netns "$ns"
  ip -n "$LAB_CLIENT" link set "${LAB_ID}v$n" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  [ "$mode" = v6only ] || ip -n "$ns" addr add "10.213.0.$n/24" dev eth0
  ip -n "$ns" addr add "fd00:213::$n/64" dev eth0 nodad
  echo "$ns"
}

# lab_passwd DIR ROOT_PASSWORD: DIR/passwd and DIR/shadow with root (and
# the service users servers expect), root's password hashed with MD5-crypt.
lab_passwd() {
  local dir="$1" hash
  mkdir -p "$dir"
  hash=$(openssl passwd -1 "$2")
  cat >"$dir/passwd" <<EOF
root:x:0:0:root:/:/bin/sh
ftp:x:2100:2100:ftp:/srv/ftp:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$dir/shadow" <<EOF
root:$hash:19000:0:99999:7:::
ftp:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
  printf 'root:x:0:\nftp:x:2100:\nnogroup:x:65534:\n' >"$dir/group"
  chmod 600 "$dir/shadow"
}

# lab_jail NS ETCDIR COMMAND...: runs COMMAND in the background inside NS and
# a private mount namespace where ETCDIR's passwd, shadow and group replace
# the real ones.
lab_jail() {
  local ns="$1" etc="$2"; shift 2
  ip netns exec "$ns" unshare -m --propagation private sh -c '
    mount --bind "$0/passwd" /etc/passwd &&
    mount --bind "$0/shadow" /etc/shadow &&
    mount --bind "$0/group" /etc/group &&
    exec "$@"' "$etc" "$@" >"$LAB_DIR/$ns.$$.$RANDOM.log" 2>&1 &
  LAB_PIDS+=("$!")
}

# lab_run NS COMMAND...: runs COMMAND in the background inside NS.
lab_run() {
  local ns="$1"; shift
  ip netns exec "$ns" "$@" >>"$LAB_DIR/$ns.log" 2>&1 &
  LAB_PIDS+=("$!")
}

# lab_wait_port NS ADDR PORT: waits until ADDR:PORT accepts (up to 10 s),
# probing from the client namespace.
lab_wait_port() {
  local i
  for i in $(seq 1 100); do
    if ip netns exec "$LAB_CLIENT" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "lab: nothing listens on $2 port $3" >&2
  return 1
}

# lab_avahi NS IPV6: avahi-daemon in NS (host name labcam, IPv6 "yes" or
# "no"), publishing one _http._tcp service on port 80, in a private mount
# namespace so the machine's own /run/avahi-daemon and services stay
# untouched. Logs to $LAB_DIR/avahi.log ("Server startup complete" when up).
lab_avahi() {
  mkdir -p "$LAB_DIR/avahi-run" "$LAB_DIR/avahi-services"
  cat >"$LAB_DIR/avahi.conf" <<CONF
[server]
host-name=labcam
domain-name=local
use-ipv4=yes
use-ipv6=$2
allow-interfaces=eth0
enable-dbus=no
[publish]
publish-workstation=no
publish-hinfo=no
CONF
  cat >"$LAB_DIR/avahi-services/http.service" <<'XML'
<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group><name>Lab camera web</name>
<service><type>_http._tcp</type><port>80</port></service></service-group>
XML
  ip netns exec "$1" unshare -m --propagation private sh -c '
    mount --bind "$0/avahi-run" /run/avahi-daemon 2>/dev/null ||
      { mkdir -p /run/avahi-daemon && mount --bind "$0/avahi-run" /run/avahi-daemon; } &&
    mount --bind "$0/avahi-services" /etc/avahi/services &&
    exec avahi-daemon -f "$0/avahi.conf" --no-drop-root --no-chroot --no-rlimits' "$LAB_DIR" \
    >"$LAB_DIR/avahi.log" 2>&1 &
  LAB_PIDS+=("$!")
}

# lab_iotcop ARGS...: runs iotcop in the client namespace.
lab_iotcop() {
  ip netns exec "$LAB_CLIENT" "$IOTCOP_BIN" "$@"
}

# lab_ca DIR: a test CA (RSA 2048, SHA-256) in DIR/ca.crt and DIR/ca.key,
# with an `openssl ca` configuration (DIR/ca.cnf) for certificates with
# chosen dates.
lab_ca() {
  local dir="$1"
  mkdir -p "$dir/issued"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=iotcop lab CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  : >"$dir/index.txt"
  echo 1000 >"$dir/serial"
  cat >"$dir/ca.cnf" <<CNF
[ca]
default_ca = lab
[lab]
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
certificate = $dir/ca.crt
private_key = $dir/ca.key
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
CNF
}

# lab_cert CADIR NAME BITS DIGEST START END: NAME.crt/NAME.key in CADIR, an RSA
# key of BITS bits for CN=NAME (and DNS:NAME), signed by the lab CA with
# DIGEST, valid from START to END (YYYYMMDDHHMMSSZ).
lab_cert() {
  local dir="$1" name="$2"
  openssl req -new -newkey "rsa:$3" -nodes -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl ca -batch -config "$dir/ca.cnf" -md "$4" -startdate "$5" -enddate "$6" -notext \
    -in "$dir/$name.csr" -out "$dir/$name.crt" 2>/dev/null
}

# lab_iotcop_hosts HOSTS-FILE ARGS...: runs iotcop in the client namespace
# with HOSTS-FILE in place of /etc/hosts (in a private mount namespace), so
# the lab's names resolve there and nowhere else.
lab_iotcop_hosts() {
  local hosts="$1"; shift
  ip netns exec "$LAB_CLIENT" unshare -m --propagation private sh -c '
    mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" "$IOTCOP_BIN" "$@"
}

#!/usr/bin/env bash
# Component identification on the firmware fixtures (sample, clean, old;
# their vendor.bin, and the sample's firmware.uimage): every component that went in is in
# the report's "components" at the upstream version of the Debian package it
# came from (read from the fixture's layers.json, never hard-coded), with its
# NVD CPE name, and nothing else is claimed. U-Boot is only in vendor.bin.
# The busybox applets recorded are a superset of the applet links the
# fixture made (it links only applets the binary has). uClibc is checked on a
# real sample of another project (names only); rpmdb.sqlite on a real RPM
# database made by Debian's rpm.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] || exit 77
[ -f "$IOTCOP_FIXTURES/sample/layers.json" ] || { echo "fixtures not built"; exit 77; }
T="${IOTCOP_TMP:-/tmp}/cli-components.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# vendor.bin holds everything firmware.uimage does, plus U-Boot; the sample's
# uImage shows that U-Boot is not claimed where it is absent.
for fixture in sample clean old; do
  dir="$IOTCOP_FIXTURES/$fixture"
  [ -f "$dir/layers.json" ] || { echo "skip $fixture: not built"; continue; }
  images="vendor.bin"
  [ "$fixture" != sample ] || images="firmware.uimage vendor.bin"
  for image in $images; do
    out="$T/$fixture-$image.json"
    "$IOTCOP_BIN" firmware --format json -o "$out" "$dir/$image" ||
      { rc=$?; [ $rc -le 1 ] || fail "$fixture/$image: firmware exited $rc"; }
    python3 - "$dir/layers.json" "$dir/rootfs.squashfs.manifest.jsonl" "$out" "$image" <<'PY' ||
import json, re, sys
layers, manifest_path, report_path, image = sys.argv[1:5]
packages = json.load(open(layers))["packages"]
report = json.load(open(report_path))
# Fixture role -> (component, the CPE vendor:product NVD uses).
ROLES = {
    "busybox": ("busybox", "busybox:busybox"),
    "dropbear": ("dropbear", "dropbear_ssh_project:dropbear_ssh"),
    "lighttpd": ("lighttpd", "lighttpd:lighttpd"),
    "libssl": ("openssl", "openssl:openssl"),
    "dnsmasq": ("dnsmasq", "thekelleys:dnsmasq"),
    "mosquitto": ("mosquitto", "eclipse:mosquitto"),
    "libc": ("glibc", "gnu:glibc"),
    "zlib": ("zlib", "zlib:zlib"),
    "kernel": ("linux", "o:linux:linux_kernel"),
    "uboot": ("u-boot", "denx:u-boot"),
}
def upstream(v):
    v = v.split(":", 1)[-1]
    v = v.rsplit("-", 1)[0]
    return re.split(r"[+.]dfsg", v)[0]
expected = {}
for p in packages:
    if p["role"] in ROLES:
        name, cpe = ROLES[p["role"]]
        if name == "u-boot" and image != "vendor.bin":
            continue  # firmware.uimage holds the kernel and the rootfs only
        expected[name] = (upstream(p["version"]), cpe)
errors = []
got = {}
for c in report["components"]:
    if c["name"] in got:
        errors.append("%s claimed twice: %s and %s" % (c["name"], got[c["name"]]["version"], c["version"]))
    got[c["name"]] = c
for name, (version, cpe) in sorted(expected.items()):
    c = got.get(name)
    if not c:
        errors.append("%s %s not identified" % (name, version))
        continue
    if c["version"] != version:
        errors.append("%s: version %s, Debian ships %s" % (name, c["version"], version))
    part, vendor, product = (["a"] + cpe.split(":"))[-3:]
    # A plain release has update "-" (NA), as in the NVD fixture's README.
    want = "cpe:2.3:%s:%s:%s:%s:-:*:*:*:*:*:*" % (part, vendor, product, version)
    if want not in c["cpe"]:
        errors.append("%s: %s not in %s" % (name, want, c["cpe"]))
    if not c["paths"] or not c["evidence"]:
        errors.append("%s: no paths or evidence" % name)
for name in sorted(set(got) - set(expected)):
    errors.append("claimed %s %s, which did not go in (%s)" % (name, got[name]["version"], got[name]["evidence"]))
# Applets: every busybox link the fixture made is an applet the report lists.
links = set()
for line in open(manifest_path):
    e = json.loads(line)
    if e["type"] == "symlink" and e.get("link", "").endswith("busybox"):
        links.add(e["path"].rsplit("/", 1)[-1])
links.discard("init")  # /sbin/init -> busybox: init is an applet too, but checked below
features = set((got.get("busybox") or {}).get("features") or [])
missing = sorted(links - features)
if missing:
    errors.append("applets linked but not recorded: %s" % missing)
if "init" not in features:
    errors.append("busybox init applet not recorded")
if len(features) < len(links):
    errors.append("only %d applets" % len(features))
for e in errors:
    print("  " + e)
print("%s: %d components, %d applets" % (report_path.rsplit("/", 1)[-1], len(got), len(features)))
sys.exit(1 if errors else 0)
PY
      fail "$fixture/$image"
  done
done
# A real uClibc from another project's firmware (binwalk's legacy
# firmware.squashfs, a 2009 buildroot MIPS image): its version is only in the
# library's file names (libuClibc-0.9.30.1.so, ld-uClibc-0.9.30.1.so).
LEGACY="${IOTCOP_SHARED:-/nonexistent}/samples/binwalk/legacy-input-vectors/firmware.squashfs"
if [ -f "$LEGACY" ]; then
  "$IOTCOP_BIN" firmware --format json --no-vulndb -o "$T/legacy.json" "$LEGACY" ||
    { rc=$?; [ $rc -le 1 ] || fail "legacy: firmware exited $rc"; }
  python3 - "$T/legacy.json" <<'PY' || fail "legacy uClibc"
import json, sys
got = {c["name"]: c for c in json.load(open(sys.argv[1]))["components"]}
u = got.get("uclibc")
assert u and u["version"] == "0.9.30.1", got.keys()
assert "cpe:2.3:a:uclibc:uclibc:0.9.30.1:-:*:*:*:*:*:*" in u["cpe"], u["cpe"]
assert u["paths"] == ["/lib/ld-uClibc-0.9.30.1.so", "/lib/libuClibc-0.9.30.1.so"], u["paths"]
assert u["evidence"].startswith('file name "'), u["evidence"]
assert "uclibc-ng" not in got, got["uclibc-ng"]
PY
else
  echo "skip the uClibc sample: no $LEGACY"
fi

# A real RPM database (rpm --initdb, rpm -i --justdb of two packages built
# by rpmbuild): every package rpm itself lists is a component, at its
# version, with a pkg:rpm purl; dropbear is the known component.
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
rc=0; bash "$LIB/make_rpmdb.sh" "$T/rpm" "$T/rpmdb.squashfs" || rc=$?
if [ $rc -eq 0 ]; then
  rpm --dbpath "$T/rpm/db" -qa --qf '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH}\n' >"$T/rpm-qa.txt"
  "$IOTCOP_BIN" firmware --format json --no-vulndb -o "$T/rpm.json" "$T/rpmdb.squashfs" ||
    { rc=$?; [ $rc -le 1 ] || fail "rpm: firmware exited $rc"; }
  python3 - "$T/rpm.json" "$T/rpm-qa.txt" <<'PY' || fail "rpm database"
import json, sys
got = {c["name"]: c for c in json.load(open(sys.argv[1]))["components"]}
listed = [l.split() for l in open(sys.argv[2]) if l.strip()]
assert len(listed) == 2 and len(got) == 2, (listed, sorted(got))
for name, epoch, version, release, arch in listed:
    c = got.get(name)
    assert c and c["version"] == version, (name, c)
    qualifiers = f"?arch={arch}" + (f"&epoch={epoch}" if epoch != "0" else "")
    assert c["purl"] == f"pkg:rpm/{name}@{version}-{release}{qualifiers}", c["purl"]
    assert c["paths"] == ["/var/lib/rpm/rpmdb.sqlite"], c["paths"]
    assert f"package {name} " in c["evidence"], c["evidence"]
assert "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2019.78:-:*:*:*:*:*:*" in got["dropbear"]["cpe"]
assert got["hello-iotcop"]["cpe"] == []
PY
elif [ $rc -eq 77 ]; then
  echo "skip the RPM database: no rpm tools"
else
  fail "make_rpmdb.sh exited $rc"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "components: ok"

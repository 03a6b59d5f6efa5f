#!/usr/bin/env bash
# `iotcop firmware --vulndb` end to end, with a store imported from the real
# NVD records of $IOTCOP_SHARED/data/nvd:
# - on the fixtures built from real Debian binaries (sample, clean, old; the
#   components they carry are read from the reports, whose versions
#   components.sh checks against each fixture's layers.json): every row of
#   the README's expected-match table whose vendor:product:version:update is
#   a CPE of a component holds exactly, and for every component the CVEs
#   reported equal those of an independent reference matcher written here
#   from the README's 'Matching conventions' (rules 1-7) over the records'
#   configurations; each finding has its rule, CoP-3, cve, the record's CVSS
#   and the matched criterion as evidence; the same for a real RPM database
#   (tests/cli/lib/make_rpmdb.sh) that lists dropbear 2019.78;
# - not applicable: a real busybox without udhcpc (binwalk's legacy
#   firmware.squashfs, BusyBox 1.14.1) and real kernel configurations (FACT's
#   4.19.189 config without nf_tables; Debian's 5.10.223 armmp config with
#   it, when the package cache has it) give vuln.not-applicable exactly where
#   data/cve-features.json says the feature is missing; the CycloneDX VEX
#   says not_affected / code_not_present and validates, SPDX too;
# - --no-vulndb, the default store, a store that cannot be opened.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
NVD="$IOTCOP_SHARED/data/nvd"
[ -f "$NVD/nvd-cve-2.0-page1.json" ] || { echo "no $NVD"; exit 77; }
[ -f "${IOTCOP_FIXTURES:-}/sample/layers.json" ] || { echo "fixtures not built"; exit 77; }
T="${IOTCOP_TMP:-/tmp}/cli-firmware_vulndb.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
B="$IOTCOP_BIN"
DB="$T/store.sqlite"
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
"$B" vulndb import -q --db "$DB" "$NVD"/nvd-cve-2.0-page*.json || fail "import exited $?"

# Runs firmware on an image into $T/NAME.json; exit 0 or 1 are fine.
audit() {
  local name=$1; shift
  local rc=0
  "$B" firmware --format json -o "$T/$name.json" "$@" || rc=$?
  [ $rc -le 1 ] || fail "$name: firmware exited $rc"
}

reports=()
for fixture in sample clean old; do
  image="$IOTCOP_FIXTURES/$fixture/vendor.bin"
  [ -f "$image" ] || { echo "skip $fixture: not built"; continue; }
  audit "$fixture" --vulndb "$DB" "$image"
  reports+=("$T/$fixture.json")
done

# Real busybox without some applets.
LEGACY="$IOTCOP_SHARED/samples/binwalk/legacy-input-vectors/firmware.squashfs"
if [ -f "$LEGACY" ]; then
  audit legacy --vulndb "$DB" "$LEGACY"
  reports+=("$T/legacy.json")
else
  fail "no $LEGACY"
fi

# Real kernel configurations in a SquashFS made here.
KCONFIG="$IOTCOP_SHARED/samples/fact-core/kernel_config/configs/CONFIG"
DEBIAN_KERNEL="${IOTCOP_CACHE:-$HOME/.cache/iotcop}/debs/bullseye/armhf/linux-image-5.10.0-32-armmp_5.10.223-1_armhf.deb"
if command -v mksquashfs >/dev/null && [ -f "$KCONFIG" ]; then
  mkdir -p "$T/kroot/boot"
  cp "$KCONFIG" "$T/kroot/boot/config-4.19.189"
  if [ -f "$DEBIAN_KERNEL" ]; then
    dpkg-deb --fsys-tarfile "$DEBIAN_KERNEL" | tar -x -C "$T/kroot" ./boot/config-5.10.0-32-armmp
  else
    echo "skip the Debian kernel configuration: $DEBIAN_KERNEL not cached"
  fi
  mksquashfs "$T/kroot" "$T/kernel-configs.squashfs" -quiet -noappend -all-root >/dev/null
  audit kconfig --vulndb "$DB" "$T/kernel-configs.squashfs"
  reports+=("$T/kconfig.json")
else
  echo "skip the kernel configurations: no mksquashfs or $KCONFIG"
fi

# A real RPM database listing dropbear 2019.78 (row 8 of the table).
rc=0; bash "$LIB/make_rpmdb.sh" "$T/rpm" "$T/rpmdb.squashfs" >/dev/null || rc=$?
if [ $rc -eq 0 ]; then
  audit rpm --vulndb "$DB" "$T/rpmdb.squashfs"
  reports+=("$T/rpm.json")
else
  echo "skip the RPM database (make_rpmdb.sh exited $rc)"
fi

python3 - "$NVD" "$IOTCOP_SOURCE/data/cve-features.json" "${reports[@]}" <<'PY' || fail "CVE findings"
import json, re, sys

nvd, features_path, reports = sys.argv[1], sys.argv[2], sys.argv[3:]

# ---- the records and the README's table ----------------------------------
records = {}
for page in ("page1", "page2"):
    for v in json.load(open(f"{nvd}/nvd-cve-2.0-{page}.json"))["vulnerabilities"]:
        records[v["cve"]["id"]] = v["cve"]

table = {}
inside = False
for line in open(f"{nvd}/README.md", encoding="utf-8"):
    if line.startswith("## Expected matches"):
        inside = True
        continue
    if inside and line.startswith("## "):
        break
    cols = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
    if not inside or len(cols) < 7 or not cols[0].isdigit():
        continue
    vendor, product = cols[1].split(":")
    cves = lambda text: {c.strip() for c in text.split(",") if c.strip().startswith("CVE-")}
    table[(vendor, product, cols[2], cols[3])] = (cols[0], cves(cols[4]), cves(cols[5]))
assert len(table) == 111, len(table)

# ---- the reference matcher: README 'Matching conventions' 1-7 -------------
def runs(v):
    return [int(r) if r.isdigit() else r.lower() for r in re.findall(r"\d+|[A-Za-z]+", v)]

def vcmp(a, b):
    ra, rb = runs(a), runs(b)
    for x, y in zip(ra, rb):
        if x == y:
            continue
        if type(x) is type(y):
            return -1 if x < y else 1
        return -1 if isinstance(x, int) else 1
    return (len(ra) > len(rb)) - (len(ra) < len(rb))

def cpe_fields(name):
    parts = re.split(r"(?<!\\):", name)
    return [p.replace("\\", "") for p in parts] + ["*"] * (13 - len(parts))

def entry_matches(m, target):
    f = cpe_fields(m["criteria"])
    vendor, product, version, update = target
    if f[3] != vendor or f[4] != product:                    # rule 2
        return False
    if f[5] not in ("*", "-"):                                # rule 3
        if f[5] != version:
            return False
        return f[6] == "*" or f[6].lower() == update.lower()
    if "versionStartIncluding" in m and vcmp(version, m["versionStartIncluding"]) < 0:
        return False                                          # rule 4
    if "versionStartExcluding" in m and vcmp(version, m["versionStartExcluding"]) <= 0:
        return False
    if "versionEndIncluding" in m and vcmp(version, m["versionEndIncluding"]) > 0:
        return False
    if "versionEndExcluding" in m and vcmp(version, m["versionEndExcluding"]) >= 0:
        return False
    return True

def reference(targets):
    """{cve: [vulnerable criteria entries that matched one of the targets]}"""
    found = {}
    for cve, rec in records.items():
        if rec.get("vulnStatus") == "Rejected":
            continue
        for config in rec.get("configurations", []):        # rule 7: none, no match
            values = []
            for node in config["nodes"]:
                hits = [any(entry_matches(m, t) for t in targets) for m in node["cpeMatch"]]
                value = all(hits) if node.get("operator") == "AND" else any(hits)
                values.append(not value if node.get("negate") else value)
            holds = all(values) if config.get("operator") == "AND" else any(values)  # rule 6
            vulnerable = [m for node in config["nodes"] if not node.get("negate")
                          for m in node["cpeMatch"]
                          if m["vulnerable"] and any(entry_matches(m, t) for t in targets)]
            if holds and vulnerable:
                found.setdefault(cve, []).extend(vulnerable)
    return found

def record_cvss(rec):
    metrics = rec.get("metrics", {})
    for key in ("cvssMetricV31", "cvssMetricV30", "cvssMetricV2"):
        for m in metrics.get(key, []):
            if m.get("type") == "Primary":
                return m["cvssData"]["baseScore"]
        if metrics.get(key):
            return metrics[key][0]["cvssData"]["baseScore"]
    return None

# ---- what is not compiled in: data/cve-features.json, read independently --
absent_rules = {(e["cve"], e["component"]): e["features"]
                for e in json.load(open(features_path))["cves"]}

def not_applicable(cve, component):
    features = component.get("features") or []
    need = absent_rules.get((cve, component["name"]))
    if not need or not features:
        return False
    if component["name"] == "linux":
        return not any(f"{o}=y" in features or f"{o}=m" in features for o in need)
    return not any(a in features for a in need)

errors, rows_checked, compared = [], 0, 0
seen_not_applicable = set()
for path in reports:
    report = json.load(open(path))
    name = path.rsplit("/", 1)[-1]
    if not report.get("run", {}).get("vulndb", {}).get("records") == 68:
        errors.append(f"{name}: run.vulndb {report.get('run', {}).get('vulndb')}")
    by_component = {}
    for f in report["findings"]:
        if f["rule"].startswith("vuln."):
            by_component.setdefault(f["location"].get("path"), []).append(f)
    claimed = set()
    for c in report["components"]:
        if not c.get("version") or not c["cpe"]:
            continue
        targets = []
        for cpe in c["cpe"]:
            fl = cpe_fields(cpe)
            targets.append((fl[3], fl[4], fl[5], fl[6]))
        path_key = c["paths"][0] if not c["paths"][0].startswith("layer:") else None
        findings = [f for f in by_component.get(path_key, [])
                    if any(f"({t[0]}:{t[1]})" in f["evidence"] for t in targets)]
        got = {}
        for f in findings:
            if f["cve"] in got:
                errors.append(f"{name}: {c['name']} {f['cve']} reported twice")
            got[f["cve"]] = f
            claimed.add(id(f))
        want = reference(targets)
        compared += 1
        if set(got) != set(want):
            errors.append(f"{name}: {c['name']} {c['version']}: reported {sorted(got)}, "
                          f"reference {sorted(want)}")
        for t in targets:                                     # (a) the table's rows
            row = table.get(t)
            if not row:
                continue
            rows_checked += 1
            number, must, must_not = row
            other = set()
            for u in targets:
                if u != t:
                    other |= set(reference([u]))
            if not must <= set(got):
                errors.append(f"{name}: row {number} {t}: missing {sorted(must - set(got))}")
            wrong = (must_not & set(got)) - other
            if wrong:
                errors.append(f"{name}: row {number} {t}: must not match {sorted(wrong)}")
        for cve, f in got.items():
            if cve not in want:
                continue
            rec = records[cve]
            absent = not_applicable(cve, c)
            rule = "vuln.not-applicable" if absent else "vuln.known-cve"
            if f["rule"] != rule:
                errors.append(f"{name}: {c['name']} {cve}: rule {f['rule']}, expected {rule}")
            if absent:
                seen_not_applicable.add((c["name"], cve))
                if f["severity"] != "info" or "not applicable" not in f["evidence"]:
                    errors.append(f"{name}: {cve} not applicable: {f['severity']} {f['evidence'][:120]}")
                if c["name"] == "busybox" and " ".join(c["features"]) not in f["evidence"]:
                    errors.append(f"{name}: {cve}: the applet list is not the evidence")
                if c["name"] == "linux" and not any(
                        f"{o} is not set" in f["evidence"] for o in absent_rules[(cve, "linux")]):
                    errors.append(f"{name}: {cve}: the kernel option is not the evidence")
            if f["guideline"] != "CoP-3" or "5.3-8" not in f["provisions"]:
                errors.append(f"{name}: {cve}: guideline {f['guideline']} {f['provisions']}")
            if f.get("cvss") != record_cvss(rec):
                errors.append(f"{name}: {cve}: cvss {f.get('cvss')}, record {record_cvss(rec)}")
            if not any(m["criteria"] in f["evidence"] for m in want[cve]):
                errors.append(f"{name}: {cve}: no matched criterion in {f['evidence'][:160]}")
            if c["version"] not in f["evidence"]:
                errors.append(f"{name}: {cve}: version not in the evidence")
    for fs in by_component.values():
        for f in fs:
            if id(f) not in claimed:
                errors.append(f"{name}: finding {f['cve']} at {f['location']} of no component")

if rows_checked < 10 or compared < 10:
    errors.append(f"only {rows_checked} table rows and {compared} components compared")
expected_absent = {("busybox", "CVE-2016-2148")}
if any(p.endswith("kconfig.json") for p in reports):
    expected_absent.add(("linux", "CVE-2024-1086"))
if not expected_absent <= seen_not_applicable:
    errors.append(f"not applicable: saw {sorted(seen_not_applicable)}, want {sorted(expected_absent)}")
for e in errors:
    print("  " + e)
print(f"{len(reports)} reports, {compared} components, {rows_checked} table rows")
sys.exit(1 if errors else 0)
PY

# Debian's 5.10.223 configuration has nf_tables (=m): CVE-2024-1086 stays open there.
if [ -f "$T/kconfig.json" ] && [ -f "$DEBIAN_KERNEL" ]; then
  python3 - "$T/kconfig.json" <<'PY' || fail "kernel configurations"
import json, sys
r = json.load(open(sys.argv[1]))
rules = {(f["location"].get("path"), f.get("cve")): f["rule"] for f in r["findings"]}
assert rules.get(("/boot/config-5.10.0-32-armmp", "CVE-2024-1086")) == "vuln.known-cve", rules
assert rules.get(("/boot/config-4.19.189", "CVE-2024-1086")) == "vuln.not-applicable", rules
linux = {c["version"]: c for c in r["components"] if c["name"] == "linux"}
assert "CONFIG_NF_TABLES=m" in linux["5.10.223"]["features"], linux.keys()
PY
fi

# ---- the SBOMs: VEX and features -------------------------------------------
if [ -f "$LEGACY" ]; then
  "$B" firmware --format cyclonedx --vulndb "$DB" -o "$T/legacy.cdx.json" "$LEGACY" || fail "cyclonedx exited $?"
  "$B" firmware --format spdx --vulndb "$DB" -o "$T/legacy.spdx.json" "$LEGACY" || fail "spdx exited $?"
  if python3 -c 'import jsonschema, referencing' 2>/dev/null && [ -d "$IOTCOP_SHARED/schemas" ]; then
    python3 "$LIB/validate_schema.py" "$IOTCOP_SHARED/schemas" cyclonedx "$T/legacy.cdx.json" || fail "CycloneDX schema"
    python3 "$LIB/validate_schema.py" "$IOTCOP_SHARED/schemas" spdx "$T/legacy.spdx.json" || fail "SPDX schema"
  fi
  python3 - "$T/legacy.json" "$T/legacy.cdx.json" "$T/legacy.spdx.json" <<'PY' || fail "SBOM VEX and features"
import json, sys
report, cdx, spdx = (json.load(open(p)) for p in sys.argv[1:4])
busybox = next(c for c in report["components"] if c["name"] == "busybox")
rules = {f["cve"]: f["rule"] for f in report["findings"] if f.get("cve")}
vex = {v["id"]: v["analysis"] for v in cdx["vulnerabilities"]}
assert set(vex) == set(rules), (set(vex), set(rules))
for cve, rule in rules.items():
    if rule == "vuln.not-applicable":
        assert vex[cve]["state"] == "not_affected", vex[cve]
        assert vex[cve]["justification"] == "code_not_present", vex[cve]
    else:
        assert vex[cve]["state"] == "in_triage" and "justification" not in vex[cve], vex[cve]
comp = next(c for c in cdx["components"] if c["name"] == "busybox")
props = [p["value"] for p in comp.get("properties", []) if p["name"] == "iotcop:feature"]
assert props == busybox["features"], props
pkg = next(p for p in spdx["packages"] if p["name"] == "busybox")
comment = pkg["annotations"][0]["comment"]
assert comment.endswith(" ".join(busybox["features"])), comment
PY
fi

# ---- options -------------------------------------------------------------------
if [ -f "$LEGACY" ]; then
  audit novulndb --no-vulndb "$LEGACY"
  python3 - "$T/novulndb.json" <<'PY' || fail "--no-vulndb"
import json, sys
r = json.load(open(sys.argv[1]))
assert not [f for f in r["findings"] if f["rule"].startswith("vuln.")], "vuln findings"
assert "vulndb" not in r["run"], r["run"]
PY
  # The default store: $XDG_DATA_HOME/iotcop/vulndb.sqlite, used when present.
  mkdir -p "$T/xdg/iotcop"
  cp "$DB" "$T/xdg/iotcop/vulndb.sqlite"
  XDG_DATA_HOME="$T/xdg" audit default "$LEGACY"
  python3 - "$T/default.json" "$T/xdg/iotcop/vulndb.sqlite" <<'PY' || fail "default store"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["run"]["vulndb"]["path"] == sys.argv[2], r["run"]
assert any(f["rule"] == "vuln.known-cve" for f in r["findings"])
PY
  # A default store that is not one: the audit goes on, with a warning.
  echo "not a store" >"$T/xdg/iotcop/vulndb.sqlite"
  XDG_DATA_HOME="$T/xdg" audit broken "$LEGACY"
  grep -q '"message": *"vulnerability store: ' "$T/broken.json" || fail "no diagnostic for a broken default store"
fi
set +e
"$B" firmware --vulndb "$T/missing.sqlite" "${LEGACY:-/dev/null}" >/dev/null 2>"$T/missing.err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "vulndb" "$T/missing.err" || fail "--vulndb of a missing store exited $rc"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "firmware_vulndb: ok"

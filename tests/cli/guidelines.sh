#!/usr/bin/env bash
# `iotcop guidelines`: the compiled-in catalogue is compared, entry by entry,
# with the mapping data it was generated from (read here by python3, not by
# the generator), in JSON and in text; options and exit statuses; and the
# generator refuses data whose structure it does not expect.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
command -v python3 >/dev/null || { echo "missing tool python3"; exit 1; }
MAPPING="$IOTCOP_SHARED/standards/cop-mapping.json"
[ -f "$MAPPING" ] || { echo "FAIL: $MAPPING is missing"; exit 1; }
T="${IOTCOP_TMP:-/tmp}/cli-guidelines.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The project's copy of the data is the shared one.
cmp -s "$MAPPING" "$IOTCOP_SOURCE/data/cop-mapping.json" ||
  fail "data/cop-mapping.json differs from $MAPPING"

# ---- JSON catalogue against the mapping ---------------------------------------
"$IOTCOP_BIN" guidelines --format json >"$T/all.json" || fail "guidelines --format json exited $?"
python3 - "$T/all.json" "$MAPPING" <<'PY' || fail "JSON catalogue differs from the mapping"
import json, sys
ours = json.load(open(sys.argv[1]))
m = json.load(open(sys.argv[2]))
errors = []
def same(what, a, b):
    if a != b:
        errors.append(f"{what}: iotcop {a!r} != mapping {b!r}")

same("guideline count", len(ours["guidelines"]), len(m["guidelines"]))
provisions = {p["id"]: p for p in m["en303645_provisions"]}
psti_of = {}
for t in m["psti_requirements"]:
    psti_of.setdefault(t["cop"], []).append(t["id"])
seen = []
for g, mg in zip(ours["guidelines"], m["guidelines"]):
    gid = mg["id"]
    for key in ("id", "title", "summary"):
        same(f"{gid}.{key}", g[key], mg[key])
    same(f"{gid}.provisions", [p["id"] for p in g["provisions"]], mg["en303645"])
    same(f"{gid}.cra_annex_i", g["cra_annex_i"], mg["cra_annex_i"])
    same(f"{gid}.psti_refs", g["psti_refs"], mg["psti"])
    same(f"{gid}.psti", g["psti"], psti_of.get(gid, []))
    same(f"{gid}.cra_other", g.get("cra_other"), mg.get("cra_other"))
    same(f"{gid}.testable", g["testable"], mg.get("testable", {}))
    for p in g["provisions"]:
        mp = provisions[p["id"]]
        seen.append(p["id"])
        for key in ("title", "category", "level"):
            same(f"{p['id']}.{key}", p[key], mp[key])
        same(f"{p['id']}.guideline", p["guideline"], mp["cop"])
        same(f"{p['id']}.mandatory", p["mandatory"], mp["level"].startswith("M"))
        cond = mp["level"].partition("C(")[2].rstrip(")")
        same(f"{p['id']}.conditions", p["conditions"], [int(c) for c in cond.split(",") if c])
        same(f"{p['id']}.verification", p["verification"], mp["verification"])
        same(f"{p['id']}.level_note", p.get("level_note"), mp.get("level_note"))
same("provision ids", sorted(seen), sorted(provisions))
same("provision count", len(seen), m["en303645_provision_count"])
mand = sum(1 for g in ours["guidelines"] for p in g["provisions"] if p["mandatory"])
same("mandatory count", mand, m["en303645_status_counts"]["M"])
same("recommended count", len(seen) - mand, m["en303645_status_counts"]["R"])

same("psti count", len(ours["psti"]), len(m["psti_requirements"]))
for t, mt in zip(ours["psti"], m["psti_requirements"]):
    for key in ("id", "title", "requirement_ref", "summary", "deemed_compliance_ref",
                "en303645_deemed", "other_deemed"):
        same(f"{mt['id']}.{key}", t[key], mt[key])
    same(f"{mt['id']}.guideline", t["guideline"], mt["cop"])
    same(f"{mt['id']}.deemed_notes", t.get("deemed_notes"), mt.get("deemed_notes"))

same("cra ids", [c["id"] for c in ours["cra"]], list(m["cra_annex_i_key"]))
for c in ours["cra"]:
    same(f"{c['id']}.description", c["description"], m["cra_annex_i_key"][c["id"]])
    same(f"{c['id']}.guidelines", c["guidelines"],
         [g["id"] for g in m["guidelines"] if c["id"] in g["cra_annex_i"]])
same("conditions", {str(c["number"]): c["text"] for c in ours["conditions"]},
     m["en303645_conditions"])
if errors:
    print("\n".join(errors[:40]))
    sys.exit(1)
print(f"catalogue matches: {len(ours['guidelines'])} guidelines, {len(seen)} provisions "
      f"({mand} M / {len(seen) - mand} R), {len(ours['psti'])} PSTI, {len(ours['cra'])} CRA")
PY

# ---- one guideline --------------------------------------------------------------
for sel in CoP-3 cop-3 3; do
  "$IOTCOP_BIN" guidelines --format json --guideline "$sel" >"$T/one.json" ||
    fail "--guideline $sel exited $?"
  python3 - "$T/one.json" "$MAPPING" <<'PY' || fail "--guideline $sel shows the wrong entries"
import json, sys
ours = json.load(open(sys.argv[1]))
m = json.load(open(sys.argv[2]))
g = [g for g in m["guidelines"] if g["id"] == "CoP-3"][0]
assert [x["id"] for x in ours["guidelines"]] == ["CoP-3"], ours["guidelines"]
assert [p["id"] for p in ours["guidelines"][0]["provisions"]] == g["en303645"]
assert [t["id"] for t in ours["psti"]] == [t["id"] for t in m["psti_requirements"] if t["cop"] == "CoP-3"]
assert [c["id"] for c in ours["cra"]] == [k for k in m["cra_annex_i_key"] if k in g["cra_annex_i"]]
PY
done

# ---- text ---------------------------------------------------------------------------
"$IOTCOP_BIN" guidelines >"$T/all.txt" || fail "guidelines (text) exited $?"
python3 - "$T/all.txt" "$MAPPING" <<'PY' || fail "text catalogue lacks entries of the mapping"
import json, re, sys
text = open(sys.argv[1]).read()
m = json.load(open(sys.argv[2]))
missing = []
for g in m["guidelines"]:
    if f"{g['id']}  {g['title']}" not in text:
        missing.append(g["id"])
for p in m["en303645_provisions"]:
    if not re.search(r"^\s+%s\s+%s\s+%s$" % (re.escape(p["id"]), re.escape(p["level"]),
                                              re.escape(p["title"])), text, re.M):
        missing.append(p["id"])
for t in m["psti_requirements"]:
    if t["id"] not in text or ", ".join(t["en303645_deemed"]) not in text:
        missing.append(t["id"])
for k in m["cra_annex_i_key"]:
    if k not in text:
        missing.append(k)
if missing:
    sys.exit("missing: " + ", ".join(missing))
PY
"$IOTCOP_BIN" guidelines -g CoP-1 >"$T/one.txt" || fail "-g CoP-1 exited $?"
grep -q '^CoP-1  ' "$T/one.txt" || fail "-g CoP-1 does not show CoP-1"
! grep -q '^CoP-2  ' "$T/one.txt" || fail "-g CoP-1 shows CoP-2 as well"

# -o writes the same bytes as standard output.
"$IOTCOP_BIN" guidelines -f json -o "$T/out.json" || fail "-o exited $?"
cmp -s "$T/out.json" "$T/all.json" || fail "-o output differs from standard output"

# ---- usage and exit statuses ---------------------------------------------------------
status() { set +e; "$@" >"$T/stdout" 2>"$T/stderr"; echo $?; set -e; }
[ "$(status "$IOTCOP_BIN" guidelines --help)" = 0 ] || fail "--help is not status 0"
grep -q '^Usage: iotcop guidelines' "$T/stdout" || fail "--help prints no usage"
[ "$(status "$IOTCOP_BIN" guidelines --guideline CoP-14)" = 2 ] || fail "unknown guideline is not status 2"
grep -q "CoP-14" "$T/stderr" || fail "unknown guideline not named in the error"
[ "$(status "$IOTCOP_BIN" guidelines --format sarif)" = 2 ] || fail "bad --format is not status 2"
[ "$(status "$IOTCOP_BIN" guidelines extra)" = 2 ] || fail "a stray argument is not status 2"
[ "$(status "$IOTCOP_BIN" guidelines --no-such-option)" = 2 ] || fail "unknown option is not status 2"

# ---- the generator refuses unexpected structure ----------------------------------------
GEN="$IOTCOP_SOURCE/tools/gen_standards.py"
python3 "$GEN" "$MAPPING" "$T/ok.c" || fail "generator refuses the real mapping"
grep -q 'ic_standards_provisions\[\]' "$T/ok.c" || fail "generator wrote no provision table"
# mutate NAME PYTHON-STATEMENT EXPECTED-MESSAGE
mutate() {
  python3 - "$MAPPING" "$T/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
  set +e
  python3 "$GEN" "$T/$1.json" "$T/$1.c" 2>"$T/$1.err"
  local rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    fail "generator accepted $1"
  elif ! grep -q -- "$3" "$T/$1.err"; then
    fail "generator message for $1 lacks '$3': $(cat "$T/$1.err")"
  fi
  [ ! -e "$T/$1.c" ] || fail "generator left output behind for $1"
}
mutate missing-key 'del d["en303645_provisions"][3]["level"]' 'missing key(s) level'
mutate unknown-key 'd["guidelines"][0]["surprise"] = 1' 'unexpected key(s) surprise'
mutate bad-level 'd["en303645_provisions"][0]["level"] = "Mandatory"' "level 'Mandatory'"
mutate bad-condition 'd["en303645_provisions"][0]["level"] = "M C(99)"' 'condition 99'
mutate bad-strength 'd["en303645_provisions"][0]["verification"]["live_network"] = "total"' 'live_network'
mutate bad-ref 'd["guidelines"][0]["en303645"].append("5.99-1")' '5.99-1'
mutate bad-count 'd["en303645_provision_count"] = 68' 'en303645_provision_count'
mutate bad-status-count 'd["en303645_status_counts"]["M"] = 31' 'en303645_status_counts'
mutate wrong-owner 'd["en303645_provisions"][0]["cop"] = "CoP-2"' 'provision 5.1-1'
mutate bad-cra 'd["guidelines"][0]["cra_annex_i"].append("IX(9)")' 'IX(9)'
mutate bad-psti 'd["psti_requirements"][0]["en303645_deemed"].append("7-1")' '7-1'
mutate wrong-type 'd["guidelines"][1]["title"] = 5' 'expected a string'
mutate new-schema 'd["schema_version"] = 2' 'schema_version'

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "guidelines: all checks passed"

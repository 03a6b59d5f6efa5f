#!/usr/bin/env python3
"""Generates the C tables of guidelines, provisions, PSTI requirements and
CRA Annex I entries from data/cop-mapping.json.

Usage: gen_standards.py MAPPING.json OUTPUT.c

The structures are declared in include/iotcop/standards.h. Every field the
tables need is checked: a missing key, a key nobody expected, a value of the
wrong type, an unknown level or verification strength, a reference to a
provision, condition, guideline or CRA entry that does not exist, or counts
that disagree with the file's own totals stop the build with a message that
names the offending entry. Python 3 standard library only.
"""
import hashlib
import json
import os
import re
import sys

# Keys each object may carry: required ones, then ones that may be absent.
# Keys the tables do not use are still listed, so that a new key in the data
# is noticed (and either used or added here) instead of silently ignored.
TOP_REQUIRED = {
    "schema_version", "guidelines", "en303645_conditions", "en303645_provisions",
    "en303645_provision_count", "en303645_status_counts", "psti_requirements",
    "cra_annex_i_key",
}
TOP_OPTIONAL = {"generated_note", "sources", "ts103701", "mapping_document"}

GUIDELINE_REQUIRED = {"id", "title", "summary", "en303645", "psti", "cra_annex_i"}
GUIDELINE_OPTIONAL = {
    "testable", "cra_other", "ts103645", "nistir8259a", "nistir8259a_inferred",
    "en18031_1_mechanisms", "mapping_basis",
}
TESTABLE_KEYS = {"firmware", "network", "documentation"}

PROVISION_REQUIRED = {"id", "category", "title", "level", "cop", "verification"}
PROVISION_OPTIONAL = {"level_note", "ts103701"}
VERIFICATION_KEYS = {"firmware_static", "live_network", "documentation"}
STRENGTHS = {"none": "IC_STRENGTH_NONE", "partial": "IC_STRENGTH_PARTIAL",
             "strong": "IC_STRENGTH_STRONG"}
DOC_NEEDS = {"supporting": "IC_DOC_SUPPORTING", "required": "IC_DOC_REQUIRED"}

PSTI_REQUIRED = {"id", "title", "requirement_ref", "summary", "deemed_compliance_ref",
                 "en303645_deemed", "other_deemed", "cop"}
PSTI_OPTIONAL = {"deemed_notes", "confidence"}

SUPPORTED_SCHEMA = 1
LEVEL_RE = re.compile(r"^(M|R)(?: C\((\d+(?:,\d+)*)\))?$")
GUIDELINE_ID_RE = re.compile(r"^CoP-(\d+)$")
PROVISION_ID_RE = re.compile(r"^\d+(\.\d+)?-\d+$")
PSTI_ID_RE = re.compile(r"^PSTI-\d+$")


class DataError(Exception):
    pass


def fail(where, message):
    raise DataError("%s: %s" % (where, message))


def check_keys(where, obj, required, optional):
    if not isinstance(obj, dict):
        fail(where, "expected an object, found %s" % type(obj).__name__)
    missing = required - obj.keys()
    if missing:
        fail(where, "missing key(s) %s" % ", ".join(sorted(missing)))
    unknown = obj.keys() - required - optional
    if unknown:
        fail(where, "unexpected key(s) %s (teach tools/gen_standards.py about them)"
             % ", ".join(sorted(unknown)))


def text(where, value, allow_empty=False):
    if not isinstance(value, str):
        fail(where, "expected a string, found %s" % type(value).__name__)
    if not allow_empty and not value.strip():
        fail(where, "empty string")
    return value


def text_list(where, value):
    if not isinstance(value, list):
        fail(where, "expected a list, found %s" % type(value).__name__)
    return [text("%s[%d]" % (where, i), v) for i, v in enumerate(value)]


def unique(where, ids):
    seen = set()
    for i in ids:
        if i in seen:
            fail(where, "duplicate id %s" % i)
        seen.add(i)


def c_string(value):
    """A C string literal for value (UTF-8), or NULL for None."""
    if value is None:
        return "NULL"
    out = ['"']
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "?":
            out.append("\\?")  # never part of a trigraph
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % byte)  # octal: at most 3 digits, cannot run on
    out.append('"')
    return "".join(out)


def c_string_list(values):
    """A NULL-terminated compound literal of strings."""
    return "(const char *const[]){" + "".join(c_string(v) + ", " for v in values) + "NULL}"


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError("%s: not valid UTF-8 JSON: %s" % (path, e))
    return raw, data


def parse(data):
    check_keys("top level", data, TOP_REQUIRED, TOP_OPTIONAL)
    if data["schema_version"] != SUPPORTED_SCHEMA:
        fail("schema_version", "is %r; this generator reads version %d"
             % (data["schema_version"], SUPPORTED_SCHEMA))

    # Conditions: {"1": "passwords are used", ...}
    conditions = data["en303645_conditions"]
    if not isinstance(conditions, dict) or not conditions:
        fail("en303645_conditions", "expected a non-empty object")
    condition_rows = []
    for key, value in conditions.items():
        if not re.fullmatch(r"[1-9]\d*", key):
            fail("en303645_conditions", "key %r is not a condition number" % key)
        condition_rows.append((int(key), text("en303645_conditions.%s" % key, value)))
    condition_rows.sort()
    condition_numbers = {n for n, _ in condition_rows}

    # CRA Annex I key, in the file's order.
    cra_key = data["cra_annex_i_key"]
    if not isinstance(cra_key, dict) or not cra_key:
        fail("cra_annex_i_key", "expected a non-empty object")
    cra_rows = [(text("cra_annex_i_key", k), text("cra_annex_i_key.%s" % k, v))
                for k, v in cra_key.items()]

    # Provisions.
    provisions = data["en303645_provisions"]
    if not isinstance(provisions, list) or not provisions:
        fail("en303645_provisions", "expected a non-empty list")
    provision_rows = []
    for i, p in enumerate(provisions):
        where = "en303645_provisions[%d]" % i
        check_keys(where, p, PROVISION_REQUIRED, PROVISION_OPTIONAL)
        pid = text(where + ".id", p["id"])
        where = "provision %s" % pid
        if not PROVISION_ID_RE.match(pid):
            fail(where, "id does not look like an EN 303 645 provision (5.1-1, 6-2)")
        level = text(where + ".level", p["level"])
        m = LEVEL_RE.match(level)
        if not m:
            fail(where, "level %r is not 'M', 'R', 'M C(n,...)' or 'R C(n,...)'" % level)
        conds = [int(n) for n in m.group(2).split(",")] if m.group(2) else []
        for n in conds:
            if n not in condition_numbers:
                fail(where, "level names condition %d, which en303645_conditions lacks" % n)
        check_keys(where + ".verification", p["verification"], VERIFICATION_KEYS, set())
        v = p["verification"]
        for key in ("firmware_static", "live_network"):
            if v[key] not in STRENGTHS:
                fail(where, "verification.%s is %r, not one of %s"
                     % (key, v[key], ", ".join(sorted(STRENGTHS))))
        if v["documentation"] not in DOC_NEEDS:
            fail(where, "verification.documentation is %r, not one of %s"
                 % (v["documentation"], ", ".join(sorted(DOC_NEEDS))))
        if "ts103701" in p and not isinstance(p["ts103701"], dict):
            fail(where, "ts103701 must be an object")
        provision_rows.append({
            "id": pid,
            "category": text(where + ".category", p["category"]),
            "title": text(where + ".title", p["title"]),
            "level": level,
            "mandatory": m.group(1) == "M",
            "conditions": conds,
            "level_note": text(where + ".level_note", p["level_note"]) if "level_note" in p else None,
            "cop": text(where + ".cop", p["cop"]),
            "firmware_static": STRENGTHS[v["firmware_static"]],
            "live_network": STRENGTHS[v["live_network"]],
            "documentation": DOC_NEEDS[v["documentation"]],
        })
    unique("en303645_provisions", [p["id"] for p in provision_rows])
    provision_ids = {p["id"] for p in provision_rows}

    # The file's own totals must agree with the list.
    count = data["en303645_provision_count"]
    if count != len(provision_rows):
        fail("en303645_provision_count", "says %r but the list has %d provisions"
             % (count, len(provision_rows)))
    counts = data["en303645_status_counts"]
    check_keys("en303645_status_counts", counts, {"M", "R"}, set())
    mandatory = sum(1 for p in provision_rows if p["mandatory"])
    if counts["M"] != mandatory or counts["R"] != len(provision_rows) - mandatory:
        fail("en303645_status_counts", "says M=%r R=%r but the levels give M=%d R=%d"
             % (counts["M"], counts["R"], mandatory, len(provision_rows) - mandatory))

    # Guidelines.
    guidelines = data["guidelines"]
    if not isinstance(guidelines, list) or not guidelines:
        fail("guidelines", "expected a non-empty list")
    guideline_rows = []
    for i, g in enumerate(guidelines):
        where = "guidelines[%d]" % i
        check_keys(where, g, GUIDELINE_REQUIRED, GUIDELINE_OPTIONAL)
        gid = text(where + ".id", g["id"])
        where = "guideline %s" % gid
        m = GUIDELINE_ID_RE.match(gid)
        if not m or int(m.group(1)) != i + 1:
            fail(where, "expected id CoP-%d at position %d" % (i + 1, i))
        provs = text_list(where + ".en303645", g["en303645"])
        for pid in provs:
            if pid not in provision_ids:
                fail(where, "names provision %s, which en303645_provisions lacks" % pid)
        cra = text_list(where + ".cra_annex_i", g["cra_annex_i"])
        for ref in cra:
            if ref not in cra_key:
                fail(where, "names CRA entry %s, which cra_annex_i_key lacks" % ref)
        testable = g.get("testable", {})
        check_keys(where + ".testable", testable, set(), TESTABLE_KEYS)
        for key in ("ts103645", "nistir8259a", "nistir8259a_inferred", "en18031_1_mechanisms"):
            if key in g:
                text_list(where + "." + key, g[key])
        guideline_rows.append({
            "id": gid,
            "title": text(where + ".title", g["title"]),
            "summary": text(where + ".summary", g["summary"]),
            "provisions": provs,
            "psti_refs": text_list(where + ".psti", g["psti"]),
            "cra": cra,
            "cra_other": text(where + ".cra_other", g["cra_other"]) if "cra_other" in g else None,
            "firmware": text(where + ".testable.firmware", testable["firmware"])
            if "firmware" in testable else None,
            "network": text(where + ".testable.network", testable["network"])
            if "network" in testable else None,
            "documentation": text(where + ".testable.documentation", testable["documentation"])
            if "documentation" in testable else None,
        })
    guideline_ids = [g["id"] for g in guideline_rows]

    # Each provision belongs to exactly one guideline, and both sides agree.
    owner = {}
    for g in guideline_rows:
        for pid in g["provisions"]:
            if pid in owner:
                fail("guideline %s" % g["id"], "provision %s is already listed by %s"
                     % (pid, owner[pid]))
            owner[pid] = g["id"]
    for p in provision_rows:
        if p["cop"] not in guideline_ids:
            fail("provision %s" % p["id"], "cop %s is not a guideline" % p["cop"])
        if owner.get(p["id"]) != p["cop"]:
            fail("provision %s" % p["id"], "cop says %s but guideline lists put it under %s"
                 % (p["cop"], owner.get(p["id"], "no guideline")))
        p["guideline_index"] = guideline_ids.index(p["cop"])

    # PSTI requirements.
    psti = data["psti_requirements"]
    if not isinstance(psti, list) or not psti:
        fail("psti_requirements", "expected a non-empty list")
    psti_rows = []
    for i, r in enumerate(psti):
        where = "psti_requirements[%d]" % i
        check_keys(where, r, PSTI_REQUIRED, PSTI_OPTIONAL)
        rid = text(where + ".id", r["id"])
        where = "PSTI requirement %s" % rid
        if not PSTI_ID_RE.match(rid):
            fail(where, "id does not look like PSTI-n")
        deemed = text_list(where + ".en303645_deemed", r["en303645_deemed"])
        for pid in deemed:
            if pid not in provision_ids:
                fail(where, "deems provision %s, which en303645_provisions lacks" % pid)
        cop = text(where + ".cop", r["cop"])
        if cop not in guideline_ids:
            fail(where, "cop %s is not a guideline" % cop)
        psti_rows.append({
            "id": rid,
            "title": text(where + ".title", r["title"]),
            "requirement_ref": text(where + ".requirement_ref", r["requirement_ref"]),
            "summary": text(where + ".summary", r["summary"]),
            "deemed_ref": text(where + ".deemed_compliance_ref", r["deemed_compliance_ref"]),
            "deemed": deemed,
            "other_deemed": text_list(where + ".other_deemed", r["other_deemed"]),
            "deemed_notes": text(where + ".deemed_notes", r["deemed_notes"])
            if "deemed_notes" in r else None,
            "cop": cop,
            "confidence": text(where + ".confidence", r["confidence"])
            if "confidence" in r else None,
        })
    unique("psti_requirements", [r["id"] for r in psti_rows])

    # CRA entries with the guidelines that map to them (reverse of cra_annex_i).
    cra_entries = []
    for key, description in cra_rows:
        mapped = [g["id"] for g in guideline_rows if key in g["cra"]]
        cra_entries.append({"id": key, "description": description, "guidelines": mapped})

    return {
        "conditions": condition_rows,
        "provisions": provision_rows,
        "guidelines": guideline_rows,
        "psti": psti_rows,
        "cra": cra_entries,
    }


def emit(tables, source_name, source_sha256):
    lines = []
    w = lines.append
    w("/* Generated by tools/gen_standards.py from %s. Do not edit. */" % source_name)
    w('#include "report/standards_tables.h"')
    w("")
    w("const char ic_standards_mapping_sha256[] = %s;" % c_string(source_sha256))
    w("")
    w("const struct ic_condition ic_standards_conditions[] = {")
    for number, txt in tables["conditions"]:
        w("    {%d, %s}," % (number, c_string(txt)))
    w("};")
    w("const size_t ic_standards_condition_count = %d;" % len(tables["conditions"]))
    w("")
    w("const struct ic_guideline ic_standards_guidelines[] = {")
    for i, g in enumerate(tables["guidelines"]):
        w("    {")
        w("        .index = %d," % i)
        w("        .id = %s," % c_string(g["id"]))
        w("        .title = %s," % c_string(g["title"]))
        w("        .summary = %s," % c_string(g["summary"]))
        w("        .provisions = %s," % c_string_list(g["provisions"]))
        w("        .provision_count = %d," % len(g["provisions"]))
        w("        .psti_refs = %s," % c_string_list(g["psti_refs"]))
        w("        .psti_ref_count = %d," % len(g["psti_refs"]))
        w("        .cra = %s," % c_string_list(g["cra"]))
        w("        .cra_count = %d," % len(g["cra"]))
        w("        .cra_other = %s," % c_string(g["cra_other"]))
        w("        .testable_firmware = %s," % c_string(g["firmware"]))
        w("        .testable_network = %s," % c_string(g["network"]))
        w("        .testable_documentation = %s," % c_string(g["documentation"]))
        w("    },")
    w("};")
    w("const size_t ic_standards_guideline_count = %d;" % len(tables["guidelines"]))
    w("")
    w("const struct ic_provision ic_standards_provisions[] = {")
    for i, p in enumerate(tables["provisions"]):
        conds = "(const unsigned[]){%s}" % ", ".join(str(n) for n in p["conditions"]) \
            if p["conditions"] else "NULL"
        w("    {")
        w("        .index = %d," % i)
        w("        .id = %s," % c_string(p["id"]))
        w("        .category = %s," % c_string(p["category"]))
        w("        .title = %s," % c_string(p["title"]))
        w("        .level = %s," % c_string(p["level"]))
        w("        .mandatory = %d," % (1 if p["mandatory"] else 0))
        w("        .conditions = %s," % conds)
        w("        .condition_count = %d," % len(p["conditions"]))
        w("        .level_note = %s," % c_string(p["level_note"]))
        w("        .guideline = %s," % c_string(p["cop"]))
        w("        .guideline_index = %d," % p["guideline_index"])
        w("        .firmware_static = %s," % p["firmware_static"])
        w("        .live_network = %s," % p["live_network"])
        w("        .documentation = %s," % p["documentation"])
        w("    },")
    w("};")
    w("const size_t ic_standards_provision_count = %d;" % len(tables["provisions"]))
    w("")
    w("const struct ic_psti_requirement ic_standards_psti[] = {")
    for i, r in enumerate(tables["psti"]):
        w("    {")
        w("        .index = %d," % i)
        w("        .id = %s," % c_string(r["id"]))
        w("        .title = %s," % c_string(r["title"]))
        w("        .requirement_ref = %s," % c_string(r["requirement_ref"]))
        w("        .summary = %s," % c_string(r["summary"]))
        w("        .deemed_compliance_ref = %s," % c_string(r["deemed_ref"]))
        w("        .deemed_provisions = %s," % c_string_list(r["deemed"]))
        w("        .deemed_provision_count = %d," % len(r["deemed"]))
        w("        .other_deemed = %s," % c_string_list(r["other_deemed"]))
        w("        .other_deemed_count = %d," % len(r["other_deemed"]))
        w("        .deemed_notes = %s," % c_string(r["deemed_notes"]))
        w("        .guideline = %s," % c_string(r["cop"]))
        w("        .confidence = %s," % c_string(r["confidence"]))
        w("    },")
    w("};")
    w("const size_t ic_standards_psti_count = %d;" % len(tables["psti"]))
    w("")
    w("const struct ic_cra_requirement ic_standards_cra[] = {")
    for i, c in enumerate(tables["cra"]):
        w("    {")
        w("        .index = %d," % i)
        w("        .id = %s," % c_string(c["id"]))
        w("        .description = %s," % c_string(c["description"]))
        w("        .guidelines = %s," % c_string_list(c["guidelines"]))
        w("        .guideline_count = %d," % len(c["guidelines"]))
        w("    },")
    w("};")
    w("const size_t ic_standards_cra_count = %d;" % len(tables["cra"]))
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen_standards.py MAPPING.json OUTPUT.c\n")
        return 2
    try:
        raw, data = load(argv[1])
        tables = parse(data)
    except DataError as e:
        sys.stderr.write("gen_standards.py: %s: %s\n" % (argv[1], e))
        return 1
    out = emit(tables, argv[1].replace("\\", "/").split("/")[-1], hashlib.sha256(raw).hexdigest())
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(out)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

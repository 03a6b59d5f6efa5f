#!/usr/bin/env python3
"""Compares iotcop's SARIF, CycloneDX and SPDX output with the JSON report
of the same input (and the rule catalogue of `iotcop guidelines -f json`).

usage: report_compare.py sarif REPORT.json OUT.sarif CATALOGUE.json EXIT_STATUS
       report_compare.py cyclonedx REPORT.json OUT.cdx.json IMAGE_SHA256
       report_compare.py spdx REPORT.json OUT.spdx.json IMAGE_SHA256
       report_compare.py sbom-files REPORT.json OUT.cdx.json OUT.spdx.json EXTRACT_DIR [--require-deps]
         The SBOMs against the image's files as `iotcop unpack -C EXTRACT_DIR`
         wrote them: each component's hash is the SHA-256 of its first path
         that is a regular file; its dependencies are the components whose
         file names provide a NEEDED library of its files per `readelf -d`
         (binutils); each CVE is not_affected exactly when every finding
         naming it is suppressed, and affects the components holding the
         findings' paths. --require-deps: fail when readelf finds no
         dependency between the components at all (the check would be empty).
Everything expected is derived from REPORT.json, the catalogue and the
image's digest (computed by the caller with sha256sum). Prints each
difference; exits 1 on any.
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
from urllib.parse import unquote

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def compare_sarif(report, sarif, catalogue, exit_status, errors):
    if sarif.get("version") != "2.1.0" or len(sarif.get("runs", [])) != 1:
        errors.append("not one SARIF 2.1.0 run")
        return
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    if driver.get("name") != "iotcop" or driver.get("version") != report["tool"]["version"]:
        errors.append(f"driver {driver.get('name')} {driver.get('version')}")
    rules = driver.get("rules", [])
    want = catalogue["rules"]
    if [r["id"] for r in rules] != [r["id"] for r in want]:
        errors.append(f"rules {[r['id'] for r in rules][:5]}... differ from the catalogue")
    for got, exp in zip(rules, want):
        props = got.get("properties", {})
        if got["shortDescription"]["text"] != exp["title"] or props.get("severity") != exp["severity"] \
                or props.get("guideline") != exp["guideline"] or props.get("provisions") != exp["provisions"]:
            errors.append(f"rule {exp['id']}: {got['shortDescription']['text']!r} {props}")
        if got.get("defaultConfiguration", {}).get("level") != LEVELS[exp["severity"]]:
            errors.append(f"rule {exp['id']}: level {got.get('defaultConfiguration')}")
        help_text = got.get("help", {}).get("text", "")
        if "How to fix" not in help_text or not got.get("fullDescription", {}).get("text"):
            errors.append(f"rule {exp['id']}: no help or full description")
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = run.get("results", [])
    if len(results) != len(report["findings"]):
        errors.append(f"{len(results)} results for {len(report['findings'])} findings")
    for res, f in zip(results, report["findings"]):
        tag = f"result {f['rule']} {f['fingerprint'][:12]}"
        if res.get("ruleId") != f["rule"] or res.get("ruleIndex") != index.get(f["rule"]):
            errors.append(f"{tag}: ruleId {res.get('ruleId')} index {res.get('ruleIndex')}")
        if res.get("partialFingerprints", {}).get("iotcopFingerprint/v1") != f["fingerprint"]:
            errors.append(f"{tag}: fingerprint {res.get('partialFingerprints')}")
        if res.get("level") != LEVELS[f["severity"]]:
            errors.append(f"{tag}: level {res.get('level')}")
        props = res.get("properties", {})
        if props.get("guideline") != f["guideline"] or props.get("provisions") != f["provisions"] \
                or props.get("severity") != f["severity"] or props.get("evidence") != f["evidence"]:
            errors.append(f"{tag}: properties {props}")
        taxa = [(t["id"], t["toolComponent"]["name"]) for t in res.get("taxa", [])]
        if taxa != [(f["guideline"], "UK-CoP-Consumer-IoT")] + [(p, "ETSI-EN-303-645") for p in f["provisions"]]:
            errors.append(f"{tag}: taxa {taxa}")
        loc = f["location"]
        locs = res.get("locations", [])
        if len(locs) != 1:
            errors.append(f"{tag}: {len(locs)} locations")
            continue
        phys = locs[0]["physicalLocation"]
        art, region = phys["artifactLocation"], phys.get("region", {})
        if "path" in loc:
            if unquote(art.get("uri", "")) != loc["path"] or "uriBaseId" in art:
                errors.append(f"{tag}: uri {art} for {loc['path']}")
            if region.get("startLine") != loc.get("line"):
                errors.append(f"{tag}: region {region} for line {loc.get('line')}")
        elif "layer" in loc:
            if art.get("uri") != loc["layer"] + ".bin" or region.get("byteOffset") != loc.get("offset"):
                errors.append(f"{tag}: raw location {art} {region} for {loc}")
        if "layer" in loc and locs[0]["logicalLocations"][0]["name"] != loc["layer"]:
            errors.append(f"{tag}: logical location {locs[0]['logicalLocations']}")
        if ("suppressed" in f) != bool(res.get("suppressions")):
            errors.append(f"{tag}: suppression differs")
    inv = run.get("invocations", [{}])[0]
    if inv.get("exitCode") != exit_status or inv.get("executionSuccessful") is not (exit_status in (0, 1)):
        errors.append(f"invocation exitCode {inv.get('exitCode')} success {inv.get('executionSuccessful')}, "
                      f"the run exited {exit_status}")
    diags = report["unpack"]["diagnostics"] + report["run"].get("diagnostics", [])
    notes = inv.get("toolExecutionNotifications", [])
    if sorted(n["descriptor"]["id"] for n in notes) != sorted(d["code"] for d in diags):
        errors.append(f"{len(notes)} notifications for {len(diags)} diagnostics")
    taxonomies = {t["name"]: t for t in run.get("taxonomies", [])}
    cop = {t["id"]: t["properties"]["status"] for t in taxonomies.get("UK-CoP-Consumer-IoT", {}).get("taxa", [])}
    if cop != {g["id"]: g["status"] for g in report["guidelines"]}:
        errors.append(f"guideline taxa {cop} differ from the JSON verdicts")
    en = {t["id"]: t["properties"]["status"] for t in taxonomies.get("ETSI-EN-303-645", {}).get("taxa", [])}
    if en != {p["id"]: p["status"] for p in report["provisions"]}:
        errors.append("provision taxa differ from the JSON verdicts")


def cves_of(report):
    return sorted({f["cve"] for f in report["findings"] if f.get("cve")})


def compare_cyclonedx(report, bom, image_sha256, errors):
    if bom.get("bomFormat") != "CycloneDX" or bom.get("specVersion") != "1.5":
        errors.append(f"{bom.get('bomFormat')} {bom.get('specVersion')}")
    target = bom["metadata"]["component"]
    hashes = {h["alg"]: h["content"] for h in target.get("hashes", [])}
    if target.get("type") != "firmware" or hashes.get("SHA-256") != image_sha256:
        errors.append(f"metadata.component {target.get('type')} {hashes} (image {image_sha256})")
    got = [(c["name"], c.get("version"), c.get("purl")) for c in bom.get("components", [])]
    exp = [(c["name"], c["version"], c["purl"]) for c in report["components"]]
    if got != exp:
        errors.append(f"components {got[:5]} differ from the JSON {exp[:5]}")
    for c, e in zip(bom.get("components", []), report["components"]):
        cpes = ([c["cpe"]] if "cpe" in c else []) + \
            [p["value"] for p in c.get("properties", []) if p["name"] == "iotcop:cpe"]
        occ = [o["location"] for o in c.get("evidence", {}).get("occurrences", [])]
        if cpes != e["cpe"] or occ != e["paths"]:
            errors.append(f"component {e['name']}: cpe {cpes} paths {occ}")
    refs = {c["bom-ref"] for c in bom.get("components", [])} | {target["bom-ref"]}
    for d in bom.get("dependencies", []):
        if d["ref"] not in refs or any(x not in refs for x in d.get("dependsOn", [])):
            errors.append(f"dependency {d} names an unknown bom-ref")
    vulns = bom.get("vulnerabilities", [])
    if sorted(v["id"] for v in vulns) != cves_of(report):
        errors.append(f"vulnerabilities {[v['id'] for v in vulns]} for CVEs {cves_of(report)}")
    for v in vulns:
        if v.get("analysis", {}).get("state") not in ("in_triage", "not_affected") or not v.get("affects"):
            errors.append(f"vulnerability {v['id']}: analysis {v.get('analysis')} affects {v.get('affects')}")


def compare_spdx(report, doc, image_sha256, errors):
    if doc.get("spdxVersion") != "SPDX-2.3" or doc.get("dataLicense") != "CC0-1.0":
        errors.append(f"{doc.get('spdxVersion')} {doc.get('dataLicense')}")
    packages = doc.get("packages", [])
    if not packages:
        errors.append("no packages")
        return
    target, rest = packages[0], packages[1:]
    sums = {c["algorithm"]: c["checksumValue"] for c in target.get("checksums", [])}
    if target.get("primaryPackagePurpose") != "FIRMWARE" or sums.get("SHA256") != image_sha256:
        errors.append(f"target package {target.get('primaryPackagePurpose')} {sums}")
    got = [(p["name"], p.get("versionInfo")) for p in rest]
    exp = [(c["name"], c["version"]) for c in report["components"]]
    if got != exp:
        errors.append(f"packages {got[:5]} differ from the JSON components {exp[:5]}")
    for p, c in zip(rest, report["components"]):
        refs = p.get("externalRefs", [])
        cpes = [r["referenceLocator"] for r in refs if r["referenceType"] == "cpe23Type"]
        purls = [r["referenceLocator"] for r in refs if r["referenceType"] == "purl"]
        if cpes != c["cpe"] or purls != [c["purl"]]:
            errors.append(f"package {c['name']}: cpe {cpes} purl {purls}")
    rels = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
            for r in doc.get("relationships", [])}
    if ("SPDXRef-DOCUMENT", "DESCRIBES", target["SPDXID"]) not in rels:
        errors.append("the document does not describe the target")
    for p in rest:
        if (target["SPDXID"], "CONTAINS", p["SPDXID"]) not in rels:
            errors.append(f"the target does not contain {p['SPDXID']}")
    ids = [p["SPDXID"] for p in packages]
    if len(set(ids)) != len(ids):
        errors.append("SPDX ids repeat")


def component_file(extract, path):
    if path.startswith("layer:"):  # a layer's content: DIR/ID.bin
        f = os.path.join(extract, path[6:] + ".bin")
        return f if os.path.isfile(f) else None
    for layer in sorted(glob.glob(os.path.join(extract, "*"))):
        f = os.path.join(layer, path.lstrip("/"))
        if os.path.isdir(layer) and os.path.isfile(f) and not os.path.islink(f):
            return f
    return None


def needed_of(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def provides(name, needed):
    return name == needed or name.startswith(needed + ".")


def compare_files(report, bom, doc, extract, require_deps, errors):
    comps = report["components"]
    expected_hash, expected_deps = [], []
    for i, c in enumerate(comps):
        files = [component_file(extract, p) for p in c["paths"]]
        files = [f for f in files if f]
        digest = hashlib.sha256(open(files[0], "rb").read()).hexdigest() if files else None
        expected_hash.append(digest)
        deps = set()
        for f in files:
            for n in needed_of(f):
                for k, other in enumerate(comps):
                    if k != i and any(provides(os.path.basename(p), n) for p in other["paths"]):
                        deps.add(k)
        expected_deps.append(sorted(deps))
    if require_deps and not any(expected_deps):
        errors.append("no dependency expected at all: the comparison would prove nothing")
    refs = [c["bom-ref"] for c in bom["components"]]
    for i, c in enumerate(bom["components"]):
        got = {h["alg"]: h["content"] for h in c.get("hashes", [])}.get("SHA-256")
        if got != expected_hash[i]:
            errors.append(f"CycloneDX {comps[i]['name']}: hash {got}, sha256 of the file {expected_hash[i]}")
    got_deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    for i, ref in enumerate(refs):
        want = [refs[k] for k in expected_deps[i]]
        if sorted(got_deps.get(ref, [])) != sorted(want):
            errors.append(f"CycloneDX {comps[i]['name']}: dependsOn {got_deps.get(ref)}, readelf says {want}")
    packages = doc["packages"][1:]
    ids = [p["SPDXID"] for p in packages]
    for i, p in enumerate(packages):
        got = {x["algorithm"]: x["checksumValue"] for x in p.get("checksums", [])}.get("SHA256")
        if got != expected_hash[i]:
            errors.append(f"SPDX {comps[i]['name']}: checksum {got}, sha256 of the file {expected_hash[i]}")
    rels = sorted((r["spdxElementId"], r["relatedSpdxElement"]) for r in doc["relationships"]
                  if r["relationshipType"] == "DEPENDS_ON")
    want = sorted((ids[i], ids[k]) for i in range(len(ids)) for k in expected_deps[i])
    if rels != want:
        errors.append(f"SPDX DEPENDS_ON {rels}, readelf says {want}")
    findings = [f for f in report["findings"] if f.get("cve")]
    for v in bom["vulnerabilities"]:
        mine = [f for f in findings if f["cve"] == v["id"]]
        state = "not_affected" if all("suppressed" in f for f in mine) else "in_triage"
        if v["analysis"]["state"] != state:
            errors.append(f"{v['id']}: state {v['analysis']['state']}, expected {state}")
        holders = sorted({refs[k] for f in mine for k, c in enumerate(comps)
                          if f["location"].get("path") in c["paths"]}) or ["target"]
        if sorted(a["ref"] for a in v["affects"]) != holders:
            errors.append(f"{v['id']}: affects {v['affects']}, expected {holders}")
        fps = sorted(p["value"] for p in v.get("properties", []) if p["name"] == "iotcop:fingerprint")
        if fps != sorted(f["fingerprint"] for f in mine):
            errors.append(f"{v['id']}: fingerprints {fps}")


def main():
    errors = []
    if len(sys.argv) == 6 and sys.argv[1] == "sarif":
        compare_sarif(load(sys.argv[2]), load(sys.argv[3]), load(sys.argv[4]), int(sys.argv[5]), errors)
    elif len(sys.argv) == 5 and sys.argv[1] == "cyclonedx":
        compare_cyclonedx(load(sys.argv[2]), load(sys.argv[3]), sys.argv[4], errors)
    elif len(sys.argv) in (6, 7) and sys.argv[1] == "sbom-files":
        compare_files(load(sys.argv[2]), load(sys.argv[3]), load(sys.argv[4]), sys.argv[5],
                      sys.argv[6:] == ["--require-deps"], errors)
    elif len(sys.argv) == 5 and sys.argv[1] == "spdx":
        compare_spdx(load(sys.argv[2]), load(sys.argv[3]), sys.argv[4], errors)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errors[:40]:
        print(f"{sys.argv[1]}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

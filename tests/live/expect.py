#!/usr/bin/env python3
"""Checks one `iotcop device --format json` report against a lab case's truth.

Usage: expect.py REPORT.json [--findings RULE@PORT,...] [--guideline CoP-N=STATUS ...]
                 [--provision ID=STATUS ...] [--service PORT=NAME ...] [--evidence TEXT ...]

--findings lists every finding above "info" the report must hold, and no
other (an empty value means none at all): a missing one is a miss, an extra
one a false positive. --service checks the services list (PORT/udp=NAME for UDP); --evidence that
some finding's evidence contains TEXT. Exits 1 with the differences.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--findings")
    ap.add_argument("--guideline", action="append", default=[])
    ap.add_argument("--provision", action="append", default=[])
    ap.add_argument("--service", action="append", default=[])
    ap.add_argument("--evidence", action="append", default=[])
    ap.add_argument("--address")
    a = ap.parse_args()
    with open(a.report) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    if len(lines) != 1:
        print(f"expected one report, got {len(lines)}")
        return 1
    r = json.loads(lines[0])
    errors = []
    if r.get("schema") != "iotcop-report/1":
        errors.append(f"schema {r.get('schema')!r}")
    if r["target"].get("kind") != "device":
        errors.append(f"target kind {r['target'].get('kind')!r}")
    if a.address and r["target"].get("address") != a.address:
        errors.append(f"target address {r['target'].get('address')!r} != {a.address}")
    for f in r["findings"]:
        loc = f["location"]
        if set(loc) < {"host", "port", "protocol", "service"} or loc["protocol"] not in ("tcp", "udp"):
            errors.append(f"bad location {loc}")
    if a.findings is not None:
        want = {x for x in a.findings.split(",") if x}
        got = {f"{f['rule']}@{f['location']['port']}" for f in r["findings"]
               if f["severity"] != "info"}
        for miss in sorted(want - got):
            errors.append(f"missing finding {miss}")
        for extra in sorted(got - want):
            ev = [f["evidence"] for f in r["findings"]
                  if f"{f['rule']}@{f['location']['port']}" == extra]
            errors.append(f"unexpected finding {extra}: {ev}")
    for item in a.guideline:
        gid, status = item.split("=")
        got = {g["id"]: g["status"] for g in r["guidelines"]}.get(gid)
        if got != status:
            errors.append(f"{gid} is {got}, expected {status}")
    for item in a.provision:
        pid, status = item.split("=")
        got = {p["id"]: p["status"] for p in r["provisions"]}.get(pid)
        if got != status:
            errors.append(f"provision {pid} is {got}, expected {status}")
    for item in a.service:
        port, name = item.split("=")
        port, _, proto = port.partition("/")  # "161/udp"; tcp when not named
        names = [s["service"] for s in r["services"]
                 if str(s["port"]) == port and s["protocol"] == (proto or "tcp")]
        if names != [name]:
            errors.append(f"service on port {port}: {names}, expected {name}")
    for text in a.evidence:
        if not any(text in f["evidence"] for f in r["findings"]):
            errors.append(f"no finding's evidence contains {text!r}")
    for e in errors:
        print("  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

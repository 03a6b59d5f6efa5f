#!/usr/bin/env python3
"""Compares `iotcop unpack --list --format json` output with a manifest.

usage: compare_listing.py MANIFEST.jsonl LISTING.jsonl [--layer-format F] [--layer ID]
                          [--fields path,type,mode,uid,gid,size,link] [--hash]

The manifest is JSON Lines written without iotcop (find/stat, or a real
tool's listing turned into the same keys). Entries are compared on the named
fields; with --hash, "sha256" too for files that have it on both sides.
Only the entries of one file system layer are compared: the one given by
--layer, else the layers of format F, else the layer sharing most paths.
Prints every difference and exits 1 if there is any.
"""
import argparse
import json
import sys


def load_jsonl(path):
    entries, summary = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            if "summary" in obj:
                summary = obj["summary"]
            else:
                entries.append(obj)
    return entries, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("manifest")
    ap.add_argument("listing")
    ap.add_argument("--layer-format")
    ap.add_argument("--layer")
    ap.add_argument("--fields", default="path,type,mode,uid,gid,size,link")
    ap.add_argument("--hash", action="store_true")
    args = ap.parse_args()

    want, _ = load_jsonl(args.manifest)
    got_all, summary = load_jsonl(args.listing)
    if summary is None:
        print("listing has no summary line")
        return 1
    formats = {l["id"]: l["format"] for l in summary["layers"]}
    by_layer = {}
    for e in got_all:
        by_layer.setdefault(e["layer"], []).append(e)
    if args.layer:
        layers = [args.layer]
    elif args.layer_format:
        layers = [lid for lid in by_layer if formats.get(lid) == args.layer_format]
    else:
        want_paths = {e["path"] for e in want}
        layers = sorted(by_layer, key=lambda lid: -len(want_paths & {e["path"] for e in by_layer[lid]}))[:1]
    if not layers:
        print("no file system layer matched; layers:", formats)
        return 1
    got = [e for lid in layers for e in by_layer.get(lid, [])]

    # Archives need not list their root; the tree always has one.
    if not any(e["path"] == "/" for e in want):
        got = [e for e in got if e["path"] != "/"]
    fields = args.fields.split(",")
    want_map = {e["path"]: e for e in want}
    got_map = {e["path"]: e for e in got}
    problems = []
    for p in sorted(set(want_map) - set(got_map)):
        problems.append(f"missing from iotcop: {p}")
    for p in sorted(set(got_map) - set(want_map)):
        problems.append(f"not in the manifest: {p}")
    hashed = 0
    for p in sorted(set(want_map) & set(got_map)):
        w, g = want_map[p], got_map[p]
        skip = set()
        if g.get("type") == "hardlink" and w.get("type") == "file":
            # find/stat sees a hard link as one more file; archives name the first path.
            skip = {"type", "link"}
        for k in fields:
            if k in skip:
                continue
            if k == "path":
                continue
            if w.get(k) != g.get(k):
                problems.append(f"{p}: {k} is {g.get(k)!r}, manifest says {w.get(k)!r}")
        if args.hash and "sha256" in w and "sha256" in g:
            hashed += 1
            if w["sha256"] != g["sha256"]:
                problems.append(f"{p}: content differs (sha256)")
    for line in problems[:200]:
        print(line)
    if len(problems) > 200:
        print(f"... and {len(problems) - 200} more")
    print(f"compared {len(want_map)} manifest entries with layer(s) {','.join(layers)}: "
          f"{len(problems)} difference(s), {hashed} contents hashed")
    if args.hash and hashed == 0:
        print("no contents were compared although --hash was given")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

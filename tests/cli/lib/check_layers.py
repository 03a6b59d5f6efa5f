#!/usr/bin/env python3
"""Checks that iotcop found each layer a fixture was built with, at its exact offset.

usage: check_layers.py LISTING.jsonl EXPECTED.json KEY [KEY...]
  LISTING.jsonl  output of `iotcop unpack --list --format json IMAGE`
  EXPECTED.json  the fixture's layers.json / formats.json (written when the
                 fixture was built, never by iotcop)
  KEY...         the path to the image's layer list inside it, e.g. files vendor.bin layers

Each expected layer of a format iotcop reads must appear with that format at
the same absolute offset in the image, with the same size (for SquashFS the
size may be bytes_used, the end of the data before mksquashfs pads to 4 KiB,
so up to 4 KiB less than the padded file).
Layers of formats iotcop does not read (boot loader, U-Boot environment,
padding, headers) must lie outside every layer iotcop reports at the top.
"""
import json
import sys

# fixture format name -> iotcop format name
FORMATS = {"lzma": "lzma", "squashfs": "squashfs", "dtb": "fit", "fit": "fit", "trx": "trx",
           "gzip": "gzip", "xz": "xz", "bzip2": "bzip2", "zstd": "zstd", "lz4": "lz4",
           "lzo": "lzop", "ext4": "ext", "zip": "zip", "tar": "tar", "cpio": "cpio",
           "uimage": "uimage"}
# Layers whose content is a slice of their parent: offsets of their children
# are offsets in the image too.
CONTAINERS = {"input", "uimage", "fit", "trx"}


def main():
    listing, expected_path, *keys = sys.argv[1:]
    summary = None
    for line in open(listing):
        o = json.loads(line)
        if "summary" in o:
            summary = o["summary"]
    layers = {l["id"]: l for l in summary["layers"]}
    absolute = {}
    for l in summary["layers"]:  # parents come before children
        if l["parent"] is None:
            absolute[l["id"]] = 0
            continue
        p = layers[l["parent"]]
        if p["format"] in CONTAINERS and absolute.get(p["id"]) is not None:
            absolute[l["id"]] = absolute[p["id"]] + l["offset"]
        else:
            absolute[l["id"]] = None
    expected = json.load(open(expected_path))
    node = expected
    for k in keys:
        node = node[k]
    bytes_used = {f.get("sha256"): f.get("bytes_used") for f in expected.get("files", {}).values()
                  if isinstance(f, dict)}
    problems, checked = [], 0
    for want in node:
        fmt = FORMATS.get(want["format"])
        if fmt is None:
            continue
        sizes = {want["size"]}
        if bytes_used.get(want.get("sha256")):
            sizes.add(bytes_used[want["sha256"]])
        hits = [l for l in summary["layers"]
                if l["format"] == fmt and absolute.get(l["id"]) == want["offset"]]
        checked += 1
        if not hits:
            problems.append(f"{want['name']}: no {fmt} layer at offset {want['offset']}")
        elif hits[0]["size"] not in sizes and not (
                fmt == "squashfs" and 0 < want["size"] - hits[0]["size"] < 4096):
            # mksquashfs pads to 4 KiB after bytes_used; the layer ends at bytes_used.
            problems.append(f"{want['name']}: {fmt} at {want['offset']} has size {hits[0]['size']}, "
                            f"built with {sorted(sizes)}")
    for p in problems:
        print(p)
    print(f"{checked} layers checked, {len(problems)} problem(s)")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

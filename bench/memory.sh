#!/usr/bin/env bash
# Peak memory of `iotcop unpack` on the bundled sample against the expanded
# size of its file systems (the goal: under 3x). Measures the worker process
# with GNU time (--in-process, so the one process is the one measured).
#   bench/memory.sh [IMAGE]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-$here/build/fixtures/sample/firmware.uimage}
iotcop="${IOTCOP_BUILD:-$here/build}/iotcop"
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
/usr/bin/time -f '%M' -o "$listing.rss" "$iotcop" unpack --in-process --list -f json "$image" >"$listing"
rss_kib=$(cat "$listing.rss"); rm -f "$listing.rss"
python3 - "$listing" "$rss_kib" <<'PY'
import json, sys
fs_bytes = 0
summary = None
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "summary" in o:
        summary = o["summary"]
    elif o["type"] == "file":
        fs_bytes += o["size"]
rss = int(sys.argv[2]) * 1024
print(f"file systems expanded: {fs_bytes/1048576:.1f} MiB; all derived content: {summary['bytes']/1048576:.1f} MiB")
print(f"peak RSS: {rss/1048576:.1f} MiB = {rss/fs_bytes:.2f}x the file systems (goal < 3x)")
PY

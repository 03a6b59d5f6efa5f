#!/usr/bin/env bash
# Import speed and memory of the vulnerability store on a year of NVD-sized
# data: the 68 real API 2.0 records of ../shared/data/nvd replicated with new
# ids (CVE-2099-NNNNNN) into N records (default 30000), written both as API
# pages of 2000 and as one file. Prints records per second and peak RSS
# (GNU time) for: the pages, the one big file (memory must not grow with
# the file), a re-import (every record replaced), and, side by side, Python's
# json.load of the big file — the parse alone of a DOM-based importer.
# Wall time depends on the machine's load; CPU time (user + system) less so.
#   bench/vulndb.sh [RECORDS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
records=${1:-30000}
iotcop="${IOTCOP_BUILD:-$here/build}/iotcop"
shared="${IOTCOP_SHARED:-$here/../shared}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$shared/data/nvd" "$work" "$records" <<'PY'
import copy, json, sys
src, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
real = []
for name in ("nvd-cve-2.0-page1.json", "nvd-cve-2.0-page2.json"):
    real += json.load(open(f"{src}/{name}"))["vulnerabilities"]
items = []
for i in range(total):
    item = copy.deepcopy(real[i % len(real)])
    item["cve"]["id"] = "CVE-2099-%06d" % i
    items.append(item)
def page(chunk, start):
    return {"resultsPerPage": len(chunk), "startIndex": start, "totalResults": total,
            "format": "NVD_CVE", "version": "2.0", "timestamp": "2099-01-01T00:00:00.000",
            "vulnerabilities": chunk}
for start in range(0, total, 2000):
    with open(f"{out}/page-{start // 2000:03d}.json", "w") as f:
        json.dump(page(items[start:start + 2000], start), f, indent=2)
with open(f"{out}/all.json", "w") as f:
    json.dump(page(items, 0), f, indent=2)
PY
pages=("$work"/page-*.json)
bytes=$(cat "${pages[@]}" | wc -c)
echo "data: $records records, ${#pages[@]} pages, $((bytes / 1048576)) MiB of JSON (one file: $(($(wc -c <"$work/all.json") / 1048576)) MiB)"

measure() { # label, then the command
    local label=$1; shift
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null
    end=$(date +%s.%N)
    local rss cpu
    rss=$(awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
    cpu=$(awk -F: '/(User|System) time/ {s += $2} END {print s}' "$work/time.txt")
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); c=max(float(sys.argv[6]),0.01); \
print(f'{sys.argv[4]:<32} {s:7.2f} s wall {n/s:8.0f} rec/s | {c:6.2f} s CPU {n/c:8.0f} rec/s | peak RSS {int(sys.argv[5])/1024:6.1f} MiB')" \
        "$start" "$end" "$records" "$label" "$rss" "$cpu"
}
measure "iotcop vulndb import (pages)" "$iotcop" vulndb import -q --db "$work/a.sqlite" "${pages[@]}"
measure "iotcop vulndb import (one file)" "$iotcop" vulndb import -q --db "$work/b.sqlite" "$work/all.json"
measure "iotcop vulndb import (again)" "$iotcop" vulndb import -q --db "$work/a.sqlite" "${pages[@]}"
measure "python3 json.load (one file)" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/all.json"
"$iotcop" vulndb info --db "$work/a.sqlite" | sed 's/^/  /'
echo "  store size: $(($(wc -c <"$work/a.sqlite") / 1048576)) MiB"

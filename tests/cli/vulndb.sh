#!/usr/bin/env bash
# iotcop vulndb on the real NVD API 2.0 records of $IOTCOP_SHARED/data/nvd:
# import (twice: nothing changes), info, every row of the README's
# expected-match table through `vulndb match`, bad inputs; then `update`
# against a local HTTPS server (python3 http.server + ssl, a throwaway CA and
# server certificate made here by openssl) that serves the two pages by
# startIndex and answers the first request with 429 + Retry-After: a full
# download, an incremental one split into 120-day windows, the API key
# header, refusal of an untrusted certificate and of plain http.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
NVD="$IOTCOP_SHARED/data/nvd"
[ -f "$NVD/nvd-cve-2.0-page1.json" ] || { echo "no $NVD"; exit 77; }
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "needs openssl, python3"; exit 77; }
T="${IOTCOP_TMP:-/tmp}/cli-vulndb.$$"
rm -rf "$T"; mkdir -p "$T"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
B="$IOTCOP_BIN"
DB="$T/store.sqlite"

# ---- import, info ----------------------------------------------------------
"$B" vulndb import --db "$DB" "$NVD/nvd-cve-2.0-page1.json" "$NVD/nvd-cve-2.0-page2.json" \
    >"$T/import.out" || fail "import exited $?"
grep -q "page1.json: nvd-2.0, 34 records (1 rejected" "$T/import.out" || fail "import page1: $(cat "$T/import.out")"
"$B" vulndb info --db "$DB" -f json >"$T/info1.json" || fail "info exited $?"
"$B" vulndb import --db "$DB" "$NVD/nvd-cve-2.0-page2.json" "$NVD/nvd-cve-2.0-page1.json" -q || fail "re-import"
"$B" vulndb info --db "$DB" -f json >"$T/info2.json" || fail "info exited $?"
python3 - "$T/info1.json" "$T/info2.json" <<'PY' || fail "info"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["records"] == 68 and a["rejected"] == 2 and a["kev"] == 0, a
assert a["criteria"] > 100 and a["last_update"] is None, a
assert a["newest_record"].startswith("2026-"), a
assert a == b, (a, b)
PY
"$B" vulndb info --db "$DB" | grep -q "records:        68 (2 rejected)" || fail "info text"

# ---- every row of the expected-match table, end to end -----------------------
python3 - "$B" "$DB" "$NVD/README.md" <<'PY' || fail "expected-match table"
import json, subprocess, sys
binary, db, readme = sys.argv[1:4]
rows, errors, inside = 0, [], False
for line in open(readme, encoding="utf-8"):
    if line.startswith("## Expected matches"):
        inside = True
        continue
    if inside and line.startswith("## "):
        break
    cols = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
    if not inside or len(cols) < 7 or not cols[0].isdigit():
        continue
    target = f"{cols[1]}:{cols[2]}:{cols[3]}"
    must = {c.strip() for c in cols[4].split(",") if c.strip().startswith("CVE-")}
    out = subprocess.run([binary, "vulndb", "match", "--db", db, "-f", "json", target],
                         capture_output=True, text=True)
    if out.returncode != 0:
        errors.append(f"{target}: exit {out.returncode} {out.stderr}")
        continue
    got = [json.loads(l) for l in out.stdout.splitlines()]
    cves = [g["cve"] for g in got]
    if set(cves) != must or len(cves) != len(set(cves)):
        errors.append(f"row {cols[0]} {target}: got {sorted(cves)}, expected {sorted(must)}")
    rows += 1
assert rows == 111, rows
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
# the form binaries print reaches the criteria (9.2p1 -> 9.2 / p1)
"$B" vulndb match --db "$DB" openbsd:openssh:9.2p1 >"$T/match.txt" || fail "match exited $?"
[ "$(awk '{print $1}' "$T/match.txt" | tr '\n' ' ')" = "CVE-2023-28531 CVE-2023-38408 CVE-2024-6387 " ] \
    || fail "match 9.2p1: $(cat "$T/match.txt")"
grep -q "CVE-2024-6387 .* 8.1 HIGH  cpe:2.3:a:openbsd:openssh:\*:\*:\*:\*:\*:\*:\*:\* >= 8.6, < 9.8" "$T/match.txt" \
    || fail "match evidence: $(cat "$T/match.txt")"

# ---- bad input -----------------------------------------------------------------
echo "not json" >"$T/bad.json"
set +e
"$B" vulndb import --db "$DB" "$T/bad.json" 2>"$T/bad.err"; rc=$?
[ $rc -eq 3 ] || fail "import of text exited $rc"
"$B" vulndb import --db "$DB" "$T/missing.json" 2>/dev/null; rc=$?
[ $rc -eq 3 ] || fail "import of a missing file exited $rc"
head -c 40000 "$NVD/nvd-cve-2.0-page1.json" >"$T/cut.json"
"$B" vulndb import --db "$T/cut.sqlite" "$T/cut.json" >"$T/cut.out" 2>"$T/cut.err"; rc=$?
[ $rc -eq 0 ] && grep -q "warning: .*cut.json: data ends before" "$T/cut.err" || fail "truncated import: $rc $(cat "$T/cut.err")"
"$B" vulndb info --db "$T/missing.sqlite" 2>/dev/null; rc=$?
[ $rc -eq 3 ] || fail "info of a missing store exited $rc"
"$B" vulndb frobnicate 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "unknown action exited $rc"
"$B" vulndb match --db "$DB" busybox 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "bad target exited $rc"
set -e

# ---- update over HTTPS -----------------------------------------------------------
cd "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj "/CN=iotcop test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
    -days 2 -extfile server.ext 2>/dev/null
cd - >/dev/null
cat >"$T/server.py" <<'PY'
import http.server, json, ssl, sys, urllib.parse
pages, cert, key, log, portfile = sys.argv[1:6]
count = {"n": 0}
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        count["n"] += 1
        url = urllib.parse.urlparse(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        status, body = 200, b""
        if count["n"] == 1:
            status = 429                      # the first request is rate-limited
        elif url.path != "/rest/json/cves/2.0":
            status = 404
        elif "lastModStartDate" in q:
            body = json.dumps({"resultsPerPage": 0, "startIndex": 0, "totalResults": 0,
                               "format": "NVD_CVE", "version": "2.0",
                               "timestamp": "2026-11-28T02:22:23.000",
                               "vulnerabilities": []}).encode()
        else:
            start = int(q.get("startIndex", "0"))
            name = {0: "page1", 34: "page2"}.get(start)
            if name is None:
                status = 404
            else:
                body = open(f"{pages}/nvd-cve-2.0-{name}.json", "rb").read()
        with open(log, "a") as f:
            f.write(json.dumps({"status": status, "path": url.path, "query": q,
                                "apiKey": self.headers.get("apiKey")}) + "\n")
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
open(portfile + ".tmp", "w").write(str(server.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
server.serve_forever()
PY
python3 "$T/server.py" "$NVD" "$T/server.pem" "$T/server.key" "$T/requests.log" "$T/port" &
SERVER_PID=$!
for _ in $(seq 50); do [ -f "$T/port" ] && break; sleep 0.1; done
[ -f "$T/port" ] || { echo "FAIL: the test server did not start"; exit 1; }
URL="https://127.0.0.1:$(cat "$T/port")/rest/json/cves/2.0"
UDB="$T/update.sqlite"

IOTCOP_VULNDB_NOW=2026-01-01T00:00:00 "$B" vulndb update --db "$UDB" --url "$URL" \
    --ca-file "$T/ca.pem" --api-key test-key-123 --delay 0 2>"$T/update1.err" >"$T/update1.out" \
    || fail "update exited $?: $(cat "$T/update1.err")"
grep -q "HTTP 429, retrying in 1 s" "$T/update1.err" || fail "no retry reported: $(cat "$T/update1.err")"
"$B" vulndb info --db "$UDB" -f json >"$T/uinfo1.json"
# 150 days later: two windows (120 + 30 days)
IOTCOP_VULNDB_NOW=2026-05-31T00:00:00 "$B" vulndb update --db "$UDB" --url "$URL" \
    --ca-file "$T/ca.pem" --delay 0 -q || fail "incremental update exited $?"
"$B" vulndb info --db "$UDB" -f json >"$T/uinfo2.json"
python3 - "$T/requests.log" "$T/uinfo1.json" "$T/uinfo2.json" <<'PY' || fail "update requests"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
info1, info2 = (json.load(open(p)) for p in sys.argv[2:4])
assert [r["status"] for r in reqs] == [429, 200, 200, 200, 200], reqs
assert reqs[0]["query"] == reqs[1]["query"], "the rate-limited request is retried as it was"
assert [r["query"].get("startIndex") for r in reqs[1:3]] == ["0", "34"], reqs
assert all("lastModStartDate" not in r["query"] for r in reqs[:3]), "first update is a full one"
assert reqs[1]["apiKey"] == "test-key-123" and reqs[3]["apiKey"] is None, reqs
w1, w2 = reqs[3]["query"], reqs[4]["query"]
assert w1["lastModStartDate"] == "2026-01-01T00:00:00.000+00:00", w1
assert w1["lastModEndDate"] == "2026-05-01T00:00:00.000+00:00", w1
assert w2["lastModStartDate"] == w1["lastModEndDate"], w2
assert w2["lastModEndDate"] == "2026-05-31T00:00:00.000+00:00", w2
assert info1["records"] == 68 and info1["rejected"] == 2, info1
assert info1["last_update"] == "2026-01-01T00:00:00", info1
assert info2["records"] == 68 and info2["last_update"] == "2026-05-31T00:00:00", info2
PY
# the updated store answers like the imported one
"$B" vulndb match --db "$UDB" openbsd:openssh:9.2p1 >"$T/match2.txt"
cmp -s "$T/match.txt" "$T/match2.txt" || fail "updated store matches differently"

set +e
# without the test CA the certificate is refused, and nothing moves
IOTCOP_VULNDB_NOW=2026-07-01T00:00:00 "$B" vulndb update --db "$UDB" --url "$URL" --delay 0 \
    --retries 0 -q 2>"$T/untrusted.err"; rc=$?
[ $rc -eq 3 ] && grep -qi "certificate" "$T/untrusted.err" || fail "untrusted server: $rc $(cat "$T/untrusted.err")"
"$B" vulndb info --db "$UDB" -f json | grep -q '"last_update": "2026-05-31T00:00:00"' || fail "last update moved after a failure"
"$B" vulndb update --db "$UDB" --url "http://127.0.0.1:1/x" -q 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "plain http accepted ($rc)"
set -e

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "vulndb: ok"

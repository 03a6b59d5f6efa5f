#!/usr/bin/env bash
# `iotcop device` against Debian's dropbear in the lab, with its own
# passwd/shadow: root's password "root" (a default pair of the dictionary's
# ssh list) is found through libssh; with a random password nothing is; the
# service is named from its banner's first line.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SOURCE:-}" ] || exit 77
[ -x /usr/sbin/dropbear ] && command -v dropbearkey >/dev/null ||
  { echo "SKIP: dropbear-bin is not installed (scripts/install-deps.sh)"; exit 77; }
source "$IOTCOP_SOURCE/tests/live/lab.sh"
lab_init
EXPECT="$IOTCOP_SOURCE/tests/live/expect.py"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
grep -qP '^ssh\troot\troot\t' "$IOTCOP_SOURCE/data/default-credentials.tsv" ||
  { echo "FAIL: the dictionary has no ssh root/root pair"; exit 1; }

lab_passwd "$LAB_DIR/weak" root
lab_passwd "$LAB_DIR/strong" "Zq$(openssl rand -hex 12)"
dropbearkey -t ed25519 -f "$LAB_DIR/hostkey" >/dev/null 2>&1
H2=$(lab_host 2); H3=$(lab_host 3)
lab_jail "$H2" "$LAB_DIR/weak" /usr/sbin/dropbear -F -E -r "$LAB_DIR/hostkey" -p 10.213.0.2:22
lab_jail "$H3" "$LAB_DIR/strong" /usr/sbin/dropbear -F -E -r "$LAB_DIR/hostkey" -p 10.213.0.3:22
lab_wait_port "$H2" 10.213.0.2 22
lab_wait_port "$H3" 10.213.0.3 22

lab_iotcop device -f json --ports 22 10.213.0.2 >"$LAB_DIR/weak.json" || fail "weak: exit $?"
python3 "$EXPECT" "$LAB_DIR/weak.json" --service 22=ssh --findings device.default-credentials@22 \
  --evidence "ssh login accepted: user 'root', password 'root'" --guideline CoP-1=fail ||
  fail "weak: the report differs from the lab's truth"
python3 - "$LAB_DIR/weak.json" <<'PY' || fail "weak: banner is not dropbear's first line"
import json, sys
s = json.load(open(sys.argv[1]))["services"][0]
assert s["banner"].startswith("SSH-2.0-dropbear_") and "\n" not in s["banner"] and "." not in s["banner"][-1:], s["banner"]
PY
lab_iotcop device -f json --ports 22 10.213.0.3 >"$LAB_DIR/strong.json" || fail "strong: exit $?"
python3 "$EXPECT" "$LAB_DIR/strong.json" --service 22=ssh --findings "" ||
  fail "strong: the report differs from the lab's truth"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "device_ssh: all cases pass"

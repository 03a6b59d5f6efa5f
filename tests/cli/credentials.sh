#!/usr/bin/env bash
# The credentials family end to end: `iotcop firmware --format json` on the
# bundled sample image (planted: root/xc3511 md5crypt, admin/admin
# sha512crypt, support with an empty password, telnetd -l /bin/sh and a
# shell on ttyS0 in inittab) and on the clean image (every account locked:
# no password ships, so 5.1-1 passes with that evidence); then a tar holding FACT's
# passwd_test as /etc/shadow, cracked with a --wordlist (John the Ripper's
# password.lst when installed), showing which answers come from the
# built-in dictionary and which from the wordlist.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
[ -f "$IOTCOP_FIXTURES/sample/firmware.uimage" ] && [ -f "$IOTCOP_FIXTURES/clean/firmware.uimage" ] || exit 77
command -v python3 >/dev/null || { echo "missing tool python3"; exit 1; }
T="${IOTCOP_TMP:-/tmp}/cli-credentials.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$IOTCOP_BIN" firmware --format json "$IOTCOP_FIXTURES/sample/firmware.uimage" >"$T/sample.json" ||
  fail "firmware on the sample exited $?"
python3 - "$T/sample.json" <<'PY' || fail "sample: credential findings"
import json, sys
r = json.load(open(sys.argv[1]))
cred = [f for f in r["findings"] if f["rule"].startswith("cred.")]
errors = []
def want(rule, path, *parts, severity=None):
    hits = [f for f in cred if f["rule"] == rule and f["location"].get("path") == path
            and all(p in f["evidence"] for p in parts)]
    if len(hits) != 1:
        errors.append(f"expected one {rule} at {path} with {parts}, got {len(hits)}")
    elif severity and hits[0]["severity"] != severity:
        errors.append(f"{rule} at {path}: severity {hits[0]['severity']}, expected {severity}")
    elif hits and not hits[0]["location"].get("layer"):
        errors.append(f"{rule} at {path}: no layer")
want("cred.default-password", "/etc/shadow", "'root'", "md5crypt", "'xc3511'", "built-in dictionary", "mirai", severity="critical")
want("cred.default-password", "/etc/shadow", "'admin'", "sha512crypt", "'admin'", "built-in dictionary", severity="critical")
want("cred.empty-password", "/etc/shadow", "'support'", severity="critical")
want("cred.login-bypass", "/etc/inittab", "telnetd -F -l /bin/sh", severity="critical")
want("cred.console-shell", "/etc/inittab", "ttyS0::respawn:/bin/sh", "ttyS0", severity="high")
want("cred.weak-hash", "/etc/shadow", "'root'", "md5crypt", severity="low")
if len(cred) != 6:
    errors.append("unexpected credential findings: " + "; ".join(f["rule"] + " " + f["evidence"] for f in cred))
prov = {p["id"]: p for p in r["provisions"]}
for pid in ("5.1-1", "5.1-3", "5.6-4", "5.5-4"):
    if prov[pid]["status"] != "fail":
        errors.append(f"{pid} is {prov[pid]['status']}, expected fail")
g = {x["id"]: x for x in r["guidelines"]}
if g["CoP-1"]["status"] != "fail":
    errors.append("CoP-1 should fail")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY

"$IOTCOP_BIN" firmware --format json "$IOTCOP_FIXTURES/clean/firmware.uimage" >"$T/clean.json" ||
  fail "firmware on the clean image exited $?"
python3 - "$T/clean.json" <<'PY' || fail "clean: credential findings"
import json, sys
r = json.load(open(sys.argv[1]))
cred = [f for f in r["findings"] if f["rule"].startswith("cred.")]
errors = []
# No account has a usable password: no credential finding at all.
if cred:
    errors.append("clean findings: " + ", ".join(f"{f['rule']} {f['location'].get('path')}" for f in cred))
prov = {p["id"]: p for p in r["provisions"]}
if prov["5.1-1"]["status"] != "pass":
    errors.append(f"5.1-1: {prov['5.1-1']} (every account is locked: it should pass)")
for pid in ("5.6-4", "5.5-4", "5.1-3"):
    if prov[pid]["status"] == "fail":
        errors.append(f"{pid} fails on the clean image")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY

# ---- FACT's known answers through the whole tool, with a wordlist ----------------
SAMPLES="$IOTCOP_SHARED/samples/fact-core/users_and_passwords"
if [ -f "$SAMPLES/passwd_test" ] && command -v tar >/dev/null; then
  mkdir -p "$T/root/etc" "$T/root/opt"
  cp "$SAMPLES/passwd_test" "$T/root/etc/shadow"
  cp "$SAMPLES/passwd_FP_test" "$T/root/opt/settings.bin"
  tar -C "$T/root" -cf "$T/known.tar" etc opt
  WORDLIST=/usr/share/john/password.lst
  if [ ! -f "$WORDLIST" ]; then
    echo "note: john-data is not installed; using a small stand-in wordlist"
    printf '#!comment: stand-in\nqwerty\nletmein\ndragon\n' >"$T/words.lst"
    WORDLIST="$T/words.lst"
  fi
  "$IOTCOP_BIN" firmware --format json --wordlist "$WORDLIST" "$T/known.tar" >"$T/known.json" ||
    fail "firmware on known.tar exited $?"
  python3 - "$T/known.json" <<'PY' || fail "known answers"
import json, sys
r = json.load(open(sys.argv[1]))
cred = [f for f in r["findings"] if f["rule"] in ("cred.default-password", "cred.weak-password", "cred.hash-in-image", "cred.empty-password")]
answers = {}
for f in cred:
    ev = f["evidence"]
    user = ev.split("'")[1]
    answers[user] = (f["rule"], ev)
expected = {"johndoe": "123456", "admin": "admin", "root": "root", "user": "1234",
            "user2": "secret", "nosalt": "root"}
errors = []
for user, pw in expected.items():
    rule, ev = answers.get(user, (None, ""))
    if rule != "cred.default-password" or f"'{pw}'" not in ev or "built-in dictionary" not in ev:
        errors.append(f"{user}: expected {pw} from the built-in dictionary, got {rule}: {ev}")
rule, ev = answers.get("max", (None, ""))
if rule != "cred.weak-password" or "'dragon'" not in ev or "from the wordlist" not in ev:
    errors.append(f"max: expected dragon from the wordlist, got {rule}: {ev}")
extra = set(answers) - set(expected) - {"max"}
if extra:
    errors.append(f"accounts without a password reported: {sorted(extra)}")
if any(f["location"].get("path") == "/opt/settings.bin" for f in r["findings"] if f["rule"].startswith("cred.")):
    errors.append("passwd_FP_test gave a finding")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "credentials: ok"

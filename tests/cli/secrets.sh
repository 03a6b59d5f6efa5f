#!/usr/bin/env bash
# The secrets family end to end with `iotcop firmware --format json`:
#  - the sample image: the planted unencrypted RSA key (/etc/ssl/private/
#    server.key) and the expired self-signed certificate (/etc/ssl/certs/
#    server.crt), with rule, severity, guideline, provisions and layer; the
#    key's size checked against openssl on the file unsquashfs extracts;
#  - the clean and old images: no secret.* finding above info;
#  - FACT's crypto_material in a tar: every private key found with the
#    algorithm, size and encryption the openssl command line gives, nothing
#    from FP_test or the *_fp* files.
set -euo pipefail
[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_FIXTURES:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
[ -f "$IOTCOP_FIXTURES/sample/firmware.uimage" ] && [ -f "$IOTCOP_FIXTURES/clean/firmware.uimage" ] || exit 77
command -v python3 >/dev/null || { echo "missing tool python3"; exit 1; }
command -v openssl >/dev/null || { echo "missing tool openssl"; exit 1; }
T="${IOTCOP_TMP:-/tmp}/cli-secrets.$$"
rm -rf "$T"; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- the sample image ---------------------------------------------------------
"$IOTCOP_BIN" firmware --format json "$IOTCOP_FIXTURES/sample/firmware.uimage" >"$T/sample.json" ||
  fail "firmware on the sample exited $?"
KEYBITS=""
if command -v unsquashfs >/dev/null; then
  unsquashfs -q -n -d "$T/rootfs" "$IOTCOP_FIXTURES/sample/rootfs.squashfs" etc/ssl >/dev/null 2>&1 || true
  if [ -f "$T/rootfs/etc/ssl/private/server.key" ]; then
    KEYBITS=$(openssl pkey -in "$T/rootfs/etc/ssl/private/server.key" -noout -text | sed -n 's/.*Key: (\([0-9]*\) bit.*/\1/p')
    ENDDATE=$(date -u -d "$(openssl x509 -in "$T/rootfs/etc/ssl/certs/server.crt" -noout -enddate | cut -d= -f2)" +%Y-%m-%d)
    CN=$(openssl x509 -in "$T/rootfs/etc/ssl/certs/server.crt" -noout -subject -nameopt RFC2253 | sed 's/.*CN=\([^,]*\).*/\1/')
    SELF=$( [ "$(openssl x509 -in "$T/rootfs/etc/ssl/certs/server.crt" -noout -subject -nameopt RFC2253 | cut -d= -f2-)" = \
             "$(openssl x509 -in "$T/rootfs/etc/ssl/certs/server.crt" -noout -issuer -nameopt RFC2253 | cut -d= -f2-)" ] && echo 1 || echo 0)
  fi
else
  echo "note: unsquashfs missing; the sample key's size is not cross-checked"
fi
python3 - "$T/sample.json" "${KEYBITS:-}" "${ENDDATE:-}" "${CN:-}" "${SELF:-}" <<'PY' || fail "sample: secret findings"
import json, sys
r = json.load(open(sys.argv[1]))
bits, enddate, cn, self_signed = sys.argv[2:6]
sec = [f for f in r["findings"] if f["rule"].startswith("secret.")]
errors = []
def want(rule, path, *parts, severity, guideline, provisions):
    hits = [f for f in sec if f["rule"] == rule and f["location"].get("path") == path
            and all(p in f["evidence"] for p in parts)]
    if len(hits) != 1:
        errors.append(f"expected one {rule} at {path} with {parts}, got {len(hits)}")
        return
    f = hits[0]
    if f["severity"] != severity: errors.append(f"{rule}: severity {f['severity']}")
    if f["guideline"] != guideline: errors.append(f"{rule}: guideline {f['guideline']}")
    if f["provisions"] != provisions: errors.append(f"{rule}: provisions {f['provisions']}")
    if not f["location"].get("layer"): errors.append(f"{rule}: no layer")
want("secret.private-key", "/etc/ssl/private/server.key", "unencrypted RSA",
     f"{bits}-bit" if bits else "RSA", "PEM PKCS#1",
     severity="high", guideline="CoP-4", provisions=["5.4-1", "5.4-3", "5.4-4"])
want("secret.cert-expired", "/etc/ssl/certs/server.crt", "expired on " + enddate if enddate else "expired",
     "CN=" + cn if cn else "CN=",
     severity="medium", guideline="CoP-5", provisions=["5.5-1"])
if self_signed != "0":
    want("secret.cert-self-signed", "/etc/ssl/certs/server.crt", "self-signed",
         severity="low", guideline="CoP-5", provisions=["5.5-1"])
if len(sec) != 3:
    errors.append("unexpected secret findings: " + "; ".join(f["rule"] + " " + str(f["location"].get("path")) for f in sec))
prov = {p["id"]: p for p in r["provisions"]}
for pid in ("5.4-1", "5.4-3", "5.4-4"):
    if prov[pid]["status"] != "fail":
        errors.append(f"{pid} is {prov[pid]['status']}, expected fail")
g = {x["id"]: x for x in r["guidelines"]}
if g["CoP-4"]["status"] != "fail":
    errors.append("CoP-4 should fail")
for e in errors: print(e)
sys.exit(1 if errors else 0)
PY

# ---- the clean images -------------------------------------------------------------
for fx in clean old; do
  [ -f "$IOTCOP_FIXTURES/$fx/firmware.uimage" ] || continue
  "$IOTCOP_BIN" firmware --format json "$IOTCOP_FIXTURES/$fx/firmware.uimage" >"$T/$fx.json" ||
    fail "firmware on $fx exited $?"
  python3 - "$T/$fx.json" <<'PY' || fail "$fx: secret findings above info"
import json, sys
r = json.load(open(sys.argv[1]))
bad = [f for f in r["findings"] if f["rule"].startswith("secret.") and f["severity"] != "info"]
for f in bad: print(f["rule"], f["location"], f["evidence"])
prov = {p["id"]: p for p in r["provisions"]}
if prov["5.4-3"]["status"] == "pass":
    print("5.4-3 passes on no evidence"); sys.exit(1)
sys.exit(1 if bad else 0)
PY
done

# ---- FACT's crypto_material -----------------------------------------------------------
CM="$IOTCOP_SHARED/samples/fact-core/crypto_material"
if [ -d "$CM" ] && command -v tar >/dev/null; then
  mkdir -p "$T/cm/etc/keys"
  cp "$CM"/* "$T/cm/etc/keys/"
  tar -C "$T/cm" -cf "$T/cm.tar" etc
  "$IOTCOP_BIN" firmware --format json "$T/cm.tar" >"$T/cm.json" || fail "firmware on cm.tar exited $?"
  # the truth, from openssl: "NAME ALG BITS" per unencrypted private key
  : >"$T/truth"
  for f in id_rsa ssl.key pkcs error.der; do
    form=PEM; case "$f" in pkcs|*.der) form=DER;; esac
    text=$(openssl pkey -inform $form -in "$CM/$f" -passin pass: -noout -text)
    bits=$(printf '%s\n' "$text" | sed -n 's/.*Key: (\([0-9]*\) bit.*/\1/p' | head -1)
    alg=UNKNOWN
    printf '%s\n' "$text" | grep -qi '^modulus:' && alg=RSA
    printf '%s\n' "$text" | grep -q '^P:' && alg=DSA
    printf '%s\n' "$text" | grep -q 'ASN1 OID' && alg=EC
    echo "$f $alg $bits" >>"$T/truth"
  done
  openssl pkey -in "$CM/id_rsa_encrypted" -passin pass: -noout 2>/dev/null && fail "openssl opened id_rsa_encrypted without a passphrase?"
  python3 - "$T/cm.json" "$T/truth" <<'PY' || fail "crypto_material"
import json, sys
r = json.load(open(sys.argv[1]))
sec = [f for f in r["findings"] if f["rule"].startswith("secret.")]
errors = []
for line in open(sys.argv[2]):
    name, alg, bits = line.split()
    path = "/etc/keys/" + name
    hits = [f for f in sec if f["location"].get("path") == path and f["rule"] == "secret.private-key"]
    if len(hits) != 1 or f"unencrypted {alg} {bits}-bit" not in hits[0]["evidence"]:
        errors.append(f"{name}: expected unencrypted {alg} {bits}-bit, got " + "; ".join(f["evidence"] for f in hits))
enc = [f for f in sec if f["location"].get("path") == "/etc/keys/id_rsa_encrypted"]
if [f["rule"] for f in enc] != ["secret.private-key-encrypted"] or "RSA" not in enc[0]["evidence"]:
    errors.append("id_rsa_encrypted: " + "; ".join(f["rule"] + " " + f["evidence"] for f in enc))
p12 = [f for f in sec if f["location"].get("path") == "/etc/keys/pkcs12" and f["rule"] == "secret.private-key"]
if len(p12) != 1 or "PKCS#12" not in p12[0]["evidence"]:
    errors.append("pkcs12 (empty password) not reported as an unencrypted key")
crt = [f for f in sec if f["location"].get("path") == "/etc/keys/ssl.crt"]
if "secret.cert-expired" not in [f["rule"] for f in crt]:
    errors.append("ssl.crt (expired 2017) not reported as expired")
for trap in ("FP_test", "pkcs_fp.file", "ssl_fp.file", "0x6C2DF2C5-pub.asc", "generic_public_key", "id_rsa.pub"):
    hits = [f for f in sec if f["location"].get("path") == "/etc/keys/" + trap]
    if hits:
        errors.append(f"{trap}: " + "; ".join(f["rule"] for f in hits))
for e in errors: print(e)
sys.exit(1 if errors else 0)
PY
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "secrets: ok"

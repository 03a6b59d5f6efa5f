#!/usr/bin/env bash
# Stream compressors through the command line (worker, sandbox, JSON): the
# compressed x86 kernels of fact-extractor, where the bzImage setup header
# itself says where the compressed payload sits and how long it is (the
# build appends the kernel's size, 4 bytes, to the stream), and a bomb made
# by xz that must stop at --limit total-bytes with a diagnostic.
set -euo pipefail

[ -n "${IOTCOP_BIN:-}" ] && [ -n "${IOTCOP_SHARED:-}" ] || exit 77
for tool in jq xz od; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/install-deps.sh" >&2; exit 1; }
done
KERNELS="$IOTCOP_SHARED/samples/fact-extractor/linuxkernel"

mkdir -p "${IOTCOP_TMP:-/tmp}"
work=$(mktemp -d "${IOTCOP_TMP:-/tmp}/compressors.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check_eq() { # what expected actual
  if [ "$2" != "$3" ]; then fail "$1: expected '$2', got '$3'"; fi
}
u8() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }
u32le() { od -An -tu4 --endian=little -j "$2" -N 4 "$1" | tr -d ' '; }

for pair in bzip2:bzip2 lz4:lz4 lzma:lzma lzo:lzop xz:xz; do
  sample="$KERNELS/bzImage_${pair%%:*}"
  format=${pair##*:}
  [ -f "$sample" ] || { echo "sample $sample is missing" >&2; exit 1; }
  setup_sects=$(u8 "$sample" $((0x1f1)))
  [ "$setup_sects" -ne 0 ] || setup_sects=4
  offset=$(( (setup_sects + 1) * 512 + $(u32le "$sample" $((0x248))) ))
  length=$(u32le "$sample" $((0x24c)))
  kernel_size=$(u32le "$sample" $((offset + length - 4)))

  rc=0
  "$IOTCOP_BIN" unpack -f json "$sample" >"$work/out.jsonl" || rc=$?
  check_eq "$sample exit status" 0 "$rc"
  tail -n 1 "$work/out.jsonl" | jq -c '.summary' >"$work/summary.json"
  got=$(jq -r --arg f "$format" \
    '[.layers[] | select(.format == $f and .parent == "0")][0] | "\(.offset) \(.size)"' \
    "$work/summary.json")
  check_eq "$sample $format layer offset and size" "$offset $((length - 4))" "$got"
  errors=$(jq '[.diagnostics[] | select(.level == "error")] | length' "$work/summary.json")
  check_eq "$sample errors" 0 "$errors"
  # The decompressed kernel is the size the build recorded after the stream.
  expanded=$(jq -r '.bytes' "$work/summary.json")
  if [ "$expanded" -lt "$kernel_size" ]; then
    fail "$sample: $expanded bytes expanded, the kernel has $kernel_size"
  fi
done

# 512 MiB of zeros in 32 concatenated xz streams.
head -c 16M /dev/zero | xz -0 -c >"$work/one.xz"
for _ in $(seq 32); do cat "$work/one.xz"; done >"$work/bomb.xz"
rc=0
"$IOTCOP_BIN" unpack -f json --limit total-bytes=8M "$work/bomb.xz" >"$work/bomb.jsonl" || rc=$?
check_eq "bomb exit status" 0 "$rc"
tail -n 1 "$work/bomb.jsonl" | jq -c '.summary' >"$work/bomb.json"
check_eq "bomb layer" xz "$(jq -r '.layers[1].format' "$work/bomb.json")"
if ! jq -e 'any(.diagnostics[]; .code == "E_LIMIT_BYTES")' "$work/bomb.json" >/dev/null; then
  fail "bomb: no E_LIMIT_BYTES diagnostic"
fi
if [ "$(jq -r '.bytes' "$work/bomb.json")" -gt $((8 << 20)) ]; then
  fail "bomb: more than 8 MiB expanded"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "compressors: all checks passed"

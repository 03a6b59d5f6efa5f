#!/usr/bin/env bash
# Fails when library or CLI code calls an unbounded or unchecked function.
set -euo pipefail
cd "$(dirname "$0")/.."
hits=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol)\s*\(' src fuzz --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
  echo "banned calls (use the bounded forms):"; echo "$hits"; exit 1
fi
echo "no banned calls"

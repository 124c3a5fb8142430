#!/usr/bin/env bash
# Size guard (`make size`, part of `make test`): fails when the shipped wasm (pkg/, as `make pkg`
# builds it) grows past its budget, gzip -9 bytes. The budget is the last row of the "Size budget"
# table in docs/BENCHMARKS.md, so raising it takes a line there saying what the bytes bought.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=pkg/localrank_bg.wasm
[ -f "$wasm" ] || { echo "size guard: $wasm is missing (run make pkg)" >&2; exit 1; }
# Rows look like `| 120000 | <what the bytes bought> |`, under the heading `### Size budget`.
budget=$(awk '/^### Size budget/ {on=1; next} on && /^#/ {on=0} on && /^\| *[0-9]+ *\|/ {gsub(/[| ]/, "", $2); b=$2} END {print b}' \
  FS='|' docs/BENCHMARKS.md)
[[ "$budget" =~ ^[0-9]+$ ]] || { echo "size guard: no budget row under '### Size budget' in docs/BENCHMARKS.md" >&2; exit 1; }
raw=$(wc -c <"$wasm")
gz=$(gzip -9c "$wasm" | wc -c)
if [ "$gz" -gt "$budget" ]; then
  echo "size guard: FAILED — $wasm is $gz bytes gzip -9 ($raw raw), over the budget of $budget." >&2
  echo "  Shrink it, or raise the budget in docs/BENCHMARKS.md § Size budget with a row saying what the bytes bought." >&2
  exit 1
fi
echo "size guard: $wasm $gz bytes gzip -9 ($raw raw) ≤ budget $budget ($((budget - gz)) to spare)"

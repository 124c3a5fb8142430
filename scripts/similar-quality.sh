#!/bin/sh
# Which similar-items method predicts "the next item given the current item" better, on the
# Scientific validation split (docs/QUALITY.md § 10): a model trained as `make model` trains the
# shipped one (same flags) but on every user's seq[:-2], then each user's seq[-2] is ranked given
# only seq[-3] (the current item excluded), by each method of tests/similar.rs.
# Usage: scripts/similar-quality.sh  (B=path/to/localrank to use a built trainer)
set -eu
cd "$(dirname "$0")/.."
B=${B:-target/native/localrank}
FLAGS=$(sed -n 's/^MODEL_FLAGS := //p' Makefile)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp data/scientific/Scientific.text data/scientific/Scientific.item2index "$T/"
# history + target = seq; write seq[:-2] as "history = seq[:-3], target = seq[-3]".
awk -F'\t' 'NR == 1 { print; next } {
  n = split($2, h, " "); s = ""
  for (i = 1; i <= n - 2; i++) s = s (i > 1 ? " " : "") h[i]
  print $1 "\t" s "\t" h[n - 1]
}' data/scientific/Scientific.test.inter > "$T/Scientific.test.inter"
# shellcheck disable=SC2086
"$B" train --data "$T" --out "$T/valid.lrm" $FLAGS
LOCALRANK_SIMILAR_MODEL="$T/valid.lrm" cargo test --quiet --profile native --features train --test similar \
  -- --ignored --nocapture next_item_quality

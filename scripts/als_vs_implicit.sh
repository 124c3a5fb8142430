#!/usr/bin/env bash
# localrank's ALS against `implicit`'s CPU ALS (conjugate gradient), side by side in one run
# (docs/TRAINING.md): the same weighted user x item matrix (examples/als_bench.rs builds it
# with the trainer's own Interactions and exports it), d = 64, 15 sweeps, lambda = 1,
# 1 and 2 threads, RUNS runs each, interleaved so that load on the machine hits both alike;
# prints every run and the medians of wall-clock seconds and of CPU seconds (all threads: the
# work done, which load from other processes on a shared machine inflates less). Installs implicit into scripts/.venv when missing.
#
#   scripts/als_vs_implicit.sh [DATA] [RUNS]
#   DATA defaults to ../shared/datasets/amazon-sports-toys-s3rec/Sports_and_Outdoors.txt
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/datasets/amazon-sports-toys-s3rec/Sports_and_Outdoors.txt}
RUNS=${2:-3}
THREADS=${THREADS:-1 2}
VENV=scripts/.venv
IMPLICIT_VERSION=0.7.3
export OPENBLAS_NUM_THREADS=1

if ! "$VENV/bin/python" -c "import implicit, sys; sys.exit(implicit.__version__ != '$IMPLICIT_VERSION')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "implicit==$IMPLICIT_VERSION" numpy scipy
fi

cargo build --profile native --quiet --features train --example als_bench
BENCH=target/native/examples/als_bench
MATRIX=$(mktemp --suffix=.als-matrix)
trap 'rm -f "$MATRIX"' EXIT
"$BENCH" --data "$DATA" --export "$MATRIX"

declare -A times cpu
for run in $(seq "$RUNS"); do
  for t in $THREADS; do
    line=$("$BENCH" --data "$DATA" --threads "$t")
    echo "run $run: $line"
    times[localrank,$t]+="$(sed -E 's/.*seconds ([0-9.]+).*/\1/' <<<"$line") "
    cpu[localrank,$t]+="$(sed -E 's/.*cpu ([0-9.]+).*/\1/' <<<"$line") "
    line=$("$VENV/bin/python" scripts/implicit_time.py "$MATRIX" --threads "$t")
    echo "run $run: $line"
    times[implicit,$t]+="$(sed -E 's/.*seconds ([0-9.]+).*/\1/' <<<"$line") "
    cpu[implicit,$t]+="$(sed -E 's/.*cpu ([0-9.]+).*/\1/' <<<"$line") "
  done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "machine load during the runs: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) cores"
echo "| threads | localrank wall s | implicit wall s | implicit / localrank | localrank CPU s | implicit CPU s | implicit / localrank |"
echo "|---|---|---|---|---|---|---|"
ratio() { awk -v l="$1" -v i="$2" 'BEGIN {printf "%.2f", i / l}'; }
for t in $THREADS; do
  l=$(median <<<"${times[localrank,$t]}"); i=$(median <<<"${times[implicit,$t]}")
  lc=$(median <<<"${cpu[localrank,$t]}"); ic=$(median <<<"${cpu[implicit,$t]}")
  echo "| $t | $l | $i | $(ratio "$l" "$i") | $lc | $ic | $(ratio "$lc" "$ic") |"
done

#!/usr/bin/env bash
# One point of the end-to-end scale curve (docs/TRAINING.md § Scale): generate a store of
# EVENTS events (users and items scale with it: 20 events per user, 100 per item), run the real
# store command on its files under /usr/bin/time -v, append a row to CSV, delete the files.
#
#   cargo build --profile native --features train --bin localrank --example synth_store
#   scripts/scale_run.sh 2000000 [docs/scale.csv] [/tmp/localrank-scale]
#
# Row: events, users, items, wall s, CPU s (user + sys), peak RSS (bytes), events/s (events over
# wall s), model bytes, the phase times the CLI prints (read, prepare, ALS, pack, neighbours,
# report; seconds), and the load average (1 min) before and after the run.
set -euo pipefail
events=${1:?usage: scale_run.sh EVENTS [OUT.csv] [WORKDIR]}
out=${2:-docs/scale.csv}
dir=${3:-/tmp/localrank-scale}
bin=target/native
# Extra `train` flags, e.g. the shipped NBRS settings (the Makefile's MODEL_FLAGS).
TRAIN_FLAGS=${TRAIN_FLAGS:-}
mkdir -p "$dir"
"$bin/examples/synth_store" --events "$events" --csv "$dir/events.csv" \
    --catalog-out "$dir/products.jsonl" --csv-only
load_before=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -v -o "$dir/time.txt" "$bin/localrank" train --events "$dir/events.csv" \
    --catalog "$dir/products.jsonl" --out "$dir/s.lrm" --rows 4 \
    --event-map view=view,addtocart=cart,transaction=purchase $TRAIN_FLAGS 2>"$dir/train.log" >"$dir/train.out"
load_after=$(cut -d' ' -f1 /proc/loadavg)
cat "$dir/train.log" "$dir/train.out" | grep -v '^ ' | tail -n 20

field() { grep -F "$1" "$dir/time.txt" | sed 's/.*: //'; }
wall=$(field 'Elapsed (wall clock)' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
cpu=$(awk -v u="$(field 'User time')" -v s="$(field 'System time')" 'BEGIN { print u + s }')
rss=$(( $(field 'Maximum resident set size') * 1024 ))
# "N items (C without events), U users, E events"
read -r items users used < <(sed -n 's/^\([0-9]*\) items (.*), \([0-9]*\) users, \([0-9]*\) events$/\1 \2 \3/p' "$dir/train.log")
# "phases: read 1.0 s, prepare 0.1 s, ALS 2.0 s, pack 0.1 s, report 3.0 s" (neighbours only with
# NBRS): one column per phase name, empty when the run had no such phase.
line=$(grep '^phases:' "$dir/train.log")
phase() { sed -n "s/.*[:,] $1 \([0-9.]*\) s.*/\1/p" <<<"$line"; }
phases="$(phase read),$(phase prepare),$(phase ALS),$(phase pack),$(phase neighbours),$(phase report)"
bytes=$(stat -c %s "$dir/s.lrm")
eps=$(awk -v e="$used" -v w="$wall" 'BEGIN { printf "%.0f", e / w }')
[ -f "$out" ] || echo "events,users,items,wall_s,cpu_s,peak_rss_bytes,events_per_s,model_bytes,read_s,prepare_s,als_s,pack_s,neighbours_s,report_s,load_before,load_after" >"$out"
echo "$used,$users,$items,$wall,$cpu,$rss,$eps,$bytes,$phases,$load_before,$load_after" | tee -a "$out"
rm -f "$dir/events.csv" "$dir/products.jsonl"

#!/usr/bin/env python3
"""docs/QUALITY.md's protocol for the Spark trainer (docs/SCALE.md): the training prefixes that
`localrank splits` writes, turned into an event log for spark/train.py, and the job's factors
turned back into the `.f32` files `localrank eval --model peer` scores.

    localrank splits --data Sports_and_Outdoors.txt --out S
    spark/.venv/bin/python spark/quality.py events S --phase test    # S/test_events.csv, S/items.csv
    spark/.venv/bin/python spark/train.py --events S/test_events.csv --catalog S/items.csv --out S/spark_test ...
    spark/.venv/bin/python spark/quality.py peer S --phase test      # S/test_{users,items}.f32
    localrank eval --data Sports_and_Outdoors.txt --model peer --factors S --phase test --dim 64

The packed model as the device scores it (docs/SCALE.md § 4): `events S --phase full` writes the
whole sequences, spark/train.py holds each user's newest event out (`--holdout-users all`, the
test protocol) and `localrank pack --from-spark` scores the packed model on those cases.

Events: user = line number, item = the 0-based row, timestamp = the position (seconds), all
views; the catalogue lists rows 0..N-1 in order, so the job's item rows are the dataset's.
"""

import argparse
import os
import sys

import numpy as np


def events(args):
    d = args.dir
    with open(os.path.join(d, "items.txt")) as f:
        n = int(f.read().split()[0])
    with open(os.path.join(d, "items.csv"), "w") as out:
        out.write("item_id\n")
        for i in range(n):
            out.write(f"{i}\n")
    rows = 0
    with open(os.path.join(d, f"{args.phase}_train.txt")) as f, \
            open(os.path.join(d, f"{args.phase}_events.csv"), "w") as out:
        out.write("user_id,item_id,timestamp\n")
        for u, line in enumerate(f):
            for t, item in enumerate(line.split()):
                out.write(f"{u},{item},{t + 1}\n")
                rows += 1
    print(f"{rows} events, {n} items -> {d}/{args.phase}_events.csv, {d}/items.csv")


def peer(args):
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    src = os.path.join(args.dir, f"spark_{args.phase}")
    items = spark.read.parquet(os.path.join(src, "items")).select("key", "factor").collect()
    users = spark.read.parquet(os.path.join(src, "users")).select("user", "factor").collect()
    dim = next(len(r.factor) for r in items if r.factor is not None)
    it = np.zeros((len(items), dim), dtype=np.float32)
    for r in items:
        if r.factor is not None:
            it[int(r.key)] = r.factor
    us = np.zeros((max(int(r.user) for r in users) + 1, dim), dtype=np.float32)
    for r in users:
        us[int(r.user)] = r.factor
    it.astype("<f4").tofile(os.path.join(args.dir, f"{args.phase}_items.f32"))
    us.astype("<f4").tofile(os.path.join(args.dir, f"{args.phase}_users.f32"))
    print(f"{us.shape[0]} users x {it.shape[0]} items, d={dim} -> {args.dir}/{args.phase}_*.f32")
    spark.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["events", "peer"])
    ap.add_argument("dir", help="the directory `localrank splits` wrote")
    ap.add_argument("--phase", default="test", choices=["valid", "test", "full"],
                    help="full: whole sequences, for spark/train.py --holdout-users all")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.dir, "items.txt")):
        sys.exit(f"error: {args.dir}/items.txt missing: run `localrank splits --out {args.dir}` first")
    (events if args.step == "events" else peer)(args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""localrank's trainer on Apache Spark: ALS item factors and NBRS next-item lists as Parquet.

Reads the same event log and catalogue as `localrank train` (CSV/TSV, JSON Lines or Parquet,
the same column flags and event-type map), orders each user's events by time (equal times keep
file order), and computes:

* item factors with Spark MLlib's implicit-feedback ALS (`ALS(implicitPrefs=True)`), the rating
  of (user, item) being exactly the native trainer's confidence weight: newest event first, the
  r-th adds `kind_weight[kind] * decay**r` (src/score/user.rs), so MLlib's `c = 1 + alpha*r`
  is the native `c = 1 + alpha*w`;
* next-item neighbour lists with Spark SQL window functions (`lead` over each user's ordered
  events), with the pair weights, per-user cap, minimum distinct users, normalisation and top-M
  of src/train/transitions.rs, ties broken as there (weight, then the item's row, ascending);
* item occurrence counts (the popularity bias).

Where MLlib differs from the native trainer (docs/SCALE.md): it scales `regParam` by each
user's (item's) number of rated items (ALS-WR), which the packed model's fold-in mirrors (the
`FREG` section, docs/FORMAT.md); it solves each row exactly (no CG) in f32 factors from its own
random initialisation; DP noise on the pair counts is not offered here.

Output directory (read by `localrank pack --from-spark DIR`):

    items/       key: string, row: long, count: long, factor: array<float> (null: no events)
    neighbours/  key, neighbour: string, rank: int (0 = heaviest), weight: float,
                 count: double (raw C[i -> j]), users: long
    users/       user: string, first: long (file position of the user's first event: the
                 native trainer's user order), factor: array<float> (MLlib's own user factors)
    holdout/     user: string, history: array<string> (the user's training events, oldest
                 first), target: string (the newest event, withheld from everything above)
    localrank-spark.json   settings, input rows used/dropped, data statistics, timings

Held-out cases (`--holdout-users`, default min(10,000, 1 % of the users)): the newest event of
users sampled by a hash of their id (users with at least two events) is withheld from the ALS,
the neighbour lists and the counts, so `localrank pack` can score the packed model on them as
the device scores it (its report's validation figures). `--holdout-users 0` trains on every
event; `all` is the leave-one-out protocol of docs/QUALITY.md.

Run here:  spark/.venv/bin/python spark/train.py --events E --catalog C --out DIR
On a cluster:  spark-submit --master ... spark/train.py ... (docs/SCALE.md)
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

KINDS = ("view", "cart", "purchase")
# src/train/mod.rs KIND_WEIGHTS; written into every model's FOLD section.
KIND_WEIGHTS = (1.0, 2.0, 3.0)


def f32(x):
    """The f64 value of `x` rounded to f32, as Rust's `f64::from(x as f32)`."""
    return float(np.float32(x))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a = p.add_argument
    a("--events", required=True, help="event log: CSV/TSV, JSON Lines or Parquet (file or dir)")
    a("--catalog", help="catalogue (its order is the item order)")
    a("--out", required=True, help="output directory (replaced)")
    a("--events-format", choices=["csv", "tsv", "jsonl", "parquet"])
    a("--catalog-format", choices=["csv", "tsv", "jsonl", "parquet"])
    a("--user-col", default="user_id")
    a("--item-col", default="item_id")
    a("--time-col", default="timestamp")
    a("--event-col", help="event-type column [event_type when present, else all views]")
    a("--catalog-item-col")
    a("--event-map", default="view=view,cart=cart,purchase=purchase")
    a("--time-unit", default="auto", choices=["auto", "s", "ms", "us", "ns"])
    a("--max-bad-rows", default="1%", help="N rows or P%% of the event rows")
    a("--unknown-items", default="keep", choices=["keep", "refuse"])
    # ALS (the native defaults, src/train/mod.rs)
    a("--dim", type=int, default=64, help="rank")
    a("--iterations", type=int, default=15)
    a("--lambda", dest="lam", type=float, default=1.0, help="regParam (MLlib scales it per row)")
    a("--alpha", type=float, default=20.0)
    a("--decay", type=float, default=0.9, help="recency decay per event, newest first")
    a("--seed", type=int, default=42)
    a("--holdout-users", default="auto",
      help="users whose newest event is withheld for pack's report: N, all, or auto "
           "(min(10000, 1%% of the users))")
    # NBRS (src/train/transitions.rs defaults)
    a("--nbr-top", type=int, default=20)
    a("--nbr-window", type=int, default=3)
    a("--nbr-decay", type=float, default=0.5)
    a("--nbr-backward", type=float, default=0.5)
    a("--nbr-source-norm", type=float, default=0.5)
    a("--nbr-target-norm", type=float, default=0.25)
    a("--nbr-min-users", type=int, default=3)
    a("--nbr-user-cap", type=float, default=math.inf)
    a("--master", help="Spark master when not run by spark-submit [local[2]]")
    a("--driver-memory", default="4g", help="local mode only")
    a("--partitions", type=int, default=0, help="shuffle partitions [Spark's default; 2 locally]")
    a("--blocks", type=int, default=0, help="MLlib ALS user/item blocks [MLlib's 10; 2 locally]")
    a("--checkpoint-dir", help="where MLlib ALS checkpoints its factors every 10 iterations "
                               "(without it, a long lineage overflows the JVM stack) "
                               "[OUT/_checkpoints]; the job's own subdirectory is removed "
                               "at the end, also when it stops early")
    args = p.parse_args(argv)
    bad = []
    if not 1 <= args.dim <= 1024:
        bad.append("--dim must be 1..=1024")
    if args.iterations < 1:
        bad.append("--iterations must be >= 1")
    if not (math.isfinite(args.lam) and args.lam > 0):
        bad.append("--lambda must be > 0")
    if not (math.isfinite(args.alpha) and args.alpha >= 0):
        bad.append("--alpha must be >= 0")
    if not 0 < args.decay <= 1:
        bad.append("--decay must be in (0, 1]")
    if not 1 <= args.nbr_top <= 255:
        bad.append("--nbr-top must be 1..=255")
    if args.nbr_window < 1:
        bad.append("--nbr-window must be >= 1")
    for n in ("nbr_decay", "nbr_backward", "nbr_source_norm", "nbr_target_norm"):
        v = getattr(args, n)
        if not (math.isfinite(v) and v >= 0):
            bad.append(f"--{n.replace('_', '-')} must be finite and >= 0")
    if args.nbr_min_users < 1:
        bad.append("--nbr-min-users must be >= 1")
    if math.isnan(args.nbr_user_cap) or args.nbr_user_cap <= 0:
        bad.append("--nbr-user-cap must be > 0 (inf: no bound)")
    h = args.holdout_users
    if not (h in ("auto", "all") or (h.isdigit())):
        bad.append("--holdout-users must be a count, all or auto")
    try:
        args.event_pairs = parse_event_map(args.event_map)
    except ValueError as e:
        bad.append(str(e))
    if bad:
        p.error("; ".join(bad))
    return args


def parse_event_map(s):
    pairs = {}
    for part in s.split(","):
        if "=" not in part:
            raise ValueError(f"event map entry {part!r} is not value=kind")
        value, kind = (x.strip() for x in part.split("=", 1))
        if kind not in KINDS:
            raise ValueError(f"event map: unknown kind {kind!r} (view, cart or purchase)")
        if not value or value in pairs:
            raise ValueError(f"event map: empty or repeated value {value!r}")
        pairs[value] = KINDS.index(kind)
    return pairs


def holdout_count(arg, users):
    """Users to hold out of `users` for `--holdout-users arg`."""
    if arg == "all":
        return users
    if arg == "auto":
        return min(10_000, users // 100)
    return min(int(arg), users)


def resolved_format(path, given):
    if given:
        return given
    ext = os.path.splitext(path.rstrip("/"))[1].lower().lstrip(".")
    if ext in ("csv", "tsv", "tab", "txt"):
        return "tsv" if ext in ("tsv", "tab") else "csv"
    if ext in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if ext in ("parquet", "pq") or os.path.isdir(path):
        return "parquet"
    sys.exit(f"error: {path}: cannot tell the format from the extension; give it (csv, jsonl, parquet)")


def read_table(spark, path, fmt):
    """Every column as read; CSV as strings (as the native reader sees them)."""
    if fmt in ("csv", "tsv"):
        return spark.read.csv(path, header=True, sep="\t" if fmt == "tsv" else ",",
                              quote='"', escape='"', multiLine=False, mode="PERMISSIVE")
    if fmt == "jsonl":
        return spark.read.json(path, mode="PERMISSIVE")
    return spark.read.parquet(path)


def spark_session(args):
    from pyspark.sql import SparkSession
    b = SparkSession.builder.appName("localrank-train")
    # spark-submit starts the JVM first and hands Python its gateway: its --master rules.
    if args.master or not os.environ.get("PYSPARK_GATEWAY_PORT"):
        b = b.master(args.master or "local[2]").config("spark.driver.memory", args.driver_memory)
    b = (b.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.session.timeZone", "UTC"))
    local = not os.environ.get("PYSPARK_GATEWAY_PORT") and (args.master or "local").startswith("local")
    if args.partitions or local:
        b = b.config("spark.sql.shuffle.partitions", str(args.partitions or 2))
    if local and not args.blocks:
        args.blocks = 2
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def time_ms_column(F, col, unit):
    """Unix milliseconds from a number (by magnitude with `auto`, as src/train/store/time.rs)
    or an ISO 8601 date-time; null when neither."""
    s = F.trim(col.cast("string"))
    num = s.cast("double")
    a = F.abs(num)
    scale = {"s": 1e3, "ms": 1.0, "us": 1e-3, "ns": 1e-6}
    if unit == "auto":
        ms = (F.when(a < 1e11, num * 1e3).when(a < 1e14, num).when(a < 1e17, num / 1e3)
              .otherwise(num / 1e6))
    else:
        ms = num * scale[unit]
    iso = F.to_timestamp(s)
    iso_ms = (F.unix_micros(iso) / 1000).cast("long")
    return F.when(num.isNotNull() & ~F.isnan(num), F.floor(ms).cast("long")).otherwise(iso_ms)


def hadoop_path(spark, path):
    """`path` and its Hadoop FileSystem: local paths and object stores alike."""
    p = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p


def remove_tree(spark, path):
    """Deletes a directory (nothing when it is not there)."""
    fs, p = hadoop_path(spark, path)
    fs.delete(p, True)


def write_text(spark, path, text):
    """One small file."""
    fs, p = hadoop_path(spark, path)
    stream = fs.create(p, True)
    stream.write(bytearray(text.encode("utf-8")))
    stream.close()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.time()
    spark = spark_session(args)
    out = args.out.rstrip("/")
    checkpoints = args.checkpoint_dir or f"{out}/_checkpoints"
    spark.sparkContext.setCheckpointDir(checkpoints)
    try:
        train(spark, args, out, t0)
    finally:
        # MLlib's checkpoints (in a directory of this job's own under `checkpoints`), also when
        # the job stops early.
        own = spark.sparkContext._jsc.sc().getCheckpointDir()
        if own.isDefined():
            remove_tree(spark, own.get())
        if not args.checkpoint_dir:
            remove_tree(spark, checkpoints)
    spark.stop()


def train(spark, args, out, t0):
    from pyspark.sql import functions as F
    from pyspark.sql import Window as W
    from pyspark.ml.recommendation import ALS

    timings = {}
    ev_fmt = resolved_format(args.events, args.events_format)
    raw = read_table(spark, args.events, ev_fmt)
    event_col = args.event_col or ("event_type" if "event_type" in raw.columns else None)
    for c in (args.user_col, args.item_col, args.time_col) + ((event_col,) if args.event_col else ()):
        if c not in raw.columns:
            sys.exit(f"error: {args.events}: no column {c!r} (columns: {', '.join(raw.columns)})")
    # File order: ids increase with the partition (a file's splits in order) and within it.
    ev = raw.select(
        F.monotonically_increasing_id().alias("line"),
        F.trim(F.col(args.user_col).cast("string")).alias("user"),
        F.trim(F.col(args.item_col).cast("string")).alias("key"),
        time_ms_column(F, F.col(args.time_col), args.time_unit).alias("time_ms"),
        (F.col(event_col).cast("string") if event_col else F.lit("view")).alias("etype"),
    )
    kind_map = F.create_map(*[x for v, k in args.event_pairs.items() for x in (F.lit(v), F.lit(k))])
    if not event_col:
        kind = F.lit(0)
    else:
        kind = kind_map[F.col("etype")]
    ev = ev.withColumn("kind", kind).withColumn(
        "reason",
        F.when((F.col("user").isNull()) | (F.col("user") == "") | (F.col("key").isNull())
               | (F.col("key") == ""), "missing field")
        .when(F.col("time_ms").isNull(), "bad timestamp")
        .when(F.col("kind").isNull(), "unknown event type"))

    # Items: the catalogue's order (first row of a key wins), then event-only keys by first use.
    cat_keys = None
    if args.catalog:
        cat = read_table(spark, args.catalog, resolved_format(args.catalog, args.catalog_format))
        ccol = args.catalog_item_col or args.item_col
        if ccol not in cat.columns:
            sys.exit(f"error: {args.catalog}: no key column {ccol!r} (columns: {', '.join(cat.columns)})")
        cat_keys = (cat.select(F.monotonically_increasing_id().alias("line"),
                               F.trim(F.col(ccol).cast("string")).alias("key"))
                    .where(F.col("key").isNotNull() & (F.col("key") != ""))
                    .groupBy("key").agg(F.min("line").alias("line")))
        if args.unknown_items == "refuse":
            known = cat_keys.select("key", F.lit(True).alias("known"))
            ev = (ev.join(known, "key", "left")
                  .withColumn("reason", F.when(F.col("reason").isNull() & F.col("known").isNull(),
                                               "unknown item").otherwise(F.col("reason")))
                  .drop("known"))
    ev = ev.cache()
    rows = ev.count()
    dropped = {r["reason"]: r["count"] for r in ev.where(F.col("reason").isNotNull())
               .groupBy("reason").count().collect()}
    good = ev.where(F.col("reason").isNull()).drop("reason", "etype")
    # Exact duplicates: same user, item, time and kind as an earlier row (not "bad" rows).
    dup_w = W.partitionBy("user", "key", "time_ms", "kind").orderBy("line")
    good = good.withColumn("dup", F.row_number().over(dup_w)).cache()
    duplicates = good.where(F.col("dup") > 1).count()
    good = good.where(F.col("dup") == 1).drop("dup")
    bad = sum(dropped.values())
    limit = args.max_bad_rows
    too_many = (bad > float(limit[:-1]) / 100 * rows) if limit.endswith("%") else bad > int(limit)
    if too_many:
        sys.exit(f"error: {args.events}: {bad} of {rows} rows unusable (limit {limit}): {dropped}")
    if duplicates:
        dropped["exact duplicate"] = duplicates

    # Item rows.
    first_use = good.groupBy("key").agg(F.min("line").alias("first"))
    if cat_keys is not None:
        items = (cat_keys.select("key", F.lit(0).alias("part"), F.col("line").alias("ord"))
                 .unionByName(first_use.join(cat_keys, "key", "left_anti")
                              .select("key", F.lit(1).alias("part"), F.col("first").alias("ord"))))
    else:
        items = first_use.select("key", F.lit(1).alias("part"), F.col("first").alias("ord"))
    items = (items.withColumn("row", F.row_number().over(W.orderBy("part", "ord")) - 1)
             .select("key", F.col("row").cast("long").alias("row")).cache())
    n_items = items.count()

    # Each user's events in order: pos 0 = oldest; r = newest-first position.
    def ordered(events):
        seq_w = W.partitionBy("user").orderBy("time_ms", "line")
        return (events.join(items, "key")
                .withColumn("pos", F.row_number().over(seq_w) - 1)
                .withColumn("n", F.count(F.lit(1)).over(W.partitionBy("user")))
                .withColumn("r", F.col("n") - 1 - F.col("pos")))

    seq = ordered(good).cache()
    if seq.count() == 0:
        sys.exit(f"error: {args.events}: no usable events ({dropped})")
    # Held-out cases: the newest event of users sampled by hash, withheld from training.
    n_users_all = seq.select("user").distinct().count()
    want = holdout_count(args.holdout_users, n_users_all)
    held = None
    if want > 0:
        held = (seq.where((F.col("r") == 0) & (F.col("n") >= 2))
                .select("user", "line", F.col("key").alias("target"),
                        F.xxhash64("user").alias("h"))
                .orderBy("h", "user").limit(want).cache())
        held.count()
        seq.unpersist()
        seq = ordered(good.join(held.select("line"), "line", "left_anti")).cache()
    n_events = seq.count()
    timings["read_s"] = round(time.time() - t0, 1)

    # ALS ratings: the native confidence weights.
    t = time.time()
    kw = F.element_at(F.array(*[F.lit(f32(w)) for w in KIND_WEIGHTS]), F.col("kind") + 1)
    users = (seq.select("user").distinct()
             .withColumn("uid", F.row_number().over(W.orderBy("user")) - 1).cache())
    ratings = (seq.withColumn("w", kw * F.pow(F.lit(f32(args.decay)), F.col("r").cast("double")))
               .groupBy("user", "row").agg(F.sum("w").alias("w"))
               .join(users, "user")
               .select(F.col("uid").cast("int"), F.col("row").cast("int").alias("iid"),
                       F.col("w").cast("float")))
    als = ALS(rank=args.dim, maxIter=args.iterations, regParam=args.lam, alpha=args.alpha,
              implicitPrefs=True, userCol="uid", itemCol="iid", ratingCol="w", seed=args.seed,
              nonnegative=False, coldStartStrategy="drop")
    if args.blocks:
        als = als.setNumUserBlocks(args.blocks).setNumItemBlocks(args.blocks)
    fit = als.fit(ratings)
    timings["als_s"] = round(time.time() - t, 1)

    # Neighbour pairs: lead(row, k) over each user's ordered events, k = 1..window.
    t = time.time()
    dist_w = []  # src/train/transitions.rs pairs(): w *= decay per step, in f64
    w = 1.0
    for _ in range(args.nbr_window):
        dist_w.append(w)
        w *= f32(args.nbr_decay)
    back = f32(args.nbr_backward)
    lw = W.partitionBy("user").orderBy("pos")
    leads = seq.select("user", "pos", "row", *[F.lead("row", k).over(lw).alias(f"l{k}")
                                               for k in range(1, args.nbr_window + 1)])
    fwd = leads.select("user", "pos", F.col("row").alias("i"), F.explode(F.array(*[
        F.struct(F.col(f"l{k}").alias("j"), F.lit(dist_w[k - 1]).alias("w"))
        for k in range(1, args.nbr_window + 1)])).alias("p"))
    fwd = fwd.select("user", "i", F.col("p.j").alias("j"), F.col("p.w").alias("w")).where(
        F.col("j").isNotNull() & (F.col("i") != F.col("j")))
    cap = f32(args.nbr_user_cap) if math.isfinite(args.nbr_user_cap) else None
    if cap is not None:
        tot = fwd.groupBy("user").agg(F.sum(F.col("w") * (1.0 + back)).alias("total"))
        fwd = fwd.join(tot, "user").withColumn(
            "w", F.col("w") * F.when(F.col("total") > cap, F.lit(cap) / F.col("total")).otherwise(1.0)
        ).drop("total")
    pairs = fwd
    if back > 0:
        pairs = pairs.unionByName(fwd.select("user", F.col("j").alias("i"), F.col("i").alias("j"),
                                             (F.col("w") * back).alias("w")))
    counts = seq.groupBy("row").agg(F.count(F.lit(1)).alias("count"))
    c = (pairs.groupBy("i", "j").agg(F.sum("w").alias("c"), F.countDistinct("user").alias("users"))
         .where(F.col("users") >= args.nbr_min_users).where(F.col("c") > 0))
    ni = counts.select(F.col("row").alias("i"),
                       F.pow(F.col("count").cast("double"), f32(args.nbr_source_norm)).alias("ni"))
    nj = counts.select(F.col("row").alias("j"),
                       F.pow(F.col("count").cast("double"), f32(args.nbr_target_norm)).alias("nj"))
    top_w = W.partitionBy("i").orderBy(F.col("weight").desc(), F.col("j").asc())
    nb = (c.join(ni, "i").join(nj, "j")
          .withColumn("weight", (F.col("c") / (F.col("ni") * F.col("nj"))).cast("float"))
          .withColumn("rank", F.row_number().over(top_w) - 1)
          .where(F.col("rank") < args.nbr_top))
    ik = items.select(F.col("row").alias("i"), "key")
    jk = items.select(F.col("row").alias("j"), F.col("key").alias("neighbour"))
    nb = nb.join(ik, "i").join(jk, "j").select(
        "key", "neighbour", F.col("rank").cast("int"), "weight", F.col("c").alias("count"),
        F.col("users").cast("long"))

    nb.write.mode("overwrite").parquet(f"{out}/neighbours")
    timings["neighbours_s"] = round(time.time() - t, 1)

    t = time.time()
    factors = fit.itemFactors.select(F.col("id").cast("long").alias("row"), F.col("features").alias("factor"))
    (items.join(counts, "row", "left").join(factors, "row", "left")
     .select("key", "row", F.coalesce(F.col("count"), F.lit(0)).cast("long").alias("count"),
             F.col("factor").cast("array<float>"))
     .orderBy("row").write.mode("overwrite").parquet(f"{out}/items"))
    # The native user order: each user's first line among all usable events (held-out included).
    first = good.groupBy("user").agg(F.min("line").alias("first"))
    (fit.userFactors.join(users, F.col("id") == F.col("uid")).join(first, "user")
     .select("user", "first", F.col("features").cast("array<float>").alias("factor"))
     .write.mode("overwrite").parquet(f"{out}/users"))
    cases = 0
    if held is None:
        remove_tree(spark, f"{out}/holdout")  # an earlier run's cases into the same --out
    else:
        hist = (seq.join(held.select("user"), "user")
                .groupBy("user").agg(F.array_sort(F.collect_list(F.struct("pos", "key"))).alias("h"))
                .select("user", F.transform("h", lambda e: e["key"]).alias("history")))
        (hist.join(held.select("user", "target"), "user").orderBy("user")
         .write.mode("overwrite").parquet(f"{out}/holdout"))
        cases = held.count()
    lengths = seq.groupBy("user").count()
    per_user = lengths.agg(F.count(F.lit(1)).alias("users"), F.avg("count").alias("mean"),
                           F.max("count").alias("max")).first()
    # The median as the native report takes it (the sorted lengths' element at users / 2), exact
    # from the histogram of lengths (a few hundred distinct values at most).
    histogram = sorted((r["count"], r["n"]) for r in
                       lengths.groupBy("count").agg(F.count(F.lit(1)).alias("n")).collect())
    median, seen = 0, 0
    for length, n in histogram:
        seen += n
        if seen > per_user["users"] // 2:
            median = length
            break
    timings["write_s"] = round(time.time() - t, 1)
    timings["total_s"] = round(time.time() - t0, 1)

    manifest = {
        "format": "localrank-spark 1",
        "spark": spark.version,
        "events": {"path": args.events, "rows": rows, "used": n_events, "dropped": dropped},
        "catalog": args.catalog,
        "items": n_items,
        "users": users.count(),
        "als": {"dim": args.dim, "iterations": args.iterations, "lambda": args.lam,
                "alpha": args.alpha, "decay": args.decay, "seed": args.seed,
                "kind_weights": list(KIND_WEIGHTS), "regulariser": "per-item"},
        "nbr": {"top": args.nbr_top, "window": args.nbr_window, "decay": args.nbr_decay,
                "backward": args.nbr_backward, "source_norm": args.nbr_source_norm,
                "target_norm": args.nbr_target_norm, "min_users": args.nbr_min_users,
                "user_cap": args.nbr_user_cap if math.isfinite(args.nbr_user_cap) else "inf"},
        "data": {"users": per_user["users"], "events": n_events,
                 "items_with_events": counts.count(), "events_per_user_mean": per_user["mean"],
                 "events_per_user_median": median,
                 "events_per_user_max": per_user["max"]},
        "holdout": {"users": cases, "asked": args.holdout_users},
        "timings": timings,
    }
    write_text(spark, f"{out}/localrank-spark.json", json.dumps(manifest, indent=2))
    print(f"localrank spark: {rows} event rows, {n_events} used for training, {cases} held out, "
          f"{n_items} items, {manifest['users']} users -> {out} ({timings})")


if __name__ == "__main__":
    main()

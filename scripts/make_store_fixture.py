#!/usr/bin/env python3
"""Writes tests/fixtures/store/: a small, realistic store derived from data/scientific — the same
events and catalogue as CSV, JSON Lines and Parquet (the acceptance fixture of issue 13).

Deterministic: the 150 most viewed items plus 30 items nobody viewed here (they must stay in
the model), the first 400 users with at least 3 events among the 150, timestamps spread over 2020-09..2021-03
(some equal within a user, to pin file order), event types view/addtocart/transaction (75/15/10),
3 planted exact duplicate rows (the sampling makes one more), prices, availability, brand, a category path and tags per item.

CSV: Unix seconds, tags joined by `|`. JSONL: ISO 8601 times, tags as a list. Parquet:
TIMESTAMP(ms), tags as a list (needs pyarrow: `pip install pyarrow`).

    python3 scripts/make_store_fixture.py
"""
import csv, json, re, os, datetime
from collections import Counter

ROOT = os.path.join(os.path.dirname(__file__), "..")
DATA = os.path.join(ROOT, "data", "scientific")
OUT = os.path.join(ROOT, "tests", "fixtures", "store")
PATH_ROOT = "Industrial & Scientific "

src = open(os.path.join(ROOT, "src", "train", "catalog.rs")).read()
block = src[src.index("pub const DEPARTMENTS"):]
DEPARTMENTS = re.findall(r'^\s+"([^"]+)",$', block[: block.index("];")], re.M)


def rng(seed):
    """splitmix64, so the fixture does not depend on Python's random module."""
    state = [seed & (2**64 - 1)]

    def nxt():
        state[0] = (state[0] + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = state[0]
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        return z ^ (z >> 31)

    return nxt


def split_text(text):
    starts = [m.start() for m in re.finditer(re.escape(PATH_ROOT), text)
              if m.start() == 0 or text[: m.start()].endswith(". ")]
    if not starts:
        parts = text.strip().rstrip(".").rsplit(". ", 1)
        return parts[0], None, (parts[1] if len(parts) > 1 else "")
    p = starts[-1]
    title = text[:p].strip().rstrip(".").strip()
    rest = text[p + len(PATH_ROOT):]
    path, _, brand = rest.partition(". ")
    dept = max((d for d in DEPARTMENTS if path == d or path.startswith(d + " ")), key=len, default=None)
    leftover = path[len(dept):].strip() if dept else ""
    return title, (dept, leftover), brand.strip().rstrip(".").strip()


keys = {}
for line in open(os.path.join(DATA, "Scientific.item2index")):
    k, i = line.rstrip("\n").split("\t")
    keys[int(i)] = k
texts = {}
for n, line in enumerate(open(os.path.join(DATA, "Scientific.text"))):
    if n == 0 or not line.strip():
        continue
    k, body = line.rstrip("\n").split("\t", 1)
    texts[k] = body
seqs = []
for n, line in enumerate(open(os.path.join(DATA, "Scientific.test.inter"))):
    if n == 0 or not line.strip():
        continue
    _, hist, target = line.rstrip("\n").split("\t")
    seqs.append([int(x) for x in hist.split()] + [int(target)])

counts = Counter(i for s in seqs for i in s)
top = [i for i, _ in sorted(counts.items(), key=lambda c: (-c[1], c[0]))[:150]]
chosen = set(top)
cold = [i for i in sorted(keys) if i not in chosen][:30]

r = rng(13)
events = []  # (user, item key, unix seconds, type)
start = int(datetime.datetime(2020, 9, 1, tzinfo=datetime.timezone.utc).timestamp())
users = 0
for u, seq in enumerate(seqs):
    kept = [i for i in seq if i in chosen]
    if len(kept) < 3 or users == 400:
        continue
    users += 1
    t = start + r() % (120 * 86400)
    for i in kept:
        if r() % 8 != 0:  # one in eight events shares the previous event's time
            t += 30 + r() % (3 * 86400)
        x = r() % 100
        kind = "view" if x < 75 else "addtocart" if x < 90 else "transaction"
        events.append((f"u{u}", keys[i], t, kind))
for n in (5, 500, 1000):  # exact duplicates, each right after its original
    events.insert(n + 1, events[n])

items = []
for i in top + cold:
    k = keys[i]
    title, path, brand = split_text(texts[k])
    dept, leftover = path if path else (None, "")
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", leftover) if len(w) > 3]
    tags = sorted(set(words[-2:]))
    x = r()
    items.append({
        "item_id": k,
        "title": title[:150],
        "category": f"Industrial & Scientific > {dept}" if dept else "",
        "brand": brand,
        "price": None if x % 17 == 0 else round(2 + (x >> 8) % 40000 / 100, 2),
        "in_stock": (x >> 24) % 5 != 0,
        "image_url": f"https://img.example.com/{k}.jpg",
        "tags": tags,
    })

os.makedirs(OUT, exist_ok=True)
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(os.path.join(OUT, "events.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["user_id", "item_id", "timestamp", "event_type"])
    w.writerows(events)
with open(os.path.join(OUT, "events.jsonl"), "w") as f:
    for u, k, t, e in events:
        f.write(json.dumps({"user_id": u, "item_id": k, "timestamp": iso(t), "event_type": e}, separators=(",", ":")) + "\n")
cols = ["item_id", "title", "category", "brand", "price", "in_stock", "image_url", "tags"]
with open(os.path.join(OUT, "products.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(cols)
    for it in items:
        row = dict(it, tags="|".join(it["tags"]), price="" if it["price"] is None else f"{it['price']}",
                   in_stock="true" if it["in_stock"] else "false")
        w.writerow([row[c] for c in cols])
with open(os.path.join(OUT, "products.jsonl"), "w") as f:
    for it in items:
        f.write(json.dumps({k: v for k, v in it.items() if v not in (None, "", [])}, ensure_ascii=False) + "\n")

import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({
    "user_id": [e[0] for e in events],
    "item_id": [e[1] for e in events],
    "timestamp": pa.array([e[2] * 1000 for e in events], pa.timestamp("ms")),
    "event_type": [e[3] for e in events],
}), os.path.join(OUT, "events.parquet"), compression="snappy")
pq.write_table(pa.table({
    "item_id": [it["item_id"] for it in items],
    "title": [it["title"] for it in items],
    "category": [it["category"] or None for it in items],
    "brand": [it["brand"] or None for it in items],
    "price": pa.array([it["price"] for it in items], pa.float64()),
    "in_stock": [it["in_stock"] for it in items],
    "image_url": [it["image_url"] for it in items],
    "tags": pa.array([it["tags"] or None for it in items], pa.list_(pa.string())),
}), os.path.join(OUT, "products.parquet"), compression="snappy")
print(f"{len(items)} items ({len(cold)} without events), {users} users, {len(events)} event rows "
      f"(3 planted exact duplicates) -> {OUT}")

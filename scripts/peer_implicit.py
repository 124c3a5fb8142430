#!/usr/bin/env python3
"""Peer baseline for docs/QUALITY.md: `implicit`'s ALS (PyPI package `implicit`) trained on the
exact splits `localrank splits` writes, its factors saved for `localrank eval --model peer`,
which scores them with the same harness as every other model.

    localrank splits --data PATH --out DIR
    python3 scripts/peer_implicit.py DIR [--factors 64] [--alpha 10] [--reg 0.01] [--iters 15]
    localrank eval --data PATH --model peer --factors DIR --dim 64

Input: DIR/{valid,test}_train.txt (one user a line, 0-based item rows, oldest first) and
DIR/items.txt (the item count). A user's items are a binary row (repeats count once), the
confidence is `1 + alpha` as in implicit's own examples. Output: DIR/{valid,test}_users.f32 and
DIR/{valid,test}_items.f32, little-endian float32, row-major.
"""

import argparse
import os
import sys

import numpy as np
import scipy.sparse as sp


def load(path, items):
    rows, cols = [], []
    users = 0
    with open(path) as f:
        for u, line in enumerate(f):
            users = u + 1
            for i in set(int(x) for x in line.split()):
                rows.append(u)
                cols.append(i)
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(users, items))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--factors", type=int, default=64)
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--reg", type=float, default=0.01)
    ap.add_argument("--iters", type=int, default=15)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()

    from implicit.cpu.als import AlternatingLeastSquares

    with open(os.path.join(a.dir, "items.txt")) as f:
        items = int(f.read().strip())
    for phase in ("valid", "test"):
        x = load(os.path.join(a.dir, f"{phase}_train.txt"), items)
        model = AlternatingLeastSquares(
            factors=a.factors,
            regularization=a.reg,
            alpha=a.alpha,
            iterations=a.iters,
            random_state=a.seed,
            num_threads=a.threads,
            calculate_training_loss=False,
        )
        model.fit(x, show_progress=False)
        uf = np.ascontiguousarray(model.user_factors, dtype="<f4")
        itf = np.ascontiguousarray(model.item_factors, dtype="<f4")
        if uf.shape != (x.shape[0], a.factors) or itf.shape != (items, a.factors):
            sys.exit(f"unexpected factor shapes {uf.shape} {itf.shape}")
        uf.tofile(os.path.join(a.dir, f"{phase}_users.f32"))
        itf.tofile(os.path.join(a.dir, f"{phase}_items.f32"))
        print(f"{phase}: {x.shape[0]} users × {items} items, {x.nnz} pairs → factors {a.factors}")


if __name__ == "__main__":
    main()

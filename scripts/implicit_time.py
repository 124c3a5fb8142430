#!/usr/bin/env python3
"""One timed fit of `implicit`'s CPU ALS (conjugate gradient) on the matrix that
`examples/als_bench.rs --export` wrote, for scripts/als_vs_implicit.sh: the same user x item
confidences (1 + alpha*w) that localrank's trainer solves, the same d, lambda and sweeps.
Prints the fit's wall-clock and CPU seconds (all threads; loading excluded).

    python3 scripts/implicit_time.py MATRIX.bin --threads 1 [--factors 64] [--reg 1] [--iters 15]
"""

import argparse
import time

import numpy as np
import scipy.sparse as sp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("matrix")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--factors", type=int, default=64)
    ap.add_argument("--reg", type=float, default=1.0)
    ap.add_argument("--iters", type=int, default=15)
    ap.add_argument("--solver", choices=["cg", "cholesky"], default="cg")
    a = ap.parse_args()

    from implicit.cpu.als import AlternatingLeastSquares

    triples = np.fromfile(a.matrix, dtype=[("u", "<u4"), ("i", "<u4"), ("c", "<f4")])
    users, items = int(triples["u"].max()) + 1, int(triples["i"].max()) + 1
    x = sp.csr_matrix((triples["c"], (triples["u"], triples["i"])), shape=(users, items))
    model = AlternatingLeastSquares(
        factors=a.factors,
        regularization=a.reg,
        alpha=1.0,
        iterations=a.iters,
        use_cg=a.solver == "cg",
        num_threads=a.threads,
        calculate_training_loss=False,
        random_state=42,
    )
    start, cpu0 = time.perf_counter(), time.process_time()
    model.fit(x, show_progress=False)
    secs, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(f"implicit {a.solver} threads={a.threads} d={a.factors} iters={a.iters} seconds {secs:.3f} cpu {cpu:.2f}")


if __name__ == "__main__":
    main()

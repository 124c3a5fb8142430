"""Synthetic catalogues and the ONNX peer models for the browser benchmark (bench/run.mjs).

For each (N, d): an item table quantised per row from Gaussian factors to 4-bit values (what the
shipped models use, `QI4R`: scale = max|x| / 7, values in -7..=7, held as int8 here so that the
int8 and the packed 4-bit scorers read the same integers), small biases, and USERS user vectors, each the mean of a realistic history
of HISTORY random items plus noise, quantised the same way. Written to bench/data/n<N>_d<d>/:

  rows.i8, scales.f32, bias.f32   the table every system scores (little-endian; values -7..=7)
  users.json                      {"q": [[int8...]...], "scale": [f32...]}
  model_f32.onnx                  MatMul(user[1,d], (q·s)ᵀ[d,N]) + bias → TopK(K)
  model_int8.onnx                 MatMulInteger(q_u, qᵀ) → Cast → ·s_j → ·s_u → + b → TopK(K):
                                  the scoring contract, op by op

Deterministic (fixed seeds); files already present are kept.
Usage: python make_data.py 10000x64 100000x64 ...
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

K = 100
USERS = 8
HISTORY = 30
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def quantise_rows(x, top=127):
    """Per-row symmetric quantisation to -top..=top (round half away from zero, like Rust's
    f32::round): top = 127 is int8 (user vectors), 7 the 4-bit item rows."""
    m = np.abs(x).max(axis=1)
    scale = np.where(m > 0, m / np.float32(top), np.float32(0)).astype(np.float32)
    safe = np.where(scale > 0, scale, np.float32(1))[:, None]
    v = x / safe
    q = np.clip(np.sign(v) * np.floor(np.abs(v) + 0.5), -top, top).astype(np.int8)
    return q, scale


def table(n, d, rng):
    qs, ss = [], []
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        x = rng.standard_normal((m, d), dtype=np.float32) * np.float32(0.3)
        q, s = quantise_rows(x, top=7)
        qs.append(q)
        ss.append(s)
    bias = (np.float32(0.01) * rng.standard_normal(n, dtype=np.float32)).astype(np.float32)
    return np.concatenate(qs), np.concatenate(ss), bias


def users(q, s, rng):
    n, d = q.shape
    out_q, out_s = [], []
    for _ in range(USERS):
        hist = rng.integers(0, n, HISTORY)
        u = (q[hist].astype(np.float32) * s[hist, None]).mean(axis=0)
        u = u + np.float32(0.05) * rng.standard_normal(d, dtype=np.float32)
        uq, us = quantise_rows(u[None, :].astype(np.float32))
        out_q.append(uq[0].tolist())
        out_s.append(float(us[0]))
    return {"q": out_q, "scale": out_s, "history": HISTORY, "k": K}


def model_f32(q, s, bias):
    n, d = q.shape
    items_t = (q.astype(np.float32) * s[:, None]).T.copy()
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["user", "items_t"], ["dots"]),
            helper.make_node("Add", ["dots", "bias"], ["scores"]),
            helper.make_node("TopK", ["scores", "k"], ["values", "indices"], axis=-1),
        ],
        "localrank_peer_f32",
        [helper.make_tensor_value_info("user", TensorProto.FLOAT, [1, d])],
        [
            helper.make_tensor_value_info("values", TensorProto.FLOAT, [1, K]),
            helper.make_tensor_value_info("indices", TensorProto.INT64, [1, K]),
        ],
        [
            numpy_helper.from_array(items_t, "items_t"),
            numpy_helper.from_array(bias.reshape(1, n), "bias"),
            numpy_helper.from_array(np.array([K], dtype=np.int64), "k"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def model_int8(q, s, bias):
    n, d = q.shape
    graph = helper.make_graph(
        [
            helper.make_node("MatMulInteger", ["user_q", "items_qt"], ["acc"]),
            helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["accf", "scales"], ["t"]),
            helper.make_node("Mul", ["t", "user_scale"], ["ts"]),
            helper.make_node("Add", ["ts", "bias"], ["scores"]),
            helper.make_node("TopK", ["scores", "k"], ["values", "indices"], axis=-1),
        ],
        "localrank_peer_int8",
        [
            helper.make_tensor_value_info("user_q", TensorProto.INT8, [1, d]),
            helper.make_tensor_value_info("user_scale", TensorProto.FLOAT, [1]),
        ],
        [
            helper.make_tensor_value_info("values", TensorProto.FLOAT, [1, K]),
            helper.make_tensor_value_info("indices", TensorProto.INT64, [1, K]),
        ],
        [
            numpy_helper.from_array(q.T.copy(), "items_qt"),
            numpy_helper.from_array(s.reshape(1, n), "scales"),
            numpy_helper.from_array(bias.reshape(1, n), "bias"),
            numpy_helper.from_array(np.array([K], dtype=np.int64), "k"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def main(specs):
    for spec in specs:
        n, d = (int(v) for v in spec.split("x"))
        out = os.path.join(OUT, f"n{n}_d{d}_q4")
        if os.path.exists(os.path.join(out, "model_int8.onnx")):
            print(f"{spec}: present")
            continue
        os.makedirs(out, exist_ok=True)
        rng = np.random.default_rng(1000 * d + n)
        q, s, bias = table(n, d, rng)
        q.tofile(os.path.join(out, "rows.i8"))
        s.astype("<f4").tofile(os.path.join(out, "scales.f32"))
        bias.astype("<f4").tofile(os.path.join(out, "bias.f32"))
        with open(os.path.join(out, "users.json"), "w") as f:
            json.dump(users(q, s, rng), f)
        onnx.save(model_f32(q, s, bias), os.path.join(out, "model_f32.onnx"))
        onnx.save(model_int8(q, s, bias), os.path.join(out, "model_int8.onnx"))
        print(f"{spec}: written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["10000x64", "100000x64", "1000000x64"])

#!/usr/bin/env python3
"""Writes tests/fixtures/import/: small factor matrices saved by numpy itself (np.save and
np.lib.format.write_array), which tests/import.rs reads back. Values are k/8 (exact in every
float width). Run with bench/.venv/bin/python (numpy); the files are committed."""
import pathlib

import numpy as np

out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import"
out.mkdir(parents=True, exist_ok=True)
x = (np.arange(12, dtype=np.float64).reshape(4, 3) - 5) / 8  # 4 items x 3 dims
np.save(out / "f4.npy", x.astype("<f4"))
np.save(out / "f8.npy", x.astype("<f8"))
np.save(out / "f2.npy", x.astype("<f2"))
np.save(out / "f8_big_endian.npy", x.astype(">f8"))
np.save(out / "fortran.npy", np.asfortranarray(x.astype("<f4")))
with open(out / "v2.npy", "wb") as f:
    np.lib.format.write_array(f, x.astype("<f4"), version=(2, 0))
np.save(out / "int64.npy", np.arange(12, dtype=np.int64).reshape(4, 3))
np.save(out / "vector.npy", np.array([3, 0, 1, 7], dtype=np.float32))
np.save(out / "three_d.npy", np.zeros((2, 2, 2), dtype=np.float32))
(out / "keys.txt").write_text("k0\nk1\nk2\nk3\n")
(out / "catalog.csv").write_text(
    "item_id,title,category,price\n"
    "k0,Zero,Tools > Saws,1.5\nk1,One,Tools > Drills,2\nk2,Two,Lab,3.25\nk3,Three,Lab,4\n"
)

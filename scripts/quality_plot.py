#!/usr/bin/env python3
"""NDCG@10 vs bytes per item (log scale) for every model and format in docs/quality/*.log — the
quality/size Pareto front of docs/QUALITY.md. Reads the `RESULT` and `STUDY` test lines that
`localrank eval` prints; the log's file name starts with the dataset (sci_, toys_, sports_).

    python3 scripts/quality_plot.py [docs/quality] [docs/quality_pareto.png]

Needs matplotlib (`pip install matplotlib`).
"""

import glob
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DATASETS = [("sci", "Scientific"), ("toys", "Toys"), ("sports", "Sports")]
LINE = re.compile(r"^(RESULT|STUDY)\s+test\s+(.*?)\s+HR@10 .*?NDCG@10 ([0-9.]+).*?bytes/item ([0-9.]+)")


# Label offsets (points) so that labels of nearby points do not overlap.
OFFSETS = {
    "ALS int4 + NBRS19": (5, 5),
    "ALS int8 + NBRS8": (5, -11),
    "ALS int4 + NBRS8": (-100, 5),
    "ALS int4": (-40, -13),
    "ALS int8": (-8, -13),
    "ALS f32": (5, 5),
    "shuffled": (-14, 7),
    "implicit ALS f32": (6, -10),
}


def short(label, shuffled):
    if label.startswith("EASE"):
        return "EASE (full)"
    if label.startswith("implicit"):
        return "implicit ALS f32"
    if label.startswith("popularity"):
        return "popularity"
    if label.startswith("item-KNN"):
        return "item-KNN"
    rows = re.search(r"rows=(\w+)", label).group(1)
    s = f"ALS {rows}"
    top = re.search(r"NBRS top=(\d+)", label)
    if top:
        s += f" + NBRS{top.group(1)}"
    return "shuffled" if shuffled else s


def points(folder, prefix):
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, prefix + "_*.log"))):
        shuffled = "shuffled" in os.path.basename(path)
        for line in open(path, encoding="utf-8"):
            m = LINE.match(line)
            if m:
                out[short(m.group(2), shuffled)] = (float(m.group(4)), float(m.group(3)))
    return out


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "docs/quality"
    target = sys.argv[2] if len(sys.argv) > 2 else "docs/quality_pareto.png"
    fig, axes = plt.subplots(1, 3, figsize=(17, 6))
    for ax, (prefix, name) in zip(axes, DATASETS):
        pts = points(folder, prefix)
        # Pareto front over unshuffled models: best NDCG@10 at no more bytes.
        front, best = [], -1.0
        for label, (b, n) in sorted(pts.items(), key=lambda kv: (kv[1][0], -kv[1][1])):
            if label != "shuffled" and n > best:
                front.append((b, n))
                best = n
        if front:
            ax.step(*zip(*front), where="post", color="0.75", zorder=1, label="Pareto front")
        for label, (b, n) in pts.items():
            mine = label.startswith("ALS")
            marker = "x" if label == "shuffled" else ("o" if mine else "s")
            color = "tab:red" if "NBRS" in label or label == "shuffled" else ("tab:blue" if mine else "tab:gray")
            ax.scatter([b], [n], marker=marker, color=color, zorder=2)
            ax.annotate(label, (b, n), textcoords="offset points", xytext=OFFSETS.get(label, (5, 3)), fontsize=7.5)
        ax.axvline(100, color="tab:red", linestyle=":", linewidth=1)
        ax.set_xscale("log")
        ax.set_title(f"{name} (test, leave-one-out, full ranking)")
        ax.set_xlabel("scoring bytes per item (log scale)")
        ax.set_ylabel("NDCG@10")
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("NDCG@10 vs bytes/item — dotted line: the 100 B/item budget", fontsize=11)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Time and memory of `localrank train` against events, from the rows scripts/scale_run.sh
appends (docs/scale.csv), as one SVG with two panels: wall-clock and CPU seconds, and peak
resident memory. Plain SVG text, no dependencies.

    python3 scripts/scale_plot.py [docs/scale.csv] [docs/scale.svg]
"""

import csv
import sys

W, H, PAD_L, PAD_B, PAD_T, PAD_R = 360, 260, 60, 45, 30, 15


def nice_max(v):
    """A round axis maximum at or above v."""
    step = 10 ** max(0, len(str(int(v))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * step:
            return m * step
    return 10 * step


def panel(x0, title, xs, series, unit):
    """One chart at horizontal offset x0: series is [(label, colour, ys)]."""
    xmax = nice_max(max(xs))
    ymax = nice_max(max(max(ys) for _, _, ys in series))
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def px(x):
        return x0 + PAD_L + pw * x / xmax

    def py(y):
        return PAD_T + ph * (1 - y / ymax)

    out = [f'<text x="{x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">{title}</text>']
    out.append(f'<rect x="{x0 + PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for k in range(5):
        y = ymax * k / 4
        out.append(f'<text x="{x0 + PAD_L - 5}" y="{py(y) + 4}" text-anchor="end">{y:g}</text>')
        out.append(f'<line x1="{x0 + PAD_L}" x2="{x0 + PAD_L + pw}" y1="{py(y)}" y2="{py(y)}" stroke="#eee"/>')
        x = xmax * k / 4
        out.append(f'<text x="{px(x)}" y="{H - PAD_B + 16}" text-anchor="middle">{x / 1e6:g}M</text>')
    out.append(f'<text x="{x0 + PAD_L + pw / 2}" y="{H - 8}" text-anchor="middle">events</text>')
    out.append(f'<text x="{x0 + 14}" y="{PAD_T + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 14} {PAD_T + ph / 2})">{unit}</text>')
    for i, (label, colour, ys) in enumerate(series):
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in zip(xs, ys):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = PAD_T + 14 + 16 * i
        out.append(f'<text x="{x0 + PAD_L + 8}" y="{ly}" fill="{colour}">{label}</text>')
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "docs/scale.csv"
    dst = sys.argv[2] if len(sys.argv) > 2 else "docs/scale.svg"
    with open(src) as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["events"]))
    if not rows:
        sys.exit(f"{src}: no rows")
    xs = [int(r["events"]) for r in rows]
    wall = [float(r["wall_s"]) for r in rows]
    cpu = [float(r["cpu_s"]) for r in rows]
    rss = [int(r["peak_rss_bytes"]) / 2**30 for r in rows]
    body = panel(0, "localrank train: time", xs,
                 [("wall-clock s", "#1f77b4", wall), ("CPU s (user + sys)", "#ff7f0e", cpu)], "seconds")
    body += panel(W, "peak memory", xs, [("peak RSS, GiB", "#2ca02c", rss)], "GiB")
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{2 * W}" height="{H}" fill="white"/>', *body, "</svg>"]
    with open(dst, "w") as f:
        f.write("\n".join(svg) + "\n")
    print(f"wrote {dst} ({len(rows)} sizes)")


if __name__ == "__main__":
    main()

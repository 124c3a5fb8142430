"""Turns bench/results/browser.json (bench/run.mjs) and criterion's estimates (cargo bench --bench
kernels) into the markdown tables of docs/BENCHMARKS.md (bench/results/report.md) and the plot
docs/benchmarks-latency.png. Prints the report."""

import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOCALRANK = "localrank-simd128"
PEERS = ["localrank-simd128-4bit", "ort-wasm-f32", "ort-wasm-int8", "tfjs-wasm", "plain-js",
         "localrank-scalar", "localrank-scalar-4bit"]
LABELS = {
    "localrank-simd128": "localrank (wasm SIMD128, int8 rows)",
    "localrank-simd128-4bit": "localrank (wasm SIMD128, packed 4-bit rows)",
    "localrank-scalar": "localrank (scalar wasm, int8 rows)",
    "localrank-scalar-4bit": "localrank (scalar wasm, packed 4-bit rows)",
    "ort-wasm-f32": "onnxruntime-web wasm, f32 MatMul+TopK",
    "ort-wasm-int8": "onnxruntime-web wasm, int8 MatMulInteger+TopK",
    "tfjs-wasm": "tfjs-backend-wasm, f32 matMul+topk",
    "plain-js": "plain JS Float32Array loop",
    "localrank-recommend-cpu": "localrank `recommend()` end to end, CPU",
    "localrank-recommend-webgpu": "localrank `recommend()` end to end, WebGPU",
}


def ms(v):
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def kb(b):
    return f"{b / 1000:.1f} KB"


def browser(res, out):
    out.append(f"Browser: Chromium {res['browserVersion']} (headless, playwright-core), "
               f"`{res['env']['userAgent']}`; onnxruntime-web {res['env']['ortVersion']}, "
               f"tfjs-core {res['env']['tfVersion']} (backend `{res['env']['tfBackend']}`); "
               f"crossOriginIsolated={res['env']['crossOriginIsolated']} (5 µs timers), every runtime on one "
               f"thread. Machine: {res['cpu']}. Run {res['date']}.\n")
    for c in res["configs"]:
        sys = c["systems"]
        base = sys[LOCALRANK]["time"]["median"]
        out.append(f"\n#### N = {c['n']:,}, d = {c['d']}: scoring + top-{c['k']}, per query "
                   f"({c['users']} users cycled, history {c['history']} events)\n")
        out.append("| system | median ms | p95 ms | localrank SIMD is × faster | top-k check |")
        out.append("|---|---|---|---|---|")
        for name in [LOCALRANK] + PEERS + ["localrank-recommend-cpu", "localrank-recommend-webgpu"]:
            s = sys.get(name)
            if s is None:
                continue
            if "time" not in s:
                out.append(f"| {LABELS[name]} | — | — | — | {s.get('error') or s.get('check')} |")
                continue
            t = s["time"]
            ratio = "1" if name == LOCALRANK else f"{t['median'] / base:.1f}×"
            check = s.get("check", "—")
            if s.get("tolerance"):
                check += f" ({s['tolerance']}".replace("|", "\\|")
                check += f", {s['swaps']} near-tie swaps)" if s.get("swaps") else ")"
            if name.startswith("localrank-recommend"):
                ratio = f"({s.get('history', c['history'])}-event history, fold-in state, JS objects)"
            out.append(f"| {LABELS[name]} | {ms(t['median'])} | {ms(t['p95'])} | {ratio} | {check} |")
        e2e = sys.get("localrank-recommend-cpu", {}).get("time")
        if e2e:
            # Issue 12's targets: the public call costs ≤ kernel × 1.1 + 50 µs, and is faster than
            # onnxruntime-web's scoring alone (its faster variant) by 1.3× / 2× / 3× at 10K / 100K / 1M.
            limit = base * 1.1 + 0.05
            ort = [sys[n]["time"]["median"] for n in ("ort-wasm-f32", "ort-wasm-int8") if "time" in sys.get(n, {})]
            want = {10_000: 1.3, 100_000: 2.0, 1_000_000: 3.0}.get(c["n"])
            line = (f"\nPublic `recommend()` vs the kernel: {ms(e2e['median'])} ms vs {ms(base)} ms → overhead "
                    f"{(e2e['median'] - base) * 1000:.0f} µs; target ≤ kernel × 1.1 + 50 µs = {ms(limit)} ms: "
                    f"**{'hit' if e2e['median'] <= limit else 'missed'}**.")
            if ort and want:
                r = min(ort) / e2e["median"]
                line += (f" Against onnxruntime-web scoring alone ({ms(min(ort))} ms): **{r:.1f}×** "
                         f"(target ≥ {want}×: **{'hit' if r >= want else 'missed'}**).")
            out.append(line)
        ro = c["readOnce"]["median"]
        mem = sys[LOCALRANK].get("wasmMemoryBytes")
        out.append(f"\nRead the int8 table once (rows + scales + biases, {c['n'] * (c['d'] + 8) / 1e6:.1f} MB, "
                   f"SIMD128 XOR fold): {ms(ro)} ms → localrank takes **{base / ro:.2f}×** the "
                   f"bandwidth floor. ")
        if "readOnce4" in c and "time" in sys.get("localrank-simd128-4bit", {}):
            ro4 = c["readOnce4"]["median"]
            t4 = sys["localrank-simd128-4bit"]["time"]["median"]
            out[-1] += (f"Read the packed 4-bit table once ({c['n'] * (c['d'] / 2 + 8) / 1e6:.1f} MB): "
                        f"{ms(ro4)} ms → the 4-bit scorer takes **{t4 / ro4:.2f}×** its floor. ")
        out[-1] += (f"Model bytes ({c['lrmBytes'] / 1e6:.1f} MB `.lrm`, 4-bit rows) → first recommendation "
                    f"(parse + IndexedDB open + {c['history']}-event fold-in + recommend k={c['k']}): median "
                    f"**{ms(c['firstRecommendation']['median'])} ms** of {c['firstRecommendation']['runs']}. "
                    f"localrank bench module wasm memory after loading the table: {mem / 2**20:.0f} MiB"
                    + (f"; the package's after loading the model: {c['packageMemoryBytes'] / 2**20:.0f} MiB. "
                       if "packageMemoryBytes" in c else ". ") +
                    f"Scores bit-exact with the contract (JS emulation): {c['contractBitExact']}.")
    out.append("\n#### Runtime download sizes (what a store ships for scoring)\n")
    out.append("| runtime | files | raw | gzip -9 |")
    out.append("|---|---|---|---|")
    for name, s in res["sizes"].items():
        files = ", ".join(os.path.basename(f) for f in s["files"])
        out.append(f"| {name} | {files} | {kb(s['raw'])} | {kb(s['gzip'])} |")


def native(out):
    rows = {}
    for path in glob.glob(os.path.join(ROOT, "target/criterion/score_top100_d*_int*/*/*/new/estimates.json")):
        parts = path.split(os.sep)
        group, bench, n = parts[-5], parts[-4], int(parts[-3])
        with open(path) as f:
            est = json.load(f)
        rows.setdefault((group, n), {})[bench] = est["median"]["point_estimate"] / 1e6
    if not rows:
        return
    out.append("\n### Native (criterion, `cargo bench --bench kernels`)\n")
    out.append("| d, rows | N | ndarray reference ms | portable ms | avx2 ms | read table once ms | avx2 vs reference | avx2 / read-once |")
    out.append("|---|---|---|---|---|---|---|---|")
    for (group, n) in sorted(rows, key=lambda g: (g[0], g[1])):
        r = rows[(group, n)]
        ref, avx, ro = r.get("ndarray-reference"), r.get("avx2"), r.get("read-table-once")
        cell = lambda v: ms(v) if v else "—"  # noqa: E731
        out.append(f"| {group.split('_d')[-1].replace('_', ', ')} | {n:,} | {cell(ref)} | {cell(r.get('portable'))} | {cell(avx)} | "
                   f"{cell(ro)} | {ref / avx:.1f}× | {avx / ro:.2f}× |" if ref and avx and ro else
                   f"| {group} | {n} | incomplete |")


def plot(res, path):
    dims = sorted({c["d"] for c in res["configs"]})
    fig, axes = plt.subplots(1, len(dims), figsize=(6.5 * len(dims), 4.8), squeeze=False)
    for ax, d in zip(axes[0], dims):
        cs = sorted((c for c in res["configs"] if c["d"] == d), key=lambda c: c["n"])
        for name in [LOCALRANK] + PEERS:
            pts = [(c["n"], c["systems"][name]["time"]["median"]) for c in cs
                   if "time" in c["systems"].get(name, {})]
            if pts:
                ax.plot(*zip(*pts), marker="o", lw=2.5 if name == LOCALRANK else 1.3, label=LABELS[name])
        ro = [(c["n"], c["readOnce"]["median"]) for c in cs]
        ax.plot(*zip(*ro), ls="--", color="grey", label="read int8 table once (bandwidth floor)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("items N")
        ax.set_ylabel("median ms per query (scoring + top-100)")
        ax.set_title(f"d = {d}, headless Chromium {res['browserVersion']}, one thread")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    with open(os.path.join(HERE, "results/browser.json")) as f:
        res = json.load(f)
    out = ["### Browser (`make bench`)\n"]
    browser(res, out)
    native(out)
    text = "\n".join(out) + "\n"
    with open(os.path.join(HERE, "results/report.md"), "w") as f:
        f.write(text)
    plot(res, os.path.join(ROOT, "docs/benchmarks-latency.png"))
    print(text)
    print("wrote bench/results/report.md and docs/benchmarks-latency.png")


if __name__ == "__main__":
    main()

// Browser memory and load time per item count (docs/SCALE.md): for generated models of 10K,
// 100K and 1M items (tests/e2e/synthetic-model.mjs: 4-bit QI4R rows, d = 64 unless given, keys
// and META titles/categories, as shipped), each in a fresh headless-Chromium page:
// `Recommender.load` time (median of 3), one `recommend({k: 10})` on an empty history, the JS
// heap (CDP Runtime.getHeapUsage, after a forced GC) and the wasm linear memory before and after
// loading. backend "cpu", persist false: the numbers are the model's, not IndexedDB's or WebGPU's.
//
// Run from the repository root after `make pkg` (and `npm ci` in tests/e2e/):
//   node bench/load_memory.mjs [d] [N,N,…]
// Prints a Markdown table.

import { statSync } from "node:fs";
import { launch, serve } from "../tests/e2e/harness.mjs";
import { ensureSyntheticModel } from "../tests/e2e/synthetic-model.mjs";

const d = Number(process.argv[2] ?? 64);
const sizes = (process.argv[3] ?? "10000,100000,1000000").split(",").map(Number);
const MiB = 1 << 20;

const { origin, stop } = await serve(".");
const browser = await launch();
const rows = [];
try {
  for (const n of sizes) {
    const path = ensureSyntheticModel(n, d);
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error("page error:", e.message));
    await page.goto(`${origin}/tests/e2e/worker-page/`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 60000 });
    const cdp = await page.context().newCDPSession(page);
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return (await cdp.send("Runtime.getHeapUsage")).usedSize;
    };
    const wasmBytes = () =>
      page.evaluate(async () => (await (await import("/pkg/localrank.js")).default()).memory.buffer.byteLength);
    await page.evaluate(async (url) => {
      window.modelBytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    }, `/${path}`);
    const heapBefore = await heap();
    const wasmBefore = await wasmBytes();
    const r = await page.evaluate(async () => {
      const times = [];
      let kept;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const rec = await Recommender.load(window.modelBytes, { backend: "cpu", persist: false, namespace: `lm-${i}` });
        times.push(performance.now() - t0);
        if (kept) kept.free();
        kept = rec;
      }
      const t0 = performance.now();
      await kept.recommend({ k: 10 });
      const recommendMs = performance.now() - t0;
      window.kept = kept; // one loaded model stays for the memory reading
      times.sort((a, b) => a - b);
      return { loadMs: times[1], recommendMs };
    });
    const heapAfter = await heap();
    const wasmAfter = await wasmBytes();
    rows.push({
      n,
      fileMiB: statSync(path).size / MiB,
      ...r,
      heapMiB: heapAfter / MiB,
      heapModelMiB: (heapAfter - heapBefore) / MiB,
      wasmBeforeMiB: wasmBefore / MiB,
      wasmMiB: wasmAfter / MiB,
    });
    await page.close();
    console.error(`${n} items done`);
  }
} finally {
  await browser.close();
  stop();
}

const f = (x, digits = 1) => x.toFixed(digits);
console.log(`| items | d | file (MiB) | \`Recommender.load\` (ms, median of 3) | first \`recommend\` (ms) | JS heap (MiB; of it beyond the page's) | wasm memory (MiB; before load) |`);
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.n.toLocaleString("en")} | ${d} | ${f(r.fileMiB)} | ${f(r.loadMs, 0)} | ${f(r.recommendMs, 0)} | ${f(r.heapMiB)} (${f(r.heapModelMiB)}) | ${f(r.wasmMiB)} (${f(r.wasmBeforeMiB)}) |`,
  );
}

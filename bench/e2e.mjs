// What a shop pays per recommendation, in Node's V8 (not the browser): the public
// `recommend({k: 100})` of the real `Recommender` (in-memory history of 500 recorded views, CPU
// backend) next to the kernel alone (`BenchTable.top_k`: scoring + top-k of one query) on the same
// synthetic table, at N = 10K / 100K / 1M, d = 64; plus `items(0, 1000)` (without and with three
// typed attributes: ms per 1000 items = µs per item) and `catalog()`.
// The target: end-to-end ≤ kernel × 1.1 + 50 µs.
// Run after building the bench crate (bench/build.sh does it; or only its first `build simd`
// step):  node bench/e2e.mjs   (N list: E2E_SIZES=10000,100000)
import { readFileSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
const m = await import(`${here}dist/simd/localrank_bench.js`);
m.initSync({ module: readFileSync(`${here}dist/simd/localrank_bench_bg.wasm`) });

const D = 64;
const ATTRS = ["image", "in_stock", "price"];
const SIZES = (process.env.E2E_SIZES ?? "10000,100000,1000000").split(",").map(Number);
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
async function time(f, reps) {
  const start = performance.now();
  for (let i = 0; i < 5 || performance.now() - start < 300; i++) await f(); // warm-up
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

for (const n of SIZES) {
  const rows = Int8Array.from({ length: n * D }, () => Math.round(rand() * 14 - 7));
  const scales = Float32Array.from({ length: n }, () => 0.01 + rand() * 0.01);
  const bias = Float32Array.from({ length: n }, () => rand() * 0.01);
  // With typed attributes (image text, in_stock boolean, price number; some absent): scoring
  // does not read them, `items`/`recommend` build them only when asked.
  const bytes = m.synthetic_lrm(rows, scales, bias, D, true);
  const rec = await m.Recommender.load(bytes, { persist: false, backend: "cpu", historyCap: 500 });
  for (let i = 0; i < 500; i++) await rec.record(`item-${Math.floor(rand() * n)}`, "view");
  const table = new m.BenchTable(rows, scales, bias, D, false);
  const user = Int8Array.from({ length: D }, () => Math.round(rand() * 254 - 127));
  const reps = n >= 1_000_000 ? 30 : n >= 100_000 ? 100 : 400;

  const kernel = await time(() => table.top_k(user, 0.01, 100), reps);
  const e2e = await time(() => rec.recommend({ k: 100 }), reps);
  const e2e10 = await time(() => rec.recommend({ k: 10 }), reps);
  // A new event each time: the cap (500) is reached, so each record trims and rebuilds the state.
  const cycle = await time(async () => {
    await rec.record(`item-${Math.floor(rand() * n)}`, "view");
    await rec.recommend({ k: 100 });
  }, reps);
  const page = await time(() => rec.items(0, 1000), reps);
  const typed = await time(() => rec.items(0, 1000, ATTRS), reps);
  const e2eTyped = await time(() => rec.recommend({ k: 100, attributes: ATTRS }), reps);
  const t0 = performance.now();
  const all = rec.catalog();
  const catalog = performance.now() - t0;
  const target = kernel * 1.1 + 0.05;
  console.log(
    `N=${n}: kernel top-100 ${kernel.toFixed(3)} ms; recommend({k:100}) ${e2e.toFixed(3)} ms ` +
      `(target ≤ ${target.toFixed(3)}: ${e2e <= target ? "met" : "missed"}); ` +
      `recommend({k:10}) ${e2e10.toFixed(3)} ms; record + recommend({k:100}) ${cycle.toFixed(3)} ms; ` +
      `items(0, 1000) ${page.toFixed(3)} ms; ` +
      `items(0, 1000, [image, in_stock, price]) ${typed.toFixed(3)} ms (${(typed).toFixed(3)} µs/item); ` +
      `recommend({k:100, attributes}) ${e2eTyped.toFixed(3)} ms; ` +
      `catalog() ${catalog.toFixed(1)} ms (${all.length} items)`,
  );
  table.free();
  rec.free();
}

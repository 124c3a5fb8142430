// What a shop pays per recommendation, in Node's V8 (not the browser): the public
// `recommend({k: 100})` of the real `Recommender` (in-memory history of 500 recorded views, CPU
// backend) next to the kernel alone (`BenchTable.top_k`: scoring + top-k of one query) on the same
// synthetic table, at N = 10K / 100K / 1M, d = 64; plus `items(0, 1000)` (without and with three
// typed attributes: ms per 1000 items = µs per item) and `catalog()`.
// The target: end-to-end ≤ kernel × 1.1 + 50 µs.
// Issue 15 ("options"): the options of the public call side by side in one run, each against
// the plain `recommend({k: 10, dedupe: false})` — the default call (title de-duplication, which
// over-fetches a pool), a category filter, an in-stock + price filter, explanations, diversity,
// popularity damping, store rules, and `similar(key, {k: 10})`; then plain and default at k = 100
// (issue 12's call size, where the pool is 400) — median and p95 of calls taken
// round-robin (a burst of each case in turn, several rounds), so a load change on the shared
// machine falls on every case alike.
// Run after building the bench crate (bench/build.sh does it; or only its first `build simd`
// step):  node bench/e2e.mjs   (N list: E2E_SIZES=10000,100000; parts: E2E_PARTS=core,options;
// another build of the bench crate: E2E_DIST=dir)
import { readFileSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
// E2E_DIST: another wasm-bindgen output of the bench crate (a build before a change, to compare).
const dist = process.env.E2E_DIST ?? `${here}dist/simd`;
const m = await import(`${dist}/localrank_bench.js`);
m.initSync({ module: readFileSync(`${dist}/localrank_bench_bg.wasm`) });

const D = 64;
const ATTRS = ["image", "in_stock", "price"];
const SIZES = (process.env.E2E_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const PARTS = (process.env.E2E_PARTS ?? "core,options").split(",");
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs) => quantile(xs, 0.5);
async function warmUp(f) {
  const start = performance.now();
  for (let i = 0; i < 5 || performance.now() - start < 300; i++) await f();
}
async function burst(f, reps, ms) {
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return ms;
}
async function time(f, reps) {
  await warmUp(f);
  return median(await burst(f, reps, []));
}
// Cases side by side: each warmed up, then `rounds` rounds of a burst of reps/rounds calls of
// each case in turn. Returns {name, med, p95} per case.
async function sideBySide(cases, reps, rounds = 5) {
  for (const c of cases) await warmUp(c.f);
  const ms = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [j, c] of cases.entries()) await burst(c.f, Math.ceil(reps / rounds), ms[j]);
  }
  return cases.map((c, j) => ({ name: c.name, med: median(ms[j]), p95: quantile(ms[j], 0.95) }));
}
const fmt = (x) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));

for (const n of SIZES) {
  const rows = Int8Array.from({ length: n * D }, () => Math.round(rand() * 14 - 7));
  const scales = Float32Array.from({ length: n }, () => 0.01 + rand() * 0.01);
  const bias = Float32Array.from({ length: n }, () => rand() * 0.01);
  // With typed attributes (image text, in_stock boolean, price number; some absent): scoring
  // does not read them, `items`/`recommend` build them only when asked.
  const bytes = m.synthetic_lrm(rows, scales, bias, D, true);
  const viewed = Array.from({ length: 500 }, () => `item-${Math.floor(rand() * n)}`);
  const load = async () => {
    const r = await m.Recommender.load(bytes, { persist: false, backend: "cpu", historyCap: 500 });
    for (const key of viewed) await r.record(key, "view");
    return r;
  };
  const rec = await load();
  const table = new m.BenchTable(rows, scales, bias, D, false);
  const user = Int8Array.from({ length: D }, () => Math.round(rand() * 254 - 127));
  const reps = n >= 1_000_000 ? 30 : n >= 100_000 ? 100 : 400;
  if (PARTS.includes("core")) await core(n, rec, table, user, reps);
  if (PARTS.includes("options")) await options(n, rec, load, table, user, reps * 2);
  table.free();
  rec.free();
}

async function core(n, rec, table, user, reps) {

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
}

// Issue 15: what each option of the public call costs, next to the plain call and the kernel.
// Rules are engine state: the two rules cases use instances of their own with the same history.
async function options(n, rec, load, table, user, reps) {
  const K = 10;
  const CATEGORY = "D1"; // a top-level subtree of the synthetic paths "D<x> > S<y> > L<z>": 10 %
  const LEAF = "D1 > S11 > L111"; // one leaf: 0.1 %
  const PRICE_MAX = 500;
  const pinBoost = await load();
  pinBoost.setRules({ pin: [{ key: "item-5", position: 0 }], boost: [{ key: "item-6", weight: 0.05 }] });
  const pinCategory = await load();
  pinCategory.setRules({ pin: [{ key: "item-5", position: 0 }], boost: [{ category: "D2", weight: 0.05 }] });
  // Which items the filters let through, read back through the public API.
  const attrs = rec.items(0, n, ["in_stock", "price"]);
  const stockPrice = attrs.filter((it) => it.in_stock === true && it.price <= PRICE_MAX).length;
  const index = (it) => Number(it.key.slice("item-".length));
  const cases = [
    { name: "kernel alone (BenchTable.top_k, top-10)", f: () => table.top_k(user, 0.01, K) },
    { name: "recommend({k:10, dedupe:false}) — plain", f: () => rec.recommend({ k: K, dedupe: false }) },
    { name: "recommend({k:10}) — default (dedupe: title)", f: () => rec.recommend({ k: K }) },
    {
      name: `filter: {category: "${CATEGORY}"} (10 % qualify)`,
      f: () => rec.recommend({ k: K, filter: { category: CATEGORY } }),
      check: (out) => out.every((it) => index(it) % 10 === 1),
    },
    {
      name: `filter: {category: "${LEAF}"} (0.1 % qualify)`,
      f: () => rec.recommend({ k: K, filter: { category: LEAF } }),
      check: (out) => out.every((it) => index(it) % 1000 === 111),
    },
    {
      name: `filter: {inStock: true, priceMax: ${PRICE_MAX}} (${((100 * stockPrice) / n).toFixed(1)} % qualify)`,
      f: () => rec.recommend({ k: K, filter: { inStock: true, priceMax: PRICE_MAX } }),
      check: (out) => out.every((it) => attrs[index(it)].in_stock === true && attrs[index(it)].price <= PRICE_MAX),
    },
    {
      name: "explain: true",
      f: () => rec.recommend({ k: K, explain: true }),
      check: (out) => out.every((it) => Array.isArray(it.because)),
    },
    { name: "diversity: 0.3", f: () => rec.recommend({ k: K, diversity: 0.3 }) },
    { name: "popularityDamping: 0.5", f: () => rec.recommend({ k: K, popularityDamping: 0.5 }) },
    {
      name: "setRules: 1 pin + 1 key boost",
      f: () => pinBoost.recommend({ k: K }),
      check: (out) => out[0].key === "item-5",
    },
    {
      name: `setRules: 1 pin + boost category "D2" (10 %)`,
      f: () => pinCategory.recommend({ k: K }),
      check: (out) => out[0].key === "item-5",
    },
    { name: "similar(key, {k:10})", f: () => rec.similar("item-7", { k: K }) },
    // Issue 12's call size: the de-duplication pool is max(4k, 50), 400 for k = 100. These two
    // rows' ratios are to each other (plain and default at k = 100).
    { name: "k=100: recommend({k:100, dedupe:false}) — plain", k: 100, f: () => rec.recommend({ k: 100, dedupe: false }) },
    { name: "k=100: recommend({k:100}) — default", k: 100, f: () => rec.recommend({ k: 100 }) },
  ];
  for (const c of cases.slice(1)) {
    const out = await c.f();
    if (out.length !== (c.k ?? K) || (c.check && !c.check(out))) throw new Error(`${c.name}: unexpected answer`);
  }
  const rows = await sideBySide(cases, reps);
  const base = (k) => (k === 100 ? rows.slice(-2) : [rows[1], rows[2]]);
  console.log(`\nN=${n}, d=${D}, k=${K}, 500-event history, ${reps} calls per case in 5 rounds:\n`);
  console.log("| call | median ms | p95 ms | × plain | × default |");
  console.log("|---|---|---|---|---|");
  for (const [j, r] of rows.entries()) {
    const [plain, dflt] = base(cases[j].k);
    const x = (b) => `${(r.med / b.med).toFixed(2)}×`;
    console.log(`| ${r.name} | ${fmt(r.med)} | ${fmt(r.p95)} | ${x(plain)} | ${x(dflt)} |`);
  }
  pinBoost.free();
  pinCategory.free();
}

// Runs every system on one synthetic catalogue, side by side in this page, and returns the
// measurements to bench/run.mjs. Rules (docs/BENCHMARKS.md): same inputs for everyone; top-k ids
// checked against the scoring contract before any timing counts; warm-up queries discarded for
// everyone; the table is copied into each runtime once, before timing, and each timed query
// includes handing the user vector in and reading the k ids out, for every system alike.

import initSimd, * as simd from "../dist/simd/localrank_bench.js";
import initScalar, * as scalar from "../dist/scalar/localrank_bench.js";
import initPkg, { Recommender } from "../../pkg/localrank.js";

/** The package's wasm memory (set by `setup`). */
let pkgMemory;

const log = (m) => (document.getElementById("log").textContent += `\n${m}`);
const ort = globalThis.ort;
const tf = globalThis.tf;

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: at(0.5), p95: at(0.95), min: s[0], runs: s.length };
}

/** Warm-up time every system gets at least, on top of its `warmup` runs. V8 runs wasm on its
 * baseline compiler (Liftoff) first and installs optimised (TurboFan) code from a background
 * thread later; on 2 cores that can take longer than a fast system's whole timed window (60
 * queries of localrank at 100K are ~25 ms), which then measures baseline code. */
const WARMUP_MS = 500;

/** Warm-up runs (discarded: at least `warmup` and at least WARMUP_MS), then `reps` timed
 * queries cycling through the users. */
async function time(run, users, { warmup, reps }) {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < WARMUP_MS; i++) {
    await run(users[i % users.length]);
  }
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const u = users[i % users.length];
    const t0 = performance.now();
    await run(u);
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

/** The scoring contract in JS (f32 steps emulated with Math.fround): every item's exact score. */
function contractScores(t, q, su) {
  const { rows, scales, bias, n, d } = t;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let acc = 0;
    const o = j * d;
    for (let k = 0; k < d; k++) acc += rows[o + k] * q[k];
    const tj = Math.fround(Math.fround(acc) * scales[j]);
    out[j] = Math.fround(Math.fround(tj * su) + bias[j]);
  }
  return out;
}

/** ids equal position by position, except where the contract scores differ by ≤ eps. */
function compare(got, want, exact, eps) {
  if (got.length !== want.length) return { ok: false, why: `length ${got.length} ≠ ${want.length}` };
  let swaps = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    const diff = Math.abs(exact[got[i]] - exact[want[i]]);
    if (!(diff <= eps)) return { ok: false, why: `rank ${i}: id ${got[i]} vs ${want[i]} (Δ ${diff})` };
    swaps++;
  }
  return { ok: true, swaps };
}

// ---------- the systems ----------

/** localrank's CPU scorer; `packed`: the rows held as 4-bit `QI4R` bytes, as the engine holds a
 * 4-bit model (the shipped kind), otherwise as int8. */
function localrank(mod, t, users, k, packed = false) {
  const table = new mod.BenchTable(t.rows, t.scales, t.bias, t.d, packed);
  return {
    kernel: mod.BenchTable.kernel(),
    query: (u) => table.top_k(u.q, u.scale, k),
    readOnce: () => table.read_once(),
    memory: () => mod.memory_bytes(),
    free: () => table.free(),
  };
}

async function ortF32(buf, t, k) {
  const session = await ort.InferenceSession.create(buf, { executionProviders: ["wasm"] });
  return {
    query: async (u) => {
      const out = await session.run({ user: new ort.Tensor("float32", u.f32, [1, t.d]) });
      return Array.from(out.indices.data, Number);
    },
    free: () => session.release(),
  };
}

async function ortInt8(buf, t, k) {
  const session = await ort.InferenceSession.create(buf, { executionProviders: ["wasm"] });
  return {
    query: async (u) => {
      const out = await session.run({
        user_q: new ort.Tensor("int8", u.q, [1, t.d]),
        user_scale: new ort.Tensor("float32", new Float32Array([u.scale]), [1]),
      });
      return Array.from(out.indices.data, Number);
    },
    free: () => session.release(),
  };
}

function tfjs(t, k) {
  const E = tf.tensor2d(t.f32, [t.n, t.d]);
  const b = tf.tensor1d(t.bias);
  return {
    query: (u) => {
      const idx = tf.tidy(() => {
        const v = tf.tensor2d(u.f32, [t.d, 1]);
        const s = tf.add(tf.reshape(tf.matMul(E, v), [t.n]), b);
        return tf.topk(s, k, true).indices;
      });
      const ids = Array.from(idx.dataSync());
      idx.dispose();
      return ids;
    },
    free: () => {
      E.dispose();
      b.dispose();
    },
  };
}

/** A plain JS loop over a Float32Array: dot products, then a bounded min-heap of size k. */
function plainJs(t, k) {
  const { f32: E, bias, n, d } = t;
  const hs = new Float64Array(k);
  const hi = new Int32Array(k);
  // Heap of the current best k; root = worst (lowest score, then highest index).
  const worse = (a, b) => hs[a] < hs[b] || (hs[a] === hs[b] && hi[a] > hi[b]);
  const swap = (a, b) => {
    const s = hs[a]; hs[a] = hs[b]; hs[b] = s;
    const i = hi[a]; hi[a] = hi[b]; hi[b] = i;
  };
  const down = (p, size) => {
    for (;;) {
      const l = 2 * p + 1, r = l + 1;
      let m = p;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === p) return;
      swap(p, m);
      p = m;
    }
  };
  return {
    query: (u) => {
      const v = u.f32;
      let size = 0;
      for (let j = 0; j < n; j++) {
        let s = 0;
        const o = j * d;
        for (let c = 0; c < d; c++) s += E[o + c] * v[c];
        s = Math.fround(s + bias[j]);
        if (size < k) {
          hs[size] = s; hi[size] = j; size++;
          for (let c = size - 1; c > 0; ) {
            const p = (c - 1) >> 1;
            if (!worse(c, p)) break;
            swap(c, p);
            c = p;
          }
        } else if (s > hs[0]) {
          hs[0] = s; hi[0] = j;
          down(0, size);
        }
      }
      const order = Array.from({ length: size }, (_, i) => i);
      order.sort((a, b) => hs[b] - hs[a] || hi[a] - hi[b]);
      return order.map((i) => hi[i]);
    },
    free: () => {},
  };
}

// ---------- one catalogue ----------

async function runConfig({ n, d, k, reps, warmup }) {
  const dir = `../data/n${n}_d${d}_q4`;
  log(`n=${n} d=${d}: loading`);
  const rows = new Int8Array((await bytes(`${dir}/rows.i8`)).buffer);
  const scales = new Float32Array((await bytes(`${dir}/scales.f32`)).buffer);
  const bias = new Float32Array((await bytes(`${dir}/bias.f32`)).buffer);
  const u = await (await fetch(`${dir}/users.json`)).json();
  const f32 = new Float32Array(n * d);
  for (let j = 0; j < n; j++) for (let c = 0; c < d; c++) f32[j * d + c] = Math.fround(rows[j * d + c] * scales[j]);
  const t = { rows, scales, bias, f32, n, d };
  const users = u.q.map((q, i) => ({
    q: Int8Array.from(q),
    scale: u.scale[i],
    f32: Float32Array.from(q, (x) => Math.fround(x * u.scale[i])),
  }));
  const exact = users.map((x) => contractScores(t, x.q, x.scale));
  const maxAbs = exact.map((e) => e.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  const result = { n, d, k, history: u.history, users: users.length, systems: {} };

  const opts = { warmup, reps };
  const add = async (name, sys, { exactIds, note } = {}) => {
    const entry = { note };
    try {
      const check = [];
      for (let i = 0; i < users.length; i++) {
        const got = Array.from(await sys.query(users[i]));
        check.push(compare(got, result.reference[i], exact[i], exactIds ? 0 : 1e-5 * maxAbs[i]));
      }
      const bad = check.find((c) => !c.ok);
      entry.check = bad ? `MISMATCH: ${bad.why}` : "ids equal";
      entry.swaps = check.reduce((s, c) => s + (c.swaps ?? 0), 0);
      entry.tolerance = exactIds ? "exact" : "1e-5·max|score|";
      if (!bad) entry.time = await time(sys.query, users, opts);
      if (sys.memory) entry.wasmMemoryBytes = sys.memory();
    } catch (e) {
      entry.error = String(e?.message ?? e);
    } finally {
      try { await sys.free(); } catch { /* ignore */ }
    }
    result.systems[name] = entry;
    log(`  ${name}: ${entry.error ?? entry.check} ${entry.time ? entry.time.median.toFixed(3) + " ms" : ""}`);
  };

  // The reference ids: localrank SIMD, itself checked bit for bit against the contract in JS.
  {
    const s = localrank(simd, t, users, k);
    result.reference = users.map((x) => Array.from(s.query(x)));
    const table = new simd.BenchTable(rows, scales, bias, d, false);
    result.contractBitExact = users.every((x, i) => {
      const sc = table.top_k_scores(x.q, x.scale, k);
      return result.reference[i].every((id, r) => Math.fround(exact[i][id]) === sc[r]);
    });
    table.free();
    s.free();
  }
  // The bandwidth floor of each in-memory layout: read its bytes (rows + scales + biases) once.
  for (const [key, packed] of [["readOnce", false], ["readOnce4", true]]) {
    const probe = localrank(simd, t, users, k, packed);
    result[key] = await time(() => probe.readOnce(), users, opts);
    probe.free();
  }

  await add("localrank-simd128-4bit", localrank(simd, t, users, k, true), { exactIds: true });
  await add("localrank-simd128", localrank(simd, t, users, k), { exactIds: true });
  await add("localrank-scalar-4bit", localrank(scalar, t, users, k, true), { exactIds: true });
  await add("localrank-scalar", localrank(scalar, t, users, k), { exactIds: true });
  const failed = (e) => ({ query: () => { throw e; }, free: () => {} });
  const f32Model = await bytes(`${dir}/model_f32.onnx`);
  await add("ort-wasm-f32", await ortF32(f32Model, t, k).catch(failed));
  const int8Model = await bytes(`${dir}/model_int8.onnx`);
  await add("ort-wasm-int8", await ortInt8(int8Model, t, k).catch(failed), { exactIds: true });
  await add("tfjs-wasm", tfjs(t, k));
  await add("plain-js", plainJs(t, k));
  await firstRecommendation(result, t, users, k);
  return result;
}

/** History length for the end-to-end `recommend()` timing (the default `historyCap`). */
const E2E_HISTORY = 500;

/** Model bytes → first recommendation through the real package: parse + IndexedDB open + fold-in
 * of a stored 30-event history + first recommend(k). Then recommend() latency per backend. */
async function firstRecommendation(result, t, users, k) {
  const bytesLrm = simd.synthetic_lrm(t.rows, t.scales, t.bias, t.d);
  result.lrmBytes = bytesLrm.length;
  const ns = `bench-${t.n}-${t.d}`;
  await Recommender.deleteStoredHistory(ns);
  {
    const r = await Recommender.load(bytesLrm, { namespace: ns, backend: "cpu" });
    for (let i = 0; i < result.history; i++) await r.record(`item-${(i * 7919) % t.n}`, "view");
    r.free();
  }
  const first = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await Recommender.load(bytesLrm, { namespace: ns, backend: "cpu" });
    await r.recommend({ k });
    first.push(performance.now() - t0);
    r.free();
  }
  result.firstRecommendation = stats(first);
  // The package's own wasm memory once a model of this size was loaded (linear memory never
  // shrinks: the high-water mark of loading, N ascending through the run).
  result.packageMemoryBytes = pkgMemory.buffer.byteLength;
  for (const backend of ["cpu", "webgpu"]) {
    const name = `localrank-recommend-${backend}`;
    try {
      const r = await Recommender.load(bytesLrm, { namespace: ns, backend });
      const entry = { backend: r.backend };
      if (backend === "webgpu") entry.report = r.backendReport;
      if (backend === "webgpu" && r.backend !== "webgpu") {
        entry.error = `fell back to ${r.backend}`;
      } else {
        // WebGPU in headless Chromium is SwiftShader (CPU-emulated): seconds per query at 1M.
        const runs = backend === "webgpu" ? { warmup: 2, reps: 5 } : { warmup: 5, reps: 30 };
        // What a page pays per call with a full history (issue 12): the default cap of 500
        // recorded events, then recommend({k}) through the public API (fold-in state, query,
        // top-k, result objects).
        for (let i = result.history; i < E2E_HISTORY; i++) await r.record(`item-${(i * 7919) % t.n}`, "view");
        entry.history = r.history().length;
        entry.time = await time(() => r.recommend({ k }), users, runs);
      }
      r.free();
      result.systems[name] = entry;
    } catch (e) {
      result.systems[name] = { error: String(e?.message ?? e) };
    }
    log(`  ${name}: ${result.systems[name].error ?? result.systems[name].time.median.toFixed(3) + " ms"}`);
  }
  await Recommender.deleteStoredHistory(ns);
}

async function setup() {
  const t0 = performance.now();
  await initSimd();
  await initScalar();
  pkgMemory = (await initPkg()).memory;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = new URL("../node_modules/onnxruntime-web/dist/", location.href).href;
  tf.wasm.setWasmPaths(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", location.href).href);
  tf.wasm.setThreadsCount?.(1);
  await tf.setBackend("wasm");
  await tf.ready();
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    ortVersion: ort.env.versions?.web ?? "?",
    tfVersion: tf.version_core,
    tfBackend: tf.getBackend(),
    setupMs: performance.now() - t0,
  };
}

globalThis.bench = { setup, runConfig };
log("ready");
document.getElementById("log").dataset.ready = "1";

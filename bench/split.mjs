// Where a localrank query's time goes, in Node's V8 (not the browser): the whole query
// (`top_k`: kernel + epilogue + selection), the kernel's dot products alone (`dots_only`) and
// reading the table once (`read_once`), at N = 10K / 100K / 1M, d = 64, on bench/data/, with the
// rows held as int8 and as packed 4-bit.
// Run after bench/build.sh:  node bench/split.mjs
import { readFileSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
const m = await import(`${here}dist/simd/localrank_bench.js`);
m.initSync({ module: readFileSync(`${here}dist/simd/localrank_bench_bg.wasm`) });
const read = (f) => readFileSync(f).buffer.slice(0);
for (const n of [10_000, 100_000, 1_000_000]) {
  const dir = `${here}data/n${n}_d64_q4`;
  for (const packed of [false, true]) {
    const t = new m.BenchTable(
      new Int8Array(read(`${dir}/rows.i8`)),
      new Float32Array(read(`${dir}/scales.f32`)),
      new Float32Array(read(`${dir}/bias.f32`)),
      64,
      packed,
    );
    const u = JSON.parse(readFileSync(`${dir}/users.json`));
    const users = u.q.map((q) => Int8Array.from(q));
    const median = (f) => {
      const ms = [];
      for (let i = 0; i < (n > 100_000 ? 30 : 200); i++) {
        const t0 = performance.now();
        f(i % users.length);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      return ms[ms.length >> 1].toFixed(3);
    };
    median((i) => t.top_k(users[i], u.scale[i], 100)); // warm-up
    const q = median((i) => t.top_k(users[i], u.scale[i], 100));
    const dots = median((i) => t.dots_only(users[i]));
    const once = median(() => t.read_once());
    const rows = packed ? "4-bit" : "int8";
    console.log(`N=${n} ${rows}: query ${q} ms, dot products alone ${dots} ms, read table once ${once} ms`);
    t.free();
  }
}

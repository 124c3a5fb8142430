// The browser benchmark (make bench): serves the repository root cross-origin isolated (5 µs
// timers; every runtime is still pinned to one thread), opens bench/page/ in Debian's headless
// Chromium through playwright-core, runs each catalogue in a fresh page, and writes
// bench/results/browser.json (read by bench/report.py). Run after bench/build.sh and `make pkg`.

import { createReadStream, readFileSync, statSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, totalmem } from "node:os";
import { extname, join, normalize } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const ROOT = new URL("..", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/lib/chromium/chromium";
const CONFIGS = (
  process.env.BENCH_CONFIGS ?? "10000x64,100000x64,1000000x64,10000x128,100000x128,1000000x128"
).split(",");
const MIME = {
  ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json",
};

function serve() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(ROOT, path);
    try {
      if (!file.startsWith(ROOT) || !statSync(file).isFile()) throw new Error("not found");
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": MIME[extname(file)] ?? "application/octet-stream",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function size(...files) {
  const bufs = files.map((f) => readFileSync(join(ROOT, f)));
  return {
    files,
    raw: bufs.reduce((s, b) => s + b.length, 0),
    gzip: bufs.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0),
  };
}

function reps(n) {
  return n <= 10_000 ? { warmup: 20, reps: 200 } : n <= 100_000 ? { warmup: 10, reps: 60 } : { warmup: 3, reps: 15 };
}

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}/bench/page/index.html`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--enable-unsafe-webgpu", "--disable-background-networking", "--disable-component-update"],
});
const out = {
  date: new Date().toISOString(),
  browserVersion: browser.version(),
  cpu: `${cpus()[0]?.model} (${cpus().length} logical cores visible), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  node: process.version,
  configs: [],
};
try {
  for (const spec of CONFIGS) {
    const [n, d] = spec.split("x").map(Number);
    const page = await browser.newPage();
    page.on("console", (m) => process.stderr.write(`[page] ${m.text()}\n`));
    page.on("pageerror", (e) => process.stderr.write(`[page error] ${e}\n`));
    await page.goto(base);
    await page.waitForSelector("#log[data-ready]", { timeout: 60_000 });
    out.env = await page.evaluate(() => globalThis.bench.setup());
    console.log(`== ${spec}`);
    const r = await page.evaluate((c) => globalThis.bench.runConfig(c), { n, d, k: 100, ...reps(n) });
    for (const [name, s] of Object.entries(r.systems)) {
      console.log(`${name.padEnd(26)} ${s.error ?? s.check ?? ""} ${s.time ? s.time.median.toFixed(3) + " ms (p95 " + s.time.p95.toFixed(3) + ")" : ""}`);
    }
    console.log(`read-once ${r.readOnce.median.toFixed(3)} ms; first recommendation ${r.firstRecommendation.median.toFixed(1)} ms; contract bit-exact ${r.contractBitExact}`);
    out.configs.push(r);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
out.sizes = {
  "localrank pkg (as built)": size("pkg/localrank_bg.wasm", "pkg/localrank.js"),
  "localrank bench (simd128)": size("bench/dist/simd/localrank_bench_bg.wasm"),
  "onnxruntime-web (wasm)": size(
    "bench/node_modules/onnxruntime-web/dist/ort.wasm.min.js",
    "bench/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.mjs",
    "bench/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm",
  ),
  "tfjs-core + tfjs-backend-wasm": size(
    "bench/node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js",
    "bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js",
    "bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
  ),
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
const file = join(ROOT, "bench/results/browser.json");
if (process.env.BENCH_MERGE) {
  // Re-run some catalogues (e.g. one disturbed by other load) and keep the others' results.
  const old = JSON.parse(readFileSync(file, "utf8"));
  const fresh = new Set(out.configs.map((c) => `${c.n}x${c.d}`));
  out.configs = [...old.configs.filter((c) => !fresh.has(`${c.n}x${c.d}`)), ...out.configs];
  out.configs.sort((a, b) => a.d - b.d || a.n - b.n);
  out.merged = [...(old.merged ?? []), { date: out.date, configs: [...fresh] }];
}
writeFileSync(file, JSON.stringify(out, null, 1));
console.log("wrote bench/results/browser.json");

// End-to-end check of the Web Worker companion (pkg/worker.js) in headless Chromium, on a small
// page served as `make demo` serves the demo (tests/e2e/worker-page/): a real module Worker, real
// IndexedDB. The worker-backed recommender answers exactly as the main-thread one for the same
// history; its errors are LocalrankErrors with the main thread's code and message; history it
// records persists and a main-thread instance sees it after a reload; getters follow the calls
// (WebGPU in the worker, a forced device loss);
// and while a 1M × 64 model (generated into target/e2e/) loads and scores in the worker, the main
// thread keeps ticking (longest gap < MAX_WORKER_GAP_MS), measured against loading the same model
// on the main thread in the same run.
//
// Run from the repository root after `make pkg model`:  node tests/e2e/worker.mjs

import { check, launch, serve } from "./harness.mjs";
import { ensureSyntheticModel } from "./synthetic-model.mjs";

const MODEL = "/www/models/scientific.lrm";
const LARGE = { n: 1_000_000, d: 64 };
const MAX_WORKER_GAP_MS = 100;

const started = Date.now();
const largePath = ensureSyntheticModel(LARGE.n, LARGE.d);
console.log(`large model: ${largePath} (${((Date.now() - started) / 1000).toFixed(1)} s to have it)`);

const { origin, stop } = await serve(".");
const browser = await launch();
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  const open = async () => {
    await page.goto(`${origin}/tests/e2e/worker-page/`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
  };
  await open();

  // 1. Same history, same answers: one instance on each thread, fresh namespaces.
  const same = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    await Promise.all(["worker-same-main", "worker-same-worker"].map((ns) => Recommender.deleteStoredHistory(ns)));
    const main = await Recommender.load(bytes, { namespace: "worker-same-main", backend: "cpu" });
    const copy = bytes.slice();
    const remote = await RecommenderWorker.load(copy, { namespace: "worker-same-worker", backend: "cpu" });
    const category = main.catalog()[7].category;
    const picks = main.catalog().filter((c) => c.category === category).slice(0, 3);
    for (const [i, { key }] of picks.entries()) {
      const kind = ["view", "cart", "view"][i];
      await main.record(key, kind);
      await remote.record(key, kind);
    }
    const getters = (r) => ({ backend: r.backend, itemCount: r.itemCount, dim: r.dim, namespace: r.namespace });
    const history = (events) => events.map(({ key, kind }) => ({ key, kind }));
    const out = {
      transferred: copy.byteLength === 0,
      recsMain: await main.recommend({ k: 20 }),
      recsWorker: await remote.recommend({ k: 20 }),
      historyMain: history(main.history()),
      historyWorker: history(await remote.history()),
      gettersMain: getters(main),
      gettersWorker: getters(remote),
      exportIsText: typeof (await remote.exportHistory()) === "string",
      catalogSame: JSON.stringify(main.catalog()) === JSON.stringify(await remote.catalog()),
    };
    main.free();
    await remote.free();
    return out;
  }, MODEL);
  check(same.transferred, "the model bytes were copied, not transferred, to the worker");
  check(same.recsMain.length === 20, `main thread gave ${same.recsMain.length} recommendations`);
  check(
    JSON.stringify(same.recsWorker) === JSON.stringify(same.recsMain),
    `worker and main thread differ:\n${JSON.stringify(same.recsWorker)}\n${JSON.stringify(same.recsMain)}`,
  );
  check(JSON.stringify(same.historyWorker) === JSON.stringify(same.historyMain), "histories differ");
  check(
    JSON.stringify({ ...same.gettersWorker, namespace: "" }) === JSON.stringify({ ...same.gettersMain, namespace: "" }) &&
      same.gettersWorker.namespace === "worker-same-worker",
    `getters differ: ${JSON.stringify(same.gettersWorker)} vs ${JSON.stringify(same.gettersMain)}`,
  );
  check(same.exportIsText && same.catalogSame, "exportHistory/catalog through the worker differ");
  console.log(`same recommendations on both threads: ${same.recsMain.map((r) => r.key).slice(0, 5).join(", ")}, …`);

  // Getters follow the calls: WebGPU (SwiftShader here) in the worker, lost on purpose, then the
  // next recommend answers on the CPU; `backend`/`backendReport` must say so without another call.
  const gpu = await page.evaluate(async (url) => {
    const remote = await RecommenderWorker.load(url, { persist: false, backend: "webgpu" });
    const before = remote.backend;
    await remote.simulateGpuLoss();
    await remote.recommend({ k: 5 });
    const out = { before, after: remote.backend, reason: remote.backendReport.reason };
    await remote.free();
    return out;
  }, MODEL);
  check(
    gpu.before === "webgpu" && gpu.after === "cpu" && /lost/.test(gpu.reason),
    `getters did not follow the worker: ${JSON.stringify(gpu)}`,
  );
  console.log(`getters follow the worker: backend ${gpu.before} → ${gpu.after} after a device loss`);

  // 2. Errors: the worker's rejections are LocalrankErrors with the main thread's code and message.
  const errors = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const caught = async (f) => {
      try {
        await f();
        return null;
      } catch (e) {
        return { name: e.name, code: e.code, message: e.message, guard: isLocalrankError(e), isError: e instanceof Error };
      }
    };
    const main = await Recommender.load(bytes, { persist: false, backend: "cpu" });
    const remote = await RecommenderWorker.load(bytes.slice(), { persist: false, backend: "cpu" });
    const out = {
      recommend: [await caught(() => main.recommend({ k: 0 })), await caught(() => remote.recommend({ k: 0 }))],
      record: [await caught(() => main.record("x", "like")), await caught(() => remote.record("x", "like"))],
      badModel: [
        await caught(() => Recommender.load(bytes.slice(0, 100))),
        await caught(() => RecommenderWorker.load(bytes.slice(0, 100))),
      ],
      badOption: [
        await caught(() => Recommender.load(bytes, { nope: 1 })),
        await caught(() => RecommenderWorker.load(bytes.slice(), { nope: 1 })),
      ],
      missingUrl: await caught(() => RecommenderWorker.load("/www/models/missing.lrm")),
    };
    main.free();
    const pending = remote.recommend({ k: 5 });
    remote.terminate();
    out.terminatedPending = await caught(() => pending);
    out.terminatedLater = await caught(() => remote.history());
    return out;
  }, MODEL);
  for (const what of ["recommend", "record", "badModel", "badOption"]) {
    const [main, worker] = errors[what];
    check(main && worker, `${what}: no error (${JSON.stringify(errors[what])})`);
    check(worker.guard && worker.isError && worker.name === "LocalrankError", `${what}: ${JSON.stringify(worker)}`);
    check(worker.code === main.code && worker.message === main.message, `${what}: ${JSON.stringify(errors[what])}`);
  }
  check(errors.missingUrl?.code === "Io" && errors.missingUrl.guard, `missing URL: ${JSON.stringify(errors.missingUrl)}`);
  for (const what of ["terminatedPending", "terminatedLater"]) {
    check(errors[what]?.code === "Worker" && errors[what].guard, `${what}: ${JSON.stringify(errors[what])}`);
  }
  console.log(`errors: ${["recommend", "record", "badModel", "badOption"].map((w) => errors[w][1].code).join(", ")}, Io, Worker — as on the main thread`);

  // 3. History recorded through the worker is in IndexedDB: a main-thread instance reads it after a reload.
  const recorded = await page.evaluate(async (url) => {
    await Recommender.deleteStoredHistory("worker-persist");
    const remote = await RecommenderWorker.load(url, { namespace: "worker-persist", backend: "cpu" });
    const keys = (await remote.catalog()).slice(40, 43).map((c) => c.key);
    for (const key of keys) await remote.record(key, "cart");
    await remote.free();
    return keys;
  }, MODEL);
  await open();
  const reread = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const main = await Recommender.load(bytes, { namespace: "worker-persist", backend: "cpu" });
    const out = main.history().map((e) => `${e.key}/${e.kind}`);
    main.free();
    await Recommender.deleteStoredHistory("worker-persist");
    return out;
  }, MODEL);
  check(
    JSON.stringify(reread) === JSON.stringify(recorded.map((k) => `${k}/cart`)),
    `after reload the main thread reads ${JSON.stringify(reread)}, the worker recorded ${JSON.stringify(recorded)}`,
  );
  console.log(`history recorded in the worker, read on the main thread after a reload: ${reread.join(", ")}`);

  // 4. The point of it: a 1M-item model loads and scores in the worker while the page stays responsive.
  const large = await page.evaluate(
    async ({ url, history }) => {
      const options = { persist: false, backend: "cpu" };
      const work = async (recommender) => {
        for (const key of history) await recommender.record(key, "view");
        return { count: recommender.itemCount, recs: (await recommender.recommend({ k: 100 })).map((r) => r.key) };
      };
      // The noise floor: the same probe over a second in which the page does nothing.
      const idle = await longestGap(() => new Promise((r) => setTimeout(r, 1000)));
      let remote;
      const inWorker = await longestGap(async () => {
        remote = await RecommenderWorker.load(url, options);
        return work(remote);
      });
      await remote.free();
      let main;
      const onMain = await longestGap(async () => {
        const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
        main = await Recommender.load(bytes, options);
        return work(main);
      });
      main.free();
      return { idle, inWorker, onMain };
    },
    { url: `/${largePath}`, history: ["item-11", "item-222", "item-3333", "item-44444", "item-555555"] },
  );
  const { idle, inWorker, onMain } = large;
  const ms = (x) => `${x.toFixed(0)} ms`;
  console.log(
    `1M × 64 model, load + 5 records + recommend(k=100): worker: longest main-thread gap ${ms(inWorker.maxGapMs)}` +
      ` (total ${ms(inWorker.totalMs)}); main thread: longest gap ${ms(onMain.maxGapMs)} (total ${ms(onMain.totalMs)});` +
      ` idle page: longest gap ${ms(idle.maxGapMs)}`,
  );
  check(inWorker.value.count === LARGE.n && onMain.value.count === LARGE.n, "the large model has the wrong item count");
  check(
    JSON.stringify(inWorker.value.recs) === JSON.stringify(onMain.value.recs),
    "the large model ranks differently in the worker",
  );
  check(
    inWorker.maxGapMs < MAX_WORKER_GAP_MS,
    `the main thread was blocked ${ms(inWorker.maxGapMs)} while the worker loaded (limit ${MAX_WORKER_GAP_MS} ms)`,
  );
  check(
    onMain.maxGapMs > inWorker.maxGapMs,
    `the probe saw no block on the main thread (${ms(onMain.maxGapMs)}): it measures nothing`,
  );
  console.log(`worker e2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await browser.close();
  stop();
}

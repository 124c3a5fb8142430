// End-to-end check of the demo page, as `make demo` serves it: Python's http.server over the
// repository root, Debian's Chromium driven by playwright-core. Three clicks in one category;
// recommendations exclude them and follow the category; the export holds them; a malformed import
// is refused with the history intact; history and recommendations survive a reload that does not
// download the model again; clearing works; and no request at all is made while browsing.
// Screenshots of each step (desktop and phone) go to artifacts/e2e/demo-*.png (look at them).
//
// Run from the repository root after `make pkg model`:  node tests/e2e/demo.mjs

import { readFileSync } from "node:fs";
import { OUT, RequestLog, afterRender, check, checkOwnAssets, launch, serve, shot } from "./harness.mjs";

// The second-level Amazon department, the level the README documents (494 items).
const CATEGORY = "Additive Manufacturing Products";
const MODEL_PATH = "/www/models/scientific.lrm";

const recs = (page) =>
  page.$$eval("#recs .rec[data-key]", (els) =>
    els.map((e) => ({ key: e.dataset.key, category: e.querySelector(".rec-category").textContent })),
  );
const keysOf = (list) => list.map((r) => r.key);
const historyKeys = (page) => page.$$eval("#history li", (els) => els.map((e) => e.dataset.key));
const ready = (page) => page.waitForSelector("body[data-ready='1']", { timeout: 30000 });

/** The demo's own files: the page, its scripts and styles, the wasm package, the model. */
function demoAsset(path, method) {
  if (path === MODEL_PATH) return true; // GET or HEAD; the reload check narrows it to HEAD
  // The package: its module, its wasm and the JS snippet that builds result objects.
  const pkg = /^\/pkg\/(localrank(_bg\.wasm|\.js)|snippets\/localrank-[0-9a-f]+\/inline\d+\.js)$/;
  return method === "GET" && (/^\/www\/([\w-]+\.(js|css))?$/.test(path) || pkg.test(path));
}

async function main() {
  const server = await serve(".");
  const browser = await launch();
  try {
    const base = `${server.origin}/www/`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const log = new RequestLog(context);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // 1. First visit: the model is downloaded (and cached).
    await page.goto(base);
    await ready(page);
    log.phase = "browse";
    const firstLoad = log.in("load");
    check(
      firstLoad.some((e) => e.method === "GET" && new URL(e.url).pathname === MODEL_PATH),
      `first visit did not download the model: ${RequestLog.describe(firstLoad)}`,
    );
    checkOwnAssets(firstLoad, server.origin, demoAsset, [], "first visit");
    check((await page.getAttribute("#model-source", "data-source")) === "network", "first visit: model not from network");
    await shot(page, "demo-1-loaded");
    const cold = await recs(page);
    check(cold.length === 10, `expected 10 cold-start recommendations, got ${cold.length}`);

    // 2. Click "View" on three products of one category.
    await page.selectOption("#category", CATEGORY);
    const clicked = await page.$$eval("#grid .card[data-key]", (els) => els.slice(0, 3).map((e) => e.dataset.key));
    check(clicked.length === 3, `category filter shows ${clicked.length} cards`);
    for (const [i, key] of clicked.entries()) {
      await afterRender(page, "recs", () => page.click(`#grid .card[data-key="${key}"] button.view`));
      await page.waitForFunction((n) => document.querySelectorAll("#history li").length === n, i + 1);
    }
    const warm = await recs(page);
    check(warm.length === 10, `expected 10 recommendations after clicks, got ${warm.length}`);
    check(JSON.stringify(keysOf(warm)) !== JSON.stringify(keysOf(cold)), "recommendations did not change after clicks");
    for (const k of clicked) check(!keysOf(warm).includes(k), `clicked item ${k} is recommended`);
    const same = warm.filter((r) => r.category === CATEGORY).length;
    check(same >= 6, `only ${same}/10 recommendations are in ${CATEGORY}`);
    await shot(page, "demo-2-after-clicks");

    // Export: a file download made from memory (a blob: URL), holding the three events.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
    check(exported.format === "localrank-history", `exported document: ${JSON.stringify(exported).slice(0, 80)}`);
    check(JSON.stringify(exported.events.map((e) => e.key)) === JSON.stringify(clicked), "export does not hold the three clicks");

    // 3. A malformed history file: a visible error, the history and recommendations unchanged.
    for (const [name, text] of [
      ["broken.json", "{ this is not json"],
      ["wrong.json", JSON.stringify({ format: "localrank-history", version: 1, events: [{ key: "", kind: "teleport", ts: 1 }] })],
    ]) {
      await afterRender(page, "recs", () =>
        page.setInputFiles("#import", { name, mimeType: "application/json", buffer: Buffer.from(text) }),
      );
      await page.waitForSelector("#import-error:not([hidden])");
      const message = await page.textContent("#import-error");
      check(message.includes(name) && message.includes("not changed"), `import error for ${name} reads: ${message}`);
      check(JSON.stringify(await historyKeys(page)) === JSON.stringify([...clicked].reverse()), `history changed by ${name}`);
      check(JSON.stringify(keysOf(await recs(page))) === JSON.stringify(keysOf(warm)), `recommendations changed by ${name}`);
    }
    await shot(page, "demo-3-import-error", "#import-error");

    // The page's own meter agrees with interception: nothing since the model loaded.
    check((await page.textContent("#net-count")) === "0", `network meter shows ${await page.textContent("#net-count")}`);
    const browsing = log.in("browse");
    check(browsing.length === 0, `requests while browsing: ${RequestLog.describe(browsing)}`);

    // 4. Reload: history and recommendations persist; the model comes from the cache.
    log.phase = "reload";
    await page.reload();
    await ready(page);
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 3);
    const reloaded = await recs(page);
    check(JSON.stringify(keysOf(reloaded)) === JSON.stringify(keysOf(warm)), "recommendations changed across reload");
    const afterReload = log.in("reload");
    checkOwnAssets(afterReload, server.origin, demoAsset, clicked, "after reload");
    if (process.env.E2E_VERBOSE) console.log(RequestLog.describe(afterReload));
    const modelGets = afterReload.filter((e) => e.method === "GET" && new URL(e.url).pathname === MODEL_PATH);
    check(modelGets.length === 0, "the model was downloaded again after the reload");
    check((await page.getAttribute("#model-source", "data-source")) === "cache", "after reload: model not from the cache");
    log.phase = "browse-2";
    await shot(page, "demo-4-after-reload", "#model-source");

    // 4b. The visitor forces WebGPU (SwiftShader here): the same recommendations, no request.
    await afterRender(page, "recs", () => page.selectOption("#backend-choice", "webgpu"));
    check((await page.textContent("#backend")) === "WebGPU", `backend shows ${await page.textContent("#backend")}: ${await page.textContent("#backend-reason")}`);
    check(JSON.stringify(keysOf(await recs(page))) === JSON.stringify(keysOf(warm)), "WebGPU changed the recommendations");
    await shot(page, "demo-4b-webgpu", "#backend");
    await afterRender(page, "recs", () => page.selectOption("#backend-choice", "cpu"));
    check((await page.textContent("#backend")) === "CPU", "backend did not switch back to the CPU");

    // 5. Clear: history gone, cold-start recommendations back.
    await afterRender(page, "recs", () => page.click("#clear"));
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 0);
    check(JSON.stringify(keysOf(await recs(page))) === JSON.stringify(keysOf(cold)), "clearing did not restore cold-start recommendations");
    const late = log.in("browse-2");
    check(late.length === 0, `requests while browsing after the reload: ${RequestLog.describe(late)}`);
    log.phase = "reload-2";
    await page.reload();
    await ready(page);
    check((await historyKeys(page)).length === 0, "history came back after clear + reload");
    checkOwnAssets(log.in("reload-2"), server.origin, demoAsset, clicked, "after clear + reload");
    await shot(page, "demo-5-cleared");

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log(
      `demo e2e: ok (${same}/10 recommendations in ${CATEGORY}; 0 requests while browsing; ` +
        `reload: ${afterReload.length} requests, model not re-downloaded; screenshots in ${OUT}/)`,
    );
  } finally {
    await browser.close();
    server.stop();
  }
}

main().catch((e) => {
  console.error(`demo e2e: ${e.message ?? e}`);
  process.exit(1);
});

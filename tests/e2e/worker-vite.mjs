// The Web Worker companion through a bundler, with no bundler configuration: a two-line page that
// imports pkg/worker.js is built by Vite (the example store's copy, installed by setup) into
// target/e2e/worker-vite/, served, and opened in headless Chromium; the bundled worker must load
// the demo model and answer. Checks README's "no bundler configuration" for Vite.
//
// Run from the repository root after `make pkg model storefront`:  node tests/e2e/worker-vite.mjs

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { check, launch, serve } from "./harness.mjs";

const ROOT = "target/e2e/worker-vite";
const VITE = "examples/storefront/node_modules/vite/bin/vite.js";

rmSync(ROOT, { recursive: true, force: true });
mkdirSync(`${ROOT}/src`, { recursive: true });
writeFileSync(`${ROOT}/index.html`, `<!doctype html>\n<script type="module" src="/src/main.js"></script>\n`);
writeFileSync(
  `${ROOT}/src/main.js`,
  `import { RecommenderWorker } from ${JSON.stringify(resolve("pkg/worker.js"))};\n` +
    `const rec = await RecommenderWorker.load("models/scientific.lrm", { persist: false, backend: "cpu" });\n` +
    `await rec.record((await rec.catalog())[0].key);\n` +
    `document.body.dataset.result = JSON.stringify({ items: rec.itemCount, recs: (await rec.recommend({ k: 3 })).length });\n`,
);
// No vite.config anywhere under ROOT: Vite's defaults, as a new shop has them.
execFileSync("node", [resolve(VITE), "build", "--logLevel", "warn", "--base", "./"], { cwd: ROOT, stdio: "inherit" });
const assets = readdirSync(`${ROOT}/dist/assets`);
check(assets.some((f) => /^worker-entry-.*\.js$/.test(f)), `Vite emitted no worker chunk: ${assets.join(", ")}`);
mkdirSync(`${ROOT}/dist/models`, { recursive: true });
copyFileSync("www/models/scientific.lrm", `${ROOT}/dist/models/scientific.lrm`);

const { origin, stop } = await serve(`${ROOT}/dist`);
const browser = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/`);
  await page.waitForSelector("body[data-result]", { timeout: 30000 }).catch(() => {});
  const result = await page.evaluate(() => document.body.dataset.result ?? null);
  check(result, `the Vite-built page did not answer (page errors: ${errors.join("; ") || "none"})`);
  const { items, recs } = JSON.parse(result);
  check(items > 0 && recs === 3, `Vite-built page answered ${result}`);
  console.log(`worker through Vite: ${assets.join(", ")}; ${items} items, ${recs} recommendations from the bundled worker`);
} finally {
  await browser.close();
  stop();
}

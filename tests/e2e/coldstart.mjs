// End-to-end check of cold start on the demo page (issue 15.3): a fresh browser profile (no
// history) shows "Popular now", and its items are the model's ten most popular by the
// popularity prior — read here straight from the model file's BIAS and KEYS sections
// (docs/FORMAT.md § 1), ties to the lower row — on the CPU and on WebGPU alike; one view turns
// the row into "Recommended for you", clearing brings the same popular list back; no request at
// all after the model has loaded. Screenshots: artifacts/e2e/coldstart-*.png (look at them).
//
// Run from the repository root after `make pkg model`:  node tests/e2e/coldstart.mjs

import { readFileSync } from "node:fs";
import { RequestLog, afterRender, check, launch, openReady, serve, shot } from "./harness.mjs";

const MODEL_FILE = "www/models/scientific.lrm";

/**
 * The keys of the `k` items with the highest prior, ties to the lower row, one per title (as
 * `recommend` de-duplicates by default), from the file.
 */
function popularByPrior(path, k) {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sections = new Map();
  const count = view.getUint32(12, true);
  for (let s = 0; s < count; s++) {
    const at = 32 + 24 * s;
    const id = buf.toString("latin1", at, at + 4);
    sections.set(id, { offset: Number(view.getBigUint64(at + 8, true)), length: Number(view.getBigUint64(at + 16, true)) });
  }
  const n = view.getUint32(sections.get("DIMS").offset, true);
  const bias = Array.from({ length: n }, (_, j) => view.getFloat32(sections.get("BIAS").offset + 4 * j, true));
  // A string table (docs/FORMAT.md § 1.4) at `at`: its strings and the offset after it.
  const table = (at) => {
    const count = view.getUint32(at, true);
    const blob = at + 4 + 4 * (count + 1);
    const end = (i) => view.getUint32(at + 4 + 4 * i, true);
    const strings = Array.from({ length: count }, (_, j) => buf.toString("utf8", blob + end(j), blob + end(j + 1)));
    return { strings, next: blob + end(count) };
  };
  const keys = table(sections.get("KEYS").offset).strings;
  check(keys.length === n, "KEYS count differs from DIMS");
  // META: field names, then N·F values item-major (§ 1.1); recommend() keeps one item per title
  // by default (dedupe), so the row is the prior's order without repeated titles.
  const names = table(sections.get("META").offset);
  const values = table(names.next).strings;
  const f = names.strings.length;
  const t = names.strings.indexOf("title");
  check(t >= 0, "the demo model has titles");
  const rows = [...bias.keys()].sort((a, b) => bias[b] - bias[a] || a - b);
  const seen = new Set();
  const out = [];
  for (const j of rows) {
    const title = values[j * f + t].trim();
    if (title && seen.has(title)) continue;
    seen.add(title);
    out.push(keys[j]);
    if (out.length === k) break;
  }
  return out;
}

const recKeys = (page) => page.$$eval("#recs .rec[data-key]", (els) => els.map((e) => e.dataset.key));
const heading = (page) => page.textContent("#recs-heading");
const mode = (page) => page.$eval(".recs-section", (e) => e.dataset.mode);

async function run(browser, server) {
  const expected = popularByPrior(MODEL_FILE, 10);
  const { log, page, errors } = await openReady(browser, `${server.origin}/www/`); // fresh profile
  log.phase = "browse";

  check((await heading(page)) === "Popular now", `empty history: heading is ${await heading(page)}`);
  check((await mode(page)) === "popular", "empty history: section not in popular mode");
  const popular = await recKeys(page);
  check(JSON.stringify(popular) === JSON.stringify(expected), `popular row ${popular} ≠ the prior's top 10 ${expected}`);
  await shot(page, "coldstart-1-popular", "#recs");

  // The same list from WebGPU (SwiftShader here), then back to the CPU.
  await afterRender(page, () => page.selectOption("#backend-choice", "webgpu"));
  const gpuName = await page.textContent("#backend");
  check(gpuName === "WebGPU", `backend shows ${gpuName}: ${await page.textContent("#backend-reason")}`);
  check(JSON.stringify(await recKeys(page)) === JSON.stringify(expected), "WebGPU's popular list differs");
  await afterRender(page, () => page.selectOption("#backend-choice", "cpu"));

  // One view personalises; clearing returns to the popular list.
  const first = await page.$eval("#grid .card[data-key]", (e) => e.dataset.key);
  await afterRender(page, () => page.click(`#grid .card[data-key="${first}"] button.view`));
  check((await heading(page)) === "Recommended for you", `after a view: heading is ${await heading(page)}`);
  check((await mode(page)) === "personal", "after a view: section not in personal mode");
  check(JSON.stringify(await recKeys(page)) !== JSON.stringify(expected), "one view changed nothing");
  await shot(page, "coldstart-2-one-view", "#recs");
  await afterRender(page, () => page.click("#clear"));
  await page.waitForFunction(() => document.querySelectorAll("#history li").length === 0);
  check((await heading(page)) === "Popular now", "after clear: heading not back to Popular now");
  check(JSON.stringify(await recKeys(page)) === JSON.stringify(expected), "after clear: not the popular list");

  const browsing = log.in("browse");
  check(browsing.length === 0, `requests after the model loaded: ${RequestLog.describe(browsing)}`);
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
}

const server = await serve(".");
const browser = await launch();
try {
  await run(browser, server);
  console.log(`coldstart e2e: ok ("Popular now" = the prior's top 10 on CPU and WebGPU; 0 requests after load)`);
} catch (e) {
  console.error(`coldstart e2e: ${e.message ?? e}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  server.stop();
}

// End-to-end check of the demo page, as `make demo` serves it: Python's http.server over the
// repository root, Debian's Chromium driven by playwright-core. Clicks products, checks that the
// recommendations change and follow the clicked category, that history survives a reload and
// that clearing works. Screenshots go to artifacts/e2e/ (look at them).
//
// Run from the repository root after `make pkg model`:  node tests/e2e/demo.mjs

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

const OUT = "artifacts/e2e";
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/lib/chromium/chromium";
const CATEGORY = "Additive Manufacturing Products";

function fail(message) {
  throw new Error(`demo e2e: ${message}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForServer(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`server at ${url} did not start`);
}

/** Runs `action` and waits until the recommendations list has re-rendered after it. */
async function afterRender(page, action) {
  const before = await page.$eval("#recs", (e) => Number(e.dataset.generation ?? 0));
  await action();
  await page.waitForFunction((g) => {
    const list = document.getElementById("recs");
    return Number(list.dataset.generation ?? 0) > g && !list.hasAttribute("aria-busy");
  }, before);
}

const recKeys = (page) => page.$$eval("#recs .rec[data-key]", (els) => els.map((e) => e.dataset.key));

async function main() {
  mkdirSync(OUT, { recursive: true });
  const port = await freePort();
  const server = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1"], {
    stdio: "ignore",
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const base = `http://127.0.0.1:${port}/www/`;
    await waitForServer(base);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(base);
    await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
    await page.screenshot({ path: `${OUT}/1-loaded.png` });
    const cold = await recKeys(page);
    if (cold.length !== 10) fail(`expected 10 cold-start recommendations, got ${cold.length}`);

    // Click "View" on three products of one category.
    await page.selectOption("#category", CATEGORY);
    const cards = await page.$$eval("#grid .card[data-key]", (els) => els.slice(0, 3).map((e) => e.dataset.key));
    if (cards.length !== 3) fail(`category filter shows ${cards.length} cards`);
    for (const [i, key] of cards.entries()) {
      await afterRender(page, () => page.click(`#grid .card[data-key="${key}"] button.view`));
      await page.waitForFunction((n) => document.querySelectorAll("#history li").length === n, i + 1);
    }
    const warm = await recKeys(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${OUT}/2-after-clicks.png` });
    if (JSON.stringify(warm) === JSON.stringify(cold)) fail("recommendations did not change after clicks");
    for (const k of cards) if (warm.includes(k)) fail(`clicked item ${k} is recommended`);
    const cats = await page.$$eval("#recs .rec[data-key]", (els) => els.map((e) => e.textContent));
    const same = cats.filter((t) => t.includes(CATEGORY)).length;
    if (same < 6) fail(`only ${same}/10 recommendations are in ${CATEGORY}`);

    // Reload: history and recommendations persist (IndexedDB).
    await page.reload();
    await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 3);
    const reloaded = await recKeys(page);
    if (JSON.stringify(reloaded) !== JSON.stringify(warm)) fail("recommendations changed across reload");
    await page.screenshot({ path: `${OUT}/3-after-reload.png` });

    // Clear: history gone, cold-start recommendations back.
    await afterRender(page, () => page.click("#clear"));
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 0);
    const cleared = await recKeys(page);
    if (JSON.stringify(cleared) !== JSON.stringify(cold)) fail("clearing did not restore cold-start recommendations");

    // Mobile layout.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUT}/4-mobile.png` });
    if (errors.length) fail(`page errors: ${errors.join("; ")}`);
    console.log(`demo e2e: ok (${same}/10 recommendations in ${CATEGORY}; screenshots in ${OUT}/)`);
  } finally {
    await browser.close();
    server.kill();
  }
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});

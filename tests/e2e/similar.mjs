// End-to-end check of similar items and explanations (www/similar.js in the demo, src/similar.ts
// in the example store), in Debian's headless Chromium: viewing a product opens its page with
// "Customers who viewed this also viewed", which shows k items and never the product itself;
// clicking one of them opens that product; every "Because you viewed …" names items of the
// history; and no request at all is made while browsing. Screenshots (desktop and phone) go to
// artifacts/e2e/similar-*.png.
//
// Run from the repository root after `make pkg model storefront`:  node tests/e2e/similar.mjs

import { existsSync } from "node:fs";
import { OUT, RequestLog, afterRender, check, launch, openReady, serve, shot } from "./harness.mjs";

const CATEGORY = "Additive Manufacturing Products";
const DEMO_K = 6; // www/similar.js
const STORE_K = 5; // examples/storefront/src/similar.ts
const DIST = "examples/storefront/dist";
/** The demo: the product panel and the reasons under recommendations. */
async function demo(browser, origin) {
  const { context, log, page, errors } = await openReady(browser, `${origin}/www/`);
  log.phase = "browse";
  check(await page.$eval("#product", (e) => e.hidden), "the product panel is shown before any click");

  await page.selectOption("#category", CATEGORY);
  const viewed = await page.$$eval("#grid .card[data-key]", (els) => els.slice(0, 3).map((e) => e.dataset.key));
  check(viewed.length === 3, `category filter shows ${viewed.length} cards`);
  for (const key of viewed) {
    await afterRender(page, "similar", () => page.click(`#grid .card[data-key="${key}"] button.view`));
    check((await page.getAttribute("#product", "data-key")) === key, `product panel is not ${key}`);
    const similar = await page.$$eval("#similar .rec[data-key]", (els) => els.map((e) => e.dataset.key));
    check(similar.length === DEMO_K, `${key}: ${similar.length} similar items, expected ${DEMO_K}`);
    check(!similar.includes(key), `${key} is among its own similar items`);
    check(new Set(similar).size === similar.length, `${key}: similar items repeat`);
    // One item per title, and none titled like the product (its variants under other keys).
    const titles = await page.$$eval("#similar .rec[data-key]", (els) => els.map((e) => e.title));
    const own = await page.textContent("#product-title");
    check(!titles.includes(own), `${key}: a variant of "${own}" is among its similar items`);
    check(new Set(titles).size === titles.length, `${key}: similar titles repeat: ${titles}`);
  }
  await page.waitForFunction((n) => document.querySelectorAll("#history li").length === n, viewed.length);
  await page.waitForFunction(() => document.querySelectorAll("#recs .rec-reason").length > 0);
  const reasons = await page.$$eval("#recs .rec", (els) =>
    els.map((e) => [...e.querySelectorAll(".reason-item")].map((r) => r.dataset.key)),
  );
  const named = reasons.flat();
  check(reasons.filter((r) => r.length > 0).length >= 5, `only ${reasons.filter((r) => r.length).length}/10 recommendations have a reason`);
  for (const key of named) check(viewed.includes(key), `reason names ${key}, which is not in the history`);
  await shot(page, "similar-demo-1-product", "#product");
  await shot(page, "similar-demo-2-reasons", "#recs");

  // A similar item opens its own product page (and is recorded as a view).
  const next = await page.$eval("#similar .rec[data-key]", (e) => e.dataset.key);
  await afterRender(page, "similar", () => page.click(`#similar .rec[data-key="${next}"]`));
  check((await page.getAttribute("#product", "data-key")) === next, `clicking a similar item did not open ${next}`);
  const similar = await page.$$eval("#similar .rec[data-key]", (els) => els.map((e) => e.dataset.key));
  check(similar.length === DEMO_K && !similar.includes(next), `${next}: similar items ${similar}`);
  await page.waitForFunction((n) => document.querySelectorAll("#history li").length === n, viewed.length + 1);

  const browsing = log.in("browse");
  check(browsing.length === 0, `requests while browsing the demo: ${RequestLog.describe(browsing)}`);
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  await context.close();
  return { named: named.length };
}

/** The example store: the product page's similar row and reasons under its recommendations. */
async function store(browser) {
  const server = await serve(DIST);
  let context;
  try {
    const opened = await openReady(browser, `${server.origin}/`);
    context = opened.context;
    const { log, page, errors } = opened;
    log.phase = "browse";
    await afterRender(page, "app", () => page.selectOption("#category", CATEGORY));
    const viewed = await page.$$eval("#products .card[data-key]", (els) => els.slice(0, 2).map((e) => e.dataset.key));
    for (const [i, key] of viewed.entries()) {
      await afterRender(page, "app", () => page.click(`#products .card[data-key="${key}"] .card-link`));
      check((await page.getAttribute("article.product", "data-key")) === key, `product page of ${key} not shown`);
      const similar = await page.$$eval("#similar .card[data-key]", (els) => els.map((e) => e.dataset.key));
      check(similar.length === STORE_K, `${key}: ${similar.length} similar items, expected ${STORE_K}`);
      check(!similar.includes(key), `${key} is among its own similar items`);
      if (i < viewed.length - 1) await afterRender(page, "app", () => page.click(".crumbs a:nth-of-type(2)"));
    }
    const reasons = await page.$$eval("#recs .card", (els) => els.map((e) => e.querySelector(".reason")?.textContent ?? ""));
    check(reasons.filter(Boolean).length >= 5, `only ${reasons.filter(Boolean).length}/10 store recommendations have a reason`);
    const titles = await page.evaluate(() => [...document.querySelectorAll("article.product h1")].map((e) => e.textContent));
    check(titles.length === 1, "no product title");
    for (const r of reasons.filter(Boolean)) check(r.startsWith("Because you viewed "), `reason "${r}"`);
    await shot(page, "similar-store-1-product", "#similar");
    await shot(page, "similar-store-2-reasons", "#recs");
    const browsing = log.in("browse");
    check(browsing.length === 0, `requests while browsing the store: ${RequestLog.describe(browsing)}`);
    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  } finally {
    await context?.close();
    server.stop();
  }
}

async function main() {
  check(existsSync(`${DIST}/index.html`), `${DIST} is missing: build it with \`make storefront\``);
  const server = await serve(".");
  const browser = await launch();
  try {
    const { named } = await demo(browser, server.origin);
    await store(browser);
    console.log(
      `similar e2e: ok (demo: ${DEMO_K} similar items without the product, ${named} reasons all from the history; ` +
        `store: ${STORE_K} similar items; 0 requests while browsing; screenshots in ${OUT}/similar-*.png)`,
    );
  } finally {
    await browser.close();
    server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

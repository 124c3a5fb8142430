// End-to-end check of the example store (examples/storefront, built with Vite against pkg/):
// served as static files, clicked in Debian's headless Chromium. Three products of one
// department viewed; the product page's recommendations exclude them and follow the department;
// add to cart; the cart page recommends; a reload keeps the history and does not download the
// model again; "Forget my history" clears it; no request at all while browsing. Screenshots
// (desktop and phone) go to artifacts/e2e/storefront-*.png.
//
// Run from the repository root after `make storefront`:  node tests/e2e/storefront.mjs

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { OUT, RequestLog, afterRender, check, checkOwnAssets, launch, serve, shot } from "./harness.mjs";

const DIST = "examples/storefront/dist";
const CATEGORY = "Additive Manufacturing Products";
const MODEL_PATH = "/models/scientific.lrm";

/** The built store's own files: the page, hashed assets, the model. */
function storeAsset(path, method) {
  if (path === MODEL_PATH) return true; // the reload check narrows it to HEAD
  return method === "GET" && (path === "/" || path === "/index.html" || /^\/assets\/[\w.-]+\.(js|css|wasm)$/.test(path));
}

/**
 * The README's "A fuller example" snippet (under "Use it in your store") must be the example's real
 * code: every code line of its first ```ts block occurs, as a whole trimmed line, in
 * examples/storefront/src/. (The quick start above it is compiled by `make test-types`.)
 */
function checkReadmeSnippet() {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.split("\n## Use it in your store")[1]?.split("\n### A fuller example")[1];
  check(section, "README has no 'A fuller example' under 'Use it in your store'");
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  check(snippet, "README's store section has no ```ts snippet");
  const src = "examples/storefront/src";
  const sourceLines = new Set(
    readdirSync(src).flatMap((f) => readFileSync(`${src}/${f}`, "utf8").split("\n").map((l) => l.trim())),
  );
  const code = snippet.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("//"));
  for (const line of code) check(sourceLines.has(line), `README snippet line not in ${src}/: ${line}`);
  return code.length;
}

const recs = (page) =>
  page.$$eval("#recs .card[data-key]", (els) =>
    els.map((e) => ({ key: e.dataset.key, category: e.querySelector(".card-category").textContent })),
  );
const keysOf = (list) => list.map((r) => r.key);
const ready = (page) => page.waitForSelector("body[data-ready='1']", { timeout: 30000 });

async function main() {
  check(existsSync(`${DIST}/index.html`), `${DIST} is missing: build it with \`make storefront\``);
  const snippetLines = checkReadmeSnippet();
  const server = await serve(DIST);
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const log = new RequestLog(context);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // 1. First visit: the model is downloaded from the store's static folder (and cached).
    await page.goto(`${server.origin}/`);
    await ready(page);
    log.phase = "browse";
    const firstLoad = log.in("load");
    check(
      firstLoad.some((e) => e.method === "GET" && new URL(e.url).pathname === MODEL_PATH),
      `first visit did not download the model: ${RequestLog.describe(firstLoad)}`,
    );
    checkOwnAssets(firstLoad, server.origin, storeAsset, [], "first visit");
    check((await page.getAttribute("body", "data-model-source")) === "network", "first visit: model not from network");
    const cold = await recs(page);
    check(cold.length === 10, `expected 10 cold-start recommendations, got ${cold.length}`);
    await shot(page, "storefront-1-shop");

    // 2. View three products of one department, each from the department's page.
    await afterRender(page, "app", () => page.selectOption("#category", CATEGORY));
    const clicked = await page.$$eval("#products .card[data-key]", (els) => els.slice(0, 3).map((e) => e.dataset.key));
    check(clicked.length === 3, `department page shows ${clicked.length} products`);
    for (const [i, key] of clicked.entries()) {
      await afterRender(page, "app", () => page.click(`#products .card[data-key="${key}"] .card-link`));
      check((await page.getAttribute("article.product", "data-key")) === key, `product page of ${key} not shown`);
      if (i < 2) await afterRender(page, "app", () => page.click(".crumbs a:nth-of-type(2)"));
    }
    const onProduct = await recs(page);
    check(onProduct.length === 10, `product page shows ${onProduct.length} recommendations`);
    for (const k of clicked) check(!keysOf(onProduct).includes(k), `viewed item ${k} is recommended`);
    const same = onProduct.filter((r) => r.category === CATEGORY).length;
    check(same >= 6, `only ${same}/10 product-page recommendations are in ${CATEGORY}`);
    check(JSON.stringify(keysOf(onProduct)) !== JSON.stringify(keysOf(cold)), "recommendations did not change");
    await shot(page, "storefront-2-product");

    // 3. Add to cart, then the cart page recommends around it.
    await page.click("#add-to-cart");
    await page.waitForSelector("#cart-count:text('1')");
    await afterRender(page, "app", () => page.click("a[href='#/cart']:not(#cart-link)"));
    const inCart = await page.$$eval("#cart-list li", (els) => els.map((e) => e.dataset.key));
    check(inCart.join() === clicked[2], `cart holds [${inCart}], not ${clicked[2]}`);
    const onCart = await recs(page);
    check(onCart.length === 10, `cart page shows ${onCart.length} recommendations`);
    for (const k of clicked) check(!keysOf(onCart).includes(k), `viewed item ${k} is recommended on the cart page`);
    await shot(page, "storefront-3-cart");
    const browsing = log.in("browse");
    check(browsing.length === 0, `requests while browsing: ${RequestLog.describe(browsing)}`);

    // 4. Reload: history, cart and recommendations persist; the model comes from the cache.
    log.phase = "reload";
    await page.reload();
    await ready(page);
    check((await page.textContent("#history-size")) === "4 events", `history after reload: ${await page.textContent("#history-size")}`);
    check(JSON.stringify(keysOf(await recs(page))) === JSON.stringify(keysOf(onCart)), "cart recommendations changed across reload");
    const afterReload = log.in("reload");
    checkOwnAssets(afterReload, server.origin, storeAsset, clicked, "after reload");
    const modelGets = afterReload.filter((e) => e.method === "GET" && new URL(e.url).pathname === MODEL_PATH);
    check(modelGets.length === 0, "the model was downloaded again after the reload");
    check((await page.getAttribute("body", "data-model-source")) === "cache", "after reload: model not from the cache");
    await shot(page, "storefront-4-reloaded", ".foot");
    log.phase = "browse-2";

    // 5. "Forget my history": nothing stored, popular items again, still no request.
    await afterRender(page, "app", () => page.click("#forget"));
    check((await page.textContent("#history-size")) === "0 events", `history after forgetting: ${await page.textContent("#history-size")}`);
    check(JSON.stringify(keysOf(await recs(page))) === JSON.stringify(keysOf(cold)), "forgetting did not restore the popular items");
    const late = log.in("browse-2");
    check(late.length === 0, `requests after the reload: ${RequestLog.describe(late)}`);

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log(
      `storefront e2e: ok (${same}/10 product-page recommendations in ${CATEGORY}; 0 requests while browsing; ` +
        `reload: ${afterReload.length} requests, model not re-downloaded; README snippet: ${snippetLines} lines found in src/; ` +
        `screenshots in ${OUT}/)`,
    );
  } finally {
    await browser.close();
    server.stop();
  }
}

main().catch((e) => {
  console.error(`storefront e2e: ${e.message ?? e}`);
  process.exit(1);
});

// End-to-end check of the demo's recommendation filters (www/filters.js) and its simulated stock
// feed (www/stock.js): the category selector narrows "Recommended for you" to that category with
// a full list of 10 (the filter acts inside the top-k), choosing "All categories" restores the
// unfiltered list; the demo model declares `in_stock` (every item in stock), so "In stock only" is
// enabled: an item marked sold out (`setAttributes`) disappears from the recommendations and from
// the product panel's similar items while the lists stay full, unticking the filter or "Back in
// stock" brings it back; a backend switch keeps the marks. No request at all is made while
// filtering or changing stock.
// Screenshots in artifacts/e2e/.
//
// Run from the repository root after `make pkg model`:  node tests/e2e/filters.mjs

import { RequestLog, afterRender, check, launch, openReady, serve, shot } from "./harness.mjs";

const CATEGORY = "Additive Manufacturing Products";
const SIMILAR_K = 6;

/** The shown recommendations as `key:category` strings. */
const shown = (page) =>
  page.$$eval("#recs .rec[data-key]", (list) =>
    list.map((li) => `${li.dataset.key}:${li.querySelector(".rec-category").textContent}`),
  );
const categoryOf = (entry) => entry.slice(entry.indexOf(":") + 1);
const keyOf = (entry) => entry.slice(0, entry.indexOf(":"));
const similarKeys = (page) => page.$$eval("#similar .rec[data-key]", (list) => list.map((b) => b.dataset.key));
/** The stock control of `key` in list `#id`: its label. */
const toggleText = (page, id, key) => page.$eval(`#${id} .stock-toggle[data-stock-key="${key}"]`, (b) => b.textContent);
const clickToggle = (page, id, key) => page.click(`#${id} .stock-toggle[data-stock-key="${key}"]`);
/** Runs `action`, then waits for the recommendations and (when open) the similar items to re-render. */
const afterBoth = (page, action) => afterRender(page, "recs", () => afterRender(page, "similar", action));

async function categories(page, all) {
  const options = await page.$$eval("#rec-category option", (os) => os.map((o) => o.value));
  check(options.includes(CATEGORY), `category selector lacks "${CATEGORY}"`);
  await afterRender(page, "recs", () => page.selectOption("#rec-category", CATEGORY));
  const narrowed = await shown(page);
  check(narrowed.length === 10, `category filter: expected 10 items, got ${narrowed.length}`);
  check(
    narrowed.every((r) => categoryOf(r) === CATEGORY),
    `category filter let through ${narrowed.map(categoryOf).filter((c) => c !== CATEGORY)}`,
  );
  await shot(page, "filters-1-category");
  await afterRender(page, "recs", () => page.selectOption("#rec-category", ""));
  const back = await shown(page);
  check(JSON.stringify(back) === JSON.stringify(all), "\"All categories\" did not restore the list");
}

/** Marks a recommended item sold out and filters it away, then brings it back both ways. */
async function recommendationsStock(page, all) {
  check(!(await page.$eval("#rec-in-stock", (e) => e.disabled)), "in-stock toggle disabled although the model has in_stock");
  const note = await page.$eval("#stock-sim", (e) => (e.hidden ? "" : e.textContent));
  check(/simulated/.test(note), `the stock controls are not labelled as a simulation: "${note}"`);

  const sold = keyOf(all[2]);
  await afterRender(page, "recs", () => clickToggle(page, "recs", sold));
  const marked = await shown(page);
  check(JSON.stringify(marked) === JSON.stringify(all), "marking sold out changed the unfiltered list");
  check((await toggleText(page, "recs", sold)) === "Back in stock", "the sold-out item's control does not offer \"Back in stock\"");
  const badge = await page.$eval(`#recs .rec[data-key="${sold}"] .rec-stock`, (b) => b.textContent).catch(() => "");
  check(badge === "Sold out", `the sold-out item shows no "Sold out" badge (${badge})`);
  await shot(page, "filters-2-sold-out", `#recs .rec[data-key="${sold}"]`);
  // Switching the backend loads another Recommender: the feed sets its values there again.
  await afterRender(page, "recs", () => page.selectOption("#backend-choice", "cpu"));
  check((await toggleText(page, "recs", sold)) === "Back in stock", "the backend switch lost the sold-out mark");

  await afterRender(page, "recs", () => page.check("#rec-in-stock"));
  const inStock = (await shown(page)).map(keyOf);
  check(inStock.length === 10, `in stock only: expected 10 items, got ${inStock.length}`);
  check(!inStock.includes(sold), `in stock only still shows sold-out ${sold}`);
  const rest = all.map(keyOf).filter((k) => k !== sold);
  check(JSON.stringify(inStock.slice(0, 9)) === JSON.stringify(rest), "in stock only reordered the other items");
  await shot(page, "filters-3-in-stock-only");

  await afterRender(page, "recs", () => page.uncheck("#rec-in-stock"));
  check((await shown(page)).map(keyOf).includes(sold), "unticking \"In stock only\" did not bring the item back");
  await afterRender(page, "recs", () => clickToggle(page, "recs", sold));
  await afterRender(page, "recs", () => page.check("#rec-in-stock"));
  const restocked = await shown(page);
  check(JSON.stringify(restocked) === JSON.stringify(all), "\"Back in stock\" did not restore the list under the filter");
}

/** With "In stock only" ticked: a similar item marked sold out leaves the product panel's row. */
async function similarStock(page, all) {
  const product = keyOf(all[0]);
  await afterBoth(page, () => page.click(`#recs .rec[data-key="${product}"]`));
  const before = await similarKeys(page);
  check(before.length === SIMILAR_K, `similar items: expected ${SIMILAR_K}, got ${before.length}`);
  const sold = before[1];
  await afterBoth(page, () => clickToggle(page, "similar", sold));
  const after = await similarKeys(page);
  check(after.length === SIMILAR_K, `similar items in stock: expected ${SIMILAR_K}, got ${after.length}`);
  check(!after.includes(sold), `the similar items still show sold-out ${sold}`);
  check((await shown(page)).every((r) => keyOf(r) !== sold), `the recommendations show sold-out ${sold}`);
  await shot(page, "filters-4-similar", "#product");

  await afterBoth(page, () => page.uncheck("#rec-in-stock"));
  check((await similarKeys(page)).includes(sold), "unticking \"In stock only\" did not bring the similar item back");
  check((await toggleText(page, "similar", sold)) === "Back in stock", "the similar item's control does not offer \"Back in stock\"");
}

async function main() {
  const server = await serve(".");
  const browser = await launch();
  try {
    const { log, page, errors } = await openReady(browser, `${server.origin}/www/`);
    log.phase = "browse";
    const all = await shown(page);
    check(all.length === 10, `expected 10 recommendations, got ${all.length}`);

    await categories(page, all);
    await recommendationsStock(page, all);
    await similarStock(page, all);

    const browsing = log.in("browse");
    check(browsing.length === 0, `requests while filtering: ${RequestLog.describe(browsing)}`);
    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("filters e2e: ok");
  } finally {
    await browser.close();
    server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

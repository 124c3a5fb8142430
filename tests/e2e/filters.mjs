// End-to-end check of the demo's recommendation filters (www/filters.js): the category selector
// narrows "Recommended for you" to that category with a full list of 10 (the filter acts inside
// the top-k), choosing "All categories" restores the unfiltered list, and the in-stock toggle is
// offered only when the model has a boolean `in_stock` attribute (the demo model has none, so it
// is disabled). No request at all is made while filtering. Screenshots in artifacts/e2e/.
//
// Run from the repository root after `make pkg model`:  node tests/e2e/filters.mjs

import { RequestLog, afterRender, check, launch, openReady, serve, shot } from "./harness.mjs";

const CATEGORY = "Additive Manufacturing Products";

/** The shown recommendations as `key:category` strings. */
const shown = (page) =>
  page.$$eval("#recs .rec[data-key]", (list) =>
    list.map((li) => `${li.dataset.key}:${li.querySelector(".rec-category").textContent}`),
  );
const categoryOf = (entry) => entry.slice(entry.indexOf(":") + 1);

async function main() {
  const server = await serve(".");
  const browser = await launch();
  try {
    const { log, page, errors } = await openReady(browser, `${server.origin}/www/`);
    log.phase = "browse";
    const all = await shown(page);
    check(all.length === 10, `expected 10 recommendations, got ${all.length}`);

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

    const stockDisabled = await page.$eval("#rec-in-stock", (e) => e.disabled);
    check(stockDisabled, "in-stock toggle enabled although the demo model has no in_stock attribute");
    await shot(page, "filters-2-all");

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

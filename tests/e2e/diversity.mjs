// End-to-end check of diversity and de-duplication in the demo: the "popular" row (empty history)
// lists each title once although the model's plain top 10 repeats one (two variants under two
// keys); after three views, moving the diversity slider changes the list, which still holds no
// duplicate title and no viewed item; no request at all is made while browsing.
// Screenshots (desktop and phone) in artifacts/e2e/diversity-*.png (look at them).
//
// Run from the repository root after `make pkg model`:  node tests/e2e/diversity.mjs

import { OUT, RequestLog, afterRender, check, launch, openReady, serve, shot } from "./harness.mjs";

const CATEGORY = "Additive Manufacturing Products";


const recs = (page) =>
  page.$$eval("#recs .rec[data-key]", (els) => els.map((e) => ({ key: e.dataset.key, title: e.getAttribute("title") })));

function duplicateTitles(list) {
  const seen = new Set();
  return list.filter((r) => r.title && (seen.has(r.title) || !seen.add(r.title))).map((r) => r.title);
}

const setDiversity = (page, step) =>
  afterRender(page, () =>
    page.$eval(
      "#diversity",
      (el, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      step,
    ),
  );

async function main() {
  const server = await serve(".");
  const browser = await launch();
  try {
    const { log, page, errors } = await openReady(browser, `${server.origin}/www/`);

    // The library without de-duplication, in the load phase (it fetches the model once more):
    // the shipped model's popular row does repeat a title, so the check below proves something.
    const plain = await page.evaluate(async () => {
      const { Recommender } = await import("/pkg/localrank.js");
      const bytes = new Uint8Array(await (await fetch("/www/models/scientific.lrm")).arrayBuffer());
      const r = await Recommender.load(bytes, { persist: false, backend: "cpu" });
      const items = await r.recommend({ k: 10, dedupe: false });
      r.free();
      return items.map((i) => ({ key: i.key, title: i.title }));
    });
    check(duplicateTitles(plain).length > 0, `the plain popular row has no duplicate: ${JSON.stringify(plain)}`);

    log.phase = "browse";
    const popular = await recs(page);
    check(popular.length === 10, `popular row: ${popular.length} items`);
    check(duplicateTitles(popular).length === 0, `popular row repeats ${duplicateTitles(popular)}`);
    check((await page.$eval("#diversity-value", (e) => e.textContent)) === "off", "slider does not start at off");
    await shot(page, "diversity-1-popular", "#recs");

    await page.selectOption("#category", CATEGORY);
    const clicked = await page.$$eval("#grid .card[data-key]", (els) => els.slice(0, 3).map((e) => e.dataset.key));
    for (const [i, key] of clicked.entries()) {
      await afterRender(page, () => page.click(`#grid .card[data-key="${key}"] button.view`));
      await page.waitForFunction((n) => document.querySelectorAll("#history li").length === n, i + 1);
    }
    const relevant = await recs(page);
    const lists = [relevant];
    for (const step of [1, 2, 3]) {
      await setDiversity(page, step);
      lists.push(await recs(page));
    }
    const diverse = lists[3];
    check((await page.$eval("#diversity-value", (e) => e.textContent)) === "0.5", "slider value not shown");
    check(diverse.length === 10, `diversity 0.5: ${diverse.length} items`);
    check(
      JSON.stringify(diverse.map((r) => r.key)) !== JSON.stringify(relevant.map((r) => r.key)),
      "moving the slider to 0.5 did not change the list",
    );
    for (const list of lists) {
      check(duplicateTitles(list).length === 0, `a list repeats ${duplicateTitles(list)}`);
      for (const k of clicked) check(!list.some((r) => r.key === k), `viewed item ${k} recommended`);
    }
    await shot(page, "diversity-2-slider", ".recs-section");
    // Back to 0: the relevance list again.
    await setDiversity(page, 0);
    check(
      JSON.stringify((await recs(page)).map((r) => r.key)) === JSON.stringify(relevant.map((r) => r.key)),
      "slider back at 0 does not give the relevance list",
    );

    const browse = log.in("browse");
    check(browse.length === 0, `requests while browsing: ${RequestLog.describe(browse)}`);
    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    const changed = relevant.filter((r) => !diverse.some((d) => d.key === r.key)).length;
    console.log(
      `diversity: popular row ${popular.length} distinct titles (plain top 10 repeated ${duplicateTitles(plain).length}); ` +
        `slider 0 → 0.5 replaced ${changed} of 10; 0 requests while browsing; screenshots in ${OUT}/diversity-*.png`,
    );
  } finally {
    await browser.close();
    server.stop();
  }
}

await main();

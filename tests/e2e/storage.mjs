// End-to-end checks of the shopper's history in IndexedDB with several pages of one store open
// at once, in one headless-Chromium context (one profile, as tabs share it):
// 1. Many tabs: TABS pages record PER_TAB events each, all at the same time, on one namespace;
//    afterwards every page's history() holds every event exactly once, in the same order as the
//    store, and every page recommends the same items (none of them already seen).
// 2. Crash safety: a page is closed in the middle of a burst of record() calls, ROUNDS times at
//    different points; reopened, the store loads without skipped records, holds every event whose
//    promise had resolved, and holds the burst's events in order without gaps.
//
// Run from the repository root after `make pkg model`:  node tests/e2e/storage.mjs

import { check, launch, serve } from "./harness.mjs";

const MODEL = "/www/models/scientific.lrm";
const TABS = 4;
const PER_TAB = 15;
const BURST = 4000;
const ROUNDS = 3;

const { origin, stop } = await serve(".");
const browser = await launch();
try {
  const context = await browser.newContext();
  const openPage = async () => {
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("page error:", e.message));
    await page.goto(`${origin}/tests/e2e/worker-page/`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
    await page.evaluate(async (url) => {
      window.modelBytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    }, MODEL);
    return page;
  };

  // 1. Many tabs recording at once.
  const pages = [];
  for (let i = 0; i < TABS; i++) pages.push(await openPage());
  await pages[0].evaluate(() => Recommender.deleteStoredHistory("e2e-tabs"));
  const keys = await pages[0].evaluate(async (n) => {
    const r = await Recommender.load(window.modelBytes, { namespace: "e2e-tabs-keys", persist: false });
    return r.items(100, n).map((i) => i.key);
  }, TABS * PER_TAB);
  await Promise.all(pages.map((p) => p.evaluate(async () => {
    window.rec = await Recommender.load(window.modelBytes, { namespace: "e2e-tabs", backend: "cpu" });
  })));
  await Promise.all(pages.map((p, t) => p.evaluate((mine) => Promise.all(mine.map((k) => window.rec.record(k))),
    keys.slice(t * PER_TAB, (t + 1) * PER_TAB))));
  const views = await Promise.all(pages.map((p) => p.evaluate(async (total) => {
    for (let i = 0; i < 100 && window.rec.history().length !== total; i++) await new Promise((r) => setTimeout(r, 50));
    return { history: window.rec.history().map((e) => e.key), recs: (await window.rec.recommend({ k: 10 })).map((r) => r.key) };
  }, keys.length)));
  const stored = await pages[0].evaluate(async () => {
    const r = await Recommender.load(window.modelBytes, { namespace: "e2e-tabs", backend: "cpu" });
    return r.history().map((e) => e.key);
  });
  check(stored.length === keys.length && new Set(stored).size === keys.length, `store holds ${stored.length} events (${new Set(stored).size} distinct), want ${keys.length}`);
  check(keys.every((k) => stored.includes(k)), "an event is missing from the store");
  for (const [t, v] of views.entries()) {
    check(JSON.stringify(v.history) === JSON.stringify(stored), `tab ${t}: history differs from the store (${v.history.length} events)`);
    check(JSON.stringify(v.recs) === JSON.stringify(views[0].recs), `tab ${t}: recommends differently`);
    check(v.recs.every((k) => !keys.includes(k)), `tab ${t}: recommends an item another tab recorded`);
  }
  console.log(`many tabs: ${TABS} pages × ${PER_TAB} concurrent records → ${stored.length} events, each once, seen by every page`);
  for (const p of pages) await p.close();

  // 2. Closing a page in the middle of a burst of records.
  const burst = await (async () => {
    const p = await openPage();
    const k = await p.evaluate(async (n) => {
      await Recommender.deleteStoredHistory("e2e-crash");
      const r = await Recommender.load(window.modelBytes, { namespace: "e2e-crash", persist: false });
      return r.items(0, n).map((i) => i.key);
    }, BURST);
    await p.close();
    return k;
  })();
  let before = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const page = await openPage();
    const resolved = [];
    await page.exposeFunction("resolved", (key) => resolved.push(key));
    const closeAfter = [5, 30, 60][round];
    let closing;
    const closed = new Promise((r) => (closing = r));
    const watch = setInterval(() => {
      if (resolved.length >= closeAfter) {
        clearInterval(watch);
        page.close({ runBeforeUnload: false }).then(closing);
      }
    }, 1);
    // Fire the burst without waiting for it: the page is closed under it.
    page.evaluate(async (keys) => {
      const r = await Recommender.load(window.modelBytes, { namespace: "e2e-crash", historyCap: 10000, backend: "cpu" });
      for (const k of keys) r.record(k).then(() => window.resolved(k));
    }, burst).catch(() => { /* the page went away: expected */ });
    await closed;
    const known = resolved.slice();
    const check2 = await openPage();
    const after = await check2.evaluate(async () => {
      const r = await Recommender.load(window.modelBytes, { namespace: "e2e-crash", historyCap: 10000, backend: "cpu" });
      return { keys: r.history().map((e) => e.key), skipped: r.storageReport.skippedRecords };
    });
    await check2.close();
    const fresh = after.keys.slice(before);
    check(after.skipped === 0, `round ${round}: ${after.skipped} unreadable records`);
    check(known.every((k) => fresh.includes(k)), `round ${round}: an event whose promise resolved is lost`);
    check(fresh.every((k, i) => k === burst[i]), `round ${round}: stored events are not the burst's prefix`);
    check(fresh.length < burst.length, `round ${round}: the page was closed too late to test anything`);
    console.log(`crash round ${round}: closed after ${known.length} resolved records; ${fresh.length} stored, all readable, none lost`);
    before = after.keys.length;
  }
} finally {
  await browser.close();
  stop();
}
console.log("storage e2e: ok");

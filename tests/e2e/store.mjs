// End-to-end check of issue 13's acceptance path: the fixture store's CSV events and JSONL
// catalogue (tests/fixtures/store/) → `localrank train` (run by `make store-model`, written to
// target/e2e/store.lrm) → that model loaded by the real package (pkg/) in headless Chromium on a
// page served as `make demo` serves the demo (tests/e2e/store-page/). After a few recorded
// visits, the recommendations, `items`, `item` and `attributes()` carry the catalogue's
// attributes with their JS types — price a number, in_stock a boolean, image URL, brand and tags
// strings — equal to the catalogue's values, a missing price left out (not "" or 0); and no
// request at all is made once the model has loaded.
//
// Run from the repository root after `make pkg store-model`:  node tests/e2e/store.mjs

import { readFileSync } from "node:fs";
import { RequestLog, check, checkOwnAssets, launch, serve } from "./harness.mjs";

const CATALOG = "tests/fixtures/store/products.jsonl";
const MODEL_PATH = "/target/e2e/store.lrm";
const ASKED = ["price", "in_stock", "image_url", "brand", "tags"];

const catalog = new Map(
  readFileSync(CATALOG, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .map((p) => [p.item_id, p]),
);

/** What the page must show for `name` of product `p` (undefined: left out). */
function expected(p, name) {
  const v = p[name];
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) {
    // META's display string: "" for a product without one (title and category are never left out).
    return name === "brand" ? "" : undefined;
  }
  if (name === "tags") return v.join("|"); // docs: lists become `a|b`
  return v;
}

/** Each asked attribute of `item` has the catalogue's value and JS type, or is left out. */
function checkItem(item, names, label) {
  const p = catalog.get(item.key);
  check(p, `${label}: ${item.key} is not in the catalogue`);
  check(item.title === p.title, `${label}: ${item.key} title ${JSON.stringify(item.title)}`);
  // META wins a name both sections have: the category is the path's last part, not the path.
  const leaf = p.category ? p.category.split(">").pop().trim() : "";
  check(item.category === leaf, `${label}: ${item.key} category ${JSON.stringify(item.category)}, want ${leaf}`);
  for (const name of names) {
    const want = expected(p, name);
    const what = `${label}: ${item.key}.${name} = ${JSON.stringify(item[name])} (${typeof item[name]})`;
    if (want === undefined) {
      check(!(name in item), `${what}: should be left out, the catalogue has no value`);
    } else {
      check(typeof item[name] === typeof want, `${what}: want a ${typeof want}`);
      check(item[name] === want, `${what}: want ${JSON.stringify(want)}`);
    }
  }
}

const pageAsset = (path, method) =>
  method === "GET" &&
  (path === MODEL_PATH ||
    path === "/tests/e2e/store-page/" ||
    /^\/pkg\/(localrank(_bg\.wasm|\.js)|snippets\/localrank-[0-9a-f]+\/inline\d+\.js)$/.test(path));

const { origin, stop } = await serve(".");
const browser = await launch();
try {
  const context = await browser.newContext();
  const log = new RequestLog(context);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/tests/e2e/store-page/`);
  await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
  const loads = log.in("load");
  check(loads.some((e) => new URL(e.url).pathname === MODEL_PATH), `model not downloaded: ${RequestLog.describe(loads)}`);
  checkOwnAssets(loads, origin, pageAsset, [], "load");
  log.phase = "use";

  // Visits of three catalogue items (one without a price), then every question a shop asks.
  const noPrice = [...catalog.values()].filter((p) => p.price === null || p.price === undefined).map((p) => p.item_id);
  check(noPrice.length > 0, "the fixture has items without a price");
  const visited = [...catalog.keys()].slice(0, 2);
  const got = await page.evaluate(
    async ({ visited, asked, noPrice }) => {
      for (const key of visited) await rec.record(key, "view");
      await rec.record(visited[0], "cart");
      const recs = await rec.recommend({ k: 150, attributes: asked });
      let refused = null;
      try {
        await rec.recommend({ attributes: ["colour"] });
      } catch (e) {
        refused = isLocalrankError(e) ? e.code : String(e);
      }
      return {
        itemCount: rec.itemCount,
        schema: rec.attributes(),
        recs,
        page: rec.items(0, rec.itemCount, asked),
        noPrice: rec.item(noPrice[0]),
        full: rec.item(visited[0]),
        refused,
      };
    },
    { visited, asked: ASKED, noPrice },
  );

  check(got.itemCount === catalog.size, `model has ${got.itemCount} items, catalogue ${catalog.size}`);
  const schema = Object.fromEntries(got.schema.map((a) => [a.name, a.type]));
  const wantSchema = {
    title: "string",
    category: "string",
    brand: "string",
    image_url: "string",
    in_stock: "boolean",
    price: "number",
    tags: "string",
  };
  check(
    JSON.stringify(schema) === JSON.stringify(wantSchema),
    `attributes(): ${JSON.stringify(got.schema)}, want ${JSON.stringify(wantSchema)}`,
  );

  check(got.recs.length === 150, `expected 150 recommendations, got ${got.recs.length}`);
  for (const r of got.recs) {
    check(typeof r.score === "number" && Number.isFinite(r.score), `${r.key}: score ${r.score}`);
    check(!visited.includes(r.key), `${r.key} was visited and is recommended`);
    checkItem(r, ASKED, "recommend");
  }
  const leftOut = got.recs.filter((r) => !("price" in r)).length;
  check(leftOut > 0, "no recommendation without a price: the absent case was not exercised");
  check(got.page.length === catalog.size, `items(): ${got.page.length} items`);
  for (const item of got.page) checkItem(item, ASKED, "items");
  checkItem(got.noPrice, ASKED, "item");
  check(!("price" in got.noPrice), `item(${noPrice[0]}) shows a price`);
  checkItem(got.full, Object.keys(wantSchema).filter((n) => n !== "title" && n !== "category"), "item");
  check(got.refused === "InvalidArgument", `unknown attribute: ${got.refused}`);
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  check(log.in("use").length === 0, `requests after the model loaded: ${RequestLog.describe(log.in("use"))}`);

  const sample = got.recs[0];
  console.log(
    `store model: ${got.itemCount} items, attributes ${got.schema.map((a) => `${a.name}:${a.type}`).join(", ")}; ` +
      `${got.recs.length} recommendations (${leftOut} without a price) typed as the catalogue; ` +
      `first ${JSON.stringify(sample)}; 0 requests after load`,
  );
} finally {
  await browser.close();
  stop();
}

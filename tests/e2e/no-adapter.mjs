// A browser that exposes `navigator.gpu` but has no adapter to give (headless Chromium without
// --enable-unsafe-webgpu, like many machines without a usable GPU): three `backend: "auto"` loads
// on one page must all answer on the CPU with the reason, and Chromium's "No available adapters."
// console warning comes from that one request only — the package asks for an adapter once per page.
//
// Run from the repository root after `make pkg` and `make model`:  node tests/e2e/no-adapter.mjs

import { chromium } from "playwright-core";
import { check, serve } from "./harness.mjs";

const CHROMIUM = "/usr/lib/chromium/chromium";
const server = await serve(".");
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
});
try {
  const page = await browser.newPage();
  const warnings = [];
  page.on("console", (m) => {
    if (/no available adapters/i.test(m.text())) warnings.push(m.text());
  });
  await page.goto(`${server.origin}/tests/e2e/store-page/index.html`);
  const out = await page.evaluate(async () => {
    const { default: init, Recommender } = await import("/pkg/localrank.js");
    await init();
    const bytes = new Uint8Array(await (await fetch("/www/models/scientific.lrm")).arrayBuffer());
    const hasGpu = "gpu" in navigator && !!navigator.gpu;
    const reports = [];
    for (let i = 0; i < 3; i++) {
      const r = await Recommender.load(bytes, { backend: "auto", persist: false });
      reports.push({ backend: r.backend, reason: r.backendReport.reason, items: (await r.recommend({ k: 3 })).length });
      r.free();
    }
    return { hasGpu, reports };
  });
  check(out.hasGpu, "this Chromium hides navigator.gpu: the check would prove nothing");
  for (const r of out.reports) {
    check(r.backend === "cpu" && r.items === 3, `auto without an adapter: ${JSON.stringify(r)}`);
    check(/adapter/i.test(r.reason), `the reason names the missing adapter: ${r.reason}`);
  }
  // The package asks for an adapter once per page: the later loads answer from the remembered
  // reason without calling requestAdapter. (Chromium's own console warning for that one request
  // came once in one run and twice in another, so its count is logged, not asserted.)
  for (const r of out.reports.slice(1)) {
    check(r.reason.endsWith("(asked once per page)"), `a later load asked for an adapter again: ${r.reason}`);
  }
  console.log(
    `no adapter: 3 auto loads answered on the CPU ("${out.reports[2].reason}"); ` +
      `"No available adapters." printed ${warnings.length} time(s)`,
  );
} finally {
  await browser.close();
  server.stop();
}

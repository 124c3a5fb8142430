// Shared pieces of the end-to-end checks: a static server, Debian's Chromium with the browser's
// own background traffic switched off, a request log split into phases, and screenshots at a
// desktop and a phone viewport.

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

export const OUT = "artifacts/e2e";
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/lib/chromium/chromium";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function check(condition, message) {
  if (!condition) throw new Error(message);
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

/** Serves `dir` with Python's http.server (as `make demo` does) on a free port. */
export async function serve(dir) {
  const port = await freePort();
  const proc = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir], {
    stdio: "ignore",
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${origin}/`)).status < 500) return { origin, stop: () => proc.kill() };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`server for ${dir} did not start`);
}

/** Headless Chromium without its own background requests (which would muddy the counts). */
export function launch() {
  mkdirSync(OUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // --enable-unsafe-webgpu: headless Chromium's WebGPU (SwiftShader) for the backend switch.
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--enable-unsafe-webgpu"],
  });
}

/**
 * Every request of a browser context, tagged with the phase it happened in. Interception sees
 * what the page asked for, including requests the page's own network meter could miss.
 */
export class RequestLog {
  constructor(context) {
    this.phase = "load";
    /** @type {{phase: string, method: string, url: string, body: string | null, headers: object}[]} */
    this.entries = [];
    context.on("request", (r) => {
      this.entries.push({ phase: this.phase, method: r.method(), url: r.url(), body: r.postData(), headers: r.headers() });
    });
  }

  in(phase) {
    return this.entries.filter((e) => e.phase === phase);
  }

  static describe(entries) {
    return entries.map((e) => `${e.method} ${e.url}`).join(", ") || "none";
  }
}

/**
 * Checks that `entries` are only the page's own assets: same origin, GET or HEAD, no body, no
 * query, a path `allowed` accepts, and no mention of any of `secrets` (e.g. the clicked keys) in
 * the URL or headers.
 */
export function checkOwnAssets(entries, origin, allowed, secrets, label) {
  for (const e of entries) {
    const url = new URL(e.url);
    const what = `${label}: ${e.method} ${e.url}`;
    check(url.origin === origin, `${what} leaves the page's origin`);
    check(e.method === "GET" || e.method === "HEAD", `${what} is not a GET/HEAD`);
    check(!e.body, `${what} carries a body`);
    check(url.search === "", `${what} carries a query`);
    check(allowed(url.pathname, e.method), `${what} is not one of the page's assets`);
    const text = e.url + JSON.stringify(e.headers);
    for (const s of secrets) check(!text.includes(s), `${what} mentions history item ${s}`);
  }
}

/**
 * A fresh desktop-sized context (an empty profile) with its request log, and a page that
 * collects uncaught page errors, opened at `url` once the page marks itself ready
 * (`body[data-ready='1']`, as the demo does).
 */
export async function openReady(browser, url) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const log = new RequestLog(context);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
  return { context, log, page, errors };
}

/** Screenshots at 1280×800 and at a 390-wide phone, `focus` scrolled into view in both. */
export async function shot(page, name, focus) {
  for (const [suffix, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    if (focus) await page.locator(focus).first().scrollIntoViewIfNeeded();
    else await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${OUT}/${name}-${suffix}.png` });
  }
  await page.setViewportSize(DESKTOP);
}

/**
 * Runs `action` and waits until element `#id` has rendered after it: its `data-generation` grew
 * and it is no longer `aria-busy` (the demo's `#recs` and the example store's `#app` do both).
 * `afterRender(page, action)` waits for the demo's `#recs`.
 */
export async function afterRender(page, id, action) {
  if (typeof id === "function") return afterRender(page, "recs", id);
  const before = await page.$eval(`#${id}`, (e) => Number(e.dataset.generation ?? 0));
  await action();
  await page.waitForFunction(
    ([id, g]) => {
      const el = document.getElementById(id);
      return Number(el.dataset.generation ?? 0) > g && !el.hasAttribute("aria-busy");
    },
    [id, before],
  );
}

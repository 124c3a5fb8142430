// Server-side rendering imports the package in Node, where there is no `window`, `document` or
// `indexedDB`: both entry points must import without touching them (and without throwing), so
// a Next.js / Nuxt / SvelteKit page can import localrank at the top and call it in the browser.
//
// Run from the repository root after `make pkg`:  node tests/e2e/ssr.mjs

import { check } from "./harness.mjs";

for (const name of ["window", "document", "indexedDB"]) {
  check(typeof globalThis[name] === "undefined", `Node defines ${name}: this check would prove nothing`);
}
const before = new Set(Object.getOwnPropertyNames(globalThis));
const main = await import("../../pkg/localrank.js");
const worker = await import("../../pkg/worker.js");
check(typeof main.Recommender === "function" && typeof main.default === "function", "localrank.js exports");
check(typeof worker.RecommenderWorker === "function", "worker.js exports");
const added = Object.getOwnPropertyNames(globalThis).filter((n) => !before.has(n));
check(added.length === 0, `importing defined globals: ${added.join(", ")}`);
console.log("ssr: pkg/localrank.js and pkg/worker.js import in Node without window, document or indexedDB");

// Adds the Web Worker companion (js/worker.js, js/worker-entry.js, js/worker.d.ts) to the package
// wasm-pack just generated: copies them into pkg/ and lists them in pkg/package.json `files`.
// Run by `make pkg` after wasm-pack, which regenerates pkg/ from scratch.
//
// Usage: node scripts/pkg-companion.mjs [pkg-dir]

import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const COMPANION = ["worker.js", "worker-entry.js", "worker.d.ts"];
const pkg = process.argv[2] ?? "pkg";
const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");

for (const file of COMPANION) copyFileSync(join(root, "js", file), join(pkg, file));
const manifestPath = join(pkg, "package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
manifest.files = [...new Set([...(manifest.files ?? []), ...COMPANION])];
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
console.log(`${pkg}: added ${COMPANION.join(", ")}`);

// Vite build of the example store. The localrank package is plain ESM + a .wasm file that it
// locates with `new URL(..., import.meta.url)`, which Vite bundles as an asset: no plugin needed.
import { defineConfig, type Plugin } from "vite";

// The store's privacy promise, enforced by the browser: same-origin requests only (the page, its
// assets, the model). Added to the built page only; Vite's dev server injects inline styles.
const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'";

const contentSecurityPolicy: Plugin = {
  name: "content-security-policy",
  apply: "build",
  transformIndexHtml: () => [
    { tag: "meta", attrs: { "http-equiv": "Content-Security-Policy", content: CSP }, injectTo: "head-prepend" },
  ],
};

export default defineConfig({
  base: "./", // dist/ works from any path of any static server
  plugins: [contentSecurityPolicy],
  // Pre-bundling would move localrank.js away from its .wasm file.
  optimizeDeps: { exclude: ["localrank"] },
  // `file:../../pkg` is a symlink out of this folder; let the dev server read it.
  server: { fs: { allow: [".", "../../pkg"] } },
  build: { target: "es2022" },
});

// Removes the "name" custom section (function names for stack traces, about a third of the raw
// bytes) from a .wasm file in place. Custom sections carry no semantics, so nothing else changes;
// the module is validated before and after. `wasm-pack` has no switch for this, and the
// `strip = true` cargo profile also drops the `target_features` section wasm-bindgen reads.
// Usage: node scripts/strip-names.mjs pkg/localrank_bg.wasm
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: node scripts/strip-names.mjs <file.wasm>");
const bytes = readFileSync(file);
if (!WebAssembly.validate(bytes)) throw new Error(`${file}: not a valid wasm module`);

/** Unsigned LEB128 at `at`: [value, next offset]. */
function leb(b, at) {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = b[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
}

const kept = [bytes.subarray(0, 8)];
for (let at = 8; at < bytes.length; ) {
  const start = at;
  const id = bytes[at];
  const [size, body] = leb(bytes, at + 1);
  at = body + size;
  if (at > bytes.length) throw new Error(`${file}: section at ${start} runs past the end`);
  const [len, name] = id === 0 ? leb(bytes, body) : [0, body];
  const isNames = id === 0 && bytes.subarray(name, name + len).toString() === "name";
  if (!isNames) kept.push(bytes.subarray(start, at));
}
const out = Buffer.concat(kept);
if (!WebAssembly.validate(out)) throw new Error(`${file}: stripping broke the module`);
writeFileSync(file, out);
console.log(`${file}: ${bytes.length} → ${out.length} bytes (name section removed)`);

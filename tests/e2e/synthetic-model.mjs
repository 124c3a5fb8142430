// A large synthetic `.lrm` for the Web Worker check (tests/e2e/worker.mjs), written straight from
// docs/FORMAT.md § 1 so that no Rust build is needed: N items of dimension d stored as the shipped
// models are (4-bit `QI4R` rows, `META` titles and categories, keys `item-<i>`), from a fixed seed.
// The `FOLD` Gram matrix is estimated from a sample of rows (scaled to N): the reader cannot tell,
// and fold-in only needs it to be that of a plausible table. Large: written to target/e2e/, kept.
//
// Usage: node tests/e2e/synthetic-model.mjs [N] [d]   → prints the file's path

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { crc32 } from "node:zlib";

const ALIGN = 8;
const REQUIRED = 1;

/** mulberry32: a small deterministic PRNG, 32 bits per call. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** § 1.4: u32 count, (count + 1) u32 end offsets, UTF-8 blob. */
function stringTable(strings) {
  const blob = Buffer.from(strings.join(""), "utf8");
  const head = Buffer.alloc(4 + 4 * (strings.length + 1));
  head.writeUInt32LE(strings.length, 0);
  let end = 0;
  strings.forEach((s, i) => {
    end += Buffer.byteLength(s, "utf8");
    head.writeUInt32LE(end, 4 * (i + 2));
  });
  return Buffer.concat([head, blob]);
}

function sections(n, d) {
  const next = rng(42);
  const half = Math.ceil(d / 2);
  const rows = Buffer.alloc(n * (4 + half));
  const scales = new Float32Array(rows.buffer, rows.byteOffset, n);
  const packed = rows.subarray(4 * n);
  const value = () => (next() % 15) - 7; // −7..=7
  for (let j = 0; j < n; j++) scales[j] = 0.03 + (next() % 1000) * 0.00003;
  for (let j = 0; j < n; j++) {
    for (let b = 0; b < half; b++) {
      const lo = value();
      const hi = 2 * b + 1 < d ? value() : 0;
      packed[j * half + b] = (lo & 0xf) | ((hi & 0xf) << 4);
    }
  }
  const bias = new Float32Array(n).map(() => ((next() % 2001) - 1000) * 1e-5);

  // Gram matrix of the dequantised rows, estimated on every step-th row.
  const step = Math.max(1, Math.floor(n / 20000));
  const gram = new Float64Array(d * d);
  const y = new Float64Array(d);
  for (let j = 0; j < n; j += step) {
    for (let k = 0; k < d; k++) {
      const byte = packed[j * half + (k >> 1)];
      const nib = k & 1 ? byte >> 4 : byte & 0xf;
      y[k] = (nib >= 8 ? nib - 16 : nib) * scales[j];
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) gram[a * d + b] += y[a] * y[b];
  }
  const fold = Buffer.alloc(16 + 4 * 3 + 4 * d * d);
  [1, 20, 0.9].forEach((v, i) => fold.writeFloatLE(v, 4 * i));
  fold.writeUInt32LE(3, 12);
  [1, 2, 3].forEach((v, i) => fold.writeFloatLE(v, 16 + 4 * i));
  gram.forEach((v, i) => fold.writeFloatLE(v * step, 28 + 4 * i));

  const dims = Buffer.alloc(8);
  dims.writeUInt32LE(n, 0);
  dims.writeUInt32LE(d, 4);
  const ids = Array.from({ length: n }, (_, i) => i);
  const meta = Buffer.concat([
    stringTable(["title", "category"]),
    stringTable(ids.flatMap((i) => [`Synthetic item ${i}`, `Category ${i % 25}`])),
  ]);
  return [
    ["DIMS", REQUIRED, dims],
    ["QI4R", REQUIRED, rows],
    ["BIAS", REQUIRED, Buffer.from(bias.buffer)],
    ["KEYS", REQUIRED, stringTable(ids.map((i) => `item-${i}`))],
    ["FOLD", REQUIRED, fold],
    ["META", 0, meta],
  ];
}

/** § 1.1–1.2: header, section table, sections 8-byte aligned in table order. */
export function syntheticModel(n, d) {
  const parts = sections(n, d);
  let offset = 32 + 24 * parts.length;
  const placed = parts.map(([id, flags, body]) => {
    offset = Math.ceil(offset / ALIGN) * ALIGN;
    const at = offset;
    offset += body.length;
    return { id, flags, body, at };
  });
  const file = Buffer.alloc(offset);
  file.write("LRANKMDL", 0, "latin1");
  file.writeUInt16LE(1, 8);
  file.writeUInt16LE(0, 10);
  file.writeUInt32LE(parts.length, 12);
  file.writeBigUInt64LE(BigInt(offset), 16);
  placed.forEach(({ id, flags, body, at }, i) => {
    const e = 32 + 24 * i;
    file.write(id, e, "latin1");
    file.writeUInt32LE(flags, e + 4);
    file.writeBigUInt64LE(BigInt(at), e + 8);
    file.writeBigUInt64LE(BigInt(body.length), e + 16);
    body.copy(file, at);
  });
  file.writeUInt32LE(crc32(file.subarray(32)), 24);
  return file;
}

/** The model's path under target/e2e/ (the page serves it as /target/e2e/…), written if absent. */
export function ensureSyntheticModel(n, d) {
  const path = `target/e2e/synthetic-${n}x${d}.lrm`;
  if (!existsSync(path)) {
    mkdirSync("target/e2e", { recursive: true });
    writeFileSync(path, syntheticModel(n, d));
  }
  return path;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n = 1_000_000, d = 64] = process.argv.slice(2).map(Number);
  console.log(ensureSyntheticModel(n, d));
}

// Copies the README's quick start (the ```ts block after `<!-- quickstart -->`) into
// src/quickstart.ts verbatim, so `tsc` checks exactly the text a new shop pastes.
import { readFileSync, writeFileSync } from "node:fs";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const m = readme.match(/<!-- quickstart -->\s*```ts\n([\s\S]*?)```/);
if (!m) {
  console.error("extract-quickstart: README.md has no ```ts block after <!-- quickstart -->");
  process.exit(1);
}
writeFileSync(new URL("src/quickstart.ts", import.meta.url), m[1]);
console.log(`extract-quickstart: ${m[1].split("\n").length - 1} lines → tests/types/src/quickstart.ts`);

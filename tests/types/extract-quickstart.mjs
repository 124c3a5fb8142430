// Copies the README's snippets into src/ verbatim, so `tsc` checks exactly the text a new shop
// pastes: the quick start (the ```ts block after `<!-- quickstart -->`) into src/quickstart.ts and
// the Web Worker snippet (after `<!-- worker-quickstart -->`) into src/worker-quickstart.ts.
import { readFileSync, writeFileSync } from "node:fs";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
for (const [marker, file] of [
  ["quickstart", "quickstart.ts"],
  ["worker-quickstart", "worker-quickstart.ts"],
]) {
  const m = readme.match(new RegExp(`<!-- ${marker} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``));
  if (!m) {
    console.error(`extract-quickstart: README.md has no \`\`\`ts block after <!-- ${marker} -->`);
    process.exit(1);
  }
  writeFileSync(new URL(`src/${file}`, import.meta.url), m[1]);
  console.log(`extract-quickstart: ${m[1].split("\n").length - 1} lines → tests/types/src/${file}`);
}

// Copies the trained demo model (`make model` writes www/models/scientific.lrm) into this store's
// static folder, public/models/, from where the page fetches it like any other asset.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const from = resolve(here, "../../../www/models/scientific.lrm");
const to = resolve(here, "../public/models/scientific.lrm");

if (!existsSync(from)) {
  console.error(`storefront: ${from} is missing; train it first with \`make model\` (repository root).`);
  process.exit(1);
}
mkdirSync(dirname(to), { recursive: true });
copyFileSync(from, to);
console.log(`storefront: model copied to public/models/ (${statSync(to).size} bytes)`);

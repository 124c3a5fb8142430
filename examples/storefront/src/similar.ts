// The product page's "Customers who viewed this also viewed" row and the "Because you viewed …"
// line under a recommendation: both computed on this device by localrank (`similar`,
// `recommend({ explain: true })`), no request.

import type { Because, Recommendation, Recommender } from "localrank";
import { h } from "./dom";

/** The row of items similar to `key` (never `key` itself), as cards built by `card`. */
export async function similarRow(
  rec: Recommender,
  key: string,
  card: (item: Recommendation) => HTMLElement,
): Promise<HTMLElement> {
  const similar = await rec.similar(key, { k: 5 }); // "Customers who viewed this also viewed"
  return h("section", { class: "recs similar", "aria-labelledby": "similar-heading" },
    h("h2", { id: "similar-heading", text: "Customers who viewed this also viewed" }),
    h("ol", { class: "cards row", id: "similar" }, ...similar.map(card)),
  );
}

/** "Because you viewed A and B", or nothing when no viewed item raised the score. */
export function reason(because: Because[] | undefined): HTMLElement | null {
  if (!because?.length) return null;
  const names = because.map((b) => b.title || b.key);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return h("span", { class: "reason", title: `${Math.round((because[0]?.weight ?? 0) * 100)} % from the first`, text: `Because you viewed ${list}` });
}

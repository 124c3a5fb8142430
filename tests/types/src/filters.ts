// Filters, live attribute values and store rules used with their declared types, plus misuses
// that must not compile (`@ts-expect-error`). Type-checked only, never run (make test-types).
import {
  Recommender,
  type AttributeOverrides,
  type Recommendation,
  type RecommendFilter,
  type RuleTarget,
  type StoreRules,
} from "localrank";

export async function filteredShelf(rec: Recommender, cart: string[]): Promise<Recommendation[]> {
  const filter: RecommendFilter = {
    category: "Industrial & Scientific > Test, Measure & Inspect",
    inStock: true,
    priceMin: 10,
    priceMax: 250,
    tags: ["digital"],
    exclude: cart,
    where: { brand: ["AcuRite", "Neiko"], in_stock: true, price: 12.5 },
  };
  const only: RecommendFilter = { include: ["B00DRALJ28", "B000EJUBBU"] };
  await rec.recommend({ k: 4, filter: only });
  return rec.recommend({ k: 8, attributes: ["price", "in_stock"], filter });
}

export function liveStoreValues(rec: Recommender): void {
  const values: AttributeOverrides = { in_stock: false, price: 12.5, image_url: null };
  rec.setAttributes("B00DRALJ28", values);
  rec.clearAttributeOverrides();
  const category: RuleTarget = { category: "Industrial & Scientific" };
  const rules: StoreRules = {
    pin: [{ key: "B000EJUBBU", position: 0 }],
    boost: [{ ...category, weight: 0.2 }, { key: "B0013BKDO8", weight: -0.5 }],
    bury: [{ key: "B00DRALJ28" }, category],
  };
  rec.setRules(rules);
  rec.setRules({});
}

export async function filterMisuses(rec: Recommender): Promise<void> {
  // @ts-expect-error: inStock is a boolean
  await rec.recommend({ filter: { inStock: "yes" } });
  // @ts-expect-error: tags are a list
  await rec.recommend({ filter: { tags: "digital" } });
  // @ts-expect-error: unknown filter option
  await rec.recommend({ filter: { colour: "red" } });
  // @ts-expect-error: an attribute value is a string, a number or a boolean
  await rec.recommend({ filter: { where: { released: new Date() } } });
  // @ts-expect-error: overrides are plain values
  rec.setAttributes("B00DRALJ28", { price: [1, 2] });
  // @ts-expect-error: a rule targets a key or a category, not both
  rec.setRules({ bury: [{ key: "B00DRALJ28", category: "Industrial & Scientific" }] });
  // @ts-expect-error: a boost needs a weight
  rec.setRules({ boost: [{ key: "B00DRALJ28" }] });
}

// Every public member of the package used with its declared types (pkg/localrank.d.ts), plus
// misuses that must NOT compile (`@ts-expect-error`: tsc fails if such a line compiles, so a type
// that loosens to `any` breaks this check). Type-checked only, never run (make test-types).
import init, {
  Recommender,
  isLocalrankError,
  type AttributeInfo,
  type AttributeValue,
  type BackendReport,
  type CatalogItem,
  type EventKind,
  type HistoryDocument,
  type HistoryEvent,
  type LoadOptions,
  type LocalrankError,
  type LocalrankErrorCode,
  type Because,
  type ExplainedRecommendation,
  type Recommendation,
  type SimilarOptions,
  type StorageReport,
  type RecommendOptions,
  type DedupeOption,
} from "localrank";

export async function everyMember(bytes: Uint8Array): Promise<string[]> {
  await init();
  const options: LoadOptions = { namespace: "shop", historyCap: 200, persist: false, retentionDays: 90, requestPersistence: true, backend: "auto", packedRows: true };
  const rec: Recommender = await Recommender.load(bytes, options);
  // The digest from the page's HTML (`localrank train` / `inspect` print it).
  const verified: Recommender = await Recommender.load(bytes, { sha256: "0".repeat(64), persist: false });
  const modelId: string = verified.backendReport.modelId;
  const kind: EventKind = "cart";
  await rec.record("B0000223SI");
  await rec.record("B0000223SI", kind);
  const ask: RecommendOptions = { k: 5, excludeSeen: false };
  const items: Recommendation[] = await rec.recommend(ask);
  // Storefront re-ranking: diversity, de-duplication (by title or a grouping attribute), damping.
  const byParent: DedupeOption = "parent";
  const varied: Recommendation[] = await rec.recommend({ k: 8, diversity: 0.3, dedupe: byParent, popularityDamping: 0.1 });
  await rec.recommend({ dedupe: false });
  await rec.recommend({ dedupe: true, diversity: 0 });
  void varied;
  const scores: number[] = items.map((r) => r.score);
  const events: HistoryEvent[] = rec.history();
  const text: string = rec.exportHistory();
  const doc: HistoryDocument = { format: "localrank-history", version: 1, events };
  await rec.importHistory(doc);
  await rec.importHistory(text);
  const catalog: CatalogItem[] = rec.catalog();
  const report: BackendReport = rec.backendReport;
  const backend: "cpu" | "webgpu" = rec.backend;
  const sizes: number = rec.itemCount + rec.dim + scores.length + catalog.length;
  const storage: StorageReport = rec.storageReport;
  const persistent: boolean = rec.persistent && storage.persistent;
  const skipped: number = storage.skippedRecords;
  const exempt: boolean | null = storage.evictionExempt;
  rec.simulateGpuLoss();
  await rec.clearHistory();
  await Recommender.deleteStoredHistory(rec.namespace);
  rec.free();
  return [report.reason, modelId, backend, String(sizes), storage.reason, String(persistent), String(skipped), String(exempt)];
}

/** Typed catalogue attributes: discovered with `attributes()`, asked for by name, narrowed by type. */
export async function catalogueAttributes(rec: Recommender): Promise<string[]> {
  const schema: AttributeInfo[] = rec.attributes();
  const kinds: ("string" | "number" | "boolean")[] = schema.map((a) => a.type);
  const numeric: string[] = schema.filter((a) => a.type === "number").map((a) => a.name);
  const items: Recommendation[] = await rec.recommend({ k: 8, attributes: ["price", "in_stock"] });
  const prices: number[] = items.map((r) => r.price).filter((p): p is number => typeof p === "number");
  const inStock: Recommendation[] = items.filter((r) => r.in_stock !== false);
  const page: CatalogItem[] = rec.items(0, 20, ["brand", "price"]);
  const one: CatalogItem | undefined = rec.item("B0000223SI");
  const price: AttributeValue = one?.price;
  const label: string = typeof price === "number" ? price.toFixed(2) : "no price";
  const title: string | undefined = one?.title;
  return [...kinds, ...numeric, String(prices.length + inStock.length + page.length), label, title ?? ""];
}

/** A product page: similar items, and recommendations with the history items behind them. */
export async function similarAndReasons(rec: Recommender): Promise<string[]> {
  const ask: SimilarOptions = { k: 6, attributes: ["price"] };
  const similar: Recommendation[] = await rec.similar("B0000223SI", ask);
  const byDefault: Recommendation[] = await rec.similar("B0000223SI");
  const inCategory: Recommendation[] = await rec.similar("B0000223SI", {
    k: 4,
    filter: { category: "Additive Manufacturing Products", inStock: true },
  });
  const withVariants: Recommendation[] = await rec.similar("B0000223SI", { dedupe: false });
  const byParent: Recommendation[] = await rec.similar("B0000223SI", { k: 4, dedupe: "brand" });
  const explained: ExplainedRecommendation[] = await rec.recommend({ k: 8, explain: true });
  const because: Because[] = explained.flatMap((r) => r.because);
  const lines: string[] = because.map((b) => `${b.key} ${b.title} ${(b.weight * 100).toFixed(0)} %`);
  const plain: Recommendation[] = await rec.recommend({ k: 8, explain: false });
  return [...lines, String(similar.length + byDefault.length + inCategory.length + withVariants.length + byParent.length + plain.length)];
}

export function describe(e: unknown): string {
  if (isLocalrankError(e)) {
    const err: LocalrankError = e;
    const code: LocalrankErrorCode = err.code;
    switch (code) {
      case "InvalidArgument":
        return `bad argument: ${err.message}`;
      case "Storage":
        return "storage is full or blocked";
      case "IntegrityMismatch":
        return "the model is not the one this page trusts";
      default:
        return `${code}: ${err.message}`;
    }
  }
  return String(e);
}

export async function misuses(rec: Recommender): Promise<void> {
  // @ts-expect-error: "click" is not an EventKind
  await rec.record("B0000223SI", "click");
  // @ts-expect-error: k is a number
  await rec.recommend({ k: "5" });
  // @ts-expect-error: diversity is a number in 0..=1
  await rec.recommend({ diversity: "high" });
  // @ts-expect-error: dedupe is true, false or an attribute name
  await rec.recommend({ dedupe: ["title"] });
  // @ts-expect-error: popularityDamping is a number
  await rec.recommend({ popularityDamping: true });
  // @ts-expect-error: unknown option (typos are refused at run time too)
  await rec.recommend({ top: 5 });
  // @ts-expect-error: without explain: true there is no `because`
  (await rec.recommend({ k: 3 }))[0]?.because.length;
  // @ts-expect-error: explain is a boolean
  await rec.recommend({ explain: "yes" });
  // @ts-expect-error: similar takes an item key, not a number
  await rec.similar(42);
  // @ts-expect-error: similar has no excludeSeen (the item itself is always left out)
  await rec.similar("B0000223SI", { excludeSeen: false });
  // @ts-expect-error: dedupe is true, false or an attribute name
  await rec.similar("B0000223SI", { dedupe: 1 });
  // @ts-expect-error: backend names are a closed set
  await Recommender.load(new Uint8Array(), { backend: "gpu" });
  // @ts-expect-error: the digest is hex text, not bytes
  await Recommender.load(new Uint8Array(), { sha256: new Uint8Array(32) });
  // @ts-expect-error: not an error code
  const code: LocalrankErrorCode = "NotACode";
  void code;
  const item = rec.item("B0000223SI");
  // @ts-expect-error: an attribute may be a number, a boolean or absent, not only a string
  const brand: string = item?.brand;
  void brand;
  // @ts-expect-error: attribute types are a closed set
  const info: AttributeInfo = { name: "released", type: "date" };
  void info;
  // @ts-expect-error: attributes are asked for by name
  rec.items(0, 10, [1, 2]);
}

// The Web Worker companion (pkg/worker.d.ts) used with its declared types: every member of
// `Recommender` is there, methods return promises (also those that are synchronous on the main
// thread), getters stay properties; plus misuses that must NOT compile. Type-checked only.
import type { AttributeInfo, BackendReport, CatalogItem, HistoryEvent, Recommendation } from "localrank";
import { RecommenderWorker, type Remote, type WorkerLoadOptions } from "localrank/worker.js";

export async function everyWorkerMember(bytes: Uint8Array): Promise<string[]> {
  const options: WorkerLoadOptions = { namespace: "shop", backend: "auto" };
  const rec: RecommenderWorker = await RecommenderWorker.load(bytes, options);
  const byUrl = await RecommenderWorker.load(new URL("/models/store.lrm", location.href));
  const byString = await RecommenderWorker.load("/models/store.lrm", { persist: false });
  await rec.record("B0000223SI", "view");
  const items: Recommendation[] = await rec.recommend({ k: 5 });
  const similar: Recommendation[] = await rec.similar("B0000223SI", { k: 5 });
  const events: HistoryEvent[] = await rec.history();
  const text: string = await rec.exportHistory();
  await rec.importHistory(text);
  const catalog: CatalogItem[] = await rec.catalog();
  const schema: AttributeInfo[] = await rec.attributes();
  await rec.simulateGpuLoss();
  await rec.clearHistory();
  const report: BackendReport = rec.backendReport;
  const backend: "cpu" | "webgpu" = rec.backend;
  const sizes: number = rec.itemCount + rec.dim + items.length + similar.length + events.length + catalog.length + schema.length;
  const ns: string = rec.namespace;
  byUrl.terminate();
  await byString.free();
  await rec.free();
  return [report.reason, backend, ns, String(sizes)];
}

/** `Remote<T>` on any class: methods become promise-returning, properties stay. */
class Counter {
  readonly total = 0;
  add(n: number): number {
    return n;
  }
}
export async function remoteMapping(c: Remote<Counter>): Promise<number> {
  const n: number = await c.add(1);
  return n + c.total;
}

export async function workerMisuses(rec: RecommenderWorker): Promise<void> {
  // @ts-expect-error: history() returns a promise through the worker, not an array
  const events: HistoryEvent[] = rec.history();
  void events;
  // @ts-expect-error: "click" is not an EventKind
  await rec.record("B0000223SI", "click");
  // @ts-expect-error: unknown load option
  await RecommenderWorker.load(new Uint8Array(), { top: 5 });
  // @ts-expect-error: getters are readonly
  rec.itemCount = 3;
  // @ts-expect-error: a model source is bytes or a URL
  await RecommenderWorker.load(42);
}

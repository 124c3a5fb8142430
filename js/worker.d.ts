// Types of pkg/worker.js: `RecommenderWorker`, the `Recommender` of localrank.js running in a
// dedicated module Worker. Derived from the `Recommender` class itself (`Remote<T>`), so a member
// added to the Rust API appears here without an edit.

import type { Recommender } from "./localrank.js";

/**
 * `T` as seen from another thread: each method returns a promise of what it returns (or
 * resolves to) there; getters stay readonly properties, refreshed after every call.
 */
export type Remote<T> = {
  readonly [K in keyof T as K extends string ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : T[K];
};

/** What `RecommenderWorker.load` takes: the model bytes (transferred) or a URL the worker downloads. */
export type ModelSource = Uint8Array | ArrayBuffer | URL | string;

/** `Recommender.load`'s options, as they are. */
export type WorkerLoadOptions = NonNullable<Parameters<typeof Recommender.load>[1]>;

/**
 * A `Recommender` in a Web Worker: the same members, each method returning a promise. Errors are
 * `LocalrankError`s with the codes of the main-thread class, plus "Worker" when the worker itself
 * fails (terminated, could not start, a value that cannot cross threads) and "Io" when a model
 * URL cannot be downloaded.
 */
export interface RecommenderWorker extends Remote<Omit<Recommender, "free">> {
  /** Frees the recommender after the calls already sent, then stops the worker. */
  free(): Promise<void>;
  /** Stops the worker at once; pending and later calls reject with code "Worker". */
  terminate(): void;
}

export declare const RecommenderWorker: {
  /**
   * Starts a module Worker and loads the model there with `Recommender.load(bytes, options)`.
   * A `Uint8Array` that spans its whole buffer (or an `ArrayBuffer`) is transferred, not
   * copied: the caller's array is empty afterwards. A URL or string is resolved against the
   * page and downloaded by the worker (failure: code "Io").
   */
  load(source: ModelSource, options?: WorkerLoadOptions): Promise<RecommenderWorker>;
};

// RecommenderWorker: the `Recommender` of localrank.js living in a dedicated module Worker, so
// that loading a large model and scoring it never block the page. Every method of the class is
// forwarded by name and returns a promise; getters (`backend`, `itemCount`, …) are plain
// properties, refreshed after every call. Errors arrive as `LocalrankError`s (same `name`, `code`
// and `message` as on the main thread); failures of the worker itself have code "Worker".
// Nothing here names a Recommender method: the worker reports them (worker-entry.js).

function localrankError(message, code) {
  const e = new Error(message);
  e.name = "LocalrankError";
  e.code = code;
  return e;
}

/** A model URL resolved against the page (the worker's own base is this package's folder). */
function resolve(source) {
  const base = globalThis.document?.baseURI ?? globalThis.location?.href;
  return new URL(String(source), base).href;
}

/**
 * The bytes as something to transfer: the caller's buffer itself when the array spans all of it
 * (zero-copy; the caller's array is detached afterwards), else a copy of the viewed bytes.
 */
function transferable(source) {
  const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
  if (!(bytes instanceof Uint8Array)) {
    throw localrankError("model: expected a Uint8Array, an ArrayBuffer, a URL or a URL string", "InvalidArgument");
  }
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const own = whole ? bytes : bytes.slice();
  return { bytes: own, transfer: [own.buffer] };
}

export class RecommenderWorker {
  #worker;
  #pending = new Map();
  #nextId = 0;
  #state = {};
  #closed = null;

  constructor(token) {
    if (token !== RecommenderWorker.#token) {
      throw localrankError("use RecommenderWorker.load(model, options)", "InvalidArgument");
    }
    // Written out in this one shape, which Vite and webpack 5 recognise and bundle as a worker.
    this.#worker = new Worker(new URL("./worker-entry.js", import.meta.url), { type: "module" });
    this.#worker.onmessage = ({ data }) => this.#settle(data);
    this.#worker.onerror = (event) => {
      event.preventDefault?.();
      this.#close(`the worker failed: ${event.message ?? "it could not be started"}`);
    };
    this.#worker.onmessageerror = () => this.#close("a reply could not be read");
  }

  static #token = Symbol("RecommenderWorker");

  /**
   * Starts a worker, loads the model there (`source`: the bytes, transferred, or a URL the
   * worker downloads) with `Recommender.load`'s options, and resolves to the proxy.
   */
  static async load(source, options) {
    const message =
      typeof source === "string" || source instanceof URL
        ? { source: resolve(source), transfer: [] }
        : (() => {
            const { bytes, transfer } = transferable(source);
            return { source: bytes, transfer };
          })();
    const proxy = new RecommenderWorker(RecommenderWorker.#token);
    try {
      const { methods, getters } = await proxy.#send("load", { source: message.source, options }, message.transfer);
      for (const name of methods) {
        if (name in proxy) continue; // free() and terminate() are the proxy's own
        Object.defineProperty(proxy, name, {
          value: (...args) => proxy.#send("call", { method: name, args }),
          enumerable: true,
        });
      }
      for (const name of getters) {
        Object.defineProperty(proxy, name, { get: () => proxy.#state[name], enumerable: true });
      }
      return proxy;
    } catch (e) {
      proxy.terminate();
      throw e;
    }
  }

  /** Stops the worker at once; pending and later calls reject with code "Worker". */
  terminate() {
    this.#worker.terminate();
    this.#close("terminated");
  }

  /** Frees the Recommender inside the worker (after the calls already sent), then stops it. */
  async free() {
    if (this.#closed) return;
    try {
      await this.#send("free", {});
    } finally {
      this.terminate();
    }
  }

  #send(op, fields, transfer = []) {
    if (this.#closed) return Promise.reject(localrankError(`recommender worker: ${this.#closed}`, "Worker"));
    const id = this.#nextId++;
    return new Promise((resolveCall, rejectCall) => {
      this.#pending.set(id, { resolveCall, rejectCall });
      try {
        this.#worker.postMessage({ id, op, ...fields }, transfer);
      } catch (e) {
        this.#pending.delete(id);
        rejectCall(localrankError(`recommender worker: ${e.message}`, "Worker"));
      }
    });
  }

  #settle({ id, ok, value, state, error }) {
    const call = this.#pending.get(id);
    if (!call) return;
    this.#pending.delete(id);
    // Replies come in the order the worker finished; each snapshot is newer than the last.
    this.#state = state;
    if (ok) call.resolveCall(value);
    else call.rejectCall(localrankError(error.message, error.code));
  }

  #close(reason) {
    this.#closed ??= reason;
    for (const { rejectCall } of this.#pending.values()) {
      rejectCall(localrankError(`recommender worker: ${reason}`, "Worker"));
    }
    this.#pending.clear();
  }
}

// The module Worker behind pkg/worker.js: it owns one `Recommender` and runs whatever the main
// thread asks of it by member name, so this file does not change when the Rust API grows.
//
// Messages in:  {id, op: "load", source: Uint8Array | string (absolute URL), options}
//               {id, op: "call", method, args}      {id, op: "free"}
// Messages out: {id, ok: true, value, state} | {id, ok: false, error: {message, code}, state}
// `state` holds every getter's current value (see `snapshot`); the load reply also lists the
// class's methods and getters, read from its prototype, which the main thread mirrors.

import init, { Recommender } from "./localrank.js";

let rec = null;

/** Methods and getters of `Recommender.prototype` (symbols and wasm-bindgen internals left out). */
function members() {
  const methods = [];
  const getters = [];
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(Recommender.prototype))) {
    if (name === "constructor" || name.startsWith("__")) continue;
    if (d.get) getters.push(name);
    else if (typeof d.value === "function") methods.push(name);
  }
  return { methods, getters };
}

/** Every getter's value that can cross threads; one that throws or cannot be cloned is left out. */
function snapshot(getters) {
  const state = {};
  for (const name of getters) {
    try {
      const value = rec[name];
      state[name] = typeof value === "object" && value !== null ? structuredClone(value) : value;
    } catch {
      /* left out: the main thread's getter then reads undefined */
    }
  }
  return state;
}

/** A LocalrankError keeps its code; anything else (a bug, a clone failure) becomes "Worker". */
function describe(e) {
  if (e instanceof Error && e.name === "LocalrankError" && typeof e.code === "string") {
    return { message: e.message, code: e.code };
  }
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { message: `recommender worker: ${text}`, code: "Worker" };
}

async function modelBytes(source) {
  if (typeof source !== "string") return source;
  let response;
  try {
    response = await fetch(source);
  } catch (e) {
    throw Object.assign(new Error(`${source}: ${e.message}`), { name: "LocalrankError", code: "Io" });
  }
  if (!response.ok) {
    throw Object.assign(new Error(`${source}: HTTP ${response.status}`), { name: "LocalrankError", code: "Io" });
  }
  return new Uint8Array(await response.arrayBuffer());
}

let started = null;
const { methods, getters } = members();

async function handle(msg) {
  switch (msg.op) {
    case "load": {
      started ??= init();
      const [, bytes] = await Promise.all([started, modelBytes(msg.source)]);
      rec = await Recommender.load(bytes, msg.options);
      return { value: { methods, getters } };
    }
    case "call":
      return { value: await rec[msg.method](...msg.args) };
    case "free":
      rec?.free();
      rec = null;
      return { value: undefined };
    default:
      throw new Error(`unknown operation ${msg.op}`);
  }
}

self.onmessage = async ({ data: msg }) => {
  try {
    const { value } = await handle(msg);
    const state = rec ? snapshot(getters) : {};
    self.postMessage({ id: msg.id, ok: true, value, state });
  } catch (e) {
    // A failed call can change state too (e.g. a lost GPU device): send it along.
    const state = rec ? snapshot(getters) : {};
    self.postMessage({ id: msg.id, ok: false, error: describe(e), state });
  }
};

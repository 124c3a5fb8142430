// The localrank privacy demo: downloads the model, loads it into the wasm Recommender and wires
// the storefront (recommendations, catalogue grid, history panel, network meter) to it.
// Everything the user does is recorded through `rec.record`, which keeps it in IndexedDB.

import { diversityControl } from "./diversity.js";
import { formatBytes } from "./download.js";
import { setupFilters } from "./filters.js";
import { evictModel, loadModel } from "./model-cache.js";
import { NetworkMeter, displayUrl, entrySize } from "./net-meter.js";
import { ProductPanel, reasonLine } from "./similar.js";
import { StockFeed } from "./stock.js";

const MODEL_URL = "models/scientific.lrm";
const ENGINE_URL = "../pkg/localrank.js";
const NAMESPACE = "demo";
const RECS_K = 10;
const PAGE_SIZE = 48;
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
const BACKEND_KEY = "localrank-demo-backend";
const UNCATEGORISED = "\u0000none";

const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat();

const state = {
  /** @type {any} the wasm Recommender */
  rec: null,
  /** @type {any} the wasm package (for reloading with another backend) */
  lib: null,
  /** @type {Uint8Array | null} the model file, kept to reload with another backend */
  modelBytes: null,
  /** @type {Array<{key: string, title: string, category: string}>} */
  catalog: [],
  /** @type {Map<string, {key: string, title: string, category: string}>} */
  byKey: new Map(),
  /** lower-cased titles, parallel to `catalog`, for search */
  haystack: [],
  query: "",
  category: "",
  limit: PAGE_SIZE,
  /** @type {StockFeed | null} the simulated stock feed (www/stock.js) */
  stock: null,
  /** @type {{recommend(): object | undefined, similar(): object | undefined} | null} */
  recFilter: null,
  /** serialises writes so events are stored in click order */
  writes: Promise.resolve(),
};

const meter = new NetworkMeter(() => scheduleNetRender());
const diversity = diversityControl(document.querySelector(".recs-section .section-head"), () => renderRecs());
const modelHref = new URL(MODEL_URL, location.href).href;

// ---------------------------------------------------------------------------------------------
// Small DOM helpers (textContent only: titles come from data, never from trusted markup)

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("data-") || name.startsWith("aria-") || name === "title" || name === "datetime") {
      node.setAttribute(name, String(value));
    } else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

function setStatus(text) {
  $("status").textContent = text;
}

function showError(message) {
  $("error-text").textContent = message;
  $("error-banner").hidden = false;
}

function errorMessage(err) {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

// ---------------------------------------------------------------------------------------------
// Start-up

async function loadEngine() {
  let lib;
  try {
    // Imported dynamically so that a missing build shows a banner instead of a blank page.
    lib = await import(ENGINE_URL);
    await lib.default();
  } catch (err) {
    throw new Error(
      `Could not start the recommender engine (${ENGINE_URL}): ${errorMessage(err)}. ` +
        "Build it with: wasm-pack build --target web --out-dir pkg",
    );
  }
  return lib;
}

/** The model, from this browser's cache when it is current, else downloaded with progress. */
async function loadModelFile() {
  const progress = $("model-progress");
  setStatus("Checking for a cached model…");
  return loadModel(MODEL_URL, (received, total) => {
    if (total > 0) {
      const fraction = Math.min(received / total, 1);
      progress.value = fraction;
      setStatus(`Downloading model… ${Math.round(fraction * 100)}% (${formatBytes(received)} of ${formatBytes(total)})`);
    } else {
      progress.removeAttribute("value"); // indeterminate
      setStatus(`Downloading model… ${formatBytes(received)}`);
    }
  });
}

/** The backend the visitor chose (kept in localStorage, a preference, not behaviour). */
function backendChoice() {
  const v = localStorage.getItem(BACKEND_KEY);
  return v === "webgpu" || v === "cpu" ? v : "auto";
}

function loadOptions() {
  return { namespace: NAMESPACE, backend: backendChoice() };
}

function renderBackend() {
  const rec = state.rec;
  if (!rec) return;
  const report = rec.backendReport;
  $("backend").textContent = rec.backend === "webgpu" ? "WebGPU" : "CPU";
  $("backend-reason").textContent = report.decided ? report.reason : `${report.reason}…`;
  $("backend-choice").value = backendChoice();
}

/** Reloads the Recommender with the chosen backend (same model bytes, same history). */
async function switchBackend(choice) {
  localStorage.setItem(BACKEND_KEY, choice);
  try {
    const next = await state.lib.Recommender.load(state.modelBytes, loadOptions());
    state.stock?.applyTo(next); // live values belong to one instance
    const old = state.rec;
    state.rec = next;
    old?.free();
  } catch (err) {
    showError(`Could not switch the backend: ${errorMessage(err)}`);
  }
  renderBackend();
  await renderRecs();
}

async function boot() {
  const [engine, model] = await Promise.allSettled([loadEngine(), loadModelFile()]);
  const failures = [engine, model].filter((r) => r.status === "rejected").map((r) => errorMessage(r.reason));
  if (model.status === "rejected") failures.push("Has the model been generated into www/models/ yet?");
  if (failures.length) {
    fail(new Error(failures.join("\n")));
    return;
  }
  const lib = engine.value;
  let file = model.value;

  setStatus(`Loading model (${formatBytes(file.bytes.length)})…`);
  $("model-progress").value = 1;
  try {
    try {
      state.rec = await lib.Recommender.load(file.bytes, loadOptions());
    } catch (err) {
      if (!file.source.startsWith("cache")) throw err;
      // A cached copy that no longer loads (damaged, or an older format): fetch a fresh one once.
      await evictModel(MODEL_URL);
      file = await loadModelFile();
      state.rec = await lib.Recommender.load(file.bytes, loadOptions());
    }
  } catch (err) {
    fail(new Error(`The model could not be loaded: ${errorMessage(err)}`));
    return;
  }
  state.lib = lib;
  state.modelBytes = file.bytes;
  meter.markReady();
  $("model-source").textContent = `Model file: ${formatBytes(file.bytes.length)}, ${file.detail}.`;
  $("model-source").dataset.source = file.source;

  const rec = state.rec;
  state.catalog = rec.catalog();
  state.byKey = new Map(state.catalog.map((item) => [item.key, item]));
  state.haystack = state.catalog.map((item) => item.title.toLowerCase());

  renderBackend();
  $("model-info").textContent = `${nf.format(rec.itemCount)} items × ${rec.dim} dims`;
  fillCategories();
  const shown = [...new Set(state.catalog.map((i) => i.category).filter(Boolean))].sort();
  state.stock = new StockFeed(rec);
  state.recFilter = setupFilters($("rec-filters"), state.stock, shown, () => {
    renderRecs();
    product.refresh();
  });
  enableControls();
  await renderAll();

  $("model-progress").hidden = true;
  setStatus(`Ready — ${nf.format(rec.itemCount)} products, scored on this device (${rec.backend}).`);
  document.body.dataset.ready = "1";
}

function fail(err) {
  const message = errorMessage(err);
  setStatus("Could not start the demo.");
  $("model-progress").hidden = true;
  showError(message);
  console.error(err);
}

function enableControls() {
  for (const id of ["search", "category", "export", "import", "clear", "backend-choice"]) $(id).disabled = false;
}

function fillCategories() {
  const counts = new Map();
  for (const item of state.catalog) {
    const name = item.category || UNCATEGORISED;
    counts.set(name, (counts.get(name) || 0) + 1);
  }
  const names = [...counts.keys()].sort((a, b) => a.localeCompare(b));
  const select = $("category");
  for (const name of names) {
    const label = name === UNCATEGORISED ? "Uncategorised" : name;
    select.append(el("option", { value: name, text: `${label} (${nf.format(counts.get(name))})` }));
  }
}

// ---------------------------------------------------------------------------------------------
// Recording behaviour

/** Records one event, then refreshes everything that depends on history. */
function record(key, kind) {
  const rec = state.rec;
  if (!rec) return Promise.resolve();
  const write = state.writes.then(() => rec.record(key, kind));
  state.writes = write.catch(() => {});
  return write
    .then(() => {
      const title = state.byKey.get(key)?.title ?? key;
      $("history-message").textContent = `Stored “${shorten(title, 60)}” as ${kind} on this device.`;
    })
    .catch((err) => showError(`Could not record the ${kind}: ${errorMessage(err)}`))
    .finally(() => {
      renderRecs();
      renderHistory();
      updateCardStates();
    });
}

/** A product page visit: the view is recorded and the product panel opens (www/similar.js). */
function view(key) {
  record(key, "view");
  product.open(key);
}

/** The simulated stock feed's control: marks `key` sold out (or back in stock) and re-renders. */
function toggleStock(key) {
  try {
    state.stock.toggle(state.rec, key);
  } catch (err) {
    showError(`Could not set the stock of ${key}: ${errorMessage(err)}`);
  }
  renderRecs();
  product.refresh();
}

const product = new ProductPanel({
  rec: () => state.rec,
  item: (key) => state.byKey.get(key),
  el,
  filter: () => state.recFilter?.similar(),
  stock: () => state.stock,
  onView: view,
  onCart: (key) => record(key, "cart"),
  onStock: toggleStock,
  onError: (err) => showError(`Could not find similar items: ${errorMessage(err)}`),
});

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Rendering

async function renderAll() {
  renderGrid();
  renderHistory();
  renderNet();
  await renderRecs();
}

/** Increments per render so a slow, older answer never overwrites a newer one. */
let recsGeneration = 0;

async function renderRecs() {
  const rec = state.rec;
  if (!rec) return;
  const generation = ++recsGeneration;
  $("recs").setAttribute("aria-busy", "true");

  let items;
  const excludeSeen = $("exclude-seen").checked;
  try {
    const t0 = performance.now();
    items = await rec.recommend({
      k: RECS_K,
      excludeSeen,
      explain: true,
      filter: state.recFilter?.recommend(),
      ...diversity.options(),
    });
    const ms = performance.now() - t0;
    if (generation !== recsGeneration) return;
    $("score-ms").textContent = ms.toFixed(2);
    renderBackend(); // "auto" may just have decided
  } catch (err) {
    showError(`Could not compute recommendations: ${errorMessage(err)}`);
    if (generation === recsGeneration) $("recs").removeAttribute("aria-busy");
    return;
  }
  const list = $("recs");
  const focusedIndex = [...list.querySelectorAll(".rec")].indexOf(document.activeElement);
  const stockIndex = [...list.querySelectorAll(".stock-toggle")].indexOf(document.activeElement);
  const stockKey = document.activeElement?.dataset?.stockKey;

  const historyLength = rec.history().length;
  $("recs-note").textContent =
    historyLength === 0
      ? "No history on this device yet, so these are the most popular items. View or add something to personalise them."
      : `Personalised from ${nf.format(historyLength)} event${historyLength === 1 ? "" : "s"} stored on this device.`;
  document.querySelector(".recs-section").dataset.mode = historyLength === 0 ? "popular" : "personal";
  // Cold start: an empty history is answered by the model's popularity prior (README § Cold start).
  $("recs-heading").textContent = historyLength === 0 ? "Popular now" : "Recommended for you";

  const fragment = document.createDocumentFragment();
  items.forEach((item, i) => {
    const category = item.category || state.byKey.get(item.key)?.category || "";
    fragment.append(
      el("li", {},
        el("button", { type: "button", class: "rec", "data-key": item.key, title: item.title },
          el("span", { class: "rec-rank", "aria-hidden": "true", text: String(i + 1) }),
          el("span", { class: "rec-title", text: item.title }),
          el("span", { class: "rec-category", text: category || "Uncategorised" }),
          el("span", { class: "rec-score" }, "score ", el("strong", { text: formatScore(item.score) })),
          reasonLine(el, item.because),
          state.stock.badge(el, item.key),
        ),
        state.stock.button(el, item.key),
      ),
    );
  });
  list.replaceChildren(fragment);
  if (items.length === 0) list.append(el("li", { class: "note", text: "Nothing left to recommend." }));
  // Tests wait on this: which render the list shows, and that none is pending.
  list.dataset.generation = String(generation);
  list.removeAttribute("aria-busy");

  if (stockIndex >= 0) {
    // After "Mark sold out": keep the keyboard on that card's control, or on the one now there.
    const toggles = [...list.querySelectorAll(".stock-toggle")];
    (toggles.find((b) => b.dataset.stockKey === stockKey) ?? toggles[Math.min(stockIndex, toggles.length - 1)])?.focus();
  } else if (focusedIndex >= 0) {
    const recs = list.querySelectorAll(".rec");
    if (recs.length) recs[Math.min(focusedIndex, recs.length - 1)].focus();
  }
}

function formatScore(score) {
  return Number.isFinite(score) ? score.toFixed(3) : String(score);
}

function filteredItems() {
  const query = state.query.trim().toLowerCase();
  const category = state.category;
  const out = [];
  for (let i = 0; i < state.catalog.length; i++) {
    const item = state.catalog[i];
    if (category && (item.category || UNCATEGORISED) !== category) continue;
    if (query && !state.haystack[i].includes(query)) continue;
    out.push(item);
  }
  return out;
}

function renderGrid() {
  const matches = filteredItems();
  const visible = matches.slice(0, state.limit);
  const seen = seenKinds();

  const fragment = document.createDocumentFragment();
  visible.forEach((item, i) => {
    const titleId = `card-title-${i}`;
    fragment.append(
      el("li", { class: "card", "data-key": item.key },
        el("h3", { class: "card-title", id: titleId, title: item.title, text: item.title }),
        el("p", { class: "card-category", text: item.category || "Uncategorised" }),
        el("p", { class: "card-state" }),
        el("div", { class: "card-actions" },
          el("button", { type: "button", class: "button view", "aria-describedby": titleId, text: "View" }),
          el("button", { type: "button", class: "button button-primary cart", "aria-describedby": titleId, text: "Add to cart" }),
        ),
      ),
    );
  });
  $("grid").replaceChildren(fragment);
  updateCardStates(seen);

  const total = state.catalog.length;
  $("grid-count").textContent =
    matches.length === 0
      ? "No products match."
      : `Showing ${nf.format(visible.length)} of ${nf.format(matches.length)}` +
        (matches.length === total ? " products" : ` matches (${nf.format(total)} products in all)`);

  const more = $("show-more");
  const remaining = matches.length - visible.length;
  more.hidden = remaining <= 0;
  more.textContent = `Show ${nf.format(Math.min(remaining, PAGE_SIZE))} more`;
}

/** key → strongest kind recorded for it ("purchase" > "cart" > "view"). */
function seenKinds() {
  const rank = { view: 1, cart: 2, purchase: 3 };
  const kinds = new Map();
  for (const event of state.rec?.history() ?? []) {
    const prev = kinds.get(event.key);
    if (!prev || (rank[event.kind] || 0) > (rank[prev] || 0)) kinds.set(event.key, event.kind);
  }
  return kinds;
}

const KIND_LABEL = { view: "Viewed", cart: "In cart", purchase: "Purchased" };

function updateCardStates(seen = seenKinds()) {
  for (const card of $("grid").querySelectorAll(".card")) {
    const kind = seen.get(card.dataset.key);
    const badge = card.querySelector(".card-state");
    badge.textContent = kind ? KIND_LABEL[kind] || kind : "";
    if (kind) card.dataset.seen = kind;
    else delete card.dataset.seen;
  }
}

function renderHistory() {
  const rec = state.rec;
  if (!rec) return;
  const events = rec.history();
  const fragment = document.createDocumentFragment();
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    const title = state.byKey.get(event.key)?.title ?? event.key;
    const when = toDate(event.ts);
    fragment.append(
      el("li", { "data-key": event.key, "data-kind": event.kind },
        el("span", { class: `kind kind-${event.kind}`, text: event.kind }),
        el("span", { class: "history-title", title, text: title }),
        when
          ? el("time", { datetime: when.toISOString(), text: formatTime(when), title: when.toLocaleString() })
          : el("span", { class: "note", text: String(event.ts) }),
      ),
    );
  }
  $("history").replaceChildren(fragment);
  $("history-empty").hidden = events.length > 0;
  $("history-count").textContent = events.length ? `(${nf.format(events.length)})` : "";
}

/** Event timestamps are epoch milliseconds; tolerate seconds too. */
function toDate(ts) {
  const n = Number(ts);
  if (!Number.isFinite(n) || n <= 0) return null;
  const date = new Date(n < 1e11 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? null : date;
}

function formatTime(date) {
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return sameDay ? time : `${date.toLocaleDateString()} ${time}`;
}

let netRenderQueued = false;
function scheduleNetRender() {
  if (netRenderQueued) return;
  netRenderQueued = true;
  requestAnimationFrame(() => {
    netRenderQueued = false;
    renderNet();
  });
}

/** Why a request moved few or no bytes: from the HTTP cache, or headers only (a revalidation). */
function netLabel(entry, versionCheck, cached) {
  if (versionCheck) return " (version check)";
  if (entry.encodedBodySize === 0 && entry.transferSize > 0) return " (headers only)";
  return cached ? " (cached)" : "";
}

function renderNet() {
  const count = meter.countSinceReady();
  const meterState = count === null ? "pending" : count === 0 ? "ok" : "alert";
  const text = count === null ? "–" : nf.format(count);
  $("net-count").textContent = text;
  $("net-meter").dataset.state = meterState;
  $("net-badge-count").textContent = text;
  $("net-badge").dataset.state = meterState;

  if (!meter.supported) {
    $("net-note").textContent = "This browser does not report resource timing, so requests cannot be listed.";
  }
  const fragment = document.createDocumentFragment();
  for (const entry of meter.entries) {
    const after = meter.isAfterReady(entry);
    const size = entrySize(entry);
    const cached = entry.transferSize === 0 && size > 0;
    const url = displayUrl(entry.name);
    // A body-less request for the model is model-cache.js's HEAD: a version check, no download.
    const versionCheck = entry.name === modelHref && entry.encodedBodySize === 0 && entry.transferSize > 0;
    fragment.append(
      el("li", { class: after ? "after-ready" : "" },
        el("span", { class: "net-url", title: entry.name, text: url }),
        el("span", { class: "net-size", text: `${formatBytes(size)}${netLabel(entry, versionCheck, cached)}` }),
        el("span", { class: "net-when", text: after ? "after model loaded" : "while loading" }),
      ),
    );
  }
  $("net-list").replaceChildren(fragment);
  $("net-total").textContent =
    `${nf.format(meter.entries.length)} request${meter.entries.length === 1 ? "" : "s"} in all, ` +
    `${formatBytes(meter.totalBytes())}. None of them carries your history.`;
}

// ---------------------------------------------------------------------------------------------
// History panel actions

function exportHistory() {
  let doc;
  try {
    doc = state.rec.exportHistory();
  } catch (err) {
    showError(`Could not export the history: ${errorMessage(err)}`);
    return;
  }
  // A Blob URL is a local object: saving it involves no request to any server.
  const url = URL.createObjectURL(new Blob([doc], { type: "application/json" }));
  const link = el("a", { href: url, download: `localrank-history-${new Date().toISOString().slice(0, 10)}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  $("history-message").textContent = "Exported the history to a file on this device.";
}

async function importHistory(input) {
  const file = input.files?.[0];
  if (!file) return;
  const error = $("import-error");
  error.hidden = true;
  error.textContent = "";
  try {
    if (file.size > MAX_IMPORT_BYTES) {
      throw new Error(`the file is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_IMPORT_BYTES)}`);
    }
    const text = await file.text();
    const write = state.writes.then(() => state.rec.importHistory(text));
    state.writes = write.catch(() => {});
    await write;
    const n = state.rec.history().length;
    $("history-message").textContent = `Imported “${file.name}”: ${nf.format(n)} event${n === 1 ? "" : "s"} now stored.`;
  } catch (err) {
    error.textContent = `Could not import “${file.name}”: ${errorMessage(err)}. Your history was not changed.`;
    error.hidden = false;
    $("history-message").textContent = "";
  } finally {
    input.value = ""; // allow choosing the same file again
    renderRecs();
    renderHistory();
    updateCardStates();
  }
}

async function clearHistory() {
  try {
    const write = state.writes.then(() => state.rec.clearHistory());
    state.writes = write.catch(() => {});
    await write;
    $("history-message").textContent = "Cleared. Nothing is stored on this device any more.";
    $("import-error").hidden = true;
  } catch (err) {
    showError(`Could not clear the history: ${errorMessage(err)}`);
  } finally {
    renderRecs();
    renderHistory();
    updateCardStates();
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wire() {
  $("error-dismiss").addEventListener("click", () => {
    $("error-banner").hidden = true;
  });

  $("grid").addEventListener("click", (event) => {
    const button = event.target.closest("button.view, button.cart");
    const card = button?.closest(".card");
    if (!card) return;
    const kind = button.classList.contains("cart") ? "cart" : "view";
    record(card.dataset.key, kind);
    if (kind === "view") product.open(card.dataset.key);
  });

  $("recs").addEventListener("click", (event) => {
    const toggle = event.target.closest(".stock-toggle");
    if (toggle) return toggleStock(toggle.dataset.stockKey);
    const item = event.target.closest(".rec[data-key]");
    if (item) view(item.dataset.key);
  });
  product.mount(document.querySelector(".recs-section"));

  $("exclude-seen").addEventListener("change", () => renderRecs());
  $("backend-choice").addEventListener("change", (event) => switchBackend(event.target.value));

  let searchTimer = 0;
  $("search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.query = event.target.value;
      state.limit = PAGE_SIZE;
      renderGrid();
    }, 120);
  });
  $("category").addEventListener("change", (event) => {
    state.category = event.target.value;
    state.limit = PAGE_SIZE;
    renderGrid();
  });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    state.query = $("search").value;
    state.limit = PAGE_SIZE;
    renderGrid();
  });
  $("show-more").addEventListener("click", () => {
    const firstNew = state.limit;
    state.limit += PAGE_SIZE;
    renderGrid();
    // Keep keyboard users in place: move focus to the first newly shown card.
    $("grid").querySelectorAll(".card button.view")[firstNew]?.focus();
  });

  $("export").addEventListener("click", exportHistory);
  $("import").addEventListener("change", (event) => importHistory(event.target));
  $("clear").addEventListener("click", clearHistory);

  window.addEventListener("unhandledrejection", (event) => showError(errorMessage(event.reason)));
  window.addEventListener("error", (event) => {
    if (event.error) showError(errorMessage(event.error));
  });
}

wire();
renderNet();
boot();

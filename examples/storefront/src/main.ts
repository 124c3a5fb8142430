// Entry point: starts the engine, then renders the page the URL's hash names. Navigation is by
// hash, so moving around the store makes no request at all.

import "./style.css";
import { startEngine } from "./engine";
import { cartItems } from "./cart";
import { cartPage, productPage, shopPage, type Store } from "./views";

const app = document.getElementById("app") as HTMLElement;
const $ = (id: string) => document.getElementById(id) as HTMLElement;
let store: Store | null = null;
let generation = 0;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function updateChrome(): void {
  $("cart-count").textContent = String(cartItems().length);
  const events = store?.rec.history().length ?? 0;
  $("history-size").textContent = `${events} event${events === 1 ? "" : "s"}`;
}

async function render(): Promise<void> {
  if (!store) return;
  const g = ++generation;
  app.setAttribute("aria-busy", "true");
  // Routes: #/ (shop), #/c/<department>, #/p/<item key>, #/cart
  const [, page = "", arg = ""] = /^#\/(cart$|[pc](?=\/))?\/?(.*)$/.exec(location.hash) ?? [];
  let param = "";
  try {
    param = decodeURIComponent(arg);
  } catch {
    /* a malformed escape: treat as no parameter */
  }
  let view: HTMLElement;
  try {
    view = page === "p" ? await productPage(store, param) : page === "cart" ? await cartPage(store) : await shopPage(store, param);
  } catch (err) {
    view = document.createElement("p");
    view.className = "error";
    view.setAttribute("role", "alert");
    view.textContent = `Something went wrong: ${message(err)}`;
  }
  if (g !== generation) return; // a newer navigation won
  app.replaceChildren(view);
  document.body.dataset.page = page === "p" ? "product" : page === "cart" ? "cart" : "shop";
  app.dataset.generation = String(g); // tests wait on this
  app.removeAttribute("aria-busy");
  updateChrome();
}

async function boot(): Promise<void> {
  try {
    const { rec, modelFromCache } = await startEngine();
    const catalog = rec.catalog();
    const categories = [...new Set(catalog.map((item) => item.category))].sort((a, b) => a.localeCompare(b));
    store = { rec, catalog, byKey: new Map(catalog.map((item) => [item.key, item])), categories };
    $("model-note").textContent = modelFromCache
      ? "Model loaded from this browser's cache."
      : "Model downloaded once and cached in this browser.";
    document.body.dataset.modelSource = modelFromCache ? "cache" : "network";
  } catch (err) {
    app.replaceChildren(Object.assign(document.createElement("p"), { className: "error", textContent: `The store could not start: ${message(err)}` }));
    app.removeAttribute("aria-busy");
    return;
  }
  await render();
  window.scrollTo(0, 0);
  document.body.dataset.ready = "1";
}

window.addEventListener("hashchange", async () => {
  await render();
  window.scrollTo(0, 0);
  // Like a page load for screen readers and keyboards: start at the new page's heading.
  const heading = app.querySelector("h1");
  heading?.setAttribute("tabindex", "-1");
  heading?.focus({ preventScroll: true });
});
document.addEventListener("cart-changed", updateChrome);
$("forget").addEventListener("click", async () => {
  if (!store) return;
  await store.rec.clearHistory();
  await render();
});

boot();

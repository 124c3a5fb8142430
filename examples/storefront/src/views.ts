// The store's three pages — shop (by category), product, cart — each with recommendations
// computed on this device. Every page is built from the model's catalogue: this example has no
// other product data (no prices, no photos; a coloured tile stands in for the photo).

import type { CatalogItem, Recommendation, Recommender } from "localrank";
import { addToCart, cartItems, removeFromCart } from "./cart";
import { h, hueOf } from "./dom";
import { reason, similarRow } from "./similar";

const PAGE_SIZE = 48;

export interface Store {
  rec: Recommender;
  catalog: CatalogItem[];
  byKey: Map<string, CatalogItem>;
  categories: string[];
}

export const productHref = (key: string) => `#/p/${encodeURIComponent(key)}`;
export const categoryHref = (category: string) => `#/c/${encodeURIComponent(category)}`;

function thumb(item: { category: string }): HTMLElement {
  const tile = h("span", { class: "thumb", "aria-hidden": "true", text: (item.category || "?").charAt(0) });
  tile.style.setProperty("--hue", String(hueOf(item.category))); // CSSOM: allowed by the CSP
  return tile;
}

function card(item: CatalogItem | Recommendation, rank?: number, note?: HTMLElement | null): HTMLElement {
  return h("li", { class: "card", "data-key": item.key },
    h("a", { class: "card-link", href: productHref(item.key) },
      thumb(item),
      rank ? h("span", { class: "rank", "aria-hidden": "true", text: String(rank) }) : null,
      h("span", { class: "card-title", title: item.title, text: item.title }),
    ),
    h("span", { class: "card-category", text: item.category || "Other" }),
    note,
  );
}

/** "Recommended for you": the top `k` for the history on this device, seen items left out. */
async function recommendations({ rec }: Store, heading: string, k: number): Promise<HTMLElement> {
  const items = await rec.recommend({ k, excludeSeen: true, explain: true }); // computed here, no request
  const history = rec.history();
  const events = history.length;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const views = history.filter((e) => e.kind === "view").length;
  const note = events === 0
    ? "Popular items — browse a little and these follow your taste. Computed on this device."
    : `Based on ${count(views, "product view")} and ${count(events - views, "cart addition")} stored on this device; nothing was sent anywhere.`;
  return h("section", { class: "recs", "aria-labelledby": "recs-heading" },
    h("h2", { id: "recs-heading", text: heading }),
    h("p", { class: "note", text: note }),
    h("ol", { class: "cards row", id: "recs", "data-personal": events > 0 }, ...items.map((item, i) => card(item, i + 1, reason(item.because)))),
  );
}

export async function shopPage(store: Store, category: string): Promise<HTMLElement> {
  const items = category ? store.catalog.filter((item) => item.category === category) : store.catalog;
  const grid = h("ul", { class: "cards grid", id: "products" });
  const more = h("button", { type: "button", class: "button", id: "show-more" });
  const count = h("p", { class: "note", "aria-live": "polite" });
  let shown = 0;
  const showMore = () => {
    grid.append(...items.slice(shown, shown + PAGE_SIZE).map((item) => card(item)));
    shown = Math.min(items.length, shown + PAGE_SIZE);
    count.textContent = `${shown} of ${items.length} products`;
    more.hidden = shown >= items.length;
    more.textContent = `Show ${Math.min(PAGE_SIZE, items.length - shown)} more`;
  };
  more.addEventListener("click", showMore);
  showMore();

  const select = h("select", { id: "category" },
    h("option", { value: "", text: "All departments" }),
    ...store.categories.map((c) => h("option", { value: c, text: c, selected: c === category })),
  ) as HTMLSelectElement;
  select.addEventListener("change", () => {
    location.hash = select.value ? categoryHref(select.value) : "#/";
  });

  return h("div", { class: "page" },
    await recommendations(store, "Recommended for you", 10),
    h("section", { class: "shop", "aria-labelledby": "shop-heading" },
      h("div", { class: "shop-head" },
        h("h1", { id: "shop-heading", text: category || "All products" }),
        h("label", { class: "field" }, "Department ", select),
      ),
      count,
      grid,
      more,
    ),
  );
}

export async function productPage(store: Store, key: string): Promise<HTMLElement> {
  const { rec } = store;
  const item = store.byKey.get(key);
  if (!item) return notFound();
  await rec.record(key, "view"); // kept in this browser's IndexedDB, nowhere else

  const status = h("p", { class: "note", role: "status" });
  const inCart = () => cartItems().includes(key);
  const add = h("button", { type: "button", class: "button primary", id: "add-to-cart", text: inCart() ? "In your cart" : "Add to cart" });
  add.addEventListener("click", async () => {
    addToCart(key);
    await rec.record(key, "cart");
    add.textContent = "In your cart";
    status.replaceChildren("Added. ", h("a", { href: "#/cart", text: "Go to your cart" }));
    document.dispatchEvent(new Event("cart-changed"));
  });

  return h("div", { class: "page" },
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
      h("a", { href: "#/", text: "Shop" }), " / ",
      h("a", { href: categoryHref(item.category), text: item.category || "Other" }),
    ),
    h("article", { class: "product", "data-key": key },
      thumb(item),
      h("div", { class: "product-text" },
        h("h1", { text: item.title }),
        h("p", { class: "card-category", text: item.category || "Other" }),
        h("p", { class: "note", text: `Item ${key}` }),
        add,
        status,
      ),
    ),
    await similarRow(rec, key, (similar) => card(similar)),
    await recommendations(store, "Recommended for you", 10),
  );
}

export async function cartPage(store: Store): Promise<HTMLElement> {
  const keys = cartItems();
  const list = h("ul", { class: "cart-list", id: "cart-list" },
    ...keys.map((key) => {
      const item = store.byKey.get(key) ?? { key, title: key, category: "" };
      const remove = h("button", { type: "button", class: "button", text: "Remove" });
      remove.addEventListener("click", () => {
        removeFromCart(key);
        document.dispatchEvent(new Event("cart-changed"));
        window.dispatchEvent(new HashChangeEvent("hashchange")); // re-render this page
      });
      return h("li", { "data-key": key }, thumb(item),
        h("a", { href: productHref(key), text: item.title }), remove);
    }),
  );
  return h("div", { class: "page" },
    h("section", { class: "cart", "aria-labelledby": "cart-heading" },
      h("h1", { id: "cart-heading", text: "Your cart" }),
      keys.length ? list : h("p", { class: "note", text: "Your cart is empty." }),
      keys.length ? h("p", { class: "note", text: "This example store has no checkout." }) : null,
    ),
    await recommendations(store, keys.length ? "Complete your order" : "Recommended for you", 10),
  );
}

function notFound(): HTMLElement {
  return h("div", { class: "page" }, h("h1", { text: "No such product" }), h("a", { href: "#/", text: "Back to the shop" }));
}

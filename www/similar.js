// The demo's product page and reasons: a product panel ("Customers who viewed this also
// viewed", from `rec.similar`) opened by viewing an item, and the "Because you viewed …" line
// under each recommendation (from `recommend({ explain: true })`). Both are computed on this
// device: no request. The panel also carries the simulated stock feed's control for its product
// (www/stock.js), and its similar items follow the "In stock only" filter.

const SIMILAR_K = 6;

/**
 * The product panel: `open(key)` shows the item with its similar items. `deps`: `rec()` returns
 * the current Recommender (it changes when the backend is switched), `item(key)` the catalogue
 * entry, `el` the page's element builder, `filter()` the similar items' filter, `stock()` the
 * StockFeed, `onView(key)` / `onCart(key)` record events, `onStock(key)` flips the product's
 * stock, `onError`.
 */
export class ProductPanel {
  constructor(deps) {
    this.deps = deps;
    this.key = null;
    this.generation = 0;
    const { el } = deps;
    this.title = el("h2", { id: "product-title", class: "product-title" });
    this.category = el("p", { class: "product-category" });
    this.list = el("ol", { class: "recs similar", id: "similar", "aria-labelledby": "similar-heading" });
    this.cart = el("button", { type: "button", class: "button button-primary", id: "product-cart", text: "Add to cart" });
    this.close = el("button", { type: "button", class: "button button-quiet", id: "product-close", text: "Close" });
    this.stockSlot = el("span", { class: "product-stock" });
    this.section = el("section", { class: "product", id: "product", "aria-labelledby": "product-title", tabindex: "-1", hidden: true },
      el("div", { class: "section-head" },
        el("div", {}, this.title, this.category),
        el("div", { class: "product-actions" }, this.stockSlot, this.cart, this.close),
      ),
      el("h3", { id: "similar-heading", class: "similar-heading", text: "Customers who viewed this also viewed" }),
      this.list,
    );
    this.cart.addEventListener("click", () => this.key && deps.onCart(this.key));
    this.close.addEventListener("click", () => this.hide());
    this.section.addEventListener("click", (event) => {
      const toggle = event.target.closest(".stock-toggle");
      if (toggle) return deps.onStock(toggle.dataset.stockKey);
      const button = event.target.closest(".rec[data-key]");
      if (button) deps.onView(button.dataset.key);
    });
  }

  /** Puts the panel before `node` (once). */
  mount(node) {
    node.before(this.section);
  }

  hide() {
    this.key = null;
    this.section.hidden = true;
  }

  /** Shows item `key` and its similar items (the item itself is never among them). */
  async open(key) {
    const item = this.deps.item(key);
    if (!this.deps.rec() || !item) return;
    this.key = key;
    this.section.dataset.key = key;
    this.title.textContent = item.title || key;
    this.category.textContent = item.category || "Uncategorised";
    this.section.hidden = false;
    if (await this.render()) this.section.scrollIntoView({ block: "nearest" });
  }

  /** Renders the open product again (its stock or the filter changed), where it is. */
  async refresh() {
    if (this.key) await this.render();
  }

  /** The stock control and the similar items of the open product; false when overtaken. */
  async render() {
    const { el } = this.deps;
    const stock = this.deps.stock();
    const key = this.key;
    const generation = ++this.generation;
    this.stockSlot.replaceChildren(stock.button(el, key, "button") ?? "", stock.badge(el, key) ?? "");
    this.list.setAttribute("aria-busy", "true");
    let items;
    try {
      items = await this.deps.rec().similar(key, { k: SIMILAR_K, filter: this.deps.filter() });
    } catch (err) {
      this.deps.onError(err);
      return false;
    }
    if (generation !== this.generation) return false;
    this.list.replaceChildren(
      ...items.map((s) =>
        el("li", {},
          el("button", { type: "button", class: "rec", "data-key": s.key, title: s.title },
            el("span", { class: "rec-title", text: s.title || s.key }),
            el("span", { class: "rec-category", text: s.category || "Uncategorised" }),
            stock.badge(el, s.key),
          ),
          stock.button(el, s.key),
        ),
      ),
    );
    if (items.length === 0) this.list.append(el("li", { class: "note", text: "No similar items." }));
    this.list.dataset.generation = String(generation);
    this.list.removeAttribute("aria-busy");
    return true;
  }
}

/**
 * "Because you viewed A, B and C" for a recommendation's `because` list (history items, largest
 * share first), or null when no history item raised its score (e.g. it is merely popular).
 */
export function reasonLine(el, because) {
  if (!because || because.length === 0) return null;
  const names = because.map((b) => el("span", { class: "reason-item", "data-key": b.key, title: `${Math.round(b.weight * 100)} % of what your history adds`, text: shorten(b.title || b.key, 40) }));
  const line = el("span", { class: "rec-reason" }, "Because you viewed ");
  names.forEach((name, i) => {
    if (i > 0) line.append(i === names.length - 1 ? " and " : ", ");
    line.append(name);
  });
  return line;
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

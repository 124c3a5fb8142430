// The demo's simulated stock feed. The Scientific data has no stock levels, so the shipped model
// declares every item in stock (`in_stock`, README "The demo model and its data"), and this page
// plays the store's live feed: "Mark sold out" / "Back in stock" call
// `rec.setAttributes(key, { in_stock })`, which "In stock only" (`filter.inStock`) then sees at
// once in the recommendations and the similar items. Live values only: no retraining, no request.
// They belong to one Recommender instance (re-applied when the backend switch loads another) and
// are forgotten on reload.

/** What every stock control says when hovered. */
export const STOCK_NOTE =
  "Simulates the store's stock feed: sets in_stock live in this page with setAttributes — " +
  "no retraining, no request. Forgotten when the page reloads.";

export class StockFeed {
  /** `rec`: the Recommender whose model may declare a boolean `in_stock` attribute. */
  constructor(rec) {
    this.enabled = rec.attributes().some((a) => a.name === "in_stock" && a.type === "boolean");
    /** @type {Set<string>} keys the feed has marked sold out */
    this.soldOut = new Set();
  }

  isSoldOut(key) {
    return this.soldOut.has(key);
  }

  /** Marks `key` sold out in `rec`, or back in stock when it is sold out. */
  toggle(rec, key) {
    const back = this.soldOut.has(key);
    rec.setAttributes(key, { in_stock: back });
    if (back) this.soldOut.delete(key);
    else this.soldOut.add(key);
  }

  /** Sets the feed's values in a newly loaded `rec` (overrides live in one instance). */
  applyTo(rec) {
    for (const key of this.soldOut) rec.setAttributes(key, { in_stock: false });
  }

  /** The control for `key` (null without `in_stock`): its label says what a click does. */
  button(el, key, extraClass = "") {
    if (!this.enabled) return null;
    const label = this.isSoldOut(key) ? "Back in stock" : "Mark sold out";
    return el("button", { type: "button", class: `stock-toggle ${extraClass}`.trim(), "data-stock-key": key, title: STOCK_NOTE, text: label });
  }

  /** A "Sold out" badge for a card, or null. */
  badge(el, key) {
    return this.isSoldOut(key) ? el("span", { class: "rec-stock", text: "Sold out" }) : null;
  }
}

// The recommendation filters of the demo: an in-stock toggle and a category selector, turned
// into `recommend({filter})` (README "Filters, live stock and prices, store rules"). The toggle is
// offered only when the model has a boolean `in_stock` attribute (the demo model declares every
// item in stock; www/stock.js marks items sold out live); the categories are the ones the
// catalogue shows, which a one-part `filter.category` matches.

import { STOCK_NOTE } from "./stock.js";

/**
 * Builds the controls inside `host`; `stock` is the page's StockFeed, `onChange` is called when the
 * shopper changes one. Returns the filters: `recommend()` for the recommendations (stock and
 * category) and `similar()` for the product panel's similar items (stock only: they stay the
 * product's neighbours whatever category the recommendations are narrowed to).
 */
export function setupFilters(host, stock, categories, onChange) {
  host.replaceChildren();

  const label = document.createElement("label");
  label.className = "check";
  const stockBox = Object.assign(document.createElement("input"), { type: "checkbox", id: "rec-in-stock" });
  stockBox.disabled = !stock.enabled;
  label.title = stock.enabled ? STOCK_NOTE : "This model has no in_stock attribute";
  label.append(stockBox, " In stock only");
  const simulated = document.createElement("span");
  simulated.className = "stock-sim";
  simulated.id = "stock-sim";
  simulated.title = STOCK_NOTE;
  simulated.textContent = "Stock is simulated: set live on this page, no request";
  simulated.hidden = !stock.enabled;

  const select = Object.assign(document.createElement("select"), { id: "rec-category" });
  select.setAttribute("aria-label", "Recommendation category");
  select.append(new Option("All categories", ""));
  for (const c of categories) select.append(new Option(c, c));

  stockBox.addEventListener("change", onChange);
  select.addEventListener("change", onChange);
  host.append(label, simulated, select);

  const only = (filter) => (Object.keys(filter).length ? filter : undefined);
  const inStock = () => (stockBox.checked ? { inStock: true } : {});
  return {
    recommend: () => only({ ...inStock(), ...(select.value ? { category: select.value } : {}) }),
    similar: () => only(inStock()),
  };
}

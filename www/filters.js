// The recommendation filters of the demo: an in-stock toggle and a category selector, turned
// into `recommend({filter})` (README "Filters, live stock and prices, store rules"). The toggle is
// offered only when the model has a boolean `in_stock` attribute; the categories are the ones the
// catalogue shows, which a one-part `filter.category` matches.

/** Builds the controls inside `host` for `rec`; `onChange` is called when the shopper changes one. */
export function setupFilters(host, rec, categories, onChange) {
  host.replaceChildren();
  const hasStock = rec.attributes().some((a) => a.name === "in_stock" && a.type === "boolean");

  const stock = document.createElement("label");
  stock.className = "check";
  const stockBox = Object.assign(document.createElement("input"), { type: "checkbox", id: "rec-in-stock" });
  stockBox.disabled = !hasStock;
  stock.title = hasStock ? "" : "This model has no in_stock attribute";
  stock.append(stockBox, " In stock only");

  const select = Object.assign(document.createElement("select"), { id: "rec-category" });
  select.setAttribute("aria-label", "Recommendation category");
  select.append(new Option("All categories", ""));
  for (const c of categories) select.append(new Option(c, c));

  stockBox.addEventListener("change", onChange);
  select.addEventListener("change", onChange);
  host.append(stock, select);

  return () => {
    const filter = {};
    if (stockBox.checked) filter.inStock = true;
    if (select.value) filter.category = select.value;
    return Object.keys(filter).length ? filter : undefined;
  };
}

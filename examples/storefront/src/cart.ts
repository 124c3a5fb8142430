// The shopping cart: item keys in this browser's localStorage (a real store would keep it on its
// server; it is local here so the example makes no requests at all).

const KEY = "storefront-cart";

export function cartItems(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(value) ? value.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

function save(keys: string[]): void {
  localStorage.setItem(KEY, JSON.stringify(keys));
}

export function addToCart(key: string): void {
  const keys = cartItems();
  if (!keys.includes(key)) save([...keys, key]);
}

export function removeFromCart(key: string): void {
  save(cartItems().filter((k) => k !== key));
}

// Fetches the model from the store's static folder once and keeps it in the browser's Cache
// Storage, so later visits and reloads do not download it again.
//
// A cached copy is used when a header-only HEAD request reports the version it was stored with
// (ETag, else Last-Modified, plus Content-Length); a new model on the server is picked up on the
// next visit. Offline, the cached copy is used as is. The HEAD request is the same for every
// shopper: it carries nothing about them.

const CACHE_NAME = "storefront-models-v1";
const VERSION_HEADER = "x-model-version";

export interface ModelFile {
  bytes: Uint8Array;
  /** true when the bytes came from Cache Storage rather than the network */
  fromCache: boolean;
}

function versionOf(headers: Headers): string {
  const tag = headers.get("ETag") ?? headers.get("Last-Modified") ?? "";
  const length = headers.get("Content-Length") ?? "";
  return tag || length ? `${tag}|${length}` : "";
}

async function openCache(): Promise<Cache | null> {
  // Cache Storage exists only in secure contexts (https: or localhost) and may be disabled.
  if (typeof caches === "undefined") return null;
  return caches.open(CACHE_NAME).catch(() => null);
}

export async function fetchModel(url: string): Promise<ModelFile> {
  const href = new URL(url, location.href).href;
  const cache = await openCache();
  const cached = await cache?.match(href);
  if (cached) {
    const head = await fetch(href, { method: "HEAD", cache: "no-store" }).catch(() => null);
    const stored = cached.headers.get(VERSION_HEADER);
    if (head === null || (head.ok && versionOf(head.headers) === stored && stored !== "")) {
      return { bytes: new Uint8Array(await cached.arrayBuffer()), fromCache: true };
    }
  }

  // "no-cache": revalidate with the server rather than trust the HTTP cache's heuristics.
  const response = await fetch(href, { cache: "no-cache" });
  if (!response.ok) throw new Error(`Could not download the model (${href}): HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const version = versionOf(response.headers);
  if (cache && version) {
    const copy = new Response(bytes, { headers: { "Content-Type": "application/octet-stream", [VERSION_HEADER]: version } });
    await cache.put(href, copy).catch(() => undefined); // a full quota only costs a re-download
  }
  return { bytes, fromCache: false };
}

/** Forgets the cached copy (used when it no longer loads, e.g. damaged). */
export async function forgetModel(url: string): Promise<void> {
  await (await openCache())?.delete(new URL(url, location.href).href);
}

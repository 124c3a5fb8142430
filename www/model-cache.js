// Keeps the model file in this browser's Cache Storage, so a reload does not download it again.
//
// A cached copy is used when a HEAD request for the model URL reports the same version as when it
// was stored (ETag, else Last-Modified, plus Content-Length): one header-only request instead of
// the whole file, and a new model on the server is picked up on the next load. When the server
// cannot be reached the cached copy is used as is. Nothing about the shopper is sent: the HEAD
// request is the same for everyone and carries no query, body or cookie-dependent state.

import { download } from "./download.js";

const CACHE_NAME = "localrank-models-v1";
const VERSION_HEADER = "x-localrank-model-version";

/**
 * @typedef {"cache" | "cache-offline" | "network" | "network-uncached"} ModelSource
 * @typedef {{ bytes: Uint8Array, source: ModelSource, detail: string }} LoadedModel
 */

/** The version a response describes, or "" when it offers nothing to compare. */
function versionOf(headers) {
  const tag = headers.get("ETag") || headers.get("Last-Modified") || "";
  const length = headers.get("Content-Length") || "";
  return tag || length ? `${tag}|${length}` : "";
}

async function openCache() {
  // Cache Storage exists only in secure contexts (https: or localhost).
  if (typeof caches === "undefined") return null;
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null; // e.g. storage disabled by the browser's privacy settings
  }
}

/** Bytes of a usable cached copy of `url`, or null. */
async function cachedBytes(cache, url) {
  const cached = await cache.match(url);
  if (!cached) return null;
  const stored = cached.headers.get(VERSION_HEADER) || "";
  let current;
  try {
    const head = await fetch(url, { method: "HEAD", cache: "no-store" });
    if (!head.ok) return null;
    current = versionOf(head.headers);
  } catch {
    current = null; // offline: the cached copy is the best there is
  }
  if (current !== null && (current === "" || current !== stored)) return null;
  const bytes = new Uint8Array(await cached.arrayBuffer());
  if (String(bytes.length) !== cached.headers.get("Content-Length")) return null;
  return { bytes, offline: current === null };
}

/**
 * Loads the model at `url` from the cache when it is current, else downloads it (reporting
 * `onProgress(received, total)`) and stores it for next time.
 * @returns {Promise<LoadedModel>}
 */
export async function loadModel(url, onProgress) {
  const absolute = new URL(url, location.href).href;
  const cache = await openCache();
  if (cache) {
    const hit = await cachedBytes(cache, absolute).catch(() => null);
    if (hit) {
      return hit.offline
        ? { bytes: hit.bytes, source: "cache-offline", detail: "from this browser's cache (server unreachable)" }
        : { bytes: hit.bytes, source: "cache", detail: "from this browser's cache; the server's copy is unchanged, so it was not downloaded again" };
    }
  }

  // "no-cache": revalidate with the server rather than trust the HTTP cache's heuristics.
  const { bytes, headers } = await download(absolute, onProgress, { cache: "no-cache" });
  const version = versionOf(headers);
  if (!cache) return { bytes, source: "network-uncached", detail: "downloaded (this browser offers no cache storage here)" };
  if (!version) return { bytes, source: "network-uncached", detail: "downloaded (the server sent no version to check a cached copy against)" };
  try {
    await cache.put(
      absolute,
      new Response(bytes, {
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Length": String(bytes.length),
          [VERSION_HEADER]: version,
        },
      }),
    );
  } catch (err) {
    return { bytes, source: "network-uncached", detail: `downloaded; could not be cached (${err?.message ?? err})` };
  }
  return { bytes, source: "network", detail: "downloaded and kept in this browser's cache for next time" };
}

/** Drops the cached copy of `url` (e.g. when it no longer loads). */
export async function evictModel(url) {
  const cache = await openCache();
  if (cache) await cache.delete(new URL(url, location.href).href);
}

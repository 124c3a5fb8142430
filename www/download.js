// Downloads the model file with progress reporting.
// This and model-cache.js are the only code on the page that fetches anything, and they only
// ever read the model.

/**
 * Fetches `url` into a Uint8Array, calling `onProgress(received, total)` as chunks arrive.
 * `total` is the Content-Length in bytes, or 0 when the server did not send one.
 * `init` is passed to fetch (e.g. its cache mode). Resolves to the bytes and response headers.
 * @returns {Promise<{bytes: Uint8Array, headers: Headers}>}
 */
export async function download(url, onProgress, init = {}) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new Error(`Could not reach ${url}: ${err.message}`);
  }
  if (!response.ok) {
    throw new Error(`Could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  // Content-Length is the encoded size; with compression the body can outgrow it, so progress is
  // clamped by the caller rather than trusted blindly.
  const total = Number(response.headers.get("Content-Length")) || 0;
  onProgress(0, total);

  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.length, total);
    return { bytes, headers: response.headers };
  }

  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
  }

  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, headers: response.headers };
}

/** Formats a byte count for people: 912 B, 14.2 KB, 3.1 MB. */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return "?";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

// The network meter: lists every request the browser reports for this page, using the
// Resource Timing API, and counts those made after the model finished loading.
// It observes; it cannot block anything (the Content-Security-Policy in index.html does that).

export class NetworkMeter {
  /** @param {() => void} onChange called whenever the list or the count may have changed */
  constructor(onChange) {
    this.onChange = onChange;
    /** @type {PerformanceResourceTiming[]} */
    this.entries = [];
    /** performance.now() when the model finished loading; null until then */
    this.readyAt = null;
    this.supported = typeof PerformanceObserver === "function" &&
      (PerformanceObserver.supportedEntryTypes || []).includes("resource");

    const [navigation] = performance.getEntriesByType?.("navigation") ?? [];
    if (navigation) this.entries.push(navigation);

    if (this.supported) {
      const observer = new PerformanceObserver((list) => {
        this.entries.push(...list.getEntries());
        this.onChange();
      });
      // buffered: true replays the requests made before this script ran (page, CSS, scripts).
      observer.observe({ type: "resource", buffered: true });
    }
  }

  /** Marks the moment from which requests count as "made while browsing". */
  markReady(at = performance.now()) {
    this.readyAt = at;
    this.onChange();
  }

  /** Whether `entry` started after the model had loaded. */
  isAfterReady(entry) {
    return this.readyAt !== null && entry.entryType !== "navigation" && entry.startTime >= this.readyAt;
  }

  /** Requests made since the model loaded, or null before it has. */
  countSinceReady() {
    if (this.readyAt === null) return null;
    return this.entries.filter((e) => this.isAfterReady(e)).length;
  }

  /** Bytes over the wire (or body size when served from cache), summed over all requests. */
  totalBytes() {
    return this.entries.reduce((sum, e) => sum + entrySize(e), 0);
  }
}

/** The size to show for one request: the body as sent, falling back to the transfer size. */
export function entrySize(entry) {
  return entry.encodedBodySize || entry.transferSize || 0;
}

/** Same-origin URLs are shown as paths; anything else in full, so it stands out. */
export function displayUrl(name) {
  try {
    const url = new URL(name, location.href);
    return url.origin === location.origin ? url.pathname + url.search : url.href;
  } catch {
    return name;
  }
}

/**
 * A value read at most once per `ttlMs`, shared by concurrent callers: several scrapers (or replicas
 * of Prometheus) cost Redis one read per interval, not one each.
 */
export function scrapeCache<T>(read: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!entry || now - entry.at >= ttlMs) {
      const value = read();
      entry = { at: now, value };
      // A failed read is not kept: the next scrape tries again.
      value.catch(() => {
        if (entry?.value === value) entry = undefined;
      });
    }
    return entry.value;
  };
}

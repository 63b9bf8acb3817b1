import type { SortingMethod } from '@cvat-backup/catalog';

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Orders media paths into frames the way CVAT's `sorting_method` does. */
export function sortPaths<T extends { path: string }>(items: T[], method: SortingMethod, seed = 0): T[] {
  switch (method) {
    case 'predefined':
      return items;
    case 'natural':
      return [...items].sort((a, b) => natural.compare(a.path, b.path));
    case 'random': {
      // Seeded, so a retried request produces the same frame order.
      const out = [...items];
      let state = seed >>> 0 || 0x9e3779b9;
      for (let i = out.length - 1; i > 0; i--) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const j = (state >>> 0) % (i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    }
    default:
      return [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

import type { StorageDriver } from '@cvat-backup/storage';

export interface ContentEntry {
  name: string;
  type: 'REG' | 'DIR';
  mime_type: string;
}

const CATEGORIES: Array<[RegExp, string]> = [
  [/\.(jpe?g|png|gif|bmp|webp|tiff?|jfif|heic)$/i, 'image'],
  [/\.(mp4|avi|mov|mkv|webm|mpe?g|m4v|wmv)$/i, 'video'],
  [/\.(zip|tar|gz|tgz|bz2|7z|rar)$/i, 'archive'],
  [/\.pdf$/i, 'pdf'],
  [/\.(pcd|bin)$/i, 'point cloud'],
];

const categoryOf = (name: string) => CATEGORIES.find(([re]) => re.test(name))?.[1] ?? 'unknown';

/**
 * One page of CVAT's `content-v2`: the entries one level below `prefix` (directories collapsed),
 * directories first. `start` counts entries of the one-level listing; the next page starts where
 * this one ended. Keys come in sorted order from the driver, so collapsing needs only the last
 * directory seen: memory is one page.
 */
export async function listContent(
  driver: StorageDriver,
  prefix: string,
  start: number,
  pageSize: number,
): Promise<{ next: string | null; content: ContentEntry[] }> {
  const base = prefix.replace(/^\/+/, '');
  const dirPrefix = base === '' || base.endsWith('/') ? base : `${base}/`;
  const page: ContentEntry[] = [];
  let index = 0;
  let lastDir: string | undefined;
  let more = false;
  outer: for await (const entries of driver.list(dirPrefix)) {
    for (const { key } of entries) {
      const rest = key.slice(dirPrefix.length);
      const slash = rest.indexOf('/');
      let entry: ContentEntry;
      if (slash >= 0) {
        const dir = rest.slice(0, slash);
        if (dir === lastDir) continue;
        lastDir = dir;
        entry = { name: dir, type: 'DIR', mime_type: 'DIR' };
      } else entry = { name: rest, type: 'REG', mime_type: categoryOf(rest) };
      if (index++ < start) continue;
      if (page.length === pageSize) {
        more = true;
        break outer;
      }
      page.push(entry);
    }
  }
  page.sort((a, b) => (a.type === b.type ? 0 : a.type === 'DIR' ? -1 : 1));
  return { next: more ? String(start + pageSize) : null, content: page };
}

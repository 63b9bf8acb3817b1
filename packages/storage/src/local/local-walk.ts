import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListEntry } from '../storage-driver.js';
import { isTempName } from './local-write.js';

/**
 * Yields the files under `root` whose relative key starts with `prefix`, in key order (as object
 * stores list), skipping temp files. Only directories on the prefix's path are read.
 */
export async function* walkFiles(root: string, prefix: string): AsyncGenerator<ListEntry> {
  const slash = prefix.lastIndexOf('/');
  const dirKey = slash < 0 ? '' : prefix.slice(0, slash + 1);
  yield* walk(root, dirKey, prefix);
}

async function* walk(root: string, dirKey: string, prefix: string): AsyncGenerator<ListEntry> {
  let names: string[];
  try {
    names = await readdir(path.join(root, dirKey));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw err;
  }
  // Sorting by key: a directory "a" sorts as "a/", which is how its keys compare.
  const entries = await Promise.all(
    names
      .filter((name) => !isTempName(name))
      .map(async (name) => {
        const info = await stat(path.join(root, dirKey, name)).catch(() => undefined);
        const key = dirKey + name + (info?.isDirectory() ? '/' : '');
        return { key, info };
      }),
  );
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { key, info } of entries) {
    if (!info) continue;
    if (info.isDirectory()) {
      if (key.startsWith(prefix) || prefix.startsWith(key)) yield* walk(root, key, prefix);
    } else if (info.isFile() && key.startsWith(prefix)) {
      yield { key, size: info.size, etag: localEtag(info), mtime: info.mtime };
    }
  }
}

/** An etag from what changes when a file is replaced: inode, size and mtime. */
export function localEtag(info: { ino: number; size: number; mtimeMs: number }): string {
  return `${info.ino.toString(16)}-${info.size.toString(16)}-${Math.floor(info.mtimeMs * 1000).toString(16)}`;
}

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * The local storage layout under DATA_ROOT, shared with the API: task media, archives for local
 * download, staged uploads. Created at start (drivers require existing roots).
 */
export async function localStorageRoots(
  dataRoot: string,
): Promise<{ media: string; archives: string; staging: string }> {
  const roots = {
    media: path.join(dataRoot, 'media'),
    archives: path.join(dataRoot, 'archives'),
    staging: path.join(dataRoot, 'staging'),
  };
  await Promise.all(Object.values(roots).map((dir) => mkdir(dir, { recursive: true })));
  return roots;
}

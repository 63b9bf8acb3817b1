import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sanitizeBackupFileName } from '@cvat-backup/format';
import type { ApiClient } from '../core/api-client.js';
import { CliError, cliError } from '../core/cli-error.js';
import type { Progress } from '../output/progress.js';
import { counting } from './counting.js';

/** The file name of a `Content-Disposition` header (`filename*=UTF-8''…` preferred), if any. */
export function dispositionFilename(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2]!.trim());
    } catch {
      // fall back to the plain parameter
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
  return bare?.[1];
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Streams a result to `<out>.part` and renames it to `<out>` only once every byte arrived, so a
 * file under the final name is always whole. `out` may be a file, a directory (the server's name
 * goes inside it) or absent (the server's name in the current directory).
 */
export async function download(
  client: ApiClient,
  url: string,
  out: string | undefined,
  progress: Progress,
): Promise<{ path: string; bytes: number }> {
  const res = await client.call('GET', url);
  const suggested = dispositionFilename(res.headers.get('content-disposition'));
  const name = sanitizeBackupFileName(suggested ?? 'backup.zip');
  const target =
    out === undefined
      ? path.resolve(name)
      : (await isDirectory(out))
        ? path.resolve(out, name)
        : path.resolve(out);
  const header = res.headers.get('content-length');
  const total = header === null ? undefined : Number(header);
  const part = `${target}.part`;
  let bytes = 0;
  progress.bytes(0, total);
  try {
    if (!res.body) throw cliError('CLI_DOWNLOAD_INCOMPLETE', 'The server sent no archive');
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      counting(0, (n) => {
        bytes = n;
        progress.bytes(n, total);
      }),
      createWriteStream(part),
    );
    if (total !== undefined && bytes !== total)
      throw cliError('CLI_DOWNLOAD_INCOMPLETE', `Received ${bytes} of ${total} bytes: run the command again`);
    await rename(part, target);
  } catch (err) {
    await rm(part, { force: true });
    // Our own errors and local file errors (disk full, permissions) are reported as they are.
    if (err instanceof CliError || (err as NodeJS.ErrnoException).syscall) throw err;
    throw cliError(
      'CLI_DOWNLOAD_INCOMPLETE',
      `The download stopped after ${bytes} bytes (${(err as Error).message}): run the command again`,
    );
  }
  return { path: target, bytes };
}

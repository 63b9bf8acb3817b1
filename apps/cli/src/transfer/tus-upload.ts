import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ApiClient } from '../core/api-client.js';
import { cliError } from '../core/cli-error.js';
import type { Progress } from '../output/progress.js';
import { counting } from './counting.js';
import type { UploadKey, UploadStateStore } from './upload-state.js';

const TUS = { 'tus-resumable': '1.0.0' };

export interface UploadOptions {
  target: 'task' | 'project';
  file: string;
  chunkSize: number;
  progress: Progress;
  state: UploadStateStore;
}

export interface UploadResult {
  fileId: string;
  bytes: number;
  /** The offset an earlier, interrupted run had reached (0 for a fresh upload). */
  resumedFrom: number;
  key: UploadKey;
}

/** The offset of a known upload, or undefined when the server no longer has it (or it differs). */
async function serverOffset(client: ApiClient, location: string, size: number): Promise<number | undefined> {
  const res = await client.call('HEAD', location, { headers: TUS, accept: [403, 404, 410] });
  if (res.status !== 200) return undefined;
  const offset = Number(res.headers.get('upload-offset'));
  const length = Number(res.headers.get('upload-length'));
  return Number.isSafeInteger(offset) && length === size && offset <= size ? offset : undefined;
}

async function create(client: ApiClient, target: string, file: string, size: number) {
  const base = `/api/${target}s/backup`;
  // CVAT's upload protocol: Upload-Start, the TUS creation, chunks, then Upload-Finish.
  await client.call('POST', base, { headers: { 'upload-start': 'true' } });
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const res = await client.call('POST', base, {
    headers: {
      ...TUS,
      'upload-length': String(size),
      'upload-metadata': `filename ${b64(path.basename(file))},filetype ${b64('application/zip')}`,
    },
  });
  const location = res.headers.get('location');
  const fileId = res.headers.get('upload-filename');
  if (res.status !== 201 || !location || !fileId)
    throw cliError('CLI_UNEXPECTED_RESPONSE', `The server did not create an upload (HTTP ${res.status})`);
  return { location, fileId };
}

/**
 * Uploads an archive with TUS, resuming an interrupted upload of the same file: its URL is kept
 * in the state store until Upload-Finish, and HEAD tells where the server stands. Each chunk is a
 * PATCH of at most `chunkSize` bytes; a chunk cut off midway is discarded by the server.
 */
export async function tusUpload(client: ApiClient, options: UploadOptions): Promise<UploadResult> {
  const { file, target, progress, state } = options;
  const info = await stat(file);
  if (!info.isFile()) throw cliError('CLI_FILE_NOT_FOUND', `${file} is not a file`);
  const size = info.size;
  const key: UploadKey = { server: client.server, target, file, size, mtimeMs: info.mtimeMs };
  let upload = await state.get(key);
  let offset = upload ? await serverOffset(client, upload.location, size) : undefined;
  if (!upload || offset === undefined) {
    upload = await create(client, target, file, size);
    await state.put(key, upload);
    offset = 0;
  }
  const resumedFrom = offset;
  progress.bytes(offset, size);
  while (offset < size) {
    const end = Math.min(size, offset + options.chunkSize);
    const start: number = offset;
    const body = createReadStream(file, { start, end: end - 1 }).pipe(
      counting(start, (n) => progress.bytes(n, size)),
    );
    const res = await client.call('PATCH', upload.location, {
      headers: {
        ...TUS,
        'upload-offset': String(start),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(end - start),
      },
      body: Readable.toWeb(body) as ReadableStream,
      accept: [409],
    });
    // 409: the server stands elsewhere (an earlier attempt of this chunk did land): go on from there.
    const next =
      res.status === 409
        ? await serverOffset(client, upload.location, size)
        : Number(res.headers.get('upload-offset'));
    // Either way the offset must change, or the loop would send the same chunk forever.
    const moved = next !== undefined && next !== start && (res.status === 409 || next > start);
    if (!moved || next === undefined || !Number.isSafeInteger(next) || next > size)
      throw cliError(
        'CLI_UNEXPECTED_RESPONSE',
        `The upload lost its place at byte ${start}: run the command again`,
      );
    if ((await stat(file)).mtimeMs !== info.mtimeMs)
      throw cliError('CLI_FILE_CHANGED', `${file} changed during the upload: run the command again`);
    offset = next;
  }
  return { fileId: upload.fileId, bytes: size, resumedFrom, key };
}

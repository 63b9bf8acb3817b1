import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Actor } from '@cvat-backup/catalog';
import { AppError, isAppError } from '@cvat-backup/common';
import { deleteUnder, type StorageDriver } from '@cvat-backup/storage';
import { ByteLimit } from './byte-limit.js';

/** CVAT's TUS file id: `<user id>_<uuid4>` (`TusFile.FileID.REGEX`). */
const FILE_ID = /^([0-9]+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const OFFSET_DIGITS = 16;

/** What a TUS upload was created with. */
export interface TusInfo {
  userId: number;
  target: 'task' | 'project';
  length: number;
  /** The client's file name from `Upload-Metadata` (informational). */
  filename: string;
}

/** The uuid part of a file id (an import started from the upload reuses it in its request id). */
export function fileUuid(fileId: string): string {
  return FILE_ID.exec(fileId)?.[2] ?? '';
}

/**
 * Resumable uploads in the staging storage. Each PATCH chunk is its own object under
 * `tus/<file id>/chunks/<offset>`, committed atomically, so the offset (the sum of the committed
 * chunks) survives restarts and any number of API replicas; Upload-Finish concatenates them,
 * streamed, into one staged object and deletes the chunks.
 */
export class TusStore {
  constructor(
    private readonly staging: StorageDriver,
    private readonly limit: number,
  ) {}

  async create(userId: number, info: Omit<TusInfo, 'userId'>): Promise<string> {
    if (info.length > this.limit) throw new AppError('BACKUP_API_UPLOAD_TOO_LARGE', { limit: this.limit });
    const fileId = `${userId}_${randomUUID()}`;
    const write = this.staging.openWrite(`tus/${fileId}/info.json`, { contentType: 'application/json' });
    write.end(JSON.stringify({ ...info, userId }));
    await write.commit();
    return fileId;
  }

  /** The upload and its offset; 404 for an unknown or malformed id, 403 for another user's. */
  async status(fileId: string, actor: Actor): Promise<{ info: TusInfo; offset: number }> {
    const match = FILE_ID.exec(fileId);
    if (!match) throw new AppError('BACKUP_API_TUS_NOT_FOUND', { fileId });
    const info = await this.readInfo(fileId);
    if (!info) throw new AppError('BACKUP_API_TUS_NOT_FOUND', { fileId });
    if (info.userId !== actor.id || Number(match[1]) !== actor.id)
      throw new AppError('BACKUP_API_TUS_FORBIDDEN', { fileId });
    return { info, offset: (await this.chunks(fileId)).offset };
  }

  /**
   * Stores one PATCH body as the chunk at `offset`; 409 unless `offset` is the current one, 413 when
   * the chunk runs past Upload-Length (nothing of it is kept). Returns the new offset.
   */
  async append(fileId: string, actor: Actor, offset: number, body: Readable): Promise<number> {
    const { info, offset: current } = await this.status(fileId, actor);
    if (offset !== current)
      throw new AppError('BACKUP_API_TUS_OFFSET_MISMATCH', { fileId, got: offset, expected: current });
    const limit = new ByteLimit(
      info.length - current,
      () => new AppError('BACKUP_API_TUS_CHUNK_TOO_LARGE', { fileId, length: info.length }),
    );
    const write = this.staging.openWrite(chunkKey(fileId, current));
    try {
      await pipeline(body, limit, write);
      if (limit.bytes === 0) {
        await write.abort();
        return current;
      }
      await write.commit();
    } catch (err) {
      await write.abort(err).catch(() => undefined);
      throw err;
    }
    return current + limit.bytes;
  }

  /**
   * Joins a complete upload into `destination` (one atomic write) and removes its chunks. An unknown
   * or foreign id is CVAT's 400 "No such file were uploaded"; an incomplete one is a 400 too.
   */
  async finish(fileId: string, actor: Actor, destination: string): Promise<TusInfo> {
    let status: { info: TusInfo; offset: number };
    try {
      status = await this.status(fileId, actor);
    } catch (err) {
      if (isAppError(err, 'BACKUP_API_TUS_NOT_FOUND') || isAppError(err, 'BACKUP_API_TUS_FORBIDDEN'))
        throw new AppError('BACKUP_API_UPLOAD_UNKNOWN', { fileId });
      throw err;
    }
    const { info } = status;
    const { keys, offset } = await this.chunks(fileId);
    if (offset !== info.length)
      throw new AppError('BACKUP_API_UPLOAD_INCOMPLETE', { fileId, offset, length: info.length });
    const write = this.staging.openWrite(destination, {
      sizeHint: info.length,
      contentType: 'application/zip',
    });
    const staging = this.staging;
    // One source over every chunk in order: one pipeline, so the write sees one stream end to end.
    async function* joined() {
      for (const key of keys) yield* await staging.read(key);
    }
    try {
      await pipeline(joined, write);
      await write.commit();
    } catch (err) {
      await write.abort(err).catch(() => undefined);
      throw err;
    }
    await this.remove(fileId);
    return info;
  }

  /** Deletes an upload's chunks and its info (the info last, so a crash leaves it findable by a sweep). */
  async remove(fileId: string): Promise<void> {
    await deleteUnder(this.staging, `tus/${fileId}/chunks/`);
    await this.staging.delete(`tus/${fileId}/info.json`);
  }

  private async readInfo(fileId: string): Promise<TusInfo | undefined> {
    let stream: Readable;
    try {
      stream = await this.staging.read(`tus/${fileId}/info.json`);
    } catch (err) {
      if (isAppError(err, 'STORAGE_OBJECT_NOT_FOUND')) return undefined;
      throw err;
    }
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as TusInfo;
  }

  /** The contiguous chunks from offset 0, in order, and where they end. */
  private async chunks(fileId: string): Promise<{ keys: string[]; offset: number }> {
    const found: Array<{ key: string; start: number; size: number }> = [];
    for await (const page of this.staging.list(`tus/${fileId}/chunks/`))
      for (const entry of page) {
        const start = Number(entry.key.slice(entry.key.lastIndexOf('/') + 1));
        if (Number.isSafeInteger(start)) found.push({ key: entry.key, start, size: entry.size });
      }
    found.sort((a, b) => a.start - b.start);
    const keys: string[] = [];
    let offset = 0;
    for (const chunk of found) {
      if (chunk.start !== offset) break;
      keys.push(chunk.key);
      offset += chunk.size;
    }
    return { keys, offset };
  }
}

function chunkKey(fileId: string, offset: number): string {
  return `tus/${fileId}/chunks/${String(offset).padStart(OFFSET_DIGITS, '0')}`;
}

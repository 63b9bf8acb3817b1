import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@cvat-backup/common';
import type { AtomicWrite, StorageDriver } from '@cvat-backup/storage';
import type { FastifyRequest } from 'fastify';
import { ByteLimit } from './byte-limit.js';

/** A backup archive streamed into the staging storage. */
export interface StagedFile {
  key: string;
  filename: string;
  size: number;
}

export interface ReceivedBackup {
  /** Plain fields (e.g. the legacy poll's `rq_id`). */
  fields: Record<string, string>;
  staged?: StagedFile;
}

/** A new staging key for an upload; the import job names it and the worker deletes it after restoring. */
export const stagedKey = (name: string) => `uploads/${name}.zip`;

/**
 * Streams the multipart field `fileField` (`task_file` / `project_file`) into staging through an
 * atomic write: never buffered, refused with 413 past `limit` (nothing committed), and another file
 * field is a 400. Plain fields are collected.
 */
export async function receiveBackupFile(
  request: FastifyRequest,
  staging: StorageDriver,
  fileField: string,
  limit: number,
): Promise<ReceivedBackup> {
  const fields: Record<string, string> = {};
  let staged: StagedFile | undefined;
  let write: AtomicWrite | undefined;
  try {
    const parts = request.parts({
      limits: { fileSize: limit + 1, files: 2, fields: 100, fieldSize: 64 * 1024 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== fileField || staged) {
        part.file.resume();
        throw new AppError('VALIDATION_FAILED', {
          problems: `unexpected file field "${part.fieldname}"; send one file as "${fileField}"`,
          field: part.fieldname,
        });
      }
      const key = stagedKey(randomUUID());
      const counter = new ByteLimit(limit, () => new AppError('BACKUP_API_UPLOAD_TOO_LARGE', { limit }));
      write = staging.openWrite(key, { contentType: 'application/zip' });
      await pipeline(part.file, counter, write);
      await write.commit();
      write = undefined;
      staged = { key, filename: part.filename, size: counter.bytes };
    }
  } catch (err) {
    await write?.abort(err).catch(() => undefined);
    if (staged) await staging.delete(staged.key).catch(() => undefined);
    throw err;
  }
  return staged ? { fields, staged } : { fields };
}

import { pipeline } from 'node:stream/promises';
import { AppError } from '@cvat-backup/common';
import type { AtomicWrite, StorageDriver } from '@cvat-backup/storage';
import type { FastifyRequest } from 'fastify';
import type { ApiLimits } from '../http/api-services.js';
import { collectField } from './data-request.schema.js';
import { HeaderProbe } from './header-probe.js';
import { contentTypeOf } from './image-header.js';
import type { MediaFile } from './manifest.js';

export interface ReceivedUpload {
  /** Non-file fields, with `name[i]` fields gathered into arrays. */
  fields: Record<string, unknown>;
  files: MediaFile[];
  /** Removes every stored file (the request failed after they were written). */
  discard(): Promise<void>;
}

const badName = (name: string) =>
  name === '' ||
  name.startsWith('/') ||
  name.includes('\0') ||
  name.split('/').some((s) => s === '..' || s === '');

/** Form fields one data request may carry (server_files[], sorting options…). */
const FIELD_LIMIT = 100_000;
/**
 * Streams the `client_files[]` of a multipart request straight into `driver` under `prefix`: each
 * file through an md5 + header probe, no file held in memory. Any failure (size limit, a file that is
 * not an image, a storage error) removes what this request already stored before it is rethrown.
 */
export async function receiveClientFiles(
  request: FastifyRequest,
  driver: StorageDriver,
  prefix: string,
  limits: ApiLimits,
): Promise<ReceivedUpload> {
  const fields: Record<string, unknown> = {};
  const files: MediaFile[] = [];
  const stored: string[] = [];
  const names = new Set<string>();
  let total = 0;
  let current: AtomicWrite | undefined;
  const discard = async () => {
    for (const key of stored) await driver.delete(key).catch(() => undefined);
  };
  try {
    const parts = request.parts({
      // Keep folder names: CVAT clients may upload `dir/a.jpg`.
      preservePath: true,
      limits: {
        fileSize: limits.uploadBytes,
        files: limits.uploadFiles,
        fields: FIELD_LIMIT,
        // Busboy counts files and fields together as parts (1,000 by default): allow both limits.
        parts: limits.uploadFiles + FIELD_LIMIT,
        fieldSize: 1024 * 1024,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        collectField(fields, part.fieldname, String(part.value));
        continue;
      }
      if (!/^client_files(\[\d*\])?$/.test(part.fieldname))
        throw new AppError('API_UPLOAD_INVALID', {
          problem: `unexpected file field "${part.fieldname}"; send files as client_files[N]`,
          field: part.fieldname,
        });
      const name = part.filename.replace(/\\/g, '/');
      if (badName(name) || names.has(name))
        throw new AppError('API_UPLOAD_INVALID', {
          problem: `the file name "${name}" is empty, not relative, or given twice`,
          field: 'client_files',
        });
      names.add(name);
      const key = `${prefix}${name}`;
      const probe = new HeaderProbe((n) => {
        total += n;
        return total > limits.uploadBytes
          ? new AppError('API_UPLOAD_TOO_LARGE', { limit: limits.uploadBytes })
          : undefined;
      });
      current = driver.openWrite(key, { contentType: contentTypeOf(name) });
      await pipeline(part.file, probe, current);
      if (!probe.header) throw new AppError('API_MEDIA_UNSUPPORTED', { name, field: 'client_files' });
      await current.commit();
      current = undefined;
      stored.push(key);
      files.push({
        path: name,
        width: probe.header.width,
        height: probe.header.height,
        byteSize: probe.bytes,
        checksum: probe.checksum,
      });
    }
  } catch (err) {
    await current?.abort(err).catch(() => undefined);
    await discard();
    throw err;
  }
  return { fields, files, discard };
}

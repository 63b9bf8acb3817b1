import { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import { baseUrl } from '../http/urls.js';
import type { BackupServices } from './backup-services.js';
import type { BackupTarget } from './export-request.js';
import type { TusStore } from './tus-store.js';

const fileParams = z.object({ file_id: z.string().max(128) });

/** Headers every TUS response carries (format doc §10.5). */
export function tusHeaders(reply: FastifyReply, services: BackupServices): FastifyReply {
  return reply.headers({
    'tus-resumable': '1.0.0',
    'tus-version': '1.0.0',
    'tus-extension': '',
    'tus-max-size': String(services.uploadLimitBytes),
    'cache-control': 'no-store',
    'access-control-allow-methods': 'POST, PATCH, HEAD, OPTIONS',
    'access-control-allow-headers':
      'Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset, Upload-Start, Upload-Finish, X-Organization',
    'access-control-expose-headers':
      'Location, Upload-Offset, Upload-Length, Upload-Filename, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size',
  });
}

function headerNumber(request: FastifyRequest, name: string): number {
  const raw = request.headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d{1,16}$/.test(value))
    throw new AppError('BACKUP_API_TUS_HEADER_INVALID', {
      header: name,
      problem: 'expected a non-negative integer',
    });
  return Number(value);
}

/** `filename` from `Upload-Metadata: filename <base64>,filetype <base64>`. */
function metadataFilename(request: FastifyRequest): string {
  const raw = request.headers['upload-metadata'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  for (const pair of (value ?? '').split(',')) {
    const [key, encoded] = pair.trim().split(' ');
    if (key === 'filename' && encoded) return Buffer.from(encoded, 'base64').toString('utf8').slice(0, 1024);
  }
  return '';
}

/** The `Origin` header when it is a well-formed http(s) origin (no path, no credentials); else undefined. */
function requestOrigin(request: FastifyRequest): string | undefined {
  const raw = request.headers.origin;
  if (typeof raw !== 'string' || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  return bare && (url.protocol === 'http:' || url.protocol === 'https:') ? url.origin : undefined;
}

/**
 * Where the client should send its chunks, as CVAT builds the TUS `Location`: from the host a proxy
 * forwarded (only when we trust it, TRUST_PROXY), else from the page's `Origin` (so a browser behind
 * a TLS proxy PATCHes https, not the http the proxy spoke to us), else from how we were reached.
 */
export function uploadBase(request: FastifyRequest): string {
  // request.host is X-Forwarded-Host only when the proxy is trusted.
  const forwarded =
    request.headers['x-forwarded-host'] !== undefined && request.host !== request.headers.host;
  return (!forwarded && requestOrigin(request)) || baseUrl(request);
}

/**
 * TUS creation (`POST …/backup/` with Upload-Length): 201 with `Location` on the chunk URL and
 * `Upload-Filename` = the file id, which Upload-Finish passes back as `filename`.
 */
export async function tusCreate(
  request: FastifyRequest,
  reply: FastifyReply,
  tus: TusStore,
  services: BackupServices,
  target: BackupTarget,
): Promise<FastifyReply> {
  tusHeaders(reply, services);
  const length = headerNumber(request, 'upload-length');
  const fileId = await tus.create(actor(request).id, { target, length, filename: metadataFilename(request) });
  return reply
    .code(201)
    .header('location', `${uploadBase(request)}/api/${target}s/backup/${fileId}`)
    .header('upload-filename', fileId)
    .send();
}

/** The chunk endpoints of one target: HEAD (resume offset), PATCH (append), OPTIONS. */
export function tusRoutes(services: BackupServices, tus: TusStore, target: BackupTarget) {
  const url = `/api/${target}s/backup/:file_id`;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    // PATCH bodies are handed to the handler as the raw stream: chunks go straight to storage.
    app.addContentTypeParser('application/offset+octet-stream', (_request, payload, done) =>
      done(null, payload),
    );

    app.head(url, { schema: { params: fileParams } }, async (request, reply) => {
      tusHeaders(reply, services);
      const { info, offset } = await tus.status(request.params.file_id, actor(request));
      return reply
        .code(200)
        .header('upload-offset', String(offset))
        .header('upload-length', String(info.length))
        .send();
    });

    app.patch(url, { schema: { params: fileParams } }, async (request, reply) => {
      tusHeaders(reply, services);
      const type = request.headers['content-type'];
      if (type !== 'application/offset+octet-stream')
        throw new AppError('BACKUP_API_TUS_HEADER_INVALID', {
          header: 'Content-Type',
          problem: 'expected application/offset+octet-stream',
        });
      const offset = headerNumber(request, 'upload-offset');
      const body = request.body instanceof Readable ? request.body : Readable.from([]);
      const offsetNow = await tus.append(request.params.file_id, actor(request), offset, body);
      return reply.code(204).header('upload-offset', String(offsetNow)).send();
    });

    for (const path of [url, `/api/${target}s/backup`])
      app.options(path, { config: { public: true } }, async (_request, reply) =>
        tusHeaders(reply, services).code(204).send(),
      );
  };
}

import { AppError, isAppError, scrubSecrets } from '@cvat-backup/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * One place maps errors to responses. Coded errors answer with their registry status and a body CVAT
 * clients understand (`{"detail": …}`, plus our stable `code`; a 400 naming a field answers DRF's
 * `{"field": ["…"]}`); anything else is a 500 whose details stay in the log.
 */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (isAppError(error)) return sendAppError(error, request, reply);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const body: Record<string, string[]> = {};
    for (const v of fastifyError.validation) {
      const field =
        v.instancePath.replace(/^\//, '').replace(/\//g, '.') ||
        String(v.params?.missingProperty ?? 'non_field_errors');
      body[field] = [...(body[field] ?? []), v.message ?? 'invalid'];
    }
    return reply.code(400).send(body);
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return reply
      .code(fastifyError.statusCode)
      .send({ detail: scrubSecrets(error.message), code: fastifyError.code });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendAppError(new AppError('INTERNAL', { reason: 'see the server log' }), request, reply);
}

function sendAppError(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error.status >= 500) request.log.error({ err: error }, error.message);
  else request.log.info({ code: error.code }, error.message);
  // A streamed response that fails midway can only be cut off; its status line is already out.
  if (reply.sent || reply.raw.headersSent) return reply.raw.destroy(error);
  const field = error.details.field;
  if (error.status === 400 && typeof field === 'string')
    return reply.code(400).send({ [field]: [error.message] });
  return reply.code(error.status).send({ detail: error.message, code: error.code });
}

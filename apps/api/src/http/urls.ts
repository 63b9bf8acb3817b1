import type { FastifyRequest } from 'fastify';

/** `http://host:port` as the client reached us (X-Forwarded-* only when the proxy is trusted). */
export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

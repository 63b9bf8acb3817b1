import type { FastifyRequest } from 'fastify';

/** `http://host:port` as the client reached us (X-Forwarded-* only when the proxy is trusted). */
export function baseUrl(request: FastifyRequest): string {
  const raw = `${request.protocol}://${request.host}`;
  // The URL parser drops default ports, so `url` fields and page links look alike.
  return URL.canParse(raw) ? new URL(raw).origin : raw;
}

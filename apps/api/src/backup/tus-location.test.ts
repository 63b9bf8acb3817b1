import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { uploadBase } from './tus.routes.js';

/** A request as Fastify shows it: `host`/`protocol` are the forwarded ones only behind a trusted proxy. */
const request = (headers: Record<string, string>, reached: { host: string; protocol: string }) =>
  ({ headers, ...reached }) as unknown as FastifyRequest;

describe('TUS Location base (CVAT: forwarded host, else Origin, else the request)', () => {
  it('prefers a trusted proxy’s forwarded host over the Origin, as CVAT does with X-Forwarded-Host', () => {
    const trusted = request(
      { host: 'api:8080', 'x-forwarded-host': 'cvat.example.org', origin: 'https://ui.example.org' },
      { host: 'cvat.example.org', protocol: 'https' },
    );
    expect(uploadBase(trusted)).toBe('https://cvat.example.org');
  });

  it('takes the Origin when the forwarded host is not trusted, and the request without an Origin', () => {
    const untrusted = request(
      { host: 'api:8080', 'x-forwarded-host': 'evil.example', origin: 'https://cvat.example.org' },
      { host: 'api:8080', protocol: 'http' },
    );
    expect(uploadBase(untrusted)).toBe('https://cvat.example.org');
    expect(uploadBase(request({ host: 'api:8080' }, { host: 'api:8080', protocol: 'http' }))).toBe(
      'http://api:8080',
    );
  });
});

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@cvat-backup/common';
import type { FastifyRequest } from 'fastify';
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from './session-cookies.js';

/** RFC 9110's safe methods, which Django's CsrfViewMiddleware lets through unchecked. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** A fresh CSRF secret for the `csrftoken` cookie (64 hex characters, Django's token length). */
export function newCsrfToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Django's double-submit check, which DRF applies only to requests authenticated by the session
 * cookie: an unsafe method must echo the `csrftoken` cookie in `X-CSRFToken`. Another site can make a
 * browser send the cookies but cannot read them to fill in the header. Refusals are 403 with DRF's
 * "CSRF Failed: <reason>" and Django's reasons.
 */
export function enforceCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const cookie = readCookie(request, CSRF_COOKIE);
  if (!cookie) throw new AppError('API_CSRF_FAILED', { reason: 'CSRF cookie not set.' });
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || header === '')
    throw new AppError('API_CSRF_FAILED', { reason: 'CSRF token missing.' });
  if (!sameSecret(header, cookie)) throw new AppError('API_CSRF_FAILED', { reason: 'CSRF token incorrect.' });
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

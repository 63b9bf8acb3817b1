import { describe, expect, it } from 'vitest';
import { AppError, ERROR_REGISTRY, isAppError, toAppError } from './index.js';

describe('error registry', () => {
  it('gives every code an HTTP status, a retry class and a message', () => {
    for (const [code, spec] of Object.entries(ERROR_REGISTRY)) {
      expect(code, code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThan(600);
      expect(typeof spec.retryable, code).toBe('boolean');
      expect(spec.message.length, code).toBeGreaterThan(5);
    }
  });

  it('marks client errors permanent', () => {
    for (const [code, spec] of Object.entries(ERROR_REGISTRY)) {
      if (spec.status >= 400 && spec.status < 500 && spec.status !== 429 && spec.status !== 409)
        expect(spec.retryable, code).toBe(false);
    }
  });

  it('renders message templates from details and leaves unknown placeholders visible', () => {
    const err = new AppError('DEPENDENCY_UNAVAILABLE', { dependency: 'Redis' });
    expect(err.message).toBe('Redis is not available: {reason}');
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(isAppError(err, 'DEPENDENCY_UNAVAILABLE')).toBe(true);
    expect(isAppError(err, 'NOT_FOUND')).toBe(false);
  });

  it('cuts a very long detail (a hostile entry name) in the details and the message alike', () => {
    const name = `${'a/'.repeat(30_000)}x.jpg`;
    const err = new AppError('ARCHIVE_UNSAFE_PATH', { entry: name, reason: 'too deep' });
    expect(String(err.details.entry).length).toBeLessThan(2100);
    expect(err.details.entry).toMatch(/… \(60005 characters in all\)$/);
    expect(err.details.reason).toBe('too deep');
    expect(err.message.length).toBeLessThan(2500);
  });

  it('wraps foreign errors as INTERNAL, keeping the cause', () => {
    const cause = new TypeError('boom');
    const err = toAppError(cause);
    expect(err.code).toBe('INTERNAL');
    expect(err.cause).toBe(cause);
    expect(toAppError(err)).toBe(err);
  });
});

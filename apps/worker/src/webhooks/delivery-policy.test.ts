import { describe, expect, it } from 'vitest';
import { retryDelay, verdictOf } from './delivery-policy.js';
import { retryAfter } from './post-webhook.js';

describe('delivery policy', () => {
  it('delivers on 2xx, retries no answer, 408, 429 and 5xx, and takes any other answer as final', () => {
    const cases: Array<[number | null, string]> = [
      [200, 'delivered'],
      [204, 'delivered'],
      [null, 'retry'],
      [408, 'retry'],
      [429, 'retry'],
      [500, 'retry'],
      [503, 'retry'],
      [301, 'final'],
      [400, 'final'],
      [401, 'final'],
      [404, 'final'],
      [410, 'final'],
    ];
    for (const [status, verdict] of cases) expect(verdictOf(status), String(status)).toBe(verdict);
  });

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    const settings = { baseMs: 1000, maxMs: 10_000 };
    expect(retryDelay(1, settings, null, () => 0)).toBe(500);
    expect(retryDelay(1, settings, null, () => 1)).toBe(1000);
    expect(retryDelay(3, settings, null, () => 1)).toBe(4000);
    expect(retryDelay(3, settings, null, () => 0)).toBe(2000);
    expect(retryDelay(10, settings, null, () => 1)).toBe(10_000);
  });

  it('follows Retry-After within the cap', () => {
    const settings = { baseMs: 1000, maxMs: 10_000 };
    expect(retryDelay(1, settings, 7000)).toBe(7000);
    expect(retryDelay(1, settings, 3_600_000)).toBe(10_000);
    expect(retryDelay(1, settings, 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-28T10:00:00Z');
    expect(retryAfter('120', now)).toBe(120_000);
    expect(retryAfter('Sat, 28 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfter('Sat, 28 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfter('soon', now)).toBeNull();
    expect(retryAfter(undefined, now)).toBeNull();
  });
});

/** What one attempt's answer means for the delivery. */
export type Verdict = 'delivered' | 'retry' | 'final';

/**
 * 2xx delivered; no answer, 408, 429 and 5xx are worth another try; any other answer (3xx, 4xx) is
 * the receiver's final word, so retrying would only repeat it.
 */
export function verdictOf(statusCode: number | null): Verdict {
  if (statusCode === null) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) return 'retry';
  return 'final';
}

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait before attempt `attemptsMade + 1`: the receiver's Retry-After when it sent one (capped),
 * else exponential from `baseMs` with "equal jitter" (half fixed, half random) so receivers coming back
 * from an outage are not hit by every queued delivery at the same instant.
 */
export function retryDelay(
  attemptsMade: number,
  settings: BackoffSettings,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return Math.min(settings.maxMs, Math.max(0, retryAfterMs));
  const exponential = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

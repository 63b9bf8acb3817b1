import { ERROR_REGISTRY, type ErrorCode } from './registry.js';

export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Longest string detail kept whole: a hostile input (a 64 KiB zip entry name) must not become a 64 KiB message, log line or API body. */
const MAX_DETAIL_CHARS = 2000;

function bounded(details: ErrorDetails): ErrorDetails {
  if (!Object.values(details).some((v) => typeof v === 'string' && v.length > MAX_DETAIL_CHARS))
    return details;
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) =>
      typeof value === 'string' && value.length > MAX_DETAIL_CHARS
        ? [key, `${value.slice(0, MAX_DETAIL_CHARS)}… (${value.length} characters in all)`]
        : [key, value],
    ),
  );
}

function render(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = details[key];
    return value === undefined || value === null ? whole : String(value);
  });
}

/**
 * An error with a stable code from the registry. Its message is for the user; `details` are
 * structured facts (never secrets) for logs and API bodies.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    details: ErrorDetails = {},
    options: { cause?: unknown; message?: string } = {},
  ) {
    const spec = ERROR_REGISTRY[code];
    details = bounded(details);
    super(
      options.message ?? render(spec.message, details),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new AppError('INTERNAL', { reason }, { cause: err });
}

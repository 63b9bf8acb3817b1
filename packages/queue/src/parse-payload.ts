import { AppError, type ErrorCode } from '@cvat-backup/common';

/** The part of a zod schema this needs (kept structural, so any zod version's schemas fit). */
interface PayloadSchema<T> {
  safeParse(
    v: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/**
 * Parses a job payload at either end of a queue: the producer before enqueueing, the worker before
 * doing anything. A malformed payload can never succeed, so it is a coded error (VALIDATION_FAILED
 * unless the caller names a more telling one) whose `problems` name every field at fault.
 */
export function parsePayload<T>(
  schema: PayloadSchema<T>,
  value: unknown,
  code: ErrorCode = 'VALIDATION_FAILED',
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `${i.path.map(String).join('.') || 'payload'}: ${i.message}`)
    .join('; ');
  throw new AppError(code, { problems });
}

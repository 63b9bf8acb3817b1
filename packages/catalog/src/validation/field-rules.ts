import { AppError } from '@cvat-backup/common';

/** PostgreSQL's integer: a larger value fails inside the write as "out of range". */
export const INT32_MAX = 2 ** 31 - 1;

export const invalid = (field: string, problem: string) =>
  new AppError('CATALOG_INVALID_VALUE', { field, problem });

/** Characters as PostgreSQL's length() counts them (code points, not UTF-16 units). */
function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** PostgreSQL text (and jsonb) cannot hold U+0000: the write fails as an encoding error. */
export function checkStorableText(field: string, value: string | undefined): void {
  if (value?.includes('\u0000')) throw invalid(field, 'it contains a NUL character (U+0000)');
}

/** Storable text within the schema's CHECK (length(x) BETWEEN min AND max), refused before the write. */
export function checkLength(field: string, value: string | undefined, min: number, max: number): void {
  if (value === undefined) return;
  checkStorableText(field, value);
  // Most values are short: count code points only when UTF-16 units could be over the limit.
  const n = value.length > max || value.length < min ? charCount(value) : value.length;
  if (n < min || n > max)
    throw invalid(
      field,
      min > 0 ? `it must be ${min} to ${max} characters long` : `it must be at most ${max} characters long`,
    );
}

/** A frame number, count or size stored as a PostgreSQL integer: within [min, max ≤ 2^31 − 1]. */
export function checkInteger(
  field: string,
  value: number | null | undefined,
  min = 0,
  max = INT32_MAX,
): void {
  if (value == null) return;
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalid(field, `it must be an integer within [${min}, ${max}]`);
}

/** A byte count stored as a PostgreSQL bigint ≥ 0 (as a JavaScript number: exact up to 2^53 − 1). */
export function checkByteSize(field: string, value: number | null | undefined): void {
  if (value == null) return;
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalid(field, `it must be an integer within [0, ${Number.MAX_SAFE_INTEGER}]`);
}

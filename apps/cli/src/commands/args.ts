import { usageError } from '../core/cli-error.js';

/** A positive integer id (task, project, cloud storage, schedule). */
export function parseId(value: string, what = 'id'): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 2 ** 31 - 1)
    throw usageError(`${what} must be a positive integer, not "${value}"`);
  return Number(value);
}

export type Destination = { location: 'local' } | { location: 'cloud_storage'; cloudStorageId: number };

/** `--target local` or `--target cloud:<cloud storage id>`. */
export function parseDestination(value: string | undefined): Destination {
  if (value === undefined || value === 'local') return { location: 'local' };
  const match = /^cloud:(.+)$/.exec(value);
  if (!match) throw usageError(`--target must be "local" or "cloud:<cloud storage id>", not "${value}"`);
  return { location: 'cloud_storage', cloudStorageId: parseId(match[1]!, 'cloud storage id') };
}

export type RestoreSource =
  | { kind: 'file'; path: string }
  | { kind: 'cloud'; cloudStorageId: number; key: string };

/** A local archive, or `cloud:<cloud storage id>:<key>` (the key may contain colons). */
export function parseSource(value: string): RestoreSource {
  if (!value.startsWith('cloud:')) return { kind: 'file', path: value };
  const rest = value.slice('cloud:'.length);
  const colon = rest.indexOf(':');
  if (colon < 0 || colon === rest.length - 1)
    throw usageError(`a cloud source reads "cloud:<cloud storage id>:<key>", not "${value}"`);
  return {
    kind: 'cloud',
    cloudStorageId: parseId(rest.slice(0, colon), 'cloud storage id'),
    key: rest.slice(colon + 1),
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `8M`, `512k`, `1048576`: a byte count of at least 1 KiB. */
export function parseSize(value: string): number {
  const match = /^(\d+)([kmg]?)i?b?$/i.exec(value.trim());
  const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]! : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024)
    throw usageError(`"${value}" is not a size of at least 1k (e.g. 512k, 8M)`);
  return bytes;
}

/** A non-negative integer option (seconds, counts). */
export function parseCount(value: string, what: string): number {
  if (!/^\d{1,10}$/.test(value)) throw usageError(`${what} must be a non-negative integer, not "${value}"`);
  return Number(value);
}

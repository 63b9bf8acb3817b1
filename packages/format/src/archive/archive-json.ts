import { AppError } from '@cvat-backup/common';
import type { z } from 'zod';
import { parseArchiveJson } from '../schema/schema-errors.js';
import type { ZipReader } from '../zip/zip-reader.js';

/**
 * Reads a small JSON entry (`task.json`, `project.json`) with a size cap, checks `version` before
 * the schema (so an unknown version is reported as such), then validates and normalises it.
 */
export async function readVersionedJson<S extends z.ZodType>(
  zip: ZipReader,
  name: string,
  schema: S,
  maxBytes: number,
): Promise<z.output<S>> {
  const entry = zip.get(name);
  if (!entry)
    throw new AppError('ARCHIVE_MISSING_ENTRY', {
      entry: name,
      kind: name.includes('project') ? 'project' : 'task',
    });
  const text = (await zip.readEntry(entry, maxBytes)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('ARCHIVE_JSON_MALFORMED', { entry: name, reason: (err as Error).message });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('ARCHIVE_SCHEMA_INVALID', { entry: name, problems: 'expected a JSON object' });
  }
  const version = (value as Record<string, unknown>)['version'];
  if (version !== '1.0') {
    throw new AppError('ARCHIVE_VERSION_UNSUPPORTED', {
      entry: name,
      version: describeVersion(version),
    });
  }
  return parseArchiveJson(schema, value, name);
}

/**
 * The declared version for the message, bounded: String() of a deeply nested array recurses
 * until the stack overflows, and a long string would fill the message.
 */
function describeVersion(version: unknown): string {
  if (version === undefined) return '(missing)';
  if (typeof version === 'string') return version.length > 40 ? `${version.slice(0, 40)}…` : version;
  if (typeof version === 'object' && version !== null)
    return Array.isArray(version) ? '(an array)' : '(an object)';
  return String(version);
}

import { AppError } from '@cvat-backup/common';

const MAX_NAME_BYTES = 255;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const CONTROL = /[\u0000-\u001f\u007f]/g;
const RESERVED = /[<>:"/\\|?*]/g;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `%Y_%m_%d_%H_%M_%S` of a UTC date, as CVAT formats the resource's `updated_date`. */
export function backupTimestamp(date: Date): string {
  return `${date.getUTCFullYear()}_${pad(date.getUTCMonth() + 1)}_${pad(date.getUTCDate())}_${pad(date.getUTCHours())}_${pad(date.getUTCMinutes())}_${pad(date.getUTCSeconds())}`;
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/**
 * CVAT's default name, `<task|project>_<name>_backup[-lightweight]_<%Y_%m_%d_%H_%M_%S>.zip`,
 * lower-cased, from the resource's `updated_date` (UTC). Unlike CVAT, characters that cannot be
 * part of a file name (`/`, `\`, control characters, …) in the resource name become `_`.
 */
export function defaultBackupFileName(input: {
  kind: 'task' | 'project';
  name: string;
  updatedDate: Date;
  lightweight?: boolean;
}): string {
  if (Number.isNaN(input.updatedDate.getTime())) {
    throw new AppError('FORMAT_FILE_NAME_INVALID', {
      name: input.name,
      reason: 'the updated date is not a valid date',
    });
  }
  const identifier = input.name.replace(CONTROL, '').replace(RESERVED, '_');
  const suffix = `_backup${input.lightweight ? '-lightweight' : ''}_${backupTimestamp(input.updatedDate)}.zip`;
  const head = truncateUtf8(`${input.kind}_${identifier}`, MAX_NAME_BYTES - Buffer.byteLength(suffix));
  return `${head}${suffix}`.toLowerCase();
}

/**
 * Makes a user-chosen name safe as a file or object name: only its last path component is kept,
 * control and reserved characters are removed or replaced, whitespace runs collapse, leading dots
 * go, `.zip` is appended when missing, and the result fits 255 UTF-8 bytes. An empty result is an
 * error.
 */
export function sanitizeBackupFileName(custom: string): string {
  const base = custom.split(/[/\\]/).pop() ?? '';
  let name = base.normalize('NFC').replace(/\s+/g, ' ').replace(CONTROL, '').replace(RESERVED, '_').trim();
  if (name.toLowerCase().endsWith('.zip')) name = name.slice(0, -4);
  name = name.replace(/^[. ]+/, '').replace(/[. ]+$/, '');
  if (name === '' || /^_+$/.test(name)) {
    throw new AppError('FORMAT_FILE_NAME_INVALID', {
      name: custom.replace(CONTROL, ''),
      reason: 'nothing usable is left after removing unsafe characters',
    });
  }
  return `${truncateUtf8(name, MAX_NAME_BYTES - 4)}.zip`;
}

/**
 * A `Content-Disposition: attachment` value for a download: an ASCII `filename` cleaned as CVAT
 * does (`\` and `"` escaped, whitespace runs collapsed, control characters removed, non-ASCII as
 * `_`) plus an RFC 5987 `filename*` carrying the exact UTF-8 name.
 */
export function contentDisposition(fileName: string): string {
  const clean = fileName.replace(/\s+/g, ' ').replace(CONTROL, '');
  const ascii = clean
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"');
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

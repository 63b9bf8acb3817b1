import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { mapPgError } from './pg-errors.js';

/** A value COPY text format can carry: scalars, arrays of scalars (PostgreSQL arrays) and JSON text. */
export type CopyValue = string | number | boolean | null | readonly (string | number)[];

const FLUSH_BYTES = 64 * 1024;

const SPECIAL = /[\\\n\r\t]/;

function escapeText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}

function arrayLiteral(values: readonly (string | number)[]): string {
  const items = values.map((v) =>
    typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`,
  );
  return `{${items.join(',')}}`;
}

/** One row in COPY text format (tab-separated, `\N` for NULL, newline-terminated). */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) line += '\t';
    if (v === null || v === undefined) line += '\\N';
    else if (typeof v === 'string') line += escapeText(v);
    else if (typeof v === 'number' || typeof v === 'boolean') line += String(v);
    else line += escapeText(arrayLiteral(v));
  }
  return `${line}\n`;
}

/**
 * Streams rows into `table (columns)` with COPY FROM STDIN on the given client, with backpressure:
 * memory holds one 64 KiB buffer, whatever the number of rows. Returns the number of rows written.
 */
export async function copyRows(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]> | AsyncIterable<readonly CopyValue[]>,
): Promise<number> {
  const stream = client.query(
    copyFrom(`COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`),
  );
  let failed: unknown;
  stream.on('error', (err) => {
    failed = err;
  });
  let buffer = '';
  let count = 0;
  const flush = async () => {
    if (buffer && !stream.write(buffer)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
    buffer = '';
  };
  try {
    for await (const row of rows) {
      if (failed) break;
      buffer += copyLine(row);
      count++;
      if (buffer.length >= FLUSH_BYTES) await flush();
    }
    if (!failed) {
      await flush();
      stream.end();
      await finished(stream);
    }
  } catch (err) {
    failed ??= err;
  }
  if (failed) {
    // destroy() makes pg-copy-streams send CopyFail, so the server ends the COPY and the client is reusable.
    if (!stream.destroyed) stream.destroy(failed instanceof Error ? failed : new Error(String(failed)));
    await finished(stream).catch(() => {});
    throw mapPgError(failed);
  }
  return count;
}

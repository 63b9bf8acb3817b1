import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { AnnotationScanner, type RawAnnotationEvent, scanAnnotations } from './annotations-scanner.js';

const DOC = JSON.stringify([
  {
    version: 0,
    tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'c"a\\r,]}' }],
    shapes: [
      {
        type: 'rectangle',
        points: [1.5, -2e3, 3, 4],
        frame: 1,
        label: 'caf\u00e9 \u{1f6b2}',
        attributes: [{ value: '[{', name: 'n' }],
      },
    ],
    tracks: [],
    unknown_key: { nested: [1, { a: 'b' }] },
  },
  { tracks: [{ frame: 2, shapes: [], label: 'x' }], version: 7, tags: [], shapes: [] },
  {},
]);

function expected(): RawAnnotationEvent[] {
  const jobs = JSON.parse(DOC) as Array<Record<string, unknown>>;
  const out: RawAnnotationEvent[] = [];
  for (const [j, job] of jobs.entries()) {
    out.push({ kind: 'job-start', job: j });
    for (const [key, value] of Object.entries(job)) {
      if (key === 'tags' || key === 'shapes' || key === 'tracks') {
        for (const [index, item] of (value as unknown[]).entries()) {
          out.push({ kind: 'item', job: j, list: key, index, value: item });
        }
      } else out.push({ kind: 'field', job: j, key, value });
    }
    out.push({ kind: 'job-end', job: j });
  }
  return out;
}

function scanInPieces(text: string, size: number): RawAnnotationEvent[] {
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new AnnotationScanner();
  const events: RawAnnotationEvent[] = [];
  for (let at = 0; at < bytes.length; at += size) events.push(...scanner.push(bytes.subarray(at, at + size)));
  scanner.end();
  return events;
}

async function codeOf(text: string, maxItemBytes?: number): Promise<string | undefined> {
  try {
    const opts = maxItemBytes === undefined ? {} : { maxItemBytes };
    for await (const _ of scanAnnotations([Buffer.from(text)], opts)) {
      // drain
    }
    return undefined;
  } catch (err) {
    return isAppError(err) ? err.code : String(err);
  }
}

describe('annotations.json scanner', () => {
  it.each([1, 2, 3, 7, 64, 1 << 16])(
    'yields the same events whatever the chunking (pieces of %i bytes)',
    (size) => {
      expect(scanInPieces(DOC, size)).toEqual(expected());
    },
  );

  it('accepts pretty-printed JSON', () => {
    expect(scanInPieces(JSON.stringify(JSON.parse(DOC), null, 2), 5)).toEqual(expected());
  });

  it('accepts an empty list of jobs', () => {
    expect(scanInPieces(' [ ] \n', 1)).toEqual([]);
  });

  it.each([
    ['not an array', '{"a":1}'],
    ['truncated', DOC.slice(0, DOC.length - 10)],
    ['trailing garbage', `${DOC}x`],
    ['missing comma between jobs', '[{} {}]'],
    ['trailing comma', '[{"tags":[],},]'],
    ['broken item', '[{"shapes":[{"type":}]}]'],
    ['list is not an array', '[{"shapes":{}}]'],
    ['key without value', '[{"version":}]'],
    ['bad scalar', '[{"version":tru}]'],
    ['empty document', ''],
  ])('refuses malformed input (%s) with ARCHIVE_JSON_MALFORMED', async (_label, text) => {
    expect(await codeOf(text)).toBe('ARCHIVE_JSON_MALFORMED');
  });

  it('refuses a single item above the size limit', async () => {
    expect(await codeOf(`[{"shapes":[{"points":[${'1,'.repeat(1000)}1]}]}]`, 512)).toBe(
      'ARCHIVE_JSON_MALFORMED',
    );
  });
});

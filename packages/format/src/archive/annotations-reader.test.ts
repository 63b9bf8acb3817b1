import { isAppError } from '@cvat-backup/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newestLabels } from '../testing/samples.js';
import {
  type AnnotationEvent,
  type AnnotationReadOptions,
  readAnnotationEvents,
} from './annotations-reader.js';

const tag = (label: string) => ({ frame: 0, group: 0, source: 'manual', attributes: [], label });
const job = (label: string) => ({ version: 3, tags: [tag(label)], shapes: [], tracks: [] });

async function read(
  text: string,
  options: Partial<AnnotationReadOptions> & { jobCount: number },
  pieceSize = 1 << 16,
): Promise<AnnotationEvent[]> {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += pieceSize) pieces.push(bytes.subarray(at, at + pieceSize));
  async function* stream() {
    yield* pieces;
  }
  const events: AnnotationEvent[] = [];
  for await (const e of readAnnotationEvents(stream(), { labels: newestLabels, ...options })) events.push(e);
  return events;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; details: unknown }> {
  try {
    await promise;
  } catch (err) {
    if (isAppError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

const jobsOf = (events: AnnotationEvent[]) => [...new Set(events.map((e) => e.job))];

describe('annotations.json arrays paired with the jobs of task.json (CVAT zips them)', () => {
  it('ignores an array beyond the jobs, even one whose labels and shapes are invalid', async () => {
    const extra = {
      version: 'x',
      tags: [tag('no such label')],
      shapes: [{ type: 'hexagon', points: 'none' }],
      tracks: 7,
    };
    for (const size of [1, 7, 1 << 16]) {
      const events = await read(JSON.stringify([job('car'), extra]), { jobCount: 1 }, size);
      expect(events).toEqual([
        { kind: 'job-start', job: 0 },
        { kind: 'tag', job: 0, index: 0, value: tag('car') },
        { kind: 'job-end', job: 0, version: 3 },
      ]);
    }
  });

  it('ignores arrays beyond the jobs that are not job objects at all', async () => {
    const text = `[${JSON.stringify(job('car'))}, null, 12.5e-3, "x", [[], {}], {"a": [true, false]}, -0]`;
    for (const size of [1, 3, 1 << 16]) {
      expect(jobsOf(await read(text, { jobCount: 1 }, size))).toEqual([0]);
    }
  });

  it('reads every array when there are as many as jobs, and no job when task.json has none', async () => {
    const text = JSON.stringify([job('car'), job('person')]);
    expect(jobsOf(await read(text, { jobCount: 2 }))).toEqual([0, 1]);
    expect(await read(text, { jobCount: 0 })).toEqual([]);
  });

  it('leaves the jobs beyond the arrays without annotations', async () => {
    const events = await read(JSON.stringify([job('car')]), { jobCount: 3 });
    expect(jobsOf(events)).toEqual([0]);
    expect(await read('[]', { jobCount: 3 })).toEqual([]);
  });

  it('still refuses a skipped array that is not JSON, naming the job', async () => {
    for (const bad of ['{"a":}', '[1,]', 'tru', '{"a" 1}', '"\\x"', '01', 'NaN', '[1}', '{"a":1', '"a\tb"']) {
      const text = `[${JSON.stringify(job('car'))},${bad}]`;
      for (const size of [1, 1 << 16]) {
        const { code, details } = await refusal(read(text, { jobCount: 1 }, size));
        expect(code, bad).toBe('ARCHIVE_JSON_MALFORMED');
        expect(String((details as { reason: string }).reason), bad).toMatch(/job 1 /);
      }
    }
  });

  it('refuses a skipped array nested deeper than the bound, and a document that ends inside one', async () => {
    const deep = `${'['.repeat(513)}${']'.repeat(513)}`;
    const tooDeep = await refusal(read(`[{},${deep}]`, { jobCount: 1 }));
    expect(tooDeep.code).toBe('ARCHIVE_JSON_MALFORMED');
    expect(String((tooDeep.details as { reason: string }).reason)).toMatch(/nested deeper than 512/);
    const fine = `${'['.repeat(500)}${']'.repeat(500)}`;
    expect(jobsOf(await read(`[{},${fine}]`, { jobCount: 1 }))).toEqual([0]);
    expect((await refusal(read('[{},[1,2', { jobCount: 1 }))).code).toBe('ARCHIVE_JSON_MALFORMED');
    expect((await refusal(read('[{},12', { jobCount: 1 }))).code).toBe('ARCHIVE_JSON_MALFORMED');
  });

  it('skips without buffering: a skipped array far larger than the item limit passes', async () => {
    const big = {
      version: 0,
      tags: [],
      shapes: [{ label: 'car', points: Array(20_000).fill(1.5) }],
      tracks: [],
    };
    const text = JSON.stringify([job('car'), big]);
    expect(jobsOf(await read(text, { jobCount: 1, maxItemBytes: 1024 }, 4096))).toEqual([0]);
    // The same item in a job that is read is held whole, and refused beyond the limit.
    const read2 = await refusal(read(JSON.stringify([big]), { jobCount: 1, maxItemBytes: 1024 }, 4096));
    expect(read2.code).toBe('ARCHIVE_JSON_MALFORMED');
  });

  it('yields the same events whatever JSON follows the jobs, in any piece size', async () => {
    const alone = await read(JSON.stringify([job('car')]), { jobCount: 1 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.json({ maxDepth: 5 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (extras, size) => {
          const text = `[${JSON.stringify(job('car'))}${extras.map((e) => `,\n ${e} `).join('')}]`;
          expect(await read(text, { jobCount: 1 }, size)).toEqual(alone);
        },
      ),
      { numRuns: 300 },
    );
  });
});

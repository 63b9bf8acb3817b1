import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { newestAnnotations } from '../testing/samples.js';
import { isNewestShape, isNewestTag, isNewestTrack } from './annotation-fast-path.js';
import { shapeSchema, tagSchema, trackSchema } from './annotations.schema.js';

const ODD_VALUES: unknown[] = [null, 'x', 1.5, -1, 0, true, [], {}, [1, 'a'], [{ value: 1, name: 'a' }]];

/** Every variant of `value` with one key removed, replaced or added, recursively. */
function* mutations(value: unknown, depth = 0): Generator<unknown> {
  if (depth > 3 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      for (const inner of mutations(value[i], depth + 1)) yield value.map((v, j) => (j === i ? inner : v));
      for (const odd of ODD_VALUES) yield value.map((v, j) => (j === i ? odd : v));
    }
    return;
  }
  const obj = value as Record<string, unknown>;
  yield { ...obj, extra: 1 };
  for (const key of Object.keys(obj)) {
    const { [key]: _removed, ...rest } = obj;
    yield rest;
    for (const odd of ODD_VALUES) yield { ...obj, [key]: odd };
    for (const inner of mutations(obj[key], depth + 1)) yield { ...obj, [key]: inner };
  }
}

function agree(name: string, fast: (v: unknown) => boolean, schema: z.ZodType, samples: unknown[]): number {
  let checked = 0;
  for (const sample of samples) {
    expect(fast(sample), `${name} sample takes the fast path`).toBe(true);
    for (const variant of [sample, ...mutations(sample)]) {
      checked++;
      if (!fast(variant)) continue;
      const parsed = schema.safeParse(variant);
      expect(parsed.success, `${name} fast path accepted what zod refuses: ${JSON.stringify(variant)}`).toBe(
        true,
      );
      expect(parsed.data, `${name} fast path result differs from zod: ${JSON.stringify(variant)}`).toEqual(
        variant,
      );
    }
  }
  return checked;
}

describe('annotation fast path', () => {
  const jobs = JSON.parse(JSON.stringify(newestAnnotations)) as typeof newestAnnotations;

  it('accepts only what the zod schemas accept, unchanged (tags)', () => {
    expect(
      agree(
        'tag',
        isNewestTag,
        tagSchema,
        jobs.flatMap((j) => j.tags),
      ),
    ).toBeGreaterThan(50);
  });

  it('accepts only what the zod schemas accept, unchanged (shapes, with skeleton elements)', () => {
    expect(
      agree(
        'shape',
        isNewestShape,
        shapeSchema,
        jobs.flatMap((j) => j.shapes),
      ),
    ).toBeGreaterThan(500);
  });

  it('accepts only what the zod schemas accept, unchanged (tracks, with elements)', () => {
    expect(
      agree(
        'track',
        isNewestTrack,
        trackSchema,
        jobs.flatMap((j) => j.tracks),
      ),
    ).toBeGreaterThan(500);
  });

  it('leaves older shapes (missing rotation, extra ids) to the schemas', () => {
    expect(
      isNewestShape({
        id: 1,
        type: 'points',
        occluded: false,
        z_order: 0,
        points: [1, 2],
        frame: 0,
        group: 0,
        source: 'manual',
        attributes: [],
        label: 'x',
      }),
    ).toBe(false);
  });
});

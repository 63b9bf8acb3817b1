import type { JobRecord } from '@cvat-backup/catalog';
import { describe, expect, it } from 'vitest';
import { JobRouter } from './job-router.js';

const job = (id: number, start: number, stop: number, frames: number[] | null = null) =>
  ({ id, start_frame: start, stop_frame: stop, frames }) as JobRecord;

const point = (frame: number) => ({ type: 'points' as const, frame, points: [frame, frame] });

describe('JobRouter', () => {
  const router = new JobRouter([job(2, 5, 9), job(1, 0, 4), job(3, 0, 9, [2, 7])]);

  it('sends tags and shapes to the first job (in segment order) holding their frame', () => {
    expect(router.route({ kind: 'tag', value: { label_id: 1, frame: 7 } }, 0).map((r) => r.jobId)).toEqual([
      2,
    ]);
    expect(router.route({ kind: 'tag', value: { label_id: 1, frame: 2 } }, 0).map((r) => r.jobId)).toEqual([
      1,
    ]);
  });

  it('cuts a track, with its skeleton elements, at job boundaries', () => {
    const routed = router.route(
      {
        kind: 'track',
        value: {
          label_id: 1,
          frame: 3,
          shapes: [
            { type: 'skeleton', frame: 3 },
            { type: 'skeleton', frame: 6 },
          ],
          elements: [
            { label_id: 2, frame: 3, shapes: [point(3), point(4)] },
            { label_id: 3, frame: 6, shapes: [point(6)] },
          ],
        },
      },
      0,
    );
    expect(routed.map((r) => r.jobId)).toEqual([1, 2]);
    const [first, second] = routed.map(
      (r) =>
        r.item.value as {
          frame: number;
          shapes: unknown[];
          elements: Array<{ frame: number; shapes: unknown[] }>;
        },
    );
    expect(first).toMatchObject({ frame: 3, shapes: [{ frame: 3 }] });
    expect(first!.elements.map((e) => e.shapes.length)).toEqual([2]);
    expect(second).toMatchObject({ frame: 6, shapes: [{ frame: 6 }] });
    expect(second!.elements).toEqual([{ label_id: 3, frame: 6, shapes: [point(6)] }]);
  });

  it('answers 400 naming the object for a frame outside every job', () => {
    expect(() =>
      router.route({ kind: 'shape', value: { label_id: 1, type: 'points', frame: 12 } }, 4),
    ).toThrow(
      expect.objectContaining({
        statusCode: 400,
        validation: [expect.objectContaining({ instancePath: '/shapes/4/frame' })],
      }),
    );
  });

  it('passes everything to the only job of a one-job task', () => {
    const one = new JobRouter([job(9, 0, 1)]);
    expect(one.route({ kind: 'tag', value: { label_id: 1, frame: 50 } }, 0)).toEqual([
      { jobId: 9, item: { kind: 'tag', value: { label_id: 1, frame: 50 } } },
    ]);
  });
});

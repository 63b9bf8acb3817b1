import { Readable } from 'node:stream';
import type { ArchiveFile, TaskContent } from '@cvat-backup/format';
import { describe, expect, it } from 'vitest';
import { manifestLines } from './archive-media.js';
import { videoFrames } from './archive-video.js';

/** CVAT's frames of a video task, spelled out: range(start, min(stop + 1 or length, length), step). */
function cvatFrames(start: number, stop: number | undefined, step: number, length: number): number[] {
  const end = Math.min(stop ? stop + 1 : length, length);
  const frames: number[] = [];
  for (let f = start; f < end; f += step) frames.push(f);
  return frames;
}

// Only what videoFrames reads of a task: its prefix and jobs (none here, so no job can overflow).
const noJobs = { prefix: '', meta: { jobs: [] } } as unknown as TaskContent;

describe('videoFrames', () => {
  const cases: Array<[number, number | undefined, number, number]> = [];
  for (let length = 1; length <= 10; length++)
    for (let start = 0; start <= 6; start++)
      for (const stop of [undefined, ...Array.from({ length: 13 }, (_, i) => i)])
        for (let step = 1; step <= 3; step++) cases.push([start, stop, step, length]);

  it(`matches CVAT's frame count and clamped stop_frame, and refuses ranges outside the video (${cases.length} cases)`, () => {
    let refused = 0;
    for (const [start, stop, step, length] of cases) {
      const frames = cvatFrames(start, stop, step, length);
      const manifest = { name: 'v.mp4', width: 1, height: 1, length, keyFrames: 0 };
      const run = () => videoFrames(noJobs, manifest, { start, stop, step });
      const where = JSON.stringify({ start, stop, step, length });
      if ((stop && stop >= length) || frames.length === 0) {
        expect(run, where).toThrow(expect.objectContaining({ code: 'BACKUP_VIDEO_FRAMES_MISMATCH' }));
        refused++;
      } else {
        expect(run(), where).toEqual({ size: frames.length, stopFrame: frames.at(-1) });
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(cases.length);
  });
});

describe('manifestLines', () => {
  it('keeps every byte of a line when a read chunk ends inside a multi-byte character', async () => {
    const text =
      '{"version":"1.1"}\r\n{"type":"video"}\n{"properties":{"name":"straße ü.mp4","resolution":[1,1],"length":3}}';
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('ß')) + 1;
    const file = {
      path: 'manifest.jsonl',
      entry: 'data/manifest.jsonl',
      size: bytes.length,
      mtime: new Date(0),
      open: async () =>
        Readable.from([bytes.subarray(0, cut), bytes.subarray(cut, cut + 1), bytes.subarray(cut + 1)]),
    } satisfies ArchiveFile;
    const lines: string[] = [];
    for await (const line of manifestLines(file)) lines.push(line);
    expect(lines).toEqual(text.split(/\r?\n/));
  });
});

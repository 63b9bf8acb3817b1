import { describe, expect, it } from 'vitest';
import { dataRequestSchema, selectFrames } from './data-request.schema.js';

describe('selectFrames (CVAT task creation: start, stop, step=N)', () => {
  it('records the last frame kept as the stop, not the stop asked for', () => {
    // Six files, start 1, stop 4, step 2: files 1 and 3; CVAT stores min(4, 1 + (2 - 1) * 2) = 3.
    expect(selectFrames(6, { start_frame: 1, stop_frame: 4, frame_filter: 'step=2' })).toEqual({
      indices: [1, 3],
      stop: 3,
    });
    expect(selectFrames(6, { start_frame: 0, stop_frame: 3, frame_filter: '' })).toEqual({
      indices: [0, 1, 2, 3],
      stop: 3,
    });
  });

  it('takes a stop past the files, or 0 (CVAT\'s default), as "to the last file"', () => {
    expect(selectFrames(4, { start_frame: 1, stop_frame: 99, frame_filter: 'step=2' })).toEqual({
      indices: [1, 3],
      stop: 3,
    });
    expect(selectFrames(5, { start_frame: 2, stop_frame: 0, frame_filter: '' })).toEqual({
      indices: [2, 3, 4],
      stop: 4,
    });
  });

  it('selects nothing when the start is past the last file', () => {
    expect(selectFrames(3, { start_frame: 5, frame_filter: '' }).indices).toEqual([]);
  });
});

describe('dataRequestSchema: stop_frame', () => {
  const base = { image_quality: 70 };
  it('refuses a stop before the start, but not the default 0', () => {
    expect(dataRequestSchema.safeParse({ ...base, start_frame: 3, stop_frame: 2 }).success).toBe(false);
    expect(dataRequestSchema.safeParse({ ...base, start_frame: 3, stop_frame: 0 }).success).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { type JobContext, validateItem } from './annotation-rules.js';
import { checkNewLabels } from './label-rules.js';
import {
  checkAssetFields,
  checkDataFields,
  checkGuideMarkdown,
  checkImageRow,
  checkResourceFields,
  checkSegment,
} from './record-rules.js';

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    const { code, details } = err as { code: string; details: Record<string, unknown> };
    return { code, field: details['field'] };
  }
  return undefined;
};

describe('catalog rules (pure: the repositories and a restore pre-flight run the same ones)', () => {
  it('task and project fields: the schema lengths, counted in characters as PostgreSQL does', () => {
    expect(
      refusal(() => checkResourceFields({ name: 'x'.repeat(256), bug_tracker: 'b'.repeat(2000) })),
    ).toBeUndefined();
    expect(refusal(() => checkResourceFields({ name: '🚗'.repeat(256) }))).toBeUndefined();
    expect(refusal(() => checkResourceFields({ name: '' }))).toEqual({
      code: 'CATALOG_INVALID_VALUE',
      field: 'name',
    });
    expect(refusal(() => checkResourceFields({ name: 'x'.repeat(257) }))).toMatchObject({ field: 'name' });
    expect(refusal(() => checkResourceFields({ bug_tracker: 'b'.repeat(2001) }))).toMatchObject({
      field: 'bug_tracker',
    });
    expect(refusal(() => checkResourceFields({ subset: 's'.repeat(65) }))).toMatchObject({ field: 'subset' });
  });

  it('data fields: frame filter, frame range, validation frames per job', () => {
    expect(
      refusal(() =>
        checkDataFields({ image_quality: 70, frame_filter: 'step=3', start_frame: 2, stop_frame: 2 }),
      ),
    ).toBeUndefined();
    expect(refusal(() => checkDataFields({ image_quality: 70, frame_filter: 'step=0' }))).toMatchObject({
      field: 'frame_filter',
    });
    expect(
      refusal(() => checkDataFields({ image_quality: 70, start_frame: 3, stop_frame: 2 })),
    ).toMatchObject({ field: 'stop_frame' });
    expect(refusal(() => checkDataFields({ image_quality: 70, stop_frame: 2 ** 31 }))).toMatchObject({
      field: 'stop_frame',
    });
    const layout = { mode: 'gt_pool' as const, frames: [], disabled_frames: [], frames_per_job_count: 0 };
    expect(refusal(() => checkDataFields({ image_quality: 70, validation_layout: layout }))).toMatchObject({
      field: 'validation_layout.frames_per_job_count',
    });
  });

  it('integers PostgreSQL stores in 32 bits, and media rows', () => {
    expect(refusal(() => checkResourceFields({ consensus_replicas: 2 ** 31 }))).toMatchObject({
      field: 'consensus_replicas',
    });
    expect(refusal(() => checkDataFields({ image_quality: 70, chunk_size: 0 }))).toMatchObject({
      field: 'chunk_size',
    });
    expect(refusal(() => checkDataFields({ image_quality: 70, deleted_frames: [2 ** 31] }))).toMatchObject({
      field: 'deleted_frames',
    });
    const video = { path: 'v.mp4', width: 640, height: -1, byte_size: null };
    expect(refusal(() => checkDataFields({ image_quality: 70, video }))).toMatchObject({
      field: 'video.height',
    });
    const image = { frame: 0, path: 'a.jpg', width: 1, height: 1 };
    expect(refusal(() => checkImageRow(image))).toBeUndefined();
    expect(refusal(() => checkImageRow({ ...image, path: 'p'.repeat(1025) }))).toMatchObject({
      field: 'images.path',
    });
    expect(refusal(() => checkImageRow({ ...image, width: -1 }))).toMatchObject({ field: 'images.width' });
  });

  it("guide assets: the size limit is the caller's (the catalog setting), the name the schema's", () => {
    expect(refusal(() => checkAssetFields({ filename: 'x.png', size: 16 }, 16))).toBeUndefined();
    expect(refusal(() => checkAssetFields({ filename: 'x.png', size: 17 }, 16))).toEqual({
      code: 'CATALOG_ASSET_TOO_LARGE',
      field: undefined,
    });
    expect(refusal(() => checkAssetFields({ filename: '', size: 1 }, 16))).toMatchObject({
      field: 'assets.filename',
    });
  });

  it('text PostgreSQL cannot store: U+0000 anywhere in text or jsonb', () => {
    expect(refusal(() => checkResourceFields({ name: 'a\u0000' }))).toMatchObject({ field: 'name' });
    expect(refusal(() => checkGuideMarkdown('# guide\u0000'))).toMatchObject({ field: 'markdown' });
    const image = { frame: 0, path: 'a.jpg', width: 1, height: 1, related_files: ['b\u0000.jpg'] };
    expect(refusal(() => checkImageRow(image))).toMatchObject({ field: 'images.related_files' });
    const attribute = { name: 'a', input_type: 'select' as const, values: ['x', 'y\u0000'] };
    expect(refusal(() => checkNewLabels([{ name: 'car', attributes: [attribute] }]))).toMatchObject({
      field: 'labels.attributes.values',
    });
    expect(refusal(() => checkResourceFields({ segment_size: 2 ** 31 }))).toMatchObject({
      field: 'segment_size',
    });
  });

  it('segments: a range that stops before it starts, frames outside the range, frames beyond 32 bits', () => {
    expect(refusal(() => checkSegment({ start_frame: 0, stop_frame: 4, frames: [0, 4] }))).toBeUndefined();
    expect(refusal(() => checkSegment({ start_frame: 2, stop_frame: 1 }))).toMatchObject({
      field: 'segments.stop_frame',
    });
    expect(refusal(() => checkSegment({ start_frame: 0, stop_frame: 4, frames: [5] }))).toMatchObject({
      field: 'segments.frames',
    });
    expect(refusal(() => checkSegment({ start_frame: 0, stop_frame: 2 ** 31 }))).toMatchObject({
      field: 'segments.stop_frame',
    });
  });

  it('labels: name, colour, attribute lengths, and svg references to sublabels of the same label', () => {
    const walker = {
      name: 'walker',
      type: 'skeleton' as const,
      sublabels: [{ name: 'nose' }],
      svg: '<c data-label-name="nose"/>',
    };
    expect(refusal(() => checkNewLabels([{ name: 'car', color: '#00ff00' }, walker]))).toBeUndefined();
    expect(refusal(() => checkNewLabels([{ ...walker, svg: '<c data-label-name="tail"/>' }]))).toMatchObject({
      field: 'labels.svg',
    });
    expect(refusal(() => checkNewLabels([{ name: 'x'.repeat(65) }]))).toMatchObject({ field: 'labels.name' });
    expect(refusal(() => checkNewLabels([{ ...walker, sublabels: [{ name: '' }] }]))).toMatchObject({
      field: 'labels.name',
    });
    expect(refusal(() => checkNewLabels([{ name: 'car', color: 'red' }]))).toMatchObject({
      field: 'labels.color',
    });
    const attribute = { name: 'a', input_type: 'text' as const, default_value: 'd'.repeat(129) };
    expect(refusal(() => checkNewLabels([{ name: 'car', attributes: [attribute] }]))).toMatchObject({
      field: 'labels.attributes.default_value',
    });
  });

  it('annotations: group and z_order must fit PostgreSQL integers; a job without an id is named', () => {
    const ctx: JobContext = {
      jobId: 0,
      jobName: '1 of annotations.json',
      taskId: 0,
      startFrame: 0,
      stopFrame: 9,
      frames: null,
      labels: new Map([[1, { parentId: null, attributeIds: new Set<number>() }]]),
    };
    const shape = { label_id: 1, type: 'rectangle' as const, frame: 0, points: [0, 0, 1, 1] };
    expect(() =>
      validateItem(ctx, { kind: 'shape', value: { ...shape, group: 2 ** 31 - 1 } }, 0),
    ).not.toThrow();
    expect(() => validateItem(ctx, { kind: 'shape', value: { ...shape, group: 2 ** 31 } }, 3)).toThrow(
      'Annotation shape #3 of job 1 of annotations.json is invalid: group must be an integer within [0, 2147483647]',
    );
    expect(() =>
      validateItem(ctx, { kind: 'shape', value: { ...shape, z_order: -(2 ** 31) - 1 } }, 0),
    ).toThrow('z_order must be an integer within');
  });
});

import { AppError } from '@cvat-backup/common';
import type { ImageInput, NewData, VideoRecord } from '../repositories/data.repository.js';
import type { SegmentInput } from '../repositories/job.repository.js';
import { checkByteSize, checkInteger, checkLength, checkStorableText, invalid } from './field-rules.js';

/**
 * What the catalog accepts in a task, project, data or segment row, as pure rules: the repositories
 * run them before writing (the schema's CHECKs stay the last word), and a restore runs them on a
 * backup before it copies any media.
 */

/** Name, bug tracker and subset of a task or project (absent fields are not checked). */
export function checkResourceFields(input: {
  name?: string;
  bug_tracker?: string;
  subset?: string;
  consensus_replicas?: number;
  segment_size?: number;
  overlap?: number | null;
}): void {
  checkLength('name', input.name, 1, 256);
  checkLength('bug_tracker', input.bug_tracker, 0, 2000);
  checkLength('subset', input.subset, 0, 64);
  checkInteger('consensus_replicas', input.consensus_replicas);
  checkInteger('segment_size', input.segment_size);
  checkInteger('overlap', input.overlap);
}

/** A guide's markdown (no length limit; only what PostgreSQL text cannot hold). */
export function checkGuideMarkdown(markdown: string): void {
  checkStorableText('markdown', markdown);
}

/** The fields of a task's data and its video row (image rows are checked as they stream: checkImageRow). */
export function checkDataFields(input: NewData): void {
  checkInteger('image_quality', input.image_quality, 0, 100);
  checkInteger('chunk_size', input.chunk_size, 1);
  checkInteger('size', input.size);
  for (const frame of input.deleted_frames ?? []) checkInteger('deleted_frames', frame);
  if (input.frame_filter && !/^step=[1-9][0-9]*$/.test(input.frame_filter))
    throw invalid('frame_filter', `"${input.frame_filter}" is not of the form step=N (N ≥ 1)`);
  checkInteger('start_frame', input.start_frame);
  checkInteger('stop_frame', input.stop_frame);
  if (input.stop_frame !== undefined && input.stop_frame < (input.start_frame ?? 0))
    throw invalid('stop_frame', `it is before start_frame (${input.start_frame ?? 0})`);
  for (const frame of input.validation_layout?.frames ?? []) checkInteger('validation_layout.frames', frame);
  for (const frame of input.validation_layout?.disabled_frames ?? [])
    checkInteger('validation_layout.disabled_frames', frame);
  const perJob = input.validation_layout?.frames_per_job_count;
  if (perJob != null && !(Number.isInteger(perJob) && perJob > 0))
    throw invalid('validation_layout.frames_per_job_count', 'it must be an integer > 0, or null');
  if (input.video) checkMediaRow('video', input.video);
}

/** A guide asset: its size within the catalog's limit, its file name within the schema's. */
export function checkAssetFields(asset: { filename: string; size: number }, maxBytes: number): void {
  if (asset.size > maxBytes)
    throw new AppError('CATALOG_ASSET_TOO_LARGE', {
      filename: asset.filename,
      size: asset.size,
      limit: maxBytes,
    });
  checkLength('assets.filename', asset.filename, 1, 1024);
}

/** One image of a task's data, as it streams into the catalog. */
export function checkImageRow(image: ImageInput): void {
  checkInteger('images.frame', image.frame);
  checkMediaRow('images', image);
  for (const file of image.related_files ?? []) checkStorableText('images.related_files', file);
}

function checkMediaRow(
  table: string,
  row: Pick<VideoRecord, 'path' | 'width' | 'height'> & { byte_size?: number | null },
): void {
  checkLength(`${table}.path`, row.path, 1, 1024);
  checkInteger(`${table}.width`, row.width);
  checkInteger(`${table}.height`, row.height);
  checkByteSize(`${table}.byte_size`, row.byte_size);
}

/** A segment's frame range, and a ground-truth segment's frames inside it. */
export function checkSegment(segment: SegmentInput): void {
  checkInteger('segments.start_frame', segment.start_frame);
  checkInteger('segments.stop_frame', segment.stop_frame);
  if (segment.stop_frame < segment.start_frame)
    throw invalid('segments.stop_frame', `it is before start_frame (${segment.start_frame})`);
  if (segment.frames?.some((f) => !Number.isInteger(f) || f < segment.start_frame || f > segment.stop_frame))
    throw invalid(
      'segments.frames',
      `frames must lie within [${segment.start_frame}, ${segment.stop_frame}]`,
    );
}

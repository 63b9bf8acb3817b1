import type { NewData } from '../repositories/data.repository.js';
import type { SegmentInput } from '../repositories/job.repository.js';
import { checkFrameNumber, checkLength, invalid } from './field-rules.js';

/**
 * What the catalog accepts in a task, project, data or segment row, as pure rules: the repositories
 * run them before writing (the schema's CHECKs stay the last word), and a restore runs them on a
 * backup before it copies any media.
 */

/** Name, bug tracker and subset of a task or project (absent fields are not checked). */
export function checkResourceFields(input: { name?: string; bug_tracker?: string; subset?: string }): void {
  checkLength('name', input.name, 1, 256);
  checkLength('bug_tracker', input.bug_tracker, 0, 2000);
  checkLength('subset', input.subset, 0, 64);
}

/** The scalar fields of a task's data (images, video and manifest rows are checked as they stream). */
export function checkDataFields(input: NewData): void {
  if (input.frame_filter && !/^step=[1-9][0-9]*$/.test(input.frame_filter))
    throw invalid('frame_filter', `"${input.frame_filter}" is not of the form step=N (N ≥ 1)`);
  checkFrameNumber('start_frame', input.start_frame);
  checkFrameNumber('stop_frame', input.stop_frame);
  if (input.stop_frame !== undefined && input.stop_frame < (input.start_frame ?? 0))
    throw invalid('stop_frame', `it is before start_frame (${input.start_frame ?? 0})`);
  const perJob = input.validation_layout?.frames_per_job_count;
  if (perJob != null && !(Number.isInteger(perJob) && perJob > 0))
    throw invalid('validation_layout.frames_per_job_count', 'it must be an integer > 0, or null');
}

/** A segment's frame range, and a ground-truth segment's frames inside it. */
export function checkSegment(segment: SegmentInput): void {
  checkFrameNumber('segments.start_frame', segment.start_frame);
  checkFrameNumber('segments.stop_frame', segment.stop_frame);
  if (segment.stop_frame < segment.start_frame)
    throw invalid('segments.stop_frame', `it is before start_frame (${segment.start_frame})`);
  if (segment.frames?.some((f) => !Number.isInteger(f) || f < segment.start_frame || f > segment.stop_frame))
    throw invalid(
      'segments.frames',
      `frames must lie within [${segment.start_frame}, ${segment.stop_frame}]`,
    );
}

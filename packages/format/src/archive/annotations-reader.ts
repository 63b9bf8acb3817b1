import { AppError } from '@cvat-backup/common';
import { type ScanOptions, scanAnnotations } from '../json/annotations-scanner.js';
import { isNewestShape, isNewestTag, isNewestTrack } from '../schema/annotation-fast-path.js';
import {
  type Shape,
  shapeSchema,
  type Tag,
  type Track,
  tagSchema,
  trackSchema,
} from '../schema/annotations.schema.js';
import type { Label } from '../schema/label.schema.js';
import { parseArchiveJson } from '../schema/schema-errors.js';
import { LabelIndex } from './label-index.js';

/**
 * `annotations.json`, one event at a time, in document order: a job starts, its tags, shapes and
 * tracks follow one by one (validated, labels and attributes checked), the job ends with its
 * `version`. Jobs are numbered like `task.json`'s `jobs` (positional, as CVAT restores them: it
 * pairs the two lists with Python's `zip()`, so arrays beyond the jobs are never read, and jobs
 * beyond the arrays get no annotations). Arrays beyond the jobs yield no events: they are only
 * checked to be JSON, without being held in memory.
 */
export type AnnotationEvent =
  | { kind: 'job-start'; job: number }
  | { kind: 'tag'; job: number; index: number; value: Tag }
  | { kind: 'shape'; job: number; index: number; value: Shape }
  | { kind: 'track'; job: number; index: number; value: Track }
  | { kind: 'job-end'; job: number; version: number };

export interface AnnotationReadOptions {
  /** Labels of the task (or of the project, for a task inside a project backup). */
  labels: readonly Label[];
  /** Number of jobs in `task.json`; arrays for further jobs are skipped (as CVAT does). */
  jobCount: number;
  entry?: string;
  /** Largest single tag/shape/track accepted, in bytes of JSON. Default 64 MiB. */
  maxItemBytes?: number;
}

const ITEM_SCHEMAS = { tags: tagSchema, shapes: shapeSchema, tracks: trackSchema } as const;

export async function* readAnnotationEvents(
  bytes: AsyncIterable<Buffer | Uint8Array | string>,
  options: AnnotationReadOptions,
): AsyncGenerator<AnnotationEvent> {
  const entry = options.entry ?? 'annotations.json';
  const index = new LabelIndex(options.labels);
  let version = 0;
  const scanOptions: ScanOptions = { entry, jobLimit: options.jobCount };
  if (options.maxItemBytes !== undefined) scanOptions.maxItemBytes = options.maxItemBytes;
  for await (const raw of scanAnnotations(bytes, scanOptions)) {
    switch (raw.kind) {
      case 'job-start':
        version = 0;
        yield raw;
        break;
      case 'field':
        if (raw.key === 'version') {
          if (!Number.isSafeInteger(raw.value)) {
            throw new AppError('ARCHIVE_SCHEMA_INVALID', {
              entry,
              problems: `job ${raw.job}.version: expected an integer`,
            });
          }
          version = raw.value as number;
        }
        break;
      case 'item': {
        const where = `job ${raw.job}.${raw.list}[${raw.index}]`;
        if (raw.list === 'tags') {
          const value = isNewestTag(raw.value)
            ? raw.value
            : parseArchiveJson(ITEM_SCHEMAS.tags, raw.value, entry, where);
          index.checkTag(raw.job, value);
          yield { kind: 'tag', job: raw.job, index: raw.index, value };
        } else if (raw.list === 'shapes') {
          const value = isNewestShape(raw.value)
            ? raw.value
            : parseArchiveJson(ITEM_SCHEMAS.shapes, raw.value, entry, where);
          index.checkShape(raw.job, value);
          yield { kind: 'shape', job: raw.job, index: raw.index, value };
        } else {
          const value = isNewestTrack(raw.value)
            ? raw.value
            : parseArchiveJson(ITEM_SCHEMAS.tracks, raw.value, entry, where);
          index.checkTrack(raw.job, value);
          yield { kind: 'track', job: raw.job, index: raw.index, value };
        }
        break;
      }
      case 'job-end':
        yield { kind: 'job-end', job: raw.job, version };
        break;
    }
  }
}

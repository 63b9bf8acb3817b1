import type { AnnotationItem, JobRecord, TrackElementInput, TrackInput } from '@cvat-backup/catalog';
import { fieldError } from '../http/validate.js';

/** An item bound for one job. */
export interface Routed {
  jobId: number;
  item: AnnotationItem;
}

/**
 * Splits a task's annotations over its jobs by frame, as CVAT's task-level PUT does: a tag or shape
 * goes to the first job (range segments in frame order, then ground-truth jobs) holding its frame; a track is cut into one piece per job
 * its shapes fall into. Frames outside every job answer 400.
 */
export class JobRouter {
  private readonly jobs: readonly JobRecord[];

  constructor(jobs: readonly JobRecord[]) {
    // Range segments first, in frame order; specific-frame (ground-truth) jobs only take what is left.
    this.jobs = [...jobs].sort(
      (a, b) =>
        Number(a.frames !== null) - Number(b.frames !== null) || a.start_frame - b.start_frame || a.id - b.id,
    );
  }

  get jobIds(): number[] {
    return this.jobs.map((j) => j.id);
  }

  route(item: AnnotationItem, index: number): Routed[] {
    if (this.jobs.length === 1) return [{ jobId: this.jobs[0]!.id, item }];
    if (item.kind !== 'track') return [{ jobId: this.jobOf(item.value.frame, item.kind, index), item }];
    const pieces = new Map<number, TrackInput>();
    const pieceOf = (jobId: number): TrackInput => {
      let piece = pieces.get(jobId);
      if (!piece) {
        piece = {
          ...item.value,
          shapes: [],
          elements: (item.value.elements ?? []).map((e) => ({ ...e, shapes: [] })),
        };
        pieces.set(jobId, piece);
      }
      return piece;
    };
    for (const shape of item.value.shapes)
      pieceOf(this.jobOf(shape.frame, 'track', index)).shapes.push(shape);
    (item.value.elements ?? []).forEach((element, e) => {
      for (const shape of element.shapes)
        (pieceOf(this.jobOf(shape.frame, 'track', index)).elements![e] as TrackElementInput).shapes.push(
          shape,
        );
    });
    return [...pieces].map(([jobId, piece]) => {
      const elements = (piece.elements ?? []).filter((e) => e.shapes.length > 0);
      for (const e of elements) e.frame = e.shapes[0]!.frame;
      const frame = piece.shapes[0]?.frame ?? elements[0]?.frame ?? piece.frame;
      return { jobId, item: { kind: 'track', value: { ...piece, frame, elements } } };
    });
  }

  private jobOf(frame: number, kind: string, index: number): number {
    for (const job of this.jobs) {
      const inRange = frame >= job.start_frame && frame <= job.stop_frame;
      if (inRange && (!job.frames || job.frames.includes(frame))) return job.id;
    }
    throw fieldError([`${kind}s`, index, 'frame'], `frame ${frame} is not a frame of this task's jobs`);
  }
}

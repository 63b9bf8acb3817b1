import type { JobInput, SegmentInput } from '@cvat-backup/catalog';
import type { Job } from '@cvat-backup/format';

/** CVAT stores only a job's status in a backup; stage and state follow from it. */
export function jobFromStatus(job: Job): JobInput {
  const base = { type: job.type, status: job.status };
  if (job.status === 'completed') return { ...base, stage: 'acceptance', state: 'completed' };
  if (job.status === 'validation') return { ...base, stage: 'validation', state: 'new' };
  return { ...base, stage: 'annotation', state: 'new' };
}

/**
 * Segments to create from task.json's jobs, which list segments by their first job and each
 * segment's jobs together: consensus replicas follow the annotation job of their segment.
 * Returns also, for each archive job, its position among the created jobs (annotations go by it).
 */
export function segmentsOf(jobs: readonly Job[]): SegmentInput[] {
  const segments: SegmentInput[] = [];
  for (const job of jobs) {
    const last = segments.at(-1);
    if (
      job.type === 'consensus_replica' &&
      last &&
      last.start_frame === job.start_frame &&
      last.stop_frame === job.stop_frame
    ) {
      last.jobs!.push(jobFromStatus(job));
      continue;
    }
    if (job.type === 'ground_truth') {
      segments.push({
        type: 'specific_frames',
        start_frame: job.start_frame,
        stop_frame: job.stop_frame,
        frames: job.frames ?? [],
        jobs: [jobFromStatus(job)],
      });
    } else {
      segments.push({
        type: 'range',
        start_frame: job.start_frame,
        stop_frame: job.stop_frame,
        jobs: [jobFromStatus(job)],
      });
    }
  }
  return segments;
}

/** CVAT's rule (backup.py): segment size from the first annotation job, overlap from the first two. */
export function segmentGeometry(
  jobs: readonly Job[],
  customSegments: boolean,
): { segment_size: number; overlap: number } {
  if (customSegments) return { segment_size: 0, overlap: 0 };
  const annotation = jobs.filter((j) => j.type === 'annotation');
  const [first, second] = annotation;
  if (!first) return { segment_size: 0, overlap: 0 };
  return {
    segment_size: first.stop_frame - first.start_frame + 1,
    overlap: second ? Math.max(0, first.stop_frame - second.start_frame + 1) : 0,
  };
}

import { AppError } from '@cvat-backup/common';
import type { Job } from '@cvat-backup/format';

/**
 * What task.json's jobs say about the task's frames, checked against the frames the restore takes
 * from data/manifest.jsonl. CVAT restores custom segments and honeypot tasks frame by frame from the
 * jobs' `files` and refuses a manifest line that names another file ("Incorrect file mapping to
 * manifest content", task.py); its honeypot manifests hold one line per frame, placeholders
 * included (ImageManifestManager.reorder), so the manifest order and the `files` agree in a backup
 * CVAT made. A disagreement would restore annotations onto other images: it is refused.
 */
export class JobFrames {
  /** Frame → the file some job's `files` put there, and the first job that says so. */
  readonly #files = new Map<number, { file: string; job: number }>();
  readonly #entry: string;

  constructor(
    private readonly jobs: readonly Job[],
    prefix: string,
  ) {
    this.#entry = `${prefix}task.json`;
    jobs.forEach((job, i) => {
      if (job.files === undefined) return;
      const frames = job.frames ? [...new Set(job.frames)].sort((a, b) => a - b) : null;
      const count = frames ? frames.length : job.stop_frame - job.start_frame + 1;
      if (job.files.length !== count)
        this.#mismatch(i, `it lists ${job.files.length} files for its ${count} frames`);
      job.files.forEach((file, k) => {
        const frame = frames ? frames[k]! : job.start_frame + k;
        const known = this.#files.get(frame);
        if (!known) this.#files.set(frame, { file, job: i });
        else if (known.file !== file)
          this.#mismatch(
            i,
            `it puts "${file}" on frame ${frame}, job ${known.job} puts "${known.file}" there`,
          );
      });
    });
  }

  /** Frame `frame` of the task is the file `path` (in the manifest's order). */
  checkFrame(frame: number, path: string): void {
    const expected = this.#files.get(frame);
    if (expected && expected.file !== path)
      this.#mismatch(
        expected.job,
        `it puts "${expected.file}" on frame ${frame}, data/manifest.jsonl puts "${path}" there`,
      );
  }

  /** Every job lies within the task's `count` frames (a job beyond them would show no image). */
  checkWithin(count: number): void {
    this.jobs.forEach((job, i) => {
      if (job.stop_frame < count) return;
      throw new AppError('BACKUP_JOB_OUTSIDE_TASK', {
        entry: this.#entry,
        job: i,
        start: job.start_frame,
        stop: job.stop_frame,
        count,
      });
    });
  }

  #mismatch(job: number, problem: string): never {
    throw new AppError('BACKUP_JOB_FILES_MISMATCH', { entry: this.#entry, job, problem });
  }
}

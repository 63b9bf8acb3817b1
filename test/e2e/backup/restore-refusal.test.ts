/**
 * A restore through the queue and a real worker process of a backup the catalog would refuse: the
 * job fails with the catalog's code and a message that says what to fix, before any media are
 * copied (no "restoring-media" progress, nothing under media/imports/), and is not retried.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cvatEntries, cvatTaskJson } from '../../../packages/backup/test/cvat-video-archive.js';
import { composeZip } from '../../../packages/format/src/testing/raw-zip.js';
import { useWorkerHarness } from './worker-harness.js';

describe('worker: a restore the catalog would refuse', () => {
  const harness = useWorkerHarness();

  it('fails with CATALOG_ANNOTATION_INVALID before copying media, once', async () => {
    const h = harness();
    // CVAT's 2022 video task, its second job cut to frames 5-6: its tag on frame 7 now lies outside.
    const task = cvatTaskJson({}, [
      { start_frame: 0, stop_frame: 4, status: 'annotation' },
      { start_frame: 5, stop_frame: 6, status: 'annotation' },
    ]);
    const staged = path.join(h.dataRoot, 'staging', 'uploads');
    await mkdir(staged, { recursive: true });
    await writeFile(
      path.join(staged, 'refused.zip'),
      composeZip(cvatEntries({ task }).map(([name, data]) => ({ name, data }))),
    );

    const progress: Array<{ jobId: string; phase: string }> = [];
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
      progress.push({ jobId, phase: (data as { phase: string }).phase });
    };
    h.importEvents.on('progress', onProgress);
    const { rqId } = await h.producer.enqueueImport({
      version: 1,
      target: 'task',
      userId: h.fx.actor.id,
      source: { kind: 'staged', key: 'uploads/refused.zip' },
      requestedAt: new Date().toISOString(),
    });
    await expect(h.finished('imports', rqId)).rejects.toThrow(
      'CATALOG_ANNOTATION_INVALID: Annotation tag #0 of job 1 of annotations.json is invalid: frame 7 is not a frame of this job',
    );
    h.importEvents.off('progress', onProgress);

    expect((await h.producer.imports.getJob(rqId))?.attemptsMade).toBe(1);
    const phases = progress.filter((p) => p.jobId === rqId).map((p) => p.phase);
    expect(phases).toContain('validating');
    expect(phases).not.toContain('restoring-media');
    const media = path.join(h.dataRoot, 'media');
    expect(await readdir(media).catch(() => [])).not.toContain('imports');
  });
});

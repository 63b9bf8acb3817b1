/**
 * A job whose worker dies more than once (a node drained twice, a pod restarted during a rollout and
 * again later): it is not lost while it has attempts left; the next worker finishes it.
 */
import path from 'node:path';
import type { ExportOutcome } from '@cvat-backup/backup';
import { FileSource, openBackup } from '@cvat-backup/format';
import { describe, expect, it } from 'vitest';
import { useWorkerHarness } from './worker-harness.js';

describe('a job whose worker is killed again and again', () => {
  const harness = useWorkerHarness();

  it('completes after three SIGKILLs in the middle of the same export', async () => {
    const h = harness();
    const count = 300;
    const taskId = await h.createBigTask('killed thrice', count);
    let killed = h.killAtPhase('exports', 'writing-media');
    const { rqId } = await h.producer.enqueueExport(h.exportRequest({ targetId: taskId }));
    // Fails the race (and so the test) at once if a death ends the job instead of handing it over.
    const done = h.finished<ExportOutcome>('exports', rqId);
    let finished = false;
    void done.then(() => (finished = true)).catch(() => {});
    await Promise.race([killed, done]);
    for (let restart = 0; restart < 2; restart++) {
      killed = h.killAtPhase('exports', 'writing-media');
      await h.worker.start();
      await Promise.race([killed, done]);
    }
    expect(finished).toBe(false);
    await h.worker.start();
    const outcome = await done;
    const backup = await openBackup(await FileSource.open(path.join(h.dataRoot, 'archives', outcome.key)), {
      expect: 'task',
    });
    expect(await backup.verify()).toMatchObject({ checksums: true, entries: count + 4 });
    await backup.close();
  });
});

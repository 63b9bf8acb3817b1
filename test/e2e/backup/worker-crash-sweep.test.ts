/**
 * A worker SIGKILLed in the middle of its expiry sweep: the files it had not reached yet are removed by
 * the next sweep after a restart, and what no sweep may touch (fresh archives, scheduled archives,
 * which their catalog rows point at) is still there.
 */
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWorkerHarness } from './worker-harness.js';

const DIRS = 40;
const PER_DIR = 150;

describe('a worker killed during the expiry sweep', () => {
  const harness = useWorkerHarness({
    SWEEP_INTERVAL_SECONDS: '1',
    RESULT_TTL_SECONDS: '600',
    ARCHIVE_REUSE_SECONDS: '60',
  });
  // The files are laid out before the first sweep can run.
  beforeAll(() => harness().worker.stop());

  const archives = () => path.join(harness().dataRoot, 'archives');
  const files = async () =>
    (await readdir(archives(), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(archives(), path.join(e.parentPath, e.name)))
      .sort();

  async function writeAged(rel: string, ageMs: number): Promise<void> {
    const file = path.join(archives(), rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'zip');
    const when = new Date(Date.now() - ageMs);
    await utimes(file, when, when);
  }

  it('leaves nothing expired behind once restarted, and never touches what must stay', async () => {
    const h = harness();
    const day = 24 * 3600_000;
    const keep = ['task-1/fresh.zip', 'schedules/1/old.zip', 'task-2/.fresh.zip.cvb-tmp-0123456789ab'];
    await writeAged(keep[0]!, 0);
    await writeAged(keep[1]!, 30 * day);
    await writeAged(keep[2]!, 0);
    const expired: string[] = [];
    for (let d = 0; d < DIRS; d++)
      await Promise.all(
        Array.from({ length: PER_DIR }, (_, i) => {
          const rel = `task-${100 + d}/${i}.zip`;
          expired.push(rel);
          return writeAged(rel, day);
        }),
      );
    // Debris of a crashed write, old enough for the sweep of temp files.
    expired.push('task-3/.x.zip.cvb-tmp-ba9876543210');
    await writeAged('task-3/.x.zip.cvb-tmp-ba9876543210', 2 * 3600_000);
    const total = (await files()).length;
    expect(total).toBe(expired.length + keep.length);

    await h.worker.start();
    // Killed once the sweep has deleted some, and not all, of the expired archives.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const left = (await files()).length;
      if (left < total - 50) break;
      if (Date.now() > deadline) throw new Error(`the sweep never started:\n${h.worker.output}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.worker.kill();
    const afterKill = await files();
    expect(afterKill.length).toBeGreaterThan(keep.length);
    expect(afterKill).toEqual(expect.arrayContaining(keep));

    await h.worker.start();
    const settled = Date.now() + 30_000;
    while ((await files()).length > keep.length && Date.now() < settled)
      await new Promise((r) => setTimeout(r, 100));
    expect(await files()).toEqual([...keep].sort());
  });
});

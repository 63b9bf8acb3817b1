/**
 * Schedule runs on a real catalog and a real local archive store, with the queue side (fan-out, job
 * inspection, webhook publishing) recorded instead of sent: the e2e suite runs that part through BullMQ.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Catalog, ScheduleRecord, ScheduleRunRecord, ScheduleSettings } from '@cvat-backup/catalog';
import { createLogger } from '@cvat-backup/common';
import type { ExportJobPayload, WebhookEvent } from '@cvat-backup/queue';
import { LocalDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll } from 'vitest';
import type { Fire } from '../src/schedules/fire-run.js';
import type { ScheduleRunDependencies } from '../src/schedules/schedule-run-deps.js';
import { type Fixture, openFixture } from './export-fixture.js';

export interface Recorded {
  deps: ScheduleRunDependencies;
  fanOuts: ExportJobPayload[][];
  events: WebhookEvent[];
  /** Runs whose parent job the code asked to remove. */
  dropped: number[];
}

export interface ScheduleFixture {
  f: Fixture;
  archives: LocalDriver;
  record(over?: Partial<ScheduleRunDependencies>): Recorded;
  /** An owner with one task with data per name. */
  ownerWithTasks(names: string[]): Promise<{ actor: { id: number; isAdmin: boolean }; tasks: number[] }>;
  /** What an export of the plan would record: an object in the store and its row. */
  exported(
    payload: ExportJobPayload,
    updated: Date,
  ): ReturnType<Fixture['catalog']['schedules']['recordArchive']>;
  close(): Promise<void>;
}

export const scheduleSettings = (over: Partial<ScheduleSettings> = {}): ScheduleSettings => ({
  name: 's',
  cron: null,
  timezone: 'UTC',
  every_seconds: 60,
  scope: { type: 'tasks_outside_projects' },
  target_storage: { location: 'local' },
  lightweight: false,
  name_template: '{{name}}_{{date}}',
  retention: {},
  skip_unchanged: true,
  enabled: true,
  ...over,
});

export const scheduledFire = (s: ScheduleRecord, key: string, over: Partial<Fire> = {}): Fire => ({
  scheduleId: s.id,
  trigger: 'schedule',
  fireKey: key,
  fireDate: new Date('2026-05-06T07:08:09Z'),
  ...over,
});

/** A run of the schedule started now by its own fire key (throws when another run still runs). */
export async function startedRun(
  catalog: Pick<Catalog, 'schedules'>,
  scheduleId: number,
  fireKey: string,
): Promise<ScheduleRunRecord> {
  const started = await catalog.schedules.startRun({
    scheduleId,
    trigger: 'schedule',
    fireKey,
    fireDate: new Date(),
  });
  if (started.kind === 'busy') throw new Error('a run of the schedule is still running');
  return started.run;
}

let seq = 0;

export async function openScheduleFixture(): Promise<ScheduleFixture> {
  const f = await openFixture();
  const root = await mkdtemp(path.join(tmpdir(), 'cvb-sched-run-'));
  const archives = new LocalDriver({ kind: 'local', root });
  return {
    f,
    archives,
    record(over = {}) {
      const fanOuts: ExportJobPayload[][] = [];
      const events: WebhookEvent[] = [];
      const dropped: number[] = [];
      const deps: ScheduleRunDependencies = {
        catalog: f.catalog,
        logger: createLogger({ level: 'silent' }),
        fanOut: async (_run, exports) => {
          fanOuts.push(exports);
        },
        inspectRun: async () => ({ state: 'pending' }),
        dropRun: async (run) => {
          dropped.push(run.id);
        },
        publish: async (event) => {
          events.push(event);
        },
        driverFor: async () => archives,
        ...over,
      };
      return { deps, fanOuts, events, dropped };
    },
    async ownerWithTasks(names) {
      const user = await f.catalog.users.create({
        username: `o${++seq}${Date.now()}`,
        password: 'secret-pass',
      });
      const actor = { id: user.id, isAdmin: false };
      const tasks = [];
      for (const name of names) {
        const task = await f.catalog.tasks.create(actor, { name, labels: [{ name: 'car' }] });
        await f.catalog.data.create(task.id, { image_quality: 70, size: 1 });
        tasks.push(task.id);
      }
      return { actor, tasks };
    },
    async exported(payload, updated) {
      const ref = payload.schedule!;
      const key = `schedules/${ref.scheduleId}/run-${ref.runId}/${payload.filename}`;
      const write = archives.openWrite(key);
      write.end('zip');
      await write.commit();
      return f.catalog.schedules.recordArchive({
        schedule_id: ref.scheduleId,
        run_id: ref.runId,
        target: payload.target,
        target_id: payload.targetId,
        location: payload.destination.location,
        cloud_storage_id:
          payload.destination.location === 'cloud_storage' ? payload.destination.cloudStorageId : null,
        key,
        filename: payload.filename!,
        size: 3,
        lightweight: false,
        lightweight_requested: payload.lightweight,
        resource_updated_date: updated,
      });
    },
    async close() {
      await archives.close();
      await rm(root, { recursive: true, force: true });
      await f.close();
    },
  };
}

/** One fixture for the calling test file: opened before its tests, closed after them. */
export function useScheduleFixture(): ScheduleFixture {
  const kit = {} as ScheduleFixture;
  beforeAll(async () => {
    Object.assign(kit, await openScheduleFixture());
  });
  afterAll(async () => {
    await kit.close?.();
  });
  return kit;
}

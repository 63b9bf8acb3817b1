import type {
  RunFailure,
  ScheduleRecord,
  ScheduleRunRecord,
  ScopeResource,
  StartRunResult,
} from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { ExportJobPayload } from '@cvat-backup/queue';
import { finishScheduleRun } from './finish-run.js';
import { runArchiveNames } from './name-template.js';
import { runIsLost, settleLostRun } from './repair-runs.js';
import { resourceKey } from './retention.js';
import type { ScheduleRunDependencies } from './schedule-run-deps.js';

export interface Fire {
  scheduleId: number;
  trigger: 'schedule' | 'manual';
  /** Scheduled: the fired job's id (it holds the fire time). */
  fireKey: string;
  fireDate: Date;
  /** Run-now: the run the API already recorded. */
  runId?: number;
}

/** `orphan`: the schedule is gone, deleted or disabled (its job scheduler should go too). */
export type FireOutcome =
  | 'orphan'
  | 'busy'
  | 'already-ended'
  | 'already-fanned-out'
  | 'fanned-out'
  | 'finished';

function failure(target: 'task' | 'project', id: number, err: AppError): RunFailure {
  return { target, id, code: err.code, message: err.message };
}

/**
 * One fire of a schedule: make its run (once per fire), read the scope as the owner, skip what did not
 * change since this schedule's newest archive of it, and queue one export per remaining resource. A
 * redelivered fire finds its run and queues nothing twice.
 */
export async function fireScheduleRun(deps: ScheduleRunDependencies, fire: Fire): Promise<FireOutcome> {
  const schedule = await deps.catalog.schedules.find(fire.scheduleId);
  if (!schedule || (fire.trigger === 'schedule' && !schedule.enabled)) return 'orphan';
  const run = await obtainRun(deps, fire);
  if (!run) return 'busy';
  if (run.status !== 'running') return 'already-ended';
  if (run.fanned_out) return 'already-fanned-out';
  // Deleted after a run-now was accepted: the run fans out nothing (its archives would outlive it).
  const plan =
    schedule.state === 'active'
      ? await planRun(deps, schedule, run)
      : { total: 0, skipped: 0, failures: [], exports: [] };
  if (plan.exports.length > 0) await deps.fanOut(run, plan.exports);
  await deps.catalog.schedules.markFannedOut(run.id, {
    total: plan.total,
    skipped: plan.skipped,
    failures: plan.failures,
    planned: plan.exports.map((e) => ({ target: e.target, id: e.targetId })),
  });
  if (plan.exports.length > 0) return 'fanned-out';
  await finishScheduleRun(deps, { scheduleId: schedule.id, runId: run.id, childFailures: [] });
  return 'finished';
}

async function obtainRun(deps: ScheduleRunDependencies, fire: Fire): Promise<ScheduleRunRecord | null> {
  if (fire.runId !== undefined) return deps.catalog.schedules.getRun(fire.scheduleId, fire.runId);
  const attempt = (): Promise<StartRunResult> =>
    deps.catalog.schedules.startRun({
      scheduleId: fire.scheduleId,
      trigger: fire.trigger,
      fireKey: fire.fireKey,
      fireDate: fire.fireDate,
    });
  const started = await attempt();
  if (started.kind !== 'busy') return started.run;
  const check = await runIsLost(deps, started.running);
  if (!check.lost) {
    deps.logger.info(
      { scheduleId: fire.scheduleId, runningRunId: started.running.id, fireKey: fire.fireKey },
      'schedule fire skipped: the previous run is still running',
    );
    return null;
  }
  await settleLostRun(deps, started.running, check.childFailures);
  const retried = await attempt();
  return retried.kind === 'busy' ? null : retried.run;
}

interface RunPlan {
  total: number;
  skipped: number;
  failures: RunFailure[];
  exports: ExportJobPayload[];
}

async function planRun(
  deps: ScheduleRunDependencies,
  schedule: ScheduleRecord,
  run: ScheduleRunRecord,
): Promise<RunPlan> {
  const schedules = deps.catalog.schedules;
  const resources = await schedules.scopeResources(schedule);
  const failures: RunFailure[] = [];
  if (schedule.scope.type === 'projects') {
    const found = new Set(resources.map((r) => r.id));
    for (const id of schedule.scope.project_ids)
      if (!found.has(id))
        failures.push(
          failure('project', id, new AppError('SCHEDULE_RESOURCE_MISSING', { target: 'project', id })),
        );
  }
  const total = resources.length + failures.length;
  const unchanged = schedule.skip_unchanged
    ? await unchangedResources(deps, schedule, run, resources)
    : new Set();
  // A task with no data has nothing to back up: counted as skipped, like an unchanged one.
  const toExport = resources.filter(
    (r) => r.has_data && !unchanged.has(resourceKey({ target: r.target, target_id: r.id })),
  );
  const skipped = resources.length - toExport.length;
  const target = schedule.target_storage;
  if (target.location === 'cloud_storage' && toExport.length > 0) {
    const owner = { id: schedule.owner.id, isAdmin: schedule.owner_is_admin };
    if (!(await deps.catalog.cloudStorages.get(owner, target.cloud_storage_id))) {
      const err = new AppError('SCHEDULE_CLOUD_STORAGE_NOT_FOUND', { id: target.cloud_storage_id });
      for (const r of toExport) failures.push(failure(r.target, r.id, err));
      return { total, skipped, failures, exports: [] };
    }
  }
  const names = runArchiveNames(schedule.name_template, toExport, run.fire_date);
  const requestedAt = (deps.now?.() ?? new Date()).toISOString();
  const exports = toExport.map(
    (r): ExportJobPayload => ({
      version: 1,
      target: r.target,
      targetId: r.id,
      userId: schedule.owner.id,
      lightweight: schedule.lightweight,
      destination:
        target.location === 'local'
          ? { location: 'local' }
          : { location: 'cloud_storage', cloudStorageId: target.cloud_storage_id },
      filename: names.get(r) ?? `${r.target}-${r.id}.zip`,
      requestedAt,
      schedule: { scheduleId: schedule.id, runId: run.id },
    }),
  );
  return { total, skipped, failures, exports };
}

/**
 * Resources whose state equals the one in this schedule's newest archive of them made with the current
 * settings: the same target storage and the same lightweight setting (changing either must produce a
 * new archive). Archives of this very run do not count: a redelivered fire plans the same exports again.
 */
async function unchangedResources(
  deps: ScheduleRunDependencies,
  schedule: ScheduleRecord,
  run: ScheduleRunRecord,
  resources: readonly ScopeResource[],
): Promise<Set<string>> {
  const target = schedule.target_storage;
  const cloudId = target.location === 'cloud_storage' ? target.cloud_storage_id : null;
  const archives = await deps.catalog.schedules.resourceArchives(
    schedule.id,
    resources.map((r) => ({ target: r.target, id: r.id })),
  );
  const newest = new Map<string, Date>();
  for (const a of archives) {
    if (a.run_id === run.id || a.location !== target.location || a.cloud_storage_id !== cloudId) continue;
    // The requested setting, not `lightweight` (whether media were left out): a task with local media
    // leaves nothing out either way, yet its archive was made under the other setting.
    if (a.lightweight_requested !== schedule.lightweight) continue;
    const key = resourceKey(a);
    if (!newest.has(key)) newest.set(key, a.resource_updated_date);
  }
  const out = new Set<string>();
  for (const r of resources) {
    const key = resourceKey({ target: r.target, target_id: r.id });
    if (newest.get(key)?.getTime() === r.updated_date.getTime()) out.add(key);
  }
  return out;
}

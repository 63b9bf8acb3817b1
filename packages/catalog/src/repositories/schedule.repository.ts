import type { Actor, BasicUser, ListQuery, Page } from './common.types.js';

/** Which resources of the owner a schedule backs up. */
export type ScheduleScope =
  | { type: 'projects'; project_ids: number[] }
  | { type: 'all_projects' }
  | { type: 'tasks_outside_projects' };

export type ScheduleTarget = { location: 'local' } | { location: 'cloud_storage'; cloud_storage_id: number };

export interface ScheduleRetention {
  keep_last?: number;
  max_age_days?: number;
}

/** The settings a user writes (`POST` body, after defaults). */
export interface ScheduleSettings {
  name: string;
  /** Exactly one of `cron` and `every_seconds`. */
  cron: string | null;
  timezone: string;
  every_seconds: number | null;
  scope: ScheduleScope;
  target_storage: ScheduleTarget;
  lightweight: boolean;
  name_template: string;
  retention: ScheduleRetention;
  skip_unchanged: boolean;
  enabled: boolean;
}

/**
 * `active`: runs on its cadence. `retired`: deleted by its owner while keeping its archives (no more
 * runs; the archives stay listed and downloadable). `deleting`: deleted with its archives; the files
 * and rows go, then the schedule (a sweep finishes what a crash interrupted).
 */
export type ScheduleState = 'active' | 'retired' | 'deleting';

export interface ScheduleRecord extends ScheduleSettings {
  id: number;
  state: ScheduleState;
  /** When it stopped being active (null while active). */
  retired_date: Date | null;
  owner: BasicUser;
  /** The owner's role, for reading the scope as them. */
  owner_is_admin: boolean;
  created_date: Date;
  updated_date: Date;
}

export type RunTrigger = 'schedule' | 'manual';
export type RunStatus = 'running' | 'finished' | 'failed';

export interface RunFailure {
  target: 'task' | 'project';
  id: number;
  code: string;
  message: string;
}

/** A resource a run queued an export for. */
export interface PlannedExport {
  target: 'task' | 'project';
  id: number;
}

export interface ScheduleRunRecord {
  id: number;
  schedule_id: number;
  trigger: RunTrigger;
  fire_key: string;
  fire_date: Date;
  status: RunStatus;
  fanned_out: boolean;
  started_date: Date;
  finished_date: Date | null;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  failures: RunFailure[];
  /** The exports the fan-out queued. */
  planned: PlannedExport[];
}

export interface NewRun {
  scheduleId: number;
  trigger: RunTrigger;
  fireKey: string;
  fireDate: Date;
}

/**
 * `started`: a new run; `existing`: this fire already made a run (a redelivery); `busy`: another run of
 * the schedule is still running, so none was made.
 */
export type StartRunResult =
  | { kind: 'started' | 'existing'; run: ScheduleRunRecord }
  | { kind: 'busy'; running: ScheduleRunRecord };

export interface ScheduleArchiveRecord {
  id: number;
  schedule_id: number;
  run_id: number;
  target: 'task' | 'project';
  target_id: number;
  location: 'local' | 'cloud_storage';
  cloud_storage_id: number | null;
  key: string;
  filename: string;
  size: number;
  /** True when media were left out (a lightweight backup of cloud-backed data). */
  lightweight: boolean;
  /** The schedule's lightweight setting the export ran with (null: recorded before it was kept). */
  lightweight_requested: boolean | null;
  resource_updated_date: Date;
  created_date: Date;
  /** Marked for deletion with its schedule: the file is deleted, then the row. */
  deleting: boolean;
}

export type NewScheduleArchive = Omit<ScheduleArchiveRecord, 'id' | 'created_date' | 'deleting'>;

/** What deleting a schedule did: its rows went (nothing was left to keep), or it keeps its archives. */
export type RetireResult = 'deleted' | 'retired';

/** A resource a schedule's scope names, as the fan-out needs it. */
export interface ScopeResource {
  target: 'task' | 'project';
  id: number;
  name: string;
  updated_date: Date;
  /** False for a task whose data was never uploaded: there is nothing to back up. */
  has_data: boolean;
}

export interface ScheduleRepository {
  create(ownerId: number, settings: ScheduleSettings): Promise<ScheduleRecord>;
  /** Owner or admin; null otherwise. */
  get(actor: Actor, id: number): Promise<ScheduleRecord | null>;
  /** Workers: no ownership check. */
  find(id: number): Promise<ScheduleRecord | null>;
  list(actor: Actor, query?: ListQuery): Promise<Page<ScheduleRecord>>;
  /** Every enabled schedule (workers reconcile the job schedulers with it). */
  listEnabled(): Promise<ScheduleRecord[]>;
  update(actor: Actor, id: number, patch: Partial<ScheduleSettings>): Promise<ScheduleRecord | null>;
  /** Removes the schedule and its rows outright (the API's undo of a create whose scheduler failed). */
  delete(actor: Actor, id: number): Promise<boolean>;
  /**
   * Deletes a schedule but keeps its archives tracked: it becomes `retired` (disabled, no more runs),
   * or is removed outright when it has no archive and no running run (also when already retired). A
   * `deleting` one is left as it is. Null when the actor cannot see it.
   */
  retire(actor: Actor, id: number): Promise<RetireResult | null>;
  /**
   * First step of deleting a schedule with its archives, in one transaction: the schedule becomes
   * `deleting` (disabled) and every archive row is marked. False when the actor cannot see it.
   */
  beginPurge(actor: Actor, id: number): Promise<boolean>;
  /** Schedules whose deletion with archives has begun (the sweep finishes them). */
  purging(): Promise<number[]>;
  /** Up to `limit` archive rows marked for deletion. */
  archivesToPurge(scheduleId: number, limit: number): Promise<ScheduleArchiveRecord[]>;
  /**
   * Last step: removes a `deleting` schedule once no archive row of it is left (locked against an
   * export recording one at the same moment). False while rows remain.
   */
  finishPurge(scheduleId: number): Promise<boolean>;

  /** Makes the run of one fire, at most once per fire key and one running run per schedule. */
  startRun(run: NewRun): Promise<StartRunResult>;
  getRun(scheduleId: number, runId: number): Promise<ScheduleRunRecord | null>;
  listRuns(scheduleId: number, query?: ListQuery): Promise<Page<ScheduleRunRecord>>;
  runningRun(scheduleId: number): Promise<ScheduleRunRecord | null>;
  /** Every running run of every schedule (the periodic repair looks for lost ones). */
  runningRuns(): Promise<ScheduleRunRecord[]>;
  /** Records the fan-out (how many resources, how many skipped and failed up front, what was queued). */
  markFannedOut(
    runId: number,
    counts: { total: number; skipped: number; failures: RunFailure[]; planned: PlannedExport[] },
  ): Promise<ScheduleRunRecord>;
  /**
   * Ends a running run with its final counts; the fan-out's failures are kept before `failures`, and
   * `failed` counts them all but retention failures (an old archive that could not be deleted). A run
   * already ended is returned as it is (a repeated finish changes nothing).
   */
  endRun(
    runId: number,
    end: { status: 'finished' | 'failed'; done: number; failures: RunFailure[] },
  ): Promise<ScheduleRunRecord>;
  /** Drops ended runs beyond the newest `keep` that no kept archive refers to. */
  pruneRuns(scheduleId: number, keep: number): Promise<number>;

  /**
   * Records an archive (a retried export of the same run and resource updates its row). An archive of a
   * schedule being deleted is recorded already marked, so the purge deletes it too.
   */
  recordArchive(archive: NewScheduleArchive): Promise<ScheduleArchiveRecord>;
  getArchive(scheduleId: number, archiveId: number): Promise<ScheduleArchiveRecord | null>;
  listArchives(scheduleId: number, query?: ListQuery): Promise<Page<ScheduleArchiveRecord>>;
  /** The archives of one run. */
  runArchives(runId: number): Promise<ScheduleArchiveRecord[]>;
  /** Every archive of these resources made by this schedule, newest first per resource. */
  resourceArchives(
    scheduleId: number,
    resources: ReadonlyArray<{ target: 'task' | 'project'; id: number }>,
  ): Promise<ScheduleArchiveRecord[]>;
  deleteArchive(scheduleId: number, archiveId: number): Promise<boolean>;
  /** True when another archive row (of any schedule) not marked for deletion points at the same object. */
  objectShared(archive: ScheduleArchiveRecord): Promise<boolean>;

  /** The owner's resources the scope names, read as the owner; listed projects that are gone are absent. */
  scopeResources(
    schedule: Pick<ScheduleRecord, 'owner' | 'owner_is_admin' | 'scope'>,
  ): Promise<ScopeResource[]>;
}

import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import type {
  NewRun,
  PlannedExport,
  RetireResult,
  RunFailure,
  ScheduleRecord,
  ScheduleRepository,
  ScheduleRunRecord,
  ScheduleSettings,
  ScopeResource,
  StartRunResult,
} from '../repositories/schedule.repository.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { PgScheduleArchives } from './pg-schedule-archives.js';
import { beginPurge, finishPurge, purgingSchedules, retireSchedule } from './pg-schedule-lifecycle.js';
import { projectVisible } from './visibility.js';

interface ScheduleRow {
  id: number;
  owner: { id: number; username: string; first_name: string; last_name: string };
  owner_is_admin: boolean;
  name: string;
  cron: string | null;
  timezone: string;
  every_seconds: number | null;
  scope: ScheduleRecord['scope'];
  target_location: 'local' | 'cloud_storage';
  target_cloud_storage_id: number | null;
  lightweight: boolean;
  name_template: string;
  keep_last: number | null;
  max_age_days: number | null;
  skip_unchanged: boolean;
  enabled: boolean;
  state: ScheduleRecord['state'];
  retired_date: Date | null;
  created_date: Date;
  updated_date: Date;
}

const SELECT = `SELECT s.id, json_build_object('id', u.id, 'username', u.username, 'first_name', u.first_name,
    'last_name', u.last_name) AS owner, u.is_superuser AS owner_is_admin, s.name, s.cron, s.timezone,
    s.every_seconds, s.scope, s.target_location, s.target_cloud_storage_id, s.lightweight, s.name_template,
    s.keep_last, s.max_age_days, s.skip_unchanged, s.enabled, s.state, s.retired_date, s.created_date,
    s.updated_date
  FROM backup_schedules s JOIN users u ON u.id = s.owner_id`;

const VISIBLE = '($1::boolean OR s.owner_id = $2::integer)';

const SCHEDULE_LIST: ListSpec = {
  fields: {
    id: { sql: 's.id', type: 'int' },
    name: { sql: 's.name', type: 'text' },
    state: { sql: 's.state', type: 'text' },
  },
  filters: ['id', 'name', 'state'],
  search: ['name'],
  defaultSort: '-id',
};
const RUN_LIST: ListSpec = {
  fields: { id: { sql: 'r.id', type: 'int' } },
  filters: [],
  search: [],
  defaultSort: '-id',
};
function toRecord(row: ScheduleRow): ScheduleRecord {
  const retention: ScheduleRecord['retention'] = {};
  if (row.keep_last !== null) retention.keep_last = row.keep_last;
  if (row.max_age_days !== null) retention.max_age_days = row.max_age_days;
  return {
    id: row.id,
    owner: row.owner,
    owner_is_admin: row.owner_is_admin,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    every_seconds: row.every_seconds,
    scope: row.scope,
    target_storage:
      row.target_location === 'local'
        ? { location: 'local' }
        : { location: 'cloud_storage', cloud_storage_id: row.target_cloud_storage_id ?? 0 },
    lightweight: row.lightweight,
    name_template: row.name_template,
    retention,
    skip_unchanged: row.skip_unchanged,
    enabled: row.enabled,
    state: row.state,
    retired_date: row.retired_date,
    created_date: row.created_date,
    updated_date: row.updated_date,
  };
}

/** Settings as column values, in the order of COLUMNS. */
function columnValues(s: ScheduleSettings): unknown[] {
  return [
    s.name,
    s.cron,
    s.timezone,
    s.every_seconds,
    JSON.stringify(s.scope),
    s.target_storage.location,
    s.target_storage.location === 'cloud_storage' ? s.target_storage.cloud_storage_id : null,
    s.lightweight,
    s.name_template,
    s.retention.keep_last ?? null,
    s.retention.max_age_days ?? null,
    s.skip_unchanged,
    s.enabled,
  ];
}

const COLUMNS = `name, cron, timezone, every_seconds, scope, target_location, target_cloud_storage_id, lightweight,
  name_template, keep_last, max_age_days, skip_unchanged, enabled`;

const RUN_COLUMNS = `r.id, r.schedule_id, r.trigger, r.fire_key, r.fire_date, r.status, r.fanned_out, r.started_date,
  r.finished_date, r.total, r.done, r.failed, r.skipped, r.failures, r.planned`;

/** Schedules and their runs here; their archives (and the list helper) in the base class. */
export class PgScheduleRepository extends PgScheduleArchives implements ScheduleRepository {
  async create(ownerId: number, settings: ScheduleSettings): Promise<ScheduleRecord> {
    const { rows } = await mapped(
      this.conn.db.query<{ id: number }>(
        `INSERT INTO backup_schedules (owner_id, ${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
        [ownerId, ...columnValues(settings)],
      ),
    );
    return (await this.find(rows[0]!.id))!;
  }

  async get(actor: Actor, id: number): Promise<ScheduleRecord | null> {
    const { rows } = await this.conn.db.query<ScheduleRow>(`${SELECT} WHERE s.id = $3 AND ${VISIBLE}`, [
      actor.isAdmin,
      actor.id,
      id,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async find(id: number): Promise<ScheduleRecord | null> {
    const { rows } = await this.conn.db.query<ScheduleRow>(`${SELECT} WHERE s.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<ScheduleRecord>> {
    const sql = buildListSql(SCHEDULE_LIST, query, [actor.isAdmin, actor.id]);
    const where = `${VISIBLE} AND ${sql.where}`;
    const page = await queryPage<ScheduleRow>(this.conn.db, {
      from: 'FROM backup_schedules s',
      select: SELECT,
      where,
      sql,
    });
    return { count: page.count, results: page.results.map(toRecord) };
  }

  async listEnabled(): Promise<ScheduleRecord[]> {
    const { rows } = await this.conn.db.query<ScheduleRow>(`${SELECT} WHERE s.enabled ORDER BY s.id`);
    return rows.map(toRecord);
  }

  async update(actor: Actor, id: number, patch: Partial<ScheduleSettings>): Promise<ScheduleRecord | null> {
    const current = await this.get(actor, id);
    if (!current) return null;
    const next: ScheduleSettings = { ...current, ...patch };
    // Only an active schedule takes new settings: a retired one must not be re-enabled.
    await mapped(
      this.conn.db.query(
        `UPDATE backup_schedules SET (${COLUMNS}, updated_date) =
           ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now()) WHERE id = $1 AND state = 'active'`,
        [id, ...columnValues(next)],
      ),
    );
    return this.find(id);
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const { rowCount } = await this.conn.db.query(
      `DELETE FROM backup_schedules s WHERE s.id = $3 AND ${VISIBLE}`,
      [actor.isAdmin, actor.id, id],
    );
    return (rowCount ?? 0) > 0;
  }

  retire(actor: Actor, id: number): Promise<RetireResult | null> {
    return retireSchedule(this.conn, actor, id);
  }

  beginPurge(actor: Actor, id: number): Promise<boolean> {
    return beginPurge(this.conn, actor, id);
  }

  purging(): Promise<number[]> {
    return purgingSchedules(this.conn);
  }

  finishPurge(scheduleId: number): Promise<boolean> {
    return finishPurge(this.conn, scheduleId);
  }

  async startRun(run: NewRun): Promise<StartRunResult> {
    const db = this.conn.db;
    // A few tries: the running run may end between the refused insert and the read that finds it.
    for (let attempt = 0; ; attempt++) {
      // Two fires racing (or a fire and run-now): the fire-key and one-running indexes let one win.
      const inserted = await db.query<ScheduleRunRecord>(
        `INSERT INTO backup_schedule_runs AS r (schedule_id, trigger, fire_key, fire_date)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING ${RUN_COLUMNS}`,
        [run.scheduleId, run.trigger, run.fireKey, run.fireDate],
      );
      if (inserted.rows[0]) return { kind: 'started', run: inserted.rows[0] };
      const same = await db.query<ScheduleRunRecord>(
        `SELECT ${RUN_COLUMNS} FROM backup_schedule_runs r WHERE r.schedule_id = $1 AND r.fire_key = $2`,
        [run.scheduleId, run.fireKey],
      );
      if (same.rows[0]) return { kind: 'existing', run: same.rows[0] };
      const running = await this.runningRun(run.scheduleId);
      if (running || attempt >= 3) {
        if (!running) throw new Error(`run of schedule ${run.scheduleId} could not be started`);
        return { kind: 'busy', running };
      }
    }
  }

  async getRun(scheduleId: number, runId: number): Promise<ScheduleRunRecord | null> {
    const { rows } = await this.conn.db.query<ScheduleRunRecord>(
      `SELECT ${RUN_COLUMNS} FROM backup_schedule_runs r WHERE r.schedule_id = $1 AND r.id = $2`,
      [scheduleId, runId],
    );
    return rows[0] ?? null;
  }

  listRuns(scheduleId: number, query: ListQuery = {}): Promise<Page<ScheduleRunRecord>> {
    return this.page('backup_schedule_runs r', RUN_COLUMNS, 'r.schedule_id', RUN_LIST, scheduleId, query);
  }

  async runningRun(scheduleId: number): Promise<ScheduleRunRecord | null> {
    const { rows } = await this.conn.db.query<ScheduleRunRecord>(
      `SELECT ${RUN_COLUMNS} FROM backup_schedule_runs r WHERE r.schedule_id = $1 AND r.status = 'running'`,
      [scheduleId],
    );
    return rows[0] ?? null;
  }

  async runningRuns(): Promise<ScheduleRunRecord[]> {
    const { rows } = await this.conn.db.query<ScheduleRunRecord>(
      `SELECT ${RUN_COLUMNS} FROM backup_schedule_runs r WHERE r.status = 'running' ORDER BY r.id`,
    );
    return rows;
  }

  async markFannedOut(
    runId: number,
    counts: { total: number; skipped: number; failures: RunFailure[]; planned: PlannedExport[] },
  ): Promise<ScheduleRunRecord> {
    const { rows } = await this.conn.db.query<ScheduleRunRecord>(
      `UPDATE backup_schedule_runs r SET fanned_out = true, total = $2, skipped = $3, failures = $4, planned = $5
       WHERE r.id = $1 RETURNING ${RUN_COLUMNS}`,
      [
        runId,
        counts.total,
        counts.skipped,
        JSON.stringify(counts.failures),
        JSON.stringify(counts.planned.map((p) => ({ target: p.target, id: p.id }))),
      ],
    );
    return rows[0]!;
  }

  async endRun(
    runId: number,
    end: { status: 'finished' | 'failed'; done: number; failures: RunFailure[] },
  ): Promise<ScheduleRunRecord> {
    await this.conn.db.query(
      `UPDATE backup_schedule_runs r SET status = $2, done = $3, failures = r.failures || $4::jsonb,
         failed = (SELECT count(*) FROM jsonb_array_elements(r.failures || $4::jsonb) f
                   WHERE f ->> 'code' <> 'SCHEDULE_RETENTION_FAILED'),
         finished_date = now()
       WHERE r.id = $1 AND r.status = 'running'`,
      [runId, end.status, end.done, JSON.stringify(end.failures)],
    );
    const { rows } = await this.conn.db.query<ScheduleRunRecord>(
      `SELECT ${RUN_COLUMNS} FROM backup_schedule_runs r WHERE r.id = $1`,
      [runId],
    );
    return rows[0]!;
  }

  async pruneRuns(scheduleId: number, keep: number): Promise<number> {
    const { rowCount } = await this.conn.db.query(
      `DELETE FROM backup_schedule_runs r WHERE r.schedule_id = $1 AND r.status <> 'running'
         AND r.id < (SELECT min(id) FROM (SELECT id FROM backup_schedule_runs WHERE schedule_id = $1
                                          ORDER BY id DESC LIMIT $2) newest)
         AND NOT EXISTS (SELECT 1 FROM backup_schedule_archives a WHERE a.run_id = r.id)`,
      [scheduleId, keep],
    );
    return rowCount ?? 0;
  }

  async scopeResources(
    schedule: Pick<ScheduleRecord, 'owner' | 'owner_is_admin' | 'scope'>,
  ): Promise<ScopeResource[]> {
    const owner = schedule.owner.id;
    const scope = schedule.scope;
    if (scope.type === 'tasks_outside_projects') {
      const { rows } = await this.conn.db.query<ScopeResource>(
        `SELECT 'task' AS target, t.id, t.name, t.updated_date,
           EXISTS (SELECT 1 FROM task_data d WHERE d.task_id = t.id) AS has_data
         FROM tasks t WHERE t.owner_id = $1 AND t.project_id IS NULL ORDER BY t.id`,
        [owner],
      );
      return rows;
    }
    const { rows } = await this.conn.db.query<ScopeResource>(
      scope.type === 'all_projects'
        ? `SELECT 'project' AS target, p.id, p.name, p.updated_date, true AS has_data
           FROM projects p WHERE p.owner_id = $1 ORDER BY p.id`
        : `SELECT 'project' AS target, p.id, p.name, p.updated_date, true AS has_data
           FROM projects p WHERE p.id = ANY($3::int[]) AND ${projectVisible('p', '$2', '$1')} ORDER BY p.id`,
      scope.type === 'all_projects' ? [owner] : [owner, schedule.owner_is_admin, scope.project_ids],
    );
    return rows;
  }
}

import type pg from 'pg';
import type { ListQuery, Page } from '../repositories/common.types.js';
import type { NewScheduleArchive, ScheduleArchiveRecord } from '../repositories/schedule.repository.js';
import type { Connections } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';

const ARCHIVE_LIST: ListSpec = {
  fields: { id: { sql: 'a.id', type: 'int' }, target_id: { sql: 'a.target_id', type: 'int' } },
  filters: ['target_id'],
  search: [],
  defaultSort: '-id',
};

const ARCHIVE_COLUMNS = `a.id, a.schedule_id, a.run_id, a.target, a.target_id, a.location, a.cloud_storage_id, a.key,
  a.filename, a.size::float8 AS size, a.lightweight, a.lightweight_requested, a.resource_updated_date, a.created_date,
  a.deleting`;

/**
 * The archives a schedule wrote (`backup_schedule_archives`): the base of the schedule repository, kept
 * apart so each file reads in one go.
 */
export class PgScheduleArchives {
  constructor(protected readonly conn: Connections) {}

  async recordArchive(archive: NewScheduleArchive): Promise<ScheduleArchiveRecord> {
    const { rows } = await mapped(
      this.conn.db.query<ScheduleArchiveRecord>(
        `INSERT INTO backup_schedule_archives AS a (schedule_id, run_id, target, target_id, location,
           cloud_storage_id, key, filename, size, lightweight, lightweight_requested, resource_updated_date,
           deleting)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11,
           EXISTS (SELECT 1 FROM backup_schedules s WHERE s.id = $1 AND s.state = 'deleting'))
         ON CONFLICT (run_id, target, target_id) DO UPDATE SET key = EXCLUDED.key, filename = EXCLUDED.filename,
           size = EXCLUDED.size, lightweight = EXCLUDED.lightweight,
           lightweight_requested = EXCLUDED.lightweight_requested,
           resource_updated_date = EXCLUDED.resource_updated_date, deleting = a.deleting OR EXCLUDED.deleting
         RETURNING ${ARCHIVE_COLUMNS}`,
        [
          archive.schedule_id,
          archive.run_id,
          archive.target,
          archive.target_id,
          archive.location,
          archive.cloud_storage_id,
          archive.key,
          archive.filename,
          archive.size,
          archive.lightweight,
          archive.resource_updated_date,
          archive.lightweight_requested,
        ],
      ),
    );
    return rows[0]!;
  }

  async getArchive(scheduleId: number, archiveId: number): Promise<ScheduleArchiveRecord | null> {
    const { rows } = await this.conn.db.query<ScheduleArchiveRecord>(
      `SELECT ${ARCHIVE_COLUMNS} FROM backup_schedule_archives a WHERE a.schedule_id = $1 AND a.id = $2`,
      [scheduleId, archiveId],
    );
    return rows[0] ?? null;
  }

  listArchives(scheduleId: number, query: ListQuery = {}): Promise<Page<ScheduleArchiveRecord>> {
    return this.page(
      'backup_schedule_archives a',
      ARCHIVE_COLUMNS,
      'a.schedule_id',
      ARCHIVE_LIST,
      scheduleId,
      query,
    );
  }

  async runArchives(runId: number): Promise<ScheduleArchiveRecord[]> {
    const { rows } = await this.conn.db.query<ScheduleArchiveRecord>(
      `SELECT ${ARCHIVE_COLUMNS} FROM backup_schedule_archives a WHERE a.run_id = $1 ORDER BY a.id`,
      [runId],
    );
    return rows;
  }

  async resourceArchives(
    scheduleId: number,
    resources: ReadonlyArray<{ target: 'task' | 'project'; id: number }>,
  ): Promise<ScheduleArchiveRecord[]> {
    if (resources.length === 0) return [];
    const { rows } = await this.conn.db.query<ScheduleArchiveRecord>(
      `SELECT ${ARCHIVE_COLUMNS} FROM backup_schedule_archives a
         JOIN unnest($2::text[], $3::int[]) AS w(target, id) ON w.target = a.target AND w.id = a.target_id
       WHERE a.schedule_id = $1 ORDER BY a.target, a.target_id, a.created_date DESC, a.id DESC`,
      [scheduleId, resources.map((r) => r.target), resources.map((r) => r.id)],
    );
    return rows;
  }

  async deleteArchive(scheduleId: number, archiveId: number): Promise<boolean> {
    const { rowCount } = await this.conn.db.query(
      'DELETE FROM backup_schedule_archives WHERE schedule_id = $1 AND id = $2',
      [scheduleId, archiveId],
    );
    return (rowCount ?? 0) > 0;
  }

  async objectShared(archive: ScheduleArchiveRecord): Promise<boolean> {
    const { rows } = await this.conn.db.query(
      `SELECT 1 FROM backup_schedule_archives a WHERE a.id <> $1 AND NOT a.deleting AND a.location = $2
         AND a.cloud_storage_id IS NOT DISTINCT FROM $3 AND a.key = $4 LIMIT 1`,
      [archive.id, archive.location, archive.cloud_storage_id, archive.key],
    );
    return rows.length > 0;
  }

  async archivesToPurge(scheduleId: number, limit: number): Promise<ScheduleArchiveRecord[]> {
    const { rows } = await this.conn.db.query<ScheduleArchiveRecord>(
      `SELECT ${ARCHIVE_COLUMNS} FROM backup_schedule_archives a WHERE a.schedule_id = $1 AND a.deleting
       ORDER BY a.id LIMIT $2`,
      [scheduleId, limit],
    );
    return rows;
  }

  /** One page of a schedule's runs or archives: `from` is the table with its alias. */
  protected async page<T extends pg.QueryResultRow>(
    from: string,
    columns: string,
    scheduleColumn: string,
    spec: ListSpec,
    scheduleId: number,
    query: ListQuery,
  ): Promise<Page<T>> {
    const sql = buildListSql(spec, query, [scheduleId]);
    const where = `${scheduleColumn} = $1 AND ${sql.where}`;
    return queryPage<T>(this.conn.db, {
      from: `FROM ${from}`,
      select: `SELECT ${columns} FROM ${from}`,
      where,
      sql,
    });
  }
}

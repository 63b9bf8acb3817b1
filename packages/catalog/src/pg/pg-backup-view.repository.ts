import type {
  BackupJob,
  BackupViewRepository,
  ProjectBackupView,
  TaskBackupView,
} from '../repositories/backup-view.repository.js';
import type { Actor } from '../repositories/common.types.js';
import type { Connections } from './db.js';
import { PgDataRepository } from './pg-data.repository.js';
import { PgGuideRepository } from './pg-guide.repository.js';
import { PgLabelRepository } from './pg-label.repository.js';
import { PgProjectRepository } from './pg-project.repository.js';
import { PgTaskRepository } from './pg-task.repository.js';

/** Reads go through the other repositories with a system actor: the caller already checked access. */
const SYSTEM: Actor = { id: 0, isAdmin: true };

export class PgBackupViewRepository implements BackupViewRepository {
  constructor(private readonly conn: Connections) {}

  async task(taskId: number): Promise<TaskBackupView | null> {
    const labels = (c: Connections) => new PgLabelRepository(c);
    const task = await new PgTaskRepository(this.conn, labels).get(SYSTEM, taskId);
    if (!task) return null;
    const data = await new PgDataRepository(this.conn).getForTask(taskId);
    const custom = task.segment_size === 0;
    const withFiles = data !== null && (custom || data.validation_layout?.mode === 'gt_pool');
    const { rows: jobs } = await this.conn.db.query<BackupJob>(
      `SELECT j.id, j.type, j.status, s.start_frame, s.stop_frame, s.frames,
         CASE WHEN $2::boolean AND (s.type = 'range' OR $3::boolean) THEN ARRAY(
           SELECT i.path FROM media_images i WHERE i.data_id = $4 AND i.frame BETWEEN s.start_frame AND s.stop_frame
             AND (s.frames IS NULL OR i.frame = ANY(s.frames)) ORDER BY i.frame) END AS files
       FROM jobs j JOIN segments s ON s.id = j.segment_id
       WHERE j.task_id = $1
       ORDER BY (SELECT min(f.id) FROM jobs f WHERE f.segment_id = j.segment_id), j.id`,
      [taskId, withFiles, data?.validation_layout?.mode === 'gt_pool', data?.id ?? null],
    );
    return {
      task,
      data,
      labels: await new PgLabelRepository(this.conn).treeOfTask(taskId),
      custom_segments: custom,
      jobs,
      guide: await new PgGuideRepository(this.conn, 0).forOwner({ taskId }),
    };
  }

  async project(projectId: number): Promise<ProjectBackupView | null> {
    const project = await new PgProjectRepository(this.conn, (c) => new PgLabelRepository(c)).get(
      SYSTEM,
      projectId,
    );
    if (!project) return null;
    const { rows: tasks } = await this.conn.db.query<{ id: number; has_data: boolean }>(
      `SELECT t.id, EXISTS (SELECT 1 FROM task_data d WHERE d.task_id = t.id) AS has_data
       FROM tasks t WHERE t.project_id = $1 ORDER BY t.id`,
      [projectId],
    );
    return {
      project,
      labels: await new PgLabelRepository(this.conn).tree({ projectId }),
      guide: await new PgGuideRepository(this.conn, 0).forOwner({ projectId }),
      tasks,
    };
  }
}

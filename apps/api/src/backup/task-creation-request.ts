import type { Actor, Catalog, TaskRecord } from '@cvat-backup/catalog';
import type { RequestView } from '@cvat-backup/queue';

/** The id `POST /api/tasks/{id}/data` answers (`{"rq_id": "create:task-<id>"}`). */
export const taskCreationRequestId = (taskId: number): string => `create:task-${taskId}`;

const CREATION_ID = /^create:task-([1-9]\d{0,9})$/;

/**
 * Task data is created while `POST /api/tasks/{id}/data` runs, so its request has finished by the
 * time anyone asks. cvat-core's `createTask` polls that id through `GET /api/requests/{id}`: it is
 * served as CVAT's finished `create:task` request for a task the caller can see and that has data;
 * undefined (404) for any other id. There is no job, so the task's last change stands for its dates
 * and the task's owner for the requester.
 */
export async function taskCreationRequest(
  catalog: Catalog,
  actor: Actor,
  rqId: string,
): Promise<RequestView | undefined> {
  const match = CREATION_ID.exec(rqId);
  if (!match) return undefined;
  const task = await catalog.tasks.get(actor, Number(match[1]));
  if (!task || task.data === null) return undefined;
  return finishedCreation(task, rqId);
}

function finishedCreation(task: TaskRecord, rqId: string): RequestView {
  const at = task.updated_date.toISOString();
  return {
    status: 'finished',
    message: '',
    id: rqId,
    operation: {
      type: 'create:task',
      target: 'task',
      project_id: task.project_id,
      task_id: task.id,
      job_id: null,
      format: null,
      lightweight: null,
    },
    progress: 1,
    created_date: at,
    started_date: at,
    finished_date: at,
    expiry_date: null,
    owner: task.owner ? { id: task.owner.id, username: task.owner.username } : null,
    result_url: null,
    result_id: null,
  };
}

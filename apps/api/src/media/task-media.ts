import type { DataRecord } from '@cvat-backup/catalog';
import { deleteUnder } from '@cvat-backup/storage';
import type { FastifyBaseLogger } from 'fastify';
import type { ApiServices } from '../http/api-services.js';

/** Key prefix of a local task's media in the local media storage. */
export const taskMediaPrefix = (taskId: number) => `tasks/${taskId}/`;

/** What a task deletion must clean up: its id and, read before the delete, where its media are. */
export interface DeletedTaskMedia {
  taskId: number;
  data: Pick<DataRecord, 'storage' | 'media_prefix'> | null;
}

/**
 * The local folders holding a task's media: `tasks/<id>/` (uploads), and its data's own prefix when
 * that lies elsewhere (a restored task's `imports/<hash>/raw/`). Media in a cloud storage are the
 * user's bucket, not ours; an empty prefix names no folder.
 */
export function taskMediaFolders({ taskId, data }: DeletedTaskMedia): string[] {
  const folders = [taskMediaPrefix(taskId)];
  const own = data?.storage === 'local' ? data.media_prefix : '';
  if (own !== '' && !own.startsWith(folders[0]!)) folders.push(own);
  return folders;
}

/**
 * Removes a deleted task's media wherever they are. Runs after the catalog committed the delete, so a
 * failure leaves unreferenced files (logged; the worker's orphan sweep takes them later), never a task
 * whose files are gone. A folder another task's data still uses is kept.
 */
export async function removeTaskMedia(
  services: ApiServices,
  task: DeletedTaskMedia,
  log: FastifyBaseLogger,
): Promise<void> {
  for (const folder of taskMediaFolders(task)) {
    try {
      if (await services.catalog.data.localMediaInUse(folder)) {
        log.warn({ taskId: task.taskId, folder }, 'media of a deleted task kept: another task uses them');
        continue;
      }
      await deleteUnder(services.localMedia, folder);
    } catch (err) {
      log.warn({ err, taskId: task.taskId, folder }, 'media of a deleted task could not be removed');
    }
  }
}

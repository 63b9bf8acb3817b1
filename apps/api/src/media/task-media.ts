import type { FastifyBaseLogger } from 'fastify';
import type { ApiServices } from '../http/api-services.js';

/** Key prefix of a local task's media in the local media storage. */
export const taskMediaPrefix = (taskId: number) => `tasks/${taskId}/`;

/**
 * Removes a deleted task's uploaded media. Runs after the catalog committed the delete, so a failure
 * leaves unreferenced files (logged), never a task whose files are gone.
 */
export async function removeTaskMedia(
  services: ApiServices,
  taskId: number,
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    for await (const page of services.localMedia.list(taskMediaPrefix(taskId)))
      for (const entry of page) await services.localMedia.delete(entry.key);
  } catch (err) {
    log.warn({ err, taskId }, 'media of a deleted task could not be removed');
  }
}

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { UserRepository } from '@cvat-backup/catalog';
import { isAppError } from '@cvat-backup/common';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { authenticate, requireAdmin } from '../auth/auth.hook.js';
import { errorHandler } from '../http/error-handler.js';
import { VerifiedCredentials } from './verified-credentials.js';

/** Where the dashboard is mounted: outside `/api`, so CVAT's API namespace stays CVAT's. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

export interface QueueDashboardOptions {
  queues: Queue[];
  users: UserRepository;
  /**
   * No buttons that change queues (retry, clean, add, empty, obliterate): the default, because a
   * click there bypasses the API's own checks (an added job runs as whatever user its payload names)
   * and can drop every request's state at once.
   */
  readOnly: boolean;
}

/**
 * bull-board over every queue, for administrators only: the page, its JSON API and its static files
 * all answer 401 without credentials (with a Basic challenge, so a browser asks for the same username
 * and password as CVAT's login) and 403 to a user who is not an administrator.
 */
export function queueDashboard(options: QueueDashboardOptions) {
  const verified = new VerifiedCredentials();
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const basic = /^basic /i.test(header);
      try {
        request.principal = basic ? verified.get(header) : undefined;
        if (!request.principal) {
          await authenticate(options.users, request, reply);
          if (basic && request.principal) verified.set(header, request.principal);
        }
        requireAdmin(request, 'open the queue dashboard');
      } catch (err) {
        if (isAppError(err) && err.status === 401)
          reply.header('www-authenticate', 'Basic realm="cvat-backup", charset="UTF-8"');
        // bull-board's plugin sets its own error handler for its routes; answer here in ours.
        return errorHandler(err as Error, request, reply);
      }
    });
    const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'cvat-backup queues' } },
    });
    await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  };
}

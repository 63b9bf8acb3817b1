import { randomUUID } from 'node:crypto';
import { archiveView, runView } from '@cvat-backup/backup';
import type { Catalog, ScheduleRecord } from '@cvat-backup/catalog';
import { AppError, isAppError } from '@cvat-backup/common';
import { contentDisposition } from '@cvat-backup/format';
import {
  applyScheduler,
  manualFireJobId,
  purgeJobId,
  removeScheduler,
  SCHEDULE_JOB_NAMES,
  type SchedulePurgePayload,
} from '@cvat-backup/queue';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actor } from '../auth/auth.hook.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';
import {
  archiveParams,
  runParams,
  scheduleCreateBody,
  scheduleDeleteQuery,
  schedulePatchBody,
} from './schedule.schemas.js';
import type { ScheduleServices } from './schedule-services.js';
import { checkSettings, patchedSettings, settingsOf } from './schedule-settings.js';
import { scheduleView } from './schedule-view.js';

const BASE = '/api/backup-schedules';

/**
 * `/api/backup-schedules`: scheduled bulk backups. The catalog holds the schedules; each enabled one has
 * a BullMQ job scheduler (upserted here and by every worker at start). Owners see their own, admins all;
 * another user's schedule is 404.
 */
export function scheduleRoutes(catalog: Catalog, services: ScheduleServices) {
  const repo = catalog.schedules;
  const view = (s: ScheduleRecord) => scheduleView(catalog, services.queue, s);
  const visible = async (request: FastifyRequest, id: number) => {
    const schedule = await repo.get(actor(request), id);
    if (!schedule) throw new AppError('NOT_FOUND');
    return schedule;
  };
  /** A deleted schedule (retired, or on its way out) only keeps its archives: no change, no run. */
  const active = async (request: FastifyRequest, id: number) => {
    const schedule = await visible(request, id);
    if (schedule.state !== 'active')
      throw new AppError('SCHEDULE_RETIRED', { id: schedule.id, state: schedule.state });
    return schedule;
  };
  const redisDown = (err: unknown) =>
    isAppError(err)
      ? err
      : new AppError('DEPENDENCY_UNAVAILABLE', {
          dependency: 'Redis service',
          reason: 'the schedule queue cannot be reached, retry later',
        });

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('preHandler', async (request) => {
      if (request.method !== 'GET' && !services.queuesAvailable()) throw redisDown(undefined);
    });

    app.get(BASE, { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, ['state']);
      const page = await repo.list(actor(request), query);
      const envelope = pageEnvelope(request, query, page, (s) => s);
      return { ...envelope, results: await Promise.all(page.results.map(view)) };
    });

    app.post(BASE, { schema: { body: scheduleCreateBody } }, async (request, reply) => {
      const owner = actor(request);
      const settings = settingsOf(request.body);
      await checkSettings(catalog, owner, settings);
      // Row first, then the scheduler: a scheduler must never fire for a schedule not yet committed.
      const created = await repo.create(owner.id, settings);
      try {
        await applyScheduler(services.queue, created);
      } catch (err) {
        await repo.delete(owner, created.id);
        throw redisDown(err);
      }
      return reply.code(201).send(await view(created));
    });

    app.get(`${BASE}/:id`, { schema: { params: idParams } }, async (request) =>
      view(await visible(request, request.params.id)),
    );

    app.patch(`${BASE}/:id`, { schema: { params: idParams, body: schedulePatchBody } }, async (request) => {
      const current = await active(request, request.params.id);
      const next = patchedSettings(current, request.body);
      await checkSettings(catalog, { id: current.owner.id, isAdmin: current.owner_is_admin }, next);
      const updated = await repo.update(actor(request), current.id, next);
      if (!updated) throw new AppError('NOT_FOUND');
      // Deleted between the check and the update: the update touched nothing.
      if (updated.state !== 'active')
        throw new AppError('SCHEDULE_RETIRED', { id: updated.id, state: updated.state });
      // Workers reconcile at start too, so a Redis failure here heals at the next worker start.
      await applyScheduler(services.queue, updated).catch((err: unknown) => {
        throw redisDown(err);
      });
      return view(updated);
    });

    // Deleting keeps the archives tracked unless asked otherwise: a schedule with archives (or a run
    // still writing one) becomes `retired` and stays listed with its runs and archives; with
    // delete_archives=true it is marked `deleting` and a purge job deletes files, rows, then it.
    app.delete(
      `${BASE}/:id`,
      { schema: { params: idParams, querystring: scheduleDeleteQuery } },
      async (request, reply) => {
        const current = await visible(request, request.params.id);
        const purge = request.query.delete_archives;
        const done = purge
          ? await repo.beginPurge(actor(request), current.id)
          : await repo.retire(actor(request), current.id);
        if (!done) throw new AppError('NOT_FOUND');
        // A scheduler left behind (Redis down now) removes itself at its next fire.
        await removeScheduler(services.queue, current.id).catch((err: unknown) =>
          request.log.warn({ err, scheduleId: current.id }, 'job scheduler not removed'),
        );
        if (!purge) return reply.code(204).send();
        const data: SchedulePurgePayload = { version: 1, scheduleId: current.id };
        // Not added (Redis down now): the workers' minute sweep finishes every marked schedule.
        await services.queue
          .add(SCHEDULE_JOB_NAMES.purge, data, {
            jobId: purgeJobId(current.id),
            attempts: 3,
            backoff: { type: 'exponential', delay: 2000 },
            removeOnComplete: true,
            removeOnFail: true,
          })
          .catch((err: unknown) =>
            request.log.warn({ err, scheduleId: current.id }, 'purge job not queued; the sweep runs it'),
          );
        return reply.code(202).send({ id: current.id, state: 'deleting' });
      },
    );

    app.post(`${BASE}/:id/run`, { schema: { params: idParams } }, async (request, reply) => {
      const schedule = await active(request, request.params.id);
      const started = await repo.startRun({
        scheduleId: schedule.id,
        trigger: 'manual',
        fireKey: `manual-${randomUUID()}`,
        fireDate: new Date(),
      });
      if (started.kind === 'busy')
        throw new AppError('SCHEDULE_RUN_IN_PROGRESS', { runId: started.running.id });
      const run = started.run;
      try {
        await services.queue.add(
          SCHEDULE_JOB_NAMES.fire,
          { version: 1, scheduleId: schedule.id, runId: run.id },
          {
            jobId: manualFireJobId(schedule.id, run.id),
            attempts: 3,
            backoff: { type: 'exponential', delay: 2000 },
            removeOnComplete: { count: 50 },
            removeOnFail: { count: 50 },
          },
        );
      } catch (err) {
        // The run would otherwise stay "running" and hold back every later fire.
        await repo.endRun(run.id, { status: 'failed', done: 0, failures: [] });
        throw redisDown(err);
      }
      return reply.code(202).send({ run_id: run.id });
    });

    app.get(
      `${BASE}/:id/runs`,
      { schema: { params: idParams, querystring: listQuerySchema } },
      async (request) => {
        const schedule = await visible(request, request.params.id);
        const query = toListQuery(request.query, []);
        return pageEnvelope(request, query, await repo.listRuns(schedule.id, query), runView);
      },
    );

    app.get(`${BASE}/:id/runs/:run_id`, { schema: { params: runParams } }, async (request) => {
      const schedule = await visible(request, request.params.id);
      const run = await repo.getRun(schedule.id, request.params.run_id);
      if (!run) throw new AppError('NOT_FOUND');
      return runView(run);
    });

    app.get(
      `${BASE}/:id/archives`,
      { schema: { params: idParams, querystring: listQuerySchema } },
      async (request) => {
        const schedule = await visible(request, request.params.id);
        const query = toListQuery(request.query, ['target_id']);
        return pageEnvelope(request, query, await repo.listArchives(schedule.id, query), archiveView);
      },
    );

    app.get(
      `${BASE}/:id/archives/:archive_id/download`,
      { schema: { params: archiveParams } },
      async (request, reply) => {
        const schedule = await visible(request, request.params.id);
        const archive = await repo.getArchive(schedule.id, request.params.archive_id);
        if (!archive) throw new AppError('NOT_FOUND');
        if (archive.location !== 'local')
          throw new AppError('SCHEDULE_ARCHIVE_NOT_LOCAL', {
            id: archive.id,
            cloudStorageId: archive.cloud_storage_id,
            filename: archive.filename,
          });
        const info = await services.archives.head(archive.key);
        if (!info) throw new AppError('SCHEDULE_ARCHIVE_MISSING', { id: archive.id });
        const stream = await services.archives.read(archive.key);
        return reply
          .code(200)
          .header('content-type', 'application/zip')
          .header('content-length', String(info.size))
          .header('content-disposition', contentDisposition(archive.filename))
          .send(stream);
      },
    );
  };
}

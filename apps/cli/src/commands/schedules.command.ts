import type { Command } from 'commander';
import { cliError, usageError } from '../core/cli-error.js';
import { parseCount, parseDestination, parseId } from './args.js';
import type { CommandContext, Runner } from './context.js';

export interface ScheduleOptions {
  name: string;
  cron?: string;
  timezone?: string;
  every?: string;
  projects?: string;
  allProjects?: boolean;
  tasksOutsideProjects?: boolean;
  target?: string;
  lightweight: boolean;
  nameTemplate?: string;
  keepLast?: string;
  maxAgeDays?: string;
  skipUnchanged: boolean;
  enabled: boolean;
}

/** The body of `POST /api/backup-schedules` from the options; contradictions are usage errors. */
export function scheduleBody(options: ScheduleOptions): Record<string, unknown> {
  const scopes = [options.projects !== undefined, options.allProjects, options.tasksOutsideProjects].filter(
    Boolean,
  );
  if (scopes.length !== 1)
    throw usageError('give exactly one scope: --projects <ids>, --all-projects or --tasks-outside-projects');
  if ((options.cron === undefined) === (options.every === undefined))
    throw usageError('give exactly one of --cron <expression> and --every <seconds>');
  const scope = options.projects
    ? {
        type: 'projects',
        project_ids: options.projects.split(',').map((id) => parseId(id.trim(), 'project id')),
      }
    : { type: options.allProjects ? 'all_projects' : 'tasks_outside_projects' };
  const destination = parseDestination(options.target);
  const retention: Record<string, number> = {};
  if (options.keepLast !== undefined) retention.keep_last = parseCount(options.keepLast, '--keep-last');
  if (options.maxAgeDays !== undefined)
    retention.max_age_days = parseCount(options.maxAgeDays, '--max-age-days');
  return {
    name: options.name,
    ...(options.cron !== undefined ? { cron: options.cron } : {}),
    ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
    ...(options.every !== undefined ? { every_seconds: parseCount(options.every, '--every') } : {}),
    scope,
    target_storage:
      destination.location === 'local'
        ? { location: 'local' }
        : { location: 'cloud_storage', cloud_storage_id: destination.cloudStorageId },
    lightweight: options.lightweight,
    ...(options.nameTemplate !== undefined ? { name_template: options.nameTemplate } : {}),
    retention,
    skip_unchanged: options.skipUnchanged,
    enabled: options.enabled,
  };
}

type Schedule = Record<string, unknown> & { id: number; name: string };

const describe = (s: Schedule) =>
  [
    s.id,
    s.name,
    s.cron ?? (s.every_seconds ? `every ${s.every_seconds}s` : ''),
    s.enabled === false ? 'disabled' : '',
  ]
    .filter((part) => part !== '')
    .join('  ');

interface Run {
  id: number;
  status: 'running' | 'finished' | 'failed';
  trigger: string;
  started_date: string;
  done: number;
  failed: number;
  skipped: number;
  total: number;
}

const describeRun = (r: Run) =>
  `run ${r.id}  ${r.status}  ${r.trigger}  ${r.started_date}  done ${r.done}, failed ${r.failed}, skipped ${r.skipped} of ${r.total}`;

/** `run-now`: starts a run; with `--wait`, polls it until it ends. */
async function runNow(ctx: CommandContext, id: string, wait: boolean) {
  const scheduleId = parseId(id, 'schedule id');
  const client = await ctx.client();
  const { body } = await client.json<{ run_id: number }>('POST', `/api/backup-schedules/${scheduleId}/run`);
  if (!wait)
    return ctx.output.result(
      { id: scheduleId, run_id: body.run_id },
      `schedule ${scheduleId} started: run ${body.run_id}`,
    );
  const progress = ctx.output.progress('server');
  for (let delay = 200; ; delay = Math.min(2000, Math.round(delay * 1.5))) {
    const { body: runView } = await client.json<Run>(
      'GET',
      `/api/backup-schedules/${scheduleId}/runs/${body.run_id}`,
    );
    if (runView.status !== 'running') {
      progress.done();
      if (runView.status === 'failed')
        throw cliError(
          'CLI_REQUEST_FAILED',
          `${describeRun(runView)}: see \`schedules runs ${scheduleId}\` --json for the failures`,
        );
      return ctx.output.result(runView, describeRun(runView));
    }
    progress.phase(
      `run ${runView.id}: ${runView.done + runView.failed + runView.skipped} of ${runView.total}`,
      runView.total ? (runView.done + runView.failed + runView.skipped) / runView.total : 0,
    );
    await new Promise((r) => setTimeout(r, delay));
  }
}

export function addSchedulesCommands(program: Command, ctx: () => CommandContext, run: Runner) {
  const schedules = program.command('schedules').description('scheduled bulk backups with retention');
  schedules
    .command('create')
    .description('create a schedule')
    .requiredOption('--name <name>', 'schedule name')
    .option('--cron <expression>', 'cron expression, e.g. "0 3 * * *"')
    .option('--timezone <tz>', 'time zone of the cron expression, e.g. Europe/Berlin')
    .option('--every <seconds>', 'run every N seconds instead of a cron expression')
    .option('--projects <ids>', 'comma-separated project ids')
    .option('--all-projects', 'every project')
    .option('--tasks-outside-projects', 'every task that is in no project')
    .option('--target <where>', 'local or cloud:<cloud storage id>', 'local')
    .option('--no-lightweight', 'include the media of cloud-backed data')
    .option('--name-template <template>', 'archive name template')
    .option('--keep-last <n>', 'keep the last N backups of each resource')
    .option('--max-age-days <n>', 'delete backups older than N days')
    .option('--no-skip-unchanged', 'back up resources that did not change since the last run')
    .option('--disabled', 'create the schedule switched off')
    .action((options: ScheduleOptions & { disabled?: boolean }) =>
      run(async () => {
        const body = scheduleBody({ ...options, enabled: !options.disabled });
        const client = await ctx().client();
        const { body: created } = await client.json<Schedule>('POST', '/api/backup-schedules', {
          json: body,
        });
        ctx().output.result(created, `schedule ${created.id} created: ${describe(created)}`);
      }),
    );
  schedules
    .command('list')
    .description('list schedules')
    .option('--page <n>', 'page number')
    .action((options: { page?: string }) =>
      run(async () => {
        const client = await ctx().client();
        const page = options.page === undefined ? undefined : parseCount(options.page, '--page');
        const { body } = await client.json<{ count: number; results: Schedule[] }>(
          'GET',
          '/api/backup-schedules',
          {
            query: { page },
          },
        );
        ctx().output.result(body, body.results.length ? body.results.map(describe) : 'no schedules');
      }),
    );
  schedules
    .command('run-now')
    .description('run a schedule at once')
    .argument('<id>', 'schedule id')
    .option('--wait', 'wait for the run to end and print it (exit 1 when it failed)')
    .action((id: string, options: { wait?: boolean }) => run(() => runNow(ctx(), id, Boolean(options.wait))));
  schedules
    .command('runs')
    .description("a schedule's runs, newest first")
    .argument('<id>', 'schedule id')
    .action((id: string) =>
      run(async () => {
        const scheduleId = parseId(id, 'schedule id');
        const client = await ctx().client();
        const { body } = await client.json<{ results: Run[] }>(
          'GET',
          `/api/backup-schedules/${scheduleId}/runs`,
        );
        ctx().output.result(body, body.results.length ? body.results.map(describeRun) : 'no runs');
      }),
    );
  schedules
    .command('delete')
    .description('delete a schedule (its backups stay)')
    .argument('<id>', 'schedule id')
    .action((id: string) =>
      run(async () => {
        const scheduleId = parseId(id, 'schedule id');
        const client = await ctx().client();
        await client.call('DELETE', `/api/backup-schedules/${scheduleId}`);
        ctx().output.result({ id: scheduleId, deleted: true }, `schedule ${scheduleId} deleted`);
      }),
    );
}

import type { Command } from 'commander';
import { type RequestView, requestPath } from '../core/requests.js';
import { parseCount } from './args.js';
import type { CommandContext, Runner } from './context.js';

interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

function line(view: RequestView): string {
  const op = view.operation;
  const what = `${op.type} ${op.target} ${op.task_id ?? op.project_id ?? ''}`.trim();
  const pct = `${Math.floor((view.progress ?? 0) * 100)}%`;
  const result = view.result_id ? `→ ${op.target} ${view.result_id}` : view.message;
  return [view.id, view.status, what, pct, view.created_date, result].filter(Boolean).join('  ');
}

async function list(ctx: CommandContext, options: { status?: string; page?: string; pageSize?: string }) {
  const client = await ctx.client();
  const { body } = await client.json<Page<RequestView>>('GET', '/api/requests', {
    query: {
      status: options.status,
      page: options.page === undefined ? undefined : parseCount(options.page, '--page'),
      page_size: options.pageSize === undefined ? undefined : parseCount(options.pageSize, '--page-size'),
    },
  });
  const lines = body.results.map(line);
  if (body.next) lines.push(`(${body.count} in all; more with --page)`);
  ctx.output.result(body, lines.length ? lines : 'no requests');
}

async function show(ctx: CommandContext, rqId: string) {
  const client = await ctx.client();
  const { body } = await client.json<RequestView>('GET', requestPath(rqId));
  const lines = Object.entries(body).map(
    ([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`,
  );
  ctx.output.result(body, lines);
}

async function cancel(ctx: CommandContext, rqId: string) {
  const client = await ctx.client();
  await client.call('POST', `${requestPath(rqId)}/cancel`);
  ctx.output.result({ rq_id: rqId, cancelled: true }, `request ${rqId} cancelled`);
}

export function addRequestsCommands(program: Command, ctx: () => CommandContext, run: Runner) {
  const requests = program.command('requests').description('backup and restore requests on the server');
  requests
    .command('list')
    .description('your requests, newest first')
    .option('--status <status>', 'queued, started, finished or failed')
    .option('--page <n>', 'page number')
    .option('--page-size <n>', 'requests per page')
    .action((options) => run(() => list(ctx(), options)));
  requests
    .command('show')
    .description('one request: status, progress, result')
    .argument('<rq_id>')
    .action((rqId: string) => run(() => show(ctx(), rqId)));
  requests
    .command('cancel')
    .description('cancel a request no worker has started')
    .argument('<rq_id>')
    .action((rqId: string) => run(() => cancel(ctx(), rqId)));
}

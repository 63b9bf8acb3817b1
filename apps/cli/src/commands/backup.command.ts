import type { Command } from 'commander';
import { cliError } from '../core/cli-error.js';
import { waitForRequest } from '../core/requests.js';
import { download } from '../transfer/download.js';
import { parseDestination, parseId } from './args.js';
import { type CommandContext, type Runner, transferSummary } from './context.js';

export type Target = 'task' | 'project';

interface BackupOptions {
  out?: string;
  lightweight: boolean;
  target?: string;
  wait: boolean;
}

/**
 * `<task|project> backup <id>`: starts the export, follows the server's progress, and downloads a
 * local result (to `--out`, else the server's file name); a cloud target stays in its bucket.
 */
export async function backup(ctx: CommandContext, target: Target, idArg: string, options: BackupOptions) {
  const id = parseId(idArg, `${target} id`);
  const destination = parseDestination(options.target);
  const client = await ctx.client();
  const cloud = destination.location === 'cloud_storage';
  const { body } = await client.json<{ rq_id: string }>('POST', `/api/${target}s/${id}/backup/export`, {
    query: {
      lightweight: options.lightweight,
      location: destination.location,
      cloud_storage_id: cloud ? destination.cloudStorageId : undefined,
      // The object key of a cloud backup; a local download is named by --out instead.
      filename: cloud ? options.out : undefined,
    },
    accept: [409],
  });
  const rqId = body.rq_id;
  const base = { target, id, rq_id: rqId };
  if (!options.wait) return ctx.output.result({ ...base, status: 'queued' }, `request ${rqId} queued`);

  const started = Date.now();
  const serverProgress = ctx.output.progress('server');
  const view = await waitForRequest(client, rqId, serverProgress);
  serverProgress.done(`server: ${target} ${id} backed up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (cloud) {
    const filename = options.out ?? null;
    return ctx.output.result(
      { ...base, location: 'cloud_storage', cloud_storage_id: destination.cloudStorageId, filename },
      `${target} ${id} backed up to cloud storage ${destination.cloudStorageId}${filename ? ` as ${filename}` : ''}`,
    );
  }
  if (!view.result_url)
    throw cliError('CLI_UNEXPECTED_RESPONSE', `request ${rqId} finished without a result to download`);
  const downloadStarted = Date.now();
  const progress = ctx.output.progress('download');
  const saved = await download(client, view.result_url, options.out, progress);
  progress.done(transferSummary('download', saved.bytes, downloadStarted));
  return ctx.output.result(
    { ...base, location: 'local', file: saved.path, bytes: saved.bytes },
    `${target} ${id} backed up to ${saved.path}`,
  );
}

export function addBackupCommand(parent: Command, ctx: () => CommandContext, target: Target, run: Runner) {
  parent
    .command('backup')
    .description(`back up a ${target} and download the archive (or leave it in a cloud storage)`)
    .argument('<id>', `${target} id`)
    .option('-o, --out <path>', 'file or directory to save to; with a cloud target, the object key')
    .option(
      '--no-lightweight',
      'include the media of cloud-backed data (default: lightweight where possible)',
    )
    .option('--target <where>', 'local (download) or cloud:<cloud storage id>', 'local')
    .option('--no-wait', 'print the request id and return at once')
    .action((id: string, options: BackupOptions) => run(() => backup(ctx(), target, id, options)));
}

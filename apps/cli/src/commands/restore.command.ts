import path from 'node:path';
import type { Command } from 'commander';
import { CliError, cliError } from '../core/cli-error.js';
import { stateDir } from '../core/config-store.js';
import { waitForRequest } from '../core/requests.js';
import { tusUpload } from '../transfer/tus-upload.js';
import { UploadStateStore } from '../transfer/upload-state.js';
import { parseId, parseSize, parseSource } from './args.js';
import type { Target } from './backup.command.js';
import { type CommandContext, type Runner, transferSummary } from './context.js';

interface RestoreOptions {
  project?: string;
  chunkSize: string;
  wait: boolean;
}

/** Uploads a local archive (TUS, resumable) and starts its restore; returns the request id. */
async function uploadAndStart(
  ctx: CommandContext,
  target: Target,
  file: string,
  chunkSize: number,
  projectId?: number,
) {
  const client = await ctx.client();
  const state = new UploadStateStore(path.join(stateDir(ctx.env), 'uploads'));
  const started = Date.now();
  const progress = ctx.output.progress('upload');
  const upload = await tusUpload(client, { target, file, chunkSize, progress, state });
  progress.done(transferSummary('upload', upload.bytes - upload.resumedFrom, started));
  if (upload.resumedFrom > 0) ctx.output.note(`resumed an interrupted upload at byte ${upload.resumedFrom}`);
  try {
    const { body } = await client.json<{ rq_id: string }>('POST', `/api/${target}s/backup`, {
      headers: { 'upload-finish': 'true' },
      query: { filename: upload.fileId, project_id: projectId },
    });
    await state.delete(upload.key);
    return { rqId: body.rq_id, upload };
  } catch (err) {
    // The server forgot the upload (swept, or finished before): the next run starts afresh.
    if (err instanceof CliError && err.code === 'BACKUP_API_UPLOAD_UNKNOWN') await state.delete(upload.key);
    throw err;
  }
}

/**
 * `<task|project> restore <file | cloud:<id>:<key>>`: uploads the archive (or names the object in a
 * cloud storage), follows the restore and prints the new id.
 */
export async function restore(
  ctx: CommandContext,
  target: Target,
  sourceArg: string,
  options: RestoreOptions,
) {
  const source = parseSource(sourceArg);
  const projectId = options.project === undefined ? undefined : parseId(options.project, 'project id');
  const chunkSize = parseSize(options.chunkSize);
  const client = await ctx.client();
  let rqId: string;
  let from: Record<string, unknown>;
  if (source.kind === 'cloud') {
    const { body } = await client.json<{ rq_id: string }>('POST', `/api/${target}s/backup`, {
      query: {
        location: 'cloud_storage',
        cloud_storage_id: source.cloudStorageId,
        filename: source.key,
        project_id: projectId,
      },
    });
    rqId = body.rq_id;
    from = { cloud_storage_id: source.cloudStorageId, key: source.key };
  } else {
    const started = await uploadAndStart(ctx, target, source.path, chunkSize, projectId);
    rqId = started.rqId;
    from = {
      file: path.resolve(source.path),
      bytes: started.upload.bytes,
      resumed_from: started.upload.resumedFrom,
    };
  }
  const base = { target, rq_id: rqId, source: from, ...(projectId ? { project_id: projectId } : {}) };
  if (!options.wait) return ctx.output.result({ ...base, status: 'queued' }, `request ${rqId} queued`);
  const waited = Date.now();
  const progress = ctx.output.progress('server');
  const view = await waitForRequest(client, rqId, progress);
  progress.done(`server: restored in ${((Date.now() - waited) / 1000).toFixed(1)} s`);
  if (typeof view.result_id !== 'number')
    throw cliError('CLI_UNEXPECTED_RESPONSE', `request ${rqId} finished without the new ${target}'s id`);
  return ctx.output.result({ ...base, id: view.result_id }, `restored as ${target} ${view.result_id}`);
}

export function addRestoreCommand(parent: Command, ctx: () => CommandContext, target: Target, run: Runner) {
  const command = parent
    .command('restore')
    .description(`restore a ${target} from an archive file or a cloud storage object`)
    .argument('<source>', 'archive file, or cloud:<cloud storage id>:<key>')
    .option('--chunk-size <size>', 'bytes per upload request (resumable upload)', '8M')
    .option('--no-wait', 'print the request id and return once the restore is queued');
  if (target === 'task') command.option('--project <id>', 'restore the task into this project');
  command.action((source: string, options: RestoreOptions) =>
    run(() => restore(ctx(), target, source, options)),
  );
}

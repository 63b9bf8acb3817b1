import { isAppError } from '@cvat-backup/common';
import { FileSource, openBackup, type TaskContent } from '@cvat-backup/format';
import type { Command } from 'commander';
import { CliError, exitCodeFor, usageError } from '../core/cli-error.js';
import { formatBytes } from '../output/units.js';
import type { CommandContext, Runner } from './context.js';

async function checkTask(task: TaskContent) {
  const annotations = await task.validateAnnotations();
  // data/manifest.jsonl describes the media; it is not a frame itself.
  const media = task.media.filter((file) => file.path !== 'manifest.jsonl').length;
  return { name: task.meta.name, media, ...annotations };
}

/**
 * `verify <archive>`, offline: the zip structure (paths, sizes, duplicates), every entry's CRC-32,
 * the SHA-256 manifest when there is one, the JSON documents against their schemas, and every
 * annotation against the labels. Any problem is its archive code and exit code 6.
 */
export async function verify(ctx: CommandContext, file: string, kind?: string) {
  if (kind !== undefined && kind !== 'task' && kind !== 'project')
    throw usageError(`--kind must be task or project, not "${kind}"`);
  const source = await FileSource.open(file);
  try {
    const archive = await openBackup(source, kind ? { expect: kind } : {});
    const integrity = await archive.verify();
    const tasks = archive.kind === 'task' ? [archive.task] : archive.tasks;
    const checked = [];
    for (const task of tasks) checked.push(await checkTask(task));
    const report = {
      valid: true,
      file,
      kind: archive.kind,
      name: archive.kind === 'task' ? archive.task.meta.name : archive.project.name,
      entries: integrity.entries,
      bytes: integrity.bytes,
      checksums: integrity.checksums ? 'sha256 manifest matched' : 'no manifest (CRC-32 only)',
      tasks: checked,
    };
    const shapes = checked.reduce((n, t) => n + t.shapes + t.tracks + t.tags, 0);
    ctx.output.result(report, [
      `OK: ${file} is a valid CVAT ${archive.kind} backup "${report.name}"`,
      `  ${integrity.entries} entries, ${formatBytes(integrity.bytes)}, CRC-32 checked, ${report.checksums}`,
      `  ${checked.length} task(s), ${checked.reduce((n, t) => n + t.media, 0)} media file(s), ${shapes} annotation(s)`,
    ]);
  } catch (err) {
    // The verdict names the file; the code and exit code stay the archive reader's.
    if (!isAppError(err)) throw err;
    throw new CliError(err.code, `INVALID: ${file}: ${err.message}`, exitCodeFor(err.code, err.status));
  } finally {
    await source.close();
  }
}

export function addVerifyCommand(program: Command, ctx: () => CommandContext, run: Runner) {
  program
    .command('verify')
    .description('check an archive offline: zip structure, CRCs, checksum manifest, format and kind')
    .argument('<archive>', 'a task or project backup (.zip)')
    .option('--kind <kind>', 'require a task or a project backup')
    .action((file: string, options: { kind?: string }) => run(() => verify(ctx(), file, options.kind)));
}

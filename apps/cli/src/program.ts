import { Command, CommanderError } from 'commander';
import { addAuthCommands } from './commands/auth.command.js';
import { addBackupCommand } from './commands/backup.command.js';
import { CommandContext, type GlobalOptions, type Io, type Runner } from './commands/context.js';
import { addRequestsCommands } from './commands/requests.command.js';
import { addRestoreCommand } from './commands/restore.command.js';
import { addSchedulesCommands } from './commands/schedules.command.js';
import { addVerifyCommand } from './commands/verify.command.js';
import { EXIT, toCliError } from './core/cli-error.js';

export const VERSION = '0.1.0';

const EXIT_HELP = `
Exit codes:
  ${EXIT.OK}    success
  ${EXIT.FAILED}    the server refused the request, or the backup/restore failed
  ${EXIT.USAGE}    usage error (bad arguments, no server given)
  ${EXIT.AUTH}    not logged in, bad token or password, no permission
  ${EXIT.NOT_FOUND}    task, project, request, schedule or file not found
  ${EXIT.UNAVAILABLE}    server unreachable or failing (5xx); retry later
  ${EXIT.ARCHIVE_INVALID}    the archive is not a valid CVAT backup
  ${EXIT.INTERRUPTED}  interrupted (Ctrl-C); a started request goes on on the server

Environment: CVAT_BACKUP_SERVER (server URL), CVAT_BACKUP_TOKEN (token instead of the stored
login), XDG_CONFIG_HOME (where config.json lives), XDG_STATE_HOME (resumable upload state).
With --json every command prints exactly one JSON document on stdout; errors print
{"error":{"code","message"}} and exit non-zero.`;

/**
 * The whole command tree. Each action runs through `run`, which reports any error once (text on
 * stderr, or the JSON error document) and records the exit code in `status`.
 */
export function buildProgram(io: Io, status: { code: number }): Command {
  const program = new Command('cvat-backup');
  const json = () => Boolean(program.opts<GlobalOptions>().json);
  let context: CommandContext | undefined;
  const ctx = () => {
    context ??= new CommandContext(program.opts<GlobalOptions>(), io);
    return context;
  };
  const run: Runner = async (body) => {
    try {
      await body();
    } catch (err) {
      const error = toCliError(err);
      ctx().output.error(error);
      status.code = error.exitCode;
    }
  };
  program
    .description('Back up and restore CVAT tasks and projects through a cvat-backup server')
    .version(VERSION)
    .option('--server <url>', 'server URL (default: CVAT_BACKUP_SERVER, else the server logged in to)')
    .option('--json', 'print one JSON document on stdout, nothing else there; no progress bars')
    .option('-q, --quiet', 'no progress and no notes on stderr')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // With --json a usage error is reported once, as the JSON error document (runCli).
      outputError: (text, write) => {
        if (!json()) write(text);
      },
    });

  addAuthCommands(program, ctx, run);
  for (const target of ['task', 'project'] as const) {
    const group = program.command(target).description(`back up and restore ${target}s`);
    addBackupCommand(group, ctx, target, run);
    addRestoreCommand(group, ctx, target, run);
  }
  addRequestsCommands(program, ctx, run);
  addSchedulesCommands(program, ctx, run);
  addVerifyCommand(program, ctx, run);
  return program;
}

/** Runs one command line (without `node` and the script) and returns its exit code. */
export async function runCli(args: string[], io: Io): Promise<number> {
  const status = { code: EXIT.OK };
  const program = buildProgram(io, status);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version exit 0; every other parse failure is a usage error.
    if (err.exitCode === 0) return EXIT.OK;
    if (args.includes('--json')) {
      // A command group run without its command shows the group's help (on stderr) and fails.
      const message =
        err.code === 'commander.help'
          ? 'a command is missing: see --help for the commands'
          : err.message.replace(/^error: /, '');
      io.stdout.write(`${JSON.stringify({ error: { code: 'CLI_USAGE', message } })}\n`);
    }
    return EXIT.USAGE;
  }
  return status.code;
}

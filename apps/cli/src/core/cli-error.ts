import { type ErrorCode, isAppError } from '@cvat-backup/common';

/**
 * Exit codes of `cvat-backup` (stable: scripts depend on them; listed in `--help` and the README).
 */
export const EXIT = {
  OK: 0,
  /** The server refused the request, or the backup/restore job failed. */
  FAILED: 1,
  /** Bad arguments or options, or nothing to talk to (no server given). */
  USAGE: 2,
  /** Not logged in, a rejected token or password, or no permission. */
  AUTH: 3,
  /** The task, project, request, schedule or local file does not exist. */
  NOT_FOUND: 4,
  /** The server cannot be reached or answers 5xx; retrying later may help. */
  UNAVAILABLE: 5,
  /** The archive is not a valid CVAT backup (verify, or a restore the server refused for it). */
  ARCHIVE_INVALID: 6,
  /** Stopped by Ctrl-C (SIGINT). */
  INTERRUPTED: 130,
} as const;

/** The codes the client itself raises (registered in common's `cli.codes.ts`); server errors keep the server's code. */
export type CliCode = Extract<ErrorCode, `CLI_${string}`>;

/** Exit code of each client code: a table, so a code added to the registry must be given one here. */
const CLI_EXIT: Record<CliCode, number> = {
  CLI_USAGE: EXIT.USAGE,
  CLI_NO_SERVER: EXIT.USAGE,
  CLI_NOT_LOGGED_IN: EXIT.AUTH,
  CLI_SERVER_UNREACHABLE: EXIT.UNAVAILABLE,
  CLI_UNEXPECTED_RESPONSE: EXIT.FAILED,
  CLI_FILE_NOT_FOUND: EXIT.NOT_FOUND,
  CLI_FILE_CHANGED: EXIT.FAILED,
  CLI_DOWNLOAD_INCOMPLETE: EXIT.UNAVAILABLE,
  CLI_REQUEST_FAILED: EXIT.FAILED,
  CLI_INTERRUPTED: EXIT.INTERRUPTED,
  CLI_INTERNAL: EXIT.FAILED,
};

const isCliCode = (code: string): code is CliCode => Object.hasOwn(CLI_EXIT, code);

/** An error the CLI reports: a stable code, a message a user can act on, and its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A client error with the call site's specific message (the registry's template is the generic one). */
export function cliError(code: CliCode, message: string): CliError {
  return new CliError(code, message, CLI_EXIT[code]);
}

export const usageError = (message: string) => cliError('CLI_USAGE', message);

/**
 * The exit code of a coded error: a client code has its own; one coded by the server (or by the
 * archive reader) goes by kind: archive problems are 6, then by HTTP status: 401/403 → 3,
 * 404/410 → 4, 5xx → 5, any other → 1.
 */
export function exitCodeFor(code: string, status: number | undefined): number {
  if (isCliCode(code)) return CLI_EXIT[code];
  if (code.startsWith('ARCHIVE_')) return EXIT.ARCHIVE_INVALID;
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 404 || status === 410) return EXIT.NOT_FOUND;
  if (status !== undefined && status >= 500) return EXIT.UNAVAILABLE;
  return EXIT.FAILED;
}

/** Anything thrown, as the CliError the user sees. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (isAppError(err)) return new CliError(err.code, err.message, exitCodeFor(err.code, err.status));
  const errno = err as NodeJS.ErrnoException;
  if (errno?.code === 'ENOENT' || errno?.code === 'EISDIR' || errno?.code === 'ENOTDIR')
    return cliError('CLI_FILE_NOT_FOUND', `No such file: ${errno.path ?? errno.message}`);
  if (errno?.code === 'EACCES') return cliError('CLI_INTERNAL', `Permission denied: ${errno.path}`);
  return cliError('CLI_INTERNAL', err instanceof Error ? err.message : String(err));
}

import { isAppError } from '../errors/index.js';
import { scrubSecrets } from '../logging/index.js';

/**
 * Runs a process's start-up; if it fails, prints one line a person can act on (the coded message,
 * or the stack of anything else, secrets scrubbed) and exits non-zero.
 */
export function runMain(processName: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const message = isAppError(err)
      ? `${err.code}: ${err.message}`
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
    process.stderr.write(`${processName} failed to start: ${scrubSecrets(message)}\n`);
    process.exit(1);
  });
}

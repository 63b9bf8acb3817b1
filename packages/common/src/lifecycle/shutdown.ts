import type { Logger } from '../logging/index.js';

export interface ShutdownOptions {
  logger: Logger;
  /** How long the steps may take in all before the process exits anyway (non-zero). */
  deadlineMs: number;
  /** Run in order: stop taking work first, then drain, then close connections. */
  steps: Array<[name: string, step: () => Promise<unknown>]>;
  signals?: NodeJS.Signals[];
  exit?: (code: number) => void;
}

/**
 * Installs SIGTERM/SIGINT handlers that run the shutdown steps once, within a deadline. A second
 * signal while draining exits at once. Returns the function that runs the same shutdown on demand.
 */
export function installGracefulShutdown(options: ShutdownOptions): (reason: string) => Promise<void> {
  const {
    logger,
    deadlineMs,
    steps,
    signals = ['SIGTERM', 'SIGINT'],
    exit = (code) => process.exit(code),
  } = options;
  let running: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (running) return running;
    logger.info({ reason, deadlineMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting with work still open');
      exit(1);
    }, deadlineMs);
    timer.unref();
    running = (async () => {
      let failed = false;
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          failed = true;
          logger.error({ err, step: name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      logger.info('shutdown complete');
      exit(failed ? 1 : 0);
    })();
    return running;
  };

  for (const signal of signals) {
    process.on(signal, () => {
      if (running) {
        logger.warn({ signal }, 'second signal while shutting down; exiting now');
        exit(1);
        return;
      }
      void shutdown(signal);
    });
  }
  return shutdown;
}

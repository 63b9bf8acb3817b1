import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';

/** A server we started ourselves as a child process. */
export interface ChildService {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last few KiB the process printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_TAIL = 4096;

/**
 * Spawns a server and waits until `ready()` answers true. When the process exits first, or the
 * deadline passes, the error says which service it was and what it printed.
 */
export async function startChildService(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & {
    ready: () => Promise<boolean>;
    timeoutMs?: number;
    /** A temp dir of this service, removed once the process has stopped. */
    removeAfterStop?: string;
  },
): Promise<ChildService> {
  const { ready, timeoutMs = 60_000, removeAfterStop, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  let tail = '';
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );

  const service: ChildService = {
    name,
    process: child,
    output: () => tail,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitPromise;
        clearTimeout(killer);
      }
      if (removeAfterStop) await rm(removeAfterStop, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`${name}: could not start ${command}: ${spawnError.message}`);
    if (exited) throw new Error(`${name}: ${command} ${exited} before it was ready. Output:\n${tail}`);
    if (await ready().catch(() => false)) return service;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`${name}: not ready after ${timeoutMs} ms. Output:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

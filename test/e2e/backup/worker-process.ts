import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A real worker process (built `apps/worker/dist`), its output kept for failure messages. */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {
    if (!existsSync(path.join(root, 'apps/worker/dist/main.js')))
      throw new Error('apps/worker is not built: run `pnpm test` (it builds first) or `pnpm build`');
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [path.join(root, 'apps/worker/dist/main.js')], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // The output spans restarts: only a line printed after this start counts as this process ready.
    const from = this.output.length;
    child.stdout?.on('data', (c) => (this.output += c));
    child.stderr?.on('data', (c) => (this.output += c));
    const deadline = Date.now() + 30_000;
    while (!this.output.includes('worker ready', from)) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`worker not ready after 30 s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no shutdown step runs, as when a machine dies. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

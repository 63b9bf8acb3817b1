/**
 * Runs the built `cvat-backup` (apps/cli/dist/main.js) as a child process with its own HOME and
 * XDG directories, so logins and upload state of one suite never meet another's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const CLI_MAIN = fileURLToPath(new URL('../../../apps/cli/dist/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Gets the child process, e.g. to signal it. */
  onSpawn?: (child: ChildProcess) => void;
}

export interface CliHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: RunOptions): Promise<CliRun>;
  /** Runs with --json and parses stdout as exactly one JSON document; checks the exit code. */
  json(
    args: string[],
    code?: number,
    options?: { input?: string; env?: NodeJS.ProcessEnv },
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** One JSON document and nothing else (a trailing newline allowed). */
export function onlyJson(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n'), stdout).toBe(true);
  expect(stdout.trimEnd().includes('\n'), `more than one line on stdout:\n${stdout}`).toBe(false);
  return JSON.parse(stdout) as Record<string, unknown>;
}

export async function cliHome(baseEnv: NodeJS.ProcessEnv = {}): Promise<CliHome> {
  if (!existsSync(CLI_MAIN))
    throw new Error('apps/cli is not built: run `pnpm --filter @cvat-backup/cli build`');
  const dir = await mkdtemp(path.join(tmpdir(), 'cvb-cli-home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    ...baseEnv,
  };
  const run: CliHome['run'] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_MAIN, ...args], {
        env: { ...env, ...options.env },
        cwd: dir,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      options.onSpawn?.(child);
      child.stdin.end(options.input ?? '');
    });
  return {
    dir,
    env,
    run,
    async json(args, code = 0, options = {}) {
      const result = await run(['--json', ...args], options);
      expect(
        result.code,
        `exit code of ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
      ).toBe(code);
      return onlyJson(result.stdout);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

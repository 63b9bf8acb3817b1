/**
 * What a person sees: progress bars in a real terminal (tmux), and an upload cut off by the network
 * that a second run resumes where the server stands.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startFaultProxy } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../backup-http/backup-api.js';
import { createLocalTask, expectSameTask } from '../backup-http/task-backup.js';
import { CLI_MAIN, onlyJson } from './cli-runner.js';
import { type CliSystem, login, openCliSystem, PASSWORD } from './cli-system.js';

const exec = promisify(execFile);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('cvat-backup in a terminal and over a failing network', () => {
  let system: CliSystem;
  let task: number;
  let archive: string;

  beforeAll(async () => {
    system = await openCliSystem();
    await login(system);
    task = await createLocalTask(system.user, 'cli terminal');
  });

  afterAll(async () => {
    await system?.close();
  });

  /** A tmux session (private server) running `lines` as a shell script in the CLI's environment. */
  async function terminal(name: string, lines: string[]) {
    const env = Object.entries(system.home.env).map(([k, v]) => `export ${k}=${quote(v ?? '')}`);
    const script = path.join(system.home.dir, `${name}.sh`);
    await writeFile(script, [...env, ...lines, 'sleep 120', ''].join('\n'));
    // A private server on a socket inside the CLI's home, removed with it.
    const socket = path.join(system.home.dir, `${name}.tmux`);
    const tmux = (...args: string[]) => exec('tmux', ['-S', socket, '-f', '/dev/null', ...args]);
    await tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '30', `sh ${quote(script)}`);
    const screen = async () => (await tmux('capture-pane', '-p', '-t', 'cli')).stdout;
    return {
      screen,
      keys: (...keys: string[]) => tmux('send-keys', '-t', 'cli', ...keys),
      /** The screen once `text` shows on it. */
      waitFor: (text: string) =>
        until(`"${text}" in tmux`, async () => {
          const shown = await screen();
          return shown.includes(text) ? shown : undefined;
        }),
      close: () => tmux('kill-server').catch(() => undefined),
    };
  }

  const cli = () => `${quote(process.execPath)} ${quote(CLI_MAIN)}`;

  it('asks for the password on a terminal without echoing it', async () => {
    const { home, api, username } = system;
    const term = await terminal('login', [`${cli()} login --server ${quote(api.base)}; echo "CLI-EXIT=$?"`]);
    try {
      // capture-pane drops trailing blanks, so the prompts show without their space.
      await term.waitFor('username:');
      await term.keys(username, 'Enter');
      await term.waitFor('password:');
      await term.keys(PASSWORD, 'Enter');
      const screen = await term.waitFor('CLI-EXIT=');
      expect(screen, screen).toContain('CLI-EXIT=0');
      expect(screen).toContain(`username: ${username}`);
      expect(screen).toMatch(/^password:\s*$/m);
      expect(screen).toContain(`logged in to ${api.base} as ${username}`);
      expect(screen).not.toContain(PASSWORD);
      const stored = await readFile(path.join(home.dir, 'config', 'cvat-backup', 'config.json'), 'utf8');
      expect(JSON.parse(stored)).toMatchObject({ server: api.base, username });
    } finally {
      await term.close();
    }
  });

  it('draws upload and download bars with percentage, bytes, rate and ETA in tmux', async () => {
    archive = path.join(system.home.dir, 'tty.zip');
    const term = await terminal('bars', [
      `${cli()} task backup ${task} --out ${quote(archive)}; a=$?`,
      `${cli()} task restore ${quote(archive)} --chunk-size 1k; echo "CLI-EXIT=$a,$?"`,
    ]);
    try {
      const screen = await term.waitFor('CLI-EXIT=');
      expect(screen, screen).toContain('CLI-EXIT=0,0');
      const size = (await stat(archive)).size;
      const kib = (size / 1024).toFixed(1);
      for (const label of ['download', 'upload']) {
        const bar = new RegExp(
          `^${label}\\s+\\[#{20}\\]\\s+100%\\s+${kib} KiB / ${kib} KiB\\s+[\\d.]+ (B|KiB|MiB|GiB)/s\\s+ETA 0:00\\s*$`,
          'm',
        );
        expect(screen, screen).toMatch(bar);
      }
      expect(screen).toMatch(/^server: task \d+ backed up in [\d.]+ s$/m);
      expect(screen).toMatch(/^restored as task \d+$/m);
    } finally {
      await term.close();
    }
  });

  /** A chunk that landed whole: the resume starts after it, never inside it, never at 0 or the end. */
  const expectResumedAfterWholeChunks = async (offset: unknown) => {
    const size = (await stat(archive)).size;
    expect(offset as number).toBeGreaterThan(0);
    expect(offset as number).toBeLessThan(size);
    expect((offset as number) % 1024).toBe(0);
  };

  it('resumes an upload the network cut off, from where the server stands', async () => {
    const { home, api, user } = system;
    const proxy = await startFaultProxy({ port: Number(new URL(api.base).port) });
    // The stored login belongs to the direct address; the token goes along explicitly.
    const env = { CVAT_BACKUP_SERVER: proxy.url, CVAT_BACKUP_TOKEN: user.token };
    const uploads = path.join(home.dir, 'state', 'cvat-backup', 'uploads');
    try {
      // Cut in the second or third 1 KiB chunk, counted from the first PATCH.
      proxy.inject({ kind: 'drop', direction: 'upstream', afterBytes: 2600, armedBy: /^PATCH /m });
      const first = await home.json(['task', 'restore', archive, '--chunk-size', '1k'], 5, { env });
      expect(first.error).toMatchObject({ code: 'CLI_SERVER_UNREACHABLE' });
      expect(proxy.hits).toBe(1);
      expect(await readdir(uploads)).toHaveLength(1);

      const second = await home.json(['task', 'restore', archive, '--chunk-size', '1k'], 0, { env });
      expect(second.source).toMatchObject({ bytes: (await stat(archive)).size });
      // The chunk cut midway was discarded by the server; the whole ones before it were kept.
      await expectResumedAfterWholeChunks((second.source as { resumed_from: number }).resumed_from);
      await expectSameTask(user, task, second.id as number);
      expect(await readdir(uploads)).toHaveLength(0);
    } finally {
      await proxy.close();
    }
  });

  it('resumes an upload whose process was stopped with Ctrl-C (exit 130, one JSON error)', async () => {
    const { home, api, user } = system;
    const proxy = await startFaultProxy({ port: Number(new URL(api.base).port) });
    const env = { CVAT_BACKUP_SERVER: proxy.url, CVAT_BACKUP_TOKEN: user.token };
    const args = ['--json', 'task', 'restore', archive, '--chunk-size', '1k'];
    try {
      // The connection hangs inside a later chunk, as on a dead network, until Ctrl-C.
      proxy.inject({ kind: 'stall', direction: 'upstream', afterBytes: 2600, armedBy: /^PATCH /m });
      const first = await home.run(args, {
        env,
        onSpawn: (child) => {
          void until('the upload to stall', async () => (proxy.hits > 0 ? true : undefined)).then(() =>
            child.kill('SIGINT'),
          );
        },
      });
      expect(first.code, first.stderr).toBe(130);
      expect(onlyJson(first.stdout)).toEqual({ error: { code: 'CLI_INTERRUPTED', message: 'Interrupted' } });

      const second = await home.json(args.slice(1), 0, { env });
      await expectResumedAfterWholeChunks((second.source as { resumed_from: number }).resumed_from);
      await expectSameTask(user, task, second.id as number);
    } finally {
      await proxy.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { runCaptured } from './testing/capture-io.js';

const env = { HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config' };

describe('the command line', () => {
  it('--help documents every exit code; --version prints the version; both exit 0', async () => {
    const help = await runCaptured(['--help'], env);
    expect(help.code).toBe(0);
    for (const code of ['0', '1', '2', '3', '4', '5', '6', '130'])
      expect(help.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    expect(await runCaptured(['--version'], env)).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('usage errors exit 2; with --json as exactly one JSON error document on stdout', async () => {
    for (const args of [
      ['--json', 'requests'],
      ['--json', 'task', 'backup'],
      ['--json', 'task', 'backup', '1', '--bogus'],
      ['--json', 'nonsense'],
      ['--json', 'task', 'restore', 'x.zip', '--chunk-size', '10'],
    ]) {
      const run = await runCaptured(args, { ...env, CVAT_BACKUP_SERVER: 'http://127.0.0.1:9' });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'CLI_USAGE', message: expect.any(String) } });
    }
    const human = await runCaptured(['task', 'backup', 'abc'], env);
    expect(human).toMatchObject({ code: 2, stdout: '' });
    expect(human.stderr).toBe('error: task id must be a positive integer, not "abc" [CLI_USAGE]\n');
  });

  it('without a server it says how to give one (exit 2); without a token, how to log in (exit 3)', async () => {
    const noServer = await runCaptured(['--json', 'requests', 'list'], env);
    expect(noServer.code).toBe(2);
    expect(JSON.parse(noServer.stdout).error).toMatchObject({ code: 'CLI_NO_SERVER', message: /--server/ });
    const noToken = await runCaptured(['--json', 'requests', 'list', '--server', 'http://127.0.0.1:9'], env);
    expect(noToken.code).toBe(3);
    expect(JSON.parse(noToken.stdout).error).toMatchObject({ code: 'CLI_NOT_LOGGED_IN', message: /login/ });
  });
});

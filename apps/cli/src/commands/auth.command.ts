import type { Command } from 'commander';
import { ApiClient } from '../core/api-client.js';
import { CliError, cliError, EXIT } from '../core/cli-error.js';
import { readLogin, removeLogin, writeLogin } from '../core/config-store.js';
import { promptHidden, promptLine, readStdin } from '../core/prompt.js';
import type { CommandContext, Runner } from './context.js';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
}

/** `login`: exchanges username and password for a token and stores only the token (mode 0600). */
async function login(ctx: CommandContext, options: LoginOptions) {
  const { server } = await ctx.session();
  const username = options.username ?? (await promptLine('username: ', '--username'));
  const password = options.passwordStdin ? await readStdin() : await promptHidden('password: ');
  if (!username || !password) throw cliError('CLI_USAGE', 'a username and a password are needed');
  const client = new ApiClient(server, undefined);
  let key: string;
  try {
    ({
      body: { key },
    } = await client.json<{ key: string }>('POST', '/api/auth/login', {
      json: { username, password },
      anonymous: true,
    }));
  } catch (err) {
    // Wrong credentials are CVAT's 400 {"non_field_errors": […]}: an authentication failure here.
    if (err instanceof CliError && err.code === 'HTTP_400')
      throw new CliError('API_LOGIN_FAILED', err.message, EXIT.AUTH);
    throw err;
  }
  const file = await writeLogin({ server, token: key, username }, ctx.env);
  ctx.output.result({ server, username, config: file }, `logged in to ${server} as ${username}`);
}

/** `logout`: revokes the token on the server (when reachable) and forgets it here. */
async function logout(ctx: CommandContext) {
  const stored = await readLogin(ctx.env);
  let revoked = false;
  if (stored) {
    const client = new ApiClient(stored.server, stored.token);
    revoked = await client.call('POST', '/api/auth/logout').then(
      () => true,
      () => false,
    );
  }
  await removeLogin(ctx.env);
  ctx.output.result(
    { server: stored?.server ?? null, logged_out: Boolean(stored), revoked },
    stored
      ? `logged out of ${stored.server}${revoked ? '' : ' (the server was not reached; the token was only forgotten here)'}`
      : 'not logged in',
  );
}

export function addAuthCommands(program: Command, ctx: () => CommandContext, run: Runner) {
  program
    .command('login')
    .description('log in and store a token in ~/.config/cvat-backup/config.json (mode 0600)')
    .option('-u, --username <name>', 'user name (asked for on a terminal when missing)')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .action((options: LoginOptions) => run(() => login(ctx(), options)));
  program
    .command('logout')
    .description('revoke the stored token and forget it')
    .action(() => run(() => logout(ctx())));
}

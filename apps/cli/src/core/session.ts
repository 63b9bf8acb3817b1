import { cliError } from './cli-error.js';
import { readLogin, type StoredLogin } from './config-store.js';

/** Where to talk to and with which token, from options, environment and the stored login. */
export interface Session {
  server: string;
  token: string | undefined;
  login: StoredLogin | undefined;
}

/** `http(s)://host[:port][/prefix]` without a trailing slash; anything else is a usage error. */
export function normaliseServer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw cliError('CLI_USAGE', `"${raw}" is not a server URL (expected e.g. http://localhost:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw cliError('CLI_USAGE', `"${raw}" is not an http(s) URL`);
  if (url.username || url.password)
    throw cliError('CLI_USAGE', 'put no credentials in the server URL: use `cvat-backup login`');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Server: `--server`, else CVAT_BACKUP_SERVER, else the one logged in to. Token: CVAT_BACKUP_TOKEN,
 * else the stored one, but only for the server that issued it (a token is never sent elsewhere).
 */
export async function resolveSession(
  serverOption: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Session> {
  const login = await readLogin(env);
  const raw = serverOption || env.CVAT_BACKUP_SERVER || login?.server;
  if (!raw)
    throw cliError(
      'CLI_NO_SERVER',
      'No server given: pass --server URL, set CVAT_BACKUP_SERVER, or run `cvat-backup login --server URL`',
    );
  const server = normaliseServer(raw);
  const stored = login && normaliseServer(login.server) === server ? login.token : undefined;
  return { server, token: env.CVAT_BACKUP_TOKEN || stored, login };
}

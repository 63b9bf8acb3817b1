import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { cliError } from './cli-error.js';

/** What `login` keeps: the server and the token it issued (never the password). */
export interface StoredLogin {
  server: string;
  token: string;
  username: string;
}

type Env = NodeJS.ProcessEnv;

/** `$XDG_CONFIG_HOME/cvat-backup`, else `~/.config/cvat-backup`. */
export function configDir(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'cvat-backup');
}

/** `$XDG_STATE_HOME/cvat-backup`, else `~/.local/state/cvat-backup` (resumable upload state). */
export function stateDir(env: Env = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state');
  return path.join(base, 'cvat-backup');
}

export const configFile = (env: Env = process.env) => path.join(configDir(env), 'config.json');

export async function readLogin(env: Env = process.env): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(configFile(env), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const value = JSON.parse(text) as Partial<StoredLogin>;
    if (typeof value.server === 'string' && typeof value.token === 'string')
      return { server: value.server, token: value.token, username: String(value.username ?? '') };
    return undefined;
  } catch {
    throw cliError(
      'CLI_USAGE',
      `${configFile(env)} is not valid JSON: run \`cvat-backup logout\` (it removes the file) and log in again`,
    );
  }
}

/**
 * Writes the login with mode 0600 in a 0700 directory. A temporary file renamed into place keeps a
 * reader from ever seeing half a file, and the mode is set before the token is written.
 */
export async function writeLogin(login: StoredLogin, env: Env = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = configFile(env);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, '', { mode: 0o600 });
    await chmod(temp, 0o600);
    await writeFile(temp, `${JSON.stringify(login, null, 2)}\n`);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return file;
}

export async function removeLogin(env: Env = process.env): Promise<void> {
  await rm(configFile(env), { force: true });
}

import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startChildService } from '../child-service.js';
import { freePort } from '../free-port.js';
import { tryContainer } from './containers.js';
import { postgresBinDir } from './executables.js';
import { firstAvailable, nothingToStop, type Provided } from './provided.js';

export interface PostgresInfo {
  /** A URL of a role allowed to create databases; tests make their own database from it. */
  adminUrl: string;
}

/** True when PostgreSQL answers at the URL with a role that may create databases. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT (rolcreatedb OR rolsuper) AS ok FROM pg_roles WHERE rolname = current_user',
    );
    return rows[0]?.ok === true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** When we are root, PostgreSQL must run as the `postgres` user (it refuses root). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, but there is no postgres user to run the server as');
  }
}

/** The server runs as `postgres`; every directory above its data must let that user pass. */
function assertReachableBy(user: { uid: number; gid: number }, dir: string): void {
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    const st = statSync(d);
    const canPass =
      st.uid === user.uid ? st.mode & 0o100 : st.gid === user.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!canPass)
      throw new Error(
        `PostgreSQL runs as user postgres, which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}): make it traversable (chmod o+x) or set DATABASE_URL`,
      );
    if (d === path.dirname(d)) return;
  }
}

/**
 * Initialises (once) and starts a PostgreSQL cluster in `dir` on a free 127.0.0.1 port, trust auth
 * for local connections only. Throw-away clusters for tests skip fsync; a persistent one keeps it.
 */
export async function startPostgresCluster(options: { dir?: string; port?: number; persist?: boolean } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, postgres) are not installed');
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'cvb-pg-')));
  mkdirSync(dir, { recursive: true });
  const user = postgresUser();
  if (user) {
    chownSync(dir, user.uid, user.gid);
    assertReachableBy(user, dir);
  }
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    const initArgs = ['-D', dir, '-A', 'trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C'];
    if (!options.persist) initArgs.push('--no-sync');
    execFileSync(path.join(bin, 'initdb'), initArgs, { stdio: 'pipe', ...(user ?? {}) });
  }
  const port = options.port ?? (await freePort());
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const settings = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ];
  if (!options.persist)
    settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = await startChildService(
    'postgres',
    path.join(bin, 'postgres'),
    ['-D', dir, '-p', String(port), ...settings],
    {
      ready: () => postgresAnswers(adminUrl),
      ...(user ?? {}),
      ...(options.dir ? {} : { removeAfterStop: dir }),
    },
  );
  // postgres stops cleanly (fast shutdown) on SIGINT; SIGTERM waits for clients to leave.
  const stop = async () => {
    child.process.kill('SIGINT');
    await child.stop();
  };
  return { adminUrl, dir, stop };
}

export function providePostgres(): Promise<Provided<PostgresInfo>> {
  return firstAvailable<PostgresInfo>('PostgreSQL', [
    [
      'TEST_DATABASE_URL',
      async () => {
        const url = process.env.TEST_DATABASE_URL;
        if (!url) return undefined;
        if (!(await postgresAnswers(url)))
          throw new Error(
            `set to ${url.replace(/:[^:@/]*@/, ':***@')}, but it does not answer with a role that may CREATE DATABASE`,
          );
        return { info: { adminUrl: url }, provenance: 'environment', stop: nothingToStop };
      },
    ],
    [
      '127.0.0.1:5432',
      async () => {
        const url = 'postgres://postgres@127.0.0.1:5432/postgres';
        return (await postgresAnswers(url))
          ? { info: { adminUrl: url }, provenance: 'already-running', stop: nothingToStop }
          : undefined;
      },
    ],
    [
      'initdb + postgres child process',
      async () => {
        const { adminUrl, stop } = await startPostgresCluster();
        return { info: { adminUrl }, provenance: 'child-process', stop };
      },
    ],
    [
      'testcontainers',
      () =>
        tryContainer(
          'postgres:15',
          5432,
          [],
          async (host, port) => ({ adminUrl: `postgres://postgres@${host}:${port}/postgres` }),
          {
            POSTGRES_HOST_AUTH_METHOD: 'trust',
          },
        ),
    ],
  ]);
}

/** Creates the database if it does not exist yet; returns its URL (same server and role). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

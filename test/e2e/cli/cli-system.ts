import { type BackupApi, type HttpUser, openBackupApi } from '../backup-http/backup-api.js';
import { type CliHome, cliHome } from './cli-runner.js';

/** The backup API with a real worker process, one user, and a CLI home logged in as that user. */
export interface CliSystem {
  api: BackupApi;
  user: HttpUser;
  username: string;
  home: CliHome;
  close(): Promise<void>;
}

export const PASSWORD = 'secret-pass-1';

export async function openCliSystem(): Promise<CliSystem> {
  const api = await openBackupApi();
  try {
    await api.worker.start();
    const user = await api.user();
    const username = (await api.catalog.users.get(user.id))!.username;
    const home = await cliHome({ CVAT_BACKUP_SERVER: api.base });
    return {
      api,
      user,
      username,
      home,
      async close() {
        await home.close();
        await api.close();
      },
    };
  } catch (err) {
    await api.close();
    throw err;
  }
}

export async function login(system: CliSystem): Promise<Record<string, unknown>> {
  return system.home.json(['login', '--username', system.username, '--password-stdin'], 0, {
    input: `${PASSWORD}\n`,
  });
}

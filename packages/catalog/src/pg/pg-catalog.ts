import pg from 'pg';
import type { Catalog, CatalogRepositories, CatalogTransaction, TransactionOptions } from '../catalog.js';
import { migrate } from '../migrations/migrator.js';
import { CredentialCipher } from '../security/credential-cipher.js';
import { type Connections, clientConnections, poolConnections } from './db.js';
import { type AnnotationTuning, PgAnnotationRepository } from './pg-annotation.repository.js';
import { PgBackupViewRepository } from './pg-backup-view.repository.js';
import { PgCloudStorageRepository } from './pg-cloud-storage.repository.js';
import { PgDataRepository } from './pg-data.repository.js';
import { PgGuideRepository } from './pg-guide.repository.js';
import { PgJobRepository } from './pg-job.repository.js';
import { PgLabelRepository } from './pg-label.repository.js';
import { PgProjectRepository } from './pg-project.repository.js';
import { PgScheduleRepository } from './pg-schedule.repository.js';
import { PgTaskRepository } from './pg-task.repository.js';
import { PgUserRepository } from './pg-user.repository.js';
import { PgWebhookRepository } from './pg-webhook.repository.js';

export interface PgCatalogOptions {
  /** 32-byte AES-256-GCM key for cloud credentials (derive it from an environment secret). */
  credentialsKey: Buffer;
  /** Largest annotation-guide asset accepted, in bytes (default 10 MiB). */
  maxAssetBytes?: number;
  /** Batch sizes of annotation COPY writes and cursor reads. */
  annotations?: AnnotationTuning;
}

const ISOLATION = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
} as const;

/** The PostgreSQL adapter of the catalog. The pool belongs to the caller unless made by `open`. */
export class PgCatalog implements Catalog {
  readonly users;
  readonly projects;
  readonly tasks;
  readonly data;
  readonly labels;
  readonly jobs;
  readonly annotations;
  readonly cloudStorages;
  readonly guides;
  readonly backups;
  readonly schedules;
  readonly webhooks;
  readonly #cipher: CredentialCipher;
  readonly #options: PgCatalogOptions;
  #ownedPool = false;

  constructor(
    readonly pool: pg.Pool,
    options: PgCatalogOptions,
  ) {
    this.#options = options;
    this.#cipher = new CredentialCipher(options.credentialsKey);
    const repos = this.#repositories(poolConnections(pool));
    this.users = repos.users;
    this.projects = repos.projects;
    this.tasks = repos.tasks;
    this.data = repos.data;
    this.labels = repos.labels;
    this.jobs = repos.jobs;
    this.annotations = repos.annotations;
    this.cloudStorages = repos.cloudStorages;
    this.guides = repos.guides;
    this.backups = repos.backups;
    this.schedules = repos.schedules;
    this.webhooks = repos.webhooks;
  }

  /** Makes a pool for `databaseUrl`, applies pending migrations, and returns the catalog (close it). */
  static async open(
    databaseUrl: string,
    options: PgCatalogOptions & { poolMax?: number; migrate?: boolean },
  ): Promise<PgCatalog> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolMax ?? 10 });
    // An idle client's network error must not crash the process; the pool drops that client.
    pool.on('error', () => {});
    try {
      if (options.migrate !== false) await migrate(pool);
      const catalog = new PgCatalog(pool, options);
      catalog.#ownedPool = true;
      return catalog;
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  /** Ends the pool when `open` made it. */
  async close(): Promise<void> {
    if (this.#ownedPool) await this.pool.end();
  }

  async transaction<T>(
    fn: (tx: CatalogTransaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const mode = [`ISOLATION LEVEL ${ISOLATION[options.isolation ?? 'read committed']}`];
      if (options.readOnly) mode.push('READ ONLY');
      await client.query(`BEGIN ${mode.join(' ')}`);
      try {
        const tx: CatalogTransaction = {
          ...this.#repositories(clientConnections(client)),
          lockImportRequest: async (id: string) => {
            await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`import:${id}`]);
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  #repositories(conn: Connections): CatalogRepositories {
    const labels = (c: Connections) => new PgLabelRepository(c);
    return {
      users: new PgUserRepository(conn),
      projects: new PgProjectRepository(conn, labels),
      tasks: new PgTaskRepository(conn, labels),
      data: new PgDataRepository(conn),
      labels: labels(conn),
      jobs: new PgJobRepository(conn),
      annotations: new PgAnnotationRepository(conn, this.#options.annotations),
      cloudStorages: new PgCloudStorageRepository(conn, this.#cipher),
      guides: new PgGuideRepository(conn, this.#options.maxAssetBytes ?? 10 * 1024 * 1024),
      backups: new PgBackupViewRepository(conn),
      schedules: new PgScheduleRepository(conn),
      webhooks: new PgWebhookRepository(conn, this.#cipher),
    };
  }
}

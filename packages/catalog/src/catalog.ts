import type { AnnotationRepository } from './repositories/annotation.repository.js';
import type { BackupViewRepository } from './repositories/backup-view.repository.js';
import type { CloudStorageRepository } from './repositories/cloud-storage.repository.js';
import type { DataRepository } from './repositories/data.repository.js';
import type { GuideRepository } from './repositories/guide.repository.js';
import type { JobRepository } from './repositories/job.repository.js';
import type { LabelRepository } from './repositories/label.repository.js';
import type { ProjectRepository } from './repositories/project.repository.js';
import type { ScheduleRepository } from './repositories/schedule.repository.js';
import type { TaskRepository } from './repositories/task.repository.js';
import type { UserRepository } from './repositories/user.repository.js';
import type { WebhookRepository } from './repositories/webhook.repository.js';

/** Every repository of the system of record. */
export interface CatalogRepositories {
  readonly users: UserRepository;
  readonly projects: ProjectRepository;
  readonly tasks: TaskRepository;
  readonly data: DataRepository;
  readonly labels: LabelRepository;
  readonly jobs: JobRepository;
  readonly annotations: AnnotationRepository;
  readonly cloudStorages: CloudStorageRepository;
  readonly guides: GuideRepository;
  readonly backups: BackupViewRepository;
  readonly schedules: ScheduleRepository;
  readonly webhooks: WebhookRepository;
}

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
}

/** The same repositories bound to one transaction. */
export interface CatalogTransaction extends CatalogRepositories {
  /**
   * Holds a lock on a restore's idempotency key until the transaction ends, so two attempts of the same
   * import run one after the other and the second finds the first's result (`findByImportRequestId`).
   */
  lockImportRequest(importRequestId: string): Promise<void>;
}

/**
 * The catalog seam. Callers (API, exporter, importer) depend on this interface only; `PgCatalog` is
 * the PostgreSQL adapter, and another (e.g. reading a CVAT server's own database) can be added beside it.
 */
export interface Catalog extends CatalogRepositories {
  /**
   * Runs `fn` in one transaction: everything it wrote is committed when it resolves and nothing is
   * visible when it throws. Repository writes inside it nest as savepoints.
   */
  transaction<T>(fn: (tx: CatalogTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export type { Catalog, CatalogRepositories, CatalogTransaction, TransactionOptions } from './catalog.js';
export { MIGRATIONS_DIR, type MigrateResult, migrate, readMigrations } from './migrations/migrator.js';
export { PgCatalog, type PgCatalogOptions } from './pg/pg-catalog.js';
export * from './repositories/annotation.repository.js';
export * from './repositories/backup-view.repository.js';
export * from './repositories/cloud-storage.repository.js';
export * from './repositories/common.types.js';
export * from './repositories/data.repository.js';
export * from './repositories/guide.repository.js';
export * from './repositories/job.repository.js';
export * from './repositories/label.repository.js';
export * from './repositories/project.repository.js';
export * from './repositories/schedule.repository.js';
export * from './repositories/task.repository.js';
export * from './repositories/user.repository.js';
export * from './repositories/webhook.repository.js';
export { type CipherScope, CredentialCipher } from './security/credential-cipher.js';
export { deriveCredentialsKey } from './security/credentials-key.js';
export { hashPassword, verifyPassword } from './security/password-hasher.js';
export { type JobContext, type LabelInfo, validateItem } from './validation/annotation-rules.js';
export { checkNewLabels } from './validation/label-rules.js';
export {
  checkDataFields,
  checkGuideMarkdown,
  checkImageRow,
  checkResourceFields,
  checkSegment,
} from './validation/record-rules.js';

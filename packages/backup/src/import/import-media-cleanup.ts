import type { CatalogTransaction } from '@cvat-backup/catalog';
import { deleteUnder } from '@cvat-backup/storage';
import type { ImportDependencies } from './task-importer.js';

/**
 * After a restore failed once its media copy had begun: removes what the copy wrote under
 * `prefixes`, unless an attempt of the same request committed them (a retry that ran beside this
 * one writes the same keys). Runs under the request's lock, so it never interleaves with an
 * attempt's transaction: one that committed first is seen here and its files stay; one that commits
 * after finds, in its own check under that lock, the files this removed, and fails without writing
 * a row (see importTask). So this never leaves a committed task without media. Best effort:
 * whatever this cannot remove (the catalog or the storage failing too) stays under imports/<hash>/
 * for the orphan sweep.
 */
export async function removeUncommittedMedia(
  deps: ImportDependencies,
  importRequestId: string,
  prefixes: readonly string[],
  committed: (tx: CatalogTransaction) => Promise<unknown>,
): Promise<void> {
  await deps.catalog
    .transaction(async (tx) => {
      await tx.lockImportRequest(importRequestId);
      if (await committed(tx)) return;
      for (const prefix of prefixes) await deleteUnder(deps.localMedia, prefix);
    })
    .catch(() => {});
}

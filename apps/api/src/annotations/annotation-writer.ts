import type { AnnotationIds, AnnotationItem, Catalog, CatalogTransaction } from '@cvat-backup/catalog';
import type { JobRouter } from './job-router.js';

export type WriteAction = 'put' | 'create' | 'update' | 'delete';

/** Items buffered across all jobs before they go to the catalog: bounds memory per request. */
export const WRITE_BATCH = 5000;

/**
 * Applies one PUT/PATCH to the jobs in a single catalog transaction: items are routed to their job
 * and written in batches, so the body is never held whole and a failure anywhere (bad object,
 * unknown id, lost connection) leaves every job as it was.
 */
export async function applyAnnotations(
  catalog: Catalog,
  router: JobRouter,
  action: WriteAction,
  items: AsyncIterable<AnnotationItem>,
): Promise<void> {
  await catalog.transaction(async (tx) => {
    if (action === 'put') for (const jobId of router.jobIds) await tx.annotations.clear(jobId);
    if (action === 'delete') return deleteByIds(tx, router.jobIds, items);
    const buffers = new Map<number, AnnotationItem[]>();
    let buffered = 0;
    const flush = async () => {
      for (const [jobId, batch] of buffers) {
        if (action === 'update') await tx.annotations.update(jobId, batch);
        else await tx.annotations.append(jobId, batch);
      }
      buffers.clear();
      buffered = 0;
    };
    let index = 0;
    for await (const item of items) {
      for (const { jobId, item: routed } of router.route(item, index)) {
        const list = buffers.get(jobId) ?? [];
        if (list.length === 0) buffers.set(jobId, list);
        list.push(routed);
        buffered++;
      }
      index++;
      if (buffered >= WRITE_BATCH) await flush();
    }
    await flush();
  });
}

async function deleteByIds(tx: CatalogTransaction, jobIds: number[], items: AsyncIterable<AnnotationItem>) {
  let ids = { tags: [] as number[], shapes: [] as number[], tracks: [] as number[] };
  let count = 0;
  const flush = async () => {
    for (const jobId of jobIds) await tx.annotations.delete(jobId, ids satisfies AnnotationIds);
    ids = { tags: [], shapes: [], tracks: [] };
    count = 0;
  };
  for await (const item of items) {
    ids[`${item.kind}s`].push(item.value.id!);
    if (++count >= WRITE_BATCH) await flush();
  }
  await flush();
}

import { PassThrough, type Readable } from 'node:stream';
import type { Catalog, JobAnnotations } from '@cvat-backup/catalog';

/** Ids above which objects count as new (PATCH create answers with only what it created). */
export interface IdFloor {
  tags: number;
  shapes: number;
  tracks: number;
}

/** Which objects an answer includes (all when absent). */
export type ObjectFilter = (list: 'tags' | 'shapes' | 'tracks', id: number) => boolean;

export const above =
  (floor: IdFloor): ObjectFilter =>
  (list, id) =>
    id > floor[list];

export const among =
  (ids: { tags: Set<number>; shapes: Set<number>; tracks: Set<number> }): ObjectFilter =>
  (list, id) =>
    ids[list].has(id);

const LISTS = ['tags', 'shapes', 'tracks'] as const;
/** Bytes gathered before a write to the response: few writes, bounded memory. */
const CHUNK_BYTES = 64 * 1024;

/**
 * CVAT's `LabeledData` of the given jobs as one JSON document, streamed from database cursors inside
 * one read-only snapshot: every job's tags, then shapes, then tracks, in job order. The response
 * applies backpressure to the cursors; a client that goes away ends the snapshot.
 */
export function annotationsJson(
  catalog: Catalog,
  jobIds: readonly number[],
  include?: ObjectFilter,
): Readable {
  const out = new PassThrough();
  let pending = '';
  const write = async (text: string) => {
    pending += text;
    if (pending.length < CHUNK_BYTES) return;
    const chunk = pending;
    pending = '';
    if (!out.write(chunk)) await drained(out);
  };
  catalog
    .transaction(
      async (tx) => {
        await write('{"version":0');
        for (const list of LISTS) {
          await write(`,"${list}":[`);
          let first = true;
          for (const jobId of jobIds) {
            const job: JobAnnotations = tx.annotations.read(jobId);
            for await (const object of job[list]()) {
              if (include && !include(list, object.id)) continue;
              await write(first ? JSON.stringify(object) : `,${JSON.stringify(object)}`);
              first = false;
            }
          }
          await write(']');
        }
        await write(',"intervals":[]}');
        out.end(pending);
      },
      { isolation: 'repeatable read', readOnly: true },
    )
    .catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/** The highest id of each kind in the jobs now (objects created later have higher ids). */
export async function idFloor(catalog: Catalog, jobIds: readonly number[]): Promise<IdFloor> {
  const floor: IdFloor = { tags: 0, shapes: 0, tracks: 0 };
  for (const jobId of jobIds) {
    const job = catalog.annotations.read(jobId);
    for (const list of LISTS) for await (const o of job[list]()) floor[list] = Math.max(floor[list], o.id);
  }
  return floor;
}

function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the client went away'));
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}

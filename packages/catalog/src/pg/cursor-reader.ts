import Cursor from 'pg-cursor';
import type { Connections } from './db.js';

/**
 * Yields the rows of a query through a server-side cursor, `batchSize` rows in memory at a time.
 * Outside a transaction it holds one pool client until the iteration ends (or is abandoned with
 * `break`/`return`); inside one it uses the transaction's client, so iterate one reader at a time.
 */
export async function* readCursor<T>(
  conn: Connections,
  sql: string,
  params: readonly unknown[],
  batchSize: number,
): AsyncGenerator<T, void, undefined> {
  const { client, release } = await conn.acquire();
  const cursor = client.query(new Cursor<T>(sql, [...params]));
  let failure: Error | undefined;
  try {
    for (;;) {
      const rows = await cursor.read(batchSize);
      for (const row of rows) yield row;
      if (rows.length < batchSize) break;
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    await cursor.close().catch((err: Error) => {
      failure ??= err;
    });
    release(failure);
  }
}

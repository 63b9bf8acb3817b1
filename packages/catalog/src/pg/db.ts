import type pg from 'pg';

/** What a repository runs its SQL on: the pool (one statement, autocommit) or one transaction's client. */
export type Queryable = pg.Pool | pg.PoolClient;

/** A connection factory for streaming reads: the bound transaction client, or a fresh pool client. */
export interface Connections {
  /** Runs statements: the pool, or the transaction's client. */
  readonly db: Queryable;
  /** A client for a cursor or COPY, released by the returned function (no-op inside a transaction). */
  acquire(): Promise<{ client: pg.PoolClient; release: (err?: Error) => void }>;
  /** True inside `catalog.transaction`. */
  readonly inTransaction: boolean;
}

export function poolConnections(pool: pg.Pool): Connections {
  return {
    db: pool,
    inTransaction: false,
    acquire: async () => {
      const client = await pool.connect();
      return { client, release: (err) => client.release(err) };
    },
  };
}

export function clientConnections(client: pg.PoolClient): Connections {
  return {
    db: client,
    inTransaction: true,
    acquire: async () => ({ client, release: () => {} }),
  };
}

/**
 * Runs `fn` on its own client: the pool's when not yet in a transaction (then BEGIN/COMMIT around it),
 * or the current transaction's client (then a SAVEPOINT, so a failed step rolls back alone).
 */
export async function atomically<T>(
  conn: Connections,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const { client, release } = await conn.acquire();
  const begin = conn.inTransaction ? 'SAVEPOINT catalog_step' : 'BEGIN';
  const rollback = conn.inTransaction ? 'ROLLBACK TO SAVEPOINT catalog_step' : 'ROLLBACK';
  const commit = conn.inTransaction ? 'RELEASE SAVEPOINT catalog_step' : 'COMMIT';
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query(commit);
    return result;
  } catch (err) {
    await client.query(rollback).catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw err;
  } finally {
    // A client whose rollback failed is in an unknown state: the pool destroys it.
    release(broken);
  }
}

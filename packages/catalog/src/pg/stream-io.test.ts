import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCatalog, type TestCatalog } from '../../test/catalog-fixture.js';
import { copyLine, copyRows } from './copy-writer.js';
import { readCursor } from './cursor-reader.js';
import { poolConnections } from './db.js';

let t: TestCatalog;
beforeAll(async () => {
  t = await openTestCatalog();
  await t.pool.query(
    'CREATE TABLE io_test (n integer PRIMARY KEY, s text, a double precision[], tags text[], j jsonb)',
  );
});
afterAll(async () => {
  await t.close();
});

describe('copyLine', () => {
  it('encodes NULL, escapes and arrays in COPY text format', () => {
    expect(copyLine([1, null, 'a\tb\nc\\d', true, [1.5, -2], ['x"y', 'z\\'], '{"k":"v\\n"}'])).toBe(
      '1\t\\N\ta\\tb\\nc\\\\d\ttrue\t{1.5,-2}\t{"x\\\\"y","z\\\\\\\\"}\t{"k":"v\\\\n"}\n',
    );
  });
});

describe('copyRows and readCursor', () => {
  it('round-trips awkward values through COPY and a cursor', async () => {
    const rows = [
      [
        1,
        'tab\there, newline\nhere, backslash\\here',
        [0.1, 1e-7, 12345.678],
        ['a,b', 'c"d', 'e\\f', ''],
        JSON.stringify({ v: 'x\ny' }),
      ],
      [2, null, [], [], '[]'],
    ] as const;
    const client = await t.pool.connect();
    try {
      expect(await copyRows(client, 'io_test', ['n', 's', 'a', 'tags', 'j'], rows)).toBe(2);
    } finally {
      client.release();
    }
    const read = [];
    for await (const row of readCursor<Record<string, unknown>>(
      poolConnections(t.pool),
      'SELECT * FROM io_test ORDER BY n',
      [],
      1,
    ))
      read.push(row);
    expect(read).toEqual([
      { n: 1, s: rows[0][1], a: [0.1, 1e-7, 12345.678], tags: ['a,b', 'c"d', 'e\\f', ''], j: { v: 'x\ny' } },
      { n: 2, s: null, a: [], tags: [], j: [] },
    ]);
  });

  it('aborts a COPY whose source throws, leaving the client usable and nothing written', async () => {
    async function* failing() {
      yield [10, 'ok', [], [], '{}'] as const;
      throw new Error('source broke');
    }
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(copyRows(client, 'io_test', ['n', 's', 'a', 'tags', 'j'], failing())).rejects.toThrow(
        'source broke',
      );
      await client.query('ROLLBACK');
      expect((await client.query('SELECT count(*)::int AS n FROM io_test WHERE n = 10')).rows[0]).toEqual({
        n: 0,
      });
    } finally {
      client.release();
    }
  });

  it('maps a server-side COPY failure to a coded error and keeps the client usable', async () => {
    const client = await t.pool.connect();
    try {
      const err = await copyRows(
        client,
        'io_test',
        ['n', 's', 'a', 'tags', 'j'],
        [[1, 'duplicate key', [], [], '{}']],
      ).catch((e: unknown) => e);
      expect(isAppError(err, 'CATALOG_CONFLICT')).toBe(true);
      expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      const bad = await copyRows(
        client,
        'io_test',
        ['n', 's', 'a', 'tags', 'j'],
        [[99, 'x', [], [], 'not json']],
      ).catch((e: unknown) => e);
      expect(isAppError(bad, 'CATALOG_INVALID_VALUE')).toBe(true);
    } finally {
      client.release();
    }
  });

  it('gives its pool client back when the reader stops early or the query fails', async () => {
    await t.pool.query('INSERT INTO io_test (n) SELECT g FROM generate_series(100, 1100) g');
    const conn = poolConnections(t.pool);
    for await (const row of readCursor<{ n: number }>(conn, 'SELECT n FROM io_test ORDER BY n', [], 10)) {
      if (row.n >= 5) break;
    }
    await expect(async () => {
      for await (const _ of readCursor(conn, 'SELECT * FROM no_such_table', [], 10)) {
        // never reached
      }
    }).rejects.toThrow(/no_such_table/);
    expect(t.pool.totalCount - t.pool.idleCount).toBe(0);
    expect(t.pool.waitingCount).toBe(0);
  });
});

import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { buildListSql, type ListSpec } from './list-sql.js';

const spec: ListSpec = {
  fields: {
    id: { sql: 't.id', type: 'int' },
    name: { sql: 't.name', type: 'text' },
    active: { sql: 't.active', type: 'bool' },
    secret: { sql: 't.secret', type: 'text' },
  },
  filters: ['id', 'name', 'active'],
  search: ['name'],
  defaultSort: '-id',
};

const fails = (fn: () => unknown, text: RegExp) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isAppError(err, 'CATALOG_INVALID_LIST_QUERY')).toBe(true);
  expect((err as Error).message).toMatch(text);
};

describe('buildListSql', () => {
  it('defaults to page 1 of 10 in the default order', () => {
    expect(buildListSql(spec, {}, ['a'])).toEqual({
      where: 'TRUE',
      orderBy: 't.id DESC NULLS LAST',
      limit: 'LIMIT 10 OFFSET 0',
      params: ['a'],
    });
  });

  it('numbers filter and search placeholders after the caller parameters and escapes LIKE wildcards', () => {
    const sql = buildListSql(spec, { filters: { id: '7', active: 'false', name: null }, search: '50%_a' }, [
      true,
      1,
    ]);
    expect(sql.where).toBe('t.id = $3 AND t.active = $4 AND t.name IS NULL AND (t.name::text ILIKE $5)');
    expect(sql.params).toEqual([true, 1, 7, false, '%50\\%\\_a%']);
  });

  it('sorts by several fields and adds id last for stable pages', () => {
    expect(buildListSql(spec, { sort: 'name,-active' }, []).orderBy).toBe(
      't.name ASC NULLS LAST, t.active DESC NULLS LAST, t.id ASC',
    );
  });

  it('pages with page_size, or returns everything with "all"', () => {
    expect(buildListSql(spec, { page: 3, pageSize: 25 }, []).limit).toBe('LIMIT 25 OFFSET 50');
    expect(buildListSql(spec, { pageSize: 'all' }, []).limit).toBe('');
  });

  it('refuses unknown fields, non-filterable fields, bad values and bad pages', () => {
    fails(() => buildListSql(spec, { sort: 'nope' }, []), /unknown sort field "nope"/);
    fails(() => buildListSql(spec, { filters: { nope: 1 } }, []), /unknown filter field "nope"/);
    fails(() => buildListSql(spec, { filters: { secret: 'x' } }, []), /unknown filter field "secret"/);
    fails(() => buildListSql(spec, { filters: { id: 'abc' } }, []), /expects an integer/);
    fails(() => buildListSql(spec, { filters: { active: 'maybe' } }, []), /expects true or false/);
    fails(() => buildListSql(spec, { page: 0 }, []), /page must be/);
    fails(() => buildListSql(spec, { pageSize: -1 }, []), /page_size must be/);
  });
});

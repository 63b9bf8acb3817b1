import { AppError } from '@cvat-backup/common';
import type pg from 'pg';
import type { ListQuery, Page } from '../repositories/common.types.js';
import type { Queryable } from './db.js';

export type FieldType = 'int' | 'text' | 'bool';

/** A filterable/sortable field of a list: its SQL expression and type. */
export interface ListField {
  sql: string;
  type: FieldType;
}

export interface ListSpec {
  fields: Readonly<Record<string, ListField>>;
  /** Field names that may be used as `filters` (equality). */
  filters: readonly string[];
  /** Field names searched by `search`. */
  search: readonly string[];
  /** Default ORDER BY, e.g. `-id`. */
  defaultSort: string;
}

export interface ListSql {
  where: string;
  orderBy: string;
  limit: string;
  params: unknown[];
}

function invalid(problem: string): AppError {
  return new AppError('CATALOG_INVALID_LIST_QUERY', { problem });
}

function coerce(name: string, type: FieldType, value: string | number | boolean | null): unknown {
  if (value === null) return null;
  if (type === 'text') return String(value);
  if (type === 'bool') {
    if (value === true || value === 'true' || value === '1') return true;
    if (value === false || value === 'false' || value === '0') return false;
    throw invalid(`filter ${name} expects true or false`);
  }
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.toString()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalid(`filter ${name} expects an integer`);
  return n;
}

/**
 * Builds WHERE / ORDER BY / LIMIT for a CVAT list. `params` starts with the caller's own parameters
 * (placeholders continue after them). Unknown fields are refused rather than ignored, so a typo does not
 * silently return everything.
 */
export function buildListSql(spec: ListSpec, query: ListQuery, baseParams: unknown[]): ListSql {
  const params = [...baseParams];
  const where: string[] = [];
  for (const [name, value] of Object.entries(query.filters ?? {})) {
    const field = spec.fields[name];
    if (!field || !spec.filters.includes(name)) throw invalid(`unknown filter field "${name}"`);
    const v = coerce(name, field.type, value);
    if (v === null) where.push(`${field.sql} IS NULL`);
    else {
      params.push(v);
      where.push(`${field.sql} = $${params.length}`);
    }
  }
  if (query.search !== undefined && query.search !== '' && spec.search.length > 0) {
    params.push(`%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `$${params.length}`;
    where.push(`(${spec.search.map((n) => `${spec.fields[n]?.sql}::text ILIKE ${p}`).join(' OR ')})`);
  }
  const order: string[] = [];
  for (const raw of (query.sort || spec.defaultSort).split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const desc = term.startsWith('-');
    const name = desc ? term.slice(1) : term;
    const field = spec.fields[name];
    if (!field) throw invalid(`unknown sort field "${name}"`);
    order.push(`${field.sql} ${desc ? 'DESC' : 'ASC'} NULLS LAST`);
  }
  // A total order makes pages stable.
  if (!order.some((o) => o.startsWith(`${spec.fields['id']?.sql} `)))
    order.push(`${spec.fields['id']?.sql} ASC`);
  const page = query.page ?? 1;
  if (!Number.isSafeInteger(page) || page < 1) throw invalid('page must be a positive integer');
  let limit = '';
  const size = query.pageSize ?? 10;
  if (size !== 'all') {
    if (!Number.isSafeInteger(size) || size < 1)
      throw invalid('page_size must be a positive integer or "all"');
    limit = `LIMIT ${size} OFFSET ${(page - 1) * size}`;
  }
  return {
    where: where.length ? where.join(' AND ') : 'TRUE',
    orderBy: order.join(', '),
    limit,
    params,
  };
}

/**
 * One page of a list and the count of everything its filter matches, queried together. `from` is
 * the FROM clause the count needs (the joins `where` refers to); `select` is the page's
 * `SELECT … FROM …`.
 */
export async function queryPage<T extends pg.QueryResultRow>(
  db: Queryable,
  parts: { from: string; select: string; where: string; sql: ListSql },
): Promise<Page<T>> {
  const { from, select, where, sql } = parts;
  const [count, page] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n ${from} WHERE ${where}`, sql.params),
    db.query<T>(`${select} WHERE ${where} ORDER BY ${sql.orderBy} ${sql.limit}`, sql.params),
  ]);
  return { count: count.rows[0]!.n, results: page.rows };
}

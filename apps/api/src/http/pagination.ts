import type { ListQuery, Page } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { baseUrl } from './urls.js';

/** CVAT's list parameters common to every list endpoint; other keys are simple filters. */
export const listQuerySchema = z
  .object({
    page: z.coerce.number().int().positive().optional().catch(undefined),
    // CVAT falls back to 10 for anything that is not a positive integer or `all`.
    page_size: z
      .union([z.literal('all'), z.coerce.number().int().positive()])
      .optional()
      .catch(undefined),
    sort: z.string().max(256).optional(),
    search: z.string().max(256).optional(),
    filter: z.string().max(4096).optional(),
    org: z.string().optional(),
    org_id: z.string().optional(),
  })
  .catchall(z.string());

export type ListQueryInput = z.infer<typeof listQuerySchema>;

type FilterValue = string | number | boolean | null;

/**
 * Turns the query string into the catalog's `ListQuery`: `filters` are the query keys in `allowed`
 * plus the equality tests of a JSON Logic `filter` (`and` of `==`), renamed by `rename`.
 */
export function toListQuery(
  query: ListQueryInput,
  allowed: readonly string[],
  rename: Readonly<Record<string, string>> = {},
): ListQuery {
  const filters: Record<string, FilterValue> = {};
  for (const name of allowed) {
    const value = query[name];
    if (typeof value === 'string') filters[rename[name] ?? name] = value;
  }
  if (query.filter) {
    for (const [name, value] of parseJsonLogic(query.filter)) {
      if (!allowed.includes(name))
        throw new AppError('API_INVALID_FILTER', { problem: `unknown field "${name}"` });
      filters[rename[name] ?? name] = value;
    }
  }
  const out: ListQuery = { filters };
  if (query.page !== undefined) out.page = query.page;
  if (query.page_size !== undefined) out.pageSize = query.page_size;
  if (query.sort) out.sort = query.sort;
  if (query.search) out.search = query.search;
  return out;
}

function parseJsonLogic(text: string): Array<[string, FilterValue]> {
  let logic: unknown;
  try {
    logic = JSON.parse(text);
  } catch {
    throw new AppError('API_INVALID_FILTER', { problem: 'it is not JSON' });
  }
  const out: Array<[string, FilterValue]> = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || Array.isArray(node))
      throw new AppError('API_INVALID_FILTER', { problem: 'expected an object' });
    const entries = Object.entries(node);
    if (entries.length !== 1)
      throw new AppError('API_INVALID_FILTER', { problem: 'one operator per object' });
    const [op, args] = entries[0]!;
    if (op === 'and' && Array.isArray(args)) {
      for (const arg of args) visit(arg);
      return;
    }
    if (op === '==' && Array.isArray(args) && args.length === 2) {
      const [left, right] = args as [unknown, unknown];
      const name = (left as { var?: unknown } | null)?.var;
      if (typeof name !== 'string' || (right !== null && typeof right === 'object'))
        throw new AppError('API_INVALID_FILTER', { problem: 'expected {"==":[{"var":name},value]}' });
      out.push([name, right as FilterValue]);
      return;
    }
    throw new AppError('API_INVALID_FILTER', { problem: `operator "${op}"` });
  };
  visit(logic);
  return out;
}

/** CVAT's `{count, next, previous, results}` with absolute page links; a page past the end is 404. */
export function pageEnvelope<T, R>(
  request: FastifyRequest,
  query: ListQuery,
  page: Page<T>,
  serialize: (item: T) => R,
) {
  const number = query.page ?? 1;
  if (number > 1 && page.results.length === 0) throw new AppError('API_INVALID_PAGE');
  const size = query.pageSize ?? 10;
  const link = (n: number) => {
    const url = new URL(request.url, baseUrl(request));
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  const hasNext = size !== 'all' && number * size < page.count;
  return {
    count: page.count,
    next: hasNext ? link(number + 1) : null,
    previous: number > 1 ? link(number - 1) : null,
    results: page.results.map(serialize),
  };
}

import { BadamError } from './errors.js';
import { MAX_ID, parseIntegerParam } from './ids.js';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

/** A request for one page of a group's history, newest first. */
export interface ReadQuery {
  groupId: number;
  limit: number;
  /** Only messages with an order below this one; undefined for the latest page. */
  before: number | undefined;
}

const QUERY_PARAMS: ReadonlySet<string> = new Set(['limit', 'before']);

/**
 * Validates the raw strings every framework hands over (path parameter and query string), so the three read apps
 * accept and refuse exactly the same requests.
 */
export function parseReadQuery(groupId: string | undefined, query: Record<string, unknown>): ReadQuery {
  const group = parseIntegerParam(groupId, 'group_id', { min: 1, max: MAX_ID });
  for (const key of Object.keys(query)) {
    if (!QUERY_PARAMS.has(key)) {
      throw new BadamError('invalid_request', `unknown query parameter ${JSON.stringify(key).slice(0, 80)}`, {
        field: key,
      });
    }
  }
  return {
    groupId: group,
    limit:
      query.limit === undefined
        ? DEFAULT_PAGE_SIZE
        : parseIntegerParam(single(query.limit, 'limit'), 'limit', { min: 1, max: MAX_PAGE_SIZE }),
    before:
      query.before === undefined
        ? undefined
        : parseIntegerParam(single(query.before, 'before'), 'before', { min: 1, max: MAX_ID }),
  };
}

/**
 * The query string as the three read apps hand it to parseReadQuery, parsed here and not by each framework: restify's
 * parser (qs) drops `constructor`, `__proto__` and everything past the 1000th parameter and nests `a[b]`, hapi's
 * also stops at 1000, so the same URL was refused by one app and answered by another. Every parameter is kept,
 * repeated ones as arrays, on an object with no prototype; decoding is URLSearchParams' (`+` is a space, a
 * malformed escape stays as written).
 */
export function parseQueryString(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  if (search === '' || search === '?') return query;
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = query[key];
    if (seen === undefined) query[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else query[key] = [seen, value];
  }
  return query;
}

function single(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new BadamError('invalid_request', `${field} must be given once, as an integer`, { field });
  }
  return value;
}

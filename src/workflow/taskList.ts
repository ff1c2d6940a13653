// `GET /api/tasks`: the account's tasks (now, or as they were at asAt), filtered with the LUSID filter
// language over the Task representation (`state eq 'Open' and fields['amount'] gt 100`,
// `taskDefinitionId.code eq 'X'`, `version.asAtCreated gt '2026-01-01'`), sorted by `sortBy` ("path ASC|DESC"),
// and paged with an opaque token that remembers the query: a token used with a different filter, sort or asAt
// is refused, as LUSID documents.
import { ApiError } from '../core/errors.ts';
import { compareText } from './filter/filterValues.ts';
import { evaluateFilter } from './filter/filterEvaluate.ts';
import { FilterSyntaxError, type FilterNode, parseFilter } from './filter/filterParser.ts';

export interface ListQuery {
  filter?: string;
  sortBy?: string[];
  limit?: number;
  page?: string;
  asAt?: number;
}

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 5000;

/** Reads `a.b['c']` from a representation: keys match case-insensitively; `fields['x']` finds the field named x;
 *  UserCreated / UserUpdated / CurrentUser are the version's users and the caller. */
export function representationResolver(rep: Record<string, unknown>, currentUser: string) {
  return (segments: string[]): unknown => {
    if (segments.length === 1) {
      const alias = segments[0]!.toLowerCase();
      if (alias === 'currentuser') return currentUser;
      if (alias === 'usercreated') return (rep.version as Record<string, unknown>).userIdCreated;
      if (alias === 'userupdated') return (rep.version as Record<string, unknown>).userIdModified;
    }
    let value: unknown = rep;
    for (const seg of segments) {
      if (Array.isArray(value)) {
        // fields['x']: the value of the element named x.
        const hit = value.find((v) => v && typeof v === 'object' && (v as { name?: unknown }).name === seg) as { value?: unknown } | undefined;
        value = hit?.value;
      } else if (value && typeof value === 'object') {
        const obj = value as Record<string, unknown>;
        if (Object.hasOwn(obj, seg)) value = obj[seg];
        else {
          const key = Object.keys(obj).find((k) => k.toLowerCase() === seg.toLowerCase());
          value = key === undefined ? undefined : obj[key];
        }
      } else {
        return undefined;
      }
    }
    return value;
  };
}

export function compileFilter(text: string): FilterNode {
  try {
    return parseFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new ApiError('workflowFilterInvalid', `The filter '${text.slice(0, 200)}' is invalid: ${err.message}`, [{ filter: text.slice(0, 200) }]);
    throw err;
  }
}

/** The order of list values: missing last, numbers (by value) before everything else (by its text, code point
 *  order); DESC reverses it all. The stores' SQL sorts the same way (store/workflowTaskQuery.ts). */
export function compareListValues(a: unknown, b: unknown): number {
  const missing = (v: unknown) => v === undefined || v === null;
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  const an = typeof a === 'number';
  const bn = typeof b === 'number';
  if (an && bn) return Math.sign((a as number) - (b as number));
  if (an !== bn) return an ? -1 : 1;
  const x = String(a);
  const y = String(b);
  return compareText(x, y);
}

export function sortKeys(sortBy: string[]): { path: string[]; desc: boolean }[] {
  return sortBy.map((s) => {
    const m = /^\s*(.+?)(?:\s+(ASC|DESC))?\s*$/i.exec(s);
    let node: FilterNode | undefined;
    try {
      // Reuse the filter grammar's path syntax: "fields['x'] ASC" parses as the path of an exists test.
      node = m ? parseFilter(`${m[1]} exists`) : undefined;
    } catch {
      node = undefined;
    }
    if (!m || !node || node.kind !== 'exists' || node.operand.kind !== 'path') {
      throw new ApiError('workflowValidation', `sortBy '${s.slice(0, 200)}' must be a field path followed by ASC or DESC`, [{ sortBy: s.slice(0, 200) }]);
    }
    return { path: node.operand.segments, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
}

interface PageState {
  offset: number;
  filter: string;
  sortBy: string[];
  asAt: number | null;
}

function decodePage(token: string): PageState {
  try {
    const s = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageState;
    if (Number.isInteger(s.offset) && s.offset >= 0 && typeof s.filter === 'string' && Array.isArray(s.sortBy)) return s;
  } catch {
    // fall through
  }
  throw new ApiError('workflowPageInvalid', 'The page token is not one this server issued');
}

/** How a list reads its items: a resolver for filter and sort paths, and the rendering of an item on the page.
 *  Tasks resolve common paths from the stored task and render only the page (building every representation
 *  first cost 7 µs a task); definitions and workers are already representations. */
export interface ListView<T, R> {
  resolver(item: T): (segments: string[]) => unknown;
  render(item: T): R;
}

export function representationView<T extends object>(currentUser: string): ListView<T, T> {
  return { resolver: (r) => representationResolver(r as Record<string, unknown>, currentUser), render: (r) => r };
}

/** Where the list starts: the page token's offset (checked against the query it was issued for), else 0. */
export function pageOffset(q: ListQuery): number {
  if (!q.page) return 0;
  const state = decodePage(q.page);
  if (state.filter !== (q.filter ?? '') || JSON.stringify(state.sortBy) !== JSON.stringify(q.sortBy ?? []) || state.asAt !== (q.asAt ?? null)) {
    throw new ApiError('workflowPageInvalid', 'A page token must be used with the same filter, sortBy and asAt as the request that returned it');
  }
  return state.offset;
}

/** The next and previous page tokens of a page at `offset`. */
export function pageTokens(q: ListQuery, offset: number, hasMore: boolean) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const token = (o: number) => Buffer.from(JSON.stringify({ offset: o, filter: q.filter ?? '', sortBy: q.sortBy ?? [], asAt: q.asAt ?? null } satisfies PageState)).toString('base64url');
  return { nextPage: hasMore ? token(offset + limit) : null, previousPage: offset > 0 ? token(Math.max(0, offset - limit)) : null };
}

/** Filters, sorts and pages items (tasks, definitions, workers); returns the page and the next/previous tokens. */
export function filterSortPage<T, R>(all: T[], q: ListQuery, view: ListView<T, R>) {
  const filter = q.filter ?? '';
  const sortBy = q.sortBy ?? [];
  const offset = pageOffset(q);
  const limit = q.limit ?? DEFAULT_LIMIT;
  const node = filter ? compileFilter(filter) : undefined;
  const keys = sortKeys(sortBy);
  let rows = node ? all.filter((r) => evaluateFilter(node, view.resolver(r))) : all;
  if (keys.length) {
    const decorated = rows.map((r) => {
      const resolve = view.resolver(r);
      return { r, vals: keys.map((k) => resolve(k.path)) };
    });
    decorated.sort((x, y) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareListValues(x.vals[i], y.vals[i]);
        if (c !== 0) return keys[i]!.desc ? -c : c;
      }
      return 0;
    });
    rows = decorated.map((d) => d.r);
  }
  const page = rows.slice(offset, offset + limit).map((r) => view.render(r));
  return { values: page, ...pageTokens(q, offset, offset + limit < rows.length) };
}

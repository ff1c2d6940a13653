// `GET /api/tasks`: the account's tasks (now, or as they were at asAt), filtered with the LUSID filter
// language over the Task representation (`state eq 'Open' and fields['amount'] gt 100`,
// `taskDefinitionId.code eq 'X'`, `version.asAtCreated gt '2026-01-01'`), sorted by `sortBy` ("path ASC|DESC"),
// and paged with an opaque token that remembers the query: a token used with a different filter, sort or asAt
// is refused, as LUSID documents.
import { compareMissingLast } from '../core/compareValues.ts';
import { ApiError } from '../core/errors.ts';
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

function sortKeys(sortBy: string[]): { path: string[]; desc: boolean }[] {
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

/** Filters, sorts and pages items (tasks, definitions, workers); returns the page and the next/previous tokens. */
export function filterSortPage<T, R>(all: T[], q: ListQuery, view: ListView<T, R>) {
  const filter = q.filter ?? '';
  const sortBy = q.sortBy ?? [];
  const asAt = q.asAt ?? null;
  let offset = 0;
  if (q.page) {
    const state = decodePage(q.page);
    if (state.filter !== filter || JSON.stringify(state.sortBy) !== JSON.stringify(sortBy) || state.asAt !== asAt) {
      throw new ApiError('workflowPageInvalid', 'A page token must be used with the same filter, sortBy and asAt as the request that returned it');
    }
    offset = state.offset;
  }
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
        const c = compareMissingLast(x.vals[i], y.vals[i]);
        if (c !== 0) return keys[i]!.desc ? -c : c;
      }
      return 0;
    });
    rows = decorated.map((d) => d.r);
  }
  const page = rows.slice(offset, offset + limit).map((r) => view.render(r));
  const token = (o: number) => Buffer.from(JSON.stringify({ offset: o, filter, sortBy, asAt } satisfies PageState)).toString('base64url');
  return {
    values: page,
    nextPage: offset + limit < rows.length ? token(offset + limit) : null,
    previousPage: offset > 0 ? token(Math.max(0, offset - limit)) : null,
  };
}

// Twilio list paging. Requests carry PageSize (1-1000, default 50), Page (echoed, "for client state") and an
// opaque PageToken; responses carry absolute first/next/previous page URLs on the server's own origin, which
// the twilio client follows verbatim. Tokens: `PA<pos>` = rows after position, `PB<pos>` = rows before it,
// `PO<n>` = rows from offset n (lists filtered or sorted in memory). A bare `Page=N` is absolute paging.
// A list newest first (insertion order reversed) pages with the same tokens read the other way: its next page
// is `PB<oldest position shown>`, its previous `PA<newest position shown>`.
import { invalid } from '../../core/errors.ts';
import { LIMITS } from '../../core/limits.ts';
import type { PageCursor, PageResult } from '../../core/repository.ts';

export interface PagingParams {
  PageSize?: number;
  Page?: number;
  PageToken?: string;
}

export interface PageRequest {
  pageSize: number;
  page: number;
  cursor: PageCursor;
}

export function pageRequest(p: PagingParams): PageRequest {
  const pageSize = p.PageSize ?? LIMITS.pageSizeDefault;
  const page = p.Page ?? 0;
  const cursor: PageCursor = { limit: pageSize };
  if (p.PageToken !== undefined) {
    const m = /^P([ABO])(\d{1,15})$/.exec(p.PageToken);
    if (!m) throw invalid(`Invalid parameter PageToken: ${p.PageToken} is not a page token issued by this server`);
    const n = Number(m[2]);
    if (m[1] === 'A') cursor.after = n;
    else if (m[1] === 'B') cursor.before = n;
    else cursor.offset = n;
  } else {
    cursor.offset = page * pageSize;
  }
  return { pageSize, page, cursor };
}

/** Pages an in-memory, already filtered and ordered array with the same tokens (offset based). */
export function pageArray<T>(all: T[], req: PageRequest): PageResult<T> {
  const c = req.cursor;
  const start = c.offset ?? (c.after !== undefined ? c.after : c.before !== undefined ? Math.max(0, c.before - c.limit) : 0);
  const end = c.before !== undefined ? c.before : start + c.limit;
  const items = all.slice(start, end);
  return {
    items,
    positions: items.map((_, i) => start + i),
    hasMore: end < all.length,
    hasPrevious: start > 0,
  };
}

/** A page of a list newest first, read from the store's insertion-ordered pages (`read`) and reversed, so it
 *  costs what any keyset page costs. Undefined for absolute `Page=N` paging (the caller sorts in memory). */
export function newestFirstPage<T>(req: PageRequest, read: (cursor: PageCursor) => PageResult<T>): PageResult<T> | undefined {
  const c = req.cursor;
  if (c.offset) return undefined;
  if (c.after !== undefined) {
    // The previous page: the rows just newer than `after`.
    const newer = read({ after: c.after, limit: c.limit });
    return { items: [...newer.items].reverse(), positions: [...newer.positions].reverse(), hasMore: true, hasPrevious: newer.hasMore };
  }
  const older = read({ before: c.before ?? Number.MAX_SAFE_INTEGER, limit: c.limit });
  return { items: [...older.items].reverse(), positions: [...older.positions].reverse(), hasMore: older.hasPrevious, hasPrevious: c.before !== undefined };
}

export interface ListLocation {
  origin: string;
  path: string;
  /** The filters of the request, echoed into every page URL (Twilio does). */
  filters: [string, string][];
}

function pageUrl(loc: ListLocation, pageSize: number, page: number, token?: string): string {
  const q = new URLSearchParams(loc.filters);
  q.append('PageSize', String(pageSize));
  q.append('Page', String(page));
  if (token) q.append('PageToken', token);
  return `${loc.origin}${loc.path}?${q.toString()}`;
}

export interface ListMeta {
  first_page_url: string;
  key: string;
  next_page_url: string | null;
  page: number;
  page_size: number;
  previous_page_url: string | null;
  url: string;
}

/** How a list was paged: by position in insertion order (keyset), by offset (filtered or sorted in memory), or
 *  by position newest first (newestFirstPage). */
export type ListPaging = 'keyset' | 'offset' | 'newestFirst';

export function listMeta(key: string, loc: ListLocation, req: PageRequest, result: PageResult<unknown>, paging: ListPaging = 'keyset'): ListMeta {
  const { pageSize, page } = req;
  const first = result.positions[0];
  const last = result.positions[result.positions.length - 1];
  const nextToken = last === undefined ? undefined : paging === 'offset' ? `PO${last + 1}` : paging === 'newestFirst' ? `PB${last}` : `PA${last}`;
  const prevToken = first === undefined ? undefined : paging === 'offset' ? `PO${Math.max(0, first - pageSize)}` : paging === 'newestFirst' ? `PA${first}` : `PB${first}`;
  const currentToken = req.cursor.after !== undefined ? `PA${req.cursor.after}` : req.cursor.before !== undefined ? `PB${req.cursor.before}` : undefined;
  return {
    first_page_url: pageUrl(loc, pageSize, 0),
    key,
    next_page_url: result.hasMore && nextToken ? pageUrl(loc, pageSize, page + 1, nextToken) : null,
    page,
    page_size: pageSize,
    previous_page_url: result.hasPrevious && prevToken && page > 0 ? pageUrl(loc, pageSize, page - 1, prevToken) : null,
    url: pageUrl(loc, pageSize, page, currentToken ?? (req.cursor.offset ? `PO${req.cursor.offset}` : undefined)),
  };
}

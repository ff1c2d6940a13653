// Twilio 2010-04-01 API conventions: `.json` paths, RFC 2822 dates, relative `uri`s and a list envelope with
// first/next/previous_page_uri (the twilio client resolves them against `client.api.baseUrl`).
import type { FastifyRequest } from 'fastify';
import type { PageResult } from '../../core/repository.ts';
import { filtersOf } from '../common/http.ts';
import type { PageRequest } from '../common/paging.ts';

export function rfc2822(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString().replace('GMT', '+0000');
}

export function listEnvelope2010<T, R>(request: FastifyRequest, key: string, req: PageRequest, result: PageResult<T>, serialize: (item: T) => R) {
  const path = request.url.split('?')[0]!;
  const uri = (page: number, token?: string) => {
    const q = new URLSearchParams(filtersOf(request));
    q.append('PageSize', String(req.pageSize));
    q.append('Page', String(page));
    if (token) q.append('PageToken', token);
    return `${path}?${q.toString()}`;
  };
  const first = result.positions[0];
  const last = result.positions[result.positions.length - 1];
  const start = req.page * req.pageSize;
  return {
    [key]: result.items.map(serialize),
    end: start + Math.max(0, result.items.length - 1),
    first_page_uri: uri(0),
    next_page_uri: result.hasMore && last !== undefined ? uri(req.page + 1, `PA${last}`) : null,
    page: req.page,
    page_size: req.pageSize,
    previous_page_uri: result.hasPrevious && first !== undefined && req.page > 0 ? uri(req.page - 1, `PB${first}`) : null,
    start,
    uri: request.url,
  };
}

/** `AC….json` → `AC…`: the router sees the suffix as part of the last path parameter. Without the suffix the
 *  segment is not a 2010 resource path, so the result is never a valid SID (and the lookup answers 20404). */
export function sidOfJsonSegment(segment: string): string {
  return segment.endsWith('.json') ? segment.slice(0, -5) : `${segment}?`;
}

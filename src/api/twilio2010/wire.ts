// Twilio 2010-04-01 API conventions: `.json` paths, RFC 2822 dates, relative `uri`s and a list envelope with
// first/next/previous_page_uri (the twilio client resolves them against `client.api.baseUrl`).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.ts';
import type { PageResult } from '../../core/repository.ts';
import { filtersOf } from '../common/http.ts';
import type { PageRequest } from '../common/paging.ts';

/** `Thu, 30 Jul 2015 20:00:00 +0000`, the form the client's `deserialize.rfc2822DateTime` parses. */
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
  const c = req.cursor;
  // The current page's own address, in the same normalised form as the links (Twilio's `uri` carries
  // PageSize and Page even when the request did not).
  const currentToken = c.after !== undefined ? `PA${c.after}` : c.before !== undefined ? `PB${c.before}` : undefined;
  return {
    [key]: result.items.map(serialize),
    end: start + Math.max(0, result.items.length - 1),
    first_page_uri: uri(0),
    next_page_uri: result.hasMore && last !== undefined ? uri(req.page + 1, `PA${last}`) : null,
    page: req.page,
    page_size: req.pageSize,
    previous_page_uri: result.hasPrevious && first !== undefined && req.page > 0 ? uri(req.page - 1, `PB${first}`) : null,
    start,
    uri: uri(req.page, currentToken),
  };
}

const rfcDate = () => z.string().describe('RFC 2822 date');

export const ACCOUNT = z.object({
  auth_token: z.string(),
  date_created: rfcDate(),
  date_updated: rfcDate(),
  friendly_name: z.string(),
  owner_account_sid: z.string(),
  sid: z.string(),
  status: z.enum(['active', 'suspended', 'closed']),
  subresource_uris: z.record(z.string(), z.string()),
  type: z.string(),
  uri: z.string(),
});

export const KEY = z.object({ sid: z.string(), friendly_name: z.string(), date_created: rfcDate(), date_updated: rfcDate() });
/** A new key: its secret, shown once. */
export const NEW_KEY = KEY.extend({ secret: z.string() });

/** The 2010 API's list envelope. */
export function list2010<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({
    [key]: z.array(item),
    end: z.number().int(),
    first_page_uri: z.string(),
    next_page_uri: z.string().nullable(),
    page: z.number().int(),
    page_size: z.number().int(),
    previous_page_uri: z.string().nullable(),
    start: z.number().int(),
    uri: z.string(),
  } as { [k in K]: z.ZodArray<T> } & Record<string, z.ZodType>);
}

/** `AC….json` → `AC…`: the router sees the suffix as part of the last path parameter. A path without the
 *  suffix is not a 2010 resource path and answers 20404, like any unknown path. */
export function sidOfJsonSegment(request: FastifyRequest, segment: string): string {
  if (!segment.endsWith('.json')) {
    throw new ApiError('notFound', `The requested resource ${request.url.split('?')[0]} was not found`);
  }
  return segment.slice(0, -5);
}

// Request helpers shared by the faces: the caller's context, the server's own origin (absolute URLs and
// paging links point back at whoever the client reached), list envelopes and If-Match.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.ts';
import type { EntityKind, EntityMap } from '../../core/entities.ts';
import type { PageResult, Repository, Where } from '../../core/repository.ts';
import type { CommandContext } from '../../engine/configuration/context.ts';
import type { Principal } from '../../auth/basicAuth.ts';
import { type ListLocation, type ListPaging, type PageRequest, listMeta, pageArray } from './paging.ts';
import { ignoredParameters } from './params.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** When the rate limiter counted this request, under which key (server.ts). */
    rateCharge?: { key: string; atMs: number };
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError('authenticationFailed');
  return request.principal;
}

/** The acting user of the JSON faces: the user a bearer token names, the API key's SID, or the account's when
 *  its auth token was used. */
export function userIdOf(request: FastifyRequest): string {
  const p = principalOf(request);
  if (p.credential.kind === 'user') return p.credential.userId;
  return p.credential.kind === 'apiKey' ? p.credential.keySid : p.accountSid;
}

/** The WWW-Authenticate of a 401: Basic, and Bearer with `invalid_token` (RFC 6750) when a bearer token was
 *  refused; none for a page's script (X-Requested-With: XMLHttpRequest), whose browser would show a password
 *  dialog of its own. */
export function authChallengeOf(request: FastifyRequest): string | undefined {
  if (request.headers['x-requested-with'] === 'XMLHttpRequest') return undefined;
  if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return 'Basic realm="Switchboard", Bearer realm="Switchboard", error="invalid_token"';
  return 'Basic realm="Switchboard"';
}

export function commandContext(request: FastifyRequest, now: number): CommandContext {
  return { accountSid: principalOf(request).accountSid, now };
}

export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

const PAGING_KEYS = new Set(['PageSize', 'Page', 'PageToken']);

/** The request's list filters as given (repeated keys kept), to echo into page URLs; parameters the endpoint
 *  ignored are left out. */
export function filtersOf(request: FastifyRequest): [string, string][] {
  const q = request.query as Record<string, string | string[]>;
  const ignored = new Set(ignoredParameters(q));
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(q ?? {})) {
    if (PAGING_KEYS.has(k) || ignored.has(k)) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, one]);
  }
  return out;
}

export function listEnvelope<T, R>(
  request: FastifyRequest,
  key: string,
  pageReq: PageRequest,
  result: PageResult<T>,
  serialize: (item: T) => R,
  paging: ListPaging = 'keyset',
) {
  const loc: ListLocation = { origin: originOf(request), path: request.url.split('?')[0]!, filters: filtersOf(request) };
  return { [key]: result.items.map(serialize), meta: listMeta(key, loc, pageReq, result, paging) };
}

/** The If-Match header, normalised (quotes and W/ dropped); undefined when absent or `*` (matches anything).
 *  The engine compares it with the version inside the write transaction. */
export function ifMatchOf(request: FastifyRequest): string | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const given = String(header).replace(/^W\//, '').replace(/"/g, '').trim();
  return given === '*' ? undefined : given;
}

export function setEtag(reply: FastifyReply, version: number): void {
  reply.header('ETag', String(version));
}

/** A list query from the engine: store equality filters, plus an in-memory refinement (expressions, Ordering). */
export interface ListQuery<K extends EntityKind> {
  where: Where<K>;
  refine?: (items: EntityMap[K][]) => EntityMap[K][];
}

/** Runs a list query: keyset-paged in the store when it needs no refinement, else refined and paged in memory. */
export function listByQuery<K extends EntityKind, R>(
  request: FastifyRequest,
  repo: Repository,
  kind: K,
  key: string,
  pageReq: PageRequest,
  q: ListQuery<K>,
  serialize: (item: EntityMap[K]) => R,
) {
  if (!q.refine) return listEnvelope(request, key, pageReq, repo.page(kind, q.where, pageReq.cursor), serialize);
  return listEnvelope(request, key, pageReq, pageArray(q.refine(repo.findAll(kind, q.where)), pageReq), serialize, 'offset');
}

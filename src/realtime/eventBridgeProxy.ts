// The EventBridge HTTP proxy of the twilio-taskrouter Worker SDK (reference §17.3): every SDK operation is a POST
// to /v1/wschannels with a JSON body {url, method, params, token} (sent with whatever Content-Type the SDK's HTTP
// library picks), answered with {payload} in the EventBridge object formats. The request is authenticated by
// the token in the body and then served by the public REST routes themselves (`inject` with the token), so the
// token's policies, validation and the engine apply exactly as for REST; only the response is reshaped.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import { LIMITS } from '../core/limits.ts';
import type { EntityKind } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';
import { verifyToken } from '../auth/tokens.ts';
import { toApiError } from '../api/common/twilioError.ts';
import { parseForm } from '../api/common/formParser.ts';
import { originOf } from '../api/common/http.ts';
import { IGNORED_PARAMETERS_HEADER } from '../api/common/params.ts';
import { jsonRoute } from '../api/common/routeSchema.ts';
import { ebActivity, ebList, ebReservation, ebTask, ebTaskQueue, ebWorker, ebWorkerChannel } from './ebFormat.ts';

interface ProxyRequest {
  url: string;
  method: string;
  params: Record<string, unknown>;
  token: string;
  /** Legacy v1 clients name the event the answer stands for (`ready` on connect). */
  eventType?: string;
}

function parseRequest(body: unknown): ProxyRequest {
  let value: unknown;
  try {
    value = typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    throw new ApiError('invalidParameter', 'EventBridge request body must be JSON {url, method, params, token}');
  }
  const v = value as Partial<ProxyRequest> | null;
  if (!v || typeof v.url !== 'string' || typeof v.token !== 'string') {
    throw new ApiError('invalidParameter', 'EventBridge request needs url and token');
  }
  const method = (typeof v.method === 'string' ? v.method : 'GET').toUpperCase();
  if (!['GET', 'POST', 'DELETE'].includes(method)) throw new ApiError('invalidParameter', `Unsupported method ${method}`);
  const params = v.params && typeof v.params === 'object' && !Array.isArray(v.params) ? (v.params as Record<string, unknown>) : {};
  const eventType = (v as { event_type?: unknown }).event_type;
  return { url: v.url, method, params, token: v.token, eventType: typeof eventType === 'string' ? eventType : undefined };
}

/** Where a proxied request goes: the REST path, the parameters its URL carries, and the origin it names. */
interface ApiTarget {
  /** `/v1/Workspaces/…`, without trailing slashes. */
  path: string;
  /** The URL's own query string (`next_page_url` carries PageSize, Page and PageToken). */
  query: [string, string][];
  /** The absolute URL's origin (`http://host:port`); undefined for the v2 SDK's relative paths. */
  origin?: string;
}

/** `Workspaces/WS…/Workers`, `/v1/Workspaces/…` or an absolute TaskRouter URL (legacy SDK), with or without a
 *  query string and trailing slashes -> the REST path under /v1, the query, the origin. */
function apiTarget(url: string): ApiTarget {
  const notFound = () => new ApiError('notFound', `The requested resource ${url.slice(0, 300)} was not found`);
  let rawPath: string;
  let search: string;
  let origin: string | undefined;
  if (/^https?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw notFound();
    }
    origin = parsed.origin;
    rawPath = parsed.pathname;
    search = parsed.search;
  } else {
    const q = url.indexOf('?');
    rawPath = q === -1 ? url : url.slice(0, q);
    search = q === -1 ? '' : url.slice(q);
  }
  let path = rawPath.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path.startsWith('v1/')) path = path.slice(3);
  if (!path.startsWith('Workspaces/') || path.includes('..') || path.includes('?')) throw notFound();
  let query: [string, string][];
  try {
    query = search ? [...Object.entries(parseForm(search.slice(1)))].flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one): [string, string] => [k, one])) : [];
  } catch {
    throw new ApiError('invalidParameter', 'The query string of the proxied URL is not valid form encoding');
  }
  // The SDK names a worker's channels WorkerChannels; the REST path is Channels.
  return { path: '/v1/' + path.replace(/\/Workers\/([^/]+)\/WorkerChannels/, '/Workers/$1/Channels'), query, origin };
}

const KIND_BY_PREFIX: Record<string, EntityKind> = {
  WA: 'activity', WK: 'worker', WQ: 'taskQueue', WW: 'workflow', WT: 'task', WR: 'reservation', WC: 'workerChannel', TC: 'taskChannel',
};

/** The REST PageToken for an EventBridge page request. `AfterSid` is the last SID of the previous page (lists
 *  paged in insertion order), or the opaque token we handed out as `after_sid` for lists the REST layer filters
 *  or sorts in memory; `NextToken` is the token of an `Ordering` list. */
function pageTokenFor(repo: Repository, params: Record<string, unknown>): string | undefined {
  const next = params.NextToken ?? params.AfterSid;
  if (next === undefined || next === null || next === '') return undefined;
  const value = String(next);
  if (/^P[AO]\d{1,15}$/.test(value)) return value;
  const kind = KIND_BY_PREFIX[value.slice(0, 2)];
  const position = kind ? repo.positionOf(kind, value) : undefined;
  if (position === undefined) throw new ApiError('invalidParameter', `Invalid parameter AfterSid: ${value} is not an item of this list (deleted since the previous page?)`);
  return `PA${position}`;
}

/** The EventBridge paging of a REST list page: `after_sid` (and `meta.next_token`) from its next_page_url. */
function ebPaging(body: { meta?: { next_page_url?: string | null } }, items: { sid?: string }[]): [string | null, string | null] {
  const nextUrl = body.meta?.next_page_url;
  if (!nextUrl) return [null, null];
  const token = new URL(nextUrl).searchParams.get('PageToken');
  if (!token) return [null, null];
  // Keyset pages continue after their last row, which the SDK names by SID; in-memory pages need our token.
  const afterSid = token.startsWith('PA') ? (items.at(-1)?.sid ?? null) : token;
  return [afterSid, token];
}

/** The REST form of a proxied request: the URL's own query parameters, then the SDK's `params` (JSON values:
 *  objects for Attributes, booleans, numbers; REST takes strings). A name in `params` replaces the same name
 *  of the query string. */
function formOf(query: [string, string][], params: Record<string, unknown>, drop: string[]): string {
  const q = new URLSearchParams();
  for (const [k, v] of query) if (!(k in params) && !drop.includes(k)) q.append(k, v);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || drop.includes(k)) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const one of values) q.append(k, typeof one === 'object' ? JSON.stringify(one) : String(one));
  }
  return q.toString();
}

/** Reshapes one REST object (found by its SID prefix) into its EventBridge form, read fresh from the store. */
function toEb(repo: Repository, item: { sid?: string }, now: number): unknown {
  const sid = item?.sid ?? '';
  switch (sid.slice(0, 2)) {
    case 'WK': {
      const w = repo.get('worker', sid);
      return w ? ebWorker(repo, w) : item;
    }
    case 'WA': {
      const a = repo.get('activity', sid);
      return a ? ebActivity(a) : item;
    }
    case 'WC': {
      const wc = repo.get('workerChannel', sid);
      return wc ? ebWorkerChannel(repo, wc) : item;
    }
    case 'WT': {
      const t = repo.get('task', sid);
      return t ? ebTask(repo, t, now) : item;
    }
    case 'WR': {
      const r = repo.get('reservation', sid);
      return r ? ebReservation(repo, r, now) : item;
    }
    case 'WQ': {
      const q = repo.get('taskQueue', sid);
      return q ? ebTaskQueue(repo, q) : item;
    }
    default:
      return item;
  }
}

/** A proxied answer's REST JSON with its absolute URLs on `origin`: the injected request named the right host,
 *  but the inject is always plain http, so an https origin is put back here. */
function onOrigin(text: string, host: string, origin: string): string {
  const injected = `http://${host}`;
  return origin === injected ? text : text.split(`"${injected}/`).join(`"${origin}/`);
}

/** The proxy's request body (any Content-Type: the SDKs' HTTP libraries differ), as parseRequest reads it. */
const PROXY_REQUEST = z.object({
  url: z.string().describe('the REST URL the SDK means (absolute, or a path)'),
  method: z.enum(['GET', 'POST', 'DELETE']),
  params: z.record(z.string(), z.unknown()).optional().describe('the REST parameters'),
  token: z.string().describe('the worker or supervisor token'),
  event_type: z.string().optional().describe('legacy v1 clients: the event the answer stands for'),
});
/** An error: Twilio's body as the REST route answered it, or the proxy's own (without more_info). */
const PROXY_ERROR = z.object({ code: z.number().int(), message: z.string(), more_info: z.string().optional(), status: z.number().int() });
const proxyDoc = (summary: string, ok: z.ZodType) => jsonRoute('EventBridge', { summary, body: PROXY_REQUEST, responses: { 200: ok, '4xx': PROXY_ERROR } });

export function registerEventBridgeProxy(app: FastifyInstance, store: Store, clock: () => number): void {
  /** Serves a proxied request with the REST route itself, authenticated by the token, addressed to `host` (so
   *  the URLs of the answer, paging URLs included, name the origin the client talks to). */
  const replay = (req: ProxyRequest, target: ApiTarget, host: string, ifMatch: string | undefined, drop: string[], pageToken?: string) => {
    let form = formOf(target.query, req.params, drop);
    if (pageToken) form += (form ? '&' : '') + `PageToken=${pageToken}`;
    const headers: Record<string, string> = { 'x-twilio-token': req.token, host };
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    if (req.method === 'GET') return app.inject({ method: 'GET', url: form ? `${target.path}?${form}` : target.path, headers });
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return app.inject({ method: req.method as 'POST' | 'DELETE', url: target.path, headers, payload: req.method === 'POST' ? form : undefined });
  };
  /** The REST route's word on parameters it ignored travels with the proxied answer. */
  const passIgnored = (injected: { headers: Record<string, unknown> }, reply: FastifyReply) => {
    const ignored = injected.headers[IGNORED_PARAMETERS_HEADER.toLowerCase()];
    if (typeof ignored === 'string') reply.header(IGNORED_PARAMETERS_HEADER, ignored);
  };

  app.register(async (scope) => {
    // The SDK sends JSON as text/plain or form-urlencoded depending on its HTTP library: read it raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, (_req, body, done) => done(null, body));

    // Legacy taskrouter.js (v1): the same proxy per channel, with absolute API URLs (query strings included:
    // a list's next() sends its next_page_url), answered in the public REST JSON with URLs on the origin the
    // client named, echoing the request's event_type (the client's `ready` comes back this way).
    const legacyDoc = proxyDoc('Legacy taskrouter.js (v1) channel proxy: the REST resource in its public JSON', z.object({ event_type: z.string().optional(), payload: z.unknown() }));
    scope.post<{ Params: { account: string; channel: string } }>('/v1/wschannels/:account/:channel', legacyDoc, async (request, reply) => {
      try {
        const req = parseRequest(request.body);
        const now = clock();
        const principal = await store.replaying(() => store.read((repo) => verifyToken(repo, app.secrets, req.token, now)));
        if (principal.accountSid !== request.params.account) throw new ApiError('forbidden', 'The token is for another account');
        const target = apiTarget(req.url);
        const origin = target.origin ?? originOf(request);
        const host = new URL(origin).host;
        const injected = await replay(req, target, host, typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined, []);
        passIgnored(injected, reply);
        const body = injected.body ? JSON.parse(onOrigin(injected.body, host, origin)) : {};
        if (injected.statusCode >= 400) return reply.code(injected.statusCode).send(body);
        return reply.send(req.eventType ? { event_type: req.eventType, payload: body } : { payload: body });
      } catch (err) {
        const e = toApiError(err);
        return reply.code(e.status).send({ code: e.code, message: e.message, status: e.status });
      }
    });

    const sdkDoc = proxyDoc('twilio-taskrouter Worker SDK (v2) EventBridge proxy: the REST resource in the EventBridge format', z.object({ payload: z.unknown() }));
    scope.post('/v1/wschannels', sdkDoc, async (request, reply) => {
      try {
        const req = parseRequest(request.body);
        const now = clock();
        const principal = await store.replaying(() => store.read((repo) => verifyToken(repo, app.secrets, req.token, now)));
        const target = apiTarget(req.url);
        const path = target.path;
        // v2 route: the worker's live reservations (pending, accepted, wrapping) with their tasks.
        const active = /^\/v1\/Workspaces\/([^/]+)\/Workers\/([^/]+)\/Reservations$/.exec(path);
        if (req.method === 'GET' && active && (req.params.Active === true || req.params.Active === 'true')) {
          if (active[1] !== principal.workspaceSid || (principal.workerSid && active[2] !== principal.workerSid && principal.role !== 'admin')) {
            throw new ApiError('forbidden', `The token does not allow GET ${path}`);
          }
          const payload = await store.replaying(() =>
            store.read((repo) =>
              ebList(
                repo.findAll('reservation', { workerSid: active[2], reservationStatus: { in: ['pending', 'accepted', 'wrapping'] } }).map((r) => ebReservation(repo, r, now)),
                null,
              ),
            ),
          );
          return reply.send({ payload });
        }
        const ifMatch = request.headers['if-match'];
        const pageToken = req.method === 'GET' ? await store.replaying(() => store.read((repo) => pageTokenFor(repo, req.params))) : undefined;
        const host = new URL(target.origin ?? originOf(request)).host;
        const injected = await replay(req, target, host, typeof ifMatch === 'string' ? ifMatch : undefined, ['AfterSid', 'Active', 'NextToken', 'MaxWorkers'], pageToken);
        passIgnored(injected, reply);
        const body = injected.body ? JSON.parse(injected.body) : {};
        if (injected.statusCode >= 400) return reply.code(injected.statusCode).send(body);
        // The request above was made once; only these reads are replayed.
        const payload = await store.replaying(() =>
          store.read((repo) => {
            if (body?.meta?.key && Array.isArray(body[body.meta.key])) {
              const items: { sid?: string }[] = body[body.meta.key];
              return ebList(items.map((item) => toEb(repo, item, now)), ...ebPaging(body, items));
            }
            return toEb(repo, body, now);
          }),
        );
        return reply.send({ payload });
      } catch (err) {
        const e = toApiError(err);
        return reply.code(e.status).send({ code: e.code, message: e.message, status: e.status });
      }
    });
  });
}

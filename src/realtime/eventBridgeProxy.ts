// The EventBridge HTTP proxy of the twilio-taskrouter Worker SDK (reference §17.3): every SDK operation is a POST
// to /v1/wschannels with a JSON body {url, method, params, token} (sent with whatever Content-Type the SDK's HTTP
// library picks), answered with {payload} in the EventBridge object formats. The request is authenticated by
// the token in the body and then served by the public REST routes themselves (`inject` with the token), so the
// token's policies, validation and the engine apply exactly as for REST; only the response is reshaped.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.ts';
import { LIMITS } from '../core/limits.ts';
import type { EntityKind } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';
import { verifyToken } from '../auth/tokens.ts';
import { toApiError } from '../api/common/twilioError.ts';
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

/** `Workspaces/WS…/Workers`, `/v1/Workspaces/…` or an absolute TaskRouter URL (legacy SDK) -> `/v1/Workspaces/…`. */
function apiPath(url: string): string {
  let path = url.replace(/^https?:\/\/[^/]+/, '').replace(/^\/+/, '');
  if (path.startsWith('v1/')) path = path.slice(3);
  if (!path.startsWith('Workspaces/') || path.includes('..') || path.includes('?')) {
    throw new ApiError('notFound', `The requested resource ${url} was not found`);
  }
  // The SDK names a worker's channels WorkerChannels; the REST path is Channels.
  return '/v1/' + path.replace(/\/Workers\/([^/]+)\/WorkerChannels/, '/Workers/$1/Channels');
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

/** SDK params are JSON values (objects for Attributes, booleans, numbers); REST takes form strings. */
function formOf(params: Record<string, unknown>, drop: string[]): string {
  const q = new URLSearchParams();
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

export function registerEventBridgeProxy(app: FastifyInstance, store: Store, clock: () => number): void {
  /** Serves a proxied request with the REST route itself, authenticated by the token. */
  const replay = (req: ProxyRequest, path: string, ifMatch: string | undefined, drop: string[], pageToken?: string) => {
    let form = formOf(req.params, drop);
    if (pageToken) form += (form ? '&' : '') + `PageToken=${pageToken}`;
    const headers: Record<string, string> = { 'x-twilio-token': req.token };
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    if (req.method === 'GET') return app.inject({ method: 'GET', url: form ? `${path}?${form}` : path, headers });
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return app.inject({ method: req.method as 'POST' | 'DELETE', url: path, headers, payload: req.method === 'POST' ? form : undefined });
  };

  app.register(async (scope) => {
    // The SDK sends JSON as text/plain or form-urlencoded depending on its HTTP library: read it raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, (_req, body, done) => done(null, body));

    // Legacy taskrouter.js (v1): the same proxy per channel, with absolute API URLs, answered in the public REST
    // JSON, echoing the request's event_type (the client's `ready` comes back this way).
    scope.post<{ Params: { account: string; channel: string } }>('/v1/wschannels/:account/:channel', async (request, reply) => {
      try {
        const req = parseRequest(request.body);
        const now = clock();
        const principal = await store.read((repo) => verifyToken(repo, app.secrets, req.token, now));
        if (principal.accountSid !== request.params.account) throw new ApiError('forbidden', 'The token is for another account');
        const path = apiPath(req.url);
        const injected = await replay(req, path, typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined, []);
        const body = injected.body ? JSON.parse(injected.body) : {};
        if (injected.statusCode >= 400) return reply.code(injected.statusCode).send(body);
        return reply.send(req.eventType ? { event_type: req.eventType, payload: body } : { payload: body });
      } catch (err) {
        const e = toApiError(err);
        return reply.code(e.status).send({ code: e.code, message: e.message, status: e.status });
      }
    });

    scope.post('/v1/wschannels', async (request, reply) => {
      try {
        const req = parseRequest(request.body);
        const now = clock();
        const principal = await store.read((repo) => verifyToken(repo, app.secrets, req.token, now));
        const path = apiPath(req.url);
        // v2 route: the worker's live reservations (pending, accepted, wrapping) with their tasks.
        const active = /^\/v1\/Workspaces\/([^/]+)\/Workers\/([^/]+)\/Reservations$/.exec(path);
        if (req.method === 'GET' && active && (req.params.Active === true || req.params.Active === 'true')) {
          if (active[1] !== principal.workspaceSid || (principal.workerSid && active[2] !== principal.workerSid && principal.role !== 'admin')) {
            throw new ApiError('forbidden', `The token does not allow GET ${path}`);
          }
          const payload = store.read((repo) =>
            ebList(
              repo.findAll('reservation', { workerSid: active[2], reservationStatus: { in: ['pending', 'accepted', 'wrapping'] } }).map((r) => ebReservation(repo, r, now)),
              null,
            ),
          );
          return reply.send({ payload });
        }
        const ifMatch = request.headers['if-match'];
        const pageToken = req.method === 'GET' ? store.read((repo) => pageTokenFor(repo, req.params)) : undefined;
        const injected = await replay(req, path, typeof ifMatch === 'string' ? ifMatch : undefined, ['AfterSid', 'Active', 'NextToken', 'MaxWorkers'], pageToken);
        const body = injected.body ? JSON.parse(injected.body) : {};
        if (injected.statusCode >= 400) return reply.code(injected.statusCode).send(body);
        const payload = store.read((repo) => {
          if (body?.meta?.key && Array.isArray(body[body.meta.key])) {
            const items: { sid?: string }[] = body[body.meta.key];
            return ebList(items.map((item) => toEb(repo, item, now)), ...ebPaging(body, items));
          }
          return toEb(repo, body, now);
        });
        return reply.send({ payload });
      } catch (err) {
        const e = toApiError(err);
        return reply.code(e.status).send({ code: e.code, message: e.message, status: e.status });
      }
    });
  });
}

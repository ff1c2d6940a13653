// The EventBridge HTTP proxy of the twilio-taskrouter Worker SDK (reference §17.3): every SDK operation is a POST
// to /v1/wschannels with a JSON body {url, method, params, token} (sent with whatever Content-Type the SDK's HTTP
// library picks), answered with {payload} in the EventBridge object formats. The request is authenticated by
// the token in the body and then served by the public REST routes themselves (`inject` with the token), so the
// token's policies, validation and the engine apply exactly as for REST; only the response is reshaped.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.ts';
import { LIMITS } from '../core/limits.ts';
import type { Repository, Store } from '../core/repository.ts';
import { verifyToken } from '../auth/tokens.ts';
import { toApiError } from '../api/common/twilioError.ts';
import { ebActivity, ebList, ebReservation, ebTask, ebTaskQueue, ebWorker, ebWorkerChannel } from './ebFormat.ts';

interface ProxyRequest {
  url: string;
  method: string;
  params: Record<string, unknown>;
  token: string;
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
  return { url: v.url, method, params, token: v.token };
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
  app.register(async (scope) => {
    // The SDK sends JSON as text/plain or form-urlencoded depending on its HTTP library: read it raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, (_req, body, done) => done(null, body));

    scope.post('/v1/wschannels', async (request, reply) => {
      try {
        const req = parseRequest(request.body);
        const now = clock();
        const principal = await store.read((repo) => verifyToken(repo, req.token, now));
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
        const form = formOf(req.params, ['AfterSid', 'Active', 'NextToken', 'MaxWorkers']);
        const headers: Record<string, string> = { 'x-twilio-token': req.token };
        const ifMatch = request.headers['if-match'];
        if (typeof ifMatch === 'string') headers['if-match'] = ifMatch;
        let injected;
        if (req.method === 'GET') {
          injected = await app.inject({ method: 'GET', url: form ? `${path}?${form}` : path, headers });
        } else {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          injected = await app.inject({ method: req.method as 'POST' | 'DELETE', url: path, headers, payload: req.method === 'POST' ? form : undefined });
        }
        const body = injected.body ? JSON.parse(injected.body) : {};
        if (injected.statusCode >= 400) return reply.code(injected.statusCode).send(body);
        const payload = store.read((repo) => {
          if (body?.meta?.key && Array.isArray(body[body.meta.key])) {
            return ebList(body[body.meta.key].map((item: { sid?: string }) => toEb(repo, item, now)), null);
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

// Builds the HTTP server: body parsing, authentication, rate-limit headers, the faces' routes and the one
// error path that turns every failure into the face's error format.
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { ApiError } from './core/errors.ts';
import { LIMITS } from './core/limits.ts';
import type { Store } from './core/repository.ts';
import { Engine } from './engine/engine.ts';
import { authenticateRequest, authorize, tokenOf } from './auth/requestAuth.ts';
import type { SecretBox } from './auth/secretBox.ts';
import { twilioClientErrorHandler } from './api/common/clientError.ts';
import { parseForm, parseQuery, queryError } from './api/common/formParser.ts';
import { RateLimiter } from './api/common/rateLimit.ts';
import { toApiError, twilioErrorBody } from './api/common/twilioError.ts';
import { registerTaskRouterRoutes } from './api/taskrouter/routes.ts';
import { registerTwilioApiRoutes } from './api/twilio2010/routes.ts';
import { registerTokenRoutes } from './api/switchboard/tokens.ts';
import { registerEventBridgeProxy } from './realtime/eventBridgeProxy.ts';
import { registerBrowserSdk } from './api/sdk/browserSdk.ts';
import { registerConsole } from './api/console/consoleRoutes.ts';
import { WebhookDispatcher, type DispatcherOptions } from './callbacks/webhookDispatcher.ts';
import { attachWorkerSockets, type WorkerSocketOptions } from './realtime/workerSockets.ts';
import { registerWorkflowFaceRoutes } from './api/workflow/routes.ts';
import { type ActionRunnerOptions, WorkflowActionRunner } from './workflow/actionRunner.ts';
import { WorkflowService } from './workflow/workflowService.ts';
import { registerOpsflowRoutes } from './api/opsflow/routes.ts';
import { OpsflowService } from './opsflow/opsflowService.ts';
import { OpsflowRouteFollower } from './opsflow/routeFollower.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Workflow face's action runner (tests wake it after moving their clock). */
    workflowActions: WorkflowActionRunner;
    /** Restarts the account-wide loops (this node has just taken them over from another). */
    resumeBackground: () => void;
    /** Opens and seals stored credentials (auth/secretBox.ts); the realtime gateway and forwarding use it. */
    secrets: SecretBox;
  }
}

export interface ServerOptions {
  store: Store;
  /** The keyring of the stored credentials (auth/masterKey.ts opens it from the operator's key). */
  secrets: SecretBox;
  /** The routing engine; one is created on the store when not given. */
  engine?: Engine;
  clock?: () => number;
  logLevel?: string;
  rateLimit?: number;
  sockets?: WorkerSocketOptions;
  /** Webhook delivery settings (retry and timeout timings). */
  callbacks?: DispatcherOptions;
  /** Workflow-face action runner settings (retry timings). */
  workflowActions?: ActionRunnerOptions;
  /** Several nodes: whether this node runs the account-wide loops (Workflow actions, Opsflow routes) now. */
  runsBackground?: () => boolean;
}

const AUTHENTICATED_PREFIXES = ['/v1/', '/2010-04-01/', '/switchboard/', '/api/', '/opsflow/'];

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store, secrets } = options;
  const clock = options.clock ?? Date.now;
  const app = Fastify({
    logger: options.logLevel && options.logLevel !== 'silent' ? { level: options.logLevel } : false,
    bodyLimit: LIMITS.bodyBytes,
    // While closing, our onRequest hook answers new requests with a Twilio 503 (fastify's own has another body).
    return503OnClosing: false,
    // Twilio paths are case-sensitive and never end with a slash; keep routing strict and predictable.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 256, querystringParser: parseQuery },
    clientErrorHandler: twilioClientErrorHandler,
    // Errors the router raises before any route runs (malformed URL, over-long path parameter) get the same
    // Twilio body as everything else: a bad SID in the path is a 404, as for any unknown SID.
    frameworkErrors: (err, request, reply) => {
      const path = request.url.split('?')[0];
      const apiError = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new ApiError('notFound', `The requested resource ${path?.slice(0, 200)} was not found`)
        : new ApiError('invalidParameter', 'Malformed request URL');
      (reply as FastifyReply).code(apiError.status).send(twilioErrorBody(apiError));
    },
  });
  await app.register(formbody, { bodyLimit: LIMITS.bodyBytes, parser: parseForm });
  // TaskRouter takes form-encoded bodies only; a JSON or text body is refused (415) rather than half-understood. The one
  // JSON endpoint (bulk queue statistics) will register its own parser.
  app.removeContentTypeParser(['application/json', 'text/plain']);

  const limiter = new RateLimiter(options.rateLimit ?? 10000);
  // Liveness (/healthz): the process answers. Readiness (/readyz): it takes work — false once shutdown began.
  let accepting = true;
  app.addHook('preClose', async () => {
    accepting = false;
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!accepting) {
      // Shutting down: requests already running finish; new ones (on kept-alive connections) are refused
      // before they do anything, with a hint to retry (another node, or this one once it is back).
      reply.header('Retry-After', '1').header('Connection', 'close');
      throw new ApiError('serviceUnavailable');
    }
    const badQuery = queryError(request.query);
    if (badQuery) throw new ApiError('invalidParameter', badQuery);
    if (!AUTHENTICATED_PREFIXES.some((p) => request.url.startsWith(p))) return;
    // The EventBridge endpoints carry their token in the body or the query, and check it themselves.
    if (request.url === '/v1/wschannels' || request.url.startsWith('/v1/wschannels?') || request.url.startsWith('/v1/wschannels/')) return;
    const xToken = request.headers['x-twilio-token'];
    request.principal = await authenticateRequest(
      (work) => store.read(work),
      secrets,
      {
        authorization: request.headers.authorization,
        token: tokenOf(request.headers.authorization, Array.isArray(xToken) ? xToken[0] : xToken),
        tokensAccepted: request.url.startsWith('/v1/'),
      },
      clock(),
    );
    const rate = limiter.take(request.principal.accountSid, clock());
    reply.header('X-Rate-Limit-Limit', String(rate.limit));
    reply.header('X-Rate-Limit-Remaining', String(rate.remaining));
    reply.header('X-Rate-Limit-Config', 'account-per-second');
    if (rate.exceeded) throw new ApiError('tooManyRequests');
  });

  // Acknowledged means durable: a response goes out only once the writes made so far are committed (the store
  // commits the transactions of an event-loop turn together). If that commit fails the client gets a 500.
  app.addHook('onSend', async () => {
    await store.durable();
  });

  // Token policies may filter on body parameters, so they are checked once the body is parsed.
  app.addHook('preHandler', async (request) => {
    const principal = request.principal;
    if (!principal || principal.credential.kind !== 'token') return;
    const asParams = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, string | string[]>) : {});
    store.read((repo) =>
      authorize(repo, principal, { method: request.method, path: request.url.split('?')[0]!, query: asParams(request.query), body: asParams(request.body) }),
    );
  });

  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) request.log.error(err);
    // Browsers answer a Basic challenge with their own password dialog, even for a script's fetch: a page that
    // asks with X-Requested-With: XMLHttpRequest (the console does) gets the 401 without the challenge.
    if (apiError.status === 401 && request.headers['x-requested-with'] !== 'XMLHttpRequest') reply.header('WWW-Authenticate', 'Basic realm="Switchboard"');
    reply.code(apiError.status).send(twilioErrorBody(apiError));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const err = new ApiError('notFound', `The requested resource ${path} was not found`);
    reply.code(404).send(twilioErrorBody(err));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => (accepting ? { status: 'ready' } : reply.code(503).send({ status: 'stopping' })));

  const engine = options.engine ?? new Engine(store, { clock });
  if (!options.engine) engine.start();
  app.addHook('onClose', async () => engine.close());
  app.decorate('secrets', secrets);
  const deps = { store, clock, engine, secrets };
  registerTaskRouterRoutes(app, deps);
  registerTwilioApiRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerEventBridgeProxy(app, store, clock);
  registerBrowserSdk(app);
  registerConsole(app);
  const webhooks = new WebhookDispatcher(store, engine, secrets, { clock, log: (m) => app.log.warn(m), ...options.callbacks });
  webhooks.start();
  app.addHook('onClose', async () => webhooks.stop());
  attachWorkerSockets(app, store, engine, clock, options.sockets);
  const active = options.runsBackground ?? (() => true);
  const actions = new WorkflowActionRunner(store, engine, { clock, log: (m) => app.log.warn(m), active, ...options.workflowActions });
  registerWorkflowFaceRoutes(app, { clock, workflow: new WorkflowService(store, actions) });
  actions.start();
  app.addHook('onClose', async () => actions.stop());
  app.decorate('workflowActions', actions);
  // The service tells the follower about each routed workspace; the follower applies routed tasks' outcomes.
  const opsflow = new OpsflowService(store, engine, (ws) => follower.follow(ws));
  const follower = new OpsflowRouteFollower(store, opsflow, (m) => app.log.warn(m), active);
  registerOpsflowRoutes(app, { clock, opsflow });
  follower.start();
  app.addHook('onClose', async () => follower.stop());
  app.decorate('resumeBackground', () => {
    actions.wake();
    follower.resume();
  });
  return app;
}

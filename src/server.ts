// Builds the HTTP server: body parsing, authentication, rate-limit headers, the faces' routes and the one
// error path that turns every failure into the face's error format.
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiError } from './core/errors.ts';
import { LIMITS } from './core/limits.ts';
import type { Store } from './core/repository.ts';
import { Engine } from './engine/engine.ts';
import { ReadMiss, firstAttempt } from './store/readReplay.ts';
import { authenticateRequest, authorize, tokenOf, tokenScopeOf } from './auth/requestAuth.ts';
import { type OidcConfig, OidcVerifier } from './auth/oidc.ts';
import type { SecretBox } from './auth/secretBox.ts';
import { twilioClientErrorHandler } from './api/common/clientError.ts';
import { type CorsOrigins, corsDelegator, refuseCrossSiteAccountCredentials } from './api/common/crossOrigin.ts';
import { closeConnectionsWithoutRequests } from './api/common/stopConnections.ts';
import { parseForm, parseQuery, queryError } from './api/common/formParser.ts';
import { IGNORED_PARAMETERS_HEADER, ignoredParameters, ignoredParametersHeader } from './api/common/params.ts';
import { RateLimiter } from './api/common/rateLimit.ts';
import { withoutTrailingSlash } from './api/common/trailingSlash.ts';
import { TWILIO_ERROR, toApiError, twilioErrorBody } from './api/common/twilioError.ts';
import { authChallengeOf } from './api/common/http.ts';
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
import { LusidWorkflowService } from './workflow/lusidWorkflowService.ts';
import { EventHandlerService } from './workflow/eventHandlerService.ts';
import { EventHandlerRunner } from './workflow/eventHandlerRunner.ts';
import { registerOpsflowRoutes } from './api/opsflow/routes.ts';
import { OpsflowService } from './opsflow/opsflowService.ts';
import { OpsflowRouteFollower } from './opsflow/routeFollower.ts';
import { type LogInterest, mergeInterests } from './core/logInterest.ts';
import { OpsflowVariables } from './opsflow/variables.ts';
import { ServerMetrics } from './metrics/serverMetrics.ts';
import { registerMetricsRoute } from './metrics/metricsRoute.ts';
import { installRouteSchemas, jsonRoute } from './api/common/routeSchema.ts';
import { registerApiDocs, registerDocumentRoutes } from './api/docs/openapi.ts';
import { DEFAULT_EVENT_RETENTION_DAYS, EventRetention, retentionMs, type RetentionOptions } from './store/retention.ts';
import { FORWARDED_TO_HEADER } from './cluster/directForwarding.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests per second per account (a cluster's forwarding gives back what another node served). */
    rateLimiter: RateLimiter;
    /** The Workflow face's action runner (tests wake it after moving their clock). */
    workflowActions: WorkflowActionRunner;
    /** Restarts the account-wide loops (this node has just taken them over from another). */
    resumeBackground: () => void;
    /** What the account-wide loops need to hear of other nodes' commits (core/logInterest.ts). */
    backgroundLogInterest: () => LogInterest;
    /** This server's Prometheus metrics (GET /metrics). */
    metrics: ServerMetrics;
    /** The Workflow face's event handlers (tests wake them after moving their clock). */
    eventHandlers: EventHandlerRunner;
    /** Opens and seals stored credentials (auth/secretBox.ts); the realtime gateway and forwarding use it. */
    secrets: SecretBox;
    /** The event log's background pruner (absent when events are kept forever); tests run it at once. */
    eventRetention?: EventRetention;
    /** The workspaces this node's worker sockets are in. */
    socketWorkspaces: () => Iterable<string>;
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
  /** Origins whose pages may call the token-authenticated endpoints (api/common/crossOrigin.ts); default any. */
  corsOrigins?: CorsOrigins;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Check every response against its route's documented schema (tests): a mismatch is a 500. */
  checkResponses?: boolean;
  /** The organisation's OpenID Connect identity provider, whose tokens every face accepts. */
  oidc?: OidcConfig;
  /** Days of TaskRouter events kept (store/retention.ts); 0 keeps them forever. Default: 30 (Twilio's). */
  eventRetentionDays?: number;
  /** Tests: the pruner's timings. */
  retention?: Partial<RetentionOptions>;
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
    // Twilio paths are case-sensitive. A trailing slash is accepted as Twilio does, by dropping it before
    // routing (rewriteUrl), so everything after the router sees the canonical path.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 256, querystringParser: parseQuery },
    rewriteUrl: (req) => withoutTrailingSlash(req.url ?? '/'),
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
  // Every route's work runs through the store's read replay: on PostgreSQL a read memory cannot answer is
  // fetched without holding the event loop, and the handler runs again with it (store/readReplay.ts). On SQLite
  // no read misses, and the handlers run unwrapped (see Store.readsMayMiss).
  if (store.readsMayMiss) app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function replayed(this: FastifyInstance, request, reply) {
      const again = () => store.replaying(() => handler.call(this, request, reply));
      // The handler runs as it is (a synchronous one that sends through `reply`, as static files do, stays
      // synchronous); only a read miss sends it round again through the replay.
      let first: unknown;
      try {
        first = firstAttempt(() => handler.call(this, request, reply));
      } catch (err) {
        if (err instanceof ReadMiss) return again();
        throw err;
      }
      if (first instanceof Promise) return first.catch((err: unknown) => (err instanceof ReadMiss ? again() : Promise.reject(err)));
      return first;
    } as typeof handler;
  });
  // Every request object is built with the properties the hooks set later (fastify's decorateRequest), so
  // requests that skip those hooks (a /metrics scrape, a health check) do not give the request objects another
  // hidden class. A node's first scrape still deoptimizes the request path once (its route context and reply
  // differ too: --log-deopt, about 30 "wrong map" deoptimizations; bench/cluster.ts scrapes in its warm-up).
  app.decorateRequest('principal', undefined);
  app.decorateRequest('rateCharge', undefined);
  await app.register(formbody, { bodyLimit: LIMITS.bodyBytes, parser: parseForm });
  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) request.log.error(err);
    // Browsers answer a Basic challenge with their own password dialog, even for a script's fetch: a page that
    // asks with X-Requested-With: XMLHttpRequest (the console does) gets the 401 without the challenge.
    const challenge = apiError.status === 401 ? authChallengeOf(request) : undefined;
    if (challenge) reply.header('WWW-Authenticate', challenge);
    reply.code(apiError.status).send(twilioErrorBody(apiError));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const err = new ApiError('notFound', `The requested resource ${path} was not found`);
    reply.code(404).send(twilioErrorBody(err));
  });

  // CORS (api/common/crossOrigin.ts) first among the hooks: a preflight is answered before authentication (it
  // carries no credentials), and an error answer (401, 429) keeps the headers so the page can read it. After the
  // error and not-found handlers, so its OPTIONS route answers in Twilio's format too.
  await app.register(cors, { delegator: corsDelegator(options.corsOrigins ?? '*') });
  // TaskRouter takes form-encoded bodies only; a JSON or text body is refused (415) rather than half-understood. The one
  // JSON endpoint (bulk queue statistics) will register its own parser.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  // Before any route: the documents collect routes as they are registered.
  installRouteSchemas(app, options.checkResponses ?? false);
  await registerApiDocs(app);

  const metrics = new ServerMetrics();
  app.decorate('metrics', metrics);
  // Every response, by its route's template (bounded labels: never a SID from the path).
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  const limiter = new RateLimiter(options.rateLimit ?? 10000);
  app.decorate('rateLimiter', limiter);
  const oidc = options.oidc ? new OidcVerifier(options.oidc) : undefined;
  // Liveness (/healthz): the process answers. Readiness (/readyz): it takes work — false once shutdown began.
  let accepting = true;
  const closeIdle = closeConnectionsWithoutRequests(app.server);
  app.addHook('preClose', async () => {
    accepting = false;
    closeIdle();
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!accepting) {
      // Shutting down: requests already running finish; new ones (on kept-alive connections) are refused
      // before they do anything, with a hint to retry (another node, or this one once it is back). One another
      // node sent here directly is refused as not for this node (421): that node then forwards it through the
      // database, to whichever node routes the workspace next, instead of handing its client this 503.
      reply.header('Retry-After', '1').header('Connection', 'close');
      throw new ApiError(request.headers[FORWARDED_TO_HEADER] === undefined ? 'serviceUnavailable' : 'misdirected');
    }
    const badQuery = queryError(request.query);
    if (badQuery) throw new ApiError('invalidParameter', badQuery);
    if (!AUTHENTICATED_PREFIXES.some((p) => request.url.startsWith(p))) return;
    // The EventBridge endpoints carry their token in the body or the query, and check it themselves.
    if (request.url === '/v1/wschannels' || request.url.startsWith('/v1/wschannels?') || request.url.startsWith('/v1/wschannels/')) return;
    const xToken = request.headers['x-twilio-token'];
    request.principal = await store.replaying(() =>
      authenticateRequest(
        (work) => store.read(work),
        (work) => store.replaying(() => store.read(work)),
        secrets,
        {
          authorization: request.headers.authorization,
          token: tokenOf(request.headers.authorization, Array.isArray(xToken) ? xToken[0] : xToken),
          tokens: tokenScopeOf(request.url),
        },
        clock(),
        oidc,
      ),
    );
    refuseCrossSiteAccountCredentials(request, request.principal);
    const chargedAt = clock();
    const rate = limiter.take(request.principal.accountSid, chargedAt);
    request.rateCharge = { key: request.principal.accountSid, atMs: chargedAt };
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

  // Parameters an endpoint does not take are ignored, as Twilio ignores them; the response names them (and a
  // debug line logs them) for whoever wonders why a parameter had no effect.
  app.addHook('onSend', async (request, reply) => {
    const ignored = [...ignoredParameters(request.query), ...ignoredParameters(request.body)];
    if (ignored.length === 0) return;
    reply.header(IGNORED_PARAMETERS_HEADER, ignoredParametersHeader(ignored));
    request.log.debug({ ignoredParameters: ignored }, 'ignored parameters the endpoint does not take');
  });

  // Token policies may filter on body parameters, so they are checked once the body is parsed.
  app.addHook('preHandler', async (request) => {
    const principal = request.principal;
    if (!principal || principal.credential.kind !== 'token') return;
    const asParams = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, string | string[]>) : {});
    await store.replaying(() =>
      store.read((repo) =>
        authorize(repo, principal, { method: request.method, path: request.url.split('?')[0]!, query: asParams(request.query), body: asParams(request.body) }),
      ),
    );
  });

  const status = (value: string) => z.object({ status: z.literal(value) });
  // Once stopping, every request is refused before its route runs (the onRequest hook above): Twilio's 503.
  const stopping = TWILIO_ERROR.describe('the server is stopping (Retry-After: 1)');
  app.get('/healthz', jsonRoute('Operations', { summary: 'Liveness: 200 while the process lives', responses: { 200: status('ok'), 503: stopping } }), async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    jsonRoute('Operations', { summary: 'Readiness: 200 while the server takes work, 503 once it is stopping', responses: { 200: status('ready'), 503: z.union([status('stopping'), stopping]) } }),
    async (_request, reply) => (accepting ? { status: 'ready' } : reply.code(503).send({ status: 'stopping' })),
  );

  const engine = options.engine ?? new Engine(store, { clock });
  if (!options.engine) await engine.start();
  app.addHook('onClose', async () => engine.close());
  const stopObserving = metrics.observeStore(store, (ws) => engine.owns(ws));
  app.addHook('onClose', async () => stopObserving());
  metrics.observeEngine(engine);
  registerMetricsRoute(app, metrics, options.metricsToken);
  app.decorate('secrets', secrets);
  const deps = { store, clock, engine, secrets };
  registerTaskRouterRoutes(app, deps);
  registerTwilioApiRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerEventBridgeProxy(app, store, clock);
  registerBrowserSdk(app);
  registerConsole(app);
  const webhooks = new WebhookDispatcher(store, engine, secrets, { clock, log: (m) => app.log.warn(m), observe: (kind, delivered, lag) => metrics.webhook(kind, delivered, lag), ...options.callbacks });
  webhooks.start();
  app.addHook('onClose', async () => webhooks.stop());
  const sockets = attachWorkerSockets(app, store, engine, clock, options.sockets);
  metrics.observeWebSockets(sockets.connections);
  app.decorate('socketWorkspaces', sockets.workspaces);
  const active = options.runsBackground ?? (() => true);
  const actions = new WorkflowActionRunner(store, engine, { clock, log: (m) => app.log.warn(m), active, ...options.workflowActions });
  const handlers = new EventHandlerRunner(store, { clock, log: (m) => app.log.warn(m), active });
  registerWorkflowFaceRoutes(app, { clock, workflow: new WorkflowService(store, actions), workflows: new LusidWorkflowService(store), eventHandlers: new EventHandlerService(store) });
  actions.start();
  handlers.start();
  app.addHook('onClose', async () => {
    await handlers.stop();
    await actions.stop();
  });
  app.decorate('workflowActions', actions);
  app.decorate('eventHandlers', handlers);
  // The service tells the follower about each routed workspace; the follower applies routed tasks' outcomes.
  const opsflow = new OpsflowService(store, engine, (ws) => follower.follow(ws));
  const follower = new OpsflowRouteFollower(store, opsflow, (m) => app.log.warn(m), active, options.runsBackground !== undefined);
  registerOpsflowRoutes(app, { clock, opsflow, variables: new OpsflowVariables(store) });
  follower.start();
  app.addHook('onClose', async () => follower.stop());
  registerDocumentRoutes(app);
  const retentionDays = options.eventRetentionDays ?? DEFAULT_EVENT_RETENTION_DAYS;
  if (retentionDays > 0) {
    const retention = new EventRetention(store, { retentionMs: retentionMs(retentionDays), clock, log: (m) => app.log.warn(m), ...options.retention });
    retention.start();
    app.addHook('onClose', async () => retention.stop());
    app.decorate('eventRetention', retention);
  }
  app.decorate('backgroundLogInterest', () => mergeInterests([actions.logInterest(), handlers.logInterest(), follower.logInterest()]));
  app.decorate('resumeBackground', () => {
    actions.resume();
    handlers.resume();
    follower.resume();
  });
  return app;
}

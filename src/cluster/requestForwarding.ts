// Any node accepts any request; a request for a workspace another node routes is served by that workspace's
// owner, so every write to a workspace is made by the one node holding its lease. When the owner advertises a
// URL the request is sent there directly (directForwarding.ts). Otherwise, or when that fails before the request
// reached the owner, it is committed to the database (forwarded_requests) and executed by the owner, which
// writes the response back. The owner executes it exactly like a request of its own (fastify's inject: same
// authentication, validation, engine and durability). LISTEN/NOTIFY wakes both sides; a poll backs it up. A
// request the owner never picked up in time is withdrawn and answered 503 (retry): the client is told nothing
// happened, and nothing did.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoalescedRun } from '../core/coalescedRun.ts';
import { ApiError } from '../core/errors.ts';
import type { ClusterCatalog, ForwardedRequest, ForwardedResponse } from '../store/postgres/clusterCatalog.ts';
import type { LeaseKeeper } from './leaseKeeper.ts';
import type { SecretBox } from '../auth/secretBox.ts';
import { AnswerAnnouncements } from './answerAnnouncements.ts';
import { DirectForwarding, FORWARDED_TO_HEADER, meantForHere } from './directForwarding.ts';
import type { OwnerDirectory } from './ownerDirectory.ts';

const WORKSPACE_PATH = /^\/v1\/Workspaces\/(WS[0-9a-fA-F]{32})(?:[/?]|$)/;
/** Set on a request an owner executes for another node: it runs here whatever the lease says by then (the
 *  fence still refuses its commit if this node lost the workspace). */
const FORWARDED_HEADER = 'x-switchboard-forwarded-by';
const HOP_HEADERS = new Set(['content-length', 'connection', 'date', 'transfer-encoding', 'keep-alive']);
/** Headers that carry credentials (Basic with an auth token or API key secret, a JWT): sealed while the request
 *  sits in the database, like the stored secrets (auth/secretBox.ts), and opened by the owner. */
const CREDENTIAL_HEADERS = ['authorization', 'x-twilio-token'];
const sealedHeader = (name: string) => `forwarded request:${name}`;
/** Forwarded requests an owner claims at a time. */
const CLAIM_BATCH = 50;
/** Announcements of answers nobody waited for that are kept (answerAnnouncements.ts). */
const ANNOUNCED_KEPT = 1_000;

export interface ForwardingOptions {
  /** How long a receiving node waits for an owner to take the request before answering 503. */
  pickupTimeoutMs?: number;
  /** How long it waits for the owner's answer once taken. */
  answerTimeoutMs?: number;
  /** How often a node looks for forwarded requests and answers without being notified. Notifications are not
   *  lost while the connection lives (a lost connection restarts the process), so this is a backstop; each
   *  look is a query on every node (10 a second each at 100 ms, a quarter of an idle cluster's queries). */
  pollMs?: number;
  log?: (message: string) => void;
  /** Metrics: a request forwarded from this node (sent) or run here for another node (executed), and how. */
  observe?: (direction: 'sent' | 'executed', via: 'direct' | 'database') => void;
  /** How often leftover forwarded requests and dead nodes' registrations are removed (default a minute). */
  cleanupMs?: number;
  /** Forwarded requests older than this are removed, whatever their state (default: the pickup and answer
   *  timeouts plus a minute, so no receiver still waits for one). */
  leftoverGraceMs?: number;
  /** Registrations of nodes silent this long (and holding no lease) are removed (default an hour). */
  deadNodeGraceMs?: number;
}

/** The request as it came in: body re-encoded from the parsed form (or JSON), the headers that matter. */
function describe(request: FastifyRequest): ForwardedRequest['request'] {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    // Host too: responses carry absolute URLs built from it, which must name the node the client called.
    if (typeof v === 'string' && !HOP_HEADERS.has(k)) headers[k] = v;
  }
  let body = '';
  const parsed = request.body;
  if (typeof parsed === 'string') body = parsed;
  else if (parsed && typeof parsed === 'object') {
    if (String(request.headers['content-type'] ?? '').includes('json')) body = JSON.stringify(parsed);
    else {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(parsed as Record<string, string | string[]>)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
      body = form.toString();
    }
  }
  return { method: request.method, url: request.url, headers, body };
}

/** The request with its credentials sealed, to sit in the database. */
function sealed(request: ForwardedRequest['request'], secrets: SecretBox): ForwardedRequest['request'] {
  const headers = { ...request.headers };
  for (const k of CREDENTIAL_HEADERS) if (headers[k] !== undefined) headers[k] = secrets.seal(headers[k], sealedHeader(k));
  return { ...request, headers };
}

export class RequestForwarding {
  private readonly app: FastifyInstance;
  private readonly catalog: ClusterCatalog;
  private readonly keeper: LeaseKeeper;
  private readonly opts: Required<ForwardingOptions>;
  /** Requests sent straight to the URL the owner publishes (when it publishes one). */
  private readonly direct: DirectForwarding;
  /** Announcements of forwarded requests' answers, and who waits for them. */
  private readonly answers = new AnswerAnnouncements(ANNOUNCED_KEPT);
  /** Executes the pending requests, one pass at a time (a notification during a pass asks for one more). */
  private readonly executing = new CoalescedRun(() => this.executeAll(), (err) => this.opts.log(`forwarded requests: ${err.message}`));
  private timer: NodeJS.Timeout | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => void)[] = [];
  private stopped = false;
  /** The server is stopping: it takes no more forwarded requests (the next owner will), and gives back those it
   *  claimed and has not started, which it would refuse now. */
  private draining = false;

  /** `owners`: where the owners and their URLs are looked up (shared with the socket relay). */
  constructor(app: FastifyInstance, catalog: ClusterCatalog, keeper: LeaseKeeper, owners: OwnerDirectory, options: ForwardingOptions = {}) {
    this.app = app;
    this.catalog = catalog;
    this.keeper = keeper;
    const pickupTimeoutMs = options.pickupTimeoutMs ?? 10_000;
    const answerTimeoutMs = options.answerTimeoutMs ?? 30_000;
    this.opts = {
      pickupTimeoutMs, answerTimeoutMs, pollMs: 1000, log: () => undefined, observe: () => undefined,
      cleanupMs: 60_000, leftoverGraceMs: pickupTimeoutMs + answerTimeoutMs + 60_000, deadNodeGraceMs: 3_600_000,
      ...options,
    };
    this.direct = new DirectForwarding(owners, { answerTimeoutMs, log: this.opts.log });
    app.addHook('preClose', async () => {
      this.draining = true;
    });
    // After authentication and the token policy check (earlier hooks): only a caller allowed here is forwarded.
    app.addHook('preHandler', async (request, reply) => {
      const match = WORKSPACE_PATH.exec(request.url);
      // Sent here directly by another node: served only by the node it was meant for, while it routes the
      // workspace (421 otherwise, and the sender forwards it through the database).
      const meantFor = request.headers[FORWARDED_TO_HEADER];
      if (meantFor !== undefined) {
        if (meantForHere(meantFor, match?.[1], this.keeper)) {
          this.opts.observe('executed', 'direct');
          return;
        }
        throw new ApiError('misdirected');
      }
      if (!match || request.headers[FORWARDED_HEADER] || this.keeper.owns(match[1]!)) return;
      const described = describe(request);
      let answer = await this.direct.send(match[1]!, described);
      if (answer) this.opts.observe('sent', 'direct');
      else answer = await this.forward(match[1]!, sealed(described, app.secrets));
      // An unknown workspace is answered here (404, as any node would); only live ones have an owner to ask.
      if (!answer) return;
      // The owner counted it against the account's rate limit: served there, it does not count here too.
      if (request.rateCharge) app.rateLimiter.giveBack(request.rateCharge.key, request.rateCharge.atMs);
      for (const [k, v] of Object.entries(answer.headers)) if (!HOP_HEADERS.has(k)) reply.header(k, v);
      return reply.code(answer.statusCode).send(answer.body);
    });
  }

  async start(): Promise<void> {
    this.unlisten.push(await this.catalog.listen('sb_forward', (ws) => (this.keeper.owns(ws) ? this.executePending() : undefined)));
    this.unlisten.push(
      await this.catalog.listen('sb_forward_done', (payload) => this.answers.announce(Number(payload))),
    );
    this.timer = setInterval(() => {
      this.executePending();
      this.answers.wakeAll();
    }, this.opts.pollMs);
    this.timer.unref();
    this.cleanupTimer = setInterval(() => void this.cleanUp(), this.opts.cleanupMs);
    this.cleanupTimer.unref();
  }

  /** Removes leftover forwarded requests and dead nodes' registrations (every node does; it is idempotent). */
  async cleanUp(): Promise<number> {
    if (this.stopped) return 0;
    try {
      return await this.catalog.pruneLeftovers(this.opts.leftoverGraceMs, this.opts.deadNodeGraceMs);
    } catch (err) {
      this.opts.log(`forwarded requests cleanup: ${(err as Error).message}`);
      return 0;
    }
  }

  /** Takes the requests waiting for workspaces this node has just taken over, without waiting for the poll. */
  wake(): void {
    this.executePending();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    for (const u of this.unlisten) u();
    this.direct.close();
  }

  /** Commits the request for the owner and waits for its answer: the owner's announcement (or the poll) comes
   *  first, since nothing can be taken before it. Undefined when the workspace does not exist. */
  private async forward(workspaceSid: string, request: ForwardedRequest['request']): Promise<ForwardedResponse | undefined> {
    const id = await this.catalog.forward(workspaceSid, request);
    if (id === undefined) return undefined;
    this.opts.observe('sent', 'database');
    const started = Date.now();
    let abandoned = false;
    try {
      for (;;) {
        await this.answers.next(id, this.opts.pollMs);
        const response = await this.catalog.takeResponse(id);
        if (response) return response;
        const waited = Date.now() - started;
        if (!abandoned && waited > this.opts.pickupTimeoutMs) {
          // Nobody took it: withdraw it (nothing happened) unless an owner took it just now.
          if (await this.catalog.abandonForwarded(id)) throw this.moving(`no node took a request for ${workspaceSid} forwarded through the database within ${waited} ms: answered 503, nothing ran`);
          abandoned = true;
        }
        // Taken by a node that then died or lost the workspace: no answer will come (it may or may not have run).
        if (abandoned && (await this.catalog.takerGone(id))) throw this.moving(`the node that took a request for ${workspaceSid} forwarded through the database is gone or no longer routes it: answered 503 after ${waited} ms`);
        if (waited > this.opts.pickupTimeoutMs + this.opts.answerTimeoutMs) throw this.moving(`a request for ${workspaceSid} forwarded through the database had no answer within ${waited} ms: answered 503`);
      }
    } finally {
      this.answers.forget(id);
    }
  }

  /** The retryable 503, logged: a client sees only that the workspace is moving, the operator sees why. */
  private moving(why: string): ApiError {
    this.opts.log(why);
    return new ApiError('workspaceMoving');
  }

  /** The owner's side: takes the pending requests of its workspaces and executes them, oldest first. */
  private executePending(): void {
    if (!this.stopped && !this.draining) this.executing.wake();
  }

  private async executeAll(): Promise<void> {
    for (;;) {
      if (this.stopped || this.draining) return;
      const owned = this.keeper.ownedWorkspaces();
      const batch = await this.catalog.claimForwarded(this.keeper.nodeId, owned, CLAIM_BATCH, this.opts.pickupTimeoutMs);
      if (batch.length === 0) return;
      // In order per workspace (a client's requests in the order it sent them); workspaces side by side.
      const byWorkspace = new Map<string, ForwardedRequest[]>();
      for (const r of batch) byWorkspace.set(r.workspaceSid, [...(byWorkspace.get(r.workspaceSid) ?? []), r]);
      await Promise.all([...byWorkspace.values()].map(async (requests) => {
        for (const r of requests) {
          if (this.draining) await this.catalog.releaseForwarded(r.id, this.keeper.nodeId);
          else await this.catalog.answerForwarded(r.id, await this.execute(r));
        }
      }));
      // A short batch took every request committed before the claim; one committed since has announced itself,
      // and its announcement asked for another pass (`executing`): no need to look again now.
      if (batch.length < CLAIM_BATCH) return;
    }
  }

  private async execute(r: ForwardedRequest): Promise<ForwardedResponse> {
    this.opts.observe('executed', 'database');
    const given: Record<string, string> = { ...r.request.headers, [FORWARDED_HEADER]: this.keeper.nodeId };
    for (const k of CREDENTIAL_HEADERS) if (given[k] !== undefined) given[k] = this.app.secrets.open(given[k], sealedHeader(k));
    const res = await this.app.inject({
      method: r.request.method as 'GET',
      url: r.request.url,
      headers: given,
      payload: r.request.body || undefined,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    return { statusCode: res.statusCode, headers, body: res.body };
  }
}

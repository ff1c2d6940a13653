// A request for a workspace another node routes, sent straight to that node over HTTP at the URL it advertises
// (cluster_nodes.address), instead of through the database (requestForwarding.ts). Through the database a
// forwarded request costs four bookkeeping statements, two NOTIFYs and the owner's `inject` beside its own work:
// about ten times a local request's CPU, nodes and PostgreSQL together (README, Performance). Sent directly, the
// owner serves it as any client's request, on a kept-alive connection, and the sender relays the answer.
//
// What the sender knows decides what it may do when something fails:
// * The request never ran there: no owner advertises a URL; the connection was refused or the name did not
//   resolve; the owner answered 421 (it does not route the workspace, or is not the node the sender meant: an
//   address shared by mistake, a lease that moved); or the owner did not ask for the body. A request with a body
//   is sent with `Expect: 100-continue` and its body only once the owner's process has read its headers and
//   answered 100 Continue: a frozen owner (a VM freeze, a long pause: its kernel still accepts connections)
//   never does, and without its body the request cannot run there, even if the owner resumes. Then the database
//   path takes it, which waits for whoever routes the workspace, across a takeover, as it always did.
// * The body was sent and no answer came (the connection broke, the answer timed out, or the workspace's lease
//   moved to another node meanwhile): a GET is safe to send again through the database; anything else is
//   answered 503 (code 20504, retry), the same uncertainty as a client's own timeout, and as the database
//   path's for a request taken and never answered.
// A request with no body that is not a read (a DELETE) could run on a frozen owner that resumes; it goes
// through the database.
//
// The owner authenticates the request itself (the client's credentials travel with it, as they came) and
// serves it only while it routes the workspace: the `x-switchboard-forwarded-to` header names the node meant.
import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { ApiError } from '../core/errors.ts';
import type { ForwardedRequest, ForwardedResponse } from '../store/postgres/clusterCatalog.ts';
import type { OwnerDirectory, ReachableOwner } from './ownerDirectory.ts';

/** Names the node a directly forwarded request (or relayed socket) is meant for (the owner checks it is that node). */
export const FORWARDED_TO_HEADER = 'x-switchboard-forwarded-to';

/** Whether a request or socket sent here naming `meantFor` is for this node now: it is that node and routes the
 *  workspace (421 otherwise, and the sender takes the way that needs no URL). */
export function meantForHere(meantFor: string | string[], workspaceSid: string | undefined, self: { nodeId: string; owns(workspaceSid: string): boolean }): boolean {
  return workspaceSid !== undefined && meantFor === self.nodeId && self.owns(workspaceSid);
}

/** Errors that say the request never reached a server: safe to send again any other way. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ERR_INVALID_URL']);

export interface DirectForwardingOptions {
  /** How long the owner may take to answer once the request is sent. */
  answerTimeoutMs: number;
  /** How long the owner may take to ask for a request's body (100 Continue) before the request goes through the
   *  database instead. */
  continueTimeoutMs?: number;
  /** How often, while an answer is awaited, the sender checks that the workspace has not moved. */
  leaseCheckMs?: number;
  /** Where a request answered 503 (it may have run, no answer came) is logged, with why. */
  log?: (message: string) => void;
}

export class DirectForwarding {
  private readonly owners: OwnerDirectory;
  private readonly answerTimeoutMs: number;
  private readonly continueTimeoutMs: number;
  private readonly leaseCheckMs: number;
  private readonly log: (message: string) => void;
  /** Kept-alive connections to the other nodes (a connection per request in flight, reused after). */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(owners: OwnerDirectory, options: DirectForwardingOptions) {
    this.owners = owners;
    this.answerTimeoutMs = options.answerTimeoutMs;
    this.continueTimeoutMs = options.continueTimeoutMs ?? 1000;
    this.leaseCheckMs = options.leaseCheckMs ?? 1000;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Sends the request to the node routing `workspaceSid` and returns its answer; undefined when it was not
   * delivered there (no URL advertised, unreachable, misdirected): the caller forwards it through the database.
   * Throws 503 (workspaceMoving) when it may have run and no answer came.
   */
  async send(workspaceSid: string, request: ForwardedRequest['request']): Promise<ForwardedResponse | undefined> {
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (!read && request.body === '') return undefined;
    const owner = await this.owners.reachableOwner(workspaceSid);
    if (!owner) return undefined;
    const outcome = await this.exchange(workspaceSid, owner, request, read);
    // 417: something on the way refused the Expect header; nothing ran.
    if (outcome.kind === 'answered' && outcome.response.statusCode !== 421 && outcome.response.statusCode !== 417) {
      this.owners.reached(owner, 'requests');
      return outcome.response;
    }
    // Not there (or no longer).
    const why = outcome.kind === 'answered' ? `answered ${outcome.response.statusCode} (it is not ${owner.nodeId}, or no longer routes ${workspaceSid})` : outcome.error;
    this.owners.failed(workspaceSid, owner, 'requests', `forwarding directly to ${owner.nodeId} at ${owner.address} failed (${why}); such requests go through the database`);
    if (outcome.kind === 'lost' && !read) {
      this.log(`a request for ${workspaceSid} sent to ${owner.nodeId} had no answer (${outcome.error}): answered 503, it may have run there`);
      throw new ApiError('workspaceMoving');
    }
    return undefined;
  }

  close(): void {
    this.agent.destroy();
  }

  /** One HTTP exchange: answered, not run there (safe to send again), or lost (it may have run). */
  private exchange(workspaceSid: string, owner: ReachableOwner, request: ForwardedRequest['request'], read: boolean): Promise<{ kind: 'answered'; response: ForwardedResponse } | { kind: 'unsent' | 'lost'; error: string }> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(request.url, owner.address);
      } catch {
        return resolve({ kind: 'unsent', error: 'not a URL' });
      }
      const body = Buffer.from(request.body);
      const headers: Record<string, string> = { ...request.headers, [FORWARDED_TO_HEADER]: owner.nodeId, 'content-length': String(body.length) };
      if (!read) headers.expect = '100-continue';
      /** Whether the request can have run there: a read at once, anything else once its body went. */
      let sent = read;
      let continueTimer: NodeJS.Timeout | undefined;
      let leaseTimer: NodeJS.Timeout | undefined;
      const settle = (outcome: { kind: 'answered'; response: ForwardedResponse } | { kind: 'unsent' | 'lost'; error: string }) => {
        clearTimeout(continueTimer);
        clearInterval(leaseTimer);
        resolve(outcome);
      };
      const req = httpRequest(url, { method: request.method, headers, agent: this.agent, timeout: this.answerTimeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => settle({ kind: 'answered', response: { statusCode: res.statusCode ?? 502, headers: flatHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') } }));
        res.on('error', (err) => settle({ kind: sent ? 'lost' : 'unsent', error: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.answerTimeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => settle({ kind: !sent || NOT_SENT.has(err.code ?? '') ? 'unsent' : 'lost', error: err.code ?? err.message }));
      // While the answer is awaited: a workspace that moved can no longer be written by the node asked (the
      // fence), so waiting longer tells nothing more.
      const watchLease = () => {
        leaseTimer = setInterval(() => {
          this.owners.current(workspaceSid).then(
            (now) => {
              if (now?.nodeId !== owner.nodeId) req.destroy(new Error(`${workspaceSid} moved to ${now?.nodeId ?? 'no node'} while ${owner.nodeId} had the request`));
            },
            () => undefined,
          );
        }, this.leaseCheckMs);
        leaseTimer.unref();
      };
      if (read) {
        req.end();
        watchLease();
        return;
      }
      req.flushHeaders();
      continueTimer = setTimeout(() => req.destroy(new Error(`no 100 Continue within ${this.continueTimeoutMs} ms`)), this.continueTimeoutMs);
      req.on('continue', () => {
        clearTimeout(continueTimer);
        sent = true;
        req.end(body);
        watchLease();
      });
    });
  }
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

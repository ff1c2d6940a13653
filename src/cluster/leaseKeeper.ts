// Which workspaces this node routes. Every `renewMs` the keeper renews the node's heartbeat and leases, takes
// free or expired leases up to its fair share (workspaces / live nodes), and sheds leases above that share so
// a node that joins gets work. Leases last `ttlMs`: a node that dies (kill -9, lost network) is replaced within
// ttl + renew. The keeper tells the engine what it gained (rebuild the routers, fire overdue timers) and lost.
//
// One more lease, `background`, picks the node that runs the account-wide loops (the Workflow face's action
// runner, the Opsflow route follower), which belong to no workspace.
//
// Correctness does not depend on the keeper's timing: every commit that writes a workspace takes its lease
// row in the same transaction (the fence in PostgresStore), so a node that still believes it owns a workspace
// after losing it fails to commit instead of writing over the new owner.
import type { ClusterCatalog } from '../store/postgres/clusterCatalog.ts';

export const BACKGROUND_LEASE = 'background';

export interface LeaseKeeperOptions {
  /** false: this node routes no workspace (it serves requests, forwarding them, and sockets only). */
  routesWorkspaces?: boolean;
  ttlMs?: number;
  renewMs?: number;
  log?: (message: string) => void;
}

export interface LeaseHolder {
  /** This node now routes the workspace (or runs the background loops). */
  gained(workspaceSid: string): void;
  /** This node no longer routes it. */
  lost(workspaceSid: string): void;
}

export class LeaseKeeper {
  readonly nodeId: string;
  readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly routesWorkspaces: boolean;
  private readonly catalog: ClusterCatalog;
  private readonly log: (message: string) => void;
  private holder: LeaseHolder | undefined;
  private owned = new Set<string>();
  /** When the last renewal succeeded: past the TTL, nothing counts as owned (another node may have it). */
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Delay to the next round: sooner than `renewMs` when another node's lease lapses before then. */
  private nextMs: number;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** The URL other nodes reach this node at, published with each heartbeat (null: none). */
  private address: string | null = null;

  constructor(catalog: ClusterCatalog, nodeId: string, options: LeaseKeeperOptions = {}) {
    this.catalog = catalog;
    this.nodeId = nodeId;
    this.ttlMs = options.ttlMs ?? 5000;
    this.routesWorkspaces = options.routesWorkspaces ?? true;
    // Renewing four times per TTL leaves three chances before a lease lapses (a busy event loop, a slow query);
    // at least twice a second, so a lapsed lease (a dead or frozen node) is taken within TTL + 0.5 s.
    this.renewMs = options.renewMs ?? Math.max(100, Math.min(500, Math.floor(this.ttlMs / 4)));
    this.nextMs = this.renewMs;
    this.log = options.log ?? (() => undefined);
  }

  /** Publishes, from the next heartbeat on, the URL other nodes send requests for this node's workspaces to. */
  advertise(address: string | null): void {
    this.address = address;
  }

  /** Whether this node routes the workspace now. */
  owns(workspaceSid: string): boolean {
    return this.owned.has(workspaceSid) && Date.now() - this.renewedAt < this.ttlMs;
  }

  /** The workspaces this node routes now. */
  ownedWorkspaces(): string[] {
    return [...this.owned].filter((ws) => ws !== BACKGROUND_LEASE && this.owns(ws));
  }

  get runsBackground(): boolean {
    return this.owns(BACKGROUND_LEASE);
  }

  /** Starts keeping leases; resolves after the first round (so the node starts routing what it took). */
  async start(holder: LeaseHolder): Promise<void> {
    this.holder = holder;
    await this.tick();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.nextMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const startedAt = Date.now();
      // Two round trips a round (clusterCatalog.ts): the renewal, then the claims its figures decide.
      const renewal = await this.catalog.renewRound(this.nodeId, this.routesWorkspaces, this.address, this.ttlMs);
      const kept = renewal.kept;
      const workspaces = kept.filter((ws) => ws !== BACKGROUND_LEASE);
      let shed: string[] = [];
      let taken: string[] = [];
      let background = kept.includes(BACKGROUND_LEASE);
      try {
        const share = this.routesWorkspaces ? Math.ceil(renewal.workspaces / Math.max(1, renewal.liveNodes)) : 0;
        // Shed above the fair share (one round at a time, so nodes converge instead of trading leases).
        shed = workspaces.length > share ? workspaces.slice(share) : [];
        const claims = await this.catalog.claimRound(this.nodeId, this.ttlMs, share - (workspaces.length - shed.length), this.routesWorkspaces);
        taken = claims.taken;
        background ||= claims.background;
        // A lease of another node that lapses before the next round (it stopped renewing: dead or frozen) is
        // claimed right after it lapses, not up to a round later.
        const lapse = claims.lapseMs;
        this.nextMs = lapse === undefined ? this.renewMs : Math.max(10, Math.min(this.renewMs, lapse + 10));
      } catch (err) {
        // A claim that gave up on a lock (a stuck transaction holds the lease row: sessionTimeouts.ts) takes
        // nothing this round; the leases renewed above stay this node's.
        this.log(`claiming leases failed: ${(err as Error).message}`);
      }
      const next = new Set([...kept, ...taken].filter((ws) => !shed.includes(ws)));
      if (background) next.add(BACKGROUND_LEASE);
      const before = this.owned;
      // Stop routing what is shed before giving it up, so no commit of ours follows the release.
      for (const ws of shed) this.holder?.lost(ws);
      this.owned = next;
      this.renewedAt = startedAt;
      if (shed.length) await this.catalog.releaseLeases(this.nodeId, shed);
      // Logged: an operator who sees requests answered 503 (the workspace is moving) learns why from here.
      const tookMs = Date.now() - startedAt;
      if (tookMs > this.ttlMs / 2) this.log(`renewing the leases took ${tookMs} ms (they last ${this.ttlMs} ms): this node or the database is starved`);
      for (const ws of before) {
        if (next.has(ws) || shed.includes(ws)) continue;
        if (ws !== BACKGROUND_LEASE) this.log(`lost the lease of ${ws}: another node took it after it lapsed, or it was deleted`);
        this.holder?.lost(ws);
      }
      for (const ws of next) if (!before.has(ws)) this.holder?.gained(ws);
    } catch (err) {
      this.log(`lease renewal failed: ${(err as Error).message}${this.owned.size > 0 && Date.now() - this.renewedAt >= this.ttlMs ? ' (the leases have lapsed: this node routes nothing until a renewal succeeds)' : ''}`);
    }
  }

  /** A clean stop: gives every lease up at once, so the other nodes take over at their next round. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    for (const ws of this.owned) this.holder?.lost(ws);
    this.owned = new Set();
    try {
      await this.catalog.leave(this.nodeId);
    } catch (err) {
      this.log(`leaving the cluster failed: ${(err as Error).message}`);
    }
  }
}

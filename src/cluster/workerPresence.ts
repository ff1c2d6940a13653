// Worker presence with several nodes. A worker's sockets may be on any node, and a node may die with them, so
// each node records in the database which workers it holds sockets of (store/postgres/workerSocketCatalog.ts),
// and the node routing a workspace handles its workers' disconnects (realtime/disconnect.ts): a worker whose
// every socket row is closed for the grace period, or held by a node that died (heartbeat older than the lease
// TTL), moves to its disconnect activity and its pending reservations are offered to others. A worker that
// reconnected to any node meanwhile has a live row and is left alone. So the workers of a dead node are handled
// within the lease TTL and a round (the owner checks every quarter second, and at once when it takes a
// workspace over, by which time the dead node's heartbeat has lapsed too).
import type { Engine } from '../engine/engine.ts';
import { applyDisconnect } from '../realtime/disconnect.ts';
import type { PresenceSession, WorkerPresence } from '../realtime/workerPresence.ts';
import type { WorkerSocketCatalog } from '../store/postgres/workerSocketCatalog.ts';

export interface ClusterPresenceOptions {
  graceMs: number;
  ttlMs: number;
  log: (message: string) => void;
}

export class ClusterPresence implements WorkerPresence {
  private readonly catalog: WorkerSocketCatalog;
  private readonly nodeId: string;
  private readonly opts: ClusterPresenceOptions;
  private sweeping = false;
  private again = false;

  constructor(catalog: WorkerSocketCatalog, nodeId: string, options: ClusterPresenceOptions) {
    this.catalog = catalog;
    this.nodeId = nodeId;
    this.opts = options;
  }

  // This node's sockets, written in the order they happen (one connection runs them in order).
  opened(s: PresenceSession): void {
    void this.catalog.opened(this.nodeId, { ...s, offlineActivity: s.offlineActivity ?? null }).catch((err: Error) => this.opts.log(`recording ${s.workerSid}'s socket failed: ${err.message}`));
  }

  closed(s: PresenceSession): void {
    void this.catalog.closed(this.nodeId, s.workerSid).catch((err: Error) => this.opts.log(`recording ${s.workerSid}'s closed socket failed: ${err.message}`));
  }

  stop(): void {}

  /** A clean stop: this node's rows go, its workers reconnect to other nodes (no disconnect applies). */
  async leave(): Promise<void> {
    await this.catalog.left(this.nodeId);
  }

  /** The owner's side: handles the workers of the workspaces this node routes that have no socket anywhere. */
  async sweep(engine: Engine, workspaces: readonly string[]): Promise<void> {
    if (this.sweeping) {
      this.again = true;
      return;
    }
    this.sweeping = true;
    try {
      const { graceMs, ttlMs } = this.opts;
      for (const w of await this.catalog.sweep(workspaces, graceMs, ttlMs)) {
        if (!engine.owns(w.workspaceSid)) continue;
        if (w.offlineActivity !== null) {
          await applyDisconnect(engine, { ...w, offlineActivity: w.offlineActivity }, engine.clock());
          // Committed before the rows go: a crash in between applies it again, which changes nothing.
          await engine.store.durable();
        }
        await this.catalog.forget(w.workerSid, graceMs, ttlMs);
      }
    } catch (err) {
      this.opts.log(`handling disconnected workers failed: ${(err as Error).message}`);
    } finally {
      this.sweeping = false;
      if (this.again) {
        this.again = false;
        void this.sweep(engine, workspaces);
      }
    }
  }
}

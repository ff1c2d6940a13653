// Worker presence: the socket gateway (workerSockets.ts) tells it when a worker's first socket on this process
// opens and when its last one closes; it decides when the worker counts as disconnected and applies the
// disconnect (disconnect.ts). On a single node that is a timer per worker (LocalPresence); with several nodes
// the sockets of one worker may be on any node, and a node may die with them: cluster/workerPresence.ts keeps
// them in the database and the node routing the workspace decides.
import type { Engine } from '../engine/engine.ts';
import { applyDisconnect } from './disconnect.ts';

/** The grace period before a worker without a socket is moved to its disconnect activity (a reconnect within
 *  it cancels the move). */
export const OFFLINE_GRACE_MS = 5_000;

export interface PresenceSession {
  accountSid: string;
  workspaceSid: string;
  workerSid: string;
  /** Where to move the worker once it has no socket: 'default', an activity SID, or undefined (nowhere). */
  offlineActivity: string | undefined;
}

export interface WorkerPresence {
  /** A socket of the worker opened here (the latest one's setting applies). */
  opened(session: PresenceSession): void;
  /** The worker's last socket here closed (not because this process is stopping). */
  closed(session: PresenceSession): void;
  stop(): void;
}

/** One process: the disconnect applies when the worker's last socket has been closed for the grace period,
 *  unless it reconnects meanwhile. */
export class LocalPresence implements WorkerPresence {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly engine: Engine;
  private readonly clock: () => number;
  private readonly graceMs: number;

  constructor(engine: Engine, clock: () => number, graceMs: number) {
    this.engine = engine;
    this.clock = clock;
    this.graceMs = graceMs;
  }

  opened(session: PresenceSession): void {
    this.cancel(session.workerSid);
  }

  private cancel(workerSid: string): void {
    const pending = this.timers.get(workerSid);
    if (pending) clearTimeout(pending);
    this.timers.delete(workerSid);
  }

  closed(session: PresenceSession): void {
    this.cancel(session.workerSid);
    const { offlineActivity } = session;
    if (offlineActivity === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(session.workerSid);
      applyDisconnect(this.engine, { ...session, offlineActivity }, this.clock()).catch(() => {
        // A failed commit: the worker stays as it was, as if it had reconnected.
      });
    }, this.graceMs);
    timer.unref();
    this.timers.set(session.workerSid, timer);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

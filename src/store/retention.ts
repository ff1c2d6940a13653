// Event retention: the event log (and its per-minute rollups) of each TaskRouter workspace keeps the last
// `retentionMs` (SWITCHBOARD_EVENT_RETENTION_DAYS, default 30 days: Twilio's Events resource keeps 30 days and
// its cumulative statistics reach 30 days back). A background loop deletes what is older in small batches
// (BATCH rows per statement, each its own short transaction outside the commit groups) and yields to the
// event loop between batches, so requests and commits interleave with it and no statement holds locks for
// long. The cutoff is a whole minute, so the rollup minutes kept and the events kept cover the same time and
// statistics over what is left stay exact. Only TaskRouter workspaces are pruned: the Workflow face's log is
// its tasks' history (`asAt` reads) and the Opsflow log its audit trail, kept as those faces keep them.
import type { Store } from '../core/repository.ts';
import { MINUTE_MS } from './storeSchema.ts';

export const DEFAULT_EVENT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** How long events are kept (ms). */
  retentionMs: number;
  /** How often the pruner looks for expired events (ms); default one minute. */
  intervalMs?: number;
  /** Rows deleted per statement; default 1,000. */
  batch?: number;
  /** Pause between batches (ms), so a large backlog is deleted without starving the commit pipeline: a batch of
   *  1,000 events takes about 10 ms on SQLite (on the event loop), so 50 ms keeps a backlog's pruning to about
   *  a sixth of the loop's time (1,000,000 expired events: about a minute). Default 50. */
  pauseMs?: number;
  clock?: () => number;
  log?: (message: string) => void;
}

export const retentionMs = (days: number) => days * DAY_MS;

export class EventRetention {
  private readonly store: Store;
  private readonly opts: Required<RetentionOptions>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(store: Store, options: RetentionOptions) {
    this.store = store;
    this.opts = { intervalMs: 60_000, batch: 1000, pauseMs: 50, clock: Date.now, log: () => undefined, ...options };
  }

  /** Whether the store can prune (both stores can; a test double may not). */
  get supported(): boolean {
    return typeof this.store.pruneBatch === 'function' && typeof this.store.prunableWorkspaces === 'function';
  }

  start(): void {
    if (!this.supported || this.timer) return;
    this.timer = setInterval(() => void this.run(), this.opts.intervalMs);
    this.timer.unref();
    // A first pass soon after start (a server that was down for a while has a backlog).
    setTimeout(() => void this.run(), Math.min(this.opts.intervalMs, 5_000)).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** The oldest time kept: retention before now, down to a whole minute. */
  cutoff(): number {
    return Math.floor((this.opts.clock() - this.opts.retentionMs) / MINUTE_MS) * MINUTE_MS;
  }

  /** One pass over every workspace; returns the rows deleted. Passes never overlap. */
  run(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.pass()
      .catch((err: Error) => {
        this.opts.log(`event retention failed: ${err.message}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    if (!this.supported) return 0;
    const cutoff = this.cutoff();
    let total = 0;
    for (const ws of await this.store.prunableWorkspaces!()) {
      // A turn of the event loop per workspace, even when it has nothing to prune (thousands of workspaces).
      await new Promise((resolve) => setImmediate(resolve));
      const done = await this.inBatches((limit) => this.store.pruneBatch!(ws, cutoff, limit));
      total += done;
      if (this.stopped) return total;
    }
    // Then, once for all workspaces, what indexed the events that went (Store.pruneLogRows).
    const logRows = this.store.pruneLogRows;
    if (logRows) total += await this.inBatches((limit) => logRows.call(this.store, limit));
    return total;
  }

  /** Runs `prune` batch after batch, pausing between them, until it deletes nothing or the loop stops. */
  private async inBatches(prune: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopped) return total;
      const n = await prune(this.opts.batch);
      total += n;
      if (n === 0) return total;
      await new Promise((resolve) => setTimeout(resolve, this.opts.pauseMs));
    }
  }
}

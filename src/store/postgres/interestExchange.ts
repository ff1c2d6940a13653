// Which other nodes may need a commit's events, so that a node sends the commit's NOTIFY (sharedLog.ts) only
// when one may.
//
// Why: every NOTIFY wakes every node's log reader (PostgreSQL signals every listener of the database, and each
// node decodes the payload, its own commits' included), yet when the load balancer routes by workspace no node
// needs another's events. Three nodes, alternated runs of bench/cluster's load: 822 / 906 lifecycles/s with a
// NOTIFY per commit, 910 / 947 without one (node CPU 1,251 / 1,135 -> 1,092 / 1,087 µs and PostgreSQL's
// 686 / 625 -> 589 / 558 µs per lifecycle).
//
// How: each node publishes its interest (core/logInterest.ts) in its cluster_nodes row (migration 0038) when it
// changes (looked at every CHECK_MS), and again every REPUBLISH_MS (a row deleted and registered again holds
// NULL), with a NOTIFY on `sb_interest`. Each node keeps the others' interests, loaded again on that NOTIFY and
// every REFRESH_MS. A commit is announced when any other node's interest may match it, when a node's interest
// is NULL (not published, unreadable, or everything), and whenever the others' are not loaded.
//
// Nothing is lost: a node whose interest grew reads the log once its row says so (`published`), and its poll
// (every 200 ms) reads anything committed by a node that had not heard yet. A commit announced to nobody is
// therefore heard by a node that needs it at most one poll late, and only in the moments after its interest
// grew.
import { CoalescedRun } from '../../core/coalescedRun.ts';
import { type CommitLists, type LogInterest, interestFromJson, interestToJson, mayInterest } from '../../core/logInterest.ts';

const CHECK_MS = 100;
const REFRESH_MS = 1_000;
const REPUBLISH_MS = 5_000;

export interface InterestExchangeDeps {
  nodeId: string;
  query: <R>(sql: string, params: readonly unknown[]) => Promise<R[]>;
  listen: (channel: string, listener: () => void) => Promise<() => void>;
  /** This node's interest now. */
  interest: () => 'everything' | LogInterest;
  /** Called once a changed interest is published: the log is read for what was committed before the others
   *  heard of it. */
  published: () => void;
}

export class InterestExchange {
  private readonly deps: InterestExchangeDeps;
  /** The other nodes' interests (null: announce everything to it); undefined until loaded. */
  private others: Map<string, LogInterest | null> | undefined;
  /** What this node's row holds, as far as this node knows (undefined: not published). */
  private publishedText: string | null | undefined;
  private publishedAt = 0;
  private readonly loads = new CoalescedRun(() => this.load(), () => undefined);
  private readonly publishes = new CoalescedRun(() => this.publish(), () => undefined);
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => void) | undefined;

  constructor(deps: InterestExchangeDeps) {
    this.deps = deps;
  }

  async start(): Promise<void> {
    this.unlisten = await this.deps.listen('sb_interest', () => this.loads.wake());
    await this.load();
    await this.publish();
    const every = (ms: number, run: () => void) => {
      const t = setInterval(run, ms);
      t.unref();
      this.timers.push(t);
    };
    every(CHECK_MS, () => this.publishes.wake());
    every(REFRESH_MS, () => this.loads.wake());
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unlisten?.();
  }

  /** Whether another node may need a commit that wrote these lists (so its NOTIFY is sent). */
  othersMayNeed(commit: CommitLists): boolean {
    if (!this.others) return true;
    for (const interest of this.others.values()) if (interest === null || mayInterest(interest, commit)) return true;
    return false;
  }

  private async load(): Promise<void> {
    const rows = await this.deps.query<{ node_id: string; log_interest: unknown }>(`SELECT node_id, log_interest FROM cluster_nodes WHERE node_id <> $1`, [this.deps.nodeId]);
    this.others = new Map(rows.map((r) => [r.node_id, r.log_interest === null ? null : (interestFromJson(r.log_interest) ?? null)]));
  }

  private async publish(): Promise<void> {
    const wanted = this.deps.interest();
    const text = wanted === 'everything' ? null : interestToJson(wanted);
    if (text === this.publishedText && Date.now() - this.publishedAt < REPUBLISH_MS) return;
    const rows = await this.deps.query<{ node_id: string }>(`UPDATE cluster_nodes SET log_interest = $2::jsonb WHERE node_id = $1 RETURNING node_id`, [this.deps.nodeId, text]);
    // Not registered yet (the catalog adds the row when the node joins): the next look tries again.
    if (rows.length === 0) return;
    const changed = text !== this.publishedText;
    this.publishedText = text;
    this.publishedAt = Date.now();
    if (!changed) return;
    await this.deps.query(`SELECT pg_notify('sb_interest', '')`, []);
    this.deps.published();
  }
}

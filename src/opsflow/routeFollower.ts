// Follows the TaskRouter tasks that route opsflow tasks (task types with `routing`): when a worker accepts the
// reservation the worker becomes the assignee (and a TODO task moves to the default IN_PROGRESS status); when the
// TaskRouter task completes the opsflow task moves to the category's default COMPLETED status; a canceled or
// deleted TaskRouter task just ends the route. The workspace's event log is tailed from a durable cursor and each
// event applied in the transaction that moves it (exactly once, across restarts).
import type { EventRecord } from '../core/entities.ts';
import type { LogInterestPart } from '../core/logInterest.ts';
import type { Repository, Store } from '../core/repository.ts';
import { tailEvents } from '../engine/eventTail.ts';
import { type OpsflowService, ROUTE_CURSOR } from './opsflowService.ts';

// task.system-deleted too: an assigned task left for 24 hours ends that way, and its route would stay forever.
const FOLLOWED = ['reservation.accepted', 'task.completed', 'task.canceled', 'task.deleted', 'task.system-deleted'];
const FOLLOWED_TYPES: ReadonlySet<string> = new Set(FOLLOWED);
/** The event of an Opsflow task's creation (opsflowService.ts, `record`), written with its route if it has one. */
const CREATED_TYPE = 'opsflow.created';
const CREATED_TYPES: ReadonlySet<string> = new Set([CREATED_TYPE]);

export class OpsflowRouteFollower {
  private readonly store: Store;
  private readonly service: OpsflowService;
  private readonly workspaces = new Set<string>();
  private readonly log: (message: string) => void;
  private unsubscribe: (() => void) | undefined;
  private pending: Promise<void> | undefined;
  private stopped = false;

  /** Several nodes: whether this node runs the account-wide loops now (holds the background lease). */
  private readonly active: () => boolean;
  /** Whether other nodes route tasks too (then a route may be stored without this node being told of it). */
  private readonly otherNodes: boolean;

  constructor(store: Store, service: OpsflowService, log: (message: string) => void = () => undefined, active: () => boolean = () => true, otherNodes = true) {
    this.store = store;
    this.service = service;
    this.log = log;
    this.active = active;
    this.otherNodes = otherNodes;
  }

  /** What this follower needs to hear of other nodes' commits (core/logInterest.ts): the followed events of
   *  the workspaces it follows, and the creation of Opsflow tasks (one may have been routed on another node). */
  logInterest(): LogInterestPart {
    return { types: CREATED_TYPES, typed: { streams: this.workspaces, types: FOLLOWED_TYPES } };
  }

  /** Catches up every followed workspace (this node has just taken over the background loops). */
  resume(): void {
    void this.followStored();
  }

  /** Follows every workspace a stored route names. */
  private async followStored(): Promise<void> {
    try {
      for (const r of await this.store.replaying(() => this.store.read((repo) => repo.findAll('opsRoute', {})))) this.workspaces.add(r.workspaceSid);
      for (const ws of this.workspaces) this.follow(ws);
    } catch (err) {
      this.log(`opsflow routes: ${(err as Error).message}`);
    }
  }

  start(): void {
    this.unsubscribe = this.store.onCommit((events) => {
      for (const ws of new Set(events.filter((e) => FOLLOWED_TYPES.has(e.eventType) && this.workspaces.has(e.workspaceSid)).map((e) => e.workspaceSid))) this.follow(ws);
      // With several nodes a task may be routed through another node, which stores the route (and follows it
      // there only if it runs the background loops). The Opsflow task's creation, in the same transaction,
      // tells this node to look for a route of it. Alone, this node is told of every route it stores (follow()),
      // and the stored ones are followed from the start: nothing to read per event.
      const created = this.otherNodes && this.active() ? events.filter((e) => e.eventType === CREATED_TYPE) : [];
      if (created.length) {
        // One lookup for the whole batch (a node reading the shared log gets many events at once).
        const tasks = [...new Set(created.map((e) => e.resourceSid))];
        void this.store
          .replaying(() => this.store.read((repo) => repo.findAll('opsRoute', { task_id: { in: tasks } }).map((r) => r.workspaceSid)))
          .then((routed) => {
            for (const ws of new Set(routed)) if (!this.workspaces.has(ws)) this.follow(ws);
          })
          .catch((err: Error) => this.log(`opsflow routes: ${err.message}`));
      }
    });
    void this.followStored();
  }

  /** Starts following a workspace (a task was just routed in it) and catches up. */
  follow(workspaceSid: string): void {
    if (this.stopped) return;
    this.workspaces.add(workspaceSid);
    if (!this.active()) return;
    // After the commit that wrote the events is durable, in order with earlier catch-ups.
    this.pending = (this.pending ?? Promise.resolve())
      .then(() => this.store.durable())
      .then(async () => {
        if (!this.stopped) await tailEvents(this.store, workspaceSid, ROUTE_CURSOR(workspaceSid), FOLLOWED, (repo, e) => this.apply(repo, e));
      })
      .catch((err) => this.log(`opsflow routes: ${(err as Error).message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.pending;
  }

  private apply(repo: Repository, e: EventRecord): void {
    const route = repo.get('opsRoute', String(e.eventData.task_sid ?? ''));
    if (!route) return;
    if (e.eventType === 'reservation.accepted') {
      const workerSid = String(e.eventData.worker_sid ?? '');
      const worker = repo.get('worker', workerSid);
      this.service.routedTaskEvent(repo, route, { acceptedBy: worker?.friendlyName ?? workerSid }, e.dateMs);
      return;
    }
    if (e.eventType === 'task.completed') this.service.routedTaskEvent(repo, route, { completed: true }, e.dateMs);
    repo.delete('opsRoute', route.sid);
  }
}

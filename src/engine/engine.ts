// The Engine runs every write of the routing layer: it keeps one WorkspaceRouter per workspace in memory
// (rebuilt from the store on first use or after a failed transaction), runs a command against the router and
// the repository in ONE store transaction, writes the router's effects (tasks, reservations, workers,
// events) in that same transaction, and schedules the next timer. Timers re-enter through the same path, so
// a timeout is as durable as an API call: the deadline is stored with the entity, and after a restart the
// rebuilt router fires whatever is overdue at once.
import type { Workspace } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';
import { newSid } from '../core/sid.ts';
import { ApiError } from '../core/errors.ts';
import { type CommandContext, recordEvent, requireWorkspace } from './configuration/context.ts';
import type { CreateTaskInput } from './routing/tasks.ts';
import { type RouterSnapshot, WorkspaceRouter } from './routing/workspaceRouter.ts';
import type { TaskRouteRequest } from '../core/entities.ts';

export interface EngineOptions {
  clock?: () => number;
  /** SID generator; deterministic in tests. */
  ids?: (prefix: 'WT' | 'WR') => string;
  /** Run timers automatically with setTimeout (off in tests that drive time by hand). */
  autoTimers?: boolean;
  /** Several nodes: whether this node routes the workspace now (holds its lease). A node keeps routers and
   *  runs timers only for the workspaces it routes; the lease keeper calls adopt() and forget(). */
  owns?: (workspaceSid: string) => boolean;
  /** How long a completed or canceled task stays before it is removed (default: TaskRouter's 5 minutes). */
  finishedTaskRetentionMs?: number;
}

function snapshot(repo: Repository, workspace: Workspace): RouterSnapshot {
  const ws = { workspaceSid: workspace.sid };
  return {
    workspace,
    activities: repo.findAll('activity', ws),
    taskChannels: repo.findAll('taskChannel', ws),
    workers: repo.findAll('worker', ws),
    workerChannels: repo.findAll('workerChannel', ws),
    queues: repo.findAll('taskQueue', ws),
    workflows: repo.findAll('workflow', ws),
    // Live tasks come from the owner's memory; finished ones (only their cleanup deadline matters here: every
    // finished task has one, and only finished tasks do) from the database's index of them.
    tasks: [
      ...repo.findAll('task', { workspaceSid: workspace.sid, assignmentStatus: { in: ['pending', 'reserved', 'assigned', 'wrapping'] } }),
      ...repo.findAll('task', { workspaceSid: workspace.sid, cleanupAt: { notNull: true } }),
    ],
    reservations: repo.findAll('reservation', { workspaceSid: workspace.sid, reservationStatus: { in: ['pending', 'accepted', 'wrapping'] } }),
  };
}

export class Engine {
  readonly store: Store;
  readonly clock: () => number;
  private readonly ids: (prefix: 'WT' | 'WR') => string;
  private readonly routers = new Map<string, WorkspaceRouter>();
  private readonly autoTimers: boolean;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private closed = false;
  private readonly ownership: (workspaceSid: string) => boolean;
  /** Undefined: the router's default (TaskRouter's 5 minutes). */
  private readonly finishedTaskRetentionMs: number | undefined;
  private readonly adoptListeners = new Set<(workspaceSid: string) => void>();

  constructor(store: Store, options: EngineOptions = {}) {
    this.store = store;
    this.clock = options.clock ?? Date.now;
    this.ids = options.ids ?? newSid;
    this.autoTimers = options.autoTimers ?? true;
    this.ownership = options.owns ?? (() => true);
    this.finishedTaskRetentionMs = options.finishedTaskRetentionMs;
    // A failed group commit lost writes the routers already made in memory: rebuild them from the store.
    store.onFailure(() => this.routers.clear());
  }

  /** Loads every workspace that has tasks, so their timers run after a restart, and fires what is overdue. */
  async start(): Promise<void> {
    await this.store.replaying(() => {
      const workspaces = this.store.read((repo) => repo.findAll('workspace', {}).filter((ws) => this.owns(ws.sid) && repo.count('task', { workspaceSid: ws.sid }) > 0));
      for (const ws of workspaces) this.rebuild(ws);
    });
    await this.fireDueNow();
  }

  /** Builds the workspace's router afresh from the store; run() offers what waits on a rebuilt router. */
  private rebuild(ws: Workspace): void {
    this.routers.delete(ws.sid);
    this.run({ accountSid: ws.accountSid, now: this.clock() }, ws.sid, () => undefined);
  }

  /** Whether this node routes the workspace (always, on a single node). */
  owns(workspaceSid: string): boolean {
    return this.ownership(workspaceSid);
  }

  /** This node has just become the workspace's router (a lease taken over): rebuild its state from the
   *  store, route what waits and fire what fell due while nobody routed it; then tell the listeners. */
  async adopt(workspaceSid: string): Promise<void> {
    const ws = await this.store.replaying(() => {
      const found = this.store.read((repo) => repo.get('workspace', workspaceSid));
      if (found) this.rebuild(found);
      return found;
    });
    if (!ws) return;
    await this.fireDueNow();
    for (const listener of this.adoptListeners) listener(workspaceSid);
  }

  /** Called with each workspace adopt() takes over (webhook delivery resumes its callbacks). */
  onAdopt(listener: (workspaceSid: string) => void): () => void {
    this.adoptListeners.add(listener);
    return () => this.adoptListeners.delete(listener);
  }

  private router(repo: Repository, workspace: Workspace): WorkspaceRouter {
    let r = this.routers.get(workspace.sid);
    if (!r) {
      r = new WorkspaceRouter(snapshot(repo, workspace), this.ids, this.finishedTaskRetentionMs);
      this.routers.set(workspace.sid, r);
    }
    return r;
  }

  /** The documents the workspace's router holds, if it is loaded (tests compare them with the store). */
  routerDocuments(workspaceSid: string): ReturnType<WorkspaceRouter['documents']> | undefined {
    return this.routers.get(workspaceSid)?.documents();
  }

  /** The routers this node holds now, for metrics read at scrape time (loads nothing). */
  loadedRouters(): Iterable<WorkspaceRouter> {
    return this.routers.values();
  }

  /** Drops a workspace's router (after the workspace itself is deleted). */
  forget(workspaceSid: string): void {
    this.routers.delete(workspaceSid);
  }

  /**
   * Runs `work` with the repository and the workspace's router in one transaction and commits the router's
   * effects with it. The workspace must belong to the caller (20404 otherwise). If anything throws, the
   * transaction rolls back and the router is rebuilt next time, so memory never runs ahead of the store.
   */
  run<T>(ctx: CommandContext, workspaceSid: string, work: (repo: Repository, router: WorkspaceRouter) => T): T {
    let router: WorkspaceRouter | undefined;
    return this.transact(
      workspaceSid,
      (repo) => {
        const ws = requireWorkspace(repo, ctx, workspaceSid);
        const rebuilt = !this.routers.has(workspaceSid);
        router = this.router(repo, ws);
        // A router rebuilt from the store (after a failed commit, or a workspace this node just took over) first
        // offers what waits: no event would otherwise wake the tasks that were pending when it was dropped.
        if (rebuilt) router.rebalance(ctx.now);
        const value = work(repo, router);
        this.flush(repo, router, ctx);
        return value;
      },
      // A refusal (ApiError) raised before the router changed anything leaves it valid: commands validate before
      // they change state, and every change records an effect. Rebuilding it would cost a full reload.
      (err) => err instanceof ApiError && router !== undefined && !router.hasEffects(),
    );
  }

  /**
   * Creates a TaskRouter task as part of another face's transaction (a Workflow RouteToWorkers action, a routed
   * Opsflow task) and runs `also` in the same transaction with the new task's SID. On the node routing the
   * workspace the task is created at once. On another node (several nodes) it cannot be: the fence refuses
   * writes to a workspace another node routes. There the request is stored instead (a TaskRouteRequest with
   * the SID the task will take, checked against the workspace now) and the owner creates the task
   * (createRequestedTasks), exactly once, in the transaction that removes the request.
   */
  createTaskFor<T>(ctx: CommandContext, workspaceSid: string, input: TaskRouteRequest['input'], also: (repo: Repository, taskSid: string, requested: boolean) => T): T {
    if (this.owns(workspaceSid)) {
      return this.run(ctx, workspaceSid, (repo, router) => also(repo, router.createTask(input, ctx.now).sid, false));
    }
    return this.store.transaction((repo) => {
      requireWorkspace(repo, ctx, workspaceSid);
      if (input.workflowSid !== undefined && repo.get('workflow', input.workflowSid)?.workspaceSid !== workspaceSid) {
        throw new ApiError('invalidParameter', `Invalid parameter WorkflowSid: Workflow ${input.workflowSid} not found in this Workspace`);
      }
      const sid = this.ids('WT');
      repo.insert('taskRouteRequest', { sid, accountSid: ctx.accountSid, workspaceSid, input, requestedAt: ctx.now });
      return also(repo, sid, true);
    });
  }

  /** The owner's side of createTaskFor: creates the tasks other nodes asked for in the workspaces this node
   *  routes (or in `only`), in order. A request the workspace can no longer take (its workflow deleted
   *  meanwhile) is dropped; the dropped ones are returned. */
  async createRequestedTasks(only?: string): Promise<{ request: TaskRouteRequest; reason: string }[]> {
    const dropped: { request: TaskRouteRequest; reason: string }[] = [];
    const requests = await this.store.replaying(() => this.store.read((repo) => repo.findAll('taskRouteRequest', only === undefined ? {} : { workspaceSid: only })));
    for (const request of requests) {
      if (!this.owns(request.workspaceSid)) continue;
      try {
        await this.store.replaying(() =>
          this.run({ accountSid: request.accountSid, now: this.clock() }, request.workspaceSid, (repo, router) => {
            if (!repo.get('taskRouteRequest', request.sid)) return; // another pass took it
            router.createTask(request.input as CreateTaskInput, this.clock(), request.sid);
            repo.delete('taskRouteRequest', request.sid);
          }),
        );
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500 || err.status === 409) throw err;
        await this.store.replaying(() => this.store.transaction((repo) => repo.delete('taskRouteRequest', request.sid)));
        dropped.push({ request, reason: err.message });
      }
    }
    return dropped;
  }

  /** Reads the workspace's live routing state (statistics) outside any write; the workspace must belong to
   *  the caller. Builds the router from the store if it is not loaded. */
  inspect<T>(ctx: CommandContext, workspaceSid: string, work: (repo: Repository, router: WorkspaceRouter) => T): T {
    return this.store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, workspaceSid);
      const router = this.router(repo, ws);
      if (!this.owns(workspaceSid)) this.routers.delete(workspaceSid);
      return work(repo, router);
    });
  }

  /**
   * A configuration change that affects routing (queues, workflows, channels, activities, workspace
   * settings): `work` changes the store, then the router is rebuilt from it inside the same transaction and
   * `after` (by default a rebalance of waiting tasks) runs on the fresh router.
   */
  reconfigure<T>(
    ctx: CommandContext,
    workspaceSid: string,
    work: (repo: Repository, router: WorkspaceRouter) => T,
    after: (router: WorkspaceRouter) => void = (r) => r.rebalance(ctx.now),
  ): T {
    let changed = false;
    return this.transact(
      workspaceSid,
      (repo) => {
        const ws = requireWorkspace(repo, ctx, workspaceSid);
        // `work` changes the store only (it may read the router); the router is rebuilt after it succeeds.
        const value = work(repo, this.router(repo, ws));
        changed = true;
        this.routers.delete(workspaceSid);
        const updated = repo.get('workspace', workspaceSid);
        if (updated) {
          const fresh = this.router(repo, updated);
          after(fresh);
          this.flush(repo, fresh, ctx);
        }
        return value;
      },
      () => !changed,
    );
  }

  private transact<T>(workspaceSid: string, body: (repo: Repository) => T, routerIntact: (err: unknown) => boolean = () => false): T {
    try {
      const result = this.store.transaction(body);
      // A workspace another node routes (a write that reached it through another face) keeps no router here:
      // its owner changes it, and a kept copy would go stale.
      if (!this.owns(workspaceSid)) this.routers.delete(workspaceSid);
      this.schedule();
      return result;
    } catch (err) {
      if (!routerIntact(err) || !this.owns(workspaceSid)) this.routers.delete(workspaceSid);
      throw err;
    }
  }

  private flush(repo: Repository, router: WorkspaceRouter, ctx: CommandContext): void {
    const effects = router.takeEffects();
    for (const [sid, w] of effects.writes) {
      if (effects.inserted.has(sid)) repo.insert(w.kind, w.entity as never);
      else repo.updateIfPresent(w.kind, w.entity as never); // a row deleted meanwhile stays deleted
    }
    for (const d of effects.deleted) {
      if (d.kind === 'task') repo.deleteWhere('reservation', { taskSid: d.sid });
      repo.delete(d.kind, d.sid);
    }
    const ws = repo.get('workspace', router.workspace.sid);
    if (!ws) return;
    router.workspace = ws;
    for (const e of effects.events) {
      recordEvent(repo, ctx, ws, { eventType: e.eventType, resourceType: e.resourceType, resourceSid: e.resourceSid, description: e.description, eventData: e.data(ctx.now) });
    }
  }

  /** fireDue through the store's read replay (timers that fire on their own, and start-up). */
  fireDueNow(): Promise<void> {
    return this.store.replaying(() => this.fireDue());
  }

  /** Fires due timers of every loaded workspace, each workspace in its own transaction. */
  fireDue(): void {
    const now = this.clock();
    for (const [sid, router] of [...this.routers]) {
      const due = router.nextDue();
      if (due !== undefined && due <= now) {
        this.run({ accountSid: router.workspace.accountSid, now }, sid, (_repo, r) => r.fireDue(now));
      }
    }
    this.schedule();
  }

  /** Arms one setTimeout for the earliest deadline across workspaces. */
  private schedule(): void {
    if (!this.autoTimers || this.closed) return;
    let next: number | undefined;
    for (const r of this.routers.values()) {
      const due = r.nextDue();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    if (next === undefined) return;
    if (this.timer && this.timerAt !== undefined && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    const delay = Math.min(Math.max(0, next - this.clock()), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.fireDueNow().catch(() => {
        // A failing timer transaction rolls back and rebuilds its router; try again shortly rather than stop.
        this.timer = setTimeout(() => void this.fireDueNow().catch(() => undefined), 1000);
        this.timer.unref?.();
      });
    }, delay);
    this.timer.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

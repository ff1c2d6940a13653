// Runs the Workflow face's actions, asynchronously and durably. A transition that names an action writes a
// pending-action row (the outbox) in its own transaction; this runner picks the rows up once that commit is
// durable, and records each outcome (log items, triggers fired, child tasks, TaskRouter tasks) in ONE
// transaction with the row's removal, so an action done is never redone. After a restart the rows still
// there run again: what was in flight when the process died (an HTTP worker's call) runs at least once.
//
// Pending action phases (RunWorker only has two; every other action runs in one step):
//   submitted --start--> running     RunWorker: worker found, parameters mapped, `started` trigger fired;
//                                    a Sleep worker's wake-up time stored as runAt
//   submitted --fail---> (removed)   RunWorker: worker missing or parameters invalid -> failedToStart
//   running   --done---> (removed)   completedWithResults / completedNoResults / failedToComplete fired
//   submitted --run----> (removed)   CreateChildTasks, TriggerParentTask, TriggerChildTasks, RouteToWorkers
//
// A worker run outside a task (`$run`) is a RunWorker pending action with no task (`standalone`): its
// parameters come with the request, it fires no trigger, and its outcome is written to its action log's `run`
// (what `$result` answers).
//
// RouteToWorkers creates a TaskRouter task (in the same transaction as the row's removal) and a route row.
// The runner tails the TaskRouter workspace's event log with a durable cursor; the task.completed,
// task.canceled or task.deleted event of a routed task fires the mapped trigger on the workflow task, in the
// transaction that advances the cursor: exactly once.
import type { EventRecord } from '../core/entities.ts';
import { ApiError } from '../core/errors.ts';
import type { Repository, Store } from '../core/repository.ts';
import { type ActionDetails, type ChildTaskConfiguration, type FieldMapping, type WfActionLog, type WfPendingAction, type WfTask, type WfWorker, type WorkerStatusTriggers, WORKFLOW_STREAM_PREFIX } from '../core/workflowEntities.ts';
import type { Engine } from '../engine/engine.ts';
import { startCursorAtEnd, tailEvents } from '../engine/eventTail.ts';
import { CoalescedRun } from '../core/coalescedRun.ts';
import type { LogInterestPart } from '../core/logInterest.ts';
import { evaluateFilter } from './filter/filterEvaluate.ts';
import { parseFilter } from './filter/filterParser.ts';
import { type Actor, appendLog, createTask, updateTask } from './taskCommands.ts';
import { cachedDefinitions, representTask } from './taskRepresentation.ts';
import { representationResolver } from './taskList.ts';
import { resourceAsAt } from './resourceHistory.ts';
import { workerParameters } from './workers.ts';

export interface ActionRunnerOptions {
  clock?: () => number;
  log?: (message: string) => void;
  /** First retry delay of a failed Webhook call (doubles per attempt). */
  retryBaseMs?: number;
  /** Attempts of a Webhook call before failedToComplete. */
  maxAttempts?: number;
  /** Several nodes: whether this node runs the account-wide loops now (holds the background lease). */
  active?: () => boolean;
}

// task.system-deleted too: an assigned task left for 24 hours ends that way, and its route would stay forever.
const ROUTE_END_EVENTS = ['task.completed', 'task.canceled', 'task.deleted', 'task.system-deleted'];
const ROUTE_END_TYPES: ReadonlySet<string> = new Set(ROUTE_END_EVENTS);
const routeCursor = (workspaceSid: string) => `wf-routes:${workspaceSid}`;

type RunWorkerDetails = Extract<ActionDetails, { type: 'RunWorker' }>;
type Row = Record<string, unknown>;

class ActionFailure extends Error {}
/** The pending action was taken by an earlier pass: nothing to do. */
class AlreadyDone extends Error {}

function mapValue(m: FieldMapping, source: (name: string) => unknown): unknown {
  return m.mapFrom !== undefined ? source(m.mapFrom) : m.setTo;
}

function mapAll(mappings: Record<string, FieldMapping> | undefined, source: (name: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, m] of Object.entries(mappings ?? {})) {
    const v = mapValue(m, source);
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

/** Records how a worker run outside a task ended (what `$result` answers). */
function setRun(repo: Repository, logId: string, run: NonNullable<WfActionLog['run']>): void {
  const log = repo.get('wfActionLog', logId);
  if (log) repo.update('wfActionLog', { ...log, run });
}

export class WorkflowActionRunner {
  private readonly store: Store;
  private readonly engine: Engine;
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  private readonly retryBaseMs: number;
  private readonly maxAttempts: number;
  private readonly routeWorkspaces = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly loop: CoalescedRun;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly active: () => boolean;

  constructor(store: Store, engine: Engine, options: ActionRunnerOptions = {}) {
    this.store = store;
    this.engine = engine;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.active = options.active ?? (() => true);
    this.loop = new CoalescedRun(() => this.runDue(), (err) => this.log(`workflow actions: ${err.message}`));
  }

  start(): void {
    this.unsubscribe = this.store.onCommit((events) => {
      let wake = false;
      for (const e of events) {
        if (e.workspaceSid.startsWith(WORKFLOW_STREAM_PREFIX)) wake = true;
        else if (this.routeWorkspaces.has(e.workspaceSid) && ROUTE_END_TYPES.has(e.eventType)) wake = true;
      }
      if (wake) this.wake();
    });
    this.resume();
  }

  /** Learns the workspaces of every stored route, then runs what is due: at start, and when this node takes
   *  the background loops over (the node that ran them before may have routed tasks to workspaces this one
   *  has not heard of: its routes end there, and this runner must follow them). */
  resume(): void {
    void this.store
      .replaying(() => this.store.read((repo) => repo.findAll('wfRoute', {})))
      .then((routes) => {
        for (const r of routes) this.routeWorkspaces.add(r.workspaceSid);
        this.wake();
      })
      .catch((err: Error) => this.log(`workflow actions: ${err.message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.loop.idle();
  }

  /** What this runner needs to hear of other nodes' commits (core/logInterest.ts): the Workflow streams, and
   *  the ends of the TaskRouter tasks it routes (ROUTE_END_EVENTS of the workspaces its routes are in). */
  logInterest(): LogInterestPart {
    return { streamPrefixes: [WORKFLOW_STREAM_PREFIX], typed: { streams: this.routeWorkspaces, types: ROUTE_END_TYPES } };
  }

  /** Runs what is due now (after the commits so far are durable); coalesces calls made while running. */
  wake(): void {
    if (!this.stopped && this.active()) this.loop.wake();
  }

  /** Resolves once nothing is due or running (tests wait on it). */
  async idle(): Promise<void> {
    await this.loop.idle();
  }

  private async runDue(): Promise<void> {
    await this.store.durable();
    for (;;) {
      if (this.stopped) return;
      const now = this.clock();
      const due = (await this.store.replaying(() => this.store.read((repo) => repo.findAll('wfPendingAction', {})))).filter((p) => p.runAt <= now);
      for (const ws of [...this.routeWorkspaces]) await this.tailRoutes(ws);
      if (!due.length) break;
      for (const p of due) {
        if (this.stopped) return;
        await this.execute(p);
      }
      await this.store.durable();
    }
    await this.armTimer();
  }

  private async armTimer(): Promise<void> {
    if (this.stopped) return;
    const next = (await this.store.replaying(() => this.store.read((repo) => repo.findAll('wfPendingAction', {})))).reduce<number | undefined>((m, p) => (m === undefined || p.runAt < m ? p.runAt : m), undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === undefined) return;
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(0, next - this.clock()), 2 ** 31 - 1));
    this.timer.unref?.();
  }

  private actor(p: WfPendingAction): Actor {
    return { accountSid: p.accountSid, userId: p.userId, requestId: p.actionLogId, now: this.clock() };
  }

  /** Runs one transaction that ends the action: `work` records the outcome; if it refuses (ApiError or
   *  ActionFailure), its writes roll back and the failure is logged instead, with `onFailure` triggers. */
  private finish(p: WfPendingAction, work: (repo: Repository, actor: Actor) => void, failedTrigger?: string): void {
    const actor = this.actor(p);
    try {
      this.store.transaction((repo) => {
        if (!repo.get('wfPendingAction', p.sid)) return; // already ended (deleted task)
        work(repo, actor);
        repo.delete('wfPendingAction', p.sid);
      });
    } catch (err) {
      if (!(err instanceof ApiError || err instanceof ActionFailure)) throw err;
      this.store.transaction((repo) => {
        if (!repo.get('wfPendingAction', p.sid)) return;
        appendLog(repo, p.actionLogId, actor.now, 'Failed', err.message);
        if (failedTrigger) this.fireOn(repo, actor, p.taskId, failedTrigger, p.actionLogId);
        repo.delete('wfPendingAction', p.sid);
      });
    }
  }

  /** Fires a trigger on a task as part of an action; a refusal is logged, not raised. */
  private fireOn(repo: Repository, actor: Actor, taskId: string, trigger: string, logId: string): boolean {
    try {
      const t = updateTask(repo, actor, taskId, {}, trigger, logId);
      appendLog(repo, logId, actor.now, 'TriggerFired', `Trigger '${trigger}' moved task ${taskId} to state '${t.state}'`);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      appendLog(repo, logId, actor.now, 'TriggerFailed', `Trigger '${trigger}' on task ${taskId}: ${err.message}`);
      return false;
    }
  }

  private task(repo: Repository, p: WfPendingAction): WfTask {
    const t = repo.get('wfTask', p.taskId);
    if (!t) throw new ActionFailure(`Task ${p.taskId} no longer exists`);
    return t;
  }

  /** Runs one due action. Every step but a running worker's completion is replayed whole when it misses a
   *  read (each transaction checks that its pending row is still there, so a replay does nothing twice); the
   *  completion calls out over HTTP and replays only its own store steps. */
  private async execute(p: WfPendingAction): Promise<void> {
    const d = p.details;
    if (d.type === 'RunWorker' && p.phase !== 'submitted') return this.completeWorker(p, d);
    await this.store.replaying(() => this.executeStep(p));
  }

  private executeStep(p: WfPendingAction): void {
    const d = p.details;
    switch (d.type) {
      case 'CreateChildTasks':
        return this.finish(p, (repo, actor) => {
          const parent = this.task(repo, p);
          const ids = d.childTaskConfigurations.map((c) => this.createChild(repo, actor, parent, c, (name) => parent.fields[name], p.actionLogId).sid);
          appendLog(repo, p.actionLogId, actor.now, 'Completed', `Created child task${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`);
        });
      case 'TriggerParentTask':
        return this.finish(p, (repo, actor) => {
          const task = this.task(repo, p);
          if (!task.parentId) throw new ActionFailure(`Task ${task.sid} has no parent task`);
          if (!this.fireOn(repo, actor, task.parentId, d.trigger, p.actionLogId)) throw new ActionFailure(`Trigger '${d.trigger}' could not be applied to parent task ${task.parentId}`);
          appendLog(repo, p.actionLogId, actor.now, 'Completed', `Triggered parent task ${task.parentId}`);
        });
      case 'TriggerChildTasks':
        return this.finish(p, (repo, actor) => {
          const task = this.task(repo, p);
          const filter = d.filter ? parseFilter(d.filter) : undefined;
          const ctx = { load: (id: string) => repo.get('wfTask', id), definition: cachedDefinitions(repo), now: actor.now, origin: '' };
          let fired = 0;
          for (const childId of task.childIds) {
            const child = repo.get('wfTask', childId);
            if (!child) continue;
            if (filter) {
              const rep = representTask(child, ctx);
              if (!evaluateFilter(filter, representationResolver(rep as never, actor.userId))) continue;
            }
            if (this.fireOn(repo, actor, childId, d.trigger, p.actionLogId)) fired++;
          }
          appendLog(repo, p.actionLogId, actor.now, 'Completed', `Trigger '${d.trigger}' applied to ${fired} child task${fired === 1 ? '' : 's'}`);
        });
      case 'RouteToWorkers':
        return this.route(p, d);
      case 'RunWorker':
        return this.startWorker(p, d);
    }
  }

  private createChild(repo: Repository, actor: Actor, parent: WfTask, c: ChildTaskConfiguration, source: (name: string) => unknown, logId: string): WfTask {
    const fields = Object.entries(mapAll(c.childTaskFields, source)).map(([name, value]) => ({ name, value }));
    const stackingKey = c.mapStackingKeyFrom !== undefined ? source(c.mapStackingKeyFrom) : undefined;
    const asAt = c.taskDefinitionAsAt !== undefined ? Date.parse(c.taskDefinitionAsAt) : undefined;
    return createTask(
      repo,
      actor,
      c.taskDefinitionId,
      { fields, ...(typeof stackingKey === 'string' ? { stackingKey } : {}) },
      { parent, actionLogIdCreated: logId, ...(c.initialTrigger !== undefined ? { trigger: c.initialTrigger } : {}), ...(asAt !== undefined && !Number.isNaN(asAt) ? { definitionAsAt: asAt } : {}) },
    );
  }

  // ------------------------------------------------------------------ RouteToWorkers

  private route(p: WfPendingAction, d: Extract<ActionDetails, { type: 'RouteToWorkers' }>): void {
    const actor = this.actor(p);
    // The attributes come from the task as it is now; the action's end is written with the TaskRouter task
    // (created here, or by the node that routes the workspace: Engine.createTaskFor).
    const input = this.store.read((repo) => {
      if (!repo.get('wfPendingAction', p.sid)) return undefined;
      const task = this.task(repo, p);
      const source = (name: string) => (name === 'id' ? task.sid : name === 'state' ? task.state : task.fields[name]);
      return {
        attributes: JSON.stringify({ workflowTaskId: task.sid, ...mapAll(d.attributes, source) }),
        workflowSid: d.workflowSid,
        ...(d.taskChannel !== undefined ? { taskChannel: d.taskChannel } : {}),
        ...(d.priority !== undefined ? { priority: d.priority } : {}),
        ...(d.timeout !== undefined ? { timeout: d.timeout } : {}),
      };
    });
    if (!input) return;
    try {
      this.engine.createTaskFor({ accountSid: p.accountSid, now: actor.now }, d.workspaceSid, input, (repo, trSid, requested) => {
        // Taken meanwhile (a restart ran it): roll the new task back too.
        if (!repo.get('wfPendingAction', p.sid)) throw new AlreadyDone();
        // Tail from before the new task's events (on another node they come later still).
        startCursorAtEnd(repo, d.workspaceSid, routeCursor(d.workspaceSid));
        repo.insert('wfRoute', {
          sid: trSid,
          accountSid: p.accountSid,
          workspaceSid: d.workspaceSid,
          taskId: p.taskId,
          actionLogId: p.actionLogId,
          completedTrigger: d.completedTrigger ?? null,
          canceledTrigger: d.canceledTrigger ?? null,
        });
        // Requested: the node that routes the workspace creates the task within moments (several nodes).
        const how = requested ? 'requested of the node routing' : 'created in';
        appendLog(repo, p.actionLogId, actor.now, 'Routed', `TaskRouter task ${trSid} ${how} workspace ${d.workspaceSid}, workflow ${d.workflowSid}`);
        repo.delete('wfPendingAction', p.sid);
      });
      this.routeWorkspaces.add(d.workspaceSid);
    } catch (err) {
      if (err instanceof AlreadyDone) return;
      if (!(err instanceof ApiError || err instanceof ActionFailure)) throw err;
      this.finish(p, () => {
        throw err;
      });
    }
  }

  /** Fires the mapped triggers for routed tasks that ended since the workspace's cursor. */
  private tailRoutes(workspaceSid: string): Promise<void> {
    return tailEvents(this.store, workspaceSid, routeCursor(workspaceSid), ROUTE_END_EVENTS, (repo, e) => this.routeEnded(repo, e));
  }

  private routeEnded(repo: Repository, e: EventRecord): void {
    const route = repo.get('wfRoute', String(e.eventData.task_sid ?? e.resourceSid));
    if (!route) return;
    repo.delete('wfRoute', route.sid);
    const completed = e.eventType === 'task.completed';
    // The worker who did the work acts on the workflow task (so guards on CurrentUser see them).
    const worker = repo.findOne('reservation', { taskSid: route.sid, reservationStatus: { in: ['completed', 'wrapping', 'accepted'] } })?.workerSid;
    const actor: Actor = { accountSid: route.accountSid, userId: worker ?? route.accountSid, requestId: route.actionLogId, now: e.dateMs };
    const trigger = completed ? route.completedTrigger : route.canceledTrigger;
    appendLog(repo, route.actionLogId, actor.now, completed ? 'WorkCompleted' : 'WorkCanceled', `TaskRouter task ${route.sid} ${e.eventType.slice(5)}${worker ? ` (worker ${worker})` : ''}`);
    if (trigger) this.fireOn(repo, actor, route.taskId, trigger, route.actionLogId);
  }

  // ------------------------------------------------------------------ RunWorker

  private fire(repo: Repository, actor: Actor, p: WfPendingAction, triggers: WorkerStatusTriggers | undefined, which: keyof WorkerStatusTriggers): void {
    const t = triggers?.[which];
    if (t) this.fireOn(repo, actor, p.taskId, t, p.actionLogId);
  }

  /** The worker a RunWorker runs: the version in force at its workerAsAt, else the current one. */
  private workerFor(repo: Repository, accountSid: string, d: RunWorkerDetails): WfWorker | undefined {
    const current = repo.findByUniqueKey('wfWorker', { accountSid, scope: d.workerId.scope, code: d.workerId.code });
    if (d.workerAsAt === undefined) return current;
    const asAt = Date.parse(d.workerAsAt);
    return Number.isNaN(asAt) ? current : resourceAsAt(repo, accountSid, 'worker', d.workerId, asAt, current);
  }

  private startWorker(p: WfPendingAction, d: RunWorkerDetails): void {
    const actor = this.actor(p);
    const failed = (repo: Repository, message: string) => {
      appendLog(repo, p.actionLogId, actor.now, 'FailedToStart', message);
      if (p.standalone) setRun(repo, p.actionLogId, { workerStatus: 'FailedToStart', results: [], statusDetail: message });
      else this.fire(repo, actor, p, d.workerStatusTriggers, 'failedToStart');
      repo.delete('wfPendingAction', p.sid);
    };
    this.store.transaction((repo) => {
      if (!repo.get('wfPendingAction', p.sid)) return;
      const task = p.standalone ? undefined : repo.get('wfTask', p.taskId);
      if (!p.standalone && !task) return failed(repo, `Task ${p.taskId} no longer exists`);
      const worker = this.workerFor(repo, p.accountSid, d);
      if (!worker) return failed(repo, `Worker ${d.workerId.scope}/${d.workerId.code} was not found${d.workerAsAt ? ` as at ${d.workerAsAt}` : ''}`);
      // A run outside a task brings its parameter values; a task's action maps them from its fields.
      const params = p.standalone ? (p.parameters ?? {}) : mapAll(d.workerParameters, (name) => task!.fields[name]);
      for (const def of workerParameters(worker.workerConfiguration)) {
        if (def.required && params[def.name] === undefined) return failed(repo, `Worker parameter '${def.name}' is required`);
      }
      let runAt = actor.now;
      if (worker.workerConfiguration.type === 'Sleep') {
        const seconds = Number(params.SleepTime ?? 0);
        if (!Number.isFinite(seconds) || seconds < 0) return failed(repo, `Worker parameter 'SleepTime' must be a number of seconds; got ${JSON.stringify(params.SleepTime)}`);
        runAt = actor.now + Math.round(seconds * 1000);
      }
      appendLog(repo, p.actionLogId, actor.now, 'Started', `Worker ${worker.scope}/${worker.code} (${worker.workerConfiguration.type}) started with ${JSON.stringify(params)}`);
      if (!p.standalone) this.fire(repo, actor, p, d.workerStatusTriggers, 'started');
      repo.update('wfPendingAction', { ...p, phase: 'running', runAt, parameters: params, workerConfiguration: worker.workerConfiguration });
    });
  }

  private async completeWorker(p: WfPendingAction, d: RunWorkerDetails): Promise<void> {
    // The configuration it started with (rows queued before it was kept there: the current worker's).
    const config = p.workerConfiguration ?? (await this.store.replaying(() => this.store.read((repo) => repo.findByUniqueKey('wfWorker', { accountSid: p.accountSid, scope: d.workerId.scope, code: d.workerId.code }))))?.workerConfiguration;
    const params = p.parameters ?? {};
    let outcome: { ok: true; results: Row[] } | { ok: false; message: string; retry: boolean };
    if (!config) outcome = { ok: false, message: `Worker ${d.workerId.scope}/${d.workerId.code} was deleted while it ran`, retry: false };
    else if (config.type === 'Sleep') outcome = { ok: true, results: [] };
    else if (config.type === 'Fail') outcome = { ok: false, message: String(params.FailureMessage ?? 'The Fail worker failed, as it always does'), retry: false };
    else outcome = await this.callHttpWorker(p, config, params, (d.workerTimeout ?? 30) * 1000);
    if (this.stopped) return;
    if (!outcome.ok && outcome.retry && p.attempts + 1 < this.maxAttempts) {
      const delay = this.retryBaseMs * 2 ** p.attempts;
      await this.store.replaying(() =>
        this.store.transaction((repo) => {
          if (!repo.get('wfPendingAction', p.sid)) return;
          appendLog(repo, p.actionLogId, this.clock(), 'Retrying', `${outcome.message}; attempt ${p.attempts + 2} in ${delay} ms`);
          repo.update('wfPendingAction', { ...p, attempts: p.attempts + 1, runAt: this.clock() + delay });
        }),
      );
      return;
    }
    await this.store.replaying(() => this.finish(p, (repo, actor) => {
      if (!outcome.ok) {
        appendLog(repo, p.actionLogId, actor.now, 'FailedToComplete', outcome.message);
        if (p.standalone) setRun(repo, p.actionLogId, { workerStatus: 'FailedToComplete', results: [], statusDetail: outcome.message });
        else this.fire(repo, actor, p, d.workerStatusTriggers, 'failedToComplete');
        return;
      }
      const results = outcome.results;
      appendLog(repo, p.actionLogId, actor.now, 'Completed', `Worker completed with ${results.length} result${results.length === 1 ? '' : 's'}: ${JSON.stringify(results).slice(0, 2000)}`);
      if (p.standalone) {
        setRun(repo, p.actionLogId, { workerStatus: results.length ? 'CompletedWithResults' : 'CompletedNoResults', results, statusDetail: null });
        return;
      }
      const task = repo.get('wfTask', p.taskId);
      if (task && results.length) {
        for (const c of d.childTaskConfigurations ?? []) {
          const filter = c.resultMatchingPattern?.filter ? parseFilter(c.resultMatchingPattern.filter) : undefined;
          for (const row of results) {
            if (filter && !evaluateFilter(filter, representationResolver(row, actor.userId))) continue;
            const child = this.createChild(repo, actor, repo.get('wfTask', p.taskId)!, c, (name) => (name in row ? row[name] : task.fields[name]), p.actionLogId);
            appendLog(repo, p.actionLogId, actor.now, 'ChildTaskCreated', `Child task ${child.sid} created from a result`);
          }
        }
      }
      this.fire(repo, actor, p, d.workerStatusTriggers, results.length ? 'completedWithResults' : 'completedNoResults');
    }));
  }

  private async callHttpWorker(
    p: WfPendingAction,
    config: { type: 'HealthCheck'; url: string } | { type: 'Webhook'; url: string },
    params: Row,
    timeoutMs: number,
  ): Promise<{ ok: true; results: Row[] } | { ok: false; message: string; retry: boolean }> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      if (config.type === 'HealthCheck') {
        const res = await fetch(config.url, { signal, redirect: 'manual' });
        await res.arrayBuffer();
        return res.ok ? { ok: true, results: [{ StatusCode: res.status }] } : { ok: false, message: `Health check of ${config.url} answered ${res.status}`, retry: false };
      }
      const res = await fetch(config.url, {
        method: 'POST',
        signal,
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ taskId: p.standalone ? null : p.taskId, actionLogId: p.actionLogId, parameters: params }),
      });
      const text = await res.text();
      if (!res.ok) return { ok: false, message: `Webhook ${config.url} answered ${res.status}`, retry: res.status >= 500 || res.status === 429 };
      if (text.trim() === '') return { ok: true, results: [] };
      const body = JSON.parse(text) as { results?: unknown };
      const results = Array.isArray(body?.results) ? body.results.filter((r): r is Row => r !== null && typeof r === 'object' && !Array.isArray(r)) : [];
      return { ok: true, results };
    } catch (err) {
      return { ok: false, message: `Worker call to ${config.url} failed: ${(err as Error).message}`, retry: true };
    }
  }
}

// The routing engine of one workspace: pure in-memory state, an injected clock (`now` on every call) and an
// injected SID generator, so a given sequence of commands always produces the same decisions. Every command
// mutates the state and records its effects (entities to write, events to append); the Engine writes them
// in the same transaction and discards the router if that transaction fails.
//
// What each operation costs (W = members of the queue concerned, Q = queues of the workspace, P = pending
// tasks ahead in a queue, R = reservations of one task):
//   create task / enter a step          O(W + log P): eligible members are scanned once, the task is inserted
//                                       into the queue's ordered list by binary search
//   worker becomes able to take work    O(sum over the worker's queues of the tasks scanned from the head until
//                                       one fits) — usually the head itself
//   accept / reject / timeout / complete O(R + the offers they trigger)
//   worker attributes change            O(Q) to recompute queue membership (never per routing decision)
//   timer                               O(log T) per timer, T = scheduled timers
// Queue membership (target_workers) is evaluated when a worker or a queue changes, never per decision.
import { type ApiError, invalid, notFound } from '../../core/errors.ts';
import type {
  Activity,
  EventRecord,
  Reservation,
  ReservationStatus,
  Task,
  TaskChannel,
  TaskQueue,
  TaskStatus,
  Worker,
  WorkerChannel,
  Workflow,
  Workspace,
} from '../../core/entities.ts';
import { assertReservationTransition, assertTaskTransition, holdsCapacity, isTaskActive } from '../../core/lifecycles.ts';
import { compileExpression } from '../../expr/index.ts';
import { assertVersion } from '../configuration/context.ts';
import { lookup } from '../../expr/evaluate.ts';
import { type CompiledTarget, type CompiledWorkflow, compileWorkflow } from './compiledWorkflow.ts';
import { PendingTasks } from './pendingTasks.ts';
import { SortedList } from './sortedList.ts';
import type { ChannelState, QueueState, TaskState, WorkerState } from './state.ts';
import { type Timer, TimerHeap } from './timerHeap.ts';

/** Finished tasks stay readable this long, then are removed (TaskRouter's lifecycle page: 5 minutes). */
export const FINISHED_TASK_RETENTION_MS = 5 * 60 * 1000;
/** Stale timer entries tolerated beyond twice the live ones before they are dropped (dropStaleTimers). */
const TIMER_COMPACTION_SLACK = 1024;
const DEFAULT_RESERVATION_TIMEOUT_S = 120;
/** TaskRouter limits (reference §14): a task is canceled after 1,000 pending->reserved transitions, and an
 *  assigned task left for 24 hours is deleted by the system. */
export const MAX_ASSIGNMENT_COUNT = 1000;
export const MAX_ASSIGNED_MS = 86_400 * 1000;

export interface RouterSnapshot {
  workspace: Workspace;
  activities: Activity[];
  taskChannels: TaskChannel[];
  workers: Worker[];
  workerChannels: WorkerChannel[];
  queues: TaskQueue[];
  workflows: Workflow[];
  tasks: Task[];
  reservations: Reservation[];
}

type EntityWrite =
  | { kind: 'task'; entity: Task }
  | { kind: 'reservation'; entity: Reservation }
  | { kind: 'worker'; entity: Worker };

type EventData = EventRecord['eventData'];

/** An event the router emits. Its data is built only when the Engine writes it: the thunk captures the
 *  (immutable) entities as they were at that moment, so later changes do not leak into it, and routing does
 *  not pay for serialising events it may emit by the dozen. */
export interface RouterEvent {
  eventType: string;
  resourceType: string;
  resourceSid: string;
  description: string;
  /** Evaluated when the transaction commits, with the commit's time (ages are measured to it). */
  data: (now: number) => EventData;
}

export interface RouterEffects {
  writes: Map<string, EntityWrite>;
  inserted: Set<string>;
  deleted: { kind: 'task' | 'reservation'; sid: string }[];
  events: RouterEvent[];
}

export interface CreateTaskInput {
  attributes: string;
  priority?: number;
  timeout?: number;
  taskChannel?: string; // SID or unique name
  workflowSid?: string;
  virtualStartTime?: number;
  routingTarget?: string;
  ignoreCapacity?: boolean;
  taskQueueSid?: string;
}

export interface UpdateTaskInput {
  attributes?: string;
  priority?: number;
  assignmentStatus?: TaskStatus;
  reason?: string;
  taskChannel?: string;
  virtualStartTime?: number;
  ifMatch?: string;
}

export interface UpdateReservationInput {
  reservationStatus?: ReservationStatus;
  workerActivitySid?: string;
  instruction?: string;
  instructionParams?: Record<string, string | string[]>;
  ifMatch?: string;
}

/** Instructions that accept the reservation as TaskRouter documents (conference and dequeue always accept;
 *  call and redirect when their Accept flag is set). Switchboard places no calls; it records them. */
function instructionAccepts(instruction: string, params: Record<string, string | string[]>): boolean {
  const flag = (v: string | string[] | undefined) => typeof v === 'string' && /^(true|1|yes)$/i.test(v);
  switch (instruction) {
    case 'conference':
    case 'dequeue':
      return true;
    case 'call':
      return flag(params.CallAccept);
    case 'redirect':
      return flag(params.RedirectAccept);
    default:
      return false;
  }
}

function fifoOrder(a: TaskState, b: TaskState): number {
  return b.entity.priority - a.entity.priority || a.entity.virtualStartTime - b.entity.virtualStartTime || a.entity.seq - b.entity.seq;
}

function lifoOrder(a: TaskState, b: TaskState): number {
  return b.entity.virtualStartTime - a.entity.virtualStartTime || b.entity.seq - a.entity.seq;
}

/** Longest idle first; the SID breaks ties so the order is total (SortedList.remove needs that). */
function idleOrder(a: WorkerState, b: WorkerState): number {
  return a.idleSince - b.idleSince || (a.entity.sid < b.entity.sid ? -1 : a.entity.sid > b.entity.sid ? 1 : 0);
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export class WorkspaceRouter {
  workspace: Workspace;
  private readonly ids: (prefix: 'WT' | 'WR') => string;
  private readonly activities = new Map<string, Activity>();
  private readonly taskChannels = new Map<string, TaskChannel>();
  private readonly workers = new Map<string, WorkerState>();
  private readonly queues = new Map<string, QueueState>();
  /** Membership index (indexQueues): `key == literal` queues by key, then literal; the rest are evaluated. */
  private readonly equalityGroups = new Map<string, { value: (ctx: { root: unknown }) => unknown; byLiteral: Map<unknown, QueueState[]> }>();
  private readonly scannedQueues: QueueState[] = [];
  private readonly directQueues = new Map<string, QueueState>();
  private readonly workflows = new Map<string, CompiledWorkflow>();
  private readonly tasks = new Map<string, TaskState>();
  private readonly reservations = new Map<string, Reservation>();
  /** Finished tasks still readable, with their removal deadline. */
  private readonly finished = new Map<string, number>();
  private readonly timers = new TimerHeap();
  private nextSeq = 1;
  private effects: RouterEffects = WorkspaceRouter.emptyEffects();

  private static emptyEffects(): RouterEffects {
    return { writes: new Map(), inserted: new Set(), deleted: [], events: [] };
  }

  constructor(snapshot: RouterSnapshot, ids: (prefix: 'WT' | 'WR') => string) {
    this.workspace = snapshot.workspace;
    this.ids = ids;
    for (const a of snapshot.activities) this.activities.set(a.sid, a);
    for (const c of snapshot.taskChannels) this.taskChannels.set(c.sid, c);
    for (const q of snapshot.queues) this.queues.set(q.sid, this.newQueue(q));
    this.indexQueues();
    for (const wf of snapshot.workflows) this.workflows.set(wf.sid, compileWorkflow(wf));
    for (const w of snapshot.workers) this.addWorker(w, w.dateStatusChanged);
    for (const wc of snapshot.workerChannels) {
      const w = this.workers.get(wc.workerSid);
      if (w) w.channels.set(wc.taskChannelSid, { entity: wc, held: 0 });
    }
    for (const t of snapshot.tasks) {
      this.nextSeq = Math.max(this.nextSeq, t.seq + 1);
      if (!isTaskActive(t.assignmentStatus)) {
        if (t.cleanupAt !== null) this.scheduleCleanup(t.sid, t.cleanupAt);
        continue;
      }
      const ts: TaskState = { entity: t, attributes: parseObject(t.attributes), reservations: new Set(), queuedIn: undefined, listed: false };
      this.tasks.set(t.sid, ts);
      if (t.expiresAt !== null) this.timers.push({ at: t.expiresAt, kind: 'ttl', sid: t.sid });
      if (t.stepDeadline !== null) this.timers.push({ at: t.stepDeadline, kind: 'step', sid: t.sid });
    }
    for (const r of snapshot.reservations) {
      if (!holdsCapacity(r.reservationStatus)) continue;
      const ts = this.tasks.get(r.taskSid);
      if (!ts) continue;
      this.reservations.set(r.sid, r);
      ts.reservations.add(r.sid);
      this.hold(r, +1);
      if (r.reservationStatus === 'pending' && r.timeoutAt !== null) this.timers.push({ at: r.timeoutAt, kind: 'reservation', sid: r.sid });
    }
    for (const ts of this.tasks.values()) {
      if (ts.entity.assignmentStatus === 'pending' || ts.entity.assignmentStatus === 'reserved') this.enqueue(ts);
    }
    for (const w of this.workers.values()) this.refreshReady(w);
  }

  // ---------------------------------------------------------------- effects

  /** Whether anything changed since the last takeEffects (every change to the state records an effect). */
  hasEffects(): boolean {
    const e = this.effects;
    return e.writes.size > 0 || e.deleted.length > 0 || e.events.length > 0;
  }

  takeEffects(): RouterEffects {
    this.dropStaleTimers();
    const e = this.effects;
    this.effects = WorkspaceRouter.emptyEffects();
    return e;
  }

  private write(w: EntityWrite, inserted = false): void {
    this.effects.writes.set(w.entity.sid, w);
    if (inserted) this.effects.inserted.add(w.entity.sid);
  }

  private emit(eventType: string, resourceType: string, resourceSid: string, description: string, data: EventData | ((now: number) => EventData)): void {
    this.effects.events.push({ eventType, resourceType, resourceSid, description, data: typeof data === 'function' ? data : () => data });
  }

  /** Event data of a task as it is now (captured), computed later. */
  private taskData(ts: TaskState): (now: number) => EventData {
    const t = ts.entity;
    return (now) => this.taskFields(t, now);
  }

  private extend(data: (now: number) => EventData, extra: EventData): (now: number) => EventData {
    return (now) => ({ ...data(now), ...extra });
  }

  /** TaskRouter's task fields of an event; ages are in whole seconds up to the event's time. */
  private taskFields(t: Task, now: number): EventData {
    const queue = t.taskQueueSid ? this.queues.get(t.taskQueueSid)?.entity : undefined;
    return {
      task_sid: t.sid,
      task_attributes: t.attributes,
      task_priority: String(t.priority),
      task_assignment_status: t.assignmentStatus,
      task_channel_sid: t.taskChannelSid,
      task_channel_unique_name: this.taskChannels.get(t.taskChannelSid)?.uniqueName ?? null,
      task_queue_sid: t.taskQueueSid,
      task_queue_name: queue?.friendlyName ?? null,
      workflow_sid: t.workflowSid,
      workflow_name: t.workflowSid ? this.workflows.get(t.workflowSid)?.entity.friendlyName ?? null : null,
      task_age: String(Math.max(0, Math.floor((now - t.dateCreated) / 1000))),
      task_age_in_queue: t.taskQueueEnteredAt === null ? null : String(Math.max(0, Math.floor((now - t.taskQueueEnteredAt) / 1000))),
      task_date_created: new Date(t.dateCreated).toISOString(),
      task_version: String(t.version),
    };
  }

  private reservationData(r: Reservation, task?: Task): (now: number) => EventData {
    const t = task ?? this.tasks.get(r.taskSid)?.entity;
    const w = this.workers.get(r.workerSid)?.entity;
    return (now) => ({
      ...(t ? this.taskFields(t, now) : { task_sid: r.taskSid }),
      reservation_sid: r.sid,
      worker_sid: r.workerSid,
      worker_name: w?.friendlyName ?? null,
      worker_attributes: w?.attributes ?? null,
      worker_activity_sid: w?.activitySid ?? null,
    });
  }

  // ---------------------------------------------------------------- reads for the API

  /** Tasks waiting or reserved in a queue, in the order they will be offered (for statistics and tests). */
  queueOrder(queueSid: string): string[] {
    const q = this.queues.get(queueSid);
    return q ? q.pending.all().map((t) => t.entity.sid) : [];
  }

  nextDue(): number | undefined {
    return this.timers.peek()?.at;
  }

  /** Entries in the timer heap, stale ones included (tests: it stays proportional to the live timers). */
  scheduledTimers(): number {
    return this.timers.size;
  }

  /** Live tasks (pending, reserved, assigned, wrapping), for realtime statistics. */
  liveTasks(): Iterable<Task> {
    const tasks = this.tasks;
    return (function* () {
      for (const ts of tasks.values()) yield ts.entity;
    })();
  }

  /** Every worker with its current availability and the queues it belongs to, for realtime statistics. */
  liveWorkers(): Iterable<{ entity: Worker; available: boolean; queues: ReadonlySet<string>; channels: ReadonlyMap<string, { entity: WorkerChannel; held: number }> }> {
    return this.workers.values();
  }

  /** The workers a queue's expression selects (its eligible workers), or undefined for an unknown queue. */
  queueMembers(queueSid: string): ReadonlySet<string> | undefined {
    return this.queues.get(queueSid)?.members;
  }

  /** Every document the router holds, by kind (tests compare them with what the store holds). */
  documents(): { workspace: Workspace; activity: Activity[]; taskChannel: TaskChannel[]; worker: Worker[]; workerChannel: WorkerChannel[]; taskQueue: TaskQueue[]; workflow: Workflow[]; task: Task[]; reservation: Reservation[] } {
    const workers = [...this.workers.values()];
    return {
      workspace: this.workspace,
      activity: [...this.activities.values()],
      taskChannel: [...this.taskChannels.values()],
      worker: workers.map((w) => w.entity),
      workerChannel: workers.flatMap((w) => [...w.channels.values()].map((c) => c.entity)),
      taskQueue: [...this.queues.values()].map((q) => q.entity!),
      workflow: [...this.workflows.values()].map((wf) => wf.entity),
      task: [...this.tasks.values()].map((t) => t.entity),
      reservation: [...this.reservations.values()],
    };
  }

  hasActiveTasks(): boolean {
    return this.tasks.size > 0 || this.finished.size > 0;
  }

  // ---------------------------------------------------------------- construction helpers

  private newQueue(q: TaskQueue): QueueState {
    const lifo = q.taskOrder === 'LIFO';
    return {
      sid: q.sid,
      entity: q,
      expression: compileExpression(q.targetWorkers, 'queue'),
      maxReservedWorkers: q.maxReservedWorkers,
      lifo,
      members: new Set(),
      ready: new SortedList(idleOrder),
      pending: new PendingTasks(lifo ? lifoOrder : fifoOrder),
    };
  }

  private directQueue(workerSid: string): QueueState {
    let q = this.directQueues.get(workerSid);
    if (!q) {
      q = { sid: workerSid, entity: undefined, expression: undefined, maxReservedWorkers: 1, lifo: false, members: new Set([workerSid]), ready: new SortedList(idleOrder), pending: new PendingTasks(fifoOrder) };
      this.directQueues.set(workerSid, q);
      const w = this.workers.get(workerSid);
      if (w) {
        w.queues.add(workerSid);
        if (w.ready) q.ready.insert(w);
      }
    }
    return q;
  }

  private workerContext(w: Worker, attributes: Record<string, unknown>): Record<string, unknown> {
    return { ...attributes, sid: w.sid, friendly_name: w.friendlyName, activity_sid: w.activitySid, activity_name: this.activities.get(w.activitySid)?.friendlyName ?? null };
  }

  private addWorker(w: Worker, idleSince: number): WorkerState {
    const attributes = parseObject(w.attributes);
    const state: WorkerState = {
      entity: w,
      attributes,
      context: this.workerContext(w, attributes),
      available: this.activities.get(w.activitySid)?.available ?? false,
      channels: this.workers.get(w.sid)?.channels ?? new Map(),
      heldTotal: 0,
      queues: new Set(),
      idleSince,
      ready: false,
    };
    this.workers.set(w.sid, state);
    this.computeMembership(state);
    return state;
  }

  /** Queue expressions of the form `key == literal` grouped by key and indexed by literal: a worker's
   *  membership in all of them is one lookup per key instead of one evaluation per queue (5,000 queues of
   *  `skill == N` cost one lookup). Every other expression is evaluated. */
  private indexQueues(): void {
    this.equalityGroups.clear();
    this.scannedQueues.length = 0;
    for (const q of this.queues.values()) {
      const eq = q.expression?.equality;
      if (!eq) {
        this.scannedQueues.push(q);
        continue;
      }
      let group = this.equalityGroups.get(eq.key);
      if (!group) {
        group = { value: eq.value, byLiteral: new Map() };
        this.equalityGroups.set(eq.key, group);
      }
      const list = group.byLiteral.get(eq.literal) ?? [];
      list.push(q);
      group.byLiteral.set(eq.literal, list);
    }
  }

  private computeMembership(w: WorkerState): void {
    const ctx = { root: w.attributes };
    const member = new Set<QueueState>();
    for (const q of this.scannedQueues) if (q.expression?.evaluate(ctx)) member.add(q);
    for (const group of this.equalityGroups.values()) {
      // Map keys compare like `==` on scalars (SameValueZero); a missing key or an array or object matches none.
      for (const q of group.byLiteral.get(group.value(ctx) as never) ?? []) member.add(q);
    }
    for (const sid of [...w.queues]) {
      const q = this.queues.get(sid);
      if (!q || member.has(q)) continue;
      q.members.delete(w.entity.sid);
      w.queues.delete(q.sid);
      if (w.ready) q.ready.remove(w);
    }
    for (const q of member) {
      if (w.queues.has(q.sid)) continue;
      q.members.add(w.entity.sid);
      w.queues.add(q.sid);
      if (w.ready) q.ready.insert(w);
    }
    if (this.directQueues.has(w.entity.sid)) w.queues.add(w.entity.sid);
  }

  // ---------------------------------------------------------------- capacity

  private hold(r: Reservation, delta: 1 | -1): void {
    const w = this.workers.get(r.workerSid);
    if (!w) return;
    const ch = w.channels.get(r.taskChannelSid);
    if (ch) ch.held += delta;
    w.heldTotal += delta;
    this.refreshReady(w);
  }

  private queueState(sid: string): QueueState | undefined {
    return this.queues.get(sid) ?? this.directQueues.get(sid);
  }

  /** Keeps `w.ready` and the queues' ready lists in step with the worker's activity and free capacity. */
  private refreshReady(w: WorkerState): void {
    let room = false;
    if (w.available && (this.workspace.multiTaskEnabled || w.heldTotal === 0)) {
      for (const ch of w.channels.values()) {
        if (ch.entity.available && ch.held < ch.entity.capacity) {
          room = true;
          break;
        }
      }
    }
    if (room === w.ready) return;
    w.ready = room;
    for (const qs of w.queues) {
      const q = this.queueState(qs);
      if (!q) continue;
      if (room) q.ready.insert(w);
      else q.ready.remove(w);
    }
  }

  /** Moves a worker in the longest-idle order (out of every ready list, change, back in). */
  private setIdleSince(w: WorkerState, at: number): void {
    if (w.idleSince === at) return;
    const lists = w.ready ? [...w.queues].map((qs) => this.queueState(qs)).filter((q): q is QueueState => q !== undefined) : [];
    for (const q of lists) q.ready.remove(w);
    w.idleSince = at;
    for (const q of lists) q.ready.insert(w);
  }

  /** Tasks the worker holds on the channel: accepted or wrapping reservations (the WorkerChannel's assigned_tasks). */
  assignedTasks(workerSid: string, taskChannelSid: string): number {
    let n = 0;
    for (const r of this.reservations.values()) {
      if (r.workerSid === workerSid && r.taskChannelSid === taskChannelSid && (r.reservationStatus === 'accepted' || r.reservationStatus === 'wrapping')) n++;
    }
    return n;
  }

  private hasRoom(w: WorkerState, channelSid: string): boolean {
    if (!w.available) return false;
    const ch: ChannelState | undefined = w.channels.get(channelSid);
    if (!ch || !ch.entity.available || ch.held >= ch.entity.capacity) return false;
    // Single-tasking: one reservation or task at a time, whatever the channel.
    return this.workspace.multiTaskEnabled || w.heldTotal === 0;
  }

  // ---------------------------------------------------------------- eligibility and ordering

  private currentTarget(ts: TaskState): CompiledTarget | undefined {
    const t = ts.entity;
    if (t.workflowSid === null || t.filterIndex === null || t.targetIndex === null) return undefined;
    const wf = this.workflows.get(t.workflowSid);
    if (!wf) return undefined;
    if (t.filterIndex < 0) return wf.defaultTarget;
    return wf.filters[t.filterIndex]?.targets[t.targetIndex];
  }

  private eligible(w: WorkerState, ts: TaskState, target: CompiledTarget | undefined): boolean {
    const t = ts.entity;
    const ignoreCapacity = t.ignoreCapacity && t.routingTarget === w.entity.sid;
    if (!ignoreCapacity && !this.hasRoom(w, t.taskChannelSid)) return false;
    for (const rs of ts.reservations) {
      if (this.reservations.get(rs)?.workerSid === w.entity.sid) return false;
    }
    if (!target) return true;
    if (target.expression && !target.expression.evaluate({ task: ts.attributes, worker: w.context })) return false;
    if (target.knownWorkerSid && lookup(ts.attributes, target.knownWorkerSid) !== w.entity.sid) return false;
    if (target.knownWorkerFriendlyName && lookup(ts.attributes, target.knownWorkerFriendlyName) !== w.entity.friendlyName) return false;
    return true;
  }

  /** order_by clauses (integer attributes; missing ones sort last whatever the direction), then longest idle. */
  private workerComparator(target: CompiledTarget | undefined): (a: WorkerState, b: WorkerState) => number {
    const clauses = target?.orderBy ?? [];
    return (a, b) => {
      for (const c of clauses) {
        const x = lookup(a.attributes, c.path);
        const y = lookup(b.attributes, c.path);
        const xn = Number.isInteger(x);
        const yn = Number.isInteger(y);
        if (xn && !yn) return -1;
        if (!xn && yn) return 1;
        if (xn && yn && x !== y) return c.direction === 'ASC' ? (x as number) - (y as number) : (y as number) - (x as number);
      }
      return a.idleSince - b.idleSince || (a.entity.sid < b.entity.sid ? -1 : a.entity.sid > b.entity.sid ? 1 : 0);
    };
  }

  private canTakeMore(ts: TaskState, q: QueueState): boolean {
    const status = ts.entity.assignmentStatus;
    if (status !== 'pending' && status !== 'reserved') return false;
    let pending = 0;
    for (const rs of ts.reservations) {
      const r = this.reservations.get(rs);
      if (r?.reservationStatus === 'pending') pending++;
      else if (r) return false; // accepted already
    }
    return pending < q.maxReservedWorkers;
  }

  // ---------------------------------------------------------------- routing

  /** Offers a task to the best eligible members of its queue, up to max_reserved_workers. */
  private tryAssignTask(ts: TaskState, now: number): number {
    const q = ts.queuedIn;
    if (!q || !this.canTakeMore(ts, q)) return 0;
    const target = this.currentTarget(ts);
    const candidates: WorkerState[] = [];
    if (target?.orderBy || !q.entity) {
      // order_by needs every eligible member ranked; a direct queue (RoutingTarget=WK…) has one member who may
      // be taken even when busy (IgnoreCapacity).
      for (const sid of q.members) {
        const w = this.workers.get(sid);
        if (w && this.eligible(w, ts, target)) candidates.push(w);
      }
      candidates.sort(this.workerComparator(target));
    } else {
      // Longest idle first: the ready list is already in that order, so read from its head.
      let wanted = q.maxReservedWorkers;
      for (const rs of ts.reservations) if (this.reservations.get(rs)?.reservationStatus === 'pending') wanted--;
      for (const w of q.ready) {
        if (candidates.length >= wanted) break;
        if (this.eligible(w, ts, target)) candidates.push(w);
      }
    }
    if (candidates.length === 0) return 0;
    let created = 0;
    for (const w of candidates) {
      if (!this.canTakeMore(ts, q)) break;
      if (!this.createReservation(ts, w, q, now)) break; // the task hit the assignment limit and was canceled
      created++;
    }
    return created;
  }

  /** Gives a worker who can take work the best task among its queues, repeatedly while it has room. */
  private offerToWorker(w: WorkerState, now: number): void {
    for (let guard = 0; guard < 1000 && w.ready; guard++) {
      let best: { ts: TaskState; q: QueueState } | undefined;
      for (const qs of w.queues) {
        const q = this.queueState(qs);
        if (!q) continue;
        for (const channelSid of q.pending.channels()) {
          // A channel without room: none of its tasks can fit, so none is looked at (except in a worker's direct
          // queue, whose tasks may ignore capacity).
          const ch = w.channels.get(channelSid);
          if (q.entity && (!ch || !ch.entity.available || ch.held >= ch.entity.capacity)) continue;
          for (const ts of q.pending.onChannel(channelSid)) {
            if (!this.canTakeMore(ts, q)) continue;
            if (!this.eligible(w, ts, this.currentTarget(ts))) continue;
            if (!best || this.betterCandidate(ts, q, best.ts, best.q)) best = { ts, q };
            break; // the first fitting task is this queue's best on this channel
          }
        }
      }
      if (!best) return;
      this.createReservation(best.ts, w, best.q, now);
    }
  }

  /** Across queues: the workspace's prioritize_queue_order decides FIFO vs LIFO queues; among FIFO candidates
   *  the higher priority then the older task wins; among LIFO candidates the newer. */
  private betterCandidate(a: TaskState, aq: QueueState, b: TaskState, bq: QueueState): boolean {
    if (aq.lifo !== bq.lifo) return this.workspace.prioritizeQueueOrder === 'LIFO' ? aq.lifo : !aq.lifo;
    return (aq.lifo ? lifoOrder(a, b) : fifoOrder(a, b)) < 0;
  }

  private createReservation(ts: TaskState, w: WorkerState, q: QueueState, now: number): Reservation | undefined {
    const t = ts.entity;
    if (t.assignmentStatus === 'pending' && (t.assignmentCount ?? 0) >= MAX_ASSIGNMENT_COUNT) {
      this.cancelTask(ts, 'Task TTL Exceeded or Max assignment count exceeded', now, null);
      return undefined;
    }
    const wf = t.workflowSid ? this.workflows.get(t.workflowSid) : undefined;
    const timeoutS = wf?.entity.taskReservationTimeout ?? DEFAULT_RESERVATION_TIMEOUT_S;
    const r: Reservation = {
      sid: this.ids('WR'),
      accountSid: t.accountSid,
      workspaceSid: t.workspaceSid,
      taskSid: t.sid,
      workerSid: w.entity.sid,
      taskChannelSid: t.taskChannelSid,
      taskQueueSid: q.entity ? q.sid : null,
      reservationStatus: 'pending',
      timeoutAt: now + timeoutS * 1000,
      instruction: null,
      instructionParams: null,
      dateCreated: now,
      dateUpdated: now,
      version: 0,
    };
    this.reservations.set(r.sid, r);
    ts.reservations.add(r.sid);
    this.hold(r, +1);
    this.timers.push({ at: r.timeoutAt!, kind: 'reservation', sid: r.sid });
    this.write({ kind: 'reservation', entity: r }, true);
    if (t.assignmentStatus === 'pending') this.setTaskStatus(ts, 'reserved', now, { assignmentCount: (t.assignmentCount ?? 0) + 1 });
    this.relist(ts);
    if (!this.workspace.multiTaskEnabled && q.entity?.reservationActivitySid) this.moveWorker(w, q.entity.reservationActivitySid, now);
    this.emit('reservation.created', 'reservation', r.sid, `Reservation ${r.sid} created for worker ${w.entity.friendlyName}`, this.reservationData(r));
    return r;
  }

  /** Moves the task along its state table; `also` changes other fields in the same (single) copy. */
  private setTaskStatus(ts: TaskState, to: TaskStatus, now: number, also?: Partial<Task>): void {
    assertTaskTransition(ts.entity.sid, ts.entity.assignmentStatus, to);
    ts.entity = { ...ts.entity, ...also, assignmentStatus: to, dateUpdated: now, version: ts.entity.version + 1 };
    this.write({ kind: 'task', entity: ts.entity });
    this.relist(ts);
  }

  private setReservationStatus(r: Reservation, to: ReservationStatus, now: number, extra: Partial<Reservation> = {}): Reservation {
    assertReservationTransition(r.sid, r.reservationStatus, to);
    const updated: Reservation = { ...r, ...extra, reservationStatus: to, timeoutAt: to === 'pending' ? r.timeoutAt : null, dateUpdated: now, version: r.version + 1 };
    const heldBefore = holdsCapacity(r.reservationStatus);
    const heldAfter = holdsCapacity(to);
    if (heldAfter) this.reservations.set(r.sid, updated);
    else {
      this.reservations.delete(r.sid);
      const ts = this.tasks.get(r.taskSid);
      if (ts) {
        ts.reservations.delete(r.sid);
        this.relist(ts);
      }
    }
    if (heldBefore && !heldAfter) {
      const w = this.workers.get(r.workerSid);
      if (w) this.setIdleSince(w, now);
      this.hold(r, -1);
    }
    this.write({ kind: 'reservation', entity: updated });
    return updated;
  }

  /** Moves a worker to an activity because of routing (timeout activity, reject activity, single-tasking
   *  reservation/assignment activities), recording it as the API would. */
  private moveWorker(w: WorkerState, activitySid: string, now: number): void {
    const activity = this.activities.get(activitySid);
    if (!activity || w.entity.activitySid === activitySid) return;
    const previous = w.entity;
    w.entity = { ...previous, activitySid, dateStatusChanged: now, dateUpdated: now, version: previous.version + 1 };
    w.available = activity.available;
    w.context = this.workerContext(w.entity, w.attributes);
    if (!w.available) this.setIdleSince(w, now);
    this.refreshReady(w);
    this.write({ kind: 'worker', entity: w.entity });
    const inPrevious = now - previous.dateStatusChanged;
    this.emit('worker.activity.update', 'worker', w.entity.sid, `Worker ${w.entity.friendlyName} updated to ${activity.friendlyName} Activity`, {
      worker_sid: w.entity.sid,
      worker_name: w.entity.friendlyName,
      worker_attributes: w.entity.attributes,
      worker_activity_sid: activitySid,
      worker_activity_name: activity.friendlyName,
      worker_previous_activity_sid: previous.activitySid,
      worker_previous_activity_name: this.activities.get(previous.activitySid)?.friendlyName ?? null,
      worker_time_in_previous_activity: String(Math.floor(inPrevious / 1000)),
      worker_time_in_previous_activity_ms: String(inPrevious),
    });
  }

  // ---------------------------------------------------------------- queues and workflow steps

  private enqueue(ts: TaskState): void {
    const t = ts.entity;
    const q = t.routingTarget?.startsWith('WK') && t.taskQueueSid === null ? this.directQueue(t.routingTarget) : t.taskQueueSid ? this.queues.get(t.taskQueueSid) : undefined;
    if (!q) return;
    ts.queuedIn = q;
    this.relist(ts);
  }

  private dequeue(ts: TaskState): void {
    if (ts.listed) ts.queuedIn?.pending.remove(ts);
    ts.listed = false;
    ts.queuedIn = undefined;
  }

  /** A queue's pending list holds only the tasks that can still take a reservation, so a worker looking for
   *  work never walks past tasks that are already fully reserved. Called whenever that may have changed. */
  private relist(ts: TaskState): void {
    const q = ts.queuedIn;
    if (!q) return;
    const should = this.canTakeMore(ts, q);
    if (should === ts.listed) return;
    if (should) q.pending.insert(ts);
    else q.pending.remove(ts);
    ts.listed = should;
  }

  /** Changes task fields that the queue order depends on: out of the list, change, back in. */
  private reorder(ts: TaskState, change: (t: Task) => Task): void {
    const q = ts.listed ? ts.queuedIn : undefined;
    if (q) q.pending.remove(ts);
    ts.entity = change(ts.entity);
    if (q) q.pending.insert(ts);
  }

  private skipIfHolds(target: CompiledTarget, q: QueueState): boolean {
    if (!target.skipIf) return false;
    const counts: Record<string, number> = { available: 0, unavailable: 0 };
    for (const sid of q.members) {
      const w = this.workers.get(sid);
      if (!w) continue;
      counts[w.available ? 'available' : 'unavailable']!++;
      counts[w.entity.activitySid] = (counts[w.entity.activitySid] ?? 0) + 1;
    }
    return target.skipIf.evaluate({ workers: counts });
  }

  /** Places a task in the target (filterIndex -1 = default filter) and tries to reserve it; follows skip_if
   *  to later targets and filters; cancels the task when the workflow has nothing left. */
  private enterStep(ts: TaskState, wf: CompiledWorkflow, filterIndex: number, targetIndex: number, now: number): void {
    const target = filterIndex < 0 ? wf.defaultTarget : wf.filters[filterIndex]?.targets[targetIndex];
    const q = target ? this.queues.get(target.queue) : undefined;
    if (!target || !q) {
      this.cancelTask(ts, 'Task canceled on Workflow timeout', now, 'workflow.timeout');
      return;
    }
    this.dequeue(ts);
    this.reorder(ts, (t) => ({
      ...t,
      filterIndex,
      targetIndex,
      taskQueueSid: q.sid,
      taskQueueEnteredAt: now,
      priority: target.priority ?? t.priority,
      stepDeadline: target.timeout !== undefined ? now + target.timeout * 1000 : null,
      dateUpdated: now,
    }));
    this.enqueue(ts);
    this.write({ kind: 'task', entity: ts.entity });
    if (ts.entity.stepDeadline !== null) this.timers.push({ at: ts.entity.stepDeadline, kind: 'step', sid: ts.entity.sid });
    const data = this.extend(this.taskData(ts), { workflow_filter_name: filterIndex >= 0 ? wf.filters[filterIndex]!.friendlyName ?? null : 'Default Filter' });
    this.emit('task-queue.entered', 'task', ts.entity.sid, `Task ${ts.entity.sid} entered TaskQueue ${q.entity?.friendlyName}`, data);
    this.emit('workflow.target-matched', 'task', ts.entity.sid, `Task ${ts.entity.sid} matched a Workflow target`, data);
    const created = this.tryAssignTask(ts, now);
    if (created === 0 && this.skipIfHolds(target, q)) this.advance(ts, wf, now, 'skipped');
  }

  /** Moves a task past its current target: the next target of its filter, else the next matching filter
   *  (after skip_if only), else the default filter (skip only), else the workflow is exhausted. */
  private advance(ts: TaskState, wf: CompiledWorkflow, now: number, why: 'timeout' | 'skipped'): void {
    const t = ts.entity;
    const f = t.filterIndex ?? -1;
    const next = (t.targetIndex ?? 0) + 1;
    if (f >= 0 && next < wf.filters[f]!.targets.length) {
      this.emit(why === 'timeout' ? 'task-queue.timeout' : 'task-queue.moved', 'task', t.sid, `Task ${t.sid} moved to the next routing step`, this.taskData(ts));
      this.enterStep(ts, wf, f, next, now);
      return;
    }
    if (why === 'skipped' && f >= 0) {
      for (let i = f + 1; i < wf.filters.length; i++) {
        if (wf.filters[i]!.expression.evaluate({ root: ts.attributes })) return this.enterStep(ts, wf, i, 0, now);
      }
      if (wf.defaultTarget) return this.enterStep(ts, wf, -1, 0, now);
    }
    this.cancelTask(ts, why === 'timeout' ? 'Task canceled on Workflow timeout' : 'Task canceled: every Workflow step was skipped', now, why === 'timeout' ? 'workflow.timeout' : 'workflow.skipped');
  }

  /** Sends a task through its workflow (or its RoutingTarget) from the start. */
  private route(ts: TaskState, now: number): void {
    const t = ts.entity;
    if (t.routingTarget?.startsWith('WK')) {
      this.dequeue(ts);
      ts.entity = { ...t, taskQueueSid: null, taskQueueEnteredAt: now, filterIndex: null, targetIndex: null, stepDeadline: null };
      this.enqueue(ts);
      this.write({ kind: 'task', entity: ts.entity });
      this.tryAssignTask(ts, now);
      return;
    }
    if (t.routingTarget?.startsWith('WQ')) {
      this.dequeue(ts);
      ts.entity = { ...t, taskQueueSid: t.routingTarget, taskQueueEnteredAt: now, filterIndex: null, targetIndex: null, stepDeadline: null };
      this.enqueue(ts);
      this.write({ kind: 'task', entity: ts.entity });
      this.emit('task-queue.entered', 'task', t.sid, `Task ${t.sid} entered TaskQueue`, this.taskData(ts));
      this.tryAssignTask(ts, now);
      return;
    }
    const wf = t.workflowSid ? this.workflows.get(t.workflowSid) : undefined;
    if (!wf) return;
    this.emit('workflow.entered', 'task', t.sid, `Task ${t.sid} entered Workflow ${wf.entity.friendlyName}`, this.taskData(ts));
    const index = wf.filters.findIndex((f) => f.expression.evaluate({ root: ts.attributes }));
    if (index >= 0) this.enterStep(ts, wf, index, 0, now);
    else if (wf.defaultTarget) this.enterStep(ts, wf, -1, 0, now);
    else this.cancelTask(ts, 'Task did not match any Workflow filter and the Workflow has no default_filter', now, 'workflow.timeout');
  }

  // ---------------------------------------------------------------- task commands

  private resolveChannel(given: string | undefined): TaskChannel {
    const wanted = given ?? 'default';
    const byId = this.taskChannels.get(wanted);
    if (byId) return byId;
    for (const c of this.taskChannels.values()) if (c.uniqueName.toLowerCase() === wanted.toLowerCase()) return c;
    throw invalid(`Invalid parameter TaskChannel: TaskChannel ${wanted} not found in this Workspace`);
  }

  /** `sid`: the SID the task takes (a task another node asked for has it already); a new one otherwise. */
  createTask(input: CreateTaskInput, now: number, sid?: string): Task {
    const channel = this.resolveChannel(input.taskChannel);
    let workflowSid: string | null = null;
    let routingTarget: string | null = input.routingTarget ?? null;
    if (routingTarget !== null) {
      const ok =
        (routingTarget.startsWith('WK') && this.workers.has(routingTarget)) ||
        (routingTarget.startsWith('WQ') && this.queues.has(routingTarget)) ||
        (routingTarget.startsWith('WW') && this.workflows.has(routingTarget));
      if (!ok) throw invalid(`Invalid parameter RoutingTarget: ${routingTarget} is not a Worker, TaskQueue or Workflow of this Workspace`);
      if (routingTarget.startsWith('WW')) {
        workflowSid = routingTarget;
        routingTarget = null;
      }
    }
    if (routingTarget === null && workflowSid === null) {
      if (input.workflowSid !== undefined) {
        if (!this.workflows.has(input.workflowSid)) throw invalid(`Invalid parameter WorkflowSid: Workflow ${input.workflowSid} not found in this Workspace`);
        workflowSid = input.workflowSid;
      } else if (this.workflows.size === 1) {
        workflowSid = [...this.workflows.keys()][0]!;
      } else {
        throw invalid('WorkflowSid field is required: this Workspace has ' + (this.workflows.size === 0 ? 'no Workflow' : 'more than one Workflow'));
      }
    }
    if (input.taskQueueSid !== undefined && !this.queues.has(input.taskQueueSid)) {
      // The SDK sends TaskQueueSid "for reporting"; it does not route, but it must name a queue of this workspace.
      throw invalid(`Invalid parameter TaskQueueSid: TaskQueue ${input.taskQueueSid} not found in this Workspace`);
    }
    if (input.ignoreCapacity && !routingTarget?.startsWith('WK')) {
      throw invalid('Invalid parameter IgnoreCapacity: only valid with a Worker RoutingTarget');
    }
    if (input.virtualStartTime !== undefined && input.virtualStartTime > now) {
      throw invalid('Invalid parameter VirtualStartTime: must not be in the future');
    }
    const timeout = input.timeout ?? 86400;
    const task: Task = {
      sid: sid ?? this.ids('WT'),
      accountSid: this.workspace.accountSid,
      workspaceSid: this.workspace.sid,
      attributes: input.attributes,
      assignmentStatus: 'pending',
      priority: input.priority ?? 0,
      timeout,
      taskChannelSid: channel.sid,
      workflowSid,
      taskQueueSid: null,
      taskQueueEnteredAt: null,
      virtualStartTime: input.virtualStartTime ?? now,
      reason: null,
      routingTarget,
      ignoreCapacity: routingTarget?.startsWith('WK') ? input.ignoreCapacity ?? true : false,
      filterIndex: null,
      targetIndex: null,
      expiresAt: now + timeout * 1000,
      stepDeadline: null,
      cleanupAt: null,
      seq: this.nextSeq++,
      dateCreated: now,
      dateUpdated: now,
      version: 0,
    };
    const ts: TaskState = { entity: task, attributes: parseObject(task.attributes), reservations: new Set(), queuedIn: undefined, listed: false };
    this.tasks.set(task.sid, ts);
    this.write({ kind: 'task', entity: task }, true);
    this.timers.push({ at: task.expiresAt!, kind: 'ttl', sid: task.sid });
    const mark = this.effects.events.length;
    this.route(ts, now);
    // TaskRouter reports task.created after the workflow/queue entry events and before the target match.
    const events = this.effects.events;
    let at = mark;
    while (at < events.length && events[at]!.eventType !== 'workflow.target-matched') at++;
    const created = { eventType: 'task.created', resourceType: 'task', resourceSid: task.sid, description: `Task ${task.sid} created`, data: this.taskData(ts) };
    events.splice(at < events.length ? at : mark, 0, created);
    return ts.entity;
  }

  private taskNotFound(sid: string): ApiError {
    return notFound(`/v1/Workspaces/${this.workspace.sid}/Tasks/${sid}`);
  }


  /** Is this task still routed by the engine (not finished)? Finished tasks are read from the store. */
  isActive(sid: string): boolean {
    return this.tasks.has(sid);
  }

  updateTask(sid: string, input: UpdateTaskInput, now: number, stored: Task | undefined): Task {
    const ts = this.tasks.get(sid);
    if (!ts) {
      // A finished task: only attributes may still change (TaskRouter emits task.updated after completion).
      if (!stored) throw this.taskNotFound(sid);
      assertVersion(stored.version, input.ifMatch);
      if (input.assignmentStatus !== undefined && input.assignmentStatus !== stored.assignmentStatus) {
        throw invalid(`Task ${sid} is ${stored.assignmentStatus} and cannot move to ${input.assignmentStatus}`);
      }
      if (input.priority !== undefined || input.taskChannel !== undefined || input.virtualStartTime !== undefined) {
        throw invalid(`Task ${sid} is ${stored.assignmentStatus}: only Attributes can be updated`);
      }
      if (input.attributes === undefined) return stored;
      const updated = { ...stored, attributes: input.attributes, dateUpdated: now, version: stored.version + 1 };
      this.write({ kind: 'task', entity: updated });
      this.emit('task.updated', 'task', sid, `Task ${sid} updated`, { task_sid: sid, task_attributes: input.attributes });
      return updated;
    }
    assertVersion(ts.entity.version, input.ifMatch);
    const status = input.assignmentStatus;
    if (status !== undefined && status !== ts.entity.assignmentStatus) {
      if (status === 'canceled') {
        if (ts.entity.assignmentStatus !== 'pending' && ts.entity.assignmentStatus !== 'reserved') {
          throw invalid(`Cannot cancel Task ${sid}: it is ${ts.entity.assignmentStatus}; only pending or reserved tasks can be canceled`);
        }
      } else if (status === 'wrapping' || status === 'completed') {
        if (ts.entity.assignmentStatus !== 'assigned' && !(status === 'completed' && ts.entity.assignmentStatus === 'wrapping')) {
          throw invalid(`Cannot ${status === 'wrapping' ? 'wrap up' : 'complete'} Task ${sid}: it is ${ts.entity.assignmentStatus}, not assigned`);
        }
      } else {
        throw invalid(`Invalid parameter AssignmentStatus: ${status} cannot be set through the API`);
      }
    }
    const channel = input.taskChannel !== undefined ? this.resolveChannel(input.taskChannel) : undefined;
    if (input.virtualStartTime !== undefined && input.virtualStartTime > now) throw invalid('Invalid parameter VirtualStartTime: must not be in the future');
    const attributesChanged = input.attributes !== undefined && input.attributes !== ts.entity.attributes;
    this.reorder(ts, (t) => ({
      ...t,
      attributes: input.attributes ?? t.attributes,
      priority: input.priority ?? t.priority,
      taskChannelSid: channel?.sid ?? t.taskChannelSid,
      virtualStartTime: input.virtualStartTime ?? t.virtualStartTime,
      dateUpdated: now,
      version: t.version + 1,
    }));
    if (attributesChanged) ts.attributes = parseObject(ts.entity.attributes);
    this.write({ kind: 'task', entity: ts.entity });
    if (attributesChanged || input.priority !== undefined) {
      this.emit('task.updated', 'task', sid, `Task ${sid} updated`, this.taskData(ts));
    }
    if (status === 'canceled' && ts.entity.assignmentStatus !== 'canceled') {
      this.cancelTask(ts, input.reason ?? 'Task canceled via the API', now, null);
    } else if (status === 'wrapping' && ts.entity.assignmentStatus === 'assigned') {
      this.wrapTask(ts, now, input.reason);
    } else if (status === 'completed' && ts.entity.assignmentStatus !== 'completed') {
      this.completeTask(ts, input.reason ?? null, now);
    } else if (attributesChanged && ts.entity.assignmentStatus === 'pending') {
      // New attributes can change which filter matches: a pending task goes through its workflow again.
      this.route(ts, now);
    } else if (ts.entity.assignmentStatus === 'pending') {
      this.tryAssignTask(ts, now);
    }
    return (this.tasks.get(sid) ?? ts).entity;
  }

  deleteTask(sid: string, ifMatch: string | undefined, now: number, stored: Task | undefined): void {
    const ts = this.tasks.get(sid);
    if (!ts) {
      if (!stored) throw this.taskNotFound(sid);
      assertVersion(stored.version, ifMatch);
      this.finished.delete(sid);
      this.effects.deleted.push({ kind: 'task', sid });
      this.emit('task.deleted', 'task', sid, `Task ${sid} deleted`, { task_sid: sid, task_attributes: stored.attributes });
      return;
    }
    assertVersion(ts.entity.version, ifMatch);
    const freed = new Set<string>();
    for (const rs of [...ts.reservations]) {
      const r = this.reservations.get(rs)!;
      freed.add(r.workerSid);
      this.setReservationStatus(r, r.reservationStatus === 'pending' ? 'canceled' : 'completed', now);
      this.emit(r.reservationStatus === 'pending' ? 'reservation.canceled' : 'reservation.completed', 'reservation', r.sid, `Reservation ${r.sid} ended: task deleted`, this.reservationData(r));
    }
    this.dequeue(ts);
    this.tasks.delete(sid);
    this.effects.deleted.push({ kind: 'task', sid });
    this.emit('task.deleted', 'task', sid, `Task ${sid} deleted`, this.taskData(ts));
    for (const w of freed) this.offerIfPossible(w, now);
  }

  private cancelTask(ts: TaskState, reason: string, now: number, workflowEvent: string | null): void {
    const freed: string[] = [];
    for (const rs of [...ts.reservations]) {
      const r = this.reservations.get(rs)!;
      this.setReservationStatus(r, 'canceled', now, {});
      this.emit('reservation.canceled', 'reservation', r.sid, `Reservation ${r.sid} canceled`, this.reservationData(r));
      freed.push(r.workerSid);
    }
    this.dequeue(ts);
    this.finish(ts, 'canceled', reason, now);
    if (workflowEvent) this.emit(workflowEvent, 'task', ts.entity.sid, reason, this.taskData(ts));
    this.emit('task.canceled', 'task', ts.entity.sid, `Task ${ts.entity.sid} canceled: ${reason}`, this.extend(this.taskData(ts), { task_canceled_reason: reason, reason }));
    for (const w of freed) this.offerIfPossible(w, now);
  }

  private wrapTask(ts: TaskState, now: number, reason?: string): void {
    this.setTaskStatus(ts, 'wrapping', now);
    if (reason !== undefined) ts.entity = { ...ts.entity, reason };
    for (const rs of [...ts.reservations]) {
      const r = this.reservations.get(rs)!;
      if (r.reservationStatus === 'accepted') {
        this.setReservationStatus(r, 'wrapping', now);
        this.emit('reservation.wrapup', 'reservation', r.sid, `Reservation ${r.sid} wrapping`, this.reservationData(r));
      }
    }
    this.write({ kind: 'task', entity: ts.entity });
    this.emit('task.wrapup', 'task', ts.entity.sid, `Task ${ts.entity.sid} wrapping up`, this.taskData(ts));
  }

  private completeTask(ts: TaskState, reason: string | null, now: number): void {
    assertTaskTransition(ts.entity.sid, ts.entity.assignmentStatus, 'completed');
    const freed: string[] = [];
    const completedReservations: Reservation[] = [];
    for (const rs of [...ts.reservations]) {
      const r = this.reservations.get(rs)!;
      if (r.reservationStatus === 'accepted' || r.reservationStatus === 'wrapping') {
        completedReservations.push(this.setReservationStatus(r, 'completed', now));
        freed.push(r.workerSid);
      }
    }
    this.finish(ts, 'completed', reason ?? 'Task completed', now);
    // Observed order: task.completed, then reservation.completed.
    this.emit('task.completed', 'task', ts.entity.sid, `Task ${ts.entity.sid} completed`, this.extend(this.taskData(ts), { task_completed_reason: reason }));
    for (const r of completedReservations) this.emit('reservation.completed', 'reservation', r.sid, `Reservation ${r.sid} completed`, this.reservationData(r, ts.entity));
    for (const w of freed) this.offerIfPossible(w, now);
  }

  /** A task reached completed or canceled: it leaves the engine and is removed after the retention period. */
  private finish(ts: TaskState, to: 'completed' | 'canceled', reason: string, now: number): void {
    const cleanupAt = now + FINISHED_TASK_RETENTION_MS;
    this.setTaskStatus(ts, to, now, { reason, expiresAt: null, stepDeadline: null, cleanupAt });
    this.tasks.delete(ts.entity.sid);
    this.scheduleCleanup(ts.entity.sid, cleanupAt);
  }

  private scheduleCleanup(sid: string, at: number): void {
    this.finished.set(sid, at);
    this.timers.push({ at, kind: 'cleanup', sid });
  }

  /** An assigned (or wrapping) task left for 24 hours: TaskRouter deletes it (`task.system-deleted`) and the
   *  worker's capacity is freed. */
  private systemDelete(ts: TaskState, now: number): void {
    const freed: string[] = [];
    for (const rs of [...ts.reservations]) {
      const r = this.reservations.get(rs)!;
      this.setReservationStatus(r, r.reservationStatus === 'pending' ? 'canceled' : 'completed', now);
      freed.push(r.workerSid);
    }
    this.dequeue(ts);
    this.tasks.delete(ts.entity.sid);
    this.effects.deleted.push({ kind: 'task', sid: ts.entity.sid });
    this.emit('task.system-deleted', 'task', ts.entity.sid, `Task ${ts.entity.sid} deleted by the system after 24 hours in ${ts.entity.assignmentStatus}`, this.taskData(ts));
    for (const w of freed) this.offerIfPossible(w, now);
  }

  private offerIfPossible(workerSid: string, now: number): void {
    const w = this.workers.get(workerSid);
    if (w) this.offerToWorker(w, now);
  }

  // ---------------------------------------------------------------- reservation commands

  reservationOf(sid: string): Reservation | undefined {
    return this.reservations.get(sid);
  }

  updateReservation(stored: Reservation, input: UpdateReservationInput, now: number): Reservation {
    const current = this.reservations.get(stored.sid) ?? stored;
    assertVersion(current.version, input.ifMatch);
    let target = input.reservationStatus;
    const instruction = input.instruction;
    const params = input.instructionParams ?? {};
    if (instruction !== undefined) {
      if (current.reservationStatus !== 'pending') {
        throw invalid(`Unable to execute ${instruction} instruction. Reservation ${current.sid} is not currently in a Pending state.`);
      }
      if (instructionAccepts(instruction, params)) target = target ?? 'accepted';
    }
    if (target === undefined) {
      if (instruction === undefined) return current;
      // An instruction that does not accept (call/redirect without Accept) is recorded only.
      const recorded = { ...current, instruction, instructionParams: params, dateUpdated: now, version: current.version + 1 };
      if (this.reservations.has(recorded.sid)) this.reservations.set(recorded.sid, recorded);
      this.write({ kind: 'reservation', entity: recorded });
      return recorded;
    }
    if (target !== 'accepted' && target !== 'rejected' && target !== 'wrapping' && target !== 'completed') {
      throw invalid(`Invalid parameter ReservationStatus: ${target} cannot be set through the API; use accepted, rejected, wrapping or completed`);
    }
    const extra: Partial<Reservation> = instruction !== undefined ? { instruction, instructionParams: params } : {};
    const ts = this.tasks.get(current.taskSid);
    if (!ts || !this.reservations.has(current.sid)) {
      assertReservationTransition(current.sid, current.reservationStatus, target);
      throw invalid(`Reservation ${current.sid} is ${current.reservationStatus}`);
    }
    switch (target) {
      case 'accepted':
        return this.accept(ts, current, now, extra);
      case 'rejected':
        return this.reject(ts, current, now, input.workerActivitySid, extra);
      case 'wrapping': {
        assertReservationTransition(current.sid, current.reservationStatus, 'wrapping');
        if (ts.entity.assignmentStatus === 'assigned') this.wrapTask(ts, now);
        return this.reservations.get(current.sid) ?? current;
      }
      case 'completed': {
        assertReservationTransition(current.sid, current.reservationStatus, 'completed');
        this.completeTask(ts, null, now);
        return { ...current, reservationStatus: 'completed' };
      }
    }
  }

  private accept(ts: TaskState, r: Reservation, now: number, extra: Partial<Reservation>): Reservation {
    assertReservationTransition(r.sid, r.reservationStatus, 'accepted');
    const accepted = this.setReservationStatus(r, 'accepted', now, extra);
    this.emit('reservation.accepted', 'reservation', r.sid, `Reservation ${r.sid} accepted`, this.reservationData(accepted));
    const freed: string[] = [];
    for (const rs of [...ts.reservations]) {
      const other = this.reservations.get(rs)!;
      if (other.sid === r.sid || other.reservationStatus !== 'pending') continue;
      this.setReservationStatus(other, 'rescinded', now);
      this.emit('reservation.rescinded', 'reservation', other.sid, `Reservation ${other.sid} rescinded: another worker accepted`, this.reservationData(other));
      freed.push(other.workerSid);
    }
    this.dequeue(ts);
    this.setTaskStatus(ts, 'assigned', now, { stepDeadline: null, expiresAt: now + MAX_ASSIGNED_MS });
    this.timers.push({ at: ts.entity.expiresAt!, kind: 'ttl', sid: ts.entity.sid });
    const w = this.workers.get(r.workerSid);
    const queue = r.taskQueueSid ? this.queues.get(r.taskQueueSid)?.entity : undefined;
    if (w && !this.workspace.multiTaskEnabled && queue?.assignmentActivitySid) this.moveWorker(w, queue.assignmentActivitySid, now);
    for (const sid of freed) this.offerIfPossible(sid, now);
    return accepted;
  }

  private reject(ts: TaskState, r: Reservation, now: number, activitySid: string | undefined, extra: Partial<Reservation>): Reservation {
    assertReservationTransition(r.sid, r.reservationStatus, 'rejected');
    if (activitySid !== undefined && !this.activities.has(activitySid)) {
      throw invalid(`Invalid parameter WorkerActivitySid: Activity ${activitySid} not found in this Workspace`);
    }
    const rejected = this.setReservationStatus(r, 'rejected', now, extra);
    this.emit('reservation.rejected', 'reservation', r.sid, `Reservation ${r.sid} rejected`, this.reservationData(rejected));
    const w = this.workers.get(r.workerSid);
    if (w && activitySid !== undefined) this.moveWorker(w, activitySid, now);
    this.afterReservationLost(ts, now);
    if (w) this.offerToWorker(w, now);
    return rejected;
  }

  /** After a pending reservation ended without an accept: back to pending when none is left, then re-route
   *  within the current step (TaskRouter retries other matching workers while the step lasts). */
  private afterReservationLost(ts: TaskState, now: number): void {
    if (ts.entity.assignmentStatus === 'reserved' && ts.reservations.size === 0) this.setTaskStatus(ts, 'pending', now);
    this.tryAssignTask(ts, now);
  }

  // ---------------------------------------------------------------- configuration changes

  /** A worker was created or changed through the API: recompute membership and offer it work. */
  workerUpserted(worker: Worker, channels: WorkerChannel[], now: number, options: { rejectPendingReservations?: boolean } = {}): void {
    const existing = this.workers.get(worker.sid);
    const state = existing ?? this.addWorker(worker, now);
    if (existing) {
      const becameAvailable = !existing.available && (this.activities.get(worker.activitySid)?.available ?? false);
      existing.entity = worker;
      existing.attributes = parseObject(worker.attributes);
      existing.context = this.workerContext(worker, existing.attributes);
      existing.available = this.activities.get(worker.activitySid)?.available ?? false;
      if (becameAvailable) this.setIdleSince(existing, now);
      this.computeMembership(existing);
    }
    for (const wc of channels) {
      const ch = state.channels.get(wc.taskChannelSid);
      if (ch) ch.entity = wc;
      else state.channels.set(wc.taskChannelSid, { entity: wc, held: 0 });
    }
    this.refreshReady(state);
    if (options.rejectPendingReservations && !state.available) {
      // TaskRouter: the flag "is only valid if the Worker's new Activity" is unavailable; otherwise it is ignored
      // (not refused, so clients that always send it keep working). Done after the new activity is in place, so
      // the rejected tasks go to someone else.
      for (const r of [...this.reservations.values()]) {
        if (r.workerSid !== worker.sid || r.reservationStatus !== 'pending') continue;
        const ts = this.tasks.get(r.taskSid);
        if (ts) this.reject(ts, r, now, undefined, {});
      }
    }
    if (state.available) this.offerToWorker(state, now);
  }

  /** Refuses to delete a worker that holds tasks; cancels its pending reservations otherwise. */
  workerDeleted(sid: string, now: number): void {
    const w = this.workers.get(sid);
    if (!w) return;
    const held = [...this.reservations.values()].filter((r) => r.workerSid === sid);
    if (held.some((r) => r.reservationStatus !== 'pending')) {
      throw invalid(`Cannot delete Worker ${sid}: it has assigned Tasks; complete them first`);
    }
    for (const r of held) {
      this.setReservationStatus(r, 'canceled', now);
      this.emit('reservation.canceled', 'reservation', r.sid, `Reservation ${r.sid} canceled: worker deleted`, this.reservationData(r));
    }
    if (w.ready) for (const qs of w.queues) this.queueState(qs)?.ready.remove(w);
    for (const q of this.queues.values()) q.members.delete(sid);
    this.workers.delete(sid);
    for (const r of held) {
      const ts = this.tasks.get(r.taskSid);
      if (ts) this.afterReservationLost(ts, now);
    }
  }

  /** Refuses configuration deletes that would strand active tasks. */
  assertNoActiveTasksIn(kind: 'taskQueue' | 'workflow' | 'taskChannel', sid: string): void {
    for (const ts of this.tasks.values()) {
      const t = ts.entity;
      const uses = kind === 'taskQueue' ? t.taskQueueSid === sid : kind === 'workflow' ? t.workflowSid === sid : t.taskChannelSid === sid;
      if (uses) throw invalid(`Cannot delete ${kind === 'taskQueue' ? 'TaskQueue' : kind === 'workflow' ? 'Workflow' : 'TaskChannel'} ${sid}: Task ${t.sid} is ${t.assignmentStatus} in it`);
    }
  }

  /** Tries to reserve every waiting task (after a queue, workflow or activity change, or a restart). */
  rebalance(now: number): void {
    const waiting = [...this.tasks.values()].filter((ts) => ts.entity.assignmentStatus === 'pending' || ts.entity.assignmentStatus === 'reserved');
    waiting.sort((a, b) => a.entity.seq - b.entity.seq);
    for (const ts of waiting) this.tryAssignTask(ts, now);
  }

  /** Workflow update with ReEvaluateTasks=true: pending tasks of that workflow go through it again. */
  reEvaluate(workflowSid: string, now: number): void {
    for (const ts of [...this.tasks.values()]) {
      if (ts.entity.workflowSid === workflowSid && ts.entity.assignmentStatus === 'pending') this.route(ts, now);
    }
  }

  // ---------------------------------------------------------------- timers

  /** Timer entries are invalidated lazily (timerHeap.ts), so every finished task leaves its TTL entry (24
   *  hours ahead by default) and its step entry behind: at 200 tasks a second, millions of entries a day. Once
   *  the heap holds more than twice what can be live (each live task a TTL and a step timer, each reservation
   *  and each finished task one), the stale entries are dropped: O(n), at most once per n/2 timers scheduled.
   *  Run between commands (takeEffects), when every entry's entity is in place. */
  private dropStaleTimers(): void {
    const live = 2 * this.tasks.size + this.reservations.size + this.finished.size;
    if (this.timers.size > 2 * live + TIMER_COMPACTION_SLACK) this.timers.retain((t) => this.timerIsLive(t));
  }

  /** Whether fireDue would act on the entry: its entity still has that deadline. */
  private timerIsLive(t: Timer): boolean {
    switch (t.kind) {
      case 'ttl':
        return this.tasks.get(t.sid)?.entity.expiresAt === t.at;
      case 'step':
        return this.tasks.get(t.sid)?.entity.stepDeadline === t.at;
      case 'reservation': {
        const r = this.reservations.get(t.sid);
        return r !== undefined && r.reservationStatus === 'pending' && r.timeoutAt === t.at;
      }
      case 'cleanup':
        return this.finished.get(t.sid) === t.at;
    }
  }

  /** Fires every timer due at or before `now`, in deadline order. */
  fireDue(now: number): void {
    for (let t = this.timers.peek(); t && t.at <= now; t = this.timers.peek()) {
      this.timers.pop();
      switch (t.kind) {
        case 'ttl': {
          const ts = this.tasks.get(t.sid);
          if (!ts || ts.entity.expiresAt !== t.at) break;
          if (ts.entity.assignmentStatus === 'pending' || ts.entity.assignmentStatus === 'reserved') this.cancelTask(ts, 'Task TTL Exceeded', t.at, null);
          else this.systemDelete(ts, t.at);
          break;
        }
        case 'step': {
          const ts = this.tasks.get(t.sid);
          if (!ts || ts.entity.stepDeadline !== t.at) break;
          if (ts.entity.assignmentStatus !== 'pending' && ts.entity.assignmentStatus !== 'reserved') break;
          const wf = ts.entity.workflowSid ? this.workflows.get(ts.entity.workflowSid) : undefined;
          if (!wf) break;
          for (const rs of [...ts.reservations]) {
            const r = this.reservations.get(rs)!;
            this.setReservationStatus(r, 'canceled', t.at);
            this.emit('reservation.canceled', 'reservation', r.sid, `Reservation ${r.sid} canceled: routing step timed out`, this.reservationData(r));
          }
          if (ts.entity.assignmentStatus === 'reserved') this.setTaskStatus(ts, 'pending', t.at);
          this.advance(ts, wf, t.at, 'timeout');
          break;
        }
        case 'reservation': {
          const r = this.reservations.get(t.sid);
          if (!r || r.reservationStatus !== 'pending' || r.timeoutAt !== t.at) break;
          const ts = this.tasks.get(r.taskSid);
          const timedOut = this.setReservationStatus(r, 'timeout', t.at);
          this.emit('reservation.timeout', 'reservation', r.sid, `Reservation ${r.sid} timed out`, this.reservationData(timedOut));
          const w = this.workers.get(r.workerSid);
          // TaskRouter moves a worker who let a reservation time out to the workspace's timeout activity.
          if (w && this.workspace.timeoutActivitySid) this.moveWorker(w, this.workspace.timeoutActivitySid, t.at);
          if (ts) this.afterReservationLost(ts, t.at);
          break;
        }
        case 'cleanup': {
          if (this.finished.get(t.sid) === t.at) {
            this.finished.delete(t.sid);
            this.effects.deleted.push({ kind: 'task', sid: t.sid });
          }
          break;
        }
      }
    }
  }
}

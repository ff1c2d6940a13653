// The routing engine of one workspace: pure in-memory state, an injected clock (`now` on every call) and an
// injected SID generator, so a given sequence of commands always produces the same decisions. Every command
// mutates the state and records its effects (entities to write, events to append); the Engine writes them
// in the same transaction and discards the router if that transaction fails.
//
// This class is the router's face: it loads a snapshot and hands each command to the room that owns it. The
// rooms are functions over one RouterState (state.ts), each in its own file:
//   membership.ts    which workers belong to which queues (target_workers, indexed)
//   workers.ts       availability, capacity, longest idle; worker changes by routing and by the API
//   queues.ts        where a task waits, and whether it is in its queue's pending list
//   ordering.ts      FIFO/LIFO task orders, worker order (order_by, longest idle)
//   offers.ts        routing decisions: a task looks for workers, a worker looks for tasks
//   reservations.ts  a reservation from offer to end (accept, reject, wrap-up, complete, timeout, cancel)
//   tasks.ts         task commands and the task's own transitions
//   steps.ts         a task's way through its workflow (filters, targets, step timeouts, skip_if)
//   timers.ts        TTLs, step and reservation timeouts, removal of finished tasks
//   effects.ts       what a command changed: writes, deletes and events for the Engine
//
// What each operation costs (W = members of the queue concerned, Q = queues of the workspace, P = pending
// tasks ahead in a queue, R = reservations of one task):
//   create task / enter a step          O(W + log P): eligible members are scanned once, the task is inserted
//                                       into the queue's ordered list by binary search (O(1) when it sorts
//                                       last, as a FIFO queue's new task does)
//   worker becomes able to take work    O(sum over the worker's queues of the tasks scanned from the head until
//                                       one fits) — usually the head itself
//   accept / reject / timeout / complete O(R + the offers they trigger)
//   worker attributes change            O(Q) to recompute queue membership (never per routing decision)
//   timer                               O(log T) per timer, T = scheduled timers
// Queue membership (target_workers) is evaluated when a worker or a queue changes, never per decision.
import type { Activity, Reservation, Task, TaskChannel, TaskQueue, Worker, WorkerChannel, Workflow, Workspace } from '../../core/entities.ts';
import { holdsCapacity, isTaskActive } from '../../core/lifecycles.ts';
import { compileWorkflow } from './compiledWorkflow.ts';
import { type RouterEffects, emptyEffects } from './effects.ts';
import * as membership from './membership.ts';
import * as offers from './offers.ts';
import * as queues from './queues.ts';
import * as reservations from './reservations.ts';
import { RouterState, type TaskState, parseObject } from './state.ts';
import * as steps from './steps.ts';
import * as tasks from './tasks.ts';
import * as timers from './timers.ts';
import * as workers from './workers.ts';

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

export class WorkspaceRouter {
  private readonly state: RouterState;

  /** `finishedRetentionMs`: how long a completed or canceled task stays before it is removed. */
  constructor(snapshot: RouterSnapshot, ids: (prefix: 'WT' | 'WR') => string, finishedRetentionMs = tasks.FINISHED_TASK_RETENTION_MS) {
    const s = (this.state = new RouterState(snapshot.workspace, ids, finishedRetentionMs));
    for (const a of snapshot.activities) s.activities.set(a.sid, a);
    for (const c of snapshot.taskChannels) s.taskChannels.set(c.sid, c);
    for (const q of snapshot.queues) s.queues.set(q.sid, membership.newQueue(q));
    membership.indexQueues(s);
    for (const wf of snapshot.workflows) s.workflows.set(wf.sid, compileWorkflow(wf));
    for (const w of snapshot.workers) workers.addWorker(s, w, w.dateStatusChanged);
    for (const wc of snapshot.workerChannels) {
      const w = s.workers.get(wc.workerSid);
      if (w) w.channels.set(wc.taskChannelSid, { entity: wc, held: 0 });
    }
    for (const t of snapshot.tasks) {
      s.nextSeq = Math.max(s.nextSeq, t.seq + 1);
      if (!isTaskActive(t.assignmentStatus)) {
        if (t.cleanupAt !== null) timers.scheduleCleanup(s, t.sid, t.cleanupAt);
        continue;
      }
      const ts: TaskState = { entity: t, attributes: parseObject(t.attributes), reservations: new Set(), queuedIn: undefined, listed: false };
      s.tasks.set(t.sid, ts);
      if (t.expiresAt !== null) s.timers.push({ at: t.expiresAt, kind: 'ttl', sid: t.sid });
      if (t.stepDeadline !== null) s.timers.push({ at: t.stepDeadline, kind: 'step', sid: t.sid });
    }
    for (const r of snapshot.reservations) {
      if (!holdsCapacity(r.reservationStatus)) continue;
      const ts = s.tasks.get(r.taskSid);
      if (!ts) continue;
      s.reservations.set(r.sid, r);
      ts.reservations.add(r.sid);
      workers.hold(s, r, +1);
      if (r.reservationStatus === 'pending' && r.timeoutAt !== null) s.timers.push({ at: r.timeoutAt, kind: 'reservation', sid: r.sid });
    }
    for (const ts of s.tasks.values()) {
      if (ts.entity.assignmentStatus === 'pending' || ts.entity.assignmentStatus === 'reserved') queues.enqueue(s, ts);
    }
    for (const w of s.workers.values()) workers.refreshReady(s, w);
  }

  /** The workspace as the router last saw it (the Engine replaces it when the workspace changes). */
  get workspace(): Workspace {
    return this.state.workspace;
  }

  set workspace(workspace: Workspace) {
    this.state.workspace = workspace;
  }

  // ---------------------------------------------------------------- effects

  /** Whether anything changed since the last takeEffects (every change to the state records an effect). */
  hasEffects(): boolean {
    const e = this.state.effects;
    return e.writes.size > 0 || e.deleted.length > 0 || e.events.length > 0;
  }

  takeEffects(): RouterEffects {
    timers.dropStaleTimers(this.state);
    const e = this.state.effects;
    this.state.effects = emptyEffects();
    return e;
  }

  // ---------------------------------------------------------------- commands

  /** `sid`: the SID the task takes (a task another node asked for has it already); a new one otherwise. */
  createTask(input: tasks.CreateTaskInput, now: number, sid?: string): Task {
    return tasks.createTask(this.state, input, now, sid);
  }

  updateTask(sid: string, input: tasks.UpdateTaskInput, now: number, stored: Task | undefined): Task {
    return tasks.updateTask(this.state, sid, input, now, stored);
  }

  deleteTask(sid: string, ifMatch: string | undefined, now: number, stored: Task | undefined): void {
    tasks.deleteTask(this.state, sid, ifMatch, now, stored);
  }

  updateReservation(stored: Reservation, input: reservations.UpdateReservationInput, now: number): Reservation {
    return reservations.updateReservation(this.state, stored, input, now);
  }

  /** A worker was created or changed through the API: recompute membership and offer it work. */
  workerUpserted(worker: Worker, channels: WorkerChannel[], now: number, options: { rejectPendingReservations?: boolean } = {}): void {
    workers.workerUpserted(this.state, worker, channels, now, options);
  }

  /** Refuses to delete a worker that holds tasks; cancels its pending reservations otherwise. */
  workerDeleted(sid: string, now: number): void {
    workers.workerDeleted(this.state, sid, now);
  }

  /** Refuses configuration deletes that would strand active tasks. */
  assertNoActiveTasksIn(kind: 'taskQueue' | 'workflow' | 'taskChannel', sid: string): void {
    tasks.assertNoActiveTasksIn(this.state, kind, sid);
  }

  /** Tries to reserve every waiting task (after a queue, workflow or activity change, or a restart). */
  rebalance(now: number): void {
    offers.rebalance(this.state, now);
  }

  /** Workflow update with ReEvaluateTasks=true: pending tasks of that workflow go through it again. */
  reEvaluate(workflowSid: string, now: number): void {
    steps.reEvaluate(this.state, workflowSid, now);
  }

  /** Fires every timer due at or before `now`, in deadline order. */
  fireDue(now: number): void {
    timers.fireDue(this.state, now);
  }

  // ---------------------------------------------------------------- reads

  /** Is this task still routed by the engine (not finished)? Finished tasks are read from the store. */
  isActive(sid: string): boolean {
    return this.state.tasks.has(sid);
  }

  reservationOf(sid: string): Reservation | undefined {
    return this.state.reservations.get(sid);
  }

  /** Tasks the worker holds on the channel: accepted or wrapping reservations (the WorkerChannel's assigned_tasks). */
  assignedTasks(workerSid: string, taskChannelSid: string): number {
    return workers.assignedTasks(this.state, workerSid, taskChannelSid);
  }

  /** Tasks waiting or reserved in a queue, in the order they will be offered (for statistics and tests). */
  queueOrder(queueSid: string): string[] {
    const q = this.state.queues.get(queueSid);
    return q ? q.pending.all().map((t) => t.entity.sid) : [];
  }

  nextDue(): number | undefined {
    return this.state.timers.peek()?.at;
  }

  /** Entries in the timer heap, stale ones included (tests: it stays proportional to the live timers). */
  scheduledTimers(): number {
    return this.state.timers.size;
  }

  /** Live tasks (pending, reserved, assigned, wrapping), for realtime statistics. */
  liveTasks(): Iterable<Task> {
    const live = this.state.tasks;
    return (function* () {
      for (const ts of live.values()) yield ts.entity;
    })();
  }

  /** Every worker with its current availability and the queues it belongs to, for realtime statistics. */
  liveWorkers(): Iterable<{ entity: Worker; available: boolean; queues: ReadonlySet<string>; channels: ReadonlyMap<string, { entity: WorkerChannel; held: number }> }> {
    return this.state.workers.values();
  }

  /** The workers a queue's expression selects (its eligible workers), or undefined for an unknown queue. */
  queueMembers(queueSid: string): ReadonlySet<string> | undefined {
    return this.state.queues.get(queueSid)?.members;
  }

  /** Every document the router holds, by kind (tests compare them with what the store holds). */
  documents(): { workspace: Workspace; activity: Activity[]; taskChannel: TaskChannel[]; worker: Worker[]; workerChannel: WorkerChannel[]; taskQueue: TaskQueue[]; workflow: Workflow[]; task: Task[]; reservation: Reservation[] } {
    const s = this.state;
    const all = [...s.workers.values()];
    return {
      workspace: s.workspace,
      activity: [...s.activities.values()],
      taskChannel: [...s.taskChannels.values()],
      worker: all.map((w) => w.entity),
      workerChannel: all.flatMap((w) => [...w.channels.values()].map((c) => c.entity)),
      taskQueue: [...s.queues.values()].map((q) => q.entity!),
      workflow: [...s.workflows.values()].map((wf) => wf.entity),
      task: [...s.tasks.values()].map((t) => t.entity),
      reservation: [...s.reservations.values()],
    };
  }

  hasActiveTasks(): boolean {
    return this.state.tasks.size > 0 || this.state.finished.size > 0;
  }
}

// Tasks room: the task commands (create, update, delete) and the task's own transitions (reserved, assigned,
// wrapping, completed, canceled, system-deleted), each along the task state table of core/lifecycles.ts.
import { type ApiError, invalid, notFound } from '../../core/errors.ts';
import type { Reservation, Task, TaskChannel, TaskStatus } from '../../core/entities.ts';
import { copyTask } from '../../core/entityCopies.ts';
import { assertTaskTransition } from '../../core/lifecycles.ts';
import { assertVersion } from '../configuration/context.ts';
import * as effects from './effects.ts';
import * as offers from './offers.ts';
import * as queues from './queues.ts';
import * as reservations from './reservations.ts';
import { type RouterState, type TaskState, parseObject } from './state.ts';
import * as steps from './steps.ts';
import * as timers from './timers.ts';

/** Finished tasks stay readable this long, then are removed (TaskRouter's lifecycle page: 5 minutes). A server
 *  may be given another (SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS): the benchmarks shorten it so that their
 *  windows of a few seconds hold the removals a server under a steady load makes. */
export const FINISHED_TASK_RETENTION_MS = 5 * 60 * 1000;
/** TaskRouter limits (reference §14): a task is canceled after 1,000 pending->reserved transitions, and an
 *  assigned task left for 24 hours is deleted by the system. */
export const MAX_ASSIGNMENT_COUNT = 1000;
export const MAX_ASSIGNED_MS = 86_400 * 1000;

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

/** Moves the task along its state table; `also` changes other fields in the same (single) copy. */
export function setTaskStatus(s: RouterState, ts: TaskState, to: TaskStatus, now: number, also?: Partial<Task>): void {
  assertTaskTransition(ts.entity.sid, ts.entity.assignmentStatus, to);
  const next = copyTask(ts.entity);
  if (also) Object.assign(next, also);
  next.assignmentStatus = to;
  next.dateUpdated = now;
  next.version = ts.entity.version + 1;
  ts.entity = next;
  effects.write(s, { kind: 'task', entity: ts.entity });
  queues.relist(s, ts);
}

/** A task channel of the workspace by SID or unique name (case-insensitive); `default` when none is given. */
function resolveChannel(s: RouterState, given: string | undefined): TaskChannel {
  const wanted = given ?? 'default';
  const byId = s.taskChannels.get(wanted);
  if (byId) return byId;
  for (const c of s.taskChannels.values()) if (c.uniqueName.toLowerCase() === wanted.toLowerCase()) return c;
  throw invalid(`Invalid parameter TaskChannel: TaskChannel ${wanted} not found in this Workspace`);
}

/** `sid`: the SID the task takes (a task another node asked for has it already); a new one otherwise. */
export function createTask(s: RouterState, input: CreateTaskInput, now: number, sid?: string): Task {
  const channel = resolveChannel(s, input.taskChannel);
  let workflowSid: string | null = null;
  let routingTarget: string | null = input.routingTarget ?? null;
  if (routingTarget !== null) {
    const ok =
      (routingTarget.startsWith('WK') && s.workers.has(routingTarget)) ||
      (routingTarget.startsWith('WQ') && s.queues.has(routingTarget)) ||
      (routingTarget.startsWith('WW') && s.workflows.has(routingTarget));
    if (!ok) throw invalid(`Invalid parameter RoutingTarget: ${routingTarget} is not a Worker, TaskQueue or Workflow of this Workspace`);
    if (routingTarget.startsWith('WW')) {
      workflowSid = routingTarget;
      routingTarget = null;
    }
  }
  if (routingTarget === null && workflowSid === null) {
    if (input.workflowSid !== undefined) {
      if (!s.workflows.has(input.workflowSid)) throw invalid(`Invalid parameter WorkflowSid: Workflow ${input.workflowSid} not found in this Workspace`);
      workflowSid = input.workflowSid;
    } else if (s.workflows.size === 1) {
      workflowSid = [...s.workflows.keys()][0]!;
    } else {
      throw invalid('WorkflowSid field is required: this Workspace has ' + (s.workflows.size === 0 ? 'no Workflow' : 'more than one Workflow'));
    }
  }
  if (input.taskQueueSid !== undefined && !s.queues.has(input.taskQueueSid)) {
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
    sid: sid ?? s.ids('WT'),
    accountSid: s.workspace.accountSid,
    workspaceSid: s.workspace.sid,
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
    seq: s.nextSeq++,
    dateCreated: now,
    dateUpdated: now,
    version: 0,
    assignmentCount: 0,
  };
  const ts: TaskState = { entity: task, attributes: parseObject(task.attributes), reservations: new Set(), queuedIn: undefined, listed: false };
  s.tasks.set(task.sid, ts);
  effects.write(s, { kind: 'task', entity: task }, true);
  s.timers.push({ at: task.expiresAt!, kind: 'ttl', sid: task.sid });
  const mark = s.effects.events.length;
  steps.route(s, ts, now);
  // TaskRouter reports task.created after the workflow/queue entry events and before the target match.
  const events = s.effects.events;
  let at = mark;
  while (at < events.length && events[at]!.eventType !== 'workflow.target-matched') at++;
  const created = { eventType: 'task.created', resourceType: 'task', resourceSid: task.sid, description: `Task ${task.sid} created`, data: effects.taskData(s, ts) };
  events.splice(at < events.length ? at : mark, 0, created);
  return ts.entity;
}

function taskNotFound(s: RouterState, sid: string): ApiError {
  return notFound(`/v1/Workspaces/${s.workspace.sid}/Tasks/${sid}`);
}

/** Task update: attributes, priority, channel, virtual start time, and the status moves the API allows
 *  (cancel, wrap up, complete). A finished task takes only new attributes. */
export function updateTask(s: RouterState, sid: string, input: UpdateTaskInput, now: number, stored: Task | undefined): Task {
  const ts = s.tasks.get(sid);
  if (!ts) {
    // A finished task: only attributes may still change (TaskRouter emits task.updated after completion).
    if (!stored) throw taskNotFound(s, sid);
    assertVersion(stored.version, input.ifMatch);
    if (input.assignmentStatus !== undefined && input.assignmentStatus !== stored.assignmentStatus) {
      throw invalid(`Task ${sid} is ${stored.assignmentStatus} and cannot move to ${input.assignmentStatus}`);
    }
    if (input.priority !== undefined || input.taskChannel !== undefined || input.virtualStartTime !== undefined) {
      throw invalid(`Task ${sid} is ${stored.assignmentStatus}: only Attributes can be updated`);
    }
    if (input.attributes === undefined) return stored;
    const updated = copyTask(stored);
    updated.attributes = input.attributes;
    updated.dateUpdated = now;
    updated.version = stored.version + 1;
    effects.write(s, { kind: 'task', entity: updated });
    effects.emit(s, 'task.updated', 'task', sid, `Task ${sid} updated`, { task_sid: sid, task_attributes: input.attributes });
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
  const channel = input.taskChannel !== undefined ? resolveChannel(s, input.taskChannel) : undefined;
  if (input.virtualStartTime !== undefined && input.virtualStartTime > now) throw invalid('Invalid parameter VirtualStartTime: must not be in the future');
  const attributesChanged = input.attributes !== undefined && input.attributes !== ts.entity.attributes;
  queues.reorder(ts, (t) => {
    const next = copyTask(t);
    next.attributes = input.attributes ?? t.attributes;
    next.priority = input.priority ?? t.priority;
    next.taskChannelSid = channel?.sid ?? t.taskChannelSid;
    next.virtualStartTime = input.virtualStartTime ?? t.virtualStartTime;
    next.dateUpdated = now;
    next.version = t.version + 1;
    return next;
  });
  if (attributesChanged) ts.attributes = parseObject(ts.entity.attributes);
  effects.write(s, { kind: 'task', entity: ts.entity });
  if (attributesChanged || input.priority !== undefined) {
    effects.emit(s, 'task.updated', 'task', sid, `Task ${sid} updated`, effects.taskData(s, ts));
  }
  if (status === 'canceled' && ts.entity.assignmentStatus !== 'canceled') {
    cancelTask(s, ts, input.reason ?? 'Task canceled via the API', now, null);
  } else if (status === 'wrapping' && ts.entity.assignmentStatus === 'assigned') {
    wrapTask(s, ts, now, input.reason);
  } else if (status === 'completed' && ts.entity.assignmentStatus !== 'completed') {
    completeTask(s, ts, input.reason ?? null, now);
  } else if (attributesChanged && ts.entity.assignmentStatus === 'pending') {
    // New attributes can change which filter matches: a pending task goes through its workflow again.
    steps.route(s, ts, now);
  } else if (ts.entity.assignmentStatus === 'pending') {
    offers.tryAssignTask(s, ts, now);
  }
  return (s.tasks.get(sid) ?? ts).entity;
}

/** Deletes a task: its reservations end (pending ones canceled, held ones completed) and their workers are
 *  offered other work. */
export function deleteTask(s: RouterState, sid: string, ifMatch: string | undefined, now: number, stored: Task | undefined): void {
  const ts = s.tasks.get(sid);
  if (!ts) {
    if (!stored) throw taskNotFound(s, sid);
    assertVersion(stored.version, ifMatch);
    s.finished.delete(sid);
    s.effects.deleted.push({ kind: 'task', sid });
    effects.emit(s, 'task.deleted', 'task', sid, `Task ${sid} deleted`, { task_sid: sid, task_attributes: stored.attributes });
    return;
  }
  assertVersion(ts.entity.version, ifMatch);
  const freed = new Set(reservations.endAll(s, ts, now, 'completed', 'ended: task deleted'));
  queues.dequeue(ts);
  s.tasks.delete(sid);
  s.effects.deleted.push({ kind: 'task', sid });
  effects.emit(s, 'task.deleted', 'task', sid, `Task ${sid} deleted`, effects.taskData(s, ts));
  for (const w of freed) offers.offerIfPossible(s, w, now);
}

/** Cancels a waiting task (API, TTL, workflow timeout, assignment limit): its offers are canceled. */
export function cancelTask(s: RouterState, ts: TaskState, reason: string, now: number, workflowEvent: string | null): void {
  const freed = reservations.endAll(s, ts, now, 'canceled', 'canceled');
  queues.dequeue(ts);
  finish(s, ts, 'canceled', reason, now);
  if (workflowEvent) effects.emit(s, workflowEvent, 'task', ts.entity.sid, reason, effects.taskData(s, ts));
  effects.emit(s, 'task.canceled', 'task', ts.entity.sid, `Task ${ts.entity.sid} canceled: ${reason}`, effects.extend(effects.taskData(s, ts), { task_canceled_reason: reason, reason }));
  for (const w of freed) offers.offerIfPossible(s, w, now);
}

/** Assigned -> wrapping, with its accepted reservations. */
export function wrapTask(s: RouterState, ts: TaskState, now: number, reason?: string): void {
  setTaskStatus(s, ts, 'wrapping', now, reason !== undefined ? { reason } : undefined);
  for (const rs of [...ts.reservations]) {
    const r = s.reservations.get(rs)!;
    if (r.reservationStatus === 'accepted') {
      reservations.setReservationStatus(s, r, 'wrapping', now);
      effects.emit(s, 'reservation.wrapup', 'reservation', r.sid, `Reservation ${r.sid} wrapping`, effects.reservationData(s, r));
    }
  }
  effects.write(s, { kind: 'task', entity: ts.entity });
  effects.emit(s, 'task.wrapup', 'task', ts.entity.sid, `Task ${ts.entity.sid} wrapping up`, effects.taskData(s, ts));
}

/** Completes the task and its held reservations, freeing their workers. */
export function completeTask(s: RouterState, ts: TaskState, reason: string | null, now: number): void {
  assertTaskTransition(ts.entity.sid, ts.entity.assignmentStatus, 'completed');
  const freed: string[] = [];
  const completedReservations: Reservation[] = [];
  for (const rs of [...ts.reservations]) {
    const r = s.reservations.get(rs)!;
    if (r.reservationStatus === 'accepted' || r.reservationStatus === 'wrapping') {
      completedReservations.push(reservations.setReservationStatus(s, r, 'completed', now));
      freed.push(r.workerSid);
    }
  }
  finish(s, ts, 'completed', reason ?? 'Task completed', now);
  // Observed order: task.completed, then reservation.completed.
  effects.emit(s, 'task.completed', 'task', ts.entity.sid, `Task ${ts.entity.sid} completed`, effects.extend(effects.taskData(s, ts), { task_completed_reason: reason }));
  for (const r of completedReservations) effects.emit(s, 'reservation.completed', 'reservation', r.sid, `Reservation ${r.sid} completed`, effects.reservationData(s, r, ts.entity));
  for (const w of freed) offers.offerIfPossible(s, w, now);
}

/** A task reached completed or canceled: it leaves the engine and is removed after the retention period. */
function finish(s: RouterState, ts: TaskState, to: 'completed' | 'canceled', reason: string, now: number): void {
  const cleanupAt = now + s.finishedRetentionMs;
  setTaskStatus(s, ts, to, now, { reason, expiresAt: null, stepDeadline: null, cleanupAt });
  s.tasks.delete(ts.entity.sid);
  timers.scheduleCleanup(s, ts.entity.sid, cleanupAt);
}

/** An assigned (or wrapping) task left for 24 hours: TaskRouter deletes it (`task.system-deleted`) and the
 *  worker's capacity is freed. */
export function systemDelete(s: RouterState, ts: TaskState, now: number): void {
  const freed = reservations.endAll(s, ts, now, 'completed', null);
  queues.dequeue(ts);
  s.tasks.delete(ts.entity.sid);
  s.effects.deleted.push({ kind: 'task', sid: ts.entity.sid });
  effects.emit(s, 'task.system-deleted', 'task', ts.entity.sid, `Task ${ts.entity.sid} deleted by the system after 24 hours in ${ts.entity.assignmentStatus}`, effects.taskData(s, ts));
  for (const w of freed) offers.offerIfPossible(s, w, now);
}

/** Refuses configuration deletes that would strand active tasks. */
export function assertNoActiveTasksIn(s: RouterState, kind: 'taskQueue' | 'workflow' | 'taskChannel', sid: string): void {
  for (const ts of s.tasks.values()) {
    const t = ts.entity;
    const uses = kind === 'taskQueue' ? t.taskQueueSid === sid : kind === 'workflow' ? t.workflowSid === sid : t.taskChannelSid === sid;
    if (uses) throw invalid(`Cannot delete ${kind === 'taskQueue' ? 'TaskQueue' : kind === 'workflow' ? 'Workflow' : 'TaskChannel'} ${sid}: Task ${t.sid} is ${t.assignmentStatus} in it`);
  }
}

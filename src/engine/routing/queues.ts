// Queues room: where a task waits. A task waits in one queue (its current workflow target, a RoutingTarget
// queue, or a worker's direct queue) and is in that queue's pending list only while it can take another
// reservation, so a worker looking for work never walks past fully reserved tasks.
import type { Task } from '../../core/entities.ts';
import * as membership from './membership.ts';
import type { QueueState, RouterState, TaskState } from './state.ts';

/** Puts the task in the queue its fields name (or its worker's direct queue) and lists it if it can take an offer. */
export function enqueue(s: RouterState, ts: TaskState): void {
  const t = ts.entity;
  const q = t.routingTarget?.startsWith('WK') && t.taskQueueSid === null ? membership.directQueue(s, t.routingTarget) : t.taskQueueSid ? s.queues.get(t.taskQueueSid) : undefined;
  if (!q) return;
  ts.queuedIn = q;
  relist(s, ts);
}

/** Takes the task out of its queue. */
export function dequeue(ts: TaskState): void {
  if (ts.listed) ts.queuedIn?.pending.remove(ts);
  ts.listed = false;
  ts.queuedIn = undefined;
}

/** A queue's pending list holds only the tasks that can still take a reservation, so a worker looking for
 *  work never walks past tasks that are already fully reserved. Called whenever that may have changed. */
export function relist(s: RouterState, ts: TaskState): void {
  const q = ts.queuedIn;
  if (!q) return;
  const should = canTakeMore(s, ts, q);
  if (should === ts.listed) return;
  if (should) q.pending.insert(ts);
  else q.pending.remove(ts);
  ts.listed = should;
}

/** Changes task fields that the queue order depends on: out of the list, change, back in. */
export function reorder(ts: TaskState, change: (t: Task) => Task): void {
  const q = ts.listed ? ts.queuedIn : undefined;
  if (q) q.pending.remove(ts);
  ts.entity = change(ts.entity);
  if (q) q.pending.insert(ts);
}

/** Whether the task can take another reservation in the queue: waiting, not yet accepted, fewer pending offers
 *  than the queue's max_reserved_workers. */
export function canTakeMore(s: RouterState, ts: TaskState, q: QueueState): boolean {
  const status = ts.entity.assignmentStatus;
  if (status !== 'pending' && status !== 'reserved') return false;
  let pending = 0;
  for (const rs of ts.reservations) {
    const r = s.reservations.get(rs);
    if (r?.reservationStatus === 'pending') pending++;
    else if (r) return false; // accepted already
  }
  return pending < q.maxReservedWorkers;
}

// Membership room: which workers belong to which queues. A queue's target_workers expression is evaluated
// when a worker or a queue changes (computeMembership), never per routing decision; `key == literal`
// expressions are indexed (indexQueues) so 5,000 such queues cost one lookup per worker. A worker's direct queue
// (tasks with RoutingTarget=WK…) has that worker as its only member.
import type { TaskQueue, Worker } from '../../core/entities.ts';
import { compileExpression } from '../../expr/index.ts';
import { fifoOrder, lifoOrder } from './ordering.ts';
import { PendingTasks } from './pendingTasks.ts';
import { ReadyWorkers } from './readyWorkers.ts';
import type { QueueState, RouterState, WorkerState } from './state.ts';

/** The routing state of a TaskQueue: its compiled expression and empty member, ready and pending lists. */
export function newQueue(q: TaskQueue): QueueState {
  const lifo = q.taskOrder === 'LIFO';
  return {
    sid: q.sid,
    entity: q,
    expression: compileExpression(q.targetWorkers, 'queue'),
    maxReservedWorkers: q.maxReservedWorkers,
    lifo,
    members: new Set(),
    ready: new ReadyWorkers(),
    pending: new PendingTasks(lifo ? lifoOrder : fifoOrder),
  };
}

/** A worker's direct queue (tasks with RoutingTarget=WK…), created on first use. */
export function directQueue(s: RouterState, workerSid: string): QueueState {
  let q = s.directQueues.get(workerSid);
  if (!q) {
    q = { sid: workerSid, entity: undefined, expression: undefined, maxReservedWorkers: 1, lifo: false, members: new Set([workerSid]), ready: new ReadyWorkers(), pending: new PendingTasks(fifoOrder) };
    s.directQueues.set(workerSid, q);
    const w = s.workers.get(workerSid);
    if (w) {
      w.queues.add(workerSid);
      q.ready.add(w);
    }
  }
  return q;
}

/** What `worker.` keys see in target expressions: the attributes plus sid, friendly_name, activity_*. */
export function workerContext(s: RouterState, w: Worker, attributes: Record<string, unknown>): Record<string, unknown> {
  return { ...attributes, sid: w.sid, friendly_name: w.friendlyName, activity_sid: w.activitySid, activity_name: s.activities.get(w.activitySid)?.friendlyName ?? null };
}

/** Queue expressions of the form `key == literal` grouped by key and indexed by literal: a worker's
 *  membership in all of them is one lookup per key instead of one evaluation per queue (5,000 queues of
 *  `skill == N` cost one lookup). Every other expression is evaluated. */
export function indexQueues(s: RouterState): void {
  s.equalityGroups.clear();
  s.scannedQueues.length = 0;
  for (const q of s.queues.values()) {
    const eq = q.expression?.equality;
    if (!eq) {
      s.scannedQueues.push(q);
      continue;
    }
    let group = s.equalityGroups.get(eq.key);
    if (!group) {
      group = { value: eq.value, byLiteral: new Map() };
      s.equalityGroups.set(eq.key, group);
    }
    const list = group.byLiteral.get(eq.literal) ?? [];
    list.push(q);
    group.byLiteral.set(eq.literal, list);
  }
}

/** Recomputes the queues a worker belongs to and moves it in and out of their member and ready lists. */
export function computeMembership(s: RouterState, w: WorkerState): void {
  const ctx = { root: w.attributes };
  const member = new Set<QueueState>();
  for (const q of s.scannedQueues) if (q.expression?.evaluate(ctx)) member.add(q);
  for (const group of s.equalityGroups.values()) {
    // Map keys compare like `==` on scalars (SameValueZero); a missing key or an array or object matches none.
    for (const q of group.byLiteral.get(group.value(ctx) as never) ?? []) member.add(q);
  }
  for (const sid of [...w.queues]) {
    const q = s.queues.get(sid);
    if (!q || member.has(q)) continue;
    q.members.delete(w.entity.sid);
    w.queues.delete(q.sid);
    q.ready.remove(w);
  }
  for (const q of member) {
    if (w.queues.has(q.sid)) continue;
    q.members.add(w.entity.sid);
    w.queues.add(q.sid);
    q.ready.add(w);
  }
  if (s.directQueues.has(w.entity.sid)) w.queues.add(w.entity.sid);
}

/** A queue or a direct queue by SID. */
export function queueState(s: RouterState, sid: string): QueueState | undefined {
  return s.queues.get(sid) ?? s.directQueues.get(sid);
}

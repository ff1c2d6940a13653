// Offers room: the routing decisions. A task looks for the best eligible ready members of its queue
// (tryAssignTask, O(W) at worst, usually the head of its channel's ready list); a worker who can take work
// looks for the best task at the head of each of its queues' pending lists (offerToWorker). Either ends in
// reservations.createReservation.
import { lookup } from '../../expr/evaluate.ts';
import type { CompiledTarget } from './compiledWorkflow.ts';
import * as membership from './membership.ts';
import * as ordering from './ordering.ts';
import * as queues from './queues.ts';
import * as reservations from './reservations.ts';
import type { QueueState, RouterState, TaskState, WorkerState } from './state.ts';
import * as workers from './workers.ts';

/** The workflow target the task is in now (undefined for a RoutingTarget queue or a worker's direct queue). */
function currentTarget(s: RouterState, ts: TaskState): CompiledTarget | undefined {
  const t = ts.entity;
  if (t.workflowSid === null || t.filterIndex === null || t.targetIndex === null) return undefined;
  const wf = s.workflows.get(t.workflowSid);
  if (!wf) return undefined;
  if (t.filterIndex < 0) return wf.defaultTarget;
  return wf.filters[t.filterIndex]?.targets[t.targetIndex];
}

/** Whether the worker may be offered the task: room (unless the task ignores capacity), no offer of it
 *  already, and the target's expression and known-worker conditions. */
function eligible(s: RouterState, w: WorkerState, ts: TaskState, target: CompiledTarget | undefined): boolean {
  const t = ts.entity;
  const ignoreCapacity = t.ignoreCapacity && t.routingTarget === w.entity.sid;
  if (!ignoreCapacity && !workers.hasRoom(s, w, t.taskChannelSid)) return false;
  for (const rs of ts.reservations) {
    if (s.reservations.get(rs)?.workerSid === w.entity.sid) return false;
  }
  if (!target) return true;
  if (target.expression && !target.expression.evaluate({ task: ts.attributes, worker: w.context })) return false;
  if (target.knownWorkerSid && lookup(ts.attributes, target.knownWorkerSid) !== w.entity.sid) return false;
  if (target.knownWorkerFriendlyName && lookup(ts.attributes, target.knownWorkerFriendlyName) !== w.entity.friendlyName) return false;
  return true;
}


/** Offers a task to the best eligible members of its queue, up to max_reserved_workers. */
export function tryAssignTask(s: RouterState, ts: TaskState, now: number): number {
  const q = ts.queuedIn;
  if (!q || !queues.canTakeMore(s, ts, q)) return 0;
  const target = currentTarget(s, ts);
  const candidates: WorkerState[] = [];
  if (target?.orderBy || !q.entity) {
    // order_by needs every eligible member ranked; a direct queue (RoutingTarget=WK…) has one member who may
    // be taken even when busy (IgnoreCapacity).
    for (const sid of q.members) {
      const w = s.workers.get(sid);
      if (w && eligible(s, w, ts, target)) candidates.push(w);
    }
    candidates.sort(ordering.workerComparator(target));
  } else {
    // Longest idle first: the task channel's ready list is already in that order, so read from its head.
    let wanted = q.maxReservedWorkers;
    for (const rs of ts.reservations) if (s.reservations.get(rs)?.reservationStatus === 'pending') wanted--;
    for (const w of q.ready.on(ts.entity.taskChannelSid, s, q.members)) {
      if (candidates.length >= wanted) break;
      if (eligible(s, w, ts, target)) candidates.push(w);
    }
  }
  if (candidates.length === 0) return 0;
  let created = 0;
  for (const w of candidates) {
    if (!queues.canTakeMore(s, ts, q)) break;
    if (!reservations.createReservation(s, ts, w, q, now)) break; // the task hit the assignment limit and was canceled
    created++;
  }
  return created;
}

/** Gives a worker who can take work the best task among its queues, repeatedly while it has room. */
export function offerToWorker(s: RouterState, w: WorkerState, now: number): void {
  for (let guard = 0; guard < 1000 && w.ready; guard++) {
    let best: { ts: TaskState; q: QueueState } | undefined;
    for (const qs of w.queues) {
      const q = membership.queueState(s, qs);
      if (!q) continue;
      for (const channelSid of q.pending.channels()) {
        // A channel without room: none of its tasks can fit, so none is looked at (except in a worker's direct
        // queue, whose tasks may ignore capacity).
        const ch = w.channels.get(channelSid);
        if (q.entity && (!ch || !ch.entity.available || ch.held >= ch.entity.capacity)) continue;
        for (const ts of q.pending.onChannel(channelSid)) {
          if (!queues.canTakeMore(s, ts, q)) continue;
          if (!eligible(s, w, ts, currentTarget(s, ts))) continue;
          if (!best || ordering.betterCandidate(s, ts, q, best.ts, best.q)) best = { ts, q };
          break; // the first fitting task is this queue's best on this channel
        }
      }
    }
    if (!best) return;
    reservations.createReservation(s, best.ts, w, best.q, now);
  }
}

/** A worker gave up capacity: offer it work if it can take some. */
export function offerIfPossible(s: RouterState, workerSid: string, now: number): void {
  const w = s.workers.get(workerSid);
  if (w) offerToWorker(s, w, now);
}

/** Tries to reserve every waiting task (after a queue, workflow or activity change, or a restart). */
export function rebalance(s: RouterState, now: number): void {
  const waiting = [...s.tasks.values()].filter((ts) => ts.entity.assignmentStatus === 'pending' || ts.entity.assignmentStatus === 'reserved');
  waiting.sort((a, b) => a.entity.seq - b.entity.seq);
  for (const ts of waiting) tryAssignTask(s, ts, now);
}

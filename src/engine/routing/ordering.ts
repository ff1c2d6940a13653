// Ordering room: the orders routing decisions follow. Tasks in a queue: FIFO (higher priority, then older
// virtual start, then creation) or LIFO (newer first); across queues, the workspace's prioritize_queue_order.
// Workers: a target's order_by clauses, then longest idle, the SID breaking ties so every order is total.
import { lookup } from '../../expr/evaluate.ts';
import type { CompiledTarget } from './compiledWorkflow.ts';
import type { QueueState, RouterState, TaskState, WorkerState } from './state.ts';

/** FIFO queues: higher priority first, then the older virtual start time, then creation order. */
export function fifoOrder(a: TaskState, b: TaskState): number {
  return b.entity.priority - a.entity.priority || a.entity.virtualStartTime - b.entity.virtualStartTime || a.entity.seq - b.entity.seq;
}

/** LIFO queues: the newest virtual start time first. */
export function lifoOrder(a: TaskState, b: TaskState): number {
  return b.entity.virtualStartTime - a.entity.virtualStartTime || b.entity.seq - a.entity.seq;
}

/** Longest idle first; the SID breaks ties so the order is total (SortedList.remove needs that). */
export function idleOrder(a: WorkerState, b: WorkerState): number {
  return a.idleSince - b.idleSince || (a.entity.sid < b.entity.sid ? -1 : a.entity.sid > b.entity.sid ? 1 : 0);
}

/** order_by clauses (integer attributes; missing ones sort last whatever the direction), then longest idle. */
export function workerComparator(target: CompiledTarget | undefined): (a: WorkerState, b: WorkerState) => number {
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
    return idleOrder(a, b);
  };
}

/** Across queues: the workspace's prioritize_queue_order decides FIFO vs LIFO queues; among FIFO candidates
 *  the higher priority then the older task wins; among LIFO candidates the newer. */
export function betterCandidate(s: RouterState, a: TaskState, aq: QueueState, b: TaskState, bq: QueueState): boolean {
  if (aq.lifo !== bq.lifo) return s.workspace.prioritizeQueueOrder === 'LIFO' ? aq.lifo : !aq.lifo;
  return (aq.lifo ? lifoOrder(a, b) : fifoOrder(a, b)) < 0;
}

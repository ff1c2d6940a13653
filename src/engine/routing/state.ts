// The in-memory state of one workspace's router: workers with their capacity, queues with their members and
// ordered pending tasks, compiled workflows, the active tasks and reservations, and the timers.
import type { Reservation, Task, TaskQueue, Worker, WorkerChannel } from '../../core/entities.ts';
import type { CompiledExpression } from '../../expr/index.ts';
import type { PendingTasks } from './pendingTasks.ts';
import type { SortedList } from './sortedList.ts';

export interface ChannelState {
  entity: WorkerChannel;
  /** Reservations holding this channel: pending, accepted, wrapping. */
  held: number;
}

export interface WorkerState {
  entity: Worker;
  attributes: Record<string, unknown>;
  /** What `worker.` keys see in target expressions: the attributes plus sid, friendly_name, activity_*. */
  context: Record<string, unknown>;
  available: boolean;
  channels: Map<string, ChannelState>; // by task channel SID
  heldTotal: number;
  queues: Set<string>;
  /** Longest idle first: the time the worker last finished or gave up a task (or was created). Change it only
   *  through the router's setIdleSince, which keeps the queues' ready lists ordered. */
  idleSince: number;
  /** In an available activity with room on at least one channel: listed in its queues' `ready` lists. */
  ready: boolean;
}

export interface TaskState {
  entity: Task;
  attributes: Record<string, unknown>;
  /** Reservations of this task that hold a worker (pending, accepted, wrapping). */
  reservations: Set<string>;
  /** The queue the task currently waits in, if any. */
  queuedIn: QueueState | undefined;
  /** Whether it is in that queue's pending list (only while it can take another reservation). */
  listed: boolean;
}

export interface QueueState {
  sid: string;
  entity: TaskQueue | undefined; // undefined for a worker's direct queue (RoutingTarget=WK…)
  expression: CompiledExpression | undefined;
  maxReservedWorkers: number;
  lifo: boolean;
  members: Set<string>;
  /** Members that are ready for work, longest idle first: a routing decision reads from the head instead of
   *  scanning every member. */
  ready: SortedList<WorkerState>;
  /** Tasks that can take another reservation, by task channel, each channel's list in the queue's order. */
  pending: PendingTasks;
}

export interface ReservationState {
  entity: Reservation;
}

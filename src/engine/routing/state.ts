// The in-memory state of one workspace's router: workers with their capacity, queues with their members and
// ordered pending tasks, compiled workflows, the active tasks and reservations, the timers, and the effects
// recorded since the Engine last took them. The rooms (membership.ts, offers.ts, ...) are functions over it.
import type { Activity, Reservation, Task, TaskChannel, TaskQueue, Worker, WorkerChannel, Workspace } from '../../core/entities.ts';
import type { CompiledExpression } from '../../expr/index.ts';
import type { CompiledWorkflow } from './compiledWorkflow.ts';
import { type RouterEffects, emptyEffects } from './effects.ts';
import type { PendingTasks } from './pendingTasks.ts';
import type { ReadyWorkers } from './readyWorkers.ts';
import { TimerHeap } from './timerHeap.ts';

/** Everything one workspace's router holds. Only the router's rooms change it. */
export class RouterState {
  workspace: Workspace;
  /** New SIDs (injected, so a given sequence of commands always produces the same decisions). */
  readonly ids: (prefix: 'WT' | 'WR') => string;
  readonly activities = new Map<string, Activity>();
  readonly taskChannels = new Map<string, TaskChannel>();
  readonly workers = new Map<string, WorkerState>();
  readonly queues = new Map<string, QueueState>();
  /** Membership index (membership.indexQueues): `key == literal` queues by key, then literal; the rest are evaluated. */
  readonly equalityGroups = new Map<string, { value: (ctx: { root: unknown }) => unknown; byLiteral: Map<unknown, QueueState[]> }>();
  readonly scannedQueues: QueueState[] = [];
  /** Workers' direct queues (tasks with RoutingTarget=WK…), by worker SID. */
  readonly directQueues = new Map<string, QueueState>();
  readonly workflows = new Map<string, CompiledWorkflow>();
  /** Active tasks (pending, reserved, assigned, wrapping). */
  readonly tasks = new Map<string, TaskState>();
  /** Reservations that hold a worker (pending, accepted, wrapping). */
  readonly reservations = new Map<string, Reservation>();
  /** Finished tasks still readable, with their removal deadline. */
  readonly finished = new Map<string, number>();
  readonly timers = new TimerHeap();
  nextSeq = 1;
  effects: RouterEffects = emptyEffects();

  /** How long a finished task stays readable before it is removed (routing/tasks.ts, FINISHED_TASK_RETENTION_MS). */
  readonly finishedRetentionMs: number;

  constructor(workspace: Workspace, ids: (prefix: 'WT' | 'WR') => string, finishedRetentionMs: number) {
    this.workspace = workspace;
    this.ids = ids;
    this.finishedRetentionMs = finishedRetentionMs;
  }
}

/** A JSON object's fields; anything else (invalid JSON, an array, a scalar) reads as no fields. */
export function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

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
  /** The task channels it can take a task on now (an available activity, room on the channel, and in a
   *  single-tasking workspace nothing held): it is in its queues' ready lists of these channels. Change it only
   *  through the router's refreshReady. */
  readyOn: Set<string>;
  /** Whether readyOn has any channel. */
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
  /** Members that are ready for work, per task channel, longest idle first: a routing decision reads from the
   *  head of its task's channel instead of scanning every member. */
  ready: ReadyWorkers;
  /** Tasks that can take another reservation, by task channel, each channel's list in the queue's order. */
  pending: PendingTasks;
}

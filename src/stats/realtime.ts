// Realtime statistics: what is true now, read from the router's live state (one pass over the live tasks and
// workers of the workspace, in memory; nothing is read from disk). Field names are TaskRouter's own.
import type { Activity, Task, Worker, WorkerChannel } from '../core/entities.ts';

export interface LiveWorker {
  entity: Worker;
  available: boolean;
  queues: ReadonlySet<string>;
  channels: ReadonlyMap<string, { entity: WorkerChannel; held: number }>;
}

/** Which live tasks count: all, one queue's, one workflow's; optionally of one task channel. */
export interface TaskScope {
  taskQueueSid?: string;
  workflowSid?: string;
  taskChannelSid?: string;
}

export interface TaskFigures {
  tasks_by_status: { pending: number; reserved: number; assigned: number; wrapping: number };
  tasks_by_priority: Record<string, number>;
  total_tasks: number;
  longest_task_waiting_age: number;
  longest_task_waiting_sid: string | null;
  longest_relative_task_age_in_queue: number;
  longest_relative_task_sid_in_queue: string | null;
}

const seconds = (ms: number) => Math.max(0, Math.floor(ms / 1000));

/** Tasks by status and priority, and the longest waiting (pending or reserved) task, overall and in its queue. */
export function taskFigures(tasks: Iterable<Task>, scope: TaskScope, now: number): TaskFigures {
  const byStatus = { pending: 0, reserved: 0, assigned: 0, wrapping: 0 };
  const byPriority: Record<string, number> = {};
  let total = 0;
  let oldest: Task | undefined;
  let oldestInQueue: Task | undefined;
  for (const t of tasks) {
    if (scope.taskQueueSid && t.taskQueueSid !== scope.taskQueueSid) continue;
    if (scope.workflowSid && t.workflowSid !== scope.workflowSid) continue;
    if (scope.taskChannelSid && t.taskChannelSid !== scope.taskChannelSid) continue;
    const status = t.assignmentStatus as keyof typeof byStatus;
    if (!(status in byStatus)) continue;
    byStatus[status]++;
    total++;
    byPriority[String(t.priority)] = (byPriority[String(t.priority)] ?? 0) + 1;
    if (status === 'pending' || status === 'reserved') {
      if (!oldest || t.dateCreated < oldest.dateCreated) oldest = t;
      const entered = t.taskQueueEnteredAt ?? t.dateCreated;
      if (!oldestInQueue || entered < (oldestInQueue.taskQueueEnteredAt ?? oldestInQueue.dateCreated)) oldestInQueue = t;
    }
  }
  return {
    tasks_by_status: byStatus,
    tasks_by_priority: byPriority,
    total_tasks: total,
    longest_task_waiting_age: oldest ? seconds(now - oldest.dateCreated) : 0,
    longest_task_waiting_sid: oldest?.sid ?? null,
    longest_relative_task_age_in_queue: oldestInQueue ? seconds(now - (oldestInQueue.taskQueueEnteredAt ?? oldestInQueue.dateCreated)) : 0,
    longest_relative_task_sid_in_queue: oldestInQueue?.sid ?? null,
  };
}

export interface WorkerFigures {
  activity_statistics: { sid: string; friendly_name: string; workers: number }[];
  total_workers: number;
  /** Workers in an available activity (with room on the task channel when one is asked for). */
  total_available_workers: number;
}

/** Workers by activity (every activity of the workspace listed, in creation order), among `include`d workers. */
export function workerFigures(
  activities: readonly Activity[],
  workers: Iterable<LiveWorker>,
  include: (w: LiveWorker) => boolean,
  taskChannelSid?: string,
): WorkerFigures {
  const counts = new Map(activities.map((a) => [a.sid, 0]));
  let total = 0;
  let available = 0;
  for (const w of workers) {
    if (!include(w)) continue;
    total++;
    counts.set(w.entity.activitySid, (counts.get(w.entity.activitySid) ?? 0) + 1);
    if (!w.available) continue;
    if (taskChannelSid) {
      const c = w.channels.get(taskChannelSid);
      if (!c || !c.entity.available || c.held >= c.entity.capacity) continue;
    }
    available++;
  }
  return {
    activity_statistics: activities.map((a) => ({ sid: a.sid, friendly_name: a.friendlyName, workers: counts.get(a.sid) ?? 0 })),
    total_workers: total,
    total_available_workers: available,
  };
}

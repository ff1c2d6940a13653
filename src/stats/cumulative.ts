// Cumulative statistics: what happened in a time window, computed from the durable event log (one indexed
// range read of the window's relevant event types). Field names are TaskRouter's own.
//   reservations_*     reservation.created/accepted/rejected/timeout/canceled/rescinded
//   tasks_created      task.created (workspace)          tasks_entered  workflow.entered / task-queue.entered
//   tasks_canceled     task.canceled                      tasks_completed task.completed
//   tasks_deleted      task.deleted, task.system-deleted  tasks_moved    task-queue.moved, task-queue.timeout
//   tasks_timed_out_in_workflow  workflow.timeout
//   wait_duration_until_accepted  task age at reservation.accepted;  wait_duration_until_canceled  at task.canceled
//   wait_duration_in_queue_until_accepted  time in the queue at reservation.accepted (queues)
//   avg_task_acceptance_time  the average of wait_duration_until_accepted
//   split_by_wait_time  per threshold (s): canceled tasks and accepted reservations that waited above / below it
import type { Activity, EventRecord } from '../core/entities.ts';

export const CUMULATIVE_EVENT_TYPES = [
  'reservation.created',
  'reservation.accepted',
  'reservation.rejected',
  'reservation.timeout',
  'reservation.canceled',
  'reservation.rescinded',
  'task.created',
  'task.canceled',
  'task.completed',
  'task.deleted',
  'task.system-deleted',
  'task-queue.entered',
  'task-queue.moved',
  'task-queue.timeout',
  'workflow.entered',
  'workflow.timeout',
] as const;

export interface Durations {
  avg: number;
  min: number;
  max: number;
  total: number;
}

function durations(values: number[]): Durations {
  if (values.length === 0) return { avg: 0, min: 0, max: 0, total: 0 };
  const total = values.reduce((a, b) => a + b, 0);
  return { avg: Math.round(total / values.length), min: Math.min(...values), max: Math.max(...values), total };
}

const num = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : Number(v));

export interface ReservationCounts {
  reservations_created: number;
  reservations_accepted: number;
  reservations_rejected: number;
  reservations_timed_out: number;
  reservations_canceled: number;
  reservations_rescinded: number;
}

export function reservationCounts(events: readonly EventRecord[]): ReservationCounts {
  const count = (type: string) => events.filter((e) => e.eventType === type).length;
  return {
    reservations_created: count('reservation.created'),
    reservations_accepted: count('reservation.accepted'),
    reservations_rejected: count('reservation.rejected'),
    reservations_timed_out: count('reservation.timeout'),
    reservations_canceled: count('reservation.canceled'),
    reservations_rescinded: count('reservation.rescinded'),
  };
}

/** The figures shared by workspace, workflow and queue cumulative statistics. */
export function taskCumulative(events: readonly EventRecord[], splitBy: readonly number[] | undefined) {
  const count = (...types: string[]) => events.filter((e) => types.includes(e.eventType)).length;
  const acceptedWaits = events.filter((e) => e.eventType === 'reservation.accepted').map((e) => num(e.eventData.task_age) ?? 0);
  const canceledWaits = events.filter((e) => e.eventType === 'task.canceled').map((e) => num(e.eventData.task_age) ?? 0);
  const untilAccepted = durations(acceptedWaits);
  let split: Record<string, { above: { tasks_canceled: number; reservations_accepted: number }; below: { tasks_canceled: number; reservations_accepted: number } }> | null = null;
  if (splitBy?.length) {
    split = {};
    for (const threshold of splitBy) {
      split[String(threshold)] = {
        above: { tasks_canceled: canceledWaits.filter((w) => w > threshold).length, reservations_accepted: acceptedWaits.filter((w) => w > threshold).length },
        below: { tasks_canceled: canceledWaits.filter((w) => w <= threshold).length, reservations_accepted: acceptedWaits.filter((w) => w <= threshold).length },
      };
    }
  }
  return {
    avg_task_acceptance_time: untilAccepted.avg,
    ...reservationCounts(events),
    split_by_wait_time: split,
    wait_duration_until_accepted: untilAccepted,
    wait_duration_until_canceled: durations(canceledWaits),
    tasks_canceled: count('task.canceled'),
    tasks_completed: count('task.completed'),
    tasks_deleted: count('task.deleted', 'task.system-deleted'),
    tasks_moved: count('task-queue.moved', 'task-queue.timeout'),
    tasks_timed_out_in_workflow: count('workflow.timeout'),
    /** Entering the scope: created (workspace), entered the workflow, entered the queue. */
    tasks_created: count('task.created'),
    workflow_entered: count('workflow.entered'),
    queue_entered: count('task-queue.entered'),
    wait_duration_in_queue_until_accepted: durations(events.filter((e) => e.eventType === 'reservation.accepted').map((e) => num(e.eventData.task_age_in_queue) ?? 0)),
  };
}

/** Time spent in each activity (seconds), from the worker.activity.update events of the window. */
export function activityDurations(activities: readonly Activity[], events: readonly EventRecord[]) {
  const spent = new Map<string, number[]>(activities.map((a) => [a.sid, []]));
  for (const e of events) {
    if (e.eventType !== 'worker.activity.update') continue;
    const previous = String(e.eventData.worker_previous_activity_sid ?? '');
    const ms = num(e.eventData.worker_time_in_previous_activity_ms);
    if (ms !== undefined && spent.has(previous)) spent.get(previous)!.push(Math.floor(ms / 1000));
  }
  return activities.map((a) => ({ sid: a.sid, friendly_name: a.friendlyName, ...durations(spent.get(a.sid)!) }));
}

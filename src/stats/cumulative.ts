// Cumulative statistics: what happened in a time window, computed from the durable event log (one indexed
// aggregate of the window, summed in the store). Field names are TaskRouter's own.
//   reservations_*     reservation.created/accepted/rejected/timeout/canceled/rescinded
//   tasks_created      task.created (workspace)          tasks_entered  workflow.entered / task-queue.entered
//   tasks_canceled     task.canceled                      tasks_completed task.completed
//   tasks_deleted      task.deleted, task.system-deleted  tasks_moved    task-queue.moved, task-queue.timeout
//   tasks_timed_out_in_workflow  workflow.timeout
//   wait_duration_until_accepted  task age at reservation.accepted;  wait_duration_until_canceled  at task.canceled
//   wait_duration_in_queue_until_accepted  time in the queue at reservation.accepted (queues)
//   avg_task_acceptance_time  the average of wait_duration_until_accepted
//   split_by_wait_time  per threshold (s): canceled tasks and accepted reservations that waited above / below it
import type { Activity } from '../core/entities.ts';
import type { ActivityTimeTotals, EventTypeTotals, MeasureTotals } from '../core/repository.ts';

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

function durations(count: number, m: MeasureTotals | undefined): Durations {
  if (!count || !m) return { avg: 0, min: 0, max: 0, total: 0 };
  return { avg: Math.round(m.sum / count), min: m.min, max: m.max, total: m.sum };
}

/** The store's per-type totals of a window, looked up by event type. */
export type WindowTotals = ReadonlyMap<string, EventTypeTotals>;

export function byType(totals: readonly EventTypeTotals[]): WindowTotals {
  return new Map(totals.map((t) => [t.eventType, t]));
}

export interface ReservationCounts {
  reservations_created: number;
  reservations_accepted: number;
  reservations_rejected: number;
  reservations_timed_out: number;
  reservations_canceled: number;
  reservations_rescinded: number;
}

const countOf = (totals: WindowTotals, ...types: string[]) => types.reduce((n, t) => n + (totals.get(t)?.count ?? 0), 0);

export function reservationCounts(totals: WindowTotals): ReservationCounts {
  return {
    reservations_created: countOf(totals, 'reservation.created'),
    reservations_accepted: countOf(totals, 'reservation.accepted'),
    reservations_rejected: countOf(totals, 'reservation.rejected'),
    reservations_timed_out: countOf(totals, 'reservation.timeout'),
    reservations_canceled: countOf(totals, 'reservation.canceled'),
    reservations_rescinded: countOf(totals, 'reservation.rescinded'),
  };
}

/** The figures shared by workspace, workflow and queue cumulative statistics. `splitBy` must be the thresholds
 *  the totals were computed with (aboveAge follows their order). */
export function taskCumulative(totals: WindowTotals, splitBy: readonly number[] | undefined) {
  const accepted = totals.get('reservation.accepted');
  const canceled = totals.get('task.canceled');
  const untilAccepted = durations(accepted?.count ?? 0, accepted?.taskAge);
  let split: Record<string, { above: { tasks_canceled: number; reservations_accepted: number }; below: { tasks_canceled: number; reservations_accepted: number } }> | null = null;
  if (splitBy?.length) {
    split = {};
    splitBy.forEach((threshold, i) => {
      const acceptedAbove = accepted?.aboveAge[i] ?? 0;
      const canceledAbove = canceled?.aboveAge[i] ?? 0;
      split![String(threshold)] = {
        above: { tasks_canceled: canceledAbove, reservations_accepted: acceptedAbove },
        below: { tasks_canceled: (canceled?.count ?? 0) - canceledAbove, reservations_accepted: (accepted?.count ?? 0) - acceptedAbove },
      };
    });
  }
  return {
    avg_task_acceptance_time: untilAccepted.avg,
    ...reservationCounts(totals),
    split_by_wait_time: split,
    wait_duration_until_accepted: untilAccepted,
    wait_duration_until_canceled: durations(canceled?.count ?? 0, canceled?.taskAge),
    tasks_canceled: countOf(totals, 'task.canceled'),
    tasks_completed: countOf(totals, 'task.completed'),
    tasks_deleted: countOf(totals, 'task.deleted', 'task.system-deleted'),
    tasks_moved: countOf(totals, 'task-queue.moved', 'task-queue.timeout'),
    tasks_timed_out_in_workflow: countOf(totals, 'workflow.timeout'),
    /** Entering the scope: created (workspace), entered the workflow, entered the queue. */
    tasks_created: countOf(totals, 'task.created'),
    workflow_entered: countOf(totals, 'workflow.entered'),
    queue_entered: countOf(totals, 'task-queue.entered'),
    wait_duration_in_queue_until_accepted: durations(accepted?.count ?? 0, accepted?.taskAgeInQueue),
  };
}

/** Time spent in each activity (seconds) as the window's worker.activity.update events record it. */
export function activityDurations(activities: readonly Activity[], totals: readonly ActivityTimeTotals[]) {
  const spent = new Map(totals.map((t) => [t.activitySid, t]));
  return activities.map((a) => {
    const t = spent.get(a.sid);
    return { sid: a.sid, friendly_name: a.friendlyName, ...durations(t?.count ?? 0, t?.seconds) };
  });
}

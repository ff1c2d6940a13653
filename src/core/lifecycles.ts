// The task and reservation state machines of TaskRouter (reference/taskrouter.md §9), as tables. Every change
// of `assignment_status` or `reservation_status` goes through `assertTransition`, so an impossible transition
// is a 20001 error rather than a corrupted task.
//
// Task states and transitions:
//   pending   -> reserved   a reservation was created
//   pending   -> canceled   API cancel, TTL expired, workflow exhausted (last step timed out or skipped)
//   reserved  -> pending    every reservation ended without an accept (rejected, timeout, canceled)
//   reserved  -> assigned   a reservation was accepted
//   reserved  -> canceled   API cancel or TTL (pending reservations are canceled with it)
//   assigned  -> wrapping   API (AssignmentStatus=wrapping) or reservation wrapping
//   assigned  -> completed  API (AssignmentStatus=completed) or reservation completed
//   wrapping  -> completed  API or reservation completed
//   completed, canceled     terminal
//
// Reservation states and transitions:
//   pending   -> accepted   the worker accepted (or an accepting instruction: conference, dequeue, call/redirect with accept)
//   pending   -> rejected   the worker rejected
//   pending   -> timeout    task_reservation_timeout elapsed
//   pending   -> canceled   the task was canceled, deleted, moved to another step or expired
//   pending   -> rescinded  another reservation of the same task was accepted (multi-reservation)
//   accepted  -> wrapping   the worker wraps up (or the task was set to wrapping)
//   accepted  -> completed  the task was completed
//   wrapping  -> completed  the task was completed
//   rejected, timeout, canceled, rescinded, completed   terminal
import { invalid } from './errors.ts';
import type { ReservationStatus, TaskStatus } from './entities.ts';

export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['reserved', 'canceled'],
  reserved: ['pending', 'assigned', 'canceled'],
  assigned: ['wrapping', 'completed'],
  wrapping: ['completed'],
  completed: [],
  canceled: [],
};

export const RESERVATION_TRANSITIONS: Readonly<Record<ReservationStatus, readonly ReservationStatus[]>> = {
  pending: ['accepted', 'rejected', 'timeout', 'canceled', 'rescinded'],
  accepted: ['wrapping', 'completed'],
  wrapping: ['completed'],
  rejected: [],
  timeout: [],
  canceled: [],
  rescinded: [],
  completed: [],
};

export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

export function assertTaskTransition(sid: string, from: TaskStatus, to: TaskStatus): void {
  if (!canTransitionTask(from, to)) {
    throw invalid(`Task ${sid} cannot move from ${from} to ${to}`);
  }
}

export function assertReservationTransition(sid: string, from: ReservationStatus, to: ReservationStatus): void {
  if (!RESERVATION_TRANSITIONS[from].includes(to)) {
    throw invalid(`Reservation ${sid} is ${from} and cannot become ${to}`);
  }
}

export function isTaskActive(status: TaskStatus): boolean {
  return status !== 'completed' && status !== 'canceled';
}

/** Reservations that hold a worker's channel: pending ones count against capacity (TaskRouter behaviour). */
export function holdsCapacity(status: ReservationStatus): boolean {
  return status === 'pending' || status === 'accepted' || status === 'wrapping';
}

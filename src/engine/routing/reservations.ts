// Reservations room: a reservation from its creation (an offer) to its end, along the reservation state
// table of core/lifecycles.ts: accept (rescinds the task's other offers), reject, wrap-up, complete, timeout,
// cancel. A reservation holds its worker's capacity while pending, accepted or wrapping (workers.hold).
import { invalid } from '../../core/errors.ts';
import type { Reservation, ReservationStatus } from '../../core/entities.ts';
import { copyReservation } from '../../core/entityCopies.ts';
import { assertReservationTransition, holdsCapacity } from '../../core/lifecycles.ts';
import { assertVersion } from '../configuration/context.ts';
import * as effects from './effects.ts';
import * as offers from './offers.ts';
import * as queues from './queues.ts';
import type { QueueState, RouterState, TaskState, WorkerState } from './state.ts';
import * as tasks from './tasks.ts';
import * as workers from './workers.ts';

const DEFAULT_RESERVATION_TIMEOUT_S = 120;

export interface UpdateReservationInput {
  reservationStatus?: ReservationStatus;
  workerActivitySid?: string;
  instruction?: string;
  instructionParams?: Record<string, string | string[]>;
  ifMatch?: string;
}

/** Instructions that accept the reservation as TaskRouter documents (conference and dequeue always accept;
 *  call and redirect when their Accept flag is set). Switchboard places no calls; it records them. */
function instructionAccepts(instruction: string, params: Record<string, string | string[]>): boolean {
  const flag = (v: string | string[] | undefined) => typeof v === 'string' && /^(true|1|yes)$/i.test(v);
  switch (instruction) {
    case 'conference':
    case 'dequeue':
      return true;
    case 'call':
      return flag(params.CallAccept);
    case 'redirect':
      return flag(params.RedirectAccept);
    default:
      return false;
  }
}

/** Offers the task to the worker: a pending reservation holding the worker's channel until its timeout.
 *  Returns undefined when the task had reached MAX_ASSIGNMENT_COUNT and was canceled instead. */
export function createReservation(s: RouterState, ts: TaskState, w: WorkerState, q: QueueState, now: number): Reservation | undefined {
  const t = ts.entity;
  if (t.assignmentStatus === 'pending' && (t.assignmentCount ?? 0) >= tasks.MAX_ASSIGNMENT_COUNT) {
    tasks.cancelTask(s, ts, 'Task TTL Exceeded or Max assignment count exceeded', now, null);
    return undefined;
  }
  const wf = t.workflowSid ? s.workflows.get(t.workflowSid) : undefined;
  const timeoutS = wf?.entity.taskReservationTimeout ?? DEFAULT_RESERVATION_TIMEOUT_S;
  const r: Reservation = {
    sid: s.ids('WR'),
    accountSid: t.accountSid,
    workspaceSid: t.workspaceSid,
    taskSid: t.sid,
    workerSid: w.entity.sid,
    taskChannelSid: t.taskChannelSid,
    taskQueueSid: q.entity ? q.sid : null,
    reservationStatus: 'pending',
    timeoutAt: now + timeoutS * 1000,
    instruction: null,
    instructionParams: null,
    dateCreated: now,
    dateUpdated: now,
    version: 0,
  };
  s.reservations.set(r.sid, r);
  ts.reservations.add(r.sid);
  workers.hold(s, r, +1);
  s.timers.push({ at: r.timeoutAt!, kind: 'reservation', sid: r.sid });
  effects.write(s, { kind: 'reservation', entity: r }, true);
  if (t.assignmentStatus === 'pending') tasks.setTaskStatus(s, ts, 'reserved', now, { assignmentCount: (t.assignmentCount ?? 0) + 1 });
  queues.relist(s, ts);
  if (!s.workspace.multiTaskEnabled && q.entity?.reservationActivitySid) workers.moveWorker(s, w, q.entity.reservationActivitySid, now);
  effects.emit(s, 'reservation.created', 'reservation', r.sid, `Reservation ${r.sid} created for worker ${w.entity.friendlyName}`, effects.reservationData(s, r));
  return r;
}

/** Moves a reservation along its state table; one that stops holding capacity leaves the task and frees its
 *  worker (who becomes the longest idle from now). */
export function setReservationStatus(s: RouterState, r: Reservation, to: ReservationStatus, now: number, extra?: Partial<Reservation>): Reservation {
  assertReservationTransition(r.sid, r.reservationStatus, to);
  const updated = copyReservation(r);
  if (extra) Object.assign(updated, extra);
  updated.reservationStatus = to;
  updated.timeoutAt = to === 'pending' ? r.timeoutAt : null;
  updated.dateUpdated = now;
  updated.version = r.version + 1;
  const heldBefore = holdsCapacity(r.reservationStatus);
  const heldAfter = holdsCapacity(to);
  if (heldAfter) s.reservations.set(r.sid, updated);
  else {
    s.reservations.delete(r.sid);
    const ts = s.tasks.get(r.taskSid);
    if (ts) {
      ts.reservations.delete(r.sid);
      queues.relist(s, ts);
    }
  }
  if (heldBefore && !heldAfter) {
    const w = s.workers.get(r.workerSid);
    if (w) workers.setIdleSince(s, w, now);
    workers.hold(s, r, -1);
  }
  effects.write(s, { kind: 'reservation', entity: updated });
  return updated;
}

/** Ends every reservation of a task leaving routing (deleted, canceled, moved on by a step timeout, deleted by the
 *  system): pending ones are canceled, those holding their worker (accepted, wrapping) end as `held`. Each ends
 *  with its event, `reservation.canceled` or `reservation.completed` described "Reservation <sid> <ending>",
 *  unless `ending` is null. Returns the workers they held, for the caller to offer work once the task is
 *  settled. */
export function endAll(s: RouterState, ts: TaskState, now: number, held: 'canceled' | 'completed', ending: string | null): string[] {
  const freed: string[] = [];
  for (const rs of [...ts.reservations]) {
    const r = s.reservations.get(rs)!;
    const to = r.reservationStatus === 'pending' ? 'canceled' : held;
    setReservationStatus(s, r, to, now);
    if (ending !== null) effects.emit(s, `reservation.${to}`, 'reservation', r.sid, `Reservation ${r.sid} ${ending}`, effects.reservationData(s, r));
    freed.push(r.workerSid);
  }
  return freed;
}

/** Reservation update through the API: accept, reject, wrap up, complete, or an instruction (conference,
 *  dequeue, call, redirect) that accepts or is only recorded. */
export function updateReservation(s: RouterState, stored: Reservation, input: UpdateReservationInput, now: number): Reservation {
  const current = s.reservations.get(stored.sid) ?? stored;
  assertVersion(current.version, input.ifMatch);
  let target = input.reservationStatus;
  const instruction = input.instruction;
  const params = input.instructionParams ?? {};
  if (instruction !== undefined) {
    if (current.reservationStatus !== 'pending') {
      throw invalid(`Unable to execute ${instruction} instruction. Reservation ${current.sid} is not currently in a Pending state.`);
    }
    if (instructionAccepts(instruction, params)) target = target ?? 'accepted';
  }
  if (target === undefined) {
    if (instruction === undefined) return current;
    // An instruction that does not accept (call/redirect without Accept) is recorded only.
    const recorded = copyReservation(current);
    recorded.instruction = instruction;
    recorded.instructionParams = params;
    recorded.dateUpdated = now;
    recorded.version = current.version + 1;
    if (s.reservations.has(recorded.sid)) s.reservations.set(recorded.sid, recorded);
    effects.write(s, { kind: 'reservation', entity: recorded });
    return recorded;
  }
  if (target !== 'accepted' && target !== 'rejected' && target !== 'wrapping' && target !== 'completed') {
    throw invalid(`Invalid parameter ReservationStatus: ${target} cannot be set through the API; use accepted, rejected, wrapping or completed`);
  }
  const extra: Partial<Reservation> | undefined = instruction !== undefined ? { instruction, instructionParams: params } : undefined;
  const ts = s.tasks.get(current.taskSid);
  if (!ts || !s.reservations.has(current.sid)) {
    assertReservationTransition(current.sid, current.reservationStatus, target);
    throw invalid(`Reservation ${current.sid} is ${current.reservationStatus}`);
  }
  switch (target) {
    case 'accepted':
      return accept(s, ts, current, now, extra);
    case 'rejected':
      return reject(s, ts, current, now, input.workerActivitySid, extra);
    case 'wrapping': {
      assertReservationTransition(current.sid, current.reservationStatus, 'wrapping');
      if (ts.entity.assignmentStatus === 'assigned') tasks.wrapTask(s, ts, now);
      return s.reservations.get(current.sid) ?? current;
    }
    case 'completed': {
      assertReservationTransition(current.sid, current.reservationStatus, 'completed');
      tasks.completeTask(s, ts, null, now);
      const completed = copyReservation(current);
      completed.reservationStatus = 'completed';
      return completed;
    }
  }
}

/** Accepts the offer: the task's other pending offers are rescinded and the task is assigned. */
function accept(s: RouterState, ts: TaskState, r: Reservation, now: number, extra: Partial<Reservation> | undefined): Reservation {
  assertReservationTransition(r.sid, r.reservationStatus, 'accepted');
  const accepted = setReservationStatus(s, r, 'accepted', now, extra);
  effects.emit(s, 'reservation.accepted', 'reservation', r.sid, `Reservation ${r.sid} accepted`, effects.reservationData(s, accepted));
  const freed: string[] = [];
  for (const rs of [...ts.reservations]) {
    const other = s.reservations.get(rs)!;
    if (other.sid === r.sid || other.reservationStatus !== 'pending') continue;
    setReservationStatus(s, other, 'rescinded', now);
    effects.emit(s, 'reservation.rescinded', 'reservation', other.sid, `Reservation ${other.sid} rescinded: another worker accepted`, effects.reservationData(s, other));
    freed.push(other.workerSid);
  }
  queues.dequeue(ts);
  tasks.setTaskStatus(s, ts, 'assigned', now, { stepDeadline: null, expiresAt: now + tasks.MAX_ASSIGNED_MS });
  s.timers.push({ at: ts.entity.expiresAt!, kind: 'ttl', sid: ts.entity.sid });
  const w = s.workers.get(r.workerSid);
  const queue = r.taskQueueSid ? s.queues.get(r.taskQueueSid)?.entity : undefined;
  if (w && !s.workspace.multiTaskEnabled && queue?.assignmentActivitySid) workers.moveWorker(s, w, queue.assignmentActivitySid, now);
  for (const sid of freed) offers.offerIfPossible(s, sid, now);
  return accepted;
}

/** Rejects the offer (optionally moving the worker to an activity); the task looks for someone else. */
export function reject(s: RouterState, ts: TaskState, r: Reservation, now: number, activitySid: string | undefined, extra: Partial<Reservation> | undefined): Reservation {
  assertReservationTransition(r.sid, r.reservationStatus, 'rejected');
  if (activitySid !== undefined && !s.activities.has(activitySid)) {
    throw invalid(`Invalid parameter WorkerActivitySid: Activity ${activitySid} not found in this Workspace`);
  }
  const rejected = setReservationStatus(s, r, 'rejected', now, extra);
  effects.emit(s, 'reservation.rejected', 'reservation', r.sid, `Reservation ${r.sid} rejected`, effects.reservationData(s, rejected));
  const w = s.workers.get(r.workerSid);
  if (w && activitySid !== undefined) workers.moveWorker(s, w, activitySid, now);
  afterReservationLost(s, ts, now);
  if (w) offers.offerToWorker(s, w, now);
  return rejected;
}

/** After a pending reservation ended without an accept: back to pending when none is left, then re-route
 *  within the current step (TaskRouter retries other matching workers while the step lasts). */
export function afterReservationLost(s: RouterState, ts: TaskState, now: number): void {
  if (ts.entity.assignmentStatus === 'reserved' && ts.reservations.size === 0) tasks.setTaskStatus(s, ts, 'pending', now);
  offers.tryAssignTask(s, ts, now);
}

// Copies of the entities the router changes on every lifecycle (tasks, reservations, workers), with every field
// spelled out. Entities are never changed in place (readers and the store share them), so each status change
// makes a changed copy. Node 20's V8 copies a spread of such an object (`{ ...task, assignmentStatus }`, 24
// fields) through its slow path: about 500 ns and 1 KB of garbage per copy, against 30 to 40 ns for a literal
// that names the fields (a scratch loop of chained copies), which also gives every copy one shape with its
// fields in the object itself. A lifecycle makes seven such copies: five of the task (its queue entry, reserved,
// assigned, the update that completes it, completed) and two of the reservation (accepted, completed).
//
// A copy is fresh: the caller sets the changed fields on it before anyone else sees it. TypeScript checks that
// each literal names every required field; the assertions below fail to compile if an entity gains an optional
// field these copies do not carry.
import type { Reservation, Task, Worker } from './entities.ts';

/** The optional fields of T. */
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
/** True only when the two sets of keys are the same. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A copy of the task, for the caller to change before sharing it. */
export function copyTask(t: Task): Task {
  return {
    sid: t.sid,
    accountSid: t.accountSid,
    workspaceSid: t.workspaceSid,
    attributes: t.attributes,
    assignmentStatus: t.assignmentStatus,
    priority: t.priority,
    timeout: t.timeout,
    taskChannelSid: t.taskChannelSid,
    workflowSid: t.workflowSid,
    taskQueueSid: t.taskQueueSid,
    taskQueueEnteredAt: t.taskQueueEnteredAt,
    virtualStartTime: t.virtualStartTime,
    reason: t.reason,
    routingTarget: t.routingTarget,
    ignoreCapacity: t.ignoreCapacity,
    filterIndex: t.filterIndex,
    targetIndex: t.targetIndex,
    expiresAt: t.expiresAt,
    stepDeadline: t.stepDeadline,
    cleanupAt: t.cleanupAt,
    seq: t.seq,
    dateCreated: t.dateCreated,
    dateUpdated: t.dateUpdated,
    version: t.version,
    // Absent on rows written before it existed, which means 0: a copy carries it, so every task the router
    // changes has the same fields.
    assignmentCount: t.assignmentCount ?? 0,
  };
}

/** A copy of the reservation, for the caller to change before sharing it. */
export function copyReservation(r: Reservation): Reservation {
  return {
    sid: r.sid,
    accountSid: r.accountSid,
    workspaceSid: r.workspaceSid,
    taskSid: r.taskSid,
    workerSid: r.workerSid,
    taskChannelSid: r.taskChannelSid,
    taskQueueSid: r.taskQueueSid,
    reservationStatus: r.reservationStatus,
    timeoutAt: r.timeoutAt,
    instruction: r.instruction,
    instructionParams: r.instructionParams,
    dateCreated: r.dateCreated,
    dateUpdated: r.dateUpdated,
    version: r.version,
  };
}

/** A copy of the worker, for the caller to change before sharing it. */
export function copyWorker(w: Worker): Worker {
  return {
    sid: w.sid,
    accountSid: w.accountSid,
    workspaceSid: w.workspaceSid,
    friendlyName: w.friendlyName,
    activitySid: w.activitySid,
    attributes: w.attributes,
    dateStatusChanged: w.dateStatusChanged,
    dateCreated: w.dateCreated,
    dateUpdated: w.dateUpdated,
    version: w.version,
  };
}
// Fails to compile when an entity's optional fields are not the ones copied above.
const optionalFieldsCopied: [SameKeys<OptionalKeys<Task>, 'assignmentCount'>, SameKeys<OptionalKeys<Reservation>, never>, SameKeys<OptionalKeys<Worker>, never>] = [true, true, true];

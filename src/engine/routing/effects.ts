// Effects room: what a command changed, for the Engine to write in the command's transaction. Every change to
// the router's state records an effect here: the entities to write (inserted or updated), the tasks to delete,
// and the events to append. An event's data is a thunk evaluated when the Engine writes it (see RouterEvent).
import type { EventRecord, Reservation, Task, Worker } from '../../core/entities.ts';
import { isoMillis } from '../../core/isoTimes.ts';
import type { RouterState, TaskState } from './state.ts';

export type EntityWrite =
  | { kind: 'task'; entity: Task }
  | { kind: 'reservation'; entity: Reservation }
  | { kind: 'worker'; entity: Worker };

export type EventData = EventRecord['eventData'];

/** An event the router emits. Its data is built only when the Engine writes it: the thunk captures the
 *  (immutable) entities as they were at that moment, so later changes do not leak into it, and routing does
 *  not pay for serialising events it may emit by the dozen. */
export interface RouterEvent {
  eventType: string;
  resourceType: string;
  resourceSid: string;
  description: string;
  /** Evaluated when the transaction commits, with the commit's time (ages are measured to it). */
  data: (now: number) => EventData;
}

export interface RouterEffects {
  writes: Map<string, EntityWrite>;
  inserted: Set<string>;
  deleted: { kind: 'task' | 'reservation'; sid: string }[];
  events: RouterEvent[];
}

/** Nothing changed yet. */
export function emptyEffects(): RouterEffects {
  return { writes: new Map(), inserted: new Set(), deleted: [], events: [] };
}

/** Records an entity to write (`inserted`: a new row); a later write of the same SID replaces it. */
export function write(s: RouterState, w: EntityWrite, inserted = false): void {
  s.effects.writes.set(w.entity.sid, w);
  if (inserted) s.effects.inserted.add(w.entity.sid);
}

/** Records an event; its data may be a thunk evaluated when the Engine writes it. */
export function emit(s: RouterState, eventType: string, resourceType: string, resourceSid: string, description: string, data: EventData | ((now: number) => EventData)): void {
  s.effects.events.push({ eventType, resourceType, resourceSid, description, data: typeof data === 'function' ? data : () => data });
}

/** Event data of a task as it is now (captured), computed later. */
export function taskData(s: RouterState, ts: TaskState): (now: number) => EventData {
  const t = ts.entity;
  return (now) => taskFields(s, t, now);
}

/** The event data with extra fields after it. `data` makes a new object on each call (taskData and
 *  reservationData do), so the fields are added to it: a spread into a new object with more fields takes V8's
 *  slow path (about 2 µs an event; see core/entityCopies.ts). */
export function extend(data: (now: number) => EventData, extra: EventData): (now: number) => EventData {
  return (now) => Object.assign(data(now), extra);
}

/** TaskRouter's task fields of an event; ages are in whole seconds up to the event's time. */
function taskFields(s: RouterState, t: Task, now: number): EventData {
  const queue = t.taskQueueSid ? s.queues.get(t.taskQueueSid)?.entity : undefined;
  return {
    task_sid: t.sid,
    task_attributes: t.attributes,
    task_priority: String(t.priority),
    task_assignment_status: t.assignmentStatus,
    task_channel_sid: t.taskChannelSid,
    task_channel_unique_name: s.taskChannels.get(t.taskChannelSid)?.uniqueName ?? null,
    task_queue_sid: t.taskQueueSid,
    task_queue_name: queue?.friendlyName ?? null,
    workflow_sid: t.workflowSid,
    workflow_name: t.workflowSid ? s.workflows.get(t.workflowSid)?.entity.friendlyName ?? null : null,
    task_age: String(Math.max(0, Math.floor((now - t.dateCreated) / 1000))),
    task_age_in_queue: t.taskQueueEnteredAt === null ? null : String(Math.max(0, Math.floor((now - t.taskQueueEnteredAt) / 1000))),
    task_date_created: isoMillis(t.dateCreated),
    task_version: String(t.version),
  };
}

/** TaskRouter's reservation event fields: the task's, then the reservation's and its worker's. */
export function reservationData(s: RouterState, r: Reservation, task?: Task): (now: number) => EventData {
  const t = task ?? s.tasks.get(r.taskSid)?.entity;
  const w = s.workers.get(r.workerSid)?.entity;
  return (now) => {
    // The task's fields, then these, set on that new object (a spread of it took 8 µs an event: extend above).
    const data: EventData = t ? taskFields(s, t, now) : { task_sid: r.taskSid };
    data.reservation_sid = r.sid;
    data.worker_sid = r.workerSid;
    data.worker_name = w?.friendlyName ?? null;
    data.worker_attributes = w?.attributes ?? null;
    data.worker_activity_sid = w?.activitySid ?? null;
    return data;
  };
}

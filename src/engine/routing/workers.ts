// Workers room: a worker's availability, capacity and place in the longest-idle order. A worker is ready on a
// channel (listed in its queues' ready lists of that channel) while its activity is available and the channel
// has room; hold() and refreshReady() keep that in step with its reservations. Also the worker changes routing
// itself makes (moveWorker: reservation, assignment, reject and timeout activities) and the API's worker
// upserts and deletes.
import { copyWorker } from '../../core/entityCopies.ts';
import { invalid } from '../../core/errors.ts';
import type { Reservation, Worker, WorkerChannel } from '../../core/entities.ts';
import * as effects from './effects.ts';
import * as membership from './membership.ts';
import * as offers from './offers.ts';
import * as reservations from './reservations.ts';
import { type ChannelState, type QueueState, type RouterState, type WorkerState, parseObject } from './state.ts';

/** Adds (or replaces) a worker's routing state, with its queue membership computed. */
export function addWorker(s: RouterState, w: Worker, idleSince: number): WorkerState {
  const attributes = parseObject(w.attributes);
  const state: WorkerState = {
    entity: w,
    attributes,
    context: membership.workerContext(s, w, attributes),
    available: s.activities.get(w.activitySid)?.available ?? false,
    channels: s.workers.get(w.sid)?.channels ?? new Map(),
    heldTotal: 0,
    queues: new Set(),
    idleSince,
    readyOn: new Set(),
    ready: false,
  };
  s.workers.set(w.sid, state);
  membership.computeMembership(s, state);
  return state;
}

/** A reservation starts (+1) or stops (-1) holding its worker's channel. */
export function hold(s: RouterState, r: Reservation, delta: 1 | -1): void {
  const w = s.workers.get(r.workerSid);
  if (!w) return;
  const ch = w.channels.get(r.taskChannelSid);
  if (ch) ch.held += delta;
  w.heldTotal += delta;
  refreshReady(s, w);
}

/** Keeps `w.readyOn` (and `w.ready`) and the queues' ready lists in step with the worker's activity and free
 *  capacity, channel by channel. */
export function refreshReady(s: RouterState, w: WorkerState): void {
  const canTake = w.available && (s.workspace.multiTaskEnabled || w.heldTotal === 0);
  for (const [channelSid, ch] of w.channels) {
    const room = canTake && ch.entity.available && ch.held < ch.entity.capacity;
    if (room !== w.readyOn.has(channelSid)) setReadyOn(s, w, channelSid, room);
  }
  w.ready = w.readyOn.size > 0;
}

function setReadyOn(s: RouterState, w: WorkerState, channelSid: string, room: boolean): void {
  if (room) w.readyOn.add(channelSid);
  else w.readyOn.delete(channelSid);
  for (const qs of w.queues) {
    const q = membership.queueState(s, qs);
    if (!q) continue;
    if (room) q.ready.addOn(channelSid, w);
    else q.ready.removeOn(channelSid, w);
  }
}

/** Moves a worker in the longest-idle order (out of every ready list, change, back in). */
export function setIdleSince(s: RouterState, w: WorkerState, at: number): void {
  if (w.idleSince === at) return;
  const lists = w.ready ? [...w.queues].map((qs) => membership.queueState(s, qs)).filter((q): q is QueueState => q !== undefined) : [];
  for (const q of lists) q.ready.remove(w);
  w.idleSince = at;
  for (const q of lists) q.ready.add(w);
}

/** Tasks the worker holds on the channel: accepted or wrapping reservations (the WorkerChannel's assigned_tasks). */
export function assignedTasks(s: RouterState, workerSid: string, taskChannelSid: string): number {
  let n = 0;
  for (const r of s.reservations.values()) {
    if (r.workerSid === workerSid && r.taskChannelSid === taskChannelSid && (r.reservationStatus === 'accepted' || r.reservationStatus === 'wrapping')) n++;
  }
  return n;
}

/** Whether the worker can take a task on the channel: available activity, free channel capacity, and in a
 *  single-tasking workspace nothing else held. */
export function hasRoom(s: RouterState, w: WorkerState, channelSid: string): boolean {
  if (!w.available) return false;
  const ch: ChannelState | undefined = w.channels.get(channelSid);
  if (!ch || !ch.entity.available || ch.held >= ch.entity.capacity) return false;
  // Single-tasking: one reservation or task at a time, whatever the channel.
  return s.workspace.multiTaskEnabled || w.heldTotal === 0;
}

/** Moves a worker to an activity because of routing (timeout activity, reject activity, single-tasking
 *  reservation/assignment activities), recording it as the API would. */
export function moveWorker(s: RouterState, w: WorkerState, activitySid: string, now: number): void {
  const activity = s.activities.get(activitySid);
  if (!activity || w.entity.activitySid === activitySid) return;
  const previous = w.entity;
  const next = copyWorker(previous);
  next.activitySid = activitySid;
  next.dateStatusChanged = now;
  next.dateUpdated = now;
  next.version = previous.version + 1;
  w.entity = next;
  w.available = activity.available;
  w.context = membership.workerContext(s, w.entity, w.attributes);
  if (!w.available) setIdleSince(s, w, now);
  refreshReady(s, w);
  effects.write(s, { kind: 'worker', entity: w.entity });
  const inPrevious = now - previous.dateStatusChanged;
  effects.emit(s, 'worker.activity.update', 'worker', w.entity.sid, `Worker ${w.entity.friendlyName} updated to ${activity.friendlyName} Activity`, {
    worker_sid: w.entity.sid,
    worker_name: w.entity.friendlyName,
    worker_attributes: w.entity.attributes,
    worker_activity_sid: activitySid,
    worker_activity_name: activity.friendlyName,
    worker_previous_activity_sid: previous.activitySid,
    worker_previous_activity_name: s.activities.get(previous.activitySid)?.friendlyName ?? null,
    worker_time_in_previous_activity: String(Math.floor(inPrevious / 1000)),
    worker_time_in_previous_activity_ms: String(inPrevious),
  });
}

/** A worker was created or changed through the API: recompute membership and offer it work. */
export function workerUpserted(s: RouterState, worker: Worker, channels: WorkerChannel[], now: number, options: { rejectPendingReservations?: boolean } = {}): void {
  const existing = s.workers.get(worker.sid);
  const state = existing ?? addWorker(s, worker, now);
  if (existing) {
    const becameAvailable = !existing.available && (s.activities.get(worker.activitySid)?.available ?? false);
    existing.entity = worker;
    existing.attributes = parseObject(worker.attributes);
    existing.context = membership.workerContext(s, worker, existing.attributes);
    existing.available = s.activities.get(worker.activitySid)?.available ?? false;
    if (becameAvailable) setIdleSince(s, existing, now);
    membership.computeMembership(s, existing);
  }
  for (const wc of channels) {
    const ch = state.channels.get(wc.taskChannelSid);
    if (ch) ch.entity = wc;
    else state.channels.set(wc.taskChannelSid, { entity: wc, held: 0 });
  }
  refreshReady(s, state);
  if (options.rejectPendingReservations && !state.available) {
    // TaskRouter: the flag "is only valid if the Worker's new Activity" is unavailable; otherwise it is ignored
    // (not refused, so clients that always send it keep working). Done after the new activity is in place, so
    // the rejected tasks go to someone else.
    for (const r of [...s.reservations.values()]) {
      if (r.workerSid !== worker.sid || r.reservationStatus !== 'pending') continue;
      const ts = s.tasks.get(r.taskSid);
      if (ts) reservations.reject(s, ts, r, now, undefined, undefined);
    }
  }
  if (state.available) offers.offerToWorker(s, state, now);
}

/** Refuses to delete a worker that holds tasks; cancels its pending reservations otherwise. */
export function workerDeleted(s: RouterState, sid: string, now: number): void {
  const w = s.workers.get(sid);
  if (!w) return;
  const held = [...s.reservations.values()].filter((r) => r.workerSid === sid);
  if (held.some((r) => r.reservationStatus !== 'pending')) {
    throw invalid(`Cannot delete Worker ${sid}: it has assigned Tasks; complete them first`);
  }
  for (const r of held) {
    reservations.setReservationStatus(s, r, 'canceled', now);
    effects.emit(s, 'reservation.canceled', 'reservation', r.sid, `Reservation ${r.sid} canceled: worker deleted`, effects.reservationData(s, r));
  }
  for (const qs of w.queues) membership.queueState(s, qs)?.ready.remove(w);
  for (const q of s.queues.values()) q.members.delete(sid);
  s.workers.delete(sid);
  for (const r of held) {
    const ts = s.tasks.get(r.taskSid);
    if (ts) reservations.afterReservationLost(s, ts, now);
  }
}

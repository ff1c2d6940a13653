// Timers room: deadlines. Task TTLs (cancel a waiting task; system-delete an assigned one after 24 hours),
// workflow step timeouts, reservation timeouts and the removal of finished tasks, in one heap (timerHeap.ts)
// whose entries are invalidated lazily: an entry acts only if its entity still has that deadline.
import * as effects from './effects.ts';
import * as offers from './offers.ts';
import * as reservations from './reservations.ts';
import type { RouterState } from './state.ts';
import * as steps from './steps.ts';
import * as tasks from './tasks.ts';
import type { Timer } from './timerHeap.ts';
import * as workers from './workers.ts';

/** Stale timer entries tolerated beyond twice the live ones before they are dropped (dropStaleTimers). */
const TIMER_COMPACTION_SLACK = 1024;

/** A finished task is removed (from memory and the store) at `at`. */
export function scheduleCleanup(s: RouterState, sid: string, at: number): void {
  s.finished.set(sid, at);
  s.timers.push({ at, kind: 'cleanup', sid });
}

/** Timer entries are invalidated lazily (timerHeap.ts), so every finished task leaves its TTL entry (24
 *  hours ahead by default) and its step entry behind: at 200 tasks a second, millions of entries a day. Once
 *  the heap holds more than twice what can be live (each live task a TTL and a step timer, each reservation
 *  and each finished task one), the stale entries are dropped: O(n), at most once per n/2 timers scheduled.
 *  Run between commands (takeEffects), when every entry's entity is in place. */
export function dropStaleTimers(s: RouterState): void {
  const live = 2 * s.tasks.size + s.reservations.size + s.finished.size;
  if (s.timers.size > 2 * live + TIMER_COMPACTION_SLACK) s.timers.retain((t) => timerIsLive(s, t));
}

/** Whether fireDue would act on the entry: its entity still has that deadline. */
function timerIsLive(s: RouterState, t: Timer): boolean {
  switch (t.kind) {
    case 'ttl':
      return s.tasks.get(t.sid)?.entity.expiresAt === t.at;
    case 'step':
      return s.tasks.get(t.sid)?.entity.stepDeadline === t.at;
    case 'reservation': {
      const r = s.reservations.get(t.sid);
      return r !== undefined && r.reservationStatus === 'pending' && r.timeoutAt === t.at;
    }
    case 'cleanup':
      return s.finished.get(t.sid) === t.at;
  }
}

/** Fires every timer due at or before `now`, in deadline order. */
export function fireDue(s: RouterState, now: number): void {
  for (let t = s.timers.peek(); t && t.at <= now; t = s.timers.peek()) {
    s.timers.pop();
    switch (t.kind) {
      case 'ttl': {
        const ts = s.tasks.get(t.sid);
        if (!ts || ts.entity.expiresAt !== t.at) break;
        if (ts.entity.assignmentStatus === 'pending' || ts.entity.assignmentStatus === 'reserved') tasks.cancelTask(s, ts, 'Task TTL Exceeded', t.at, null);
        else tasks.systemDelete(s, ts, t.at);
        break;
      }
      case 'step': {
        const ts = s.tasks.get(t.sid);
        if (!ts || ts.entity.stepDeadline !== t.at) break;
        if (ts.entity.assignmentStatus !== 'pending' && ts.entity.assignmentStatus !== 'reserved') break;
        const wf = ts.entity.workflowSid ? s.workflows.get(ts.entity.workflowSid) : undefined;
        if (!wf) break;
        const freed = reservations.endAll(s, ts, t.at, 'canceled', 'canceled: routing step timed out');
        if (ts.entity.assignmentStatus === 'reserved') tasks.setTaskStatus(s, ts, 'pending', t.at);
        steps.advance(s, ts, wf, t.at, 'timeout');
        // The workers it was offered to are free again, for whatever else waits for them.
        for (const w of freed) offers.offerIfPossible(s, w, t.at);
        break;
      }
      case 'reservation': {
        const r = s.reservations.get(t.sid);
        if (!r || r.reservationStatus !== 'pending' || r.timeoutAt !== t.at) break;
        const ts = s.tasks.get(r.taskSid);
        const timedOut = reservations.setReservationStatus(s, r, 'timeout', t.at);
        effects.emit(s, 'reservation.timeout', 'reservation', r.sid, `Reservation ${r.sid} timed out`, effects.reservationData(s, timedOut));
        const w = s.workers.get(r.workerSid);
        // TaskRouter moves a worker who let a reservation time out to the workspace's timeout activity.
        if (w && s.workspace.timeoutActivitySid) workers.moveWorker(s, w, s.workspace.timeoutActivitySid, t.at);
        if (ts) reservations.afterReservationLost(s, ts, t.at);
        break;
      }
      case 'cleanup': {
        if (s.finished.get(t.sid) === t.at) {
          s.finished.delete(t.sid);
          s.effects.deleted.push({ kind: 'task', sid: t.sid });
        }
        break;
      }
    }
  }
}

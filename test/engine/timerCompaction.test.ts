// The router's timer heap under a steady stream of short tasks: entries are invalidated lazily, so without
// dropping stale ones each finished task would leave its 24-hour TTL entry behind (millions a day at a few
// hundred tasks a second). The heap must stay within twice the live timers (plus a small slack), and every
// timer that is still live must fire: tasks left pending time out on their TTL, reservations on their timeout.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { FINISHED_TASK_RETENTION_MS } from '../../src/engine/routing/tasks.ts';
import { WorkspaceRouter } from '../../src/engine/routing/workspaceRouter.ts';
import { ids, workspace } from '../../bench/engineFixture.ts';

it('stale timer entries are dropped; live ones still fire', () => {
  const snapshot = workspace({ workers: 4, queues: 1, workerAvailable: true, capacity: 1 });
  snapshot.workspace.timeoutActivitySid = null; // a worker who lets an offer time out stays available
  const router = new WorkspaceRouter(snapshot, ids);
  const start = 1_000_000;
  let now = start;
  let largest = 0;
  const lifecycles = 40_000;
  // A task whose offers are never answered: each times out after 120 s and it is offered again, until its TTL
  // (10 minutes) cancels it, while tens of thousands of stale entries come and go around its live timers.
  const lingering = router.createTask({ attributes: '{}', timeout: 600 }, now).sid;
  let lingeringTimeouts = 0;
  let lingeringCanceled = false;
  const cleanedUp = new Set<string>();
  const completedAt = new Map<string, number>();
  const take = () => {
    const effects = router.takeEffects();
    for (const e of effects.events) {
      if (e.eventType === 'reservation.timeout' && e.data(now).task_sid === lingering) lingeringTimeouts++;
      if (e.eventType === 'task.canceled' && e.resourceSid === lingering) lingeringCanceled = true;
    }
    for (const d of effects.deleted) if (d.kind === 'task') cleanedUp.add(d.sid);
    return effects;
  };
  take();
  for (let i = 0; i < lifecycles; i++) {
    now += 50;
    router.createTask({ attributes: '{}' }, now);
    for (const w of take().writes.values()) {
      if (w.kind !== 'reservation' || w.entity.reservationStatus !== 'pending' || w.entity.taskSid === lingering) continue;
      router.updateReservation(w.entity, { reservationStatus: 'accepted' }, now);
      router.updateTask(w.entity.taskSid, { assignmentStatus: 'completed' }, now, undefined);
      completedAt.set(w.entity.taskSid, now);
      take();
    }
    if (i % 100 === 0) {
      router.fireDue(now);
      take();
    }
    largest = Math.max(largest, router.scheduledTimers());
  }
  // 40,000 tasks over 2,000 s, each leaving a 24-hour TTL entry; up to 6,100 finished tasks wait for their
  // 5-minute cleanup at any time (timers fire every 100 tasks here). Kept: the live timers, at most twice
  // over, plus the slack (without the compaction: every TTL entry, over 40,000).
  const finishedAtOnce = (FINISHED_TASK_RETENTION_MS + 100 * 50) / 50;
  assert.ok(largest <= 2 * (finishedAtOnce + 16) + 1024 + 1, `the heap held ${largest} entries`);
  assert.ok(largest < lifecycles / 2, `the heap held ${largest} entries for ${lifecycles} tasks`);
  // The live timers fired through every compaction: the lingering task's offers timed out (every 120 s until
  // its TTL), its TTL canceled it, and every task finished more than 5 minutes before the end was removed.
  assert.ok(lingeringTimeouts >= 4, `${lingeringTimeouts} offers of the lingering task timed out`);
  assert.ok(lingeringCanceled, "the lingering task's TTL fired");
  assert.ok(completedAt.size > lifecycles * 0.9, `${completedAt.size} tasks completed`);
  for (const [sid, at] of completedAt) {
    if (at + FINISHED_TASK_RETENTION_MS <= now - 100 * 50) assert.ok(cleanedUp.has(sid), `task ${sid} (completed at ${at - start} ms) was removed`);
  }
});

// The short chaos run of CI: 5 SIGKILLs in about 30 s of mixed load; every invariant holds after each restart
// and every event reaches the event-callback receiver (see chaosRun.ts). `npm run chaos` is the long run (20 kills in 2 minutes).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './chaosRun.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

it('survives 5 kill -9 under mixed load with nothing lost, no double assignment, timers resumed', { timeout: 120_000 }, async () => {
  const c = await runChaos({ kills: 5, seconds: 30 });
  assert.equal(c.kills, 5);
  assert.ok(c.acknowledged > 200, `a real workload ran (${c.acknowledged} acknowledged requests)`);
  assert.deepEqual(
    { status5xx: c.status5xx, lost: c.lost, double: c.double, capacity: c.capacity, mismatch: c.mismatch, overdue: c.overdue, eventless: c.eventless, undelivered: c.undelivered },
    { status5xx: 0, lost: 0, double: 0, capacity: 0, mismatch: 0, overdue: 0, eventless: 0, undelivered: 0 },
    c.problems.join('\n'),
  );
});

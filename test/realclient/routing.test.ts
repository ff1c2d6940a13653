// End to end with the twilio client only: two skill queues, a workflow with an escalation step, tasks offered
// to the right workers, accept, complete, reject, and a reservation left to time out (on the server's fake
// clock), with task and reservation statuses checked at each step.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';

describe('routing end to end with the twilio client', () => {
  let s: TestServer;
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  let client: ReturnType<typeof twilio>;
  before(async () => {
    s = await startServer({ clock: () => now, manualTimers: true });
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
  });
  after(async () => s.close());
  const advance = async (seconds: number) => {
    now += seconds * 1000;
    await s.engine.fireDueNow();
  };

  it('routes, escalates, accepts, completes, rejects and times out', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Contact centre' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const activities = Object.fromEntries((await w.activities.list()).map((a) => [a.friendlyName, a.sid]));
    const english = await w.taskQueues.create({ friendlyName: 'English', targetWorkers: "languages HAS 'en'" });
    const spanish = await w.taskQueues.create({ friendlyName: 'Spanish', targetWorkers: "languages HAS 'es'" });
    const everyone = await w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1' });
    await w.workflows.create({
      friendlyName: 'Languages',
      taskReservationTimeout: 20,
      configuration: JSON.stringify({
        task_routing: {
          filters: [
            { filter_friendly_name: 'English', expression: "language == 'en'", targets: [{ queue: english.sid, timeout: 60 }, { queue: everyone.sid }] },
            { filter_friendly_name: 'Spanish', expression: "language == 'es'", targets: [{ queue: spanish.sid }] },
          ],
          default_filter: { queue: everyone.sid },
        },
      }),
    });
    const mk = (name: string, languages: string[], activity = 'Available') =>
      w.workers.create({ friendlyName: name, attributes: JSON.stringify({ languages }), activitySid: activities[activity] });
    const ana = await mk('ana', ['es']);
    now += 1000;
    const ed = await mk('ed', ['en']);
    const frank = await mk('frank', ['fr'], 'Offline');
    const pending = async (worker: string) => (await w.workers(worker).reservations.list({ reservationStatus: 'pending' })).map((r) => r.taskSid);

    // Spanish task -> ana; English task -> ed.
    const es = await w.tasks.create({ attributes: JSON.stringify({ language: 'es' }) });
    const en = await w.tasks.create({ attributes: JSON.stringify({ language: 'en' }) });
    assert.deepEqual(await pending(ana.sid), [es.sid]);
    assert.deepEqual(await pending(ed.sid), [en.sid]);
    assert.equal((await w.tasks(es.sid).fetch()).assignmentStatus, 'reserved');

    // ana accepts and completes.
    const [anaRes] = await w.workers(ana.sid).reservations.list();
    const accepted = await w.workers(ana.sid).reservations(anaRes!.sid).update({ reservationStatus: 'accepted' });
    assert.equal(accepted.reservationStatus, 'accepted');
    assert.equal((await w.tasks(es.sid).fetch()).assignmentStatus, 'assigned');
    const done = await w.tasks(es.sid).update({ assignmentStatus: 'completed', reason: 'resolved' });
    assert.equal(done.assignmentStatus, 'completed');
    assert.equal((await w.tasks(es.sid).reservations(anaRes!.sid).fetch()).reservationStatus, 'completed');

    // ed rejects and goes Unavailable; nobody else speaks English, so the task waits, then escalates to Everyone.
    const [edRes] = await w.workers(ed.sid).reservations.list({ reservationStatus: 'pending' });
    const rejected = await w.tasks(en.sid).reservations(edRes!.sid).update({ reservationStatus: 'rejected', workerActivitySid: activities.Unavailable });
    assert.equal(rejected.reservationStatus, 'rejected');
    assert.equal((await w.workers(ed.sid).fetch()).activityName, 'Unavailable');
    assert.equal((await w.tasks(en.sid).fetch()).assignmentStatus, 'pending');
    now += 1000; // frank becomes available after ana finished, so ana has been idle longer
    await w.workers(frank.sid).update({ activitySid: activities.Available });
    assert.deepEqual(await pending(frank.sid), [], 'frank is not in English');
    await advance(60);
    const escalated = await w.tasks(en.sid).fetch();
    assert.equal(escalated.taskQueueFriendlyName, 'Everyone');
    // ana (idle since her completion) and frank are both in Everyone; frank became available later.
    assert.deepEqual(await pending(ana.sid), [en.sid]);

    // ana lets it time out: she goes Offline and frank gets it.
    await advance(20);
    assert.equal((await w.workers(ana.sid).reservations.list({ reservationStatus: 'timeout' })).length, 1);
    assert.equal((await w.workers(ana.sid).fetch()).activityName, 'Offline');
    assert.deepEqual(await pending(frank.sid), [en.sid]);
    const [frankRes] = await w.workers(frank.sid).reservations.list({ reservationStatus: 'pending' });
    await w.workers(frank.sid).reservations(frankRes!.sid).update({ reservationStatus: 'accepted' });
    await w.tasks(en.sid).update({ assignmentStatus: 'wrapping' });
    assert.equal((await w.workers(frank.sid).reservations(frankRes!.sid).fetch()).reservationStatus, 'wrapping');
    await w.tasks(en.sid).update({ assignmentStatus: 'completed' });
    const statuses = (await w.tasks(en.sid).reservations.list()).map((r) => r.reservationStatus).sort();
    assert.deepEqual(statuses, ['completed', 'rejected', 'timeout']);
    const tasks = await w.tasks.list({ assignmentStatus: ['completed'] });
    assert.deepEqual(tasks.map((t) => t.sid).sort(), [es.sid, en.sid].sort());
  });
});

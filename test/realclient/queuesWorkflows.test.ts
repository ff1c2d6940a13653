// TaskQueues and Workflows through the official twilio client: create/fetch/update/list (paging and filters,
// EvaluateWorkerAttributes)/remove, and workflow configurations given as JSON.stringify'd documents.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertPagesThrough, clientFor, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

describe('TaskQueues with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('create, fetch, update, list with filters and paging, remove', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Queues', template: 'FIFO' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const [, available, unavailable] = await w.activities.list();
    const sample = (await w.taskQueues.list())[0]!;
    const specs = [
      { friendlyName: 'English', targetWorkers: "languages HAS 'en'" },
      { friendlyName: 'French', targetWorkers: "languages HAS 'fr'", maxReservedWorkers: 3, taskOrder: 'LIFO' as const },
      { friendlyName: 'Senior', targetWorkers: 'level >= 3' },
      { friendlyName: 'Nobody', targetWorkers: '1==2' },
      { friendlyName: 'Busy', reservationActivitySid: unavailable!.sid, assignmentActivitySid: available!.sid },
    ];
    const queues = [];
    for (const spec of specs) {
      const q = await w.taskQueues.create(spec);
      assert.match(q.sid, /^WQ[0-9a-f]{32}$/);
      assert.equal(q.friendlyName, spec.friendlyName);
      assert.equal(q.targetWorkers, spec.targetWorkers ?? '1==1');
      assert.equal(q.maxReservedWorkers, spec.maxReservedWorkers ?? 1);
      assert.equal(q.taskOrder, spec.taskOrder ?? 'FIFO');
      assert.equal(q.workspaceSid, ws.sid);
      assert.equal(q.url, `${s.origin}/v1/Workspaces/${ws.sid}/TaskQueues/${q.sid}`);
      queues.push(q);
    }
    const busy = queues[4]!;
    assert.equal(busy.reservationActivitySid, unavailable!.sid);
    assert.equal(busy.reservationActivityName, 'Unavailable');
    assert.equal(busy.assignmentActivitySid, available!.sid);
    assert.equal(busy.assignmentActivityName, 'Available');
    assert.equal(queues[0]!.reservationActivitySid, null);

    await assertPagesThrough(w.taskQueues, {}, [sample, ...queues].map((q) => q.sid));
    const names = async (opts: object) => (await w.taskQueues.list(opts)).map((q) => q.friendlyName);
    const bilingual = JSON.stringify({ languages: ['en', 'fr'], level: 5 });
    await assertPagesThrough(w.taskQueues, { evaluateWorkerAttributes: bilingual }, [sample, queues[0]!, queues[1]!, queues[2]!, busy].map((q) => q.sid));
    assert.deepEqual(await names({ evaluateWorkerAttributes: JSON.stringify({ languages: ['fr'], level: 1 }) }), ['Sample Queue', 'French', 'Busy']);
    assert.deepEqual(await names({ friendlyName: 'Senior' }), ['Senior']);
    assert.deepEqual(await names({ ordering: 'FriendlyName:asc' }), ['Busy', 'English', 'French', 'Nobody', 'Sample Queue', 'Senior']);
    const worker = await w.workers.create({ friendlyName: 'pierre', attributes: JSON.stringify({ languages: ['fr'], level: 4 }) });
    assert.deepEqual(await names({ workerSid: worker.sid }), ['Sample Queue', 'French', 'Senior', 'Busy']);

    const english = queues[0]!;
    assert.deepEqual((await w.taskQueues(english.sid).fetch()).toJSON(), english.toJSON());
    const updated = await w.taskQueues(english.sid).update({
      friendlyName: 'Anglophone',
      targetWorkers: "languages HAS 'en' OR level > 3",
      maxReservedWorkers: 5,
      taskOrder: 'LIFO',
      reservationActivitySid: unavailable!.sid,
    });
    assert.equal(updated.friendlyName, 'Anglophone');
    assert.equal(updated.targetWorkers, "languages HAS 'en' OR level > 3");
    assert.equal(updated.maxReservedWorkers, 5);
    assert.equal(updated.taskOrder, 'LIFO');
    assert.equal(updated.reservationActivityName, 'Unavailable');
    assert.deepEqual((await w.taskQueues(english.sid).fetch()).toJSON(), updated.toJSON());
    // The new expression decides membership at once.
    assert.ok((await names({ workerSid: worker.sid })).includes('Anglophone'));
    assert.deepEqual((await w.workers.list({ taskQueueSid: english.sid })).map((x) => x.friendlyName), ['pierre']);

    assert.equal(await w.taskQueues(queues[3]!.sid).remove(), true);
    await expectRestError(w.taskQueues(queues[3]!.sid).fetch(), 404, 20404);
    await expectRestError(w.taskQueues(queues[3]!.sid).update({ friendlyName: 'x' }), 404, 20404);
    assert.equal((await w.taskQueues.list()).length, 5);
    // The Sample Queue is the default Fifo workflow's target: it cannot go while the workflow routes to it.
    await expectRestError(w.taskQueues(sample.sid).remove(), 400, 20001);
    assert.equal((await w.taskQueues(sample.sid).fetch()).sid, sample.sid);
  });
});

describe('Workflows with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('create with a JSON configuration, fetch, update, list with paging, remove', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Workflows', template: 'FIFO' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const sample = (await w.taskQueues.list())[0]!;
    const fr = await w.taskQueues.create({ friendlyName: 'French', targetWorkers: "languages HAS 'fr'" });
    const fifo = (await w.workflows.list())[0]!;
    const flows = [];
    for (let i = 0; i < 5; i++) {
      const configuration = {
        task_routing: {
          filters: [{ filter_friendly_name: 'French', expression: "language == 'fr'", targets: [{ queue: fr.sid, timeout: 30 + i }, { queue: sample.sid }] }],
          default_filter: { queue: sample.sid },
        },
      };
      const wf = await w.workflows.create({
        friendlyName: `Flow ${i}`,
        configuration: JSON.stringify(configuration),
        taskReservationTimeout: 60 + i,
        assignmentCallbackUrl: `https://example.com/assign/${i}`,
        fallbackAssignmentCallbackUrl: 'https://example.com/fallback',
      });
      assert.match(wf.sid, /^WW[0-9a-f]{32}$/);
      assert.equal(wf.friendlyName, `Flow ${i}`);
      assert.deepEqual(JSON.parse(wf.configuration), configuration);
      assert.equal(wf.taskReservationTimeout, 60 + i);
      assert.equal(wf.assignmentCallbackUrl, `https://example.com/assign/${i}`);
      assert.equal(wf.fallbackAssignmentCallbackUrl, 'https://example.com/fallback');
      assert.equal(wf.documentContentType, 'application/json');
      assert.equal(wf.workspaceSid, ws.sid);
      assert.equal(wf.url, `${s.origin}/v1/Workspaces/${ws.sid}/Workflows/${wf.sid}`);
      flows.push(wf);
    }
    await assertPagesThrough(w.workflows, {}, [fifo, ...flows].map((f) => f.sid));
    assert.deepEqual((await w.workflows.list({ friendlyName: 'Flow 3' })).map((f) => f.sid), [flows[3]!.sid]);

    const flow = flows[0]!;
    assert.deepEqual((await w.workflows(flow.sid).fetch()).toJSON(), flow.toJSON());
    const simpler = { task_routing: { filters: [], default_filter: { queue: fr.sid } } };
    const updated = await w.workflows(flow.sid).update({
      friendlyName: 'Flow zero',
      configuration: JSON.stringify(simpler),
      taskReservationTimeout: 300,
      reEvaluateTasks: 'true',
    });
    assert.equal(updated.friendlyName, 'Flow zero');
    assert.deepEqual(JSON.parse(updated.configuration), simpler);
    assert.equal(updated.taskReservationTimeout, 300);
    assert.equal(updated.assignmentCallbackUrl, 'https://example.com/assign/0');
    assert.deepEqual((await w.workflows(flow.sid).fetch()).toJSON(), updated.toJSON());

    // A configuration naming a queue that is not in the workspace is refused and changes nothing.
    const ghost = JSON.stringify({ task_routing: { filters: [], default_filter: { queue: 'WQ' + '0'.repeat(32) } } });
    await expectRestError(w.workflows(flow.sid).update({ configuration: ghost }), 400, 20001);
    await expectRestError(w.workflows.create({ friendlyName: 'Ghost', configuration: ghost }), 400, 20001);
    assert.deepEqual((await w.workflows(flow.sid).fetch()).toJSON(), updated.toJSON());

    for (const f of flows) assert.equal(await w.workflows(f.sid).remove(), true);
    await expectRestError(w.workflows(flow.sid).fetch(), 404, 20404);
    assert.deepEqual((await w.workflows.list()).map((f) => f.sid), [fifo.sid]);
    // With its workflows gone, the French queue can go.
    assert.equal(await w.taskQueues(fr.sid).remove(), true);
  });
});

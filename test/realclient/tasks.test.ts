// Tasks and Reservations through the official twilio client: create/fetch/update/list (paging and every
// common filter)/remove, If-Match on tasks, and the reservation views from both the task and the worker side.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertPagesThrough, clientFor, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

/** A task as the client sees it, without `age` (seconds since creation, which moves with the clock). */
const stable = (task: { toJSON(): object }) => ({ ...task.toJSON(), age: undefined });

describe('Tasks with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('create, fetch, update, list with filters and paging, cancel, remove (nobody available: tasks wait)', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Tasks' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const support = await w.taskQueues.create({ friendlyName: 'Support', targetWorkers: '1==1' });
    const sales = await w.taskQueues.create({ friendlyName: 'Sales', targetWorkers: '1==1' });
    const flow = await w.workflows.create({
      friendlyName: 'Front door',
      configuration: JSON.stringify({
        task_routing: { filters: [{ expression: "type == 'sales'", targets: [{ queue: sales.sid }] }], default_filter: { queue: support.sid } },
      }),
    });
    const specs = [
      { type: 'support', priority: 1, channel: 'default' },
      { type: 'sales', priority: 5, channel: 'voice' },
      { type: 'support', priority: 3, channel: 'default' },
      { type: 'support', priority: 10, channel: 'chat' },
      { type: 'sales', priority: 0, channel: 'default' },
    ];
    const tasks: Awaited<ReturnType<typeof w.tasks.create>>[] = [];
    for (const [i, spec] of specs.entries()) {
      const attributes = JSON.stringify({ type: spec.type, n: i });
      const task = await w.tasks.create({ attributes, priority: spec.priority, taskChannel: spec.channel, timeout: 3600 + i });
      assert.match(task.sid, /^WT[0-9a-f]{32}$/);
      assert.equal(task.assignmentStatus, 'pending');
      assert.equal(task.attributes, attributes);
      assert.equal(task.priority, spec.priority);
      assert.equal(task.timeout, 3600 + i);
      assert.equal(task.taskChannelUniqueName, spec.channel);
      assert.equal(task.workflowSid, flow.sid);
      assert.equal(task.workflowFriendlyName, 'Front door');
      const queue = spec.type === 'sales' ? sales : support;
      assert.equal(task.taskQueueSid, queue.sid);
      assert.equal(task.taskQueueFriendlyName, queue.friendlyName);
      assert.equal(task.workspaceSid, ws.sid);
      assert.equal(task.url, `${s.origin}/v1/Workspaces/${ws.sid}/Tasks/${task.sid}`);
      assert.ok(task.age >= 0 && task.age < 60);
      tasks.push(task);
    }
    const sids = (...idx: number[]) => idx.map((i) => tasks[i]!.sid);
    const listed = async (opts: object) => (await w.tasks.list(opts)).map((t) => t.sid);

    await assertPagesThrough(w.tasks, {}, sids(0, 1, 2, 3, 4));
    await assertPagesThrough(w.tasks, { taskQueueSid: support.sid }, sids(0, 2, 3));
    await assertPagesThrough(w.tasks, { evaluateTaskAttributes: "type == 'support'" }, sids(0, 2, 3));
    await assertPagesThrough(w.tasks, { assignmentStatus: ['pending'] }, sids(0, 1, 2, 3, 4));
    assert.deepEqual(await listed({ taskQueueName: 'Sales' }), sids(1, 4));
    assert.deepEqual(await listed({ workflowSid: flow.sid }), sids(0, 1, 2, 3, 4));
    assert.deepEqual(await listed({ workflowName: 'Front door' }), sids(0, 1, 2, 3, 4));
    assert.deepEqual(await listed({ priority: 5 }), sids(1));
    assert.deepEqual(await listed({ evaluateTaskAttributes: 'n >= 3' }), sids(3, 4));
    assert.deepEqual(await listed({ assignmentStatus: ['assigned', 'completed'] }), []);

    const first = tasks[0]!;
    assert.deepEqual(stable(await w.tasks(first.sid).fetch()), stable(first));
    const attrs = JSON.stringify({ type: 'support', n: 0, vip: true });
    const updated = await w.tasks(first.sid).update({ attributes: attrs, priority: 50 });
    assert.equal(updated.attributes, attrs);
    assert.equal(updated.priority, 50);
    assert.deepEqual(stable(await w.tasks(first.sid).fetch()), stable(updated));
    assert.deepEqual(await listed({ evaluateTaskAttributes: 'vip == true' }), sids(0));

    // If-Match: the ETag of a fetch is the version the update must name.
    const etag = (await s.request('GET', `/v1/Workspaces/${ws.sid}/Tasks/${first.sid}`)).headers.get('etag')!.replace(/"/g, '');
    await expectRestError(w.tasks(first.sid).update({ ifMatch: '999', priority: 1 }), 412, 20412);
    assert.equal((await w.tasks(first.sid).fetch()).priority, 50);
    assert.equal((await w.tasks(first.sid).update({ ifMatch: etag, priority: 51 })).priority, 51);
    await expectRestError(w.tasks(first.sid).remove({ ifMatch: etag }), 412, 20412);

    const canceled = await w.tasks(tasks[1]!.sid).update({ assignmentStatus: 'canceled', reason: 'customer hung up' });
    assert.equal(canceled.assignmentStatus, 'canceled');
    assert.equal(canceled.reason, 'customer hung up');
    assert.deepEqual(await listed({ assignmentStatus: ['canceled'] }), sids(1));
    assert.deepEqual(await listed({ assignmentStatus: ['pending'] }), sids(0, 2, 3, 4));
    await expectRestError(w.tasks(tasks[1]!.sid).update({ assignmentStatus: 'completed' }), 400, 20001);

    assert.equal(await w.tasks(tasks[4]!.sid).remove(), true);
    await expectRestError(w.tasks(tasks[4]!.sid).fetch(), 404, 20404);
    await expectRestError(w.tasks(tasks[4]!.sid).update({ priority: 1 }), 404, 20404);
    await expectRestError(w.tasks('WT' + '0'.repeat(32)).remove(), 404, 20404);
    assert.deepEqual(await listed({}), sids(0, 1, 2, 3));
    await expectRestError(w.tasks.create({ attributes: '[1]' }), 400, 20001);
    await expectRestError(w.tasks.create({ attributes: '{}', taskChannel: 'nosuch' }), 400, 20001);
    await expectRestError(w.tasks.list({ assignmentStatus: ['lost'] }), 400, 20001);
  });

  it('reservations: listed and fetched from the task and the worker side, accepted and rejected', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Reservations' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const activities = Object.fromEntries((await w.activities.list()).map((a) => [a.friendlyName, a.sid]));
    const queue = await w.taskQueues.create({ friendlyName: 'All', targetWorkers: '1==1' });
    await w.workflows.create({ friendlyName: 'All', configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }) });
    const tasks = [];
    for (let i = 0; i < 5; i++) tasks.push(await w.tasks.create({ attributes: JSON.stringify({ n: i }) }));
    const alice = await w.workers.create({ friendlyName: 'alice' });
    await w.workers(alice.sid).workerChannels('default').update({ capacity: 5 });
    await w.workers(alice.sid).update({ activitySid: activities.Available });

    const views = w.workers(alice.sid).reservations;
    const pending = await views.list({ reservationStatus: 'pending' });
    assert.deepEqual(pending.map((r) => r.taskSid), tasks.map((t) => t.sid));
    for (const r of pending) {
      assert.match(r.sid, /^WR[0-9a-f]{32}$/);
      assert.equal(r.workerSid, alice.sid);
      assert.equal(r.workerName, 'alice');
      assert.equal(r.reservationStatus, 'pending');
    }
    await assertPagesThrough(views, {}, pending.map((r) => r.sid));
    await assertPagesThrough(views, { reservationStatus: 'pending' }, pending.map((r) => r.sid));

    const [r0, r1] = pending;
    const fromTask = await w.tasks(tasks[0]!.sid).reservations(r0!.sid).fetch();
    const fromWorker = await views(r0!.sid).fetch();
    assert.equal(fromTask.sid, fromWorker.sid);
    assert.equal(fromTask.taskSid, tasks[0]!.sid);
    assert.equal((await w.tasks(tasks[0]!.sid).fetch()).assignmentStatus, 'reserved');
    assert.deepEqual((await w.tasks(tasks[0]!.sid).reservations.list()).map((r) => r.sid), [r0!.sid]);

    const accepted = await w.tasks(tasks[0]!.sid).reservations(r0!.sid).update({ reservationStatus: 'accepted' });
    assert.equal(accepted.reservationStatus, 'accepted');
    assert.equal((await w.tasks(tasks[0]!.sid).fetch()).assignmentStatus, 'assigned');
    assert.equal((await views(r0!.sid).fetch()).reservationStatus, 'accepted');
    const rejected = await views(r1!.sid).update({ reservationStatus: 'rejected' });
    assert.equal(rejected.reservationStatus, 'rejected');
    assert.deepEqual((await views.list({ reservationStatus: 'accepted' })).map((r) => r.sid), [r0!.sid]);
    await expectRestError(views(r0!.sid).update({ reservationStatus: 'pending' as any }), 400, 20001);
    await expectRestError(views('WR' + '0'.repeat(32)).fetch(), 404, 20404);
    await expectRestError(w.tasks(tasks[2]!.sid).reservations(r0!.sid).fetch(), 404, 20404); // another task's reservation
  });
});

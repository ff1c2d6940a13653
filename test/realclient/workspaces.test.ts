// Workspaces and Activities through the official twilio client, exactly as a TaskRouter application calls them:
// create (with the FIFO template), fetch, update, list with filters and paging over several pages, remove.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertPagesThrough, clientFor, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

describe('Workspaces with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('creates a FIFO workspace with its activities, Sample Queue, Default Fifo Workflow and channels', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({
      friendlyName: 'Support',
      template: 'FIFO',
      eventCallbackUrl: 'https://example.com/events',
      eventsFilter: 'task.created,task.canceled',
    });
    assert.match(ws.sid, /^WS[0-9a-f]{32}$/);
    assert.equal(ws.accountSid, s.accountSid);
    assert.equal(ws.friendlyName, 'Support');
    assert.equal(ws.eventCallbackUrl, 'https://example.com/events');
    assert.equal(ws.eventsFilter, 'task.created,task.canceled');
    assert.equal(ws.multiTaskEnabled, true);
    assert.equal(ws.prioritizeQueueOrder, 'FIFO');
    assert.equal(ws.url, `${s.origin}/v1/Workspaces/${ws.sid}`);
    assert.equal(ws.links.activities, `${s.origin}/v1/Workspaces/${ws.sid}/Activities`);
    assert.ok(ws.dateCreated instanceof Date && Math.abs(ws.dateCreated.getTime() - Date.now()) < 60_000);
    assert.equal(ws.dateUpdated.getTime(), ws.dateCreated.getTime());

    const w = client.taskrouter.v1.workspaces(ws.sid);
    const activities = await w.activities.list();
    assert.deepEqual(activities.map((a) => [a.friendlyName, a.available]), [['Offline', false], ['Available', true], ['Unavailable', false]]);
    const offline = activities[0]!;
    assert.equal(ws.defaultActivitySid, offline.sid);
    assert.equal(ws.defaultActivityName, 'Offline');
    assert.equal(ws.timeoutActivitySid, offline.sid);
    assert.equal(ws.timeoutActivityName, 'Offline');

    const queues = await w.taskQueues.list();
    assert.deepEqual(queues.map((q) => [q.friendlyName, q.targetWorkers, q.taskOrder, q.maxReservedWorkers]), [['Sample Queue', '1==1', 'FIFO', 1]]);
    const flows = await w.workflows.list();
    assert.deepEqual(flows.map((f) => [f.friendlyName, f.taskReservationTimeout]), [['Default Fifo Workflow', 120]]);
    assert.equal(JSON.parse(flows[0]!.configuration).task_routing.default_filter.queue, queues[0]!.sid);
    assert.deepEqual((await w.taskChannels.list()).map((c) => c.uniqueName), ['default', 'voice', 'sms', 'chat', 'video']);

    // What the client gets from fetch is what create returned.
    assert.deepEqual((await w.fetch()).toJSON(), ws.toJSON());
  });

  it('a workspace without a template has activities and channels but no queue or workflow', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Bare' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    assert.equal((await w.activities.list()).length, 3);
    assert.deepEqual(await w.taskQueues.list(), []);
    assert.deepEqual(await w.workflows.list(), []);
    assert.equal(ws.eventCallbackUrl, null);
  });

  it('updates fields, default and timeout activities; fetch sees the update', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'To update', template: 'FIFO' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const [, available, unavailable] = await w.activities.list();
    const updated = await w.update({
      friendlyName: 'Updated',
      prioritizeQueueOrder: 'LIFO',
      defaultActivitySid: available!.sid,
      timeoutActivitySid: unavailable!.sid,
      eventCallbackUrl: 'https://example.com/cb',
    });
    assert.equal(updated.friendlyName, 'Updated');
    assert.equal(updated.prioritizeQueueOrder, 'LIFO');
    assert.equal(updated.defaultActivityName, 'Available');
    assert.equal(updated.timeoutActivityName, 'Unavailable');
    assert.equal(updated.eventCallbackUrl, 'https://example.com/cb');
    assert.equal(updated.dateCreated.getTime(), ws.dateCreated.getTime());
    assert.deepEqual((await w.fetch()).toJSON(), updated.toJSON());
    // Renaming the default activity shows in the workspace.
    await w.activities(available!.sid).update({ friendlyName: 'Ready' });
    assert.equal((await w.fetch()).defaultActivityName, 'Ready');
  });

  it('removes a workspace and everything in it', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Doomed', template: 'FIFO' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const activity = (await w.activities.list())[0]!;
    const queue = (await w.taskQueues.list())[0]!;
    const worker = await w.workers.create({ friendlyName: 'alice' });
    // A task another face asked for here while another node routed it (several nodes), not yet created: it
    // goes with the workspace rather than waiting for an owner that will never come.
    const requested = { sid: 'WT' + '7'.repeat(32), accountSid: s.accountSid, workspaceSid: ws.sid, input: { attributes: '{}' }, requestedAt: Date.now() };
    await s.store.replaying(() => s.store.transaction((repo) => repo.insert('taskRouteRequest', requested)));
    await s.store.durable();
    assert.equal(await w.remove(), true);
    assert.equal(await s.store.replaying(() => s.store.read((repo) => repo.get('taskRouteRequest', requested.sid))), undefined, 'the route request is gone');
    await expectRestError(w.fetch(), 404, 20404);
    await expectRestError(w.activities(activity.sid).fetch(), 404, 20404);
    await expectRestError(w.taskQueues(queue.sid).fetch(), 404, 20404);
    await expectRestError(w.workers(worker.sid).fetch(), 404, 20404);
    await expectRestError(w.remove(), 404, 20404);
    assert.ok(!(await client.taskrouter.v1.workspaces.list()).some((x) => x.sid === ws.sid));
  });
});

describe('Workspaces list and paging with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('list, each and page walk all five workspaces two at a time; the FriendlyName filter holds across pages', async () => {
    const created: string[] = [];
    for (const name of ['North', 'South', 'East', 'West', 'Centre']) {
      created.push((await client.taskrouter.v1.workspaces.create({ friendlyName: name })).sid);
    }
    await assertPagesThrough(client.taskrouter.v1.workspaces, {}, created);
    assert.deepEqual((await client.taskrouter.v1.workspaces.list({ friendlyName: 'East' })).map((x) => x.sid), [created[2]]);
    assert.deepEqual(await client.taskrouter.v1.workspaces.list({ friendlyName: 'Nowhere' }), []);
    // A removed workspace drops out of the pages.
    await client.taskrouter.v1.workspaces(created[1]!).remove();
    await assertPagesThrough(client.taskrouter.v1.workspaces, {}, created.filter((_, i) => i !== 1));
  });
});

describe('Activities with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('create, fetch, update (Available stays as created), list with filters and paging, remove', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Activities' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const defaults = await w.activities.list();
    const made = [];
    for (const [name, available] of [['Lunch', false], ['Ready', true], ['Training', false], ['Meeting', false], ['Overflow', true]] as const) {
      const a = await w.activities.create({ friendlyName: name, available });
      assert.match(a.sid, /^WA[0-9a-f]{32}$/);
      assert.equal(a.friendlyName, name);
      assert.equal(a.available, available);
      assert.equal(a.workspaceSid, ws.sid);
      assert.equal(a.accountSid, s.accountSid);
      assert.equal(a.url, `${s.origin}/v1/Workspaces/${ws.sid}/Activities/${a.sid}`);
      made.push(a);
    }
    const all = [...defaults, ...made];
    await assertPagesThrough(w.activities, {}, all.map((a) => a.sid));
    await assertPagesThrough(w.activities, { available: 'false' }, all.filter((a) => !a.available).map((a) => a.sid));
    assert.deepEqual((await w.activities.list({ available: 'true' })).map((a) => a.friendlyName), ['Available', 'Ready', 'Overflow']);
    assert.deepEqual((await w.activities.list({ friendlyName: 'Training' })).map((a) => a.sid), [made[2]!.sid]);

    const lunch = made[0]!;
    assert.deepEqual((await w.activities(lunch.sid).fetch()).toJSON(), lunch.toJSON());
    const renamed = await w.activities(lunch.sid).update({ friendlyName: 'Lunch break' });
    assert.equal(renamed.friendlyName, 'Lunch break');
    assert.equal(renamed.available, false);
    assert.deepEqual((await w.activities(lunch.sid).fetch()).toJSON(), renamed.toJSON());

    assert.equal(await w.activities(made[3]!.sid).remove(), true);
    await expectRestError(w.activities(made[3]!.sid).fetch(), 404, 20404);
    await expectRestError(w.activities(made[3]!.sid).remove(), 404, 20404);
    assert.equal((await w.activities.list()).length, 7);
  });
});

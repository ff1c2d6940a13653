// The configuration resources through the official twilio client, exactly as a TaskRouter application calls
// them: create/fetch/update/list (paging over several pages)/remove for each resource, and the RestException
// the client raises for each kind of error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';

async function rejects(promise: Promise<unknown>, status: number, code: number) {
  await assert.rejects(promise, (err: any) => {
    assert.equal(err.status, status, `status ${err.status}: ${err.message}`);
    assert.equal(err.code, code, `code ${err.code}: ${err.message}`);
    assert.match(err.moreInfo, new RegExp(`${code}$`));
    return true;
  });
}

async function collect<T>(each: (opts: any, cb: (item: T) => void) => void, opts: object): Promise<T[]> {
  const items: T[] = [];
  await new Promise<void>((resolve, reject) => each({ ...opts, done: (err?: Error) => (err ? reject(err) : resolve()) }, (item) => { items.push(item); }));
  return items;
}

describe('TaskRouter configuration resources with the twilio client', () => {
  let s: TestServer;
  let client: ReturnType<typeof twilio>;
  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
  });
  after(async () => s.close());

  it('workspaces: FIFO template, fetch, update, list with paging, remove', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Support', template: 'FIFO', eventCallbackUrl: 'https://example.com/events' });
    assert.match(ws.sid, /^WS[0-9a-f]{32}$/);
    assert.equal(ws.defaultActivityName, 'Offline');
    assert.equal(ws.eventCallbackUrl, 'https://example.com/events');
    const w = client.taskrouter.v1.workspaces(ws.sid);
    assert.deepEqual((await w.activities.list()).map((a) => a.friendlyName), ['Offline', 'Available', 'Unavailable']);
    const queues = await w.taskQueues.list();
    assert.deepEqual(queues.map((q) => [q.friendlyName, q.targetWorkers]), [['Sample Queue', '1==1']]);
    const flows = await w.workflows.list();
    assert.equal(flows[0]!.friendlyName, 'Default Fifo Workflow');
    assert.equal(JSON.parse(flows[0]!.configuration).task_routing.default_filter.queue, queues[0]!.sid);
    assert.equal((await w.fetch()).friendlyName, 'Support');
    assert.equal((await w.update({ friendlyName: 'Support EU', prioritizeQueueOrder: 'LIFO' })).prioritizeQueueOrder, 'LIFO');
    for (let i = 0; i < 4; i++) await client.taskrouter.v1.workspaces.create({ friendlyName: `Extra ${i}` });
    const listed = await client.taskrouter.v1.workspaces.list({ pageSize: 2 });
    assert.equal(listed.length, 5);
    const iterated = await collect<any>(client.taskrouter.v1.workspaces.each.bind(client.taskrouter.v1.workspaces), { pageSize: 2 });
    assert.deepEqual(iterated.map((x) => x.sid), listed.map((x) => x.sid));
    const page = await client.taskrouter.v1.workspaces.page({ pageSize: 2 });
    const next = await page.nextPage();
    assert.equal(next!.instances.length, 2);
    assert.equal((await next!.previousPage())!.instances[0]!.sid, page.instances[0]!.sid);
    assert.equal(await client.taskrouter.v1.workspaces(listed[4]!.sid).remove(), true);
    await rejects(client.taskrouter.v1.workspaces(listed[4]!.sid).fetch(), 404, 20404);
  });

  it('activities, task channels, workers, worker channels, queues and workflows', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'All resources' });
    const w = client.taskrouter.v1.workspaces(ws.sid);

    const lunch = await w.activities.create({ friendlyName: 'Lunch', available: false });
    assert.equal((await w.activities(lunch.sid).update({ friendlyName: 'Break' })).friendlyName, 'Break');
    assert.deepEqual((await w.activities.list({ available: 'true' })).map((a) => a.friendlyName), ['Available']);
    const available = (await w.activities.list({ friendlyName: 'Available' }))[0]!;

    const email = await w.taskChannels.create({ friendlyName: 'Email', uniqueName: 'email' });
    assert.equal((await w.taskChannels('email').fetch()).sid, email.sid);
    assert.equal((await w.taskChannels(email.sid).update({ channelOptimizedRouting: true })).channelOptimizedRouting, true);
    assert.equal((await w.taskChannels.list({ pageSize: 2 })).length, 6);

    for (const [name, skills] of [['alice', ['en']], ['bob', ['fr']], ['carol', ['en', 'fr']], ['dave', []], ['erin', ['de']]] as const) {
      await w.workers.create({ friendlyName: name, attributes: JSON.stringify({ skills }) });
    }
    const workers = await w.workers.list({ pageSize: 2 });
    assert.deepEqual(workers.map((x) => x.friendlyName), ['alice', 'bob', 'carol', 'dave', 'erin']);
    const names: string[] = [];
    await new Promise<void>((resolve) => w.workers.each({ pageSize: 2, done: () => resolve() } as any, (x) => { names.push(x.friendlyName); }));
    assert.deepEqual(names, ['alice', 'bob', 'carol', 'dave', 'erin']);
    const alice = workers[0]!;
    assert.deepEqual(JSON.parse(alice.attributes), { skills: ['en'] });
    const moved = await w.workers(alice.sid).update({ activitySid: available.sid, ifMatch: '0' });
    assert.equal(moved.available, true);
    assert.equal(moved.activityName, 'Available');
    await rejects(w.workers(alice.sid).update({ friendlyName: 'x', ifMatch: '0' }), 412, 20412);
    assert.deepEqual((await w.workers.list({ available: 'true' })).map((x) => x.friendlyName), ['alice']);
    assert.deepEqual((await w.workers.list({ targetWorkersExpression: "skills HAS 'fr'" })).map((x) => x.friendlyName), ['bob', 'carol']);
    assert.deepEqual((await w.workers.list({ friendlyName: 'Carol' })).map((x) => x.friendlyName), ['carol']);

    const channels = await w.workers(alice.sid).workerChannels.list();
    assert.equal(channels.length, 6);
    const voice = await w.workers(alice.sid).workerChannels('voice').update({ capacity: 5 });
    assert.equal(voice.configuredCapacity, 5);
    assert.equal((await w.workers(alice.sid).workerChannels(voice.sid).fetch()).taskChannelUniqueName, 'voice');

    const fr = await w.taskQueues.create({ friendlyName: 'French', targetWorkers: "skills HAS 'fr'", maxReservedWorkers: 2 });
    assert.equal(fr.maxReservedWorkers, 2);
    assert.equal((await w.taskQueues(fr.sid).update({ taskOrder: 'LIFO' })).taskOrder, 'LIFO');
    assert.deepEqual((await w.taskQueues.list({ evaluateWorkerAttributes: JSON.stringify({ skills: ['fr'] }) })).map((q) => q.friendlyName), ['French']);
    assert.deepEqual((await w.workers.list({ taskQueueSid: fr.sid })).map((x) => x.friendlyName), ['bob', 'carol']);

    const wf = await w.workflows.create({
      friendlyName: 'Route',
      configuration: JSON.stringify({ task_routing: { filters: [{ expression: "lang == 'fr'", targets: [{ queue: fr.sid }] }], default_filter: { queue: fr.sid } } }),
      taskReservationTimeout: 60,
    });
    assert.equal(wf.taskReservationTimeout, 60);
    assert.equal((await w.workflows(wf.sid).update({ friendlyName: 'Route 2', reEvaluateTasks: 'true' })).friendlyName, 'Route 2');
    assert.equal((await w.workflows.list()).length, 1);

    // Removal of each resource, and what references prevent.
    await rejects(w.taskQueues(fr.sid).remove(), 400, 20001);
    assert.equal(await w.workflows(wf.sid).remove(), true);
    assert.equal(await w.taskQueues(fr.sid).remove(), true);
    assert.equal(await w.workers(alice.sid).remove(), true);
    assert.equal(await w.taskChannels('email').remove(), true);
    assert.equal(await w.activities(lunch.sid).remove(), true);
    await rejects(w.workers(alice.sid).fetch(), 404, 20404);
  });

  it('raises RestException with TaskRouter codes for bad input', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Errors' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    await w.workers.create({ friendlyName: 'alice' });
    await rejects(w.workers.create({ friendlyName: 'ALICE' }), 400, 20001);
    await rejects(w.workers.create({ friendlyName: 'bob', attributes: '{"unterminated": ' }), 400, 20001);
    await rejects(w.taskQueues.create({ friendlyName: 'q', targetWorkers: 'skill-level > 3' }), 400, 20001);
    await rejects(w.workflows.create({ friendlyName: 'f', configuration: '{}' }), 400, 20001);
    await rejects(w.activities('WA' + '0'.repeat(32)).fetch(), 404, 20404);
    await rejects(client.taskrouter.v1.workspaces('WS' + '0'.repeat(32)).fetch(), 404, 20404);
    await rejects(w.workers.list({ pageSize: 1001 }), 400, 20001);
  });
});

// TaskChannels, Workers and WorkerChannels through the official twilio client: create/fetch/update/list (paging
// and filters)/remove, optimistic concurrency with ifMatch, and the worker channels a channel gives every worker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertPagesThrough, clientFor, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

describe('TaskChannels with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('create, fetch by sid and unique name, update, list with paging, remove', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Channels' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const defaults = await w.taskChannels.list();
    assert.deepEqual(defaults.map((c) => c.uniqueName), ['default', 'voice', 'sms', 'chat', 'video']);
    const made = [];
    for (const name of ['email', 'fax', 'social', 'callback', 'post']) {
      const c = await w.taskChannels.create({ friendlyName: name.toUpperCase(), uniqueName: name, channelOptimizedRouting: name === 'fax' });
      assert.match(c.sid, /^TC[0-9a-f]{32}$/);
      assert.equal(c.uniqueName, name);
      assert.equal(c.friendlyName, name.toUpperCase());
      assert.equal(c.channelOptimizedRouting, name === 'fax');
      assert.equal(c.workspaceSid, ws.sid);
      assert.equal(c.url, `${s.origin}/v1/Workspaces/${ws.sid}/TaskChannels/${c.sid}`);
      made.push(c);
    }
    await assertPagesThrough(w.taskChannels, {}, [...defaults, ...made].map((c) => c.sid));

    const email = made[0]!;
    assert.deepEqual((await w.taskChannels(email.sid).fetch()).toJSON(), email.toJSON());
    assert.deepEqual((await w.taskChannels('email').fetch()).toJSON(), email.toJSON());
    const updated = await w.taskChannels(email.sid).update({ friendlyName: 'E-mail', channelOptimizedRouting: true });
    assert.equal(updated.friendlyName, 'E-mail');
    assert.equal(updated.channelOptimizedRouting, true);
    assert.equal(updated.uniqueName, 'email');
    assert.deepEqual((await w.taskChannels('email').fetch()).toJSON(), updated.toJSON());

    assert.equal(await w.taskChannels('post').remove(), true);
    await expectRestError(w.taskChannels(made[4]!.sid).fetch(), 404, 20404);
    await expectRestError(w.taskChannels('post').fetch(), 404, 20404);
    assert.equal((await w.taskChannels.list()).length, 9);
    // A unique name is unique in the workspace, case-insensitively.
    await expectRestError(w.taskChannels.create({ friendlyName: 'x', uniqueName: 'EMAIL' }), 400, 20001);
  });
});

describe('Workers with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('create with JSON attributes, fetch, update, list with every filter and paging, remove', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Workers', template: 'FIFO' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const [offline, available, unavailable] = await w.activities.list();
    const specs = [
      { name: 'alice', skills: ['en'], activity: available! },
      { name: 'bob', skills: ['fr'], activity: offline! },
      { name: 'carol', skills: ['en', 'fr'], activity: available! },
      { name: 'dave', skills: [], activity: unavailable! },
      { name: 'erin', skills: ['de'], activity: available! },
    ];
    const workers: Awaited<ReturnType<typeof w.workers.create>>[] = [];
    for (const spec of specs) {
      const attributes = JSON.stringify({ skills: spec.skills, level: spec.name.length });
      const wk = await w.workers.create({ friendlyName: spec.name, attributes, activitySid: spec.activity.sid });
      assert.match(wk.sid, /^WK[0-9a-f]{32}$/);
      assert.equal(wk.friendlyName, spec.name);
      assert.equal(wk.attributes, attributes, 'attributes come back exactly as sent');
      assert.equal(wk.activitySid, spec.activity.sid);
      assert.equal(wk.activityName, spec.activity.friendlyName);
      assert.equal(wk.available, spec.activity.available);
      assert.equal(wk.workspaceSid, ws.sid);
      assert.equal(wk.accountSid, s.accountSid);
      assert.equal(wk.url, `${s.origin}/v1/Workspaces/${ws.sid}/Workers/${wk.sid}`);
      assert.ok(wk.dateStatusChanged instanceof Date && !Number.isNaN(wk.dateStatusChanged.getTime()));
      workers.push(wk);
    }
    const sids = (names: string[]) => names.map((n) => workers[specs.findIndex((x) => x.name === n)]!.sid);
    const names = async (opts: object) => (await w.workers.list(opts)).map((x) => x.friendlyName);

    await assertPagesThrough(w.workers, {}, sids(['alice', 'bob', 'carol', 'dave', 'erin']));
    await assertPagesThrough(w.workers, { activitySid: available!.sid }, sids(['alice', 'carol', 'erin']));
    await assertPagesThrough(w.workers, { available: 'true' }, sids(['alice', 'carol', 'erin']));
    assert.deepEqual(await names({ available: 'false' }), ['bob', 'dave']);
    assert.deepEqual(await names({ activitySid: unavailable!.sid }), ['dave']);
    assert.deepEqual(await names({ activityName: 'Offline' }), ['bob']);
    assert.deepEqual(await names({ friendlyName: 'Carol' }), ['carol']);
    assert.deepEqual(await names({ friendlyName: 'nobody' }), []);
    assert.deepEqual(await names({ targetWorkersExpression: "skills HAS 'fr'" }), ['bob', 'carol']);
    assert.deepEqual(await names({ targetWorkersExpression: 'level > 4' }), ['alice', 'carol']);
    assert.deepEqual(await names({ ordering: 'FriendlyName:desc' }), ['erin', 'dave', 'carol', 'bob', 'alice']);
    const sample = (await w.taskQueues.list())[0]!;
    assert.deepEqual(await names({ taskQueueSid: sample.sid }), ['alice', 'bob', 'carol', 'dave', 'erin']);
    assert.deepEqual(await names({ taskQueueName: 'Sample Queue' }), ['alice', 'bob', 'carol', 'dave', 'erin']);

    const alice = workers[0]!;
    assert.deepEqual((await w.workers(alice.sid).fetch()).toJSON(), alice.toJSON());
    const attrs = JSON.stringify({ skills: ['en', 'es'], level: 9, nested: { team: 'blue' } }, null, 1);
    const updated = await w.workers(alice.sid).update({ attributes: attrs, activitySid: unavailable!.sid, friendlyName: 'alice2' });
    assert.equal(updated.attributes, attrs);
    assert.equal(updated.activityName, 'Unavailable');
    assert.equal(updated.available, false);
    assert.equal(updated.friendlyName, 'alice2');
    assert.deepEqual((await w.workers(alice.sid).fetch()).toJSON(), updated.toJSON());
    assert.deepEqual(await names({ targetWorkersExpression: "nested.team == 'blue'" }), ['alice2']);
    assert.deepEqual(await names({ available: 'true' }), ['carol', 'erin']);

    assert.equal(await w.workers(workers[3]!.sid).remove(), true);
    await expectRestError(w.workers(workers[3]!.sid).fetch(), 404, 20404);
    await expectRestError(w.workers(workers[3]!.sid).update({ friendlyName: 'ghost' }), 404, 20404);
    assert.deepEqual(await names({}), ['alice2', 'bob', 'carol', 'erin']);
    // The friendly name of a removed worker is free again; a live one is taken, case-insensitively.
    await w.workers.create({ friendlyName: 'dave' });
    await expectRestError(w.workers.create({ friendlyName: 'BOB' }), 400, 20001);
  });

  it('If-Match: a correct ifMatch updates and removes, a stale one is 412 and changes nothing', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Concurrency' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const wk = await w.workers.create({ friendlyName: 'alice', attributes: '{"v":0}' });
    const etag = async () => {
      const res = await s.request('GET', `/v1/Workspaces/${ws.sid}/Workers/${wk.sid}`);
      const value = res.headers.get('etag');
      assert.ok(value, 'the worker fetch carries an ETag');
      return value.replace(/^W\//, '').replace(/"/g, '');
    };
    const first = await etag();
    const updated = await w.workers(wk.sid).update({ ifMatch: first, attributes: '{"v":1}' });
    assert.equal(updated.attributes, '{"v":1}');
    const second = await etag();
    assert.notEqual(second, first, 'an update changes the ETag');

    await expectRestError(w.workers(wk.sid).update({ ifMatch: '999', friendlyName: 'x' }), 412, 20412);
    await expectRestError(w.workers(wk.sid).update({ ifMatch: first, friendlyName: 'x' }), 412, 20412);
    const after412 = await w.workers(wk.sid).fetch();
    assert.equal(after412.friendlyName, 'alice');
    assert.equal(after412.attributes, '{"v":1}');
    assert.equal(await etag(), second, 'a refused update does not change the version');

    await expectRestError(w.workers(wk.sid).remove({ ifMatch: '999' }), 412, 20412);
    assert.equal((await w.workers(wk.sid).fetch()).sid, wk.sid);
    assert.equal(await w.workers(wk.sid).remove({ ifMatch: second }), true);
    await expectRestError(w.workers(wk.sid).fetch(), 404, 20404);
  });
});

describe('WorkerChannels with the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  before(async () => {
    s = await startServer();
    client = clientFor(s);
  });
  after(async () => s.close());

  it('every worker has a channel per TaskChannel: list with paging, fetch by sid or unique name, update', async () => {
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Worker channels' });
    const w = client.taskrouter.v1.workspaces(ws.sid);
    const taskChannels = await w.taskChannels.list();
    const alice = await w.workers.create({ friendlyName: 'alice' });
    const wc = w.workers(alice.sid).workerChannels;
    const channels = await wc.list();
    assert.deepEqual(channels.map((c) => c.taskChannelUniqueName), taskChannels.map((c) => c.uniqueName));
    assert.deepEqual(channels.map((c) => c.taskChannelSid), taskChannels.map((c) => c.sid));
    for (const c of channels) {
      assert.match(c.sid, /^WC[0-9a-f]{32}$/);
      assert.equal(c.workerSid, alice.sid);
      assert.equal(c.workspaceSid, ws.sid);
      assert.equal(c.configuredCapacity, 1);
      assert.equal(c.available, true);
      assert.equal(c.assignedTasks, 0);
      assert.equal(c.availableCapacityPercentage, 100);
      assert.equal(c.url, `${s.origin}/v1/Workspaces/${ws.sid}/Workers/${alice.sid}/Channels/${c.sid}`);
    }
    await assertPagesThrough(wc, {}, channels.map((c) => c.sid));

    const voice = channels[1]!;
    assert.deepEqual((await wc(voice.sid).fetch()).toJSON(), voice.toJSON());
    assert.deepEqual((await wc('voice').fetch()).toJSON(), voice.toJSON());
    const five = await wc('voice').update({ capacity: 5 });
    assert.equal(five.configuredCapacity, 5);
    assert.equal(five.availableCapacityPercentage, 100);
    const off = await wc(voice.sid).update({ available: false });
    assert.equal(off.available, false);
    assert.equal(off.configuredCapacity, 5);
    assert.equal(off.availableCapacityPercentage, 0);
    assert.deepEqual((await wc('voice').fetch()).toJSON(), off.toJSON());
    const zero = await wc('sms').update({ capacity: 0, available: true });
    assert.equal(zero.configuredCapacity, 0);
    assert.equal(zero.availableCapacityPercentage, 0);
    await expectRestError(wc('voice').update({ capacity: 51 }), 400, 20001);
    await expectRestError(wc('nosuch').fetch(), 404, 20404);
    await expectRestError(wc('WC' + '0'.repeat(32)).update({ capacity: 1 }), 404, 20404);

    // A new TaskChannel reaches existing workers and new ones; removing it takes it away.
    await w.taskChannels.create({ friendlyName: 'Email', uniqueName: 'email' });
    const bob = await w.workers.create({ friendlyName: 'bob' });
    assert.ok((await wc.list()).some((c) => c.taskChannelUniqueName === 'email'));
    assert.equal((await w.workers(bob.sid).workerChannels.list()).length, 6);
    await w.taskChannels('email').remove();
    assert.equal((await wc.list()).length, 5);
    await expectRestError(wc('email').fetch(), 404, 20404);
    // Another worker's channels are its own.
    assert.equal((await w.workers(bob.sid).workerChannels('voice').fetch()).configuredCapacity, 1);
  });
});

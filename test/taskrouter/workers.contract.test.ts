import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertTwilioError } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';

const W = '/v1/Workspaces/{WorkspaceSid}/Workers';
const WC = '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Channels';
const TC = '/v1/Workspaces/{WorkspaceSid}/TaskChannels';

describe('TaskChannels, Workers and WorkerChannels: contract and behaviour', () => {
  let s: TestServer;
  let ws: string;
  let activities: Record<string, string>;
  before(async () => {
    s = await startServer();
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Support', Template: 'FIFO' } })).body.sid;
    const list = await s.request('GET', `/v1/Workspaces/${ws}/Activities`);
    activities = Object.fromEntries(list.body.activities.map((a: any) => [a.friendly_name, a.sid]));
  });
  after(async () => s.close());

  const snapshot = async () => ({
    workers: (await s.request('GET', `/v1/Workspaces/${ws}/Workers?PageSize=1000`)).body.workers,
    channels: (await s.request('GET', `/v1/Workspaces/${ws}/TaskChannels?PageSize=1000`)).body.channels,
  });

  it('task channels: the five defaults, create, fetch by SID and unique name, update, delete', async () => {
    const list = await s.request('GET', `/v1/Workspaces/${ws}/TaskChannels`);
    assertContract('get', TC, list, 200);
    assert.deepEqual(list.body.channels.map((c: any) => c.unique_name), ['default', 'voice', 'sms', 'chat', 'video']);
    const created = await s.request('POST', `/v1/Workspaces/${ws}/TaskChannels`, { form: { FriendlyName: 'Email', UniqueName: 'email', ChannelOptimizedRouting: 'true' } });
    assertContract('post', TC, created, 201);
    assert.equal(created.body.channel_optimized_routing, true);
    const byName = await s.request('GET', `/v1/Workspaces/${ws}/TaskChannels/email`);
    assertContract('get', `${TC}/{Sid}`, byName, 200);
    assert.equal(byName.body.sid, created.body.sid);
    const upd = await s.request('POST', `/v1/Workspaces/${ws}/TaskChannels/${created.body.sid}`, { form: { FriendlyName: 'E-mail' } });
    assertContract('post', `${TC}/{Sid}`, upd, 200);
    assert.equal(upd.body.friendly_name, 'E-mail');
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/TaskChannels`, { form: { FriendlyName: 'x', UniqueName: 'EMAIL' } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/TaskChannels`, { form: { FriendlyName: 'x', UniqueName: 'e-mail' } }), 400, 20001);
    assertContract('delete', `${TC}/{Sid}`, await s.request('DELETE', `/v1/Workspaces/${ws}/TaskChannels/email`), 204);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/TaskChannels/email`), 404, 20404);
  });

  it('workers: create with defaults, fetch with ETag, update, unique names, attributes rules', async () => {
    const created = await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Alice', Attributes: JSON.stringify({ skills: ['en'], level: 3 }) } });
    assertContract('post', W, created, 201);
    assert.equal(created.body.activity_name, 'Offline');
    assert.equal(created.body.available, false);
    assert.equal(created.body.attributes, '{"skills":["en"],"level":3}');
    const wk = created.body.sid;
    const fetched = await s.request('GET', `/v1/Workspaces/${ws}/Workers/${wk}`);
    assertContract('get', `${W}/{Sid}`, fetched, 200);
    assert.equal(fetched.headers.get('etag'), '0');
    const before = await snapshot();
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'alice' } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Bob', Attributes: '{bad' } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Bob', Attributes: '[1]' } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Bob', Attributes: JSON.stringify({ a: 'x'.repeat(4090) }) } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Bob', ActivitySid: newSid('WA') } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers/${wk}`, { form: { FriendlyName: 'x' }, headers: { 'if-match': '7' } }), 412, 20412);
    assert.deepEqual(await snapshot(), before);

    const upd = await s.request('POST', `/v1/Workspaces/${ws}/Workers/${wk}`, {
      form: { ActivitySid: activities.Available!, Attributes: '{"skills":["en","fr"]}' },
      headers: { 'if-match': '0' },
    });
    assertContract('post', `${W}/{Sid}`, upd, 200);
    assert.equal(upd.body.available, true);
    assert.equal(upd.body.activity_name, 'Available');
    assert.equal(upd.headers.get('etag'), '1');
  });

  it('workers: list filters, ordering and paging', async () => {
    const mk = (name: string, attrs: object, activity?: string) =>
      s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: name, Attributes: JSON.stringify(attrs), ...(activity ? { ActivitySid: activity } : {}) } });
    await mk('Carol', { skills: ['fr'], level: 1 }, activities.Available);
    await mk('Dave', { skills: ['de'], level: 9 });
    await mk('Erin', { skills: ['en'], level: 5 }, activities.Unavailable);
    const names = async (q: string) => {
      const res = await s.request('GET', `/v1/Workspaces/${ws}/Workers?${q}`);
      assertContract('get', W, res, 200);
      return res.body.workers.map((w: any) => w.friendly_name);
    };
    assert.deepEqual(await names('Available=true'), ['Alice', 'Carol']);
    assert.deepEqual(await names('Available=false'), ['Dave', 'Erin']);
    assert.deepEqual(await names(`ActivitySid=${activities.Unavailable}`), ['Erin']);
    assert.deepEqual(await names('ActivityName=offline'), ['Dave']);
    assert.deepEqual(await names('FriendlyName=carol'), ['Carol']);
    assert.deepEqual(await names(`TargetWorkersExpression=${encodeURIComponent("skills HAS 'en'")}`), ['Alice', 'Erin']);
    assert.deepEqual(await names(`TargetWorkersExpression=${encodeURIComponent("activity_name == 'Available' AND level < 5")}`), ['Carol']);
    assert.deepEqual(await names('Ordering=FriendlyName:desc'), ['Erin', 'Dave', 'Carol', 'Alice']);
    const queues = (await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues`)).body?.task_queues;
    if (queues) assert.deepEqual(await names(`TaskQueueSid=${queues[0].sid}`), ['Alice', 'Carol', 'Dave', 'Erin']);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers?TargetWorkersExpression=${encodeURIComponent('skill-level > 3')}`), 400, 20001);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers?Ordering=Height:asc`), 400, 20001);

    for (const q of ['PageSize=3', `PageSize=3&TargetWorkersExpression=${encodeURIComponent('1==1')}`]) {
      const seen: string[] = [];
      let url: string | null = `/v1/Workspaces/${ws}/Workers?${q}`;
      while (url) {
        const res = await s.request('GET', url.replace(s.origin, ''));
        assertContract('get', W, res, 200);
        seen.push(...res.body.workers.map((w: any) => w.friendly_name));
        url = res.body.meta.next_page_url;
      }
      assert.deepEqual(seen, ['Alice', 'Carol', 'Dave', 'Erin'], q);
    }
  });

  it('worker channels: one per task channel, fetch by name, capacity and availability', async () => {
    const wk = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Frank' } })).body.sid;
    const list = await s.request('GET', `/v1/Workspaces/${ws}/Workers/${wk}/Channels`);
    assertContract('get', WC, list, 200);
    assert.deepEqual(list.body.channels.map((c: any) => c.task_channel_unique_name), ['default', 'voice', 'sms', 'chat', 'video']);
    const voice = await s.request('GET', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/voice`);
    assertContract('get', `${WC}/{Sid}`, voice, 200);
    assert.equal(voice.body.configured_capacity, 1);
    assert.equal(voice.body.available_capacity_percentage, 100);
    const upd = await s.request('POST', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/${voice.body.sid}`, { form: { Capacity: 3, Available: 'false' } });
    assertContract('post', `${WC}/{Sid}`, upd, 200);
    assert.equal(upd.body.configured_capacity, 3);
    assert.equal(upd.body.available, false);
    assert.equal(upd.body.available_capacity_percentage, 0);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/voice`, { form: { Capacity: 51 } }), 400, 20001);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/fax`), 404, 20404);
    // A channel created later appears on existing workers; deleting a worker removes its channels.
    await s.request('POST', `/v1/Workspaces/${ws}/TaskChannels`, { form: { FriendlyName: 'Fax', UniqueName: 'fax' } });
    assert.equal((await s.request('GET', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/fax`)).status, 200);
    assertContract('delete', `${W}/{Sid}`, await s.request('DELETE', `/v1/Workspaces/${ws}/Workers/${wk}`, { headers: { 'if-match': '0' } }), 204);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers/${wk}/Channels`), 404, 20404);
    assert.equal(s.store.read((repo) => repo.count('workerChannel', { workerSid: wk })), 0);
  });

  it('another account sees none of it', async () => {
    const other = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: other.sid, ownerAccountSid: other.sid, friendlyName: 'B', authToken: other.token, status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: other.sid, password: other.token };
    const alice = (await s.request('GET', `/v1/Workspaces/${ws}/Workers?FriendlyName=Alice`)).body.workers[0].sid;
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers`, { auth }), 404, 20404);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers/${alice}`, { auth }), 404, 20404);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workers/${alice}`, { auth, form: { FriendlyName: 'Mallory' } }), 404, 20404);
    assertTwilioError(await s.request('DELETE', `/v1/Workspaces/${ws}/Workers/${alice}`, { auth }), 404, 20404);
    assert.equal((await s.request('GET', `/v1/Workspaces/${ws}/Workers/${alice}`)).body.friendly_name, 'Alice');
  });
});

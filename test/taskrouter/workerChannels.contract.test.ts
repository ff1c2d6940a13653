// WorkerChannels (/Workers/{WK}/Channels): list, fetch by WC SID / TC SID / unique_name, update Capacity and
// Available, the derived load fields, events, and unchanged state after every rejection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertRejectedUnchanged } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import type { ReservationStatus } from '../../src/core/entities.ts';

const WC = '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Channels';
const WCI = `${WC}/{Sid}`;
const T0 = Date.parse('2026-05-01T09:00:00Z');

describe('WorkerChannels: contract and behaviour', () => {
  let s: TestServer;
  let now = T0;
  let ws: string;
  let wk: string;
  let other: string;
  let channels: Record<string, string>;
  const base = (worker = wk) => `/v1/Workspaces/${ws}/Workers/${worker}/Channels`;

  before(async () => {
    s = await startServer({ clock: () => now });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'WorkerChannels' } })).body.sid;
    wk = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Ann' } })).body.sid;
    other = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Ben' } })).body.sid;
    const list = await s.request('GET', `/v1/Workspaces/${ws}/TaskChannels`);
    channels = Object.fromEntries(list.body.channels.map((c: any) => [c.unique_name, c.sid]));
  });
  after(async () => s.close());

  const snapshot = () =>
    s.store.read((repo) => ({
      workers: repo.findAll('worker', { workspaceSid: ws }),
      workerChannels: repo.findAll('workerChannel', { workspaceSid: ws }),
      events: repo.eventsFor(ws).length,
    }));
  const events = (type: string) => s.store.read((repo) => repo.eventsFor(ws).filter((e) => e.eventType === type));

  const rejects = (attempts: Parameters<typeof assertRejectedUnchanged>[1]) => assertRejectedUnchanged(snapshot, attempts);

  it("lists one channel per TaskChannel with capacity 1, available, nothing assigned", async () => {
    const res = await s.request('GET', base());
    assertContract('get', WC, res, 200);
    assert.equal(res.body.meta.key, 'channels');
    assert.deepEqual(res.body.channels.map((c: any) => c.task_channel_unique_name), ['default', 'voice', 'sms', 'chat', 'video']);
    for (const c of res.body.channels) {
      assert.equal(c.worker_sid, wk);
      assert.equal(c.workspace_sid, ws);
      assert.equal(c.account_sid, s.accountSid);
      assert.equal(c.task_channel_sid, channels[c.task_channel_unique_name]);
      assert.equal(c.configured_capacity, 1);
      assert.equal(c.available, true);
      assert.equal(c.assigned_tasks, 0);
      assert.equal(c.available_capacity_percentage, 100);
      assert.equal(c.url, `${s.origin}/v1/Workspaces/${ws}/Workers/${wk}/Channels/${c.sid}`);
      assert.match(c.sid, /^WC[0-9a-f]{32}$/);
    }
  });

  it('pages the list over more than one page', async () => {
    const seen: string[] = [];
    let url: string | null = `${base()}?PageSize=2`;
    let pages = 0;
    while (url) {
      const res = await s.request('GET', url.replace(s.origin, ''));
      assertContract('get', WC, res, 200);
      seen.push(...res.body.channels.map((c: any) => c.task_channel_unique_name));
      url = res.body.meta.next_page_url;
      if (url) assert.ok(url.startsWith(`${s.origin}${base()}?`));
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['default', 'voice', 'sms', 'chat', 'video']);
  });

  it('fetches by WC SID, TaskChannel SID and unique_name (any case)', async () => {
    const voice = (await s.request('GET', base())).body.channels.find((c: any) => c.task_channel_unique_name === 'voice');
    for (const key of [voice.sid, channels.voice, 'voice', 'VOICE']) {
      const res = await s.request('GET', `${base()}/${key}`);
      assertContract('get', WCI, res, 200);
      assert.deepEqual(res.body, voice);
    }
  });

  it('updates Capacity and Available; the free share follows', async () => {
    now = T0 + 7000;
    const cap = await s.request('POST', `${base()}/voice`, { form: { Capacity: 3 } });
    assertContract('post', WCI, cap, 200);
    assert.equal(cap.body.configured_capacity, 3);
    assert.equal(cap.body.available, true);
    assert.equal(cap.body.available_capacity_percentage, 100);
    assert.equal(cap.body.date_updated, '2026-05-01T09:00:07Z');
    const capEvent = events('worker.capacity.update').at(-1)!;
    assert.equal(capEvent.resourceSid, wk);
    assert.equal(capEvent.eventData.task_channel_unique_name, 'voice');
    assert.equal(capEvent.eventData.worker_channel_previous_capacity, '1');
    assert.equal(capEvent.eventData.worker_name, 'Ann');

    const off = await s.request('POST', `${base()}/${channels.voice}`, { form: { Available: 'false' } });
    assertContract('post', WCI, off, 200);
    assert.equal(off.body.available, false);
    assert.equal(off.body.configured_capacity, 3);
    assert.equal(off.body.available_capacity_percentage, 0);
    assert.equal(events('worker.channel.availability.update').at(-1)!.eventData.worker_channel_available, 'false');

    const zero = await s.request('POST', `${base()}/${cap.body.sid}`, { form: { Capacity: 0, Available: 'true' } });
    assertContract('post', WCI, zero, 200);
    assert.equal(zero.body.configured_capacity, 0);
    assert.equal(zero.body.available, true);
    assert.equal(zero.body.available_capacity_percentage, 0);
    assertContract('post', WCI, await s.request('POST', `${base()}/voice`, { form: { Capacity: 50 } }), 200);

    // A request that changes nothing records no event.
    const count = s.store.read((repo) => repo.eventsFor(ws).length);
    assertContract('post', WCI, await s.request('POST', `${base()}/voice`, { form: { Capacity: 50, Available: 'yes' } }), 200);
    assertContract('post', WCI, await s.request('POST', `${base()}/voice`, { form: {} }), 200);
    assert.equal(s.store.read((repo) => repo.eventsFor(ws).length), count);
    // Only this worker's channel changed.
    assert.equal((await s.request('GET', `${base(other)}/voice`)).body.configured_capacity, 1);
  });

  it('assigned_tasks counts accepted and wrapping reservations; the percentage is the free share', async () => {
    const sms = (await s.request('GET', `${base()}/sms`)).body;
    await s.request('POST', `${base()}/sms`, { form: { Capacity: 3 } });
    const reserve = (status: ReservationStatus, worker = wk, channel = channels.sms!) =>
      s.store.transaction((repo) =>
        repo.insert('reservation', {
          sid: newSid('WR'),
          accountSid: s.accountSid,
          workspaceSid: ws,
          taskSid: newSid('WT'),
          workerSid: worker,
          taskChannelSid: channel,
          taskQueueSid: null,
          reservationStatus: status,
          timeoutAt: null,
          instruction: null,
          instructionParams: null,
          dateCreated: now,
          dateUpdated: now,
          version: 0,
        }),
      );
    // Only tasks the worker holds count: not pending offers, nor finished ones, nor other workers' or channels'.
    for (const st of ['accepted', 'wrapping', 'pending', 'completed', 'rejected', 'canceled'] as const) reserve(st);
    reserve('accepted', other);
    reserve('accepted', wk, channels.chat);
    const res = await s.request('GET', `${base()}/sms`);
    assertContract('get', WCI, res, 200);
    assert.equal(res.body.sid, sms.sid);
    assert.equal(res.body.assigned_tasks, 2);
    assert.equal(res.body.available_capacity_percentage, 33);
    const list = (await s.request('GET', base())).body.channels;
    assert.deepEqual(
      list.map((c: any) => [c.task_channel_unique_name, c.assigned_tasks, c.available_capacity_percentage]),
      [
        ['default', 0, 100],
        ['voice', 0, 100],
        ['sms', 2, 33],
        ['chat', 1, 0],
        ['video', 0, 100],
      ],
    );
    assert.equal((await s.request('GET', `${base(other)}/sms`)).body.assigned_tasks, 1);
    // Over capacity (capacity lowered below the load) is 0%, never negative.
    const low = await s.request('POST', `${base()}/sms`, { form: { Capacity: 1 } });
    assertContract('post', WCI, low, 200);
    assert.equal(low.body.assigned_tasks, 2);
    assert.equal(low.body.available_capacity_percentage, 0);
    assert.equal(events('worker.capacity.update').at(-1)!.eventData.worker_channel_task_count, '2');
    // These reservations have no tasks behind them; the routing engine must never load them.
    s.store.transaction((repo) => repo.deleteWhere('reservation', { workspaceSid: ws }));
    assert.equal((await s.request('GET', `${base()}/sms`)).body.assigned_tasks, 0);
  });

  it('rejects bad capacity and availability input with 20001 and changes nothing', async () => {
    const upd = (form: Record<string, string | number>) => () => s.request('POST', `${base()}/default`, { form });
    await rejects([
      [upd({ Capacity: 51 }), 400, 20001],
      [upd({ Capacity: -1 }), 400, 20001],
      [upd({ Capacity: 1.5 }), 400, 20001],
      [upd({ Capacity: 'two' }), 400, 20001],
      [upd({ Capacity: '' }), 400, 20001],
      [() => s.request('POST', `${base()}/default`, { form: { Capacity: [1, 2] } }), 400, 20001],
      [() => s.request('GET', `${base()}?PageSize=0`), 400, 20001],
    ]);
  });

  it('unknown channels, workers and workspaces are 20404 and change nothing', async () => {
    const bensVoice = (await s.request('GET', `${base(other)}/voice`)).body.sid;
    const fax = await s.request('POST', `/v1/Workspaces/${(await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'X' } })).body.sid}/TaskChannels`, {
      form: { FriendlyName: 'Fax', UniqueName: 'fax' },
    });
    await rejects([
      [() => s.request('GET', `${base()}/fax`), 404, 20404],
      [() => s.request('GET', `${base()}/${fax.body.sid}`), 404, 20404],
      [() => s.request('GET', `${base()}/${newSid('WC')}`), 404, 20404],
      [() => s.request('GET', `${base()}/${newSid('TC')}`), 404, 20404],
      [() => s.request('GET', `${base()}/${bensVoice}`), 404, 20404],
      [() => s.request('POST', `${base()}/${bensVoice}`, { form: { Capacity: 5 } }), 404, 20404],
      [() => s.request('POST', `${base()}/fax`, { form: { Capacity: 5 } }), 404, 20404],
      [() => s.request('GET', base(newSid('WK'))), 404, 20404],
      [() => s.request('GET', `${base(newSid('WK'))}/voice`), 404, 20404],
      [() => s.request('POST', `${base(newSid('WK'))}/voice`, { form: { Capacity: 5 } }), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/Workers/${wk}/Channels`), 404, 20404],
      [() => s.request('POST', `/v1/Workspaces/${newSid('WS')}/Workers/${wk}/Channels/voice`, { form: { Capacity: 5 } }), 404, 20404],
    ]);
  });

  it("another account's workspace is 404, never 403, and untouched", async () => {
    const acct = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: acct.sid, ownerAccountSid: acct.sid, friendlyName: 'B', authTokenSealed: s.app.secrets.sealAuthToken(acct.sid, acct.token), status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: acct.sid, password: acct.token };
    await rejects([
      [() => s.request('GET', base(), { auth }), 404, 20404],
      [() => s.request('GET', `${base()}/voice`, { auth }), 404, 20404],
      [() => s.request('POST', `${base()}/voice`, { auth, form: { Capacity: 5 } }), 404, 20404],
    ]);
  });
});

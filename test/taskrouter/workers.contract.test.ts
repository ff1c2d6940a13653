// Workers: every operation against the OpenAPI document, the list filters and paging, ETag/If-Match, events,
// and the rule that a rejected request changes nothing (store snapshot before and after).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertRejectedUnchanged, assertTwilioError } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { LIMITS } from '../../src/core/limits.ts';

const W = '/v1/Workspaces/{WorkspaceSid}/Workers';
const WI = `${W}/{Sid}`;
const T0 = Date.parse('2026-03-01T10:00:00Z');

describe('Workers: contract and behaviour', () => {
  let s: TestServer;
  let now = T0;
  let ws: string;
  let act: Record<string, string>;
  const base = () => `/v1/Workspaces/${ws}/Workers`;

  before(async () => {
    s = await startServer({ clock: () => now });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Workers', Template: 'FIFO' } })).body.sid;
    const list = await s.request('GET', `/v1/Workspaces/${ws}/Activities`);
    act = Object.fromEntries(list.body.activities.map((a: any) => [a.friendly_name, a.sid]));
  });
  after(async () => s.close());

  /** Everything a worker request could touch, read straight from the store. */
  const snapshot = () =>
    s.store.read((repo) => ({
      workers: repo.findAll('worker', { workspaceSid: ws }),
      workerChannels: repo.findAll('workerChannel', { workspaceSid: ws }),
      events: repo.eventsFor(ws).length,
    }));
  const events = (type: string) => s.store.read((repo) => repo.eventsFor(ws).filter((e) => e.eventType === type));

  const rejects = (attempts: Parameters<typeof assertRejectedUnchanged>[1]) => assertRejectedUnchanged(snapshot, attempts);

  it('creates a worker with the workspace defaults, ETag and links to itself', async () => {
    const res = await s.request('POST', base(), { form: { FriendlyName: 'Alice' } });
    assertContract('post', W, res, 201);
    const w = res.body;
    assert.equal(res.headers.get('etag'), '0');
    assert.equal(w.activity_sid, act.Offline);
    assert.equal(w.activity_name, 'Offline');
    assert.equal(w.available, false);
    assert.equal(w.attributes, '{}');
    assert.equal(w.date_created, '2026-03-01T10:00:00Z');
    assert.equal(w.date_status_changed, w.date_created);
    assert.equal(w.account_sid, s.accountSid);
    const url = `${s.origin}/v1/Workspaces/${ws}/Workers/${w.sid}`;
    assert.equal(w.url, url);
    assert.deepEqual(w.links, {
      activity: `${s.origin}/v1/Workspaces/${ws}/Activities/${act.Offline}`,
      channels: `${url}/Channels`,
      cumulative_statistics: `${s.origin}/v1/Workspaces/${ws}/Workers/CumulativeStatistics`,
      real_time_statistics: `${s.origin}/v1/Workspaces/${ws}/Workers/RealTimeStatistics`,
      reservations: `${url}/Reservations`,
      statistics: `${s.origin}/v1/Workspaces/${ws}/Workers/Statistics`,
      worker_channels: `${url}/Channels`,
      worker_statistics: `${url}/Statistics`,
      workspace: `${s.origin}/v1/Workspaces/${ws}`,
    });
    // One WorkerChannel per TaskChannel of the workspace, capacity 1 and available.
    const channels = s.store.read((repo) => repo.findAll('workerChannel', { workerSid: w.sid }));
    assert.equal(channels.length, 5);
    assert.ok(channels.every((c) => c.capacity === 1 && c.available));
    const created = events('worker.created').find((e) => e.resourceSid === w.sid);
    assert.equal(created?.eventData.worker_name, 'Alice');
    assert.equal(created?.eventData.worker_activity_name, 'Offline');
  });

  it('creates with ActivitySid and Attributes kept exactly as sent', async () => {
    const attributes = '{ "skills": ["en", "fr"],\n  "level": 3 }';
    const res = await s.request('POST', base(), { form: { FriendlyName: 'Bob', ActivitySid: act.Available!, Attributes: attributes } });
    assertContract('post', W, res, 201);
    assert.equal(res.body.attributes, attributes);
    assert.equal(res.body.activity_name, 'Available');
    assert.equal(res.body.available, true);
    const limit = `{"a":"${'x'.repeat(LIMITS.attributes - 8)}"}`;
    assert.equal(limit.length, LIMITS.attributes);
    const big = await s.request('POST', base(), { form: { FriendlyName: 'Big', Attributes: limit } });
    assertContract('post', W, big, 201);
    assertContract('delete', WI, await s.request('DELETE', `${base()}/${big.body.sid}`), 204);
  });

  it('fetches with an ETag; the body equals the list item', async () => {
    const alice = (await s.request('GET', `${base()}?FriendlyName=Alice`)).body.workers[0];
    const res = await s.request('GET', `${base()}/${alice.sid}`);
    assertContract('get', WI, res, 200);
    assert.equal(res.headers.get('etag'), '0');
    assert.deepEqual(res.body, alice);
  });

  it('updates activity, attributes and name; ETag/If-Match; date_status_changed moves only with the activity', async () => {
    const wk = (await s.request('POST', base(), { form: { FriendlyName: 'Carol', Attributes: '{"level":1}' } })).body.sid;
    now = T0 + 26_123;
    const res = await s.request('POST', `${base()}/${wk}`, { form: { ActivitySid: act.Available! }, headers: { 'if-match': '0' } });
    assertContract('post', WI, res, 200);
    assert.equal(res.headers.get('etag'), '1');
    assert.equal(res.body.available, true);
    assert.equal(res.body.activity_name, 'Available');
    assert.equal(res.body.date_status_changed, '2026-03-01T10:00:26Z');
    assert.equal(res.body.date_updated, '2026-03-01T10:00:26Z');
    assert.equal(res.body.links.activity, `${s.origin}/v1/Workspaces/${ws}/Activities/${act.Available}`);
    const moved = events('worker.activity.update').find((e) => e.resourceSid === wk)!;
    assert.equal(moved.eventData.worker_activity_sid, act.Available);
    assert.equal(moved.eventData.worker_previous_activity_sid, act.Offline);
    assert.equal(moved.eventData.worker_previous_activity_name, 'Offline');
    assert.equal(moved.eventData.worker_time_in_previous_activity, '26');
    assert.equal(moved.eventData.worker_time_in_previous_activity_ms, '26123');

    now = T0 + 60_000;
    const attrs = await s.request('POST', `${base()}/${wk}`, {
      form: { Attributes: '{"level":2}', FriendlyName: 'CAROL', RejectPendingReservations: 'true' },
      headers: { 'if-match': '"1"' },
    });
    assertContract('post', WI, attrs, 200);
    assert.equal(attrs.body.friendly_name, 'CAROL', 'a worker may change the case of its own name');
    assert.equal(attrs.body.attributes, '{"level":2}');
    assert.equal(attrs.body.date_status_changed, '2026-03-01T10:00:26Z', 'no activity change, no status change');
    assert.equal(attrs.body.date_updated, '2026-03-01T10:01:00Z');
    assert.equal(attrs.headers.get('etag'), '2');
    assert.equal(events('worker.attributes.update').filter((e) => e.resourceSid === wk).length, 1);
    assert.equal(events('worker.activity.update').filter((e) => e.resourceSid === wk).length, 1);
    // `*` matches any version; no If-Match at all is unconditional.
    assertContract('post', WI, await s.request('POST', `${base()}/${wk}`, { form: { FriendlyName: 'Carol' }, headers: { 'if-match': '*' } }), 200);
    const last = await s.request('POST', `${base()}/${wk}`, { form: {} });
    assertContract('post', WI, last, 200);
    assert.equal(last.headers.get('etag'), '4');
  });

  it('deletes with If-Match, cascading its channels', async () => {
    const wk = (await s.request('POST', base(), { form: { FriendlyName: 'Temp' } })).body.sid;
    await rejects([[() => s.request('DELETE', `${base()}/${wk}`, { headers: { 'if-match': '3' } }), 412, 20412]]);
    assertContract('delete', WI, await s.request('DELETE', `${base()}/${wk}`, { headers: { 'if-match': '0' } }), 204);
    assertTwilioError(await s.request('GET', `${base()}/${wk}`), 404, 20404);
    assertTwilioError(await s.request('GET', `${base()}/${wk}/Channels`), 404, 20404);
    assert.equal(s.store.read((repo) => repo.count('workerChannel', { workerSid: wk })), 0);
    assert.equal(events('worker.deleted').filter((e) => e.resourceSid === wk).length, 1);
    // The name is free again.
    const again = await s.request('POST', base(), { form: { FriendlyName: 'temp' } });
    assertContract('post', W, again, 201);
    await s.request('DELETE', `${base()}/${again.body.sid}`);
  });

  it('rejects bad create input with 20001 and changes nothing', async () => {
    const post = (form: Record<string, string>) => () => s.request('POST', base(), { form });
    const otherWs = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Other' } })).body;
    await s.request('POST', base(), { form: { FriendlyName: 'Émile' } });
    await rejects([
      [post({}), 400, 20001],
      [post({ FriendlyName: '' }), 400, 20001],
      [post({ FriendlyName: 'x'.repeat(65) }), 400, 20001],
      [post({ FriendlyName: 'alice' }), 400, 20001],
      [post({ FriendlyName: 'ÉMILE' }), 400, 20001],
      [post({ FriendlyName: 'émile' }), 400, 20001],
      [post({ FriendlyName: 'Dan', Attributes: '{bad' }), 400, 20001],
      [post({ FriendlyName: 'Dan', Attributes: '[1,2]' }), 400, 20001],
      [post({ FriendlyName: 'Dan', Attributes: '"text"' }), 400, 20001],
      [post({ FriendlyName: 'Dan', Attributes: 'null' }), 400, 20001],
      [post({ FriendlyName: 'Dan', Attributes: '' }), 400, 20001],
      [post({ FriendlyName: 'Dan', Attributes: `{"a":"${'x'.repeat(LIMITS.attributes - 7)}"}` }), 400, 20001],
      [post({ FriendlyName: 'Dan', ActivitySid: 'Available' }), 400, 20001],
      [post({ FriendlyName: 'Dan', ActivitySid: newSid('WA') }), 400, 20001],
      [post({ FriendlyName: 'Dan', ActivitySid: otherWs.default_activity_sid }), 400, 20001],
    ]);
    const dup = await s.request('POST', base(), { form: { FriendlyName: 'ALICE' } });
    assert.equal(dup.body.message, 'Worker with the same friendly name already exists: ALICE');
  });

  it('rejects bad update and delete input, unknown workers and stale versions; nothing changes', async () => {
    const alice = (await s.request('GET', `${base()}?FriendlyName=Alice`)).body.workers[0].sid;
    const upd = (form: Record<string, string>, headers?: Record<string, string>) => () => s.request('POST', `${base()}/${alice}`, { form, headers });
    await rejects([
      [upd({ FriendlyName: 'bob' }), 400, 20001],
      [upd({ FriendlyName: '' }), 400, 20001],
      [upd({ Attributes: '[]' }), 400, 20001],
      [upd({ Attributes: '{"a":' }), 400, 20001],
      [upd({ ActivitySid: newSid('WA') }), 400, 20001],
      [upd({ FriendlyName: 'Alicia' }, { 'if-match': '9' }), 412, 20412],
      [() => s.request('GET', `${base()}/${newSid('WK')}`), 404, 20404],
      [() => s.request('GET', `${base()}/not-a-sid`), 404, 20404],
      [() => s.request('POST', `${base()}/${newSid('WK')}`, { form: { FriendlyName: 'x' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${newSid('WK')}`), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/Workers`), 404, 20404],
      [() => s.request('POST', `/v1/Workspaces/${newSid('WS')}/Workers`, { form: { FriendlyName: 'Zed' } }), 404, 20404],
    ]);
  });

  it("another account's workspace and workers are 404, never 403, and untouched", async () => {
    const other = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: other.sid, ownerAccountSid: other.sid, friendlyName: 'B', authTokenSealed: s.app.secrets.sealAuthToken(other.sid, other.token), status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: other.sid, password: other.token };
    const alice = (await s.request('GET', `${base()}?FriendlyName=Alice`)).body.workers[0].sid;
    await rejects([
      [() => s.request('GET', base(), { auth }), 404, 20404],
      [() => s.request('POST', base(), { auth, form: { FriendlyName: 'Mallory' } }), 404, 20404],
      [() => s.request('GET', `${base()}/${alice}`, { auth }), 404, 20404],
      [() => s.request('POST', `${base()}/${alice}`, { auth, form: { FriendlyName: 'Mallory' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${alice}`, { auth }), 404, 20404],
    ]);
  });

  describe('list', () => {
    let lws: string;
    let la: Record<string, string>;
    let sids: Record<string, string>;
    const names = async (query: string) => {
      const res = await s.request('GET', `/v1/Workspaces/${lws}/Workers?${query}`);
      assertContract('get', W, res, 200);
      return res.body.workers.map((w: any) => w.friendly_name);
    };
    const q = (expr: string) => encodeURIComponent(expr);

    before(async () => {
      lws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Lists' } })).body.sid;
      la = Object.fromEntries((await s.request('GET', `/v1/Workspaces/${lws}/Activities`)).body.activities.map((a: any) => [a.friendly_name, a.sid]));
      const mk = async (name: string, attrs: object, activity: string, at: number) => {
        now = at;
        const res = await s.request('POST', `/v1/Workspaces/${lws}/Workers`, { form: { FriendlyName: name, Attributes: JSON.stringify(attrs), ActivitySid: activity } });
        assert.equal(res.status, 201);
        return res.body.sid as string;
      };
      sids = {
        Ann: await mk('Ann', { skills: ['en'], level: 5, region: 'eu' }, la.Available!, T0 + 1000),
        Ben: await mk('Ben', { skills: ['fr'], level: 1, region: 'us' }, la.Offline!, T0 + 2000),
        Cat: await mk('Cat', { skills: ['en', 'de'], level: 9, region: 'eu' }, la.Unavailable!, T0 + 3000),
        Dov: await mk('Dov', { skills: ['de'], level: 4 }, la.Available!, T0 + 4000),
        Eve: await mk('Eve', { skills: ['en'], level: 2, region: 'us' }, la.Offline!, T0 + 5000),
      };
      // Status changes in a different order from creation: Ben, then Ann.
      now = T0 + 10_000;
      await s.request('POST', `/v1/Workspaces/${lws}/Workers/${sids.Ben}`, { form: { ActivitySid: la.Unavailable! } });
      now = T0 + 11_000;
      await s.request('POST', `/v1/Workspaces/${lws}/Workers/${sids.Ann}`, { form: { ActivitySid: la.Offline! } });
      now = T0 + 12_000;
      await s.request('POST', `/v1/Workspaces/${lws}/Workers/${sids.Ann}`, { form: { ActivitySid: la.Available! } });
    });

    it('lists in creation order with attributes in every item', async () => {
      const res = await s.request('GET', `/v1/Workspaces/${lws}/Workers`);
      assertContract('get', W, res, 200);
      assert.deepEqual(res.body.workers.map((w: any) => w.friendly_name), ['Ann', 'Ben', 'Cat', 'Dov', 'Eve']);
      assert.ok(res.body.workers.every((w: any) => w.attributes.startsWith('{"skills"')));
      assert.equal(res.body.meta.key, 'workers');
      assert.equal(res.body.meta.page_size, 50);
    });

    it('filters by ActivitySid, ActivityName, Available and FriendlyName', async () => {
      assert.deepEqual(await names(`ActivitySid=${la.Available}`), ['Ann', 'Dov']);
      assert.deepEqual(await names('ActivityName=unavailable'), ['Ben', 'Cat']);
      assert.deepEqual(await names('ActivityName=Nobody'), []);
      assert.deepEqual(await names('Available=true'), ['Ann', 'Dov']);
      assert.deepEqual(await names('Available=1'), ['Ann', 'Dov']);
      assert.deepEqual(await names('Available=false'), ['Ben', 'Cat', 'Eve']);
      assert.deepEqual(await names('FriendlyName=cAT'), ['Cat']);
      assert.deepEqual(await names('FriendlyName=Ca'), []);
      assert.deepEqual(await names(`Available=true&ActivityName=Offline`), []);
      assert.deepEqual(await names(`Available=false&ActivitySid=${la.Offline}`), ['Eve']);
    });

    it('filters by TargetWorkersExpression over attributes and worker fields', async () => {
      assert.deepEqual(await names(`TargetWorkersExpression=${q("skills HAS 'en'")}`), ['Ann', 'Cat', 'Eve']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q("region == 'eu' AND level > 5")}`), ['Cat']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q("worker.level <= 2")}`), ['Ben', 'Eve']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q("activity_name == 'Available'")}`), ['Ann', 'Dov']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q(`activity_sid == '${la.Offline}'`)}`), ['Eve']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q("friendly_name IN ['Ben', 'Dov']")}`), ['Ben', 'Dov']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q(`sid == '${sids.Cat}'`)}`), ['Cat']);
      assert.deepEqual(await names(`TargetWorkersExpression=${q("skills HAS 'en'")}&Available=true`), ['Ann']);
      const bad = await s.request('GET', `/v1/Workspaces/${lws}/Workers?TargetWorkersExpression=${q('skill-level > 3')}`);
      assertTwilioError(bad, 400, 20001);
      assert.match(bad.body.message, /TargetWorkersExpression.*hyphens.*column 6/);
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?TargetWorkersExpression=${q('level >')}`), 400, 20001);
    });

    it("filters by TaskQueueSid and TaskQueueName (the queue's target_workers)", async () => {
      const mkq = async (name: string, target: string) =>
        (await s.request('POST', `/v1/Workspaces/${lws}/TaskQueues`, { form: { FriendlyName: name, TargetWorkers: target } })).body.sid as string;
      const english = await mkq('English', "skills HAS 'en'");
      const seniors = await mkq('Seniors', 'worker.level >= 5');
      assert.deepEqual(await names(`TaskQueueSid=${english}`), ['Ann', 'Cat', 'Eve']);
      assert.deepEqual(await names(`TaskQueueName=Seniors`), ['Ann', 'Cat']);
      assert.deepEqual(await names(`TaskQueueName=seniors`), ['Ann', 'Cat']);
      assert.deepEqual(await names(`TaskQueueSid=${seniors}&Available=true`), ['Ann']);
      assert.deepEqual(await names(`TaskQueueSid=${seniors}&TaskQueueName=English`), []);
      // Unknown queues (and another workspace's) are 404; a malformed SID is 20001.
      const foreign = (await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues`)).body.task_queues[0].sid;
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?TaskQueueSid=${newSid('WQ')}`), 404, 20404);
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?TaskQueueSid=${foreign}`), 404, 20404);
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?TaskQueueName=Nowhere`), 404, 20404);
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?TaskQueueSid=English`), 400, 20001);
    });

    it('orders by DateCreated, DateStatusChanged, FriendlyName; unknown attributes are 20001', async () => {
      assert.deepEqual(await names('Ordering=DateCreated:desc'), ['Eve', 'Dov', 'Cat', 'Ben', 'Ann']);
      assert.deepEqual(await names('Ordering=DateCreated:asc'), ['Ann', 'Ben', 'Cat', 'Dov', 'Eve']);
      assert.deepEqual(await names('Ordering=DateStatusChanged:desc'), ['Ann', 'Ben', 'Eve', 'Dov', 'Cat']);
      assert.deepEqual(await names('Ordering=DateStatusChanged'), ['Cat', 'Dov', 'Eve', 'Ben', 'Ann']);
      assert.deepEqual(await names('Ordering=FriendlyName:desc'), ['Eve', 'Dov', 'Cat', 'Ben', 'Ann']);
      assert.deepEqual(await names(`Ordering=${q('DateUpdated:desc,FriendlyName:asc')}&Available=false`), ['Ben', 'Eve', 'Cat']);
      for (const bad of ['Height:asc', 'DateCreated:up', 'DateCreated:asc;drop', ',']) {
        assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?Ordering=${q(bad)}`), 400, 20001);
      }
    });

    it('pages over more than one page, forwards and back, in the store and in memory', async () => {
      for (const query of ['PageSize=2', 'PageSize=2&Ordering=FriendlyName:asc', `PageSize=2&TargetWorkersExpression=${q('1==1')}`]) {
        const seen: string[] = [];
        const pages: any[] = [];
        let url: string | null = `/v1/Workspaces/${lws}/Workers?${query}`;
        while (url) {
          const res = await s.request('GET', url.replace(s.origin, ''));
          assertContract('get', W, res, 200);
          assert.ok(res.body.workers.length <= 2);
          seen.push(...res.body.workers.map((w: any) => w.friendly_name));
          pages.push(res.body.meta);
          url = res.body.meta.next_page_url;
          if (url) assert.ok(url.startsWith(`${s.origin}/v1/Workspaces/${lws}/Workers?`), url);
        }
        assert.deepEqual(seen, ['Ann', 'Ben', 'Cat', 'Dov', 'Eve'], query);
        assert.deepEqual(pages.map((m) => m.page), [0, 1, 2]);
        assert.equal(pages[0].previous_page_url, null);
        // The filters are echoed into the page URLs, and the previous page of the last page is the middle one.
        for (const part of query.split('&').filter((p) => !p.startsWith('PageSize'))) assert.ok(pages[1].next_page_url.includes(part.split('=')[0]!));
        const back = await s.request('GET', pages[2].previous_page_url.replace(s.origin, ''));
        assertContract('get', W, back, 200);
        assert.deepEqual(back.body.workers.map((w: any) => w.friendly_name), ['Cat', 'Dov']);
      }
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?PageSize=0`), 400, 20001);
      assertTwilioError(await s.request('GET', `/v1/Workspaces/${lws}/Workers?PageToken=bogus`), 400, 20001);
      // A parameter the list does not take is ignored, as Twilio ignores it.
      assert.equal((await s.request('GET', `/v1/Workspaces/${lws}/Workers?Bogus=1`)).status, 200);
    });
  });

  it(`refuses the ${LIMITS.workersPerWorkspace + 1}th worker of a workspace`, async () => {
    const full = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Full' } })).body;
    // Filling the workspace through the API would take minutes; the count is what the limit reads.
    s.store.transaction((repo) => {
      for (let i = 0; i < LIMITS.workersPerWorkspace; i++) {
        repo.insert('worker', {
          sid: newSid('WK'),
          accountSid: s.accountSid,
          workspaceSid: full.sid,
          friendlyName: `w${i}`,
          activitySid: full.default_activity_sid,
          attributes: '{}',
          dateStatusChanged: now,
          dateCreated: now,
          dateUpdated: now,
          version: 0,
        });
      }
    });
    const res = await s.request('POST', `/v1/Workspaces/${full.sid}/Workers`, { form: { FriendlyName: 'One too many' } });
    assertTwilioError(res, 400, 20001);
    assert.match(res.body.message, /15000/);
    assert.equal(s.store.read((repo) => repo.count('worker', { workspaceSid: full.sid })), LIMITS.workersPerWorkspace);
    await s.request('DELETE', `/v1/Workspaces/${full.sid}`);
  });
});

// TaskQueues: every operation against the OpenAPI document, the list filters (FriendlyName,
// EvaluateWorkerAttributes, WorkerSid, Ordering) and paging, events, the per-workspace limit, and the rule that a
// rejected request changes nothing (store snapshot before and after).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertRejectedUnchanged, assertTwilioError } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { LIMITS } from '../../src/core/limits.ts';

const Q = '/v1/Workspaces/{WorkspaceSid}/TaskQueues';
const QI = `${Q}/{Sid}`;
const T0 = Date.parse('2026-03-01T10:00:00Z');

describe('TaskQueues: contract and behaviour', () => {
  let s: TestServer;
  let now = T0;
  let ws: string;
  let act: Record<string, string>;
  const base = () => `/v1/Workspaces/${ws}/TaskQueues`;
  const create = (form: Record<string, string | number>) => s.request('POST', base(), { form });

  before(async () => {
    s = await startServer({ clock: () => now });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Queues' } })).body.sid;
    await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { form: { FriendlyName: 'Busy', Available: 'false' } });
    const list = await s.request('GET', `/v1/Workspaces/${ws}/Activities`);
    act = Object.fromEntries(list.body.activities.map((a: any) => [a.friendly_name, a.sid]));
  });
  after(async () => s.close());

  /** Everything a queue request could touch, read straight from the store. */
  const snapshot = () =>
    s.store.read((repo) => ({
      queues: repo.findAll('taskQueue', { workspaceSid: ws }),
      workflows: repo.findAll('workflow', { workspaceSid: ws }),
      events: repo.eventsFor(ws).length,
    }));
  const events = (type: string) => s.store.read((repo) => repo.eventsFor(ws).filter((e) => e.eventType === type));

  const rejects = (attempts: Parameters<typeof assertRejectedUnchanged>[1]) => assertRejectedUnchanged(snapshot, attempts);

  it('creates a queue with the defaults and the links of the OpenAPI example', async () => {
    const res = await create({ FriendlyName: 'Everyone' });
    assertContract('post', Q, res, 201);
    const q = res.body;
    assert.match(q.sid, /^WQ[0-9a-f]{32}$/);
    assert.equal(q.account_sid, s.accountSid);
    assert.equal(q.workspace_sid, ws);
    assert.equal(q.friendly_name, 'Everyone');
    assert.equal(q.target_workers, '1==1');
    assert.equal(q.max_reserved_workers, 1);
    assert.equal(q.task_order, 'FIFO');
    assert.equal(q.assignment_activity_sid, null);
    assert.equal(q.assignment_activity_name, null);
    assert.equal(q.reservation_activity_sid, null);
    assert.equal(q.reservation_activity_name, null);
    assert.equal(q.date_created, '2026-03-01T10:00:00Z');
    assert.equal(q.date_updated, q.date_created);
    const wsUrl = `${s.origin}/v1/Workspaces/${ws}`;
    const url = `${wsUrl}/TaskQueues/${q.sid}`;
    assert.equal(q.url, url);
    // Without reservation/assignment activities there is nothing for those two links to point at.
    assert.deepEqual(q.links, {
      workspace: wsUrl,
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
      list_statistics: `${wsUrl}/TaskQueues/Statistics`,
      bulk_real_time_statistics: `${wsUrl}/TaskQueues/RealTimeStatistics`,
    });
    const created = events('task-queue.created').find((e) => e.resourceSid === q.sid);
    assert.equal(created?.resourceType, 'task_queue');
    assert.equal(created?.eventData.task_queue_name, 'Everyone');
    assert.equal(created?.eventData.task_queue_target_expression, '1==1');
    assert.equal(created?.dateMs, T0);
  });

  it('creates with every parameter; activity names and links follow the activities', async () => {
    now = T0 + 1000;
    const res = await create({
      FriendlyName: 'English',
      TargetWorkers: "languages HAS 'en'",
      MaxReservedWorkers: 50,
      TaskOrder: 'LIFO',
      ReservationActivitySid: act.Busy!,
      AssignmentActivitySid: act.Unavailable!,
    });
    assertContract('post', Q, res, 201);
    const q = res.body;
    assert.equal(q.target_workers, "languages HAS 'en'");
    assert.equal(q.max_reserved_workers, 50);
    assert.equal(q.task_order, 'LIFO');
    assert.equal(q.reservation_activity_sid, act.Busy);
    assert.equal(q.reservation_activity_name, 'Busy');
    assert.equal(q.assignment_activity_sid, act.Unavailable);
    assert.equal(q.assignment_activity_name, 'Unavailable');
    const wsUrl = `${s.origin}/v1/Workspaces/${ws}`;
    // Same keys, same order as the OpenAPI `fetch` example.
    assert.deepEqual(Object.keys(q.links), [
      'assignment_activity', 'reservation_activity', 'workspace', 'statistics', 'real_time_statistics',
      'cumulative_statistics', 'list_statistics', 'bulk_real_time_statistics',
    ]);
    assert.equal(q.links.assignment_activity, `${wsUrl}/Activities/${act.Unavailable}`);
    assert.equal(q.links.reservation_activity, `${wsUrl}/Activities/${act.Busy}`);
    const fifo = await create({ FriendlyName: 'French', TargetWorkers: "languages HAS 'fr'", TaskOrder: 'FIFO', MaxReservedWorkers: 1 });
    assertContract('post', Q, fifo, 201);
    assert.equal(fifo.body.task_order, 'FIFO');
  });

  it('fetches a queue; the body equals the created one and the list item', async () => {
    const english = (await s.request('GET', `${base()}?FriendlyName=English`)).body.task_queues[0];
    const res = await s.request('GET', `${base()}/${english.sid}`);
    assertContract('get', QI, res, 200);
    assert.deepEqual(res.body, english);
    assert.equal(res.body.friendly_name, 'English');
  });

  it('updates every field; task-queue.expression.updated only when TargetWorkers changes', async () => {
    now = T0 + 2000;
    const q = (await create({ FriendlyName: 'Spare' })).body;
    const before = events('task-queue.expression.updated').length;
    now = T0 + 60_000;
    const renamed = await s.request('POST', `${base()}/${q.sid}`, { form: { FriendlyName: 'Spare Tier 2' } });
    assertContract('post', QI, renamed, 200);
    assert.equal(renamed.body.friendly_name, 'Spare Tier 2');
    assert.equal(renamed.body.target_workers, '1==1');
    assert.equal(renamed.body.date_created, '2026-03-01T10:00:02Z');
    assert.equal(renamed.body.date_updated, '2026-03-01T10:01:00Z');
    // Setting the same expression again is not a change either.
    await s.request('POST', `${base()}/${q.sid}`, { form: { TargetWorkers: '1==1' } });
    assert.equal(events('task-queue.expression.updated').length, before);

    const res = await s.request('POST', `${base()}/${q.sid}`, {
      form: { TargetWorkers: 'level > 5', MaxReservedWorkers: 3, TaskOrder: 'LIFO', ReservationActivitySid: act.Busy!, AssignmentActivitySid: act.Busy! },
    });
    assertContract('post', QI, res, 200);
    assert.equal(res.body.friendly_name, 'Spare Tier 2');
    assert.equal(res.body.target_workers, 'level > 5');
    assert.equal(res.body.max_reserved_workers, 3);
    assert.equal(res.body.task_order, 'LIFO');
    assert.equal(res.body.reservation_activity_name, 'Busy');
    assert.equal(res.body.assignment_activity_name, 'Busy');
    assert.ok(res.body.links.assignment_activity && res.body.links.reservation_activity);
    const changed = events('task-queue.expression.updated').filter((e) => e.resourceSid === q.sid);
    assert.equal(changed.length, 1);
    assert.equal(changed[0]!.eventData.task_queue_target_expression, 'level > 5');
    assert.equal(changed[0]!.eventData.task_queue_previous_target_expression, '1==1');
    // TaskRouter has no task-queue.updated event type (reference §12.2).
    assert.equal(events('task-queue.updated').length, 0);
    // An update without parameters changes nothing but the date.
    const same = await s.request('POST', `${base()}/${q.sid}`, { form: {} });
    assertContract('post', QI, same, 200);
    assert.deepEqual({ ...same.body, date_updated: null }, { ...res.body, date_updated: null });
    assert.deepEqual(await s.request('GET', `${base()}/${q.sid}`).then((r) => r.body), same.body);
  });

  it('deletes a queue: 204, then 404, and task-queue.deleted', async () => {
    const q = (await create({ FriendlyName: 'Short-lived' })).body;
    const res = await s.request('DELETE', `${base()}/${q.sid}`);
    assertContract('delete', QI, res, 204);
    assertTwilioError(await s.request('GET', `${base()}/${q.sid}`), 404, 20404);
    assertTwilioError(await s.request('DELETE', `${base()}/${q.sid}`), 404, 20404);
    const deleted = events('task-queue.deleted').filter((e) => e.resourceSid === q.sid);
    assert.equal(deleted.length, 1);
    assert.equal(deleted[0]!.eventData.task_queue_name, 'Short-lived');
  });

  it('refuses to delete a queue a workflow routes to, naming the workflow; nothing changes', async () => {
    const target = (await create({ FriendlyName: 'Routed' })).body.sid;
    const fallback = (await create({ FriendlyName: 'Fallback' })).body.sid;
    const config = (sid: string) =>
      JSON.stringify({
        task_routing: {
          filters: [{ filter_friendly_name: 'VIP', expression: 'vip == true', targets: [{ queue: sid, timeout: 30 }, { priority: 5 }] }],
          default_filter: { queue: fallback },
        },
      });
    const wf = (await s.request('POST', `/v1/Workspaces/${ws}/Workflows`, { form: { FriendlyName: 'Router', Configuration: config(target) } })).body;
    assert.equal(wf.friendly_name, 'Router');
    await rejects([
      [() => s.request('DELETE', `${base()}/${target}`), 400, 20001],
      [() => s.request('DELETE', `${base()}/${fallback}`), 400, 20001],
    ]);
    const refused = await s.request('DELETE', `${base()}/${target}`);
    assert.match(refused.body.message, new RegExp(`Workflow ${wf.sid} \\(Router\\)`));
    // Once the workflow no longer routes there, the queue can go.
    const other = (await create({ FriendlyName: 'Other' })).body.sid;
    await s.request('POST', `/v1/Workspaces/${ws}/Workflows/${wf.sid}`, { form: { Configuration: config(other) } });
    assertContract('delete', QI, await s.request('DELETE', `${base()}/${target}`), 204);
    await s.request('DELETE', `/v1/Workspaces/${ws}/Workflows/${wf.sid}`);
    assertContract('delete', QI, await s.request('DELETE', `${base()}/${fallback}`), 204);
    assertContract('delete', QI, await s.request('DELETE', `${base()}/${other}`), 204);
  });

  it('rejects bad create input with 20001 and changes nothing', async () => {
    const otherWs = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Other' } })).body;
    const post = (form: Record<string, string>) => () => create(form);
    await rejects([
      [post({}), 400, 20001],
      [post({ FriendlyName: '' }), 400, 20001],
      [post({ FriendlyName: 'x'.repeat(65) }), 400, 20001],
      [post({ FriendlyName: 'X', TargetWorkers: 'skill-level > 3' }), 400, 20001],
      [post({ FriendlyName: 'X', TargetWorkers: 'level ==' }), 400, 20001],
      [post({ FriendlyName: 'X', TargetWorkers: "languages HAS 'en" }), 400, 20001],
      [post({ FriendlyName: 'X', TargetWorkers: '' }), 400, 20001],
      [post({ FriendlyName: 'X', TargetWorkers: `a == '${'x'.repeat(LIMITS.targetWorkers)}'` }), 400, 20001],
      [post({ FriendlyName: 'X', MaxReservedWorkers: '0' }), 400, 20001],
      [post({ FriendlyName: 'X', MaxReservedWorkers: '51' }), 400, 20001],
      [post({ FriendlyName: 'X', MaxReservedWorkers: '1.5' }), 400, 20001],
      [post({ FriendlyName: 'X', MaxReservedWorkers: 'many' }), 400, 20001],
      [post({ FriendlyName: 'X', TaskOrder: 'RANDOM' }), 400, 20001],
      [post({ FriendlyName: 'X', TaskOrder: '' }), 400, 20001],
      [post({ FriendlyName: 'X', ReservationActivitySid: newSid('WA') }), 400, 20001],
      [post({ FriendlyName: 'X', ReservationActivitySid: 'Busy' }), 400, 20001],
      [post({ FriendlyName: 'X', AssignmentActivitySid: newSid('WA') }), 400, 20001],
      [post({ FriendlyName: 'X', AssignmentActivitySid: otherWs.default_activity_sid }), 400, 20001],
    ]);
    // The expression error carries the parser's message and column.
    const bad = await create({ FriendlyName: 'X', TargetWorkers: 'skill-level > 3' });
    assert.match(bad.body.message, /^Invalid parameter TargetWorkers: .*hyphen.* at column 6$/);
    const cut = await create({ FriendlyName: 'X', TargetWorkers: 'level ==' });
    assert.match(cut.body.message, /TargetWorkers: .* at column 9$/);
    const foreign = await create({ FriendlyName: 'X', AssignmentActivitySid: otherWs.default_activity_sid });
    assert.match(foreign.body.message, /AssignmentActivitySid/);
    assert.match((await create({ FriendlyName: 'X', MaxReservedWorkers: '51' })).body.message, /MaxReservedWorkers/);
    assert.match((await create({ FriendlyName: 'X', TaskOrder: 'RANDOM' })).body.message, /TaskOrder.*FIFO, LIFO/);
    assert.equal((await create({ FriendlyName: 'Y' })).body.friendly_name, 'Y', 'the same parameters minus the bad one succeed');
  });

  it('rejects bad update input and unknown queues or workspaces; nothing changes', async () => {
    const english = (await s.request('GET', `${base()}?FriendlyName=English`)).body.task_queues[0].sid;
    const upd = (form: Record<string, string>) => () => s.request('POST', `${base()}/${english}`, { form });
    await rejects([
      // A valid change next to a bad one: neither is applied.
      [upd({ FriendlyName: 'Renamed', TargetWorkers: 'skill-level > 3' }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', MaxReservedWorkers: '51' }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', TaskOrder: 'fifo ' }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', ReservationActivitySid: newSid('WA') }), 400, 20001],
      [upd({ FriendlyName: '' }), 400, 20001],
      [() => s.request('GET', `${base()}/${newSid('WQ')}`), 404, 20404],
      [() => s.request('GET', `${base()}/not-a-sid`), 404, 20404],
      [() => s.request('POST', `${base()}/${newSid('WQ')}`, { form: { FriendlyName: 'x' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${newSid('WQ')}`), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/TaskQueues`), 404, 20404],
      [() => s.request('POST', `/v1/Workspaces/${newSid('WS')}/TaskQueues`, { form: { FriendlyName: 'Z' } }), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/TaskQueues/${english}`), 404, 20404],
    ]);
  });

  it("another account's workspace and queues are 404, never 403, and untouched", async () => {
    const other = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: other.sid, ownerAccountSid: other.sid, friendlyName: 'B', authTokenSealed: s.app.secrets.sealAuthToken(other.sid, other.token), status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: other.sid, password: other.token };
    const english = (await s.request('GET', `${base()}?FriendlyName=English`)).body.task_queues[0].sid;
    await rejects([
      [() => s.request('GET', base(), { auth }), 404, 20404],
      [() => s.request('POST', base(), { auth, form: { FriendlyName: 'Mallory' } }), 404, 20404],
      [() => s.request('GET', `${base()}/${english}`, { auth }), 404, 20404],
      [() => s.request('POST', `${base()}/${english}`, { auth, form: { FriendlyName: 'Mallory' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${english}`, { auth }), 404, 20404],
    ]);
  });

  describe('list', () => {
    let lws: string;
    const lbase = () => `/v1/Workspaces/${lws}/TaskQueues`;
    const names = async (query: string) => {
      const res = await s.request('GET', `${lbase()}?${query}`);
      assertContract('get', Q, res, 200);
      return res.body.task_queues.map((q: any) => q.friendly_name);
    };
    const enc = encodeURIComponent;
    const worker = async (name: string, attrs: object) =>
      (await s.request('POST', `/v1/Workspaces/${lws}/Workers`, { form: { FriendlyName: name, Attributes: JSON.stringify(attrs) } })).body.sid as string;

    before(async () => {
      lws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Queue lists' } })).body.sid;
      // Created in an order that differs from the alphabetical one, a second apart.
      const mk = async (name: string, target: string, at: number) => {
        now = at;
        const res = await s.request('POST', lbase(), { form: { FriendlyName: name, TargetWorkers: target } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      };
      await mk('Sales', "skills HAS 'sales'", T0 + 1000);
      await mk('billing', "skills HAS 'billing' AND level >= 3", T0 + 2000);
      await mk('Everyone', '1==1', T0 + 3000);
      await mk('Escalation', 'level > 8', T0 + 4000);
      await mk('Dutch', "languages HAS 'nl' OR region == 'benelux'", T0 + 5000);
    });

    it('lists in creation order with the envelope of the OpenAPI document', async () => {
      const res = await s.request('GET', lbase());
      assertContract('get', Q, res, 200);
      assert.deepEqual(res.body.task_queues.map((q: any) => q.friendly_name), ['Sales', 'billing', 'Everyone', 'Escalation', 'Dutch']);
      assert.equal(res.body.meta.key, 'task_queues');
      assert.equal(res.body.meta.page_size, 50);
      assert.equal(res.body.meta.next_page_url, null);
    });

    it('filters by FriendlyName', async () => {
      assert.deepEqual(await names('FriendlyName=Everyone'), ['Everyone']);
      assert.deepEqual(await names('FriendlyName=Nobody'), []);
      assert.deepEqual(await names(`FriendlyName=Dutch&EvaluateWorkerAttributes=${enc('{"region":"benelux"}')}`), ['Dutch']);
      assert.deepEqual(await names(`FriendlyName=Sales&EvaluateWorkerAttributes=${enc('{"region":"benelux"}')}`), []);
    });

    it('filters by EvaluateWorkerAttributes: the queues whose target_workers match those attributes', async () => {
      const ev = (attrs: string) => names(`EvaluateWorkerAttributes=${enc(attrs)}`);
      assert.deepEqual(await ev('{}'), ['Everyone']);
      assert.deepEqual(await ev('{"skills":["sales","billing"],"level":3}'), ['Sales', 'billing', 'Everyone']);
      assert.deepEqual(await ev('{"skills":["billing"],"level":2}'), ['Everyone']);
      assert.deepEqual(await ev('{"level":9,"languages":["nl"]}'), ['Everyone', 'Escalation', 'Dutch']);
      assert.deepEqual(await ev('{"region":"benelux","level":"9"}'), ['Everyone', 'Dutch']);
      for (const bad of ['nope', '{"a":', '[1,2]', '"text"', 'null', '']) {
        const res = await s.request('GET', `${lbase()}?EvaluateWorkerAttributes=${enc(bad)}`);
        assertTwilioError(res, 400, 20001);
        assert.match(res.body.message, /EvaluateWorkerAttributes/);
      }
    });

    it("filters by WorkerSid: the queues whose target_workers match that worker's attributes", async () => {
      const seller = await worker('Seller', { skills: ['sales'], level: 9 });
      const nobody = await worker('Nobody', {});
      assert.deepEqual(await names(`WorkerSid=${seller}`), ['Sales', 'Everyone', 'Escalation']);
      assert.deepEqual(await names(`WorkerSid=${nobody}`), ['Everyone']);
      // A worker written straight into the store is evaluated the same way.
      const direct = newSid('WK');
      const offline = (await s.request('GET', `/v1/Workspaces/${lws}`)).body.default_activity_sid;
      s.store.transaction((repo) =>
        repo.insert('worker', {
          sid: direct,
          accountSid: s.accountSid,
          workspaceSid: lws,
          friendlyName: 'Direct',
          activitySid: offline,
          attributes: '{"skills":["billing"],"level":4,"languages":["nl"]}',
          dateStatusChanged: now,
          dateCreated: now,
          dateUpdated: now,
          version: 0,
        }),
      );
      assert.deepEqual(await names(`WorkerSid=${direct}`), ['billing', 'Everyone', 'Dutch']);
      // Combined with EvaluateWorkerAttributes, a queue must match both.
      assert.deepEqual(await names(`WorkerSid=${seller}&EvaluateWorkerAttributes=${enc('{"level":10}')}`), ['Everyone', 'Escalation']);
      // Attributes changes are seen at once.
      await s.request('POST', `/v1/Workspaces/${lws}/Workers/${nobody}`, { form: { Attributes: '{"languages":["nl"]}' } });
      assert.deepEqual(await names(`WorkerSid=${nobody}`), ['Everyone', 'Dutch']);
      // Unknown workers, and another workspace's, are 404; a malformed SID is 20001.
      const foreign = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Foreign' } })).body.sid;
      assertTwilioError(await s.request('GET', `${lbase()}?WorkerSid=${newSid('WK')}`), 404, 20404);
      assertTwilioError(await s.request('GET', `${lbase()}?WorkerSid=${foreign}`), 404, 20404);
      assertTwilioError(await s.request('GET', `${lbase()}?WorkerSid=Seller`), 400, 20001);
    });

    it('orders by DateCreated and FriendlyName, ascending or descending; anything else is 20001', async () => {
      assert.deepEqual(await names('Ordering=DateCreated:asc'), ['Sales', 'billing', 'Everyone', 'Escalation', 'Dutch']);
      assert.deepEqual(await names('Ordering=DateCreated:desc'), ['Dutch', 'Escalation', 'Everyone', 'billing', 'Sales']);
      // Names compare case-insensitively, as a person reads them.
      assert.deepEqual(await names('Ordering=FriendlyName:asc'), ['billing', 'Dutch', 'Escalation', 'Everyone', 'Sales']);
      assert.deepEqual(await names('Ordering=FriendlyName:desc'), ['Sales', 'Everyone', 'Escalation', 'Dutch', 'billing']);
      assert.deepEqual(await names(`Ordering=FriendlyName:desc&EvaluateWorkerAttributes=${enc('{"level":9,"languages":["nl"]}')}`), ['Everyone', 'Escalation', 'Dutch']);
      for (const bad of ['Colour:asc', 'DateCreated:up', 'FriendlyName:asc;drop', ',', 'Priority:desc']) {
        const res = await s.request('GET', `${lbase()}?Ordering=${enc(bad)}`);
        assertTwilioError(res, 400, 20001);
        assert.match(res.body.message, /Ordering/);
      }
    });

    it('pages over more than one page, forwards and back, in the store and in memory', async () => {
      const all = ['Sales', 'billing', 'Everyone', 'Escalation', 'Dutch'];
      for (const query of ['PageSize=2', 'PageSize=2&Ordering=DateCreated:asc', `PageSize=2&EvaluateWorkerAttributes=${enc('{"level":9,"skills":["sales","billing"],"region":"benelux"}')}`]) {
        const seen: string[] = [];
        const pages: any[] = [];
        let url: string | null = `${lbase()}?${query}`;
        while (url) {
          const res = await s.request('GET', url.replace(s.origin, ''));
          assertContract('get', Q, res, 200);
          assert.ok(res.body.task_queues.length <= 2);
          seen.push(...res.body.task_queues.map((q: any) => q.friendly_name));
          pages.push(res.body.meta);
          url = res.body.meta.next_page_url;
          if (url) assert.ok(url.startsWith(`${s.origin}${lbase()}?`), url);
        }
        assert.deepEqual(seen, all, query);
        assert.deepEqual(pages.map((m) => m.page), [0, 1, 2]);
        assert.equal(pages[0].previous_page_url, null);
        // The filters are carried into the page URLs.
        for (const part of query.split('&').filter((p) => !p.startsWith('PageSize'))) assert.ok(pages[1].next_page_url.includes(part.split('=')[0]!));
        const back = await s.request('GET', pages[2].previous_page_url.replace(s.origin, ''));
        assertContract('get', Q, back, 200);
        assert.deepEqual(back.body.task_queues.map((q: any) => q.friendly_name), ['Everyone', 'Escalation']);
      }
      assertTwilioError(await s.request('GET', `${lbase()}?PageSize=0`), 400, 20001);
      assertTwilioError(await s.request('GET', `${lbase()}?PageSize=1001`), 400, 20001);
      assertTwilioError(await s.request('GET', `${lbase()}?PageToken=bogus`), 400, 20001);
      // A parameter the list does not take is ignored, as Twilio ignores it.
      assert.equal((await s.request('GET', `${lbase()}?Bogus=1`)).status, 200);
    });
  });

  it(`refuses the ${LIMITS.taskQueuesPerWorkspace + 1}th queue of a workspace`, async () => {
    const full = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Full' } })).body.sid;
    // Filling the workspace through the API would take a while; the count is what the limit reads.
    s.store.transaction((repo) => {
      for (let i = 0; i < LIMITS.taskQueuesPerWorkspace; i++) {
        repo.insert('taskQueue', {
          sid: newSid('WQ'),
          accountSid: s.accountSid,
          workspaceSid: full,
          friendlyName: `q${i}`,
          targetWorkers: '1==1',
          maxReservedWorkers: 1,
          taskOrder: 'FIFO',
          reservationActivitySid: null,
          assignmentActivitySid: null,
          dateCreated: now,
          dateUpdated: now,
          version: 0,
        });
      }
    });
    const res = await s.request('POST', `/v1/Workspaces/${full}/TaskQueues`, { form: { FriendlyName: 'One too many' } });
    assertTwilioError(res, 400, 20001);
    assert.match(res.body.message, /5000/);
    assert.equal(s.store.read((repo) => repo.count('taskQueue', { workspaceSid: full })), LIMITS.taskQueuesPerWorkspace);
    await s.request('DELETE', `/v1/Workspaces/${full}`);
  });
});

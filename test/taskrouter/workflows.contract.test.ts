// Workflows: every operation against the OpenAPI document, Configuration validation against the workspace's
// queues (errors name the field path), the FriendlyName filter and paging, events, the per-workspace limit, and
// the rule that a rejected request changes nothing (store snapshot before and after).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertRejectedUnchanged, assertTwilioError } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { LIMITS } from '../../src/core/limits.ts';

const F = '/v1/Workspaces/{WorkspaceSid}/Workflows';
const FI = `${F}/{Sid}`;
const T0 = Date.parse('2026-03-01T10:00:00Z');

describe('Workflows: contract and behaviour', () => {
  let s: TestServer;
  let now = T0;
  let ws: string;
  let en: string;
  let all: string;
  let foreignQueue: string;
  const base = () => `/v1/Workspaces/${ws}/Workflows`;
  const create = (form: Record<string, string | number>) => s.request('POST', base(), { form });
  const routing = (defaultQueue: string) => JSON.stringify({ task_routing: { default_filter: { queue: defaultQueue } } });

  before(async () => {
    s = await startServer({ clock: () => now });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Workflows' } })).body.sid;
    const queue = async (w: string, name: string, target: string) =>
      (await s.request('POST', `/v1/Workspaces/${w}/TaskQueues`, { form: { FriendlyName: name, TargetWorkers: target } })).body.sid as string;
    en = await queue(ws, 'English', "languages HAS 'en'");
    all = await queue(ws, 'Everyone', '1==1');
    const other = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Elsewhere' } })).body.sid;
    foreignQueue = await queue(other, 'Foreign', '1==1');
  });
  after(async () => s.close());

  /** Everything a workflow request could touch, read straight from the store. */
  const snapshot = () =>
    s.store.read((repo) => ({
      workflows: repo.findAll('workflow', { workspaceSid: ws }),
      queues: repo.findAll('taskQueue', { workspaceSid: ws }),
      events: repo.eventsFor(ws).length,
    }));
  const events = (type: string) => s.store.read((repo) => repo.eventsFor(ws).filter((e) => e.eventType === type));

  const rejects = (attempts: Parameters<typeof assertRejectedUnchanged>[1]) => assertRejectedUnchanged(snapshot, attempts);

  it('creates a workflow with the defaults; configuration is returned exactly as sent', async () => {
    // Whitespace and key order are the client's: the text is stored, not re-serialised.
    const configuration = `{ "task_routing": {"default_filter": {"queue": "${all}"}}\n}`;
    const res = await create({ FriendlyName: 'Minimal', Configuration: configuration });
    assertContract('post', F, res, 201);
    const w = res.body;
    assert.match(w.sid, /^WW[0-9a-f]{32}$/);
    assert.equal(w.account_sid, s.accountSid);
    assert.equal(w.workspace_sid, ws);
    assert.equal(w.friendly_name, 'Minimal');
    assert.equal(w.configuration, configuration);
    assert.equal(w.document_content_type, 'application/json');
    assert.equal(w.task_reservation_timeout, 120);
    assert.equal(w.assignment_callback_url, null);
    assert.equal(w.fallback_assignment_callback_url, null);
    assert.equal(w.date_created, '2026-03-01T10:00:00Z');
    assert.equal(w.date_updated, w.date_created);
    const url = `${s.origin}/v1/Workspaces/${ws}/Workflows/${w.sid}`;
    assert.equal(w.url, url);
    assert.deepEqual(w.links, {
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
    });
    const created = events('workflow.created').filter((e) => e.resourceSid === w.sid);
    assert.equal(created.length, 1);
    assert.equal(created[0]!.resourceType, 'workflow');
    assert.equal(created[0]!.eventData.workflow_name, 'Minimal');
    assert.equal(created[0]!.dateMs, T0);
  });

  it('creates with every parameter and a full routing configuration', async () => {
    now = T0 + 1000;
    const configuration = JSON.stringify({
      task_routing: {
        filters: [
          {
            filter_friendly_name: 'English',
            expression: "language == 'en' AND priority > 1",
            targets: [
              { queue: en, priority: 10, timeout: 30, expression: 'task.level <= worker.level', order_by: 'worker.level DESC', skip_if: 'workers.available == 0' },
              { queue: all, timeout: '60' },
              { priority: 20 },
            ],
          },
          { filter_friendly_name: 'Known agent', expression: 'agent_sid != null', targets: [{ queue: all, known_worker_sid: 'task.agent_sid' }] },
        ],
        default_filter: { queue: all },
      },
    });
    const res = await create({
      FriendlyName: 'Full',
      Configuration: configuration,
      AssignmentCallbackUrl: 'https://example.com/assign?x=1',
      FallbackAssignmentCallbackUrl: 'http://fallback.example.com:8080/assign',
      TaskReservationTimeout: 86400,
    });
    assertContract('post', F, res, 201);
    assert.equal(res.body.configuration, configuration);
    assert.equal(res.body.assignment_callback_url, 'https://example.com/assign?x=1');
    assert.equal(res.body.fallback_assignment_callback_url, 'http://fallback.example.com:8080/assign');
    assert.equal(res.body.task_reservation_timeout, 86400);
    const short = await create({ FriendlyName: 'Quick', Configuration: routing(en), TaskReservationTimeout: 1 });
    assertContract('post', F, short, 201);
    assert.equal(short.body.task_reservation_timeout, 1);
  });

  it('fetches a workflow; the body equals the created one and the list item', async () => {
    const item = (await s.request('GET', `${base()}?FriendlyName=Full`)).body.workflows[0];
    const res = await s.request('GET', `${base()}/${item.sid}`);
    assertContract('get', FI, res, 200);
    assert.deepEqual(res.body, item);
    assert.equal(res.body.friendly_name, 'Full');
  });

  it('updates every field; an empty callback URL clears it; ReEvaluateTasks is accepted; workflow.updated', async () => {
    now = T0 + 2000;
    const w = (await create({ FriendlyName: 'Editable', Configuration: routing(all), AssignmentCallbackUrl: 'https://example.com/a' })).body;
    now = T0 + 60_000;
    const next = JSON.stringify({ task_routing: { filters: [{ expression: "language == 'en'", targets: [{ queue: en }] }], default_filter: { queue: all } } });
    const res = await s.request('POST', `${base()}/${w.sid}`, {
      form: {
        FriendlyName: 'Edited',
        Configuration: next,
        AssignmentCallbackUrl: 'https://example.com/b',
        FallbackAssignmentCallbackUrl: 'https://example.com/c',
        TaskReservationTimeout: 45,
        ReEvaluateTasks: 'true',
      },
    });
    assertContract('post', FI, res, 200);
    assert.equal(res.body.friendly_name, 'Edited');
    assert.equal(res.body.configuration, next);
    assert.equal(res.body.assignment_callback_url, 'https://example.com/b');
    assert.equal(res.body.fallback_assignment_callback_url, 'https://example.com/c');
    assert.equal(res.body.task_reservation_timeout, 45);
    assert.equal(res.body.date_created, '2026-03-01T10:00:02Z');
    assert.equal(res.body.date_updated, '2026-03-01T10:01:00Z');
    const updated = events('workflow.updated').filter((e) => e.resourceSid === w.sid);
    assert.equal(updated.length, 1);
    assert.equal(updated[0]!.eventData.workflow_name, 'Edited');

    // Parameters not given keep their values; an empty URL clears one.
    const cleared = await s.request('POST', `${base()}/${w.sid}`, { form: { AssignmentCallbackUrl: '', ReEvaluateTasks: 'false' } });
    assertContract('post', FI, cleared, 200);
    assert.equal(cleared.body.assignment_callback_url, null);
    assert.equal(cleared.body.fallback_assignment_callback_url, 'https://example.com/c');
    assert.equal(cleared.body.configuration, next);
    assert.equal(cleared.body.friendly_name, 'Edited');
    assert.equal(cleared.body.task_reservation_timeout, 45);
    assert.deepEqual((await s.request('GET', `${base()}/${w.sid}`)).body, cleared.body);
  });

  it('deletes a workflow: 204, then 404, workflow.deleted, and its queues are free to go', async () => {
    const spare = (await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'Spare' } })).body.sid;
    const w = (await create({ FriendlyName: 'Doomed', Configuration: routing(spare) })).body;
    assertTwilioError(await s.request('DELETE', `/v1/Workspaces/${ws}/TaskQueues/${spare}`), 400, 20001);
    assertContract('delete', FI, await s.request('DELETE', `${base()}/${w.sid}`), 204);
    assertTwilioError(await s.request('GET', `${base()}/${w.sid}`), 404, 20404);
    assertTwilioError(await s.request('DELETE', `${base()}/${w.sid}`), 404, 20404);
    const deleted = events('workflow.deleted').filter((e) => e.resourceSid === w.sid);
    assert.equal(deleted.length, 1);
    assert.equal(deleted[0]!.eventData.workflow_name, 'Doomed');
    assert.equal((await s.request('DELETE', `/v1/Workspaces/${ws}/TaskQueues/${spare}`)).status, 204);
  });

  it('rejects a bad Configuration with 20001 naming the field; nothing changes', async () => {
    const post = (Configuration: string) => create({ FriendlyName: 'Bad', Configuration });
    const tr = (routingBody: object) => JSON.stringify({ task_routing: routingBody });
    const missing = newSid('WQ');
    const cases: [string, RegExp][] = [
      ['not json', /^Invalid parameter Configuration: must be valid JSON$/],
      ['', /Configuration: must be valid JSON/],
      ['[]', /Configuration: must be a JSON object/],
      ['{}', /task_routing: is required/],
      [JSON.stringify({ task_routing: 'x' }), /task_routing: is required/],
      [tr({}), /task_routing: needs at least one filter or a default_filter/],
      [tr({ default_filter: { queue: missing } }), new RegExp(`task_routing\\.default_filter\\.queue: TaskQueue ${missing} not found in this Workspace`)],
      [tr({ default_filter: { queue: foreignQueue } }), /default_filter\.queue: TaskQueue WQ[0-9a-f]{32} not found/],
      [tr({ default_filter: { queue: 'English' } }), /default_filter\.queue: must be a TaskQueue SID/],
      [tr({ filters: [{ expression: '1==1', targets: [{ queue: en }, { queue: missing }] }] }), /task_routing\.filters\[0\]\.targets\[1\]\.queue: TaskQueue WQ[0-9a-f]{32} not found/],
      [tr({ filters: [{ expression: 'a ==', targets: [{ queue: en }] }] }), /task_routing\.filters\[0\]\.expression: invalid expression: .* at column 5/],
      [tr({ filters: [{ expression: 'skill-level > 3', targets: [{ queue: en }] }] }), /filters\[0\]\.expression: invalid expression: .*hyphen.* at column 6/],
      [tr({ filters: [{ targets: [{ queue: en }] }] }), /filters\[0\]\.expression: is required/],
      [tr({ filters: [{ expression: '1==1', targets: [] }] }), /filters\[0\]\.targets: must be a non-empty array/],
      [tr({ filters: [{ expression: '1==1', targets: [{ queue: en, timeout: 'soon' }] }] }), /filters\[0\]\.targets\[0\]\.timeout: must be an integer/],
      [tr({ filters: [{ expression: '1==1', targets: [{ queue: en, colour: 'red' }] }] }), /filters\[0\]\.targets\[0\]: unknown field colour/],
      [tr({ filters: [{ expression: '1==1', targets: [{ queue: en, expression: 'level > 1' }] }] }), /filters\[0\]\.targets\[0\]\.expression: invalid expression: .*task\. or worker\./],
    ];
    const before = snapshot();
    for (const [config, message] of cases) {
      const res = await post(config);
      assertTwilioError(res, 400, 20001);
      assert.match(res.body.message, message, config);
    }
    assert.deepEqual(snapshot(), before);
  });

  it('rejects other bad create input with 20001; nothing changes', async () => {
    const valid = routing(all);
    const post = (form: Record<string, string>) => () => create(form);
    await rejects([
      [post({ Configuration: valid }), 400, 20001],
      [post({ FriendlyName: 'Bad' }), 400, 20001],
      [post({ FriendlyName: '', Configuration: valid }), 400, 20001],
      [post({ FriendlyName: 'x'.repeat(65), Configuration: valid }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: valid, TaskReservationTimeout: '0' }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: valid, TaskReservationTimeout: '86401' }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: valid, TaskReservationTimeout: 'two minutes' }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: valid, AssignmentCallbackUrl: 'ftp://example.com/a' }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: valid, AssignmentCallbackUrl: '/relative' }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: valid, FallbackAssignmentCallbackUrl: 'not a url' }), 400, 20001],
      [post({ FriendlyName: 'Bad', Configuration: ' '.repeat(LIMITS.workflowConfiguration - valid.length + 1) + valid }), 400, 20001],
    ]);
    assert.match((await create({ FriendlyName: 'Bad' })).body.message, /Configuration/);
    assert.match((await create({ FriendlyName: 'Bad', Configuration: valid, TaskReservationTimeout: '86401' })).body.message, /TaskReservationTimeout/);
    assert.match((await create({ FriendlyName: 'Bad', Configuration: valid, AssignmentCallbackUrl: 'ftp://x' })).body.message, /AssignmentCallbackUrl/);
  });

  it('rejects bad update input and unknown workflows or workspaces; nothing changes', async () => {
    const full = (await s.request('GET', `${base()}?FriendlyName=Full`)).body.workflows[0].sid;
    const upd = (form: Record<string, string>) => () => s.request('POST', `${base()}/${full}`, { form });
    await rejects([
      // A valid change next to a bad one: neither is applied.
      [upd({ FriendlyName: 'Renamed', Configuration: '{}' }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', Configuration: routing(newSid('WQ')) }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', TaskReservationTimeout: '0' }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', AssignmentCallbackUrl: 'mailto:a@example.com' }), 400, 20001],
      [upd({ FriendlyName: 'Renamed', ReEvaluateTasks: ['true', 'false'] as unknown as string }), 400, 20001],
      [upd({ FriendlyName: '' }), 400, 20001],
      [() => s.request('GET', `${base()}/${newSid('WW')}`), 404, 20404],
      [() => s.request('GET', `${base()}/not-a-sid`), 404, 20404],
      [() => s.request('POST', `${base()}/${newSid('WW')}`, { form: { FriendlyName: 'x' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${newSid('WW')}`), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/Workflows`), 404, 20404],
      [() => s.request('POST', `/v1/Workspaces/${newSid('WS')}/Workflows`, { form: { FriendlyName: 'Z', Configuration: routing(all) } }), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/Workflows/${full}`), 404, 20404],
    ]);
  });

  it("another account's workspace and workflows are 404, never 403, and untouched", async () => {
    const other = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: other.sid, ownerAccountSid: other.sid, friendlyName: 'B', authTokenSealed: s.app.secrets.sealAuthToken(other.sid, other.token), status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: other.sid, password: other.token };
    const full = (await s.request('GET', `${base()}?FriendlyName=Full`)).body.workflows[0].sid;
    await rejects([
      [() => s.request('GET', base(), { auth }), 404, 20404],
      [() => s.request('POST', base(), { auth, form: { FriendlyName: 'Mallory', Configuration: routing(all) } }), 404, 20404],
      [() => s.request('GET', `${base()}/${full}`, { auth }), 404, 20404],
      [() => s.request('POST', `${base()}/${full}`, { auth, form: { FriendlyName: 'Mallory' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${full}`, { auth }), 404, 20404],
    ]);
  });

  describe('list', () => {
    let lws: string;
    const lbase = () => `/v1/Workspaces/${lws}/Workflows`;
    const names = async (query: string) => {
      const res = await s.request('GET', `${lbase()}?${query}`);
      assertContract('get', F, res, 200);
      return res.body.workflows.map((w: any) => w.friendly_name);
    };

    before(async () => {
      lws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Workflow lists' } })).body.sid;
      const q = (await s.request('POST', `/v1/Workspaces/${lws}/TaskQueues`, { form: { FriendlyName: 'Q' } })).body.sid;
      for (const name of ['Inbound', 'Outbound', 'Callbacks', 'Escalations', 'Inbound copy']) {
        const res = await s.request('POST', lbase(), { form: { FriendlyName: name, Configuration: routing(q) } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    });

    it('lists in creation order with the envelope of the OpenAPI document', async () => {
      const res = await s.request('GET', lbase());
      assertContract('get', F, res, 200);
      assert.deepEqual(res.body.workflows.map((w: any) => w.friendly_name), ['Inbound', 'Outbound', 'Callbacks', 'Escalations', 'Inbound copy']);
      assert.equal(res.body.meta.key, 'workflows');
      assert.equal(res.body.meta.page_size, 50);
      assert.equal(res.body.meta.next_page_url, null);
    });

    it('filters by FriendlyName', async () => {
      assert.deepEqual(await names('FriendlyName=Outbound'), ['Outbound']);
      assert.deepEqual(await names(`FriendlyName=${encodeURIComponent('Inbound copy')}`), ['Inbound copy']);
      assert.deepEqual(await names('FriendlyName=Nothing'), []);
      const res = await s.request('GET', `${lbase()}?FriendlyName=Outbound&PageSize=1`);
      assert.ok(res.body.meta.url.includes('FriendlyName=Outbound'));
    });

    it('pages over more than one page, forwards and back', async () => {
      const seen: string[] = [];
      const pages: any[] = [];
      let url: string | null = `${lbase()}?PageSize=2`;
      while (url) {
        const res = await s.request('GET', url.replace(s.origin, ''));
        assertContract('get', F, res, 200);
        assert.ok(res.body.workflows.length <= 2);
        seen.push(...res.body.workflows.map((w: any) => w.friendly_name));
        pages.push(res.body.meta);
        url = res.body.meta.next_page_url;
        if (url) assert.ok(url.startsWith(`${s.origin}${lbase()}?`), url);
      }
      assert.deepEqual(seen, ['Inbound', 'Outbound', 'Callbacks', 'Escalations', 'Inbound copy']);
      assert.deepEqual(pages.map((m) => m.page), [0, 1, 2]);
      assert.equal(pages[0].previous_page_url, null);
      const back = await s.request('GET', pages[2].previous_page_url.replace(s.origin, ''));
      assertContract('get', F, back, 200);
      assert.deepEqual(back.body.workflows.map((w: any) => w.friendly_name), ['Callbacks', 'Escalations']);
      assertTwilioError(await s.request('GET', `${lbase()}?PageSize=0`), 400, 20001);
      assertTwilioError(await s.request('GET', `${lbase()}?PageToken=bogus`), 400, 20001);
      // Workflows have no Ordering parameter: it is ignored, as Twilio ignores it.
      assert.equal((await s.request('GET', `${lbase()}?Ordering=FriendlyName:asc`)).headers.get('x-switchboard-ignored-parameters'), 'Ordering');
    });
  });

  it(`refuses the ${LIMITS.workflowsPerWorkspace + 1}th workflow of a workspace`, async () => {
    const full = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Full' } })).body.sid;
    const q = (await s.request('POST', `/v1/Workspaces/${full}/TaskQueues`, { form: { FriendlyName: 'Q' } })).body.sid;
    // Filling the workspace through the API would take a while; the count is what the limit reads.
    s.store.transaction((repo) => {
      for (let i = 0; i < LIMITS.workflowsPerWorkspace; i++) {
        repo.insert('workflow', {
          sid: newSid('WW'),
          accountSid: s.accountSid,
          workspaceSid: full,
          friendlyName: `wf${i}`,
          configuration: routing(q),
          assignmentCallbackUrl: null,
          fallbackAssignmentCallbackUrl: null,
          taskReservationTimeout: 120,
          dateCreated: now,
          dateUpdated: now,
          version: 0,
        });
      }
    });
    const res = await s.request('POST', `/v1/Workspaces/${full}/Workflows`, { form: { FriendlyName: 'One too many', Configuration: routing(q) } });
    assertTwilioError(res, 400, 20001);
    assert.match(res.body.message, /1000/);
    assert.equal(s.store.read((repo) => repo.count('workflow', { workspaceSid: full })), LIMITS.workflowsPerWorkspace);
    await s.request('DELETE', `/v1/Workspaces/${full}`);
  });
});
